"""Read trial graphs and run cross-trial checks at a SPARQL 1.1 endpoint.

A trial graph is a named graph that states its own provenance (``?g prov:wasDerivedFrom ?source``
inside ``?g``), as every graph ``kg build`` and ``kg push`` write does. Each trial graph is read on
its own, by a SELECT of its triples whose graph IRI is bound through a ``VALUES`` block
(:func:`kg.queries.with_values`, never pasted into the query text), through the endpoint client
of :mod:`kg.remote`: a server that caps its answers (``kg serve --max-rows``, Virtuoso's
``ResultSetMaxRows``) is read in pages, so no cap can cut a trial, and a partial answer is an
error, never a trial with triples missing. Cross-trial checks assume the endpoint's default
graph is the union of its named graphs, which the client checks (DESIGN.md: Oxigraph
``--union-default-graph``, Fuseki ``unionDefaultGraph``, Virtuoso and GraphDB by default).
Credentials and the timeout come from the environment, as for ``kg query --endpoint``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import EndpointError
from kg.queries import Cell, with_values
from kg.remote import ENV_TIMEOUT, select
from kg.remote import Endpoint as RemoteEndpoint
from kg.validate._engine import TRIAL_GRAPH, TrialGraph

__all__ = ["Endpoint"]

_TRIAL_GRAPHS = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g prov:wasDerivedFrom ?source } } ORDER BY ?g
"""
_GRAPH_TRIPLES = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
_DEFAULT_TIMEOUT = 120.0  # cross-trial checks read the whole endpoint


def _rdflib_term(cell: Cell) -> Node:
    if cell.kind == "uri":
        return URIRef(cell.value)
    if cell.kind == "bnode":
        return BNode(cell.value)
    if cell.lang:
        return Literal(cell.value, lang=cell.lang)
    if cell.datatype:
        return Literal(cell.value, datatype=URIRef(cell.datatype))
    return Literal(cell.value)


class Endpoint:
    """A SPARQL 1.1 query endpoint, read with POST requests, whole or not at all."""

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        """Prepare requests to ``url`` (credentials from the environment)."""
        if timeout is None and not os.environ.get(ENV_TIMEOUT):
            timeout = _DEFAULT_TIMEOUT
        self.url = url
        self.remote = RemoteEndpoint.from_env(url, timeout=timeout)

    def select(self, query: str) -> Iterator[dict[str, Node]]:
        """Yield every row of a SELECT query as rdflib terms by variable name."""
        table = select(self.remote, query, name="validate")
        for row in table.rows:
            yield {
                name: _rdflib_term(cell)
                for name, cell in zip(table.variables, row, strict=True)
                if cell is not None
            }

    def graph(self, name: str) -> bytes:
        """Return every triple of one named graph as N-Triples (read in pages if need be)."""
        query = with_values(_GRAPH_TRIPLES, {ox.Variable("g"): ox.NamedNode(name)})
        table = select(self.remote, query, name=f"graph {name}")
        blanks: dict[str, ox.BlankNode] = {}
        triples = []
        try:
            for row in table.rows:
                s, p, o = (_ox_term(cell, blanks) for cell in row)
                if not isinstance(p, ox.NamedNode) or isinstance(s, ox.Literal):
                    raise ValueError(f"not a triple: {s} {p} {o}")
                triples.append(ox.Triple(s, p, o))
        except ValueError as exc:
            raise EndpointError(f"{self.url}: graph {name}: {exc}") from exc
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def trial_graphs(self) -> Iterator[str]:
        """Yield the IRI of every trial graph."""
        for row in self.select(_TRIAL_GRAPHS):
            name = str(row.get("g", ""))
            if TRIAL_GRAPH.match(name):
                yield name

    def iter_trials(self) -> Iterator[TrialGraph]:
        """Yield one unit of work per trial graph of the endpoint."""
        for name in self.trial_graphs():
            m = TRIAL_GRAPH.match(name)
            if m is not None:
                yield TrialGraph(m["nct"], f"{m['base']}trial/{m['nct']}", self.graph(name))


def _ox_term(
    cell: Cell | None, blanks: dict[str, ox.BlankNode]
) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if cell is None:
        raise ValueError("a triple with an unbound term")
    if cell.kind == "uri":
        return ox.NamedNode(cell.value)
    if cell.kind == "bnode":  # a server's own labels (Virtuoso: nodeID://...) are not N-Triples
        return blanks.setdefault(cell.value, ox.BlankNode())
    if cell.lang:
        return ox.Literal(cell.value, language=cell.lang)
    if cell.datatype:
        return ox.Literal(cell.value, datatype=ox.NamedNode(cell.datatype))
    return ox.Literal(cell.value)
