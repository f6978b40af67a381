"""``kg validate`` and ``kg build --validate``: every source, format and exit code a user meets.

Exit codes go through the real entry point (``python -m kg``); the rest through Typer's runner.
The endpoint tests start a real Oxigraph server with the default graph as the union of graphs.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner
from validate_support import NCT, RECORD, RELATED, graph_of, mapped_quads

from kg.build import build
from kg.cli import app
from kg.errors import EndpointError, InputError, InvalidData, UsageError
from kg.sinks import FileSink

sys.path.insert(0, str(Path(__file__).resolve().parent / "validate"))

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
SCHEMA = "http://schema.org/"
LATITUDE = ox.NamedNode(SCHEMA + "latitude")
SITE1_GEO = ox.NamedNode(f"https://w3id.org/trialkg/trial/{NCT}/site/1/geo")


def kg(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the real console entry point (exit codes and stderr exactly as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], input=stdin, capture_output=True, check=False, cwd=REPO
    )


def valid() -> list[ox.Quad]:
    return mapped_quads(RECORD) + mapped_quads(RELATED)


def broken() -> list[ox.Quad]:
    """The valid records with a latitude of 123.5 at the first site."""
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    quads = [q for q in valid() if not (q.subject == SITE1_GEO and q.predicate == LATITUDE)]
    return [
        *quads,
        ox.Quad(SITE1_GEO, LATITUDE, ox.Literal("123.5", datatype=decimal), graph_of(NCT)),
    ]


def write(path: Path, quads: list[ox.Quad]) -> Path:
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    assert fmt is not None
    if fmt.supports_datasets:
        ox.serialize(quads, output=path, format=fmt)
    else:
        ox.serialize([q.triple for q in quads], output=path, format=fmt)
    return path


@pytest.fixture
def valid_nq(tmp_path: Path) -> Path:
    return write(tmp_path / "valid.nq", valid())


@pytest.fixture
def broken_nq(tmp_path: Path) -> Path:
    return write(tmp_path / "broken.nq", broken())


BROKEN_LINE = (
    "NCT01234567: site/1/geo schema:latitude: a latitude is one xsd:decimal from -90 to 90:"
    ' "123.5"^^xsd:decimal [violation kgsh:GeoLatitude]'
)


# --- exit codes ----------------------------------------------------------------------------------


def test_valid_file_exits_0_with_the_totals(valid_nq: Path) -> None:
    result = kg("validate", str(valid_nq))
    assert (result.returncode, result.stdout.decode().splitlines()) == (
        0,
        ["2 trials checked: 0 violations (0 trials), 0 warnings (0 trials)"],
    )


def test_violations_exit_1_and_each_is_one_line_naming_trial_field_and_value(
    broken_nq: Path,
) -> None:
    result = kg("validate", str(broken_nq))
    assert (result.returncode, result.stdout.decode().splitlines()[0]) == (1, BROKEN_LINE)


def test_violations_are_summed_up_in_the_error(broken_nq: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken_nq), "--format", "json"])
    assert str(result.exception) == "2 trials checked: 1 violation in 1 trial, 0 warnings"


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = kg("validate", str(tmp_path / "nothing.nq"))
    assert (result.returncode, result.stderr.decode().strip()) == (
        2,
        f"kg: error: {tmp_path / 'nothing.nq'}: no such file",
    )


def test_a_file_that_is_not_rdf_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("this is not N-Quads\n", "utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert isinstance(result.exception, InputError)


def test_a_file_and_a_store_together_is_bad_usage(valid_nq: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(valid_nq), "--store", str(tmp_path)])
    assert (type(result.exception), str(result.exception)) == (
        UsageError,
        "give one of FILE, --store or --endpoint",
    )


def test_a_graph_without_trials_is_an_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.nq"
    empty.write_text("<http://a> <http://b> <http://c> .\n", "utf-8")
    result = runner.invoke(app, ["validate", str(empty)])
    assert str(result.exception) == f"{empty}: no trial graphs to validate"


# --- sources ---------------------------------------------------------------------------------


def test_json_format_lists_every_finding(broken_nq: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken_nq), "--format", "json"])
    document = json.loads(result.stdout)
    assert (document["trials"], [r["field"] for r in document["results"]]) == (
        2,
        ["site/1/geo schema:latitude"],
    )


def test_ttl_format_is_the_shacl_report_graph(broken_nq: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken_nq), "--format", "ttl"])
    triples = list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.TURTLE))
    report_type = ox.NamedNode("http://www.w3.org/ns/shacl#ValidationReport")
    assert sum(1 for t in triples if t.object == report_type) == 1


def test_invalid_data_raises_from_the_command(broken_nq: Path) -> None:
    result = runner.invoke(app, ["validate", str(broken_nq)])
    assert isinstance(result.exception, InvalidData)


def test_a_turtle_export_is_cut_into_its_trials(tmp_path: Path) -> None:
    """Without named graphs, each record's trial and what it reaches is one unit."""
    ttl = write(tmp_path / "broken.ttl", broken())
    result = runner.invoke(app, ["validate", str(ttl)])
    assert result.stdout.splitlines()[0] == BROKEN_LINE
    assert "2 trials checked: 1 violation" in result.stdout


