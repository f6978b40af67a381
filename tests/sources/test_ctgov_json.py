"""Tests for the ClinicalTrials.gov API v2 JSON reader."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from kg.errors import InputError
from kg.model import (
    AgencyClass,
    DateType,
    Geo,
    MeshTerm,
    PartialDate,
    Phase,
    Sponsor,
    SponsorRole,
    Trial,
)
from kg.sources.citation import parse_citation
from kg.sources.ctgov_json import iter_studies, looks_like_json, parse_study

SHARED_CTGOV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ctgov"
SHARED_JSON = sorted(SHARED_CTGOV.glob("*.json"))
NCT = "NCT01234567"
Json = dict[str, Any]


def _study(nct_id: str | None = NCT, **modules: Any) -> Json:
    """Return a minimal study object with the given protocolSection modules."""
    ident = {} if nct_id is None else {"nctId": nct_id}
    return {"protocolSection": {"identificationModule": ident, **modules}}


def _read(data: bytes, name: str = "a.json") -> list[Trial | InputError]:
    return list(iter_studies(io.BytesIO(data), name))


def _only_error(data: bytes) -> InputError:
    (result,) = _read(data)
    assert isinstance(result, InputError)
    return result


def _error_of(study: Json) -> str:
    with pytest.raises(InputError) as info:
        parse_study(study, "a.json")
    return str(info.value)


# --- the shared records -------------------------------------------------------------------------


@functools.cache
def _shared(path: Path) -> tuple[Json, list[Trial | InputError]]:
    with path.open("rb") as stream:
        results = list(iter_studies(stream, path.name))
    return orjson.loads(path.read_bytes()), results


def _plain_summary(doc: Json) -> Json:
    """Summarise a study by plain dict access, independently of the reader."""
    p = doc["protocolSection"]
    sponsors = p.get("sponsorCollaboratorsModule", {})
    collaborators = sponsors.get("collaborators", [])
    places = p.get("contactsLocationsModule", {}).get("locations", [])
    refs = p.get("referencesModule", {}).get("references", [])
    outcomes = p.get("outcomesModule", {})
    conditions = p.get("conditionsModule", {})
    arms = p.get("armsInterventionsModule", {})
    return {
        "nct_id": p["identificationModule"]["nctId"],
        "counts": {
            "sponsors": 1 + len(collaborators),
            "collaborators": len(collaborators),
            "locations": len(places),
            "arms": len(arms.get("armGroups", [])),
            "interventions": len(arms.get("interventions", [])),
            "conditions": len(conditions.get("conditions", [])),
            "keywords": len(conditions.get("keywords", [])),
            "references": len(refs),
            "secondary_ids": len(p["identificationModule"].get("secondaryIdInfos", [])),
            "outcomes": [len(outcomes.get(k, [])) for k in ("primaryOutcomes", "secondaryOutcomes")]
            + [len(outcomes.get("otherOutcomes", []))],
        },
        "lead": (sponsors["leadSponsor"]["name"], sponsors["leadSponsor"]["class"]),
        "status": p["statusModule"]["overallStatus"],
        "phases": p.get("designModule", {}).get("phases", []),
        "countries": [site.get("country") for site in places],
        "facilities": [site.get("facility") for site in places],
        "pmids": [ref.get("pmid") for ref in refs],
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
        "lead": (lead.name, str(lead.agency_class)) if lead else None,
        "status": str(trial.status),
        "phases": [str(p) for p in trial.phases],
        "countries": [site.country for site in trial.locations],
        "facilities": [site.facility for site in trial.locations],
        "pmids": [ref.pmid for ref in trial.references],
    }


def _compare(path: Path, keys: tuple[str, ...]) -> tuple[Json, Json]:
    doc, results = _shared(path)
    assert isinstance(results[0], Trial)
    expected, actual = _plain_summary(doc), _trial_summary(results[0])
    return {k: expected[k] for k in keys}, {k: actual[k] for k in keys}


def test_shared_json_records_are_found() -> None:
    """The shared API v2 records are where the tests look for them."""
    assert len(SHARED_JSON) > 100


@pytest.mark.parametrize("path", SHARED_JSON, ids=lambda p: p.stem)
def test_shared_file_reads_as_exactly_one_trial(path: Path) -> None:
    """Every shared JSON file reads as one Trial and no error."""
    _, results = _shared(path)
    assert [type(r) for r in results] == [Trial]


@pytest.mark.parametrize("path", SHARED_JSON, ids=lambda p: p.stem)
def test_shared_file_counts_match_plain_json(path: Path) -> None:
    """Sponsors, sites, arms, references... are as many as plain JSON reading finds."""
    expected, actual = _compare(path, ("counts",))
    assert actual == expected


@pytest.mark.parametrize("path", SHARED_JSON, ids=lambda p: p.stem)
def test_shared_file_ids_sponsor_status_and_phases_match_plain_json(path: Path) -> None:
    """NCT id, lead sponsor and class, status and phases agree with plain JSON reading."""
    expected, actual = _compare(path, ("nct_id", "lead", "status", "phases"))
    assert actual == expected


@pytest.mark.parametrize("path", SHARED_JSON, ids=lambda p: p.stem)
def test_shared_file_sites_and_pmids_keep_their_order(path: Path) -> None:
    """Site countries and facilities and reference PMIDs keep the registry's order."""
    expected, actual = _compare(path, ("countries", "facilities", "pmids"))
    assert actual == expected


