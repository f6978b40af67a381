"""The shipped ontology (``ontology/kg.ttl``, ``results.ttl``) and loading it beside the data.

The store carries the ontology in its own named graph, so queries can read the registry code of a
concept (``skos:notation``) and its label without a second source.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

__all__ = [
    "ONTOLOGY_DIR",
    "ONTOLOGY_FILE",
    "ONTOLOGY_FILES",
    "ONTOLOGY_GRAPH",
    "PUBLICATIONS_ONTOLOGY_FILE",
    "PUBLICATIONS_ONTOLOGY_GRAPH",
    "RESULTS_ONTOLOGY_FILE",
    "SHAPES_FILE",
    "load_ontology",
    "load_publications_ontology",
]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
RESULTS_ONTOLOGY_FILE = ONTOLOGY_DIR / "results.ttl"
ONTOLOGY_FILES = (ONTOLOGY_FILE, RESULTS_ONTOLOGY_FILE)
"""Every file of the ontology graph: kg.ttl and the posted results' terms (results.ttl)."""
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_GRAPH = "https://w3id.org/trialkg/ontology"


PUBLICATIONS_ONTOLOGY_FILE = ONTOLOGY_DIR / "publications.ttl"
PUBLICATIONS_ONTOLOGY_GRAPH = ONTOLOGY_GRAPH + "/publications"
"""Its own graph: ``load_ontology`` replaces the ontology graph with kg.ttl alone."""


def load_ontology(store: ox.Store) -> None:
    """Replace the ontology graph of ``store`` with the shipped ontology (``ONTOLOGY_FILES``)."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    for path in ONTOLOGY_FILES:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)


def load_publications_ontology(store: ox.Store) -> None:
    """Replace the store's publications ontology graph with the shipped ``publications.ttl``."""
    graph = ox.NamedNode(PUBLICATIONS_ONTOLOGY_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.load(path=str(PUBLICATIONS_ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE, to_graph=graph)
