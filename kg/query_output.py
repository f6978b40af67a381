"""What ``kg query`` writes: the store's own serialization of a whole answer, or one page of it.

A whole answer from the embedded store in CSV, TSV or JSON is serialized by the store (Rust), not
turned into Python terms and cells: ~20 us a row less, half of what a large answer cost
(trials-per-city at 10,000 trials: 61,598 rows). The bytes are those kg's own writers
(:func:`kg.queries.format_results`) give for the same rows; the one difference is a
``xsd:double``, which the store writes in its own lexical form (``1000``, not ``1.0E3``); no named
query returns one.

A page (``--limit N --offset M``) is never a silent cap: :class:`PageResult` carries the number of
rows of the whole answer, which ``kg query`` prints on stderr with the way to the next page. How
a page is read:

- an indexed variant whose header says ``# pages: rank`` (its rows have ``?rank`` 0, 1, ... N-1
  in the answer's order, whatever the store; kg.stats and kg.answers write them so) reads the
  page's ranks only: ``VALUES ?rank`` looked up, not every row read and sorted; the number of
  rows is found by looking up whether rank k exists (a doubling then a halving search, ~2 log2 N
  look-ups); a variant written for whole answers names the form its pages are read with
  (``# rank form:``, :func:`kg.rank_blocks.rank_page_form`);
- an indexed variant whose header says ``# pages: block`` (ranked rows of which its parameters
  keep one block of contiguous ranks: a role, an agency class) finds the block's first and last
  rank with its probe query and reads the page's ranks only (:mod:`kg.rank_blocks`);
- an indexed variant whose header says ``# pages: keys`` reads the keys of every row (cheap
  columns; their number is the count), then the other columns of the page's rows only
  (:mod:`kg.key_pages`);
- an indexed variant whose header says ``# pages: head`` counts its rows with its count form and
  reads its first ``offset + limit`` rows only, the costly column of those rows alone
  (:mod:`kg.head_pages`);
- any other query on the embedded store runs whole; only the page's rows become Python cells,
  the rest are counted;
- on an endpoint, the query gets ``LIMIT``/``OFFSET`` and, when the page is full or empty, a
  ``COUNT(*)`` of the whole answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import AnswerChangedError, QueryError, UsageError
from kg.head_pages import head_paged, read_head_page
from kg.key_pages import keys_paged, read_keys_page
from kg.queries import (
    Bindings,
    NamedQuery,
    OutputFormat,
    ResultTable,
    format_results,
    query_tokens,
    solutions,
    term_cell,
    with_values,
)
from kg.rank_blocks import block_paged, rank_page_form, ranks_query, read_block_page
from kg.remote_pages import Pager

__all__ = [
    "VALUES_CHUNK",
    "Page",
    "PageResult",
    "count_query",
    "limited_query",
    "page_note",
    "rank_paged",
    "read_page",
    "stream_answer",
    "unbound_projection",
    "values_paged",
]

_STREAMED = {
    OutputFormat.CSV: ox.QueryResultsFormat.CSV,
    OutputFormat.TSV: ox.QueryResultsFormat.TSV,
    OutputFormat.JSON: ox.QueryResultsFormat.JSON,
}
_PAGES = re.compile(r"^#\s*pages:\s*rank\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Page:
    """Which rows of an answer to give: ``limit`` rows from row ``offset`` (0 = the first)."""

    limit: int
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise UsageError(f"--limit takes a whole number of rows, 1 or more, got {self.limit}")
        if self.offset < 0:
            raise UsageError(f"--offset takes a whole number, 0 or more, got {self.offset}")


@dataclass(frozen=True, slots=True)
class PageResult:
    """The rows of a page and the number of rows of the whole answer."""

    table: ResultTable
    page: Page
    total: int


def page_note(result: PageResult, name: str) -> str | None:
    """Say on which rows of how many a page stands, and how to get the rest; None if it is whole.

    >>> rows = ResultTable(("a",), ((None,),) * 100)
    >>> page_note(PageResult(rows, Page(100), 61598), "trials-per-city")
    'kg: trials-per-city: rows 1-100 of 61,598; next: --limit 100 --offset 100; all: no --limit'
    >>> page_note(PageResult(ResultTable(("a",), ((None,),) * 98), Page(100, 61500), 61598), "q")
    'kg: q: rows 61,501-61,598 of 61,598; the rows before: --offset 61400'
    >>> page_note(PageResult(ResultTable(("a",), ()), Page(10, 70), 7), "q")
    'kg: q: no rows from --offset 70: the answer has 7 rows'
    >>> page_note(PageResult(ResultTable(("a",), ((None,),) * 7), Page(10), 7), "q") is None
    True
    """
    shown = len(result.table.rows)
    first, page, total = result.page.offset, result.page, result.total
    if first == 0 and shown == total:
        return None
    if shown == 0:
        return f"kg: {name}: no rows from --offset {first}: the answer has {total:,} rows"
    where = f"kg: {name}: rows {first + 1:,}-{first + shown:,} of {total:,}"
    if first + shown < total:
        return f"{where}; next: --limit {page.limit} --offset {first + shown}; all: no --limit"
    return f"{where}; the rows before: --offset {max(0, first - page.limit)}"


def rank_paged(query: NamedQuery) -> bool:
    """Say whether a query's header promises its rows have ranks 0..N-1 (``# pages: rank``)."""
    return _PAGES.search(query.text) is not None


