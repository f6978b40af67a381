"""SHACL validation per trial: the fast engine against pyshacl, and where the CPU time goes.

Runs on stores ``kg build`` made (``--stores DIR,DIR``, opened read-only; e.g. the synthetic
registries of ``kg synth generate N``), or on bench_validate.py's replicated registries
(``--sizes``). For each store, in fresh processes (bench_validate.py's children):

- per trial: trials validated as ``kg validate --store`` does (cross-trial checks off), with 1
  process per engine (pyshacl up to ``--pyshacl-max`` trials) and the fast engine with 2; both
  engines must find the same number of results. ``--limit N`` validates the first N trial graphs
  of a store (in the store's order, a sample of it) instead of all;
- stages: 400 trials of the store, one process, CPU ms per trial by stage of the fast engine.

CPU ms per trial (user + system of the process and its workers over the trials) is the figure
that extrapolates: 100,000 trials on 2 cores take 100,000 x CPU ms / 2. ``--write`` puts the
section "## SHACL validation: engines" into benchmarks/RESULTS.md.

    nice -n 10 python benchmarks/bench_validate_engines.py \\
        --stores /tmp/kg-bench/store-1000,/tmp/kg-bench/store-10000 --limit 2000 --write
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import bench_validate
from _harness import log, machine, md_table, measure, parse_args, versions

HEADING = "## SHACL validation: engines"
TARGET_TRIALS = 100_000
TARGET_MINUTES = 10
CORES = 2


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stores", default="", help="kg-built stores, comma-separated")
    parser.add_argument("--limit", type=int, default=0, help="validate the first N trials only")
    parser.add_argument("--pyshacl-max", type=int, default=1_000, help="largest pyshacl size")
    parser.add_argument("--write", action="store_true", help="write the section to RESULTS.md")


def _trials(store: Path) -> int:
    import pyoxigraph as ox

    from kg.validate import TRIAL_GRAPH

    handle = ox.Store.read_only(str(store))
    return sum(1 for g in handle.named_graphs() if TRIAL_GRAPH.match(g.value))


def _child(mode: str, data: Path, engine: str, jobs: int = 1, limit: int = 0) -> dict[str, float]:
    """Run one of bench_validate.py's children (``per-trial``, ``stages``)."""
    script = Path(bench_validate.__file__)
    cmd = [sys.executable, str(script), "--child", mode, "--data", str(data)]
    cmd += ["--jobs", str(jobs), "--engine", engine, "--limit", str(limit)]
    run = measure(cmd)
    if run.returncode != 0:
        raise RuntimeError(f"{mode} {engine} at {data.name} failed:\n{run.stderr[-2000:]}")
    out: dict[str, float] = run.json()
    if mode == "per-trial":
        out.update(wall=run.wall, cpu=run.cpu, load=run.load[0])
    log(f"{mode} {engine} jobs={jobs} {data.name}: {out}")
    return out


Row = tuple[str, int, str, int, dict[str, float]]  # store, its trials, engine, jobs, run


def _minutes(cpu_ms: float) -> str:
    return f"~{TARGET_TRIALS * cpu_ms / 1000 / CORES / 60:.1f} min"


