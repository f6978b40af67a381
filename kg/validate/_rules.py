"""Value-level rules of the fast engine, with pyshacl's semantics (see ``kg.validate._fast``).

Look-ups over the batch graph's :class:`kg.validate._convert.TripleIndex`, and the tests of one
value node that pyshacl's constraint components make (datatype, pattern text, literal ranges,
property pairs), copied from pyshacl 0.40 so both engines give the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from pyshacl.rdfutil.compare import compare_literal
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kg.validate._convert import TripleIndex

__all__ = [
    "NATIVE_KINDS",
    "NODE_KINDS",
    "SUBCLASS",
    "TYPE",
    "Constraint",
    "Data",
    "Path",
    "datatype_ok",
    "less_or_equal",
    "pattern_text",
    "value_range",
]

NODE_KINDS = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}
# The kinds in the native batch (``kg.validate._native``), where literals stay pyoxigraph terms.
NATIVE_KINDS = {
    kind: (*types, ox.Literal) if Literal in types else types for kind, types in NODE_KINDS.items()
}


# One object each (rdflib compares two objects of one IRI in Python; namespaces make new ones).
TYPE = RDF.type
SUBCLASS = RDFS.subClassOf


def _as_is(node: Any) -> Any:
    return node


class Data:
    """Look-ups over one :class:`TripleIndex` graph (the batch pyshacl would validate).

    Or over the same indexes with the literals left pyoxigraph terms (:meth:`native`): ``rd``
    gives the rdflib term of a value, which the value-level rules (datatype, ``sh:in``,
    patterns, ranges, ``sh:hasValue``, property pairs) judge with pyshacl's semantics.
    """

    def __init__(self, graph: Graph) -> None:
        store = graph.store
        if not isinstance(store, TripleIndex):
            raise TypeError("the fast engine reads a TripleIndex-backed graph")
        self.spo = store._spo
        self.pos = store._pos
        self.rd: Callable[[Any], Node] = _as_is

    @classmethod
    def native(cls, graph: Graph, rd: Callable[[Any], Node]) -> Data:
        """Return look-ups over a graph whose literals may be pyoxigraph terms (``rd`` converts)."""
        data = cls(graph)
        data.rd = rd
        return data

    def objects(self, s: Node, p: Node) -> Iterable[Node]:
        return self.spo.get(s, {}).get(p, ())

    def subjects(self, p: Node, o: Node) -> Iterable[Node]:
        return self.pos.get(p, {}).get(o, ())

    def instances(self, cls: Node) -> set[Node]:
        """Instances of a class and of its subclasses (``rdfs:subClassOf`` in the data)."""
        out = set(self.subjects(TYPE, cls))
        seen = {cls}
        todo = [cls]
        while todo:
            for sub in self.subjects(SUBCLASS, todo.pop()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
                    out.update(self.subjects(TYPE, sub))
        return out

    def is_instance(self, node: Node, cls: Node) -> bool:
        """Say whether a type of the node is the class or a subclass of it (pyshacl's test)."""
        for ctype in self.objects(node, TYPE):
            seen = {ctype}
            todo = [ctype]
            while todo:
                c = todo.pop()
                if c == cls:
                    return True
                for sup in self.objects(c, SUBCLASS):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
        return False


Path = Callable[[Data, Node], set[Any]]
# A constraint gives, for one focus node and its value nodes, the failing values (None: no value).
Constraint = Callable[[Data, Node, set[Any]], list[Any]]


def datatype_ok(v: Node, rule: Node) -> bool:
    """Say whether a value node has the datatype, as pyshacl's DatatypeConstraintComponent."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        return getattr(v, "ill_typed", None) is not True and _actual(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual(v, rule)
    if rule == RDF.langString and v.language:
        return _actual(v, rule)
    return False


_PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def _actual(v: Literal, rule: Node) -> bool:
    kind = _PYTHON_TYPES.get(rule)
    return True if kind is None else isinstance(v.value, kind)


def pattern_text(v: Node) -> str:
    plain = (None, RDF.langString, XSD.string)
    if isinstance(v, Literal) and v.value is not None and v.datatype in plain:
        return str(v.value)
    return str(v)


def value_range(bound: Literal, accept: Callable[[int], bool]) -> Constraint:
    bound_is_string = isinstance(bound.value, str)

    def check(d: Data, f: Node, values: set[Node]) -> list[Node | None]:
        out: list[Node | None] = []
        for value in values:
            v = d.rd(value)
            ok = False
            if isinstance(v, Literal) and isinstance(v.value, str) == bound_is_string:
                try:
                    ok = accept(compare_literal(v, bound))  # type: ignore[no-untyped-call]
                except (TypeError, NotImplementedError):
                    ok = False
            if not ok:
                out.append(value)
        return out

    return check


def less_or_equal(prop: URIRef) -> Constraint:
    """Check sh:lessThanOrEquals as pyshacl: a result per value and compared value out of order."""

    def comparable(n: Node) -> tuple[object, bool]:
        if isinstance(n, BNode):
            raise ValueError("sh:lessThanOrEquals cannot compare a blank node")
        if isinstance(n, URIRef):
            return str(n), True
        if isinstance(n, Literal) and isinstance(n.value, str):
            return n.value, True
        return n, False

    def check(d: Data, f: Node, values: set[Node]) -> list[Node | None]:
        out: list[Node | None] = []
        others = [comparable(d.rd(c)) for c in d.objects(f, prop)]
        for v in values:
            value, is_string = comparable(d.rd(v))
            for other, other_string in others:
                if is_string != other_string or not value <= other:  # type: ignore[operator]
                    out.append(v)
        return out

    return check
