"""Typed records of a trial's posted results (API v2 ``resultsSection``, XML ``clinical_results``).

Readers (:mod:`kg.sources.results_json`, :mod:`kg.sources.results_xml`) build one :class:`Results`
per record that has results; :mod:`kg.mapping.results` maps it. Coded values are Enums whose values
are the API v2 codes (https://clinicaltrials.gov/data-api/about-api/study-data-structure); the XML
reader and the labels the API itself writes in some fields ("Standard Deviation") are translated to
the same codes. Values stay as the source writes them (text): the mapping decides what is a number.
Group references are the source's group ids (``EG000``, ``E1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

__all__ = [
    "RESULTS_SCHEMES",
    "AdverseEvent",
    "AdverseEvents",
    "Analysis",
    "AnalysisDispersionType",
    "AssessmentType",
    "Baseline",
    "CertainAgreement",
    "CiSides",
    "Denominator",
    "DispersionType",
    "EventGroup",
    "EventStats",
    "FlowEntry",
    "FlowPeriod",
    "GroupCount",
    "Measure",
    "Measurement",
    "NonInferiorityType",
    "OutcomeResult",
    "OutcomeType",
    "ParamType",
    "ParticipantFlow",
    "ReportingStatus",
    "RestrictionType",
    "ResultGroup",
    "Results",
    "ResultsModule",
    "Seriousness",
]


class ResultsModule(StrEnum):
    """A module of the results section; a trial states each it reports (``tkg:resultsModule``)."""

    PARTICIPANT_FLOW = "PARTICIPANT_FLOW"
    BASELINE = "BASELINE"
    OUTCOME_MEASURES = "OUTCOME_MEASURES"
    ADVERSE_EVENTS = "ADVERSE_EVENTS"
    MORE_INFO = "MORE_INFO"


class Seriousness(StrEnum):
    """Whether an adverse event is listed as serious (``seriousEvents``) or other."""

    SERIOUS = "SERIOUS"
    OTHER = "OTHER"


class AssessmentType(StrEnum):
    """How adverse events were collected (``assessmentType``)."""

    SYSTEMATIC_ASSESSMENT = "SYSTEMATIC_ASSESSMENT"
    NON_SYSTEMATIC_ASSESSMENT = "NON_SYSTEMATIC_ASSESSMENT"


class ParamType(StrEnum):
    """The parameter a measure reports (``paramType``, API enum MeasureParam)."""

    GEOMETRIC_MEAN = "GEOMETRIC_MEAN"
    GEOMETRIC_LEAST_SQUARES_MEAN = "GEOMETRIC_LEAST_SQUARES_MEAN"
    LEAST_SQUARES_MEAN = "LEAST_SQUARES_MEAN"
    LOG_MEAN = "LOG_MEAN"
    MEAN = "MEAN"
    MEDIAN = "MEDIAN"
    NUMBER = "NUMBER"
    COUNT_OF_PARTICIPANTS = "COUNT_OF_PARTICIPANTS"
    COUNT_OF_UNITS = "COUNT_OF_UNITS"


class DispersionType(StrEnum):
    """The spread a measure reports (``dispersionType``, API enum MeasureDispersionType)."""

    NA = "NA"
    STANDARD_DEVIATION = "STANDARD_DEVIATION"
    STANDARD_ERROR = "STANDARD_ERROR"
    INTER_QUARTILE_RANGE = "INTER_QUARTILE_RANGE"
    FULL_RANGE = "FULL_RANGE"
    CONFIDENCE_80 = "CONFIDENCE_80"
    CONFIDENCE_90 = "CONFIDENCE_90"
    CONFIDENCE_95 = "CONFIDENCE_95"
    CONFIDENCE_975 = "CONFIDENCE_975"
    CONFIDENCE_99 = "CONFIDENCE_99"
    CONFIDENCE_OTHER = "CONFIDENCE_OTHER"
    GEOMETRIC_COEFFICIENT = "GEOMETRIC_COEFFICIENT"


class AnalysisDispersionType(StrEnum):
    """The spread of an analysis' estimate (``analyses[].dispersionType``)."""

    STANDARD_DEVIATION = "STANDARD_DEVIATION"
    STANDARD_ERROR_OF_MEAN = "STANDARD_ERROR_OF_MEAN"


