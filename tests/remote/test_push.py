"""``kg push``: per-trial graphs to a real Oxigraph server, resumable, replacing stale graphs."""

from __future__ import annotations

import json
import shutil
import sys
import urllib.request
from pathlib import Path

import orjson
import pyoxigraph as ox
import pytest
from fakestore import FakeStore
from servers import FakeEndpoint, OxigraphServer

from kg.answers import ANSWERS_GRAPH
from kg.build import build
from kg.cli import main
from kg.errors import EndpointError, UsageError
from kg.ontology import ONTOLOGY_GRAPH
from kg.queries import NamedQuery
from kg.remote import Endpoint, query_endpoint
from kg.sinks import FileSink, StoreSink, open_store
from kg.sinks.remote import PushReport, journal_path, push
from kg.stats import STATS_GRAPH
from kg.terms import DEFAULT_BASE
from kg.void_counts import VOID_GRAPH

COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
EDITED = "NCT03828656"


def solutions(store: ox.Store, text: str) -> ox.QuerySolutions:
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    return result


def graph_counts_local(store: ox.Store) -> dict[str, int]:
    return {str(r["g"].value): int(r["n"].value) for r in solutions(store, COUNTS)}


def urls(server: OxigraphServer, protocol: str) -> tuple[str | None, str | None]:
    """The store URL or the update URL of a server, by protocol name."""
    if protocol == "store":
        return server.store_url, None
    return None, server.update_url


def graph_counts_remote(server: OxigraphServer) -> dict[str, int]:
    table = query_endpoint(Endpoint(server.query_url), NamedQuery("counts", COUNTS, "", (), ""))
    return {row[0].value: int(row[1].value) for row in table.rows if row[0] and row[1]}


def ask(server: OxigraphServer, text: str) -> list[tuple[str | None, ...]]:
    table = query_endpoint(Endpoint(server.query_url), NamedQuery("q", text, "", (), ""))
    return [tuple(c.value if c else None for c in row) for row in table.rows]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory, json_records: list[Path],
            seed_path: Path) -> list[Path]:
    """The seed and 40 shared records, copied so that a test may edit one."""
    folder = tmp_path_factory.mktemp("records")
    picked = [p for p in json_records if p.stem != EDITED][:39]
    picked.append(next(p for p in json_records if p.stem == EDITED))
    for path in [seed_path, *picked]:
        shutil.copy(path, folder / path.name)
    return sorted(folder.iterdir())


