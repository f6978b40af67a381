"""Page a SELECT query past an endpoint's row cap: a stable order, then LIMIT and OFFSET.

Servers cap how many rows one answer holds (``kg serve --max-rows``, Virtuoso's
``ResultSetMaxRows``) and say so in a header. A query cut that way is sent again in pages, each
smaller than the cap, in an order that is the same at every request: the query's own
``ORDER BY`` conditions, then every projected variable. Two solutions that tie on all of them
give one and the same row, so the pages neither overlap nor leave a row out.

Two forms of a page:

- inline: the query with its order extended and ``LIMIT``/``OFFSET`` set (the rows come in the
  query's own order, as the embedded store gives them);
- wrapped: the ordered query as a subquery of ``SELECT vars { { ... } } LIMIT ... OFFSET ...``, for
  Virtuoso, which refuses a sorted ``OFFSET`` beyond its cap (``SR353``) but not a sorted subquery.

The query text is read by the tokenizer of :mod:`kg.queries` (strings, IRIs and comments are
skipped whole), never by searching the raw text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.errors import QueryError
from kg.queries import query_tokens

__all__ = ["Pager"]

_NUMBER = re.compile(r"\s*(\d+)")


@dataclass(frozen=True, slots=True)
class Pager:
    """A SELECT query taken apart where pages differ: its order and its own LIMIT/OFFSET."""

    prologue: str  # PREFIX and BASE declarations
    body: str  # SELECT ... WHERE { ... }, with GROUP BY and HAVING
    order: str  # the query's own ORDER BY conditions ("" if none)
    limit: int | None  # the query's own LIMIT
    offset: int  # the query's own OFFSET

    @classmethod
    def parse(cls, text: str) -> Pager:
        """Take a SELECT query apart.

        >>> p = Pager.parse("PREFIX s: <x:> SELECT ?a { ?a s:b '}' } ORDER BY DESC(?a) LIMIT 50")
        >>> p.prologue, p.body, p.order, p.limit, p.offset
        ('PREFIX s: <x:> ', "SELECT ?a { ?a s:b '}' } ", 'DESC(?a)', 50, 0)

        Raises:
            QueryError: not a SELECT query, or one with a trailing VALUES block.
        """
        select_at: int | None = None
        depth = 0
        where_end: int | None = None
        marks: dict[str, tuple[int, int]] = {}  # keyword -> (start, end) in the tail
        previous = ""
        for kind, lexeme, start, end in query_tokens(text):
            if kind == "comment":
                continue
            word = lexeme.upper() if kind == "word" else ""
            if select_at is None:
                if word in ("ASK", "CONSTRUCT", "DESCRIBE"):
                    break
                if word == "SELECT":
                    select_at = start
                continue
            if where_end is None:
                if lexeme == "{":
                    depth += 1
                elif lexeme == "}":
                    depth -= 1
                    if depth == 0:
                        where_end = end
                continue
            if lexeme in "()" and kind == "bracket":
                depth += 1 if lexeme == "(" else -1
            elif depth == 0 and word in ("LIMIT", "OFFSET", "VALUES", "ORDER", "GROUP", "HAVING"):
                marks.setdefault(word, (start, end))
            elif depth == 0 and word == "BY" and previous == "ORDER":
                marks["BY"] = (start, end)
            previous = word
        if select_at is None or where_end is None:
            raise QueryError("only a SELECT query can be read in pages")
        if "VALUES" in marks:
            raise QueryError("a query with a VALUES block after its WHERE group cannot be paged")
        cut = min([s for k, (s, _) in marks.items() if k in ("ORDER", "LIMIT", "OFFSET")],
                  default=len(text))
        order = ""
        if "ORDER" in marks and "BY" in marks:
            stop = min([s for k, (s, _) in marks.items() if k in ("LIMIT", "OFFSET")],
                       default=len(text))
            order = text[marks["BY"][1] : stop].strip()
        limit = _number(text, marks.get("LIMIT"))
        offset = _number(text, marks.get("OFFSET")) or 0
        return cls(text[:select_at], text[select_at:cut], order, limit, offset)

    def page(self, variables: Sequence[str], offset: int, limit: int, *, wrap: bool) -> str:
        """Return the query for ``limit`` rows from ``offset`` (counted within the query's own).

        >>> p = Pager.parse("SELECT ?a ?b { ?a ?p ?b } ORDER BY ?b")
        >>> print(p.page(["a", "b"], 10, 5, wrap=False), end="")
        SELECT ?a ?b { ?a ?p ?b }
        ORDER BY ?b
          ?a ?b
        LIMIT 5
        OFFSET 10
        """
        ties = " ".join(f"?{v}" for v in variables)
        # A new line after the query's own conditions: a comment may end them.
        order = f"{self.order}\n  {ties}" if self.order else ties
        ordered = f"{self.body.rstrip()}\nORDER BY {order}"
        window = f"LIMIT {limit}\nOFFSET {self.offset + offset}\n"
        if not wrap:
            return f"{self.prologue}{ordered}\n{window}"
        projection = " ".join(f"?{v}" for v in variables) or "*"
        return f"{self.prologue}SELECT {projection} WHERE {{\n{{\n{ordered}\n}}\n}}\n{window}"

    def remaining(self, fetched: int) -> int | None:
        """Return how many rows the query's own LIMIT still allows, None when it has none."""
        return None if self.limit is None else max(0, self.limit - fetched)


def _number(text: str, mark: tuple[int, int] | None) -> int | None:
    if mark is None:
        return None
    m = _NUMBER.match(text, mark[1])
    if m is None:
        raise QueryError("LIMIT and OFFSET take a whole number")
    return int(m.group(1))
