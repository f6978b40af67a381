"""A site is its trial's sponsor when the sponsor's name only adds the site's town or country.

Read from the raw shared records (plain json and lxml): a sponsor or collaborator written
"<site's name>, <site's town>" ("Hospital for Special Surgery, New York", "All India Institute of
Medical Sciences, Bhubaneswar", "SAL Hospital, Ahmedabad, India") is that site's organisation, so
the site's facility must be the sponsor's node in the graph. The other way round, a site written
"<sponsor's name> - <its town>" ("University of California - Los Angeles" in a trial sponsored by
the "University of California") is the sponsor's campus or branch there, another organisation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
import pytest
from lxml import etree

from kg.orgs import org_key, site_key

REPO = Path(__file__).resolve().parents[1]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
"""
FACILITIES = (
    PREFIXES
    + """
SELECT ?nct ?name ?f WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; tkg:site ?s .
  ?s schema:name ?name ; tkg:facility ?f } }
"""
)
SPONSORS = (
    PREFIXES
    + """
SELECT ?nct ?o ?alt WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; schema:sponsor ?o .
  ?o schema:alternateName ?alt } }
"""
)


class Pair(NamedTuple):
    nct: str
    sponsor: str
    facility: str
    city: str
    country: str


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(re.findall(r"[a-z0-9]+", "".join(c for c in folded if c.isascii())))


def _records() -> Iterator[tuple[str, list[str], list[tuple[str, str, str]]]]:
    """(NCT id, sponsors and collaborators, (facility, city, country) of each site)."""
    for path in sorted(CTGOV.glob("*.json")):
        protocol = json.loads(path.read_bytes())["protocolSection"]
        parties = protocol.get("sponsorCollaboratorsModule", {})
        names = [parties.get("leadSponsor", {}).get("name")]
        names += [c.get("name") for c in parties.get("collaborators", [])]
        sites = [
            (loc.get("facility") or "", loc.get("city") or "", loc.get("country") or "")
            for loc in protocol.get("contactsLocationsModule", {}).get("locations", [])
        ]
        nct = protocol["identificationModule"]["nctId"]
        yield nct, [n for n in names if n], sites
    for path in sorted(CTGOV.glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        names = [
            (e.text or "").strip()
            for tag in ("sponsors/lead_sponsor/agency", "sponsors/collaborator/agency")
            for e in root.findall(tag)
        ]
        sites = [
            (
                (loc.findtext("facility/name") or "").strip(),
                (loc.findtext("facility/address/city") or "").strip(),
                (loc.findtext("facility/address/country") or "").strip(),
            )
            for loc in root.findall("location")
        ]
        yield root.findtext("id_info/nct_id") or "", [n for n in names if n], sites


def _tails(city: str, country: str) -> set[str]:
    """What a name adds when it adds a town or a country: " toronto", " de cordoba", ..."""
    places = {_plain(city), _plain(country), f"{_plain(city)} {_plain(country)}"}
    joins = ("", "de ", "of ", "di ", "at ", "in ")
    return {f" {j}{p}" for j in joins for p in places if p.strip()}


def _pairs() -> tuple[list[Pair], list[Pair]]:
    """(sponsors that add the site's town, sites that add the sponsor's town) in the records."""
    sponsor_adds, site_adds = [], []
    for nct, sponsors, sites in _records():
        for facility, city, country in sites:
            if not facility or not (city or country):
                continue
            tails = _tails(city, country)
            for sponsor in sponsors:
                s, f = _plain(sponsor), _plain(facility)
                if any(s == f + t for t in tails):
                    sponsor_adds.append(Pair(nct, sponsor, facility, city, country))
                elif any(f == s + t for t in tails):
                    site_adds.append(Pair(nct, sponsor, facility, city, country))
    return sponsor_adds, site_adds


SPONSOR_ADDS, SITE_ADDS = _pairs()


def _rows(store: ox.Store, query: str) -> list[tuple[str, str, str]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return [(str(r[0].value), str(r[1].value), str(r[2].value)) for r in result]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def nodes(
    shared_store: ox.Store,
) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """(trial, site name) -> facility nodes; (trial, sponsor spelling) -> sponsor nodes."""
    facilities: dict[tuple[str, str], set[str]] = defaultdict(set)
    for nct, name, node in _rows(shared_store, FACILITIES):
        facilities[nct, name].add(node)
    sponsors: dict[tuple[str, str], set[str]] = defaultdict(set)
    for nct, node, alt in _rows(shared_store, SPONSORS):
        sponsors[nct, alt].add(node)
    return facilities, sponsors


def test_the_records_hold_both_kinds() -> None:
    assert (
        len({p.nct for p in SPONSOR_ADDS}) >= 8
    )  # Special Surgery, AIIMS, SAL, NUH Singapore, ...
    assert any(p.facility == "University of California - Los Angeles" for p in SITE_ADDS)


@pytest.mark.parametrize("pair", SPONSOR_ADDS, ids=lambda p: f"{p.nct}-{p.facility[:30]}")
def test_a_site_is_the_sponsor_that_adds_only_its_town(
    pair: Pair, nodes: tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]
) -> None:
    facilities, sponsors = nodes
    assert facilities[pair.nct, pair.facility] == sponsors[pair.nct, pair.sponsor], pair


@pytest.mark.parametrize("pair", SITE_ADDS, ids=lambda p: f"{p.nct}-{p.facility[:30]}")
def test_a_site_named_after_its_town_is_not_its_sponsor(
    pair: Pair, nodes: tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]
) -> None:
    facilities, sponsors = nodes
    assert facilities[pair.nct, pair.facility]
    assert not facilities[pair.nct, pair.facility] & sponsors[pair.nct, pair.sponsor], pair


