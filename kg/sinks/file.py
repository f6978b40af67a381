"""Write a build to one RDF file, the format chosen by extension, atomically (temp file + rename).

``.nq`` and ``.nt`` stream line by line; the other formats go through an in-memory pyoxigraph store,
whose serialisers are ~90x faster than rdflib's (PERFORMANCE-NOTES.md).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import UsageError
from kg.sinks._spool import Spool
from kg.terms import BIBO, DCTERMS, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, TKG, XSD

__all__ = ["FILE_FORMATS", "PREFIXES", "FileSink", "RdfXmlOut", "file_format"]

FILE_FORMATS: dict[str, ox.RdfFormat] = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
}

PREFIXES = {
    "schema": SCHEMA,
    "tkg": TKG,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "bibo": BIBO,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}


def file_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """Return the RDF format a file name asks for and whether it is gzipped.

    Raises:
        UsageError: an extension kg does not write.
    """
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = suffixes[-2] if gz and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if ext not in FILE_FORMATS:
        known = " ".join(FILE_FORMATS)
        raise UsageError(f"{path}: unknown output format {ext or '(none)'!r}; use one of {known}")
    return FILE_FORMATS[ext], gz


class FileSink:
    """Collect records as N-Quads, then publish them as one file in the format of its name."""

    def __init__(self, path: Path, base: str | None = None) -> None:
        self.target = path
        self.format, self.gzip = file_format(path)
        self.base = base
        self._spool = Spool(path.resolve().parent, f".{path.name}.")

    def add(self, graph: str, text: str) -> None:
        """Add one record's N-Quads (all in ``graph``)."""
        self._spool.write(graph, text)

    def replace(self, graph: str, text: str) -> None:
        """Replace what was added for ``graph`` (a trial merged from several records)."""
        self._spool.write(graph, text)  # the spool keeps the last text of a graph

    def commit(self) -> None:
        """Write the target file atomically."""
        self._spool.close()
        part = self.target.resolve().parent / (self._spool.path.name + ".out")
        try:
            with _open_out(part, self.gzip) as out:
                self._convert(out)
            os.replace(part, self.target)
        finally:
            part.unlink(missing_ok=True)
            self._spool.discard()

    def abort(self) -> None:
        """Forget everything written so far."""
        self._spool.discard()

    def _convert(self, out: IO[bytes]) -> None:
        if self.format == ox.RdfFormat.N_QUADS:
            with self._spool.path.open("rb") as src:
                shutil.copyfileobj(src, out)
            return
        if self.format == ox.RdfFormat.N_TRIPLES:
            # Drop the graph of each "<s> <p> o <g> ." line. A triple two records share (an
            # organisation's name) appears once per record: legal N-Triples, and it streams.
            with self._spool.path.open(encoding="utf-8") as src:
                for line in src:
                    out.write((line.rsplit(" ", 2)[0] + " .\n").encode("utf-8"))
            return
        store = ox.Store()
        if self.format == ox.RdfFormat.RDF_XML:
            out = RdfXmlOut(out)  # type: ignore[assignment]
        if self.format.supports_datasets:
            store.bulk_load(path=self._spool.path, format=ox.RdfFormat.N_QUADS)
            store.dump(out, self.format, prefixes=PREFIXES)
            return
        quads = ox.parse(path=self._spool.path, format=ox.RdfFormat.N_QUADS)
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        store.dump(out, self.format, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)


_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class RdfXmlOut:
    r"""Wrap a binary output so the RDF/XML written to it keeps every literal exactly.

    An XML parser reads a raw carriage return back as a line feed (XML 1.0, section 2.11), so
    the writer's raw CRs become ``&#13;``; other control characters cannot be written in XML 1.0
    at all, and are an error rather than a silently changed literal.

    >>> import io
    >>> buf = io.BytesIO()
    >>> RdfXmlOut(buf).write(b"<p>a\r\nb</p>")
    11
    >>> buf.getvalue()
    b'<p>a&#13;\nb</p>'
    """

    def __init__(self, raw: IO[bytes]) -> None:
        """Write to ``raw``."""
        self.raw = raw

    def write(self, data: bytes) -> int:
        """Write ``data`` with its CRs escaped; return ``len(data)``, as the caller expects.

        Raises:
            UsageError: ``data`` holds a control character XML 1.0 cannot carry.
        """
        bad = _XML_FORBIDDEN.search(data)
        if bad is not None:
            raise UsageError(
                f"RDF/XML cannot carry the control character U+{bad.group()[0]:04X} of a literal; "
                "write N-Quads, Turtle or JSON-LD instead"
            )
        self.raw.write(data.replace(b"\r", b"&#13;"))
        return len(data)

    def flush(self) -> None:
        """Flush ``raw``."""
        self.raw.flush()


def _open_out(path: Path, gz: bool) -> IO[bytes]:
    if gz:
        # mtime=0 keeps gzipped output byte-identical across runs.
        return gzip.GzipFile(path, "wb", mtime=0)  # type: ignore[return-value]
    return path.open("wb")
