"""The choices of ``kg similar`` and ``kg network``, kept apart from numpy/scipy/networkx.

The command line imports these to build its options; heavy modules load when a command runs.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Method", "NetworkKind", "OutputFormat"]


class Method(StrEnum):
    """A similarity method."""

    JACCARD = "jaccard"
    COSINE = "cosine"
    PAGERANK = "pagerank"

    @property
    def symmetric(self) -> bool:
        """Tell whether score(a, b) == score(b, a)."""
        return self is not Method.PAGERANK


class NetworkKind(StrEnum):
    """Which network ``kg network`` draws."""

    SPONSORS = "sponsors"
    SITES = "sites"
    TRIALS = "trials"


class OutputFormat(StrEnum):
    """How ``kg similar`` writes its answers."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TTL = "ttl"
