"""Every tkg: term the build emits is declared in ontology/ (kg.ttl, results.ttl)."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from kg.ontology import ONTOLOGY_FILES, ONTOLOGY_GRAPH
from kg.terms import TKG

DECLARED = rdflib.Graph()
for _path in ONTOLOGY_FILES:
    DECLARED.parse(_path, format="turtle")


def _declared(iri: str) -> bool:
    return (rdflib.URIRef(iri), None, None) in DECLARED


USED = f"""
SELECT DISTINCT ?term WHERE {{
  GRAPH ?g {{ {{ ?s ?term ?o }} UNION {{ ?s ?p ?term FILTER(isIRI(?term)) }} }}
  FILTER(?g != <{ONTOLOGY_GRAPH}> && STRSTARTS(STR(?term), "{TKG}"))
}}
"""


def _used(store: ox.Store) -> set[str]:
    result = store.query(USED)
    assert isinstance(result, ox.QuerySolutions)
    return {row["term"].value for row in result}  # type: ignore[union-attr]


def test_every_tkg_term_of_the_shared_build_is_declared(shared_store: ox.Store) -> None:
    used = _used(shared_store)
    assert len(used) > 60  # properties, classes and concepts are all checked
    assert sorted(t for t in used if not _declared(t)) == []


def test_every_tkg_term_of_the_seed_build_is_declared(seed_store: ox.Store) -> None:
    assert sorted(t for t in _used(seed_store) if not _declared(t)) == []
