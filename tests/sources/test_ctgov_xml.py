"""Tests for the legacy ClinicalTrials.gov XML reader."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from kg.errors import InputError
from kg.model import (
    AgencyClass,
    Allocation,
    ArmType,
    DateType,
    InterventionModel,
    InterventionType,
    Location,
    Masking,
    ObservationalModel,
    OfficialRole,
    PartialDate,
    Phase,
    PrimaryPurpose,
    ReferenceType,
    Sex,
    Sponsor,
    SponsorRole,
    Status,
    StudyType,
    TimePerspective,
    Trial,
)
from kg.sources.citation import parse_citation
from kg.sources.ctgov_xml import iter_xml_studies, parse_xml_study

SHARED_CTGOV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ctgov"
SHARED_XML = sorted(SHARED_CTGOV.glob("*.xml"))
NCT = "NCT01234567"
Json = dict[str, Any]


def _xml(body: str = "", nct_id: str | None = NCT) -> bytes:
    """Return a minimal <clinical_study> document around the given elements."""
    ident = "" if nct_id is None else f"<nct_id>{nct_id}</nct_id>"
    return f"<clinical_study><id_info>{ident}</id_info>{body}</clinical_study>".encode()


def _read(data: bytes, name: str = "a.xml") -> list[Trial | InputError]:
    return list(iter_xml_studies(io.BytesIO(data), name))


def _trial(body: str) -> Trial:
    (result,) = _read(_xml(body))
    assert isinstance(result, Trial), str(result)
    return result


def _only_error(data: bytes) -> InputError:
    (result,) = _read(data)
    assert isinstance(result, InputError)
    return result


def _error_of(body: str) -> str:
    with pytest.raises(InputError) as info:
        parse_xml_study(etree.fromstring(_xml(body)), "a.xml")
    return str(info.value)


# --- the shared records -------------------------------------------------------------------------


@functools.cache
def _shared(path: Path) -> tuple[etree._Element, list[Trial | InputError]]:
    with path.open("rb") as stream:
        results = list(iter_xml_studies(stream, path.name))
    return etree.parse(str(path)).getroot(), results


# The test's own reading of the labels, kept apart from the reader's tables.
_STATUS_CODES = {
    "Active, not recruiting": "ACTIVE_NOT_RECRUITING",
    "Available": "AVAILABLE",
    "Completed": "COMPLETED",
    "Not yet recruiting": "NOT_YET_RECRUITING",
    "Recruiting": "RECRUITING",
    "Terminated": "TERMINATED",
    "Unknown status": "UNKNOWN",
    "Withdrawn": "WITHDRAWN",
    "Withheld": "WITHHELD",
}
_PHASE_CODES = {"N/A": ["NA"], "Phase 1/Phase 2": ["PHASE1", "PHASE2"]}
_PHASE_CODES["Phase 2/Phase 3"] = ["PHASE2", "PHASE3"]


def _phase_codes(label: str | None) -> list[str]:
    if label is None:
        return []
    return _PHASE_CODES.get(label) or [label.upper().replace(" ", "")]


def _plain_summary(root: etree._Element) -> Json:
    """Summarise a study by plain lxml reading, independently of the reader."""
    collaborators = root.findall("sponsors/collaborator")
    outcomes = [len(root.findall(k)) for k in ("primary_outcome", "secondary_outcome")]
    return {
        "nct_id": root.findtext("id_info/nct_id"),
        "counts": {
            "sponsors": len(root.findall("sponsors/lead_sponsor")) + len(collaborators),
            "collaborators": len(collaborators),
            "locations": len(root.findall("location")),
            "arms": len(root.findall("arm_group")),
            "interventions": len(root.findall("intervention")),
            "conditions": len(root.findall("condition")),
            "keywords": len(root.findall("keyword")),
            "references": len(root.findall("reference")) + len(root.findall("results_reference")),
            "secondary_ids": len(root.findall("id_info/secondary_id")),
            "outcomes": [*outcomes, len(root.findall("other_outcome"))],
        },
        "lead": root.findtext("sponsors/lead_sponsor/agency"),
        "status": _STATUS_CODES[root.findtext("overall_status", "")],
        "phases": _phase_codes(root.findtext("phase")),
        "countries": [site.findtext("facility/address/country") for site in root.iter("location")],
        "pmids": [ref.findtext("PMID") for ref in root.iter("reference", "results_reference")],
        "has_results": root.find("clinical_results") is not None,
    }


def _trial_summary(trial: Trial) -> Json:
    lead = trial.lead_sponsor
    collaborators = [s for s in trial.sponsors if s.role is SponsorRole.COLLABORATOR]
    return {
        "nct_id": trial.nct_id,
        "counts": {
            "sponsors": len(trial.sponsors),
            "collaborators": len(collaborators),
            "locations": len(trial.locations),
            "arms": len(trial.arms),
            "interventions": len(trial.interventions),
            "conditions": len(trial.conditions),
            "keywords": len(trial.keywords),
            "references": len(trial.references),
            "secondary_ids": len(trial.secondary_ids),
            "outcomes": [
                len(trial.outcomes_primary),
                len(trial.outcomes_secondary),
                len(trial.outcomes_other),
            ],
        },
        "lead": lead.name if lead else None,
        "status": str(trial.status),
        "phases": [str(p) for p in trial.phases],
        "countries": [site.country for site in trial.locations],
        "pmids": [ref.pmid for ref in trial.references],
        "has_results": trial.has_results,
    }


def _compare(path: Path, keys: tuple[str, ...]) -> tuple[Json, Json]:
    root, results = _shared(path)
    assert isinstance(results[0], Trial)
    expected, actual = _plain_summary(root), _trial_summary(results[0])
    return {k: expected[k] for k in keys}, {k: actual[k] for k in keys}


def test_shared_xml_records_are_found() -> None:
    """The shared legacy XML records are where the tests look for them."""
    assert len(SHARED_XML) > 100


@pytest.mark.parametrize("path", SHARED_XML, ids=lambda p: p.stem)
def test_shared_file_reads_as_exactly_one_trial(path: Path) -> None:
    """Every shared XML file reads as one Trial and no error."""
    _, results = _shared(path)
    assert [type(r) for r in results] == [Trial]


@pytest.mark.parametrize("path", SHARED_XML, ids=lambda p: p.stem)
def test_shared_file_counts_match_plain_lxml(path: Path) -> None:
    """Sponsors, sites, arms, references... are as many as plain lxml reading finds."""
    expected, actual = _compare(path, ("counts",))
    assert actual == expected


@pytest.mark.parametrize("path", SHARED_XML, ids=lambda p: p.stem)
def test_shared_file_ids_sponsor_status_and_phases_match_plain_lxml(path: Path) -> None:
    """NCT id, lead sponsor, status code, phases and results flag agree with plain lxml."""
    keys = ("nct_id", "lead", "status", "phases", "has_results")
    expected, actual = _compare(path, keys)
    assert actual == expected


@pytest.mark.parametrize("path", SHARED_XML, ids=lambda p: p.stem)
def test_shared_file_sites_and_pmids_keep_their_order(path: Path) -> None:
    """Site countries and reference PMIDs keep the document's order."""
    expected, actual = _compare(path, ("countries", "pmids"))
    assert actual == expected


