"""Name keys (tkg:alternateNameKey) on every sponsor's spelling, none on place-keyed facilities.

A site's facility keyed by its name at its place is no sponsor's node, so the build writes no key
for its names (they were ~3/4 of the index triples and ~3% of a build's quads); every spelling of
every sponsor keeps its key in every graph that spells it, which sponsor-trials' indexed variant
reads. The sponsor names are read here from the raw shared records (plain json and lxml).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from lxml import etree

from kg.index import add_missing_keys, index_triples
from kg.orgs import OrgIndex, OrgTarget, org_key
from kg.terms import SCHEMA, TKG, Minter

REPO = Path(__file__).resolve().parents[1]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"

_KEYS = f"""
SELECT ?nct ?key WHERE {{
  ?trial <http://purl.org/dc/terms/identifier> ?nct ; <{SCHEMA}sponsor> ?org .
  ?org <{TKG}alternateNameKey> ?key
}}"""
_UNKEYED_SPONSOR_SPELLINGS = f"""
SELECT (COUNT(*) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?org WHERE {{ ?trial <{SCHEMA}sponsor> ?org }} }}
  GRAPH ?g {{ ?org <{SCHEMA}alternateName> ?name }}
  FILTER NOT EXISTS {{
    GRAPH ?g {{ ?org <{TKG}alternateNameKey> ?key FILTER(?key = LCASE(?name)) }}
  }}
}}"""
_UNKEYED_FACILITIES = f"""
SELECT (COUNT(DISTINCT ?org) AS ?n) WHERE {{
  ?site <{TKG}facility> ?org . ?org <{SCHEMA}alternateName> ?name .
  FILTER NOT EXISTS {{ ?org <{TKG}alternateNameKey> ?key }}
  FILTER NOT EXISTS {{ ?trial <{SCHEMA}sponsor> ?org }}
}}"""


def _raw_sponsors() -> dict[str, set[str]]:
    """NCT id -> the lead sponsor's and collaborators' names, as every shared record writes them."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in sorted(CTGOV.glob("*.json")):
        protocol = json.loads(path.read_bytes())["protocolSection"]
        nct = protocol["identificationModule"]["nctId"]
        module = protocol.get("sponsorCollaboratorsModule", {})
        for party in [module.get("leadSponsor", {}), *module.get("collaborators", [])]:
            if party.get("name"):
                out[nct].add(party["name"])
    for path in sorted(CTGOV.glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        nct = root.findtext("id_info/nct_id") or ""
        for agency in root.findall("sponsors/*/agency"):
            if agency.text and agency.text.strip():
                out[nct].add(agency.text)
    return out


def _count(store: ox.Store, query: str) -> int:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def test_every_raw_sponsor_name_is_a_key_of_its_trials_sponsor(shared_store: ox.Store) -> None:
    raw = _raw_sponsors()
    assert len(raw) > 600
    result = shared_store.query(_KEYS, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    keys: dict[str, set[str]] = defaultdict(set)
    for sol in result:
        nct, key = sol["nct"], sol["key"]
        assert isinstance(nct, ox.Literal) and isinstance(key, ox.Literal)
        keys[nct.value].add(key.value)
    missing = [
        (nct, name)
        for nct, names in raw.items()
        for name in names
        if " ".join(name.split()).lower() not in keys[nct]
    ]
    assert not missing, missing[:5]


def test_sponsors_keyed_in_every_graph_place_keyed_facilities_not(shared_store: ox.Store) -> None:
    assert _count(shared_store, _UNKEYED_SPONSOR_SPELLINGS) == 0
    # The shared records have thousands of sites: most facilities are keyed by name at a place.
    assert _count(shared_store, _UNKEYED_FACILITIES) > 1000


def test_the_minter_tells_place_keyed_facilities() -> None:
    mint = Minter()
    placed = mint.organization("Mount Sinai Hospital", "New York, New York, United States")
    named = mint.organization("Mount Sinai Hospital")
    assert placed != named
    assert mint.placed == {placed}
    ror = OrgIndex({org_key("Mount Sinai Hospital"): OrgTarget(ror="04a9tmd77")})
    mapped = Minter(orgs=ror)
    mapped.organization("Mount Sinai Hospital", "New York, New York, United States")
    assert not mapped.placed  # one node for every place and role: a sponsor's node too


def test_index_triples_skip_placed_facilities_unless_sponsors() -> None:
    alt, sponsor = f"<{SCHEMA}alternateName>", f"<{SCHEMA}sponsor>"
    triples = [
        ("<http://x/site-org>", alt, '"Clinic A"'),
        ("<http://x/both>", alt, '"Clinic B"'),
        ("<http://x/t>", sponsor, "<http://x/both>"),
    ]
    out = index_triples(
        triples, "<http://x/t>", "<http://x/g>", placed={"<http://x/site-org>", "<http://x/both>"}
    )
    key = f"<{TKG}alternateNameKey>"
    assert [(s, o) for s, p, o in out if p == key] == [("<http://x/both>", '"clinic b"')]


def test_a_facility_node_that_is_a_sponsor_elsewhere_gets_its_keys() -> None:
    store = ox.Store()
    org, alt = ox.NamedNode("http://x/org"), ox.NamedNode(f"{SCHEMA}alternateName")
    sponsor = ox.NamedNode(f"{SCHEMA}sponsor")
    key = ox.NamedNode(f"{TKG}alternateNameKey")
    site_graph, sponsor_graph = ox.NamedNode("http://x/g1"), ox.NamedNode("http://x/g2")
    store.extend(
        [
            ox.Quad(org, alt, ox.Literal("Foo CLINIC"), site_graph),
            ox.Quad(org, alt, ox.Literal("Foo Clinic Ünité"), site_graph),
            ox.Quad(ox.NamedNode("http://x/t"), sponsor, org, sponsor_graph),
            ox.Quad(org, alt, ox.Literal("Foo"), sponsor_graph),
            ox.Quad(org, key, ox.Literal("foo"), sponsor_graph),
            # not a sponsor anywhere: left without keys
            ox.Quad(ox.NamedNode("http://x/other"), alt, ox.Literal("Bar"), site_graph),
        ]
    )
    assert add_missing_keys(store) == 2
    keys = {(q.object.value, q.graph_name) for q in store.quads_for_pattern(None, key, None, None)}
    assert keys == {
        ("foo clinic", site_graph),
        ("foo clinic ünité", site_graph),
        ("foo", sponsor_graph),
    }
    assert add_missing_keys(store) == 0
