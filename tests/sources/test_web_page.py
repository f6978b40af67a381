"""Tests of the trial web page reader: the seed page, a labelled-layout page, and broken pages."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.model import (
    AgencyClass,
    Allocation,
    Arm,
    Condition,
    Eligibility,
    Intervention,
    InterventionModel,
    Location,
    Masking,
    Official,
    OfficialRole,
    PartialDate,
    Phase,
    PrimaryPurpose,
    RelatedTrial,
    SecondaryId,
    Sex,
    SourceInfo,
    Sponsor,
    SponsorRole,
    Status,
    StudyType,
    Trial,
)
from kg.sources.web_page import iter_web_pages, looks_like_web_page, parse_web_page

REPO = Path(__file__).resolve().parents[2]
SEED_PATH = REPO / "data" / "000_9a170ffc83e8bfff.txt"
FIXTURES = REPO / "tests" / "fixtures"
SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")
LABELLED_TEXT = (FIXTURES / "page_labelled.txt").read_text(encoding="utf-8")
MINIMAL_TEXT = (FIXTURES / "page_minimal.txt").read_text(encoding="utf-8")
# The page's section headings, written out here rather than taken from the module under test.
HEADINGS = {
    "Study Results", "Basic Information", "Brief Summary", "Related Clinical Trials",
    "Detailed Description", "Conditions", "Study Design", "Study Groups", "Interventions",
    "Other Intervention Names", "Eligibility Criteria", "Sponsors", "Responsible Party",
    "Principal Investigators", "Locations", "Countries", "References", "Other Identifiers",
    "More Related Trials",
}  # fmt: skip


@pytest.fixture(scope="module")
def seed() -> Trial:
    return parse_web_page(SEED_TEXT, "seed.txt")


@pytest.fixture(scope="module")
def labelled() -> Trial:
    return parse_web_page(LABELLED_TEXT, "page_labelled.txt")


def _strings(value: object) -> Iterator[str]:
    """Yield every string held anywhere in a record (enum codes included)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)


def _seed_with(old: str, new: str) -> str:
    assert old in SEED_TEXT
    return SEED_TEXT.replace(old, new, 1)


# --- the seed page ---


def test_seed_nct_id(seed: Trial) -> None:
    assert seed.nct_id == "NCT03737461"


def test_seed_brief_title_is_the_first_line(seed: Trial) -> None:
    assert seed.brief_title == SEED_TEXT.splitlines()[0]
    assert seed.brief_title.startswith("Efficacy of Intradiscal Injection of BM-MSC")


def test_seed_status_is_active_not_recruiting(seed: Trial) -> None:
    assert seed.status is Status.ACTIVE_NOT_RECRUITING


def test_seed_phase2_phase3_gives_two_phases(seed: Trial) -> None:
    assert seed.phases == (Phase.PHASE2, Phase.PHASE3)


def test_seed_enrollment_is_113(seed: Trial) -> None:
    assert seed.enrollment == 113


def test_seed_study_type_is_interventional(seed: Trial) -> None:
    assert seed.study_type is StudyType.INTERVENTIONAL


def test_seed_start_date(seed: Trial) -> None:
    assert seed.start_date == PartialDate(2019, 2, 18)


def test_seed_end_date_is_the_completion_date(seed: Trial) -> None:
    assert seed.completion_date == PartialDate(2026, 3, 8)
    assert seed.primary_completion_date is None


def test_seed_last_updated_dates_trial_and_source(seed: Trial) -> None:
    assert seed.last_updated == PartialDate(2025, 9, 30)
    assert seed.source.date == PartialDate(2025, 9, 30)


