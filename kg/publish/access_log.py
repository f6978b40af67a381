"""Request logging for ``kg serve``: one Common Log Format line per request, then its duration.

::

    127.0.0.1 - - [06/Dec/2026:15:46:06 +0000] "GET /trial/NCT03737461 HTTP/1.1" 303 - 1.8ms

The first seven fields are the Common Log Format (host, ident, user, time, request line, status,
bytes or ``-``) that log analysers read; the duration follows, as Apache's ``%D`` often does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLog", "format_line"]


def format_line(
    *,
    host: str,
    when: datetime,
    method: str,
    target: str,
    http_version: str,
    status: int,
    size: int,
    seconds: float,
) -> str:
    """Write one access-log line (Common Log Format, then the duration).

    >>> format_line(host="127.0.0.1", when=datetime(2026, 12, 6, 15, 46, 6, tzinfo=UTC),
    ...             method="GET", target="/void", http_version="1.1", status=200, size=512,
    ...             seconds=0.0123)
    '127.0.0.1 - - [06/Dec/2026:15:46:06 +0000] "GET /void HTTP/1.1" 200 512 12.3ms'
    """
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
    request = f"{method} {target} HTTP/{http_version}".replace('"', "%22")
    return (
        f'{host} - - [{stamp}] "{request}" {status} {size or "-"} {seconds * 1000:.1f}ms'
    )


def _target(scope: Scope) -> str:
    raw = scope.get("raw_path") or scope.get("path", "").encode("utf-8")
    query = scope.get("query_string") or b""
    # The request as sent (still percent-encoded): control characters and spaces cannot hide.
    text = bytes(raw).decode("latin-1")
    return text + ("?" + bytes(query).decode("latin-1") if query else "")


class AccessLog:
    """ASGI middleware that hands ``write`` one line per HTTP request once it is answered."""

    def __init__(self, app: ASGIApp, write: Callable[[str], None]) -> None:
        """Wrap ``app``; ``write`` receives each finished request's line."""
        self.app = app
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, counting the status and body bytes sent back."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        when = datetime.now(UTC)
        status = 500  # what the client sees when the app fails before it answers
        size = 0

        async def counting_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            client = scope.get("client")
            self.write(
                format_line(
                    host=client[0] if client else "-",
                    when=when,
                    method=scope.get("method", "-"),
                    target=_target(scope),
                    http_version=scope.get("http_version", "1.1"),
                    status=status,
                    size=size,
                    seconds=time.perf_counter() - start,
                )
            )