def test_n_quads_on_stdin(broken_nq: Path) -> None:
    result = runner.invoke(app, ["validate", "-"], input=broken_nq.read_bytes())
    assert result.stdout.splitlines()[0] == BROKEN_LINE


def _store(path: Path, quads: list[ox.Quad]) -> Path:
    store = ox.Store(str(path))
    store.extend(quads)
    store.flush()
    del store
    return path


def test_store_option_validates_the_store(tmp_path: Path) -> None:
    store = _store(tmp_path / "store", broken())
    result = runner.invoke(app, ["validate", "--store", str(store), "--jobs", "2"])
    assert result.stdout.splitlines()[0] == BROKEN_LINE


def test_default_store_is_kg_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_STORE", str(_store(tmp_path / "mine", valid())))
    result = runner.invoke(app, ["validate"])
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (
        0,
        "2 trials checked: 0 violations (0 trials), 0 warnings (0 trials)",
    )


def test_cross_trial_checks_can_be_left_out(tmp_path: Path) -> None:
    """Only RECORD: its related trial's record is missing, a warning unless told not to look."""
    nq = write(tmp_path / "one.nq", mapped_quads(RECORD))
    with_checks = runner.invoke(app, ["validate", str(nq)])
    without = runner.invoke(app, ["validate", str(nq), "--no-cross-trial"])
    assert ("kgsh:DanglingRelatedTrial" in with_checks.stdout, without.stdout.splitlines()[-1]) == (
        True,
        "1 trial checked: 0 violations (0 trials), 0 warnings (0 trials)",
    )


# --- endpoint --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    """A real Oxigraph server holding the broken records; yields its query URL."""
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the oxigraph server (pip package 'oxigraph') is needed for endpoint tests")
    data = write(tmp_path / "data.nq", broken())
    location = tmp_path / "server"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(data)], check=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_endpoint_trial_graphs_are_validated(endpoint: str) -> None:
    result = runner.invoke(app, ["validate", "--endpoint", endpoint])
    assert result.stdout.splitlines()[0] == BROKEN_LINE


def test_endpoint_report_counts_every_trial_graph(endpoint: str) -> None:
    result = runner.invoke(app, ["validate", "--endpoint", endpoint, "--format", "json"])
    assert json.loads(result.stdout)["trials"] == 2


def test_an_endpoint_that_does_not_answer_is_an_endpoint_error() -> None:
    result = runner.invoke(app, ["validate", "--endpoint", f"http://127.0.0.1:{_free_port()}/q"])
    assert isinstance(result.exception, EndpointError)


# --- kg build --validate ---------------------------------------------------------------------


def _study(nct: str, eudract: str) -> dict[str, object]:
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct,
                "briefTitle": "A test trial",
                "secondaryIdInfos": [{"id": eudract, "type": "EUDRACT_NUMBER"}],
            },
            "statusModule": {"overallStatus": "RECRUITING"},
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": "Acme", "class": "INDUSTRY"}},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE1"]},
        }
    }


@pytest.fixture
def inputs(tmp_path: Path) -> list[str]:
    good = tmp_path / "good.json"
    bad = tmp_path / "bad.json"
    good.write_text(json.dumps(_study("NCT99999921", "2017-002092-25")), "utf-8")
    bad.write_text(json.dumps(_study("NCT99999922", "2017-2092-25")), "utf-8")
    return [str(good), str(bad)]


def test_build_validate_reports_a_record_that_breaks_the_shapes(
    inputs: list[str], tmp_path: Path
) -> None:
    result = kg("build", *inputs, "--validate", "-o", str(tmp_path / "out.nq"))
    assert (result.returncode, result.stderr.decode().splitlines()[0]) == (
        2,
        f"kg: error: {inputs[1]}: NCT99999922: identifier/1 schema:value: breaks the SHACL"
        ' shapes: a EudraCT number is YYYY-NNNNNN-CC: "2017-2092-25" [kgsh:EudraCTNumber]',
    )


def test_build_validate_keeps_the_bad_record_out(inputs: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out.nq"
    report = build(inputs, FileSink(out), validate=True)
    graphs = {q.graph_name.value for q in ox.parse(path=out, format=ox.RdfFormat.N_QUADS)}
    assert (graphs, [e.record for e in report.errors]) == (
        {"https://w3id.org/trialkg/graph/NCT99999921"},
        ["NCT99999922"],
    )


def test_build_without_validate_writes_the_bad_record(inputs: list[str], tmp_path: Path) -> None:
    report = build(inputs, FileSink(tmp_path / "out.nq"))
    assert (report.records, report.errors) == (2, [])