class OutcomeType(StrEnum):
    """Kind of a posted outcome measure (``outcomeMeasures[].type``)."""

    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"
    OTHER_PRE_SPECIFIED = "OTHER_PRE_SPECIFIED"
    POST_HOC = "POST_HOC"


class ReportingStatus(StrEnum):
    """Whether an outcome measure's data are posted (``reportingStatus``)."""

    POSTED = "POSTED"
    NOT_POSTED = "NOT_POSTED"


class NonInferiorityType(StrEnum):
    """The hypothesis of a statistical analysis (``nonInferiorityType``)."""

    SUPERIORITY = "SUPERIORITY"
    NON_INFERIORITY = "NON_INFERIORITY"
    EQUIVALENCE = "EQUIVALENCE"
    OTHER = "OTHER"
    NON_INFERIORITY_OR_EQUIVALENCE = "NON_INFERIORITY_OR_EQUIVALENCE"
    SUPERIORITY_OR_OTHER = "SUPERIORITY_OR_OTHER"
    NON_INFERIORITY_OR_EQUIVALENCE_LEGACY = "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY"
    SUPERIORITY_OR_OTHER_LEGACY = "SUPERIORITY_OR_OTHER_LEGACY"


class CiSides(StrEnum):
    """Whether a confidence interval is one- or two-sided (``ciNumSides``)."""

    ONE_SIDED = "ONE_SIDED"
    TWO_SIDED = "TWO_SIDED"


