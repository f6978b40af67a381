"""Measure API v2 study objects: the quantities the generator is fitted on and compared by.

:class:`Observations` reads study objects (real or synthetic) and keeps, for each quantity, the
values seen: counts per trial, text lengths, coded values, and the names mentioned per pool. The
same code measures both sides of the comparison table, so a difference in the table is a
difference in the data, not in how it was measured.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from kg.sources.criteria import split_criteria

__all__ = ["GENERIC_FACILITY", "Observations", "days_between", "get", "sites_bucket"]

# Sponsors that hide their sites' names write a generic one ("Research Site", "GSK Investigational
# Site"): the same name in many places, so it is not a facility of its own.
GENERIC_FACILITY = re.compile(
    r"\b(research|investigational|investigative|clinical|study) (site|center|centre)\b", re.I
)

Study = Mapping[str, Any]


def get(obj: Any, *path: str) -> Any:
    """Return the value at a path of keys, or None where any step is missing.

    >>> get({"a": {"b": [1]}}, "a", "b"), get({"a": None}, "a", "b")
    ([1], None)
    """
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _items(obj: Any, *path: str) -> list[Any]:
    value = get(obj, *path)
    return value if isinstance(value, list) else []


def sites_bucket(sites: int) -> str:
    """Return the size class of a trial by its number of sites.

    >>> sites_bucket(1), sites_bucket(30), sites_bucket(1200)
    ('1', '10-49', '200+')
    """
    for limit, label in ((1, "1"), (9, "2-9"), (49, "10-49"), (199, "50-199")):
        if sites <= limit:
            return label
    return "200+"


def days_between(start: str | None, end: str | None) -> int | None:
    """Return the days from one registry date (``2020``, ``2020-05`` or ``2020-05-17``) to another.

    >>> days_between("2020-01", "2020-03-01"), days_between(None, "2020")
    (60, None)
    """
    if not start or not end:
        return None
    try:
        return (_date(end) - _date(start)).days
    except ValueError:
        return None


def _date(text: str) -> datetime.date:
    parts = [int(p) for p in text.split("-")]
    return datetime.date(
        parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
    )


class Observations:
    """What a set of studies holds: values per quantity, coded values, and names per pool."""

    def __init__(self) -> None:
        """Start with nothing observed."""
        self.studies = 0
        self.values: dict[str, list[float]] = defaultdict(list)
        self.codes: dict[str, list[str]] = defaultdict(list)
        self.names: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.geo: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.states: dict[str, list[bool]] = defaultdict(list)

    def add_all(self, studies: Iterable[Study]) -> Observations:
        """Measure every study; return self."""
        for study in studies:
            self.add(study)
        return self

    def add(self, study: Study, *, size: int | None = None) -> None:
        """Measure one study object (``size``: its size in bytes as stored, when known)."""
        self.studies += 1
        p = get(study, "protocolSection") or {}
        if size is not None:
            self.values["study_bytes"].append(size)
        self._identification(p)
        self._status(study, p)
        self._sponsors(p)
        self._design(p)
        self._arms(p)
        self._outcomes(p)
        self._eligibility(p)
        self._people(p)
        self._sites(p)
        self._references(p)
        self._derived(study)

    def _value(self, name: str, value: float | None) -> None:
        if value is not None:
            self.values[name].append(value)

    def _code(self, name: str, value: object) -> None:
        self.codes[name].append("" if value is None else str(value))

    def _length(self, name: str, text: object) -> None:
        self.values[name].append(len(text) if isinstance(text, str) else 0)

    def _identification(self, p: Study) -> None:
        ident = get(p, "identificationModule")
        self._length("brief_title_chars", get(ident, "briefTitle"))
        self._length("official_title_chars", get(ident, "officialTitle"))
        self._length("acronym_chars", get(ident, "acronym"))
        ids = _items(ident, "secondaryIdInfos")
        self.values["secondary_ids"].append(len(ids))
        for item in ids:
            self._code("secondary_id_type", get(item, "type"))
        self._length("brief_summary_chars", get(p, "descriptionModule", "briefSummary"))
        self._length(
            "detailed_description_chars", get(p, "descriptionModule", "detailedDescription")
        )
        conditions = _items(p, "conditionsModule", "conditions")
        keywords = _items(p, "conditionsModule", "keywords")
        self.values["conditions"].append(len(conditions))
        self.values["keywords"].append(len(keywords))
        self.names["condition"][""].extend(conditions)
        self.names["keyword"][""].extend(keywords)

    def _status(self, study: Study, p: Study) -> None:
        status = get(p, "statusModule")
        overall = get(status, "overallStatus")
        self._code("status", overall)
        self._code(
            "version_holder", get(study, "derivedSection", "miscInfoModule", "versionHolder")
        )
        self._code(f"has_results:{overall}", study.get("hasResults"))
        start = get(status, "startDateStruct", "date")
        self._code("start_year", start[:4] if isinstance(start, str) else None)
        self._code("start_precision", len(start) if isinstance(start, str) else None)
        self._code("start_type", get(status, "startDateStruct", "type"))
        self._code("primary_completion_type", get(status, "primaryCompletionDateStruct", "type"))
        primary = get(status, "primaryCompletionDateStruct", "date")
        completion = get(status, "completionDateStruct", "date")
        first = get(status, "studyFirstPostDateStruct", "date")
        self._value("days_start_to_primary", days_between(start, primary))
        self._value("days_primary_to_completion", days_between(primary, completion))
        self._value("days_start_to_first_post", days_between(start, first))
        self._value(
            "days_first_post_to_update",
            days_between(first, get(status, "lastUpdatePostDateStruct", "date")),
        )
        results = study.get("resultsSection")
        if isinstance(results, Mapping):
            self.values["results_bytes"].append(
                len(orjson.dumps(results, option=orjson.OPT_INDENT_2))
            )

    def _sponsors(self, p: Study) -> None:
        module = get(p, "sponsorCollaboratorsModule")
        lead = get(module, "leadSponsor") or {}
        lead_class = lead.get("class") or "UNKNOWN"
        self._code("lead_class", lead_class)
        if lead.get("name"):
            self.names["sponsor"][lead_class].append(lead["name"])
            self.names["lead"][lead_class].append(lead["name"])
        collaborators = _items(module, "collaborators")
        self.values["collaborators"].append(len(collaborators))
        self.values["sponsors"].append(len(collaborators) + (1 if lead.get("name") else 0))
        for c in collaborators:
            cls = get(c, "class") or "UNKNOWN"
            self._code("collaborator_class", cls)
            if get(c, "name"):
                self.names["sponsor"][cls].append(c["name"])
        self._code("responsible_party", get(module, "responsibleParty", "type"))

    def _design(self, p: Study) -> None:
        design = get(p, "designModule")
        kind = get(design, "studyType")
        self._code("study_type", kind)
        info = get(design, "designInfo")
        phases = "/".join(_items(design, "phases"))
        for name, value in (
            ("phases", phases),
            ("allocation", get(info, "allocation")),
            ("intervention_model", get(info, "interventionModel")),
            ("primary_purpose", get(info, "primaryPurpose")),
            ("masking", get(info, "maskingInfo", "masking")),
            ("observational_model", get(info, "observationalModel")),
            ("time_perspective", get(info, "timePerspective")),
        ):
            self._code(f"{name}:{kind}", value)
        self._code("phase_combination", phases)
        self._value("enrollment", get(design, "enrollmentInfo", "count"))
        self._code("enrollment_type", get(design, "enrollmentInfo", "type"))

    def _arms(self, p: Study) -> None:
        module = get(p, "armsInterventionsModule")
        arms = _items(module, "armGroups")
        interventions = _items(module, "interventions")
        self.values["arms"].append(len(arms))
        self.values["interventions"].append(len(interventions))
        for arm in arms:
            self._code("arm_type", get(arm, "type"))
            self._length("arm_description_chars", get(arm, "description"))
        for item in interventions:
            kind = get(item, "type") or "OTHER"
            self._code("intervention_type", kind)
            self._length("intervention_description_chars", get(item, "description"))
            self.values["intervention_other_names"].append(len(_items(item, "otherNames")))
            if get(item, "name"):
                self.names["intervention"][kind].append(item["name"])

    def _outcomes(self, p: Study) -> None:
        module = get(p, "outcomesModule")
        for key, name in (
            ("primaryOutcomes", "primary_outcomes"),
            ("secondaryOutcomes", "secondary_outcomes"),
            ("otherOutcomes", "other_outcomes"),
        ):
            outcomes = _items(module, key)
            self.values[name].append(len(outcomes))
            for o in outcomes:
                self._length("outcome_measure_chars", get(o, "measure"))
                self._length("outcome_description_chars", get(o, "description"))
                self._length("outcome_time_frame_chars", get(o, "timeFrame"))

    def _eligibility(self, p: Study) -> None:
        module = get(p, "eligibilityModule")
        criteria = get(module, "eligibilityCriteria")
        self._length("eligibility_chars", criteria)
        inclusion, exclusion = split_criteria(criteria if isinstance(criteria, str) else None)
        self.values["inclusion_criteria"].append(len(inclusion))
        self.values["exclusion_criteria"].append(len(exclusion))
        for name, key in (
            ("sex", "sex"),
            ("minimum_age", "minimumAge"),
            ("maximum_age", "maximumAge"),
            ("healthy_volunteers", "healthyVolunteers"),
        ):
            self._code(name, get(module, key))
        self._code("std_ages", "/".join(_items(module, "stdAges")))

    def _people(self, p: Study) -> None:
        module = get(p, "contactsLocationsModule")
        officials = _items(module, "overallOfficials")
        self.values["officials"].append(len(officials))
        lead = get(p, "sponsorCollaboratorsModule", "leadSponsor", "name")
        for o in officials:
            self._code("official_role", get(o, "role"))
            name = get(o, "name") or ""
            self._code("official_degrees", name.partition(",")[2].strip())
            self.names["person"][""].append(name.partition(",")[0].strip())
            self._code("official_affiliation_is_lead", get(o, "affiliation") == lead)
        self.values["central_contacts"].append(len(_items(module, "centralContacts")))

    def _sites(self, p: Study) -> None:
        locations = _items(p, "contactsLocationsModule", "locations")
        self.values["sites"].append(len(locations))
        if not locations:
            return
        countries = {get(loc, "country") for loc in locations} - {None}
        self.values["countries"].append(len(countries))
        # Trials with more sites span more countries: fit countries per size bucket.
        self.values[f"countries:{sites_bucket(len(locations))}"].append(len(countries))
        for country in countries:
            self._code("trial_country", country)
        generic = sum(
            bool(GENERIC_FACILITY.search(get(loc, "facility") or "")) for loc in locations
        )
        lead_class = get(p, "sponsorCollaboratorsModule", "leadSponsor", "class")
        self._code(f"generic_sites:{lead_class == 'INDUSTRY'}", generic * 2 >= len(locations))
        for loc in locations:
            country = get(loc, "country") or ""
            facility = get(loc, "facility")
            self._code("site_country", country)
            self._code("site_status", get(loc, "status"))
            self.states[country].append(get(loc, "state") is not None)
            self._code("site_has_zip", get(loc, "zip") is not None)
            self._code("site_has_geo", get(loc, "geoPoint") is not None)
            self._code("site_contacts", len(_items(loc, "contacts")))
            if facility and not GENERIC_FACILITY.search(facility):
                self.names["facility"][country].append(facility)
            lat, lon = get(loc, "geoPoint", "lat"), get(loc, "geoPoint", "lon")
            if isinstance(lat, int | float) and isinstance(lon, int | float):
                self.geo[country].append((float(lat), float(lon)))

    def _references(self, p: Study) -> None:
        references = _items(p, "referencesModule", "references")
        self.values["references"].append(len(references))
        for ref in references:
            self._code("reference_type", get(ref, "type"))
            self._code("reference_has_pmid", get(ref, "pmid") is not None)
            self._length("citation_chars", get(ref, "citation"))

    def _derived(self, study: Study) -> None:
        for module, kind in (
            ("conditionBrowseModule", "condition"),
            ("interventionBrowseModule", "intervention"),
        ):
            meshes = _items(study, "derivedSection", module, "meshes")
            ancestors = _items(study, "derivedSection", module, "ancestors")
            self.values[f"{kind}_meshes"].append(len(meshes))
            self.values[f"{kind}_ancestors"].append(len(ancestors))
            self.names[f"{kind}_mesh"][""].extend(str(get(m, "id")) for m in meshes)
            self.names[f"{kind}_ancestor"][""].extend(str(get(m, "id")) for m in ancestors)

    def mentions(self, pool: str) -> Sequence[str]:
        """Return every name mentioned in a pool, all groups together."""
        return [name for names in self.names[pool].values() for name in names]
