"""Organisations: which names are one organisation, at which place, and the user's mapping.

:mod:`kg.orgs._names` keys names (:func:`org_key`, with the folds of :mod:`kg.orgs._rules`);
:mod:`kg.orgs._index` holds the user's mapping to ROR ids and decides the node of a name, a
facility's at its place (:meth:`OrgIndex.node_key`); :mod:`kg.orgs._towns` compares a site with its
trial's sponsors (:func:`sponsor_site_key`); :mod:`kg.places` keys places.
"""

from __future__ import annotations

from kg.orgs._index import OrgIndex, OrgTarget, parse_ror
from kg.orgs._names import is_placeholder, needs_place, org_key
from kg.orgs._rules import without_university
from kg.orgs._towns import site_key, sponsor_site_key, tail_places
from kg.places import place_key

__all__ = [
    "OrgIndex",
    "OrgTarget",
    "is_placeholder",
    "needs_place",
    "org_key",
    "parse_ror",
    "place_key",
    "site_key",
    "sponsor_site_key",
    "tail_places",
    "without_university",
]
