"""``kg push`` to real engines with default options: Virtuoso 7 (Digest) and Oxigraph server.

Each graph's triple count on the server must equal the local store's, counted by SPARQL through
the engine's public query endpoint (not by kg). Virtuoso gets a representative subset of the
shared records (the biggest trial graph, 27,770 triples, and small ones: its SPARQL Update path
takes ~3,000 triples/s); the whole shared set goes to Oxigraph server (the session's
``shared_server``) and, through both protocols, to Virtuoso in benchmarks/bench_push.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from graphcounts import local_counts, remote_counts
from servers import OxigraphServer
from virtuoso import PASSWORD, USER, VirtuosoServer

from kg.errors import EndpointError
from kg.sinks.remote import open_source, push

KG_GRAPHS = "https://w3id.org/trialkg/"


@pytest.fixture(scope="module")
def subset(shared_store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The biggest trial graph of the shared records, the seed's and the 10 smallest: N-Quads."""
    counts = local_counts(shared_store)
    trials = sorted((n, g) for g, n in counts.items() if "/graph/NCT" in g)
    picked = {trials[-1][1], f"{KG_GRAPHS}graph/NCT03737461", *(g for _, g in trials[:10])}
    out = tmp_path_factory.mktemp("subset") / "subset.nq"
    with out.open("wb") as fh:
        for name in sorted(picked):
            quads = shared_store.quads_for_pattern(None, None, None, ox.NamedNode(name))
            ox.serialize(quads, fh, ox.RdfFormat.N_QUADS)
    return out


@pytest.fixture(scope="module")
def expected(subset: Path) -> dict[str, int]:
    with open_source(subset) as store:
        counts = local_counts(store)
    assert len(counts) == 13 and max(counts.values()) > 27000  # 12 trials and the ontology
    return counts


@pytest.fixture(scope="module")
def server() -> Iterator[VirtuosoServer]:
    """A Virtuoso of this module's own (the session's may hold other tests' data)."""
    started = VirtuosoServer().start()
    try:
        yield started
    finally:
        started.stop()


def clear(server: VirtuosoServer) -> None:
    server.isql("DELETE FROM DB.DBA.RDF_QUAD WHERE ID_TO_IRI(G) LIKE 'https://w3id.org/trialkg/%';")


@pytest.fixture
def digest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_ENDPOINT_USER", USER)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", PASSWORD)


@pytest.mark.usefixtures("digest")
def test_virtuoso_graph_store_push_with_digest_stores_every_triple(
    server: VirtuosoServer, subset: Path, expected: dict[str, int], tmp_path: Path
) -> None:
    clear(server)
    report = push(subset, store_url=server.auth_store_url, journal=tmp_path / "j")
    assert report.per_graph  # Virtuoso answers a POST without ?graph= with its query form
    assert report.sent == 13 and report.triples == sum(expected.values())
    assert remote_counts(server.query_url) == expected
    again = push(subset, store_url=server.auth_store_url, journal=tmp_path / "j2", replace=True)
    assert again.replaced == 13
    assert remote_counts(server.query_url) == expected


@pytest.mark.usefixtures("digest")
def test_virtuoso_update_push_with_digest_splits_big_graphs_and_replaces(
    server: VirtuosoServer, subset: Path, expected: dict[str, int], tmp_path: Path
) -> None:
    clear(server)
    biggest = max(expected, key=lambda g: expected[g])
    stale = f'GRAPH <{biggest}> {{ <http://x/s> <http://x/p> "stale" }}'
    server.isql(f"SPARQL INSERT DATA {{ {stale} }};")
    report = push(subset, update_url=server.auth_query_url, journal=tmp_path / "j", replace=True)
    assert report.sent == 13
    assert remote_counts(server.query_url) == expected  # the stale triple went with the DROP


def test_a_user_without_write_grants_fails_at_once_with_the_servers_words(
    server: VirtuosoServer, subset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.isql(
        "DB.DBA.USER_CREATE('kgread', 'kgread-secret');", 'GRANT SPARQL_SELECT TO "kgread";'
    )
    monkeypatch.setenv("KG_ENDPOINT_USER", "kgread")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "kgread-secret")
    with pytest.raises(EndpointError) as update:
        push(subset, update_url=server.auth_query_url, journal=tmp_path / "j", backoff=0)
    assert "SR186:SECURITY: No permission" in str(update.value)
    assert "not retried" in str(update.value) and "<" not in str(update.value).split("(HTTP")[1]
    with pytest.raises(EndpointError) as gsp:
        push(subset, store_url=server.auth_store_url, journal=tmp_path / "j", backoff=0)
    assert "refused access (HTTP 403: Error 42000: SR575:SECURITY: No permission" in str(gsp.value)
    assert not (tmp_path / "j").exists()


def test_a_wrong_password_is_refused_access(
    server: VirtuosoServer, subset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_ENDPOINT_USER", USER)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong")
    with pytest.raises(EndpointError, match=r"refused access \(HTTP 401\)"):
        push(subset, store_url=server.auth_store_url, journal=tmp_path / "j", backoff=0)


@pytest.mark.parametrize("protocol", ["store", "update"])
def test_oxigraph_server_push_with_default_options_stores_every_triple(
    make_server: type[OxigraphServer], subset: Path, expected: dict[str, int], tmp_path: Path,
    protocol: str,
) -> None:
    oxigraph = make_server().start()
    url = {f"{protocol}_url": getattr(oxigraph, f"{protocol}_url")}
    report = push(subset, journal=tmp_path / "j", **url)  # type: ignore[arg-type]
    assert report.sent == 13 and not report.per_graph
    assert remote_counts(oxigraph.query_url) == expected


def test_the_whole_shared_set_on_oxigraph_server_has_the_local_counts(
    shared_server: OxigraphServer, shared_store: ox.Store
) -> None:
    assert remote_counts(shared_server.query_url) == local_counts(shared_store)
