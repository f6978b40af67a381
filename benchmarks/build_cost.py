"""Build cost against the code before issue 15 (4e5cc23): interleaved runs, CPU, wall, RSS, size.

    python benchmarks/build_cost.py ZIP [--rounds 2] [-j 2] [--work /tmp/hb/cost] [--baseline REV]
    python benchmarks/build_cost.py ZIP --parts [--rounds 2] [-j 2] [--work DIR]
    python benchmarks/build_cost.py ZIP --phases [--profile OUT.prof]

The first form builds ``ZIP`` into a fresh store with the baseline (its own venv from ``git archive
REV``, made under ``--work`` on first use; REV is 4e5cc23, the code before issue 15, unless
``--baseline`` names another commit) and with this checkout's code, alternately (baseline, current,
baseline, current, ...: load on the shared machine hits both alike), one build at a time under
``nice -n 10``, each store deleted after it is measured. The current code runs with
``--no-results``: the baseline ignores posted results (issue 16), so that is like for like (a
baseline whose ``kg build`` has the option gets it too). Per run: CPU (user + sys of the build and
its workers, from ``wait4``), wall, peak RSS of the largest process (``ru_maxrss``) and of the
whole process tree (sampled from ``/proc`` every 0.2 s, with the time it peaked), the store's quads
and size on disk; then the ratio of the means. Markdown on stdout, progress on stderr.

``--parts`` compares two builds of today's code in the same way: the current one and the same
less issue 15's work (``benchmarks/_kg_without_stats.py``: no look-up keys, no statistics counts
in the workers; no statistics graph, answers graph nor missing keys after the load), both with
``--no-results``: what the statistics and indexes cost a build now, apart from what the issues
after 4e5cc23 added to reading and mapping.

``--phases`` runs the current build in this process and prints the CPU (this process), wall and
RSS of each step after the load (``kg.sinks.store._finalise``'s parts), with ``--profile`` a
cProfile of the whole build (the workers, forked from this process, are profiled too: their CPU
is inflated; read the main process's steps). Not a ``bench_*.py`` of run_all: it takes a zip and
no sizes, and one 10k round is ~15 min of two cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BASELINE = "4e5cc23"
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def baseline_venv(work: Path, rev: str) -> Path:
    """The baseline's venv (``git archive REV`` installed in its own venv), made once."""
    tree = work / f"base-{rev}"
    kg = tree / ".venv" / "bin" / "kg"
    if kg.exists():
        return kg
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    git = ["git", "-C", str(REPO), "archive", rev]
    archive = subprocess.run(git, check=True, capture_output=True).stdout  # noqa: S603
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)  # noqa: S603, S607
    subprocess.run([sys.executable, "-m", "venv", str(tree / ".venv")], check=True)  # noqa: S603
    pip = tree / ".venv" / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "-e", str(tree)], check=True)  # noqa: S603
    return kg


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(statm.split()[1]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


@dataclass(frozen=True, slots=True)
class Result:
    label: str
    cpu: float
    user: float
    sys: float
    wall: float
    max_rss: int
    tree_rss: int
    tree_peak_at: float
    quads: int
    size: int
    load_before: str
    load_after: str


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _quads(store: Path) -> int:
    """The store's quads, counted by the current venv's pyoxigraph (not timed)."""
    code = "import sys, pyoxigraph as ox; print(len(ox.Store.read_only(sys.argv[1])))"
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, str(store)], check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def run_build(
    label: str, kg: Path | list[str], zip_path: Path, store: Path, jobs: int, extra: list[str]
) -> Result:
    shutil.rmtree(store, ignore_errors=True)
    program = [str(kg)] if isinstance(kg, Path) else kg
    cmd = ["nice", "-n", "10", *program, "build", str(zip_path), "--store", str(store),
           "-j", str(jobs), *extra]
    before = load()
    log(f"{label}: {' '.join(cmd)} (load {before})")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    peak, peak_at = 0, 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_at
        while not done.wait(0.2):
            rss = _tree_rss(proc.pid)
            if rss > peak:
                peak, peak_at = rss, time.perf_counter() - start
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{label}: kg build exited with {proc.returncode}")
    result = Result(
        label, usage.ru_utime + usage.ru_stime, usage.ru_utime, usage.ru_stime, wall,
        usage.ru_maxrss * 1024, peak, peak_at, _quads(store), _du(store), before, load(),
    )
    shutil.rmtree(store, ignore_errors=True)
    log(f"{label}: {result.cpu:.1f} CPU s, {wall:.1f} s wall, max RSS {result.max_rss / 2**30:.2f}"
        f" GiB, tree {peak / 2**30:.2f} GiB at {peak_at:.0f} s, {result.quads:,} quads")
    return result


def _alternate(
    args: argparse.Namespace, label: str, kg: Path | list[str], extra: list[str]
) -> list[Result]:
    """``args.rounds`` rounds of a build by ``kg`` (as ``label``), then one by this checkout's."""
    current = Path(sys.executable).parent / "kg"
    store = args.work / "store"
    results: list[Result] = []
    for n in range(args.rounds):
        results.append(run_build(f"{label} {n + 1}", kg, args.zip, store, args.jobs, extra))
        results.append(
            run_build(f"current {n + 1}", current, args.zip, store, args.jobs, ["--no-results"])
        )
    return results


