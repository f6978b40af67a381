"""Every key of every shared record is either read by kg or named in README's "not carried" list.

The walk goes over each key path of each shared API v2 record (list indices dropped) and each
element and attribute path of each shared legacy XML record. The results (``resultsSection``,
``clinical_results``) count as one path each: the results mapping owns them. A path is *mapped*
when the reader reads it into a model field (``MAPPED_JSON``, ``MAPPED_XML`` below; the fact tests
of ``test_ctgov_json.py``, ``test_ctgov_xml.py`` and ``test_xml_administration.py`` check the values
against the records), and *listed* when README's "What the graph does not carry" names it, or a key
above it, in backticks in the paragraph of its format. A path that is neither is a fact kg drops
without saying so.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
README = REPO / "README.md"
RESULTS = ("clinical_results", "resultsSection")
SECTION = "protocolSection."

# Key paths the API v2 reader reads (kg/sources/ctgov_json.py).
MAPPED_JSON = frozenset(
    f"{SECTION}{p}" if p.split(".")[0].endswith("Module") else p
    for p in """
    hasResults derivedSection
    derivedSection.miscInfoModule derivedSection.miscInfoModule.versionHolder
    derivedSection.conditionBrowseModule derivedSection.conditionBrowseModule.meshes
    derivedSection.conditionBrowseModule.meshes.id derivedSection.conditionBrowseModule.meshes.term
    derivedSection.conditionBrowseModule.ancestors
    derivedSection.conditionBrowseModule.ancestors.id
    derivedSection.conditionBrowseModule.ancestors.term
    derivedSection.interventionBrowseModule derivedSection.interventionBrowseModule.meshes
    derivedSection.interventionBrowseModule.meshes.id
    derivedSection.interventionBrowseModule.meshes.term
    derivedSection.interventionBrowseModule.ancestors
    derivedSection.interventionBrowseModule.ancestors.id
    derivedSection.interventionBrowseModule.ancestors.term
    protocolSection
    identificationModule identificationModule.nctId identificationModule.nctIdAliases
    identificationModule.briefTitle identificationModule.officialTitle identificationModule.acronym
    identificationModule.orgStudyIdInfo identificationModule.orgStudyIdInfo.id
    identificationModule.secondaryIdInfos identificationModule.secondaryIdInfos.id
    identificationModule.secondaryIdInfos.type identificationModule.secondaryIdInfos.domain
    identificationModule.secondaryIdInfos.link
    statusModule statusModule.overallStatus statusModule.lastKnownStatus statusModule.whyStopped
    statusModule.statusVerifiedDate
    statusModule.startDateStruct statusModule.startDateStruct.date statusModule.startDateStruct.type
    statusModule.primaryCompletionDateStruct statusModule.primaryCompletionDateStruct.date
    statusModule.primaryCompletionDateStruct.type
    statusModule.completionDateStruct statusModule.completionDateStruct.date
    statusModule.completionDateStruct.type
    statusModule.studyFirstPostDateStruct statusModule.studyFirstPostDateStruct.date
    statusModule.lastUpdatePostDateStruct statusModule.lastUpdatePostDateStruct.date
    statusModule.resultsFirstPostDateStruct statusModule.resultsFirstPostDateStruct.date
    sponsorCollaboratorsModule sponsorCollaboratorsModule.leadSponsor
    sponsorCollaboratorsModule.leadSponsor.name sponsorCollaboratorsModule.leadSponsor.class
    sponsorCollaboratorsModule.collaborators sponsorCollaboratorsModule.collaborators.name
    sponsorCollaboratorsModule.collaborators.class sponsorCollaboratorsModule.responsibleParty
    sponsorCollaboratorsModule.responsibleParty.type
    sponsorCollaboratorsModule.responsibleParty.investigatorFullName
    sponsorCollaboratorsModule.responsibleParty.investigatorTitle
    sponsorCollaboratorsModule.responsibleParty.investigatorAffiliation
    sponsorCollaboratorsModule.responsibleParty.oldNameTitle
    sponsorCollaboratorsModule.responsibleParty.oldOrganization
    oversightModule oversightModule.oversightHasDmc oversightModule.isFdaRegulatedDrug
    oversightModule.isFdaRegulatedDevice
    descriptionModule descriptionModule.briefSummary descriptionModule.detailedDescription
    conditionsModule conditionsModule.conditions conditionsModule.keywords
    designModule designModule.studyType designModule.phases designModule.designInfo
    designModule.designInfo.allocation designModule.designInfo.interventionModel
    designModule.designInfo.primaryPurpose designModule.designInfo.observationalModel
    designModule.designInfo.timePerspective designModule.designInfo.maskingInfo
    designModule.designInfo.maskingInfo.masking designModule.enrollmentInfo
    designModule.enrollmentInfo.count designModule.enrollmentInfo.type
    armsInterventionsModule armsInterventionsModule.armGroups
    armsInterventionsModule.armGroups.label armsInterventionsModule.armGroups.type
    armsInterventionsModule.armGroups.description
    armsInterventionsModule.armGroups.interventionNames
    armsInterventionsModule.interventions armsInterventionsModule.interventions.type
    armsInterventionsModule.interventions.name armsInterventionsModule.interventions.description
    armsInterventionsModule.interventions.armGroupLabels
    armsInterventionsModule.interventions.otherNames
    outcomesModule outcomesModule.primaryOutcomes outcomesModule.primaryOutcomes.measure
    outcomesModule.primaryOutcomes.description outcomesModule.primaryOutcomes.timeFrame
    outcomesModule.secondaryOutcomes outcomesModule.secondaryOutcomes.measure
    outcomesModule.secondaryOutcomes.description outcomesModule.secondaryOutcomes.timeFrame
    outcomesModule.otherOutcomes outcomesModule.otherOutcomes.measure
    outcomesModule.otherOutcomes.description outcomesModule.otherOutcomes.timeFrame
    eligibilityModule eligibilityModule.eligibilityCriteria eligibilityModule.healthyVolunteers
    eligibilityModule.sex eligibilityModule.minimumAge eligibilityModule.maximumAge
    eligibilityModule.stdAges
    contactsLocationsModule contactsLocationsModule.centralContacts
    contactsLocationsModule.centralContacts.name contactsLocationsModule.centralContacts.role
    contactsLocationsModule.centralContacts.email contactsLocationsModule.centralContacts.phone
    contactsLocationsModule.centralContacts.phoneExt contactsLocationsModule.overallOfficials
    contactsLocationsModule.overallOfficials.name
    contactsLocationsModule.overallOfficials.affiliation
    contactsLocationsModule.overallOfficials.role contactsLocationsModule.locations
    contactsLocationsModule.locations.facility contactsLocationsModule.locations.status
    contactsLocationsModule.locations.city contactsLocationsModule.locations.state
    contactsLocationsModule.locations.zip contactsLocationsModule.locations.country
    contactsLocationsModule.locations.geoPoint contactsLocationsModule.locations.geoPoint.lat
    contactsLocationsModule.locations.geoPoint.lon contactsLocationsModule.locations.contacts
    contactsLocationsModule.locations.contacts.name contactsLocationsModule.locations.contacts.role
    contactsLocationsModule.locations.contacts.email
    contactsLocationsModule.locations.contacts.phone
    contactsLocationsModule.locations.contacts.phoneExt
    referencesModule referencesModule.references referencesModule.references.pmid
    referencesModule.references.type referencesModule.references.citation
    ipdSharingStatementModule ipdSharingStatementModule.ipdSharing
    ipdSharingStatementModule.description ipdSharingStatementModule.infoTypes
    ipdSharingStatementModule.timeFrame ipdSharingStatementModule.accessCriteria
    ipdSharingStatementModule.url
    """.split()
)

# Element paths the XML reader reads (kg/sources/ctgov_xml.py, _xml_admin.py, _xml_node.py).
MAPPED_XML = frozenset(
    """
    id_info id_info/nct_id id_info/org_study_id id_info/secondary_id id_info/nct_alias
    required_header required_header/download_date
    brief_title official_title acronym brief_summary brief_summary/textblock
    detailed_description detailed_description/textblock
    overall_status last_known_status why_stopped verification_date
    study_type phase study_design
    study_design_info study_design_info/allocation study_design_info/intervention_model
    study_design_info/primary_purpose study_design_info/masking
    study_design_info/observational_model study_design_info/time_perspective
    enrollment enrollment/@type start_date start_date/@type
    primary_completion_date primary_completion_date/@type completion_date completion_date/@type
    study_first_posted firstreceived_date last_update_posted lastchanged_date results_first_posted
    sponsors sponsors/lead_sponsor sponsors/lead_sponsor/agency sponsors/lead_sponsor/agency_class
    sponsors/collaborator sponsors/collaborator/agency sponsors/collaborator/agency_class
    responsible_party responsible_party/responsible_party_type
    responsible_party/investigator_full_name responsible_party/investigator_title
    responsible_party/investigator_affiliation responsible_party/name_title
    responsible_party/organization
    oversight_info oversight_info/has_dmc oversight_info/is_fda_regulated_drug
    oversight_info/is_fda_regulated_device
    patient_data patient_data/sharing_ipd patient_data/ipd_description patient_data/ipd_info_type
    patient_data/ipd_time_frame patient_data/ipd_access_criteria patient_data/ipd_url
    overall_official overall_official/last_name overall_official/role overall_official/affiliation
    overall_contact overall_contact/last_name overall_contact/phone overall_contact/phone_ext
    overall_contact/email
    overall_contact_backup overall_contact_backup/last_name overall_contact_backup/phone
    overall_contact_backup/phone_ext overall_contact_backup/email
    arm_group arm_group/arm_group_label arm_group/arm_group_type arm_group/description
    intervention intervention/intervention_type intervention/intervention_name
    intervention/description intervention/arm_group_label intervention/other_name
    condition keyword
    eligibility eligibility/criteria eligibility/criteria/textblock eligibility/gender
    eligibility/minimum_age eligibility/maximum_age eligibility/healthy_volunteers
    location location/status location/facility location/facility/name location/facility/address
    location/facility/address/city location/facility/address/state location/facility/address/zip
    location/facility/address/country
    location/contact location/contact/last_name location/contact/phone location/contact/phone_ext
    location/contact/email
    location/contact_backup location/contact_backup/last_name location/contact_backup/phone
    location/contact_backup/email
    location/investigator location/investigator/last_name location/investigator/role
    primary_outcome primary_outcome/measure primary_outcome/time_frame primary_outcome/description
    secondary_outcome secondary_outcome/measure secondary_outcome/time_frame
    secondary_outcome/description
    other_outcome other_outcome/measure other_outcome/time_frame other_outcome/description
    reference reference/citation reference/PMID
    results_reference results_reference/citation results_reference/PMID
    """.split()
)


def _walk_xml(el: etree._Element, path: str, out: Counter[str]) -> None:
    out[path] += 1
    out.update(f"{path}/@{name}" for name in el.attrib)
    if path in RESULTS:
        return
    for child in el:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            _walk_xml(child, f"{path}/{child.tag}" if path else child.tag, out)


def _walk_json(value: object, path: str, out: Counter[str]) -> None:
    out[path] += 1
    if path in RESULTS:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _walk_json(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        for item in value:
            _walk_json(item, path, out)


def _records(pattern: str) -> list[Path]:
    records = sorted(CTGOV.glob(pattern))
    if not records:
        pytest.fail(f"no shared {pattern} records in {CTGOV}")
    return records


@pytest.fixture(scope="module")
def xml_paths() -> Counter[str]:
    paths: Counter[str] = Counter()
    for record in _records("*.xml"):
        root = etree.parse(str(record)).getroot()
        assert root.tag == "clinical_study", record
        _walk_xml(root, "", paths)
    del paths[""]
    return paths


@pytest.fixture(scope="module")
def json_paths() -> Counter[str]:
    paths: Counter[str] = Counter()
    for record in _records("*.json"):
        _walk_json(json.loads(record.read_bytes()), "", paths)
    del paths[""]
    return paths


def _readme_names(opening: str) -> set[str]:
    """The names in backticks in the paragraph of README's "not carry" list that opens so."""
    text = README.read_text(encoding="utf-8")
    m = re.search(r"^## What the graph does not carry.*?$(.*?)^## ", text, re.S | re.M)
    assert m, "README has no 'What the graph does not carry' section"
    paragraphs = [p for p in re.split(r"\n\s*\n", m.group(1)) if p.lstrip().startswith(opening)]
    assert len(paragraphs) == 1, f"README's list has no (or several) {opening!r} paragraphs"
    return set(re.findall(r"`([^`]+)`", paragraphs[0]))


