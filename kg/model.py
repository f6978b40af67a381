"""Typed records: what every source reader yields, whatever the input format.

A reader turns one source record (an API v2 study, a legacy XML study, a trial web page) into
one :class:`Trial`. Coded values are Enums whose values are the registry codes of the API v2
(https://clinicaltrials.gov/data-api/about-api/study-data-structure, "Enum" types); the XML
reader translates legacy labels to the same codes. Nothing past a reader sees raw JSON or XML.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum

from kg.model_results import Results

__all__ = [
    "AgencyClass",
    "Allocation",
    "Arm",
    "ArmType",
    "Author",
    "Citation",
    "Condition",
    "Contact",
    "ContactRole",
    "DateType",
    "Eligibility",
    "Geo",
    "Intervention",
    "InterventionModel",
    "InterventionType",
    "IpdInfoType",
    "IpdSharing",
    "IpdStatement",
    "Location",
    "Masking",
    "MeshLeaf",
    "MeshTerm",
    "ObservationalModel",
    "Official",
    "OfficialKind",
    "OfficialRole",
    "Outcome",
    "PartialDate",
    "Phase",
    "PrimaryPurpose",
    "Reference",
    "ReferenceType",
    "RelatedTrial",
    "ResponsibleParty",
    "ResponsiblePartyType",
    "SecondaryId",
    "Sex",
    "SourceInfo",
    "Sponsor",
    "SponsorRole",
    "Status",
    "StudyType",
    "TimePerspective",
    "Trial",
]


class Code(StrEnum):
    """A registry code: the Enum value is the code exactly as the registry writes it."""


class Status(Code):
    """Overall recruitment status (``statusModule.overallStatus``, also a site's ``status``)."""

    NOT_YET_RECRUITING = "NOT_YET_RECRUITING"
    RECRUITING = "RECRUITING"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"
    UNKNOWN = "UNKNOWN"
    AVAILABLE = "AVAILABLE"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING"
    WITHHELD = "WITHHELD"


class Phase(Code):
    """Trial phase (``designModule.phases``); ``PHASE2/PHASE3`` is two values."""

    NA = "NA"
    EARLY_PHASE1 = "EARLY_PHASE1"
    PHASE1 = "PHASE1"
    PHASE2 = "PHASE2"
    PHASE3 = "PHASE3"
    PHASE4 = "PHASE4"


class StudyType(Code):
    """Study type (``designModule.studyType``)."""

    INTERVENTIONAL = "INTERVENTIONAL"
    OBSERVATIONAL = "OBSERVATIONAL"
    EXPANDED_ACCESS = "EXPANDED_ACCESS"


class Allocation(Code):
    """Allocation (``designInfo.allocation``)."""

    RANDOMIZED = "RANDOMIZED"
    NON_RANDOMIZED = "NON_RANDOMIZED"
    NA = "NA"


class InterventionModel(Code):
    """Intervention model (``designInfo.interventionModel``)."""

    SINGLE_GROUP = "SINGLE_GROUP"
    PARALLEL = "PARALLEL"
    CROSSOVER = "CROSSOVER"
    FACTORIAL = "FACTORIAL"
    SEQUENTIAL = "SEQUENTIAL"


class PrimaryPurpose(Code):
    """Primary purpose (``designInfo.primaryPurpose``)."""

    TREATMENT = "TREATMENT"
    PREVENTION = "PREVENTION"
    DIAGNOSTIC = "DIAGNOSTIC"
    ECT = "ECT"
    SUPPORTIVE_CARE = "SUPPORTIVE_CARE"
    SCREENING = "SCREENING"
    HEALTH_SERVICES_RESEARCH = "HEALTH_SERVICES_RESEARCH"
    BASIC_SCIENCE = "BASIC_SCIENCE"
    DEVICE_FEASIBILITY = "DEVICE_FEASIBILITY"
    OTHER = "OTHER"


class Masking(Code):
    """Masking (``designInfo.maskingInfo.masking``)."""

    NONE = "NONE"
    SINGLE = "SINGLE"
    DOUBLE = "DOUBLE"
    TRIPLE = "TRIPLE"
    QUADRUPLE = "QUADRUPLE"


class ObservationalModel(Code):
    """Observational model (``designInfo.observationalModel``)."""

    COHORT = "COHORT"
    CASE_CONTROL = "CASE_CONTROL"
    CASE_ONLY = "CASE_ONLY"
    CASE_CROSSOVER = "CASE_CROSSOVER"
    ECOLOGIC_OR_COMMUNITY = "ECOLOGIC_OR_COMMUNITY"
    FAMILY_BASED = "FAMILY_BASED"
    DEFINED_POPULATION = "DEFINED_POPULATION"
    NATURAL_HISTORY = "NATURAL_HISTORY"
    OTHER = "OTHER"


class TimePerspective(Code):
    """Time perspective of an observational study (``designInfo.timePerspective``)."""

    RETROSPECTIVE = "RETROSPECTIVE"
    PROSPECTIVE = "PROSPECTIVE"
    CROSS_SECTIONAL = "CROSS_SECTIONAL"
    OTHER = "OTHER"


class AgencyClass(Code):
    """Agency class of a sponsor or collaborator (``leadSponsor.class``)."""

    NIH = "NIH"
    FED = "FED"
    OTHER_GOV = "OTHER_GOV"
    INDIV = "INDIV"
    INDUSTRY = "INDUSTRY"
    NETWORK = "NETWORK"
    AMBIG = "AMBIG"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class Sex(Code):
    """Sex eligible for the study (``eligibilityModule.sex``)."""

    FEMALE = "FEMALE"
    MALE = "MALE"
    ALL = "ALL"


class ArmType(Code):
    """Arm group type (``armGroups[].type``)."""

    EXPERIMENTAL = "EXPERIMENTAL"
    ACTIVE_COMPARATOR = "ACTIVE_COMPARATOR"
    PLACEBO_COMPARATOR = "PLACEBO_COMPARATOR"
    SHAM_COMPARATOR = "SHAM_COMPARATOR"
    NO_INTERVENTION = "NO_INTERVENTION"
    OTHER = "OTHER"


class InterventionType(Code):
    """Intervention type (``interventions[].type``)."""

    BEHAVIORAL = "BEHAVIORAL"
    BIOLOGICAL = "BIOLOGICAL"
    COMBINATION_PRODUCT = "COMBINATION_PRODUCT"
    DEVICE = "DEVICE"
    DIAGNOSTIC_TEST = "DIAGNOSTIC_TEST"
    DIETARY_SUPPLEMENT = "DIETARY_SUPPLEMENT"
    DRUG = "DRUG"
    GENETIC = "GENETIC"
    PROCEDURE = "PROCEDURE"
    RADIATION = "RADIATION"
    OTHER = "OTHER"


class OfficialRole(Code):
    """Role of an overall official (``overallOfficials[].role``)."""

    STUDY_CHAIR = "STUDY_CHAIR"
    STUDY_DIRECTOR = "STUDY_DIRECTOR"
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR"
    SUB_INVESTIGATOR = "SUB_INVESTIGATOR"


class OfficialKind(StrEnum):
    """What an overall official's text names (kg's reading, not a registry code)."""

    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"  # the sponsor, a department or a post in it, a call centre
    NOTE = "NOTE"  # text that names no person and no organisation: kept as text only


class ReferenceType(Code):
    """Reference type (``references[].type``)."""

    BACKGROUND = "BACKGROUND"
    RESULT = "RESULT"
    DERIVED = "DERIVED"


class ResponsiblePartyType(Code):
    """Who is responsible for the record (``responsibleParty.type``)."""

    SPONSOR = "SPONSOR"
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR"
    SPONSOR_INVESTIGATOR = "SPONSOR_INVESTIGATOR"


class IpdSharing(Code):
    """Whether individual participant data will be shared (``ipdSharing``)."""

    YES = "YES"
    NO = "NO"
    UNDECIDED = "UNDECIDED"


class IpdInfoType(Code):
    """Supporting documents shared with the IPD (``ipdSharingStatementModule.infoTypes``)."""

    STUDY_PROTOCOL = "STUDY_PROTOCOL"
    SAP = "SAP"
    ICF = "ICF"
    CSR = "CSR"
    ANALYTIC_CODE = "ANALYTIC_CODE"


class ContactRole(Code):
    """Role of a central or site contact (``centralContacts[].role``, site ``contacts[].role``)."""

    STUDY_CHAIR = "STUDY_CHAIR"
    STUDY_DIRECTOR = "STUDY_DIRECTOR"
    PRINCIPAL_INVESTIGATOR = "PRINCIPAL_INVESTIGATOR"
    SUB_INVESTIGATOR = "SUB_INVESTIGATOR"
    CONTACT = "CONTACT"


class DateType(Code):
    """Whether a date happened or is planned (``*DateStruct.type``; legacy "Anticipated")."""

    ACTUAL = "ACTUAL"
    ESTIMATED = "ESTIMATED"


class SponsorRole(Code):
    """The part an organisation plays: lead, collaborator, or unstated (a web page)."""

    LEAD = "LEAD"
    COLLABORATOR = "COLLABORATOR"
    UNSPECIFIED = "UNSPECIFIED"


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date whose month or day may be unknown, as the registry writes them ("2019-02").

    >>> PartialDate.parse("2019-02").iso()
    '2019-02'
    >>> PartialDate.parse("2019-02-18").iso()
    '2019-02-18'
    """

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ValueError on anything else."""
        m = _DATE.match(text.strip())
        if not m:
            raise ValueError(f"not a date: {text!r}")
        year, month, day = (int(g) if g else None for g in m.groups())
        assert year is not None  # noqa: S101 - the regex makes the year mandatory
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"not a date: {text!r}")
        if day is not None:
            datetime.date(year, month or 1, day)  # raises ValueError for 2019-02-30
        return cls(year, month, day)

    def iso(self) -> str:
        """Return the ISO 8601 text: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a record came from: file (base name or URL), format, and the source's own date."""

    name: str
    format: str
    date: PartialDate | None = None
    digest: str = ""


