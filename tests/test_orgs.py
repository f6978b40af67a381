"""Organisation reconciliation: the key, the labelled sample's precision and recall, the mapping."""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.mapping._emit import Triples
from kg.mapping.parties import map_organization
from kg.orgs import (
    OrgIndex,
    OrgTarget,
    is_placeholder,
    needs_place,
    org_key,
    parse_ror,
    place_key,
    sponsor_site_key,
    without_university,
)
from kg.terms import SDO, Minter

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "fixtures" / "org_sample.tsv"
EXAMPLE_MAPPING = REPO / "data" / "org-mapping.example.tsv"
CNRS = "02feahw73"  # ROR id of the Centre National de la Recherche Scientifique


def same(a: str, b: str) -> bool:
    return org_key(a) == org_key(b)


# --- the labelled sample ---


def sample() -> list[dict[str, str]]:
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def merged(row: dict[str, str]) -> bool:
    """Tell whether kg makes the pair one node: two facilities at their places, else by name.

    A facility and a name that is never one (a sponsor's, an affiliation's) meet where the name
    is the sponsor of the facility's trial: kg compares them there by name, the site's own town
    written at the end of the sponsor's name and a hospital's "University" aside
    (:func:`kg.orgs.sponsor_site_key`, :mod:`kg.mapping.sites`).
    """
    if row["place_a"] and row["place_b"]:
        index = OrgIndex()
        return index.node_key(row["a"], row["place_a"]) == index.node_key(row["b"], row["place_b"])
    if row["place_a"] or row["place_b"]:
        site, other = ("a", "b") if row["place_a"] else ("b", "a")
        if without_university(org_key(row[site])) == sponsor_site_key(
            row[other], row[f"place_{site}"]
        ):
            return True
    return org_key(row["a"]) == org_key(row["b"])


def test_sample_has_hundreds_of_labelled_pairs_of_both_kinds() -> None:
    rows = sample()
    assert len(rows) >= 300
    assert {r["same"] for r in rows} == {"0", "1"}
    assert sum(r["same"] == "0" for r in rows) >= 150
    assert all(r["a"] and r["b"] and r["why"] and r["source"] for r in rows)


def test_sample_precision_is_at_least_99_5_percent() -> None:
    hits = [r for r in sample() if merged(r)]
    wrong = [(r["a"], r["b"]) for r in hits if r["same"] == "0"]
    assert 1 - len(wrong) / len(hits) >= 0.995, wrong


def test_sample_recall_on_pairs_not_drawn_from_merges_is_at_least_90_percent() -> None:
    """Issue 14 asks 0.90; kg reaches 428/475 = 0.901 (README, Organisations)."""
    positives = [r for r in sample() if r["same"] == "1" and not r["source"].startswith("merges")]
    missed = [(r["a"], r["b"]) for r in positives if not merged(r)]
    assert 1 - len(missed) / len(positives) >= 0.90, missed


def test_untuned_sample_of_merges_is_at_least_98_percent_right() -> None:
    hits = [r for r in sample() if r["source"] == "merges-3" and merged(r)]
    assert sum(r["same"] == "1" for r in hits) / len(hits) >= 0.98


# --- what the key folds ---


def test_word_order_and_chu_give_one_key() -> None:
    names = [
        "University Hospital, Montpellier",
        "Montpellier University Hospital",
        "CHU de Montpellier",
        "UH Montpellier",
        "Centre Hospitalier Universitaire de Montpellier",
        "University Hospital of Montpellier",
    ]
    assert len({org_key(n) for n in names}) == 1


def test_other_languages_word_order_gives_one_key() -> None:
    assert same("Hospital Universitario Virgen del Rocío", "Virgen del Rocio University Hospital")
    assert same("Universitätsklinikum Tübingen", "University Hospital Tübingen")
    assert same(
        "The Fourth Hospital of Hebei Medical University",
        "Hebei Medical University Fourth Hospital",
    )


def test_university_is_not_its_hospital() -> None:
    assert not same("Université Montpellier", "Montpellier University Hospital")
    assert not same("Nagoya University", "Nagoya University Hospital")


def test_department_is_not_its_hospital() -> None:
    assert not same(
        "Département de l'information médicale, CHU de Montpellier", "CHU de Montpellier"
    )