def report(rows: list[Row], stages: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    lines = [
        HEADING,
        "",
        f"Command: `nice -n 10 python benchmarks/bench_validate_engines.py {args.command}` "
        f"({time.strftime('%Y-%m-%d %H:%M')} UTC).",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine().items()) + ".",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
        "Other engineers' jobs shared the 2 cores (load average in the table): CPU time per trial"
        " is the figure to trust, and it runs high beside other jobs (shared caches).",
        "",
        "Per trial: the trials validated as `kg validate --store DIR` does (each worker reads its "
        "trials' graphs from the store; cross-trial checks off), the whole run in a fresh process:"
        " start-up, reading the store, every finding. CPU ms per trial: user + system time of the "
        "process and its workers over the trials validated.",
        "",
    ]
    table = []
    for store, size, engine, jobs, r in rows:
        cpu_ms = 1000 * r["cpu"] / r["trials"]
        table.append(
            (
                store,
                f"{size:,}",
                f"{r['trials']:,.0f}",
                engine,
                str(jobs),
                f"{r['results']:,.0f}",
                f"{r['wall']:.1f} s",
                f"{r['load']:.1f}",
                f"{cpu_ms:.1f}",
                _minutes(cpu_ms),
            )
        )
    lines.append(
        md_table(
            (
                "store",
                "trials in it",
                "validated",
                "engine",
                "processes",
                "results",
                "wall",
                "load",
                "CPU ms per trial",
                f"{TARGET_TRIALS:,} trials on {CORES} free cores",
            ),
            table,
        )
    )
    lines.append("")
    by_store: dict[str, dict[tuple[str, int], dict[str, float]]] = {}
    for store, _, engine, jobs, r in rows:
        by_store.setdefault(store, {})[(engine, jobs)] = r
    for store, runs in by_store.items():
        fast, ref = runs.get(("fast", 1)), runs.get(("pyshacl", 1))
        if fast and ref and fast["trials"] == ref["trials"]:
            ratio = (ref["cpu"] / ref["trials"]) / (fast["cpu"] / fast["trials"])
            same = "the same" if fast["results"] == ref["results"] else "DIFFERENT"
            lines.append(
                f"- {store}: the fast engine takes {ratio:.2f}x less CPU per trial than pyshacl, "
                f"with {same} number of results ({fast['results']:,.0f})."
            )
    lines.append(
        f"- Extrapolation: {TARGET_TRIALS:,} trials x CPU ms per trial / {CORES} cores (the "
        f"target, {TARGET_MINUTES} min, is {1000 * TARGET_MINUTES * 60 * CORES / TARGET_TRIALS:.0f}"
        " ms of CPU per trial)."
    )
    if stages:
        names = list(stages)
        keys = list(next(iter(stages.values())))
        totals = {s: sum(stages[s].values()) for s in names}
        lines += [
            "",
            "Where the fast engine's CPU time goes (one process, 400 trials of each store, CPU ms "
            "per trial; `--child stages`):",
            "",
            md_table(
                ("stage", *names),
                [(k, *(f"{stages[s][k]:.1f}" for s in names)) for k in keys]
                + [("total", *(f"{totals[s]:.1f}" for s in names))],
            ),
            "",
            "- read: each trial's named graph from the store (`quads_for_pattern`, terms taken "
            "out once); python checks: declared terms, the trial's type; conversion: the rdflib "
            "batch graph the Core shapes read; fast engine (Core): the compiled SHACL Core "
            "shapes; fast engine (SPARQL): the three SHACL-SPARQL shapes, one pyoxigraph query per"
            " trial each; findings: naming results by trial; collector: freeing the batch's "
            "cycles.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args(__doc__ or "", extra=_options)
    args.command = " ".join(sys.argv[1:])
    rows: list[Row] = []
    stages: dict[str, dict[str, float]] = {}
    if args.stores:
        targets = [Path(s) for s in args.stores.split(",") if s]
    else:
        made = [bench_validate.replicated(n, args.work) for n in args.sizes]
        targets = [bench_validate.on_disk(data) for data in made]
    for store in targets:
        size = _trials(store)
        name = f"{store.name}"
        limit = args.limit if 0 < args.limit < size else 0
        validated = limit or size
        engines = ("pyshacl", "fast") if validated <= args.pyshacl_max else ("fast",)
        for engine in engines:
            rows.append((name, size, engine, 1, _child("per-trial", store, engine, 1, limit)))
        rows.append((name, size, "fast", 2, _child("per-trial", store, "fast", 2, limit)))
        stages[f"{size:,} trials"] = _child("stages", store, "fast")
    text = report(rows, stages, args)
    sys.stdout.write(text)
    if args.write:
        bench_validate.write_section(text, HEADING)


if __name__ == "__main__":
    main()
