"""Organisations at places (issue 14): no false merges of facilities, plain variants merged.

A facility is keyed by its name at its country (and US state), at its city too for a name many towns
share; a sponsor by its name; a facility named as one of its trial's sponsors is that sponsor. The
place facts are read here from the raw shared records (plain json and lxml).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from kg import model
from kg.mapping import map_trial
from kg.orgs import OrgIndex, is_placeholder, needs_place, org_key
from kg.places import country_code, parse_place
from kg.terms import SDO, Minter, T

REPO = Path(__file__).resolve().parents[1]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
INDEX = OrgIndex()


def _raw_sites() -> list[tuple[str, str, str, str, str]]:
    """(NCT id, facility, city, state, country) of every named site of every shared record."""
    sites = []
    for path in sorted(CTGOV.glob("*.json")):
        protocol = json.loads(path.read_bytes())["protocolSection"]
        nct = protocol["identificationModule"]["nctId"]
        for loc in protocol.get("contactsLocationsModule", {}).get("locations", []):
            if loc.get("facility"):
                fields = (loc.get(k) or "" for k in ("facility", "city", "state", "country"))
                sites.append((nct, *fields))
    for path in sorted(CTGOV.glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        nct = root.findtext("id_info/nct_id") or ""
        for loc in root.findall("location"):
            name = (loc.findtext("facility/name") or "").strip()
            if name:
                parts = (
                    loc.findtext(f"facility/address/{k}") or ""
                    for k in ("city", "state", "country")
                )
                sites.append((nct, name, *(p.strip() for p in parts)))
    return sites


@pytest.fixture(scope="module")
def sites() -> list[tuple[str, str, str, str, str]]:
    found = _raw_sites()
    if not found:
        pytest.fail(f"no shared records in {CTGOV}")
    return found


def _key(name: str, city: str, state: str, country: str) -> str:
    return INDEX.node_key(name, f"{city}, {state}, {country}")


def test_facilities_of_one_name_in_two_countries_are_two_nodes(
    sites: list[tuple[str, str, str, str, str]],
) -> None:
    by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for _, name, city, state, country in sites:
        if not is_placeholder(name) and country_code(country):
            by_name[org_key(name)].add(
                (_key(name, city, state, country), country_code(country) or "")
            )
    groups = [g for g in by_name.values() if len({c for _, c in g}) > 1]
    assert len(groups) >= 10  # Mount Sinai (US, Canada), National Cancer Centre (SG, KR), ...
    for group in groups:
        keys_by_country: dict[str, set[str]] = defaultdict(set)
        for key, code in group:
            keys_by_country[code].add(key)
        countries = list(keys_by_country)
        for i, a in enumerate(countries):
            for b in countries[i + 1 :]:
                assert not keys_by_country[a] & keys_by_country[b], (a, b, group)


def test_common_names_in_two_towns_are_two_nodes(
    sites: list[tuple[str, str, str, str, str]],
) -> None:
    """A name many towns share ("St. Mary's Medical Center") is one node per town, never one."""
    towns: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for _, name, city, state, country in sites:
        if needs_place(name) and not is_placeholder(name) and city:
            towns[org_key(name)][parse_place(f"{city}, {state}, {country}").city].add(
                _key(name, city, state, country)
            )
    shared = {k: v for k, v in towns.items() if len(v) > 1}
    assert {"marys saint center medical", "memorial hospital"} <= set(shared)
    for name, by_town in shared.items():
        keys = [k for ks in by_town.values() for k in ks]
        assert len(keys) == len(set(keys)), name  # no key is at two towns


def test_us_facilities_of_one_name_in_two_states_are_two_nodes() -> None:
    miami = INDEX.node_key("Mount Sinai Medical Center", "Miami Beach, Florida, United States")
    new_york = INDEX.node_key("Mount Sinai Medical Center", "New York, New York, United States")
    assert miami != new_york


SAME_NAME_ELSEWHERE = [
    ("Mount Sinai Hospital", "New York, New York, United States",
     "Mount Sinai Hospital", "Toronto, Ontario, Canada"),
    ("UNIMED Medical Center", "Minot, North Dakota, United States",
     "Medical center Unimed /ID# 253324", "Plovdiv, , Bulgaria"),
    ("National Cancer Centre", "Singapore, , Singapore",
     "National Cancer Centre", "Gyeonggi-do, , Korea, Republic of"),
    ("Oncomedica", "Guatemala, , Guatemala", "Oncomedica S.A.", "Monteria, , Colombia"),
    ("Holy Cross Hospital", "Fort Lauderdale, Florida, United States",
     "Holy Cross Hospital", "Silver Spring, Maryland, United States"),
    ("Good Samaritan Hospital", "Dayton, Ohio, United States",
     "Good Samaritan Hospital", "Corvallis, Oregon, United States"),
]  # fmt: skip


@pytest.mark.parametrize(("name_a", "place_a", "name_b", "place_b"), SAME_NAME_ELSEWHERE)
def test_same_name_different_place_pairs_from_the_records_stay_apart(
    name_a: str, place_a: str, name_b: str, place_b: str
) -> None:
    assert org_key(name_a) == org_key(name_b)  # one name: only the place tells them apart
    assert INDEX.node_key(name_a, place_a) != INDEX.node_key(name_b, place_b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Arthritis and Osteo Assoc.", "Arthritis and Osteo Associates"),
        ("Saint Agnes Cancer Center", "St. Agnes Cancer Center"),
        ("St Luke's Hospital", "Saint Luke's Hospital"),
        ("Michiana Hematology Oncology PC - Elkhart", "Michiana Hematology Oncology PC-Elkhart"),
        ("Lahey Clinic Med Ctr", "Lahey Clinic Medical Center"),
        ("Los Angeles County - USC Med Ctr", "Los Angeles County-USC Medical Center"),
        ("Hagaziekenhuis", "Haga ziekenhuis"),
        ("CLCC Antoine Lacassagne", "Centre Antoine-Lacassagne"),
        ("HagaZiekenhuis", "Haga Ziekenhuis"),
        ("Lowcountry Hematology Oncology PA-Mount Pleasant",
         "Lowcountry Hematology Oncology PA - Mount Pleasant"),
    ],
)  # fmt: skip
def test_plain_variants_of_one_place_are_one_key(a: str, b: str) -> None:
    assert org_key(a) == org_key(b)
    assert INDEX.node_key(a, "Boston, Massachusetts, United States") == INDEX.node_key(
        b, "Boston, Massachusetts, United States"
    )


def test_branch_after_a_legal_form_stays_a_branch() -> None:
    assert org_key("Michiana Hematology Oncology PC-Elkhart") != org_key(
        "Michiana Hematology Oncology PC-Mishawaka"
    )


def test_a_ror_id_makes_every_place_one_node() -> None:
    index = OrgIndex.parse("name,id\nMount Sinai Hospital,https://ror.org/04a9tmd77\n")
    assert index.node_key("Mount Sinai Hospital", "New York, New York, United States") == (
        index.node_key("Mount Sinai Hospital", "Toronto, Ontario, Canada")
    )


# --- in the graph: sponsors keep their IRIs; a facility that sponsors its trial is the sponsor ---


def _trial(nct: str, sponsor: str, *sites: tuple[str, str, str]) -> model.Trial:
    return model.Trial(
        nct_id=nct,
        source=model.SourceInfo(name="t.json", format="ctgov-json"),
        sponsors=(model.Sponsor(sponsor, model.AgencyClass.OTHER, model.SponsorRole.LEAD),),
        locations=tuple(model.Location(f, city=c, country=k) for f, c, k in sites),
    )


def _facilities(trial: model.Trial) -> list[str]:
    return [o for _, p, o in map_trial(trial, Minter()) if p == T.facility]


def _sponsor(trial: model.Trial) -> str:
    return next(o for _, p, o in map_trial(trial, Minter()) if p == SDO.sponsor)


def test_facility_named_as_its_trials_sponsor_is_the_sponsor_node() -> None:
    trial = _trial(
        "NCT99999990", "University Hospital, Montpellier",
        ("UH Montpellier", "Montpellier", "France"), ("CHU de Nantes", "Nantes", "France"),
    )  # fmt: skip
    home, other = _facilities(trial)
    assert (
        home == _sponsor(trial) == "<https://w3id.org/trialkg/org/montpellier-hospital-university>"
    )
    assert other == "<https://w3id.org/trialkg/org/nantes-hospital-university-in-fr>"


def test_facility_of_a_trial_it_does_not_sponsor_is_keyed_at_its_place() -> None:
    trial = _trial("NCT99999991", "Acme Pharma", ("UH Montpellier", "Montpellier", "France"))
    (site,) = _facilities(trial)
    assert site == "<https://w3id.org/trialkg/org/montpellier-hospital-university-in-fr>"
    assert _sponsor(trial) == "<https://w3id.org/trialkg/org/acme-pharma>"


def test_a_sponsors_hospital_named_without_university_is_the_sponsor_node() -> None:
    """The record names its sponsor as a university hospital and its site without the word."""
    trial = _trial(
        "NCT99999992", "Parc Taulí Hospital Universitari",
        ("Hospital Parc Taulí", "Sabadell", "Spain"),
        ("Hospital Arnau de Vilanova", "Valencia", "Spain"),
    )  # fmt: skip
    home, other = _facilities(trial)
    assert home == _sponsor(trial)
    assert other != home and other.endswith("-in-es>")
    trial = _trial("NCT99999993", "CHU Saint Antoine", ("Hôpital Saint Antoine", "Paris", "France"))
    assert _facilities(trial) == [_sponsor(trial)]
    # a university is not its hospital, and elsewhere the site is its name at its place
    nagoya = ("Nagoya University Hospital", "Nagoya", "Japan")
    trial = _trial("NCT99999994", "Nagoya University", nagoya)
    assert _facilities(trial) != [_sponsor(trial)]
    trial = _trial("NCT99999995", "Acme Pharma", ("Hospital Parc Taulí", "Sabadell", "Spain"))
    assert _facilities(trial) == ["<https://w3id.org/trialkg/org/parc-tauli-hospital-in-es>"]
