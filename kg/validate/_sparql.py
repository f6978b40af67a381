"""The fast engine's SHACL-SPARQL constraints: each one query per trial, run by pyoxigraph.

pyshacl runs a ``sh:sparql`` constraint with rdflib once per focus node (``$this`` bound), on
the rdflib graph of a whole batch; that was half of what the fast engine left to pyshacl. Here the
query runs once per trial, over that trial's kept triples only (a named graph of a small in-memory
pyoxigraph store, the query's default graph), with ``$this`` left free; the rows whose ``$this``
is a focus node of the shape's targets are the results, deduplicated as pyshacl does.

Leaving ``$this`` free gives the rows pre-binding it gives only if every solution of the query's
pattern binds ``$this`` from a triple pattern (not only in an ``OPTIONAL``, a ``MINUS``, a
``FILTER`` or a subquery); :func:`compile_sparql` checks that on the query's algebra, and a shape
whose query it cannot prove so (or that uses ``$value``, ``$PATH``, ``$currentShape``,
``$shapesGraph``, a property shape, a variable predicate) stays with pyshacl.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable

from kg.validate._convert import rdflib_term
from kg.validate._results import RawResult
from kg.validate._shapes import _query_iris, _sparql_prefixes, _with_prefixes
from kg.validate._units import Spo

__all__ = ["SparqlShape", "SparqlUnsupportedError", "compile_sparql", "sparql_results"]

_THIS = Variable("this")
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_SPARQL_COMPONENT = str(SH.SPARQLConstraintComponent)
# Pre-bound variables this engine does not bind (SHACL 5.3.1); $this is the one it handles.
_OTHER_PREBOUND = ("$value", "$PATH", "$currentShape", "$shapesGraph")
_PROJECTED = frozenset({Variable("this"), Variable("path"), Variable("value")})
# Algebra operators that keep their inner pattern's solutions (with or without some of them).
_PASS = frozenset({"Filter", "Extend", "Project", "Distinct", "Reduced", "Slice", "OrderBy"})
_PASS |= frozenset({"ToMultiSet", "SelectQuery"})
_INERT = frozenset({SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group})
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


class SparqlUnsupportedError(Exception):
    """A SPARQL-based shape this engine cannot run exactly as pyshacl: pyshacl runs it."""


@dataclass(frozen=True, slots=True)
class SparqlShape:
    """A targeted node shape whose only constraint is one ``sh:sparql`` SELECT."""

    key: str
    targets: tuple[tuple[str, ox.NamedNode], ...]  # (sh:targetClass..., the target's IRI)
    query: str  # with the shapes graph's declared prefixes
    severity: str
    message: str
    predicates: frozenset[ox.NamedNode]  # the only predicates the query can match


def _binds_this(node: Any) -> bool:
    """Say whether every solution of an algebra pattern binds ``$this`` from a triple pattern."""
    if not isinstance(node, CompValue):
        return False
    name = node.name
    if name == "BGP":
        return any(_THIS in (s, o) for s, _, o in node.triples)
    if name in _PASS:
        return _binds_this(node.p)
    if name in ("Join", "LeftJoin", "Minus"):
        return _binds_this(node.p1) or (name == "Join" and _binds_this(node.p2))
    if name == "Union":
        return _binds_this(node.p1) and _binds_this(node.p2)
    return False


def _triples(node: Any) -> Iterator[tuple[Any, Any, Any]]:
    """Yield every triple pattern of a parsed query, in patterns and expressions alike."""
    if isinstance(node, CompValue):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                for t in value:
                    if not (isinstance(t, list | tuple) and len(t) == 3):
                        raise SparqlUnsupportedError(f"a triple pattern read as {t!r}")
                    yield t[0], t[1], t[2]
            else:
                yield from _triples(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _triples(item)


def _path_iris(path: Any) -> Iterator[URIRef]:
    if isinstance(path, URIRef):
        yield path
    elif isinstance(path, SequencePath | AlternativePath):
        for arg in path.args:
            yield from _path_iris(arg)
    elif isinstance(path, InvPath | MulPath):
        yield from _path_iris(path.arg if isinstance(path, InvPath) else path.path)
    else:  # a variable, a negated path: any predicate can match
        raise SparqlUnsupportedError(f"predicate {path!r}")


def compile_sparql(g: Graph, node: Node, messages: dict[str, str]) -> SparqlShape:
    """Compile a targeted node shape whose only constraint is one ``sh:sparql`` SELECT.

    Raises:
        SparqlUnsupportedError: anything else (pyshacl then runs the shape).
    """
    if not isinstance(node, URIRef):
        raise SparqlUnsupportedError("a blank shape")
    if g.value(node, SH.path) is not None:
        raise SparqlUnsupportedError("a property shape")
    constraints = list(g.objects(node, SH.sparql))
    if len(constraints) != 1:
        raise SparqlUnsupportedError(f"{len(constraints)} sh:sparql constraints")
    for param, _ in g.predicate_objects(node):
        if str(param).startswith(str(SH)) and param not in _INERT | {SH.sparql, *_TARGETS}:
            raise SparqlUnsupportedError(f"parameter {param} beside sh:sparql")
    constraint = constraints[0]
    for param, value in g.predicate_objects(constraint):
        if param == SH.deactivated and value != Literal(False):
            raise SparqlUnsupportedError("a deactivated constraint")
        if param == SH.message:
            raise SparqlUnsupportedError("a constraint's own sh:message")
    select = g.value(constraint, SH.select)
    message = messages.get(str(node), "")
    if not isinstance(select, Literal) or not message:
        raise SparqlUnsupportedError("no sh:select, or no sh:message")
    text = str(select)
    if any(v in text for v in _OTHER_PREBOUND):
        raise SparqlUnsupportedError("a pre-bound variable other than $this")
    prefixes = _sparql_prefixes(g, constraint)
    query = _with_prefixes(prefixes, text)
    parsed = prepareQuery(query).algebra
    if parsed.name != "SelectQuery" or _THIS not in parsed.PV or not _binds_this(parsed.p):
        raise SparqlUnsupportedError("$this is not bound by a triple pattern of every solution")
    if not set(parsed.PV) <= _PROJECTED:  # pyshacl's ?failure, or its deduplication by them
        raise SparqlUnsupportedError("a projected variable other than $this, ?path, ?value")
    predicates: set[URIRef] = set()
    for _, p, _ in _triples(parsed):
        predicates.update(_path_iris(p))
    iris = _query_iris(prefixes, text)
    targets = tuple(
        (str(kind), ox.NamedNode(str(value)))
        for kind in _TARGETS
        for value in g.objects(node, kind)
        if isinstance(value, URIRef)
    )
    if not targets:
        raise SparqlUnsupportedError("no target")
    return SparqlShape(
        key=str(node),
        targets=targets,
        query=query,
        severity=str(g.value(node, SH.severity) or SH.Violation),
        message=message,
        predicates=frozenset(ox.NamedNode(i) for i in iris | {str(p) for p in predicates}),
    )


class _Index:
    """Look-ups over one trial's kept quads for the targets of SPARQL shapes."""

    def __init__(self, triples: Sequence[Spo]) -> None:
        self.by_p: dict[ox.NamedNode, list[Spo]] = {}
        for t in triples:
            self.by_p.setdefault(t[1], []).append(t)
        self.types: dict[Any, set[Any]] = {}  # class -> its instances
        for s, _, o in self.by_p.get(_RDF_TYPE, ()):
            self.types.setdefault(o, set()).add(s)

    def focus(self, shape: SparqlShape) -> set[Any]:
        out: set[Any] = set()
        for kind, value in shape.targets:
            if kind == str(SH.targetNode):
                out.add(value)
            elif kind == str(SH.targetClass):
                out |= self._instances(value)
            elif kind == str(SH.targetSubjectsOf):
                out.update(t[0] for t in self.by_p.get(value, ()))
            else:
                out.update(t[2] for t in self.by_p.get(value, ()))
        return out

    def _instances(self, cls: ox.NamedNode) -> set[Any]:
        """Instances of a class and its subclasses (``rdfs:subClassOf`` in the data), as pyshacl."""
        subclasses: dict[Any, list[Any]] = {}
        for s, _, o in self.by_p.get(_SUBCLASS, ()):
            subclasses.setdefault(o, []).append(s)
        classes = {cls}
        todo = [cls]
        while todo:
            for sub in subclasses.get(todo.pop(), ()):
                if sub not in classes:
                    classes.add(sub)
                    todo.append(sub)
        return set().union(*(self.types.get(c, ()) for c in classes))