# --- containers ----------------------------------------------------------------------------------

_PRETTY = orjson.OPT_INDENT_2


def _response(*studies: Json) -> Json:
    return {"studies": list(studies), "nextPageToken": "x"}


_SHAPES: dict[str, Callable[[Json, Json], bytes]] = {
    "array": lambda a, b: orjson.dumps([a, b], option=_PRETTY),
    "array-one-line": lambda a, b: orjson.dumps([a, b]),
    "response": lambda a, b: orjson.dumps(_response(a, b), option=_PRETTY),
    "response-one-line": lambda a, b: orjson.dumps(_response(a, b)),
    "ndjson": lambda a, b: orjson.dumps(a) + b"\n\n" + orjson.dumps(b) + b"\n",
}


def _two_shared() -> tuple[Json, Json]:
    first, second = (orjson.loads(p.read_bytes()) for p in SHARED_JSON[:2])
    return first, second


def _read_file(path: Path) -> list[Trial | InputError]:
    with path.open("rb") as stream:
        return list(iter_studies(stream, "studies.json"))


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_container_of_two_studies_yields_both_trials_in_order(shape: str, tmp_path: Path) -> None:
    """An array, an API response and NDJSON give the trials parse_study gives, in order."""
    a, b = _two_shared()
    path = tmp_path / "studies.json"
    path.write_bytes(_SHAPES[shape](a, b))
    assert _read_file(path) == [parse_study(a, "studies.json"), parse_study(b, "studies.json")]


@pytest.mark.parametrize("option", [_PRETTY, None], ids=["pretty", "one-line"])
def test_single_study_object_yields_the_same_trial(option: int | None, tmp_path: Path) -> None:
    """A lone study object, pretty-printed or on one line, gives its one trial."""
    a, _ = _two_shared()
    path = tmp_path / "studies.json"
    path.write_bytes(orjson.dumps(a, option=option))
    assert _read_file(path) == [parse_study(a, "studies.json")]


def test_empty_api_response_yields_nothing() -> None:
    """An API response page without studies yields neither trials nor errors."""
    assert _read(b'{"studies": [], "totalCount": 0}') == []


def test_byte_order_mark_is_skipped() -> None:
    """A UTF-8 byte order mark before the JSON is ignored."""
    (trial,) = _read(b"\xef\xbb\xbf" + orjson.dumps(_study()))
    assert isinstance(trial, Trial)


# --- errors --------------------------------------------------------------------------------------


def test_truncated_json_yields_one_error_naming_file_and_line() -> None:
    """A truncated document yields one error naming the file and the line."""
    error = _only_error(b'{\n  "protocolSection": {\n    "identificationModule": {"nctId"')
    assert (error.file, str(error).startswith("a.json: not valid JSON: ")) == ("a.json", True)
    assert "line 3" in error.message


