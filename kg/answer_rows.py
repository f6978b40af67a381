"""Whole answers of the answers graph's aggregates read by kg itself, from their row keys.

sponsor-network, published-without-results, publications-per-sponsor and sponsor-publications
read their rows from the answers graph (kg/answers.py), a row node each, joined to its values:
~35 us a value in pyoxigraph 0.5, so the whole answer of the 115,061 sponsor pairs of 100,000
synthetic trials took 7.9 s (benchmarks/RESULTS.md). A page of them is read by its ranks and is
fast already. The answers graph also holds each answer's rows, in rank order, as a few keys on a
node of its own (``tkg:answerRowsKey`` on ``{answers graph}/rows/QUERY[/ROLE]``,
kg.answers_graph): :func:`answer_rows_table` reads them for a whole answer.

It returns None where it cannot be sure of the variant's rows: a page (read by ranks), a role
that is not one kg keys (a value other than a plain ``lead``, ``collaborator``, ``sponsor`` or
``any``), no keys (a store written by an older kg), a key that says ``false`` (a value of a kind
the keys do not write), keys that do not fit together (a first rank or a number of rows that does
not follow) or whose columns are not the query's. The caller then runs the SPARQL.
"""

from __future__ import annotations

import re

import orjson
import pyoxigraph as ox

from kg.answers import ANSWERS_GRAPH, ROLES
from kg.answers_graph import row_key_node
from kg.queries import Bindings, Cell, NamedQuery, ResultTable
from kg.terms import TKG, XSD

__all__ = ["ROW_KEYED", "answer_rows_table", "json_cell"]

ROW_KEYED = (
    "sponsor-network", "published-without-results", "publications-per-sponsor",
    "sponsor-publications",
)
"""The queries whose whole answers kg reads from row keys (kg.answers_graph.ROW_KEY_COLUMNS)."""

_BY_ROLE = ("publications-per-sponsor", "sponsor-publications")
_STRING = f"{XSD}string"
_SELECT = re.compile(r"^\s*SELECT\s+((?:\?\w+\s+)+)WHERE\b", re.MULTILINE)


class Unsure(Exception):  # noqa: N818 - not an error: the SPARQL answers instead
    """A key kg cannot read as the variant would: let the SPARQL answer."""


def json_cell(value: object) -> Cell | None:
    """A key's term (kg.answers_graph._term_json) as the store's solutions give it.

    >>> json_cell("a"), json_cell(["i", "http://x"]), json_cell(None)
    (Cell(kind='literal', value='a', datatype=None, lang=None), Cell(kind='uri', \
value='http://x', datatype=None, lang=None), None)

    Raises:
        Unsure: not a term as the keys write them.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return Cell.literal(value)
    if isinstance(value, list) and isinstance(value[-1], str) and isinstance(value[1], str):
        if value[0] == "i" and len(value) == 2:
            return Cell("uri", value[1])
        if value[0] == "t" and len(value) == 3:
            return Cell.literal(value[1], value[2])
        if value[0] == "l" and len(value) == 3:
            return Cell.literal(value[1], None, value[2])
    raise Unsure


def _node(query: NamedQuery, bindings: Bindings) -> str | None:
    if query.name not in _BY_ROLE:
        return row_key_node(query.name)
    role = bindings.get(ox.Variable("role"))
    if (
        not isinstance(role, ox.Literal)
        or role.language
        or role.datatype.value != _STRING
        or role.value not in ROLES
    ):
        return None
    return row_key_node(query.name, role.value)


def _projection(query: NamedQuery, bindings: Bindings) -> list[str] | None:
    found = _SELECT.search(query.text)
    if found is None:
        return None
    bound = {variable.value for variable in bindings}
    return [name.lstrip("?") for name in found.group(1).split() if name.lstrip("?") not in bound]


def answer_rows_table(
    store: ox.Store, query: NamedQuery, bindings: Bindings
) -> ResultTable | None:
    """Return the whole answer of a row-keyed variant from its keys; None: run the SPARQL.

    ``store`` must hold the answers graph (the caller checks).
    """
    node = _node(query, bindings)
    names = _projection(query, bindings)
    if node is None or names is None:
        return None
    result = store.query(
        f"SELECT ?key WHERE {{ GRAPH <{ANSWERS_GRAPH}> {{ <{node}> <{TKG}answerRowsKey> ?key }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    parts: list[tuple[int, list[Cell | None], list[list[int]]]] = []
    totals: set[object] = set()
    try:
        for solution in result:
            key = solution[0]
            if not isinstance(key, ox.Literal) or key.value == "false":
                return None
            form, first, total, columns, values, indexes = orjson.loads(key.value)
            if form != 1 or columns != names or not isinstance(first, int):
                return None
            if not isinstance(indexes, list) or not all(isinstance(i, list) for i in indexes):
                return None
            totals.add(total)
            parts.append((first, [json_cell(v) for v in values], indexes))
        if not parts:
            return None  # written by an older kg
        parts.sort(key=lambda part: part[0])
        rows: list[tuple[Cell | None, ...]] = []
        width = len(names)
        for first, cells, indexes in parts:
            if first != len(rows) or any(len(row) != width for row in indexes):
                return None
            rows.extend([tuple([cells[i] for i in row]) for row in indexes])
        if totals != {len(rows)}:
            return None
    except (Unsure, orjson.JSONDecodeError, ValueError, TypeError, IndexError):
        return None
    return ResultTable(tuple(names), tuple(rows))
