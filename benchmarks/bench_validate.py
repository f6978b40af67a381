"""SHACL validation: per trial (kg validate, 1 and 2 processes) against one whole graph (pyshacl).

The registry is the seed plus the shared ClinicalTrials.gov records (JSON and XML), replicated
with new NCT ids (every occurrence of a trial's own id is rewritten in its graph; organisations,
people and publications stay shared, as in the real registry) to reach each size. Each
configuration runs in a fresh process (_harness.measure):

- per trial: ``kg.validate.validate_store`` on an on-disk store (as ``kg validate --store``),
  without the cross-trial checks, ``--jobs 1`` and 2;
- whole graph: every trial's kept triples in one rdflib graph, one pyshacl run (the same shapes,
  conversion, reuse of the shapes harvest, Python checks and findings).

Sizes above --max-size (default 10,000) are skipped; the whole graph above --whole-max (default
10,000) too. ``--write`` puts the section "## SHACL validation" into benchmarks/RESULTS.md.

    python benchmarks/bench_validate.py --sizes 100,1000 --write
    python benchmarks/bench_validate.py --sizes 100,1000,10000 --write     # ~1 hour on 2 cores
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from _harness import REPO, SHARED, gib, log, machine, md_table, measure, parse_args

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADING = "## SHACL validation"


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--child", choices=("per-trial", "whole-graph"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
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
    """Return an on-disk store of an N-Quads file (as ``kg build --store`` leaves), built once."""
    import pyoxigraph as ox

    path = data.with_suffix(".store")
    if not (path.is_dir() and any(path.iterdir())):
        store = ox.Store(str(path))
        store.bulk_load(path=data, format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    return path


def child_per_trial(data: Path, jobs: int) -> dict[str, float]:
    import pyoxigraph as ox

    from kg.validate import validate_store

    store = ox.Store.read_only(str(on_disk(data)))
    start = time.perf_counter()
    report = validate_store(store, jobs=jobs, cross_trial=False)
    seconds = time.perf_counter() - start
    return {"trials": report.trials, "results": report.findings, "seconds": seconds}


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
    }


# --- the benchmark -------------------------------------------------------------------------------


def _run(mode: str, data: Path, jobs: int = 1) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", mode, "--data", str(data), "--jobs", str(jobs)]
    run = measure(cmd)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{run.stderr[-2000:]}")
    out = run.json()
    out.update(wall=run.wall, cpu=run.cpu, rss=run.max_rss, pss=run.peak_tree_pss)
    log(f"{mode} jobs={jobs} {data.name}: {out}")
    return out


def main() -> None:
    args = parse_args(__doc__ or "", extra=_options)
    if args.child == "per-trial":
        sys.stdout.write(json.dumps(child_per_trial(args.data, args.jobs)) + "\n")
        return
    if args.child == "whole-graph":
        sys.stdout.write(json.dumps(child_whole_graph(args.data)) + "\n")
        return
    rows = []
    if args.replay:
        rows = replay(args.replay)
        args.sizes = [n for n, *_ in rows]
    skipped = [n for n in args.sizes if n > args.max_size]
    for n in [n for n in args.sizes if n <= args.max_size and not args.replay]:
        data = replicated(n, args.work)
        on_disk(data)
        one = _run("per-trial", data, 1)
        two = _run("per-trial", data, 2)
        whole = _run("whole-graph", data) if n <= args.whole_max else None
        rows.append((n, one, two, whole))
    text = report(rows, skipped, args)
    sys.stdout.write(text)
    if args.write:
        write_section(text)


_LOGGED = re.compile(r"\] (per-trial|whole-graph) jobs=(\d) validate-(\d+)\.nq: (\{.*\})$")


def replay(
    path: Path,
) -> list[tuple[int, dict[str, float], dict[str, float], dict[str, float] | None]]:
    """Read the measurements an earlier run logged to stderr."""
    runs: dict[int, dict[str, dict[str, float]]] = {}
    for line in path.read_text("utf-8").splitlines():
        m = _LOGGED.search(line)
        if m:
            values = json.loads(m[4].replace("'", '"'))
            runs.setdefault(int(m[3]), {})[f"{m[1]}-{m[2]}"] = values
    return [
        (n, r["per-trial-1"], r["per-trial-2"], r.get("whole-graph-1"))
        for n, r in sorted(runs.items())
        if "per-trial-1" in r and "per-trial-2" in r
    ]


def report(
    rows: list[tuple[int, dict[str, float], dict[str, float], dict[str, float] | None]],
    skipped: list[int],
    args: argparse.Namespace,
) -> str:
    table = []
    for n, one, two, whole in rows:
        whole_rate = whole["trials"] / whole["seconds"] if whole else None
        table.append(
            (
                n,
                one["trials"] / one["seconds"],
                1000 * one["seconds"] / one["trials"],
                1000 * one["cpu"] / one["trials"],
                two["trials"] / two["seconds"],
                f"{whole_rate:,.1f}" if whole_rate else "not run",
                f"{(two['trials'] / two['seconds']) / whole_rate:.2f}x" if whole_rate else "-",
                f"{(one['trials'] / one['seconds']) / whole_rate:.2f}x" if whole_rate else "-",
                f"{gib(two['pss'])} / {gib(whole['pss']) if whole else '-'}",
            )
        )
    sizes = ",".join(str(n) for n, *_ in rows)
    lines = [
        HEADING,
        "",
        f"Command: `python benchmarks/bench_validate.py --sizes {sizes} --write`"
        f" ({time.strftime('%Y-%m-%d')}).",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine().items()) + ".",
        "Other jobs shared the machine: trust the ratios more than the seconds.",
        "",
        "Registry: the seed and the 707 shared records (JSON and XML, ~1,200 triples per trial,"
        " ~800 of them read by the shapes), copied with new NCT ids. Rates count the validation"
        " only: per trial reads an on-disk store (as `kg validate --store`) and includes cutting"
        " it into trials, the conversion to rdflib and the findings; whole graph includes its"
        " conversion. Memory: peak proportional set size of all the processes (sampled every"
        " 5 s).",
        "",
        md_table(
            [
                "trials",
                "per trial, 1 process: trials/s",
                "ms per trial",
                "CPU ms per trial",
                "per trial, 2 processes: trials/s",
                "whole graph: trials/s",
                "2 processes vs whole graph",
                "1 process vs whole graph",
                "peak memory: per trial (2 processes, all) / whole graph",
            ],
            table,
        ),
        "",
    ]
    if len(rows) > 1:
        (n0, one0, _, whole0), (n1, one1, _, whole1) = rows[-2], rows[-1]
        line = (
            f"- Per trial, from {n0:,} to {n1:,} trials: {1000 * one0['seconds'] / n0:.0f} ->"
            f" {1000 * one1['seconds'] / n1:.0f} ms per trial (CPU"
            f" {1000 * one0['cpu'] / n0:.0f} -> {1000 * one1['cpu'] / n1:.0f} ms, start-up"
            " included): flat, the time grows with the number of trials."
        )
        if whole0 is not None and whole1 is not None:
            line += (
                f" Whole graph: {1000 * whole0['seconds'] / n0:.0f} ->"
                f" {1000 * whole1['seconds'] / n1:.0f} ms per trial, peak memory"
                f" {gib(whole0['pss'])} -> {gib(whole1['pss'])}."
            )
        lines += [line]
    biggest = max((r for r in rows if r[3] is not None), key=lambda r: r[0], default=None)
    if biggest is not None:
        n, one, _, whole = biggest
        assert whole is not None
        per_gb = whole["pss"] / n
        lines += [
            f"- One core: per trial costs {one['cpu'] / whole['cpu']:.1f}x the CPU of one"
            f" whole-graph run at {n:,} trials (pyshacl sets up each run: targets, the report"
            " graph; each trial is parsed and converted on its own). It buys what the whole"
            " graph cannot: both cores, memory that does not grow with the registry, a trial"
            " named for every finding, and the same findings whatever the number of processes.",
            f"- The whole graph needs ~{gib(per_gb * 1000)} of rdflib per 1,000 trials:"
            f" {gib(per_gb * 500_000)} for the ~500,000 trials of the registry.",
        ]
    lines.append("")
    if skipped:
        lines += [f"Sizes above {args.max_size:,} trials were not run: {skipped}.", ""]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replace (or add) this benchmark's section of RESULTS.md, leaving the others alone."""
    old = RESULTS.read_text("utf-8") if RESULTS.exists() else ""
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.M | re.S)
    new = pattern.sub(lambda _: text + "\n", old, count=1) if pattern.search(old) else None
    if new is None:
        new = old.rstrip("\n") + ("\n\n" if old else "") + text
    RESULTS.write_text(new, "utf-8")


if __name__ == "__main__":
    main()
