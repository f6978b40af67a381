"""A server whose default graph is not the union of its graphs: adapted to, or refused with the
setting to change, never answered empty. Oxigraph server is tested for real in test_engines.py;
other servers are scripted here (the answers a Fuseki without unionDefaultGraph gives).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from kg.errors import EndpointError
from kg.queries import NamedQuery
from kg.remote import Endpoint, query_endpoint

TRIPLE = {"s": {"type": "uri", "value": "http://x/s"}, "p": {"type": "uri", "value": "http://x/p"},
          "o": {"type": "literal", "value": "o"}}
ALL = NamedQuery("all", "SELECT ?s WHERE { ?s ?p ?o }", "", (), "")


def _results(names: list[str], rows: list[dict[str, object]]) -> bytes:
    import json

    return json.dumps({"head": {"vars": names}, "results": {"bindings": rows}}).encode()


@pytest.fixture
def separate_graphs() -> Iterator[tuple[str, list[str]]]:
    """A server (Fuseki by its Server header) holding one triple in a named graph only."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            query = parse_qs(self.rfile.read(size).decode())["query"][0]
            seen.append(query)
            if "GRAPH ?g" in query:  # the probe: some triple of a named graph
                body = _results(["s", "p", "o"], [TRIPLE])
            else:  # the default graph holds nothing
                body = _results(["found"] if "?found" in query else ["s"], [])
            self.send_response(200)
            self.send_header("Server", "Apache Jena Fuseki (5.1.0)")
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/ds/query", seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_default_graph_that_is_not_the_union_is_refused_with_the_setting(
    separate_graphs: tuple[str, list[str]],
) -> None:
    url, seen = separate_graphs
    with pytest.raises(EndpointError, match="tdb2:unionDefaultGraph true") as caught:
        query_endpoint(Endpoint(url), ALL)
    assert "--union-default-graph" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not any(q == ALL.text for q in seen)  # refused before the query ran
