"""Map sites: one ``tkg:Site`` per location of the source, in order, with address and geo."""

from __future__ import annotations

import functools

import pycountry

from kg import model
from kg.mapping._emit import Triples
from kg.mapping.administration import map_contacts
from kg.mapping.parties import map_organization
from kg.orgs import is_placeholder
from kg.terms import SDO, T, decimal, literal, slug

__all__ = ["country_code", "map_sites"]

# Country names ClinicalTrials.gov uses that pycountry's lookup does not know.
_COUNTRY_ALIASES = {
    "turkey": "TR",
    "turkey (turkiye)": "TR",
    "turkey (türkiye)": "TR",
    "russia": "RU",
    "palestinian territory, occupied": "PS",
    "macedonia, the former yugoslav republic of": "MK",
    "korea, republic of": "KR",
    "south korea": "KR",
    "korea, democratic people's republic of": "KP",
    "iran, islamic republic of": "IR",
    "taiwan": "TW",
    "congo, the democratic republic of the": "CD",
    "kosovo": "XK",
    "former serbia and montenegro": "CS",
    "czech republic": "CZ",
    "swaziland": "SZ",
    "cape verde": "CV",
    "micronesia, federated states of": "FM",
}


@functools.lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code of a country name as the registry writes it.

    >>> country_code("France"), country_code("Korea, Republic of"), country_code("Atlantis")
    ('FR', 'KR', None)
    """
    key = name.strip().casefold()
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    try:
        found = pycountry.countries.lookup(name.strip())
    except LookupError:
        return None
    return str(found.alpha_2)


def map_sites(t: Triples, trial: model.Trial, node: str, *, details: bool = False) -> None:
    """Add the trial's sites, their addresses, coordinates and countries."""
    countries: dict[str, str] = {}
    for n, loc in enumerate(trial.locations, 1):
        site = t.mint.part(trial.nct_id, "site", n)
        t.add(node, T.site, site)
        t.a(site, T.Site)
        t.text(site, SDO.name, loc.facility)
        # "Research Site" and the like name no organisation: keep the site's name, link nothing.
        if loc.facility and not is_placeholder(loc.facility):
            place = ", ".join(p for p in (loc.city, loc.country) if p) or None
            t.add(site, T.facility, map_organization(t, loc.facility, place))
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
