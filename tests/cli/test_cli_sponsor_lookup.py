"""One sponsor name look-up: what ``kg query`` prints or finds, ``kg network --sponsor`` finds."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from cli_support import SEED_NCT, kg
from typer.testing import CliRunner

from kg.cli import app


def _raw_sponsor_names(records: list[Path]) -> dict[str, set[str]]:
    """NCT id -> every sponsor name its raw record states (lead and collaborators)."""
    names: dict[str, set[str]] = {}
    for path in records:
        if path.suffix == ".json":
            study = json.loads(path.read_text("utf-8"))
            module = study["protocolSection"].get("sponsorCollaboratorsModule", {})
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            found = {module["leadSponsor"]["name"]} if "leadSponsor" in module else set()
            found |= {c["name"] for c in module.get("collaborators", [])}
        else:
            root = ET.parse(path).getroot()  # noqa: S314
            nct = root.findtext("id_info/nct_id") or ""
            found = {a.text or "" for a in root.iterfind("sponsors/*/agency")}
        names[nct] = found
    return names


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _network(store: Path, tmp_path: Path, sponsor: str, *, in_process: bool = False) -> nx.Graph:
    """``kg network sponsors --sponsor SPONSOR``'s graph: a subprocess, or the same command
    in this process (``in_process``: for a loop over many names, without a start-up each)."""
    out = tmp_path / "net.graphml"
    args = ["network", "sponsors", "--sponsor", sponsor, "-o", str(out), "--store", str(store)]
    if in_process:
        ran = CliRunner().invoke(app, args)
        assert ran.exit_code == 0, (sponsor, ran.output)
    else:
        done = kg(*args)
        assert done.returncode == 0, (sponsor, done.stderr)
    return nx.read_graphml(out)


def test_every_sponsor_the_seed_lists_is_found_by_network(
    small_store_path: Path, tmp_path: Path
) -> None:
    printed = _rows(kg("query", "trial-sponsors", "-p", f"nct={SEED_NCT}", "-f", "csv",
                       "--store", small_store_path).stdout)
    assert "University Hospital, Montpellier" in {r["name"] for r in printed}
    for row in printed:  # the command itself runs as a subprocess in the tests below
        graph = _network(small_store_path, tmp_path, row["name"], in_process=True)
        focus = {n for n, d in graph.nodes(data=True) if d.get("focus")}
        assert row["org"] in focus, row


@pytest.mark.parametrize(
    "spelling",
    ["University Hospital, Montpellier", "UNIVERSITY HOSPITAL, MONTPELLIER",
     "university hospital montpellier"],
)
def test_network_finds_every_trial_sponsor_trials_finds(
    small_store_path: Path, cli_records: list[Path], tmp_path: Path, spelling: str
) -> None:
    raw = _raw_sponsor_names(cli_records)
    # The raw records: which shared trials name this sponsor.
    by_raw = {nct for nct, names in raw.items() if "University Hospital, Montpellier" in names}
    assert len(by_raw) >= 2
    found = _rows(kg("query", "sponsor-trials", "-p", "sponsor=University Hospital, Montpellier",
                     "-f", "csv", "--store", small_store_path).stdout)
    assert by_raw <= {r["nct"] for r in found}
    graph = _network(small_store_path, tmp_path, spelling)
    focus = {n for n, d in graph.nodes(data=True) if d.get("focus")}
    assert {r["org"] for r in found} <= focus


def test_an_unknown_sponsor_is_one_line_and_exit_2(small_store_path: Path, tmp_path: Path) -> None:
    done = kg("network", "sponsors", "--sponsor", "No Such Sponsor Ltd", "-o",
              tmp_path / "x.svg", "--store", small_store_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "kg: error: --sponsor 'No Such Sponsor Ltd': no sponsor of that name in the store"
    )


def test_part_of_a_name_is_told_the_whole_names(small_store_path: Path, tmp_path: Path) -> None:
    done = kg("network", "sponsors", "--sponsor", "montpellier", "-o", tmp_path / "x.svg",
              "--store", small_store_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "no sponsor of that name in the store; sponsors whose names contain it: " in done.stderr
    names = done.stderr.strip().split("contain it: ", 1)[1].split("; ")
    assert len(names) >= 2  # the university hospital and the university are two sponsors
    assert all("montpellier" in n.lower() for n in names)