@dataclass(frozen=True, slots=True)
class SecondaryId:
    """An identifier other than the NCT id; ``type`` is the registry's code (EUDRACT_NUMBER...)."""

    value: str
    type: str | None = None
    domain: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Sponsor:
    """An organisation sponsoring or collaborating on a trial, as the source names it."""

    name: str
    agency_class: AgencyClass | None
    role: SponsorRole


@dataclass(frozen=True, slots=True)
class Official:
    """An overall official, as :mod:`kg.sources.officials` reads the registry's text.

    A person has a ``name``, ``degrees`` (the known degrees and credentials, "MD, PhD") and a
    ``prefix`` (titles, "Prof. Dr."). An organisation official's ``name`` is the organisation's.
    ``note`` keeps the registry's text when it is not wholly read as a person's name, degrees and
    titles (a post, a call-centre note, an unread part).
    """

    name: str
    role: OfficialRole | None = None
    affiliation: str | None = None
    degrees: str | None = None
    kind: OfficialKind = OfficialKind.PERSON
    prefix: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Arm:
    """An arm group; ``intervention_names`` are the names of the interventions it receives."""

    label: str
    type: ArmType | None = None
    description: str | None = None
    intervention_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Intervention:
    """An intervention; ``arm_labels`` are the labels of the arms that receive it."""

    name: str
    type: InterventionType | None = None
    description: str | None = None
    arm_labels: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MeshTerm:
    """A MeSH descriptor by id ("D001416") and term."""

    id: str
    term: str


