"""Helpers of the posted-results tests: a trial's mapped triples in a store, and their objects."""

from __future__ import annotations

import pyoxigraph as ox

from kg.mapping import map_trial
from kg.model import Trial

TKG = "https://w3id.org/trialkg/ontology#"


def graph_of(trial: Trial, *, results: bool = True) -> ox.Store:
    """Map one parsed trial into a fresh in-memory store."""
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in map_trial(trial, results=results))
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


def objects(store: ox.Store, s: str, p: str) -> list[str]:
    """The sorted values of ``s tkg:p ?o``."""
    return sorted(
        q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(TKG + p), None)
    )
