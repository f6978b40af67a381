"""SHACL validation: per trial (kg validate, 1 and 2 processes) against one whole graph (pyshacl).

The registry is the seed plus the shared ClinicalTrials.gov records (JSON and XML), replicated
with new NCT ids (every occurrence of a trial's own id is rewritten in its graph; organisations,
people and publications stay shared, as in the real registry) to reach each size. Each
configuration runs in a fresh process (_harness.measure):

- per trial: ``kg.validate.validate_store`` on an on-disk store (as ``kg validate --store``),
  without the cross-trial checks, ``--jobs 1`` and 2;
- whole graph: every trial's kept triples in one rdflib graph, one pyshacl run (the same shapes,
  conversion, reuse of the shapes harvest, Python checks and findings);
- stages: where the CPU time of per-trial validation goes, on 400 trials of the 1,000-trial store.

Memory is measured by each child itself: the peak resident set of its own process (``VmHWM``;
``getrusage`` is no use here, as a forked child's ``ru_maxrss`` starts from its parent's peak), and
for 2 processes the peak proportional set size of the child and its workers, sampled every 0.2 s.

Sizes above --max-size (default 10,000) are skipped; the whole graph above --whole-max (default
10,000) too. ``--write`` puts the section "## SHACL validation" into benchmarks/RESULTS.md.

    python benchmarks/bench_validate.py --sizes 100,1000 --write
    python benchmarks/bench_validate.py --sizes 100,1000,10000 --write     # ~1 hour on 2 cores
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from _harness import REPO, SHARED, gib, log, machine, md_table, measure, parse_args

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADING = "## SHACL validation"


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--child", choices=("per-trial", "whole-graph", "stages"), help=argparse.SUPPRESS
    )
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--engine", choices=("fast", "pyshacl"), default="fast", help="kg validate --engine"
    )
    parser.add_argument("--max-size", type=int, default=10_000, help="largest size to run")
    parser.add_argument("--whole-max", type=int, default=10_000, help="largest whole-graph size")
    parser.add_argument("--write", action="store_true", help="write the section to RESULTS.md")
    parser.add_argument(
        "--replay", type=Path, help="rebuild the section from the progress log of an earlier run"
    )


# --- inputs --------------------------------------------------------------------------------------


def base_graph(work: Path) -> Path:
    """Build the seed and every shared record to N-Quads once."""
    path = work / "validate-base.nq"
    if not path.exists():
        from kg.build import build
        from kg.sinks import FileSink

        log(f"building the seed and the shared records -> {path}")
        sources = [str(REPO / "data" / "000_9a170ffc83e8bfff.txt"), str(SHARED / "data" / "ctgov")]
        build(sources, FileSink(path), jobs=2)
    return path


def replicated(n: int, work: Path) -> Path:
    """Return an N-Quads file of ``n`` trials: the base trials, copied with new NCT ids."""
    path = work / f"validate-{n}.nq"
    if path.exists():
        return path
    import pyoxigraph as ox

    from kg.validate import iter_store_trials

    store = ox.Store()
    store.bulk_load(path=base_graph(work), format=ox.RdfFormat.N_QUADS)
    units = sorted(iter_store_trials(store), key=lambda u: u.nct_id)
    log(f"writing {n:,} trials -> {path}")
    full, rest = divmod(n, len(units))
    with path.open("wb") as out:
        for k in range(n):
            # Whole copies, then an even sample: the same mix of JSON, XML and sizes at every n.
            copy, i = divmod(k, len(units))
            j = i if copy < full else i * len(units) // rest
            unit = units[j]
            if copy == 0:
                out.write(unit.text)
                continue
            # NCT5ccjjjjj: copy cc of trial jjjjj; the original ids are all below NCT08000000.
            new = f"NCT5{copy:02d}{j:05d}".encode()
            out.write(unit.text.replace(unit.nct_id.encode(), new))
    return path


# --- children ------------------------------------------------------------------------------------


def on_disk(data: Path) -> Path:
    """Return an on-disk store of an N-Quads file, built once and compacted as ``kg build`` leaves
    it (a folder is taken to be a store already, used read-only).

    Uncompacted (bulk-loaded, no ``optimize()``), a 10,000-trial store read each trial's graph
    2-3x slower than the same store compacted: each read merges many overlapping table files.
    """
    import pyoxigraph as ox

    if data.is_dir():
        return data
    path = data.with_suffix(".store")
    if not (path.is_dir() and any(path.iterdir())):
        store = ox.Store(str(path))
        store.bulk_load(path=data, format=ox.RdfFormat.N_QUADS)
        store.optimize()
        store.flush()
        del store
    return path


def _vm_hwm() -> int:
    """Return the peak resident set of this process in bytes (its own, not its parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _tree_pss() -> int:
    """Return the proportional set size of this process and its children, in bytes."""
    pids = [os.getpid()]
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids += [int(c) for c in (task / "children").read_text().split()]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _sampling_pss(run: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``run`` while sampling the tree's PSS every 0.2 s; return its value and the peak."""
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_pss())
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        value = run()
    finally:
        done.set()
        sampler.join()
    return value, peak[0]


def child_per_trial(
    data: Path, jobs: int, engine: str = "fast", limit: int = 0
) -> dict[str, float]:
    """Validate a store as ``kg validate --store`` (cross-trial checks off).

    ``limit``: only the first trials of the store (its named graphs in the store's order).
    """
    import pyoxigraph as ox

    from kg.validate import Engine, Report, iter_results, iter_store_trials, validate_store

    path = on_disk(data)
    store = ox.Store.read_only(str(path))

    def run() -> Report:
        if not limit:
            return validate_store(
                store, jobs=jobs, cross_trial=False, engine=Engine(engine), path=path
            )
        report = Report()
        units = itertools.islice(iter_store_trials(store, stored=True), limit)
        for result in iter_results(units, jobs=jobs, engine=Engine(engine), store=store, path=path):
            report.trials += 1
            report.add(result.findings)
        return report

    start = time.perf_counter()
    report, pss = _sampling_pss(run)
    seconds = time.perf_counter() - start
    return {
        "trials": report.trials,
        "results": report.findings,
        "seconds": seconds,
        "peak_rss": _vm_hwm(),
        "tree_pss": pss,
    }


STAGES = ("read", "python checks", "conversion", "pyshacl", "findings", "collector")
FAST_STAGES = (
    "read",
    "python checks",
    "conversion",
    "fast engine (Core)",
    "fast engine (SPARQL)",
    "findings",
    "collector",
)


def child_stages(data: Path, n: int = 400, engine: str = "pyshacl") -> dict[str, float]:
    """Time each stage of per-trial validation (one process), in CPU ms per trial.

    The stages of ``kg.validate._engine.check_batch`` on batches of 40 trials read from the store
    as ``kg validate --store`` reads them (each trial's named graph, by the validating process).
    """
    import gc

    import pyoxigraph as ox

    from kg.validate import iter_store_trials, load_shapes, run_pyshacl
    from kg.validate._batch import Batch
    from kg.validate._convert import quiet_literals
    from kg.validate._engine import (
        Labels,
        _findings,
        _Here,
        missing_trial,
        raw_results,
        undeclared_terms,
    )
    from kg.validate._fast import RawResult, native_plan, plan, run_units
    from kg.validate._native import rd
    from kg.validate._sparql import sparql_results
    from kg.validate._units import read_unit

    store = ox.Store.read_only(str(on_disk(data)))
    shapes = load_shapes()
    if engine == "fast":
        run_units(Batch([], native=True).data, native_plan())  # compiled once per process
    else:
        run_pyshacl(Batch([]).graph)  # the shapes harvest, once per process
    stages = FAST_STAGES if engine == "fast" else STAGES
    spent = dict.fromkeys(stages, 0.0)
    units = iter_store_trials(store, stored=True)
    gc.disable()
    clock = time.process_time
    trials = 0
    for _ in range(n // 40):
        batch = list(itertools.islice(units, 40))
        trials += len(batch)
        marks = [clock()]
        members = [(Labels(u.iri, u.nct_id), read_unit(u, store)) for u in batch]
        marks.append(clock())
        for labels, quads in members:
            missing_trial(quads, labels.nct, labels)
            undeclared_terms(quads, labels.nct, labels)
        marks.append(clock())
        found: list[object] = []
        with quiet_literals():  # as kg.validate._engine._check_batch
            union = Batch(members, native=engine == "fast")
            marks.append(clock())
            if engine == "fast":
                results: list[RawResult] = run_units(union.data, native_plan())
                marks.append(clock())
                rows = sparql_results(plan().sparql, [q for _, q in members], shapes.keeps)
                marks.append(clock())
                for k, ((labels, _), mine) in enumerate(zip(members, rows, strict=True)):
                    found += _findings(mine, _Here(k, labels), rd, union.first)
            else:
                results = raw_results(run_pyshacl(union.graph))
                marks.append(clock())
            found += _findings(results, union.locate, union.restore, union.first)
        marks.append(clock())
        del members, union, results, found  # as check_batch: dropped before the collector's pass
        gc.collect(0)
        marks.append(clock())
        for stage, before, after in zip(stages, marks[:-1], marks[1:], strict=True):
            spent[stage] += after - before
    return {stage: 1000 * seconds / trials for stage, seconds in spent.items()}


def child_whole_graph(data: Path) -> dict[str, float]:
    """The same checks on one graph of every trial: pyshacl, the Python checks, the findings."""
    import pyoxigraph as ox

    from kg.validate import Labels, load_shapes, run_pyshacl, shacl_findings, to_rdflib
    from kg.validate import undeclared_terms as undeclared

    shapes = load_shapes()
    graphs: set[str] = set()
    python_findings = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal python_findings
        for quad in ox.parse(path=data, format=ox.RdfFormat.N_QUADS):
            graphs.add(quad.graph_name.value)
            python_findings += len(undeclared([quad], "", Labels("")))
            yield quad

    start = time.perf_counter()
    graph = to_rdflib(quads(), shapes.keeps)
    converted = time.perf_counter()
    findings = shacl_findings(graph, run_pyshacl(graph), "", Labels(""))
    done = time.perf_counter()
    return {
        "trials": len(graphs),
        "triples": len(graph),
        "results": len(findings) + python_findings,
        "convert": converted - start,
        "seconds": done - start,
        "peak_rss": _vm_hwm(),
    }


# --- the benchmark -------------------------------------------------------------------------------


def _run(mode: str, data: Path, jobs: int = 1) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", mode, "--data", str(data), "--jobs", str(jobs)]
    run = measure(cmd)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{run.stderr[-2000:]}")
    out = run.json()
    out.update(wall=run.wall, cpu=run.cpu)
    log(f"{mode} jobs={jobs} {data.name}: {out}")
    return out


def main() -> None:
    args = parse_args(__doc__ or "", extra=_options)
    if args.child == "per-trial":
        out = child_per_trial(args.data, args.jobs, args.engine, args.limit)
        sys.stdout.write(json.dumps(out) + "\n")
        return
    if args.child == "whole-graph":
        sys.stdout.write(json.dumps(child_whole_graph(args.data)) + "\n")
        return
    if args.child == "stages":
        sys.stdout.write(json.dumps(child_stages(args.data, engine=args.engine)) + "\n")
        return
    rows: list[Row] = []
    stages: dict[str, float] | None = None
    why_not: dict[int, str] = {}
    if args.replay:
        rows, stages = replay(args.replay)
        args.sizes = [n for n, *_ in rows]
    skipped = [n for n in args.sizes if n > args.max_size]
    for n in [n for n in args.sizes if n <= args.max_size and not args.replay]:
        data = replicated(n, args.work)
        on_disk(data)
        one = _run("per-trial", data, 1)
        two = _run("per-trial", data, 2)
        whole = None
        reason = _whole_graph_unfit(n, rows, args.whole_max)
        if reason:
            why_not[n] = reason
            log(f"whole graph at {n:,} trials not run: {reason}")
        else:
            whole = _run("whole-graph", data)
        rows.append((n, one, two, whole))
    if stages is None and 1_000 in args.sizes and not args.replay:
        stages = _run("stages", replicated(1_000, args.work))
    text = report(rows, stages, why_not, skipped, args)
    sys.stdout.write(text)
    if args.write:
        write_section(text)


Row = tuple[int, dict[str, float], dict[str, float], dict[str, float] | None]


def _available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def _whole_graph_unfit(n: int, rows: list[Row], whole_max: int) -> str:
    """Say why the whole graph of ``n`` trials is not run (empty: run it)."""
    if n > whole_max:
        return f"above --whole-max {whole_max:,}"
    done = [(m, whole) for m, _, _, whole in rows if whole is not None]
    if not done:
        return ""
    m, whole = done[-1]
    need = whole["peak_rss"] * n / m
    available = _available()
    if need > 0.8 * available:
        return (
            f"it would need ~{gib(need)} of memory ({gib(whole['peak_rss'])} at {m:,} trials,"
            f" growing with the trials), more than 80% of the {gib(available)} available"
        )
    return ""


_LOGGED = re.compile(r"\] (per-trial|whole-graph|stages) jobs=(\d) validate-(\d+)\.nq: (\{.*\})$")
_NOT_RUN = re.compile(r"\] whole graph at ([\d,]+) trials not run: (.*)$")


def replay(path: Path) -> tuple[list[Row], dict[str, float] | None]:
    """Read the measurements an earlier run logged to stderr."""
    runs: dict[int, dict[str, dict[str, float]]] = {}
    for line in path.read_text("utf-8").splitlines():
        m = _LOGGED.search(line)
        if m:
            values = json.loads(m[4].replace("'", '"'))
            runs.setdefault(int(m[3]), {})[f"{m[1]}-{m[2]}"] = values
    rows = [
        (n, r["per-trial-1"], r["per-trial-2"], r.get("whole-graph-1"))
        for n, r in sorted(runs.items())
        if "per-trial-1" in r and "per-trial-2" in r
    ]
    stages = next((r["stages-1"] for r in runs.values() if "stages-1" in r), None)
    return rows, stages


def _ms(seconds: float, n: int) -> str:
    return f"{1000 * seconds / n:.1f}"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:,.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


TARGET = (100_000, 600.0)  # 100,000 trials in 10 minutes on 2 cores


def report(
    rows: list[Row],
    stages: dict[str, float] | None,
    why_not: dict[int, str],
    skipped: list[int],
    args: argparse.Namespace,
) -> str:
    rates = []
    costs = []
    for n, one, two, whole in rows:
        rate1, rate2 = one["trials"] / one["seconds"], two["trials"] / two["seconds"]
        whole_rate = whole["trials"] / whole["seconds"] if whole else None
        rates.append(
            (
                n,
                f"{rate1:,.1f}",
                f"{rate2:,.1f}",
                f"{whole_rate:,.1f}" if whole_rate else "not run",
                f"{rate1 / whole_rate:.2f}x" if whole_rate else "-",
                f"{rate2 / whole_rate:.2f}x" if whole_rate else "-",
            )
        )
        costs.append(
            (
                n,
                _ms(one["seconds"], n),
                _ms(one["cpu"], n),
                _ms(two["seconds"], n),
                _ms(two["cpu"], n),
                _ms(whole["seconds"], n) if whole else "-",
                gib(one["peak_rss"]),
                gib(two["tree_pss"]),
                gib(whole["peak_rss"]) if whole else "-",
            )
        )
    sizes = ",".join(str(n) for n, *_ in rows)
    lines = [
        HEADING,
        "",
        f"Command: `python benchmarks/bench_validate.py --sizes {sizes} --work /tmp/vb --write`"
        f" ({time.strftime('%Y-%m-%d')}).",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine().items()) + ".",
        "Other jobs shared the machine (another engineer's builds): trust the ratios more than the"
        " seconds.",
        "",
        "Registry: the seed and the 707 shared records (JSON and XML, ~1,200 triples per trial,"
        " ~800 of them read by the shapes), copied with new NCT ids. Per trial is `kg.validate."
        "validate_store` on an on-disk store (as `kg validate --store`), cross-trial checks off:"
        " it includes reading the store, cutting it into trials, the conversion to rdflib and the"
        " findings; trials are validated 40 to a pyshacl run, each on its own triples. Whole graph"
        " is one pyshacl run over every trial's kept triples, conversion included.",
        "",
        "Trials per second:",
        "",
        md_table(
            [
                "trials",
                "per trial, 1 process",
                "per trial, 2 processes",
                "whole graph (1 process)",
                "1 process vs whole graph",
                "2 processes vs whole graph",
            ],
            rates,
        ),
        "",
        "Cost per trial and memory. Peak RSS: the resident set of the validating process at its"
        " peak (`VmHWM`, read by the process itself). Peak PSS, 2 processes: the proportional"
        " set size of the parent and its 2 workers together, sampled every 0.2 s.",
        "",
        md_table(
            [
                "trials",
                "1 process: ms per trial",
                "1 process: CPU ms per trial",
                "2 processes: ms per trial",
                "2 processes: CPU ms per trial",
                "whole graph: ms per trial",
                "peak RSS, 1 process",
                "peak PSS, 2 processes (all)",
                "peak RSS, whole graph",
            ],
            costs,
        ),
        "",
    ]
    if len(rows) > 1:
        wall = " -> ".join(_ms(one["seconds"], n) for n, one, _, _ in rows)
        cpu = " -> ".join(_ms(one["cpu"], n) for n, one, _, _ in rows)
        memory = " -> ".join(gib(one["peak_rss"]) for _, one, _, _ in rows)
        lines.append(
            f"- Per trial, 1 process, at {sizes.replace(',', ', ')} trials: {wall} ms per trial"
            f" (CPU {cpu} ms, start-up included) and peak RSS {memory}: the time per trial does"
            " not grow with the number of trials. The report holds counts, not findings; the"
            " peak RSS follows the store opened (RocksDB's table readers and block cache) and"
            " the largest batch of trial graphs, and stays level through a run (the 10,000-trial"
            " run, sampled by hand from its 3rd to its 7th minute: 0.30-0.31 GiB anonymous"
            " memory)."
        )
    for n, reason in why_not.items():
        lines.append(f"- Whole graph at {n:,} trials was not run: {reason}.")
    differ = [
        (n, one, whole) for n, one, _, whole in rows if whole and whole["results"] != one["results"]
    ]
    if differ:
        n, one, whole = differ[-1]
        lines.append(
            f"- Whole graph is not the same check: at {n:,} trials it finds {whole['results']:,}"
            f" results against {one['results']:,} per trial, as a node several trials share"
            " (an organisation, a person) is judged there on all their triples at once."
        )
    if rows:
        n, one, two, _ = rows[-1]
        rate2 = two["trials"] / two["seconds"]
        target_n, target_s = TARGET
        t100, t560 = 100_000 / rate2, 560_000 / rate2
        verdict = "meets" if t100 <= target_s else "misses"
        need = 1000 * 2 * target_s / target_n
        rate1 = one["trials"] / one["seconds"]
        if rate2 < 1.2 * rate1:
            lines.append(
                f"- 2 processes ran {rate2 / rate1:.2f}x as fast as 1 at {n:,} trials: other jobs"
                " held about one of the 2 cores, and CPU times ran high beside them"
                + (
                    f" (the stage profile below, run after, took"
                    f" {sum(stages[k] for k in STAGES):.0f} ms of CPU a trial;"
                    f" {_ms(one['cpu'], n)} ms here)."
                    if stages
                    else "."
                )
            )
        lines.append(
            f"- Extrapolated from {n:,} trials (2 processes, {rate2:,.1f} trials/s): 100,000 trials"
            f" in ~{_minutes(t100)}, 560,000 in ~{_minutes(t560)}. The target, 100,000 trials in"
            f" 10 minutes on 2 cores, {verdict}: it needs ~{need:.0f} ms of CPU per trial, per"
            f" trial costs {_ms(two['cpu'], n)} ms here."
        )
        if stages is not None:
            cpu = sum(v for k, v in stages.items() if k in STAGES) / 1000
            lines.append(
                f"- From the stage profile's {1000 * cpu:.0f} ms of CPU per trial, 2 free cores"
                f" would take ~{_minutes(100_000 * cpu / 2)} for 100,000 trials and"
                f" ~{_minutes(560_000 * cpu / 2)} for 560,000: still"
                f" {cpu / (need / 1000):.1f}x the target's budget. Reading the store alone"
                f" costs {stages['read']:.0f} ms a trial and pyshacl {stages['pyshacl']:.0f} ms."
            )
    if stages is not None:
        total = sum(v for k, v in stages.items() if k in STAGES)
        lines += [
            "",
            "Where the CPU time of per-trial validation goes (one process, 400 trials of the"
            " 1,000-trial store, CPU ms per trial):",
            "",
            md_table(
                ["stage", "CPU ms per trial", "share"],
                [(k, f"{stages[k]:.1f}", f"{stages[k] / total:.0%}") for k in STAGES]
                + [("total", f"{total:.1f}", "100%")],
            ),
            "",
            "- read: the on-disk store's quads of each trial graph, written as N-Quads for the"
            " worker (Oxigraph looks up each long IRI and literal in RocksDB); parse: back to"
            " pyoxigraph terms; python checks: declared terms and the trial's type; conversion:"
            " rdflib terms, aliases of shared nodes, the triple index; pyshacl: one run per 40"
            " trials, ~100 shapes over ~300 nodes a trial (the nested shapes of `sh:or`, set up"
            " again for each value node, are about a quarter of it: dates, trial records,"
            " identifiers, publications); collector: freeing pyshacl's cycles.",
        ]
    lines.append("")
    if skipped:
        lines += [f"Sizes above {args.max_size:,} trials were not run: {skipped}.", ""]
    return "\n".join(lines) + "\n"


def write_section(text: str, heading: str = HEADING) -> None:
    """Replace (or add) a benchmark's section of RESULTS.md, leaving the others alone."""
    old = RESULTS.read_text("utf-8") if RESULTS.exists() else ""
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    new = pattern.sub(lambda _: text + "\n", old, count=1) if pattern.search(old) else None
    if new is None:
        new = old.rstrip("\n") + ("\n\n" if old else "") + text
    RESULTS.write_text(new, "utf-8")


if __name__ == "__main__":
    main()
