"""Each indexed variant of a query read as a first page, alternating in one process (index formats).

    python benchmarks/bench_index_formats.py STORE [--samples 10] [--km 25] [QUERY ...]

For trials-sharing-condition and trials-sharing-intervention (sampled trials) and recruiting-near
(sampled site coordinates; bench_queries.py's samples, seed 0), reads a first page of 100 rows
and the count of all, as ``kg query --limit 100`` does (kg.query_output.read_page), with each
variant the store serves (``queries/indexed/NAME.rq``, then ``queries/indexed/index-N/NAME.rq``),
twice each, alternating; prints per variant the median over the samples of the best CPU time,
and checks that every variant gave the same rows. A variant that does not cover the parameters (too many
cells) is skipped for that sample. The store is opened read-only.

Each variant is timed as its SPARQL; a variant that kg reads itself on a store that holds what
it needs (``# native:``, recruiting-near on index format 8: kg.near) is timed that way too, as
one more line ("native"), with the variant kg picks for the sample.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time

import pyoxigraph as ox
from bench_queries import KM, sample_params

from kg.indexed import (
    STORE_MARKERS,
    _prepared,
    cells_per_degree,
    choose,
    covers,
    indexed_variants,
    requirements,
    store_ask,
    store_lookup,
)
from kg.queries import Bindings, NamedQuery, ResultTable, bind_params, load_query, run_query
from kg.query_output import Page, read_page

QUERIES = ("trials-sharing-condition", "trials-sharing-intervention", "recruiting-near")


def _page(store: ox.Store, variant: NamedQuery, bindings: Bindings) -> tuple[float, object]:
    def run(q: NamedQuery, b: Bindings) -> ResultTable:
        return run_query(store, q, b, indexed=False)

    start = time.process_time()
    result = read_page(variant, bindings, Page(100), run, store)
    return time.process_time() - start, (result.total, result.table.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("queries", nargs="*", default=list(QUERIES))
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--km", default=KM)
    args = parser.parse_args()
    store = ox.Store.read_only(args.store)
    ask = store_ask(store)
    samples = sample_params(store, args.samples)
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    for name in args.queries:
        query = load_query(name)
        runs = (
            [{"nct": n} for n in samples.trials]
            if name in ("trials-sharing-condition", "trials-sharing-intervention")
            else [{"lat": a, "lon": o, "km": args.km} for a, o in samples.places]
        )
        variants = [
            v
            for v in indexed_variants(query)
            if all(ask(STORE_MARKERS[need]) for need in requirements(v))
        ]
        native = len(variants)  # the index of the native reading, if the store has what it needs
        times: dict[int, list[float]] = {i: [] for i in range(len(variants) + 1)}
        rows: list[int] = []
        for params in runs:
            bindings = bind_params(query, params)
            chosen = {  # each variant as its SPARQL
                i: dataclasses.replace(
                    _prepared(query, v, bindings, cells_per_degree(v), None), native=""
                )
                for i, v in enumerate(variants)
                if covers(query, bindings, cells_per_degree(v))
            }
            picked = choose(query, bindings, ask, lookup=store_lookup(store))
            if picked.native and ask(STORE_MARKERS[picked.native]):
                chosen[native] = picked
            best: dict[int, float] = {}
            answers = set()
            for _ in range(2):
                for i, variant in chosen.items():
                    cpu, answer = _page(store, variant, bindings)
                    best[i] = min(best.get(i, cpu), cpu)
                    answers.add(repr(answer))
            if len(answers) != 1:
                raise SystemExit(f"{name} {params}: the variants gave different rows")
            rows.append(int(next(iter(answers)).split(",")[0][1:]))
            for i, cpu in best.items():
                times[i].append(cpu)
        print(f"{name}: {len(runs)} samples, rows in all (median) {statistics.median(rows):,.0f}")
        if times[native]:
            med = statistics.median(times[native]) * 1000
            print(
                f"  native (kg reads the keys itself): {len(times[native])} runs, median CPU "
                f"{med:.1f} ms, max {max(times[native]) * 1000:.1f} ms"
            )
        for i, variant in enumerate(variants):
            label = "newest" if i == 0 else f"older #{i}"
            need = " ".join(sorted(requirements(variant)))
            if times[i]:
                med = statistics.median(times[i]) * 1000
                print(
                    f"  {label} ({need}): {len(times[i])} runs, median CPU {med:.1f} ms, "
                    f"max {max(times[i]) * 1000:.1f} ms"
                )
            else:
                print(f"  {label} ({need}): no sample within its cells")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
