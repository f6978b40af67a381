"""Find organisations by name: the one look-up every command uses for ``--sponsor NAME``.

An organisation node carries every spelling the records gave it (``schema:name``,
``schema:alternateName``, DESIGN.md). A name given by a user finds the nodes that have a spelling
with the same organisation key (:func:`kg.orgs.org_key`: case, accents, punctuation, legal
suffixes, "Univ."/"University" and word order aside), or the node whose IRI it is. So whatever
``kg query trial-sponsors`` prints for a trial, and any spelling ``kg query sponsor-trials``
finds (case aside), finds the same organisation in ``kg network --sponsor``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kg.orgs import org_key
from kg.terms import RDF, SDO, name_key

__all__ = ["find_organisations", "organisation_spellings", "similar_names"]

_SPELLINGS = """\
PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?org ?name WHERE {
  ?org a schema:Organization .
  { ?org schema:name ?name } UNION { ?org schema:alternateName ?name }
}"""


_TYPE = ox.NamedNode(RDF + "type")
_ORGANIZATION = ox.NamedNode(SDO.iri("Organization"))
_NAMES = (ox.NamedNode(SDO.iri("name")), ox.NamedNode(SDO.iri("alternateName")))


def organisation_spellings(
    store: ox.Store, among: Iterable[str] | None = None
) -> dict[str, set[str]]:
    """Return organisation IRI -> every name the store gives it.

    ``among``: only these IRIs (those that are organisations), each read by its own look-ups
    rather than a scan of every organisation: a registry holds hundreds of thousands (its sites'
    facilities among them), a command that already knows its candidates (the sponsors of
    ``kg network``) reads only theirs.
    """
    out: dict[str, set[str]] = defaultdict(set)
    if among is not None:
        for iri in among:
            org = ox.NamedNode(iri)
            if next(store.quads_for_pattern(org, _TYPE, _ORGANIZATION, None), None) is None:
                continue
            for predicate in _NAMES:
                for quad in store.quads_for_pattern(org, predicate, None, None):
                    if isinstance(quad.object, ox.Literal):
                        out[iri].add(quad.object.value)
        return dict(out)
    result = store.query(_SPELLINGS, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    for sol in result:
        org, name = sol["org"], sol["name"]
        if isinstance(org, ox.NamedNode) and isinstance(name, ox.Literal):
            out[org.value].add(name.value)
    return dict(out)


def find_organisations(store: ox.Store, name: str, among: Iterable[str] | None = None) -> list[str]:
    """Return the IRIs of the organisations ``name`` names (a spelling of theirs, or their IRI).

    ``among``: only these candidates (see :func:`organisation_spellings`). Sorted; empty when
    none does.
    """
    wanted = name.strip()
    key = org_key(wanted)
    keyed = functools.cache(org_key)  # names recur across organisations: each keyed once
    found = [
        org
        for org, spellings in organisation_spellings(store, among).items()
        if org == wanted or (key and any(keyed(s) == key for s in spellings))
    ]
    return sorted(found)


def similar_names(spellings: dict[str, set[str]], name: str, limit: int = 3) -> list[str]:
    """Return a spelling of up to ``limit`` organisations whose names hold every word of ``name``.

    For a message when ``name`` finds nothing: "Montpellier" is no organisation's name, but
    "University Hospital, Montpellier" is. Case and accents aside; one name per organisation.

    >>> similar_names({"o": {"University Hospital, Montpellier", "CHU"}}, "montpellier")
    ['University Hospital, Montpellier']
    """
    words = name_key(name).split()
    if not words:
        return []
    found = set()
    for names in spellings.values():
        holding = sorted(s for s in names if all(w in name_key(s) for w in words))
        if holding:
            found.add(holding[0])
    return sorted(found)[:limit]
