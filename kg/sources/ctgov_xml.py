"""Read legacy ClinicalTrials.gov XML: one ``<clinical_study>`` document per file.

The format ClinicalTrials.gov served before API v2 (schema: ``public.xsd``). Its labels ("Active,
not recruiting", "Phase 1/Phase 2") become the v2 registry codes of :mod:`kg.model` through explicit
tables; a label not in a table is an error, never a guess. The XML gives MeSH terms without ids, so
the MeSH fields stay empty. Entities are never expanded, no DTD is loaded, nothing is fetched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from typing import BinaryIO, TypeVar

from lxml import etree

from kg import model
from kg.errors import InputError
from kg.sources._xml_admin import administration, site_contacts
from kg.sources._xml_node import Node, code, parse_date, spelled
from kg.sources.citation import parse_citation
from kg.sources.criteria import split_criteria
from kg.sources.officials import read_official
from kg.sources.results_xml import read_xml_results

__all__ = ["FORMAT", "iter_xml_studies", "parse_xml_study"]

FORMAT = "ctgov-xml"

_NCT_ID = re.compile(r"NCT[0-9]{8}")
_PROCESSED = re.compile(r"processed this data on\s+(.+?)\s*$")
_LXML_WHERE = re.compile(r",?\s*line \d+, column \d+\s*$")
# "Allocation: Randomized, Masking: Double Blind (Subject, Investigator), ..." -> split at ", Key:"
_DESIGN_SPLIT = re.compile(r",\s*(?=[A-Z][A-Za-z ]*:)")
_T = TypeVar("_T")
_Design = dict[str, tuple[str, str]]  # element name -> (label, path)


# Keys: every label of the shared records (tests/sources/test_ctgov_xml.py checks that), the
# labels of the schema's enumerations, and the pre-2017 <study_design> text ("Open Label").
_STATUS = spelled(
    model.Status,
    *("Not yet recruiting", "Recruiting", "Enrolling by invitation", "Active, not recruiting"),
    *("Suspended", "Terminated", "Completed", "Withdrawn", "Available", "No longer available"),
    *("Temporarily not available", "Approved for marketing", "Withheld"),
) | {"Unknown status": model.Status.UNKNOWN}
_PHASES: dict[str, tuple[model.Phase, ...]] = {
    "N/A": (model.Phase.NA,),
    "Early Phase 1": (model.Phase.EARLY_PHASE1,),
    "Phase 0": (model.Phase.EARLY_PHASE1,),  # glossary: "Early Phase 1 (formerly Phase 0)"
    "Phase 1": (model.Phase.PHASE1,),
    "Phase 1/Phase 2": (model.Phase.PHASE1, model.Phase.PHASE2),
    "Phase 2": (model.Phase.PHASE2,),
    "Phase 2/Phase 3": (model.Phase.PHASE2, model.Phase.PHASE3),
    "Phase 3": (model.Phase.PHASE3,),
    "Phase 4": (model.Phase.PHASE4,),
}
_STUDY_TYPES: dict[str, model.StudyType | None] = {
    **spelled(model.StudyType, "Interventional", "Observational", "Expanded Access"),
    "Observational [Patient Registry]": model.StudyType.OBSERVATIONAL,
    "N/A": None,  # withheld device trials (NCT03182660): v2 has no code for it
}
_AGENCY_CLASSES = spelled(model.AgencyClass, "NIH", "Industry", "Other")
_AGENCY_CLASSES["U.S. Fed"] = model.AgencyClass.FED
_ALLOCATIONS = spelled(model.Allocation, "Randomized", "Non-Randomized")
_ALLOCATIONS["N/A"] = model.Allocation.NA
_INTERVENTION_MODELS = {
    f"{label} Assignment": code
    for label, code in spelled(
        model.InterventionModel, "Single Group", "Parallel", "Crossover", "Factorial", "Sequential"
    ).items()
}
_PURPOSES = spelled(
    model.PrimaryPurpose,
    *("Treatment", "Prevention", "Diagnostic", "Supportive Care", "Screening", "Other"),
    *("Health Services Research", "Basic Science", "Device Feasibility"),
) | {"Educational/Counseling/Training": model.PrimaryPurpose.ECT}
# Keyed by the label's head: the roles in brackets ("Double (Participant, ...)") are not kept.
_MASKINGS = spelled(model.Masking, "None", "Single", "Double", "Triple", "Quadruple") | {
    "No masking": model.Masking.NONE,
    "Open Label": model.Masking.NONE,
    "Single Blind": model.Masking.SINGLE,
    "Double Blind": model.Masking.DOUBLE,
}
_OBSERVATIONAL_MODELS = spelled(
    model.ObservationalModel,
    *("Cohort", "Case-Control", "Case Control", "Case-Only", "Case-Crossover", "Other"),
    *("Ecologic or Community", "Family-Based", "Defined Population", "Natural History"),
)
_TIME_PERSPECTIVES = spelled(
    model.TimePerspective, "Retrospective", "Prospective", "Cross-Sectional", "Other"
)
_SEXES = spelled(model.Sex, "All", "Female", "Male") | {"Both": model.Sex.ALL}
_VOLUNTEERS = {"Accepts Healthy Volunteers": True, "No": False}
_ARM_TYPES = spelled(
    model.ArmType,
    *("Experimental", "Active Comparator", "Placebo Comparator", "Sham Comparator"),
    *("No Intervention", "Other"),
)
_INTERVENTION_TYPES = spelled(
    model.InterventionType,
    *("Drug", "Device", "Biological", "Procedure", "Radiation", "Behavioral", "Genetic"),
    *("Dietary Supplement", "Combination Product", "Diagnostic Test", "Other"),
)
_ROLES = spelled(model.OfficialRole, "Principal Investigator", "Study Chair", "Study Director")
_ROLES |= spelled(model.OfficialRole, "Sub-Investigator")
_DESIGN_KEYS = (
    "allocation intervention_model primary_purpose masking observational_model time_perspective"
).split()
_REFERENCE_TYPES = {
    "reference": model.ReferenceType.BACKGROUND,
    "results_reference": model.ReferenceType.RESULT,
}


def _design_text(text: str) -> dict[str, str]:
    """Split a pre-2017 ``<study_design>`` string into element names and labels.

    >>> _design_text("Allocation: Randomized, Masking: Double Blind (Subject, Investigator)")
    {'allocation': 'Randomized', 'masking': 'Double Blind (Subject, Investigator)'}
    """
    pairs = (part.partition(":") for part in _DESIGN_SPLIT.split(text.strip()))
    return {k.strip().lower().replace(" ", "_"): v.strip() for k, _, v in pairs if v.strip()}


def parse_xml_study(root: etree._Element, name: str) -> model.Trial:
    """Map a ``<clinical_study>`` element to a Trial; raise InputError naming the field."""
    if root.tag != "clinical_study":
        raise InputError(f"expected <clinical_study>, got <{root.tag}>", file=name)
    record: str | None = None
    try:
        study = Node(root)
        record = _nct_id(study)
        return _trial(study, record, _source(study, root, name))
    except InputError as exc:
        raise exc.located(file=name, record=record) from exc


def _nct_id(study: Node) -> str:
    nct_id = study.node("id_info").text("nct_id")
    if nct_id is None:
        raise InputError("missing NCT id", field="id_info/nct_id")
    if not _NCT_ID.fullmatch(nct_id):
        raise InputError(f"invalid NCT id {nct_id!r}", field="id_info/nct_id")
    return nct_id


def _source(study: Node, root: etree._Element, name: str) -> model.SourceInfo:
    digest = hashlib.sha1(etree.tostring(root), usedforsecurity=False).hexdigest()[:16]
    header = study.node("required_header")
    stamp, date = header.text("download_date"), None
    if stamp is not None:
        m = _PROCESSED.search(stamp)
        try:
            date = parse_date(m.group(1) if m else stamp)
        except ValueError:
            field = header.at("download_date")
            raise InputError(f"malformed date {stamp!r}", field=field) from None
    return model.SourceInfo(name=name, format=FORMAT, date=date, digest=digest)


def _trial(study: Node, nct_id: str, source: model.SourceInfo) -> model.Trial:
    ident = study.node("id_info")
    phase = study.code(_PHASES, "phase")
    design = _design(study)
    return model.Trial(
        nct_id=nct_id,
        source=source,
        brief_title=study.text("brief_title"),
        official_title=study.text("official_title"),
        acronym=study.text("acronym"),
        brief_summary=study.block("brief_summary"),
        detailed_description=study.block("detailed_description"),
        org_study_id=ident.text("org_study_id"),
        secondary_ids=tuple(model.SecondaryId(v) for v in ident.texts("secondary_id")),
        status=study.code(_STATUS, "overall_status"),
        last_known_status=study.code(_STATUS, "last_known_status"),
        study_type=study.code(_STUDY_TYPES, "study_type"),
        phases=phase or (),
        allocation=_design_code(design, "allocation", _ALLOCATIONS),
        intervention_model=_design_code(design, "intervention_model", _INTERVENTION_MODELS),
        primary_purpose=_design_code(design, "primary_purpose", _PURPOSES),
        masking=_design_code(design, "masking", _MASKINGS, bracketed=True),
        observational_model=_design_code(design, "observational_model", _OBSERVATIONAL_MODELS),
        time_perspective=_design_code(design, "time_perspective", _TIME_PERSPECTIVES),
        enrollment=study.count("enrollment"),
        enrollment_type=study.date_type("enrollment"),
        start_date=study.date("start_date"),
        start_date_type=study.date_type("start_date"),
        primary_completion_date=study.date("primary_completion_date"),
        primary_completion_date_type=study.date_type("primary_completion_date"),
        completion_date=study.date("completion_date"),
        completion_date_type=study.date_type("completion_date"),
        first_posted=_first_date(study, "study_first_posted", "firstreceived_date"),
        last_updated=_first_date(study, "last_update_posted", "lastchanged_date"),
        results_first_posted=study.date("results_first_posted"),
        has_results=study.has("clinical_results"),
        results=read_xml_results(study._el.find("clinical_results")),
        sponsors=tuple(_sponsors(study.node("sponsors"))),
        officials=tuple(_officials(study, nct_id)),
        arms=tuple(_arms(study)),
        interventions=tuple(_interventions(study)),
        conditions=tuple(model.Condition(c) for c in study.texts("condition")),
        keywords=study.texts("keyword"),
        eligibility=_eligibility(study.node("eligibility")),
        locations=tuple(_locations(study)),
        outcomes_primary=tuple(_outcomes(study, "primary_outcome")),
        outcomes_secondary=tuple(_outcomes(study, "secondary_outcome")),
        outcomes_other=tuple(_outcomes(study, "other_outcome")),
        references=tuple(_references(study)),
        **administration(study),
    )


def _first_date(study: Node, *tags: str) -> model.PartialDate | None:
    """Return the date of the first of these elements that is present (new names before old)."""
    return next((d for d in map(study.date, tags) if d is not None), None)


def _design(study: Node) -> _Design:
    """Return design labels by element name, with their paths, from either form of the design."""
    if study.has("study_design_info"):
        info = study.node("study_design_info")
        labels = {key: (info.text(key), info.at(key)) for key in _DESIGN_KEYS}
        return {key: (text, path) for key, (text, path) in labels.items() if text is not None}
    text = study.text("study_design")
    pairs = _design_text(text) if text else {}
    return {key: (label, "study_design") for key, label in pairs.items()}


def _design_code(
    design: _Design, key: str, table: Mapping[str, _T], *, bracketed: bool = False
) -> _T | None:
    """Return the code of a design label; a ``bracketed`` label is looked up by its head."""
    if key not in design:
        return None
    label, path = design[key]
    head = label.split(" (", 1)[0] if bracketed else label
    try:
        return code(table, head, path)
    except InputError:
        raise InputError(f"unknown value {label!r}", field=path) from None


def _sponsors(module: Node) -> Iterator[model.Sponsor]:
    parties = [(module.node("lead_sponsor"), model.SponsorRole.LEAD)]
    parties += [(n, model.SponsorRole.COLLABORATOR) for n in module.nodes("collaborator")]
    for n, role in parties:
        name = n.text("agency")
        if name is not None:
            yield model.Sponsor(name, n.code(_AGENCY_CLASSES, "agency_class"), role)


def _officials(study: Node, nct_id: str) -> Iterator[model.Official]:
    for n in study.nodes("overall_official"):
        full = n.text("last_name")  # the whole name, degrees included
        if full is None:
            continue
        role = n.code(_ROLES, "role")
        yield read_official(full, role, n.text("affiliation"), where=f"{nct_id}: {n.path}")


def _arms(study: Node) -> Iterator[model.Arm]:
    # Legacy arm groups do not list their interventions: the links come from the interventions.
    for n in study.nodes("arm_group"):
        label = n.text("arm_group_label")
        if label is not None:
            yield model.Arm(label, n.code(_ARM_TYPES, "arm_group_type"), n.text("description"))


def _interventions(study: Node) -> Iterator[model.Intervention]:
    for n in study.nodes("intervention"):
        name = n.text("intervention_name")
        if name is not None:
            yield model.Intervention(
                name=name,
                type=n.code(_INTERVENTION_TYPES, "intervention_type"),
                description=n.text("description"),
                arm_labels=n.texts("arm_group_label"),
                other_names=n.texts("other_name"),
            )


def _eligibility(module: Node) -> model.Eligibility | None:
    criteria = module.block("criteria")
    inclusion, exclusion = split_criteria(criteria)
    ages = [module.text(tag) for tag in ("minimum_age", "maximum_age")]
    minimum, maximum = (None if age == "N/A" else age for age in ages)
    found = model.Eligibility(
        criteria=criteria,
        inclusion=inclusion,
        exclusion=exclusion,
        minimum_age=minimum,
        maximum_age=maximum,
        sex=module.code(_SEXES, "gender"),
        healthy_volunteers=module.code(_VOLUNTEERS, "healthy_volunteers"),
    )
    return None if found == model.Eligibility() else found


def _locations(study: Node) -> Iterator[model.Location]:
    for n in study.nodes("location"):
        facility = n.node("facility")
        address = facility.node("address")
        site = model.Location(
            facility=facility.text("name"),
            city=address.text("city"),
            state=address.text("state"),
            zip=address.text("zip"),
            country=address.text("country"),
            status=n.code(_STATUS, "status"),
            contacts=site_contacts(n),
        )
        if site != model.Location():
            yield site


def _outcomes(study: Node, tag: str) -> Iterator[model.Outcome]:
    for n in study.nodes(tag):
        measure = n.text("measure")
        if measure is not None:
            yield model.Outcome(measure, n.text("description"), n.text("time_frame"))


def _references(study: Node) -> Iterator[model.Reference]:
    for tag, kind in _REFERENCE_TYPES.items():
        for n in study.nodes(tag):
            text, pmid = n.text("citation"), n.text("PMID")
            if text is not None or pmid is not None:
                citation = parse_citation(text) if text is not None else None
                yield model.Reference(text, pmid, kind, citation)


def iter_xml_studies(stream: BinaryIO, name: str) -> Iterator[model.Trial | InputError]:
    """Yield the Trial of one ``<clinical_study>`` document, or one InputError if it is bad.

    The parser expands no entity, loads no external DTD and never uses the network.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.parse(stream, parser).getroot()
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        message = _LXML_WHERE.sub("", exc.msg or "syntax error")
        yield InputError(f"not valid XML: {message} (line {line}, column {column})", file=name)
        return
    try:
        yield parse_xml_study(root, name)
    except InputError as exc:
        yield exc.located(file=name)
