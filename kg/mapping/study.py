"""Map a trial's own facts: type, identifiers, titles, status, design, dates, eligibility..."""

from __future__ import annotations

import re
from decimal import Decimal

from kg import model
from kg.mapping._emit import Triples
from kg.terms import DCT, SDO, T, boolean, decimal, integer, iri, literal, web_iri

__all__ = ["age_in_years", "map_study"]

_STUDY_CLASS = {
    model.StudyType.INTERVENTIONAL: SDO.MedicalTrial,
    model.StudyType.OBSERVATIONAL: SDO.MedicalObservationalStudy,
    model.StudyType.EXPANDED_ACCESS: T.ExpandedAccessStudy,
}

# schema.org MedicalTrialDesign members that a registry code states outright.
_MASKING_DESIGN = {
    model.Masking.NONE: SDO.OpenTrial,
    model.Masking.SINGLE: SDO.SingleBlindedTrial,
    model.Masking.DOUBLE: SDO.DoubleBlindedTrial,
    model.Masking.TRIPLE: SDO.TripleBlindedTrial,
    # QUADRUPLE (participant, care provider, investigator and outcomes assessor) has no schema.org
    # member; it is kept as tkg:masking only rather than mislabelled as triple-blinded.
}

# Registry pages for secondary identifiers whose register has stable per-trial URLs.
_ID_URLS = {
    "EUDRACT_NUMBER": "https://www.clinicaltrialsregister.eu/ctr-search/search?query={}",
    "CTIS": "https://euclinicaltrials.eu/ctis-public/view/{}",
}

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.I)
_AGE_UNIT = {
    "year": Decimal(1),
    "month": Decimal(1) / Decimal(12),
    "week": Decimal(7) / Decimal("365.25"),
    "day": Decimal(1) / Decimal("365.25"),
    "hour": Decimal(1) / Decimal(24 * 365.25),
    "minute": Decimal(1) / Decimal(60 * 24 * 365.25),
}


def age_in_years(text: str | None) -> Decimal | None:
    """Return an eligibility age in years ("6 Months" -> 0.5), or None when it does not parse.

    >>> age_in_years("18 Years")
    Decimal('18')
    >>> age_in_years("6 Months")
    Decimal('0.5')
    >>> age_in_years("N/A") is None
    True
    """
    if not text:
        return None
    m = _AGE.match(text)
    if not m:
        return None
    years = Decimal(m.group(1)) * _AGE_UNIT[m.group(2).lower()]
    return years.quantize(Decimal("0.0001")).normalize()


def map_study(t: Triples, trial: model.Trial, node: str) -> None:
    """Add the trial's own facts about ``node``."""
    t.a(node, _STUDY_CLASS[trial.study_type] if trial.study_type else SDO.MedicalStudy)
    t.add(node, DCT.identifier, literal(trial.nct_id))
    t.add(node, SDO.sameAs, iri(f"https://clinicaltrials.gov/study/{trial.nct_id}"))
    t.text(node, SDO.name, trial.brief_title)
    t.text(node, SDO.alternateName, trial.official_title)
    t.text(node, SDO.alternateName, trial.acronym)
    t.text(node, SDO.description, trial.brief_summary)
    t.text(node, T.detailedDescription, trial.detailed_description)
    _identifiers(t, trial, node)
    t.code(node, SDO.status, trial.status)
    t.code(node, T.studyType, trial.study_type)
    for phase in trial.phases:
        t.code(node, T.phase, phase)
    _design(t, trial, node)
    if trial.enrollment is not None:
        t.add(node, T.enrollment, integer(trial.enrollment))
    t.code(node, T.enrollmentType, trial.enrollment_type)
    t.date(node, SDO.startDate, trial.start_date)
    t.code(node, T.startDateType, trial.start_date_type)
    t.date(node, T.primaryCompletionDate, trial.primary_completion_date)
    t.code(node, T.primaryCompletionDateType, trial.primary_completion_date_type)
    t.date(node, SDO.endDate, trial.completion_date)
    t.code(node, T.completionDateType, trial.completion_date_type)
    t.date(node, T.firstPostedDate, trial.first_posted)
    t.date(node, SDO.dateModified, trial.last_updated)
    t.date(node, T.resultsFirstPostedDate, trial.results_first_posted)
    if trial.has_results is not None:
        t.add(node, T.hasResults, boolean(trial.has_results))
    for keyword in trial.keywords:
        t.text(node, T.keyword, keyword)
    _eligibility(t, trial, node)
    _outcomes(t, trial, node)


