"""`kg similar` and `kg network` through the command line: formats, files and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from lxml import etree
from rdflib import Graph
from rdflib.namespace import OWL, RDF
from typer.testing import CliRunner

from kg.cli import app
from kg.ontology import ONTOLOGY_FILE
from kg.similarity.explain import similar_all
from kg.similarity.features import FeatureMatrix
from kg.similarity.output import write_similarities
from kg.terms import DEFAULT_BASE

SEED = "NCT03737461"
TKG = "https://w3id.org/trialkg/ontology#"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def similarities(shared_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kg similar --all -o FILE.nq` over the shared store."""
    out = tmp_path_factory.mktemp("all") / "similar.nq"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        result = CliRunner().invoke(
            app, ["similar", "--all", "-k", "3", "-o", str(out), "--store", str(shared_store_path)]
        )
    assert result.exit_code == 0, result.output
    return out


def test_all_writes_k_similarities_per_trial(similarities: Path) -> None:
    store = ox.Store()
    store.load(path=str(similarities), format=ox.RdfFormat.N_QUADS)
    count = store.query(
        f"SELECT (COUNT(?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a <{TKG}Similarity> }} }}"
    )
    assert isinstance(count, ox.QuerySolutions)
    assert int(next(iter(count))["n"].value) == 708 * 3


def test_similarities_load_back_beside_the_records(similarities: Path, seed_nq: Path) -> None:
    store = ox.Store()
    store.load(path=str(seed_nq), format=ox.RdfFormat.N_QUADS)
    store.load(path=str(similarities), format=ox.RdfFormat.N_QUADS)
    query = f"""
    PREFIX tkg: <{TKG}> PREFIX schema: <http://schema.org/>
    SELECT ?score ?method ?name WHERE {{
      ?x a tkg:Similarity ; tkg:source ?t ; tkg:score ?score ; tkg:method ?method ;
         tkg:sharedFeature ?f .
      ?t schema:name ?name .
    }}"""
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    rows = list(result)
    assert rows
    assert all(0 < float(r["score"].value) <= 1 and r["method"].value == "jaccard" for r in rows)


def test_similarity_terms_are_declared_in_the_ontology(similarities: Path) -> None:
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    declared = {str(s) for s in ontology.subjects(RDF.type, None) if str(s).startswith(TKG)}
    store = ox.Store()
    store.load(path=str(similarities), format=ox.RdfFormat.N_QUADS)
    used = {q.predicate.value for q in store} | {
        q.object.value for q in store if q.predicate.value == str(RDF.type)
    }
    assert {u for u in used if u.startswith(TKG)} <= declared
    assert str(OWL.Class) not in used


def test_similarity_file_is_reproducible(
    similarities: Path, shared_features: FeatureMatrix, tmp_path: Path
) -> None:
    again = tmp_path / "again.nq"
    write_similarities(similar_all(shared_features, 3, limit=3), again, DEFAULT_BASE)
    assert again.read_bytes() == similarities.read_bytes()


def test_json_answer_lists_matches_and_shared_features(shared_store_path: Path, kg: Run) -> None:
    code, out, _ = kg("similar", SEED, "-k", "3", "--method", "cosine", "--format", "json",
                        "--store", str(shared_store_path))
    assert code == 0
    (answer,) = json.loads(out)
    assert answer["method"] == "cosine"
    assert [m["rank"] for m in answer["matches"]] == [1, 2, 3]
    assert all(m["shared"] and m["shared"][0]["label"] for m in answer["matches"])


def test_trial_without_shareable_features_gets_a_message_and_exit_0(
    seed_only_store: Path, kg: Run
) -> None:
    code, out, err = kg("similar", SEED, "--store", str(seed_only_store))
    assert code == 0
    assert "no feature" in out
    assert "no feature" in err


def test_csv_and_ttl_formats(seed_only_store: Path, kg: Run) -> None:
    code, out, _ = kg("similar", SEED, "-f", "csv", "--store", str(seed_only_store))
    assert code == 0
    assert out.splitlines()[0] == "source,rank,target,score,method,title,shared"
    code, out, _ = kg("similar", SEED, "-f", "ttl", "--store", str(seed_only_store))
    assert code == 0
    assert "Similarity" not in out  # nothing similar: the graph's provenance only


