"""Validate trials' triples: an engine with the shapes parsed once, and two checks in Python.

The Python checks are the deactivated shapes kgsh:TrialGraph (the graph describes its trial) and
kgsh:DeclaredTerms (every tkg: term is in the ontology): set look-ups over the triples, where SHACL
would need a SPARQL scan of every node.

A unit of work is one trial's graph as N-Quads text (:class:`TrialGraph`), small enough to send to a
worker process, or the name of its graph in a store the worker reads itself (:class:`StoredTrial`).
pyshacl and the fast engine's Core shapes run on an rdflib graph of only the triples the shapes can
read (the fast engine's SHACL-SPARQL shapes on each trial's own quads: ``_sparql``), with
``inference='none'`` and SHACL-AF off (PERFORMANCE-NOTES.md: advanced mode doubles the time, RDFS
inference costs ~14x).

Trials are validated in batches: one pyshacl run over the disjoint union of a few dozen trial graphs
costs far less than one run per trial (pyshacl sets up every shape and constraint on each run). The
union is made disjoint so that each trial sees exactly its own triples, as if validated alone: a
node two trials of the batch both use (an organisation, a person, a related trial) keeps its IRI in
one trial, its owner, and gets an alias in the others. Each result then belongs to the trial of its
focus node and is reported with the node's own name.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph as ShaclDataGraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.terms import TKG
from kg.validate._batch import Batch as _Batch
from kg.validate._convert import quiet_literals, rdflib_term
from kg.validate._fast import RawResult, fast_results, native_plan, plan, run_units
from kg.validate._native import native_ready, rd
from kg.validate._options import Engine
from kg.validate._report import Finding, Severity, value_text
from kg.validate._shapes import (
    DECLARED_TERM_COMPONENT,
    DECLARED_TERMS,
    STUDY_CLASSES,
    TRIAL_GRAPH_COMPONENT,
    TRIAL_GRAPH_SHAPE,
    compact,
    declared_terms,
    load_shapes,
    path_text,
)
from kg.validate._sparql import sparql_results
from kg.validate._units import (
    Spo,
    StoredTrial,
    TrialGraph,
    Unit,
    as_spo,
    open_worker_store,
    read_unit,
)

__all__ = [
    "Engine",
    "Labels",
    "StoredTrial",
    "TrialGraph",
    "TrialResult",
    "check_batch",
    "check_trial",
    "engine_results",
    "missing_trial",
    "open_worker_store",
    "raw_results",
    "read_unit",
    "shacl_findings",
    "undeclared_terms",
    "validate_quads",
]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_TYPE_NODE = ox.NamedNode(_RDF_TYPE)
TRIAL_GRAPH = re.compile(r"^(?P<base>.*/)graph/(?P<nct>NCT\d{8})$")
TRIAL_IRI = re.compile(r"^(?P<base>.*/)trial/(?P<nct>NCT\d{8})$")


@dataclass(frozen=True, slots=True)
class TrialResult:
    """The findings of one trial and how many triples it had."""

    nct_id: str
    findings: list[Finding]
    triples: int


class Labels:
    """Name nodes as a reader of one trial's report knows them (see :class:`Finding`).

    >>> labels = Labels("https://w3id.org/trialkg/trial/NCT03737461")
    >>> labels.node(URIRef("https://w3id.org/trialkg/trial/NCT03737461/site/3"))
    'site/3'
    >>> labels.node(URIRef("https://w3id.org/trialkg/org/aphp"))
    'org/aphp'
    """

    def __init__(self, trial_iri: str, nct: str = "") -> None:
        self.trial = trial_iri
        self.nct = nct
        m = TRIAL_IRI.match(trial_iri)
        self.base = m["base"] if m else ""
        self.graph = f"{self.base}graph/{m['nct']}" if m else ""

    def node(self, node: Node) -> str:
        """Return a focus node's name: empty for the trial, a relative path, or a CURIE."""
        if isinstance(node, URIRef):
            iri = str(node)
            if iri == self.trial:
                return ""
            if iri.startswith(self.trial + "/"):
                return iri[len(self.trial) + 1 :]
            if self.base and iri.startswith(self.base):
                return iri[len(self.base) :]
            return compact(iri)
        return value_text(node)

    def value(self, value: Node | None) -> str:
        """Return a value as printed: a literal with its datatype, an IRI relative to the base."""
        if value is None:
            return ""
        if isinstance(value, URIRef) and self.base and str(value).startswith(self.base):
            return str(value)[len(self.base) :]
        return value_text(value)


