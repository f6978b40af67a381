"""The choices of ``kg validate`` (its engine, its report's format), apart from the engines.

They are option types of the command line, so they load with it; the engines (rdflib, pyshacl)
load only when a command validates.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Engine", "OutputFormat"]


class Engine(StrEnum):
    """Who checks the SHACL Core constraints: the fast engine (pyshacl for the rest) or pyshacl."""

    FAST = "fast"
    PYSHACL = "pyshacl"


class OutputFormat(StrEnum):
    """Formats of ``kg validate``'s report."""

    TEXT = "text"
    JSON = "json"
    TTL = "ttl"
