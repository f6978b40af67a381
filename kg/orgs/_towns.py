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
from collections.abc import Callable

from kg.orgs._names import _fold, org_key
from kg.places import city_key, country_code, parse_place

__all__ = ["site_key"]

_WORD = re.compile(r"[^\W_]+")
# What joins a town to the name before it: a separator, or a preposition ("... de Cordoba",
# "... of Rome", "... di Roma", "... at Chicago", "... w Olsztynie" is no town form, so no "w").
_JOIN = re.compile(r"(?:[\s,;/|()-]|\b(?:de|del|of|di|da|do|at|in)\b)*$", re.I)
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
    return _site_key(name, place)


@functools.lru_cache(maxsize=1 << 15)
def _site_key(name: str, place: str) -> str:
    where = parse_place(place)
    text = _fold(name)
    text = _drop_tail(text, lambda tail: country_code(tail) == where.country.upper())
    if where.city:
        text = _drop_tail(text, lambda tail: city_key(tail) == where.city)
    return org_key(text) if _WORD.search(text) else org_key(name)


def _drop_tail(text: str, matches: Callable[[str], bool]) -> str:
    """Drop the closing words of ``text`` that ``matches`` (a town or a country), and their joint."""
    words = list(_WORD.finditer(text))
    for n in range(min(_LONGEST, len(words) - 1), 0, -1):  # the longest tail first, never all
        start = words[-n].start()
        if matches(text[start : words[-1].end()]):
            head = text[:start]
            joint = _JOIN.search(head)
            return head[: joint.start()] if joint else head
    return text
