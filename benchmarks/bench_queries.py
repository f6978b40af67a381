"""Named-query latency: the embedded store (pyoxigraph on disk) vs rdflib's in-memory Dataset.

    python benchmarks/bench_queries.py [--copies 10] [--timeout 30] [--work DIR]
    python benchmarks/bench_queries.py --store DIR [--samples 20] [--timeout 60]

Runs every named query (queries/*.rq, parameters bound by kg's VALUES block, the same text for
both engines) on the seed plus the shared records (../shared/data/ctgov), then on a synthetic set
of ``--copies`` times as many trials: each copy of the shared set's N-Quads gets new NCT ids
(NCT9<copy><6 digits>), so trials multiply while organisations, conditions and publications stay
shared, as in a larger registry. pyoxigraph: median of 3 runs after one warm-up; rdflib: one run
in process, stopped after ``--timeout`` seconds (not run when memory is short). ``--sizes``
(run_all's option) is ignored: the sizes here are the shared set and its copies.

``--store DIR`` times every named query on an existing kg store instead (built from the
synthetic registry: ``kg synth generate N -o registry.zip`` then ``kg build registry.zip --store
DIR``), opened read-only, against the registry-scale targets: a query with an ``nct``, ``sponsor``
or ``lat``/``lon`` parameter (its ``# param:`` header lines, read by kg.queries) is per-entity,
median under 50 ms; one without (parameters with defaults keep them) is a registry-wide aggregate,
under 1 s (issue 15). Queries run as ``kg query`` runs them: as their indexed variant
(queries/indexed/) when the store has a statistics graph; ``--scan`` runs the scans of queries/.
Parameters are sampled from the store, seeded: ``--samples`` trials (uniformly among the trials'
named graphs), sponsor names (uniformly among the distinct ``schema:name`` of
``schema:sponsor`` objects) and site coordinates with ``km=25`` (a site with coordinates of a
trial drawn uniformly: trials count equally, not sites; listing every site costs minutes at
100k). Each query runs in its own child process, through ``kg.queries.run_query`` as ``kg query``
does (rows read to the end), after one warm-up run: a per-entity query once per sample (median,
p90 and max), an aggregate 3 times (median). A run longer than ``--timeout`` seconds (default 60)
kills the child (pyoxigraph cannot be interrupted from Python) and counts as "> N s"; runs with
the same parameters are then skipped, and the others go on in a fresh (cold) child.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
import rdflib
from _harness import SHARED, md_table, parse_args

from kg.indexed import choose, store_ask, store_lookup
from kg.ontology import ONTOLOGY_FILE, ONTOLOGY_GRAPH, load_ontology
from kg.queries import (
    Bindings,
    NamedQuery,
    OutputFormat,
    ResultTable,
    bind_params,
    format_results,
    list_queries,
    load_query,
    run_query,
    with_values,
)
from kg.query_output import Page, read_page, stream_answer
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
    # Imported here: --store mode (and the query processes it spawns) builds nothing.
    from kg.build import build
    from kg.sinks import FileSink

    out = work / "queries-shared.nq"
    if not out.is_file():
        log("building the shared set to N-Quads")
        build(
            [str(SEED), str(SHARED / "data" / "ctgov")],
            FileSink(out),
            base=DEFAULT_BASE,
            jobs=os.cpu_count() or 1,
        )
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


# --store mode: the registry-scale targets on an existing kg store.

PER_ENTITY_MS = 50.0
AGGREGATE_S = 1.0  # issue 15's target (issue 8 set 2 s)
KM = "25"
_OPEN_TIMEOUT = 600.0  # seconds for a child to start and open the store (a 100k store is large)
_TRIAL_GRAPH = re.compile(r"/graph/(NCT\d{8})$")
_GRAPHS = "SELECT ?g WHERE { GRAPH ?g { } }"
_SPONSOR_NAMES = """PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?name WHERE { ?trial schema:sponsor ?org . ?org schema:name ?name }"""
_GRAPH_SITES = """PREFIX schema: <http://schema.org/>
SELECT ?site ?lat ?lon
WHERE { GRAPH ?g { ?site schema:geo ?geo . ?geo schema:latitude ?lat ; schema:longitude ?lon } }"""
_GRAPH_INTERVENTIONS = """PREFIX schema: <http://schema.org/>
SELECT ?name WHERE { GRAPH ?g { ?trial schema:studySubject ?i . ?i schema:name ?name } }"""


@dataclass(frozen=True, slots=True)
class Samples:
    """Parameter values drawn from the store, one list per kind of entity."""

    population: int  # trials in the store (named graphs {base}graph/NCT...)
    trials: list[str]
    sponsors: list[str]
    places: list[tuple[str, str]]  # (lat, lon) as the store writes them
    interventions: list[str]  # an intervention name of each sampled trial that has one


@dataclass(frozen=True, slots=True)
class Timing:
    """One run of a query: seconds (``math.inf`` when it hit the timeout) and rows."""

    seconds: float
    rows: int | None


class _ChildFailedError(Exception):
    pass


def entity_kind(query: NamedQuery) -> str | None:
    """Return what a query is asked about (trial, sponsor, place), or None for an aggregate.

    Raises:
        ValueError: a parameter without default that no sample can fill.
    """
    names = {p.name for p in query.params}
    for kind, wanted in (
        ("trial", {"nct"}),
        ("sponsor", {"sponsor"}),
        ("place", {"lat", "lon"}),
        ("intervention", {"intervention"}),
    ):
        if names & wanted:
            return kind
    required = [p.name for p in query.params if p.default is None]
    if required:
        raise ValueError(f"{query.name}: no sample for parameter {required[0]!r}")
    return None


def sample_params(store: ox.Store, count: int, seed: int = 0) -> Samples:
    """Draw trials, sponsor names, site coordinates and intervention names from the store."""
    rng = random.Random(seed)
    graphs = sorted(
        (m.group(1), sol["g"].value)
        for sol in store.query(_GRAPHS)
        if isinstance(sol["g"], ox.NamedNode) and (m := _TRIAL_GRAPH.search(sol["g"].value))
    )
    trials = [nct for nct, _ in rng.sample(graphs, min(count, len(graphs)))]
    names = sorted(
        {sol["name"].value for sol in store.query(_SPONSOR_NAMES, use_default_graph_as_union=True)}
    )
    sponsors = rng.sample(names, min(count, len(names)))
    places: list[tuple[str, str]] = []
    for _, graph in rng.sample(graphs, len(graphs)):
        if len(places) >= count:
            break
        text = with_values(_GRAPH_SITES, {ox.Variable("g"): ox.NamedNode(graph)})
        sites = sorted(
            (sol["site"].value, sol["lat"].value, sol["lon"].value) for sol in store.query(text)
        )
        if sites:
            _, lat, lon = rng.choice(sites)
            places.append((lat, lon))
    interventions: list[str] = []
    for _nct, graph in rng.sample(graphs, min(count, len(graphs))):
        text = with_values(_GRAPH_INTERVENTIONS, {ox.Variable("g"): ox.NamedNode(graph)})
        names_here = sorted({sol["name"].value for sol in store.query(text)})
        if names_here:
            interventions.append(rng.choice(names_here))
    return Samples(len(graphs), trials, sponsors, places, interventions)


def _bindings_for(query: NamedQuery, samples: Samples) -> Bindings:
    """The bindings of a query's first run (to tell which variant kg picks)."""
    return bind_params(query, param_runs(entity_kind(query), samples)[0])


