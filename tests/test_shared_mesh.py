"""MeSH identity and condition coverage, checked against plain reading of every shared record.

One descriptor is one IRI across trials, whichever way a record pads its id; each condition is
linked to the descriptors the registry derived from its text (``browseLeaves[].asFound`` equal to
or a run of words in the condition, HIGH relevance) and to none other. Expected values come from
the raw JSON with dict access; XML records give no descriptor ids, so their conditions have none.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

CTGOV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"
README = Path(__file__).resolve().parents[1] / "README.md"
MESH = "http://id.nlm.nih.gov/mesh/"
PREFIXES = """
PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
TRIAL_MESH = PREFIXES + """
SELECT DISTINCT ?nct ?d WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ;
  tkg:conditionMeshTerm|tkg:conditionMeshAncestor|tkg:interventionMeshTerm
  |tkg:interventionMeshAncestor ?d } }
"""
CONDITIONS = PREFIXES + """
SELECT ?nct ?c ?name ?d ?same WHERE { GRAPH ?g {
  ?t dcterms:identifier ?nct ; schema:healthCondition ?c .
  { ?c schema:name ?name } UNION { ?c tkg:meshDescriptor ?d } UNION { ?c schema:sameAs ?same } } }
"""
JSON_RECORDS = sorted(CTGOV.glob("*.json"))


def _study(path: Path) -> dict[str, Any]:
    study: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return study


def _browse(study: dict[str, Any], module: str) -> dict[str, Any]:
    found: dict[str, Any] = study.get("derivedSection", {}).get(module, {})
    return found


def _raw_ids(study: dict[str, Any]) -> list[str]:
    return [
        term["id"]
        for module in ("conditionBrowseModule", "interventionBrowseModule")
        for key in ("meshes", "ancestors")
        for term in _browse(study, module).get(key, [])
    ]


@pytest.fixture(scope="module")
def all_raw_ids() -> set[str]:
    return {i for path in JSON_RECORDS for i in _raw_ids(_study(path))}


def _nlm_form(raw: str, everywhere: set[str]) -> str:
    """The id as the graph must write it, judged from the records alone.

    NLM numbers old (7-character) and new (10-character) ids in one sequence, so a 10-character
    id whose number is at most the largest 7-character number the records write for its letter
    is an old id padded with zeros; a larger one is a real new id.
    """
    letter, digits = raw[0], raw[1:]
    if len(digits) == 9 and int(digits) <= _last_short(letter, frozenset(everywhere)):
        return f"{letter}{int(digits):06d}"
    return raw


@cache
def _last_short(letter: str, everywhere: frozenset[str]) -> int:
    return max(int(i[1:]) for i in everywhere if len(i) == 7 and i[0] == letter)


def _value(term: object) -> str:
    assert isinstance(term, ox.Literal | ox.NamedNode), term
    return term.value


@pytest.fixture(scope="module")
def graph_mesh(shared_store: ox.Store) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    result = shared_store.query(TRIAL_MESH)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        found[_value(row["nct"])].add(_value(row["d"]).removeprefix(MESH))
    return found


def test_one_descriptor_is_one_iri_across_trials(
    graph_mesh: dict[str, set[str]], all_raw_ids: set[str]
) -> None:
    """No two MeSH IRIs in the graph stand for the same number of the same record type."""
    by_number: dict[tuple[str, int], set[str]] = defaultdict(set)
    for ids in graph_mesh.values():
        for i in ids:
            by_number[(i[0], int(i[1:]))].add(i)
    assert {k: v for k, v in by_number.items() if len(v) > 1} == {}
    padded = {i for i in all_raw_ids if len(i) == 10 and _nlm_form(i, all_raw_ids) != i}
    assert len(padded) >= 100  # the records do pad: the test is not vacuous


@pytest.mark.parametrize("path", JSON_RECORDS, ids=lambda p: p.stem)
def test_descriptor_ids_are_written_as_nlm_writes_them(
    path: Path, graph_mesh: dict[str, set[str]], all_raw_ids: set[str]
) -> None:
    """A trial's MeSH IRIs are its record's ids, padded ones in their 7-character form."""
    study = _study(path)
    nct = study["protocolSection"]["identificationModule"]["nctId"]
    assert graph_mesh.get(nct, set()) == {_nlm_form(i, all_raw_ids) for i in _raw_ids(study)}


