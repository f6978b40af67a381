"""Shared by the publishing tests: the test data's constants and a small HTTP client."""

from __future__ import annotations

import http.client
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from kg.terms import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
SEED_NCT = "NCT03737461"
RECORDS = (
    "NCT00000410.json",
    "NCT00405041.json",
    "NCT00710099.json",
    "NCT00841061.json",
    "NCT01339377.json",
    "NCT01367860.json",
    "NCT01500304.json",
    "NCT01640457.json",
)
SIMILAR_NCT = "NCT01339377"
EVIL_NAME = "<script>alert('pwned')</script> & Sons \"Ltd\""

EXTRA = f"""
@prefix tkg: <https://w3id.org/trialkg/ontology#> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{DEFAULT_BASE}similarity/{SEED_NCT}/{SIMILAR_NCT}> a tkg:Similarity ;
    tkg:source <{DEFAULT_BASE}trial/{SEED_NCT}> ;
    tkg:target <{DEFAULT_BASE}trial/{SIMILAR_NCT}> ;
    tkg:score 0.42 ;
    tkg:method "weighted-jaccard" .
<{DEFAULT_BASE}org/escaping-test> a schema:Organization ;
    schema:name {ox.Literal(EVIL_NAME)} ;
    schema:sameAs <javascript:alert(1)> .
"""


@dataclass
class Server:
    """A running ``kg serve``."""

    url: str
    process: subprocess.Popen[bytes]
    log: list[str]

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request (no redirects followed); return status, headers (lower case), body."""
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()


def drain(stream: object, log: list[str], ready: threading.Event) -> None:
    """Collect a server's stderr lines; set ``ready`` once it says where it serves."""
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        line = raw.decode("utf-8", "replace").rstrip()
        log.append(line)
        if "serving" in line:
            ready.set()