@pytest.fixture(scope="module")
def built_store(records: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the records, built once."""
    path = tmp_path_factory.mktemp("built") / "store"
    build([str(p) for p in records], StoreSink(path), base=DEFAULT_BASE)
    return path


@pytest.fixture
def small_store(built_store: Path, tmp_path: Path) -> Path:
    """A copy of the store of the records, for one test (which may rebuild it)."""
    return Path(shutil.copytree(built_store, tmp_path / "store"))


def local_counts(path: Path) -> dict[str, int]:
    store = open_store(path)
    try:
        return graph_counts_local(store)
    finally:
        del store


def test_push_sends_every_graph_of_the_store_with_all_its_triples(
    make_server: type[OxigraphServer], small_store: Path
) -> None:
    server = make_server().start()
    report = push(small_store, store_url=server.store_url, batch=8)
    expected = local_counts(small_store)
    # 41 trial graphs, the ontology, the statistics graph (kg.stats), the answers (kg.answers)
    # and the dataset figures (kg.void_counts)
    assert ONTOLOGY_GRAPH in expected and VOID_GRAPH in expected and len(expected) == 45
    assert (report.graphs, report.sent, report.skipped) == (45, 45, 0)
    assert report.triples == sum(expected.values())
    assert graph_counts_remote(server) == expected


def test_a_rerun_sends_nothing_the_server_already_has(
    make_server: type[OxigraphServer], small_store: Path
) -> None:
    server = make_server().start()
    push(small_store, store_url=server.store_url)
    again = push(small_store, store_url=server.store_url)
    assert (again.sent, again.skipped, again.requests) == (0, 45, 0)


def _edit_title(records: list[Path], title: str) -> Path:
    path = next(p for p in records if p.stem == EDITED)
    doc = json.loads(path.read_text("utf-8"))
    doc["protocolSection"]["identificationModule"]["briefTitle"] = title
    edited = path.parent / "edited" / path.name
    edited.parent.mkdir(exist_ok=True)
    edited.write_text(json.dumps(doc), "utf-8")
    return edited


def _title(server: OxigraphServer) -> list[tuple[str | None, ...]]:
    return ask(server, f"SELECT ?t WHERE {{ GRAPH <{DEFAULT_BASE}graph/{EDITED}> "
                       f"{{ <{DEFAULT_BASE}trial/{EDITED}> <http://schema.org/name> ?t }} }}")


@pytest.mark.parametrize("protocol", ["store", "update"])
def test_an_updated_trial_replaces_its_graph_and_its_stale_triples_go(
    make_server: type[OxigraphServer], small_store: Path, records: list[Path], protocol: str
) -> None:
    server = make_server().start()
    store_url, update_url = urls(server, protocol)
    push(small_store, store_url=store_url, update_url=update_url)
    build([str(_edit_title(records, "A new title"))], StoreSink(small_store), base=DEFAULT_BASE)
    report = push(small_store, store_url=store_url, update_url=update_url)
    assert (report.sent, report.replaced, report.skipped) == (1, 1, 44)
    assert _title(server) == [("A new title",)]
    assert graph_counts_remote(server) == local_counts(small_store)


def _plant_junk(server: OxigraphServer) -> None:
    junk = (f'INSERT DATA {{ GRAPH <{DEFAULT_BASE}graph/{EDITED}> '
            f'{{ <{DEFAULT_BASE}trial/{EDITED}> <http://schema.org/name> "stale" }} }}')
    request = urllib.request.Request(server.update_url, data=junk.encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status in {200, 204}


def test_without_replace_a_graph_from_elsewhere_keeps_its_extra_triples(
    make_server: type[OxigraphServer], small_store: Path
) -> None:
    server = make_server().start()
    _plant_junk(server)
    push(small_store, store_url=server.store_url)
    assert ("stale",) in _title(server)


@pytest.mark.parametrize("protocol", ["store", "update"])
def test_replace_drops_triples_the_journal_never_sent(
    make_server: type[OxigraphServer], small_store: Path, protocol: str
) -> None:
    server = make_server().start()
    _plant_junk(server)
    store_url, update_url = urls(server, protocol)
    report = push(small_store, store_url=store_url, update_url=update_url, replace=True)
    assert report.replaced == 45
    assert ("stale",) not in _title(server)
    assert graph_counts_remote(server) == local_counts(small_store)


def test_push_interrupted_by_a_killed_server_ends_with_exactly_the_right_graphs(
    make_server: type[OxigraphServer], small_store: Path, tmp_path: Path
) -> None:
    location = tmp_path / "server-data"
    server = make_server(location).start()
    sent_before_kill: list[int] = []

    def kill_after_two_batches(report: PushReport) -> None:
        if report.sent >= 8 and not sent_before_kill:
            sent_before_kill.append(report.sent)
            server.kill()

    with pytest.raises(EndpointError, match="connection refused"):
        push(small_store, store_url=server.store_url, batch=4, retries=2, backoff=0.01,
             on_progress=kill_after_two_batches)
    journal = journal_path(small_store).read_bytes().splitlines()
    assert len(journal) == sent_before_kill[0] == 8

    restarted = make_server(location, port=server.port).start()
    assert len(graph_counts_remote(restarted)) == 8  # what was acknowledged survived the crash
    report = push(small_store, store_url=restarted.store_url, batch=4)
    assert (report.skipped, report.sent) == (8, 37)
    assert graph_counts_remote(restarted) == local_counts(small_store)


def test_a_request_that_fails_for_a_while_is_retried(
    fake_endpoint: FakeEndpoint, small_store: Path
) -> None:
    fake = FakeStore(script=[(503, "text/plain", b""), (502, "text/plain", b"")])
    fake_endpoint.respond = fake.respond
    report = push(small_store, store_url=fake_endpoint.url + "/store", batch=100, backoff=0)
    assert (report.retries, report.sent) == (2, 45)
    assert fake.writes == 3  # one dataset POST, sent three times


def test_a_store_that_takes_no_dataset_post_gets_one_post_per_graph(
    fake_endpoint: FakeEndpoint, small_store: Path
) -> None:
    fake = FakeStore(dataset_post=(415, "text/plain", b"graph= needed"))
    fake_endpoint.respond = fake.respond
    report = push(small_store, store_url=fake_endpoint.url + "/store", batch=100)
    paths = [path for _, path, _, _ in fake_endpoint.seen if path.startswith("/store")]
    assert paths[0] == "/store"
    assert len(paths) == 46 and all(p.startswith("/store?graph=") for p in paths[1:])
    assert report.sent == 45 and report.per_graph
    assert fake.counts() == local_counts(small_store)


def test_a_server_that_refuses_the_data_stops_the_push_and_records_nothing(
    fake_endpoint: FakeEndpoint, small_store: Path
) -> None:
    fake = FakeStore(every_write=(403, "text/plain", b"read-only"))
    fake_endpoint.respond = fake.respond
    with pytest.raises(EndpointError, match=r"refused access.*read-only"):
        push(small_store, store_url=fake_endpoint.url + "/store")
    assert not journal_path(small_store).exists()


def test_default_graph_option_fills_the_default_graph_of_a_store_without_union(
    make_server: type[OxigraphServer], small_store: Path, records: list[Path]
) -> None:
    server = make_server(union=False).start()
    store_url, update_url = server.store_url, server.update_url
    push(small_store, store_url=store_url, update_url=update_url, default_graph=True)
    build([str(_edit_title(records, "Edited"))], StoreSink(small_store), base=DEFAULT_BASE)
    push(small_store, store_url=store_url, update_url=update_url, default_graph=True)
    store = open_store(small_store)
    distinct = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                "WHERE { GRAPH ?g { ?s ?p ?o } } }")
    expected = next(iter(solutions(store, distinct)))["n"].value
    remote = ask(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    titles = ask(server, f"SELECT ?t WHERE {{ <{DEFAULT_BASE}trial/{EDITED}> "
                         "<http://schema.org/name> ?t }")
    assert remote == [(expected,)]
    assert titles == [("Edited",)]


def test_replacing_in_the_default_graph_needs_an_update_url(
    make_server: type[OxigraphServer], small_store: Path
) -> None:
    server = make_server(union=False).start()
    with pytest.raises(UsageError, match="--update-url"):
        push(small_store, store_url=server.store_url, default_graph=True, replace=True)


def test_a_build_file_pushes_the_graphs_a_store_of_it_holds(
    make_server: type[OxigraphServer], records: list[Path], small_store: Path, tmp_path: Path
) -> None:
    server = make_server().start()
    nq = tmp_path / "build.nq.gz"
    build([str(p) for p in records], FileSink(nq), base=DEFAULT_BASE)
    push(nq, update_url=server.update_url, batch=16)
    assert journal_path(nq).is_file()
    # A build file holds the trial graphs only: the statistics are made by a store (kg.stats).
    derived = {STATS_GRAPH, ANSWERS_GRAPH, VOID_GRAPH}
    expected = {g: n for g, n in local_counts(small_store).items() if g not in derived}
    assert graph_counts_remote(server) == expected


def test_a_journal_line_cut_short_by_a_crash_is_ignored(
    make_server: type[OxigraphServer], small_store: Path
) -> None:
    server = make_server().start()
    push(small_store, store_url=server.store_url, batch=8)
    journal = journal_path(small_store)
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:-1]) + lines[-1][:20])
    report = push(small_store, store_url=server.store_url)
    assert (report.sent, report.skipped) == (1, 44)
    assert orjson.loads(journal.read_bytes().splitlines()[-1])["target"].startswith("gsp:")


# --- the command line -----------------------------------------------------------------------------


def kg(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
       ) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["kg", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


def test_kg_push_reports_what_it_sent_on_stderr(
    make_server: type[OxigraphServer], small_store: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    server = make_server().start()
    args = ["push", "--store", str(small_store), "--store-url", server.store_url]
    code, out, err = kg(args, monkeypatch, capsys)
    assert (code, out) == (0, "")
    assert err.startswith("kg: pushed and verified 45 graphs (")
    assert "0 unchanged, 0 replaced" in err
    _, _, again = kg(args, monkeypatch, capsys)
    assert "verified 0 graphs (0 triples)" in again and "45 unchanged" in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["push", "--store", "{store}"], "give --store-url"),
        (["push", "{ttl}", "--store-url", "http://127.0.0.1:1/store"], "no named graphs"),
        (["push", "{ttl}", "--store", "{store}", "--store-url", "http://x/s"], "not both"),
        (["push", "--store", "{store}", "--store-url", "ftp://x/s"], "not an http(s) URL"),
        (["push", "--store", "{store}", "--update-url", "http://u:p@x/u"], "not in the URL"),
    ],
)
def test_kg_push_bad_usage_exits_2(
    small_store: Path, tmp_path: Path, args: list[str], message: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    ttl = tmp_path / "x.ttl"
    ttl.write_text("<http://a> <http://b> <http://c> .\n")
    filled = [a.format(store=small_store, ttl=ttl) for a in args]
    code, out, err = kg(filled, monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("kg: error: ") and message in err
