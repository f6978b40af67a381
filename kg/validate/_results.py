"""A validation result as an engine states it, before it is named by trial (see ``_engine``)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.term import Node

__all__ = ["RawResult"]


@dataclass(frozen=True, slots=True)
class RawResult:
    """One validation result as pyshacl's results graph states it (before naming by trial)."""

    focus: Node
    path: str
    value: Node | None
    severity: str
    shape: str
    component: str
    message: str