@functools.cache
def _validator_shapes(reduced: bool = False) -> Any:
    """Return pyshacl's harvested form of a shapes graph, built once per process.

    ``reduced``: the shapes the fast engine leaves to pyshacl (see ``kg.validate._fast.plan``).
    """
    return _validator(Graph(), _shapes_graph(reduced)).shacl_graph


def _shapes_graph(reduced: bool) -> Graph:
    if reduced:
        graph = plan().reduced
        if graph is None:
            raise ValueError("the fast engine leaves no shape to pyshacl")
        return graph
    return load_shapes().graph


def _validator(data: Graph, shapes: Graph | None = None) -> Any:
    options = {"inference": "none", "advanced": False, "allow_warnings": True, "inplace": True}
    return Validator(
        ShaclDataGraph.from_rdflib(data),
        shacl_graph=load_shapes().graph if shapes is None else shapes,
        options=options,
    )


def run_pyshacl(data: Graph, *, reduced: bool = False) -> Graph:
    """Validate an rdflib graph against the shapes; return pyshacl's results graph.

    pyshacl harvests the shapes graph on each ``validate`` call (~14 ms for ours); a validator
    here reuses the harvest of the first one. A test checks both ways give the same results.
    ``reduced``: only the shapes the fast engine does not compile.
    """
    validator = _validator(data, _shapes_graph(reduced))
    validator.shacl_graph = _validator_shapes(reduced)
    _, results, _ = validator.run()
    graph: Graph = results
    return graph


def _first(graph: Graph, node: Node, prop: URIRef) -> Node | None:
    value: Node | None = graph.value(node, prop)
    return value


