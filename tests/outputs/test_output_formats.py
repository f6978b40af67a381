"""Every output format says the same: each parses back to exactly the N-Quads' statements.

The seed and every shared record are built once (one mapping, written through one FileSink per
format, as ``kg build -o`` writes each), and the store built from them is exported once per format
(``kg export``). Each file is then read back with pyoxigraph and with rdflib (its lexical forms
kept: ``rdflib.NORMALIZE_LITERALS`` off), and must give the very statements of the N-Quads file:
the same IRIs, and literals with the same lexical form, datatype and language. Triple formats
(Turtle, N-Triples, RDF/XML) are compared with the N-Quads' triples, graphs dropped.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.build import build
from kg.publish.export import ExportFormat, export_file
from kg.sinks import FileSink, open_store
from kg.terms import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
BUILD_FORMATS = (".nq", ".trig", ".ttl", ".nt", ".jsonld", ".rdf")
EXPORT_FORMATS = {
    ".nq": ExportFormat.NQUADS,
    ".trig": ExportFormat.TRIG,
    ".ttl": ExportFormat.TURTLE,
    ".nt": ExportFormat.NTRIPLES,
    ".jsonld": ExportFormat.JSONLD,
    ".rdf": ExportFormat.RDFXML,
}
OX_FORMAT = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
}
RDFLIB_FORMAT = {
    ".nq": "nquads",
    ".trig": "trig",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
}


class _Tee:
    """A sink writing one build to several sinks: one mapping, every format."""

    def __init__(self, sinks: list[FileSink]) -> None:
        self.sinks = sinks

    def add(self, graph: str, text: str) -> None:
        for sink in self.sinks:
            sink.add(graph, text)

    def replace(self, graph: str, text: str) -> None:
        for sink in self.sinks:
            sink.replace(graph, text)

    def commit(self) -> None:
        for sink in self.sinks:
            sink.commit()

    def abort(self) -> None:
        for sink in self.sinks:
            sink.abort()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, ctgov_dir: Path) -> dict[str, Path]:
    """The seed and every shared record built once, written in every format ``kg build`` has."""
    folder = tmp_path_factory.mktemp("formats")
    paths = {ext: folder / f"all{ext}" for ext in BUILD_FORMATS}
    sinks = [FileSink(p, base=DEFAULT_BASE) for p in paths.values()]
    build([str(SEED), str(ctgov_dir)], _Tee(sinks), base=DEFAULT_BASE, jobs=2)  # type: ignore[arg-type]
    return paths


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory, shared_store_path: Path) -> dict[str, Path]:
    """The shared store exported once in every format ``kg export`` writes as a file of RDF."""
    folder = tmp_path_factory.mktemp("exports")
    store = open_store(shared_store_path)
    paths = {ext: folder / f"dump{ext}" for ext in EXPORT_FORMATS}
    for ext, fmt in EXPORT_FORMATS.items():
        export_file(store, paths[ext], fmt)
    return paths


# --- reading back -------------------------------------------------------------------------------


def _open(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _statements(items: Iterable[ox.Quad | ox.Triple], quads: bool) -> set[str]:
    if quads:
        return {str(q) for q in items}
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in items}


def _oxigraph(path: Path, quads: bool) -> set[str]:
    return _statements(ox.parse(_open(path), OX_FORMAT[path.suffix]), quads)


@contextmanager
def _lexical_forms_kept() -> Iterator[None]:
    """Keep rdflib's literals as written (by default it rewrites known datatypes' values)."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def _ox_term(term: rdflib.term.Node) -> ox.NamedNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype, language=term.language)
    raise AssertionError(f"kg writes no blank node, got {term!r}")


def _rdflib(path: Path, quads: bool) -> set[str]:
    with _lexical_forms_kept():
        dataset = rdflib.Dataset()
        dataset.parse(data=_open(path), format=RDFLIB_FORMAT[path.suffix])
        out: set[str] = set()
        for s, p, o, g in dataset.quads((None, None, None, None)):
            triple = ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o))  # type: ignore[arg-type]
            if not quads:
                out.add(str(triple))
            elif g is None or str(g) == str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID):
                out.add(str(triple))
            else:
                out.add(f"{triple} {ox.NamedNode(str(g))}")
    return out


Reader = Callable[[Path, bool], set[str]]


def _reference(nquads: Path, quads: bool) -> set[str]:
    """The N-Quads file's own statements, read as the lines kg wrote (no parser involved)."""
    lines = nquads.read_text(encoding="utf-8").splitlines()
    if quads:
        return {line.removesuffix(" .") for line in lines if line}
    return {line.rsplit(" ", 2)[0] for line in lines if line}


def _same(found: set[str], expected: set[str], what: str) -> None:
    missing, extra = sorted(expected - found), sorted(found - expected)
    assert not missing and not extra, (
        f"{what}: {len(missing)} statements lost, {len(extra)} changed or added; "
        f"first lost: {missing[:3]}; first added: {extra[:3]}"
    )


@pytest.fixture(scope="session")
def build_reference(built: dict[str, Path]) -> dict[bool, set[str]]:
    return {q: _reference(built[".nq"], q) for q in (True, False)}


@pytest.fixture(scope="session")
def export_reference(exported: dict[str, Path]) -> dict[bool, set[str]]:
    return {q: _reference(exported[".nq"], q) for q in (True, False)}


# --- the tests ----------------------------------------------------------------------------------


def test_the_build_covers_every_shared_record(
    built: dict[str, Path], build_reference: dict[bool, set[str]], ctgov_dir: Path
) -> None:
    nct_ids = {p.stem for p in ctgov_dir.iterdir() if p.suffix in (".json", ".xml")}
    graphs = {q.rsplit(" ", 1)[1] for q in build_reference[True]}
    assert {f"<{DEFAULT_BASE}graph/{n}>" for n in nct_ids} <= graphs


READERS = pytest.mark.parametrize("reader", [_oxigraph, _rdflib], ids=["pyoxigraph", "rdflib"])


@READERS
@pytest.mark.parametrize("ext", BUILD_FORMATS)
def test_every_built_format_reads_back_the_same(
    reader: Reader, ext: str, built: dict[str, Path], build_reference: dict[bool, set[str]]
) -> None:
    quads = OX_FORMAT[ext].supports_datasets
    _same(reader(built[ext], quads), build_reference[quads], f"kg build -o {ext}")


@READERS
@pytest.mark.parametrize("ext", list(EXPORT_FORMATS))
def test_every_export_format_reads_back_the_same(
    reader: Reader, ext: str, exported: dict[str, Path], export_reference: dict[bool, set[str]]
) -> None:
    # kg export writes JSON-LD compacted, as triples (the union of the data graphs).
    quads = OX_FORMAT[ext].supports_datasets and ext != ".jsonld"
    _same(reader(exported[ext], quads), export_reference[quads], f"kg export {ext}")