@functools.cache
def _member_graph(k: int) -> ox.NamedNode:
    return ox.NamedNode(f"urn:x-kg-validate:trial:{k}")


def sparql_results(
    shapes: Sequence[SparqlShape],
    members: Sequence[Sequence[Spo]],
    keeps: Callable[[str, str], bool] | None = None,
) -> list[list[RawResult]]:
    """Run the SPARQL shapes on each trial's quads; return each trial's results.

    ``keeps``: the triples pyshacl would be given (``kg.validate.Shapes.keeps``), default all.
    """
    out: list[list[RawResult]] = [[] for _ in members]
    if not shapes:
        return out
    wanted = frozenset({_RDF_TYPE, _SUBCLASS}).union(*(s.predicates for s in shapes))
    store = ox.Store()
    indexes = []
    for k, triples in enumerate(members):
        mine = [
            t
            for t in triples
            if t[1] in wanted
            and not isinstance(t[0], ox.Triple)  # RDF-star: pyshacl is never given it
            and not isinstance(t[2], ox.Triple)
            and (keeps is None or keeps(t[1].value, t[2].value))
        ]
        graph = _member_graph(k)
        store.extend(ox.Quad(s, p, o, graph) for s, p, o in mine)
        indexes.append(_Index(mine))
    for k, index in enumerate(indexes):
        for shape in shapes:
            focus = index.focus(shape)
            if focus:
                out[k].extend(_run(store, shape, _member_graph(k), focus))
    return out


def _path_text(path: Any) -> str:
    """Write ``?path`` as pyshacl's report does (an IRI in angle brackets)."""
    if path is None:
        return ""
    if isinstance(path, ox.NamedNode):
        return f"<{path.value}>"
    return str(rdflib_term(path))


def _run(
    store: ox.Store, shape: SparqlShape, graph: ox.NamedNode, focus: set[Any]
) -> Iterator[RawResult]:
    solutions = store.query(shape.query, default_graph=graph)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"{shape.key}: not a SELECT query")
    seen: set[tuple[Any, Any, Any]] = set()
    for row in solutions:
        this, path, value = row["this"], row["path"], row["value"]
        key = (this, path, value)
        if this not in focus or key in seen:  # pyshacl drops a row equal to one before
            continue
        seen.add(key)
        node = rdflib_term(this)
        yield RawResult(
            focus=node,
            path=_path_text(path),
            value=node if value is None else rdflib_term(value),
            severity=shape.severity,
            shape=shape.key,
            component=_SPARQL_COMPONENT,
            message=shape.message,
        )