def param_runs(kind: str | None, samples: Samples) -> list[dict[str, str]]:
    """Return the parameter values of each run: one per sample, or the defaults for an aggregate."""
    if kind == "trial":
        return [{"nct": nct} for nct in samples.trials]
    if kind == "sponsor":
        return [{"sponsor": name} for name in samples.sponsors]
    if kind == "place":
        return [{"lat": lat, "lon": lon, "km": KM} for lat, lon in samples.places]
    if kind == "intervention":
        return [{"intervention": name} for name in samples.interventions]
    return [{}] * 3


def _answer(store: ox.Store, query: NamedQuery, bindings: Bindings, mode: str) -> int:
    """Read the answer as ``kg query`` does in ``mode``; return its number of rows.

    table: every row as cells (``kg.queries.run_query``; what --format table needs); csv: the
    store's own CSV of the whole answer (``kg query --format csv``, kg.query_output); a number N:
    the first page of N rows and the count of all (``kg query --limit N``).
    """
    if mode == "table":
        return len(run_query(store, query, bindings).rows)
    chosen = choose(query, bindings, store_ask(store), lookup=store_lookup(store))
    if mode == "csv":
        out = stream_answer(store, chosen, bindings, OutputFormat.CSV)
        if out is None:  # a query the store cannot write as kg does: kg's own writer
            table = run_query(store, chosen, bindings, indexed=False)
            format_results(table, OutputFormat.CSV)
            return len(table.rows)
        return out[0].count(b"\r\n") - 1

    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(store, q, b, indexed=False)

    return read_page(chosen, bindings, Page(int(mode)), run, store).total


def _serve(
    path: str,
    name: str,
    runs: list[dict[str, str]],
    conn: Connection,
    indexed: bool = True,
    mode: str = "table",
) -> None:
    """Child process: open the store, run the query once per parameter set, send each timing."""
    store = ox.Store.read_only(path)
    query = load_query(name)
    conn.send("ready")
    for values in runs:
        bindings = bind_params(query, values)
        start = time.perf_counter()
        if indexed:
            rows = _answer(store, query, bindings, mode)
        else:
            rows = len(run_query(store, query, bindings, indexed=False).rows)
        conn.send((time.perf_counter() - start, rows))
    conn.close()


