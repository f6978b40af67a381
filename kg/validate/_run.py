"""Run validation over a store, a file or a SPARQL endpoint: per trial, streaming, in parallel.

Each trial's named graph (``{base}graph/NCT...``) is one unit of work; a graph without trial
graphs (a Turtle file, the union of many records) is cut into units by reachability from each
record's trial node. Units go to a process pool in batches, a bounded window of them in flight, so
memory stays flat and the time grows with the number of trials. The cross-trial shapes run once,
as SPARQL over the whole store or endpoint.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Literal, overload

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from kg.errors import InputError, QueryError
from kg.ontology import ONTOLOGY_GRAPH
from kg.terms import DCTERMS, PROV, RDF, SCHEMA, TKG
from kg.validate._convert import rdflib_term
from kg.validate._engine import (
    TRIAL_GRAPH,
    TRIAL_IRI,
    Engine,
    Labels,
    TrialResult,
    check_batch,
)
from kg.validate._report import Finding, Report, Severity
from kg.validate._shapes import CrossCheck, load_shapes
from kg.validate._units import StoredTrial, TrialGraph, Unit, open_worker_store

__all__ = [
    "cross_trial_findings",
    "iter_results",
    "iter_store_trials",
    "load_file",
    "validate_endpoint",
    "validate_file",
    "validate_nquads",
    "validate_store",
]

log = logging.getLogger(__name__)

# Trials per pyshacl run (and per task sent to a worker): pyshacl's part of one run over 40 trial
# graphs cost ~15 ms a trial against ~40 ms for one run a trial (profiled on the benchmark
# registry), and 40 trials of ~800 kept triples are small.
_BATCH = 40
_SMALL = 16  # fewer graphs than this are validated in this process
_RDF_TYPE = ox.NamedNode(RDF + "type")
_IDENTIFIER = ox.NamedNode(DCTERMS + "identifier")
_NAME = ox.NamedNode(SCHEMA + "name")
_SAME_AS = ox.NamedNode(SCHEMA + "sameAs")
_REFERENCE_KEEPS = (_RDF_TYPE, _IDENTIFIER, _NAME)
_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
# The classes kg types a record's trial with; a related trial is only schema:MedicalStudy.
_RECORD_CLASSES = tuple(
    ox.NamedNode(c)
    for c in (
        SCHEMA + "MedicalTrial",
        SCHEMA + "MedicalObservationalStudy",
        TKG + "ExpandedAccessStudy",
    )
)


# --- units of work -----------------------------------------------------------------------------


def _unit(nct: str, trial_iri: str, quads: Iterable[ox.Quad]) -> TrialGraph:
    return TrialGraph(nct, trial_iri, ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")


def _record_trials(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> list[ox.NamedNode]:
    """Return the record trials of a graph, whatever part of them a broken file lost.

    A record's trial is a trial IRI (``{base}trial/NCT...``) that has an NCT number and a registry
    page, or is typed as a record's study class (interventional, observational, expanded access),
    or has its provenance node (``{base}graph/NCT...``) in the graph. A related trial (typed only
    ``schema:MedicalStudy``, with a number and a title) is none of these, so it stays a reference.
    """
    found: set[ox.NamedNode] = set()
    for q in store.quads_for_pattern(None, _IDENTIFIER, None, graph):
        subject = q.subject
        if (
            isinstance(subject, ox.NamedNode)
            and TRIAL_IRI.match(subject.value)
            and next(store.quads_for_pattern(subject, _SAME_AS, None, graph), None) is not None
        ):
            found.add(subject)
    for cls in _RECORD_CLASSES:
        for q in store.quads_for_pattern(None, _RDF_TYPE, cls, graph):
            if isinstance(q.subject, ox.NamedNode) and TRIAL_IRI.match(q.subject.value):
                found.add(q.subject)
    for q in store.quads_for_pattern(None, _DERIVED_FROM, None, graph):
        m = isinstance(q.subject, ox.NamedNode) and TRIAL_GRAPH.match(q.subject.value)
        if m:
            found.add(ox.NamedNode(f"{m['base']}trial/{m['nct']}"))
    return sorted(found, key=lambda n: n.value)


def _closure(
    store: ox.Store,
    graph: ox.NamedNode | ox.DefaultGraph,
    starts: list[ox.NamedNode],
    records: set[ox.NamedNode],
) -> list[ox.Quad]:
    """Return the triples reachable from ``starts``; other records' trials only as references."""
    out: list[ox.Quad] = []
    seen: set[object] = set(starts)
    todo: list[ox.NamedNode | ox.BlankNode] = list(starts)
    root = starts[0]
    while todo:
        node = todo.pop()
        reference = node != root and node in records
        for q in store.quads_for_pattern(node, None, None, graph):
            if reference and q.predicate not in _REFERENCE_KEEPS:
                continue
            out.append(q)
            obj = q.object
            if isinstance(obj, ox.NamedNode | ox.BlankNode) and obj not in seen:
                seen.add(obj)
                todo.append(obj)
    return out


