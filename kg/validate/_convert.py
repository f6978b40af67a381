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

The graph is backed by :class:`TripleIndex`, not rdflib's ``Memory`` store: pyshacl only reads its
data graph, and ``Memory`` pays for named graphs and events on every add and every match (a quarter
of the validation time, profiled).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.store import Store
from rdflib.term import Node

from kg.validate._units import Spo, as_spo

__all__ = [
    "CachingGraph",
    "TripleIndex",
    "graph_of",
    "quiet_literals",
    "rdflib_term",
    "rdflib_triples",
    "to_rdflib",
]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDFLIB_TERM_LOG = logging.getLogger("rdflib.term")


class _DropLexicalWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


_FILTER = _DropLexicalWarnings()


@contextlib.contextmanager
def quiet_literals() -> Iterator[None]:
    """Drop rdflib's log record for each ill-typed literal converted inside the block."""
    _RDFLIB_TERM_LOG.addFilter(_FILTER)
    try:
        yield
    finally:
        _RDFLIB_TERM_LOG.removeFilter(_FILTER)


@functools.lru_cache(maxsize=64)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


Triple = tuple[Node, Node, Node]
_Index = dict[Node, dict[Node, set[Node]]]
_NO_CONTEXTS: tuple[Graph, ...] = ()


class TripleIndex(Store):
    """An in-memory rdflib store of triples: three indexes, no named graphs, no events.

    The object-first index is built on the first look-up that needs it (the fast engine never
    does; pyshacl does).

    >>> graph = Graph(store=TripleIndex(), bind_namespaces="none")
    >>> s, p = URIRef("https://example.org/s"), URIRef("https://example.org/p")
    >>> for value in ("a", "b", "a"):
    ...     _ = graph.add((s, p, Literal(value)))
    >>> len(graph), sorted(graph.objects(s, p))
    (2, [rdflib.term.Literal('a'), rdflib.term.Literal('b')])
    >>> graph.remove((s, p, Literal("a")))  # doctest: +ELLIPSIS
    <Graph ...>
    >>> len(graph), list(graph.subjects(None, Literal("b"))), list(graph.subjects(None, s))
    (1, [rdflib.term.URIRef('https://example.org/s')], [])
    """

    # pyshacl wraps its data graph in an rdflib Dataset, which asserts both; every context of
    # this store sees its one graph.
    context_aware = True
    graph_aware = True

    def __init__(self) -> None:
        super().__init__()
        self._spo: _Index = {}
        self._pos: _Index = {}
        self._osp_index: _Index | None = None
        self._size = 0

    @property
    def _osp(self) -> _Index:
        if self._osp_index is None:
            osp: _Index = {}
            for s, by_p in self._spo.items():
                for p, objects in by_p.items():
                    for o in objects:
                        osp.setdefault(o, {}).setdefault(s, set()).add(p)
            self._osp_index = osp
        return self._osp_index

    def add_all(self, triples: Iterable[Triple]) -> None:
        """Add triples (as :meth:`add` does each, without a call per triple)."""
        spo, pos = self._spo, self._pos
        self._osp_index = None
        added = 0
        for s, p, o in triples:
            by_p = spo.get(s)
            if by_p is None:
                by_p = spo[s] = {}
            objects = by_p.get(p)
            if objects is None:
                objects = by_p[p] = set()
            elif o in objects:
                continue
            objects.add(o)
            by_o = pos.get(p)
            if by_o is None:
                by_o = pos[p] = {}
            subjects = by_o.get(o)
            if subjects is None:
                by_o[o] = {s}
            else:
                subjects.add(s)
            added += 1
        self._size += added

    def add(self, triple: Triple, context: Any = None, quoted: bool = False) -> None:
        """Add a triple (the context is ignored: the store holds one graph)."""
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, set())
        if o in objects:
            return
        objects.add(o)
        self._pos.setdefault(p, {}).setdefault(o, set()).add(s)
        if self._osp_index is not None:
            self._osp_index.setdefault(o, {}).setdefault(s, set()).add(p)
        self._size += 1

    def remove(self, pattern: Any, context: Any = None) -> None:
        """Remove every triple matching the pattern."""
        osp = self._osp  # built before any triple goes
        for s, p, o in list(self._match(*pattern)):
            self._spo[s][p].discard(o)
            self._pos[p][o].discard(s)
            osp[o][s].discard(p)
            self._size -= 1

    def _match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        if s is not None:
            by_p = self._spo.get(s, {})
            if p is not None:
                objects = by_p.get(p, ())
                if o is None:
                    yield from ((s, p, x) for x in objects)
                elif o in objects:
                    yield s, p, o
            elif o is not None:
                yield from ((s, x, o) for x in self._osp.get(o, {}).get(s, ()))
            else:
                yield from ((s, x, y) for x, ys in by_p.items() for y in ys)
        elif p is not None:
            by_o = self._pos.get(p, {})
            if o is not None:
                yield from ((x, p, o) for x in by_o.get(o, ()))
            else:
                yield from ((x, p, y) for y, xs in by_o.items() for x in xs)
        elif o is not None:
            yield from ((x, y, o) for x, ys in self._osp.get(o, {}).items() for y in ys)
        else:
            for x, by_p in self._spo.items():
                yield from ((x, y, z) for y, zs in by_p.items() for z in zs)

    def triples(self, pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Any]]:
        """Yield the triples matching a pattern (``None`` matches anything), without contexts."""
        for t in self._match(*pattern):
            yield t, iter(_NO_CONTEXTS)

    def __len__(self, context: Any = None) -> int:
        """Return the number of triples."""
        return self._size

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        """Yield no named graphs: the store holds one graph."""
        yield from _NO_CONTEXTS


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


def rdflib_triples(
    triples: Iterable[ox.Quad | ox.Triple | Spo],
    keep: Callable[[str, str], bool] | None = None,
    cache: dict[object, Node] | None = None,
) -> list[Triple]:
    """Return the rdflib triples of pyoxigraph quads or triples (graph names dropped).

    Args:
        triples: pyoxigraph quads or triples, or (subject, predicate, object) tuples.
        keep: called with the predicate IRI and the object's text; a triple it refuses is left
            out (the vocabulary the shapes read, see ``kg.validate.Shapes.keeps``).
        cache: the rdflib term of each pyoxigraph term met so far, shared between calls.
    """
    terms: dict[object, Node] = {} if cache is None else cache

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        found = terms.get(t)
        if found is None:
            found = terms[t] = rdflib_term(t)
        return found

    out: list[Triple] = []
    with quiet_literals():
        for s, p, o in as_spo(triples):
            if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
                continue  # RDF-star: kg never writes it, and SHACL does not apply to it
            if keep is not None and not keep(p.value, o.value):
                continue
            out.append((term(s), term(p), term(o)))
    return out


def graph_of(triples: Iterable[Triple]) -> CachingGraph:
    """Return a graph of rdflib triples, backed by a :class:`TripleIndex`."""
    store = TripleIndex()
    store.add_all(triples)
    return CachingGraph(store=store, bind_namespaces="none")


def to_rdflib(
    triples: Iterable[ox.Quad | ox.Triple | Spo], keep: Callable[[str, str], bool] | None = None
) -> CachingGraph:
    """Return an rdflib graph of the triples (graph names dropped), for pyshacl.

    Args:
        triples: pyoxigraph quads or triples.
        keep: called with the predicate IRI and the object's text; a triple it refuses is left
            out (the vocabulary the shapes read, see ``kg.validate.Shapes.keeps``).
    """
    return graph_of(rdflib_triples(triples, keep))
