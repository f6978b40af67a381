"""Every output format says the same: each parses back to exactly the N-Quads' statements.

The seed and every shared record are built once (tests/conftest.py ``shared_build``: one mapping,
written through one FileSink per format, as ``kg build -o`` writes each, and into the store ``kg
build --store`` makes). pyoxigraph reads every file back, and each must give the very statements
of the N-Quads file: the same IRIs, and literals with the same lexical form, datatype and
language. Triple formats (Turtle, N-Triples, RDF/XML, JSON-LD) are compared with the N-Quads'
triples, graphs dropped. ``kg export`` of the whole shared set in every format is checked by
tests/publish/test_export.py (against the build's N-Quads, not against the export's own).

rdflib (its lexical forms kept: ``rdflib.NORMALIZE_LITERALS`` off) reads about a twentieth of
pyoxigraph's speed, so it reads every format of a build and an export of a sample made the same
way: the seed, eight records whose text holds a carriage return (the RDF/XML case), and every
sixteenth shared record in name order (ages and coordinates, the decimal case, are in nearly every
record). rdflib's reading of the N-Quads is itself checked against the lines kg wrote, then is the
reference of its readings of the other formats.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from build_support import BUILD_FORMATS, SharedBuild, StoreAndFiles
from rdflib.store import Store

from kg.build import build
from kg.publish.export import ExportFormat, export_file
from kg.sinks import open_store
from kg.terms import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
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


@pytest.fixture(scope="session")
def built(shared_build: SharedBuild) -> dict[str, Path]:
    """The seed and every shared record built once, written in every format ``kg build`` has."""
    return shared_build.files


def _export(store_path: Path, folder: Path) -> dict[str, Path]:
    store = open_store(store_path)
    paths = {ext: folder / f"dump{ext}" for ext in EXPORT_FORMATS}
    for ext, fmt in EXPORT_FORMATS.items():
        export_file(store, paths[ext], fmt)
    return paths


def _has_carriage_return(path: Path) -> bool:
    data = path.read_bytes()
    return any(mark in data for mark in (b"\\r", b"\r", b"&#13;", b"&#xD;", b"&#xd;"))


@pytest.fixture(scope="session")
def sample_inputs(ctgov_dir: Path) -> list[str]:
    """The seed, eight records holding a carriage return, and every sixteenth shared record."""
    records = sorted(p for p in ctgov_dir.iterdir() if p.suffix in (".json", ".xml"))
    with_cr = [p for p in records if _has_carriage_return(p)][:8]
    chosen = [p for i, p in enumerate(records) if i % 16 == 0 and p not in with_cr]
    return [str(SEED), *map(str, with_cr + chosen)]


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory, sample_inputs: list[str]) -> SharedBuild:
    """The sample mapped once, into a store and every format ``kg build`` has (for rdflib)."""
    made = SharedBuild.at(tmp_path_factory.mktemp("sample-formats"), "sample")
    build(sample_inputs, StoreAndFiles(made), base=DEFAULT_BASE, jobs=2)
    return made


@pytest.fixture(scope="session")
def sample_built(sample_build: SharedBuild) -> dict[str, Path]:
    """The sample's file in every format ``kg build`` has."""
    return sample_build.files


@pytest.fixture(scope="session")
def sample_exported(sample_build: SharedBuild) -> dict[str, Path]:
    """The sample's store exported in every format (rdflib reads these)."""
    return _export(sample_build.store, sample_build.store.parent)


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


# rdflib reads each file into a store that only collects the statements (no indexes: a third
# faster than its Memory store), with lexical forms kept as written.
Statement = tuple[rdflib.term.Node, ...]
_DEFAULT_GRAPH = rdflib.graph.DATASET_DEFAULT_GRAPH_ID
_XSD_STRING = rdflib.XSD.string


class _Collect(Store):  # type: ignore[misc]
    """An rdflib store that keeps what a parser adds, and nothing else."""

    context_aware = True
    graph_aware = True

    def __init__(self) -> None:
        super().__init__()
        self.quads: list[Statement] = []

    def add(self, triple: Statement, context: object, quoted: bool = False) -> None:
        graph = getattr(context, "identifier", context)
        self.quads.append((*triple, None if graph == _DEFAULT_GRAPH else graph))

    def addN(self, quads: Iterable[Statement]) -> None:  # noqa: N802 - rdflib's name
        for s, p, o, c in quads:
            self.add((s, p, o), c)

    def triples(self, pattern: object, context: object = None) -> Iterator[object]:
        return iter(())

    def __len__(self, context: object = None) -> int:
        return len(self.quads)

    def contexts(self, triple: object = None) -> Iterator[object]:
        return iter(())

    def add_graph(self, graph: object) -> None:
        return None

    def remove_graph(self, graph: object) -> None:
        return None

    def bind(self, *args: object, **kwargs: object) -> None:
        return None

    def namespace(self, prefix: object) -> None:
        return None

    def prefix(self, namespace: object) -> None:
        return None

    def namespaces(self) -> Iterator[object]:
        return iter(())


def _plain(term: rdflib.term.Node) -> rdflib.term.Node:
    """Return an ``xsd:string`` literal as the plain literal it is (RDF 1.1)."""
    if isinstance(term, rdflib.Literal) and term.datatype == _XSD_STRING:
        return rdflib.Literal(str(term), lang=term.language)
    return term


