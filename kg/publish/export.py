"""Export the store's data graphs as RDF dumps: every format streams, nothing holds the graph.

* N-Quads and TriG keep the named graphs (one per trial record) and their provenance; they are
  written graph by graph straight from the store's indexes (the ontology's graph is left out: it
  is published at its own IRI).
* N-Triples is the same stream without the graph names: a triple that several records state (an
  organisation's name) appears once per record, which every RDF reader merges.
* Turtle, RDF/XML and JSON-LD hold the union of the data graphs, written subject by subject in
  IRI order, each triple once (see :mod:`kg.publish._dataset`): Turtle and RDF/XML with the
  vocabulary prefixes, JSON-LD compacted with the shipped context.
* ``schemaorg`` is the schema.org JSON-LD of one trial, the view a search engine reads.

Turtle, RDF/XML and JSON-LD are byte-identical for the same data, and every format for the same
store (gzip with a zero mtime), so checksums are stable.
:func:`export_file` writes atomically and leaves a ``FILE.sha256`` beside the dump (the format of
``sha256sum``, so ``sha256sum -c FILE.sha256`` checks it), which the dataset description reads.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, TypeVar, cast

import orjson
import pyoxigraph as ox

from kg.atomic import atomic_output
from kg.errors import UsageError
from kg.publish._dataset import (
    DATA_PREFIXES,
    data_graphs,
    iter_quads,
    iter_subject_groups,
    trial_graphs,
)
from kg.publish.jsonld import write_jsonld
from kg.publish.schemaorg import trial_document
from kg.sinks.file import RdfXmlOut

__all__ = [
    "EXTENSIONS",
    "MEDIA_TYPES",
    "Dump",
    "ExportFormat",
    "export",
    "export_file",
    "format_for_path",
    "read_dump",
    "sha256_file",
    "write_groups",
]


class ExportFormat(StrEnum):
    """The formats ``kg export`` writes."""

    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    NQUADS = "nquads"
    TRIG = "trig"
    JSONLD = "jsonld"
    SCHEMAORG = "schemaorg"
    RDFXML = "rdfxml"


MEDIA_TYPES: dict[ExportFormat, str] = {
    ExportFormat.TURTLE: "text/turtle",
    ExportFormat.NTRIPLES: "application/n-triples",
    ExportFormat.NQUADS: "application/n-quads",
    ExportFormat.TRIG: "application/trig",
    ExportFormat.JSONLD: "application/ld+json",
    ExportFormat.SCHEMAORG: "application/ld+json",
    ExportFormat.RDFXML: "application/rdf+xml",
}

EXTENSIONS: dict[str, ExportFormat] = {
    ".ttl": ExportFormat.TURTLE,
    ".nt": ExportFormat.NTRIPLES,
    ".nq": ExportFormat.NQUADS,
    ".trig": ExportFormat.TRIG,
    ".jsonld": ExportFormat.JSONLD,
    ".json": ExportFormat.SCHEMAORG,
    ".rdf": ExportFormat.RDFXML,
}

_OX_FORMATS = {
    ExportFormat.TURTLE: ox.RdfFormat.TURTLE,
    ExportFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    ExportFormat.NQUADS: ox.RdfFormat.N_QUADS,
    ExportFormat.TRIG: ox.RdfFormat.TRIG,
    ExportFormat.RDFXML: ox.RdfFormat.RDF_XML,
}


def format_for_path(path: Path) -> tuple[ExportFormat, bool]:
    """Return the export format a file name asks for, and whether it is gzipped.

    >>> format_for_path(Path("dump.nq.gz"))
    (<ExportFormat.NQUADS: 'nquads'>, True)

    Raises:
        UsageError: an extension kg does not write.
    """
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    if ext not in EXTENSIONS:
        known = " ".join(EXTENSIONS)
        raise UsageError(f"{path}: unknown export format {ext or '(none)'!r}; use one of {known}")
    return EXTENSIONS[ext], gz


_T = TypeVar("_T", ox.Quad, ox.Triple)


class _Counter:
    """Count the items an iterator yields."""

    def __init__(self) -> None:
        self.n = 0

    def count(self, items: Iterable[_T]) -> Iterator[_T]:
        for item in items:
            self.n += 1
            yield item


def _flatten(groups: Iterable[list[ox.Triple]]) -> Iterator[ox.Triple]:
    for group in groups:
        yield from group


def export(
    store: ox.Store,
    out: IO[bytes],
    fmt: ExportFormat,
    *,
    trials: Sequence[str] = (),
) -> int:
    """Write the data graphs (or the given trials' graphs) to ``out``; return the statements.

    Raises:
        UsageError: an unknown trial, or ``schemaorg`` without exactly one trial.
    """
    if fmt is ExportFormat.SCHEMAORG:
        return _export_schemaorg(store, out, trials)
    subset: list[ox.NamedNode | ox.BlankNode] | None = (
        list(trial_graphs(store, trials)) if trials else None
    )
    graphs = subset if subset is not None else data_graphs(store)
    counter = _Counter()
    if fmt in (ExportFormat.NQUADS, ExportFormat.TRIG):
        ox.serialize(
            counter.count(iter_quads(store, graphs)), out, _OX_FORMATS[fmt], prefixes=DATA_PREFIXES
        )
        return counter.n
    if fmt is ExportFormat.NTRIPLES:
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in iter_quads(store, graphs))
        ox.serialize(counter.count(triples), out, ox.RdfFormat.N_TRIPLES)
        return counter.n
    return write_groups(iter_subject_groups(store, subset), out, fmt)


def write_groups(
    groups: Iterable[list[ox.Triple]],
    out: IO[bytes],
    fmt: ExportFormat,
    prefixes: dict[str, str] | None = None,
) -> int:
    """Write triples grouped by subject in a triple format; return how many were written.

    ``prefixes`` are those of Turtle and RDF/XML (default: the data's vocabularies).

    Raises:
        UsageError: a format that needs a dataset or a trial (N-Quads, TriG, schemaorg).
    """
    if fmt is ExportFormat.JSONLD:
        return write_jsonld(groups, out)
    if fmt not in (ExportFormat.TURTLE, ExportFormat.NTRIPLES, ExportFormat.RDFXML):
        raise UsageError(f"{fmt} is not a triple format")
    counter = _Counter()
    chosen = None if fmt is ExportFormat.NTRIPLES else (prefixes or DATA_PREFIXES)
    if fmt is ExportFormat.RDFXML:
        out = cast(IO[bytes], RdfXmlOut(out))  # raw CRs would be read back as line feeds
    ox.serialize(counter.count(_flatten(groups)), out, _OX_FORMATS[fmt], prefixes=chosen)
    return counter.n


def _export_schemaorg(store: ox.Store, out: IO[bytes], trials: Sequence[str]) -> int:
    if len(trials) != 1:
        raise UsageError("--format schemaorg describes one trial: give exactly one --trial")
    trial_graphs(store, trials)  # an unknown trial is an error
    nct = trials[0].strip().upper()
    identifier = ox.NamedNode("http://purl.org/dc/terms/identifier")
    subjects = sorted(
        {
            q.subject.value
            for q in store.quads_for_pattern(None, identifier, ox.Literal(nct), None)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.endswith(f"/{nct}")
        }
    )
    doc = trial_document(store, ox.NamedNode(subjects[0]))
    out.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    return 1


class _HashingWriter:
    """A binary sink that hashes and counts what it forwards to a file."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


@dataclass(frozen=True, slots=True)
class Dump:
    """A dump file: where, what format, how big, its SHA-256, and (when known) its statements."""

    path: Path
    format: ExportFormat
    gzip: bool
    size: int
    sha256: str
    statements: int | None = None

    @property
    def media_type(self) -> str:
        """The media type of the (uncompressed) content."""
        return MEDIA_TYPES[self.format]


def export_file(
    store: ox.Store,
    path: Path,
    fmt: ExportFormat | None = None,
    *,
    trials: Sequence[str] = (),
) -> Dump:
    """Write a dump file atomically (format from the name unless given) and its ``.sha256``.

    Raises:
        UsageError: an unknown extension or trial.
    """
    by_name, gz = format_for_path(path) if fmt is None else (fmt, path.suffix.lower() == ".gz")
    # atomic_output, not mkstemp: a dump is published, so it follows the umask (0644 typically).
    with atomic_output(path) as raw:
        sink = _HashingWriter(raw)
        if gz:
            with gzip.GzipFile(filename="", fileobj=sink, mode="wb", mtime=0) as zipped:
                count = export(store, cast(IO[bytes], zipped), by_name, trials=trials)
        else:
            count = export(store, cast(IO[bytes], sink), by_name, trials=trials)
    digest = sink.sha256.hexdigest()
    # Written after the dump, so a current checksum file is never older than its dump.
    _write_atomic(_sidecar(path), f"{digest}  {path.name}\n".encode())
    return Dump(path, by_name, gz, sink.size, digest, count)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _write_atomic(path: Path, data: bytes) -> None:
    with atomic_output(path) as fh:
        fh.write(data)


def sha256_file(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_dump(path: Path) -> Dump:
    """Describe an existing dump file: its checksum from its ``.sha256`` when that is current.

    A ``.sha256`` older than the dump, or naming another file, is ignored and the file is hashed.

    Raises:
        UsageError: no such file, or an extension kg does not write.
    """
    if not path.is_file():
        raise UsageError(f"{path}: no such dump file")
    fmt, gz = format_for_path(path)
    stat = path.stat()
    digest: str | None = None
    sidecar = _sidecar(path)
    if sidecar.is_file() and sidecar.stat().st_mtime >= stat.st_mtime:
        text = sidecar.read_text("utf-8", errors="replace").split()
        if len(text) == 2 and text[1].lstrip("*") == path.name and len(text[0]) == 64:
            digest = text[0].lower()
    return Dump(path, fmt, gz, stat.st_size, digest or sha256_file(path))
