"""Officials who are not people, and degrees that are not titles: one case per test."""

from __future__ import annotations

import logging

import pytest

from kg import model
from kg.mapping import map_trial
from kg.sources.officials import read_official
from kg.terms import RDF_TYPE, SDO, Minter, T, literal

NCT = "NCT00000001"
DIRECTOR = model.OfficialRole.STUDY_DIRECTOR
ORG = model.OfficialKind.ORGANIZATION


def _read(text: str, affiliation: str | None = None) -> model.Official:
    return read_official(text, DIRECTOR, affiliation, where=f"{NCT}: overallOfficials[0]")


def test_a_company_with_llc_is_an_organisation_official() -> None:
    """ "Janssen Research & Development, LLC Clinical Trial" is the company, not a person."""
    found = _read(
        "Janssen Research & Development, LLC Clinical Trial", "Janssen Research & Development, LLC"
    )
    assert (found.kind, found.name) == (ORG, "Janssen Research & Development, LLC")
    assert found.note == "Janssen Research & Development, LLC Clinical Trial"
    assert found.degrees is None


def test_a_call_centre_note_is_kept_as_text_of_the_organisation_official() -> None:
    """A phone number makes a contact note; the official is the affiliation."""
    text = "Call 1-877-CTLILLY (1-877-285-4559) or 1-317-615-4559 Mon - Fri from 9 AM to 5 PM"
    found = _read(text, "Eli Lilly and Company")
    assert (found.kind, found.name, found.note) == (ORG, "Eli Lilly and Company", text)


def test_a_post_in_a_company_is_the_company() -> None:
    """ "Medical Director" at Merck names a post, not a person."""
    found = _read("Medical Director", "Merck Sharp & Dohme LLC")
    assert (found.kind, found.name) == (ORG, "Merck Sharp & Dohme LLC")
    assert found.note == "Medical Director"


def test_the_company_s_own_name_needs_no_note() -> None:
    """ "ABBVIE INC." at AbbVie is AbbVie: the same organisation, nothing more to keep."""
    found = _read("ABBVIE INC.", "AbbVie")
    assert (found.kind, found.name, found.note) == (ORG, "AbbVie", None)


def test_only_degrees_is_nobody() -> None:
    """An official written "MD" names no person: the affiliation is the official."""
    assert _read("MD", "Amgen").kind is ORG


def test_an_organisation_with_an_e_mail_affiliation_is_named_by_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An e-mail is no organisation: the official's text names one; the e-mail is left out."""
    with caplog.at_level(logging.WARNING):
        found = _read("Sponsor Chugai Pharmaceutical Co.Ltd", "clinical-trials@chugai-pharm.co.jp")
    assert (found.kind, found.name) == (ORG, "Sponsor Chugai Pharmaceutical Co.Ltd")
    assert "is not an organisation: left out" in caplog.text


def test_a_post_with_no_organisation_is_a_note(caplog: pytest.LogCaptureFixture) -> None:
    """ "Study Director" with no affiliation names nobody: kept as text, with a warning."""
    with caplog.at_level(logging.WARNING):
        found = _read("Study Director")
    assert (found.kind, found.note) == (model.OfficialKind.NOTE, "Study Director")
    assert "names no person nor organisation" in caplog.text