def test_assistance_publique_spellings_give_one_key() -> None:
    names = ["APHP", "AP-HP", "Assistance Publique - Hôpitaux de Paris", "A.P.-H.P."]
    assert len({org_key(n) for n in names}) == 1


def test_assistance_publique_of_paris_is_not_its_hospital_nor_marseille() -> None:
    assert not same("APHP", "APHP Cochin")
    assert not same("AP-HP", "Assistance Publique - Hôpitaux de Marseille")


def test_abbreviations_give_one_key() -> None:
    assert same("Univ. of Navarra", "University of Navarra")
    assert same("St Bartholomew's Hospital", "Saint Bartholomew's Hospital")
    assert same("Royal Preston Hosp", "Royal Preston Hospital")
    assert same("Inst. de Oncologia Angel H. Roffo", "Instituto de Oncología Angel H. Roffo")
    assert same("M.D. Anderson Cancer Center", "MD Anderson Cancer Center")


def test_leading_article_is_dropped() -> None:
    assert same("The Cleveland Clinic", "Cleveland Clinic")


def test_possessive_spellings_give_one_key() -> None:
    assert same("Wuxi People s Hospital", "Wuxi People's Hospital")
    assert same("Zhejiang Provincial People?s Hospital", "Zhejiang Provincial People's Hospital")


@pytest.mark.parametrize(
    "name",
    [
        "Univercell-Biosolutions S.A.S",
        "Univercell-Biosolutions, Inc.",
        "Univercell Biosolutions GmbH",
        "Univercell Biosolutions Co., Ltd.",
        "Univercell Biosolutions Pvt. Ltd.",
        "Univercell-Biosolutions S.A. de C.V.",
    ],
)
def test_legal_form_is_dropped(name: str) -> None:
    assert same(name, "Univercell-Biosolutions")


def test_legal_form_of_a_japanese_subsidiary_is_kept() -> None:
    assert not same("AstraZeneca K.K.", "AstraZeneca")


def test_and_company_is_kept_so_merck_companies_stay_apart() -> None:
    assert not same("Merck & Co., Inc.", "Merck KGaA")


def test_acronym_in_parentheses_is_dropped() -> None:
    assert same(
        "Interdisziplinäres Zentrum Klinische Studien (IZKS)",
        "Interdisziplinäres Zentrum Klinische Studien",
    )
    assert same("Faculdade de Medicina do ABC - FMABC", "Faculdade de Medicina do ABC")


def test_parenthesis_that_names_a_place_is_kept() -> None:
    assert not same(
        "Qilu Hospital of Shandong University (Qingdao)", "Qilu Hospital of Shandong University"
    )


def test_country_tail_is_dropped() -> None:
    assert same(
        "Centre National de la Recherche Scientifique, France",
        "Centre National de la Recherche Scientifique",
    )
    assert same("BG Klinikum Bergmannstrost, Germany", "BG Klinikum Bergmannstrost")


def test_country_tail_of_a_name_of_common_words_is_kept() -> None:
    keys = {
        org_key(n)
        for n in (
            "National Cancer Center, Japan",
            "National Cancer Center - Korea",
            "National Cancer Center",
        )
    }
    assert len(keys) == 3


def test_city_after_a_comma_is_kept() -> None:
    assert not same(
        "University of California, San Francisco", "University of California, Los Angeles"
    )
    assert not same(
        "National University of Ireland, Galway, Ireland",
        "National University of Ireland, Maynooth",
    )


def test_order_is_kept_where_it_tells_organisations_apart() -> None:
    assert not same("University of Washington", "Washington University")
    assert not same("University of Miami", "Miami University")
    assert not same("Institute of Cancer Research", "Cancer Research Institute")


def test_direction_keeps_its_place_in_the_name() -> None:
    assert not same("Cancer Specialists of North Florida", "Florida Cancer Specialists - North")


def test_names_of_common_words_keep_their_language() -> None:
    assert not same("Instituto Nacional de Cancer", "Instituto Nacional del Cancer")
    assert not same("Azienda Ospedaliero Universitaria", "Hospital Universitario")


