"""The one conversion from pyoxigraph terms to the rdflib graph pyshacl validates.

kg writes and stores RDF with pyoxigraph; pyshacl needs rdflib (PERFORMANCE-NOTES.md: pyshacl on a
pyoxigraph-backed graph was ~37x slower and reported false ``sh:in`` violations). Two traps live
here and nowhere else:

- pyoxigraph gives a plain string literal the datatype ``xsd:string``; rdflib does not equal
  ``"X"^^xsd:string`` to ``"X"``, so ``sh:in ("X")`` would fail. Plain strings become plain rdflib
  literals.
- rdflib logs a traceback for each ill-typed literal it meets (``"2019-02-30"^^xsd:date``).
  Reporting such literals is the point of validating, so those log records are dropped while
  converting (the literal keeps rdflib's ill-typed flag, which ``sh:datatype`` checks).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

__all__ = ["CachingGraph", "rdflib_term", "to_rdflib"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDFLIB_TERM_LOG = logging.getLogger("rdflib.term")


class _DropLexicalWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


_FILTER = _DropLexicalWarnings()


@functools.lru_cache(maxsize=64)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class CachingGraph(Graph):
    """An rdflib graph whose SPARQL queries are parsed once per process, not once per call.

    pyshacl hands each SPARQL constraint's text to ``Graph.query`` once per focus node, and rdflib
    parses it every time (~140 ms with pyparsing, far more than evaluating it on one trial).
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a SPARQL query, parsing a query text only the first time it is seen."""
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """Return the rdflib term of a pyoxigraph term; a plain string stays a plain literal.

    >>> rdflib_term(ox.Literal("X")) == Literal("X")
    True
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_rdflib(
    triples: Iterable[ox.Quad | ox.Triple], keep: Callable[[str, str], bool] | None = None
) -> CachingGraph:
    """Return an rdflib graph of the triples (graph names dropped), for pyshacl.

    Args:
        triples: pyoxigraph quads or triples.
        keep: called with the predicate IRI and the object's text; a triple it refuses is left
            out (the vocabulary the shapes read, see ``kg.validate.Shapes.keeps``).
    """
    graph = CachingGraph()
    cache: dict[object, Node] = {}

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        found = cache.get(t)
        if found is None:
            found = cache[t] = rdflib_term(t)
        return found

    add = graph.add
    _RDFLIB_TERM_LOG.addFilter(_FILTER)
    try:
        for t in triples:
            if isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple):
                continue  # RDF-star: kg never writes it, and SHACL does not apply to it
            if keep is not None and not keep(t.predicate.value, t.object.value):
                continue
            add((term(t.subject), term(t.predicate), term(t.object)))
    finally:
        _RDFLIB_TERM_LOG.removeFilter(_FILTER)
    return graph
