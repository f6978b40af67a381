"""The Virtuoso test server: started by the suite, read-only in public, writable with Digest."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from virtuoso import PASSWORD, USER, VirtuosoServer

TRIPLE = b"<http://example.org/s> <http://example.org/p> \"o\" .\n"


def _put(url: str, graph: str, *, auth: bool) -> int:
    request = urllib.request.Request(
        f"{url}?graph={graph}", data=TRIPLE, method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    handlers: list[urllib.request.BaseHandler] = []
    if auth:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, USER, PASSWORD)
        handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_public_graph_store_refuses_writes(virtuoso: VirtuosoServer) -> None:
    assert _put(virtuoso.store_url, "http://example.org/g/public", auth=False) == 403


def test_digest_account_writes_through_the_authenticated_graph_store(
    virtuoso: VirtuosoServer,
) -> None:
    assert _put(virtuoso.auth_store_url, "http://example.org/g/auth", auth=True) in {200, 201}
    count = "SPARQL SELECT COUNT(*) WHERE { GRAPH <http://example.org/g/auth> { ?s ?p ?o } };"
    assert virtuoso.scalar(count) == "1"
    virtuoso.isql("SPARQL CLEAR GRAPH <http://example.org/g/auth>;")


def test_missing_program_names_the_setup_script(monkeypatch: pytest.MonkeyPatch) -> None:
    import virtuoso as module

    monkeypatch.setattr(module, "VIRTUOSO", "/nonexistent/virtuoso-t")
    server = VirtuosoServer()
    assert server.folder.is_dir()
    with pytest.raises(pytest.fail.Exception, match=r"system-setup\.sh"):
        server.start()
    assert not server.folder.exists()  # the folder it made is not left behind
