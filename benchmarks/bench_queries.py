"""Named-query latency: the embedded store (pyoxigraph on disk) vs rdflib's in-memory Dataset.

    python benchmarks/bench_queries.py [--copies 10] [--timeout 30] [--work DIR]

Runs every named query (queries/*.rq, parameters bound by kg's VALUES block, the same text for
both engines) on the seed plus the shared records (../shared/data/ctgov), then on a synthetic set
of ``--copies`` times as many trials: each copy of the shared set's N-Quads gets new NCT ids
(NCT9<copy><6 digits>), so trials multiply while organisations, conditions and publications stay
shared, as in a larger registry. pyoxigraph: median of 3 runs after one warm-up; rdflib: one run
in process, stopped after ``--timeout`` seconds (not run when memory is short). ``--sizes``
(run_all's option) is ignored: the sizes here are the shared set and its copies.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib
from _harness import SHARED, md_table, parse_args

from kg.build import build
from kg.ontology import ONTOLOGY_FILE, ONTOLOGY_GRAPH, load_ontology
from kg.queries import bind_params, list_queries, with_values
from kg.sinks import FileSink
from kg.terms import DEFAULT_BASE

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
PARAMS: dict[str, dict[str, str]] = {
    "trial-sponsors": {"nct": "NCT03737461"},
    "trial-sites": {"nct": "NCT05774483"},
    "trial-interventions": {"nct": "NCT03934658"},
    "related-trials": {"nct": "NCT03737461"},
    "trial-publications": {"nct": "NCT05774483"},
    "sponsor-trials": {"sponsor": "University Hospital, Montpellier"},
    "trials-sharing-condition": {"nct": "NCT03828656"},
    "trials-sharing-intervention": {"nct": "NCT06751849"},
    "recruiting-near": {"lat": "40.71", "lon": "-74.01", "km": "25"},
}
_NCT = re.compile(rb"NCT\d{8}")
_RDFLIB_BYTES_PER_QUAD = 2200  # measured: the shared set (805k quads) takes 1.65 GB in a Dataset


def log(message: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def shared_nq(work: Path) -> Path:
    out = work / "queries-shared.nq"
    if not out.is_file():
        log("building the shared set to N-Quads")
        build([str(SEED), str(SHARED / "data" / "ctgov")], FileSink(out), base=DEFAULT_BASE,
              jobs=os.cpu_count() or 1)
    return out


def replicated_nq(source: Path, copies: int, work: Path) -> Path:
    out = work / f"queries-shared-x{copies}.nq"
    if out.is_file():
        return out
    log(f"writing {copies} copies of the shared set with new NCT ids")
    data = source.read_bytes()
    ids = sorted(set(_NCT.findall(data)))
    with out.open("wb") as fh:
        fh.write(data)
        for copy in range(1, copies):
            renamed = {old: b"NCT9%d%06d" % (copy, n) for n, old in enumerate(ids)}
            fh.write(_NCT.sub(lambda m, names=renamed: names[m.group(0)], data))
    return out


def oxigraph_store(nq: Path, work: Path) -> ox.Store:
    path = work / f"{nq.stem}.oxstore"
    if not path.is_dir():
        log(f"bulk-loading {nq.name} into an on-disk pyoxigraph store")
        store = ox.Store(str(path))
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        load_ontology(store)
        store.optimize()
        store.flush()
        del store
    return ox.Store.read_only(str(path))


def rdflib_dataset(nq: Path) -> rdflib.Dataset:
    log(f"parsing {nq.name} into an rdflib Dataset (in memory)")
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(str(nq), format="nquads")
    dataset.graph(rdflib.URIRef(ONTOLOGY_GRAPH)).parse(str(ONTOLOGY_FILE), format="turtle")
    return dataset


def texts() -> dict[str, str]:
    out = {}
    for q in list_queries():
        out[q.name] = with_values(q.text, bind_params(q, PARAMS.get(q.name, {})))
    return out


def time_oxigraph(store: ox.Store, text: str) -> tuple[float, int]:
    rows = len(list(store.query(text, use_default_graph_as_union=True)))  # type: ignore[arg-type]
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        rows = len(list(store.query(text, use_default_graph_as_union=True)))  # type: ignore[arg-type]
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), rows


class _TimeoutError(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _TimeoutError


def time_rdflib(
    dataset: rdflib.Dataset, text: str, timeout: float
) -> tuple[float | None, int | None]:
    """Run once; rdflib evaluates in Python, so an alarm stops it (no fork, no copy of the data)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        rows = len(list(dataset.query(text)))
        return time.perf_counter() - start, rows
    except _TimeoutError:
        return None, None
    except Exception as exc:  # rdflib's evaluator fails on some valid SPARQL: report it, go on
        log(f"rdflib failed: {type(exc).__name__}: {exc}")
        return None, -1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def available_memory() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def fmt_ms(seconds: float | None, timeout: float, rows: int | None = 0) -> str:
    if rows == -1:
        return "fails"
    if rows == -2:
        return "not run"
    if seconds is None:
        return f"> {timeout:.0f} s"
    return f"{seconds * 1000:,.1f}"


