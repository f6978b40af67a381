"""HTTP for ``kg push``: authenticated requests with retries, and per-graph triple counts by SPARQL.

A failure is permanent or temporary (:func:`kg.http.transient_failure`): a 4xx (but 408, 425, 429),
or a 5xx whose message carries an SQL state naming the request's fault (Virtuoso sends permission
errors as 500 ``42000``), is never retried; 429, 503, a timeout or a dropped connection is, with
backoff (``Retry-After`` honoured). Messages carry the server's words as text, not its HTML.
"""

from __future__ import annotations

import http.client
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson

from kg import __version__
from kg.errors import EndpointError
from kg.http import parse_retry_after
from kg.http_auth import ENV_AUTH, Credentials
from kg.http_errors import server_message, transient_failure
from kg.remote import ENV_PASSWORD, ENV_TOKEN, ENV_USER, TransientEndpointError
from kg.terms import iri

__all__ = ["RefusedError", "Reply", "Transport", "query_url_candidates"]

log = logging.getLogger(__name__)

_AGENT = f"kg/{__version__} (+https://w3id.org/trialkg/)"
_OK = range(200, 300)
_RESULTS_JSON = "application/sparql-results+json"
_COUNT_CHUNK = 100  # graphs per count query
_MAX_WAIT = 120.0


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer read in full."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """Return the media type, lower case, without parameters."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class RefusedError(EndpointError):
    """The server refused a request for good (not retried): its status and message are kept."""

    def __init__(self, message: str, *, status: int, said: str) -> None:
        """Keep the status and the server's words beside the message."""
        super().__init__(message)
        self.status = status
        self.said = said


class _Dropped(Exception):  # noqa: N818 - internal signal, never leaves this module
    """The connection failed before an answer came: worth sending again."""


def query_url_candidates(url: str) -> list[str]:
    """Return the SPARQL query URLs a store or update URL's server likely answers at, in order.

    >>> query_url_candidates("http://h:7878/store")
    ['http://h:7878/query', 'http://h:7878/sparql', 'http://h:7878/store']
    >>> query_url_candidates("http://h/sparql-graph-crud-auth")[0]
    'http://h/sparql-auth'
    >>> query_url_candidates("http://h:3030/ds/update")[:2]
    ['http://h:3030/ds/query', 'http://h:3030/ds/sparql']
    >>> query_url_candidates("http://h:8890/sparql-auth")
    ['http://h:8890/sparql-auth']
    >>> query_url_candidates("http://h:3030/ds")[:2]
    ['http://h:3030/ds/query', 'http://h:3030/ds/sparql']
    """
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    same = {  # Virtuoso: queries go where updates go, with the same credentials
        "sparql-graph-crud-auth": "sparql-auth",
        "sparql-graph-crud": "sparql",
        "sparql-auth": "sparql-auth",
        "sparql": "sparql",
    }
    if last in same:
        paths = [f"{head}/{same[last]}"]
    elif last in ("store", "update", "data"):  # Oxigraph, Fuseki's services
        paths = [f"{head}/query", f"{head}/sparql"]
    else:  # a Fuseki dataset URL (/ds), or a server kg does not know
        paths = [f"{path}/query", f"{path}/sparql", f"{head}/query", f"{head}/sparql"]
    paths.append(path)  # Virtuoso's /sparql and Fuseki's /ds take queries and updates
    seen: list[str] = []
    for candidate in paths:
        full = urlunsplit(parts._replace(path=candidate, query=""))
        if full not in seen:
            seen.append(full)
    return seen