# --- the key that compares them ---


@pytest.mark.parametrize(
    ("sponsor", "site", "place"),
    [
        ("University Health Network, Toronto", "University Health Network", "Toronto, Canada"),
        ("Hospital Universitario Reina Sofia de Cordoba", "Hospital Universitario Reina Sofía",
         "Córdoba, Andalucía, Spain"),
        ("Post Graduate Institute of Medical Education and Research, Chandigarh",
         "Postgraduate Institute of Medical Education and Research", "Chandigarh, , India"),
        ("SAL Hospital, Ahmedabad, India", "SAL Hospital", "Ahmedabad, , India"),
        ("Tata Memorial Centre Mumbai", "Tata Memorial centre", "Mumbai, , India"),
        ("Campus Bio-Medico University of Rome", "Università Campus Bio-Medico", "Roma, , Italy"),
    ],
)  # fmt: skip
def test_site_key_drops_the_sites_own_town(sponsor: str, site: str, place: str) -> None:
    assert org_key(sponsor) != org_key(site)
    assert site_key(sponsor, place) == org_key(site)


@pytest.mark.parametrize(
    ("sponsor", "site", "place"),
    [
        # another town: UCSF is not the University of California at Los Angeles
        ("University of California, San Francisco", "University of California",
         "Los Angeles, California, United States"),
        # the site adds its town: the branch, not the sponsor
        ("Kaiser Permanente", "Kaiser Permanente - Vallejo", "Vallejo, California, United States"),
        ("Clinica Universidad de Navarra", "Clinica Universidad de Navarra - Madrid",
         "Madrid, , Spain"),
    ],
)  # fmt: skip
def test_site_key_keeps_what_tells_apart(sponsor: str, site: str, place: str) -> None:
    assert site_key(sponsor, place) != org_key(site)


def test_site_key_keeps_a_name_that_is_only_the_town() -> None:
    assert site_key("Toronto", "Toronto, Canada") == org_key("Toronto")
    assert site_key("Toronto, Canada", "Toronto, Canada") == org_key("Toronto, Canada")