def run_series(
    path: Path,
    name: str,
    runs: list[dict[str, str]],
    timeout: float,
    indexed: bool = True,
    mode: str = "table",
) -> list[Timing]:
    """Run a query once per parameter set, in order, in child processes killed after ``timeout``.

    Raises:
        _ChildFailedError: a child died (a query error: its traceback is on stderr).
    """
    ctx = mp.get_context("spawn")  # a fresh interpreter: no store handle inherited by a fork
    out: dict[int, Timing] = {}
    todo = list(range(len(runs)))
    while todo:
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_serve,
            args=(str(path), name, [runs[i] for i in todo], sender, indexed, mode),
            daemon=True,
        )
        child.start()
        sender.close()
        done = 0
        try:
            if not receiver.poll(_OPEN_TIMEOUT):
                raise _ChildFailedError(f"{name}: the store did not open in {_OPEN_TIMEOUT:.0f} s")
            receiver.recv()
            for i in todo:
                if not receiver.poll(timeout):
                    break
                seconds, rows = receiver.recv()
                out[i] = Timing(seconds, rows)
                done += 1
        except EOFError as exc:
            raise _ChildFailedError(f"{name}: the query process died") from exc
        finally:
            if child.is_alive():
                child.kill()
            child.join()
            receiver.close()
        if done == len(todo):
            break
        hung = runs[todo[done]]
        log(f"{name}: a run passed {timeout:.0f} s with {hung or 'the defaults'}; killed")
        for i in todo[done:]:
            if runs[i] == hung:
                out[i] = Timing(math.inf, None)
        todo = [i for i in todo[done:] if i not in out]
    return [out[i] for i in range(len(runs))]


def p90(values: list[float]) -> float:
    """Return the 90th percentile, nearest rank (no interpolation, so a timeout stays infinite).

    >>> p90([float(x) for x in range(1, 21)])
    18.0
    """
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def fmt_latency(seconds: float, timeout: float) -> str:
    """Write seconds as milliseconds, or "> N s" for a run that hit the timeout."""
    if math.isinf(seconds):
        return f"> {timeout:.0f} s"
    return f"{seconds * 1000:,.1f}"


def bench_store(
    path: Path,
    count: int,
    timeout: float,
    argv: list[str],
    indexed: bool = True,
    only: frozenset[str] = frozenset(),
    mode: str = "table",
) -> str:
    """Time every named query on a kg store; return the Markdown section."""
    log(f"opening {path} read-only; counting quads and sampling parameters")
    store = ox.Store.read_only(str(path))
    quads = len(store)
    samples = sample_params(store, count)
    picked = sorted(
        q.name
        for q in list_queries()
        if indexed
        and (not only or q.name in only)
        and choose(q, _bindings_for(q, samples), store_ask(store), lookup=store_lookup(store))
        is not q
    )
    del store  # each query runs in a child that opens the store itself
    queries = [(q, entity_kind(q)) for q in list_queries() if not only or q.name in only]
    queries.sort(key=lambda qk: (qk[1] is None, qk[0].name))
    table: list[list[object]] = []
    met = {"entity": 0, "aggregate": 0}
    total = {"entity": 0, "aggregate": 0}
    for query, kind in queries:
        group = "aggregate" if kind is None else "entity"
        runs = param_runs(kind, samples)
        log(f"{query.name}: {'aggregate' if kind is None else f'{len(runs)} {kind}s'}")
        target = f"< {PER_ENTITY_MS:.0f} ms" if kind else f"< {AGGREGATE_S:.0f} s"
        total[group] += 1
        try:
            timings = run_series(path, query.name, [runs[0], *runs], timeout, indexed, mode)[1:]
        except _ChildFailedError as exc:
            log(str(exc))
            table.append([query.name, kind or "aggregate", "-", "fails", "-", "-", target, "fails"])
            continue
        seconds = [t.seconds for t in timings]
        rows = [t.rows for t in timings if t.rows is not None]
        median = statistics.median(seconds)
        ok = median * 1000 < PER_ENTITY_MS if kind else median < AGGREGATE_S
        met[group] += ok
        verdict = "meets" if ok else ("times out" if math.isinf(median) else "misses")
        table.append(
            [
                query.name,
                f"per {kind}" if kind else "aggregate",
                statistics.median_low(rows) if rows else "-",
                fmt_latency(median, timeout),
                fmt_latency(p90(seconds), timeout) if kind else "-",
                fmt_latency(max(seconds), timeout),
                target,
                verdict,
            ]
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"#### Named queries on a kg store: {samples.population:,} trials, {quads:,} quads",
        "",
        f"`python benchmarks/bench_queries.py {shlex.join(argv)}`",
        "",
        f"Each query {_MODES.get(mode, _MODES['page']).format(mode)}, in its "
        f"own process on the store opened read-only, after one warm-up run. Per-entity queries: "
        f"{len(samples.trials)} trials, {len(samples.sponsors)} sponsor names and "
        f"{len(samples.places)} site coordinates (km={KM}) sampled from the store (seed 0); rows "
        f"is the median over the samples. Aggregates: median (and max) of 3 runs; rows as "
        f"returned. Timeout {timeout:.0f} s per run. Load average at the end: {load} "
        f"({os.cpu_count()} cores). "
        + (
            f"Indexed variants (queries/indexed/, kg.indexed) ran for: {', '.join(picked)}."
            if picked
            else "Every query ran as the scan of queries/ (--scan, or a store without statistics)."
        ),
        "",
        md_table(
            ["query", "kind", "rows", "median ms", "p90 ms", "max ms", "target", "verdict"], table
        ),
        "",
        f"- Per-entity queries (per trial, sponsor or place), median under {PER_ENTITY_MS:.0f} ms:"
        f" {met['entity']} of {total['entity']} meet it.",
        f"- Registry-wide aggregates, median of 3 under {AGGREGATE_S:.0f} s:"
        f" {met['aggregate']} of {total['aggregate']} meet it.",
    ]
    return "\n".join(lines)