def _rdflib(path: Path, quads: bool) -> set[Statement]:
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False  # keep "18.0" as "18.0": lexical forms are what we test
    try:
        store = _Collect()
        rdflib.Dataset(store=store).parse(data=_open(path), format=RDFLIB_FORMAT[path.suffix])
    finally:
        rdflib.NORMALIZE_LITERALS = before
    if quads:
        return {(s, p, _plain(o), g) for s, p, o, g in store.quads}
    return {(s, p, _plain(o)) for s, p, o, _ in store.quads}


def _ox_term(term: rdflib.term.Node) -> ox.NamedNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype, language=term.language)
    raise AssertionError(f"kg writes no blank node, got {term!r}")


def _as_lines(statements: set[Statement]) -> set[str]:
    """Render rdflib's statements as pyoxigraph writes N-Quads (graph last, when there is one)."""
    out: set[str] = set()
    for s, p, o, *g in statements:
        triple = str(ox.Triple(_ox_term(s), _ox_term(p), _ox_term(o)))  # type: ignore[arg-type]
        out.add(f"{triple} {ox.NamedNode(str(g[0]))}" if g and g[0] is not None else triple)
    return out


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
def build_rdflib(sample_built: dict[str, Path]) -> set[Statement]:
    """rdflib's reading of the sample's built N-Quads (checked against the lines below)."""
    return _rdflib(sample_built[".nq"], quads=True)


@pytest.fixture(scope="session")
def export_rdflib(sample_exported: dict[str, Path]) -> set[Statement]:
    """rdflib's reading of the sample's exported N-Quads (checked against the lines below)."""
    return _rdflib(sample_exported[".nq"], quads=True)


def _project(statements: set[Statement], quads: bool) -> set[Statement]:
    return statements if quads else {q[:3] for q in statements}


def _same_rdflib(found: set[Statement], expected: set[Statement], what: str) -> None:
    missing, extra = expected - found, found - expected
    assert not missing and not extra, (
        f"{what}: {len(missing)} statements lost, {len(extra)} changed or added; "
        f"first lost: {sorted(_as_lines(set(list(missing)[:3])))}; "
        f"first added: {sorted(_as_lines(set(list(extra)[:3])))}"
    )


# --- the tests ----------------------------------------------------------------------------------


def test_the_build_covers_every_shared_record(
    built: dict[str, Path], build_reference: dict[bool, set[str]], ctgov_dir: Path
) -> None:
    nct_ids = {p.stem for p in ctgov_dir.iterdir() if p.suffix in (".json", ".xml")}
    graphs = {q.rsplit(" ", 1)[1] for q in build_reference[True]}
    assert {f"<{DEFAULT_BASE}graph/{n}>" for n in nct_ids} <= graphs


@pytest.mark.parametrize("ext", BUILD_FORMATS)
def test_every_built_format_reads_back_the_same_with_pyoxigraph(
    ext: str, built: dict[str, Path], build_reference: dict[bool, set[str]]
) -> None:
    quads = OX_FORMAT[ext].supports_datasets
    _same(_oxigraph(built[ext], quads), build_reference[quads], f"kg build -o {ext}, pyoxigraph")


def test_rdflib_reads_the_built_nquads_as_written(
    build_rdflib: set[Statement], sample_built: dict[str, Path]
) -> None:
    expected = _reference(sample_built[".nq"], True)
    _same(_as_lines(build_rdflib), expected, "kg build -o .nq, rdflib")


def test_the_rdflib_sample_holds_carriage_returns_and_decimals(
    sample_built: dict[str, Path], sample_inputs: list[str]
) -> None:
    text = sample_built[".nq"].read_text(encoding="utf-8")
    assert len(sample_inputs) > 50
    assert "\\r" in text
    assert "^^<http://www.w3.org/2001/XMLSchema#decimal>" in text


@pytest.mark.parametrize("ext", [e for e in BUILD_FORMATS if e != ".nq"])
def test_every_built_format_reads_back_the_same_with_rdflib(
    ext: str, sample_built: dict[str, Path], build_rdflib: set[Statement]
) -> None:
    quads = OX_FORMAT[ext].supports_datasets
    expected = _project(build_rdflib, quads)
    _same_rdflib(_rdflib(sample_built[ext], quads), expected, f"kg build -o {ext}, rdflib")


def test_rdflib_reads_the_exported_nquads_as_written(
    export_rdflib: set[Statement], sample_exported: dict[str, Path]
) -> None:
    expected = _reference(sample_exported[".nq"], True)
    _same(_as_lines(export_rdflib), expected, "kg export .nq, rdflib")


@pytest.mark.parametrize("ext", [e for e in EXPORT_FORMATS if e != ".nq"])
def test_every_export_format_reads_back_the_same_with_rdflib(
    ext: str, sample_exported: dict[str, Path], export_rdflib: set[Statement]
) -> None:
    quads = OX_FORMAT[ext].supports_datasets and ext != ".jsonld"
    expected = _project(export_rdflib, quads)
    _same_rdflib(_rdflib(sample_exported[ext], quads), expected, f"kg export {ext}, rdflib")
