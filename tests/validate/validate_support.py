"""Two hand-made trial records that break no shape, mapped by the real mapping, and helpers.

``RECORD`` (a registry record) uses every part the shapes look at: identifiers of each known type,
actual dates, sponsors of each role, sites with address and coordinates, eligibility ages, typed
references to a parsed publication, posted results (``results_support``), and a related trial:
``RELATED``, a web-page record, so the related trial is in the data and cross-trial checks find
nothing either.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from results_support import RESULTS

from kg import model as m
from kg.mapping import map_trial
from kg.terms import DEFAULT_BASE, Minter
from kg.validate import Finding, validate_store

NCT = "NCT01234567"
RELATED_NCT = "NCT07654321"
GENERATED = "2024-01-01T00:00:00Z"

CITATION = (
    "Pers YM, Soler-Rich R. Allogenic bone marrow-derived mesenchymal stromal cell-based therapy"
    " for patients with chronic low back pain. Ann Rheum Dis. 2024 Oct 21;83(11):1572-1583."
    " doi: 10.1136/ard-2024-225771."
)

RECORD = m.Trial(
    nct_id=NCT,
    source=m.SourceInfo("NCT01234567.json", "ctgov-json", m.PartialDate(2024, 5, 1), "a1b2c3"),
    brief_title="Cells for Low Back Pain",
    official_title="A Randomised Trial of Cells for Chronic Low Back Pain",
    acronym="CELLS",
    brief_summary="Does it work?",
    org_study_id="CELLS-001",
    secondary_ids=(
        m.SecondaryId("2017-002092-25", "EUDRACT_NUMBER"),
        m.SecondaryId("2022-500001-01-00", "CTIS"),
    ),
    status=m.Status.COMPLETED,
    nct_aliases=("NCT01234500",),
    study_type=m.StudyType.INTERVENTIONAL,
    phases=(m.Phase.PHASE2, m.Phase.PHASE3),
    allocation=m.Allocation.RANDOMIZED,
    intervention_model=m.InterventionModel.PARALLEL,
    primary_purpose=m.PrimaryPurpose.TREATMENT,
    masking=m.Masking.QUADRUPLE,
    enrollment=113,
    enrollment_type=m.DateType.ACTUAL,
    start_date=m.PartialDate(2019, 2, 18),
    start_date_type=m.DateType.ACTUAL,
    primary_completion_date=m.PartialDate(2021, 6),
    primary_completion_date_type=m.DateType.ACTUAL,
    completion_date=m.PartialDate(2021, 12, 1),
    completion_date_type=m.DateType.ACTUAL,
    first_posted=m.PartialDate(2018, 11, 9),
    last_updated=m.PartialDate(2024, 5, 1),
    results_first_posted=m.PartialDate(2022, 3, 1),
    has_results=True,
    sponsors=(
        m.Sponsor("Université Montpellier", m.AgencyClass.OTHER, m.SponsorRole.LEAD),
        m.Sponsor("Citospin", m.AgencyClass.INDUSTRY, m.SponsorRole.COLLABORATOR),
        m.Sponsor("Rennes University Hospital", m.AgencyClass.OTHER, m.SponsorRole.UNSPECIFIED),
    ),
    officials=(
        m.Official(
            "Christian Jorgensen", m.OfficialRole.PRINCIPAL_INVESTIGATOR, "Hôpital Lapeyronie", "MD"
        ),
    ),
    arms=(
        m.Arm("Cells", m.ArmType.EXPERIMENTAL, "20 million cells", ("Biological: Cells",)),
        m.Arm("Sham", m.ArmType.SHAM_COMPARATOR, "A sham injection", ("Procedure: Sham",)),
    ),
    interventions=(
        m.Intervention("Cells", m.InterventionType.BIOLOGICAL, "Cells in a disc", ("Cells",)),
        m.Intervention("Sham", m.InterventionType.PROCEDURE, "Anaesthetic only", ("Sham",)),
    ),
    conditions=(m.Condition("Low Back Pain"),),
    condition_mesh=(m.MeshTerm("D017116", "Low Back Pain"),),
    eligibility=m.Eligibility(
        criteria="Inclusion Criteria:\n* Back pain\n\nExclusion Criteria:\n* Surgery",
        inclusion=("Back pain",),
        exclusion=("Surgery",),
        minimum_age="18 Years",
        maximum_age="60 Years",
        sex=m.Sex.ALL,
        healthy_volunteers=False,
        std_ages=("ADULT",),
    ),
    locations=(
        m.Location(
            "CHU Montpellier",
            "Montpellier",
            "Occitanie",
            "34295",
            "France",
            m.Status.COMPLETED,
            m.Geo(43.61, 3.87),
        ),
        m.Location("Hospital Clinic", "Barcelona", None, None, "Spain", None, m.Geo(41.38, 2.17)),
    ),
    outcomes_primary=(m.Outcome("Pain on a visual analogue scale", "0-100 mm", "12 months"),),
    outcomes_secondary=(m.Outcome("Oswestry Disability Index", None, "12 months"),),
    references=(
        m.Reference(
            text=CITATION,
            pmid="39293420",
            type=m.ReferenceType.RESULT,
            citation=m.Citation(
                text=CITATION,
                authors=(
                    m.Author("Pers YM", "Pers", "YM"),
                    m.Author("Soler-Rich R", "Soler-Rich", "R"),
                ),
                title="Allogenic bone marrow-derived mesenchymal stromal cell-based therapy",
                journal="Ann Rheum Dis",
                date=m.PartialDate(2024, 10, 21),
                volume="83",
                issue="11",
                page_start="1572",
                page_end="1583",
                doi="10.1136/ard-2024-225771",
                pmid="39293420",
            ),
        ),
    ),
    related_trials=(m.RelatedTrial(RELATED_NCT, "Cells Again"),),
    results=RESULTS,
)

RELATED = m.Trial(
    nct_id=RELATED_NCT,
    source=m.SourceInfo("page.txt", "web-page", m.PartialDate(2025, 9, 30), "d4e5f6"),
    brief_title="Cells Again",
    status=m.Status.RECRUITING,
    study_type=m.StudyType.OBSERVATIONAL,
    observational_model=m.ObservationalModel.COHORT,
    time_perspective=m.TimePerspective.PROSPECTIVE,
    sponsors=(m.Sponsor("Citospin", m.AgencyClass.INDUSTRY, m.SponsorRole.UNSPECIFIED),),
)

MINT = Minter(DEFAULT_BASE)


def graph_of(nct_id: str) -> ox.NamedNode:
    """Return the named graph of a trial."""
    return ox.NamedNode(f"{DEFAULT_BASE}graph/{nct_id}")


def mapped_quads(record: m.Trial) -> list[ox.Quad]:
    """Map a record as kg build does and return its quads."""
    graph = MINT.graph(record.nct_id)
    triples = dict.fromkeys(map_trial(record, MINT, generated_at=GENERATED))
    text = "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)
    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def store_of(quads: Iterable[ox.Quad]) -> ox.Store:
    """Return an in-memory store holding the quads."""
    store = ox.Store()
    store.extend(quads)
    return store


def validate_all(quads: Iterable[ox.Quad]) -> list[Finding]:
    """Validate quads as ``kg validate`` does a store: per trial, then across trials."""
    found: list[Finding] = []
    validate_store(store_of(quads), jobs=1, on_findings=found.extend)
    return found
