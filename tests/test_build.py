"""``kg build``: formats, determinism, one node per organisation, bad input, atomicity."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from typer.testing import CliRunner

from kg.cli import app

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
runner = CliRunner()


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point (exit codes and stderr exactly as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, check=False, cwd=REPO
    )


def sorted_lines(path: Path) -> list[str]:
    return sorted(path.read_text("utf-8").splitlines())


@pytest.fixture
def study(tmp_path: Path) -> dict[str, object]:
    """A small valid API v2 study written by this test (fictitious NCT id)."""
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": "NCT99999911",
                "orgStudyIdInfo": {"id": "ORG-1"},
                "briefTitle": "A test trial",
                "organization": {"fullName": "Test Org", "class": "OTHER"},
            },
            "statusModule": {
                "overallStatus": "RECRUITING",
                "startDateStruct": {"date": "2024-01", "type": "ACTUAL"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": "Acme Pharma", "class": "INDUSTRY"},
                "collaborators": [{"name": "University of Nowhere", "class": "OTHER"}],
            },
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE1"]},
        }
    }


def write_json(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj), "utf-8")
    return path


@pytest.mark.parametrize(
    "ext", [".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".nq.gz", ".ttl.gz"]
)
def test_every_output_format_parses_with_rdflib_and_pyoxigraph(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"seed{ext}"
    result = runner.invoke(app, ["build", str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = gzip.decompress(out.read_bytes()) if ext.endswith(".gz") else out.read_bytes()
    plain_ext = ext.removesuffix(".gz")
    fmt = ox.RdfFormat.from_extension(plain_ext.lstrip("."))
    assert fmt is not None
    quads = list(ox.parse(data, fmt))
    assert len(quads) > 400
    rdf_format = {
        ".ttl": "turtle",
        ".nt": "nt",
        ".nq": "nquads",
        ".trig": "trig",
        ".jsonld": "json-ld",
        ".rdf": "xml",
    }[plain_ext]
    graph = rdflib.Dataset() if rdf_format in ("nquads", "trig", "json-ld") else rdflib.Graph()
    graph.parse(data=data, format=rdf_format)
    assert len(graph) > 0 or sum(len(g) for g in graph.graphs()) > 400  # type: ignore[attr-defined]


def test_building_twice_gives_identical_ntriples(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    for out in (first, second):
        assert (
            runner.invoke(
                app, ["build", str(SEED), str(CTGOV / "NCT05814159.json"), "-o", str(out)]
            ).exit_code
            == 0
        )
    assert sorted_lines(first) == sorted_lines(second)
    assert first.read_bytes() == second.read_bytes()


def test_build_timestamp_follows_source_date_epoch(tmp_path: Path) -> None:
    out = tmp_path / "a.nq"
    assert runner.invoke(app, ["build", str(SEED), "-o", str(out)]).exit_code == 0
    assert '"2023-11-14T22:13:20Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in out.read_text()


def test_iris_do_not_depend_on_the_input_folder(tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / SEED.name
    moved.parent.mkdir()
    shutil.copy(SEED, moved)
    a, b = tmp_path / "a.nt", tmp_path / "b.nt"
    assert runner.invoke(app, ["build", str(SEED), "-o", str(a)]).exit_code == 0
    assert runner.invoke(app, ["build", str(moved), "-o", str(b)]).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_same_organisation_name_in_several_records_is_one_node(tmp_path: Path, study: dict) -> None:
    other = json.loads(json.dumps(study))
    other["protocolSection"]["identificationModule"]["nctId"] = "NCT99999912"
    write_json(tmp_path / "one.json", study)
    write_json(tmp_path / "two.json", other)
    out = tmp_path / "g.nq"
    assert (
        runner.invoke(
            app, ["build", str(tmp_path / "one.json"), str(tmp_path / "two.json"), "-o", str(out)]
        ).exit_code
        == 0
    )
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    result = store.query(
        "SELECT DISTINCT ?org WHERE { ?t <http://schema.org/sponsor> ?org . "
        '?org <http://schema.org/name> "Acme Pharma" }',
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    assert len(list(result)) == 1
    trials = store.query(
        "SELECT DISTINCT ?t WHERE { ?t <http://schema.org/sponsor> ?org }",
        use_default_graph_as_union=True,
    )
    assert isinstance(trials, ox.QuerySolutions)
    assert len(list(trials)) == 2


def test_each_trial_gets_its_own_named_graph_with_provenance(tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    assert runner.invoke(app, ["build", str(SEED), "-o", str(out)]).exit_code == 0
    graphs = {q.graph_name.value for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {"https://w3id.org/trialkg/graph/NCT03737461"}
    text = out.read_text()
    assert "<http://www.w3.org/ns/prov#wasDerivedFrom>" in text
    assert '"000_9a170ffc83e8bfff.txt"' in text


def test_base_option_changes_the_data_namespace(tmp_path: Path) -> None:
    out = tmp_path / "g.nt"
    assert (
        runner.invoke(
            app, ["build", str(SEED), "--base", "http://example.org/kg/", "-o", str(out)]
        ).exit_code
        == 0
    )
    assert "<http://example.org/kg/trial/NCT03737461>" in out.read_text()
    assert "w3id.org/trialkg/trial" not in out.read_text()


# --- bad input ------------------------------------------------------------------------------------


def test_truncated_json_is_one_line_naming_the_file_and_the_rest_is_built(
    tmp_path: Path, study: dict
) -> None:
    good = write_json(tmp_path / "good.json", study)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(study)[:-40], "utf-8")
    out = tmp_path / "g.nt"
    result = kg("build", str(good), str(bad), "-o", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("kg: error:")]
    assert len(errors) == 1
    assert str(bad) in errors[0]
    assert "NCT99999911" in out.read_text()


def test_unknown_phase_names_file_record_and_field(tmp_path: Path, study: dict) -> None:
    study["protocolSection"]["designModule"]["phases"] = ["PHASE9"]  # type: ignore[index]
    bad = write_json(tmp_path / "a.json", study)
    result = kg("build", str(bad), str(SEED), "-o", str(tmp_path / "g.nt"))
    assert result.returncode == 2
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("kg: error:")]
    assert (
        line == f"kg: error: {bad}: NCT99999911: protocolSection.designModule.phases: "
        "unknown value 'PHASE9'"
    )
    assert "NCT03737461" in (tmp_path / "g.nt").read_text()


def test_page_without_nct_id_is_reported_and_skipped(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(SEED.read_text("utf-8").replace("NCT ID: NCT03737461", "NCT ID: "), "utf-8")
    result = kg("build", str(page), str(CTGOV / "NCT05814159.json"), "-o", str(tmp_path / "g.nt"))
    assert result.returncode == 2
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("kg: error:")]
    assert str(page) in line
    assert "NCT ID" in line
    assert "NCT05814159" in (tmp_path / "g.nt").read_text()


def test_strict_stops_at_the_first_bad_record_and_writes_nothing(
    tmp_path: Path, study: dict
) -> None:
    study["protocolSection"]["designModule"]["phases"] = ["PHASE9"]  # type: ignore[index]
    bad = write_json(tmp_path / "a.json", study)
    out = tmp_path / "g.nt"
    result = kg("build", "--strict", str(SEED), str(bad), "-o", str(out))
    assert result.returncode == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]  # no temporary file left behind


def test_failed_strict_build_leaves_an_existing_output_untouched(
    tmp_path: Path, study: dict
) -> None:
    out = tmp_path / "g.nt"
    out.write_text("previous\n")
    study["protocolSection"]["designModule"]["phases"] = ["PHASE9"]  # type: ignore[index]
    bad = write_json(tmp_path / "a.json", study)
    assert kg("build", "--strict", str(bad), "-o", str(out)).returncode == 2
    assert out.read_text() == "previous\n"


def test_strict_build_into_a_new_store_creates_no_store(tmp_path: Path, study: dict) -> None:
    study["protocolSection"]["designModule"]["phases"] = ["PHASE9"]  # type: ignore[index]
    bad = write_json(tmp_path / "a.json", study)
    store = tmp_path / "store"
    assert kg("build", "--strict", str(SEED), str(bad), "--store", str(store)).returncode == 2
    assert not store.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_unknown_output_extension_is_a_usage_error(tmp_path: Path) -> None:
    result = kg("build", str(SEED), "-o", str(tmp_path / "g.xyz"))
    assert result.returncode == 2
    assert "unknown output format" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_input_is_reported(tmp_path: Path) -> None:
    result = kg("build", str(tmp_path / "nope.json"), "-o", str(tmp_path / "g.nt"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_unrecognised_content_is_reported(tmp_path: Path) -> None:
    odd = tmp_path / "notes.csv"
    odd.write_text("a,b\n1,2\n")
    result = kg("build", str(odd), "-o", str(tmp_path / "g.nt"))
    assert result.returncode == 2
    assert str(odd) in result.stderr


# --- inputs ---------------------------------------------------------------------------------------


def test_stdin_ndjson_and_zip_inputs(tmp_path: Path, study: dict) -> None:
    import zipfile

    other = json.loads(json.dumps(study))
    other["protocolSection"]["identificationModule"]["nctId"] = "NCT99999912"
    ndjson = json.dumps(study) + "\n" + json.dumps(other) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "kg", "build", "-", "-o", str(tmp_path / "a.nt")],
        input=ndjson,
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("NCT9999xxxx/NCT99999911.json", json.dumps(study))
        zf.writestr("NCT9999xxxx/NCT99999912.json", json.dumps(other))
    assert kg("build", str(archive), "-o", str(tmp_path / "b.nt")).returncode == 0

    def facts(path: Path) -> list[str]:  # the source (stdin vs zip member) differs, nothing else
        return [ln for ln in sorted_lines(path) if "/source/" not in ln and "prov#" not in ln]

    assert facts(tmp_path / "a.nt") == facts(tmp_path / "b.nt")
    assert "NCT99999912" in (tmp_path / "b.nt").read_text()


def test_folder_input_with_two_workers_equals_one_worker(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("NCT05814159.json", "NCT06305754.json", "NCT00004635.xml", "NCT00001262.xml"):
        shutil.copy(CTGOV / name, folder / name)
    shutil.copy(SEED, folder / SEED.name)
    assert kg("build", str(folder), "-j", "1", "-o", str(tmp_path / "a.nt")).returncode == 0
    assert kg("build", str(folder), "-j", "2", "-o", str(tmp_path / "b.nt")).returncode == 0
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()


def test_one_zip_is_mapped_by_the_workers_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip (the registry's bulk download is one) holds many records: -j N maps them in N
    processes, with the same output as one; a single record file keeps one process."""
    import importlib
    import zipfile

    building = importlib.import_module("kg.build")  # (kg here is the helper that runs kg)
    archive = tmp_path / "registry.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name in ("NCT05814159.json", "NCT06305754.json", "NCT00004635.xml"):
            out.write(CTGOV / name, name)
    pools: list[int | None] = []
    real = building.ProcessPoolExecutor

    def spy(max_workers: int | None = None):  # type: ignore[no-untyped-def]
        pools.append(max_workers)
        return real(max_workers=max_workers)

    monkeypatch.setattr(building, "ProcessPoolExecutor", spy)
    runner = CliRunner()
    for jobs, out in (("1", "a.nt"), ("2", "b.nt")):
        done = runner.invoke(app, ["build", str(archive), "-j", jobs, "-o", str(tmp_path / out)])
        assert done.exit_code == 0, done.output
    one = runner.invoke(app, ["build", str(SEED), "-j", "2", "-o", str(tmp_path / "c.nt")])
    assert one.exit_code == 0, one.output
    assert pools == [2]  # the zip with -j 2 only: not -j 1, not the single record file
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()


