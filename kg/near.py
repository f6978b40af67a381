"""recruiting-near answered by kg itself on an embedded store, from its site keys (index format 8).

Its SPARQL variants read few sites (the box's cells, kg.index), but pyoxigraph 0.5 spends
~0.1-0.7 ms on each site it joins to its trial, status, coordinates, title, facility and address:
0.4-1.1 s for a 25 km box in a busy place at 100,000 trials (benchmarks/RESULTS.md), and a look-up
of each of those facts through the store's own pattern API costs as much (~20-50 us a seek). The
site keys of format 8 hold those facts, one JSON array per site and point on the node of its
1/16-degree cell (:func:`kg.index.site_key`): a box reads its cells' keys, one query (a box of
many cells: a few queries on threads side by side, :func:`_read_keys`).

:func:`near_rows` returns exactly the rows the SPARQL variants give, in the same order: a key's
point is tested against the box as the query tests it, its trial's status and its own status are
the concepts' notations read from the store (any graph), an untitled trial's titles are read from
any graph as the query reads them, and the rows are every combination of NCT id, title, facility
and address, once. It returns None where it cannot be sure of that: a key saying ``false`` (a
value of a kind kg does not write), a point within a hair of the box's edge, a site IRI without
its position, a box over :data:`MAX_FINE_CELLS`: the caller then runs the SPARQL variant. A store
without the keys, and a remote endpoint, always run the SPARQL.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from functools import partial

import pyoxigraph as ox

from kg.index import CELL_NODES, FINE_CELLS_PER_DEGREE
from kg.queries import Bindings, Cell, ResultTable
from kg.terms import SCHEMA, SKOS, TKG, XSD

__all__ = [
    "CELLS_A_READER",
    "KEY_READERS",
    "MAX_FINE_CELLS",
    "NEAR_VARIABLES",
    "box_cells",
    "box_half_widths",
    "near_page",
    "near_rows",
]

NEAR_VARIABLES = ("nct", "title", "facility", "city", "country", "latitude", "longitude", "site")
"""recruiting-near's columns, in its order."""

MAX_FINE_CELLS = 4096
"""Most 1/16-degree cells :func:`near_rows` reads (a 25 km box at latitude 50: ~110 cells, 50 km
~380; 4,096 at km ~150-220, by latitude); a larger box runs the SPARQL variants (quarter-degree
cells, or the scan)."""

_MARGIN = 1e-6
"""Degrees added to the box when choosing its cells: the query's double arithmetic (the same
formula, perhaps in another order) can never reach a site outside them."""

_EDGE = 1e-9
"""Relative width of the band around the box's edge where kg does not decide: a coordinate there
could fall either side of the edge in the engine's doubles (its decimal-to-double conversion may
differ from Python's in the last bit); the SPARQL variant decides instead."""

Row = tuple[str | None, ...]
"""A row's values: NCT id, title, facility, town, country, latitude, longitude, site (None:
unbound)."""

_STRING = ox.NamedNode(f"{XSD}string")
_DECIMAL = ox.NamedNode(f"{XSD}decimal")
_KEY = ox.NamedNode(f"{TKG}recruitingSiteKey")
_NAME = ox.NamedNode(f"{SCHEMA}name")
_NOTATION = ox.NamedNode(f"{SKOS}notation")
_POSITION = re.compile(r"^.*/site/([0-9]+)$")


class _Unsure(Exception):  # noqa: N818 - not an error: the SPARQL answers instead
    """A value the SPARQL variant might treat otherwise than kg would: let it answer."""


def box_half_widths(lat: float, km: float) -> tuple[float, float]:
    """Return the box's half-widths in degrees (latitude, longitude), as the query computes them.

    The same operations in the same order as the variant's doubles: one degree of latitude is
    111.32 km; a degree of longitude 111.32 km times a Taylor polynomial of cos(lat).

    >>> [round(d, 6) for d in box_half_widths(40.71, 25)]
    [0.224578, 0.296269]
    """
    x = lat * 3.14159265358979 / 180
    cos = (
        1
        - x * x / 2
        + x * x * x * x / 24
        - x * x * x * x * x * x / 720
        + x * x * x * x * x * x * x * x / 40320
    )
    return km / 111.32, km / (111.32 * (0.01 if cos < 0.01 else cos))