def test_empty_input_yields_one_error() -> None:
    """An input with nothing but blanks yields one error naming the file."""
    assert _only_error(b"  \n\n").file == "a.json"


def test_missing_nct_id_names_record_and_field() -> None:
    """A study without nctId is named by its position and the field."""
    error = _only_error(orjson.dumps(_study(nct_id=None)))
    field = "protocolSection.identificationModule.nctId"
    assert str(error) == f"a.json: record 1: {field}: missing NCT id"


@pytest.mark.parametrize("bad", ["NCT123", "nct01234567", "NCT012345678", "NCT0123456\uff17"])
def test_malformed_nct_id_is_an_error(bad: str) -> None:
    """An nctId that is not NCT and eight ASCII digits is an error."""
    error = _only_error(orjson.dumps(_study(nct_id=bad)))
    field = "protocolSection.identificationModule.nctId"
    assert str(error) == f"a.json: record 1: {field}: invalid NCT id {bad!r}"


def test_unknown_phase_names_file_record_field_and_value() -> None:
    """An unknown phase code names file, NCT id, JSON path and value."""
    study = _study(designModule={"phases": ["PHASE2", "PHASE9"]})
    expected = f"a.json: {NCT}: protocolSection.designModule.phases: unknown value 'PHASE9'"
    assert _error_of(study) == expected


def test_unknown_phase_is_yielded_not_raised_by_the_reader() -> None:
    """The reader yields the unknown-code error as an object instead of raising it."""
    study = _study(designModule={"phases": ["PHASE9"]})
    expected = f"a.json: {NCT}: protocolSection.designModule.phases: unknown value 'PHASE9'"
    assert str(_only_error(orjson.dumps(study))) == expected


def test_unknown_code_in_a_list_item_names_its_index() -> None:
    """An error inside an array of objects names the item's index."""
    study = _study(contactsLocationsModule={"locations": [{"city": "Oslo"}, {"status": "OPEN"}]})
    field = "protocolSection.contactsLocationsModule.locations[1].status"
    assert _error_of(study) == f"a.json: {NCT}: {field}: unknown value 'OPEN'"


@pytest.mark.parametrize("bad", ["2019-13", "2019-02-30", "March 2019"])
def test_malformed_date_is_an_error(bad: str) -> None:
    """A date that is not YYYY, YYYY-MM or a real YYYY-MM-DD is an error."""
    study = _study(statusModule={"startDateStruct": {"date": bad}})
    field = "protocolSection.statusModule.startDateStruct.date"
    assert _error_of(study) == f"a.json: {NCT}: {field}: malformed date {bad!r}"


@pytest.mark.parametrize(
    ("count", "message"),
    [("12", "expected an integer, got string"), (12.5, "expected an integer, got 12.5")],
)
def test_non_integer_enrollment_is_an_error(count: object, message: str) -> None:
    """An enrollment count that is not an integer is an error."""
    study = _study(designModule={"enrollmentInfo": {"count": count}})
    assert _error_of(study).endswith(f"designModule.enrollmentInfo.count: {message}")


def test_boolean_enrollment_is_not_a_count() -> None:
    """JSON true is not taken for the count 1."""
    study = _study(designModule={"enrollmentInfo": {"count": True}})
    assert _error_of(study).endswith("expected an integer, got boolean")


def test_string_where_an_array_belongs_is_an_error() -> None:
    """A string where the registry writes an array is an error, not a list of letters."""
    study = _study(conditionsModule={"conditions": "Asthma"})
    field = "protocolSection.conditionsModule.conditions"
    assert _error_of(study) == f"a.json: {NCT}: {field}: expected an array, got string"


def test_latitude_out_of_range_is_an_error() -> None:
    """A latitude beyond 90 degrees is an error."""
    study = _study(contactsLocationsModule={"locations": [{"geoPoint": {"lat": 91, "lon": 0}}]})
    assert _error_of(study).endswith("locations[0].geoPoint.lat: latitude out of range: 91.0")


