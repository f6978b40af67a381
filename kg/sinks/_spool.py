"""A temporary N-Quads file beside a target path, removed unless it is published."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

__all__ = ["Spool"]


class Spool:
    """Append N-Quads text to a temporary file in ``folder``."""

    def __init__(self, folder: Path, prefix: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".nq.part")
        self.path = Path(name)
        self._fh: IO[str] | None = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self.graphs: list[str] = []

    def write(self, graph: str, text: str) -> None:
        """Append the N-Quads of one named graph (``graph`` rendered, ``<...>``)."""
        assert self._fh is not None  # noqa: S101 - written after close is a bug
        self.graphs.append(graph)
        self._fh.write(text)

    def close(self) -> None:
        """Flush and close the file (it stays on disk)."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def discard(self) -> None:
        """Close and delete the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.path.unlink(missing_ok=True)
