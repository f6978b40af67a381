"""Remote SPARQL 1.1 endpoints: queries through SPARQLWrapper, and plain HTTP for ``kg push``.

Credentials come from the environment, never from arguments (they would show in shell history and
process lists): ``KG_ENDPOINT_TOKEN`` sends ``Authorization: Bearer ...``; else
``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD`` send HTTP basic auth. ``KG_ENDPOINT_TIMEOUT``
(seconds, default 60) bounds every request.

Every failure becomes one :class:`~kg.errors.EndpointError` that says what went wrong and where:
the endpoint is down (connection refused, unknown host), slow (no answer within the timeout),
refused us (HTTP 4xx/5xx, with the first line of its message), or answered something that is not
SPARQL JSON results. :class:`TransientEndpointError` marks the failures worth retrying.
A query the endpoint calls malformed (HTTP 400) is a :class:`~kg.errors.QueryError`.
"""

from __future__ import annotations

import ast
import base64
import http.client
import math
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from kg import __version__
from kg.errors import EndpointError, QueryError, UsageError
from kg.queries import Bindings, Cell, NamedQuery, ResultTable, with_values

__all__ = [
    "ENV_PASSWORD",
    "ENV_TIMEOUT",
    "ENV_TOKEN",
    "ENV_USER",
    "Endpoint",
    "TransientEndpointError",
    "query_endpoint",
    "send",
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
        )

    def auth_header(self) -> str | None:
        """Return the ``Authorization`` header value the credentials call for, if any.

        >>> Endpoint("http://x/q", user="ann", password="pw").auth_header()
        'Basic YW5uOnB3'
        """
        if self.token:
            return f"Bearer {self.token}"
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None


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
    and an ``xsd:string`` one are one cell), so both give the same rows. With ``indexed``, a
    named query runs as its indexed variant when the endpoint holds a kg statistics graph
    (:mod:`kg.indexed`: one small query per marker first).

    Raises:
        EndpointError: the endpoint is down, slow, refused the request or answered garbage.
        QueryError: the endpoint calls the query malformed, or it is not a SELECT.
    """
    bindings = bindings or {}
    if indexed:
        from kg.indexed import choose, endpoint_ask  # kg.indexed imports this module

        query = choose(query, bindings, endpoint_ask(endpoint))
    text = with_values(query.text, bindings)
    client = SPARQLWrapper(endpoint.url, agent=_AGENT)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    # SPARQLWrapper takes whole seconds; 0 would mean no timeout at all.
    client.setTimeout(max(1, math.ceil(endpoint.timeout)))
    auth = endpoint.auth_header()
    if auth:
        client.addCustomHttpHeader("Authorization", auth)
    client.setQuery(text)
    where = f"endpoint {endpoint.url}"
    try:
        result = client.query()
        content_type = result.response.headers.get("Content-Type", "")
        raw = result.response.read()
    except QueryBadFormed as exc:
        raise QueryError(f"{query.name}: {where} refused the query: {_told(exc)}") from exc
    except SPARQLWrapperException as exc:
        raise _wrapper_error(exc, where) from exc
    except urllib.error.HTTPError as exc:
        raise _status_error(exc.code, _first_line(exc.read()), where) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _network_error(exc, where, endpoint.timeout) from exc
    return _parse_results(raw, content_type, where, {v.value for v in bindings})


def send(
    endpoint: Endpoint,
    method: str,
    url: str,
    body: bytes | None = None,
    content_type: str | None = None,
    accept: Container[int] = range(200, 300),
) -> int:
    """Send one HTTP request with the endpoint's credentials and timeout; return the status.

    Raises:
        TransientEndpointError: down, slow, busy (408, 429, 5xx): worth sending again.
        EndpointError: any other status not in ``accept``.
    """
    check_url(url)
    headers = {"User-Agent": _AGENT}
    if content_type:
        headers["Content-Type"] = content_type
    auth = endpoint.auth_header()
    if auth:
        headers["Authorization"] = auth
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    where = f"{method} {url}"
    try:
        with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:  # noqa: S310
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
        if status not in accept:
            raise _status_error(status, _first_line(exc.read()), where) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _network_error(exc, where, endpoint.timeout) from exc
    if status not in accept:
        raise _status_error(status, "", where)
    return status


def _first_line(raw: bytes | str, limit: int = 200) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _told(exc: SPARQLWrapperException) -> str:
    """Return what the server said, which SPARQLWrapper keeps only inside its message."""
    _, sep, tail = str(exc).partition("Response:\n")
    if sep:
        try:
            said = ast.literal_eval(tail.strip())
        except (ValueError, SyntaxError):
            said = tail
        if isinstance(said, bytes | str):
            return _first_line(said)
    return _first_line(str(exc))


def _wrapper_error(exc: SPARQLWrapperException, where: str) -> EndpointError:
    status = {
        EndPointNotFound: 404,
        Unauthorized: 401,
        URITooLong: 414,
        EndPointInternalError: 500,
    }.get(type(exc), 0)
    return _status_error(status, _told(exc), where)


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


def _parse_results(raw: bytes, content_type: str, where: str, bound: set[str]) -> ResultTable:
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
        variables = tuple(str(v) for v in names if str(v) not in bound)
        rows = tuple(tuple(_cell(s.get(v)) for v in variables) for s in solutions)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise EndpointError(f"{where} answered JSON that is not SPARQL results") from exc
    return ResultTable(variables, rows)


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
