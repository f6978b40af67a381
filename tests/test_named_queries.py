"""Every named query against rows written from the raw data: the seed page's text and a few shared
API v2 records read with plain dict access (never from a query's own output).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.ontology import load_ontology
from kg.queries import bind_params, list_queries, load_query, run_query
from kg.sinks import FileSink
from kg.terms import DEFAULT_BASE

SEED_NCT = "NCT03737461"
# Two trials of one sponsor sharing conditions; two sharing interventions and their MeSH terms;
# one with typed references and collaborators; one with results and references.
FEW = ["NCT03828656", "NCT03934658", "NCT06751849", "NCT06751901", "NCT05774483", "NCT03569618"]
# ISO codes of the countries in the records used here, as a reader of the page would write them.
ISO = {"France": "FR", "Germany": "DE", "Italy": "IT", "Spain": "ES", "United States": "US",
       "China": "CN", "India": "IN"}
Row = tuple[Any, ...]


# --- stores and raw data --------------------------------------------------------------------------


def _store(nq: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    load_ontology(store)
    return store


@pytest.fixture(scope="session")
def seed_kg(seed_nq: Path) -> ox.Store:
    """The seed trial with the ontology, as a store built from it holds it."""
    return _store(seed_nq)


@pytest.fixture(scope="session")
def few_kg(tmp_path_factory: pytest.TempPathFactory, ctgov_dir: Path) -> ox.Store:
    """The few shared records of FEW, with the ontology."""
    out = tmp_path_factory.mktemp("few") / "few.nq"
    build([str(ctgov_dir / f"{nct}.json") for nct in FEW], FileSink(out), base=DEFAULT_BASE)
    return _store(out)


@pytest.fixture(scope="session")
def raw(ctgov_dir: Path) -> dict[str, dict[str, Any]]:
    """The FEW records as plain dicts (the protocol section and the top-level document)."""
    return {nct: json.loads((ctgov_dir / f"{nct}.json").read_text("utf-8")) for nct in FEW}


@pytest.fixture(scope="session")
def page(seed_path: Path) -> dict[str, list[str]]:
    """The seed page's sections: heading -> its lines (the heading's blurb line dropped)."""
    lines = seed_path.read_text("utf-8").splitlines()
    headings = {"Related Clinical Trials", "Study Groups", "Interventions", "Sponsors",
                "Locations", "References", "Other Identifiers", "Countries",
                "Principal Investigators",
                "Responsible Party", "Other Intervention Names", "Eligibility Criteria",
                "Conditions", "Study Design", "Detailed Description", "More Related Trials"}
    sections: dict[str, list[str]] = {"": lines[: lines.index("Brief Summary")]}
    current = ""
    for i, line in enumerate(lines):
        if line in headings:
            current = line
            sections[current] = []
        elif current and not (i > 0 and lines[i - 1] == current):
            sections[current].append(line)
    return sections


def values(store: ox.Store, name: str, **params: str) -> list[Row]:
    """Run a named query; each row as a tuple of plain values (None where unbound)."""
    query = load_query(name)
    table = run_query(store, query, bind_params(query, params))
    return [tuple(c.value if c else None for c in row) for row in table.rows]


def columns(store: ox.Store, name: str, wanted: tuple[str, ...], **params: str) -> list[Row]:
    """Run a named query and keep some columns, by name."""
    query = load_query(name)
    table = run_query(store, query, bind_params(query, params))
    at = [table.variables.index(w) for w in wanted]
    return [tuple(c.value if c else None for c in (row[i] for i in at)) for row in table.rows]


def proto(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["protocolSection"]  # type: ignore[no-any-return]


def sponsors_of(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    module = proto(doc)["sponsorCollaboratorsModule"]
    lead = module["leadSponsor"]
    out = [(lead["name"], lead["class"], "lead")]
    out += [(c["name"], c["class"], "collaborator") for c in module.get("collaborators", [])]
    return out


def locations_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return proto(doc).get("contactsLocationsModule", {}).get("locations", [])  # type: ignore[no-any-return]


def title_of(doc: dict[str, Any]) -> str:
    return proto(doc)["identificationModule"]["briefTitle"]  # type: ignore[no-any-return]


def seed_sponsors(page: dict[str, list[str]]) -> list[tuple[str, str]]:
    lines = page["Sponsors"]
    return list(zip(lines[0::2], lines[1::2], strict=True))


def seed_title(page: dict[str, list[str]]) -> str:
    return page[""][0]


def seed_status(page: dict[str, list[str]]) -> str:
    """The first line of the page's Basic Information: the overall status."""
    top = page[""]
    return top[top.index("Basic Information") + 2]


