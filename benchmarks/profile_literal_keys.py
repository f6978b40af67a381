"""Why index format 4 keys a condition's trials by NCT id: ordering by a short literal vs a name.

    python benchmarks/profile_literal_keys.py [--graphs 100000] [--work DIR]

Builds an on-disk pyoxigraph store of ``--graphs`` trial graphs (each with a few condition keys
and 30 noise triples, so the string table is large) in which one condition is shared by ~8.5%
of the trials, as the common conditions of the synthetic registry are, then times (best of 5,
seconds of wall on a quiet machine) the count of its keys and a first page of 100 ordered by
the key's literal (an NCT id: 11 bytes, which the store holds in the key itself) or by the
key's graph name (an IRI, read from the store's string table), and every key's value into
Python. The figures are in benchmarks/RESULTS.md, "Issue 15, seventh pass".
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

BASE = "https://w3id.org/trialkg/"
TITLE_KEY = ox.NamedNode(BASE + "ontology#conditionTrialTitle")
ID_KEY = ox.NamedNode(BASE + "ontology#conditionTrialId")
NAME = ox.NamedNode("http://schema.org/name")


def build(path: Path, graphs: int) -> ox.NamedNode:
    """Write the store; return the shared condition."""
    store = ox.Store(str(path))
    features = [ox.NamedNode(f"{BASE}condition/c{i}") for i in range(2000)]
    rng = random.Random(1)
    quads = []
    for t in range(graphs):
        nct = f"NCT{rng.randrange(10**8):08d}"
        graph = ox.NamedNode(f"{BASE}graph/{nct}")
        title = ox.Literal(f"A randomised study number {t} of a long title {rng.random()}")
        shared = {features[0]} if rng.random() < 0.085 else set()
        for feature in shared | {rng.choice(features) for _ in range(3)}:
            quads.append(ox.Quad(feature, TITLE_KEY, title, graph))
            quads.append(ox.Quad(feature, ID_KEY, ox.Literal(nct), graph))
        for k in range(30):
            subject = ox.NamedNode(f"{BASE}trial/{nct}/x{k}")
            quads.append(ox.Quad(subject, NAME, ox.Literal(f"noise {t} {k} {rng.random()}"), graph))
    store.bulk_extend(quads)
    store.optimize()
    return features[0]


def best(store: ox.Store, text: str) -> tuple[float, int]:
    """Best of 5 runs of a query, rows consumed; its rows."""
    times, rows = [], 0
    for _ in range(5):
        start = time.perf_counter()
        rows = len(list(store.query(text)))  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    return min(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(dir=args.work))
    try:
        shared = build(folder / "store", args.graphs)
        store = ox.Store.read_only(str(folder / "store"))
        f, t, i = shared, TITLE_KEY, ID_KEY
        cases = {
            "count of the title keys": f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ {f} {t} ?x }} }}",
            "count of the id keys": f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?g {{ {f} {i} ?x }} }}",
            "page of 100 by the id literal": (
                f"SELECT ?n {{ GRAPH ?g {{ {f} {i} ?n }} }} ORDER BY ?n LIMIT 100"
            ),
            "page of 100 by the graph name": (
                f"SELECT ?g {{ GRAPH ?g {{ {f} {t} ?x }} }} ORDER BY ?g LIMIT 100"
            ),
            "every id literal to Python": f"SELECT ?n {{ GRAPH ?g {{ {f} {i} ?n }} }}",
            "every title and graph to Python": f"SELECT ?x ?g {{ GRAPH ?g {{ {f} {t} ?x }} }}",
        }
        print(f"{args.graphs:,} graphs")
        for label, text in cases.items():
            seconds, rows = best(store, text)
            print(f"{label:34s} {seconds * 1000:8.1f} ms  {rows:,} rows")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
