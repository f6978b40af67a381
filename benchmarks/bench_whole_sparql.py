"""Whole answers as SPARQL: today's indexed variants against another commit's, in one process.

    python benchmarks/bench_whole_sparql.py STORE [--against REV] [--runs 2]
                                            [QUERY[:k=v,...] ...]

What an endpoint (``kg serve``'s ``/sparql``, Oxigraph server, Virtuoso) or ``kg query`` on a store
without row keys runs for a whole answer is the variant's SPARQL text. For each query (default:
the aggregates kg reads from row keys on its own store, ``kg.answer_rows.ROW_KEYED``, parameters
at their defaults), this runs the text of ``queries/indexed/NAME.rq`` today and at ``--against``
(default ``84e31b2~1``, before the variants joined whole columns; read with ``git show``) with
the parameters bound as ``kg query`` binds them (``with_values``), alternating, ``--runs`` times
each, on the store opened read-only; each answer is written by the store as CSV (as ``kg query
-f csv`` and ``/sparql`` write it), and the two texts' bytes are compared. Markdown on stdout:
best wall and CPU seconds of each, their CPU ratio, rows, and whether the bytes were the same.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from _harness import REPO, log, md_table
from bench_page_modes import _spec  # QUERY:k=v,... as that benchmark reads it

from kg.answer_rows import ROW_KEYED
from kg.queries import _parse_header, bind_params, load_query, with_values

VARIANT = "queries/indexed/{}.rq"


def _text_at(rev: str, name: str) -> str:
    git = ["git", "-C", str(REPO), "show", f"{rev}:{VARIANT.format(name)}"]
    return subprocess.run(git, capture_output=True, text=True, check=True).stdout  # noqa: S603


def _run(store: ox.Store, text: str) -> tuple[float, float, bytes]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    out = result.serialize(format=ox.QueryResultsFormat.CSV)
    assert out is not None
    return time.perf_counter() - wall, time.process_time() - cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("queries", nargs="*", help="NAME or NAME:k=v,... (default: ROW_KEYED)")
    parser.add_argument("--against", default="84e31b2~1", help="the other commit")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    store = ox.Store.read_only(str(args.store))
    load = os.getloadavg()
    rows: list[list[object]] = []
    for arg in args.queries or sorted(ROW_KEYED):
        name, params = _spec(arg)
        query = load_query(name)
        bindings = bind_params(query, params)
        texts = {
            "today": (REPO / VARIANT.format(name)).read_text("utf-8"),
            args.against: _text_at(args.against, name),
        }
        best: dict[str, tuple[float, float]] = {}
        outs: dict[str, bytes] = {}
        for run in range(args.runs):
            for tag, text in texts.items():
                bound = with_values(_parse_header(name, text).text, bindings)
                wall, cpu, out = _run(store, bound)
                log(f"{arg} {tag} run {run}: {wall:.2f} s wall, {cpu:.2f} s CPU")
                old = best.get(tag, (wall, cpu))
                best[tag] = (min(old[0], wall), min(old[1], cpu))
                outs.setdefault(tag, out)
        before, after = best[args.against], best["today"]
        rows.append([
            arg, outs["today"].count(b"\n") - 1,
            f"{before[0]:.2f}", f"{before[1]:.2f}", f"{after[0]:.2f}", f"{after[1]:.2f}",
            f"{after[1] / before[1]:.2f}x", "yes" if outs["today"] == outs[args.against] else "NO",
        ])
    print(f"Command: `python benchmarks/bench_whole_sparql.py {' '.join(sys.argv[1:])}`"
          f" (load average {load[0]:.2f} at the start; best of {args.runs} runs, alternated)\n")
    print(md_table(
        ["query", "rows", f"{args.against} wall s", f"{args.against} CPU s", "today wall s",
         "today CPU s", "CPU today / before", "same CSV"],
        rows,
    ))


if __name__ == "__main__":
    main()
