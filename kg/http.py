"""A polite HTTP client for the web APIs kg reads: ClinicalTrials.gov, PubMed E-utilities, Crossref.

Standard library only (:mod:`urllib.request`). Polite means: a User-Agent naming kg and a contact,
a rate limit between requests, retries with exponential backoff and jitter on 429, 5xx, timeouts and
dropped connections, ``Retry-After`` honoured, and an optional on-disk cache so reruns cost nothing.
Every failure is a :class:`kg.errors.EndpointError` naming the URL (secret parameters masked).

Time is injectable (``sleep``, ``clock``, ``now``, ``random``) so tests never really wait.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import logging
import os
import random as _random
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import orjson

from kg import __version__
from kg.errors import EndpointError, UsageError

__all__ = [
    "CONTACT_ENV",
    "DEFAULT_CONTACT",
    "HttpClient",
    "HttpStatusError",
    "Response",
    "Retry",
    "UnreachableError",
    "build_url",
    "default_user_agent",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

CONTACT_ENV = "KG_CONTACT_EMAIL"
"""Environment variable with the e-mail address APIs may write to about our traffic."""
DEFAULT_CONTACT = "kg-user@example.invalid"
"""Placeholder contact, sent when ``$KG_CONTACT_EMAIL`` is unset."""

Params = Mapping[str, str | int] | Sequence[tuple[str, str | int]]
_RETRY_STATUSES = frozenset({408, 425, 429})  # and every 5xx
_MASK = "***"


def default_user_agent(contact: str | None = None) -> str:
    """Return kg's User-Agent, naming the program, its version and a contact address.

    >>> default_user_agent("me@example.org")  # doctest: +ELLIPSIS
    'kg/... (clinical trials knowledge graph; mailto:me@example.org)'
    """
    who = contact or os.environ.get(CONTACT_ENV) or DEFAULT_CONTACT
    return f"kg/{__version__} (clinical trials knowledge graph; mailto:{who})"


def build_url(url: str, params: Params | None = None) -> str:
    """Return ``url`` with ``params`` appended as a percent-encoded query string.

    >>> build_url("https://x.org/api/studies", {"query.cond": "lupus nephritis", "pageSize": 2})
    'https://x.org/api/studies?query.cond=lupus%20nephritis&pageSize=2'
    >>> build_url("https://x.org/a?b=1", [("c", "[x,y]")])
    'https://x.org/a?b=1&c=%5Bx%2Cy%5D'
    """
    if not params:
        return url
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    query = urlencode([(k, str(v)) for k, v in pairs], quote_via=quote)
    return f"{url}{'&' if '?' in url else '?'}{query}"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Return the seconds a ``Retry-After`` header asks us to wait, or None when absent or garbled.

    It holds either seconds or an HTTP date (RFC 9110 section 10.2.3); ``now`` is the Unix time.

    >>> parse_retry_after("3", 0.0), parse_retry_after("-1", 0.0), parse_retry_after("soon", 0.0)
    (3.0, 0.0, None)
    >>> parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", 30.0)
    30.0
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an obsolete date form without zone: HTTP dates are GMT
        return None
    return max(0.0, when.timestamp() - now)


def _mask(url: str, secrets: Collection[str]) -> str:
    """Return ``url`` with the values of secret query parameters replaced by ``***``.

    >>> _mask("https://e.org/esearch?db=pubmed&api_key=abc123", {"api_key"})
    'https://e.org/esearch?db=pubmed&api_key=%2A%2A%2A'
    """
    parts = urlsplit(url)
    if not parts.query or not secrets:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k in secrets for k, _ in pairs):
        return url
    masked = [(k, _MASK if k in secrets else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, quote_via=quote)))


def _strip(url: str, secrets: Collection[str]) -> str:
    """Return ``url`` without its secret query parameters (the cache key must not hold them)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k not in secrets]
    return urlunsplit(parts._replace(query=urlencode(kept, quote_via=quote)))


