"""Build and scale: mapping vs a naive rdflib mapper, zip -> store end to end, store load vs rdflib
parse, peak memory, and the growth exponent fitted over sizes (extrapolated to the registry).

Every measurement runs in a fresh child process (``python bench_build.py --step NAME ...``) whose
wall time, CPU time and peak memory the parent records; the child reports counts as one JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from _harness import (
    PATCHED_KG,
    Run,
    fit_power,
    gib,
    log,
    md_table,
    measure,
    parse_args,
    registry,
    registry_name,
    store_path,
)

REGISTRY_SIZE = 560_000  # studies on ClinicalTrials.gov
NAIVE_MAX = 10_000  # the rdflib baseline holds everything in memory: larger sizes need > 10 GB
RDFLIB_PARSE_MAX = 1_000  # rdflib parse of N-Quads: ~1 GB of memory per 1,000 synthetic trials
PLAIN_BUILD_BUDGET = 900.0  # seconds: run `kg build` unpatched only when projected below this
JOBS = 2


# --------------------------------------------------------------------------- child steps
def _patch_zip_open() -> None:
    """Open each zip archive once per process (the fix proposed for kg.sources.InputFile.open)."""
    sys.path.insert(0, str(PATCHED_KG.parent))
    import _kg_patched

    _kg_patched.patch()


def step_read(zip_path: Path) -> dict[str, object]:
    """Read every record (no mapping)."""
    _patch_zip_open()
    from kg.sources import iter_input_files, read_records

    start = time.process_time()
    trials = sum(1 for doc in iter_input_files([str(zip_path)]) for _ in read_records(doc))
    return {"trials": trials, "cpu": time.process_time() - start}


def step_kgmap(zip_path: Path, out: Path) -> dict[str, object]:
    """Read and map every record with kg in one process, writing the N-Quads to ``out``."""
    _patch_zip_open()
    from kg.build import Mapped, iter_mapped
    from kg.terms import DEFAULT_BASE

    trials = triples = 0
    start = time.process_time()
    with out.open("w", encoding="utf-8") as fh:
        for item in iter_mapped([str(zip_path)], base=DEFAULT_BASE, jobs=1):
            if isinstance(item, Mapped):
                fh.write(item.text)
                trials += 1
                triples += item.triples
    return {"trials": trials, "triples": triples, "cpu": time.process_time() - start}


def step_naive(zip_path: Path) -> dict[str, object]:
    """Read every record with kg's reader and map it with rdflib ``Graph.add`` (naive_rdflib.py)."""
    _patch_zip_open()
    from naive_rdflib import NaiveMapper

    from kg.model import Trial
    from kg.sources import iter_input_files, read_records

    mapper = NaiveMapper()
    trials = 0
    start = time.process_time()
    for doc in iter_input_files([str(zip_path)]):
        for record in read_records(doc):
            if isinstance(record, Trial):
                mapper.map(record)
                trials += 1
    cpu = time.process_time() - start
    return {"trials": trials, "triples": len(mapper), "cpu": cpu}


def step_oxload(nq: Path, folder: Path) -> dict[str, object]:
    """Bulk-load an N-Quads file into a fresh on-disk pyoxigraph store (as StoreSink does)."""
    import pyoxigraph as ox

    shutil.rmtree(folder, ignore_errors=True)
    store = ox.Store(str(folder))
    start = time.perf_counter()
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    loaded = time.perf_counter() - start
    store.optimize()
    optimized = time.perf_counter() - start - loaded
    quads = len(store)
    del store
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    shutil.rmtree(folder, ignore_errors=True)
    return {"quads": quads, "load_s": loaded, "optimize_s": optimized, "bytes": size}


def step_rdfparse(nq: Path) -> dict[str, object]:
    """Parse an N-Quads file into an in-memory rdflib Dataset."""
    from rdflib import Dataset

    ds = Dataset()
    start = time.perf_counter()
    ds.parse(str(nq), format="nquads")
    elapsed = time.perf_counter() - start
    quads = sum(len(g) for g in ds.graphs())
    return {"quads": quads, "parse_s": elapsed}


