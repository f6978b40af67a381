"""Pick the indexed variant of a named query when the store has what it reads.

``queries/indexed/NAME.rq`` answers the same question as ``queries/NAME.rq`` with the same rows,
reading the statistics graph (:mod:`kg.stats`), the answers graph (:mod:`kg.answers`) or the
index triples (:mod:`kg.index`) instead of scanning the registry. Its header says what it needs
(``# requires:`` ``statistics``, ``index`` and/or ``answers``; ``index 2``: index triples of
format 2 or later, plain ``index`` = 1); the store says what it has in each graph's own
description, which one query per requirement finds. A store's index format is the lowest of its
trial graphs' (kg.stats); it serves every variant that requires that format or an earlier one.
When the index format moves on, the variants of the earlier format stay, in
``queries/indexed/index-N/NAME.rq``: kg picks the first variant the store serves (the newest
first), so an older store keeps its fast answers, with the same rows. A store from an older kg,
an endpoint holding only the trial graphs, or a query file of the user's own runs as written.
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
from kg.index import CELLS_PER_DEGREE, FINE_CELLS_PER_DEGREE, INDEX_FORMAT
from kg.near import box_cells as near_box_cells
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
from kg.terms import TKG, XSD

if TYPE_CHECKING:
    from kg.remote import Endpoint

__all__ = [
    "INDEXED_DIR",
    "STORE_MARKERS",
    "box_cells",
    "capabilities",
    "cells_per_degree",
    "choose",
    "covers",
    "derived_bindings",
    "endpoint_ask",
    "endpoint_lookup",
    "indexed_variant",
    "indexed_variants",
    "requirements",
    "store_lookup",
]

INDEXED_DIR = QUERY_DIR / "indexed"

STORE_MARKERS: Mapping[str, str] = {
    "statistics": f"SELECT ?format WHERE {{ GRAPH <{STATS_GRAPH}> {{ <{STATS_GRAPH}> "
    f'<{TKG}statisticsFormat> ?format FILTER(?format = "{STATISTICS_FORMAT}") }} }} LIMIT 1',
    **{
        f"index {n}" if n > 1 else "index": f"SELECT ?format WHERE {{ GRAPH <{STATS_GRAPH}> "
        f"{{ <{STATS_GRAPH}> <{TKG}indexFormat> ?format "
        f"FILTER(<{XSD}integer>(?format) >= {n}) }} }} LIMIT 1"
        for n in range(1, int(INDEX_FORMAT) + 1)
    },
    "answers": f"SELECT ?format WHERE {{ GRAPH <{ANSWERS_GRAPH}> {{ <{ANSWERS_GRAPH}> "
    f'<{TKG}answersFormat> ?format FILTER(?format = "{ANSWERS_FORMAT}") }} }} LIMIT 1',
}
"""What a store can have, and the query whose one row says it has it (a SELECT: every
client of kg reads SELECT results). ``index N``: index triples of format N or later."""

_REQUIRES = re.compile(r"^#\s*requires:\s*(.+)$", re.MULTILINE)


def requirements(variant: NamedQuery) -> frozenset[str]:
    """Return what an indexed variant reads (its ``# requires:`` header lines).

    A number after ``index`` is the index format it needs at least (``index 2``).

    >>> sorted(requirements(NamedQuery("q", "# requires: statistics index 2", "", (), "")))
    ['index 2', 'statistics']

    Raises:
        ValueError: a requirement that no store marker tells.
    """
    words: list[str] = []
    for m in _REQUIRES.finditer(variant.text):
        for word in m.group(1).split():
            if word.isdigit() and words:
                words[-1] = f"{words[-1]} {word}" if word != "1" else words[-1]
            else:
                words.append(word)
    needs = frozenset(words)
    unknown = sorted(needs - STORE_MARKERS.keys())
    if unknown:
        raise ValueError(f"{variant.name}: unknown requirement {unknown[0]!r}")
    return needs


def indexed_variant(query: NamedQuery, folder: Path = QUERY_DIR) -> NamedQuery | None:
    """Return the (newest) indexed variant of a shipped named query, or None (a user's own file)."""
    variants = indexed_variants(query, folder)
    return variants[0] if variants else None


_FORMAT_DIR = re.compile(r"^index-(\d+)$")


def indexed_variants(query: NamedQuery, folder: Path = QUERY_DIR) -> list[NamedQuery]:
    """Return the indexed variants of a shipped named query, newest first; [] for a user's file.

    ``indexed/NAME.rq`` is the newest; ``indexed/index-N/NAME.rq`` the variant for stores whose
    index is of format N (kept when the format moved on), higher N first.
    """
    shipped = folder / f"{query.name}.rq"
    newest = folder / "indexed" / f"{query.name}.rq"
    if not newest.is_file() or not shipped.is_file():
        return []
    if shipped.read_text("utf-8") != query.text:
        return []
    older = sorted(
        (
            (int(m.group(1)), path / f"{query.name}.rq")
            for path in (folder / "indexed").iterdir()
            if (m := _FORMAT_DIR.match(path.name)) and (path / f"{query.name}.rq").is_file()
        ),
        reverse=True,
    )
    return [load_query(str(newest)), *(load_query(str(path)) for _, path in older)]


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
# more cells than this (km over ~100 in quarter-degree cells, ~8 in 1/16-degree cells) runs the
# next variant, or the scan. pyoxigraph 0.5 plans the fine-cell variant another way from some
# number of cells between 13 and 30 (10k trials: 30 cells 1.8 s, 12 cells 9 ms; RESULTS.md).
_MAX_CELLS = {CELLS_PER_DEGREE: 256, FINE_CELLS_PER_DEGREE: 12}
_CELLS = re.compile(r"^#\s*cells:\s*(\d+) per degree", re.MULTILINE)
_NATIVE = re.compile(r"^#\s*native:\s*(.+?)\s*$", re.MULTILINE)


def cells_per_degree(variant: NamedQuery) -> int:
    """Return the cells per degree a variant's ``?cell`` keys are of (``# cells: N per degree``).

    >>> cells_per_degree(NamedQuery("q", "# cells: 16 per degree", "", (), ""))
    16
    """
    found = _CELLS.search(variant.text)
    per_degree = int(found.group(1)) if found else CELLS_PER_DEGREE
    if per_degree not in _MAX_CELLS:
        raise ValueError(f"{variant.name}: no index keeps cells of 1/{per_degree} degree")
    return per_degree


def _decimal(bindings: Bindings, name: str) -> float | None:
    term = bindings.get(ox.Variable(name))
    if not isinstance(term, ox.Literal):
        return None
    try:
        value = float(Decimal(term.value))
    except InvalidOperation:
        return None
    return value if math.isfinite(value) else None


def box_cells(lat: float, lon: float, km: float, per_degree: int = CELLS_PER_DEGREE) -> list[str]:
    """Return the cells (:func:`kg.index.geo_cell` keys) that recruiting-near's box overlaps.

    [] over the variant's most cells (kg.near.box_cells, with the margin described above).

    >>> box_cells(40.71, -74.01, 10)
    ['162 -297', '162 -296', '163 -297', '163 -296']
    >>> len(box_cells(40.71, -74.01, 5, FINE_CELLS_PER_DEGREE))  # 3 x 3: ~2x the box's area
    9
    """
    return near_box_cells(lat, lon, km, per_degree, _MAX_CELLS[per_degree]) or []


def _near(bindings: Bindings, per_degree: int = CELLS_PER_DEGREE) -> list[str]:
    lat, lon, km = (_decimal(bindings, n) for n in ("lat", "lon", "km"))
    if lat is None or lon is None or km is None:
        return []
    return box_cells(lat, lon, km, per_degree)


def covers(query: NamedQuery, bindings: Bindings, per_degree: int = CELLS_PER_DEGREE) -> bool:
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
    return query.name != "recruiting-near" or bool(_near(bindings, per_degree))


def derived_bindings(
    query: NamedQuery, bindings: Bindings, per_degree: int = CELLS_PER_DEGREE
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
        return {ox.Variable("cell"): [ox.Literal(c) for c in _near(bindings, per_degree)]}
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
    asked: dict[str, bool] = {}

    def has(need: str) -> bool:
        if need not in asked:
            asked[need] = ask(STORE_MARKERS[need])
        return asked[need]

    for candidate in indexed_variants(query, folder):
        per_degree = cells_per_degree(candidate)
        if not covers(query, bindings, per_degree):
            continue
        if resolves(candidate) is not None and lookup is None:
            continue
        if all(has(need) for need in sorted(requirements(candidate))):
            return _prepared(query, candidate, bindings, per_degree, lookup)
    return query


def _prepared(
    query: NamedQuery,
    variant: NamedQuery,
    bindings: Bindings,
    per_degree: int,
    lookup: Lookup | None,
) -> NamedQuery:
    """Return the variant with its index keys and looked-up values bound (query if none found)."""
    target = resolves(variant)
    text = variant.text
    derived = derived_bindings(query, bindings, per_degree)
    if target is not None and lookup is not None:
        found = resolved(query, target, bindings, lookup)
        if found is None:
            return query
        derived.update(found)
    for variable, terms in derived.items():
        text = _with_rows(text, variable, terms)
    marked = _NATIVE.search(variant.text)
    native = marked.group(1) if marked else ""
    if native and native not in STORE_MARKERS:
        raise ValueError(f"{variant.name}: unknown store marker {native!r} in its native header")
    return NamedQuery(
        variant.name, text, variant.summary, variant.params, variant.example, native=native
    )
