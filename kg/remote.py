"""Remote SPARQL 1.1 endpoints: SELECT queries, whole or refused (``kg push`` has kg.sinks).

Queries are POSTed as forms (SPARQL 1.1 Protocol) and read as SPARQL JSON results. An answer is
whole or refused: one cut at the server's row cap (``X-SPARQL-MaxRows``) is read again in pages
(:mod:`kg.remote_pages`), a partial one (Virtuoso's ``X-SQL-State``) is an error, and a server
whose default graph is not the union of its graphs gets the per-query option that makes it so
(Oxigraph) or is refused naming the setting (:func:`dataset_options`).

Credentials come from the environment, never from arguments (they would show in shell history and
process lists): ``KG_ENDPOINT_TOKEN`` sends ``Authorization: Bearer ...``; else
``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD`` answer the server's HTTP Basic or Digest challenge
(``KG_ENDPOINT_AUTH``: ``auto``, ``basic`` or ``digest``; :mod:`kg.http_auth`), so a query reaches
Virtuoso's ``/sparql-auth``. ``KG_ENDPOINT_TIMEOUT`` (seconds, default 60) bounds every request.

Every failure becomes one :class:`~kg.errors.EndpointError` that says what went wrong and where:
the endpoint is down (connection refused, unknown host), slow (no answer within the timeout),
refused us (HTTP 4xx/5xx, with the first line of its message), or answered something that is not
SPARQL JSON results. :class:`TransientEndpointError` marks the failures worth retrying.
A query the endpoint calls malformed (HTTP 400) is a :class:`~kg.errors.QueryError`.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from typing import NoReturn
from urllib.parse import urlencode, urlsplit

import orjson

from kg import __version__
from kg.errors import EndpointError, QueryError, UsageError
from kg.http_auth import ENV_AUTH, AuthScheme, Credentials
from kg.queries import Bindings, Cell, NamedQuery, ResultTable, with_values
from kg.remote_pages import Pager

__all__ = [
    "ENV_PASSWORD",
    "ENV_TIMEOUT",
    "ENV_TOKEN",
    "ENV_USER",
    "VIRTUOSO_MAX_ROWS",
    "Endpoint",
    "TransientEndpointError",
    "dataset_options",
    "pages_by_rank",
    "query_endpoint",
    "select",
    "server_software",
]

ENV_USER = "KG_ENDPOINT_USER"
ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"  # noqa: S105 - the variable's name, not a password
ENV_TOKEN = "KG_ENDPOINT_TOKEN"  # noqa: S105 - the variable's name, not a token
ENV_TIMEOUT = "KG_ENDPOINT_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
_AGENT = f"kg/{__version__} (+https://w3id.org/trialkg/)"
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class TransientEndpointError(EndpointError):
    """A failure that may pass if the request is sent again: down, slow, busy, or a 5xx."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where to send requests, how long to wait, and the credentials to send."""

    url: str
    timeout: float = DEFAULT_TIMEOUT
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    auth: AuthScheme = AuthScheme.AUTO
    credentials: Credentials = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The challenges answered so far live here, shared by every request to this endpoint.
        object.__setattr__(
            self, "credentials", Credentials(self.user, self.password, self.token, self.auth)
        )

    @classmethod
    def from_env(
        cls,
        url: str,
        *,
        timeout: float | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Endpoint:
        """Make an endpoint for ``url`` with credentials and timeout from the environment.

        >>> Endpoint.from_env("http://localhost:7878/query", environ={}).timeout
        60.0

        Raises:
            UsageError: not an http(s) URL, a URL that carries credentials, or a bad timeout.
        """
        env = os.environ if environ is None else environ
        check_url(url)
        if timeout is None:
            raw = env.get(ENV_TIMEOUT, "")
            try:
                timeout = float(raw) if raw else DEFAULT_TIMEOUT
            except ValueError as exc:
                raise UsageError(f"{ENV_TIMEOUT} is not a number of seconds: {raw!r}") from exc
        if not timeout > 0:
            raise UsageError(f"the timeout must be a positive number of seconds, not {timeout}")
        return cls(
            url,
            timeout,
            env.get(ENV_USER) or None,
            env.get(ENV_PASSWORD) or None,
            env.get(ENV_TOKEN) or None,
            Credentials.from_env(env).scheme,
        )



def check_url(url: str) -> None:
    """Refuse anything but an absolute http(s) URL without credentials in it.

    >>> check_url("ftp://example.org/sparql")
    Traceback (most recent call last):
    ...
    kg.errors.UsageError: not an http(s) URL: 'ftp://example.org/sparql'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url!r}")
    if parts.username or parts.password:
        raise UsageError(
            f"put credentials in {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN}, not in the URL"
        )


def query_endpoint(
    endpoint: Endpoint,
    query: NamedQuery,
    bindings: Bindings | None = None,
    *,
    indexed: bool = True,
) -> ResultTable:
    """Run a SELECT query on a remote endpoint; results as the embedded store gives them.

    Parameters are bound by the same ``VALUES`` block the embedded store gets
    (:func:`kg.queries.with_values`), and result terms become the same cells (a plain literal
    and an ``xsd:string`` one are one cell, typed values in their canonical form), so both give
    the same rows. The answer is whole or refused: one the server cut at its row cap is read
    again in pages (:mod:`kg.remote_pages`); a partial one (a server's time limit) is an error.
    The server's default graph must be the union of its graphs (:func:`dataset_options`). With
    ``indexed``, a named query runs as its indexed variant when the endpoint holds a kg
    statistics graph (:mod:`kg.indexed`: one small query per marker first).

    Raises:
        EndpointError: the endpoint is down, slow, refused the request, answered garbage, or
            answered part of the rows only.
        QueryError: the endpoint calls the query malformed, or it is not a SELECT.
    """
    bindings = bindings or {}
    if indexed:
        from kg.indexed import (  # kg.indexed imports this module
            choose,
            endpoint_ask,
            endpoint_lookup,
        )

        query = choose(query, bindings, endpoint_ask(endpoint), lookup=endpoint_lookup(endpoint))
    text = with_values(query.text, bindings)
    table = select(endpoint, text, name=query.name)
    if not bindings:
        return table
    bound = {v.value for v in bindings}
    keep = [i for i, v in enumerate(table.variables) if v not in bound]
    return ResultTable(
        tuple(table.variables[i] for i in keep),
        tuple(tuple(row[i] for i in keep) for row in table.rows),
    )


def select(endpoint: Endpoint, text: str, *, name: str = "query") -> ResultTable:
    """Run a SELECT query text and return every row, in pages when the server caps its answers.

    Raises:
        EndpointError: as :func:`query_endpoint`.
        QueryError: as :func:`query_endpoint`.
    """
    options = dataset_options(endpoint)
    answer = _ask_for(endpoint, text, name, options)
    variables, rows = _parse_results(answer.body, answer.content_type, answer.where)
    cap = _cap(endpoint, answer, len(rows))
    if cap is not None:
        rows = _paged(endpoint, text, name, options, answer, variables, cap)
    return ResultTable(variables, rows)


def _paged(
    endpoint: Endpoint,
    text: str,
    name: str,
    options: Sequence[tuple[str, str]],
    first: _Answer,
    variables: tuple[str, ...],
    cap: int,
) -> tuple[tuple[Cell | None, ...], ...]:
    where = f"endpoint {endpoint.url}"
    advice = _CAP_ADVICE
    try:
        pager = Pager.parse(text)
    except QueryError as exc:
        raise EndpointError(
            f"{name}: {where} cut the answer at its cap of {cap} rows and the query cannot be "
            f"read in pages ({exc}); {advice}"
        ) from exc
    size = max(1, cap - 1)  # Virtuoso flags a page of exactly its cap as cut
    rows: list[tuple[Cell | None, ...]] = []
    # Virtuoso refuses a sorted OFFSET past its cap (SR353) but pages a sorted subquery; its
    # two forms may order ties differently, so one answer is read in one form throughout.
    wrap = "virtuoso" in first.headers.get("Server", "").lower()
    while True:
        left = pager.remaining(len(rows))
        limit = size if left is None else min(size, left)
        if limit == 0:
            break
        page = pager.page(variables, len(rows), limit, wrap=wrap)
        try:
            answer = _ask_for(endpoint, page, name, options)
        except _SortedPageError as exc:
            if wrap:
                raise EndpointError(f"{name}: {where} refused a page: {exc}; {advice}") from exc
            wrap = True
            rows.clear()
            continue
        names, got = _parse_results(answer.body, answer.content_type, answer.where)
        if names != variables:
            raise EndpointError(f"{name}: {where} answered a page with other columns: {names}")
        if _cap(endpoint, answer, len(got)) is not None and len(got) >= limit:
            raise EndpointError(
                f"{name}: {where} cut a page of {limit} rows at its cap of {cap}; {advice}"
            )
        rows.extend(got)
        if len(got) < limit:
            break
    return tuple(rows)


_CAP_ADVICE = (
    "raise the server's cap (Virtuoso: ResultSetMaxRows in virtuoso.ini [SPARQL]; "
    "kg serve: --max-rows) or narrow the query"
)
VIRTUOSO_MAX_ROWS = 10_000
"""Virtuoso's ``ResultSetMaxRows`` as Debian and the upstream ``virtuoso.ini`` ship it."""


@dataclass(frozen=True, slots=True)
class _Answer:
    where: str
    headers: Message
    content_type: str
    body: bytes


class _SortedPageError(EndpointError):
    """Virtuoso's SR353: a sorted OFFSET/LIMIT beyond its ResultSetMaxRows."""


def _cap(endpoint: Endpoint, answer: _Answer, rows: int) -> int | None:
    """Return the row cap when the answer may have been cut at it, else None.

    Raises:
        EndpointError: the server says the answer is partial (Virtuoso's anytime queries).
    """
    state = answer.headers.get("X-SQL-State")
    if state:
        said = " ".join(answer.headers.get("X-SQL-Message", "").split())
        raise EndpointError(
            f"{answer.where} sent a partial answer ({state}: {said[:160]}); the server stopped the "
            "query at its time limit (Virtuoso: MaxQueryExecutionTime in virtuoso.ini [SPARQL]): "
            "raise it or narrow the query"
        )
    raw = (answer.headers.get("X-SPARQL-MaxRows") or "").strip()
    if raw.isdigit() and int(raw) > 0:
        _CAPS[endpoint.url] = int(raw)
        return int(raw) if rows >= int(raw) else None
    known = _CAPS.get(endpoint.url)
    if known is None and "virtuoso" in (answer.headers.get("Server") or "").lower():
        known = VIRTUOSO_MAX_ROWS  # a proxy may drop the header; the count still tells
    return known if known is not None and rows == known else None


_CAPS: dict[str, int] = {}  # endpoint URL -> the cap its headers announced
_DATASETS: dict[str, tuple[tuple[str, str], ...]] = {}  # endpoint URL -> extra request fields
_SERVERS: dict[str, str] = {}  # endpoint URL -> its Server header (from the union probe)
_PROBE = (
    "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1"
)
_UNION_ADVICE = (
    "its default graph is not the union of its named graphs, so queries would find nothing; "
    "start Oxigraph server with --union-default-graph, or set Fuseki's dataset to "
    "tdb2:unionDefaultGraph true (Virtuoso and GraphDB query the union by default)"
)


def dataset_options(endpoint: Endpoint) -> tuple[tuple[str, str], ...]:
    """Return the request fields that make the endpoint's default graph the union of its graphs.

    Named queries read kg's trial graphs through the default graph, as the union of the named
    graphs (DESIGN.md). A triple of some named graph is looked up in the default graph (two small
    queries, once per endpoint and process): found, nothing is needed; not found on an Oxigraph
    server, its per-request ``union-default-graph`` option is sent with every query; not found
    elsewhere, the query is refused with the server setting to change, never answered empty.

    Raises:
        EndpointError: the default graph is not the union and the server has no per-query option.
    """
    if endpoint.url in _DATASETS:
        return _DATASETS[endpoint.url]
    where = f"endpoint {endpoint.url}"
    answer = _probe(endpoint)
    names, rows = _parse_results(answer.body, answer.content_type, answer.where)
    options: tuple[tuple[str, str], ...] = ()
    server = _SERVERS[endpoint.url]
    if rows and names == ("s", "p", "o") and all(rows[0]):
        triple = " ".join(cell.nt() for cell in rows[0] if cell is not None)
        if not _holds(endpoint, triple, ()):
            options = (("union-default-graph", ""),)
            if "oxigraph" not in server.lower() or not _holds(endpoint, triple, options):
                raise EndpointError(f"{where}: {_UNION_ADVICE}")
    _DATASETS[endpoint.url] = options
    return options


def _probe(endpoint: Endpoint) -> _Answer:
    """Send the probe (one quad of a named graph) and note the server's ``Server`` header."""
    answer = _ask_for(endpoint, _PROBE, "probe", ())
    _SERVERS[endpoint.url] = answer.headers.get("Server") or ""
    return answer


def server_software(endpoint: Endpoint) -> str:
    """Return the endpoint's ``Server`` header ("" when it sends none), probing it once."""
    if endpoint.url not in _SERVERS:
        _probe(endpoint)
    return _SERVERS[endpoint.url]


def pages_by_rank(endpoint: Endpoint) -> bool:
    """Tell whether kg reads pages of the endpoint's answers by their stored ranks or keys.

    The page modes of kg.query_output (``# pages: rank``, ``block``, ``keys``) bind a page's ranks
    or keys and let the engine start from them: a few milliseconds on pyoxigraph, Oxigraph server
    and kg serve. Virtuoso 7 plans those forms from the other end: on the shared records (1.2M
    quads) one page of publications-per-sponsor took 72 s there, its whole answer 1.5 s, the
    page's ``LIMIT``/``OFFSET`` and its count 6 s. On Virtuoso kg therefore asks for the page
    with ``LIMIT``/``OFFSET`` (Virtuoso's own top-k sort) and counts the answer apart.
    """
    return "virtuoso" not in server_software(endpoint).lower()


def _holds(endpoint: Endpoint, triple: str, options: Sequence[tuple[str, str]]) -> bool:
    """Tell whether the default graph holds a triple (a SELECT: Virtuoso answers ASK as a table)."""
    answer = _ask_for(endpoint, f"SELECT ?found WHERE {{ {triple} BIND(1 AS ?found) }} LIMIT 1",
                      "probe", options)
    return bool(_parse_results(answer.body, answer.content_type, answer.where)[1])


def _ask_for(
    endpoint: Endpoint, text: str, name: str, options: Sequence[tuple[str, str]]
) -> _Answer:
    """POST one query (SPARQL 1.1 Protocol, form-encoded) and return the answer.

    Raises:
        QueryError: HTTP 400, the server calls the query malformed.
        EndpointError: down, slow, any other refusal.
    """
    where = f"endpoint {endpoint.url}"
    body = urlencode([("query", text), *options]).encode("utf-8")
    headers = {
        "User-Agent": _AGENT,
        "Accept": "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    credentials = endpoint.credentials
    for _attempt in range(3):  # unauthenticated, then answering a challenge, then a stale nonce
        auth = credentials.header("POST", endpoint.url)
        if auth:
            headers["Authorization"] = auth
        request = urllib.request.Request(  # noqa: S310 - check_url allowed http(s) only
            endpoint.url, data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:  # noqa: S310
                raw = response.read()
                kind = response.headers.get("Content-Type", "")
                return _Answer(where, response.headers, kind, raw)
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate") if exc.code == 401 else None
            if challenge and credentials.challenged(endpoint.url, challenge):
                exc.read()
                continue
            _refused(exc, name, where)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise _network_error(exc, where, endpoint.timeout) from exc
    raise EndpointError(f"{where} asked for credentials again and again: check {ENV_AUTH}")


def _refused(exc: urllib.error.HTTPError, name: str, where: str) -> NoReturn:
    """Raise the error an HTTP refusal of a query stands for."""
    try:
        said = _first_line(exc.read())
    except (OSError, http.client.HTTPException):
        said = ""
    if "SR353" in said:
        raise _SortedPageError(said) from exc
    if exc.code == 400:
        raise QueryError(f"{name}: {where} refused the query: {said}") from exc
    if exc.code == 401:
        said = f"{said} (credentials: {ENV_USER}/{ENV_PASSWORD}, {ENV_TOKEN}, {ENV_AUTH})"
    raise _status_error(exc.code, said, where) from exc


_HTML = re.compile(r"^\s*<(?:!DOCTYPE\s+HTML|html)", re.IGNORECASE)
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _first_line(raw: bytes | str, limit: int = 200) -> str:
    """Return the first line of what a server said, as text even when it sent an HTML page.

    >>> _first_line(b"<!DOCTYPE HTML PUBLIC><html><head><title>Error</title></head>"
    ...             b"<body><h3>SPARQL request failed</h3></body></html>")
    'Error SPARQL request failed'
    """
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if _HTML.match(text):
        text = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _status_error(status: int, said: str, where: str) -> EndpointError:
    detail = f": {said}" if said else ""
    if status in (401, 403):
        return EndpointError(
            f"{where} refused access (HTTP {status}){detail}; set {ENV_TOKEN}, or {ENV_USER} "
            f"and {ENV_PASSWORD}"
        )
    if status == 404:
        return EndpointError(f"{where} not found (HTTP 404){detail}; check the URL")
    kind = TransientEndpointError if status in _RETRY_STATUS else EndpointError
    return kind(f"{where} failed (HTTP {status}){detail}")


def _network_error(exc: BaseException, where: str, timeout: float) -> EndpointError:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return TransientEndpointError(f"{where} did not answer within {timeout:g} s")
    if isinstance(reason, ConnectionRefusedError):
        return TransientEndpointError(f"cannot reach {where}: connection refused (is it running?)")
    if isinstance(reason, socket.gaierror):
        return EndpointError(f"cannot reach {where}: unknown host")
    return TransientEndpointError(f"cannot reach {where}: {reason or type(reason).__name__}")


def _parse_results(
    raw: bytes, content_type: str, where: str
) -> tuple[tuple[str, ...], tuple[tuple[Cell | None, ...], ...]]:
    """Read SPARQL 1.1 JSON results (https://www.w3.org/TR/sparql11-results-json/)."""
    media = content_type.split(";")[0].strip().lower()
    if media and "json" not in media:
        raise EndpointError(
            f"{where} answered {media}, not SPARQL JSON results: {_first_line(raw, 80)!r}"
        )
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EndpointError(f"{where} answered malformed JSON: {_first_line(raw, 80)!r}") from exc
    if isinstance(doc, dict) and "boolean" in doc:
        raise QueryError("only SELECT queries give a table")
    try:
        names = doc["head"]["vars"]
        solutions = doc["results"]["bindings"]
        if not isinstance(names, list) or not isinstance(solutions, list):
            raise TypeError
        variables = tuple(str(v) for v in names)
        if variables == ("__ASK_RETVAL",):  # Virtuoso writes an ASK answer as a table
            raise QueryError("only SELECT queries give a table")
        rows = tuple(tuple(_cell(s.get(v)) for v in variables) for s in solutions)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise EndpointError(f"{where} answered JSON that is not SPARQL results") from exc
    return variables, rows


def _cell(term: object) -> Cell | None:
    if term is None:
        return None
    if not isinstance(term, dict):
        raise TypeError(term)
    kind, value = term["type"], term["value"]
    if not isinstance(value, str):
        raise TypeError(value)
    if kind == "uri":
        return Cell("uri", value)
    if kind == "bnode":
        return Cell("bnode", value)
    if kind in ("literal", "typed-literal"):  # typed-literal: the pre-1.1 form some stores send
        return Cell.literal(value, term.get("datatype"), term.get("xml:lang"))
    raise ValueError(kind)
