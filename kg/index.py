"""Index triples: look-up keys written into each trial's own graph beside its facts.

A registry-wide question that the store can only answer by scanning (a sponsor by any spelling of
its name, case aside; recruiting sites near a point; trials with an intervention of the same name)
becomes an index hit when the key it compares is stored as a value. The keys are derived here from
the record's own triples, in the worker that maps it, and go into the record's named graph: a
rebuilt or replaced trial replaces its keys with its facts, so they are never stale.

- ``?x tkg:alternateNameKey "lower case"``: each ``schema:alternateName`` of ``?x``, lower-cased
  as SPARQL's ``LCASE`` does (Unicode full lower-casing).
- ``?i tkg:interventionNameKey "lower case"``: each ``schema:name`` of an intervention.
- ``?site tkg:geoCell "40 -75"``: the whole-degree cell (floor of latitude, floor of longitude) of
  each pair of coordinates of a site.
- ``?trial tkg:recordGraph ?graph``: the record's own named graph, so a query can read a fact in
  it (the trial's own title) without computing a graph name.

The queries that use them are ``queries/indexed/*.rq`` (README, "At registry scale").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from kg.terms import RDF_TYPE, SDO, XSD, T

__all__ = ["INDEX_FORMAT", "geo_cell", "index_triples", "lower_literal"]

INDEX_FORMAT = "1"
"""Version of the index triples; stored in the statistics graph (``tkg:indexFormat``)."""

_ALT = SDO.alternateName
_NAME = SDO.name
_GEO = SDO.geo
_LAT = SDO.latitude
_LON = SDO.longitude
_INTERVENTION = T.Intervention
_NUMERIC = (f"<{XSD}decimal>", f"<{XSD}double>", f"<{XSD}integer>", f"<{XSD}float>")

Triple = tuple[str, str, str]


def lower_literal(term: str) -> str | None:
    r"""Return the plain literal of ``LCASE(STR(term))``, rendered; None for an IRI or blank node.

    kg escapes only ASCII controls, quote and backslash in a literal (kg.terms): lower-casing the
    rendered text lower-cases exactly the characters of its value (an escape stays an escape).

    >>> lower_literal('"Ab \\"C\\"\\n"')
    '"ab \\"c\\"\\n"'
    >>> lower_literal('"X"@en')
    '"x"'
    >>> lower_literal("<http://a>") is None
    True
    """
    if not term.startswith('"'):
        return None
    end = term.rindex('"')
    return term[: end + 1].lower()


def _number(term: str) -> Decimal:
    lexical, _, datatype = term.partition("^^")
    if datatype not in _NUMERIC or not lexical.startswith('"'):
        raise ValueError(f"not a numeric literal: {term}")
    try:
        return Decimal(lexical.strip('"'))
    except InvalidOperation as exc:
        raise ValueError(f"not a numeric literal: {term}") from exc


def geo_cell(latitude: Decimal | float, longitude: Decimal | float) -> str:
    """Return the cell key of a point: floor of latitude and longitude, in whole degrees.

    >>> geo_cell(Decimal("40.71"), Decimal("-74.01"))
    '40 -75'
    """
    return f"{math.floor(latitude)} {math.floor(longitude)}"


def _quoted(text: str) -> str:
    return '"' + text + '"'  # cell keys are digits, "-" and one space: nothing to escape


def index_triples(triples: Iterable[Triple], trial: str, graph: str) -> list[Triple]:
    """Return the index triples of one record's triples (``trial`` and ``graph`` rendered IRIs)."""
    alt: list[Triple] = []
    names: list[Triple] = []
    interventions: set[str] = set()
    geo_of: dict[str, list[str]] = {}
    lat: dict[str, list[str]] = {}
    lon: dict[str, list[str]] = {}
    for s, p, o in triples:
        if p == _ALT:
            alt.append((s, p, o))
        elif p == _NAME:
            names.append((s, p, o))
        elif p == RDF_TYPE and o == _INTERVENTION:
            interventions.add(s)
        elif p == _GEO:
            geo_of.setdefault(s, []).append(o)
        elif p == _LAT:
            lat.setdefault(s, []).append(o)
        elif p == _LON:
            lon.setdefault(s, []).append(o)
    out: list[Triple] = [(trial, T.recordGraph, graph)]
    for s, _, o in alt:
        key = lower_literal(o)
        if key is not None:
            out.append((s, T.alternateNameKey, key))
    for s, _, o in names:
        if s in interventions and (key := lower_literal(o)) is not None:
            out.append((s, T.interventionNameKey, key))
    for site, geos in geo_of.items():
        cells = {
            geo_cell(_number(y), _number(x))
            for geo in geos
            for y in lat.get(geo, ())
            for x in lon.get(geo, ())
        }
        out.extend((site, T.geoCell, _quoted(cell)) for cell in sorted(cells))
    return out