@dataclass(slots=True)
class Transport:
    """Send requests to one server with credentials, a timeout and retries."""

    credentials: Credentials
    timeout: float = 60.0
    retries: int = 5
    backoff: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    retried: int = 0
    _opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(_NoRedirect())
    )

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None,
        content_type: str | None,
        *,
        what: str,
        accept: str | None = None,
        also: Container[int] = (),
    ) -> Reply:
        """Send a request until it succeeds; return a 2xx answer, or one with a status in ``also``.

        Args:
            method: the HTTP method.
            url: where to send it.
            body: what to send, if anything.
            content_type: the body's media type.
            what: what the request carries, for messages (e.g. ``graph <...>``).
            accept: the media type to ask for.
            also: statuses other than 2xx to return rather than raise.

        Raises:
            TransientEndpointError: a temporary failure that outlasted the retries.
            EndpointError: a permanent failure (not retried), with the server's message.
        """
        where = f"{method} {url} ({what})"
        for attempt in range(self.retries + 1):
            try:
                reply = self._authenticated(method, url, body, content_type, accept)
            except _Dropped as exc:
                problem, wait = str(exc), None
            else:
                self.requests += 1
                if reply.status in _OK or reply.status in also:
                    return reply
                said = server_message(reply.body, reply.content_type)
                problem = f"HTTP {reply.status}" + (f": {said}" if said else "")
                if not transient_failure(reply.status, said):
                    message = _permanent(reply.status, problem, where)
                    raise RefusedError(message, status=reply.status, said=said)
                wait = parse_retry_after(reply.headers.get("retry-after"), time.time())
            if attempt == self.retries:
                raise TransientEndpointError(
                    f"{where} failed: {problem}; gave up after {self.retries + 1} attempts"
                )
            delay = min(wait if wait is not None else self.backoff * 2**attempt, _MAX_WAIT)
            self.retried += 1
            log.warning("%s: %s; retrying in %.1f s", where, problem, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def counts(self, query_url: str, graphs: Sequence[str]) -> dict[str, int]:
        """Return how many triples the server holds in each graph (0 for one it lacks).

        Raises:
            EndpointError: the query failed, or the answer is not SPARQL JSON results.
        """
        found: dict[str, int] = dict.fromkeys(graphs, 0)
        for start in range(0, len(graphs), _COUNT_CHUNK):
            chunk = graphs[start : start + _COUNT_CHUNK]
            names = " ".join(iri(g) for g in chunk)
            text = (
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} "
                "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
            what = f"the triple counts of {len(chunk)} graphs"
            for g, n in self.select(query_url, text, what, ("g", "n")):
                if g in found:
                    found[g] = int(n)
        return found

    def select(
        self, query_url: str, text: str, what: str, names: Sequence[str]
    ) -> list[tuple[str, ...]]:
        """Run a SELECT query; return the values of ``names`` in each row (all bound).

        Raises:
            EndpointError: the query failed, or the answer is not SPARQL JSON results.
        """
        body = urlencode({"query": text}).encode("ascii")
        reply = self.request(
            "POST", query_url, body, "application/x-www-form-urlencoded",
            what=what, accept=_RESULTS_JSON,
        )
        try:
            doc = orjson.loads(reply.body)
            rows = [tuple(str(b[n]["value"]) for n in names) for b in doc["results"]["bindings"]]
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            said = server_message(reply.body, reply.content_type, 120)
            raise EndpointError(
                f"POST {query_url} ({what}) answered {reply.content_type or 'no media type'}, "
                f"not SPARQL JSON results: {said!r}"
            ) from exc
        return rows

    def find_query_url(self, candidates: Iterable[str]) -> str | None:
        """Return the first URL that answers a SPARQL SELECT with JSON results, if any."""
        probe = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:x-kg:probe> { ?s ?p ?o } }"
        for url in candidates:
            try:
                rows = self.select(url, probe, "a probe for the query endpoint", ("n",))
            except RefusedError as exc:
                if exc.status in (401, 403):
                    raise  # the credentials, not the URL: say so
                log.info("%s is no SPARQL query endpoint: %s", url, exc)
                continue
            except EndpointError as exc:
                log.info("%s is no SPARQL query endpoint: %s", url, exc)
                continue
            if rows == [("0",)]:
                return url
        return None

    def _authenticated(
        self, method: str, url: str, body: bytes | None, content_type: str | None,
        accept: str | None,
    ) -> Reply:
        creds = self.credentials
        if creds.probe_needed(url):
            probe = self._once("GET", url, None, None, None, None)
            challenge = probe.headers.get("www-authenticate") if probe.status == 401 else None
            creds.probed(url, challenge)
        for _ in range(3):
            try:
                reply = self._once(
                    method, url, body, content_type, accept, creds.header(method, url)
                )
            except _Dropped:
                if creds.answers_digest(url):
                    # Virtuoso closes the connection unread on a 401 (an expired nonce): fetch a
                    # fresh challenge with a bodiless request before the retry
                    probe = self._once("GET", url, None, None, None, None)
                    challenge = probe.headers.get("www-authenticate")
                    if probe.status == 401 and challenge:
                        creds.challenged(url, challenge)
                raise
            challenge = reply.headers.get("www-authenticate")
            if reply.status != 401 or not challenge or not creds.challenged(url, challenge):
                return reply
        return reply

    def _once(
        self, method: str, url: str, body: bytes | None, content_type: str | None,
        accept: str | None, authorization: str | None,
    ) -> Reply:
        headers = {"User-Agent": _AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - http(s) checked by the caller
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return Reply(int(answer.status), _lower(answer.headers), answer.read())
        except urllib.error.HTTPError as exc:
            try:
                data = exc.read()
            except (OSError, http.client.HTTPException):
                data = b""
            finally:
                exc.close()
            return Reply(exc.code, _lower(exc.headers), data)
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, socket.gaierror):
                raise EndpointError(f"cannot reach {url}: unknown host") from exc
            if isinstance(reason, TimeoutError):
                raise _Dropped(f"no answer within {self.timeout:g} s") from exc
            if isinstance(reason, ConnectionRefusedError):
                raise _Dropped("connection refused (is it running?)") from exc
            raise _Dropped(f"connection failed: {reason}") from exc
        except TimeoutError as exc:
            raise _Dropped(f"no answer within {self.timeout:g} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _Dropped(f"connection failed: {type(exc).__name__}: {exc}") from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follow no redirect of a write: a 3xx of a POST or PUT would silently drop its body."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        """Refuse every redirect: the 3xx comes back as the answer."""
        return None


def _lower(headers: object) -> dict[str, str]:
    items = getattr(headers, "items", None)
    if items is None:
        return {}
    return {str(k).lower(): str(v) for k, v in items()}


def _permanent(status: int, problem: str, where: str) -> str:
    if status in (401, 403):
        return (
            f"{where} refused access ({problem}); set {ENV_USER} and {ENV_PASSWORD} (Digest or "
            f"Basic, see {ENV_AUTH}) or {ENV_TOKEN}, for an account allowed to write"
        )
    if status == 404:
        return f"{where} not found ({problem}); check the URL"
    if status in (413, 414):
        return f"{where} is too large for the server ({problem})"
    return f"{where} failed ({problem}); not retried: sending it again cannot help"