def test_no_shared_record_has_both_a_json_and_an_xml_file() -> None:
    """No NCT id has both forms among the shared records, so no cross-format test is due."""
    json_ids = {p.stem for p in SHARED_CTGOV.glob("*.json")}
    assert json_ids.isdisjoint(p.stem for p in SHARED_XML)


def test_wrapped_criteria_of_a_shared_file_split_into_whole_bullets() -> None:
    """Indented "-" bullets wrapped over lines come out whole, inclusion apart from exclusion."""
    _, (trial,) = _shared(SHARED_CTGOV / "NCT01341288.xml")
    assert isinstance(trial, Trial) and trial.eligibility is not None
    inclusion, exclusion = trial.eligibility.inclusion, trial.eligibility.exclusion
    assert (len(inclusion), len(exclusion)) == (10, 12)
    first = "Histologically confirmed, adenocarcinoma of the prostate, clinical stage T1c-T2b, NX,"
    assert (inclusion[0], exclusion[-1]) == (f"{first} N0, M0.", "Hip prosthesis")


# --- label tables -------------------------------------------------------------------------------

# field: (where the label is in the shared files, a study carrying LABEL, reader of the code, type)
_LABELS: dict[str, tuple[str, str, Callable[[Trial], object], type]] = {
    "overall_status": (
        "overall_status",
        "<overall_status>{}</overall_status>",
        lambda t: t.status,
        Status,
    ),
    "location/status": (
        "location/status",
        "<location><status>{}</status></location>",
        lambda t: t.locations[0].status,
        Status,
    ),
    "phase": ("phase", "<phase>{}</phase>", lambda t: t.phases[0], Phase),
    "study_type": ("study_type", "<study_type>{}</study_type>", lambda t: t.study_type, StudyType),
    "agency_class": (
        "sponsors/*/agency_class",
        "<sponsors><lead_sponsor><agency>A</agency><agency_class>{}</agency_class>"
        "</lead_sponsor></sponsors>",
        lambda t: t.sponsors[0].agency_class,
        AgencyClass,
    ),
    **{
        key: (
            f"study_design_info/{key}",
            f"<study_design_info><{key}>{{}}</{key}></study_design_info>",
            getter,
            kind,
        )
        for key, getter, kind in [
            ("allocation", lambda t: t.allocation, Allocation),
            ("intervention_model", lambda t: t.intervention_model, InterventionModel),
            ("primary_purpose", lambda t: t.primary_purpose, PrimaryPurpose),
            ("masking", lambda t: t.masking, Masking),
            ("observational_model", lambda t: t.observational_model, ObservationalModel),
            ("time_perspective", lambda t: t.time_perspective, TimePerspective),
        ]
    },
    "gender": (
        "eligibility/gender",
        "<eligibility><gender>{}</gender></eligibility>",
        lambda t: t.eligibility.sex,  # type: ignore[union-attr]
        Sex,
    ),
    "healthy_volunteers": (
        "eligibility/healthy_volunteers",
        "<eligibility><healthy_volunteers>{}</healthy_volunteers></eligibility>",
        lambda t: t.eligibility.healthy_volunteers,  # type: ignore[union-attr]
        bool,
    ),
    "date type": (
        "*[@type]",
        '<start_date type="{}">March 2019</start_date>',
        lambda t: t.start_date_type,
        DateType,
    ),
    "arm_group_type": (
        "arm_group/arm_group_type",
        "<arm_group><arm_group_label>A</arm_group_label><arm_group_type>{}</arm_group_type>"
        "</arm_group>",
        lambda t: t.arms[0].type,
        ArmType,
    ),
    "intervention_type": (
        "intervention/intervention_type",
        "<intervention><intervention_name>I</intervention_name>"
        "<intervention_type>{}</intervention_type></intervention>",
        lambda t: t.interventions[0].type,
        InterventionType,
    ),
    "role": (
        "overall_official/role",
        "<overall_official><last_name>A B</last_name><role>{}</role></overall_official>",
        lambda t: t.officials[0].role,
        OfficialRole,
    ),
}
_NO_CODE = {("study_type", "N/A")}  # withheld trials: v2 has no study type for them


