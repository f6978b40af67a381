"""``kg serve``: the graph as linked data over HTTP (Starlette app, served by uvicorn).

URL scheme: the server's root stands for the data's base IRI, so ``{base}trial/NCT03737461`` is
``/trial/NCT03737461`` here.

* A data IRI names a thing, not a document: ``GET /trial/NCT03737461`` answers ``303 See Other``
  with ``Location: /trial/NCT03737461.ttl`` (or ``.jsonld``, ``.nt``, ``.rdf``, ``.html``) chosen
  from the ``Accept`` header (``Vary: Accept``; ``*/*`` and browsers get HTML; nothing acceptable
  gets 406). The document URLs answer 200 in their format whatever the ``Accept`` header.
* ``/graph/NCT...`` (a trial's named graph) gives the record's statements with its provenance.
* Hash IRIs resolve to their document: ``{base}void#dataset`` is in ``/void`` and the ontology's
  ``tkg:`` terms (``https://w3id.org/trialkg/ontology#site``) in ``/ontology``; both negotiate
  in place (200, ``Vary: Accept``, ``Content-Location``).
* ``/sparql`` is a read-only SPARQL 1.1 Protocol endpoint, ``/queries/NAME`` runs a named query,
  ``/void`` describes the dataset, ``/download/FILE`` serves the dumps of ``--dumps``.
* Unknown IRIs are 404. HTML is escaped by Jinja2's autoescaping; responses carry CORS headers
  and HTML a restrictive Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import UsageError
from kg.publish import endpoint, pages
from kg.publish._dataset import PREFIXES, detect_base, group_triples
from kg.publish._lookup import Reader
from kg.publish._responses import (
    ALIASES,
    DOCUMENT_TYPES,
    EXTENSION,
    OFFERS,
    TEMPLATES,
    alternates,
    etagged,
    link_header,
    not_found,
    rdf_bytes,
)
from kg.publish.access_log import AccessLog
from kg.publish.describe import describe, is_graph
from kg.publish.export import Dump, ExportFormat, read_dump
from kg.publish.negotiation import negotiate
from kg.publish.pool import PoolLimits, QueryPool
from kg.publish.schemaorg import resource_document
from kg.publish.views import Hrefs, build_page
from kg.publish.void import collect_statistics, describe_dataset, dump_paths
from kg.sinks import open_store
from kg.terms import DEFAULT_BASE

__all__ = ["DOCUMENT_TYPES", "ServerConfig", "Site", "create_app", "serve"]

_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What ``kg serve`` serves and how."""

    store: Path
    base: str | None = None
    """The data's base IRI; read from the store's graph names when None."""
    dumps: Path | None = None
    """A folder of dump files (``kg export -o``) to serve under ``/download/``."""
    limits: PoolLimits = field(default_factory=PoolLimits)
    inbound_limit: int = 500
    """Most statements pointing at a resource that its document lists."""
    access_log: Callable[[str], None] | None = None
    """Receives one Common Log Format line per request (:mod:`kg.publish.access_log`)."""


class Site:
    """The state the handlers share: the store (read-only), the query pool, templates, caches."""

    def __init__(self, config: ServerConfig) -> None:
        """Open the store read-only and prepare the query pool, templates and dumps."""
        self.config = config
        self.limits = config.limits
        self.store = open_store(config.store, read_only=True)
        base = config.base or detect_base(self.store) or DEFAULT_BASE
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.hrefs = Hrefs(self.base)
        self.pool = QueryPool(config.store, config.limits)
        self.templates = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=False,
        )
        self.dumps: dict[str, Dump] = {}
        if config.dumps is not None:
            for path in dump_paths(config.dumps):
                self.dumps[path.name] = read_dump(path)
        self._void: list[ox.Triple] | None = None
        self._void_lock = threading.Lock()

    # --- helpers ------------------------------------------------------------------------------

    def html(self, template: str, status: int = 200, **context: Any) -> Response:
        """Render a page."""
        context.setdefault("alternates", [])
        context.setdefault("jsonld", None)
        body = self.templates.get_template(template).render(**context)
        return Response(body, status_code=status, media_type="text/html; charset=utf-8")

    def void(self) -> list[ox.Triple]:
        """Return the dataset description, made once.

        From the figures kept with the store (kg.void_counts), else counted by the store over
        every graph (~15 minutes at 100,000 synthetic trials).
        """
        with self._void_lock:
            if self._void is None:
                stats = collect_statistics(self.store, self.base)
                self._void = describe_dataset(
                    self.store,
                    self.base,
                    dumps=list(self.dumps.values()),
                    statistics=stats,
                )
            return self._void

    def service_description(self, endpoint_url: str | None = None) -> bytes:
        """Return the SPARQL service description (Turtle); ``sd:endpoint`` is ``endpoint_url``.

        The endpoint is the URL the server is reached at (SPARQL 1.1 Service Description, 3.2),
        which is the data's ``{base}sparql`` only when the server is published there.
        """
        sd = "http://www.w3.org/ns/sparql-service-description#"
        endpoint_iri = ox.NamedNode(endpoint_url or self.base + "sparql")
        service = ox.NamedNode(self.base + "void#sparql-service")
        a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        triples = [
            ox.Triple(service, a, ox.NamedNode(sd + "Service")),
            ox.Triple(service, ox.NamedNode(sd + "endpoint"), endpoint_iri),
            ox.Triple(
                service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")
            ),
            ox.Triple(
                service, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")
            ),
        ]
        for fmt in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
            "N-Quads",
            "TriG",
        ):
            triples.append(
                ox.Triple(
                    service,
                    ox.NamedNode(sd + "resultFormat"),
                    ox.NamedNode("http://www.w3.org/ns/formats/" + fmt),
                )
            )
        return rdf_bytes(group_triples(triples), ExportFormat.TURTLE, PREFIXES)

    def node_for(self, path: str) -> ox.NamedNode | None:
        """Return the IRI a server path stands for, or None when it is not a valid IRI."""
        try:
            return ox.NamedNode(self.base + path)
        except ValueError:
            return None

    def exists(self, node: ox.NamedNode) -> bool:
        """Tell whether the data knows an IRI (as subject, object, or graph name)."""
        return is_graph(self.store, node) or Reader(self.store).exists(node)