# --- trial-sponsors -------------------------------------------------------------------------------


def test_trial_sponsors_of_the_seed_are_the_page_sponsors_with_their_class(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    expected = sorted((name, cls, "sponsor") for name, cls in seed_sponsors(page))
    assert columns(seed_kg, "trial-sponsors", ("name", "class", "role"), nct=SEED_NCT) == expected


def test_trial_sponsors_list_the_lead_first_then_collaborators(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    for nct in ("NCT03828656", "NCT05774483"):
        sponsors = sponsors_of(raw[nct])
        expected = [sponsors[0], *sorted(sponsors[1:])]
        assert columns(few_kg, "trial-sponsors", ("name", "class", "role"), nct=nct) == expected


# --- trial-sites ----------------------------------------------------------------------------------


def test_trial_sites_of_the_seed_follow_the_page_order(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    lines = page["Locations"]
    expected = []
    for facility, place in zip(lines[0::2], lines[1::2], strict=True):
        city, _, country = (part.strip() for part in place.split(","))
        expected.append((facility, city, None, country, ISO[country], None, None, None))
    wanted = ("facility", "city", "region", "country", "countryCode", "latitude", "longitude",
              "status")
    assert columns(seed_kg, "trial-sites", wanted, nct=SEED_NCT) == expected


def test_trial_sites_give_address_coordinates_and_site_status(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    nct = "NCT05774483"
    expected = [
        (loc.get("facility"), loc.get("city"), loc.get("state"), loc["country"],
         ISO[loc["country"]], loc["geoPoint"]["lat"], loc["geoPoint"]["lon"], loc.get("status"))
        for loc in locations_of(raw[nct])
    ]
    got = [(*r[:5], float(r[5]), float(r[6]), r[7]) for r in values(few_kg, "trial-sites", nct=nct)]
    assert got == expected


# --- trial-interventions --------------------------------------------------------------------------


def test_trial_interventions_of_the_seed_link_each_to_its_arm(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    names_and_texts = page["Interventions"]
    expected = [(name, None, text, name, None)
                for name, text in zip(names_and_texts[0::2], names_and_texts[1::2], strict=True)]
    assert values(seed_kg, "trial-interventions", nct=SEED_NCT) == expected


def test_trial_interventions_give_types_and_the_arms_receiving_them(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    nct = "NCT03934658"
    module = proto(raw[nct])["armsInterventionsModule"]
    expected = []
    for iv in module["interventions"]:
        arms = sorted(
            (arm["label"], arm["type"]) for arm in module["armGroups"]
            if f"{iv['type'].title()}: {iv['name']}" in arm.get("interventionNames", [])
        )
        expected += [(iv["name"], iv["type"], iv.get("description"), a, t) for a, t in arms]
    assert values(few_kg, "trial-interventions", nct=nct) == expected


# --- related-trials -------------------------------------------------------------------------------


def test_related_trials_of_the_seed_are_the_pages_list(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    lines = page["Related Clinical Trials"]
    pairs = sorted((nct, title) for title, nct in zip(lines[0::2], lines[1::2], strict=True))
    assert columns(seed_kg, "related-trials", ("relatedNct", "title"), nct=SEED_NCT) == pairs


def test_related_trials_are_none_for_a_record_that_lists_none(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    assert "relatedTrials" not in json.dumps(raw["NCT05774483"])
    assert values(few_kg, "related-trials", nct="NCT05774483") == []


# --- trial-publications ---------------------------------------------------------------------------


def _authors(citation: str) -> str:
    """The author list of a Vancouver citation: before the first '. ', ',' and ';' separated."""
    head = citation.split(". ", 1)[0]
    return "; ".join(a.strip() for a in re.split(r"[,;] ", head))


def test_trial_publication_of_the_seed_is_parsed_from_the_citation(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    citation = page["References"][0]
    title = citation.split(". ")[1]
    doi = re.search(r"doi: (\S+)\.$", citation).group(1)  # type: ignore[union-attr]
    expected = [(title, "Ann Rheum Dis", "2024-10-21", doi, None, None, _authors(citation))]
    got = columns(seed_kg, "trial-publications",
                  ("title", "journal", "date", "doi", "pmid", "type", "authors"), nct=SEED_NCT)
    assert got == expected


def test_trial_publications_carry_pmid_reference_type_and_authors(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    refs = proto(raw["NCT05774483"])["referencesModule"]["references"]
    expected = {(r["pmid"], r["type"], _authors(r["citation"])) for r in refs}
    got = columns(few_kg, "trial-publications", ("pmid", "type", "authors"), nct="NCT05774483")
    assert len(got) == len(refs)
    assert set(got) == expected


# --- sponsor-network ------------------------------------------------------------------------------


def test_sponsor_network_of_the_seed_pairs_every_two_sponsors_once(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    names = [name for name, _ in seed_sponsors(page)]
    expected = {frozenset(p): "1" for p in itertools.combinations(names, 2)}
    got = {frozenset((a, b)): n for a, b, n, _, _ in values(seed_kg, "sponsor-network")}
    assert got == expected


def test_sponsor_network_counts_the_trials_a_pair_shares(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    shared: Counter[frozenset[str]] = Counter()
    for doc in raw.values():
        names = sorted({name for name, _, _ in sponsors_of(doc)})
        shared.update(frozenset(p) for p in itertools.combinations(names, 2))
    got = {frozenset((a, b)): int(n) for a, b, n, _, _ in values(few_kg, "sponsor-network")}
    assert got == dict(shared)
    assert got[frozenset(("NightWare", "RationalPsych"))] == 2


# --- sponsor-trials -------------------------------------------------------------------------------


def test_sponsor_trials_find_the_seed_by_a_sponsor_name_in_any_case(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    expected = [(SEED_NCT, seed_title(page), seed_status(page), "sponsor")]
    got = columns(seed_kg, "sponsor-trials", ("nct", "title", "status", "sponsorRole"),
                  sponsor="UNIVERSITY HOSPITAL, MONTPELLIER")
    assert got == expected


def test_sponsor_trials_find_no_lead_role_on_a_page_that_states_none(seed_kg: ox.Store) -> None:
    sponsor = "University Hospital, Montpellier"
    assert values(seed_kg, "sponsor-trials", sponsor=sponsor, role="lead") == []


def test_sponsor_trials_by_role_and_by_iri(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    def expected(name: str, role: str) -> list[Row]:
        return sorted(
            (nct, title_of(doc), proto(doc)["statusModule"]["overallStatus"], r)
            for nct, doc in raw.items() for n, _, r in sponsors_of(doc)
            if n == name and role in ("any", r)
        )

    wanted = ("nct", "title", "status", "sponsorRole")
    assert columns(few_kg, "sponsor-trials", wanted, sponsor="rationalpsych",
                   role="collaborator") == expected("RationalPsych", "collaborator")
    assert columns(few_kg, "sponsor-trials", wanted, sponsor="RationalPsych",
                   role="lead") == []
    by_iri = columns(few_kg, "sponsor-trials", wanted,
                     sponsor=f"{DEFAULT_BASE}org/nightware")
    assert by_iri == expected("NightWare", "any")
    assert len(by_iri) == 2


# --- sponsors-by-class ----------------------------------------------------------------------------


def test_sponsors_by_class_of_the_seed_give_each_page_class(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    expected = {(cls, name, "1", "0") for name, cls in seed_sponsors(page)}
    got = {r[:4] for r in values(seed_kg, "sponsors-by-class")}
    # The site "Institut de Teràpia Regenerativa Tissular" is the same organisation as the
    # sponsor spelt without the accent; the first spelling alphabetically names it.
    assert got == expected


def test_sponsors_by_class_count_trials_and_lead_trials(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    trials: Counter[tuple[str, str]] = Counter()
    leads: Counter[tuple[str, str]] = Counter()
    for doc in raw.values():
        for name, cls, role in sponsors_of(doc):
            trials[(cls, name)] += 1
            leads[(cls, name)] += role == "lead"
    expected = sorted(((c, n, str(k), str(leads[(c, n)])) for (c, n), k in trials.items()),
                      key=lambda r: (r[0], -int(r[2]), r[1]))
    assert [r[:4] for r in values(few_kg, "sponsors-by-class")] == expected
    industry = [r[:4] for r in values(few_kg, "sponsors-by-class", **{"class": "INDUSTRY"})]
    assert industry == [r for r in expected if r[0] == "INDUSTRY"]
    assert ("INDUSTRY", "NightWare", "2", "2") in industry


# --- trials-per-country and trials-per-city -------------------------------------------------------


def test_trials_per_country_of_the_seed_count_its_sites(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    sites = Counter(place.split(",")[-1].strip() for place in page["Locations"][1::2])
    expected = sorted(((c, ISO[c], "1", str(n)) for c, n in sites.items()), key=lambda r: r[0])
    assert values(seed_kg, "trials-per-country") == expected


def test_trials_per_country_count_trials_once_however_many_sites(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    trials: defaultdict[str, set[str]] = defaultdict(set)
    sites: Counter[str] = Counter()
    for nct, doc in raw.items():
        for loc in locations_of(doc):
            trials[loc["country"]].add(nct)
            sites[loc["country"]] += 1
    expected = sorted(((c, ISO[c], str(len(t)), str(sites[c])) for c, t in trials.items()),
                      key=lambda r: (-int(r[2]), r[0]))
    assert values(few_kg, "trials-per-country") == expected


def test_trials_per_city_of_the_seed_count_two_paris_sites_as_one_trial(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    places = [tuple(p.strip() for p in place.split(",")) for place in page["Locations"][1::2]]
    sites = Counter((city, country) for city, _, country in places)
    expected = sorted(((city, country, "1", str(n)) for (city, country), n in sites.items()),
                      key=lambda r: (r[1], r[0]))
    assert values(seed_kg, "trials-per-city") == expected
    assert ("Paris", "France", "1", "2") in expected


def test_trials_per_city_count_distinct_trials_and_sites(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    trials: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    sites: Counter[tuple[str, str]] = Counter()
    for nct, doc in raw.items():
        for loc in locations_of(doc):
            trials[(loc["city"], loc["country"])].add(nct)
            sites[(loc["city"], loc["country"])] += 1
    expected = sorted(
        ((ci, co, str(len(t)), str(sites[(ci, co)])) for (ci, co), t in trials.items()),
        key=lambda r: (-int(r[2]), r[1], r[0]),
    )
    assert values(few_kg, "trials-per-city") == expected


# --- trials sharing a condition or an intervention ------------------------------------------------


def test_trials_sharing_with_the_seed_alone_are_none(seed_kg: ox.Store) -> None:
    assert values(seed_kg, "trials-sharing-condition", nct=SEED_NCT) == []
    assert values(seed_kg, "trials-sharing-intervention", nct=SEED_NCT) == []


def test_trials_sharing_a_condition_by_name_and_by_mesh_term(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    mine, theirs = raw["NCT03828656"], raw["NCT03934658"]
    names = {c.casefold(): c for c in proto(theirs)["conditionsModule"]["conditions"]}
    shared = [c for c in proto(mine)["conditionsModule"]["conditions"] if c.casefold() in names]
    mesh = {m["id"]: m["term"] for m in theirs["derivedSection"]["conditionBrowseModule"]["meshes"]}
    shared_mesh = [m["term"] for m in mine["derivedSection"]["conditionBrowseModule"]["meshes"]
                   if m["id"] in mesh]
    expected = sorted(
        [("NCT03934658", title_of(theirs), c, "condition") for c in shared]
        + [("NCT03934658", title_of(theirs), t, "MeSH term") for t in shared_mesh],
        key=lambda r: (r[0], r[3], r[2]),
    )
    got = columns(few_kg, "trials-sharing-condition",
                  ("otherNct", "title", "condition", "matchedBy"), nct="NCT03828656")
    assert len(shared) == 8
    assert got == expected


def test_trials_sharing_an_intervention_by_name_and_by_mesh_term(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    mine, theirs = raw["NCT06751849"], raw["NCT06751901"]
    their_ivs = proto(theirs)["armsInterventionsModule"]["interventions"]
    their_names = {i["name"].casefold() for i in their_ivs}
    by_name = [i["name"] for i in proto(mine)["armsInterventionsModule"]["interventions"]
               if i["name"].casefold() in their_names]
    their_mesh = {m["id"] for m in theirs["derivedSection"]["interventionBrowseModule"]["meshes"]}
    by_mesh = [m["term"] for m in mine["derivedSection"]["interventionBrowseModule"]["meshes"]
               if m["id"] in their_mesh]
    expected = sorted(
        [("NCT06751901", title_of(theirs), n, "name") for n in by_name]
        + [("NCT06751901", title_of(theirs), t, "MeSH term") for t in by_mesh],
        key=lambda r: (r[0], r[3], r[2]),
    )
    got = columns(few_kg, "trials-sharing-intervention",
                  ("otherNct", "title", "intervention", "matchedBy"), nct="NCT06751849")
    assert by_name == ["Radiotherapy", "PD-1 inhibitor"]
    assert got == expected


# --- sponsor-publications and published-without-results -------------------------------------------


def test_sponsor_publications_of_the_seed_give_each_sponsor_its_one_publication(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    assert len(page["References"]) == 1
    expected = sorted((name, "1", "1") for name, _ in seed_sponsors(page))
    assert sorted(r[:3] for r in values(seed_kg, "sponsor-publications")) == expected


def test_sponsor_publications_count_distinct_publications_per_role(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    pubs: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    trials: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for nct, doc in raw.items():
        refs = proto(doc).get("referencesModule", {}).get("references", [])
        for name, _, role in sponsors_of(doc):
            for ref in refs:
                pubs[(name, role)].add(ref.get("pmid") or ref["citation"])
                trials[(name, role)].add(nct)

    def expected(role: str) -> list[Row]:
        per_pubs: defaultdict[str, set[str]] = defaultdict(set)
        per_trials: defaultdict[str, set[str]] = defaultdict(set)
        for (name, r), found in pubs.items():
            if role in ("any", r):
                per_pubs[name] |= found
                per_trials[name] |= trials[(name, r)]
        rows = [(n, str(len(per_pubs[n])), str(len(per_trials[n]))) for n in per_pubs]
        return sorted(rows, key=lambda r: (-int(r[1]), -int(r[2]), r[0]))

    assert [r[:3] for r in values(few_kg, "sponsor-publications")] == expected("any")
    assert [r[:3] for r in values(few_kg, "sponsor-publications", role="lead")] == expected("lead")
    assert ("Tata Memorial Centre", "5", "1") in expected("collaborator")


def test_published_without_results_includes_the_seed_whose_page_states_no_results(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    assert page[""][3] == "Study Results" and "has not published" in page[""][4]
    expected = [(SEED_NCT, seed_title(page), seed_status(page), None, "1")]
    assert [r[:5] for r in values(seed_kg, "published-without-results")] == expected


def test_published_without_results_leaves_out_trials_with_results(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    expected = sorted(
        (nct, title_of(doc), proto(doc)["statusModule"]["overallStatus"], "false",
         str(len(proto(doc)["referencesModule"]["references"])))
        for nct, doc in raw.items()
        if proto(doc).get("referencesModule", {}).get("references") and not doc["hasResults"]
    )
    assert raw["NCT03569618"]["hasResults"] is True
    assert [r[:5] for r in values(few_kg, "published-without-results")] == expected


# --- recruiting-near ------------------------------------------------------------------------------


def _in_box(lat: float, lon: float, km: float, loc: dict[str, Any]) -> bool:
    point = loc.get("geoPoint")
    if not point:
        return False
    d_lat = km / 111.32
    d_lon = km / (111.32 * max(math.cos(math.radians(lat)), 0.01))
    return bool(abs(point["lat"] - lat) <= d_lat and abs(point["lon"] - lon) <= d_lon)


def test_recruiting_near_the_seed_sites_finds_nothing_for_a_trial_not_recruiting(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    assert seed_status(page) == "ACTIVE_NOT_RECRUITING"
    assert values(seed_kg, "recruiting-near", lat="43.61", lon="3.88", km="500") == []


@pytest.mark.parametrize(("lat", "lon", "km"), [(19.07, 72.88, 30), (28.68, 115.85, 10),
                                                  (40.85, -73.87, 50)])
def test_recruiting_near_keeps_recruiting_sites_in_the_box(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]], lat: float, lon: float, km: float
) -> None:
    expected = [
        (nct, title_of(doc), loc.get("facility"), loc.get("city"), loc.get("country"))
        for nct, doc in sorted(raw.items())
        if proto(doc)["statusModule"]["overallStatus"] == "RECRUITING"
        for loc in locations_of(doc)
        if _in_box(lat, lon, km, loc) and loc.get("status") in (None, "RECRUITING")
    ]
    got = columns(few_kg, "recruiting-near", ("nct", "title", "facility", "city", "country"),
                  lat=str(lat), lon=str(lon), km=str(km))
    assert got == expected


def test_recruiting_near_leaves_out_a_site_not_yet_recruiting_in_the_box(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    actrec = next(loc for loc in locations_of(raw["NCT05774483"]) if loc["facility"] == "ACTREC")
    assert _in_box(19.07, 72.88, 30, actrec) and actrec["status"] == "NOT_YET_RECRUITING"
    facilities = [r[0] for r in columns(few_kg, "recruiting-near", ("facility",),
                                         lat="19.07", lon="72.88", km="30")]
    assert facilities == ["Tata Memorial Hospital"]


# --- dataset-summary ------------------------------------------------------------------------------

SCHEMA = "http://schema.org/"
TKG = "https://w3id.org/trialkg/ontology#"


def test_dataset_summary_of_the_seed_counts_what_the_page_lists(
    seed_kg: ox.Store, page: dict[str, list[str]]
) -> None:
    counts: dict[str, str] = {k: v for k, v in values(seed_kg, "dataset-summary")}
    expected = {
        SCHEMA + "MedicalTrial": 1,
        SCHEMA + "MedicalStudy": len(page["Related Clinical Trials"]) // 2,
        TKG + "Site": len(page["Locations"]) // 2,
        TKG + "Intervention": len(page["Interventions"]) // 2,
        TKG + "Arm": len(page["Study Groups"]) // 4,
        SCHEMA + "ScholarlyArticle": len(page["References"]),
        SCHEMA + "Country": len({p.split(",")[-1] for p in page["Locations"][1::2]}),
    }
    assert {k: int(counts[k]) for k in expected} == expected


def test_dataset_summary_counts_each_class_once_per_thing(
    few_kg: ox.Store, raw: dict[str, dict[str, Any]]
) -> None:
    counts = {k: int(v) for k, v in values(few_kg, "dataset-summary")}
    docs = list(raw.values())
    kinds = Counter(proto(d)["designModule"]["studyType"] for d in docs)
    refs = {r.get("pmid") or r["citation"] for d in docs
            for r in proto(d).get("referencesModule", {}).get("references", [])}
    expected = {
        SCHEMA + "MedicalTrial": kinds["INTERVENTIONAL"],
        TKG + "Site": sum(len(locations_of(d)) for d in docs),
        SCHEMA + "GeoCoordinates": sum("geoPoint" in loc for d in docs for loc in locations_of(d)),
        TKG + "Intervention": sum(len(proto(d)["armsInterventionsModule"]["interventions"])
                                  for d in docs),
        TKG + "Arm": sum(len(proto(d)["armsInterventionsModule"]["armGroups"]) for d in docs),
        SCHEMA + "ScholarlyArticle": len(refs),
        SCHEMA + "Country": len({loc["country"] for d in docs for loc in locations_of(d)}),
    }
    assert {k: counts.get(k, 0) for k in expected} == expected
    assert f"{DEFAULT_BASE.rstrip('/')}/ontology" not in counts


# --- every query is tested ------------------------------------------------------------------------


def test_every_named_query_has_a_test_with_expected_rows() -> None:
    tests = Path(__file__).resolve().parent
    source = "\n".join(p.read_text("utf-8") for p in tests.rglob("test_*.py"))
    untested = [q.name for q in list_queries() if f'"{q.name}"' not in source]
    assert untested == []
