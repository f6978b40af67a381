"""Answers kg reads itself on an embedded store, instead of running a variant's SPARQL.

A variant of kg's own (``queries/indexed/``) whose header says ``# native: MARKER`` may be
answered by a reader of kg's, on an embedded store that holds what the marker names
(kg.indexed.STORE_MARKERS): recruiting-near from its site keys (kg/near.py),
trials-without-results-publication from its completed-row keys (kg/completed.py), the whole
answers of the other aggregates of the answers graph, and of trials-per-city and
sponsors-by-class, from their row keys (kg/answer_rows.py).
A reader returns the SPARQL's rows in its order, or None where it cannot be sure of them; the
caller then runs the SPARQL. A remote endpoint always runs the SPARQL.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.queries import Bindings, NamedQuery, ResultTable

__all__ = ["native_page", "native_table"]


def native_page(
    store: ox.Store, query: NamedQuery, bindings: Bindings, offset: int, limit: int | None
) -> tuple[ResultTable, int] | None:
    """Return a page of the answer of a variant that kg reads itself, and the answer's rows.

    ``query.native`` (set by kg on its own variants, from their ``# native:`` header) names what
    the store must hold for it; None: run the query's SPARQL. Only the page's rows become cells
    (``limit`` None: every row from ``offset``).
    """
    if not query.native:
        return None
    # The readers import kg.queries, which imports this module late.
    from kg.answer_rows import ROW_KEYED, answer_rows_table
    from kg.completed import completed_page
    from kg.indexed import STORE_MARKERS, store_ask
    from kg.near import near_page

    if query.name in ROW_KEYED and (offset or limit is not None):
        return None  # a page: read by its ranks
    if query.name not in ("recruiting-near", "trials-without-results-publication", *ROW_KEYED):
        return None
    if not store_ask(store)(STORE_MARKERS[query.native]):
        return None
    if query.name == "recruiting-near":
        return near_page(store, bindings, offset, limit)
    if query.name == "trials-without-results-publication":
        return completed_page(store, bindings, offset, limit)
    table = answer_rows_table(store, query, bindings)
    return None if table is None else (table, len(table.rows))


def native_table(store: ox.Store, query: NamedQuery, bindings: Bindings) -> ResultTable | None:
    """Return the whole answer of a variant that kg reads itself on this store, else None."""
    found = native_page(store, query, bindings, 0, None)
    return found[0] if found is not None else None
