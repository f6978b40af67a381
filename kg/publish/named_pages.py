"""Pages of a named query's answer: ``/queries/NAME?limit=N&offset=M``.

A named query's answer is read as ``kg query --limit N --offset M`` reads it
(:func:`kg.query_output.read_page`): a ``# pages: rank`` variant looks up the page's ranks only and
counts the answer by a few rank look-ups, so no page of it computes the whole answer; any other
query runs once, and only the page's rows become cells. Every answer says how many rows the whole
has (``X-Total-Count``) and links its neighbours (``Link: <...>; rel="next"``, ``prev``,
``first``, ``last``, RFC 8288), so a client walks a large answer page by page.

Without ``limit``, an answer of at most the server's row limit (``--max-rows``) comes whole, as
before; a larger one gives its first ``--page-rows`` rows (1,000), flagged as cut
(``X-SPARQL-MaxRows`` says at how many rows), with the link to the next page: so a client that
asks for no page does not make the server read 10,000 ranks. A ``limit`` above the row limit, or
a malformed one, is a 400.

A page of a variant that says how its pages are read (``# pages: rank``, or any other
``# pages:`` method of kg.query_output: they bind the page's ranks or keys as a ``VALUES`` block)
is read in chunks of at most :data:`RANK_CHUNK` rows: pyoxigraph 0.5.13 joins a larger ``VALUES``
block another way (at 100,000 trials, 1,000 ranks 0.18 s, 2,000 ranks 40 s).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.errors import AnswerChangedError
from kg.publish.sparql import ProtocolError
from kg.queries import Bindings, NamedQuery, ResultTable
from kg.query_output import VALUES_CHUNK, Page, PageResult, Run, read_page, values_paged

__all__ = [
    "PAGE_PARAMS",
    "RANK_CHUNK",
    "PageRequest",
    "default_page",
    "page_links",
    "page_request",
    "read_by_values",
    "read_rows",
]

RANK_CHUNK = VALUES_CHUNK
"""Most ranks looked up in one query (see the module's note)."""

PAGE_PARAMS = frozenset({"limit", "offset"})
"""URL parameters of a page, never bound as a named query's parameters."""

_DIGITS = re.compile(r"[0-9]{1,15}")


def read_by_values(query: NamedQuery) -> bool:
    """Say whether a variant's pages are read by binding their rows' ranks or keys (``# pages:``).

    >>> text = "# pages: block (a role's ranks)" + chr(10) + "SELECT * {}"
    >>> read_by_values(NamedQuery("q", text, "", (), ""))
    True
    """
    return values_paged(query)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The page a URL asks for: ``limit`` rows (None: the server's choice) from ``offset``."""

    limit: int | None
    offset: int = 0


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"give the {name!r} parameter once")
    return values[0] if values else None


def page_request(params: Mapping[str, list[str]], max_rows: int) -> PageRequest:
    """Read ``limit`` and ``offset`` from a URL's parameters.

    >>> page_request({"limit": ["100"], "offset": ["200"]}, 10_000)
    PageRequest(limit=100, offset=200)
    >>> page_request({"limit": ["-1"]}, 10_000)
    Traceback (most recent call last):
    kg.publish.sparql.ProtocolError: limit takes a whole number of rows from 1 to 10000, got '-1'

    Raises:
        ProtocolError: 400 for a value that is not a whole number in range, or given twice.
    """
    # An empty value is no value: a form's empty field (the /queries page) asks for nothing.
    raw_limit, raw_offset = _one(params, "limit") or None, _one(params, "offset") or None
    limit: int | None = None
    if raw_limit is not None:
        if not _DIGITS.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= max_rows:
            raise ProtocolError(
                400, f"limit takes a whole number of rows from 1 to {max_rows}, got {raw_limit!r}"
            )
        limit = int(raw_limit)
    offset = 0
    if raw_offset is not None:
        if not _DIGITS.fullmatch(raw_offset):
            raise ProtocolError(
                400, f"offset takes a whole number of rows, 0 or more, got {raw_offset!r}"
            )
        offset = int(raw_offset)
    return PageRequest(limit, offset)


def read_rows(
    query: NamedQuery,
    bindings: Bindings,
    page: Page,
    run: Run,
    store: ox.Store | None = None,
    chunk: int = RANK_CHUNK,
) -> PageResult:
    """Read a page as :func:`~kg.query_output.read_page` does, ``chunk`` rows at a time.

    Only a ``# pages:`` variant is read in chunks; any other query runs whole, so in one go.
    An answer that changes while its page is read (never on a read-only store) is a 500.
    """
    try:
        return read_page(query, bindings, page, run, store, chunk=chunk)
    except AnswerChangedError as exc:
        raise ProtocolError(500, str(exc)) from exc


def default_page(
    query: NamedQuery,
    bindings: Bindings,
    offset: int,
    size: int,
    max_rows: int,
    run: Run,
    store: ox.Store | None = None,
) -> tuple[PageResult, bool]:
    """Read the page of a request without ``limit``; say whether it is cut.

    The rest of the answer from ``offset`` when it holds at most ``max_rows`` rows (not cut);
    else its first ``size`` rows (cut). A ``# pages:`` variant reads its first ``size`` rows and
    the count first, then the rest only if it fits; any other query is read once (it runs whole
    anyway).
    """
    if not read_by_values(query):
        paged = read_rows(query, bindings, Page(max_rows, offset), run, store)
        if paged.total - offset <= max_rows:
            return paged, False
        table = ResultTable(paged.table.variables, paged.table.rows[:size])
        return PageResult(table, Page(size, offset), paged.total), True
    first = read_rows(query, bindings, Page(size, offset), run, store)
    shown = len(first.table.rows)
    if first.total - offset > max_rows:
        return first, True
    if offset + shown >= first.total:
        return PageResult(first.table, Page(max_rows, offset), first.total), False
    left = Page(first.total - offset - shown, offset + shown)
    rest = read_rows(query, bindings, left, run, store)
    rows = first.table.rows + rest.table.rows
    table = ResultTable(first.table.variables, rows)
    return PageResult(table, Page(max_rows, offset), first.total), False


def _link(path: str, kept: list[tuple[str, str]], offset: int, limit: int, rel: str) -> str:
    query = urlencode([*kept, ("limit", str(limit)), ("offset", str(offset))])
    return f'<{path}?{query}>; rel="{rel}"'


def page_links(
    path: str, items: Iterable[tuple[str, str]], page: Page, shown: int, total: int
) -> str:
    """Return the ``Link`` header of a page: first, prev, next and last (those that exist).

    ``items`` are the request's URL parameters; the links keep them, with ``limit`` and ``offset``
    set. The previous page ends where this one starts (it is shorter when the offset is not a
    multiple of the limit); the last is the last one the ``next`` links reach.

    >>> page_links("/queries/q", [("format", "csv"), ("limit", "10")], Page(10, 15), 10, 42)
    '</queries/q?format=csv&limit=10&offset=0>; rel="first", </queries/q?format=csv&limit=10&\
offset=5>; rel="prev", </queries/q?format=csv&limit=10&offset=25>; rel="next", </queries/q?\
format=csv&limit=10&offset=35>; rel="last"'
    """
    kept = [(k, v) for k, v in items if k not in PAGE_PARAMS]
    limit, offset = page.limit, page.offset
    links = [_link(path, kept, 0, limit, "first")]
    if offset > 0:
        before = max(0, offset - limit)
        links.append(_link(path, kept, before, offset - before, "prev"))
    if offset + shown < total:
        links.append(_link(path, kept, offset + shown, limit, "next"))
    if total > offset:
        start = offset % limit
        last = start + max(0, total - 1 - start) // limit * limit
        links.append(_link(path, kept, last, limit, "last"))
    elif total > 0:  # past the end: the last page counted from the first
        links.append(_link(path, kept, (total - 1) // limit * limit, limit, "last"))
    return ", ".join(links)
