"""A temporary N-Quads file beside a target path, removed unless it is published.

Each write holds one named graph. Writing a graph again replaces what was written for it before
(a merged record supersedes the first source read): the file is rewritten once, at close, keeping
only the last text of each graph.
"""

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
        self._fh: IO[bytes] | None = os.fdopen(fd, "wb")
        self.graphs: list[str] = []
        self._offset = 0
        self._last: dict[str, tuple[int, int]] = {}  # graph -> (start, end) of its latest text
        self._superseded = False

    def write(self, graph: str, text: str) -> None:
        """Append the N-Quads of one named graph (``graph`` rendered, ``<...>``)."""
        assert self._fh is not None  # noqa: S101 - written after close is a bug
        data = text.encode("utf-8")
        if graph in self._last:
            self._superseded = True
        else:
            self.graphs.append(graph)
        self._last[graph] = (self._offset, self._offset + len(data))
        self._fh.write(data)
        self._offset += len(data)

    def drop(self, graph: str) -> None:
        """Leave out everything written for ``graph``."""
        if self._last.pop(graph, None) is not None:
            self._superseded = True

    def kept_graphs(self) -> list[str]:
        """The graphs written and not dropped, in the order first written."""
        return [g for g in self.graphs if g in self._last]

    def close(self) -> None:
        """Flush and close the file (it stays on disk), dropping superseded texts."""
        if self._fh is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        if self._superseded:
            self._compact()

    def _compact(self) -> None:
        keep = sorted(self._last.values())
        compacted = self.path.with_name(self.path.name + ".compact")
        with self.path.open("rb") as src, compacted.open("wb") as out:
            for start, end in keep:
                src.seek(start)
                out.write(src.read(end - start))
        os.replace(compacted, self.path)

    def discard(self) -> None:
        """Close and delete the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.path.unlink(missing_ok=True)
