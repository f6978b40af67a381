"""``kg push`` takes nothing on the server's word: counts checked, HTML refused, errors sorted.

A fake endpoint in front of a real in-memory pyoxigraph store (fakestore.py) stages what real
servers do on a bad day: 200 with an HTML page for every write, a dataset POST answered with the
query form (Virtuoso), a graph that loses a triple, 503/429 for a while, a permission error sent
as 500, an update too large to compile (Virtuoso's SP031).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from fakestore import HTML_FORM, FakeStore
from servers import FakeEndpoint

from kg.build import build
from kg.cli import main
from kg.errors import EndpointError, UsageError
from kg.sinks import StoreSink, open_store
from kg.sinks.remote import journal_path, push
from kg.terms import DEFAULT_BASE

VIRTUOSO_403 = (
    500,
    "text/html; charset=UTF-8",
    b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>SPARQL Graph '
    b"Protocol request failed</title></head><body><h1>HTTP/1.1 500 Request Failed</h1>"
    b"<h3>Error 42000</h3>\n<xmp>SQ110:SECURITY: Permission denied for delete from "
    b"DB.DBA.RDF_QUAD (user ID = 110)</xmp></body></html>",
)
SP031 = (
    400,
    "text/plain",
    b"Virtuoso 37000 Error SP031: SPARQL: Internal error: The length of generated SQL text has "
    b"exceeded 10000 lines of code\n\nSPARQL query:\ndefine sql:big-data-const 0 INSERT DATA ...",
)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, json_records: list[Path],
               seed_path: Path) -> Path:
    """The seed and 11 shared records (12 trial graphs, the ontology's and kg's three derived)."""
    path = tmp_path_factory.mktemp("integrity") / "store"
    build([str(seed_path), *map(str, json_records[:11])], StoreSink(path), base=DEFAULT_BASE)
    return path


@pytest.fixture
def source(store_path: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(store_path, tmp_path / "store"))


@pytest.fixture
def fake(fake_endpoint: FakeEndpoint) -> FakeStore:
    state = FakeStore()
    fake_endpoint.respond = state.respond
    return state


def local_counts(path: Path) -> dict[str, int]:
    store = open_store(path)
    found: dict[str, int] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            found[quad.graph_name.value] = found.get(quad.graph_name.value, 0) + 1
    return found


def journaled(path: Path) -> int:
    journal = journal_path(path)
    return len(journal.read_bytes().splitlines()) if journal.exists() else 0


def test_a_server_answering_every_write_with_an_html_page_is_never_taken_as_done(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.every_write = HTML_FORM
    with pytest.raises(EndpointError, match=r"graph <https://w3id\.org/trialkg/graph/.*HTML"):
        push(source, store_url=fake_endpoint.url + "/store", backoff=0)
    assert journaled(source) == 0


@pytest.mark.parametrize("protocol", ["store", "update"])
@pytest.mark.parametrize("answer", [(200, "text/plain", b"OK"), HTML_FORM])
def test_the_command_exits_non_zero_naming_the_graph_and_journals_nothing(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path, protocol: str,
    answer: tuple[int, str, bytes],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    fake.every_write = answer  # a 2xx for every write, and nothing stored
    monkeypatch.setattr(sys, "argv", ["kg", "push", "--store", str(source),
                                      f"--{protocol}-url", f"{fake_endpoint.url}/{protocol}"])
    with pytest.raises(SystemExit) as stop:
        main()
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.startswith("kg: error: ")
    assert "graph <https://w3id.org/trialkg/" in err and "<html" not in err.lower()
    if answer == HTML_FORM:  # a page, a form: no acknowledgement of a write
        assert "answered HTTP 200 with an HTML " in err and "('Virtuoso SPARQL 1.1" in err
    else:
        assert "does not hold 16 graphs as sent" in err and "0 of " in err
    assert journaled(source) == 0


def test_a_dataset_post_answered_with_the_query_form_falls_back_to_one_graph_per_request(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.dataset_post = HTML_FORM  # what Virtuoso 7 answers a POST without ?graph=
    report = push(source, store_url=fake_endpoint.url + "/store")
    assert report.per_graph and report.sent == 16
    assert fake.counts() == local_counts(source)
    assert journaled(source) == 16


def test_a_dataset_post_acknowledged_but_not_stored_is_detected_by_counting(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.dataset_post = (204, "text/plain", b"")  # says done, stores nothing
    report = push(source, store_url=fake_endpoint.url + "/store")
    assert report.per_graph and report.sent == 16
    assert fake.counts() == local_counts(source)


@pytest.mark.parametrize("protocol", ["store", "update"])
def test_a_graph_stored_short_fails_the_push_by_name_and_a_rerun_sends_only_it(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path, protocol: str
) -> None:
    expected = local_counts(source)
    short = sorted(g for g in expected if "/graph/NCT" in g)[3]
    fake.lose = {short}
    url = {f"{protocol}_url": f"{fake_endpoint.url}/{protocol}"}
    with pytest.raises(EndpointError) as failed:
        push(source, **url)  # type: ignore[arg-type]
    said = str(failed.value)
    assert "does not hold 1 graphs as sent" in said
    held = re.search(rf"graph <{re.escape(short)}>: (\d+) of {expected[short]} triples", said)
    assert held and int(held.group(1)) < expected[short]
    assert journaled(source) == 15  # every other graph was verified

    fake.lose = set()
    fake.writes = 0
    report = push(source, **url)  # type: ignore[arg-type]
    assert (report.sent, report.skipped) == (1, 15)
    assert fake.counts() == expected


def test_temporary_failures_are_retried(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.script = [(503, "text/plain", b"busy"), (429, "text/plain", b"slow down"),
                   (502, "text/html", b"<html><h1>Bad Gateway</h1></html>")]
    report = push(source, store_url=fake_endpoint.url + "/store", backoff=0)
    assert report.retries == 3 and report.sent == 16
    assert fake.counts() == local_counts(source)


def test_a_permission_error_sent_as_500_is_not_retried_and_reads_as_text(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.every_write = VIRTUOSO_403
    with pytest.raises(EndpointError) as failed:
        push(source, store_url=fake_endpoint.url + "/store", backoff=0)
    message = str(failed.value)
    assert "Error 42000: SQ110:SECURITY: Permission denied" in message
    assert "not retried" in message and "<" not in message.split("):")[-1]
    assert fake.writes == 1
    assert journaled(source) == 0


def test_a_client_error_is_not_retried(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.every_write = (415, "text/plain", b"unsupported media type")
    with pytest.raises(EndpointError, match="unsupported media type"):
        push(source, update_url=fake_endpoint.url + "/update", backoff=0)
    assert fake.writes == 1


def test_temporary_failures_that_last_fail_the_push_after_the_retries(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.every_write = (503, "text/plain", b"down for maintenance")
    with pytest.raises(EndpointError, match="down for maintenance; gave up after 3 attempts"):
        push(source, update_url=fake_endpoint.url + "/update", retries=2, backoff=0)
    assert fake.writes == 3


def test_updates_go_in_bounded_insert_data_operations_and_shrink_when_too_large(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake.script = [SP031]
    report = push(source, update_url=fake_endpoint.url + "/update", replace=True)
    assert report.sent == 16
    assert fake.counts() == local_counts(source)
    updates = [body.decode() for _, path, _, body in fake_endpoint.seen if path == "/update"]
    first = [op.count("\n") - 1 for op in updates[0].split(" ;\n") if op.startswith("INSERT")]
    assert max(first) == 500  # refused: SP031
    sizes = [op.count("\n") - 1 for u in updates[1:] for op in u.split(" ;\n")
             if op.startswith("INSERT DATA")]
    assert max(sizes) <= 250 < max(local_counts(source).values())  # halved after the SP031
    assert all(u.count(" .\n") <= 5000 for u in updates)


def test_replace_over_update_drops_the_old_graph_before_its_first_insert(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    expected = local_counts(source)
    big = max(expected, key=lambda g: expected[g])
    fake.store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"),
                           ox.Literal("stale"), ox.NamedNode(big)))
    push(source, update_url=fake_endpoint.url + "/update", replace=True)
    assert fake.counts() == expected


def test_an_added_graph_that_held_other_triples_is_read_back(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path
) -> None:
    expected = local_counts(source)
    some = sorted(expected)[2]
    fake.store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"),
                           ox.Literal("kept"), ox.NamedNode(some)))
    report = push(source, store_url=fake_endpoint.url + "/store")
    assert report.sent == 16
    assert fake.counts()[some] == expected[some] + 1
    constructs = [b for _, p, _, b in fake_endpoint.seen if p == "/query" and b"CONSTRUCT" in b]
    assert len(constructs) == 1


def test_no_query_endpoint_to_count_with_is_a_usage_error(
    fake_endpoint: FakeEndpoint, source: Path
) -> None:
    fake_endpoint.status = 204
    with pytest.raises(UsageError, match="give --query-url"):
        push(source, store_url=fake_endpoint.url + "/store")
    assert journaled(source) == 0


@pytest.mark.parametrize(
    ("env", "header"),
    [
        ({"KG_ENDPOINT_TOKEN": "t0k3n"}, "Bearer t0k3n"),
        ({"KG_ENDPOINT_USER": "ann", "KG_ENDPOINT_PASSWORD": "pw", "KG_ENDPOINT_AUTH": "basic"},
         "Basic YW5uOnB3"),
    ],
)
def test_bearer_and_basic_credentials_go_with_every_request(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path, env: dict[str, str], header: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    push(source, store_url=fake_endpoint.url + "/store")
    sent = [headers.get("Authorization") for _, _, headers, _ in fake_endpoint.seen]
    assert sent and set(sent) == {header}


def test_a_bad_auth_scheme_is_a_usage_error(
    fake: FakeStore, fake_endpoint: FakeEndpoint, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_ENDPOINT_AUTH", "ntlm")
    with pytest.raises(UsageError, match="KG_ENDPOINT_AUTH must be auto, basic or digest"):
        push(source, store_url=fake_endpoint.url + "/store")


BY_VALUE = (
    b'<http://x/s> <http://x/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> <{g}> .\n'
    b'<http://x/s> <http://x/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <{g}> .\n'
    b'<http://x/s> <http://x/q> "a"@en <{g}> .\n'
)


@pytest.mark.parametrize("lose", [False, True])
def test_a_server_that_stores_literals_by_value_is_verified_by_value(
    fake: FakeStore, fake_endpoint: FakeEndpoint, tmp_path: Path, lose: bool
) -> None:
    graph = f"{DEFAULT_BASE}graph/NCT00000000"
    source = tmp_path / "by-value.nq"
    source.write_bytes(BY_VALUE.replace(b"{g}", graph.encode()))
    fake.by_value = True
    fake.lose = {graph} if lose else set()
    if lose:  # one triple really lost: 1 held, 2 by value, 3 in RDF
        with pytest.raises(EndpointError, match=r"NCT00000000>: 1 of 3 triples"):
            push(source, store_url=fake_endpoint.url + "/store")
        return
    report = push(source, store_url=fake_endpoint.url + "/store")
    assert report.sent == 2  # the graph and the ontology's
    assert fake.counts()[graph] == 2  # "true" and 1 are one triple there
