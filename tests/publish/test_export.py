"""Exports of the shared set parse back to the same graph, in every format."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from build_support import SharedBuild
from publish_support import SEED_NCT
from rdflib.compare import isomorphic

from kg.errors import UsageError
from kg.ontology import ONTOLOGY_GRAPH, load_ontology
from kg.publish.export import (
    ExportFormat,
    export,
    export_file,
    format_for_path,
    read_dump,
)
from kg.terms import DEFAULT_BASE

ONTOLOGY = ox.NamedNode(ONTOLOGY_GRAPH)
TRIPLE_FORMATS = {
    ExportFormat.TURTLE: ox.RdfFormat.TURTLE,
    ExportFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    ExportFormat.RDFXML: ox.RdfFormat.RDF_XML,
    ExportFormat.JSONLD: ox.RdfFormat.JSON_LD,
}
DATASET_FORMATS = {ExportFormat.NQUADS: ox.RdfFormat.N_QUADS, ExportFormat.TRIG: ox.RdfFormat.TRIG}


@pytest.fixture(scope="module")
def shared_nq(shared_build: SharedBuild) -> Path:
    """The seed and every shared record built to N-Quads (``kg build -o``; tests/conftest.py)."""
    return shared_build.files[".nq"]


@pytest.fixture(scope="module")
def shared_memory_store(shared_nq: Path) -> ox.Store:
    """The shared set in memory, with the ontology graph beside it as in a built store."""
    store = ox.Store()
    store.bulk_load(path=str(shared_nq), format=ox.RdfFormat.N_QUADS)
    load_ontology(store)
    return store


# Graphs are compared as their sorted N-Quads lines (the data has no blank nodes, so equal lines
# mean equal graphs), written by pyoxigraph: 800k statements are never held as Python objects. The
# expected lines are the build's own: kg build -o writes N-Quads with pyoxigraph's serialiser, one
# statement a line (tests/outputs checks that file against the records' graphs).


@pytest.fixture(scope="module")
def expected_dumps(shared_nq: Path) -> tuple[tuple[int, str], tuple[int, str]]:
    """The digests of the N-Quads file's quads, then of the union of its graphs as triples."""
    quads = set(shared_nq.read_bytes().splitlines())
    quads.discard(b"")
    # "<s> <p> o <g> ." -> "<s> <p> o ." (graph names are IRIs: no space in them)
    triples = {line.rsplit(b" ", 2)[0] + b" ." for line in quads}
    return _digest_lines(quads), _digest_lines(triples)


@pytest.fixture(scope="module")
def expected_dataset(expected_dumps: tuple[tuple[int, str], tuple[int, str]]) -> tuple[int, str]:
    return expected_dumps[0]


@pytest.fixture(scope="module")
def expected_union(expected_dumps: tuple[tuple[int, str], tuple[int, str]]) -> tuple[int, str]:
    return expected_dumps[1]


def _digest_lines(lines: set[bytes]) -> tuple[int, str]:
    return len(lines), hashlib.sha256(b"\n".join(sorted(lines))).hexdigest()


def _digest(data: bytes) -> tuple[int, str]:
    lines = set(data.splitlines())
    lines.discard(b"")
    return _digest_lines(lines)


def _reparsed(data: bytes, fmt: ox.RdfFormat, *, triples: bool = False) -> bytes:
    """``data`` parsed by pyoxigraph and written back one statement a line, with no store between
    (a store's insert cost twice the parse): N-Quads, or (``triples``) the default graph's
    statements as N-Triples. Repeated statements stay repeated: the digests compare sets."""
    parsed = ox.parse(data, fmt)
    if triples:
        default = (q.triple for q in parsed if isinstance(q.graph_name, ox.DefaultGraph))
        return ox.serialize(default, format=ox.RdfFormat.N_TRIPLES) or b""
    return ox.serialize(parsed, format=ox.RdfFormat.N_QUADS) or b""


