"""The recorded PubMed E-utilities and Crossref server on 127.0.0.1, and the fixtures' constants.

The server answers from tests/publications/fixtures/: esearch answers by query term (JSON, or XML
as E-utilities also writes), efetch answers assembled from the recorded PubMed records of the
PMIDs asked for (as efetch does), Crossref works by DOI (404 for the others). A route can be
scripted with a sequence of replies (a 429, a slow answer, then the record).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from lxml import etree

from kg.pubmed import title_term

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
SEED_NCT = "NCT03737461"
RESPINE_PMID = "39393844"
RESPINE_DOI = "10.1136/ard-2024-225771"
CRACKED_POTS = "Cracked pots and their repair: a randomised trial"
LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# Completed trials of the shared records: INDUSTRY (2011, 2013, 2013 with RESULT references),
# OTHER_GOV (2008, 2021).
GAP_RECORDS = ("NCT00777179", "NCT01738087", "NCT01534065", "NCT00405041", "NCT06503835")


# --- the recorded server ------------------------------------------------------------------------


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    """One request the server received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]


def fixture_bytes(name: str) -> bytes:
    """Return a recorded response."""
    return (FIXTURES / name).read_bytes()


def json_reply(name: str) -> Reply:
    """Return a recorded JSON response as a 200."""
    return Reply(body=fixture_bytes(name), headers={"Content-Type": "application/json"})


def _records() -> dict[str, bytes]:
    """Index the recorded PubMed records by PMID."""
    out: dict[str, bytes] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in sorted(FIXTURES.glob("efetch_*.xml")):
        root = etree.fromstring(path.read_bytes(), parser=parser)
        for article in root.iterchildren("PubmedArticle"):
            out[article.findtext("MedlineCitation/PMID") or ""] = etree.tostring(article)
    return out


class Recorded:
    """E-utilities and Crossref from recordings; scripted routes answer their replies in turn."""

    def __init__(self) -> None:
        self.records = _records()
        self.searches: dict[str, Reply] = {
            f"{SEED_NCT}[si]": json_reply(f"esearch_si_{SEED_NCT}.json"),
            "NCT00777179[si]": json_reply("esearch_si_NCT00777179.json"),
            f'"{RESPINE_DOI}"[doi]': Reply(
                body=fixture_bytes("esearch_doi_ard-2024-225771.xml"),
                headers={"Content-Type": "text/xml; charset=UTF-8"},
            ),
            str(title_term(CRACKED_POTS, 2019)): json_reply("esearch_title_cracked_pots.json"),
        }
        self.works = {"10.5555/kg-test-0001": json_reply("crossref_work_kg-test-0001.json")}
        self.scripts: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self.port = 0
        self._lock = threading.Lock()

    @property
    def eutils_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/eutils"

    @property
    def crossref_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/crossref"

    def script(self, route: str, *replies: Reply) -> None:
        """Answer ``route`` (``esearch:TERM``, ``efetch:IDS`` or ``work:DOI``) with replies."""
        self.scripts[route] = list(replies)

    def count(self, prefix: str = "") -> int:
        """Return the number of requests whose path starts with ``prefix``."""
        return sum(1 for r in self.requests if r.path.startswith(prefix))

    def reply(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(Seen(path, query, headers))
            route = self._route(path, query)
            scripted = self.scripts.get(route)
            if scripted:
                return scripted.pop(0) if len(scripted) > 1 else scripted[0]
        if route.startswith("esearch:"):
            return self.searches.get(route[8:], json_reply("esearch_empty.json"))
        if route.startswith("efetch:"):
            found = b"".join(self.records[i] for i in route[7:].split(",") if i in self.records)
            body = b'<?xml version="1.0" ?>\n<PubmedArticleSet>' + found + b"</PubmedArticleSet>"
            return Reply(body=body, headers={"Content-Type": "text/xml; charset=UTF-8"})
        if route.startswith("work:") and route[5:] in self.works:
            return self.works[route[5:]]
        return Reply(404, b"Resource not found.", {"Content-Type": "text/plain"})

    @staticmethod
    def _route(path: str, query: dict[str, str]) -> str:
        if path.endswith("/esearch.fcgi"):
            return f"esearch:{query.get('term', '')}"
        if path.endswith("/efetch.fcgi"):
            return f"efetch:{query.get('id', '')}"
        if "/works/" in path:
            return "work:" + unquote(path.split("/works/", 1)[1])
        return path


class _Handler(BaseHTTPRequestHandler):
    server: RecordedServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.recorded.reply(parts.path, dict(parse_qsl(parts.query)), headers)
        if reply.delay:
            threading.Event().wait(reply.delay)  # not time.sleep, which tests may replace
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up waiting: the scenario under test

    def log_message(self, format: str, *args: object) -> None:
        return


class RecordedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, recorded: Recorded) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.recorded = recorded


def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection and name lookup beyond the loopback interface."""
    connect = socket.socket.connect
    lookup = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOCAL_HOSTS:
            raise ConnectionRefusedError(f"test suite: no network beyond 127.0.0.1 ({address[0]})")
        connect(self, address)

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOCAL_HOSTS:
            raise socket.gaierror(f"test suite: no name lookups beyond localhost ({name})")
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_lookup)
    for name in ("NCBI_API_KEY", "KG_CONTACT_EMAIL", "KG_CACHE"):
        monkeypatch.delenv(name, raising=False)
    # Were a test to forget the server, it would still not reach NCBI or Crossref.
    monkeypatch.setenv("KG_EUTILS_URL", "http://127.0.0.1:9/eutils")
    monkeypatch.setenv("KG_CROSSREF_URL", "http://127.0.0.1:9/crossref")


@contextmanager
def serving(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorded]:
    """Serve the recordings; point $KG_EUTILS_URL and $KG_CROSSREF_URL at them meanwhile."""
    api = Recorded()
    server = RecordedServer(api)
    api.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    monkeypatch.setenv("KG_EUTILS_URL", api.eutils_url)
    monkeypatch.setenv("KG_CROSSREF_URL", api.crossref_url)
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