def _message(results: Graph, result: Node, shape: str) -> str:
    fallback = load_shapes().messages.get(shape, "")
    if fallback:
        return fallback
    messages = [m for m in results.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    return str(messages[0]) if messages else ""


def raw_results(results: Graph) -> list[RawResult]:
    """Return the results of pyshacl's results graph (those with a focus node)."""
    out = []
    for result in results.objects(None, SH.result):
        focus = _first(results, result, SH.focusNode)
        if focus is None:
            continue
        shape = str(_first(results, result, SH.sourceShape))
        path_node = _first(results, result, SH.resultPath)
        out.append(
            RawResult(
                focus=focus,
                path=path_text(results, path_node) if path_node is not None else "",
                value=_first(results, result, SH.value),
                severity=str(_first(results, result, SH.resultSeverity)),
                shape=shape,
                component=str(_first(results, result, SH.sourceConstraintComponent)),
                message=_message(results, result, shape),
            )
        )
    return out


def engine_results(data: Graph, engine: Engine) -> list[RawResult]:
    """Validate a TripleIndex-backed graph with an engine; return its results.

    The fast engine's SHACL-SPARQL shapes are not run here: they read each trial's own quads
    (:func:`kg.validate._sparql.sparql_results`).
    """
    if engine is Engine.PYSHACL:
        return raw_results(run_pyshacl(data))
    found = fast_results(data)
    if plan().reduced is not None:
        found.extend(raw_results(run_pyshacl(data, reduced=True)))
    return found


Locate = Callable[[Any], Sequence[tuple[int, "Labels"]]]
# The value of a property (IRI) of a focus node that sorts first as rdflib text, or None.
FirstValue = Callable[[Any, str], Any]


def _findings(
    results: Iterable[RawResult],
    locate: Locate,
    restore: Callable[[Any], Node],
    first: FirstValue,
) -> list[tuple[int, Finding]]:
    """Turn results into findings, each in the trials ``locate`` finds for its focus.

    ``locate`` gives the trials (their index and labels) of a focus node; ``restore`` the rdflib
    term of the node an alias stands for (see :class:`_Batch`); ``first`` a node-level result's
    value, read in the batch's data.
    """
    shapes = load_shapes()
    out: list[tuple[int, Finding]] = []
    for r in results:
        focus, shape, path, value = r.focus, r.shape, r.path, r.value
        if value == focus and not path:
            # A node-level shape (sh:or, sh:not): show the property it is about, and its values.
            value = None
            path = shapes.fields.get(shape, "")
            if path.startswith("<") and path.count("<") == 1:
                value = first(focus, path[1:-1])
        severity = Severity.from_iri(r.severity)
        if value is not None:
            value = restore(value)
        node = restore(focus)
        for k, labels in locate(focus):
            out.append(
                (
                    k,
                    Finding(
                        trial=labels.nct,
                        severity=severity,
                        focus=node,
                        node=labels.node(node),
                        path=path,
                        value=value,
                        value_label=labels.value(value),
                        message=r.message,
                        shape=shape,
                        component=r.component,
                    ),
                )
            )
    return out


def shacl_findings(data: Graph, results: Graph, trial: str, labels: Labels) -> list[Finding]:
    """Turn pyshacl's results graph into findings of one trial."""
    named = Labels(labels.trial, trial)
    raws = raw_results(results)

    def first(focus: Node, iri: str) -> Node | None:
        return min(data.objects(focus, URIRef(iri)), key=str, default=None)

    return [f for _, f in _findings(raws, _Here(0, named), _same, first)]


def undeclared_terms(
    triples: Iterable[ox.Quad | ox.Triple | Spo], trial: str, labels: Labels
) -> list[Finding]:
    """Return a finding for each ``tkg:`` IRI the triples use that the ontology does not declare.

    Properties, classes (objects of ``rdf:type``) and concepts (other objects) are all checked.
    """
    declared = declared_terms()
    shapes = load_shapes()
    seen: set[tuple[str, str, str]] = set()
    out: list[Finding] = []
    for subject, predicate, obj in as_spo(triples):
        for term in (subject, predicate, obj):
            if not isinstance(term, ox.NamedNode):
                continue
            iri = term.value
            if not iri.startswith(TKG) or iri in declared:
                continue
            if not isinstance(subject, ox.NamedNode | ox.BlankNode):
                continue
            key = (str(subject), predicate.value, iri)
            if key in seen:
                continue
            seen.add(key)
            focus = rdflib_term(subject)
            value = URIRef(iri)
            out.append(
                Finding(
                    trial=trial,
                    severity=Severity.from_iri(shapes.severities[str(DECLARED_TERMS)]),
                    focus=focus,
                    node=labels.node(focus),
                    path=f"<{predicate.value}>",
                    value=value,
                    value_label=compact(iri),
                    message=shapes.messages[str(DECLARED_TERMS)],
                    shape=str(DECLARED_TERMS),
                    component=str(DECLARED_TERM_COMPONENT),
                )
            )
    return out


def missing_trial(
    triples: Iterable[ox.Quad | ox.Triple | Spo], trial: str, labels: Labels
) -> list[Finding]:
    """Return a finding when the triples do not type the trial node as a study."""
    rdf_type = _RDF_TYPE
    typed = _TYPE_NODE
    for s, p, o in as_spo(triples):
        if (
            p == typed
            and isinstance(s, ox.NamedNode)
            and s.value == labels.trial
            and isinstance(o, ox.NamedNode)
            and o.value in STUDY_CLASSES
        ):
            return []
    shapes = load_shapes()
    key = str(TRIAL_GRAPH_SHAPE)
    return [
        Finding(
            trial=trial,
            severity=Severity.from_iri(shapes.severities[key]),
            focus=URIRef(labels.trial),
            node="",
            path=f"<{rdf_type}>",
            value=None,
            value_label="",
            message=shapes.messages[key],
            shape=key,
            component=str(TRIAL_GRAPH_COMPONENT),
        )
    ]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Run a block with Python's collector off, then free the cycles it left.

    pyshacl and rdflib leave reference cycles; the collector, left on, runs passes over every
    young object many times per batch, and full passes over every live object (the shapes, the
    caches) every few batches: reading a batch's ~50,000 quads into tuples set them off too
    (5-8 ms a trial at 100,000 trials, measured with the fast engine). Off for the whole batch,
    reading included, one young-generation pass after it, once the block has dropped what it
    read, frees the same cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        if enabled:
            gc.enable()


def _check(
    members: Sequence[tuple[Labels, list[Spo]]], engine: Engine = Engine.FAST
) -> list[list[Finding]]:
    """Validate some trials' triples in one pyshacl run; return each trial's findings."""
    with _collector_paused():
        return _check_batch(members, engine)


def _check_batch(
    members: Sequence[tuple[Labels, list[Spo]]], engine: Engine
) -> list[list[Finding]]:
    found = [
        missing_trial(quads, labels.nct, labels) + undeclared_terms(quads, labels.nct, labels)
        for labels, quads in members
    ]
    with quiet_literals():  # literals are converted where they are judged
        native = engine is Engine.FAST and native_ready()
        batch = _Batch(members, native=native)
        if native:
            results = run_units(batch.data, native_plan())
        else:
            results = engine_results(batch.graph, engine)
        for k, f in _findings(results, batch.locate, batch.restore, batch.first):
            found[k].append(f)
    if engine is Engine.FAST and plan().sparql:
        # Each trial's rows are its own: no alias to restore, no other trial to find.
        rows = sparql_results(plan().sparql, [q for _, q in members], load_shapes().keeps)
        for k, ((labels, _), mine) in enumerate(zip(members, rows, strict=True)):
            found[k].extend(f for _, f in _findings(mine, _Here(k, labels), rd, batch.first))
    return found


def _same(node: Node) -> Node:
    return node


@dataclass(frozen=True, slots=True)
class _Here:
    """Locate every focus node in one trial."""

    k: int
    labels: Labels

    def __call__(self, focus: Node) -> Sequence[tuple[int, Labels]]:
        return ((self.k, self.labels),)


def validate_quads(
    triples: Iterable[ox.Quad | ox.Triple | Spo],
    *,
    trial: str,
    trial_iri: str,
    engine: Engine = Engine.FAST,
) -> tuple[list[Finding], int]:
    """Validate one trial's triples; return its findings and how many triples it had."""
    quads = as_spo(triples)
    labels = Labels(trial_iri, trial)
    return _check([(labels, quads)], engine)[0], len(quads)


def check_batch(
    units: Sequence[Unit], engine: Engine = Engine.FAST, store: ox.Store | None = None
) -> list[TrialResult]:
    """Validate some units of work together (in whatever process runs them), each as if alone.

    ``store``: where :class:`StoredTrial` units are read (default: this worker's store).
    """
    with _collector_paused():
        members = [(Labels(u.iri, u.nct_id), read_unit(u, store)) for u in units]
        results = [
            TrialResult(u.nct_id, findings, len(quads))
            for u, findings, (_, quads) in zip(
                units, _check_batch(members, engine), members, strict=True
            )
        ]
        del members  # before the collector's pass, which then has less to look at
    return results


def check_trial(
    unit: Unit, engine: Engine = Engine.FAST, store: ox.Store | None = None
) -> TrialResult:
    """Validate one unit of work (in whatever process runs it)."""
    return check_batch([unit], engine, store)[0]
