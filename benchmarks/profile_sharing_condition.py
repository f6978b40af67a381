"""Where trials-sharing-condition spends its time: pairs, their NCT ids, titles; format-3 keys.

    python benchmarks/profile_sharing_condition.py STORE [--samples 10]

On trials drawn as bench_queries.py draws them (seed 0), times three counts in one process (median
CPU over the samples): the (other trial, shared condition or MeSH term) pairs alone; with each
other trial's NCT id; with its title read through ``tkg:recordGraph`` in its own graph; and, on a
store of index format 3, the keys the format-3 variant reads (each shared condition's trials with
their titles) alone, then with each row's trial and NCT id derived from the key's graph as the
variant does. The store is opened read-only.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox
from bench_queries import sample_params

from kg.queries import with_values

_PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
_PAIRS = """?trial dcterms:identifier ?nct .
  { ?trial schema:healthCondition ?feature . ?other schema:healthCondition ?feature }
  UNION { ?trial tkg:conditionMeshTerm ?feature . ?other tkg:conditionMeshTerm ?feature }
  FILTER(?other != ?trial)"""
_KEYS = """?trial dcterms:identifier ?nct ; ?via ?feature .
  VALUES (?via ?titled) { (schema:healthCondition tkg:conditionTrialTitle)
    (tkg:conditionMeshTerm tkg:meshTermTrialTitle) }
  GRAPH ?g { ?feature ?titled ?title }"""
COUNTS = {
    "pairs": _PAIRS,
    "pairs + NCT id": _PAIRS + " ?other dcterms:identifier ?o",
    "pairs + title via recordGraph": _PAIRS
    + " ?other tkg:recordGraph ?g . GRAPH ?g { ?other schema:name ?t }",
    "format-3 keys (titled)": _KEYS,
    "format-3 keys + trial and NCT id from the graph": _KEYS
    + ' BIND(IRI(REPLACE(STR(?g), "/graph/([^/]*)$", "/trial/$1")) AS ?other)'
    + ' FILTER(?other != ?trial) BIND(REPLACE(STR(?g), "^.*/graph/", "") AS ?o)',
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    store = ox.Store.read_only(args.store)
    trials = sample_params(store, args.samples).trials
    for name, body in COUNTS.items():
        times, rows = [], []
        for nct in trials:
            text = f"{_PREFIXES}SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}"
            text = with_values(text, {ox.Variable("nct"): ox.Literal(nct)})
            start = time.process_time()
            (row,) = list(store.query(text, use_default_graph_as_union=True))  # type: ignore[arg-type]
            times.append(time.process_time() - start)
            rows.append(int(row["n"].value))  # type: ignore[union-attr]
        print(
            f"{name}: median CPU {statistics.median(times) * 1000:.1f} ms, max "
            f"{max(times) * 1000:.1f} ms; rows median {statistics.median(rows):,.0f}"
        )


if __name__ == "__main__":
    main()