# --- responses -----------------------------------------------------------------------------------


def _json_script(doc: object) -> Markup:
    # Inside <script>, "</script>" or "<!--" in the data would end the element: escape <, >, &.
    text = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON escaped for a script element just above


def _document(request: Request, site: Site, node: ox.NamedNode, path: str, ext: str) -> Response:
    media, fmt = DOCUMENT_TYPES[ext]
    headers = {"Link": link_header(path)}
    if fmt is not None:
        body = rdf_bytes(describe(site.store, node, inbound_limit=site.config.inbound_limit), fmt)
        return etagged(request, body, media, headers)
    page = build_page(site.store, site.base, node, ae_sort=request.query_params.get("ae-sort"))
    doc = resource_document(site.store, node, page=f"{site.base}{path}.html")
    html = site.templates.get_template("resource.html").render(
        title=page.title,
        page=page,
        downloads=[a for a in alternates(path) if a["media_type"] != "text/html"],
        alternates=[a for a in alternates(path) if a["media_type"] != "text/html"],
        jsonld=_json_script(doc),
    )
    return etagged(request, html.encode("utf-8"), media, headers)


def resource(request: Request) -> Response:
    """Dereference a data IRI (303 to a document) or serve one of its documents."""
    site: Site = request.app.state.site
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("ascii", "replace").split("?", 1)[0].lstrip("/")
    node = site.node_for(path) if path else None
    if node is not None and site.exists(node):
        chosen = negotiate(request.headers.get("accept"), OFFERS, ALIASES)
        if chosen is None:
            return PlainTextResponse(
                "not acceptable; available: " + ", ".join(OFFERS) + "\n",
                status_code=406,
                headers={"Vary": "Accept"},
            )
        return RedirectResponse(
            f"/{path}.{EXTENSION[chosen]}",
            status_code=303,
            headers={"Vary": "Accept", "Link": link_header(path)},
        )
    stem, dot, ext = path.rpartition(".")
    if dot and ext in DOCUMENT_TYPES and stem:
        node = site.node_for(stem)
        if node is not None and site.exists(node):
            return _document(request, site, node, stem, ext)
    return not_found(request, site, f"There is no resource /{path} in this graph.")


class SecurityHeaders:
    """Add ``nosniff``, a referrer policy, and a Content-Security-Policy on HTML responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                content_type = dict(headers).get(b"content-type", b"")
                if (
                    content_type.startswith(b"text/html")
                    and b"content-security-policy" not in names
                ):
                    headers.append((b"content-security-policy", _CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(config: ServerConfig) -> Starlette:
    """Build the application (it opens the store now, and starts query workers at startup)."""
    site = Site(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(site.pool.start)
        # Count the dataset in the background, so /void is ready when someone asks.
        threading.Thread(target=site.void, name="kg-void", daemon=True).start()
        try:
            yield
        finally:
            site.pool.close()

    routes = [
        Route("/", pages.home),
        Route("/go", pages.go),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
        Route("/queries", endpoint.query_list),
        Route("/queries/{name}", endpoint.named_query),
        Route("/void", pages.void),
        Route("/void.{ext}", pages.void),
        Route("/.well-known/void", pages.well_known_void),
        Route("/ontology", pages.ontology),
        Route("/ontology.{ext}", pages.ontology),
        Route("/context.jsonld", pages.context),
        Route("/static/kg.css", pages.stylesheet),
        Route("/download/{name}", pages.download),
        Route("/{path:path}", resource),
    ]
    middleware = [
        *([Middleware(AccessLog, write=config.access_log)] if config.access_log else []),
        Middleware(SecurityHeaders),
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=[
                "Link",
                "Location",
                "Content-Location",
                "ETag",
                "X-SPARQL-MaxRows",
                "X-Total-Count",
            ],
            max_age=3600,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.site = site
    return app


def bind(host: str, port: int) -> socket.socket:
    """Open a listening socket (``port`` 0 picks a free one).

    Raises:
        UsageError: the address is taken, not this machine's, or not ours to use.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    shown = f"[{host}]" if ":" in host else host
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Connections accepted from it inherit TCP_NODELAY (Linux): a response's headers and body
        # are two writes, and Nagle would hold the body until the client's delayed ACK (~40 ms
        # each request on a kept-alive connection).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = str(exc.strerror or exc)
        if exc.errno == errno.EADDRINUSE:
            why = "address already in use; stop what runs there or pick another --port"
        raise UsageError(f"cannot listen on http://{shown}:{port}/: {why}") from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


def serve(
    config: ServerConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted; ``on_ready`` gets the URL once the socket listens."""
    import uvicorn

    sock = bind(host, port)  # first: a busy port fails before the store is opened
    try:
        app = create_app(config)
    except BaseException:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            limit_concurrency=512,
            timeout_keep_alive=5,
            lifespan="on",
        )
    )
    if on_ready is not None:
        on_ready(f"http://{shown}:{bound}/")
    server.run(sockets=[sock])
