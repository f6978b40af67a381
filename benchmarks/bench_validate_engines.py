"""SHACL validation per trial: the fast engine against pyshacl (``kg validate --engine``).

The registry and store are bench_validate.py's (the seed and the shared records, replicated with
new NCT ids). For each size, ``kg.validate.validate_store`` (as ``kg validate --store``, cross-trial
checks off, one process) runs in a fresh process per engine (bench_validate.py's per-trial child);
both must find the same number of results. A stage profile (one process, 400 trials of the first
size) shows where the fast engine's CPU time goes. ``--write`` puts the section "## SHACL
validation: engines" into benchmarks/RESULTS.md.

    nice -n 10 python benchmarks/bench_validate_engines.py --sizes 1000 --work /tmp/vb --write
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import bench_validate
from _harness import log, machine, md_table, measure, parse_args, versions

HEADING = "## SHACL validation: engines"
ENGINES = ("pyshacl", "fast")
TARGET_TRIALS = 100_000
CORES = 2


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pyshacl-max", type=int, default=1_000, help="largest pyshacl size")
    parser.add_argument("--write", action="store_true", help="write the section to RESULTS.md")


def _child(mode: str, data: Path, engine: str) -> dict[str, float]:
    """Run one of bench_validate.py's children (``per-trial`` with 1 process, ``stages``)."""
    script = Path(bench_validate.__file__)
    cmd = [sys.executable, str(script), "--child", mode, "--data", str(data)]
    run = measure([*cmd, "--jobs", "1", "--engine", engine])
    if run.returncode != 0:
        raise RuntimeError(f"{mode} {engine} at {data.name} failed:\n{run.stderr[-2000:]}")
    out: dict[str, float] = run.json()
    if mode == "per-trial":
        out.update(wall=run.wall, cpu=run.cpu)
    log(f"{mode} {engine} {data.name}: {out}")
    return out


def report(
    rows: list[tuple[int, dict[str, dict[str, float]]]],
    stages: dict[str, float] | None,
    args: argparse.Namespace,
) -> str:
    sizes = ",".join(str(n) for n, _ in rows)
    lines = [
        HEADING,
        "",
        f"Command: `nice -n 10 python benchmarks/bench_validate_engines.py --sizes {sizes} "
        f"--pyshacl-max {args.pyshacl_max} --work {args.work} --write` "
        f"({time.strftime('%Y-%m-%d %H:%M')} UTC).",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine().items()) + ".",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
        "Other engineers' jobs shared the 2 cores: CPU time per trial is the figure to trust.",
        "",
        "Per trial, 1 process (`validate_store`, as `kg validate --store --jobs 1`, cross-trial "
        "checks off), the whole run in a fresh process: start-up, reading the store, both "
        "engines' findings. CPU ms per trial is the process's user+system time over the trials.",
        "",
    ]
    table = []
    for n, by_engine in rows:
        for engine in ENGINES:
            r = by_engine.get(engine)
            if r is None:
                continue
            cpu_ms = 1000 * r["cpu"] / r["trials"]
            minutes = TARGET_TRIALS * cpu_ms / 1000 / CORES / 60
            table.append(
                (
                    f"{n:,}",
                    engine,
                    f"{r['results']:,.0f}",
                    f"{r['wall']:.1f} s",
                    f"{cpu_ms:.1f}",
                    f"~{minutes:.0f} min",
                )
            )
    lines.append(
        md_table(
            (
                "trials",
                "engine",
                "results",
                "wall",
                "CPU ms per trial",
                f"{TARGET_TRIALS:,} trials on {CORES} free cores",
            ),
            table,
        )
    )
    lines.append("")
    for n, by_engine in rows:
        fast, ref = by_engine.get("fast"), by_engine.get("pyshacl")
        if fast and ref:
            ratio = (ref["cpu"] / ref["trials"]) / (fast["cpu"] / fast["trials"])
            same = "the same" if fast["results"] == ref["results"] else "DIFFERENT"
            lines.append(
                f"- {n:,} trials: the fast engine takes {ratio:.2f}x less CPU per trial than "
                f"pyshacl, with {same} number of results ({fast['results']:,.0f})."
            )
    lines.append(
        f"- Extrapolation: {TARGET_TRIALS:,} trials x CPU ms per trial / {CORES} cores (the "
        "per-trial work is flat in size, bench_validate.py; 2 processes share no state)."
    )
    if stages:
        total = sum(stages.values())
        lines += [
            "",
            "Where the fast engine's CPU time goes (one process, 400 trials of the first size, "
            "CPU ms per trial):",
            "",
            md_table(
                ("stage", "CPU ms per trial", "share"),
                [(s, f"{v:.1f}", f"{100 * v / total:.0f}%") for s, v in stages.items()]
                + [("total", f"{total:.1f}", "100%")],
            ),
            "",
            "- read: the store's quads of each trial graph as N-Quads; parse: back to pyoxigraph "
            "terms; python checks: declared terms, the trial's type; conversion: the rdflib batch "
            "graph both engines read; fast engine: the compiled SHACL Core shapes; pyshacl (rest):"
            " pyshacl on the shapes the fast engine leaves to it (the two SHACL-SPARQL shapes); "
            "findings: naming results by trial; collector: freeing pyshacl's cycles.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args(__doc__ or "", extra=_options)
    rows: list[tuple[int, dict[str, dict[str, float]]]] = []
    stages = None
    for n in args.sizes:
        data = bench_validate.replicated(n, args.work)
        bench_validate.on_disk(data)
        engines = ENGINES if n <= args.pyshacl_max else ("fast",)
        rows.append((n, {engine: _child("per-trial", data, engine) for engine in engines}))
        if stages is None:
            stages = _child("stages", data, "fast")
    text = report(rows, stages, args)
    sys.stdout.write(text)
    if args.write:
        bench_validate.write_section(text, HEADING)


if __name__ == "__main__":
    main()