def test_ndjson_bad_line_is_reported_and_the_good_lines_still_read() -> None:
    """A bad NDJSON line yields an error naming it; the lines around it still read, in order."""
    lines = [orjson.dumps(_study("NCT00000001")), b'{"protocolSection": ', b""]
    lines.append(orjson.dumps(_study("NCT00000002")))
    results = _read(b"\n".join(lines))
    assert [r.nct_id if isinstance(r, Trial) else r.record for r in results] == [
        "NCT00000001",
        "line 2",
        "NCT00000002",
    ]


def test_ndjson_whose_first_line_is_bad_still_reads_the_rest() -> None:
    """NDJSON is recognised even when its first line is not JSON."""
    results = _read(b"{oops\n" + orjson.dumps(_study()) + b"\n")
    assert [type(r) for r in results] == [InputError, Trial]


def test_bad_study_in_an_array_does_not_stop_the_others() -> None:
    """A bad study in an array yields an error between the good trials."""
    bad = _study("NCT00000002", designModule={"phases": ["PHASE9"]})
    results = _read(orjson.dumps([_study("NCT00000001"), bad, _study("NCT00000003")]))
    assert [r.nct_id if isinstance(r, Trial) else str(r) for r in results] == [
        "NCT00000001",
        "a.json: NCT00000002: protocolSection.designModule.phases: unknown value 'PHASE9'",
        "NCT00000003",
    ]


def test_array_item_that_is_not_an_object_names_its_position() -> None:
    """An array item that is not an object is named by its position."""
    results = _read(orjson.dumps([_study(), 42]))
    assert str(results[1]) == "a.json: record 2: expected a study object, got number"


def test_json_that_is_not_an_object_yields_one_error() -> None:
    """A JSON document that is a number yields one error."""
    error = _only_error(b"42")
    assert str(error).startswith("a.json: expected a study object, an array of studies")


def test_parse_study_rejects_a_non_object() -> None:
    """parse_study raises on a value that is not a JSON object."""
    with pytest.raises(InputError, match="expected a study object, got array"):
        parse_study([], "a.json")  # type: ignore[arg-type]


# --- mapping -------------------------------------------------------------------------------------


def test_lead_sponsor_comes_first_then_collaborators_in_order() -> None:
    """The lead sponsor comes first, then the collaborators in the registry's order."""
    module = {
        "leadSponsor": {"name": "Acme", "class": "INDUSTRY"},
        "collaborators": [{"name": "NCI", "class": "NIH"}, {"name": "Uni", "class": "OTHER"}],
    }
    trial = parse_study(_study(sponsorCollaboratorsModule=module), "a.json")
    assert trial.sponsors == (
        Sponsor("Acme", AgencyClass.INDUSTRY, SponsorRole.LEAD),
        Sponsor("NCI", AgencyClass.NIH, SponsorRole.COLLABORATOR),
        Sponsor("Uni", AgencyClass.OTHER, SponsorRole.COLLABORATOR),
    )


def test_official_degrees_are_split_from_the_name_at_the_first_comma() -> None:
    """An official's degrees are the text after the name's first comma."""
    module = {"overallOfficials": [{"name": "Jane Doe, MD, PhD", "role": "STUDY_CHAIR"}]}
    (official,) = parse_study(_study(contactsLocationsModule=module), "a.json").officials
    assert (official.name, official.degrees) == ("Jane Doe", "MD, PhD")


def test_empty_and_blank_strings_become_none_and_text_is_stripped() -> None:
    """Blank strings become None and text is stripped."""
    ident = {"nctId": f" {NCT} ", "acronym": "  ", "briefTitle": " A trial \n"}
    trial = parse_study({"protocolSection": {"identificationModule": ident}}, "a.json")
    assert (trial.nct_id, trial.acronym, trial.brief_title) == (NCT, None, "A trial")


def test_non_standard_locations_nested_is_ignored() -> None:
    """The non-standard locations_nested key adds no sites."""
    module = {"locations_nested": [{"city": "Oslo", "country": "Norway"}]}
    assert parse_study(_study(contactsLocationsModule=module), "a.json").locations == ()


