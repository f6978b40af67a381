"""Pages of an answer read from its first rows in order (``# pages: head``).

Some answers are ordered by columns the store reads cheaply (a short literal held in the index
key itself, such as an NCT id) before one that costs a look-up a row (a title); most of their
rows' cost is that last column. Such a variant orders its cheap columns in a subquery, which
ends with a line ``# head: ...``: a page of ``limit`` rows from ``offset`` puts
``LIMIT offset + limit`` there, so the store reads the costly column for those rows only. That
is exact when every row of the subquery gives one row or more of the answer, and the answer's
order begins with the subquery's: the first ``offset + limit`` of the subquery's rows then give
(at least) the first ``offset + limit`` rows of the answer, in order.

The number of rows of the whole answer comes from the variant's count form,
``queries/indexed/head/NAME.count.rq`` (one row, ``?rows``), which counts the keys without reading
the costly column. Every page checks what it read against that count: fewer rows than the count
promises gives None, and the caller reads the page the slow, exact way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.errors import QueryError
from kg.queries import QUERY_DIR, Bindings, NamedQuery, ResultTable, load_query

__all__ = ["HEAD_DIR", "head_paged", "head_query", "read_head_page"]

HEAD_DIR = QUERY_DIR / "indexed" / "head"
_HEAD = re.compile(r"^#\s*pages:\s*head\b", re.MULTILINE)
_MARK = re.compile(r"^[ \t]*#\s*head:.*$", re.MULTILINE)

Run = Callable[[NamedQuery, Bindings], ResultTable]


def head_paged(query: NamedQuery) -> bool:
    """Say whether a query's header says its pages are read from its head (``# pages: head``)."""
    return _HEAD.search(query.text) is not None


def head_query(query: NamedQuery, rows: int) -> NamedQuery:
    r"""Return the variant whose ordered subquery stops after ``rows`` rows.

    >>> q = NamedQuery("q", "SELECT * { { SELECT ?a { ?a ?p ?b } ORDER BY ?a\n  # head: here\n"
    ...                "} ?a ?q ?c } ORDER BY ?a ?c", "", (), "")
    >>> print(head_query(q, 30).text)
    SELECT * { { SELECT ?a { ?a ?p ?b } ORDER BY ?a
      LIMIT 30
    } ?a ?q ?c } ORDER BY ?a ?c

    Raises:
        QueryError: the variant has no ``# head:`` line, or more than one.
    """
    marks = _MARK.findall(query.text)
    if len(marks) != 1:
        found = len(marks)
        raise QueryError(f"{query.name}: '# pages: head' needs one '# head:' line, found {found}")
    text = _MARK.sub(lambda m: m.group(0)[: m.group(0).index("#")] + f"LIMIT {rows}", query.text)
    return NamedQuery(query.name, text, query.summary, query.params, query.example)


def _count_form(query: NamedQuery) -> NamedQuery:
    path = HEAD_DIR / f"{query.name}.count.rq"
    if not path.is_file():
        raise QueryError(f"{query.name}: '# pages: head' but no count form {path}")
    return load_query(str(path))


def read_head_page(
    run: Run, query: NamedQuery, bindings: Bindings, offset: int, limit: int
) -> tuple[ResultTable, int] | None:
    """Return a page's rows and the number of rows of the whole answer; None: read it the slow way.

    ``query`` is the ``# pages: head`` variant, ``run`` runs a query with the bindings.
    """
    counted = run(_count_form(query), bindings)
    cell = counted.rows[0][0] if len(counted.rows) == 1 and counted.rows[0] else None
    if cell is None or not cell.value.isdigit():
        raise QueryError(f"{query.name}: the count form gave no number of rows")
    total = int(cell.value)
    head = run(head_query(query, offset + limit), bindings)
    whole = total <= offset + limit  # the head then holds every pair, hence every row
    if len(head.rows) != total if whole else len(head.rows) < offset + limit:
        return None  # the count and the head disagree: the store broke a premise of the variant
    return ResultTable(head.variables, head.rows[offset : offset + limit]), total
