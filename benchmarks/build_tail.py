"""The store's tail after a build's load, timed apart: today's steps and variants tried on copies.

    python benchmarks/build_tail.py make ZIP --work DIR [-j 2]
    python benchmarks/build_tail.py run --work DIR [--rounds 2] [--variants today,threads,one-load]

``make`` builds ``ZIP`` into ``DIR/raw`` with ``--no-results`` and stops where
``kg.sinks.store._finalise`` starts: the store as the streamed load leaves it (bulk-loaded,
uncompacted), with the build's summed counts kept beside it (``DIR/counted.pkl``). ``run`` then
copies ``DIR/raw`` for each variant and round (alternating), opens the copy and times the tail on
it: the wall and CPU of this process (the engine's own threads included), each step's, and the
store's quads and size after. A build's A/B (``build_cost.py``) varies by +-5% from run to run on
this machine, more than the tail's share; on one raw store the tail's variants compare within
a few seconds.

Variants: ``today`` is ``kg.sinks.store._finalise`` (its steps timed); ``threads`` makes the
statistics (missing keys, class counts, their graph) on a second thread while this one makes the
answers, their two bulk loads taking turns (pyoxigraph lets go of Python's lock while it queries
and loads); ``one-load`` writes the statistics and answers graphs in one bulk load. Both variants
were tried for issue 15's build cost (RESULTS.md, "Build cost, ninth pass") and not kept.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

import kg.sinks.store as store_module
from kg.answers import compute as compute_answers
from kg.answers_graph import answers_nquads
from kg.stats import Statistics, gather, stats_nquads

Tail = Callable[[ox.Store, Statistics | None], None]
_today = store_module._finalise


def step(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        print(f"  {name}: wall {time.perf_counter() - wall:.2f} s, CPU "
              f"{time.process_time() - cpu:.2f} s", file=sys.stderr, flush=True)


def today(store: ox.Store, counted: Statistics | None) -> None:
    """``kg.sinks.store._finalise``, its steps timed (``optimize`` and ``flush``: the rest)."""
    names = ("merge_aliases", "add_missing_keys", "refresh_stats", "refresh_answers")
    originals = {name: getattr(store_module, name) for name in names}

    def timed(name: str) -> Callable[..., Any]:
        return lambda *a, **k: step(name, originals[name], *a, **k)

    for name in names:
        setattr(store_module, name, timed(name))
    try:
        _today(store, counted, publications_ontology=False)
    finally:
        for name, original in originals.items():
            setattr(store_module, name, original)


def _statistics(store: ox.Store, counted: Statistics | None) -> bytes:
    return "".join(stats_nquads(gather(store, counted))).encode("utf-8")


def _start(store: ox.Store, counted: Statistics | None) -> Statistics | None:
    if store_module.merge_aliases(store).aliases:
        counted = None
    store_module.add_missing_keys(store)
    store_module.load_ontology(store)
    return counted


def threads(store: ox.Store, counted: Statistics | None) -> None:
    if store_module.merge_aliases(store).aliases:
        counted = None
    store_module.load_ontology(store)
    writing = threading.Lock()

    def statistics() -> None:
        step("add_missing_keys", store_module.add_missing_keys, store)
        data = step("statistics", _statistics, store, counted)
        with writing:
            step("statistics load", store.bulk_load, data, ox.RdfFormat.N_QUADS, lenient=True)

    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(statistics)
        data = "".join(answers_nquads(step("answers", compute_answers, store))).encode("utf-8")
        with writing:
            step("answers load", store.bulk_load, data, ox.RdfFormat.N_QUADS)
        done.result()
    step("optimize", store.optimize)
    store.flush()


def one_load(store: ox.Store, counted: Statistics | None) -> None:
    counted = step("start", _start, store, counted)
    stats = step("statistics", _statistics, store, counted)
    answers = "".join(answers_nquads(step("answers", compute_answers, store))).encode("utf-8")
    step("one load", store.bulk_load, stats + answers, ox.RdfFormat.N_QUADS, lenient=True)
    step("optimize", store.optimize)
    store.flush()


VARIANTS: dict[str, Tail] = {"today": today, "threads": threads, "one-load": one_load}


def make(args: argparse.Namespace) -> None:
    from kg.build import build
    from kg.sinks import StoreSink

    raw = args.work / "raw"

    def keep(store: ox.Store, counted: Statistics | None, *, publications_ontology: bool) -> None:
        (args.work / "counted.pkl").write_bytes(pickle.dumps(counted))
        store.flush()

    store_module._finalise = keep  # type: ignore[assignment]
    shutil.rmtree(raw, ignore_errors=True)
    build([str(args.zip)], StoreSink(raw), jobs=args.jobs, results=False)
    print(f"raw store: {raw} ({len(ox.Store.read_only(str(raw))):,} quads)")


def run(args: argparse.Namespace) -> None:
    counted = pickle.loads((args.work / "counted.pkl").read_bytes())  # noqa: S301 - ours
    print("| variant | round | wall s | CPU s | quads | store GB |")
    print("|---|---:|---:|---:|---:|---:|")
    for n in range(args.rounds):
        for name in args.variants.split(","):
            copy = args.work / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            subprocess.run(["cp", "-r", str(args.work / "raw"), str(copy)], check=True)  # noqa: S603, S607
            store = ox.Store(str(copy))
            print(f"{name}, round {n + 1}:", file=sys.stderr)
            cpu, wall = time.process_time(), time.perf_counter()
            VARIANTS[name](store, pickle.loads(pickle.dumps(counted)))  # noqa: S301
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            quads = len(store)
            del store
            size = sum(f.stat().st_size for f in copy.rglob("*") if f.is_file())
            print(f"| {name} | {n + 1} | {wall:.1f} | {cpu:.1f} | {quads:,} | {size / 1e9:.2f} |",
                  flush=True)
            shutil.rmtree(copy, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["make", "run"])
    parser.add_argument("zip", type=Path, nargs="?")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variants", default="today,threads,one-load")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.what == "make" and args.zip is None:
        parser.error("make needs the ZIP to build")
    (make if args.what == "make" else run)(args)


if __name__ == "__main__":
    main()