@dataclass(frozen=True, slots=True)
class MeshLeaf:
    """A leaf of the registry's MeSH derivation: a descriptor's name and the text it was found as.

    ``as_found`` is the record's own text the registry matched ("Low Back Pain"), ``relevance``
    its code (``HIGH`` for descriptors found in the record's text, ``LOW`` for ones added above).
    """

    name: str
    as_found: str | None = None
    relevance: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition as the source names it."""

    name: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Eligibility: ages as the source writes them ("18 Years"); one string per top-level bullet."""

    criteria: str | None = None
    inclusion: tuple[str, ...] = ()
    exclusion: tuple[str, ...] = ()
    minimum_age: str | None = None
    maximum_age: str | None = None
    sex: Sex | None = None
    healthy_volunteers: bool | None = None
    std_ages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Geo:
    """WGS84 coordinates in decimal degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Contact:
    """A central or site contact; e-mail and phone are personal data, mapped only on request."""

    name: str | None = None
    role: ContactRole | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """A site: facility, address parts as the source gives them (empty parts are None)."""

    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: Status | None = None
    geo: Geo | None = None
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, slots=True)
class ResponsibleParty:
    """Who answers for the record: the sponsor, or an investigator (name, title, affiliation)."""

    type: ResponsiblePartyType | None = None
    investigator_name: str | None = None
    investigator_title: str | None = None
    investigator_affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class IpdStatement:
    """The plan to share individual participant data."""

    sharing: IpdSharing | None = None
    description: str | None = None
    info_types: tuple[IpdInfoType, ...] = ()
    time_frame: str | None = None
    access_criteria: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """An outcome measure."""

    measure: str
    description: str | None = None
    time_frame: str | None = None


@dataclass(frozen=True, slots=True)
class Author:
    """An author of a citation: a person (family name and initials) or a group (``is_group``)."""

    name: str
    family: str | None = None
    initials: str | None = None
    is_group: bool = False


@dataclass(frozen=True, slots=True)
class Citation:
    """What the citation parser could read from an NLM/Vancouver string; unread fields are None."""

    text: str
    authors: tuple[Author, ...] = ()
    title: str | None = None
    journal: str | None = None
    date: PartialDate | None = None
    volume: str | None = None
    issue: str | None = None
    page_start: str | None = None
    page_end: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """A publication the record cites; ``citation`` is the parsed form of ``text``."""

    text: str | None
    pmid: str | None = None
    type: ReferenceType | None = None
    citation: Citation | None = None


@dataclass(frozen=True, slots=True)
class RelatedTrial:
    """A trial the source lists as related (the web page's list)."""

    nct_id: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Trial:
    """One trial record, whatever its source format."""

    nct_id: str
    source: SourceInfo
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    org_study_id: str | None = None
    secondary_ids: tuple[SecondaryId, ...] = ()
    status: Status | None = None
    last_known_status: Status | None = None
    why_stopped: str | None = None
    status_verified: PartialDate | None = None
    nct_aliases: tuple[str, ...] = ()
    study_type: StudyType | None = None
    phases: tuple[Phase, ...] = ()
    allocation: Allocation | None = None
    intervention_model: InterventionModel | None = None
    primary_purpose: PrimaryPurpose | None = None
    masking: Masking | None = None
    observational_model: ObservationalModel | None = None
    time_perspective: TimePerspective | None = None
    enrollment: int | None = None
    enrollment_type: DateType | None = None
    start_date: PartialDate | None = None
    start_date_type: DateType | None = None
    primary_completion_date: PartialDate | None = None
    primary_completion_date_type: DateType | None = None
    completion_date: PartialDate | None = None
    completion_date_type: DateType | None = None
    first_posted: PartialDate | None = None
    last_updated: PartialDate | None = None
    results_first_posted: PartialDate | None = None
    has_results: bool | None = None
    sponsors: tuple[Sponsor, ...] = ()
    officials: tuple[Official, ...] = ()
    arms: tuple[Arm, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    conditions: tuple[Condition, ...] = ()
    keywords: tuple[str, ...] = ()
    condition_mesh: tuple[MeshTerm, ...] = ()
    condition_mesh_ancestors: tuple[MeshTerm, ...] = ()
    condition_mesh_leaves: tuple[MeshLeaf, ...] = ()
    intervention_mesh: tuple[MeshTerm, ...] = ()
    intervention_mesh_ancestors: tuple[MeshTerm, ...] = ()
    eligibility: Eligibility | None = None
    locations: tuple[Location, ...] = ()
    outcomes_primary: tuple[Outcome, ...] = ()
    outcomes_secondary: tuple[Outcome, ...] = ()
    outcomes_other: tuple[Outcome, ...] = ()
    references: tuple[Reference, ...] = ()
    related_trials: tuple[RelatedTrial, ...] = field(default=())
    central_contacts: tuple[Contact, ...] = ()
    responsible_party: ResponsibleParty | None = None
    ipd: IpdStatement | None = None
    has_dmc: bool | None = None
    fda_regulated_drug: bool | None = None
    fda_regulated_device: bool | None = None
    other_sources: tuple[SourceInfo, ...] = ()
    """Further sources merged into this record (older than ``source``), for provenance."""
    results: Results | None = None
    """The posted results (:mod:`kg.model_results`), when the source has them."""

    @property
    def lead_sponsor(self) -> Sponsor | None:
        """Return the lead sponsor when the source says which one it is."""
        return next((s for s in self.sponsors if s.role is SponsorRole.LEAD), None)
