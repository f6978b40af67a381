"""Write files atomically: a temporary file beside the target, renamed over it on success.

Files are created as ``open`` creates them, so they follow the umask (0644 under the usual 022)
like any other tool's output: dumps and checksums are meant to be served and read by others.
``tempfile.mkstemp`` would make them private (0600).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_output"]


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; publish it as ``path`` only if the block succeeds.

    A failure (or Ctrl-C) deletes the temporary file and leaves any existing ``path`` untouched.
    """
    folder = path.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part"
    try:
        with part.open("xb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
