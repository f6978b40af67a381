"""A 10,000-row keys page read in chunks: keys read once (now) vs once per chunk (before).

Usage: python benchmarks/bench_keys_chunks.py STORE  (a kg store, opened read-only)
"""

import resource
import sys
import time
from pathlib import Path

import kg.query_output as qo
from kg.indexed import choose, store_ask, store_lookup
from kg.queries import bind_params, load_query, run_query
from kg.sinks.store import open_store

st = open_store(Path(sys.argv[1]))
q = load_query("trials-without-results-publication")
b = bind_params(q, {})
ch = choose(q, b, store_ask(st), lookup=store_lookup(st))


def run(qq, bb):  # type: ignore[no-untyped-def]
    return run_query(st, qq, bb, indexed=False)


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def before() -> None:
    """The chunk loop over one-chunk pages: every chunk read every key again."""
    first = qo._read_page_once(ch, b, qo.Page(1000, 0), run, st, 1000)
    rows = list(first.table.rows)
    while len(rows) < min(10000, first.total):
        rows.extend(qo._read_page_once(ch, b, qo.Page(1000, len(rows)), run, st, 1000).table.rows)


for label in ["now", "before", "now", "before"]:
    c, t = cpu(), time.time()
    if label == "now":
        qo.read_page(ch, b, qo.Page(10000, 0), run, st)
    else:
        before()
    print(f"{label} cpu {cpu() - c:.2f} s wall {time.time() - t:.2f} s", flush=True)
