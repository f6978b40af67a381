"""Read the administration of a legacy XML record into the fields the API v2 reader fills.

Status details (``why_stopped``, ``verification_date``, ``nct_alias``),
contacts (``overall_contact``, ``overall_contact_backup``; a site's ``contact``, ``contact_backup``
and ``investigator``), the responsible party, the data-sharing plan (``patient_data``) and the
oversight flags become the same :class:`kg.model.Trial` fields as their v2 counterparts, so one
mapping serves both formats. Labels become v2 codes through explicit tables ("Sponsor-Investigator"
-> ``SPONSOR_INVESTIGATOR``, "Statistical Analysis Plan (SAP)" -> ``SAP``); an unknown label is an
error naming the element, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict

from kg import model
from kg.sources._xml_node import Node, code, spelled

__all__ = ["Administration", "administration", "site_contacts"]

_RESPONSIBLE = spelled(
    model.ResponsiblePartyType, "Sponsor", "Principal Investigator", "Sponsor-Investigator"
)
_SHARING = spelled(model.IpdSharing, "Yes", "No", "Undecided")
# public.xsd's ipd_info_type labels: each names the v2 code in brackets or in words.
_INFO_TYPES = {
    "Study Protocol": model.IpdInfoType.STUDY_PROTOCOL,
    "Statistical Analysis Plan (SAP)": model.IpdInfoType.SAP,
    "Informed Consent Form (ICF)": model.IpdInfoType.ICF,
    "Clinical Study Report (CSR)": model.IpdInfoType.CSR,
    "Analytic Code": model.IpdInfoType.ANALYTIC_CODE,
}
_YES_NO = {"Yes": True, "No": False}
_SITE_ROLES = spelled(
    model.ContactRole, "Principal Investigator", "Sub-Investigator", "Study Chair", "Study Director"
)


class Administration(TypedDict):
    """The :class:`kg.model.Trial` fields read here, by name."""

    why_stopped: str | None
    status_verified: model.PartialDate | None
    nct_aliases: tuple[str, ...]
    central_contacts: tuple[model.Contact, ...]
    responsible_party: model.ResponsibleParty | None
    ipd: model.IpdStatement | None
    has_dmc: bool | None
    fda_regulated_drug: bool | None
    fda_regulated_device: bool | None


def administration(study: Node) -> Administration:
    """Return the administration fields of a ``<clinical_study>``."""
    oversight = study.node("oversight_info")
    return Administration(
        why_stopped=study.text("why_stopped"),
        status_verified=study.date("verification_date"),
        nct_aliases=study.node("id_info").texts("nct_alias"),
        central_contacts=tuple(
            _contacts(
                study, ("overall_contact", "overall_contact_backup"), model.ContactRole.CONTACT
            )
        ),
        responsible_party=_responsible_party(study.node("responsible_party")),
        ipd=_ipd(study.node("patient_data")),
        has_dmc=oversight.code(_YES_NO, "has_dmc"),
        fda_regulated_drug=oversight.code(_YES_NO, "is_fda_regulated_drug"),
        fda_regulated_device=oversight.code(_YES_NO, "is_fda_regulated_device"),
    )


def _contact(n: Node, role: model.ContactRole | None) -> model.Contact:
    # <last_name> holds the whole name (public.xsd: "the full name of the contact").
    phone = " ext. ".join(p for p in (n.text("phone"), n.text("phone_ext")) if p) or None
    return model.Contact(n.text("last_name"), role, n.text("email"), phone)


def _contacts(
    parent: Node, tags: tuple[str, ...], role: model.ContactRole
) -> Iterator[model.Contact]:
    """Yield the contacts of these elements, in their order (the contact before its backup)."""
    for tag in tags:
        for n in parent.nodes(tag):
            contact = _contact(n, role)
            if contact != model.Contact(role=role):
                yield contact


def site_contacts(site: Node) -> tuple[model.Contact, ...]:
    """Return a site's contact, backup contact and investigators, as v2 lists a site's contacts."""
    people = list(_contacts(site, ("contact", "contact_backup"), model.ContactRole.CONTACT))
    for n in site.nodes("investigator"):
        found = model.Contact(n.text("last_name"), n.code(_SITE_ROLES, "role"))
        if found.name is not None:
            people.append(found)
    return tuple(people)


def _responsible_party(module: Node) -> model.ResponsibleParty | None:
    # Before 2017 the XML gave a free-text <name_title> and <organization> (v2: oldNameTitle,
    # oldOrganization); the v2 reader reads them into the same fields.
    party = model.ResponsibleParty(
        type=module.code(_RESPONSIBLE, "responsible_party_type"),
        investigator_name=module.text("investigator_full_name") or module.text("name_title"),
        investigator_title=module.text("investigator_title"),
        investigator_affiliation=(
            module.text("investigator_affiliation") or module.text("organization")
        ),
    )
    return None if party == model.ResponsibleParty() else party


def _ipd(module: Node) -> model.IpdStatement | None:
    statement = model.IpdStatement(
        sharing=module.code(_SHARING, "sharing_ipd"),
        description=module.text("ipd_description"),
        info_types=tuple(
            code(_INFO_TYPES, label, module.at("ipd_info_type"))
            for label in module.texts("ipd_info_type")
        ),
        time_frame=module.text("ipd_time_frame"),
        access_criteria=module.text("ipd_access_criteria"),
        url=module.text("ipd_url"),
    )
    return None if statement == model.IpdStatement() else statement