def limited_query(query: NamedQuery, page: Page) -> NamedQuery:
    """Return the query with ``LIMIT``/``OFFSET`` for the page (within its own, if it has them).

    >>> q = NamedQuery("q", "SELECT ?a { ?a ?p ?b } ORDER BY ?b", "", (), "")
    >>> print(limited_query(q, Page(5, 10)).text, end="")
    SELECT ?a { ?a ?p ?b }
    ORDER BY ?b
    LIMIT 5
    OFFSET 10
    """
    pager = Pager.parse(query.text)
    limit = page.limit
    remaining = pager.remaining(page.offset)
    if remaining is not None:
        limit = min(limit, remaining)
    order = f"ORDER BY {pager.order}\n" if pager.order else ""
    text = (
        f"{pager.prologue}{pager.body.rstrip()}\n{order}"
        f"LIMIT {limit}\nOFFSET {pager.offset + page.offset}\n"
    )
    return NamedQuery(query.name, text, query.summary, query.params, query.example)


def count_query(query: NamedQuery) -> NamedQuery:
    r"""Return a query whose one row ``?rows`` counts the rows of ``query``.

    >>> q = NamedQuery("q", "PREFIX s: <x:>\nSELECT DISTINCT ?a { ?a s:p ?b } # end", "", (), "")
    >>> print(count_query(q).text)
    PREFIX s: <x:>
    SELECT (COUNT(*) AS ?rows) WHERE { {
    SELECT DISTINCT ?a { ?a s:p ?b } # end
    } }
    """
    pager = Pager.parse(query.text)
    body = query.text[len(pager.prologue) :]
    text = f"{pager.prologue}SELECT (COUNT(*) AS ?rows) WHERE {{ {{\n{body}\n}} }}"
    return NamedQuery(query.name, text, query.summary, query.params, query.example)


Run = Callable[[NamedQuery, Bindings], ResultTable]


def _ranks_held(run: Run, form: NamedQuery, bindings: Bindings, known: int) -> int:
    """Return N, the number of ranks 0..N-1 held, given that rank ``known - 1`` is held.

    ``form`` is the variant's rank form (:func:`kg.rank_blocks.rank_page_form`).
    """

    def held(rank: int) -> bool:
        return bool(run(ranks_query(form, rank, 1), bindings).rows)

    low, step = known, 1  # ranks < low are held
    high = low + step
    while held(high - 1):
        low, step = high, step * 2
        high = low + step
    while high - low > 1:  # rank low - 1 held, rank high - 1 not
        middle = (low + high) // 2
        low, high = (middle, high) if held(middle - 1) else (low, middle)
    return low


