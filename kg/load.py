"""Load RDF files into the embedded store (``kg load``): N-Quads, TriG, Turtle, N-Triples, JSON-LD.

Quads keep their named graphs; triples (and the default graph of a dataset) go into the graph
named after the file (``file:///.../sim.ttl``), as ``kg query --data`` reads such a file, since
queries see the union of the named graphs only; ``graph`` puts everything into one named graph.

Every file is parsed first (a syntax error stops the load with the file and line, before the store
is touched, so nothing of any file is loaded), then the graphs the files hold replace the
store's graphs of the same names in one :class:`kg.sinks.StoreSink` commit, so loading a newer
``kg similar --all`` file leaves no stale similarity behind. A trial graph whose stored copy comes
from a newer source is kept, as ``kg build`` keeps it.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from kg.errors import InputError, UsageError
from kg.sinks import StoreSink
from kg.sinks.file import FILE_FORMATS, file_format
from kg.terms import iri

__all__ = ["LoadReport", "load_files", "rdf_file_format"]

_NAMES = {
    ox.RdfFormat.N_QUADS: "N-Quads",
    ox.RdfFormat.N_TRIPLES: "N-Triples",
    ox.RdfFormat.TURTLE: "Turtle",
    ox.RdfFormat.TRIG: "TriG",
    ox.RdfFormat.JSON_LD: "JSON-LD",
    ox.RdfFormat.RDF_XML: "RDF/XML",
}


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did."""

    files: int
    quads: int
    graphs: int
    kept: tuple[str, ...] = ()
    """Trial graphs left as stored: the store's copy comes from a newer source."""


def rdf_file_format(path: Path) -> tuple[ox.RdfFormat, bool]:
    """Return the RDF format of a file by its extension, and whether it is gzipped.

    Raises:
        InputError: an extension that is no RDF format kg reads (named once, with the file).
    """
    try:
        return file_format(path)
    except UsageError:
        known = " ".join(FILE_FORMATS)
        raise InputError(
            f"not an RDF file name: use one of {known} (.gz allowed)", file=str(path)
        ) from None


def _parse_into(scratch: ox.Store, path: Path, graph: ox.NamedNode | None) -> None:
    """Parse one file into the scratch store, into its graphs, the file's graph or ``graph``."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    fmt, gz = rdf_file_format(path)
    own = ox.NamedNode(path.resolve().as_uri())

    def placed(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        for q in quads:
            where = graph or (q.graph_name if isinstance(q.graph_name, ox.NamedNode) else own)
            yield ox.Quad(q.subject, q.predicate, q.object, where)

    try:
        if gz:
            with gzip.open(path, "rb") as fh:
                scratch.extend(placed(ox.parse(cast(IO[bytes], fh), fmt, base_iri=own.value)))
        else:
            scratch.extend(placed(ox.parse(path=path, format=fmt, base_iri=own.value)))
    except SyntaxError as exc:
        raise InputError(f"not valid {_NAMES.get(fmt, fmt)}: {exc.msg}", file=str(path)) from exc
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from exc


def load_files(paths: Iterable[Path], store: Path, *, graph: str | None = None) -> LoadReport:
    """Load RDF files into the store at ``store`` (created when missing); nothing if one is bad.

    Raises:
        InputError: a missing or unreadable file, an unknown extension, or invalid RDF.
        UsageError: ``graph`` is not an absolute IRI.
    """
    try:
        into = ox.NamedNode(graph) if graph is not None else None
    except ValueError:
        raise UsageError(f"--graph takes an absolute IRI, got {graph!r}") from None
    files = list(paths)
    scratch = ox.Store()  # in memory: a bad file stops the load before the store is opened
    for path in files:
        _parse_into(scratch, path, into)
    sink = StoreSink(store)
    quads = 0
    graphs = sorted(g.value for g in scratch.named_graphs() if isinstance(g, ox.NamedNode))
    try:
        for name in graphs:
            node = ox.NamedNode(name)
            text = ox.serialize(
                scratch.quads_for_pattern(None, None, None, node), format=ox.RdfFormat.N_QUADS
            )
            assert text is not None  # noqa: S101 - serialize returns bytes without an output
            quads += sum(1 for _ in scratch.quads_for_pattern(None, None, None, node))
            sink.add(iri(name), text.decode("utf-8"))
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return LoadReport(len(files), quads, len(graphs), tuple(sink.kept))