def test_sponsor_site_numbers_are_dropped() -> None:
    for name in (
        "Hadassah Medical Center ( Site 1451)",
        "Hadassah Medical Center /ID# 253303",
        "Hadassah Medical Center- Site Number : 8400111",
        "Hadassah Medical Center - PPDS",
    ):
        assert same(name, "Hadassah Medical Center"), name


def test_anonymous_site_codes_keep_sites_apart() -> None:
    assert not same("Local Institution - 007-562-A", "Local Institution - 007-562-D")
    assert not same(
        "Investigational Site Number : 2760003", "Investigational Site Number : 7100004"
    )


@pytest.mark.parametrize(
    "name",
    [
        "Research Site",
        "Local Institution - 007-928-H",
        "GSK Investigational Site",
        "Investigational Site Number : 2760003",
        "Novartis Investigative Site",
        "Study Site",
    ],
)
def test_anonymous_sites_are_placeholders(name: str) -> None:
    assert is_placeholder(name)


@pytest.mark.parametrize(
    "name", ["Northeast Clinical Research Center", "Research Institute of Tuberculosis", "Sitel"]
)
def test_real_names_are_not_placeholders(name: str) -> None:
    assert not is_placeholder(name)


def test_common_names_need_their_place() -> None:
    assert needs_place("St. Mary's Medical Center")
    assert needs_place("Memorial Hospital")
    assert needs_place("Research Site")
    assert not needs_place("Mayo Clinic")
    assert not needs_place("Seoul St. Mary's Hospital")


def test_place_tells_common_names_apart() -> None:
    index = OrgIndex()
    saginaw = index.node_key("St. Mary's Medical Center", "Saginaw, Michigan, United States")
    assert saginaw != index.node_key("Saint Mary's Medical Center", "Saginaw, Texas, United States")
    assert saginaw == index.node_key("Saint Mary's Medical Center", "Saginaw,  Michigan, US")


def test_distinctive_facility_is_one_node_across_towns_of_one_country_and_state() -> None:
    index = OrgIndex()
    assert index.node_key("Tata Memorial Centre", "Mumbai, India") == index.node_key(
        "Tata Memorial Center", "Kolkata, India"
    )


def test_facility_key_is_not_the_name_key_a_sponsor_has() -> None:
    index = OrgIndex()
    assert index.node_key("Mayo Clinic", "Rochester, Minnesota, United States") != index.node_key(
        "Mayo Clinic"
    )


def test_place_key_folds_accents_and_punctuation() -> None:
    assert place_key("Pécs, Hungary") == place_key("PECS ,  Hungary")


def test_key_of_a_key_is_the_same_key() -> None:
    for name in ("University Hospital, Montpellier", "Hospital Universitari Vall d'Hebron", "CNRS"):
        assert org_key(org_key(name)) == org_key(name)


def test_keying_every_shared_name_is_fast(json_records: list[Path]) -> None:
    names: set[str] = set()
    for path in json_records:
        protocol = json.loads(path.read_text(encoding="utf-8")).get("protocolSection", {})
        places = protocol.get("contactsLocationsModule", {}).get("locations", [])
        names.update(loc["facility"] for loc in places if loc.get("facility"))
    start = time.perf_counter()
    for name in names:
        org_key(name + " (timing)")  # a name the cache has not seen
    per_name = (time.perf_counter() - start) / len(names)
    assert per_name < 0.001  # ~70 us measured; 1 ms would be 10 minutes for the whole registry


# --- ROR ids and the mapping file ---


def test_parse_ror_accepts_url_and_bare_id() -> None:
    assert parse_ror("https://ror.org/02feahw73") == CNRS
    assert parse_ror("ror.org/02FEAHW73") == CNRS
    assert parse_ror(CNRS) == CNRS


def test_parse_ror_refuses_a_bad_checksum() -> None:
    assert parse_ror("02feahw74") is None


def test_mapping_sends_every_spelling_to_the_ror_node() -> None:
    index = OrgIndex.parse(
        "name\tid\nCNRS\t02feahw73\n"
        "Centre National de la Recherche Scientifique\thttps://ror.org/02feahw73\n"
    )
    keys = {
        index.node_key(n) for n in ("CNRS", "Centre National de la Recherche Scientifique, France")
    }
    assert keys == {f"ror-{CNRS}"}