@pytest.mark.parametrize(
    ("text", "name", "degrees", "prefix"),
    [
        ("Jane Doe, MD, PhD", "Jane Doe", "MD, PhD", None),
        ("Hans Meisel, Professor", "Hans Meisel", None, "Professor"),
        ("Avraham Avital, MD, Prof", "Avraham Avital", "MD", "Prof"),
        ("Dr. Anil Tibdewal, MD", "Anil Tibdewal", "MD", "Dr."),
        ("Shivakumar Gudi Dr., MBBS, MD (Radiation Oncology)", "Shivakumar Gudi",
         "MBBS, MD (Radiation Oncology)", "Dr."),
        ("JG Maessen, Prof. dr.", "JG Maessen", None, "Prof. dr."),
        ("Kanza Rehman, MS-OMPT", "Kanza Rehman", "MS-OMPT", None),
        ("Byung-Kwan Seo, PhD., KMD", "Byung-Kwan Seo", "PhD., KMD", None),
    ],
)  # fmt: skip
def test_degrees_are_suffixes_and_titles_are_prefixes(
    text: str, name: str, degrees: str | None, prefix: str | None
) -> None:
    """Known degrees go to the suffix, titles to the prefix, wherever the registry wrote them."""
    found = _read(text, "Acme University")
    assert (found.kind, found.name, found.degrees, found.prefix, found.note) == (
        model.OfficialKind.PERSON, name, degrees, prefix, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "text", ["Chen Guo, Master", "Stan Mathis, PI", "A Gupta, MD, Internal Medicine"]
)
def test_an_unread_part_keeps_the_whole_text_with_a_warning(
    text: str, caplog: pytest.LogCaptureFixture
) -> None:
    """ "Master" is no suffix: the person keeps what was read and the text is kept whole."""
    with caplog.at_level(logging.WARNING):
        found = _read(text, "Acme University")
    assert found.kind is model.OfficialKind.PERSON
    assert found.note == text
    assert "Master" not in (found.degrees or "") and "PI" not in (found.degrees or "")
    assert "read as neither degree nor title: kept as text" in caplog.text


def test_a_title_given_as_affiliation_is_a_prefix() -> None:
    """An affiliation "Professor" is the person's title, not an organisation."""
    found = _read("Manoj Pandey, MS, PhD", "Professor")
    assert (found.affiliation, found.prefix, found.degrees) == (None, "Professor", "MS, PhD")


def test_an_organisation_official_is_an_organisation_node_under_its_role() -> None:
    """The graph: the role property points at a schema:Organization, the text is a note."""
    official = _read("Medical Director", "Merck Sharp & Dohme LLC")
    trial = model.Trial(NCT, model.SourceInfo("t.json", "ctgov-json"), officials=(official,))
    mint = Minter()
    triples = set(map_trial(trial, mint))
    org = mint.organization("Merck Sharp & Dohme LLC")
    node = mint.trial(NCT)
    assert (node, T.studyDirector, org) in triples
    assert (node, T.overallOfficial, org) in triples
    assert (org, RDF_TYPE, SDO.Organization) in triples
    assert (org, RDF_TYPE, SDO.Person) not in triples
    assert (node, T.officialNote, literal("Medical Director")) in triples


def test_a_person_s_titles_are_an_honorific_prefix_in_the_graph() -> None:
    """schema:honorificPrefix holds the titles, schema:honorificSuffix the degrees."""
    official = _read("Anouk Smeets, MD, PhD, Professor", "Maastricht University")
    trial = model.Trial(NCT, model.SourceInfo("t.json", "ctgov-json"), officials=(official,))
    triples = map_trial(trial, Minter())
    assert {(p, o) for _, p, o in triples if p in (SDO.honorificPrefix, SDO.honorificSuffix)} == {
        (SDO.honorificPrefix, literal("Professor")),
        (SDO.honorificSuffix, literal("MD, PhD")),
    }


def test_an_institution_after_the_name_is_no_reason_to_drop_the_person() -> None:
    """ "Jane Doe, MD, Mayo Clinic": a person whose unread part is kept, not an organisation."""
    found = _read("Jane Doe, MD, Mayo Clinic")
    assert (found.kind, found.name, found.degrees) == (model.OfficialKind.PERSON, "Jane Doe", "MD")
    assert found.note == "Jane Doe, MD, Mayo Clinic"


@pytest.mark.parametrize("text", ["Nguyen Van Sa, MD", "Ag Ko, PhD", "Coe Inca, MD"])
def test_a_name_that_looks_like_a_legal_form_in_lower_case_is_a_person(text: str) -> None:
    """Short legal forms (SA, AG) count only in capitals, and only as whole words."""
    assert _read(text, "Acme University").kind is model.OfficialKind.PERSON


def test_a_legal_form_after_the_comma_is_an_organisation() -> None:
    """ "Acme, Inc." is a company whatever the comma says."""
    found = _read("Acme, Inc.")
    assert (found.kind, found.name) == (ORG, "Acme, Inc.")
