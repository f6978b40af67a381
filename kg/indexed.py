"""Pick the indexed variant of a named query when the store has what it reads.

``queries/indexed/NAME.rq`` answers the same question as ``queries/NAME.rq`` with the same rows,
reading the statistics graph (:mod:`kg.stats`), the answers graph (:mod:`kg.answers`) or the
index triples (:mod:`kg.index`) instead of scanning the registry. Its header says what it needs
(``# requires:`` ``statistics``, ``index`` and/or ``answers``); the store says what it has in
each graph's own description, which one ASK per requirement finds. A store from an older kg, an
endpoint holding only the trial graphs, or a query file of the user's own runs as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.answers import ANSWERS_FORMAT, ANSWERS_GRAPH
from kg.index import CELLS_PER_DEGREE, INDEX_FORMAT
from kg.queries import (
    QUERY_DIR,
    Bindings,
    NamedQuery,
    ResultTable,
    load_query,
    run_query,
    with_values,
)
from kg.resolve import Lookup, resolved, resolves, rows_bound
from kg.stats import STATISTICS_FORMAT, STATS_GRAPH
from kg.terms import TKG

if TYPE_CHECKING:
    from kg.remote import Endpoint

__all__ = [
    "INDEXED_DIR",
    "STORE_MARKERS",
    "box_cells",
    "capabilities",
    "choose",
    "covers",
    "derived_bindings",
    "endpoint_ask",
    "endpoint_lookup",
    "indexed_variant",
    "requirements",
    "store_lookup",
]

INDEXED_DIR = QUERY_DIR / "indexed"

STORE_MARKERS: Mapping[str, str] = {
    "statistics": f"SELECT ?format WHERE {{ GRAPH <{STATS_GRAPH}> {{ <{STATS_GRAPH}> "
    f'<{TKG}statisticsFormat> ?format FILTER(?format = "{STATISTICS_FORMAT}") }} }} LIMIT 1',
    "index": f"SELECT ?format WHERE {{ GRAPH <{STATS_GRAPH}> {{ <{STATS_GRAPH}> "
    f'<{TKG}indexFormat> ?format FILTER(?format = "{INDEX_FORMAT}") }} }} LIMIT 1',
    "answers": f"SELECT ?format WHERE {{ GRAPH <{ANSWERS_GRAPH}> {{ <{ANSWERS_GRAPH}> "
    f'<{TKG}answersFormat> ?format FILTER(?format = "{ANSWERS_FORMAT}") }} }} LIMIT 1',
}
"""What a store can have, and the query whose one row says it has it (a SELECT: every
client of kg reads SELECT results)."""

_REQUIRES = re.compile(r"^#\s*requires:\s*(.+)$", re.MULTILINE)


def requirements(variant: NamedQuery) -> frozenset[str]:
    """Return what an indexed variant reads (its ``# requires:`` header lines).

    Raises:
        ValueError: a requirement that no store marker tells.
    """
    needs = frozenset(w for m in _REQUIRES.finditer(variant.text) for w in m.group(1).split())
    unknown = sorted(needs - STORE_MARKERS.keys())
    if unknown:
        raise ValueError(f"{variant.name}: unknown requirement {unknown[0]!r}")
    return needs


def indexed_variant(query: NamedQuery, folder: Path = QUERY_DIR) -> NamedQuery | None:
    """Return the indexed variant of a shipped named query, or None (a file of the user's own)."""
    shipped = folder / f"{query.name}.rq"
    variant = folder / "indexed" / f"{query.name}.rq"
    if not variant.is_file() or not shipped.is_file():
        return None
    if shipped.read_text("utf-8") != query.text:
        return None
    return load_query(str(variant))


def capabilities(ask: Callable[[str], bool]) -> frozenset[str]:
    """Return what a store has, given a function that says whether a query has a row there."""
    return frozenset(name for name, text in STORE_MARKERS.items() if ask(text))


def store_ask(store: ox.Store) -> Callable[[str], bool]:
    """Return the marker test for an embedded store: does the query have a row?"""

    def ask(text: str) -> bool:
        result = store.query(text)
        return isinstance(result, ox.QuerySolutions) and next(iter(result), None) is not None

    return ask


def store_lookup(store: ox.Store) -> Lookup:
    """Return the runner of kg's own look-ups (:mod:`kg.resolve`) on an embedded store."""

    def lookup(query: NamedQuery, bindings: Bindings) -> ResultTable:
        return run_query(store, query, bindings, indexed=False)

    return lookup


def endpoint_lookup(endpoint: Endpoint) -> Lookup:
    """Return the runner of kg's own look-ups (:mod:`kg.resolve`) on a SPARQL endpoint."""
    from kg.remote import query_endpoint

    def lookup(query: NamedQuery, bindings: Bindings) -> ResultTable:
        return query_endpoint(endpoint, query, bindings, indexed=False)

    return lookup


def endpoint_ask(endpoint: Endpoint) -> Callable[[str], bool]:
    """Return the marker test for a SPARQL endpoint: does the query have a row?"""
    from kg.remote import query_endpoint

    def ask(text: str) -> bool:
        marker = NamedQuery("store-marker", text, "", (), "")
        return bool(query_endpoint(endpoint, marker, indexed=False).rows)

    return ask


# recruiting-near: the cells its box overlaps, widened by a hair so that the query's double
# arithmetic (same formula, maybe another order) can never reach a site outside them; a box over
# more cells than this (km over ~100) runs the scan.
_MAX_CELLS = 256
_MARGIN = 1e-6


def _decimal(bindings: Bindings, name: str) -> float | None:
    term = bindings.get(ox.Variable(name))
    if not isinstance(term, ox.Literal):
        return None
    try:
        value = float(Decimal(term.value))
    except InvalidOperation:
        return None
    return value if math.isfinite(value) else None


def box_cells(lat: float, lon: float, km: float) -> list[str]:
    """Return the cells (:func:`kg.index.geo_cell` keys) that recruiting-near's box overlaps.

    >>> box_cells(40.71, -74.01, 10)
    ['162 -297', '162 -296', '163 -297', '163 -296']
    """
    x = lat * 3.14159265358979 / 180  # the query's Taylor polynomial of cos(lat)
    cos = 1 - x * x / 2 + x**4 / 24 - x**6 / 720 + x**8 / 40320
    dlat = abs(km) / 111.32 + _MARGIN
    dlon = abs(km) / (111.32 * (0.01 if cos < 0.01 else cos)) + _MARGIN
    k = CELLS_PER_DEGREE
    rows = range(math.floor((lat - dlat) * k), math.floor((lat + dlat) * k) + 1)
    columns = range(math.floor((lon - dlon) * k), math.floor((lon + dlon) * k) + 1)
    if len(rows) * len(columns) > _MAX_CELLS:
        return []
    return [f"{y} {x}" for y in rows for x in columns]


def _near(bindings: Bindings) -> list[str]:
    lat, lon, km = (_decimal(bindings, n) for n in ("lat", "lon", "km"))
    if lat is None or lon is None or km is None:
        return []
    return box_cells(lat, lon, km)


def covers(query: NamedQuery, bindings: Bindings) -> bool:
    """Say whether the indexed variant sees every row for these parameters (recruiting-near's box).

    >>> q = NamedQuery("recruiting-near", "", "", (), "")
    >>> d = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    >>> at = {ox.Variable("lat"): ox.Literal("40.7", datatype=d),
    ...       ox.Variable("lon"): ox.Literal("-74", datatype=d)}
    >>> covers(q, {**at, ox.Variable("km"): ox.Literal("25", datatype=d)})
    True
    >>> covers(q, {**at, ox.Variable("km"): ox.Literal("5000", datatype=d)})
    False
    """
    return query.name != "recruiting-near" or bool(_near(bindings))


def derived_bindings(
    query: NamedQuery, bindings: Bindings
) -> dict[ox.Variable, list[ox.NamedNode | ox.Literal]]:
    """Return the index keys a variant looks up, computed from the parameters.

    A key computed in SPARQL (``BIND``) is joined after a scan of every key; given as a ``VALUES``
    block it is an index look-up. The variant's own filters keep its rows right whatever is bound.
    """
    if query.name == "sponsor-trials":
        sponsor = bindings.get(ox.Variable("sponsor"))
        if not isinstance(sponsor, ox.Literal):
            return {}
        try:
            as_iri: ox.NamedNode | ox.Literal = ox.NamedNode(sponsor.value)
        except ValueError:
            as_iri = ox.Literal(sponsor.value)  # matches no subject: the IRI branch finds nothing
        return {
            ox.Variable("key"): [ox.Literal(sponsor.value.lower())],
            ox.Variable("iri"): [as_iri],
        }
    if query.name == "recruiting-near":
        return {ox.Variable("cell"): [ox.Literal(c) for c in _near(bindings)]}
    return {}


def _with_rows(text: str, variable: ox.Variable, terms: list[ox.NamedNode | ox.Literal]) -> str:
    """Return the query with ``VALUES ?v { t1 t2 ... }`` first in each WHERE group."""
    if len(terms) == 1:
        return with_values(text, {variable: terms[0]})
    return rows_bound(NamedQuery("", text, "", (), ""), variable.value, terms).text


def choose(
    query: NamedQuery,
    bindings: Bindings,
    ask: Callable[[str], bool],
    folder: Path = QUERY_DIR,
    lookup: Lookup | None = None,
) -> NamedQuery:
    """Return the query to run: the indexed variant when the store has what it reads, else as is.

    The variant returned has its index keys bound already (:func:`derived_bindings`), and the
    values kg looks up first for a variant that says ``# resolves: VAR`` (:mod:`kg.resolve`;
    ``lookup`` runs those queries; without it such a variant is not picked); the parameters are
    bound as for any query.
    """
    variant = indexed_variant(query, folder)
    if variant is None or not covers(query, bindings):
        return query
    needs = requirements(variant)
    target = resolves(variant)
    if target is not None and lookup is None:
        return query
    if any(not ask(STORE_MARKERS[need]) for need in sorted(needs)):
        return query
    text = variant.text
    derived = derived_bindings(query, bindings)
    if target is not None and lookup is not None:
        found = resolved(query, target, bindings, lookup)
        if found is None:
            return query
        derived.update(found)
    for variable, terms in derived.items():
        text = _with_rows(text, variable, terms)
    return NamedQuery(variant.name, text, variant.summary, variant.params, variant.example)
