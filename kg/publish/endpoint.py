"""HTTP handlers of ``/sparql`` (SPARQL 1.1 Protocol) and ``/queries`` (the named queries).

Both run their queries through the :class:`~kg.publish.pool.QueryPool` (time limit, row limit,
worker processes); this module reads requests (GET, POST form, POST ``application/sparql-query``,
with a byte limit on the body) and turns results and refusals into responses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.publish._responses import etagged
from kg.publish.named_pages import PAGE_PARAMS, page_links, page_request
from kg.publish.negotiation import negotiate
from kg.publish.sparql import ProtocolError, SparqlResult
from kg.queries import list_queries
from kg.query_output import Page

if TYPE_CHECKING:
    from kg.publish.server import Site

__all__ = ["named_query", "query_list", "sparql"]

_EXAMPLE = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?trial ?id ?name WHERE {
  ?trial a schema:MedicalTrial ; dcterms:identifier ?id ; schema:name ?name .
}
ORDER BY ?id
LIMIT 20
"""
_FORM = "application/x-www-form-urlencoded"


def _error(exc: ProtocolError) -> Response:
    headers = {"Retry-After": "5"} if exc.status == 503 else {}
    return PlainTextResponse(str(exc) + "\n", status_code=exc.status, headers=headers)


def _result(result: SparqlResult, max_rows: int, request: Request | None = None) -> Response:
    headers = {"Vary": "Accept"}
    if result.truncated:  # a named query's page says how many rows it was cut at
        headers["X-SPARQL-MaxRows"] = str(result.limit or max_rows)
    if result.total is not None and result.limit is not None and request is not None:
        # A named query's page: its place in the whole answer. The store is read-only while
        # served, so the same URL gives the same bytes until a restart: a cache may keep it.
        headers["X-Total-Count"] = str(result.total)
        headers["Link"] = page_links(
            request.url.path,
            request.query_params.multi_items(),
            Page(result.limit, result.offset),
            result.shown,
            result.total,
        )
        return etagged(request, result.body, result.media_type, headers)
    media_type = result.media_type
    if media_type.startswith("text/") or media_type.endswith("+xml"):
        media_type += "; charset=utf-8"
    return Response(result.body, status_code=result.status, media_type=media_type, headers=headers)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"give the {name!r} parameter once")
    return values[0] if values else None


async def _parameters(request: Request, site: Site) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method != "POST":
        return params
    limit = 3 * site.limits.max_query_bytes + 4096  # percent-encoding triples a query's size
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _read_body(request, limit)
    if content_type == "application/sparql-update":
        raise ProtocolError(403, "this endpoint is read-only: updates are refused")
    if content_type == "application/sparql-query":
        params.setdefault("query", []).append(body.decode("utf-8", "replace"))
    elif content_type == _FORM:
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=200)
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
    else:
        raise ProtocolError(
            415, "POST a form (application/x-www-form-urlencoded) or application/sparql-query"
        )
    return params


async def sparql(request: Request) -> Response:
    """Answer the SPARQL 1.1 Protocol: a query by GET or POST; a description without one."""
    site: Site = request.app.state.site
    try:
        params = await _parameters(request, site)
        if "update" in params:
            raise ProtocolError(403, "this endpoint is read-only: updates are refused")
        query = _one(params, "query")
        if query is None:
            return await run_in_threadpool(_service_description, request, site)
        job = {
            "op": "sparql",
            "query": query,
            "accept": request.headers.get("accept"),
            "format": _one(params, "format") or _one(params, "output"),
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        result = await run_in_threadpool(site.pool.run, job)
    except ProtocolError as exc:
        return _error(exc)
    return _result(result, site.limits.max_rows)


def _service_description(request: Request, site: Site) -> Response:
    chosen = negotiate(
        request.headers.get("accept"),
        ["text/html", "text/turtle"],
        {"text/turtle": ["application/rdf+xml", "application/ld+json", "application/n-triples"]},
    )
    if chosen == "text/html":
        return site.html(
            "sparql.html",
            title="SPARQL endpoint",
            example=_EXAMPLE,
            timeout=f"{site.limits.timeout:g}",
            max_rows=site.limits.max_rows,
        )
    here = str(request.url.replace(query="", fragment=""))
    return Response(site.service_description(here), media_type="text/turtle; charset=utf-8")


def query_list(request: Request) -> Response:
    """List the named queries (HTML page, or JSON for programs)."""
    site: Site = request.app.state.site
    queries = list_queries()
    chosen = negotiate(request.headers.get("accept"), ["text/html", "application/json"])
    if chosen == "application/json":
        import orjson

        doc = [
            {
                "name": q.name,
                "summary": q.summary,
                "params": [
                    {"name": p.name, "type": p.type, "description": p.description} for p in q.params
                ],
                "example": q.example,
                "url": f"/queries/{q.name}",
            }
            for q in queries
        ]
        return Response(orjson.dumps(doc), media_type="application/json")
    return site.html(
        "queries.html", title="Named queries", queries=queries, max_rows=site.limits.max_rows
    )


async def named_query(request: Request) -> Response:
    """Run a named query with its parameters from the URL: ``/queries/trial-sites?nct=...``.

    ``limit`` and ``offset`` choose a page of the answer (:mod:`kg.publish.named_pages`).
    """
    site: Site = request.app.state.site
    reserved = PAGE_PARAMS | {"format", "output"}
    params = {k: v for k, v in request.query_params.items() if k not in reserved}
    try:
        multi: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            multi.setdefault(key, []).append(value)
        page = page_request(multi, site.limits.max_rows)
        job = {
            "op": "named",
            "name": request.path_params["name"],
            "params": params,
            "accept": request.headers.get("accept"),
            "format": request.query_params.get("format") or request.query_params.get("output"),
            "limit": page.limit,
            "offset": page.offset,
            "page_rows": site.limits.page_rows,
        }
        result = await run_in_threadpool(site.pool.run, job)
    except ProtocolError as exc:
        return _error(exc)
    return _result(result, site.limits.max_rows, request)
