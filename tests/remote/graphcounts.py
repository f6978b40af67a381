"""Per-graph triple counts: of a local store, and of a SPARQL endpoint read with plain urllib."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pyoxigraph as ox

COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
KG_GRAPHS = "https://w3id.org/trialkg/"


def remote_counts(query_url: str) -> dict[str, int]:
    """Per-graph triple counts of kg's graphs, read from a SPARQL endpoint with plain urllib."""
    url = f"{query_url}?{urllib.parse.urlencode({'query': COUNTS})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        rows = json.load(answer)["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows
            if r["g"]["value"].startswith(KG_GRAPHS)}


def local_counts(store: ox.Store) -> dict[str, int]:
    found: dict[str, int] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            found[quad.graph_name.value] = found.get(quad.graph_name.value, 0) + 1
    return found