def _split(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> Iterator[TrialGraph]:
    """Cut a graph holding many records (a Turtle export) into one unit per record's trial."""
    records = _record_trials(store, graph)
    record_set = set(records)
    for trial in records:
        m = TRIAL_IRI.match(trial.value)
        if m is None:  # _record_trials keeps only trial IRIs
            continue
        # kg names a trial's provenance node after the trial: {base}graph/NCT...
        provenance = ox.NamedNode(f"{m['base']}graph/{m['nct']}")
        quads = _closure(store, graph, [trial, provenance], record_set)
        yield _unit(m["nct"], trial.value, quads)


@overload
def iter_store_trials(store: ox.Store, *, stored: Literal[False] = ...) -> Iterator[TrialGraph]: ...
@overload
def iter_store_trials(store: ox.Store, *, stored: bool) -> Iterator[Unit]: ...
def iter_store_trials(store: ox.Store, *, stored: bool = False) -> Iterator[Unit]:
    """Yield one unit of work per trial of a store: its named graph, or its part of a graph.

    ``stored``: a trial's named graph as a :class:`StoredTrial` (read by whoever validates it),
    else as its N-Quads text. A graph that is not a trial's is cut here, into N-Quads units.
    """
    for graph in store.named_graphs():
        if not isinstance(graph, ox.NamedNode) or graph.value == ONTOLOGY_GRAPH:
            continue
        m = TRIAL_GRAPH.match(graph.value)
        if m:
            trial_iri = f"{m['base']}trial/{m['nct']}"
            if stored:
                yield StoredTrial(m["nct"], trial_iri, graph.value)
            else:
                yield _unit(m["nct"], trial_iri, store.quads_for_pattern(None, None, None, graph))
        else:
            yield from _split(store, graph)
    if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
        yield from _split(store, ox.DefaultGraph())


# --- running units -----------------------------------------------------------------------------


def _batches(units: Iterable[Unit]) -> Iterator[list[Unit]]:
    batch: list[Unit] = []
    for unit in units:
        batch.append(unit)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_results(
    units: Iterable[Unit],
    *,
    jobs: int = 1,
    engine: Engine = Engine.FAST,
    store: ox.Store | None = None,
    path: Path | None = None,
) -> Iterator[TrialResult]:
    """Validate every unit, in order, with ``jobs`` worker processes (0: one per core).

    :class:`StoredTrial` units are read from ``store`` in this process, and by each worker from
    its own read-only handle on the store at ``path``.
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        for batch in _batches(units):
            yield from check_batch(batch, engine, store)
        return
    pool = (
        ProcessPoolExecutor(jobs, initializer=open_worker_store, initargs=(str(path),))
        if path is not None
        else ProcessPoolExecutor(jobs)
    )
    with pool:
        window: list[Future[list[TrialResult]]] = []
        for batch in _batches(units):
            window.append(pool.submit(check_batch, batch, engine))
            # A bounded window keeps memory flat however many trials there are.
            while len(window) > 4 * jobs:
                yield from window.pop(0).result()
        while window:
            yield from window.pop(0).result()


# --- cross-trial checks ------------------------------------------------------------------------


def _cross_finding(check: CrossCheck, row: dict[str, Node]) -> Finding | None:
    focus = row.get("this")
    if focus is None:
        return None
    # The trial whose graph states the finding; in a graph of many trials, the focus if a trial.
    m = TRIAL_GRAPH.match(str(row.get("graph", "")))
    if m is None:
        t = TRIAL_IRI.match(str(focus))
        trial, trial_iri = (t["nct"], str(focus)) if t else ("", "")
    else:
        trial, trial_iri = m["nct"], f"{m['base']}trial/{m['nct']}"
    labels = Labels(trial_iri)
    value = row.get("value")
    path = row.get("path")
    return Finding(
        trial=trial,
        severity=Severity.from_iri(check.severity),
        focus=focus,
        node=labels.node(focus),
        path=f"<{path}>" if isinstance(path, URIRef) else "",
        value=value,
        value_label=labels.value(value),
        message=check.message,
        shape=check.shape,
        component="http://www.w3.org/ns/shacl#SPARQLConstraintComponent",
    )


def cross_trial_findings(store: ox.Store) -> list[Finding]:
    """Run the cross-trial shapes (duplicate organisations, dangling related trials) on a store."""
    out: list[Finding] = []
    for check in load_shapes().cross_checks:
        solutions = store.query(check.query, use_default_graph_as_union=True)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError(f"{check.shape}: a cross-trial check must be a SELECT query")
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row = {
                name: rdflib_term(term) for name in names if (term := solution[name]) is not None
            }
            finding = _cross_finding(check, row)
            if finding is not None:
                out.append(finding)
    return out


# --- entry points ------------------------------------------------------------------------------

OnTrial = Callable[[TrialResult], None]
OnFindings = Callable[[list[Finding]], None]


def _collect(
    units: Iterable[Unit],
    jobs: int,
    on_trial: OnTrial | None,
    on_findings: OnFindings | None,
    report: Report,
    engine: Engine = Engine.FAST,
    **where: Any,
) -> None:
    for result in iter_results(units, jobs=jobs, engine=engine, **where):
        report.trials += 1
        _found(result.findings, on_findings, report)
        if on_trial is not None:
            on_trial(result)


def _found(findings: list[Finding], on_findings: OnFindings | None, report: Report) -> None:
    report.add(findings)
    if on_findings is not None and findings:
        on_findings(findings)


def validate_store(
    store: ox.Store,
    *,
    jobs: int = 1,
    cross_trial: bool = True,
    on_trial: OnTrial | None = None,
    on_findings: OnFindings | None = None,
    engine: Engine = Engine.FAST,
    path: Path | None = None,
) -> Report:
    """Validate every trial of a store, then run the cross-trial checks over all of it.

    The report counts; ``on_findings`` is given each trial's findings (and then the cross-trial
    ones) as they come, ``on_trial`` each trial's result. ``path``: the store's folder, where
    each worker process opens it read-only and reads its own trials' graphs; without it (a store
    in memory) this process reads every trial and sends it to the workers as N-Quads.
    """
    report = Report()
    if len(list(itertools.islice(store.named_graphs(), _SMALL))) < _SMALL:
        jobs = 1  # a few trials: starting worker processes would take longer than validating
    jobs = jobs or os.cpu_count() or 1
    stored = jobs <= 1 or path is not None
    units = iter_store_trials(store, stored=stored)
    _collect(units, jobs, on_trial, on_findings, report, engine, store=store, path=path)
    if cross_trial:
        _found(cross_trial_findings(store), on_findings, report)
    return report


def load_file(path: Path) -> ox.Store:
    """Load an RDF file (any format ``kg build -o`` writes, ``.gz`` too) into a new store.

    Triples of a format without graphs go to a graph named after the file (as ``kg query --data``
    loads them), which validation cuts into trials.

    Raises:
        InputError: no such file, an unknown extension, or not valid RDF.
    """
    from kg.queries import load_data

    return load_data(path, ontology=False)


def validate_file(
    path: Path,
    *,
    jobs: int = 1,
    cross_trial: bool = True,
    on_trial: OnTrial | None = None,
    on_findings: OnFindings | None = None,
    engine: Engine = Engine.FAST,
) -> Report:
    """Validate an RDF file kg can read (any format ``kg build -o`` writes, ``.gz`` too).

    Raises:
        InputError: no such file, an unknown extension, or not valid RDF.
    """
    store = load_file(path)
    return validate_store(
        store,
        jobs=jobs,
        cross_trial=cross_trial,
        on_trial=on_trial,
        on_findings=on_findings,
        engine=engine,
    )


def validate_nquads(
    data: bytes,
    *,
    jobs: int = 1,
    cross_trial: bool = True,
    on_trial: OnTrial | None = None,
    on_findings: OnFindings | None = None,
    engine: Engine = Engine.FAST,
) -> Report:
    """Validate N-Quads (or N-Triples) bytes, as ``kg validate -`` reads them from stdin.

    Raises:
        InputError: the bytes are not N-Quads.
    """
    store = ox.Store()
    try:
        store.bulk_load(data, ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise InputError(f"not valid N-Quads: {exc}", file="<stdin>") from exc
    return validate_store(
        store,
        jobs=jobs,
        cross_trial=cross_trial,
        on_trial=on_trial,
        on_findings=on_findings,
        engine=engine,
    )


def validate_endpoint(
    url: str,
    *,
    jobs: int = 1,
    cross_trial: bool = True,
    on_trial: OnTrial | None = None,
    on_findings: OnFindings | None = None,
    engine: Engine = Engine.FAST,
) -> Report:
    """Validate every trial graph of a SPARQL 1.1 endpoint (one CONSTRUCT per trial graph).

    Raises:
        EndpointError: the endpoint failed or answered something that is not RDF.
    """
    from kg.validate._remote import Endpoint

    endpoint = Endpoint(url)
    report = Report()
    _collect(endpoint.iter_trials(), jobs, on_trial, on_findings, report, engine)
    if cross_trial:
        cross = []
        for check in load_shapes().cross_checks:
            for row in endpoint.select(check.query):
                finding = _cross_finding(check, row)
                if finding is not None:
                    cross.append(finding)
        _found(cross, on_findings, report)
    return report