def test_site_coordinates_become_geo() -> None:
    """A site's geoPoint becomes Geo coordinates."""
    site = {"facility": "Clinic", "geoPoint": {"lat": 59.9, "lon": 10}}
    module = {"locations": [site]}
    (location,) = parse_study(_study(contactsLocationsModule=module), "a.json").locations
    assert location.geo == Geo(59.9, 10.0)


def test_dates_keep_their_precision_and_type() -> None:
    """A month-precision date stays month precision and keeps its ESTIMATED type."""
    status = {"primaryCompletionDateStruct": {"date": "2019-02", "type": "ESTIMATED"}}
    trial = parse_study(_study(statusModule=status), "a.json")
    assert (trial.primary_completion_date, trial.primary_completion_date_type) == (
        PartialDate(2019, 2),
        DateType.ESTIMATED,
    )


def test_phases_keep_every_value_in_order() -> None:
    """A PHASE2/PHASE3 trial has both phases, in order."""
    trial = parse_study(_study(designModule={"phases": ["PHASE2", "PHASE3"]}), "a.json")
    assert trial.phases == (Phase.PHASE2, Phase.PHASE3)


def test_mesh_ancestors_are_read_from_the_derived_section() -> None:
    """MeSH ancestors come from the derived section with id and term."""
    study = _study()
    study["derivedSection"] = {
        "conditionBrowseModule": {"ancestors": [{"id": "D001416", "term": "Back Pain"}]}
    }
    trial = parse_study(study, "a.json")
    assert trial.condition_mesh_ancestors == (MeshTerm("D001416", "Back Pain"),)


def test_eligibility_criteria_are_split_into_inclusion_and_exclusion() -> None:
    """Eligibility criteria text is split into inclusion and exclusion bullets."""
    text = "Inclusion Criteria:\n\n* adults\n\nExclusion Criteria:\n\n* pregnancy"
    trial = parse_study(_study(eligibilityModule={"eligibilityCriteria": text}), "a.json")
    criteria = trial.eligibility
    assert criteria is not None
    assert (criteria.inclusion, criteria.exclusion) == (("adults",), ("pregnancy",))


def test_reference_citation_is_parsed() -> None:
    """A reference keeps its PMID and carries the parsed citation."""
    text = "Doe J. A trial. Lancet. 2019;393(1):1-10."
    module = {"references": [{"citation": text, "pmid": "123", "type": "RESULT"}]}
    (reference,) = parse_study(_study(referencesModule=module), "a.json").references
    assert (reference.pmid, reference.citation) == ("123", parse_citation(text))


def test_source_records_name_format_version_date_and_digest() -> None:
    """The source names the file, the format, the version date and a 16-hex digest."""
    study = _study()
    study["derivedSection"] = {"miscInfoModule": {"versionHolder": "2025-06-17"}}
    source = parse_study(study, "a.json").source
    assert (source.name, source.format, source.date, len(source.digest)) == (
        "a.json",
        "ctgov-json",
        PartialDate(2025, 6, 17),
        16,
    )


def test_digest_does_not_depend_on_key_order() -> None:
    """The digest is the same whatever order the JSON keys come in."""
    study = _study(conditionsModule={"conditions": ["Asthma"], "keywords": ["lung"]})
    reordered = dict(reversed(list(study.items())))
    reordered["protocolSection"] = dict(reversed(list(study["protocolSection"].items())))
    digest = parse_study(study, "a.json").source.digest
    assert parse_study(reordered, "a.json").source.digest == digest


def test_digest_changes_with_the_content() -> None:
    """Different content gives a different digest."""
    one = parse_study(_study(conditionsModule={"conditions": ["Asthma"]}), "a.json")
    two = parse_study(_study(conditionsModule={"conditions": ["COPD"]}), "a.json")
    assert one.source.digest != two.source.digest


@pytest.mark.parametrize(
    ("head", "expected"),
    [(b'{"a": 1}', True), (b"\n  [", True), (b"\xef\xbb\xbf{", True), (b"<x", False), (b"", False)],
)
def test_looks_like_json_checks_the_first_non_space_byte(head: bytes, expected: bool) -> None:
    """Sniffing looks at the first byte after blanks and a byte order mark."""
    assert looks_like_json(head) is expected