# --- the store ------------------------------------------------------------------------------------


def test_default_store_then_query_prints_the_sponsors(tmp_path: Path) -> None:
    assert kg("build", str(SEED)).returncode == 0
    result = kg("query", "trial-sponsors", "--param", "nct=NCT03737461", "--format", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("name,class,role")
    assert len(lines) == 18
    assert "Citospin,INDUSTRY,sponsor" in result.stdout


def test_rebuilding_a_trial_replaces_its_graph(tmp_path: Path, study: dict) -> None:
    store = tmp_path / "store"
    path = write_json(tmp_path / "a.json", study)
    assert kg("build", str(path), "--store", str(store)).returncode == 0
    study["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"  # type: ignore[index]
    study["protocolSection"]["sponsorCollaboratorsModule"]["collaborators"] = []  # type: ignore[index]
    write_json(path, study)
    assert kg("build", str(path), "--store", str(store)).returncode == 0
    query = tmp_path / "facts.rq"
    query.write_text(
        "SELECT ?p ?o WHERE { <https://w3id.org/trialkg/trial/NCT99999911> ?p ?o "
        "FILTER(?p IN (<http://schema.org/status>, <http://schema.org/sponsor>)) } ORDER BY ?p ?o"
    )
    out = kg("query", "--store", str(store), str(query), "-f", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1:] == [
        "http://schema.org/sponsor,https://w3id.org/trialkg/org/acme-pharma",
        "http://schema.org/status,http://schema.org/Completed",
    ]


def test_query_on_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = kg(
        "query", "trial-sponsors", "-p", "nct=NCT03737461", "--store", str(tmp_path / "none")
    )
    assert result.returncode == 2
    assert result.stderr.startswith("kg: error:")
    assert "kg build" in result.stderr