def bench(label: str, nq: Path, work: Path, timeout: float) -> str:
    store = oxigraph_store(nq, work)
    quads = len(store)
    need = quads * _RDFLIB_BYTES_PER_QUAD
    dataset = None
    note = ""
    if available_memory() > 1.5 * need:
        start = time.perf_counter()
        dataset = rdflib_dataset(nq)
        note = f" (rdflib parse {time.perf_counter() - start:,.0f} s)"
    else:
        note = f" (rdflib not run: it needs ~{need / 2**30:.0f} GiB, more than is free)"
    rows_out = []
    for name, text in texts().items():
        log(f"{label}: {name}")
        ox_s, ox_rows = time_oxigraph(store, text)
        rd_s, rd_rows = time_rdflib(dataset, text, timeout) if dataset is not None else (None, -2)
        ratio = f"{rd_s / ox_s:,.0f}x" if rd_s is not None and ox_s > 0 else "-"
        if rd_rows is None or rd_rows < 0:
            same = "-"
        else:
            same = "yes" if rd_rows == ox_rows else f"no ({rd_rows})"
        rows_out.append(
            [name, ox_rows, fmt_ms(ox_s, timeout), fmt_ms(rd_s, timeout, rd_rows), ratio, same]
        )
    del dataset
    head = f"#### {label}: {quads:,} quads{note}\n\n"
    return head + md_table(
        ["query", "rows", "pyoxigraph ms", "rdflib ms", "rdflib / pyoxigraph", "same rows"],
        rows_out,
    )


def main() -> None:
    def extra(parser: object) -> None:
        parser.add_argument("--copies", type=int, default=10)  # type: ignore[attr-defined]
        parser.add_argument("--timeout", type=float, default=30.0)  # type: ignore[attr-defined]
        parser.add_argument(  # type: ignore[attr-defined]
            "--skip-shared", action="store_true", help="only the replicated set"
        )

    args = parse_args(__doc__ or "", extra=extra)
    work: Path = args.work
    shared = shared_nq(work)
    sections = ["### Named queries", "",
                f"`python benchmarks/bench_queries.py --copies {args.copies} "
                f"--timeout {args.timeout:.0f}`", "",
                "Latency of each named query, parameters bound (see PARAMS in the script). "
                "pyoxigraph: the on-disk embedded store, median of 3 warm runs; rdflib 7: "
                "in-memory Dataset with a union default graph, one run.", ""]
    sys.stdout.write("\n".join(sections) + "\n")
    sys.stdout.flush()
    if not args.skip_shared:
        sys.stdout.write(bench("shared set", shared, work, args.timeout) + "\n\n")
        sys.stdout.flush()
    replicated = replicated_nq(shared, args.copies, work)
    sys.stdout.write(bench(f"{args.copies}x synthetic set", replicated, work, args.timeout) + "\n")
    for stale in work.glob("queries-*.oxstore"):
        shutil.rmtree(stale, ignore_errors=True)


if __name__ == "__main__":
    main()
