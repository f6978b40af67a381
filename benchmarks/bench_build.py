"""Build and scale: mapping vs a naive rdflib mapper, zip -> store end to end, store load vs rdflib
parse, peak memory, and the growth exponent fitted over sizes (extrapolated to the registry).

Every measurement runs in a fresh child process (``python bench_build.py --step NAME ...``) whose
wall time, CPU time and peak memory the parent records; the child reports counts as one JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

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
REGISTRY_TRIPLES = 150_000_000  # the issue: "a realistic graph of it is 100-200 million triples"
NAIVE_MAX = 1_000  # the rdflib baseline holds everything in memory (~1.2 GB per 1,000 trials)
MAPPING_MAX = 10_000  # one-process mapping and store-load steps write the N-Quads to disk

RDFLIB_PARSE_MAX = 1_000  # rdflib parse of N-Quads: ~1 GB of memory per 1,000 synthetic trials
PLAIN_BUILD_BUDGET = 120.0  # seconds: run the build as is only when opening members costs less
SLOW_OPEN = 0.005  # seconds per zip member: kg reopens the archive for each member
# Peak disk of a store build per triple: the store (~300 B) while optimize() rewrites its files
# (measured: 10,000 trials, peak 4.4 GB for 10.25M triples, 3.3 GB at the end; nothing is spooled).
DISK_PER_TRIPLE = 450
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
    """Read and map every record with kg in one process into an N-Quads file (kg build -o x.nq)."""
    _patch_zip_open()
    from kg.build import build
    from kg.sinks import FileSink
    from kg.terms import DEFAULT_BASE

    start = time.process_time()
    report = build([str(zip_path)], FileSink(out), base=DEFAULT_BASE, jobs=1)
    cpu = time.process_time() - start
    return {"trials": report.records, "triples": report.triples, "cpu": cpu}


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
    start, cpu = time.perf_counter(), time.process_time()
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS, lenient=True)
    loaded, load_cpu = time.perf_counter() - start, time.process_time() - cpu
    store.optimize()
    optimized = time.perf_counter() - start - loaded
    optimize_cpu = time.process_time() - cpu - load_cpu
    quads = len(store)
    del store
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "quads": quads,
        "load_s": loaded,
        "optimize_s": optimized,
        "load_cpu": load_cpu,
        "optimize_cpu": optimize_cpu,
        "bytes": size,
    }


def step_rdfparse(nq: Path) -> dict[str, object]:
    """Parse an N-Quads file into an in-memory rdflib Dataset."""
    from rdflib import Dataset

    ds = Dataset()
    start, cpu = time.perf_counter(), time.process_time()
    ds.parse(str(nq), format="nquads")
    elapsed, parse_cpu = time.perf_counter() - start, time.process_time() - cpu
    quads = sum(len(g) for g in ds.graphs())
    return {"quads": quads, "parse_s": elapsed, "parse_cpu": parse_cpu}


def step_openzip(zip_path: Path) -> dict[str, object]:
    """Time kg's InputFile.open on 41 zip members: the first, and the median of the others."""
    from kg.sources import iter_input_files

    docs = list(iter_input_files([str(zip_path)]))
    sample = docs[:: max(len(docs) // 41, 1)][:41]
    times = []
    for doc in sample:
        start = time.perf_counter()
        stream = doc.open()
        stream.read(1)
        stream.close()
        archive = getattr(stream, "_kg_archive", None)
        if archive is not None:
            archive.close()
        times.append(time.perf_counter() - start)
    # The first open may read the central directory once (then cached): report it apart.
    rest = sorted(times[1:])
    return {"members": len(docs), "first_open_s": times[0], "per_open_s": rest[len(rest) // 2]}


def step_profile(zip_path: Path, folder: Path) -> dict[str, object]:
    """Profile `kg build -j 1` (zip -> store) with cProfile; return the top functions.

    cProfile sees one thread: the build runs with the spooled sink (the fallback where /dev/fd
    is missing), which does the same work in series, so the bulk load shows as its own call.
    """
    _patch_zip_open()
    from kg.build import build
    from kg.sinks import StoreSink
    from kg.sinks import store as store_module
    from kg.terms import DEFAULT_BASE

    store_module._FD_DIR = Path("/nonexistent")  # the spooled path, on purpose

    shutil.rmtree(folder, ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.enable()
    build([str(zip_path)], StoreSink(folder), base=DEFAULT_BASE, jobs=1)
    profiler.disable()
    shutil.rmtree(folder, ignore_errors=True)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(25)
    total = stats.total_tt  # type: ignore[attr-defined]  # set by Stats, not in the stubs
    return {"total_s": total, "top": _trim_profile(text.getvalue()), "parts": _parts(stats)}


# Where the build's time goes: (label, file suffix, function, own time instead of cumulative).
_PARTS = [
    ("read and parse the JSON (kg.sources)", "kg/sources/__init__.py", "read_records", False),
    (
        "map to triples (kg.mapping, kg.terms, kg.orgs)",
        "kg/mapping/__init__.py",
        "map_trial",
        False,
    ),
    ("  of which organisation names (kg.orgs)", "kg/mapping/parties.py", "map_organization", False),
    ("render N-Quads text, dedupe (kg.build)", "kg/build.py", "map_document", False),
    ("write the N-Quads for the store (kg.sinks)", "kg/sinks/_spool.py", "write", False),
    ("pyoxigraph Store.bulk_load", "~", "<method 'bulk_load' of 'pyoxigraph.Store' objects>", True),
    ("pyoxigraph Store.optimize", "~", "<method 'optimize' of 'pyoxigraph.Store' objects>", True),
]


def _parts(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Return the seconds spent in each part of the build (cumulative unless noted)."""
    table = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    found: dict[str, float] = {}
    for (file, _, name), (_, _, own, cumulative, _) in table.items():
        for label, suffix, func, use_own in _PARTS:
            if name == func and file.endswith(suffix):
                found[label] = found.get(label, 0.0) + (own if use_own else cumulative)
    doc = found.get(_PARTS[3][0], 0.0)
    if doc:  # map_document includes reading and mapping: keep only its own work
        found[_PARTS[3][0]] = doc - found.get(_PARTS[0][0], 0.0) - found.get(_PARTS[1][0], 0.0)
    return [(label, found.get(label, 0.0)) for label, *_ in _PARTS]


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


def run_build(zip_path: Path, folder: Path, *, patched: bool = False, discard: bool = False) -> Run:
    """Run kg's build of a zip into a fresh store, 2 workers, in a fresh process.

    It calls ``kg.build.build`` with a ``StoreSink`` (what ``kg build ZIP --store DIR -j 2``
    runs); ``patched`` applies the zip fix; ``discard`` throws the N-Quads away instead.
    """
    shutil.rmtree(folder, ignore_errors=True)
    cmd = [sys.executable, str(PATCHED_KG), str(zip_path), "--store", str(folder), "-j", str(JOBS)]
    cmd += ["--zip-fix"] if patched else []
    cmd += ["--discard"] if discard else []
    what = "N-Quads discarded" if discard else ("with the zip fix" if patched else "as is")
    log(f"kg build {zip_path.name} ({what})")
    run = measure(cmd)
    if run.returncode != 0:
        raise RuntimeError(f"kg build failed ({run.returncode}):\n{run.stderr[-3000:]}")
    if folder.exists():
        run.extra["store_bytes"] = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return run


def disk_needed(n: int, triples_per_trial: float) -> float:
    """Return the bytes a store build of ``n`` trials needs at its peak (spool + store + slack)."""
    return n * triples_per_trial * DISK_PER_TRIPLE


# --------------------------------------------------------------------------- the benchmark
def main() -> None:
    args = parse_args(__doc__ or "", extra=_options)
    sizes = sorted(args.sizes)
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-", dir=args.work))
    results: dict[int, dict[str, Run]] = {}
    failed: dict[int, str] = {}
    reused: dict[int, str] = {}
    try:
        for n in sizes:
            saved = args.work / f"bench_build-{registry_name(n)}.json"
            if args.reuse and saved.exists():
                log(f"reusing {saved}")
                results[n] = {k: Run(**v) for k, v in json.loads(saved.read_text()).items()}
                when = datetime.datetime.fromtimestamp(saved.stat().st_mtime, datetime.UTC)
                reused[n] = when.strftime("%Y-%m-%d %H:%M UTC")
                if "pipeline" not in results[n]:  # saved before that step existed: add it
                    zip_path = registry(n, args.work)
                    results[n]["pipeline"] = run_build(zip_path, tmp / "unused", discard=True)
                    saved.write_text(json.dumps({k: asdict(v) for k, v in results[n].items()}))
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
    if reused:
        moments = ", ".join(f"{n:,} trials at {t}" for n, t in reused.items())
        report += f"\n\nMeasurements reused from earlier runs (`--reuse`): {moments}."
    for n, why in failed.items():
        report += f"\n\nSize {n:,} failed: {why}"
    sys.stdout.write(report + "\n")
    if failed:
        sys.exit(1)


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reuse",
        action="store_true",
        default=bool(os.environ.get("KG_BENCH_REUSE")),
        help="reuse the measurements saved in the work folder for sizes already measured "
        "(default when $KG_BENCH_REUSE is set)",
    )


def _measure_size(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, Run]:
    zip_path = registry(n, args.work)
    runs: dict[str, Run] = {"openzip": run_step("openzip", zip=zip_path)}
    nq = tmp / f"kg-{n}.nq"
    if n <= MAPPING_MAX:
        runs["read"] = run_step("read", zip=zip_path)
        runs["kgmap"] = run_step("kgmap", zip=zip_path, out=nq)
        if n <= NAIVE_MAX:
            runs["naive"] = run_step("naive", zip=zip_path)
        runs["oxload"] = run_step("oxload", nq=nq, out=tmp / "oxload")
        if n <= RDFLIB_PARSE_MAX:
            runs["rdfparse"] = run_step("rdfparse", nq=nq)
        nq.unlink(missing_ok=True)
    runs["pipeline"] = run_build(zip_path, tmp / "unused", discard=True)
    per_trial = float(runs["pipeline"].json()["triples"]) / n
    need, free = disk_needed(n, per_trial), shutil.disk_usage(args.work).free
    if need > free:
        runs["pipeline"].extra["store_skipped"] = (
            f"needs ~{need / 2**30:,.0f} GiB of disk at its peak, {free / 2**30:,.0f} GiB free"
        )
        log(f"no store build of {n:,} trials: {runs['pipeline'].extra['store_skipped']}")
    else:
        _store_builds(n, zip_path, runs, args, tmp)
    if n == min(args.sizes):
        runs["profile"] = run_step("profile", zip=zip_path, out=tmp / "profile-store")
    return runs


def _store_builds(
    n: int, zip_path: Path, runs: dict[str, Run], args: argparse.Namespace, tmp: Path
) -> None:
    per_open = float(runs["openzip"].json()["per_open_s"])
    # kg opens each archive once per process since its zip fix: the patched build is then the
    # same program, and only the build as is runs. Otherwise both run, the slow one within budget.
    slow_open = per_open > SLOW_OPEN
    if not slow_open or n * per_open / JOBS < PLAIN_BUILD_BUDGET:
        runs["build"] = run_build(zip_path, tmp / "store-build")
    if slow_open:
        shutil.rmtree(tmp / "store-build", ignore_errors=True)
        runs["build_fixed"] = run_build(zip_path, tmp / "store-build", patched=True)
    # The store stays in the work folder for the query and serve benchmarks.
    keep = store_path(n, args.work)
    if not keep.exists():
        shutil.move(str(tmp / "store-build"), keep)
    shutil.rmtree(tmp / "store-build", ignore_errors=True)


def _best_build(runs: dict[str, Run]) -> Run:
    """Return the build that opened the zip once (patched, or kg as is when it does)."""
    return runs.get("build_fixed") or runs.get("build") or Run([])


def _rate(count: Any, seconds: float) -> float:
    return float(count) / seconds if seconds else 0.0


def _report(results: dict[int, dict[str, Run]], sizes: list[int], args: argparse.Namespace) -> str:
    out = ["### Build and scale", ""]
    out.append(
        f"Command: `python benchmarks/bench_build.py --sizes {','.join(map(str, sizes))}` "
        f"(registries from `kg synth generate N --seed 0`, {JOBS} build workers). CPU = user + "
        "system seconds of the process and the children it waited for; RSS = the largest "
        "single process (getrusage); tree RSS / PSS = the peak over the whole process tree of "
        "the summed resident / proportional set sizes (sampled every 0.5 s / 5 s). The machine "
        "was shared with other jobs: the load average is given per run, and CPU seconds are "
        "the steadier measure."
    )
    out += ["", "#### Mapping, one process: kg vs a naive rdflib `Graph.add` mapper", ""]
    rows = []
    for n in sizes:
        r = results[n]
        if "kgmap" not in r:
            continue
        read = float(r["read"].json()["cpu"])
        kg = r["kgmap"].json()
        kg_cpu = float(kg["cpu"])
        kg_map = max(kg_cpu - read, 1e-9)
        row: list[object] = [f"{n:,}", _rate(kg["trials"], kg_cpu), _rate(kg["triples"], kg_cpu)]
        if "naive" in r:
            naive = r["naive"].json()
            naive_cpu = float(naive["cpu"])
            naive_map = max(naive_cpu - read, 1e-9)
            kg_tps, naive_tps = float(kg["triples"]) / kg_cpu, float(naive["triples"]) / naive_cpu
            row += [
                _rate(naive["trials"], naive_cpu), _rate(naive["triples"], naive_cpu),
                f"{naive_cpu / kg_cpu:.1f}x", f"{kg_tps / naive_tps:.1f}x",
                f"{naive_map / kg_map:.1f}x", gib(r["naive"].max_rss),
            ]  # fmt: skip
        else:
            row += ["not run", "", "", "", "", ""]
        rows.append([*row, gib(r["kgmap"].max_rss)])
    out.append(md_table(
        ["trials", "kg trials/s", "kg triples/s", "naive trials/s", "naive triples/s",
         "ratio trials/s", "ratio triples/s", "ratio, mapping only", "naive RSS", "kg RSS"], rows,
    ))  # fmt: skip
    out.append(
        "\nRates per CPU second, reading included (kg's reader feeds both). kg also writes its "
        "N-Quads file (`build(..., FileSink('x.nq'), jobs=1)`); the naive mapper only fills "
        "memory. 'mapping only' subtracts the CPU of reading the same records. The naive "
        "mapper covers a subset of the facts (see benchmarks/naive_rdflib.py) and keeps "
        f"everything in one rdflib Dataset: it is run up to {NAIVE_MAX:,} trials."
    )
    out += _build_tables(results, sizes)
    out += _load_table(results, sizes)
    out += _scaling(results, sizes)
    out += _targets(results, sizes)
    smallest = results[sizes[0]].get("profile")
    if smallest is not None:
        prof = smallest.json()
        total = float(prof["total_s"])
        parts = [
            [label, f"{sec:,.1f}", f"{sec / total:.0%}"] for label, sec in prof.get("parts", [])
        ]
        out += [
            "",
            f"#### Where the time goes: `kg build -j 1` of {sizes[0]:,} trials, zip -> store",
            "",
            md_table(["part (cProfile, cumulative)", "s", "share"], parts),
        ]
        out += [
            "",
            f"#### Profile: `kg build -j 1` of {sizes[0]:,} trials, zip -> store (cProfile, "
            f"{float(prof['total_s']):.1f} s in total, top 25 by own time)",
            "",
            "```",
            str(prof["top"]),
            "```",
        ]
    return "\n".join(out)


def idle_estimate(run: Run) -> float | None:
    """Estimate the wall time of a build on an idle machine from its CPU seconds per phase.

    While records are mapped, the ``JOBS`` workers and the main process (which streams the
    N-Quads into the store's bulk load, itself running on several threads) share the ``JOBS``
    cores; what commit does after (the end of the load, the ontology, optimize) is counted as
    running on one core. None when the run did not report its phases.
    """
    phases = run.json()
    if "workers_cpu" not in phases:
        return None
    workers, main = float(phases["workers_cpu"]), float(phases["main_cpu"])
    return (workers + main) / JOBS + float(phases.get("commit_cpu", 0.0))


def store_cpu(results: dict[int, dict[str, Run]], n: int, run: Run) -> float | None:
    """The CPU a store build costs beyond the same build with its output discarded."""
    pipeline = results[n].get("pipeline")
    return run.cpu - pipeline.cpu if pipeline is not None and run is not pipeline else None


_BUILDS = (
    ("build", "store, as is"),
    ("build_fixed", "store, zip opened once"),
    ("pipeline", "N-Quads discarded"),
)


def _build_tables(results: dict[int, dict[str, Run]], sizes: list[int]) -> list[str]:
    out = ["", "#### Build end to end: `kg build registry.zip --store DIR -j 2`", ""]
    rows, memory = [], []
    for n in sizes:
        r = results[n]
        skipped = r["pipeline"].extra.get("store_skipped") if "pipeline" in r else None
        if skipped:
            rows.append([f"{n:,}", "store", f"not run: {skipped}", "", "", "", "", "", ""])
        for key, label in _BUILDS:
            run = r.get(key)
            if run is None:
                continue
            phases = run.json()
            idle = idle_estimate(run)
            load_cpu = store_cpu(results, n, run)
            rows.append([
                f"{n:,}", label, f"{run.wall:,.0f}", f"{run.cpu:,.0f}",
                f"{load_cpu:,.0f}" if load_cpu is not None else "",
                f"{idle:,.0f}" if idle else "", f"{n / run.wall:,.0f}",
                f"{n / idle:,.0f}" if idle else "",
                f"{run.load[0]:.1f}-{run.load[1]:.1f} / {run.cpu_pressure[0]:.0f}%",
            ])  # fmt: skip
            triples = float(phases.get("triples") or _triples_estimate(results, n))
            store = float(run.extra.get("store_bytes", 0))
            memory.append([
                f"{n:,}", label, gib(run.max_rss), gib(run.peak_tree_rss), gib(run.peak_tree_pss),
                f"{triples:,.0f}", gib(store) if store else "",
                f"{store / triples:,.0f}" if store and triples else "",
            ])  # fmt: skip
    out.append(md_table(
        ["trials", "kg", "wall s", "CPU s", "of which store load", "idle estimate s",
         "trials/s", "trials/s, idle estimate", "load avg / CPU pressure"], rows,
    ))  # fmt: skip
    out.append(
        "\nCPU s: user + system of the build and its workers. 'store load': the CPU the store "
        "costs, i.e. this build's CPU minus that of the same build with the N-Quads discarded "
        "(the bulk load streams beside the mapping, then commit ends it, adds the ontology and "
        "optimizes). 'idle estimate': the wall time the same CPU seconds would take on an idle "
        f"machine, (workers' + main process CPU) / {JOBS} (the loader runs on threads of the main "
        "process) + the CPU of commit on one core; the "
        "measured wall time is inflated by the other jobs sharing the machine (load average, and "
        "the share of the last minute some task waited for a CPU). 'N-Quads discarded': the same "
        "build with a sink that drops the text (read, map, render, inter-process transfer), run "
        "at every size; the store build needs "
        f"~{DISK_PER_TRIPLE} bytes of disk per triple at its peak and is skipped when the disk "
        "cannot hold it."
    )
    out += ["", md_table(
        ["trials", "kg", "peak RSS (largest process)", "peak tree RSS", "peak tree PSS",
         "triples", "store on disk", "bytes/triple"], memory,
    )]  # fmt: skip
    opens = ", ".join(
        f"{n:,} trials {float(results[n]['openzip'].json()['per_open_s']) * 1000:.1f} ms"
        for n in sizes
    )
    out.append(
        f"\nTime to open one zip member with kg's InputFile.open (median of 40): {opens}. When it "
        "grows with the archive, kg reopens the zip and reads its central directory for every "
        "member; 'zip opened once' then runs the same build through benchmarks/_kg_patched.py, "
        "which keeps one ZipFile per process (as kg/sources/__init__.py now does)."
    )
    return out


def _triples_estimate(results: dict[int, dict[str, Run]], n: int) -> float:
    for key in ("pipeline", "build", "build_fixed", "kgmap"):
        if key in results[n] and results[n][key].json().get("triples"):
            return float(results[n][key].json()["triples"])
    return 0.0


def _load_table(results: dict[int, dict[str, Run]], sizes: list[int]) -> list[str]:
    out = ["", "#### Store load vs rdflib parse (the N-Quads of the mapping step)", ""]
    rows = []
    for n in sizes:
        r = results[n]
        if "oxload" not in r:
            continue
        ox = r["oxload"].json()
        quads = float(ox["quads"])
        load = float(ox.get("load_cpu", ox["load_s"]))
        row: list[object] = [
            f"{n:,}", f"{quads:,.0f}", f"{load:.1f}", f"{quads / load:,.0f}",
            f"{float(ox.get('optimize_cpu', ox['optimize_s'])):.1f}", f"{float(ox['load_s']):.1f}",
            gib(r["oxload"].max_rss), f"{float(ox['bytes']) / quads:,.0f}",
        ]  # fmt: skip
        if "rdfparse" in r:
            rd = r["rdfparse"].json()
            rate = float(rd["quads"]) / float(rd.get("parse_cpu", rd["parse_s"]))
            row += [f"{rate:,.0f}", gib(r["rdfparse"].max_rss), f"{(quads / load) / rate:.1f}x"]
        else:
            row += ["not run", "", ""]
        rows.append(row)
    out.append(md_table(
        ["trials", "quads", "bulk_load CPU s", "quads/CPU s", "optimize CPU s", "bulk_load wall s",
         "RSS", "bytes/quad on disk", "rdflib parse quads/CPU s", "rdflib RSS", "ratio"], rows,
    ))  # fmt: skip
    out.append(
        "\npyoxigraph `Store.bulk_load(lenient=True)` of the file into a fresh on-disk store "
        "(what StoreSink does, there fed through a pipe), then "
        "`optimize()`; rdflib `Dataset.parse(format='nquads')` in memory, run up to "
        f"{RDFLIB_PARSE_MAX:,} trials (beyond, it needs more memory than a laptop has). Rates "
        "per CPU second (wall time where a run did not report CPU)."
    )
    return out


def _minutes(v: float) -> str:
    return f"{v:,.0f} s ({v / 60:,.1f} min)"


def _fit_rows(built: list[tuple[int, Run]], with_store: bool) -> list[list[object]]:
    ns = [float(n) for n, _ in built]
    measures: list[tuple[str, list[float], Callable[[float], str]]] = [
        ("wall s (measured, shared machine)", [r.wall for _, r in built], _minutes),
        ("CPU s", [r.cpu for _, r in built], _minutes),
    ]
    idle = [idle_estimate(r) for _, r in built]
    if all(v is not None for v in idle):
        measures.append(("idle estimate s", [float(v or 0) for v in idle], _minutes))
    measures += [
        ("peak RSS (largest process)", [float(r.max_rss) for _, r in built], gib),
        ("peak tree PSS", [float(r.peak_tree_pss) for _, r in built], gib),
    ]
    if with_store:
        measures.append(
            ("store on disk", [float(r.extra.get("store_bytes", 1)) for _, r in built], gib)
        )
    rows: list[list[object]] = []
    for label, values, fmt in measures:
        a, b = fit_power(ns, values)
        sizes = " / ".join(f"{int(n):,}" for n in ns)
        rows.append(
            [
                label,
                sizes,
                " / ".join(fmt(v) for v in values),
                f"{b:.2f}",
                fmt(a * REGISTRY_SIZE**b),
            ]
        )
    return rows


def _scaling(results: dict[int, dict[str, Run]], sizes: list[int]) -> list[str]:
    stored = [(n, _best_build(results[n])) for n in sizes if _best_build(results[n]).cmd]
    piped = [(n, results[n]["pipeline"]) for n in sizes if "pipeline" in results[n]]
    rows: list[list[object]] = []
    for name, built, with_store in (("store", stored, True), ("N-Quads discarded", piped, False)):
        if len(built) >= 2:
            rows += [[name, *row] for row in _fit_rows(built, with_store)]
    if not rows:
        return []
    return [
        "",
        f"#### Growth and extrapolation to {REGISTRY_SIZE:,} trials",
        "",
        md_table(
            ["build", "measure", "trials", "values", "exponent b", f"at {REGISTRY_SIZE:,}"], rows
        ),
        "\nFitted `value = a * trials ** b` (least squares on logs); b = 1 is linear, b = 0 flat.",
    ]


def combined_estimate(results: dict[int, dict[str, Run]], n: int) -> tuple[float, str] | None:
    """Estimate a store build of ``n`` trials on an idle machine, and say how.

    A store build measured at ``n`` gives it directly. Otherwise: the discarded-output build at
    ``n`` (its idle estimate), times the store build / discarded build ratio of the largest size
    where both ran.
    """
    measured = _best_build(results[n]) if n in results else Run([])
    if measured.cmd and idle_estimate(measured):
        return float(idle_estimate(measured) or 0), "measured store build, idle estimate"
    ratio = _store_ratio(results)
    if ratio is None or n not in results or "pipeline" not in results[n]:
        return None
    m, factor = ratio
    total = float(idle_estimate(results[n]["pipeline"]) or 0) * factor
    return total, (
        f"discarded-output build at {n:,} (idle estimate) x {factor:.1f}, the store / discarded "
        f"ratio measured at {m:,} trials"
    )


def _store_ratio(results: dict[int, dict[str, Run]]) -> tuple[int, float] | None:
    both = [
        (m, idle_estimate(_best_build(results[m])), idle_estimate(results[m]["pipeline"]))
        for m in sorted(results)
        if _best_build(results[m]).cmd and "pipeline" in results[m]
    ]
    both = [(m, s, p) for m, s, p in both if s and p]
    if not both:
        return None
    m, store, pipeline = both[-1]
    return m, float(store or 0) / float(pipeline or 1)


def _targets(results: dict[int, dict[str, Run]], sizes: list[int]) -> list[str]:
    rows: list[list[object]] = []
    naive = [(n, results[n]["naive"].json()) for n in sizes if "naive" in results[n]]
    stored = [(n, _best_build(results[n])) for n in sizes if _best_build(results[n]).cmd]
    if naive and stored:
        n_naive, nv = naive[-1]
        naive_rate = float(nv["trials"]) / float(nv["cpu"])
        n_kg, run = next(((n, r) for n, r in stored if n == n_naive), stored[0])
        idle = idle_estimate(run)
        kg_rate = n_kg / (idle or run.wall)
        rows.append([
            "build >= 20x the naive mapper's trials/s",
            f"kg zip -> store {kg_rate:,.0f} trials/s ({n_kg:,} trials, "
            f"{'idle estimate' if idle else 'wall'}, {JOBS} workers) vs naive {naive_rate:,.0f} "
            f"trials/s ({n_naive:,}, one process, per CPU s): {kg_rate / naive_rate:.1f}x; per "
            f"CPU second {(n_kg / run.cpu) / naive_rate:.1f}x",
            "met" if kg_rate / naive_rate >= 20 else "missed",
        ])  # fmt: skip
    big = max(sizes)
    estimate = combined_estimate(results, big)
    if estimate is not None:
        took, how = estimate
        rows.append([
            "100k trials zip -> store under 5 min",
            f"{big:,} trials: {_minutes(took)} ({how})",
            ("met" if took < 300 else "missed") if big >= 100_000 else "not measured at 100k",
        ])  # fmt: skip
    piped = [(n, results[n]["pipeline"]) for n in sizes if "pipeline" in results[n]]
    if piped:
        (n0, p0), (n1, p1) = piped[0], piped[-1]
        store_rss = f"; store builds: {', '.join(f'{n:,}: {gib(r.max_rss)}' for n, r in stored)}"
        rows.append([
            "peak RSS of the 100k build under 2 GiB",
            f"N-Quads discarded, {n1:,} trials: largest process {gib(p1.max_rss)}, tree PSS "
            f"{gib(p1.peak_tree_pss)}{store_rss if stored else ''}",
            ("met" if max([p1.max_rss] + [r.max_rss for _, r in stored]) < 2**31 else "missed")
            if n1 >= 100_000 else "not at 100k",
        ])  # fmt: skip
        flat = [f"N-Quads discarded {n0:,} -> {n1:,}: {p1.max_rss / p0.max_rss:.2f}x"]
        ratios = [p1.max_rss / p0.max_rss]
        if len(stored) >= 2:
            (s0, r0), (s1, r1) = stored[0], stored[-1]
            flat.append(f"store {s0:,} -> {s1:,}: {r1.max_rss / r0.max_rss:.2f}x")
            ratios.append(r1.max_rss / r0.max_rss)
        if len(stored) >= 3:
            (s0, r0), (s1, r1) = stored[-2], stored[-1]
            flat.append(
                f"store {s0:,} -> {s1:,}: {r1.max_rss / r0.max_rss:.2f}x (the largest process is "
                "the bulk loader, whose buffers fill at ~1M quads, about 1,000 trials, then stay "
                "level)"
            )
        rows.append([
            "peak RSS flat: 1k -> 100k within 1.5x", "; ".join(flat),
            ("met" if max(ratios) <= 1.5 else "missed") if n1 > n0 else "needs two sizes",
        ])  # fmt: skip
    whole = _registry_estimate(results, sizes)
    if whole is not None:
        rows.append([
            f"the whole registry ({REGISTRY_SIZE:,}) in about half an hour",
            whole[1], "met" if whole[0] <= 2400 else "missed",
        ])  # fmt: skip
    by_triples = _triples_estimate_of_registry(results, sizes)
    if by_triples is not None:
        rows.append([
            f"the whole registry as {REGISTRY_TRIPLES / 1e6:,.0f}M triples (the issue's estimate)",
            by_triples[1], "met" if by_triples[0] <= 2400 else "missed",
        ])  # fmt: skip
    return ["", "#### Targets", "", md_table(["target", "where we stand", "verdict"], rows)]


def _triples_estimate_of_registry(
    results: dict[int, dict[str, Run]], sizes: list[int]
) -> tuple[float, str] | None:
    """Extrapolate by triples: the synthetic trials are bigger than the registry's average.

    The synthetic registry follows the shared records, which lean to large trials (39.5 sites on
    average): 100k synthetic trials hold about as many triples as the issue expects of all 560k.
    """
    stored = [(n, _best_build(results[n])) for n in sizes if _best_build(results[n]).cmd]
    stored = [(n, r) for n, r in stored if idle_estimate(r) and r.json().get("triples")]
    if len(stored) < 2:
        return None
    triples = [float(r.json()["triples"]) for _, r in stored]
    a, b = fit_power(triples, [idle_estimate(r) or 0 for _, r in stored])
    total = a * REGISTRY_TRIPLES**b
    counts = ", ".join(f"{t / 1e6:,.1f}M" for t in triples)
    return total, (
        f"{_minutes(total)}: store builds fitted on triples ({counts}), exponent {b:.2f}; "
        "idle-machine estimates"
    )


def _registry_estimate(
    results: dict[int, dict[str, Run]], sizes: list[int]
) -> tuple[float, str] | None:
    """Extrapolate a store build of the whole registry from the measured sizes."""
    stored = [(n, _best_build(results[n])) for n in sizes if _best_build(results[n]).cmd]
    stored = [(n, r) for n, r in stored if idle_estimate(r)]
    if len(stored) >= 2:
        a, b = fit_power([float(n) for n, _ in stored], [idle_estimate(r) or 0 for _, r in stored])
        total = a * REGISTRY_SIZE**b
        return total, (
            f"{_minutes(total)}: store builds fitted over {len(stored)} sizes "
            f"({', '.join(f'{n:,}' for n, _ in stored)} trials), exponent {b:.2f}; idle-machine "
            "estimates"
        )
    piped = [(n, results[n]["pipeline"]) for n in sizes if "pipeline" in results[n]]
    ratio = _store_ratio(results)
    if len(piped) < 2 or ratio is None:
        return None
    a, b = fit_power([float(n) for n, _ in piped], [idle_estimate(r) or r.wall for _, r in piped])
    m, factor = ratio
    total = a * REGISTRY_SIZE**b * factor
    return total, (
        f"{_minutes(total)}: discarded-output builds fitted (exponent {b:.2f}) x {factor:.1f}, "
        f"the store / discarded ratio at {m:,} trials; idle-machine estimates"
    )


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
