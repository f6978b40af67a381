"""A first page read the fast way and read whole, alternating in one process (issue 15, 4th pass).

    python benchmarks/bench_page_modes.py STORE [QUERY[:k=v,...] ...]

For each query (default: the block- and keys-paged aggregates), reads a page of 100 rows at
offset 0 as ``kg query --limit 100`` does (kg.query_output.read_page: ranks, a block of ranks or
keys) and as it did before (the variant run whole, only the page's rows made cells), twice each,
alternating; prints the best wall and CPU time of each way, their CPU ratio, and whether the rows
were the same. ``adverse-events-by-intervention:intervention=NAME`` times the whole answer with
the trials resolved first (kg.resolve) instead (the scan takes minutes at 100,000 trials).
The store is opened read-only.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import pyoxigraph as ox

from kg.indexed import choose, store_ask, store_lookup
from kg.queries import Bindings, NamedQuery, ResultTable, bind_params, load_query, run_query
from kg.query_output import Page, PageResult, _store_page, read_page

DEFAULT = (
    "publications-per-sponsor",
    "sponsor-publications",
    "sponsors-by-class",
    "sponsors-by-class:class=INDUSTRY",
    "trials-without-results-publication",
)


def _timed(work: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, out


def _spec(arg: str) -> tuple[str, dict[str, str]]:
    name, _, rest = arg.partition(":")
    return name, dict(kv.split("=", 1) for kv in rest.split(",") if kv)


def main() -> None:
    store = ox.Store.read_only(sys.argv[1])
    print(f"load average {os.getloadavg()}")

    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(store, q, b, indexed=False)

    for arg in sys.argv[2:] or DEFAULT:
        name, params = _spec(arg)
        query = load_query(name)
        bindings = bind_params(query, params)
        if name == "adverse-events-by-intervention":
            ms, cpu, out = _timed(lambda: run_query(store, query, bindings))  # noqa: B023
            rows = len(out.rows) if isinstance(out, ResultTable) else 0
            print(f"{arg}: {rows} rows, resolved: wall {ms:.0f} ms, CPU {cpu:.0f} ms")
            continue
        chosen = choose(query, bindings, store_ask(store), lookup=store_lookup(store))
        ways: dict[str, Callable[[], PageResult]] = {
            "page": lambda: read_page(chosen, bindings, Page(100), run, store),  # noqa: B023
            "whole": lambda: _store_page(store, chosen, bindings, Page(100)),  # noqa: B023
        }
        best: dict[str, tuple[float, float]] = {}
        pages = set()
        total = 0
        for _ in range(2):
            for way, work in ways.items():
                ms, cpu, out = _timed(work)
                assert isinstance(out, PageResult)
                pages.add(out.table.rows)
                total = out.total
                old = best.get(way, (ms, cpu))
                best[way] = (min(old[0], ms), min(old[1], cpu))
        (pw, pc), (ww, wc) = best["page"], best["whole"]
        same = "same rows" if len(pages) == 1 else "ROWS DIFFER"
        print(f"{arg}: {total:,} rows, {same}; page: CPU {pc:.0f} ms (wall {pw:.0f}); "
              f"whole: CPU {wc:.0f} ms (wall {ww:.0f}); CPU ratio {wc / max(pc, 1e-9):.1f}x")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
