"""A site's own town written into its name: the key that compares a site with its trial's sponsors.

A record often names its sponsor with the town ("University Health Network, Toronto", "Post
Graduate Institute of Medical Education and Research, Chandigarh", "Hospital Universitario Reina
Sofia de Cordoba") and the same organisation among its sites without it, at that town (or the
other way round: "Tata Memorial Centre Mumbai" at Mumbai). The key of a name alone must keep such a
tail, since a city after a comma can tell organisations apart ("University of California, San
Francisco" is not "..., Los Angeles"); but at a site whose town is that city, the tail says nothing
the place does not: :func:`site_key` drops it, and the site is its sponsor's node
(:mod:`kg.mapping.sites`).

Only that comparison uses it. Two sites of two records keep their name keys: "Cleveland Clinic
Cancer Center Independence" at Independence is not "Cleveland Clinic Cancer Center", whose other
sites ("... Mansfield") are other organisations; a name that drops its town would be one node
across the country with them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pycountry

from kg.orgs._names import _fold, org_key
from kg.orgs._rules import without_university
from kg.places import COUNTRY_ALIASES, city_key, country_code, parse_place

__all__ = ["site_key", "sponsor_site_key", "tail_places"]

_WORD = re.compile(r"[^\W_]+")
# What joins a town to the name before it: a separator, or a preposition ("..., Toronto", "... de
# Cordoba", "... of Rome", "... di Roma", "... at Chicago").
_JOIN = re.compile(r"(?:[\s,;/|()-]|\b(?:de|del|of|di|da|do|at|in)\b)*$", re.I)
# Every name of a country that kg.places.country_code reads, lowercase: only these are looked up.
_COUNTRY_NAMES = frozenset(
    [
        *(
            str(getattr(c, attr)).lower()
            for c in pycountry.countries
            for attr in ("name", "official_name", "common_name", "alpha_3")
            if hasattr(c, attr)
        ),
        *COUNTRY_ALIASES,
    ]
)
_LONGEST = 4  # words a town or a country may have ("Santa Cruz de Tenerife" is the longest here)


def site_key(name: str, place: str) -> str:
    """Return the key of a site's ``name`` with its own town (and country) at the end dropped.

    ``place`` is the site's "city, country" or "city, state, country". What remains must hold
    a word; else the name's own key is returned.

    >>> site_key("University Health Network, Toronto", "Toronto, Canada") == org_key(
    ...     "University Health Network")
    True
    >>> site_key("Hospital Universitario Reina Sofia de Cordoba", "Córdoba, Spain") == org_key(
    ...     "Hospital Universitario Reina Sofia")
    True
    >>> site_key("University of California, San Francisco", "Los Angeles, California, US") == (
    ...     org_key("University of California, San Francisco"))
    True
    """
    where = parse_place(place)
    towns, countries = _tail_places(name)
    if (not where.city or where.city not in towns) and where.country not in countries:
        return org_key(name)  # the common case, and a cheap one: no tail is this place
    cut = name
    for head, tail in _tails(name):  # a country at the end first, then a town before it
        if tail.lower() in _COUNTRY_NAMES and country_code(tail) == where.country.upper():
            cut = head
            break
    for head, tail in _tails(cut) if where.city else ():
        if city_key(tail) == where.city:
            cut = head
            break
    return org_key(cut) if cut != name and _WORD.search(cut) else org_key(name)


def sponsor_site_key(name: str, place: str) -> str:
    """Return the key of a trial's sponsor ``name`` as a site of the trial at ``place`` meets it.

    The site's own town (and country) at the end goes (:func:`site_key`), and a hospital's
    "University" (:func:`kg.orgs._rules.without_university`): the site is the sponsor when this
    is ``without_university(org_key(site name))``.

    >>> sponsor_site_key("Hospital Universitari Parc Tauli", "Sabadell, Spain") == (
    ...     without_university(org_key("Hospital Parc Tauli")))
    True
    """
    return without_university(site_key(name, place))


def tail_places(names: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Return the town keys and country codes (lowercase) the closing words of ``names`` can be.

    A site whose place is none of them is no name's site key but its name's own key: a cheap
    test before :func:`site_key`.
    """
    places = [_tail_places(name) for name in names]
    return (
        frozenset().union(*(towns for towns, _ in places)),
        frozenset().union(*(countries for _, countries in places)),
    )


@functools.lru_cache(maxsize=1 << 14)
def _tail_places(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return the town keys and the country codes (lowercase) that the name's closing words can be.

    A town may stand before a country ("SAL Hospital, Ahmedabad, India"): the tails of every cut
    are counted.
    """
    towns: set[str] = set()
    countries: set[str] = set()
    for head, tail in _tails(name):
        towns.add(city_key(tail))
        code = country_code(tail) if tail.lower() in _COUNTRY_NAMES else None
        if code:
            countries.add(code.lower())
            towns.update(city_key(t) for _, t in _tails(head))
    return frozenset(towns), frozenset(countries)


@functools.lru_cache(maxsize=1 << 14)
def _tails(name: str) -> tuple[tuple[str, str], ...]:
    """Return the ways to cut a name's closing words off: (what stays, the words), longest first.

    What stays loses the separators and prepositions that joined the words to it; at least one
    word always stays.
    """
    text = _fold(name)
    words = list(_WORD.finditer(text))
    cuts: list[tuple[str, str]] = []
    for n in range(min(_LONGEST, len(words) - 1), 0, -1):
        start = words[-n].start()
        head = text[:start]
        joint = _JOIN.search(head)
        cuts.append((head[: joint.start()] if joint else head, text[start : words[-1].end()]))
    return tuple(cuts)
