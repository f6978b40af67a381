"""Sinks: where the N-Quads of mapped records go (a file by extension, the embedded store).

A sink receives each record's N-Quads text, writes it to a temporary file beside the target, and
only ``commit`` makes the result visible (a rename, or one store load); ``abort`` leaves no trace.
"""

from __future__ import annotations

from kg.sinks.file import FILE_FORMATS, FileSink
from kg.sinks.store import StoreSink, default_store_path, open_store

__all__ = ["FILE_FORMATS", "FileSink", "Sink", "StoreSink", "default_store_path", "open_store"]

Sink = FileSink | StoreSink
