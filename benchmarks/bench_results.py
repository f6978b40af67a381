"""Posted results: triples per trial and the build-time cost of mapping them (issue 16).

For each size, the synthetic registry (cached, ``_harness.registry``) is built to N-Quads twice in
fresh processes, with and without ``--no-results``, one job each (the CPU is shared); the ratio
of the two builds in the same run is the figure, not the seconds. Prints a Markdown section for
RESULTS.md.

    nice -n 10 python benchmarks/bench_results.py --sizes 10000
    nice -n 10 python benchmarks/bench_results.py --sizes 100000 --store

``--store`` builds into on-disk stores with ``kg build ZIP --store DIR -j 2`` instead (what users
run on a whole registry): ``--no-results`` first, measured and deleted, then with results into the
harness's store of that size (``_harness.store_path``), which is kept for the later benchmarks
(queries, validation). Quads are counted in the store; results-node quads are not split out.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _harness import gib, log, md_table, measure, parse_args, registry, store_path

KG = [sys.executable, "-m", "kg"]


def _counts(nq: Path) -> tuple[int, int]:
    """Count the quads of an N-Quads file, and those whose subject is a results node."""
    total = results = 0
    with nq.open("rb") as f:
        for line in f:
            total += 1
            results += b"/results/" in line.split(b" ", 1)[0]
    return total, results


def _with_results(zip_path: Path) -> int:
    """Count the registry's studies that post results (read from the zip's JSON)."""
    import zipfile

    n = 0
    with zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            if name.endswith(".json"):
                n += b'"resultsSection"' in z.read(name)
    return n


def _store_quads(path: Path) -> int:
    """Count the quads of an on-disk store (opened read-only)."""
    import pyoxigraph as ox

    return len(ox.Store.read_only(str(path)))


def _store_runs(n: int, zip_path: Path, work: Path) -> dict[str, tuple[object, int, int]]:
    """Build the registry into stores, without then with results (the latter kept)."""
    import shutil

    runs: dict[str, tuple[object, int, int]] = {}
    for label, extra in (("--no-results", ["--no-results"]), ("with results", [])):
        out = store_path(n, work) if not extra else work / f"results-{n}-off-store"
        shutil.rmtree(out, ignore_errors=True)
        log(f"{n:,} trials into a store, {label} -> {out}")
        run = measure([*KG, "build", str(zip_path), "--store", str(out), "-j", "2", *extra])
        if run.returncode != 0:
            raise SystemExit(run.stderr)
        runs[label] = (run, _store_quads(out), 0)
        log(json.dumps({"n": n, "label": label, "wall": run.wall, "cpu": run.cpu}))
        if extra:
            shutil.rmtree(out)
    return runs


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", action="store_true", help="build into stores, -j 2")


def main() -> None:
    """Build each size with and without results; print the table."""
    args = parse_args(__doc__ or "", extra=_options)
    rows = []
    for n in args.sizes:
        zip_path = registry(n, args.work)
        posted = _with_results(zip_path)
        runs = {}
        if args.store:
            runs = _store_runs(n, zip_path, args.work)  # type: ignore[assignment]
        modes = (("with results", []), ("--no-results", ["--no-results"]))
        for label, extra in () if args.store else modes:
            out = args.work / f"results-{n}-{'on' if not extra else 'off'}.nq"
            log(f"{n:,} trials, {label}")
            run = measure([*KG, "build", str(zip_path), "-o", str(out), "-j", "1", *extra])
            if run.returncode != 0:
                raise SystemExit(run.stderr)
            runs[label] = (run, *_counts(out))
            out.unlink()
        on, off = runs["with results"], runs["--no-results"]
        rows.append([
            f"{n:,}", f"{posted:,}", f"{on[1]:,}", f"{off[1]:,}",
            f"{(on[1] - off[1]) / max(posted, 1):,.0f}",
            "-" if args.store else f"{on[2] / max(posted, 1):,.0f}",
            f"{on[0].wall:,.0f} s", f"{off[0].wall:,.0f} s", f"{on[0].cpu / off[0].cpu:.2f}",
            gib(on[0].max_rss), gib(off[0].max_rss),
        ])  # fmt: skip
        log(json.dumps({"n": n, "on": on[0].wall, "off": off[0].wall}))
    mode = "`kg build --store DIR -j 2`" if args.store else "`kg build -o OUT.nq -j 1`"
    print(f"### Posted results: triples and build time (`bench_results.py`, {mode})\n")
    headers = [
        "trials", "with results", "quads", "quads --no-results", "added per trial with results",
        "results-node quads per such trial", "build", "build --no-results", "CPU ratio",
        "peak RSS", "peak RSS --no-results",
    ]  # fmt: skip
    print(md_table(headers, rows))


if __name__ == "__main__":
    main()
