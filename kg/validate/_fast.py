"""The fast engine: the common SHACL Core constraints checked in Python, pyshacl for the rest.

pyshacl spends most of a run setting up shapes, building a results graph and walking its own
abstractions; the Core constraints our shapes use are set look-ups. This module compiles each
targeted shape of ``ontology/shapes.ttl`` into Python checks over the same rdflib graph pyshacl
would see (:class:`kg.validate._convert.TripleIndex`), with pyshacl's own semantics (its datatype,
pattern, range and property-pair rules, copied or imported from it) so both give the same results.

What cannot be compiled is never skipped: a shape (or one ``sh:property`` of a node shape) that uses
a parameter this engine does not implement (SHACL-SPARQL, ``sh:closed``, ``sh:qualifiedValueShape``,
``sh:languageIn``...) stays in a reduced shapes graph that pyshacl runs, with every compiled shape's
targets (or its compiled ``sh:property`` links) taken out of it. :func:`plan` says which is which.

Units of compilation are a targeted property shape, a targeted node shape's own constraints, and
each ``sh:property`` of a targeted node shape. Splitting a node shape is only done when no other
shape refers to it (so removing its parameters from pyshacl's graph changes nothing else).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from kg.validate._results import RawResult
from kg.validate._rules import (
    NATIVE_KINDS,
    NODE_KINDS,
    Constraint,
    Data,
    Path,
    datatype_ok,
    less_or_equal,
    pattern_text,
    value_range,
)
from kg.validate._shapes import load_shapes, path_text
from kg.validate._sparql import SparqlShape, SparqlUnsupportedError, compile_sparql

__all__ = [
    "Plan",
    "RawResult",
    "UnsupportedError",
    "compile_shapes",
    "fast_results",
    "native_plan",
    "plan",
    "run_units",
]


class UnsupportedError(Exception):
    """A shape uses something the fast engine does not implement: pyshacl checks it."""


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# sh: predicates of a shape that do not constrain (or that the compiler reads itself).
_INERT = frozenset(
    {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
    | set(_TARGETS)
    | {SH.path, SH.flags, SH.deactivated, SH.property}
)
_CLASSES = frozenset({RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")})


@dataclass(slots=True)
class Compiled:
    """A compiled shape: its path, constraints (with component IRIs) and sh:property shapes."""

    key: str
    path: Path | None
    path_text: str
    severity: str
    message: str
    constraints: list[tuple[str, Constraint]] = field(default_factory=list)
    properties: list[Compiled] = field(default_factory=list)

    def validate(self, data: Data, focus: Any) -> list[RawResult]:
        values = self.path(data, focus) if self.path is not None else {focus}
        out = [
            RawResult(focus, self.path_text, v, self.severity, self.key, comp, self.message)
            for comp, check in self.constraints
            for v in check(data, focus, values)
        ]
        for prop in self.properties:
            for v in values:
                out.extend(prop.validate(data, v))
        return out

    def conforms(self, data: Data, focus: Any) -> bool:
        return not self.validate(data, focus)


def _list(g: Graph, node: Node) -> list[Node]:
    return list(Collection(g, node))


def _one(g: Graph, shape: Node, prop: URIRef) -> Node | None:
    values = list(g.objects(shape, prop))
    if len(values) > 1:
        raise UnsupportedError(f"{len(values)} values of {prop}")
    return values[0] if values else None


def _compile_path(g: Graph, node: Node) -> Path:
    if isinstance(node, URIRef):
        return lambda d, f: set(d.objects(f, node))
    if (node, RDF.first, None) in g:
        steps = [_compile_path(g, item) for item in _list(g, node)]

        def sequence(d: Data, f: Node) -> set[Node]:
            current = {f}
            for step in steps:
                current = {v for c in current for v in step(d, c)}
            return current

        return sequence
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        options = [_compile_path(g, item) for item in _list(g, alternatives)]
        return lambda d, f: {v for option in options for v in option(d, f)}
    inverse = g.value(node, SH.inversePath)
    if isinstance(inverse, URIRef):
        return lambda d, f: set(d.subjects(inverse, f))
    raise UnsupportedError(f"path {path_text(g, node)}")


class _Compiler:
    """Compile shapes for rdflib data, or (``native``) for data whose literals are pyoxigraph terms.

    Native checks judge values through ``Data.rd``, their rdflib terms, so both give the same
    results (``kg.validate._native``).
    """

    def __init__(self, g: Graph, messages: dict[str, str], native: bool = False) -> None:
        self.g = g
        self.messages = messages
        self.kinds = NATIVE_KINDS if native else NODE_KINDS
        self.literal: tuple[type, ...] = (Literal, ox.Literal) if native else (Literal,)

    def shape(self, node: Node, *, nested: bool, own: bool = True, props: bool = True) -> Compiled:
        """Compile a shape; ``own``/``props``: its own constraints, its sh:property shapes."""
        g = self.g
        for kind in g.objects(node, RDF.type):
            if kind in _CLASSES:
                raise UnsupportedError("implicit class target")
        if _one(g, node, SH.deactivated) not in (None, Literal(False)):
            raise UnsupportedError("deactivated")
        if nested and _one(g, node, SH.severity) is not None:
            raise UnsupportedError("a nested shape with a severity (allow_warnings: it conforms)")
        key = str(node)
        message = self.messages.get(key, "") if isinstance(node, URIRef) else ""
        path_node = _one(g, node, SH.path)
        compiled = Compiled(
            key=key,
            path=_compile_path(g, path_node) if path_node is not None else None,
            path_text=path_text(g, path_node) if path_node is not None else "",
            severity=str(_one(g, node, SH.severity) or SH.Violation),
            message=message,
        )
        if own:
            for param, value in sorted(g.predicate_objects(node), key=lambda pv: str(pv[0])):
                if param in _INERT or not str(param).startswith(str(SH)):
                    continue
                compiled.constraints.append(self.constraint(node, param, value))
            if not nested and not message and compiled.constraints:
                raise UnsupportedError("no sh:message (pyshacl would make its own)")
        if props:
            for prop in g.objects(node, SH.property):
                compiled.properties.append(self.property(prop, nested=nested))
        return compiled

    def property(self, node: Node, *, nested: bool) -> Compiled:
        if not nested and not isinstance(node, URIRef):
            raise UnsupportedError("a blank property shape (no source shape to report)")
        compiled = self.shape(node, nested=nested)
        if compiled.path is None:
            raise UnsupportedError("sh:property without sh:path")
        if not nested and not compiled.message and compiled.constraints:
            raise UnsupportedError("no sh:message")
        return compiled

    def members(self, value: Node) -> list[Compiled]:
        return [self.shape(m, nested=True) for m in _list(self.g, value)]

    def constraint(self, node: Node, param: Node, value: Node) -> tuple[str, Constraint]:
        g = self.g
        name = str(param)[len(str(SH)) :]
        component = f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent"
        check: Constraint
        if param in (SH.minCount, SH.maxCount):
            n = int(value)  # type: ignore[call-overload]
            if param == SH.minCount:
                check = lambda d, f, vs: [None] if len(vs) < n else []  # noqa: E731
            else:
                check = lambda d, f, vs: [None] if len(vs) > n else []  # noqa: E731
        elif param == SH.datatype:
            _one(g, node, SH.datatype)
            check = lambda d, f, vs: [  # noqa: E731
                v for v in vs if not datatype_ok(d.rd(v), value)
            ]
        elif param == SH["class"]:
            literal = self.literal
            check = lambda d, f, vs: [  # noqa: E731
                v for v in vs if isinstance(v, literal) or not d.is_instance(v, value)
            ]
        elif param == SH["in"]:
            allowed = set(_list(g, value))
            check = lambda d, f, vs: [v for v in vs if d.rd(v) not in allowed]  # noqa: E731
        elif param == SH.nodeKind:
            kinds = self.kinds.get(value) if isinstance(value, URIRef) else None
            if kinds is None:
                raise UnsupportedError(f"sh:nodeKind {value}")
            check = lambda d, f, vs: [v for v in vs if not isinstance(v, kinds)]  # noqa: E731
        elif param == SH.pattern:
            check = self._pattern(node, value)
        elif param in _RANGES:
            if not isinstance(value, Literal):
                raise UnsupportedError(f"{param} {value}")
            check = value_range(value, _RANGES[param])
        elif param == SH.hasValue:
            check = lambda d, f, vs: (  # noqa: E731
                [None] if value not in {d.rd(v) for v in vs} else []
            )
        elif param == SH.disjoint and isinstance(value, URIRef):
            check = lambda d, f, vs: [v for v in vs if v in set(d.objects(f, value))]  # noqa: E731
        elif param == SH.lessThanOrEquals and isinstance(value, URIRef):
            check = less_or_equal(value)
        elif param in _LOGICAL:
            check = self._logical(param, value)
        elif param == SH.node:
            inner = self.shape(value, nested=True)
            check = lambda d, f, vs: [v for v in vs if not inner.conforms(d, v)]  # noqa: E731
        else:
            raise UnsupportedError(f"parameter {param}")
        return component, check

    def _pattern(self, node: Node, value: Node) -> Constraint:
        _one(self.g, node, SH.pattern)
        flags_node = _one(self.g, node, SH.flags)
        flags = 0
        text = str(flags_node).lower() if flags_node is not None else ""
        flags |= re.I if "i" in text else 0
        flags |= re.M if "m" in text else 0
        matcher = re.compile(str(value), flags)
        return lambda d, f, vs: [
            v for v in vs if isinstance(v, BNode) or not matcher.search(pattern_text(d.rd(v)))
        ]

    def _logical(self, param: Node, value: Node) -> Constraint:
        if param == SH["not"]:
            inner = self.shape(value, nested=True)
            return lambda d, f, vs: [v for v in vs if inner.conforms(d, v)]
        members = self.members(value)
        if param == SH["or"]:
            return lambda d, f, vs: [v for v in vs if not any(m.conforms(d, v) for m in members)]
        if param == SH["and"]:
            return lambda d, f, vs: [v for v in vs if not all(m.conforms(d, v) for m in members)]
        return lambda d, f, vs: [v for v in vs if sum(m.conforms(d, v) for m in members) != 1]


_RANGES: dict[Node, Callable[[int], bool]] = {
    SH.minExclusive: lambda c: c > 0,
    SH.minInclusive: lambda c: c >= 0,
    SH.maxExclusive: lambda c: c < 0,
    SH.maxInclusive: lambda c: c <= 0,
}
_LOGICAL = (SH["or"], SH["and"], SH["not"], SH.xone)


@dataclass(frozen=True, slots=True)
class _Unit:
    """A compiled part of a targeted shape and the targets it runs on."""

    targets: tuple[tuple[URIRef, Node], ...]
    shape: Compiled


@dataclass(frozen=True, slots=True)
class Plan:
    """Which targeted shapes the fast engine checks and which pyshacl runs (and why)."""

    units: tuple[_Unit, ...]
    fallback: dict[str, str]  # shape (or "shape sh:property part") -> reason
    reduced: Graph | None  # pyshacl's shapes graph, None when nothing is left for it
    sparql: tuple[SparqlShape, ...] = ()  # SHACL-SPARQL shapes run by pyoxigraph, per trial

    @property
    def compiled(self) -> list[str]:
        """The keys of the compiled shapes (sh:property parts and SPARQL shapes included)."""
        out = []
        for unit in self.units:
            if unit.shape.constraints:
                out.append(unit.shape.key)
            out.extend(p.key for p in unit.shape.properties)
        out.extend(s.key for s in self.sparql)
        return out


def _referenced(g: Graph, node: Node) -> bool:
    return any(p != RDF.type for _, p in g.subject_predicates(node))


@functools.cache
def plan() -> Plan:
    """Compile the shapes of ``ontology/shapes.ttl`` once per process."""
    shapes = load_shapes()
    return compile_shapes(shapes.graph, shapes.messages)


@functools.cache
def native_plan() -> Plan:
    """Compile the shapes of ``ontology/shapes.ttl`` for the native batch, once per process."""
    shapes = load_shapes()
    return compile_shapes(shapes.graph, shapes.messages, native=True)


def compile_shapes(g: Graph, messages: dict[str, str], *, native: bool = False) -> Plan:
    """Compile the targeted shapes of a shapes graph; the rest goes to pyshacl's reduced graph.

    Args:
        g: the shapes graph.
        messages: the ``sh:message`` of each named shape (``kg.validate.Shapes.messages``).
        native: checks for data whose literals are pyoxigraph terms (:meth:`Data.native`).
    """
    compiler = _Compiler(g, messages, native)
    targeted = {s for t in _TARGETS for s in g.subjects(t, None)}
    units: list[_Unit] = []
    sparql: list[SparqlShape] = []
    fallback: dict[str, str] = {}
    drop: list[tuple[Node, Node, Node]] = []
    for node in sorted(targeted, key=str):
        if _one(g, node, SH.deactivated) == Literal(True):
            continue
        targets = tuple((t, v) for t in _TARGETS for v in g.objects(node, t))
        if (node, SH.sparql, None) in g and not _referenced(g, node):
            try:
                sparql.append(compile_sparql(g, node, messages))
            except SparqlUnsupportedError:
                pass  # compiled below as far as it can be; pyshacl runs the rest
            else:
                drop.extend((node, t, v) for t, v in targets)
                continue
        try:
            unit = compiler.shape(node, nested=False)
        except UnsupportedError as whole_reason:
            implicit = any(k in _CLASSES for k in g.objects(node, RDF.type))
            if implicit or _referenced(g, node) or g.value(node, SH.path) is not None:
                fallback[str(node)] = str(whole_reason)
                continue
            unit = _split(compiler, g, node, fallback, drop)
        else:
            drop.extend((node, t, v) for t, v in targets)
        units.append(_Unit(targets, unit))
    reduced: Graph | None = None
    if fallback:
        reduced = Graph()
        for triple in g:
            reduced.add(triple)
        for triple in drop:
            reduced.remove(triple)
    return Plan(tuple(units), fallback, reduced, tuple(sparql))


def _split(
    compiler: _Compiler,
    g: Graph,
    node: Node,
    fallback: dict[str, str],
    drop: list[tuple[Node, Node, Node]],
) -> Compiled:
    """Compile what can be of a node shape no other shape uses; leave the rest to pyshacl."""
    try:
        unit = compiler.shape(node, nested=False, props=False)
        params = [
            (p, v)
            for p, v in g.predicate_objects(node)
            if str(p).startswith(str(SH)) and p not in _INERT
        ]
        drop.extend((node, p, v) for p, v in params)
    except UnsupportedError as own_reason:
        unit = Compiled(str(node), None, "", str(SH.Violation), "")
        fallback[str(node)] = str(own_reason)
    for prop in g.objects(node, SH.property):
        try:
            unit.properties.append(compiler.property(prop, nested=False))
            drop.append((node, SH.property, prop))
        except UnsupportedError as prop_reason:
            fallback[f"{node} sh:property {prop}"] = str(prop_reason)
    return unit


def _focus_nodes(d: Data, targets: Iterable[tuple[URIRef, Node]]) -> set[Node]:
    out: set[Node] = set()
    for kind, value in targets:
        if kind == SH.targetNode:
            out.add(value)
        elif kind == SH.targetClass:
            out |= d.instances(value)
        elif kind == SH.targetSubjectsOf:
            for subjects in d.pos.get(value, {}).values():
                out.update(subjects)
        else:
            out.update(o for o, subjects in d.pos.get(value, {}).items() if subjects)
    return out


def fast_results(graph: Graph, compiled: Plan | None = None) -> list[RawResult]:
    """Validate a TripleIndex-backed graph against the compiled shapes (not the fallback ones).

    ``compiled``: the plan of another shapes graph (default: ``ontology/shapes.ttl``'s).
    """
    return run_units(Data(graph), compiled or plan())


def run_units(d: Data, compiled: Plan) -> list[RawResult]:
    """Validate data against a plan's compiled shapes (compiled for the data's terms)."""
    out: list[RawResult] = []
    for unit in compiled.units:
        for focus in _focus_nodes(d, unit.targets):
            out.extend(unit.shape.validate(d, focus))
    return out