VALUES_CHUNK = 1000
"""Most ranks or keys a page binds in one query (see :func:`read_page`)."""


def values_paged(query: NamedQuery) -> bool:
    """Say whether a variant's pages bind their rows' ranks or keys (rank, block or keys pages)."""
    return rank_paged(query) or block_paged(query) or keys_paged(query)


def read_page(
    query: NamedQuery,
    bindings: Bindings,
    page: Page,
    run: Run,
    store: ox.Store | None = None,
    *,
    chunk: int = VALUES_CHUNK,
    by_rank: bool = True,
) -> PageResult:
    """Read one page of a query's answer and count the rows of the whole.

    ``query`` is the query as it is to run (the indexed variant already chosen, parameters not yet
    bound); ``run`` runs a query (unchanged) with bindings; ``store``, when given, is the embedded
    store ``run`` reads.

    A page that binds its ranks or keys (:func:`values_paged`) is read ``chunk`` rows at a time:
    pyoxigraph 0.5.13 joins a larger ``VALUES`` block another way (at 100,000 trials, 1,000 ranks
    0.18 s, 2,000 ranks 40 s, 10,000 ranks 148 s), slower than reading the whole answer.

    ``by_rank=False`` reads such a page as any other (``LIMIT``/``OFFSET`` and a count): for an
    endpoint that plans the bound ranks badly (:func:`kg.remote.pages_by_rank`).

    On an embedded store, a variant kg reads itself (``query.native``, kg.native) is read so first,
    whole page at once; where kg cannot be sure of it, the page is read as above.
    """
    if store is not None and query.native:
        from kg.native import native_page

        found = native_page(store, query, bindings, page.offset, page.limit)
        if found is not None:
            return PageResult(found[0], page, found[1])
    if not by_rank:
        return _limited_page(query, bindings, page, run, store)
    if not values_paged(query) or page.limit <= chunk or keys_paged(query):
        return _read_page_once(query, bindings, page, run, store, chunk)
    first = _read_page_once(query, bindings, Page(chunk, page.offset), run, store, chunk)
    rows = list(first.table.rows)
    end = min(page.offset + page.limit, first.total)
    while page.offset + len(rows) < end:
        at = page.offset + len(rows)
        part = _read_page_once(query, bindings, Page(min(chunk, end - at), at), run, store, chunk)
        if not part.table.rows or part.total != first.total:
            message = f"{query.name}: the answer changed while a page of it was read"
            raise AnswerChangedError(message)
        rows.extend(part.table.rows)
    return PageResult(ResultTable(first.table.variables, tuple(rows)), page, first.total)


def _read_page_once(
    query: NamedQuery,
    bindings: Bindings,
    page: Page,
    run: Run,
    store: ox.Store | None,
    chunk: int = VALUES_CHUNK,
) -> PageResult:
    if rank_paged(query):
        form = rank_page_form(query)
        table = run(ranks_query(form, page.offset, page.limit), bindings)
        shown = len(table.rows)
        if shown == page.limit:
            total = _ranks_held(run, form, bindings, page.offset + shown)
        elif shown or page.offset == 0:
            total = page.offset + shown
        else:  # past the end: how far is it?
            total = _ranks_held(run, form, bindings, 0)
        return PageResult(table, page, total)
    read = None
    if block_paged(query):
        read = read_block_page(run, query, bindings, page.offset, page.limit)
    elif keys_paged(query):
        read = read_keys_page(run, query, bindings, page.offset, page.limit, chunk=chunk)
    elif head_paged(query):
        read = read_head_page(run, query, bindings, page.offset, page.limit)
    if read is not None:
        return PageResult(read[0], page, read[1])
    return _limited_page(query, bindings, page, run, store)


def _limited_page(
    query: NamedQuery, bindings: Bindings, page: Page, run: Run, store: ox.Store | None
) -> PageResult:
    if store is not None:
        return _store_page(store, query, bindings, page)
    table = run(limited_query(query, page), bindings)
    shown = len(table.rows)
    if 0 < shown < page.limit or (page.offset == 0 and shown < page.limit):
        return PageResult(table, page, page.offset + shown)
    counted = run(count_query(query), bindings)
    cell = counted.rows[0][0] if counted.rows and counted.rows[0] else None
    if cell is None or not cell.value.isdigit():
        raise QueryError(f"{query.name}: the endpoint did not count the rows of the answer")
    return PageResult(table, page, int(cell.value))


