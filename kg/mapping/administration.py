"""Map the record's administration: status details, contacts, responsible party, IPD, oversight.

Contacts' e-mail addresses and phone numbers are personal data: they enter the graph only when the
caller asks for them (``kg build --contact-details``); names and roles are always mapped.
"""

from __future__ import annotations

from kg import model
from kg.mapping._emit import Triples
from kg.mapping.parties import map_organization
from kg.terms import SDO, T, boolean, literal, web_iri

__all__ = ["map_administration", "map_contacts"]


def map_contacts(
    t: Triples, owner: str, prop: str, contacts: tuple[model.Contact, ...], base: str, details: bool
) -> None:
    """Add ``owner prop contact`` for each contact, as a ``schema:ContactPoint`` under ``base``."""
    for n, contact in enumerate(contacts, 1):
        node = t.mint.raw(f"{base}/contact/{n}")
        t.add(owner, prop, node)
        t.a(node, SDO.ContactPoint)
        t.text(node, SDO.name, contact.name)
        t.code(node, T.contactRole, contact.role)
        if details:
            if contact.email:
                t.text(node, SDO.email, contact.email)
            t.text(node, SDO.telephone, contact.phone)


def _flag(t: Triples, node: str, prop: str, value: bool | None) -> None:
    if value is not None:
        t.add(node, prop, boolean(value))


def map_administration(t: Triples, trial: model.Trial, node: str, *, details: bool) -> None:
    """Add status details, contacts, responsible party, data sharing and oversight."""
    t.code(node, T.lastKnownStatus, trial.last_known_status)
    t.text(node, T.whyStopped, trial.why_stopped)
    t.date(node, T.statusVerifiedDate, trial.status_verified)
    for alias in trial.nct_aliases:
        t.add(node, T.nctAlias, literal(alias))
    map_contacts(
        t, node, T.centralContact, trial.central_contacts, f"trial/{trial.nct_id}", details
    )
    _flag(t, node, T.hasDataMonitoringCommittee, trial.has_dmc)
    _flag(t, node, T.fdaRegulatedDrug, trial.fda_regulated_drug)
    _flag(t, node, T.fdaRegulatedDevice, trial.fda_regulated_device)
    _responsible_party(t, trial, node)
    _ipd(t, trial, node)


def _responsible_party(t: Triples, trial: model.Trial, node: str) -> None:
    party = trial.responsible_party
    if party is None:
        return
    t.code(node, T.responsiblePartyType, party.type)
    if party.investigator_name:
        context = party.investigator_affiliation or trial.nct_id
        person = t.mint.person(party.investigator_name, context)
        t.a(person, SDO.Person)
        t.text(person, SDO.name, party.investigator_name)
        t.text(person, SDO.jobTitle, party.investigator_title)
        if party.investigator_affiliation:
            t.add(person, SDO.affiliation, map_organization(t, party.investigator_affiliation))
        t.add(node, T.responsibleParty, person)
    elif party.type is model.ResponsiblePartyType.SPONSOR and trial.lead_sponsor is not None:
        t.add(node, T.responsibleParty, t.mint.organization(trial.lead_sponsor.name))


def _ipd(t: Triples, trial: model.Trial, node: str) -> None:
    ipd = trial.ipd
    if ipd is None:
        return
    t.code(node, T.ipdSharing, ipd.sharing)
    t.text(node, T.ipdDescription, ipd.description)
    for info in ipd.info_types:
        t.code(node, T.ipdInfoType, info)
    t.text(node, T.ipdTimeFrame, ipd.time_frame)
    t.text(node, T.ipdAccessCriteria, ipd.access_criteria)
    url = web_iri(ipd.url)
    if url:
        t.add(node, T.ipdUrl, url)
