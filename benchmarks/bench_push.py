"""Throughput of ``kg push`` (verified) to a local Oxigraph server and Virtuoso 7, per mode.

    nice -n 10 python benchmarks/bench_push.py --store STORE [--engines oxigraph,virtuoso]
        [--modes gsp-graph,gsp-batch,update] [--max-triples N]

Each (engine, mode) gets a fresh server on 127.0.0.1 (Oxigraph in memory with
``--union-default-graph``; Virtuoso in a new database, pushing through its Digest endpoints as
the test account) and one ``kg push`` of the store's graphs, verification included. Modes:
``gsp-graph`` is the Graph Store Protocol with one graph per request (``--batch 1``),
``gsp-batch`` the default 64 graphs per dataset POST (Virtuoso takes none: kg detects it and
falls back to one graph per request), ``update`` SPARQL Update (INSERT DATA of <= 500 triples a
request). ``--max-triples`` pushes a subset: the biggest graph, then graphs in IRI order until
the budget (Virtuoso's SPARQL Update is slow). After each push the server's per-graph counts are
read by plain SPARQL and compared with the store's: a run that differs aborts. The ratio column is
against Oxigraph ``gsp-batch`` in the same run. Markdown on stdout, progress on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from _harness import REPO, log, machine, md_table

sys.path.insert(0, str(REPO / "tests" / "remote"))

import pyoxigraph as ox
from graphcounts import local_counts, remote_counts
from servers import OxigraphServer
from virtuoso import PASSWORD, USER, VirtuosoServer

from kg.sinks.remote import open_source, push


def subset(store: ox.Store, budget: int | None, out: Path) -> Path | None:
    """Write the biggest graph and then graphs in IRI order up to ``budget`` triples; None: all."""
    counts = local_counts(store)
    if budget is None or budget >= sum(counts.values()):
        return None
    biggest = max(counts, key=lambda g: counts[g])
    picked, total = [biggest], counts[biggest]
    for name in sorted(counts):
        if total >= budget:
            break
        if name != biggest:
            picked.append(name)
            total += counts[name]
    with out.open("wb") as fh:
        for name in picked:
            quads = store.quads_for_pattern(None, None, None, ox.NamedNode(name))
            ox.serialize(quads, fh, ox.RdfFormat.N_QUADS)
    return out


def run(engine: str, mode: str, source: Path, journal: Path) -> tuple[float, int, int, bool]:
    """Push once to a fresh server; return seconds, triples, graphs, per-graph fallback."""
    if engine == "oxigraph":
        server: OxigraphServer | VirtuosoServer = OxigraphServer().start()
        store_url, update_url = server.store_url, server.update_url  # type: ignore[union-attr]
    else:
        server = VirtuosoServer().start()
        store_url, update_url = server.auth_store_url, server.auth_query_url  # type: ignore[union-attr]
        os.environ["KG_ENDPOINT_USER"], os.environ["KG_ENDPOINT_PASSWORD"] = USER, PASSWORD
    try:
        urls = {"update_url": update_url} if mode == "update" else {"store_url": store_url}
        start = time.perf_counter()
        report = push(source, journal=journal, batch=1 if mode == "gsp-graph" else 64,
                      timeout=600, **urls)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        with open_source(source) as local:
            expected = local_counts(local)
        held = remote_counts(server.query_url)
        if held != expected:
            raise SystemExit(f"{engine} {mode}: the server's counts differ from the store's")
        return seconds, report.triples, report.sent, report.per_graph
    finally:
        os.environ.pop("KG_ENDPOINT_USER", None)
        os.environ.pop("KG_ENDPOINT_PASSWORD", None)
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a kg store folder")
    parser.add_argument("--engines", default="oxigraph,virtuoso")
    parser.add_argument("--modes", default="gsp-graph,gsp-batch,update")
    parser.add_argument("--max-triples", type=int, help="push a subset of about this size")
    parser.add_argument("--update-max-triples", type=int,
                        help="a smaller subset for Virtuoso's SPARQL Update")
    args = parser.parse_args()
    rows: list[list[object]] = []
    baseline: float | None = None
    with tempfile.TemporaryDirectory(prefix="kg-bench-push-") as tmp:
        store = ox.Store.read_only(str(args.store))
        whole = subset(store, args.max_triples, Path(tmp) / "subset.nq") or args.store
        small = subset(store, args.update_max_triples, Path(tmp) / "small.nq") or whole
        del store
        for engine in args.engines.split(","):
            for mode in args.modes.split(","):
                source = small if (engine, mode) == ("virtuoso", "update") else whole
                log(f"{engine} {mode}: pushing {source}")
                journal = Path(tmp) / f"{engine}-{mode}.jsonl"
                seconds, triples, graphs, fallback = run(engine, mode, source, journal)
                rate = triples / seconds
                if (engine, mode) == ("oxigraph", "gsp-batch"):
                    baseline = rate
                rows.append([engine, mode + (" (fell back to per graph)" if fallback else ""),
                             graphs, triples, seconds, rate])
                log(f"{engine} {mode}: {triples} triples in {seconds:.1f} s")
    table = [[*r, f"{r[5] / baseline:.2f}x" if baseline else "-"] for r in rows]  # type: ignore[operator]
    print(f"machine: {machine()}\n")
    print(md_table(["engine", "mode", "graphs", "triples", "seconds", "triples/s",
                    "vs Oxigraph gsp-batch"], table))


if __name__ == "__main__":
    main()
