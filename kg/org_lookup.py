"""Find organisations by name: the one look-up every command uses for ``--sponsor NAME``.

An organisation node carries every spelling the records gave it (``schema:name``,
``schema:alternateName``, DESIGN.md). A name given by a user finds the nodes that have a spelling
with the same organisation key (:func:`kg.orgs.org_key`: case, accents, punctuation, legal
suffixes, "Univ."/"University" and word order aside), or the node whose IRI it is. So whatever
``kg query trial-sponsors`` prints for a trial, and any spelling ``kg query sponsor-trials``
finds (case aside), finds the same organisation in ``kg network --sponsor``.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kg.orgs import org_key
from kg.terms import name_key

__all__ = ["find_organisations", "organisation_spellings", "similar_names"]

_SPELLINGS = """\
PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?org ?name WHERE {
  ?org a schema:Organization .
  { ?org schema:name ?name } UNION { ?org schema:alternateName ?name }
}"""


def organisation_spellings(store: ox.Store) -> dict[str, set[str]]:
    """Return organisation IRI -> every name the store gives it."""
    out: dict[str, set[str]] = defaultdict(set)
    result = store.query(_SPELLINGS, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    for sol in result:
        org, name = sol["org"], sol["name"]
        if isinstance(org, ox.NamedNode) and isinstance(name, ox.Literal):
            out[org.value].add(name.value)
    return dict(out)


def find_organisations(store: ox.Store, name: str) -> list[str]:
    """Return the IRIs of the organisations ``name`` names (a spelling of theirs, or their IRI).

    Sorted; empty when none does.
    """
    wanted = name.strip()
    key = org_key(wanted)
    found = [
        org
        for org, spellings in organisation_spellings(store).items()
        if org == wanted or (key and any(org_key(s) == key for s in spellings))
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
