"""trials-without-results-publication answered by kg itself on an embedded store, from its keys.

The variant reads every completed trial's row of the answers graph (kg/answers.py) and joins
each to its completion date, count of results publications and rank before filtering: ~35 us a
row in pyoxigraph 0.5, ~0.85 s for the 28,106 completed trials of 100,000 (benchmarks/RESULTS.md).
The answers graph also holds those rows as a few keys, in rank order (``tkg:completedRowsKey``,
:func:`kg.answers_graph.completed_keys`): :func:`completed_page` reads them, filters them as the
variant does and makes cells of the page's rows only. The day the variant counts back from and
its ``which`` test are computed by the store from the same parameters with the variant's own
expressions (one query without data), so ``today``, an odd ``asOf`` or an error mean what they
mean there.

It returns None where it cannot be sure of the variant's rows: no keys (a store written by an
older kg), a key that says ``false`` (a value of a kind the keys do not write), keys that do not
fit together (a first rank or a number of rows that does not follow). The caller then runs the
SPARQL.
"""

from __future__ import annotations

import orjson
import pyoxigraph as ox

from kg.answer_rows import Unsure, json_cell
from kg.answers import ANSWERS_GRAPH
from kg.queries import Bindings, Cell, ResultTable, with_values
from kg.terms import TKG, XSD

__all__ = ["COMPLETED_VARIABLES", "completed_page"]

COMPLETED_VARIABLES = (
    "nct", "title", "agencyClass", "completion", "searched", "publications",
    "resultsPublications", "trial",
)
"""The variant's columns, in its order."""

_KEYS = (
    f"SELECT ?key WHERE {{ GRAPH <{ANSWERS_GRAPH}> {{ <{ANSWERS_GRAPH}> "
    f"<{TKG}completedRowsKey> ?key }} }}"
)
# The variant's own expressions (queries/indexed/trials-without-results-publication.rq), on the
# parameters alone: the day's cut (an error: unbound, and no row passes) and the which test.
_CUT = f"""PREFIX xsd: <{XSD}>
SELECT ?cut ?every WHERE {{
  BIND(IF(?asOf = "today", SUBSTR(STR(NOW()), 1, 10), STR(?asOf)) AS ?day)
  BIND(CONCAT(STR(xsd:integer(SUBSTR(?day, 1, 4)) - ?years), SUBSTR(?day, 5)) AS ?cut)
  BIND(?which = "all" AS ?every)
}}"""
_INTEGER = f"{XSD}integer"
_BOOLEAN = f"{XSD}boolean"


class _Key:
    """One key: its first rank, its rows' filtered columns, its other columns (parsed on use)."""

    __slots__ = ("filtered", "first", "shown", "text")

    def __init__(self, first: int, filtered: list[list[object]], text: str) -> None:
        self.first, self.filtered, self.text = first, filtered, text
        self.shown: list[list[object]] | None = None

    def row(self, at: int) -> list[object]:
        if self.shown is None:
            self.shown = orjson.loads(self.text)
            if not isinstance(self.shown, list) or len(self.shown) != len(self.filtered):
                raise Unsure
        return self.shown[at - self.first]


def _keys(store: ox.Store) -> list[_Key]:
    """The store's keys in rank order (raises Unsure: no keys, or not usable)."""
    result = store.query(_KEYS)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    keys: list[_Key] = []
    totals: set[object] = set()
    for solution in result:
        key = solution[0]
        if not isinstance(key, ox.Literal) or "\n" not in key.value:
            raise Unsure  # false, or not a key of this form
        filtered_text, shown_text = key.value.split("\n", 1)
        head = orjson.loads(filtered_text)
        if not isinstance(head, list) or len(head) != 4 or head[0] != 1:
            raise Unsure
        _, first, total, filtered = head
        if not isinstance(first, int) or not isinstance(filtered, list):
            raise Unsure
        totals.add(total)
        keys.append(_Key(first, filtered, shown_text))
    if not keys:
        raise Unsure  # written by an older kg
    keys.sort(key=lambda k: k.first)
    at = 0
    for key in keys:
        if key.first != at:
            raise Unsure
        at += len(key.filtered)
    if totals != {at}:
        raise Unsure
    return keys


def _cut(store: ox.Store, bindings: Bindings) -> tuple[str | None, bool]:
    """The variant's cut (None: an error, no row passes) and whether ``which`` is ``all``."""
    result = store.query(with_values(_CUT, bindings))
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    solution = next(iter(result))
    cut, every = solution["cut"], solution["every"]
    text = cut.value if isinstance(cut, ox.Literal) and not cut.language else None
    return text, isinstance(every, ox.Literal) and every.value == "true"


def _count(value: object) -> Cell:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Unsure
    return Cell.literal(str(value), _INTEGER)


def _cells(results: object, shown: list[object]) -> tuple[Cell | None, ...]:
    """A row in the variant's columns (COMPLETED_VARIABLES)."""
    pubs, searched, agency, nct, completion, title, trial = shown
    if not isinstance(searched, bool) or not (agency is None or isinstance(agency, str)):
        raise Unsure
    return (
        json_cell(nct), json_cell(title), None if agency is None else Cell.literal(agency),
        json_cell(completion), Cell.literal("true" if searched else "false", _BOOLEAN),
        _count(pubs), _count(results), json_cell(trial),
    )


def completed_page(
    store: ox.Store, bindings: Bindings, offset: int, limit: int | None
) -> tuple[ResultTable, int] | None:
    """Return a page of the variant's answer and its number of rows; None: run the SPARQL.

    ``store`` must hold the answers graph (the caller checks). Only the page's rows become cells
    (``limit`` None: every row from ``offset``).
    """
    try:
        keys = _keys(store)
        cut, every = _cut(store, bindings)
        if cut is None:
            return ResultTable(COMPLETED_VARIABLES, ()), 0
        passed: list[tuple[_Key, int, object]] = []
        for key in keys:
            for at, (results, completion) in enumerate(key.filtered, key.first):
                if not isinstance(completion, str) or type(results) is not int:
                    raise Unsure
                if completion < cut and (every or results == 0):
                    passed.append((key, at, results))
        shown = passed[offset:] if limit is None else passed[offset : offset + limit]
        rows = tuple(_cells(results, key.row(at)) for key, at, results in shown)
    except (Unsure, orjson.JSONDecodeError, ValueError, TypeError, IndexError):
        return None
    return ResultTable(COMPLETED_VARIABLES, rows), len(passed)