def compare(args: argparse.Namespace) -> None:
    base_kg = baseline_venv(args.work, args.baseline)
    usage = subprocess.run([str(base_kg), "build", "--help"], capture_output=True, text=True)  # noqa: S603
    base_extra = ["--no-results"] if "--no-results" in usage.stdout else []
    results = _alternate(args, "baseline", base_kg, base_extra)
    print(f"### Build cost: `{args.zip.name}`, `-j {args.jobs}`, baseline {args.baseline} vs "
          "current\n")
    print(f"`python benchmarks/build_cost.py {args.zip} --rounds {args.rounds} "
          f"-j {args.jobs} --baseline {args.baseline}` (current with `--no-results`; baseline "
          f"{'with `--no-results`' if base_extra else 'without it: its kg has no such option'})\n")
    _table(results, "baseline")


def _table(results: list[Result], base: str) -> None:
    """The runs as a Markdown table, then the ratios of the current runs' means to ``base``'s."""
    print("| run | CPU s (user + sys) | user | sys | wall s | max RSS GiB | tree RSS GiB (at s) "
          "| quads | store GB | load before / after |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(f"| {r.label} | {r.cpu:.1f} | {r.user:.1f} | {r.sys:.1f} | {r.wall:.1f} | "
              f"{r.max_rss / 2**30:.2f} | {r.tree_rss / 2**30:.2f} ({r.tree_peak_at:.0f}) | "
              f"{r.quads:,} | {r.size / 1e9:.2f} | {r.load_before} / {r.load_after} |")

    def mean(label: str, value: Callable[[Result], float]) -> float:
        picked = [value(r) for r in results if r.label.startswith(label)]
        return sum(picked) / len(picked)

    for name, value in (("CPU", lambda r: r.cpu), ("wall", lambda r: r.wall),
                        ("max RSS", lambda r: float(r.max_rss)),
                        ("store size", lambda r: float(r.size))):
        ratio = mean("current", value) / mean(base, value)
        print(f"\n- {name}: current / {base} = {ratio:.3f} ({(ratio - 1) * 100:+.1f}%)", end="")
    print()


def parts(args: argparse.Namespace) -> None:
    """Today's build against the same less issue 15's work, alternately, in this script."""
    without = [sys.executable, str(REPO / "benchmarks" / "_kg_without_stats.py")]
    results = _alternate(args, "without issue 15", without, ["--no-results"])
    print(f"### Build cost of issue 15's work: `{args.zip.name}`, `-j {args.jobs}`\n")
    print(f"`python benchmarks/build_cost.py {args.zip} --parts --rounds {args.rounds} "
          f"-j {args.jobs}` (both with `--no-results`)\n")
    _table(results, "without issue 15")


def phases(args: argparse.Namespace) -> None:
    """The current build in this process, each step after the load timed apart."""
    import cProfile

    import kg.sinks.store as sink_store
    from kg.build import build
    from kg.sinks import StoreSink

    rows: list[tuple[str, float, float, float, float, float]] = []
    blocks: dict[str, int] = {}

    def rss() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / 2**30

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            blocks.setdefault(name, sys.getallocatedblocks())  # Python objects held on entry
            cpu, wall, before = time.process_time(), time.perf_counter(), rss()
            try:
                return fn(*a, **k)
            finally:
                rows.append((name, time.process_time() - cpu, time.perf_counter() - wall, before,
                             rss(), peak()))
        return wrapper

    for name in ("merge_aliases", "add_missing_keys", "load_ontology", "refresh_stats",
                 "refresh_answers", "_finalise"):
        setattr(sink_store, name, timed(name, getattr(sink_store, name)))
    store = args.work / "store-phases"
    shutil.rmtree(store, ignore_errors=True)
    cpu, wall = time.process_time(), time.perf_counter()
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    report = build([str(args.zip)], StoreSink(store), jobs=args.jobs, results=False)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"### Build phases: `{args.zip.name}`, `-j {args.jobs}`, {report.records:,} records "
          f"(load {load()})\n")
    print("| step | CPU s (this process) | wall s | RSS before, after, GiB | peak so far, GiB |")
    print("|---|---:|---:|---:|---:|")
    for name, c, w, r0, r1, top in rows:
        print(f"| {name} | {c:.2f} | {w:.2f} | {r0:.2f}, {r1:.2f} | {top:.2f} |")
    print(f"| whole build | {cpu:.2f} (+ workers {workers.ru_utime + workers.ru_stime:.2f}) | "
          f"{wall:.2f} | | {peak():.2f} |")
    print(f"\nPython memory blocks held when the load ends (`sys.getallocatedblocks()` on entry "
          f"to `_finalise`): {blocks['_finalise']:,}")
    shutil.rmtree(store, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("zip", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-build-cost")
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare with")
    parser.add_argument("--parts", action="store_true")
    parser.add_argument("--phases", action="store_true")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    (phases if args.phases else parts if args.parts else compare)(args)


if __name__ == "__main__":
    main()
