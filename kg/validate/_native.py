"""The fast engine's batch without rdflib literals: only the values a constraint judges convert.

``_engine._Batch`` converts every kept triple of a batch to rdflib terms so pyshacl or the
compiled shapes can read it: a fifth of the fast engine's time at 100,000 trials, most of it
creating rdflib literals (an rdflib ``Literal`` parses its lexical form; a ``URIRef`` checks its
characters). The compiled shapes follow and compare IRIs and blank nodes, which become rdflib
terms here without the checks (pyoxigraph has already validated them); a literal stays a
pyoxigraph term until a constraint judges its value (datatype, ``sh:in``, patterns, ranges,
``sh:hasValue``, property pairs: ``Data.rd``), then it is converted once per process (cached).
The shapes are compiled for such data by :func:`kg.validate._fast.native_plan`.

What tells the two term systems apart is made up for here:

- rdflib equates typed literals whose lexical forms it normalises to the same value
  (``"01"^^xsd:integer`` and ``"1"^^xsd:integer``), so pyshacl sees one value node where
  pyoxigraph has two: typed literals other than strings (which rdflib does not normalise) are
  indexed as their rdflib terms.
- pyoxigraph types a plain string ``xsd:string``; the value rules see the plain rdflib literal
  (``kg.validate._convert.rdflib_term``), as pyshacl does.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib.term import Node

from kg.validate._convert import rdflib_term
from kg.validate._fast import native_plan
from kg.validate._rules import SUBCLASS, TYPE
from kg.validate._shapes import load_shapes
from kg.validate._units import Spo

__all__ = ["native_ready", "native_term", "native_triples", "rd"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
_MOST = 200_000  # terms cached per process before the cache starts again
_RD: dict[ox.Literal, Node] = {}
# predicate -> (0 dropped, 1 kept, 2 kept when its object is a class of the shapes; its URIRef)
_PREDICATES: dict[ox.NamedNode, tuple[int, URIRef]] = {}
_DROP, _KEEP, _BY_OBJECT = 0, 1, 2


def rd(term: Any) -> Node:
    """Return the rdflib term of a value of the native batch (a pyoxigraph literal is converted).

    Run inside ``quiet_literals()``: an ill-typed literal is the point of validating.
    """
    if type(term) is not ox.Literal:
        return term  # type: ignore[no-any-return]
    found = _RD.get(term)
    if found is None:
        if len(_RD) >= _MOST:
            _RD.clear()
        found = _RD[term] = rdflib_term(term)
    return found


def native_ready() -> bool:
    """Say whether the native batch's plan checks every shape (nothing left to pyshacl)."""
    return native_plan().reduced is None


@functools.cache
def _vocabulary() -> dict[str, URIRef]:
    """The shapes' IRIs as the compiled shapes hold them (one object each: see ``native_term``)."""
    out = {str(t): t for t in load_shapes().vocabulary if isinstance(t, URIRef)}
    out.update({str(TYPE): TYPE, str(SUBCLASS): SUBCLASS})
    return out


def _predicate(p: ox.NamedNode) -> tuple[int, URIRef]:
    found = _PREDICATES.get(p)
    if found is None:
        iri = p.value
        kind = _BY_OBJECT if iri == _RDF_TYPE else _KEEP
        if kind == _KEEP and iri not in load_shapes().predicates:
            kind = _DROP
        if len(_PREDICATES) >= _MOST:
            _PREDICATES.clear()
        found = _PREDICATES[p] = (kind, _vocabulary().get(iri) or URIRef(iri))
    return found


def native_triples(triples: Sequence[Spo], cache: dict[Any, Any]) -> list[tuple[Node, Node, Any]]:
    """Return the triples the shapes can read (``Shapes.keeps``) as the native batch holds them.

    IRIs and blank nodes as rdflib terms, string literals as pyoxigraph terms, other literals as
    rdflib terms; ``cache``: the term of each pyoxigraph term met so far in the batch (one rdflib
    object per term: rdflib compares terms in Python where two objects are not the same).
    RDF-star triples are left out (SHACL does not apply to them).
    """
    classes = load_shapes().classes
    out: list[tuple[Node, Node, Any]] = []
    o: Any
    for s, p, o in triples:
        kind, predicate = _predicate(p)
        if kind == _DROP:
            continue
        if type(o) is ox.Triple or type(s) is ox.Triple:
            continue
        if kind == _BY_OBJECT and o.value not in classes:
            continue
        subject = cache.get(s)
        if subject is None:
            subject = cache[s] = native_term(s)
        value = cache.get(o)
        if value is None:
            value = cache[o] = native_term(o)
        out.append((subject, predicate, value))
    return out


def native_term(term: Any) -> Any:
    """Return a pyoxigraph term as the native batch holds it (see :func:`native_triples`)."""
    kind = type(term)
    if kind is ox.NamedNode:
        # A class of the shapes as the shapes' own object: rdflib compares two objects of one IRI
        # in Python (sh:class, targets); an IRI pyoxigraph has checked needs no check again.
        iri = term.value
        return _vocabulary().get(iri) or str.__new__(URIRef, iri)
    if kind is ox.BlankNode:
        return str.__new__(BNode, term.value)
    if term.language is None and term.datatype != _XSD_STRING:
        return rd(term)
    return term