def _identifiers(t: Triples, trial: model.Trial, node: str) -> None:
    ids: list[model.SecondaryId] = []
    if trial.org_study_id:
        ids.append(model.SecondaryId(trial.org_study_id, "org_study_id"))
    ids.extend(trial.secondary_ids)
    for n, sid in enumerate(ids, 1):
        pv = t.mint.part(trial.nct_id, "identifier", n)
        t.add(node, SDO.identifier, pv)
        t.a(pv, SDO.PropertyValue)
        t.text(pv, SDO.propertyID, sid.type or "secondary_id")
        t.text(pv, SDO.value, sid.value)
        t.text(pv, SDO.description, sid.domain)
        url = sid.link or (_ID_URLS[sid.type].format(sid.value) if sid.type in _ID_URLS else None)
        rendered = web_iri(url)
        if rendered:
            t.add(pv, SDO.url, rendered)


def _design(t: Triples, trial: model.Trial, node: str) -> None:
    t.code(node, T.allocation, trial.allocation)
    t.code(node, T.interventionModel, trial.intervention_model)
    t.code(node, T.primaryPurpose, trial.primary_purpose)
    t.code(node, T.masking, trial.masking)
    t.code(node, T.observationalModel, trial.observational_model)
    t.code(node, T.timePerspective, trial.time_perspective)
    designs: list[str] = []
    if trial.allocation is model.Allocation.RANDOMIZED:
        designs.append(SDO.RandomizedTrial)
    if trial.masking in _MASKING_DESIGN:
        designs.append(_MASKING_DESIGN[trial.masking])
    if any(arm.type is model.ArmType.PLACEBO_COMPARATOR for arm in trial.arms):
        designs.append(SDO.PlaceboControlledTrial)
    if len(trial.locations) > 1:
        designs.append(SDO.MultiCenterTrial)
    elif len(trial.locations) == 1:
        designs.append(SDO.SingleCenterTrial)
    countries = {loc.country.casefold() for loc in trial.locations if loc.country}
    if len(countries) > 1:
        designs.append(SDO.InternationalTrial)
    for design in designs:
        t.add(node, SDO.trialDesign, design)


def _eligibility(t: Triples, trial: model.Trial, node: str) -> None:
    el = trial.eligibility
    if el is None:
        return
    e = t.mint.part(trial.nct_id, "eligibility")
    t.add(node, T.eligibility, e)
    t.a(e, T.Eligibility)
    t.text(e, T.eligibilityCriteria, el.criteria)
    for prop, years_prop, text in (
        (T.minimumAge, T.minimumAgeYears, el.minimum_age),
        (T.maximumAge, T.maximumAgeYears, el.maximum_age),
    ):
        t.text(e, prop, text)
        years = age_in_years(text)
        if years is not None:
            t.add(e, years_prop, decimal(years))
    t.code(e, T.sex, el.sex)
    if el.healthy_volunteers is not None:
        t.add(e, T.healthyVolunteers, boolean(el.healthy_volunteers))
    for criterion in el.inclusion:
        t.text(e, T.inclusionCriterion, criterion)
    for criterion in el.exclusion:
        t.text(e, T.exclusionCriterion, criterion)
    for age_group in el.std_ages:
        t.text(e, T.stdAge, age_group)


_OUTCOME_KINDS: tuple[tuple[str, str], ...] = (
    ("primary", T.primaryOutcome),
    ("secondary", T.secondaryOutcome),
    ("other", T.otherOutcome),
)


def _outcomes(t: Triples, trial: model.Trial, node: str) -> None:
    groups = (trial.outcomes_primary, trial.outcomes_secondary, trial.outcomes_other)
    for (kind, prop), outcomes in zip(_OUTCOME_KINDS, groups, strict=True):
        for n, outcome in enumerate(outcomes, 1):
            o = t.mint.part(trial.nct_id, "outcome", kind, n)
            t.add(node, prop, o)
            t.a(o, T.Outcome)
            t.text(o, SDO.name, outcome.measure)
            t.text(o, SDO.description, outcome.description)
            t.text(o, T.timeFrame, outcome.time_frame)