def test_mapping_reads_csv_with_comments_and_extra_columns() -> None:
    text = '# comment\n\nname,id,note\n"Université Montpellier",051escj72,"UM, France"\n'
    index = OrgIndex.parse(text)
    assert index.lookup("University of Montpellier") == OrgTarget(ror="051escj72")


def test_mapping_key_column_is_used_as_is() -> None:
    index = OrgIndex.parse("key\tid\nmontpellier hospital university\thttps://example.org/chu\n")
    assert index.lookup("CHU de Montpellier") == OrgTarget(iri="https://example.org/chu")


def test_mapping_file_type_follows_its_extension(tmp_path: Path) -> None:
    path = tmp_path / "orgs.tsv"
    path.write_text("name\tid\nCNRS, France\t02feahw73\n", encoding="utf-8")
    assert OrgIndex.load(path).node_key("CNRS") == f"ror-{CNRS}"


def test_mapping_row_with_a_bad_id_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text("name,id\nCNRS,02feahw73\nIZKS,not an id\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        OrgIndex.load(path)
    assert (info.value.file, info.value.record, info.value.field) == (str(path), "line 3", "id")


def test_mapping_without_the_columns_is_refused() -> None:
    with pytest.raises(InputError, match="header"):
        OrgIndex.parse("organisation\tror\nCNRS\t02feahw73\n")


def test_mapping_one_name_to_two_targets_is_refused() -> None:
    with pytest.raises(InputError, match="already mapped"):
        OrgIndex.parse("name\tid\nCNRS\t02feahw73\nCNRS.\t051escj72\n")


def test_missing_mapping_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        OrgIndex.load(tmp_path / "absent.tsv")


def test_example_mapping_file_loads() -> None:
    index = OrgIndex.load(EXAMPLE_MAPPING)
    assert index.node_key("Assistance Publique - Hôpitaux de Paris") == "ror-00pg5jh14"


def test_index_is_immutable() -> None:
    index = OrgIndex({"cnrs": OrgTarget(ror=CNRS)})
    with pytest.raises(AttributeError):
        index._entries = {}


def test_index_survives_pickling_for_worker_processes() -> None:
    index = OrgIndex({"cnrs": OrgTarget(ror=CNRS)})
    assert pickle.loads(pickle.dumps(index)).node_key("CNRS") == f"ror-{CNRS}"  # noqa: S301


# --- minting and mapping ---


def test_minter_gives_one_node_to_every_spelling() -> None:
    mint = Minter()
    assert mint.organization("University Hospital, Montpellier") == mint.organization(
        "CHU Montpellier"
    )


def test_minter_keys_a_mapped_name_by_its_ror_id() -> None:
    mint = Minter(orgs=OrgIndex({"cnrs": OrgTarget(ror=CNRS)}))
    assert mint.organization("CNRS") == f"<https://w3id.org/trialkg/org/ror-{CNRS}>"


def test_minter_uses_a_preferred_iri_as_the_node() -> None:
    mint = Minter(orgs=OrgIndex({"cnrs": OrgTarget(iri="https://example.org/cnrs")}))
    assert mint.organization("CNRS") == "<https://example.org/cnrs>"


def test_mapped_organisation_is_same_as_its_ror_record() -> None:
    t = Triples(Minter(orgs=OrgIndex({"cnrs": OrgTarget(ror=CNRS)})))
    org = map_organization(t, "CNRS")
    assert (org, SDO.sameAs, f"<https://ror.org/{CNRS}>") in t.items


def test_unmapped_organisation_has_no_same_as() -> None:
    t = Triples(Minter())
    map_organization(t, "CNRS")
    assert not [p for _, p, _ in t.items if p == SDO.sameAs]


def test_seed_montpellier_hospital_spellings_are_one_node(seed_store: ox.Store) -> None:
    query = """
        SELECT DISTINCT ?org WHERE {
          ?org <http://schema.org/alternateName> ?name .
          VALUES ?name { "University Hospital, Montpellier" "Montpellier University Hospital"
                         "UH Montpellier" }
        }"""
    result = seed_store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    assert len(list(result)) == 1
