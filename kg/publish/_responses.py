"""Shared pieces of the server's responses: document formats, links, ETags, 404 pages."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.publish.export import ExportFormat, write_groups
from kg.publish.negotiation import negotiate

__all__ = [
    "ALIASES",
    "DOCUMENT_TYPES",
    "EXTENSION",
    "LABELS",
    "OFFERS",
    "TEMPLATES",
    "HtmlSite",
    "alternates",
    "etagged",
    "link_header",
    "not_found",
    "rdf_bytes",
]


class HtmlSite(Protocol):
    """What the helpers need of the server's state: rendering a page."""

    def html(self, template: str, status: int = 200, **context: Any) -> Response:
        """Render a page."""
        ...


TEMPLATES = Path(__file__).resolve().parent / "templates"

DOCUMENT_TYPES: dict[str, tuple[str, ExportFormat | None]] = {
    "html": ("text/html", None),
    "ttl": ("text/turtle", ExportFormat.TURTLE),
    "jsonld": ("application/ld+json", ExportFormat.JSONLD),
    "nt": ("application/n-triples", ExportFormat.NTRIPLES),
    "rdf": ("application/rdf+xml", ExportFormat.RDFXML),
}
"""Document extension -> media type and writer (None: the HTML page)."""
OFFERS = [media for media, _ in DOCUMENT_TYPES.values()]
EXTENSION = {media: ext for ext, (media, _) in DOCUMENT_TYPES.items()}
ALIASES = {
    "text/html": ["application/xhtml+xml"],
    "text/turtle": ["application/x-turtle"],
    "application/ld+json": ["application/json"],
    "application/rdf+xml": ["application/xml", "text/xml"],
    "application/n-triples": ["text/plain"],
}
LABELS = {
    "ttl": "Turtle",
    "jsonld": "JSON-LD",
    "nt": "N-Triples",
    "rdf": "RDF/XML",
    "html": "HTML",
}


def alternates(path: str) -> list[dict[str, str]]:
    return [
        {"href": f"/{path}.{ext}", "media_type": media, "label": LABELS[ext]}
        for ext, (media, _) in DOCUMENT_TYPES.items()
    ]


def link_header(path: str) -> str:
    return ", ".join(
        f'</{path}.{ext}>; rel="alternate"; type="{media}"'
        for ext, (media, _) in DOCUMENT_TYPES.items()
    )


def etagged(request: Request, body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {**headers, "ETag": etag, "Cache-Control": "public, max-age=300"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if media_type.startswith("text/") or media_type.endswith("+xml"):
        media_type += "; charset=utf-8"
    return Response(body, media_type=media_type, headers=headers)


def rdf_bytes(
    groups: list[list[ox.Triple]], fmt: ExportFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    out = io.BytesIO()
    write_groups(groups, out, fmt, prefixes)
    return out.getvalue()


def not_found(request: Request, site: HtmlSite, what: str) -> Response:
    chosen = negotiate(request.headers.get("accept"), ["text/html", "text/plain"])
    if chosen == "text/html":
        return site.html("error.html", status=404, title="Not found", message=what)
    return PlainTextResponse(what + "\n", status_code=404)