def step_openzip(zip_path: Path) -> dict[str, object]:
    """Time kg's InputFile.open on zip members as it is (one ZipFile per member)."""
    from kg.sources import iter_input_files

    docs = list(iter_input_files([str(zip_path)]))
    sample = docs[:: max(len(docs) // 40, 1)][:40]
    start = time.perf_counter()
    for doc in sample:
        stream = doc.open()
        stream.read(1)
        stream.close()
        archive = getattr(stream, "_kg_archive", None)
        if archive is not None:
            archive.close()
    return {"members": len(docs), "per_open_s": (time.perf_counter() - start) / len(sample)}


def step_profile(zip_path: Path, folder: Path) -> dict[str, object]:
    """Profile `kg build -j 1` (zip -> store) with cProfile; return the top functions."""
    _patch_zip_open()
    from kg.build import build
    from kg.sinks import StoreSink
    from kg.terms import DEFAULT_BASE

    shutil.rmtree(folder, ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.enable()
    build([str(zip_path)], StoreSink(folder), base=DEFAULT_BASE, jobs=1)
    profiler.disable()
    shutil.rmtree(folder, ignore_errors=True)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(25)
    total = stats.total_tt  # type: ignore[attr-defined]
    return {"total_s": total, "top": _trim_profile(text.getvalue())}


def _trim_profile(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    repo = str(Path(__file__).resolve().parents[1]) + "/"
    return "\n".join(line.replace(repo, "").rstrip() for line in lines[start:] if line.strip())


STEPS = {
    "read": lambda a: step_read(a.zip),
    "kgmap": lambda a: step_kgmap(a.zip, a.out),
    "naive": lambda a: step_naive(a.zip),
    "oxload": lambda a: step_oxload(a.nq, a.out),
    "rdfparse": lambda a: step_rdfparse(a.nq),
    "openzip": lambda a: step_openzip(a.zip),
    "profile": lambda a: step_profile(a.zip, a.out),
}


def run_step(step: str, **paths: Path) -> Run:
    """Run one step in a fresh child process and measure it."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step]
    for key, value in paths.items():
        cmd += [f"--{key}", str(value)]
    log(f"step {step} {' '.join(str(v.name) for v in paths.values())}")
    run = measure(cmd)
    if run.returncode != 0:
        raise RuntimeError(f"step {step} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run


def run_build(zip_path: Path, folder: Path, *, patched: bool) -> Run:
    """Run kg's build of a zip into a fresh store, 2 workers, in a fresh process.

    It calls ``kg.build.build`` with a ``StoreSink`` (what ``kg build ZIP --store DIR -j 2``
    runs); ``patched`` applies the zip fix.
    """
    shutil.rmtree(folder, ignore_errors=True)
    cmd = [sys.executable, str(PATCHED_KG), str(zip_path), "--store", str(folder), "-j", str(JOBS)]
    log(f"kg build {zip_path.name} ({'with the zip fix' if patched else 'as is'})")
    run = measure([*cmd, "--zip-fix"] if patched else cmd)
    if run.returncode != 0:
        raise RuntimeError(f"kg build failed ({run.returncode}):\n{run.stderr[-3000:]}")
    run.extra["store_bytes"] = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return run


# --------------------------------------------------------------------------- the benchmark
def main() -> None:
    args = parse_args(__doc__ or "", extra=_options)
    sizes = sorted(args.sizes)
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-", dir=args.work))
    results: dict[int, dict[str, Run]] = {}
    failed: dict[int, str] = {}
    try:
        for n in sizes:
            saved = args.work / f"bench_build-{registry_name(n)}.json"
            if args.reuse and saved.exists():
                log(f"reusing {saved}")
                results[n] = {k: Run(**v) for k, v in json.loads(saved.read_text()).items()}
                continue
            try:
                results[n] = _measure_size(n, args, tmp)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                log(f"size {n:,} failed: {exc}")
                failed[n] = str(exc).splitlines()[0]
                continue
            saved.write_text(json.dumps({k: asdict(v) for k, v in results[n].items()}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    done = [n for n in sizes if n in results]
    report = _report(results, done, args) if done else "### Build and scale\n"
    for n, why in failed.items():
        report += f"\n\nSize {n:,} failed: {why}"
    sys.stdout.write(report + "\n")
    if failed:
        sys.exit(1)


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the measurements saved in the work folder for sizes already measured",
    )


def _measure_size(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, Run]:
    zip_path = registry(n, args.work)
    runs: dict[str, Run] = {"openzip": run_step("openzip", zip=zip_path)}
    nq = tmp / f"kg-{n}.nq"
    if n <= NAIVE_MAX:
        runs["read"] = run_step("read", zip=zip_path)
        runs["kgmap"] = run_step("kgmap", zip=zip_path, out=nq)
        runs["naive"] = run_step("naive", zip=zip_path)
        runs["oxload"] = run_step("oxload", nq=nq, out=tmp / "oxload")
        if n <= RDFLIB_PARSE_MAX:
            runs["rdfparse"] = run_step("rdfparse", nq=nq)
        nq.unlink(missing_ok=True)
    projected = n * float(runs["openzip"].json()["per_open_s"]) / JOBS
    if projected < PLAIN_BUILD_BUDGET:
        runs["build"] = run_build(zip_path, tmp / "store-plain", patched=False)
        shutil.rmtree(tmp / "store-plain", ignore_errors=True)
    # The store built with the fix stays in the work folder for the query and serve benchmarks.
    keep = store_path(n, args.work)
    runs["build_fixed"] = run_build(zip_path, tmp / "store-fixed", patched=True)
    if not keep.exists():
        shutil.move(str(tmp / "store-fixed"), keep)
    shutil.rmtree(tmp / "store-fixed", ignore_errors=True)
    if n == min(args.sizes):
        runs["profile"] = run_step("profile", zip=zip_path, out=tmp / "profile-store")
    return runs


def _rate(count: object, seconds: float) -> float:
    return float(count) / seconds if seconds else 0.0  # type: ignore[arg-type]


def _report(results: dict[int, dict[str, Run]], sizes: list[int], args: argparse.Namespace) -> str:
    out = ["### Build and scale", ""]
    out.append(
        f"Command: `python benchmarks/bench_build.py --sizes {','.join(map(str, sizes))}` "
        f"(registries from `kg synth generate N --seed 0`, {JOBS} build workers). CPU = user + "
        "system seconds of the process and the children it waited for; RSS = the largest "
        "single process (getrusage); tree PSS = the peak of the whole process tree's "
        "proportional set size sampled every 0.25 s. The machine was shared with other jobs: "
        "the load average is given per run, and CPU seconds are the steadier measure."
    )
    out += ["", "#### Mapping, one process: kg vs a naive rdflib `Graph.add` mapper", ""]
    rows = []
    for n in sizes:
        r = results[n]
        if "kgmap" not in r:
            continue
        read = float(r["read"].json()["cpu"])  # type: ignore[arg-type]
        kg, naive = r["kgmap"].json(), r["naive"].json()
        kg_cpu, naive_cpu = float(kg["cpu"]), float(naive["cpu"])  # type: ignore[arg-type]
        kg_map, naive_map = max(kg_cpu - read, 1e-9), max(naive_cpu - read, 1e-9)
        rows.append([
            f"{n:,}", _rate(kg["trials"], kg_cpu), _rate(naive["trials"], naive_cpu),
            f"{naive_cpu / kg_cpu:.1f}x", _rate(kg["triples"], kg_cpu),
            _rate(naive["triples"], naive_cpu),
            f"{(float(kg['triples']) / kg_cpu) / (float(naive['triples']) / naive_cpu):.1f}x",  # type: ignore[arg-type]
            f"{naive_map / kg_map:.1f}x", gib(r["kgmap"].max_rss), gib(r["naive"].max_rss),
        ])  # fmt: skip
    out.append(md_table(
        ["trials", "kg trials/s", "naive trials/s", "ratio", "kg triples/s", "naive triples/s",
         "ratio", "ratio, mapping only", "kg RSS", "naive RSS"], rows,
    ))  # fmt: skip
    out.append(
        "\nRates per CPU second, reading included (kg's reader feeds both); 'mapping only' "
        "subtracts the CPU of reading the same records. The naive mapper covers a subset of "
        "the facts (see benchmarks/naive_rdflib.py) and keeps everything in one rdflib Dataset."
    )
    out += _build_tables(results, sizes)
    out += _load_table(results, sizes)
    out += _scaling(results, sizes)
    smallest = results[sizes[0]].get("profile")
    if smallest is not None:
        prof = smallest.json()
        out += [
            "",
            f"#### Profile: `kg build -j 1` of {sizes[0]:,} trials, zip -> store (cProfile, "
            f"{float(prof['total_s']):.1f} s in total, top 25 by own time)",  # type: ignore[arg-type]
            "",
            "```",
            str(prof["top"]),
            "```",
        ]
    return "\n".join(out)


def _build_tables(results: dict[int, dict[str, Run]], sizes: list[int]) -> list[str]:
    out = ["", "#### Build end to end: `kg build registry.zip --store DIR -j 2`", ""]
    rows = []
    for n in sizes:
        r = results[n]
        per_open = float(r["openzip"].json()["per_open_s"])  # type: ignore[arg-type]
        for key, label in (("build", "as is"), ("build_fixed", "zip opened once")):
            run = r.get(key)
            if run is None:
                projected = n * per_open / JOBS
                rows.append([f"{n:,}", label, f"not run: opening the members alone would take "
                             f"~{projected / 3600:.1f} h ({per_open * 1000:.0f} ms each)",
                             "", "", "", "", "", "", ""])  # fmt: skip
                continue
            triples = _triples_estimate(results, n)
            rows.append([
                f"{n:,}", label, f"{run.wall:,.1f}", f"{run.cpu:,.1f}", f"{n / run.wall:,.0f}",
                f"{triples / run.wall:,.0f}" if triples else "", gib(run.max_rss),
                gib(run.peak_tree_pss), gib(float(run.extra.get("store_bytes", 0))),  # type: ignore[arg-type]
                f"{run.load[0]:.1f} / {run.load[1]:.1f}",
            ])  # fmt: skip
    out.append(md_table(
        ["trials", "kg", "wall s", "CPU s", "trials/s", "triples/s", "peak RSS", "peak tree PSS",
         "store on disk", "load avg start / end"], rows,
    ))  # fmt: skip
    out.append(
        "\n'as is': kg's InputFile.open opens the whole zip again for every member, reading its "
        "central directory each time, so the cost per member grows with the archive (time per "
        "open, measured on 40 members: "
        + ", ".join(
            f"{n:,} trials {float(results[n]['openzip'].json()['per_open_s']) * 1000:.0f} ms"  # type: ignore[arg-type]
            for n in sizes
        )
        + "). 'zip opened once' runs the same command through benchmarks/_kg_patched.py, which "
        "keeps one ZipFile per process (the fix proposed for kg/sources/__init__.py)."
    )
    return out


def _triples_estimate(results: dict[int, dict[str, Run]], n: int) -> float:
    r = results[n]
    if "kgmap" in r:
        return float(r["kgmap"].json()["triples"])  # type: ignore[arg-type]
    known = [(m, float(results[m]["kgmap"].json()["triples"]) / m) for m in results if "kgmap" in results[m]]  # type: ignore[arg-type]
    return n * known[-1][1] if known else 0.0


def _load_table(results: dict[int, dict[str, Run]], sizes: list[int]) -> list[str]:
    out = ["", "#### Store load vs rdflib parse (the N-Quads of the mapping step)", ""]
    rows = []
    for n in sizes:
        r = results[n]
        if "oxload" not in r:
            continue
        ox = r["oxload"].json()
        quads = float(ox["quads"])  # type: ignore[arg-type]
        row: list[object] = [
            f"{n:,}", f"{quads:,.0f}", f"{float(ox['load_s']):.1f}",  # type: ignore[arg-type]
            f"{quads / float(ox['load_s']):,.0f}", f"{float(ox['optimize_s']):.1f}",  # type: ignore[arg-type]
            gib(r["oxload"].max_rss), f"{float(ox['bytes']) / quads:,.0f}",  # type: ignore[arg-type]
        ]  # fmt: skip
        if "rdfparse" in r:
            rd = r["rdfparse"].json()
            rate = float(rd["quads"]) / float(rd["parse_s"])  # type: ignore[arg-type]
            row += [f"{rate:,.0f}", gib(r["rdfparse"].max_rss),
                    f"{(quads / float(ox['load_s'])) / rate:.1f}x"]  # type: ignore[arg-type]  # fmt: skip
        else:
            row += ["not run", "", ""]
        rows.append(row)
    out.append(md_table(
        ["trials", "quads", "bulk_load s", "quads/s", "optimize s", "RSS", "bytes/quad on disk",
         "rdflib parse quads/s", "rdflib RSS", "ratio"], rows,
    ))  # fmt: skip
    out.append(
        f"\nrdflib is run up to {RDFLIB_PARSE_MAX:,} trials: beyond that it needs more memory than "
        "a laptop has."
    )
    return out


def _scaling(results: dict[int, dict[str, Run]], sizes: list[int]) -> list[str]:
    built = [(n, results[n]["build_fixed"]) for n in sizes if "build_fixed" in results[n]]
    if len(built) < 2:
        return []
    ns = [float(n) for n, _ in built]
    out = ["", f"#### Growth and extrapolation to {REGISTRY_SIZE:,} trials", ""]
    rows = []
    for label, values, fmt in (
        ("wall s", [r.wall for _, r in built], lambda v: f"{v:,.0f} s ({v / 60:,.1f} min)"),
        ("CPU s", [r.cpu for _, r in built], lambda v: f"{v:,.0f} s"),
        ("peak RSS", [float(r.max_rss) for _, r in built], gib),
        ("peak tree PSS", [float(r.peak_tree_pss) for _, r in built], gib),
        ("store on disk", [float(r.extra["store_bytes"]) for _, r in built], gib),  # type: ignore[arg-type]
    ):
        a, b = fit_power(ns, values)
        rows.append([label, " / ".join(fmt(v) for v in values), f"{b:.2f}", fmt(a * REGISTRY_SIZE**b)])
    out.append(md_table(
        ["measure", " / ".join(f"{int(n):,}" for n in ns), "exponent b", f"at {REGISTRY_SIZE:,}"],
        rows,
    ))  # fmt: skip
    first, last = built[0][1], built[-1][1]
    out.append(
        f"\nFitted `value = a * trials ** b` (least squares on logs) over the 'zip opened once' "
        f"builds. Peak RSS {int(ns[-1]):,} / {int(ns[0]):,} trials: "
        f"{last.max_rss / first.max_rss:.2f}x (target: within 1.5x); tree PSS: "
        f"{last.peak_tree_pss / first.peak_tree_pss:.2f}x."
    )
    return out


def _child() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=sorted(STEPS), required=True)
    for name in ("zip", "out", "nq"):
        parser.add_argument(f"--{name}", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    sys.stdout.write(json.dumps(STEPS[args.step](args)) + "\n")


if __name__ == "__main__":
    if "--step" in sys.argv:
        _child()
    else:
        main()