def test_real_nine_digit_ids_keep_their_length(all_raw_ids: set[str]) -> None:
    """Ids past the last 7-character number of their letter stay 10 characters in the graph."""
    from kg.mesh_ids import canonical_mesh_id

    last = {
        letter: max(int(i[1:]) for i in all_raw_ids if len(i) == 7 and i[0] == letter)
        for letter in "CD"
    }
    beyond = [i for i in all_raw_ids if len(i) == 10 and int(i[1:]) > last[i[0]]]
    assert len(beyond) >= 50
    assert [i for i in beyond if canonical_mesh_id(i) != i] == []


def _words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"\w+", text)]


def _derived(study: dict[str, Any], everywhere: set[str]) -> dict[str, tuple[set[str], set[str]]]:
    """Per condition: (descriptors derived from its text, those it is exactly)."""
    browse = _browse(study, "conditionBrowseModule")
    ids: dict[str, str] = {}
    for key in ("meshes", "ancestors"):
        for term in browse.get(key, []):
            ids.setdefault(term["term"], _nlm_form(term["id"], everywhere))
    out = {}
    for condition in study["protocolSection"].get("conditionsModule", {}).get("conditions", []):
        words = _words(condition)
        linked, exact = set(), set()
        for term in browse.get("meshes", []):
            if _words(term["term"]) == words:
                linked.add(_nlm_form(term["id"], everywhere))
                exact.add(_nlm_form(term["id"], everywhere))
        for leaf in browse.get("browseLeaves", []):
            found = _words(leaf.get("asFound") or "")
            if not found or leaf.get("relevance") != "HIGH" or leaf["name"] not in ids:
                continue
            runs = [words[i : i + len(found)] for i in range(len(words))]
            if found in runs:
                linked.add(ids[leaf["name"]])
                if found == words:
                    exact.add(ids[leaf["name"]])
        out[condition.strip()] = (linked, exact)
    return out


class _Node:
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.linked: set[str] = set()
        self.exact: set[str] = set()


@pytest.fixture(scope="module")
def graph_conditions(shared_store: ox.Store) -> dict[str, dict[str, _Node]]:
    found: dict[str, dict[str, _Node]] = defaultdict(lambda: defaultdict(_Node))
    result = shared_store.query(CONDITIONS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        node = found[_value(row["nct"])][_value(row["c"])]
        if row["name"] is not None:
            node.names.add(_value(row["name"]))
        if row["d"] is not None:
            node.linked.add(_value(row["d"]).removeprefix(MESH))
        if row["same"] is not None:
            node.exact.add(_value(row["same"]).removeprefix(MESH))
    return found


@pytest.mark.parametrize("path", JSON_RECORDS, ids=lambda p: p.stem)
def test_conditions_link_to_the_descriptors_derived_from_their_text(
    path: Path, graph_conditions: dict[str, dict[str, _Node]], all_raw_ids: set[str]
) -> None:
    """Each condition node carries exactly the derivation of the conditions named by it."""
    study = _study(path)
    derived = _derived(study, all_raw_ids)
    nodes = graph_conditions[study["protocolSection"]["identificationModule"]["nctId"]]
    assert set().union(*(n.names for n in nodes.values())) == set(derived)
    for node in nodes.values():
        assert node.linked == set().union(*(derived[name][0] for name in node.names))
        assert node.exact == set().union(*(derived[name][1] for name in node.names))


def test_xml_conditions_have_no_descriptors(
    graph_conditions: dict[str, dict[str, _Node]],
) -> None:
    """Legacy XML gives MeSH terms without ids: its conditions link to no descriptor."""
    xml = {p.stem for p in CTGOV.glob("*.xml")}
    linked = [nct for nct in xml for n in graph_conditions[nct].values() if n.linked or n.exact]
    assert linked == []


def _coverage(all_raw_ids: set[str]) -> tuple[int, int, int]:
    entries = by_name = by_derivation = 0
    for path in JSON_RECORDS:
        study = _study(path)
        browse = _browse(study, "conditionBrowseModule")
        meshes = {tuple(_words(t["term"])) for t in browse.get("meshes", [])}
        for name, (linked, _) in _derived(study, all_raw_ids).items():
            entries += 1
            by_name += tuple(_words(name)) in meshes
            by_derivation += bool(linked)
    return entries, by_name, by_derivation


def test_readme_reports_the_coverage_of_the_shared_records(all_raw_ids: set[str]) -> None:
    """README states how many condition entries reach a descriptor, as counted here."""
    entries, by_name, by_derivation = _coverage(all_raw_ids)
    assert by_derivation / entries > 0.55
    assert by_name / entries < 0.25
    text = " ".join(README.read_text("utf-8").split())
    figure = f"{by_derivation:,} of {entries:,} condition entries"
    assert figure in text
    assert f"{by_name:,} by exact name" in text
