"""Handlers of the site-wide pages: home, dataset description, ontology, dumps, static files."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

from kg.ontology import ONTOLOGY_GRAPH
from kg.publish._dataset import PREFIXES, group_triples
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
from kg.publish.jsonld import CONTEXT_FILE
from kg.publish.negotiation import negotiate
from kg.publish.views import Link, ontology_terms, void_rows

if TYPE_CHECKING:
    from kg.publish.server import Site

__all__ = [
    "context",
    "download",
    "go",
    "home",
    "ontology",
    "stylesheet",
    "void",
    "well_known_void",
]

_NCT = re.compile(r"^NCT\d{8}$", re.I)


def _in_place(
    request: Request,
    site: Site,
    name: str,
    ext: str | None,
    triples: Callable[[], list[ox.Triple]],
    page: Callable[[], Response],
) -> Response:
    """Serve a document that negotiates in place (``/void``, ``/ontology``)."""
    if ext is None:
        chosen = negotiate(request.headers.get("accept"), OFFERS, ALIASES)
        if chosen is None:
            return PlainTextResponse("not acceptable\n", status_code=406)
        ext = EXTENSION[chosen]
        headers = {
            "Vary": "Accept",
            "Content-Location": f"/{name}.{ext}",
            "Link": link_header(name),
        }
    elif ext not in DOCUMENT_TYPES:
        return not_found(request, site, f"No /{name}.{ext} here.")
    else:
        headers = {"Link": link_header(name)}
    media, fmt = DOCUMENT_TYPES[ext]
    if fmt is None:
        response = page()
        response.headers.update(headers)
        return response
    return etagged(request, rdf_bytes(group_triples(triples()), fmt, PREFIXES), media, headers)


def void(request: Request) -> Response:
    """The dataset description (VoID, DCAT)."""
    site: Site = request.app.state.site

    def page() -> Response:
        rows = void_rows(site.store, site.base, group_triples(site.void()))
        return site.html(
            "void.html", title="Dataset description", rows=rows, alternates=alternates("void")
        )

    return _in_place(request, site, "void", request.path_params.get("ext"), site.void, page)


def ontology(request: Request) -> Response:
    """The ontology (hash IRIs: each term is an anchor of the HTML page)."""
    site: Site = request.app.state.site
    ext = request.path_params.get("ext")
    graph = ox.NamedNode(ONTOLOGY_GRAPH)

    def triples() -> list[ox.Triple]:
        return [q.triple for q in site.store.quads_for_pattern(None, None, None, graph)]

    def page() -> Response:
        terms = ontology_terms(site.store, ONTOLOGY_GRAPH, site.base)
        return site.html(
            "ontology.html",
            title="The kg ontology",
            iri=ONTOLOGY_GRAPH,
            terms=terms,
            alternates=alternates("ontology"),
        )

    return _in_place(request, site, "ontology", ext, triples, page)


_TRIALS = """
SELECT ?t ?id ?name WHERE {
  GRAPH ?g {
    ?t <http://purl.org/dc/terms/identifier> ?id
    OPTIONAL { ?t <http://schema.org/name> ?name }
  }
  FILTER(STRENDS(STR(?g), CONCAT("/", STR(?id))))
} ORDER BY ?id LIMIT 201"""


def home(request: Request) -> Response:
    """The home page: what this is, how to use it, and the first trials."""
    site: Site = request.app.state.site
    trials = []
    for solution in site.store.query(_TRIALS):  # type: ignore[union-attr]
        iri, nct, name = solution["t"], solution["id"], solution["name"]
        label = f"{nct.value} · {name.value}" if name is not None else nct.value
        trials.append(Link(label, site.hrefs.href(iri.value), iri.value))
    dumps = [
        {
            "name": d.path.name,
            "href": f"/download/{d.path.name}",
            "size": d.size,
            "sha256": d.sha256,
        }
        for d in site.dumps.values()
    ]
    return site.html(
        "home.html",
        title="Clinical trials knowledge graph",
        trials=trials[:200],
        more=len(trials) > 200,
        dumps=dumps,
    )


def go(request: Request) -> Response:
    """Jump to a trial by NCT id (the home page's form)."""
    nct = request.query_params.get("nct", "").strip().upper()
    if not _NCT.match(nct):
        return PlainTextResponse("give an NCT id such as NCT03737461\n", status_code=400)
    return RedirectResponse(f"/trial/{nct}", status_code=303)


def download(request: Request) -> Response:
    """Serve a dump file listed in the dataset description."""
    site: Site = request.app.state.site
    dump = site.dumps.get(request.path_params["name"])
    if dump is None:
        return not_found(request, site, "No such dump file.")
    media = "application/gzip" if dump.gzip else dump.media_type
    return FileResponse(dump.path, media_type=media, headers={"Digest": f"sha-256={dump.sha256}"})


def context(request: Request) -> Response:
    """The JSON-LD context our JSON-LD documents use."""
    return Response(CONTEXT_FILE.read_bytes(), media_type="application/ld+json")


def stylesheet(request: Request) -> Response:
    """The stylesheet of the pages."""
    return Response(
        (TEMPLATES / "kg.css").read_bytes(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def well_known_void(request: Request) -> Response:
    """VoID's well-known address (section 7 of the VoID note)."""
    return RedirectResponse("/void", status_code=303)
