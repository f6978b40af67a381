"""Whole answers of the derived graphs' aggregates read by kg itself, from their row keys.

sponsor-network, published-without-results, publications-per-sponsor and sponsor-publications
read their rows from the answers graph (kg/answers.py), a row node each, joined to its values:
~35 us a value in pyoxigraph 0.5, so the whole answer of the 115,061 sponsor pairs of 100,000
synthetic trials took 7.9 s (benchmarks/RESULTS.md). A page of them is read by its ranks and is
fast already. The answers graph also holds each answer's rows, in rank order, as a few keys on a
node of its own (``tkg:answerRowsKey`` on ``{answers graph}/rows/QUERY[/ROLE]``,
kg.answers_graph): :func:`answer_rows_table` reads them for a whole answer. So does the
statistics graph for trials-per-city and sponsors-by-class (``{statistics graph}/rows/QUERY``,
kg.stats; 5 s each at 100,000 trials before); sponsors-by-class's keys hold each row's agency
class concept, whose code kg joins from the store when it reads, as the variant does.

It returns None where it cannot be sure of the variant's rows: a page (read by ranks), a role
that is not one kg keys (a value other than a plain ``lead``, ``collaborator``, ``sponsor`` or
``any``), no keys (a store written by an older kg), a key that says ``false`` (a value of a kind
the keys do not write), keys that do not fit together (a first rank or a number of rows that does
not follow) or whose columns are not the query's; for sponsors-by-class, a ``class`` that is not
a plain string, or a concept with more than one code or one that is not a plain string. The
caller then runs the SPARQL.
"""

from __future__ import annotations

import re

import orjson
import pyoxigraph as ox

from kg.answers import ANSWERS_GRAPH, ROLES
from kg.answers_graph import row_key_node
from kg.queries import Bindings, Cell, NamedQuery, ResultTable
from kg.stats import ROW_KEY_COLUMNS as STATS_ROW_KEY_COLUMNS
from kg.stats import STATS_GRAPH
from kg.stats import row_key_node as stats_row_key_node
from kg.terms import SKOS, TKG, XSD

__all__ = ["ROW_KEYED", "STATS_KEYED", "answer_rows_table", "json_cell", "read_row_keys"]

STATS_KEYED = ("trials-per-city", "sponsors-by-class")
"""The queries whose whole answers kg reads from the statistics graph's row keys (kg.stats)."""

ROW_KEYED = (
    "sponsor-network", "published-without-results", "publications-per-sponsor",
    "sponsor-publications", *STATS_KEYED,
)
"""The queries whose whole answers kg reads from row keys (kg.answers_graph.ROW_KEY_COLUMNS,
kg.stats.ROW_KEY_COLUMNS)."""

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


def read_row_keys(
    store: ox.Store, graph: str, node: str
) -> tuple[list[str], list[tuple[Cell | None, ...]]] | None:
    """Return the columns and the rows of the row keys (kg.row_keys) on ``node`` in ``graph``.

    None: no keys (a graph written by an older kg), a key saying ``false``, or keys that do not
    fit together (a first row that does not follow, fewer rows than they say, an index past the
    values, columns that differ).
    """
    result = store.query(
        f"SELECT ?key WHERE {{ GRAPH <{graph}> {{ <{node}> <{TKG}answerRowsKey> ?key }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    parts: list[tuple[int, list[Cell | None], list[list[int]]]] = []
    totals: set[object] = set()
    heads: set[tuple[str, ...]] = set()
    try:
        for solution in result:
            key = solution[0]
            if not isinstance(key, ox.Literal) or key.value == "false":
                return None
            form, first, total, columns, values, indexes = orjson.loads(key.value)
            if form != 1 or not isinstance(first, int) or not isinstance(columns, list):
                return None
            if not isinstance(indexes, list) or not all(isinstance(i, list) for i in indexes):
                return None
            totals.add(total)
            heads.add(tuple(columns))
            parts.append((first, [json_cell(v) for v in values], indexes))
        if not parts or len(heads) != 1:
            return None  # no keys: written by an older kg
        names = list(heads.pop())
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
    return names, rows


def answer_rows_table(
    store: ox.Store, query: NamedQuery, bindings: Bindings
) -> ResultTable | None:
    """Return the whole answer of a row-keyed variant from its keys; None: run the SPARQL.

    ``store`` must hold the graph of the query's keys (the caller checks: its ``# native:``).
    """
    names = _projection(query, bindings)
    if query.name in STATS_KEYED:
        return None if names is None else _stats_table(store, query, bindings, names)
    node = _node(query, bindings)
    if node is None or names is None:
        return None
    found = read_row_keys(store, ANSWERS_GRAPH, node)
    if found is None or found[0] != names:
        return None
    return ResultTable(tuple(names), tuple(found[1]))


_NOTATIONS = f"SELECT ?concept ?code WHERE {{ ?concept <{SKOS}notation> ?code }}"
_SPONSORS_BY_CLASS = ["agencyClass", "sponsor", "trials", "leadTrials", "org"]


def _stats_table(
    store: ox.Store, query: NamedQuery, bindings: Bindings, names: list[str]
) -> ResultTable | None:
    """trials-per-city's and sponsors-by-class's whole answer, from the statistics graph's keys.

    sponsors-by-class's keys hold each row's class concept: its code is joined here, from the
    store's union default graph as the variant joins it; a concept without exactly one code (a
    plain string), or a ``class`` that is not a plain string, runs the SPARQL.
    """
    found = read_row_keys(store, STATS_GRAPH, stats_row_key_node(query.name))
    if found is None or tuple(found[0]) != STATS_ROW_KEY_COLUMNS[query.name]:
        return None
    columns, rows = found
    if query.name == "trials-per-city":
        return ResultTable(tuple(names), tuple(rows)) if names == columns else None
    wanted = bindings.get(ox.Variable("class"))
    if names != _SPONSORS_BY_CLASS or not _plain(wanted):
        return None
    assert isinstance(wanted, ox.Literal)  # noqa: S101 - _plain said so
    codes: dict[str, list[str | None]] = {}  # None: a code the FILTER compares otherwise
    solutions = store.query(_NOTATIONS, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    for solution in solutions:
        concept, code = solution[0], solution[1]
        if isinstance(concept, ox.NamedNode):
            codes.setdefault(concept.value, []).append(
                code.value if isinstance(code, ox.Literal) and _plain(code) else None
            )
    shown: dict[Cell | None, Cell | None] = {}
    for concept in {row[0] for row in rows}:
        if concept is None or concept.kind != "uri":
            return None
        found_codes = codes.get(concept.value, [])
        if len(found_codes) > 1 or None in found_codes:
            return None  # two codes (two rows each) or one the FILTER compares otherwise
        code = found_codes[0] if found_codes else None
        shown[concept] = None if code is None else Cell.literal(code)
    kept = [
        (code_cell, *row[1:])
        for row in rows
        if (code_cell := shown[row[0]]) is not None
        and wanted.value in ("any", code_cell.value)
    ]
    return ResultTable(tuple(names), tuple(kept))


def _plain(term: object) -> bool:
    """A plain string literal (``xsd:string``, no language)."""
    return (
        isinstance(term, ox.Literal) and not term.language and term.datatype.value == _STRING
    )
