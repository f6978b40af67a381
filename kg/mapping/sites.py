"""Map sites: one ``tkg:Site`` per location of the source, in order, with address and geo.

A site's facility is an organisation at a place: names are not unique across places, so the
facility node is keyed by its name at its country (and US state), and at its city too for a name
many towns share (:meth:`kg.orgs.OrgIndex.node_key`). One exception keeps sponsors whole: a
facility named as one of the trial's own sponsors (a university hospital that sponsors the trial
and is one of its sites) is that sponsor's node, keyed by name as every sponsor is; so is a
facility named as a sponsor that adds the site's own town ("University Health Network, Toronto"
for "University Health Network" at Toronto: :func:`kg.orgs.site_key`), or a university
hospital's name for its hospital ("CHU Saint Antoine" for "Hopital Saint Antoine"). A ROR id from
``--org-map`` makes every spelling and place of an organisation one node.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg import model
from kg.mapping._emit import Triples
from kg.mapping.administration import map_contacts
from kg.mapping.parties import map_organization
from kg.orgs import is_placeholder, org_key, sponsor_site_key, tail_places, without_university
from kg.places import country_code, parse_place
from kg.terms import SDO, T, decimal, literal, slug

__all__ = ["country_code", "map_sites"]  # country_code: kg.places, kept here for importers


@dataclass(frozen=True, slots=True)
class _Sponsors:
    """A trial's sponsors: their nodes and names, and the places their names can end with."""

    nodes: dict[str, str]  # node -> name
    hospitals: dict[str, str]  # a hospital's key without its "University" -> name
    towns: frozenset[str]
    countries: frozenset[str]

    @classmethod
    def of(cls, t: Triples, trial: model.Trial) -> _Sponsors:
        nodes = {t.mint.organization(s.name): s.name for s in trial.sponsors}
        keys = {n: org_key(n) for n in nodes.values()}
        hospitals = {without_university(k): n for n, k in keys.items() if "hospital" in k}
        return cls(nodes, hospitals, *tail_places(nodes.values()))

    def named_otherwise(self, facility: str, place: str) -> str | None:
        """Return the sponsor that ``facility`` at ``place`` is, named otherwise, if one is.

        The sponsor may add the site's town to its name, or a hospital its "University"
        (:func:`kg.orgs.sponsor_site_key`).
        """
        if self.hospitals:  # most trials have none among their sponsors: no key to fold
            sponsor = self.hospitals.get(without_university(org_key(facility)))
            if sponsor is not None:
                return sponsor
        where = parse_place(place)
        if not (where.city and where.city in self.towns) and where.country not in self.countries:
            return None
        key = without_university(org_key(facility))
        return next((n for n in self.nodes.values() if sponsor_site_key(n, place) == key), None)


def _facility(t: Triples, loc: model.Location, sponsors: _Sponsors) -> str | None:
    """Return the organisation node of a site's facility; None for an anonymous site."""
    # "Research Site" and the like name no organisation: keep the site's name, link nothing.
    if not loc.facility or is_placeholder(loc.facility):
        return None
    if t.mint.organization(loc.facility) in sponsors.nodes:
        return map_organization(t, loc.facility)
    if not (loc.city or loc.country):
        return map_organization(t, loc.facility)  # no place to tell it apart: its name alone
    place = ", ".join(p or "" for p in (loc.city, loc.state, loc.country))
    # A sponsor named with the site's own town ("University Health Network, Toronto"), or as a
    # university hospital ("CHU Saint Antoine"), is the site named without it ("University Health
    # Network", Toronto; "Hopital Saint Antoine"): the record says they are one.
    sponsor = sponsors.named_otherwise(loc.facility, place)
    if sponsor is not None:
        org = map_organization(t, sponsor)
        t.text(org, SDO.alternateName, loc.facility)
        return org
    return map_organization(t, loc.facility, place)


def map_sites(t: Triples, trial: model.Trial, node: str, *, details: bool = False) -> None:
    """Add the trial's sites, their addresses, coordinates and countries."""
    countries: dict[str, str] = {}
    sponsors = _Sponsors.of(t, trial)
    for n, loc in enumerate(trial.locations, 1):
        site = t.mint.part(trial.nct_id, "site", n)
        t.add(node, T.site, site)
        t.a(site, T.Site)
        t.text(site, SDO.name, loc.facility)
        facility = _facility(t, loc, sponsors)
        if facility is not None:
            t.add(site, T.facility, facility)
        t.code(site, T.siteStatus, loc.status)
        where = f"trial/{trial.nct_id}/site/{n}"
        map_contacts(t, site, T.siteContact, loc.contacts, where, details)
        code = country_code(loc.country) if loc.country else None
        if any((loc.city, loc.state, loc.zip, loc.country)):
            address = t.mint.part(trial.nct_id, "site", n, "address")
            t.add(site, SDO.address, address)
            t.a(address, SDO.PostalAddress)
            t.text(address, SDO.addressLocality, loc.city)
            t.text(address, SDO.addressRegion, loc.state)
            t.text(address, SDO.postalCode, loc.zip)
            t.text(address, SDO.addressCountry, loc.country)
            if code:
                t.add(address, T.countryCode, literal(code))
        if loc.geo is not None:
            geo = t.mint.part(trial.nct_id, "site", n, "geo")
            t.add(site, SDO.geo, geo)
            t.a(geo, SDO.GeoCoordinates)
            t.add(geo, SDO.latitude, decimal(loc.geo.lat))
            t.add(geo, SDO.longitude, decimal(loc.geo.lon))
        if loc.country:
            countries.setdefault(code or slug(loc.country), loc.country)
    for key, name in countries.items():
        country = t.mint.raw(f"country/{key}")
        t.add(node, SDO.studyLocation, country)
        t.a(country, SDO.Country)
        t.text(country, SDO.name, name)
        if len(key) == 2 and key.isupper():
            t.add(country, T.countryCode, literal(key))
