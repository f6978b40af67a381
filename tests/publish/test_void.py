"""The VoID/DCAT description is generated from the data: counts, sources, terms, dumps."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from publish_support import SEED_NCT
from void_support import VOID_GRAPH, counted_by_reading

from kg.answers import ANSWERS_GRAPH
from kg.index import INDEX_PREDICATES
from kg.publish.export import export_file, read_dump
from kg.publish.void import SOURCE_TERMS, collect_statistics, describe_dataset
from kg.stats import STATS_GRAPH
from kg.terms import TKG

BASE = "https://w3id.org/trialkg/"
DS = f"{BASE}void#dataset"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def description(seed_store: ox.Store) -> ox.Store:
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object) for t in describe_dataset(seed_store, BASE)
    )
    return store


def _values(store: ox.Store, subject: str, predicate: str) -> list[str]:
    return sorted(
        q.object.value if isinstance(q.object, ox.NamedNode | ox.Literal) else str(q.object)
        for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, None)
    )


def test_triple_count_is_the_number_of_distinct_triples(
    seed_store: ox.Store, description: ox.Store
) -> None:
    """The records' triples; the index triples (look-up keys) are a subset of their own."""
    predicates = {ox.NamedNode(p) for p in INDEX_PREDICATES}
    distinct = {q.triple for q in seed_store if q.predicate not in predicates}
    index = {q.triple for q in seed_store if q.predicate in predicates}
    assert index
    assert _values(description, DS, VOID + "triples") == [str(len(distinct))]
    subset = f"{BASE}void#derived-index"
    assert subset in _values(description, DS, VOID + "subset")
    assert _values(description, subset, VOID + "triples") == [str(len(index))]
    keys = {t for t in index if t.predicate.value.endswith("alternateNameKey")}
    part = f"{subset}-tkg-alternateNameKey"
    assert _values(description, part, VOID + "triples") == [str(len(keys))]
    assert not any(p.startswith(TKG) and p.endswith("Key") for p in _partitions(description))


def _partitions(description: ox.Store) -> list[str]:
    """The properties of the dataset's own property partitions."""
    return [
        p
        for part in _values(description, DS, VOID + "propertyPartition")
        for p in _values(description, part, VOID + "property")
    ]


def test_the_statistics_and_answers_graphs_are_subsets_not_data(publish_store: ox.Store) -> None:
    """A kg store's derived graphs are described apart, and their triples are not the data's."""
    store = ox.Store()
    triples = describe_dataset(publish_store, BASE)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    subsets = _values(store, DS, VOID + "subset")
    derived = {STATS_GRAPH: "statistics", ANSWERS_GRAPH: "answers", VOID_GRAPH: "figures"}
    data = {
        q.triple
        for q in publish_store
        if q.graph_name.value not in {*derived, "https://w3id.org/trialkg/ontology"}  # type: ignore[union-attr]
        and q.predicate.value not in INDEX_PREDICATES
    }
    assert _values(store, DS, VOID + "triples") == [str(len(data))]
    for graph, kind in derived.items():
        node = f"{BASE}void#derived-{kind}"
        quads = list(publish_store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        assert node in subsets
        assert _values(store, node, VOID + "triples") == [str(len(quads))]
        assert _values(store, node, "http://www.w3.org/ns/sparql-service-description#name") == [
            graph
        ]
    derived_terms = {TKG + t for t in ("cityCount", "rank", "sponsorPairRow", "trialCount")}
    assert derived_terms.isdisjoint(_partitions(store))


def test_class_partition_counts_the_trials(description: ox.Store) -> None:
    partition = f"{BASE}void#class-schema-MedicalTrial"
    assert _values(description, partition, VOID + "entities") == ["1"]
    assert partition in _values(description, DS, VOID + "classPartition")


def test_property_partition_counts_the_sponsor_triples(description: ox.Store) -> None:
    assert _values(description, f"{BASE}void#property-schema-sponsor", VOID + "triples") == ["17"]


def test_licence_is_the_terms_the_source_states(description: ox.Store) -> None:
    assert _values(description, DS, DCT + "license") == [SOURCE_TERMS]


def test_sources_are_summarised_with_their_dates(description: ox.Store) -> None:
    source = f"{BASE}void#source-web-page"
    period = f"{source}-dates"
    assert _values(description, source, VOID + "entities") == ["1"]
    assert _values(description, period, DCAT + "startDate") == ["2025-09-30"]


def test_example_resources_include_the_trial(description: ox.Store) -> None:
    assert f"{BASE}trial/{SEED_NCT}" in _values(description, DS, VOID + "exampleResource")


def test_sparql_endpoint_defaults_to_the_served_one(description: ox.Store) -> None:
    assert _values(description, DS, VOID + "sparqlEndpoint") == [f"{BASE}sparql"]


def test_dump_is_described_with_its_size_and_checksum(seed_store: ox.Store, tmp_path: Path) -> None:
    dump = export_file(seed_store, tmp_path / "trials.ttl.gz")
    store = ox.Store()
    triples = describe_dataset(seed_store, BASE, dumps=[read_dump(dump.path)])
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    node = f"{BASE}void#dump-trials.ttl.gz"
    data = dump.path.read_bytes()
    assert _values(store, node, DCAT + "byteSize") == [str(len(data))]
    assert _values(store, f"{node}-sha256", SPDX + "checksumValue") == [
        hashlib.sha256(data).hexdigest()
    ]
    assert _values(store, node, DCAT + "downloadURL") == [f"{BASE}download/trials.ttl.gz"]


def test_statistics_count_entities_in_the_uri_space_only(seed_store: ox.Store) -> None:
    stats = collect_statistics(seed_store, "https://example.org/elsewhere/")
    assert (stats.entities, stats.subjects > 0) == (0, True)


@pytest.mark.parametrize(
    ("stored", "uri_space"),
    [
        ("publish_store", BASE),
        ("publish_store", "https://example.org/elsewhere/"),
        ("publish_store", 'a "quoted"\\ one'),
    ],
)
def test_the_stores_counts_are_those_of_reading_every_quad(
    request: pytest.FixtureRequest, stored: str, uri_space: str
) -> None:
    """The counts the store's aggregates give equal a plain reading of every quad: the server's
    store with a graph of its own (so its kept figures are not used; every shared record built:
    tests/test_void_counts.py), another URI space, one with characters to escape."""
    store = request.getfixturevalue(stored)
    expected = counted_by_reading(store, uri_space)
    got = collect_statistics(store, uri_space)
    assert got == expected
    assert got.triples > 5_000 and got.index and len(got.derived) == 3 and len(got.examples) >= 3
    assert (got.entities > 0) == (uri_space == BASE)
