"""Pages of an answer read by its keys first (``# pages: keys``).

Some answers cannot be read by rank (their parameters keep scattered rows: a date, "without
results"), and what makes them slow is the values of each row, not finding the rows. Such a
variant has two forms in ``queries/indexed/keys/``:

- ``NAME.rq``: the keys of the answer's rows, in the answer's order, one key per row, read from
  the cheap columns (the filters and the order's values);
- ``NAME.rows.rq``: the answer's rows for the keys bound (``VALUES (?k ...) { ... }``), in the
  answer's order.

A page reads every key (the count of the whole answer is their number), then the rows of the
page's keys only. The rows are checked: one for each key, no more; a store that breaks that
gives None, and the caller reads the page the slow, exact way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from kg.errors import QueryError
from kg.queries import QUERY_DIR, Bindings, Cell, NamedQuery, ResultTable, load_query, with_block

__all__ = ["KEYS_DIR", "keys_paged", "read_keys_page"]

KEYS_DIR = QUERY_DIR / "indexed" / "keys"
_KEYS = re.compile(r"^#\s*pages:\s*keys\b", re.MULTILINE)

Run = Callable[[NamedQuery, Bindings], ResultTable]


def keys_paged(query: NamedQuery) -> bool:
    """Say whether a query's header says its pages are read by keys (``# pages: keys``)."""
    return _KEYS.search(query.text) is not None


def _form(query: NamedQuery, suffix: str) -> NamedQuery:
    path = KEYS_DIR / f"{query.name}{suffix}.rq"
    if not path.is_file():
        raise QueryError(f"{query.name}: '# pages: keys' but no {path}")
    return load_query(str(path))


def _bound(
    query: NamedQuery, names: Sequence[str], keys: Sequence[tuple[Cell | None, ...]]
) -> NamedQuery:
    """Return the query with ``VALUES (?k ...) { (...) ... }`` of the keys first in each group."""
    if any(cell is None for key in keys for cell in key):
        raise QueryError(f"{query.name}: a key with an unbound value")
    rows = " ".join(f"({' '.join(cell.nt() for cell in key if cell is not None)})" for key in keys)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ {rows} }}"
    return NamedQuery(query.name, with_block(query.text, block), query.summary, query.params,
                      query.example)


def read_keys_page(
    run: Run, query: NamedQuery, bindings: Bindings, offset: int, limit: int,
    *, chunk: int | None = None,
) -> tuple[ResultTable, int] | None:
    """Return a page's rows and the number of rows of the whole answer; None: read it the slow way.

    ``query`` is the ``# pages: keys`` variant. The keys are read once; the page's rows are read
    ``chunk`` keys at a time (all at once when None): one ``VALUES`` block per query.
    """
    keys = run(_form(query, ""), bindings)
    total = len(keys.rows)
    if len(set(keys.rows)) != total:
        return None  # a key twice: its rows could not be told apart
    page = keys.rows[offset : offset + limit]
    rows_form = _form(query, ".rows")
    step = max(1, chunk or len(page))
    parts = [page[at : at + step] for at in range(0, len(page), step)] or [page]
    rows: list[tuple[Cell | None, ...]] = []
    variables: tuple[str, ...] = ()
    for part in parts:
        table = run(_bound(rows_form, keys.variables, part), bindings)
        if len(table.rows) != len(part):
            return None
        rows.extend(table.rows)
        variables = table.variables
    return ResultTable(variables, tuple(rows)), total
