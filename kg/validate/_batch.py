"""The batch a run validates: the disjoint union of some trials' kept triples, and who owns what.

See ``kg.validate._engine`` (why trials are validated in batches) and ``kg.validate._native``
(the fast engine's batch, whose literals stay pyoxigraph terms until judged).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.validate._convert import graph_of, rdflib_triples
from kg.validate._native import native_triples, rd
from kg.validate._rules import Data
from kg.validate._shapes import load_shapes
from kg.validate._units import Spo

if TYPE_CHECKING:
    from kg.validate._engine import Labels

__all__ = ["Batch"]

_ALIAS = "urn:x-kg-validate:{member}:{iri}"


class Batch:
    """The disjoint union of some trials' kept triples as one rdflib graph, and who owns each node.

    A node (IRI or blank node, never a term the shapes name) that the kept triples of several
    trials use stays itself in its owner (the trial it lies under, else the first of them) and
    becomes an alias in each other trial, so no trial sees another's triples.
    """

    def __init__(
        self, members: Sequence[tuple[Labels, list[Spo]]], *, native: bool = False
    ) -> None:
        """``native``: string literals stay pyoxigraph terms (``kg.validate._native``)."""
        shapes = load_shapes()
        cache: dict[Any, Any] = {}
        kept: list[list[Any]] = [
            native_triples(quads, cache) if native else rdflib_triples(quads, shapes.keeps, cache)
            for _, quads in members
        ]
        where: dict[Node, list[int]] = {}
        for k, triples in enumerate(kept):
            nodes = {s for s, _, _ in triples}
            nodes.update(o for _, _, o in triples if not isinstance(o, Literal | ox.Literal))
            for node in nodes:
                where.setdefault(node, []).append(k)
        self.labels = [labels for labels, _ in members]
        self.owners: dict[Node, list[int]] = {}
        self.originals: dict[Node, Node] = {}
        aliases: dict[tuple[Node, int], Node] = {}
        vocabulary = shapes.vocabulary
        for node, ks in where.items():
            if len(ks) == 1 or node in vocabulary:
                self.owners[node] = ks
                continue
            owner = self._owner(node, ks, members)
            self.owners[node] = [owner]
            for k in ks:
                if k != owner:
                    alias = (
                        URIRef(_ALIAS.format(member=k, iri=node))
                        if isinstance(node, URIRef)
                        else BNode(f"{node}x{k}")
                    )
                    aliases[(node, k)] = alias
                    self.originals[alias] = node
                    self.owners[alias] = [k]
        self.graph = graph_of(
            (aliases.get((s, k), s), p, aliases.get((o, k), o)) if aliases else (s, p, o)
            for k, triples in enumerate(kept)
            for s, p, o in triples
        )
        self.data = Data.native(self.graph, rd) if native else Data(self.graph)

    @staticmethod
    def _owner(node: Node, ks: list[int], members: Sequence[tuple[Labels, list[Spo]]]) -> int:
        iri = str(node)
        for k in ks:
            trial = members[k][0].trial
            if iri == trial or iri.startswith(trial + "/") or iri == members[k][0].graph:
                return k
        return ks[0]

    def locate(self, focus: Node) -> list[tuple[int, Labels]]:
        """Return the trials (one, unless the node is a term of the shapes) a focus node is in."""
        return [(k, self.labels[k]) for k in self.owners.get(focus, ())]

    def restore(self, node: Any) -> Node:
        """Return the node an alias stands for (any other node as it is), as an rdflib term."""
        return rd(self.originals.get(node, node))

    def first(self, focus: Node, iri: str) -> Any:
        """Return the value of a focus node's property that sorts first as rdflib text."""
        return min(self.data.objects(focus, URIRef(iri)), key=lambda v: str(rd(v)), default=None)
