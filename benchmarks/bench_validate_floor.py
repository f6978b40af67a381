"""The floor of ``kg validate --store``: reading a trial graph against validating it, per trial.

On the same trial graphs of a store (opened read-only), in one process, CPU ms per trial of:

- dump (Rust): ``Store.dump(N_TRIPLES, from_graph=g)`` to bytes: every quad's terms decoded
  from the store's string table and written, all in Rust (no Python object per term);
- read, quads_for_pattern: the trial graph's quads into Python, each quad's terms taken out once
  (as ``read_unit`` read a stored trial before issue 15's fourth pass);
- read, SELECT: the same triples through ``SELECT ?s ?p ?o`` over the graph, as tuples (as
  ``read_unit`` reads it now);
- read kept: only the quads a shape can read (``Shapes.keeps``), one ``quads_for_pattern`` range
  scan per predicate of the shapes and per (``rdf:type``, class of the shapes);
- count: ``SELECT (COUNT(*))`` over the graph (the range scan, no term decoded);
- predicates: ``SELECT ?p (COUNT(*)) GROUP BY ?p`` (the distinct predicates only decoded);
- rest, tkg objects: the quads ``read kept`` leaves out whose object is a ``tkg:`` IRI (what the
  declared-terms check would still need of them, objects only), one SPARQL query;
- validate: the whole per-trial validation (``check_batch`` on batches of 40 stored trials,
  fast engine: reading, Python checks, Core shapes, SPARQL shapes, findings, collector).

Each measure runs ``--rounds`` times in turn over the same graphs (the lowest CPU time is
kept): the ratios between them are the figures to trust on a shared machine.

    nice -n 10 python benchmarks/bench_validate_floor.py --stores /tmp/kg-bench/store-100000-80ae810

Without ``--stores`` it measures the stores of ``--sizes`` that earlier benchmarks left in
``--work`` (it never builds one).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from _harness import machine, md_table, parse_args, store_path

TARGET_CPU_MS = (10 * 60 * 2 - 132) * 1000 / 100_000  # 10 min on 2 cores, cross-trial checks out


def _graphs(store: ox.Store, first: int, stride: int) -> list[ox.NamedNode]:
    names = itertools.islice(store.named_graphs(), first)
    trials = [g for g in names if isinstance(g, ox.NamedNode) and "/graph/NCT" in g.value]
    return trials[::stride]


def measures(store: ox.Store) -> dict[str, Callable[[list[ox.NamedNode]], int]]:
    """Return each measure: a function over trial graphs returning how many items it made."""
    from kg.terms import TKG
    from kg.validate import Engine
    from kg.validate._engine import check_batch
    from kg.validate._shapes import load_shapes
    from kg.validate._units import StoredTrial, as_spo

    shapes = load_shapes()
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    predicates = [ox.NamedNode(p) for p in sorted(shapes.predicates)]
    classes = [ox.NamedNode(c) for c in sorted(shapes.classes)]
    # The query texts name IRIs of the shapes, written by pyoxigraph (``str`` of a term).
    kept_filter = (
        f"(?p IN ({', '.join(map(str, predicates))})"
        f" || (?p = {rdf_type} && ?o IN ({', '.join(map(str, classes))})))"
    )
    rest_query = (
        f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(!{kept_filter})"
        f" FILTER(isIRI(?o) && STRSTARTS(STR(?o), {ox.Literal(TKG)})) }}"
    )

    def unit(g: ox.NamedNode) -> StoredTrial:
        nct = g.value.rsplit("/", 1)[1]
        return StoredTrial(nct, g.value.replace("/graph/", "/trial/"), g.value)

    def dump(graphs: list[ox.NamedNode]) -> int:
        return sum(
            len(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) or b"") for g in graphs
        )

    def read(graphs: list[ox.NamedNode]) -> int:
        return sum(len(as_spo(store.quads_for_pattern(None, None, None, g))) for g in graphs)

    def read_select(graphs: list[ox.NamedNode]) -> int:
        text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        n = 0
        for g in graphs:
            n += len(list(map(tuple, store.query(text, default_graph=g))))  # type: ignore[arg-type]
        return n

    def read_kept(graphs: list[ox.NamedNode]) -> int:
        n = 0
        for g in graphs:
            for p in predicates:
                n += len([(q.subject, q.object) for q in store.quads_for_pattern(None, p, None, g)])
            for c in classes:
                n += len([q.subject for q in store.quads_for_pattern(None, rdf_type, c, g)])
        return n

    def query(text: str) -> Callable[[list[ox.NamedNode]], int]:
        def run(graphs: list[ox.NamedNode]) -> int:
            return sum(len(list(store.query(text, default_graph=g))) for g in graphs)  # type: ignore[arg-type, misc]

        return run

    def validate(graphs: list[ox.NamedNode]) -> int:
        n = 0
        for k in range(0, len(graphs), 40):
            for result in check_batch([unit(g) for g in graphs[k : k + 40]], Engine.FAST, store):
                n += len(result.findings)
        return n

    return {
        "dump (Rust)": dump,
        "read: quads_for_pattern": read,
        "read: SELECT (kg's read_unit)": read_select,
        "read kept": read_kept,
        "count": query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "predicates": query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"),
        "rest, tkg objects": query(rest_query),
        "validate": validate,
    }


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stores", default="", help="kg-built stores, comma-separated")
    parser.add_argument("--first", type=int, default=3000, help="graphs looked at, store order")
    parser.add_argument("--stride", type=int, default=10, help="every Nth trial graph of them")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each measure")
    parser.add_argument("--json", action="store_true", help="print JSON, not Markdown")


def floor(path: Path, args: argparse.Namespace) -> str:
    """Measure one store; return its Markdown section (or JSON)."""
    store = ox.Store.read_only(str(path))
    graphs = _graphs(store, args.first, args.stride)
    if not graphs:
        return (
            f"### Validation floor: {path.name}\n\nNo trial graph among its first {args.first}.\n"
        )
    runs = measures(store)
    runs["validate"](graphs[:2])  # the shapes compiled, the caches of the process made
    runs["read: quads_for_pattern"](graphs)  # the store's blocks of these graphs in its cache
    best: dict[str, float] = {}
    items: dict[str, int] = {}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for name, run in runs.items():
            start = time.process_time()
            items[name] = run(graphs)
            spent = 1000 * (time.process_time() - start) / len(graphs)
            best[name] = min(best.get(name, spent), spent)
        loads.append(os.getloadavg()[0])
    if args.json:
        return json.dumps(
            {"store": str(path), "trials": len(graphs), "cpu_ms": best, "items": items}
        )
    dump = best["dump (Rust)"]
    rows = [
        (
            name,
            best[name],
            f"{best[name] / dump:.2f}x",
            f"{100_000 * best[name] / 1000 / 2 / 60:.1f} min",
            items[name] / len(graphs),
        )
        for name in runs
    ]
    headers = ("measure", "CPU ms a trial", "vs dump", "100,000 trials on 2 cores", "items")
    return (
        f"### Validation floor: {path.name}\n\n"
        f"`python benchmarks/bench_validate_floor.py --stores {path}`: {len(graphs)} trial graphs"
        f" (every {args.stride}th of the first {args.first} graphs), lowest of {args.rounds}"
        f" rounds; 1-minute load average {min(loads):.1f}-{max(loads):.1f}; {machine()['cpu']}."
        f" Items: bytes (dump), triples or rows (reads, queries), findings (validate).\n\n"
        f"{md_table(headers, rows)}\n\n"
        f"Budget: {TARGET_CPU_MS:.1f} ms of CPU a trial (10 min on 2 cores for 100,000 trials, the"
        f" 132 s of cross-trial checks out). Reading the graph in Rust alone takes"
        f" {dump / TARGET_CPU_MS:.0%} of it; validating takes {best['validate'] / dump:.2f}x"
        " the dump.\n"
    )


def main() -> None:
    args = parse_args(__doc__ or "", extra=_options)
    stores = [Path(s) for s in args.stores.split(",") if s]
    if not stores:  # the stores earlier benchmarks built in the work folder, never built here
        for n in args.sizes:
            path = store_path(n, args.work)
            if path.is_dir():
                stores.append(path)
            else:
                print(f"### Validation floor: {n:,} trials\n\nSkipped: no store at {path}.\n")
    for path in stores:
        print(floor(path, args), flush=True)


if __name__ == "__main__":
    main()