@dataclass(frozen=True, slots=True)
class Response:
    """A successful HTTP response, read in full; ``url`` has secret parameters masked."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    from_cache: bool = False

    def text(self) -> str:
        """Return the body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Return the body parsed as JSON.

        Raises:
            EndpointError: the body is not valid JSON (for example a truncated page).
        """
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise EndpointError(
                f"{self.url}: the response is not valid JSON ({exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}; {len(self.body)} bytes)"
            ) from exc


class HttpStatusError(EndpointError):
    """The server answered with an error status that retrying will not fix (4xx but 408/425/429)."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        """Keep the (masked) URL and the status beside the message."""
        super().__init__(message)
        self.url = url
        self.status = status


class UnreachableError(EndpointError):
    """No attempt got an answer: every one failed to connect, timed out or was cut off."""


@dataclass(frozen=True, slots=True)
class Retry:
    """One retry about to happen, as reported to ``on_retry``."""

    url: str
    problem: str
    delay: float
    attempt: int
    attempts: int


class _Transient(Exception):  # noqa: N818 - internal signal, never leaves this module
    """A failure worth retrying: a timeout or a dropped connection."""


@dataclass(slots=True)
class _Raw:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class _Cache:
    folder: Path
    ttl: float | None
    now: Callable[[], float]
    secrets: Collection[str] = field(default_factory=frozenset)

    def _path(self, url: str, accept: str) -> Path:
        key = hashlib.sha256(f"GET {_strip(url, self.secrets)}\n{accept}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.http"

    def get(self, url: str, accept: str) -> tuple[dict[str, str], bytes] | None:
        path = self._path(url, accept)
        try:
            if self.ttl is not None and self.now() - path.stat().st_mtime > self.ttl:
                return None
            head, sep, body = path.read_bytes().partition(b"\n")
            headers = orjson.loads(head)
        except FileNotFoundError:
            return None
        except (OSError, orjson.JSONDecodeError) as exc:
            log.debug("ignoring unreadable cache entry %s: %s", path, exc)
            return None
        if not sep or not isinstance(headers, dict):
            return None
        return {str(k): str(v) for k, v in headers.items()}, body

    def put(self, url: str, accept: str, headers: Mapping[str, str], body: bytes) -> None:
        path = self._path(url, accept)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(orjson.dumps(dict(headers)) + b"\n" + body)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise


class HttpClient:
    """GET with a rate limit, retries (backoff, jitter, ``Retry-After``), a timeout and a cache.

    Args:
        rate: at most this many requests a second (0: no limit); retries count too.
        timeout: seconds to wait for the connection and for each read.
        retries: attempts after the first one for a retryable failure.
        backoff: the first retry delay in seconds; it doubles each time, up to ``max_backoff``,
            and is jittered down to half its value so clients do not retry in step.
        max_retry_after: the longest ``Retry-After`` kg waits; a longer one is an error at once.
        cache_dir: keep successful responses here and answer repeats from it (no request made).
        cache_ttl: seconds a cached response stays fresh (None: forever).
        secret_params: query parameters (API keys) masked in messages and left out of cache keys.
        headers: extra headers sent with every request.
        on_retry: called before each retry wait (the CLI prints it); retries are also logged.
    """

    def __init__(
        self,
        *,
        rate: float = 1.0,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        user_agent: str | None = None,
        cache_dir: Path | None = None,
        cache_ttl: float | None = None,
        secret_params: Collection[str] = ("api_key",),
        headers: Mapping[str, str] | None = None,
        on_retry: Callable[[Retry], None] | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        now: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
        opener: urllib.request.OpenerDirector | None = None,
    ) -> None:
        """Set the politeness; ``sleep``, ``clock``, ``now`` and ``random`` are for tests."""
        if rate < 0 or timeout <= 0 or retries < 0 or backoff < 0:
            raise UsageError("rate, retries and backoff must be >= 0 and timeout > 0")
        self.rate = rate
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.secret_params = frozenset(secret_params)
        self.on_retry = on_retry
        self._headers = {
            "User-Agent": user_agent or default_user_agent(),
            "Accept-Encoding": "gzip",
            **(headers or {}),
        }
        self._sleep = sleep if sleep is not None else time.sleep
        self._clock = clock if clock is not None else time.monotonic
        self._now = now if now is not None else time.time
        self._random = random if random is not None else _random.random
        self._opener = opener if opener is not None else urllib.request.build_opener()
        self._cache = (
            _Cache(cache_dir, cache_ttl, self._now, self.secret_params)
            if cache_dir is not None
            else None
        )
        self._lock = threading.Lock()
        self._next_slot: float | None = None
        self.answered = False
        """Whether the server has answered (any HTTP status) one of this client's requests."""

    def get(
        self,
        url: str,
        params: Params | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        cache: bool = True,
    ) -> Response:
        """Return the 2xx response to ``GET url?params``, retrying what is worth retrying.

        Raises:
            HttpStatusError: a 4xx answer (but 408, 425, 429), not retried.
            EndpointError: retries ran out, the server asked to wait too long, or the body was
                unreadable; the message names the URL and the last problem.
        """
        full = build_url(url, params)
        scheme = urlsplit(full).scheme
        if scheme not in ("http", "https"):
            raise EndpointError(f"{_mask(full, self.secret_params)}: not an http(s) URL")
        shown = _mask(full, self.secret_params)
        sent = {**self._headers, **(headers or {})}
        accept = sent.get("Accept", "")
        if cache and self._cache is not None:
            hit = self._cache.get(full, accept)
            if hit is not None:
                log.debug("cache hit %s", shown)
                return Response(shown, 200, hit[0], hit[1], from_cache=True)
        attempts = self.retries + 1
        any_answer = False
        for attempt in range(1, attempts + 1):
            self._throttle()
            try:
                raw = self._send(full, sent)
            except _Transient as exc:
                problem, delay = str(exc), self._backoff_delay(attempt)
                if attempt == attempts and not any_answer:
                    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
                    raise UnreachableError(f"{shown}: {problem}; gave up after {tries}") from exc
            else:
                any_answer = self.answered = True
                if 200 <= raw.status < 300:
                    return self._success(shown, full, accept, raw, cache)
                problem = f"HTTP {raw.status} {raw.reason}".rstrip()
                if raw.status not in _RETRY_STATUSES and raw.status < 500:
                    raise HttpStatusError(
                        f"{shown}: {problem}{_detail(raw.body)}", url=shown, status=raw.status
                    )
                wait = parse_retry_after(raw.headers.get("retry-after"), self._now())
                if wait is not None and wait > self.max_retry_after:
                    raise EndpointError(
                        f"{shown}: {problem}; the server asks to retry after {wait:.0f} s, "
                        f"longer than kg waits ({self.max_retry_after:.0f} s)"
                    )
                delay = wait if wait is not None else self._backoff_delay(attempt)
            if attempt == attempts:
                tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
                raise EndpointError(f"{shown}: {problem}; gave up after {tries}")
            log.info("%s: %s; retry %d/%d in %.1f s", shown, problem, attempt, self.retries, delay)
            if self.on_retry is not None:
                self.on_retry(Retry(shown, problem, delay, attempt, attempts))
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_json(self, url: str, params: Params | None = None, **kwargs: Any) -> Any:
        """Return the JSON body of ``GET url?params`` (see :meth:`get`, :meth:`Response.json`)."""
        return self.get(url, params, **kwargs).json()

    def _success(self, shown: str, full: str, accept: str, raw: _Raw, cache: bool) -> Response:
        body = _decode(raw, shown)
        headers = {k: v for k, v in raw.headers.items() if k != "content-encoding"}
        if cache and self._cache is not None:
            try:
                self._cache.put(full, accept, headers, body)
            except OSError as exc:
                log.warning("cannot write the HTTP cache (%s); carrying on without it", exc)
        return Response(shown, raw.status, headers, body)

    def _throttle(self) -> None:
        """Sleep until the next request slot, so requests start at most ``rate`` a second."""
        if self.rate <= 0:
            return
        with self._lock:
            now = self._clock()
            start = now if self._next_slot is None else max(now, self._next_slot)
            self._next_slot = start + 1.0 / self.rate
        if start > now:
            self._sleep(start - now)

    def _backoff_delay(self, attempt: int) -> float:
        """Return the wait before retry ``attempt``: exponential, capped, with equal jitter."""
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._random() * ceiling / 2

    def _send(self, url: str, headers: Mapping[str, str]) -> _Raw:
        request = urllib.request.Request(url, headers=dict(headers), method="GET")  # noqa: S310 - scheme checked in get()
        try:
            with self._opener.open(request, timeout=self.timeout) as reply:
                body = reply.read()
                return _Raw(reply.status, reply.reason or "", _lower(reply.headers), body)
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read()
            except (OSError, http.client.HTTPException):
                body = b""
            finally:
                exc.close()
            return _Raw(exc.code, str(exc.reason or ""), _lower(exc.headers), body)
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise EndpointError(f"{_mask(url, self.secret_params)}: {reason}") from exc
            if isinstance(reason, TimeoutError):
                raise _Transient(f"no answer within {self.timeout:g} s") from exc
            raise _Transient(f"cannot connect: {reason}") from exc
        except TimeoutError as exc:
            raise _Transient(f"no answer within {self.timeout:g} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            # IncompleteRead, RemoteDisconnected, ConnectionResetError: the answer was cut short
            raise _Transient(f"connection failed: {type(exc).__name__}: {exc}") from exc


def _lower(headers: Any) -> dict[str, str]:
    """Return headers with lower-case names (the last value wins)."""
    if headers is None:
        return {}
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _decode(raw: _Raw, shown: str) -> bytes:
    """Return the body with its ``Content-Encoding: gzip`` removed."""
    if raw.headers.get("content-encoding", "").lower() != "gzip":
        return raw.body
    try:
        return gzip.decompress(raw.body)
    except (OSError, EOFError, zlib.error) as exc:
        raise EndpointError(f"{shown}: the gzip-compressed response is corrupt ({exc})") from exc


def _detail(body: bytes, limit: int = 200) -> str:
    r"""Return the start of an error body for a message, or nothing when it is empty.

    >>> _detail(b'  Study not found\n'), _detail(b"")
    (': Study not found', '')
    """
    text = " ".join(body[: limit * 2].decode("utf-8", errors="replace").split())
    if not text:
        return ""
    return ": " + (text if len(text) <= limit else text[: limit - 3] + "...")