_MODES = {
    "table": "through `kg.queries.run_query` (union default graph, every row read as cells)",
    "csv": "as `kg query --format csv` writes it (the store's own CSV, kg.query_output; rows "
    "counted in it)",
    "page": "as `kg query --limit {0}` reads it (the first {0} rows and the count of all, "
    "kg.query_output.read_page; rows: the count of all)",
}


def main() -> None:
    def extra(parser: object) -> None:
        parser.add_argument("--copies", type=int, default=10)  # type: ignore[attr-defined]
        parser.add_argument(  # type: ignore[attr-defined]
            "--timeout", type=float, help="seconds per run (default 30, with --store 60)"
        )
        parser.add_argument(  # type: ignore[attr-defined]
            "--skip-shared", action="store_true", help="only the replicated set"
        )
        parser.add_argument(  # type: ignore[attr-defined]
            "--store", type=Path, help="time the named queries on this kg store instead"
        )
        parser.add_argument(  # type: ignore[attr-defined]
            "--samples", type=int, default=20, help="with --store: entities per per-entity query"
        )
        parser.add_argument(  # type: ignore[attr-defined]
            "--only", default="", help="with --store: comma-separated query names (default all)"
        )
        parser.add_argument(  # type: ignore[attr-defined]
            "--scan",
            action="store_true",
            help="with --store: run the scans of queries/, never their indexed variants",
        )
        parser.add_argument(  # type: ignore[attr-defined]
            "--output",
            default="table",
            help="with --store: table (rows as cells, the default), csv (the store's CSV), or a "
            "number N (the first page of N rows and the count, as kg query --limit N)",
        )

    args = parse_args(__doc__ or "", extra=extra)
    if args.store is not None:
        if not args.store.is_dir():
            raise SystemExit(f"bench_queries.py: no store at {args.store}")
        argv = ["--store", str(args.store)]
        argv += [] if args.samples == 20 else ["--samples", str(args.samples)]
        argv += [] if args.timeout is None else ["--timeout", f"{args.timeout:g}"]
        argv += ["--scan"] if args.scan else []
        argv += ["--only", args.only] if args.only else []
        argv += [] if args.output == "table" else ["--output", args.output]
        if args.output not in ("table", "csv") and not args.output.isdigit():
            raise SystemExit("bench_queries.py: --output takes table, csv or a number of rows")
        only = frozenset(n for n in args.only.split(",") if n)
        timeout = 60.0 if args.timeout is None else args.timeout
        section = bench_store(
            args.store, args.samples, timeout, argv, not args.scan, only, args.output
        )
        sys.stdout.write(section + "\n")
        return
    if args.timeout is None:
        args.timeout = 30.0
    work: Path = args.work
    shared = shared_nq(work)
    sections = [
        "### Named queries",
        "",
        f"`python benchmarks/bench_queries.py --copies {args.copies} --timeout {args.timeout:.0f}`",
        "",
        "Latency of each named query, parameters bound (see PARAMS in the script). "
        "pyoxigraph: the on-disk embedded store, median of 3 warm runs; rdflib 7: "
        "in-memory Dataset with a union default graph, one run.",
        "",
    ]
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