def _export(store: ox.Store, fmt: ExportFormat, **kwargs: object) -> bytes:
    out = io.BytesIO()
    export(store, out, fmt, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("fmt", list(DATASET_FORMATS), ids=str)
def test_dataset_export_of_the_shared_set_parses_back_to_the_same_quads(
    shared_memory_store: ox.Store, expected_dataset: tuple[int, str], fmt: ExportFormat
) -> None:
    parsed = _reparsed(_export(shared_memory_store, fmt), DATASET_FORMATS[fmt])
    assert _digest(parsed) == expected_dataset


@pytest.mark.parametrize("fmt", list(TRIPLE_FORMATS), ids=str)
def test_triple_export_of_the_shared_set_parses_back_to_the_union_graph(
    shared_memory_store: ox.Store, expected_union: tuple[int, str], fmt: ExportFormat
) -> None:
    parsed = _reparsed(_export(shared_memory_store, fmt), TRIPLE_FORMATS[fmt], triples=True)
    assert _digest(parsed) == expected_union


def test_export_leaves_out_the_ontology_graph(seed_store: ox.Store) -> None:
    store = ox.Store()
    store.extend(seed_store)
    load_ontology(store)
    graphs = {
        q.graph_name for q in ox.parse(_export(store, ExportFormat.NQUADS), ox.RdfFormat.N_QUADS)
    }
    assert graphs == {ox.NamedNode(f"{DEFAULT_BASE}graph/{SEED_NCT}")}


def test_turtle_export_declares_the_vocabulary_prefixes(seed_store: ox.Store) -> None:
    text = _export(seed_store, ExportFormat.TURTLE).decode()
    assert "@prefix schema: <http://schema.org/> ." in text
    assert "schema:sponsor" in text


def test_turtle_export_writes_each_subject_once(seed_store: ox.Store) -> None:
    text = _export(seed_store, ExportFormat.TURTLE).decode()
    blocks = [line.split(" ")[0] for line in text.splitlines() if line.startswith("<")]
    assert len(blocks) == len(set(blocks))


def test_export_is_byte_identical_for_the_same_data(seed_store: ox.Store) -> None:
    copy = ox.Store()
    copy.extend(reversed(list(seed_store)))
    for fmt in (ExportFormat.TURTLE, ExportFormat.JSONLD, ExportFormat.RDFXML):
        assert _export(seed_store, fmt) == _export(copy, fmt), fmt


def test_json_ld_export_uses_the_context_short_names(seed_store: ox.Store) -> None:
    text = _export(seed_store, ExportFormat.JSONLD).decode()
    assert '"sponsor": [' in text
    assert '"type": "MedicalTrial"' in text
    assert '"startDate": "2019-02-18"' in text


def test_json_ld_export_of_the_seed_is_isomorphic_for_rdflib_too(seed_store: ox.Store) -> None:
    expected = rdflib.Graph()
    expected.parse(data=_export(seed_store, ExportFormat.NTRIPLES), format="nt")
    parsed = rdflib.Graph()
    parsed.parse(data=_export(seed_store, ExportFormat.JSONLD), format="json-ld")
    assert isomorphic(parsed, expected)


def test_trial_export_holds_only_that_trials_graph(seed_store: ox.Store) -> None:
    data = _export(seed_store, ExportFormat.NQUADS, trials=[SEED_NCT.lower()])
    graphs = {q.graph_name.value for q in ox.parse(data, ox.RdfFormat.N_QUADS)}
    assert graphs == {f"{DEFAULT_BASE}graph/{SEED_NCT}"}


def test_unknown_trial_is_a_usage_error(seed_store: ox.Store) -> None:
    with pytest.raises(UsageError, match="NCT99999999"):
        _export(seed_store, ExportFormat.TURTLE, trials=["NCT99999999"])


def test_schemaorg_export_needs_exactly_one_trial(seed_store: ox.Store) -> None:
    with pytest.raises(UsageError, match="one --trial"):
        _export(seed_store, ExportFormat.SCHEMAORG)


def test_gzipped_dump_holds_the_same_bytes_as_the_plain_one(
    seed_store: ox.Store, tmp_path: Path
) -> None:
    plain = export_file(seed_store, tmp_path / "seed.nq")
    zipped = export_file(seed_store, tmp_path / "seed.nq.gz")
    assert gzip.decompress(zipped.path.read_bytes()) == plain.path.read_bytes()


def test_dump_file_gets_a_sha256sum_checksum_file(seed_store: ox.Store, tmp_path: Path) -> None:
    dump = export_file(seed_store, tmp_path / "seed.ttl.gz")
    digest = hashlib.sha256(dump.path.read_bytes()).hexdigest()
    assert (tmp_path / "seed.ttl.gz.sha256").read_text() == f"{digest}  seed.ttl.gz\n"
    assert (dump.sha256, dump.size) == (digest, dump.path.stat().st_size)


def test_read_dump_takes_the_checksum_from_a_current_checksum_file(
    seed_store: ox.Store, tmp_path: Path
) -> None:
    dump = export_file(seed_store, tmp_path / "seed.nt")
    (tmp_path / "seed.nt.sha256").write_text(f"{'0' * 64}  seed.nt\n")
    assert read_dump(dump.path).sha256 == "0" * 64


def test_read_dump_hashes_a_file_newer_than_its_checksum(
    seed_store: ox.Store, tmp_path: Path
) -> None:
    dump = export_file(seed_store, tmp_path / "seed.nt")
    sidecar = tmp_path / "seed.nt.sha256"
    sidecar.write_text(f"{'0' * 64}  seed.nt\n")
    os.utime(sidecar, (0, 0))
    assert read_dump(dump.path).sha256 == dump.sha256


def test_unknown_extension_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown export format"):
        format_for_path(Path("dump.xlsx"))


def test_rdf_xml_parser_does_not_expand_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    document = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY leak SYSTEM "file://{secret}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">
  <rdf:Description rdf:about="http://example.org/x"><s:name>&leak;</s:name></rdf:Description>
</rdf:RDF>"""
    try:
        values = [q.object.value for q in ox.parse(document.encode(), ox.RdfFormat.RDF_XML)]
    except SyntaxError:
        values = []
    assert not any("TOP-SECRET" in v for v in values)
