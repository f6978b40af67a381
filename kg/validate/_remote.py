"""Read trial graphs and run cross-trial checks at a SPARQL 1.1 endpoint (SPARQLWrapper).

A trial graph is a named graph that states its own provenance (``?g prov:wasDerivedFrom ?source``
inside ``?g``), as every graph ``kg build`` and ``kg push`` write does. Each is fetched with one
``CONSTRUCT`` whose graph IRI is bound through a ``VALUES`` block (:func:`kg.queries.with_values`),
never pasted into the query text. Cross-trial checks assume the endpoint's default graph is the
union of its named graphs (DESIGN.md: Oxigraph ``--union-default-graph``, Fuseki
``unionDefaultGraph``, Virtuoso and GraphDB by default).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.error import URLError

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import EndpointError
from kg.queries import with_values
from kg.validate._engine import TRIAL_GRAPH, TrialGraph

__all__ = ["Endpoint"]

log = logging.getLogger(__name__)

_PAGE = 10_000
_TRIAL_GRAPHS = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g prov:wasDerivedFrom ?source } } ORDER BY ?g
"""
_GRAPH_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _term(binding: dict[str, str]) -> Node:
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


class Endpoint:
    """A SPARQL 1.1 query endpoint, read with POST requests."""

    def __init__(self, url: str, *, timeout: int = 120) -> None:
        self.url = url
        self.timeout = timeout

    def _request(self, query: str, fmt: str) -> Any:
        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setTimeout(self.timeout)
        client.setQuery(query)
        client.setReturnFormat(fmt)
        try:
            return client.query().response.read()
        except (SPARQLWrapperException, URLError, OSError, ValueError) as exc:
            raise EndpointError(f"{self.url}: {exc}") from exc

    def select(self, query: str) -> Iterator[dict[str, Node]]:
        """Yield the rows of a SELECT query as rdflib terms by variable name."""
        body = self._request(query, JSON)
        try:
            rows = json.loads(body)["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as exc:
            raise EndpointError(f"{self.url}: not a SPARQL JSON result: {exc}") from exc
        for row in rows:
            yield {name: _term(binding) for name, binding in row.items()}

    def graph(self, name: str) -> bytes:
        """Return the triples of one named graph as N-Triples."""
        query = with_values(_GRAPH_TRIPLES, {ox.Variable("g"): ox.NamedNode(name)})
        body = self._request(query, TURTLE)
        try:
            triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise EndpointError(f"{self.url}: graph {name}: not Turtle: {exc}") from exc
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def trial_graphs(self) -> Iterator[str]:
        """Yield the IRI of every trial graph, a page of results at a time."""
        offset = 0
        while True:
            # Integers from this loop, not user input: safe to write into the query.
            page = f"{_TRIAL_GRAPHS} LIMIT {_PAGE} OFFSET {offset}"
            names = [str(row["g"]) for row in self.select(page) if "g" in row]
            yield from (n for n in names if TRIAL_GRAPH.match(n))
            if len(names) < _PAGE:
                return
            offset += _PAGE

    def iter_trials(self) -> Iterator[TrialGraph]:
        """Yield one unit of work per trial graph of the endpoint."""
        for name in self.trial_graphs():
            m = TRIAL_GRAPH.match(name)
            if m is not None:
                yield TrialGraph(m["nct"], f"{m['base']}trial/{m['nct']}", self.graph(name))