def box_cells(
    lat: float, lon: float, km: float, per_degree: int, max_cells: int
) -> list[str] | None:
    """Return the cell keys (:func:`kg.index.geo_cell`) the box overlaps; None over ``max_cells``.

    >>> box_cells(40.71, -74.01, 10, 4, 256)
    ['162 -297', '162 -296', '163 -297', '163 -296']
    >>> box_cells(40.71, -74.01, 500, 16, 4096) is None
    True
    """
    dlat, dlon = box_half_widths(lat, abs(km))
    dlat += _MARGIN
    dlon += _MARGIN
    k = per_degree
    rows = range(math.floor((lat - dlat) * k), math.floor((lat + dlat) * k) + 1)
    columns = range(math.floor((lon - dlon) * k), math.floor((lon + dlon) * k) + 1)
    if len(rows) * len(columns) > max_cells:
        return None
    return [f"{y} {x}" for y in rows for x in columns]


def _objects(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> set[object]:
    return {q.object for q in store.quads_for_pattern(subject, predicate, None, None)}


def _string(term: object) -> ox.Literal:
    """The term if it is a plain string literal (all kg writes there); else unsure."""
    if isinstance(term, ox.Literal) and term.datatype == _STRING:
        return term
    raise _Unsure


def _inside(value: object, centre: Decimal, half: float) -> bool:
    """Say whether ``ABS(value - centre) <= half`` holds, as the query's arithmetic decides it."""
    if not isinstance(value, str):
        raise _Unsure
    try:
        distance = float(abs(Decimal(value) - centre))
    except InvalidOperation as exc:
        raise _Unsure from exc
    band = abs(half) * _EDGE
    if distance < half - band:
        return True
    if distance > half + band:
        return False
    raise _Unsure


class _Near:
    """One evaluation: the box, the concepts' notations and the untitled trials' titles read."""

    def __init__(self, store: ox.Store, lat: Decimal, lon: Decimal, km: Decimal) -> None:
        self.store = store
        self.lat = lat
        self.lon = lon
        self.dlat, self.dlon = box_half_widths(float(lat), float(km))
        self.notations: dict[str, list[str]] = {}
        self.titles: dict[str, list[str | None]] = {}
        self.rows: set[Row] = set()

    def notation(self, concept: str) -> list[str]:
        """The concept's notations (strings) in any graph."""
        if concept not in self.notations:
            codes = _objects(self.store, ox.NamedNode(concept), _NOTATION)
            self.notations[concept] = [_string(c).value for c in codes]
        return self.notations[concept]

    def any_titles(self, trial: str) -> list[str | None]:
        """An untitled trial's titles: its ``schema:name`` in any graph (None: none)."""
        if trial not in self.titles:
            names = _objects(self.store, ox.NamedNode(trial), _NAME)
            self.titles[trial] = [_string(n).value for n in names] or [None]
        return self.titles[trial]

    def add(self, text: str) -> None:
        """Add the rows of one site key (kg.index.site_key) if its point is in the box."""
        try:
            key = json.loads(text)
        except ValueError as exc:
            raise _Unsure from exc
        if not isinstance(key, list) or len(key) != 10:
            raise _Unsure  # false: a value of a kind kg does not write
        lat, lon, site, trial, statuses, site_statuses, ncts, titles, facilities, places = key
        if not (_inside(lat, self.lat, self.dlat) and _inside(lon, self.lon, self.dlon)):
            return
        if not any("RECRUITING" in self.notation(s) for s in statuses):
            return
        if any(code != "RECRUITING" for s in site_statuses for code in self.notation(s)):
            return
        if not isinstance(site, str) or not _POSITION.match(site):
            raise _Unsure  # the order's position would be unbound: the engine orders it
        named = titles if titles is not None else self.any_titles(trial)
        for nct in ncts:
            for title in named:
                for facility in facilities or [None]:
                    for city, country in places or [(None, None)]:
                        self.rows.add((nct, title, facility, city, country, lat, lon, site))


def _order(row: Row) -> tuple[object, ...]:
    """The variants' ORDER BY: NCT id, the site's position, the site, then the other columns.

    An unbound value sorts first, as in SPARQL; strings by code point, numbers by value.
    """
    nct, title, facility, city, country, lat, lon, site = row
    found = _POSITION.match(site or "")
    return (
        nct,
        int(found.group(1)) if found else 0,
        site,
        *((v is not None, v or "") for v in (title, facility, city, country)),
        Decimal(lat or 0),
        Decimal(lon or 0),
    )


def _cells(row: Row) -> tuple[Cell | None, ...]:
    """A row as result cells, as the store's own solutions give them (kg.queries.term_cell)."""
    *strings, lat, lon, site = row
    return (
        *(Cell.literal(v) if v is not None else None for v in strings),
        Cell.literal(lat or "", _DECIMAL.value),
        Cell.literal(lon or "", _DECIMAL.value),
        Cell("uri", site or ""),
    )


def _param(bindings: Mapping[ox.Variable, object], name: str) -> Decimal | None:
    term = bindings.get(ox.Variable(name))
    if not isinstance(term, ox.Literal) or term.datatype != _DECIMAL:
        return None
    try:
        value = Decimal(term.value)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def near_rows(store: ox.Store, bindings: Mapping[ox.Variable, object]) -> list[Row] | None:
    """Return recruiting-near's rows for these parameters, or None if kg cannot be sure of them.

    ``store`` must hold index triples of format 8 or later (its site keys): the caller checks.
    """
    lat, lon, km = (_param(bindings, n) for n in ("lat", "lon", "km"))
    if lat is None or lon is None or km is None:
        return None
    cells = box_cells(float(lat), float(lon), float(km), FINE_CELLS_PER_DEGREE, MAX_FINE_CELLS)
    if cells is None:
        return None
    near = _Near(store, lat, lon, km)
    try:
        for key in _read_keys(store, cells):
            if not isinstance(key, ox.Literal):
                raise _Unsure
            near.add(key.value)
    except _Unsure:
        return None
    return sorted(near.rows, key=_order)


KEY_READERS = 8
"""Most threads reading a box's keys at once, :data:`CELLS_A_READER` cells each at least."""

CELLS_A_READER = 16

_READERS_PREFIX = "kg-near"


def _read_keys(store: ox.Store, cells: list[str]) -> list[object]:
    """The site keys of ``cells``, read by up to :data:`KEY_READERS` threads side by side.

    Each key is a string of the store's string table at a random place on disk: from a cold page
    cache a box waits on one read per site, and reads issued side by side overlap (pyoxigraph
    lets go of Python's lock while it reads). At 100,000 trials, 25 km boxes, 8 threads against
    one: the median box 113-122 -> 69-97 ms from a cold page cache, the slowest 0.9-1.1 -> 0.5 s;
    warm the same or less (benchmarks/RESULTS.md, "Issue 15, thirteenth pass").
    """
    readers = max(1, min(KEY_READERS, len(cells) // CELLS_A_READER))
    if readers == 1:
        return _cell_keys(store, cells)
    shares = [cells[n::readers] for n in range(readers)]
    with ThreadPoolExecutor(readers, thread_name_prefix=_READERS_PREFIX) as pool:
        return [key for share in pool.map(partial(_cell_keys, store), shares) for key in share]


def _cell_keys(store: ox.Store, cells: list[str]) -> list[object]:
    # One SELECT of the keys alone: 2-3x faster than quads_for_pattern, which decodes each
    # quad's subject, predicate and graph too; a cell a look-up, even for 4,096 cells.
    nodes = " ".join(f"<{CELL_NODES}{cell.replace(' ', '/')}>" for cell in cells)
    text = f"SELECT ?key WHERE {{ VALUES ?cell {{ {nodes} }} ?cell <{_KEY.value}> ?key }}"
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    return [solution[0] for solution in result]


def near_page(
    store: ox.Store, bindings: Bindings, offset: int, limit: int | None
) -> tuple[ResultTable, int] | None:
    """Return a page of recruiting-near's answer and its number of rows; None: run the SPARQL.

    Only the page's rows become cells (``limit`` None: every row from ``offset``).
    """
    rows = near_rows(store, bindings)
    if rows is None:
        return None
    shown = rows[offset:] if limit is None else rows[offset : offset + limit]
    return ResultTable(NEAR_VARIABLES, tuple(_cells(row) for row in shown)), len(rows)
