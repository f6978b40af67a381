"""HTTP content negotiation (RFC 9110 section 12.5.1): pick the offer an ``Accept`` header prefers.

Each offer may answer to several media types (``application/ld+json`` also serves
``application/json``). The most specific range of the header that matches an offer gives its
quality; ``q=0`` refuses it; among equal qualities the server's order wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["MediaRange", "negotiate", "parse_accept"]


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One range of an Accept header."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """Return how specifically this range matches a media type (-1: no match).

        >>> MediaRange("text", "*", 1.0).matches("text/html")
        1
        """
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == kind and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == sub:
            return 2
        return -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; malformed ranges and qualities are skipped.

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/html;q=0.9, */*;q=0.1")]
    [('text', 'html', 0.9), ('*', '*', 0.1)]
    """
    ranges: list[MediaRange] = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        kind, sep, sub = fields[0].lower().partition("/")
        if not sep or not kind or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = -1.0
        if q >= 0:
            ranges.append(MediaRange(kind, sub, q))
    return ranges


def negotiate(
    header: str | None,
    offers: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> str | None:
    """Return the offer the client prefers, or None when it accepts none of them.

    Args:
        header: the Accept header (missing or empty: the first offer).
        offers: media types the server can send, best first.
        aliases: more media types an offer answers to.

    >>> negotiate("application/json", ["text/turtle", "application/ld+json"],
    ...           {"application/ld+json": ["application/json"]})
    'application/ld+json'
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    ranges = parse_accept(header)
    if not ranges:
        return offers[0] if offers else None
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for index, offer in enumerate(offers):
        names = [offer, *((aliases or {}).get(offer, ()))]
        quality = -1.0
        for name in names:
            specificity, q = -1, 0.0
            for r in ranges:  # the most specific matching range decides (RFC 9110 12.5.1)
                s = r.matches(name)
                if s > specificity:
                    specificity, q = s, r.q
                elif s == specificity and s >= 0:
                    q = max(q, r.q)
            if specificity >= 0:
                quality = max(quality, q)
        if quality <= 0:
            continue
        rank = (quality, -index)
        if best is None or rank > best:
            best, chosen = rank, offer
    return chosen
