"""``kg load``: RDF files into the store, as the README's route to similar trials on the page."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from cli_support import SEED_NCT, kg, serving

from kg.sinks import open_store

BASE = "https://w3id.org/trialkg/"
TKG = "https://w3id.org/trialkg/ontology#"
EX = "https://example.org/"


def _quads(store: Path, graph: str) -> set[ox.Quad]:
    opened = open_store(store)
    try:
        return set(opened.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    finally:
        del opened


def _graphs(store: Path) -> set[str]:
    opened = open_store(store)
    try:
        return {g.value for g in opened.named_graphs() if isinstance(g, ox.NamedNode)}
    finally:
        del opened


def test_the_readme_route_similar_all_load_then_similar_trials_on_the_page(
    small_store: Path, tmp_path: Path
) -> None:
    sim = tmp_path / "sim.nq"
    made = kg("similar", "--all", "-o", sim, "--k", "3", "--store", small_store)
    assert made.returncode == 0, made.stderr
    # What the file says, read with a plain parser: the seed's computed neighbours.
    expected = {
        q.object.value.rsplit("/", 1)[1]
        for q in ox.parse(path=sim, format=ox.RdfFormat.N_QUADS)
        if q.predicate.value == TKG + "target"
        and (BASE + "graph/similarity/") in q.graph_name.value
        and q.graph_name.value.endswith(SEED_NCT)
    }
    assert expected, "the seed has similar trials in this store"
    refused = kg("build", sim, "--store", small_store)
    assert refused.returncode == 2 and "kg load" in refused.stderr
    loaded = kg("load", sim, "--store", small_store)
    assert loaded.returncode == 0, loaded.stderr
    assert re.match(r"kg: \d+ quads in \d+ graphs from 1 file -> ", loaded.stderr)
    file_quads = set(ox.parse(path=sim, format=ox.RdfFormat.N_QUADS))
    stored = set()
    for graph in {q.graph_name.value for q in file_quads}:
        stored |= _quads(small_store, graph)
    assert stored == file_quads
    with serving(small_store) as served:
        status, page = served.get(f"/trial/{SEED_NCT}.html")
    assert status == 200
    shown = set(re.findall(r'<li class="similar"><a href="/trial/(NCT\d{8})"', page))
    assert shown == expected


def test_loading_again_replaces_the_graphs_it_holds(small_store: Path, tmp_path: Path) -> None:
    g = f"{EX}graph/extra"
    first = tmp_path / "first.nq"
    first.write_text(f"<{EX}a> <{EX}p> \"old\" <{g}> .\n<{EX}a> <{EX}q> \"gone\" <{g}> .\n")
    second = tmp_path / "second.nq"
    second.write_text(f"<{EX}a> <{EX}p> \"new\" <{g}> .\n")
    assert kg("load", first, "--store", small_store).returncode == 0
    assert kg("load", second, "--store", small_store).returncode == 0
    assert {q.object.value for q in _quads(small_store, g)} == {"new"}
    # The trials built before are still there.
    assert f"{BASE}graph/{SEED_NCT}" in _graphs(small_store)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("extra.ttl", f"@prefix ex: <{EX}> .\nex:a ex:p \"turtle\" .\n"),
        ("extra.nt", f"<{EX}a> <{EX}p> \"ntriples\" .\n"),
        ("extra.jsonld", f'{{"@id": "{EX}a", "{EX}p": "jsonld"}}'),
        ("extra.rdf", '<?xml version="1.0"?><rdf:RDF xmlns:rdf='
                      '"http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                      f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}a">'
                      "<ex:p>rdfxml</ex:p></rdf:Description></rdf:RDF>"),
    ],
)
def test_triples_go_into_the_files_graph(
    small_store: Path, tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    done = kg("load", path, "--store", small_store)
    assert done.returncode == 0, done.stderr
    quads = _quads(small_store, path.resolve().as_uri())
    assert {(q.subject.value, q.predicate.value) for q in quads} == {(f"{EX}a", f"{EX}p")}
    # Queries see the union of the named graphs: the loaded triple is found.
    query = tmp_path / "q.rq"
    query.write_text(f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}\n")
    answer = kg("query", query, "-f", "csv", "--store", small_store)
    assert answer.stdout.splitlines()[1:] == [name.split(".")[1].replace("ttl", "turtle")
                                              .replace("nt", "ntriples").replace("rdf", "rdfxml")]


def test_trig_keeps_its_graphs_and_graph_puts_all_in_one(small_store: Path, tmp_path: Path) -> None:
    trig = tmp_path / "two.trig.gz"
    with gzip.open(trig, "wt") as fh:
        fh.write(f"<{EX}g1> {{ <{EX}a> <{EX}p> \"1\" }}\n<{EX}g2> {{ <{EX}b> <{EX}p> \"2\" }}\n")
    assert kg("load", trig, "--store", small_store).returncode == 0
    assert {q.object.value for q in _quads(small_store, f"{EX}g1")} == {"1"}
    assert {q.object.value for q in _quads(small_store, f"{EX}g2")} == {"2"}
    one = f"{EX}graph/one"
    done = kg("load", trig, "--graph", one, "--store", small_store)
    assert done.returncode == 0, done.stderr
    assert {q.object.value for q in _quads(small_store, one)} == {"1", "2"}


def test_bad_rdf_is_one_line_with_file_and_line_and_nothing_is_loaded(
    small_store: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.nq"
    good.write_text(f"<{EX}a> <{EX}p> \"fine\" <{EX}g> .\n")
    bad = tmp_path / "bad.nq"
    bad.write_text(f"<{EX}a> <{EX}p> \"fine\" <{EX}h> .\n<{EX}a> <{EX}p> \"broken <{EX}h> .\n")
    before = _graphs(small_store)
    done = kg("load", good, bad, "--store", small_store)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"kg: error: {bad}: not valid N-Quads: ")
    assert "line 2" in lines[0]
    assert _graphs(small_store) == before  # the good file was not loaded either
    for args, message in [
        ((tmp_path / "none.nq",), "no such file"),
        ((tmp_path / "q.rq",), "not an RDF file name"),
        ((good, "--graph", "not an iri"), "--graph takes an absolute IRI"),
    ]:
        (tmp_path / "q.rq").write_text("SELECT * {}")
        failed = kg("load", *args, "--store", small_store)
        assert failed.returncode == 2
        assert message in failed.stderr
        assert failed.stderr.count(str(args[0].name)) <= 1


def test_load_creates_a_store_that_queries_read(tmp_path: Path) -> None:
    data = tmp_path / "one.nq"
    data.write_text(f"<{BASE}trial/NCT00000001> <http://purl.org/dc/terms/identifier> "
                    f"\"NCT00000001\" <{BASE}graph/NCT00000001> .\n")
    store = tmp_path / "new-store"
    done = kg("load", data, "--store", store)
    assert done.returncode == 0, done.stderr
    assert f"{BASE}graph/NCT00000001" in _graphs(store)
    assert "https://w3id.org/trialkg/ontology" in _graphs(store)
