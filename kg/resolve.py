"""Values an indexed variant needs that kg looks up first (``# resolves: VAR``).

Some variants are fast only when a set of nodes is bound before the store plans them: pyoxigraph
evaluates ``GRAPH ?g { ?trial tkg:adverseEvent ... }`` over the whole registry and joins after,
whatever subquery finds ``?trial`` (> 60 s at 100,000 trials for adverse-events-by-intervention).
kg finds the nodes with small queries of their own (``queries/indexed/resolve/``, index look-ups)
and binds them to the variant as ``VALUES ?VAR { ... }``.

adverse-events-by-intervention's trials are those with an intervention named the parameter (case
aside: the stored key, :mod:`kg.index`) or mapped to a MeSH descriptor whose id is the parameter
(case aside). The descriptor's IRI is ``MESH`` + the record's id (:func:`kg.terms.mesh`), so the
IRIs to look up are ``MESH`` + every spelling whose lower case is the parameter's: the characters
whose lower case is an ASCII character are that character, its upper case, and for ``k`` the
Kelvin sign (:data:`SPELLINGS`; a test checks every code point). A parameter with a character
no IRI holds (a space) names no descriptor. One not ASCII once lower-cased, or with more than
:data:`MAX_SPELLINGS` spellings (13 letters or more), is compared with every descriptor link
instead, as the scan does (~1 s of CPU at 100,000 trials, not minutes).

A store of index format 5 keys each descriptor's id, lower-cased, in every trial graph that links
it (``tkg:meshIdKey``): the id in any case is then one look-up of that key, whatever its letters.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable

import pyoxigraph as ox

from kg.queries import QUERY_DIR, Bindings, NamedQuery, ResultTable, load_query, with_block
from kg.terms import MESH

__all__ = [
    "MAX_SPELLINGS",
    "RESOLVE_DIR",
    "SPELLINGS",
    "Lookup",
    "resolved",
    "resolves",
    "rows_bound",
    "spellings",
]

RESOLVE_DIR = QUERY_DIR / "indexed" / "resolve"
MAX_SPELLINGS = 4096
SPELLINGS = {"k": "kK\u212a"}
"""The characters other than a letter's two cases whose lower case is that ASCII letter."""

_NOT_IN_IRI = frozenset('<>"{}|^`\\')
_RESOLVES = re.compile(r"^#\s*resolves:\s*(\w+)\s*$", re.MULTILINE)

Lookup = Callable[[NamedQuery, Bindings], ResultTable]
Terms = list[ox.NamedNode | ox.Literal]


def resolves(variant: NamedQuery) -> str | None:
    """Return the variable a variant needs bound by kg (``# resolves: VAR``), or None."""
    m = _RESOLVES.search(variant.text)
    return m.group(1) if m else None


def spellings(text: str) -> list[str] | None:
    """Return every string whose lower case is ``text``'s; None: not ASCII, or too many.

    >>> spellings("d01")
    ['d01', 'D01']
    >>> len(spellings("placebo") or []), spellings("kü"), spellings("a long name")
    (128, None, [])
    """
    lowered = text.lower()
    if not lowered.isascii():
        return None
    if any(c in _NOT_IN_IRI or c < "!" for c in lowered):
        return []  # none is an IRI: no descriptor is written so
    options = [
        SPELLINGS.get(c, c + c.upper() if c.upper() != c else c) for c in lowered
    ]
    if math.prod(len(o) for o in options) > MAX_SPELLINGS:
        return None
    return ["".join(p) for p in itertools.product(*options)]


def _trials(table: ResultTable) -> set[str]:
    return {row[0].value for row in table.rows if row and row[0] is not None}


def _keyed_ids(lookup: Lookup) -> bool:
    """Say whether every trial graph keys its descriptors' ids (index format 5, kg.index)."""
    from kg.indexed import STORE_MARKERS  # kg.indexed imports this module

    marker = NamedQuery("store-marker", STORE_MARKERS["index 5"], "", (), "")
    return bool(lookup(marker, {}).rows)


def _intervention_trials(bindings: Bindings, lookup: Lookup) -> Terms | None:
    given = bindings.get(ox.Variable("intervention"))
    if not isinstance(given, ox.Literal):
        return None
    key = ox.Literal(given.value.lower())
    found = _trials(lookup(_query("intervention-trials-by-name"), {ox.Variable("key"): key}))
    if _keyed_ids(lookup):
        by_key = lookup(_query("intervention-trials-by-descriptor-key"), {ox.Variable("key"): key})
        return [ox.NamedNode(t) for t in sorted(found | _trials(by_key))]
    ids = spellings(given.value)
    if ids is None:
        by_id = lookup(_query("intervention-trials-by-descriptor-id"), {ox.Variable("key"): key})
        found |= _trials(by_id)
    else:
        descriptors: Terms = []
        for spelt in ids:
            try:
                descriptors.append(ox.NamedNode(MESH + spelt))
            except ValueError:  # no IRI: no descriptor is written so
                continue
        by_descriptor = _query("intervention-trials-by-descriptor")
        found |= _trials(lookup(rows_bound(by_descriptor, "descriptor", descriptors), {}))
    return [ox.NamedNode(t) for t in sorted(found)]


def rows_bound(query: NamedQuery, variable: str, terms: Terms) -> NamedQuery:
    """Return the query with ``VALUES ?variable { t1 t2 ... }`` first in each WHERE group.

    For a query of one group (or whose every group mentions the variable): a block of several
    rows in a group without the variable would multiply its rows.
    """
    # str() of a pyoxigraph term is its N-Triples form, escaped by the library.
    block = f"VALUES ?{variable} {{ {' '.join(str(t) for t in terms)} }}"
    return NamedQuery(
        query.name, with_block(query.text, block), query.summary, query.params, query.example
    )


def _query(name: str) -> NamedQuery:
    return load_query(str(RESOLVE_DIR / f"{name}.rq"))


def resolved(
    query: NamedQuery, variable: str, bindings: Bindings, lookup: Lookup
) -> dict[ox.Variable, Terms] | None:
    """Return the values kg binds to ``variable`` for a variant of ``query``; None: cannot."""
    if query.name == "adverse-events-by-intervention" and variable == "trial":
        trials = _intervention_trials(bindings, lookup)
        return None if trials is None else {ox.Variable("trial"): trials}
    return None
