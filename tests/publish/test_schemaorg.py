"""The schema.org JSON-LD of the seed trial uses only schema.org types and properties, where fit.

``fixtures/schemaorg_terms.json`` lists the schema.org terms this view may use, with each type's
supertypes and each property's domain, as schema.org defines them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from publish_support import SEED_NCT

from kg.publish.schemaorg import resource_document, trial_document

TERMS = json.loads((Path(__file__).parent / "fixtures" / "schemaorg_terms.json").read_text())
TRIAL = ox.NamedNode(f"https://w3id.org/trialkg/trial/{SEED_NCT}")


def _ancestors(kind: str) -> set[str]:
    seen = {kind}
    todo = [kind]
    while todo:
        for parent in TERMS["types"].get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _objects(node: object) -> Iterator[dict[str, object]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _problems(doc: dict[str, object]) -> list[str]:
    problems = []
    for obj in _objects(doc):
        declared = obj.get("@type")
        kinds: list[str] = [declared] if isinstance(declared, str) else list(declared or [])  # type: ignore[call-overload]
        for kind in kinds:
            if kind not in TERMS["types"]:
                problems.append(f"unknown type {kind}")
        fits: set[str] = set().union(*(_ancestors(k) for k in kinds))
        for key in obj:
            if key.startswith("@"):
                continue
            if key not in TERMS["properties"]:
                problems.append(f"unknown property {key}")
            elif kinds and not fits & set(TERMS["properties"][key]):
                problems.append(f"{key} is not a property of {kinds}")
    return problems


@pytest.fixture(scope="module")
def seed_doc(seed_store: ox.Store) -> dict[str, object]:
    return trial_document(seed_store, TRIAL)


def test_seed_trial_uses_only_schema_org_types_and_properties(seed_doc: dict[str, object]) -> None:
    assert _problems(seed_doc) == []


def test_seed_trial_is_a_medical_trial_with_its_17_sponsors(seed_doc: dict[str, object]) -> None:
    assert (seed_doc["@context"], seed_doc["@type"]) == ("https://schema.org", "MedicalTrial")
    assert len(seed_doc["sponsor"]) == 17  # type: ignore[arg-type]


def test_status_and_designs_are_schema_org_enumeration_members(seed_doc: dict[str, object]) -> None:
    values = [seed_doc["status"], *seed_doc["trialDesign"]]  # type: ignore[misc]
    members = [v.removeprefix("https://schema.org/") for v in values]
    assert all(m in TERMS["enumerations"] for m in members), members


def test_nct_id_is_the_trials_medical_code(seed_doc: dict[str, object]) -> None:
    assert seed_doc["code"] == {
        "@type": "MedicalCode",
        "codeValue": SEED_NCT,
        "codingSystem": "ClinicalTrials.gov",
    }


def test_publication_is_linked_to_its_doi(seed_doc: dict[str, object]) -> None:
    article = seed_doc["subjectOf"]
    assert article["sameAs"] == "https://doi.org/10.1136/ard-2024-225771"  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "org/aphp",
        "person/christian-cj-jorgensen-c033d43c",
        "publication/doi/10.1136/ard-2024-225771",
        f"trial/{SEED_NCT}/site/1",
    ],
)
def test_other_resources_use_only_schema_org_terms(seed_store: ox.Store, path: str) -> None:
    doc = resource_document(seed_store, ox.NamedNode(f"https://w3id.org/trialkg/{path}"))
    assert _problems(doc) == []