@pytest.fixture(scope="module")
def xml_listed() -> set[str]:
    return _readme_names("From legacy XML")


@pytest.fixture(scope="module")
def json_listed() -> set[str]:
    """API v2 names, written below protocolSection unless they name their section."""
    return {n if n.endswith("Section") or "Section." in n else SECTION + n
            for n in _readme_names("From API v2 records")}  # fmt: skip


def _covered(path: str, names: set[str] | frozenset[str], sep: str) -> bool:
    """Tell whether the path, or a path above it, is one of the names (the results always are)."""
    parts = path.split(sep)
    above = {sep.join(parts[:i]) for i in range(1, len(parts) + 1)}
    return bool(above & (names | set(RESULTS)))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_shared_key_is_mapped_or_listed_in_readme(
    fmt: str, request: pytest.FixtureRequest
) -> None:
    paths: Counter[str] = request.getfixturevalue(f"{fmt}_paths")
    listed: set[str] = request.getfixturevalue(f"{fmt}_listed")
    mapped, sep = (MAPPED_JSON, ".") if fmt == "json" else (MAPPED_XML, "/")
    dropped = sorted(p for p in paths if p not in mapped and not _covered(p, listed, sep))
    assert dropped == [], f"{fmt} paths neither read nor named in README: {dropped}"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_readme_does_not_list_what_kg_reads(fmt: str, request: pytest.FixtureRequest) -> None:
    listed: set[str] = request.getfixturevalue(f"{fmt}_listed")
    mapped, sep = (MAPPED_JSON, ".") if fmt == "json" else (MAPPED_XML, "/")
    assert sorted(p for p in mapped if _covered(p, listed - set(RESULTS), sep)) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_readme_lists_only_paths_of_the_records(fmt: str, request: pytest.FixtureRequest) -> None:
    """A listed name that no shared record has is a typo, or says nothing the test can check."""
    paths: Counter[str] = request.getfixturevalue(f"{fmt}_paths")
    listed: set[str] = request.getfixturevalue(f"{fmt}_listed")
    assert sorted(n for n in listed if n not in paths) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_mapped_paths_occur_in_the_records(fmt: str, request: pytest.FixtureRequest) -> None:
    """The mapped lists name real paths (a typo there would hide a dropped one)."""
    paths: Counter[str] = request.getfixturevalue(f"{fmt}_paths")
    mapped = MAPPED_JSON if fmt == "json" else MAPPED_XML
    # Old element names the shared records no longer use, read for older downloads.
    unseen = {"study_design", "firstreceived_date", "lastchanged_date"} if fmt == "xml" else set()
    assert sorted(p for p in mapped if p not in paths and p not in unseen) == []


def test_walk_sees_the_xml_elements_of_issue_14(xml_paths: Counter[str]) -> None:
    """The walk is real: the elements the XML reader once dropped are in the shared records."""
    for path in (
        "why_stopped", "verification_date", "responsible_party/responsible_party_type",
        "oversight_info/has_dmc", "oversight_info/is_fda_regulated_drug",
        "patient_data/sharing_ipd", "patient_data/ipd_description", "overall_contact/last_name",
        "overall_contact_backup/last_name", "location/contact/last_name",
        "location/contact_backup/last_name", "location/investigator/role", *RESULTS[:1],
    ):  # fmt: skip
        assert xml_paths[path] > 0, path
