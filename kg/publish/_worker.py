"""A query worker process: opens the store read-only and answers requests on stdin/stdout.

Run by :mod:`kg.publish.pool` as ``python -m kg.publish._worker STORE MAX_ROWS MAX_BYTES``.
Frames are a 4-byte big-endian length and a payload; a request is one JSON frame, an answer a
JSON header frame and a body frame. The first answer (``{"ready": true}``) says the store opened.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path
from typing import IO, Any

import orjson

__all__ = ["main", "read_frame", "write_frame"]


def write_frame(out: IO[bytes], payload: bytes) -> None:
    """Write one length-prefixed frame."""
    out.write(struct.pack(">I", len(payload)))
    out.write(payload)


def read_frame(src: IO[bytes]) -> bytes | None:
    """Read one length-prefixed frame; None at end of input."""
    head = src.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    return src.read(size)


def _answer(out: IO[bytes], header: dict[str, Any], body: bytes = b"") -> None:
    write_frame(out, orjson.dumps(header))
    write_frame(out, body)
    out.flush()


def main(argv: list[str] | None = None) -> int:
    """Serve queries until stdin closes."""
    args = sys.argv[1:] if argv is None else argv
    store_path, max_rows, max_bytes = Path(args[0]), int(args[1]), int(args[2])
    # The protocol owns the real stdout; anything printed by accident goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    src = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    sys.stdout = sys.stderr

    from kg.errors import KgError
    from kg.publish.sparql import ProtocolError, run_named, run_sparql
    from kg.sinks import open_store

    try:
        store = open_store(store_path, read_only=True)
    except KgError as exc:
        _answer(out, {"ready": False, "error": str(exc)})
        return 2
    _answer(out, {"ready": True})
    while (frame := read_frame(src)) is not None:
        request = orjson.loads(frame)
        try:
            if request["op"] == "named":
                result = run_named(
                    store,
                    request["name"],
                    request.get("params") or {},
                    accept=request.get("accept"),
                    fmt=request.get("format"),
                    max_rows=max_rows,
                    limit=request.get("limit"),
                    offset=int(request.get("offset") or 0),
                    page_rows=request.get("page_rows"),
                )
            else:
                result = run_sparql(
                    store,
                    request["query"],
                    accept=request.get("accept"),
                    fmt=request.get("format"),
                    default_graphs=request.get("default_graphs") or (),
                    named_graphs=request.get("named_graphs") or (),
                    max_rows=max_rows,
                    max_bytes=max_bytes,
                )
        except ProtocolError as exc:
            _answer(out, {"status": exc.status, "error": str(exc)})
            continue
        except (KgError, OSError, ValueError, TypeError) as exc:
            _answer(out, {"status": 500, "error": f"{type(exc).__name__}: {exc}"})
            continue
        header = {"status": result.status, "media_type": result.media_type}
        if result.truncated:
            header["truncated"] = True
        if result.total is not None:
            header["page"] = [result.total, result.offset, result.limit, result.shown]
        _answer(out, header, result.body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
