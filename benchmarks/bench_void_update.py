"""What keeping kg void's figures exact costs an update: the same update with and without them.

    python benchmarks/bench_void_update.py STORE UPDATE [--rounds 2] [--work DIR] [--check]

``STORE`` is a store built by this kg (it keeps the figures, kg.void_counts); ``UPDATE`` an input
of ``kg build`` (a synthetic zip of another seed: the same NCT numbers, so its trials replace
stored ones, plus new ones when it is larger). Each round copies ``STORE`` twice under ``--work``:
one copy as it is (the update moves its figures by the quads it changes) and one without the
figures graph (as a store of an older kg: the update tracks nothing), then runs ``kg build UPDATE
--store COPY -j 2`` on each, alternately, in fresh processes (benchmarks/_harness.measure: CPU of
the build and its workers, wall, peak RSS of the process tree). ``--check`` then compares the
moved figures with the store's own count (kg.publish.void.count_figures). Markdown on stdout.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
from _harness import log, md_table, measure

from kg.void_counts import VOID_GRAPH, read


def _copy(store: Path, to: Path, *, figures: bool) -> None:
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(store, to)
    if not figures:
        copy = ox.Store(str(to))
        copy.remove_graph(ox.NamedNode(VOID_GRAPH))
        copy.flush()
        del copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("update", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-void-update"
    )
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if read(ox.Store.read_only(str(args.store))) is None:
        sys.exit(f"{args.store}: keeps no figures (build it with this kg)")
    args.work.mkdir(parents=True, exist_ok=True)
    kg = str(Path(sys.executable).with_name("kg"))
    runs: dict[str, list[tuple[float, float, float]]] = {"without figures": [], "with figures": []}
    moved: Path | None = None
    for n in range(args.rounds):
        for name, figures in (("without figures", False), ("with figures", True)):
            copy = args.work / ("kept" if figures else "none")
            _copy(args.store, copy, figures=figures)
            log(f"round {n + 1}, {name}: kg build {args.update} --store {copy}")
            run = measure([kg, "build", str(args.update), "--store", str(copy), "-j", "2"])
            if run.returncode:
                sys.exit(run.stderr[-2000:])
            runs[name].append((run.user + run.system, run.wall, run.peak_tree_rss / 2**30))
            if figures:
                kept = read(ox.Store.read_only(str(copy)))
                log(f"figures kept after the update: {kept is not None}")
                moved = copy
    rows = []
    for name, found in runs.items():
        cpu = sum(r[0] for r in found) / len(found)
        wall = sum(r[1] for r in found) / len(found)
        rss = max(r[2] for r in found)
        rows.append([name, f"{cpu:.1f}", f"{wall:.1f}", f"{rss:.2f}"])
    base, new = runs["without figures"], runs["with figures"]
    ratio_cpu = sum(r[0] for r in new) / sum(r[0] for r in base)
    ratio_wall = sum(r[1] for r in new) / sum(r[1] for r in base)
    print(f"Command: `python benchmarks/bench_void_update.py {' '.join(sys.argv[1:])}`\n")
    print(md_table(["update", "CPU s (mean)", "wall s (mean)", "peak tree RSS GiB"], rows))
    print(f"\nWith figures / without: CPU {ratio_cpu:.3f}x, wall {ratio_wall:.3f}x")
    if args.check and moved is not None:
        from kg.publish._dataset import detect_base
        from kg.publish.void import count_figures

        store = ox.Store.read_only(str(moved))
        kept = read(store)
        counted = count_figures(store, detect_base(store) or "https://w3id.org/trialkg/")
        print(f"\nMoved figures equal the store's count: {'yes' if kept == counted else 'NO'}")
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
