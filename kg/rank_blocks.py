"""Pages of a ranked answer whose parameters pick one block of the ranks (``# pages: block``).

An indexed variant whose rows carry ``?rank`` (their place in the scan's order, written by
kg.stats and kg.answers_graph) but whose parameters keep some of the rows only (a role, an agency
class) cannot be read as ranks 0..N-1. Its rows are ranked by that parameter's value first,
though, so the rows of one value have contiguous ranks: a block ``first .. end - 1``.

The variant's ranked form, ``queries/indexed/blocks/NAME.rq``, gives the variant's rows of the
ranks bound (``VALUES ?rank``), each with ``?side``: where it stands against the block of the
parameters bound (-1 before it, 0 in it, 1 after it; no row: no row has that rank). It compares
the parameter instead of matching it, so the store starts from the ranks (the variant itself,
which matches it, reads a whole answer faster). The sides rise with the rank, so the block's
ends are found from single ranks by a doubling then a halving search (~2 log2 N look-ups of 1-2
ms each), and a page is the ranks ``first + offset ..``.

Every page checks what it read: one row of side 0 for each rank asked, no more. A store that
breaks the promise (a class with two codes, a rank missing) gives None, and the caller reads the
page the slow, exact way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from kg.errors import QueryError
from kg.queries import QUERY_DIR, Bindings, NamedQuery, ResultTable, load_query, with_block

__all__ = [
    "BLOCKS_DIR",
    "Block",
    "block_paged",
    "find_block",
    "rank_page_form",
    "ranked_form",
    "ranks_query",
]

BLOCKS_DIR = QUERY_DIR / "indexed" / "blocks"
_BLOCK = re.compile(r"^#\s*pages:\s*block\b", re.MULTILINE)
_RANK_FORM = re.compile(r"^#\s*rank form:\s*(\S+)", re.MULTILINE)

Run = Callable[[NamedQuery, Bindings], ResultTable]
Block = tuple[int, int]
"""The first rank of the block and the rank after its last (equal: no rows)."""


class _BrokenBlockError(Exception):
    """The store's ranks do not keep the promise of the probe (caught: the slow way instead)."""


def block_paged(query: NamedQuery) -> bool:
    """Say whether a query's header says its rows are a block of ranks (``# pages: block``)."""
    return _BLOCK.search(query.text) is not None


def ranked_form(query: NamedQuery) -> NamedQuery:
    """Return the ranked form (``queries/indexed/blocks/NAME.rq``) of a ``# pages: block`` variant.

    Raises:
        QueryError: the variant has no ranked form.
    """
    path = BLOCKS_DIR / f"{query.name}.rq"
    if not path.is_file():
        raise QueryError(f"{query.name}: '# pages: block' but no ranked form {path}")
    return load_query(str(path))


def rank_page_form(query: NamedQuery) -> NamedQuery:
    """Return the form a ``# pages: rank`` variant's pages are read with (bound ranks).

    A variant whose header says ``# rank form: ranks/NAME.rq`` (a file of ``queries/indexed/``)
    is written to read a whole answer fast (each column joined as a whole), which reads every row
    whatever ranks are bound; its rank form gives the same rows starting from the ranks bound.
    Without that line the variant is its own rank form.

    Raises:
        QueryError: the header names a file that is not there.
    """
    named = _RANK_FORM.search(query.text)
    if named is None:
        return query
    return _load_form(named.group(1))


@functools.lru_cache(maxsize=32)
def _load_form(relative: str) -> NamedQuery:
    path = QUERY_DIR / "indexed" / relative
    if ".." in Path(relative).parts or not path.is_file():
        raise QueryError(f"no rank form {relative!r} in {QUERY_DIR / 'indexed'}")
    return load_query(str(path))


def ranks_query(query: NamedQuery, first: int, count: int) -> NamedQuery:
    """Return the query restricted to ranks ``first .. first + count - 1`` (``VALUES ?rank``)."""
    ranks = " ".join(str(r) for r in range(first, first + count))
    text = with_block(query.text, f"VALUES ?rank {{ {ranks} }}")
    return NamedQuery(query.name, text, query.summary, query.params, query.example)


def _sides(table: ResultTable) -> list[int]:
    """Return the ``?side`` of each row."""
    if "side" not in table.variables:
        raise QueryError("a ranked form must give ?side")
    at = table.variables.index("side")
    cells = [row[at] for row in table.rows]
    if any(cell is None or cell.value not in ("-1", "0", "1") for cell in cells):
        raise _BrokenBlockError(f"a ?side other than -1, 0, 1: {cells}")
    return [int(cell.value) for cell in cells if cell is not None]


def _side(run: Run, ranked: NamedQuery, bindings: Bindings, rank: int) -> int:
    """Return where rank ``rank`` stands: -1, 0, 1, or 2 when no row has it."""
    sides = _sides(run(ranks_query(ranked, rank, 1), bindings))
    if len(sides) > 1:
        raise _BrokenBlockError(f"{ranked.name}: rank {rank} gives {len(sides)} rows")
    return sides[0] if sides else 2


def _first_at_least(side: Callable[[int], int], low: int, level: int) -> int:
    """Return the smallest rank >= low whose side is >= level (sides rise with the rank)."""
    if side(low) >= level:
        return low
    step = 1  # side(low) < level: double until a rank reaches it, then halve
    high = low + step
    while side(high) < level:
        low, step = high, step * 2
        high = low + step
    while high - low > 1:  # side(low) < level <= side(high)
        middle = (low + high) // 2
        low, high = (middle, high) if side(middle) < level else (low, middle)
    return high


def find_block(run: Run, ranked: NamedQuery, bindings: Bindings) -> Block | None:
    """Return the block of ranks of the answer for these parameters; None: the store breaks it."""
    seen: dict[int, int] = {}

    def side(rank: int) -> int:
        if rank not in seen:
            seen[rank] = _side(run, ranked, bindings, rank)
        return seen[rank]

    try:
        first = _first_at_least(side, 0, 0)
        end = first if side(first) >= 1 else _first_at_least(side, first, 1)
    except _BrokenBlockError:
        return None
    return first, end


def read_block_page(
    run: Run, query: NamedQuery, bindings: Bindings, offset: int, limit: int
) -> tuple[ResultTable, int] | None:
    """Return a page's rows and the number of rows of the whole answer; None: read it the slow way.

    ``query`` is the ``# pages: block`` variant. The rows are checked: one of side 0 for each rank
    asked (a rank without its row, or with two, is a store that breaks the block's promise).
    """
    ranked = ranked_form(query)
    block = find_block(run, ranked, bindings)
    if block is None:
        return None
    first, end = block
    start = min(first + offset, end)
    count = min(limit, end - start)
    table = run(ranks_query(ranked, start, max(count, 1)), bindings)
    try:
        sides = _sides(table)
    except _BrokenBlockError:
        return None
    if count and (len(sides) != count or any(sides)):
        return None
    keep = [i for i, name in enumerate(table.variables) if name != "side"]
    rows = tuple(tuple(row[i] for i in keep) for row in table.rows) if count else ()
    return ResultTable(tuple(table.variables[i] for i in keep), rows), end - first