@pytest.mark.parametrize(
    "args",
    [
        ["similar"],
        ["similar", "NCT00000000"],
        ["similar", "--all"],
        ["similar", SEED, "--all", "-o", "x.nq"],
        ["similar", SEED, "--k", "0"],
    ],
)
def test_bad_usage_exits_2(seed_only_store: Path, args: list[str], kg: Run) -> None:
    code, _, _ = kg(*args, "--store", str(seed_only_store))
    assert code == 2


@pytest.mark.parametrize(
    "args", [["similar", SEED, "--method", "simrank"], ["network", "people", "-o", "x.svg"]]
)
def test_unknown_choice_exits_2(seed_only_store: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--store", str(seed_only_store)])
    assert result.exit_code == 2


def test_missing_store_exits_2(tmp_path: Path, kg: Run) -> None:
    code, _, _ = kg("similar", SEED, "--store", str(tmp_path / "none"))
    assert code == 2


# --- kg network -------------------------------------------------------------------------------


def test_sponsor_network_svg_is_labelled(shared_store_path: Path, tmp_path: Path, kg: Run) -> None:
    out = tmp_path / "sponsors.svg"
    code, _, err = kg("network", "sponsors", "--trial", SEED, "-o", str(out),
                        "--store", str(shared_store_path))
    assert code == 0, err
    root = etree.parse(str(out)).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Citospin" in text
    assert "University of Navarra" in text
    assert f"Co-sponsorship network around {SEED}" in text


def test_trial_network_png_is_a_png(shared_store_path: Path, tmp_path: Path, kg: Run) -> None:
    out = tmp_path / "trials.png"
    code, _, err = kg("network", "trials", "--trial", SEED, "--max-nodes", "12", "-o", str(out),
                        "--store", str(shared_store_path))
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_site_network_graphml_opens_in_networkx(
    shared_store_path: Path, tmp_path: Path, kg: Run
) -> None:
    out = tmp_path / "sites.graphml"
    code, _, _ = kg("network", "sites", "--trial", SEED, "-o", str(out),
                      "--store", str(shared_store_path))
    assert code == 0
    graph = nx.read_graphml(out)
    labels = {d["label"] for _, d in graph.nodes(data=True)}
    assert "UH Montpellier" in labels or any("Montpellier" in lab for lab in labels)
    assert all("community" in d for _, d in graph.nodes(data=True))


def test_sponsor_network_gexf_around_a_sponsor(
    shared_store_path: Path, tmp_path: Path, kg: Run
) -> None:
    out = tmp_path / "sponsor.gexf"
    code, _, _ = kg("network", "sponsors", "--sponsor", "Citospin", "-o", str(out),
                      "--store", str(shared_store_path))
    assert code == 0
    graph = nx.read_gexf(out)
    assert any(d.get("focus") for _, d in graph.nodes(data=True))


@pytest.mark.parametrize(
    "args",
    [
        ["network", "sponsors", "-o", "net.pdf"],
        ["network", "sponsors", "--trial", "NCT00000000", "-o", "net.svg"],
        ["network", "sponsors", "--sponsor", "No Such Sponsor Anywhere", "-o", "net.svg"],
    ],
)
def test_network_bad_usage_exits_2(
    shared_store_path: Path, tmp_path: Path, args: list[str], kg: Run
) -> None:
    args = [a if not a.startswith("net.") else str(tmp_path / a) for a in args]
    code, _, _ = kg(*args, "--store", str(shared_store_path))
    assert code == 2


def test_evaluate_flag_writes_the_report(seed_only_store: Path, kg: Run) -> None:
    code, out, _ = kg("similar", "--evaluate", "--store", str(seed_only_store))
    assert code == 0
    assert out.startswith("Ground truth: 0 linked pairs")


def test_evaluate_module_runs_from_the_command_line(
    seed_only_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg.similarity.evaluate import main as evaluate_main

    assert evaluate_main(["--store", str(seed_only_store)]) == 0
    assert "| jaccard |" in capsys.readouterr().out


def test_fast_all_writes_a_file(seed_only_store: Path, tmp_path: Path, kg: Run) -> None:
    out = tmp_path / "fast.ttl"
    code, _, err = kg("similar", "--all", "--fast", "-o", str(out), "--store", str(seed_only_store))
    assert code == 0
    assert "0 similarities of 1 trial" in err
    assert out.is_file()