def _store_page(store: ox.Store, query: NamedQuery, bindings: Bindings, page: Page) -> PageResult:
    result = solutions(store, query, with_values(query.text, bindings))
    bound = {v.value for v in bindings}
    variables = tuple(v for v in result.variables if v.value not in bound)
    rows = []
    total = 0
    last = page.offset + page.limit
    for solution in result:  # every row counted; only the page's become cells
        if page.offset <= total < last:
            rows.append(tuple(term_cell(solution[v]) for v in variables))
        total += 1
    return PageResult(ResultTable(tuple(v.value for v in variables), tuple(rows)), page, total)


def unbound_projection(text: str, bound: frozenset[str]) -> str | None:
    """Return the query without the bound variables in its outer projection; None if it cannot.

    kg leaves the parameters (bound by a ``VALUES`` block) out of its output. ``SELECT *``, or a
    projection that would be left empty, cannot be written that way (None).

    >>> unbound_projection("SELECT DISTINCT ?nct ?other (COUNT(?x) AS ?n) { ?s ?p ?nct }",
    ...                    frozenset({"nct"}))
    'SELECT DISTINCT  ?other (COUNT(?x) AS ?n) { ?s ?p ?nct }'
    >>> unbound_projection("SELECT * { ?s ?p ?nct }", frozenset({"nct"})) is None
    True
    """
    depth = 0
    selecting = False
    cuts: list[tuple[int, int]] = []
    kept = 0
    for kind, lexeme, start, end in query_tokens(text):
        if kind == "comment":
            continue
        if not selecting:
            if kind == "word" and lexeme.upper() == "SELECT":
                selecting = True
            elif kind == "word" and lexeme.upper() in ("ASK", "CONSTRUCT", "DESCRIBE"):
                return None
            continue
        if kind == "bracket":
            if depth == 0 and lexeme == "{":
                break
            depth += 1 if lexeme in "({" else -1
            if depth == 1 and lexeme == "(":
                kept += 1
        elif kind == "word" and depth == 0 and lexeme.upper() == "WHERE":
            break
        elif kind == "var" and depth == 0:
            if lexeme[1:] in bound:
                cuts.append((start, end))
            else:
                kept += 1
    if not selecting or not kept:
        return None
    for start, end in reversed(cuts):
        text = text[:start] + text[end:]
    return text


def stream_answer(
    store: ox.Store, query: NamedQuery, bindings: Bindings, fmt: OutputFormat
) -> tuple[bytes, bool] | None:
    """Return the whole answer as the store serializes it in ``fmt``, and whether it has rows.

    An answer kg reads itself (``query.native``, kg.native) is written by kg's own writer. None
    when the store cannot write it as kg does (a table, ``SELECT *`` with parameters): the
    caller then formats the rows itself.
    """
    target = _STREAMED.get(fmt)
    if target is None:
        return None
    if query.native:
        from kg.native import native_table

        table = native_table(store, query, bindings)
        if table is not None:
            return format_results(table, fmt).encode("utf-8"), bool(table.rows)
    text = unbound_projection(query.text, frozenset(v.value for v in bindings))
    if text is None:
        return None
    result = solutions(store, query, with_values(text, bindings))
    names = [v.value for v in result.variables]
    data = result.serialize(format=target)
    if data is None:  # pragma: no cover - serialize without an output returns the bytes
        raise QueryError(f"{query.name}: the store wrote no results")
    if fmt is OutputFormat.JSON:
        return data + b"\n", not data.endswith(b'"bindings":[]}}')
    header = (",".join(names) + "\r\n") if fmt is OutputFormat.CSV else (
        "\t".join(f"?{n}" for n in names) + "\n"
    )
    return data, len(data) > len(header.encode("utf-8"))
