"""The shipped ontology (``ontology/kg.ttl``): where it is, and loading it beside the data.

The store carries the ontology in its own named graph, so queries can read the registry code of a
concept (``skos:notation``) and its label without a second source.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

__all__ = ["ONTOLOGY_DIR", "ONTOLOGY_FILE", "ONTOLOGY_GRAPH", "SHAPES_FILE", "load_ontology"]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_GRAPH = "https://w3id.org/trialkg/ontology"


def load_ontology(store: ox.Store) -> None:
    """Replace the ontology graph of ``store`` with the shipped ontology (one transaction)."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE, to_graph=graph)
