"""Map sponsors, collaborators and overall officials: one node per organisation across trials.

An official whose text names an organisation, not a person (kg.sources.officials), is that
organisation's node under the same role property; the text goes to ``tkg:officialNote``.
"""

from __future__ import annotations

from kg import model
from kg.mapping._emit import Triples
from kg.terms import SDO, T, iri

__all__ = ["map_organization", "map_parties"]

_ROLE_PROPERTY = {
    model.OfficialRole.PRINCIPAL_INVESTIGATOR: T.principalInvestigator,
    model.OfficialRole.STUDY_CHAIR: T.studyChair,
    model.OfficialRole.STUDY_DIRECTOR: T.studyDirector,
    model.OfficialRole.SUB_INVESTIGATOR: T.subInvestigator,
}


def map_organization(t: Triples, name: str, place: str | None = None) -> str:
    """Add an organisation node named ``name`` (every spelling kept as an alternate name).

    Within one record the first spelling met is the ``schema:name`` (sponsors come first), so the
    record's named graph gives each organisation one name, as that record spells it. A name the
    user's mapping sends to a ROR id also gets ``schema:sameAs <https://ror.org/...>``. ``place``
    (a site's city and country) keeps apart organisations whose name many places share.
    """
    org = t.mint.organization(name, place)
    t.a(org, SDO.Organization)
    if org not in t.named:
        t.named.add(org)
        t.text(org, SDO.name, name)
    t.text(org, SDO.alternateName, name)
    target = t.mint.orgs.lookup(name)
    if target is not None and target.same_as:
        t.add(org, SDO.sameAs, iri(target.same_as))
    return org


def map_parties(t: Triples, trial: model.Trial, node: str) -> None:
    """Add sponsors (lead, collaborators) and overall officials of a trial."""
    for sponsor in trial.sponsors:
        org = map_organization(t, sponsor.name)
        t.code(org, T.agencyClass, sponsor.agency_class)
        t.add(node, SDO.sponsor, org)
        if sponsor.role is model.SponsorRole.LEAD:
            t.add(node, T.leadSponsor, org)
        elif sponsor.role is model.SponsorRole.COLLABORATOR:
            t.add(node, T.collaborator, org)
    for official in trial.officials:
        # Text not read as a person's name, degrees and titles is kept as the registry wrote it.
        t.text(node, T.officialNote, official.note)
        official_node = _official(t, trial, official)
        if official_node is None:
            continue
        t.add(node, T.overallOfficial, official_node)
        if official.role is not None:
            t.add(node, _ROLE_PROPERTY[official.role], official_node)


def _official(t: Triples, trial: model.Trial, official: model.Official) -> str | None:
    """Add an official's node: a person, or the organisation for an organisation official."""
    if official.kind is model.OfficialKind.NOTE:
        return None
    if official.kind is model.OfficialKind.ORGANIZATION:
        return map_organization(t, official.name)
    # Names alone are not unique: key by name and affiliation, else by the trial.
    person = t.mint.person(official.name, official.affiliation or trial.nct_id)
    t.a(person, SDO.Person)
    t.text(person, SDO.name, official.name)
    t.text(person, SDO.honorificPrefix, official.prefix)
    t.text(person, SDO.honorificSuffix, official.degrees)
    if official.affiliation:
        t.add(person, SDO.affiliation, map_organization(t, official.affiliation))
    return person
