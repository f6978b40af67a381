"""Every shared CT.gov JSON record, built into the graph, agrees with plain reading of its file.

The expected values are computed here from the raw JSON with a few lines of dict access, never by
kg's own readers, so a mapping bug cannot hide behind itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

CTGOV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"

COUNTED = {
    "sponsors": "schema:sponsor",
    "collaborators": "tkg:collaborator",
    "sites": "tkg:site",
    "countries": "schema:studyLocation",
    "arms": "tkg:arm",
    "interventions": "schema:studySubject",
    "conditions": "schema:healthCondition",
    "references": "schema:citation",
    "identifiers": "schema:identifier",
}
# One aggregate per property: OPTIONALs side by side would multiply rows (sites x arms x ...).
COUNT = """
PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?nct (COUNT(DISTINCT ?o) AS ?n)
WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; PROPERTY ?o } }
GROUP BY ?nct
"""

SINGLE = """
PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?nct ?lead ?status (GROUP_CONCAT(DISTINCT ?phase; separator=",") AS ?phases)
WHERE {
  GRAPH ?g { ?t a ?type ; dcterms:identifier ?nct ; schema:status ?s .
    OPTIONAL { ?t tkg:leadSponsor/schema:name ?lead } }
  ?s skos:notation ?status .
  OPTIONAL { GRAPH ?g { ?t tkg:phase ?p } ?p skos:notation ?phase }
}
GROUP BY ?nct ?lead ?status
"""


def _value(term: object) -> str:
    assert isinstance(term, ox.Literal | ox.NamedNode)
    return term.value


@pytest.fixture(scope="module")
def graph_facts(shared_store: ox.Store) -> dict[str, dict[str, Any]]:
    facts: dict[str, dict[str, Any]] = {}
    for name, prop in COUNTED.items():
        result = shared_store.query(COUNT.replace("PROPERTY", prop))
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            facts.setdefault(_value(row["nct"]), dict.fromkeys(COUNTED, 0))[name] = int(
                _value(row["n"])
            )
    result = shared_store.query(SINGLE, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        entry = facts[_value(row["nct"])]
        entry["lead"] = _value(row["lead"]) if row["lead"] else None
        entry["status"] = _value(row["status"])
        phases = _value(row["phases"]) if row["phases"] else ""
        entry["phases"] = sorted(p for p in phases.split(",") if p)
    return facts


def _raw(path: Path) -> dict[str, Any]:
    study = json.loads(path.read_text("utf-8"))
    p = study["protocolSection"]
    sponsors = p.get("sponsorCollaboratorsModule", {})
    lead = sponsors.get("leadSponsor", {}).get("name")
    collabs = [c["name"] for c in sponsors.get("collaborators", [])]
    locations = p.get("contactsLocationsModule", {}).get("locations", [])
    arms = p.get("armsInterventionsModule", {})
    refs = p.get("referencesModule", {}).get("references", [])
    ident = p["identificationModule"]
    # Names are compared as the registry spells them, ignoring case and surrounding space.
    names = {n.strip().casefold() for n in [lead, *collabs] if n}
    return {
        "nct": ident["nctId"],
        "sponsors": len(names),
        "collaborators": len(
            {c.strip().casefold() for c in collabs} - {(lead or "").strip().casefold()}
        ),
        "sites": len(locations),
        "countries": len(
            {loc["country"].strip().casefold() for loc in locations if loc.get("country")}
        ),
        "arms": len(arms.get("armGroups", [])),
        "interventions": len(arms.get("interventions", [])),
        "conditions": len(
            {c.strip().casefold() for c in p.get("conditionsModule", {}).get("conditions", [])}
        ),
        "references": len({r.get("pmid") or r.get("citation") for r in refs}),
        "identifiers": len(ident.get("secondaryIdInfos", []))
        + bool(ident.get("orgStudyIdInfo", {}).get("id")),
        "lead": lead.strip() if lead else None,
        "status": p["statusModule"]["overallStatus"],
        "phases": sorted(p.get("designModule", {}).get("phases", [])),
    }


@pytest.mark.parametrize("path", sorted(CTGOV.glob("*.json")), ids=lambda p: p.stem)
def test_graph_matches_raw_json(path: Path, graph_facts: dict[str, dict[str, Any]]) -> None:
    raw = _raw(path)
    got = graph_facts[raw.pop("nct")]
    assert {k: got[k] for k in raw} == raw
