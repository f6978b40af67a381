"""Every shared record's arm -> intervention links equal the registry's own cross-references.

The expected links are read here from the raw JSON and XML with plain dict and ElementTree access:
an arm lists "Type: Name" (JSON ``armGroups[].interventionNames``), an intervention lists arm labels
(JSON ``interventions[].armGroupLabels``, XML ``intervention/arm_group_label``); a link stated on
either side is a link. Where several interventions share the type and name an arm gives, the arm's
reference goes to those that list the arm. Arms and interventions are compared by position.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

CTGOV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"

# How the registry writes each intervention type before a name in an arm's list.
TYPE_LABEL = {
    "BEHAVIORAL": "Behavioral",
    "BIOLOGICAL": "Biological",
    "COMBINATION_PRODUCT": "Combination Product",
    "DEVICE": "Device",
    "DIAGNOSTIC_TEST": "Diagnostic Test",
    "DIETARY_SUPPLEMENT": "Dietary Supplement",
    "DRUG": "Drug",
    "GENETIC": "Genetic",
    "PROCEDURE": "Procedure",
    "RADIATION": "Radiation",
    "OTHER": "Other",
}
LINKS = """
PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?nct ?arm ?armName ?iv ?ivName WHERE {
  GRAPH ?g {
    ?t dcterms:identifier ?nct .
    { ?t tkg:arm ?arm . ?arm schema:name ?armName OPTIONAL { ?arm tkg:intervention ?iv } }
    UNION { ?t schema:studySubject ?iv . ?iv schema:name ?ivName }
  }
}
"""
POSITION = re.compile(r"/(arm|intervention)/(\d+)$")
Links = set[tuple[int, int]]


class Graph:
    """Per trial: arm names and intervention names by position, and the links between them."""

    def __init__(self) -> None:
        self.arms: dict[int, str] = {}
        self.interventions: dict[int, str] = {}
        self.links: Links = set()


def _position(node: object) -> int:
    assert isinstance(node, ox.NamedNode)
    m = POSITION.search(node.value)
    assert m, node.value
    return int(m.group(2))


@pytest.fixture(scope="module")
def graph_links(shared_store: ox.Store) -> dict[str, Graph]:
    found: dict[str, Graph] = {}
    result = shared_store.query(LINKS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        nct = row["nct"]
        assert isinstance(nct, ox.Literal)
        trial = found.setdefault(nct.value, Graph())
        if row["arm"] is not None:
            trial.arms[_position(row["arm"])] = str(row["armName"].value)
            if row["iv"] is not None:
                trial.links.add((_position(row["arm"]), _position(row["iv"])))
        else:
            trial.interventions[_position(row["iv"])] = str(row["ivName"].value)
    return found


def _json_expected(path: Path) -> tuple[str, list[str], list[str], Links]:
    study = json.loads(path.read_text("utf-8"))
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    module = study["protocolSection"].get("armsInterventionsModule", {})
    arms = [a for a in module.get("armGroups", []) if (a.get("label") or "").strip()]
    ivs = [i for i in module.get("interventions", []) if (i.get("name") or "").strip()]
    labels = [a["label"].strip() for a in arms]
    listed = {
        (k, j)
        for j, iv in enumerate(ivs, 1)
        for label in iv.get("armGroupLabels", [])
        for k, arm_label in enumerate(labels, 1)
        if arm_label == label.strip()
    }
    typed = [f"{TYPE_LABEL.get(iv.get('type'))}: {iv['name'].strip()}" for iv in ivs]
    referenced = set()
    for k, arm in enumerate(arms, 1):
        for ref in arm.get("interventionNames", []):
            named = [j for j, text in enumerate(typed, 1) if text == ref.strip()]
            if len(named) > 1:
                named = [j for j in named if (k, j) in listed]
            referenced |= {(k, j) for j in named}
    return nct, labels, [iv["name"].strip() for iv in ivs], listed | referenced


def _xml_expected(path: Path) -> tuple[str, list[str], list[str], Links]:
    root = ET.parse(path).getroot()  # noqa: S314 - the shared records
    nct = (root.findtext("id_info/nct_id") or "").strip()
    labels = [
        text.strip()
        for text in (a.findtext("arm_group_label") or "" for a in root.findall("arm_group"))
        if text.strip()
    ]
    ivs = [
        i for i in root.findall("intervention") if (i.findtext("intervention_name") or "").strip()
    ]
    links = {
        (k, j)
        for j, iv in enumerate(ivs, 1)
        for label in iv.findall("arm_group_label")
        for k, arm_label in enumerate(labels, 1)
        if arm_label == (label.text or "").strip()
    }
    names = [(iv.findtext("intervention_name") or "").strip() for iv in ivs]
    return nct, labels, names, links


RECORDS = sorted(CTGOV.glob("*.json")) + sorted(CTGOV.glob("*.xml"))


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_arm_links_equal_the_registry_cross_references(
    path: Path, graph_links: dict[str, Graph]
) -> None:
    """The graph links arm n to intervention m exactly where the record says so, by position."""
    read = _json_expected if path.suffix == ".json" else _xml_expected
    nct, arms, interventions, links = read(path)
    got = graph_links.get(nct, Graph())
    assert [got.arms[n] for n in sorted(got.arms)] == arms
    assert [got.interventions[n] for n in sorted(got.interventions)] == interventions
    assert sorted(got.links) == sorted(links)


def test_the_hard_cases_are_among_the_shared_records() -> None:
    """The shared records hold repeated intervention names and names with a colon of their own."""
    repeated = with_colon = 0
    for path in sorted(CTGOV.glob("*.json")):
        module = json.loads(path.read_text("utf-8"))["protocolSection"].get(
            "armsInterventionsModule", {}
        )
        keys = [(i.get("type"), i.get("name")) for i in module.get("interventions", [])]
        repeated += len(keys) != len(set(keys))
        with_colon += any(":" in (name or "") for _, name in keys)
    assert repeated >= 10
    assert with_colon >= 5