def _shared_labels() -> list[tuple[str, str]]:
    """Return every (field, label) pair the shared files hold, read with plain lxml."""
    found: set[tuple[str, str]] = set()
    for path in SHARED_XML:
        root = etree.parse(str(path)).getroot()
        for field, (where, *_) in _LABELS.items():
            for el in root.findall(where):
                label = el.get("type") if where == "*[@type]" else el.text
                found.add((field, (label or "").strip()))
    return sorted(found)


@pytest.mark.parametrize(("field", "label"), _shared_labels())
def test_every_label_of_the_shared_files_has_a_code(field: str, label: str) -> None:
    """Each label found in the shared files reads as a code of the right type."""
    _, template, getter, kind = _LABELS[field]
    value = getter(_trial(template.format(label)))
    assert value is None if (field, label) in _NO_CODE else isinstance(value, kind)


@pytest.mark.parametrize(
    ("body", "getter", "expected"),
    [
        ("<overall_status>Unknown status</overall_status>", lambda t: t.status, Status.UNKNOWN),
        (
            "<study_type>Observational [Patient Registry]</study_type>",
            lambda t: t.study_type,
            StudyType.OBSERVATIONAL,
        ),
        (
            "<sponsors><lead_sponsor><agency>VA</agency><agency_class>U.S. Fed</agency_class>"
            "</lead_sponsor></sponsors>",
            lambda t: t.sponsors[0].agency_class,
            AgencyClass.FED,
        ),
        (
            "<study_design_info><primary_purpose>Educational/Counseling/Training"
            "</primary_purpose></study_design_info>",
            lambda t: t.primary_purpose,
            PrimaryPurpose.ECT,
        ),
        (
            "<study_design_info><masking>None (Open Label)</masking></study_design_info>",
            lambda t: t.masking,
            Masking.NONE,
        ),
        (
            "<study_design_info><masking>Quadruple (Participant, Care Provider, Investigator, "
            "Outcomes Assessor)</masking></study_design_info>",
            lambda t: t.masking,
            Masking.QUADRUPLE,
        ),
        (
            "<study_design_info><observational_model>Family-Based</observational_model>"
            "</study_design_info>",
            lambda t: t.observational_model,
            ObservationalModel.FAMILY_BASED,
        ),
        ("<eligibility><gender>Both</gender></eligibility>", lambda t: t.eligibility.sex, Sex.ALL),
        (
            "<arm_group><arm_group_label>A</arm_group_label>"
            "<arm_group_type>No Intervention</arm_group_type></arm_group>",
            lambda t: t.arms[0].type,
            ArmType.NO_INTERVENTION,
        ),
        (
            "<enrollment type='Anticipated'>40</enrollment>",
            lambda t: (t.enrollment, t.enrollment_type),
            (40, DateType.ESTIMATED),
        ),
        ("<phase>Phase 1/Phase 2</phase>", lambda t: t.phases, (Phase.PHASE1, Phase.PHASE2)),
        ("<phase>N/A</phase>", lambda t: t.phases, (Phase.NA,)),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else "",
)
def test_legacy_label_becomes_its_v2_code(
    body: str, getter: Callable[[Trial], object], expected: object
) -> None:
    """Labels whose code is not their spelling in capitals map to the v2 code."""
    assert getter(_trial(body)) == expected


# --- errors --------------------------------------------------------------------------------------


def test_truncated_xml_yields_one_error_naming_file_and_line() -> None:
    """A truncated document yields one error naming the file and the line."""
    error = _only_error(b"<clinical_study>\n  <id_info>\n    <nct_id>NCT012")
    assert (error.file, error.message.startswith("not valid XML: ")) == ("a.xml", True)
    assert "(line 3, column" in error.message


def test_empty_input_yields_one_error() -> None:
    """An empty input yields one error naming the file."""
    assert _only_error(b"").file == "a.xml"


def test_other_root_element_is_an_error() -> None:
    """A document whose root is not <clinical_study> is an error."""
    assert str(_only_error(b"<study/>")) == "a.xml: expected <clinical_study>, got <study>"


def test_missing_nct_id_names_the_field() -> None:
    """A study without nct_id is an error naming the field."""
    assert str(_only_error(_xml(nct_id=None))) == "a.xml: id_info/nct_id: missing NCT id"


def test_malformed_nct_id_is_an_error() -> None:
    """An nct_id that is not NCT and eight digits is an error."""
    error = _only_error(_xml(nct_id="NCT123"))
    assert str(error) == "a.xml: id_info/nct_id: invalid NCT id 'NCT123'"


def test_unknown_phase_names_file_record_field_and_value() -> None:
    """An unknown phase label names file, NCT id, element and label."""
    expected = f"a.xml: {NCT}: phase: unknown value 'Phase 5'"
    assert _error_of("<phase>Phase 5</phase>") == expected


def test_unknown_phase_is_yielded_not_raised_by_the_reader() -> None:
    """The reader yields the unknown-label error as an object instead of raising it."""
    expected = f"a.xml: {NCT}: phase: unknown value 'Phase 5'"
    assert str(_only_error(_xml("<phase>Phase 5</phase>"))) == expected


def test_unknown_label_in_a_repeated_element_names_its_position() -> None:
    """An error inside a repeated element names its 1-based XPath position."""
    body = "<location><status>Recruiting</status></location>"
    body += "<location><status>Open</status></location>"
    assert _error_of(body) == f"a.xml: {NCT}: location[2]/status: unknown value 'Open'"


def test_unknown_masking_label_is_named_whole() -> None:
    """A masking label whose head is unknown is reported with its roles."""
    body = "<study_design_info><masking>Partial (Investigator)</masking></study_design_info>"
    expected = "study_design_info/masking: unknown value 'Partial (Investigator)'"
    assert _error_of(body) == f"a.xml: {NCT}: {expected}"


@pytest.mark.parametrize("bad", ["Smarch 2019", "February 30, 2019", "2019-03"])
def test_malformed_date_is_an_error(bad: str) -> None:
    """A date that is not "Month YYYY" or a real "Month D, YYYY" is an error."""
    assert _error_of(f"<start_date>{bad}</start_date>").endswith(f"malformed date {bad!r}")


def test_unknown_date_type_names_the_attribute() -> None:
    """An unknown date type names the attribute."""
    error = _error_of("<start_date type='Guessed'>May 2001</start_date>")
    assert error == f"a.xml: {NCT}: start_date/@type: unknown value 'Guessed'"


def test_non_integer_enrollment_is_an_error() -> None:
    """An enrollment that is not a whole number is an error."""
    assert _error_of("<enrollment>12.5</enrollment>").endswith("expected an integer, got '12.5'")


def test_external_entity_is_not_expanded(tmp_path: Path) -> None:
    """An external entity stays unexpanded: the file it names never shows in the trial."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doctype = f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
    data = doctype.encode() + _xml("<brief_title>before &e; after</brief_title>")
    (trial,) = _read(data)
    assert isinstance(trial, Trial)
    assert (trial.brief_title, "TOP-SECRET" in repr(trial)) == ("before  after", False)


def test_etc_passwd_entity_is_not_expanded() -> None:
    """The classic file:///etc/passwd entity does not bring the file's lines in."""
    doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    (trial,) = _read(doctype + _xml("<brief_title>&e;</brief_title>"))
    assert isinstance(trial, Trial) and trial.brief_title is None


def test_internal_entity_is_not_expanded() -> None:
    """Internal entities are not expanded either, so nested ones cannot blow up."""
    doctype = b'<!DOCTYPE x [<!ENTITY a "AAAA"><!ENTITY b "&a;&a;&a;&a;">]>'
    (trial,) = _read(doctype + _xml("<brief_title>x&b;y</brief_title>"))
    assert isinstance(trial, Trial) and trial.brief_title == "xy"


# --- mapping -------------------------------------------------------------------------------------


def test_reader_gives_what_parse_xml_study_gives() -> None:
    """The stream reader and parse_xml_study on the parsed root give the same trial."""
    path = SHARED_XML[0]
    expected = parse_xml_study(etree.parse(str(path)).getroot(), "x.xml")
    assert _read(path.read_bytes(), "x.xml") == [expected]


def test_lead_sponsor_comes_first_then_collaborators_in_order() -> None:
    """The lead sponsor comes first, then the collaborators in document order."""
    body = (
        "<sponsors><lead_sponsor><agency>Acme</agency><agency_class>Industry</agency_class>"
        "</lead_sponsor><collaborator><agency>NCI</agency><agency_class>NIH</agency_class>"
        "</collaborator><collaborator><agency>Uni</agency></collaborator></sponsors>"
    )
    assert _trial(body).sponsors == (
        Sponsor("Acme", AgencyClass.INDUSTRY, SponsorRole.LEAD),
        Sponsor("NCI", AgencyClass.NIH, SponsorRole.COLLABORATOR),
        Sponsor("Uni", None, SponsorRole.COLLABORATOR),
    )


def test_official_degrees_are_split_from_the_name_at_the_first_comma() -> None:
    """An official's degrees are the text after the name's first comma."""
    body = "<overall_official><last_name>Jane Doe, MD, PhD</last_name></overall_official>"
    (official,) = _trial(body).officials
    assert (official.name, official.degrees) == ("Jane Doe", "MD, PhD")


def test_dates_keep_their_precision_and_anticipated_is_estimated() -> None:
    """A month date stays month precision; "Anticipated" is ESTIMATED."""
    body = "<primary_completion_date type='Anticipated'>March 2019</primary_completion_date>"
    trial = _trial(body)
    assert (trial.primary_completion_date, trial.primary_completion_date_type) == (
        PartialDate(2019, 3),
        DateType.ESTIMATED,
    )


def test_posted_dates_are_read_with_the_old_names_as_fallback() -> None:
    """first_posted and last_updated fall back to firstreceived_date and lastchanged_date."""
    trial = _trial(
        "<firstreceived_date>March 29, 2011</firstreceived_date>"
        "<lastchanged_date>April 10, 2017</lastchanged_date>"
    )
    assert (trial.first_posted, trial.last_updated) == (
        PartialDate(2011, 3, 29),
        PartialDate(2017, 4, 10),
    )


def test_new_posted_date_wins_over_the_old_name() -> None:
    """study_first_posted is read rather than firstreceived_date when both are there."""
    body = (
        "<firstreceived_date>March 29, 2011</firstreceived_date>"
        "<study_first_posted type='Estimate'>April 1, 2011</study_first_posted>"
    )
    assert _trial(body).first_posted == PartialDate(2011, 4, 1)


@pytest.mark.parametrize(("body", "expected"), [("<clinical_results/>", True), ("", False)])
def test_has_results_tells_whether_clinical_results_is_present(body: str, expected: bool) -> None:
    """has_results is whether <clinical_results> is there."""
    assert _trial(body).has_results is expected


def test_pre_2017_study_design_text_is_parsed() -> None:
    """The old free-text <study_design> gives allocation, model, masking and purpose."""
    text = (
        "Allocation: Randomized, Endpoint Classification: Safety/Efficacy Study, Intervention "
        "Model: Parallel Assignment, Masking: Double Blind (Subject, Investigator), Primary "
        "Purpose: Treatment"
    )
    trial = _trial(f"<study_design>{text}</study_design>")
    assert (trial.allocation, trial.intervention_model, trial.masking, trial.primary_purpose) == (
        Allocation.RANDOMIZED,
        InterventionModel.PARALLEL,
        Masking.DOUBLE,
        PrimaryPurpose.TREATMENT,
    )


def test_observational_study_design_text_is_parsed() -> None:
    """The old text of an observational study gives its model and time perspective."""
    text = "Observational Model: Case Control, Time Perspective: Prospective"
    trial = _trial(f"<study_design>{text}</study_design>")
    assert (trial.observational_model, trial.time_perspective) == (
        ObservationalModel.CASE_CONTROL,
        TimePerspective.PROSPECTIVE,
    )


def test_unknown_label_in_study_design_text_names_the_element() -> None:
    """An unknown label in the old design text names <study_design>."""
    error = _error_of("<study_design>Masking: Blinded Somehow</study_design>")
    assert error == f"a.xml: {NCT}: study_design: unknown value 'Blinded Somehow'"


def test_study_design_info_wins_over_the_old_text() -> None:
    """When both forms are there, study_design_info is read."""
    body = (
        "<study_design>Allocation: Randomized</study_design>"
        "<study_design_info><allocation>N/A</allocation></study_design_info>"
    )
    assert _trial(body).allocation is Allocation.NA


def test_eligibility_reads_sex_volunteers_and_not_applicable_ages() -> None:
    """Sex and healthy volunteers are read; an age of "N/A" is no limit."""
    body = (
        "<eligibility><gender>Female</gender><minimum_age>18 Years</minimum_age>"
        "<maximum_age>N/A</maximum_age>"
        "<healthy_volunteers>Accepts Healthy Volunteers</healthy_volunteers></eligibility>"
    )
    e = _trial(body).eligibility
    assert e is not None
    assert (e.sex, e.minimum_age, e.maximum_age, e.healthy_volunteers) == (
        Sex.FEMALE,
        "18 Years",
        None,
        True,
    )


def test_indented_criteria_split_into_inclusion_and_exclusion() -> None:
    """A space-indented text block with "-" bullets splits into inclusion and exclusion."""
    block = (
        "\n        Inclusion Criteria:\r\n\r\n          -  adults\r\n\r\n          -  consent\r\n"
        "\r\n        Exclusion Criteria:\r\n\r\n          -  pregnancy\r\n      "
    )
    body = f"<eligibility><criteria><textblock>{block}</textblock></criteria></eligibility>"
    e = _trial(body).eligibility
    assert e is not None
    assert (e.inclusion, e.exclusion) == (("adults", "consent"), ("pregnancy",))


def test_text_blocks_lose_indentation_and_wrapping() -> None:
    """A text block wrapped at 99 columns reads as its paragraphs, unindented."""
    first = "      " + " ".join(["word"] * 18) + " wrapped"
    block = f"\n{first}\r\n      here.\r\n\r\n      Next paragraph.\r\n    "
    summary = _trial(f"<brief_summary><textblock>{block}</textblock></brief_summary>").brief_summary
    assert summary == f"{first.strip()} here.\n\nNext paragraph."


def test_short_lines_of_a_text_block_are_not_joined() -> None:
    """A line that would have fitted on the line above was not wrapped: it stays apart."""
    block = "\n      Arm A: drug\n      Arm B: placebo\n    "
    summary = _trial(f"<brief_summary><textblock>{block}</textblock></brief_summary>").brief_summary
    assert summary == "Arm A: drug\nArm B: placebo"


def test_references_are_background_and_results_references_are_results() -> None:
    """<reference> is BACKGROUND, <results_reference> RESULT; PMID and citation are kept."""
    text = "Doe J. A trial. Lancet. 2019;393(1):1-10."
    body = (
        f"<reference><citation>{text}</citation><PMID>123</PMID></reference>"
        "<results_reference><citation>Roe R. Results.</citation></results_reference>"
    )
    first, second = _trial(body).references
    assert (first.type, first.pmid, first.citation) == (
        ReferenceType.BACKGROUND,
        "123",
        parse_citation(text),
    )
    assert (second.type, second.pmid) == (ReferenceType.RESULT, None)


def test_location_reads_facility_address_and_status() -> None:
    """A site gives its facility name, address parts and status, without coordinates."""
    body = (
        "<location><facility><name>Clinic</name><address><city>Oslo</city><state>Oslo</state>"
        "<zip>0450</zip><country>Norway</country></address></facility>"
        "<status>Recruiting</status></location>"
    )
    (site,) = _trial(body).locations
    assert site == Location("Clinic", "Oslo", "Oslo", "0450", "Norway", Status.RECRUITING)


def test_interventions_keep_their_arm_labels_and_other_names() -> None:
    """An intervention lists the arms that receive it and its other names."""
    body = (
        "<intervention><intervention_type>Drug</intervention_type>"
        "<intervention_name>Foscarnet</intervention_name><arm_group_label>A</arm_group_label>"
        "<other_name>foscavir</other_name></intervention>"
    )
    (iv,) = _trial(body).interventions
    assert (iv.type, iv.arm_labels, iv.other_names) == (
        InterventionType.DRUG,
        ("A",),
        ("foscavir",),
    )


def test_blank_elements_become_none_and_text_is_stripped() -> None:
    """Blank elements become None and text is stripped."""
    trial = _trial("<acronym>  </acronym><brief_title>\n  A trial \n</brief_title>")
    assert (trial.acronym, trial.brief_title) == (None, "A trial")


def test_source_records_name_format_download_date_and_digest() -> None:
    """The source names the file, the format, the download date and a 16-hex digest."""
    header = (
        "<required_header><download_date>ClinicalTrials.gov processed this data on "
        "February 03, 2023</download_date></required_header>"
    )
    source = _trial(header).source
    assert (source.name, source.format, source.date, len(source.digest)) == (
        "a.xml",
        "ctgov-xml",
        PartialDate(2023, 2, 3),
        16,
    )


def test_digest_changes_with_the_content() -> None:
    """Different content gives a different digest."""
    one, two = (_trial(f"<condition>{c}</condition>") for c in ("Asthma", "COPD"))
    assert one.source.digest != two.source.digest
