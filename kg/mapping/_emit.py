"""A list of triples with helpers that skip absent values: the mapping's only output."""

from __future__ import annotations

from enum import Enum

from kg import model
from kg.terms import RDF_TYPE, Minter, Triple, concept, date_literal, literal

__all__ = ["Triples"]


class Triples:
    """Collect the triples of one record; ``None`` and empty values add nothing."""

    __slots__ = ("items", "mint", "named")

    def __init__(self, mint: Minter) -> None:
        self.mint = mint
        self.items: list[Triple] = []
        self.named: set[str] = set()  # shared nodes already given their schema:name here

    def add(self, s: str, p: str, o: str) -> None:
        """Add one triple of rendered terms."""
        self.items.append((s, p, o))

    def a(self, s: str, cls: str) -> None:
        """Add ``s rdf:type cls``."""
        self.items.append((s, RDF_TYPE, cls))

    def text(self, s: str, p: str, value: str | None) -> None:
        """Add a plain string literal when there is one."""
        if value:
            self.items.append((s, p, literal(value)))

    def code(self, s: str, p: str, value: Enum | None) -> None:
        """Add the concept of a registry code when there is one."""
        if value is not None:
            self.items.append((s, p, concept(value)))

    def date(self, s: str, p: str, value: model.PartialDate | None) -> None:
        """Add a date literal when there is one."""
        if value is not None:
            self.items.append((s, p, date_literal(value)))