class RestrictionType(StrEnum):
    """How an agreement restricts the PI's disclosure of results (``restrictionType``).

    ``LTE60``/``GT60``: the sponsor can review results communications before release and embargo
    them for up to / more than 60 days; ``OTHER``: any other restriction, described in text.
    """

    LTE60 = "LTE60"
    GT60 = "GT60"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class ResultGroup:
    """A group of one results module (arm or cohort as reported): its source id and title."""

    code: str
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class GroupCount:
    """A number of participants (or units) of one group."""

    group: str
    count: int
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class FlowEntry:
    """A milestone ("STARTED") or a drop/withdraw reason ("Lost to Follow-up") of one period."""

    label: str
    counts: tuple[GroupCount, ...] = ()
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class FlowPeriod:
    """A period of the participant flow ("Overall Study")."""

    title: str
    milestones: tuple[FlowEntry, ...] = ()
    drop_reasons: tuple[FlowEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ParticipantFlow:
    """The participant flow module."""

    groups: tuple[ResultGroup, ...] = ()
    periods: tuple[FlowPeriod, ...] = ()
    recruitment_details: str | None = None
    pre_assignment_details: str | None = None


@dataclass(frozen=True, slots=True)
class Denominator:
    """The number analysed per group, in its units ("Participants"); of one class when titled."""

    units: str | None
    counts: tuple[GroupCount, ...] = ()
    class_title: str | None = None


@dataclass(frozen=True, slots=True)
class Measurement:
    """One reported value of one group, in a class and category of a measure; values as written."""

    group: str
    value: str | None
    spread: str | None = None
    lower_limit: str | None = None
    upper_limit: str | None = None
    comment: str | None = None
    class_title: str | None = None
    category_title: str | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    """A baseline characteristic (age, sex, region...) with its measurements."""

    title: str
    description: str | None = None
    population: str | None = None
    param_type: ParamType | None = None
    dispersion_type: DispersionType | None = None
    unit: str | None = None
    measurements: tuple[Measurement, ...] = ()
    denominators: tuple[Denominator, ...] = ()  # per class ("classes[].denoms")


@dataclass(frozen=True, slots=True)
class Baseline:
    """The baseline characteristics module."""

    groups: tuple[ResultGroup, ...] = ()
    denominators: tuple[Denominator, ...] = ()
    measures: tuple[Measure, ...] = ()
    population: str | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """A statistical analysis of an outcome measure; numbers stay as written (p "<0.001")."""

    groups: tuple[str, ...] = ()
    groups_description: str | None = None
    non_inferiority_type: NonInferiorityType | None = None
    p_value: str | None = None
    p_value_comment: str | None = None
    method: str | None = None
    method_comment: str | None = None
    param_type: str | None = None
    param_value: str | None = None
    ci_percent: str | None = None
    ci_sides: CiSides | None = None
    ci_lower_limit: str | None = None
    ci_upper_limit: str | None = None
    dispersion_type: AnalysisDispersionType | None = None
    dispersion_value: str | None = None
    estimate_comment: str | None = None
    non_inferiority_comment: str | None = None
    tested_non_inferiority: bool | None = None
    other_description: str | None = None
    ci_upper_limit_comment: str | None = None


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """A posted outcome measure: its groups, analysed numbers, measurements and analyses."""

    type: OutcomeType
    title: str
    description: str | None = None
    time_frame: str | None = None
    population: str | None = None
    reporting_status: ReportingStatus | None = None
    param_type: ParamType | None = None
    dispersion_type: DispersionType | None = None
    unit: str | None = None
    groups: tuple[ResultGroup, ...] = ()
    denominators: tuple[Denominator, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    analyses: tuple[Analysis, ...] = ()


@dataclass(frozen=True, slots=True)
class EventStats:
    """Affected, at-risk and event counts of one group for one adverse event."""

    group: str
    affected: int | None = None
    at_risk: int | None = None
    events: int | None = None


@dataclass(frozen=True, slots=True)
class AdverseEvent:
    """One listed adverse event term (term, organ system, seriousness) with its counts."""

    term: str
    organ_system: str | None
    seriousness: Seriousness
    vocabulary: str | None = None
    assessment: AssessmentType | None = None
    notes: str | None = None
    stats: tuple[EventStats, ...] = ()


@dataclass(frozen=True, slots=True)
class EventGroup:
    """A group of the adverse events module with its totals (serious, other, all-cause deaths)."""

    code: str
    title: str | None = None
    description: str | None = None
    serious_affected: int | None = None
    serious_at_risk: int | None = None
    other_affected: int | None = None
    other_at_risk: int | None = None
    deaths_affected: int | None = None
    deaths_at_risk: int | None = None


@dataclass(frozen=True, slots=True)
class AdverseEvents:
    """The adverse events module."""

    groups: tuple[EventGroup, ...] = ()
    events: tuple[AdverseEvent, ...] = ()
    frequency_threshold: str | None = None
    time_frame: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class CertainAgreement:
    """Agreements between the sponsor and the principal investigators about disclosing results."""

    pi_sponsor_employee: bool | None = None
    restrictive: bool | None = None
    restriction_type: RestrictionType | None = None
    details: str | None = None


@dataclass(frozen=True, slots=True)
class Results:
    """Everything a record posts as results; a module the record lacks is None or empty."""

    flow: ParticipantFlow | None = None
    baseline: Baseline | None = None
    outcomes: tuple[OutcomeResult, ...] = ()
    adverse_events: AdverseEvents | None = None
    limitations: str | None = None
    contact_organization: str | None = None
    agreement: CertainAgreement | None = None


RESULTS_SCHEMES: dict[type[Enum], str] = {
    ResultsModule: "resultsModule",
    Seriousness: "seriousness",
    AssessmentType: "assessmentType",
    ParamType: "paramType",
    DispersionType: "dispersionType",
    AnalysisDispersionType: "analysisDispersionType",
    OutcomeType: "outcomeType",
    ReportingStatus: "reportingStatus",
    NonInferiorityType: "nonInferiorityType",
    CiSides: "ciSides",
    RestrictionType: "restrictionType",
}
"""Code list -> local name of its SKOS scheme and concepts in tkg: (part of kg.terms.SCHEMES)."""