def test_seed_source_names_file_format_and_digest(seed: Trial) -> None:
    digest = hashlib.sha1(SEED_TEXT.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    assert seed.source == SourceInfo("seed.txt", "web-page", PartialDate(2025, 9, 30), digest)


def test_seed_design_codes(seed: Trial) -> None:
    design = (seed.allocation, seed.intervention_model, seed.primary_purpose, seed.masking)
    assert design == (
        Allocation.RANDOMIZED,
        InterventionModel.PARALLEL,
        PrimaryPurpose.TREATMENT,
        Masking.TRIPLE,
    )


def test_seed_has_17_sponsors_with_their_classes(seed: Trial) -> None:
    unknown = {
        "Interdisziplinäres Zentrum Klinische Studien (IZKS)",
        "Département de l'information médicale, CHU de Montpellier",
        "Univercell-Biosolutions S.A.S",
        "BG Klinikum Bergmannstrost, Halle, Germany",
    }
    classes = {s.name: s.agency_class for s in seed.sponsors}
    assert len(seed.sponsors) == 17
    assert classes["Citospin"] is AgencyClass.INDUSTRY
    assert {n for n, c in classes.items() if c is AgencyClass.UNKNOWN} == unknown
    assert Counter(classes.values())[AgencyClass.OTHER] == 12
    assert "University Hospital, Montpellier" in classes
    assert "National University of Ireland, Galway, Ireland" in classes


def test_seed_sponsors_keep_page_order(seed: Trial) -> None:
    assert seed.sponsors[0] == Sponsor(
        "Interdisziplinäres Zentrum Klinische Studien (IZKS)",
        AgencyClass.UNKNOWN,
        SponsorRole.UNSPECIFIED,
    )
    assert seed.sponsors[-1].name == "University Hospital, Montpellier"


def test_seed_no_sponsor_is_made_lead(seed: Trial) -> None:
    assert {s.role for s in seed.sponsors} == {SponsorRole.UNSPECIFIED}
    assert seed.lead_sponsor is None


def test_seed_has_nine_locations_by_country(seed: Trial) -> None:
    countries = Counter(loc.country for loc in seed.locations)
    assert countries == {"France": 4, "Spain": 3, "Germany": 1, "Italy": 1}


def test_seed_location_reads_facility_and_city(seed: Trial) -> None:
    assert seed.locations[0] == Location("UH Montpellier", city="Montpellier", country="France")
    assert seed.locations[5].facility == "Campus Bio-Medico University of Rome"
    assert seed.locations[5].city == "Roma"


def test_seed_empty_state_is_none_not_empty_string(seed: Trial) -> None:
    assert {(loc.state, loc.zip) for loc in seed.locations} == {(None, None)}


def test_seed_has_two_arms_with_descriptions(seed: Trial) -> None:
    assert [(a.label, (a.description or "")[:24]) for a in seed.arms] == [
        ("Allogenic BM-MSCs Injection", "Injection of a dose of 2"),
        ("Sham Procedure", "anesthetic infiltration "),
    ]


def test_seed_has_two_interventions_with_descriptions(seed: Trial) -> None:
    assert [(i.name, (i.description or "")[:18]) for i in seed.interventions] == [
        ("Allogenic BM-MSCs Injection", "Cell dose will be "),
        ("Sham Procedure", "sham-maneuver as i"),
    ]


def test_seed_arm_and_intervention_of_the_same_name_are_linked(seed: Trial) -> None:
    assert [a.intervention_names for a in seed.arms] == [
        ("Allogenic BM-MSCs Injection",),
        ("Sham Procedure",),
    ]
    assert [i.arm_labels for i in seed.interventions] == [
        ("Allogenic BM-MSCs Injection",),
        ("Sham Procedure",),
    ]


def test_seed_has_five_related_trials_with_titles(seed: Trial) -> None:
    assert [r.nct_id for r in seed.related_trials] == [
        "NCT04759105",
        "NCT05066334",
        "NCT01290367",
        "NCT03692221",
        "NCT03712527",
    ]
    assert seed.related_trials[3] == RelatedTrial(
        "NCT03692221", "Mesenchymal Stem Cells for Lumbar Degenerative Disc Disease"
    )


def test_seed_eligibility_ages_sex_and_volunteers(seed: Trial) -> None:
    e = seed.eligibility
    assert e is not None
    assert (e.minimum_age, e.maximum_age, e.sex, e.healthy_volunteers) == (
        "18 Years",
        "60 Years",
        Sex.ALL,
        False,
    )


def test_seed_has_5_inclusion_and_14_exclusion_bullets(seed: Trial) -> None:
    assert seed.eligibility is not None
    assert len(seed.eligibility.inclusion) == 5
    assert len(seed.eligibility.exclusion) == 14
    assert seed.eligibility.inclusion[2] == "Low back Pain baseline > 40 mm on VAS (0-100)."


def test_seed_nested_bullets_stay_with_their_parent(seed: Trial) -> None:
    assert seed.eligibility is not None
    parent = seed.eligibility.exclusion[1]
    assert parent.startswith("Prior to the screening visit, has received:")
    assert "Oral corticosteroid therapy" in parent
    assert "Intramuscular, intravenous or epidural corticosteroid" in parent


def test_seed_criteria_text_ends_with_the_last_bullet(seed: Trial) -> None:
    assert seed.eligibility is not None and seed.eligibility.criteria is not None
    assert seed.eligibility.criteria.startswith("Inclusion Criteria\n* Symptomatic chronic")
    assert seed.eligibility.criteria.endswith("study or rescue medications.")


def test_seed_eudract_number_is_a_secondary_id(seed: Trial) -> None:
    assert seed.secondary_ids == (SecondaryId("2017-002092-25", type="EUDRACT_NUMBER"),)


def test_seed_org_study_id(seed: Trial) -> None:
    assert seed.org_study_id == "RECHMPL17_0206"


def test_seed_principal_investigator(seed: Trial) -> None:
    assert seed.officials == (
        Official(
            "Christian CJ JORGENSEN",
            role=OfficialRole.PRINCIPAL_INVESTIGATOR,
            affiliation="Montpellier University Hospital",
            degrees="PhD",
        ),
    )


def test_seed_reference_carries_its_parsed_citation(seed: Trial) -> None:
    (ref,) = seed.references
    assert ref.text is not None and ref.text.startswith("Pers YM, Soler-Rich R")
    assert ref.citation is not None
    assert ref.citation.doi == "10.1136/ard-2024-225771"


def test_seed_brief_summary_keeps_both_paragraphs(seed: Trial) -> None:
    assert seed.brief_summary is not None
    first, second = seed.brief_summary.split("\n\n")
    assert first.startswith("This trial will evaluate")
    assert second.startswith("Visual analog scale (VAS)")


def test_seed_empty_sections_give_empty_values(seed: Trial) -> None:
    assert seed.conditions == ()
    assert seed.detailed_description is None
    assert [i.other_names for i in seed.interventions] == [(), ()]


def test_seed_no_explanation_line_appears_as_data(seed: Trial) -> None:
    lines = SEED_TEXT.splitlines()
    furniture = {lines[i + 1] for i, line in enumerate(lines[:-1]) if line in HEADINGS}
    assert len(furniture) == len(HEADINGS)
    leaked = {f for f in furniture for s in _strings(seed) if f in s}
    assert leaked == set()


# --- the labelled layout ---

LABELLED_FIELDS = {
    "nct_id": "NCT99999901",
    "brief_title": "Zorbitol Tablets for Imaginary Syndrome in Adults and Adolescents",
    "brief_summary": "This made-up study tests zorbitol tablets in people with imaginary "
    "syndrome.\n\nNothing in this page describes a real trial.",
    "detailed_description": "Participants take one tablet a day for twelve weeks.\n\n"
    "Symptoms are scored every four weeks.",
    "org_study_id": "FP-ZRB-001",
    "secondary_ids": (SecondaryId("IMAG-2023-0042", type="REGISTRY"),),
    "status": Status.RECRUITING,
    "study_type": StudyType.INTERVENTIONAL,
    "phases": (Phase.PHASE1,),
    "allocation": Allocation.NA,
    "intervention_model": InterventionModel.SINGLE_GROUP,
    "primary_purpose": PrimaryPurpose.OTHER,
    "masking": Masking.NONE,
    "enrollment": 40,
    "start_date": PartialDate(2024, 3),
    "primary_completion_date": PartialDate(2025, 6, 30),
    "completion_date": PartialDate(2025, 12, 31),
    "last_updated": PartialDate(2025, 1, 15),
    "sponsors": (
        Sponsor("Fictional Pharma Ltd", AgencyClass.INDUSTRY, SponsorRole.UNSPECIFIED),
        Sponsor("Nowhere University Hospital", AgencyClass.OTHER, SponsorRole.UNSPECIFIED),
    ),
    "officials": (
        Official(
            "Jane Q Doe",
            role=OfficialRole.PRINCIPAL_INVESTIGATOR,
            affiliation="Nowhere University Hospital",
            degrees="MD, PhD",
        ),
        Official("Rob Roe", role=OfficialRole.STUDY_CHAIR, affiliation="Fictional Pharma Ltd"),
    ),
    "arms": (
        Arm(
            "Zorbitol Tablet",
            description="Participants take zorbitol by mouth.",
            intervention_names=("Zorbitol Tablet",),
        ),
        Arm("Observation", description="Participants are followed without treatment."),
    ),
    "interventions": (
        Intervention(
            "Zorbitol Tablet",
            description="One 10 mg tablet a day for twelve weeks",
            arm_labels=("Zorbitol Tablet",),
            other_names=("ZRB-101",),
        ),
    ),
    "conditions": (Condition("Imaginary Syndrome"), Condition("Fictitious Fatigue")),
    "eligibility": Eligibility(
        criteria="Inclusion Criteria\n* Diagnosis of imaginary syndrome\n* Able to swallow tablets"
        "\nExclusion Criteria\n* Pregnancy",
        inclusion=("Diagnosis of imaginary syndrome", "Able to swallow tablets"),
        exclusion=("Pregnancy",),
        minimum_age="12 Years",
        maximum_age="80 Years",
        sex=Sex.FEMALE,
        healthy_volunteers=True,
    ),
    "locations": (
        Location(
            "Nowhere University Hospital",
            city="Springfield",
            state="Illinois",
            zip="62701",
            country="United States",
        ),
        Location("Clinique Imaginaire", city="Lyon", country="France"),
    ),
    "related_trials": (
        RelatedTrial("NCT99999903", "A Made-up Study of Zorbitol in Children"),
        RelatedTrial("NCT99999902", "Another Imaginary Study"),
    ),
}
# What the page cannot say, or says only in a form the model has no field for.
UNREAD_FIELDS = {
    "official_title", "acronym", "observational_model", "time_perspective", "enrollment_type",
    "start_date_type", "primary_completion_date_type", "completion_date_type", "first_posted",
    "results_first_posted", "has_results", "keywords", "condition_mesh",
    "condition_mesh_ancestors", "condition_mesh_leaves", "intervention_mesh",
    "intervention_mesh_ancestors", "outcomes_primary", "outcomes_secondary", "outcomes_other",
    # Registry-record fields no page layout shows:
    "last_known_status", "why_stopped", "status_verified", "nct_aliases", "central_contacts",
    "responsible_party", "ipd", "has_dmc", "fda_regulated_drug", "fda_regulated_device",
    "other_sources", "results",
}  # fmt: skip


@pytest.mark.parametrize(("field", "expected"), LABELLED_FIELDS.items(), ids=list(LABELLED_FIELDS))
def test_labelled_page_reads_field(labelled: Trial, field: str, expected: object) -> None:
    assert getattr(labelled, field) == expected


def test_labelled_page_reference_doi(labelled: Trial) -> None:
    (ref,) = labelled.references
    assert ref.citation is not None and ref.citation.doi == "10.5555/imag.2023.001"


def test_labelled_page_leaves_only_unreadable_fields_empty(labelled: Trial) -> None:
    empty = {
        f.name for f in dataclasses.fields(Trial) if getattr(labelled, f.name) in (None, (), "")
    }
    assert empty == UNREAD_FIELDS


def test_minimal_page_gives_title_and_nct_id_only() -> None:
    digest = hashlib.sha1(MINIMAL_TEXT.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    assert parse_web_page(MINIMAL_TEXT, "page_minimal.txt") == Trial(
        nct_id="NCT99999900",
        source=SourceInfo("page_minimal.txt", "web-page", None, digest),
        brief_title="A Made-up Trial With Nothing Else on Its Page",
    )


# --- values told apart by their code list ---


def test_design_code_is_placed_by_its_enum_when_a_line_is_missing() -> None:
    trial = parse_web_page(_seed_with("PARALLEL\n", ""), "p.txt")
    assert (trial.allocation, trial.intervention_model, trial.primary_purpose, trial.masking) == (
        Allocation.RANDOMIZED,
        None,
        PrimaryPurpose.TREATMENT,
        Masking.TRIPLE,
    )


def test_lone_bare_age_is_the_minimum_age() -> None:
    trial = parse_web_page(_seed_with("60 Years\n", ""), "p.txt")
    assert trial.eligibility is not None
    assert (trial.eligibility.minimum_age, trial.eligibility.maximum_age) == ("18 Years", None)


# --- errors ---


def test_page_without_nct_id_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(_seed_with("NCT ID: NCT03737461\n", ""), "p.txt")
    assert (info.value.file, info.value.record, info.value.field) == ("p.txt", None, "NCT ID")


def test_invalid_nct_id_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(_seed_with("NCT ID: NCT03737461", "NCT ID: NCT0373"), "p.txt")
    assert (info.value.record, info.value.field) == (None, "NCT ID")


def test_unknown_phase_names_section_label_and_value() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(_seed_with("PHASE2/PHASE3", "PHASE9"), "p.txt")
    assert str(info.value) == "p.txt: NCT03737461: Basic Information.phase: unknown value 'PHASE9'"


def test_bad_start_date_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(_seed_with("2019-02-18", "2019-02-30"), "p.txt")
    assert (info.value.record, info.value.field) == ("NCT03737461", "Basic Information.start_date")


def test_bad_last_updated_date_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(_seed_with("Last Updated: 2025-09-30", "Last Updated: 2025-13-01"), "p.txt")
    assert info.value.field == "Last Updated"


def test_bad_enrollment_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(_seed_with("113 participants", "many participants"), "p.txt")
    assert info.value.field == "Basic Information.enrollment"


def test_bad_labelled_enrollment_is_an_input_error() -> None:
    text = LABELLED_TEXT.replace("40 participants", "forty")
    with pytest.raises(InputError) as info:
        parse_web_page(text, "p.txt")
    assert (info.value.record, info.value.field) == ("NCT99999901", "Basic Information.enrollment")


def test_unknown_agency_class_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(_seed_with("Citospin\nINDUSTRY", "Citospin\nCOMPANY"), "p.txt")
    assert info.value.field == "Sponsors.class"


# --- streams and sniffing ---


def test_iter_web_pages_yields_the_trial() -> None:
    (trial,) = iter_web_pages(io.BytesIO(SEED_TEXT.encode("utf-8")), "seed.txt")
    assert isinstance(trial, Trial) and trial.nct_id == "NCT03737461"


def test_iter_web_pages_yields_the_error_instead_of_raising() -> None:
    data = _seed_with("PHASE2/PHASE3", "PHASE9").encode("utf-8")
    (error,) = iter_web_pages(io.BytesIO(data), "p.txt")
    assert isinstance(error, InputError) and error.field == "Basic Information.phase"


def test_iter_web_pages_yields_an_error_for_bytes_that_are_not_utf8() -> None:
    (error,) = iter_web_pages(io.BytesIO(b"Title\nNCT ID: NCT03737461\n\xff\xfe"), "p.txt")
    assert isinstance(error, InputError) and error.file == "p.txt"


def test_iter_web_pages_skips_a_byte_order_mark() -> None:
    (trial,) = iter_web_pages(io.BytesIO(b"\xef\xbb\xbf" + MINIMAL_TEXT.encode()), "p.txt")
    assert isinstance(trial, Trial) and trial.brief_title is not None
    assert trial.brief_title.startswith("A Made-up Trial")


@pytest.mark.parametrize("text", [SEED_TEXT, LABELLED_TEXT, MINIMAL_TEXT], ids=["seed", "l", "m"])
def test_looks_like_web_page_knows_pages(text: str) -> None:
    assert looks_like_web_page(text.encode("utf-8")[:4096])


def test_looks_like_web_page_knows_pages_by_headings_alone() -> None:
    assert looks_like_web_page(b"Some title\nBasic Information\nx\nBrief Summary\ny\n")


@pytest.mark.parametrize(
    "head",
    [b'{"protocolSection": {"identificationModule": {}}}', b"<clinical_study>", b"Just text\n"],
    ids=["json", "xml", "text"],
)
def test_looks_like_web_page_rejects_other_inputs(head: bytes) -> None:
    assert not looks_like_web_page(head)
