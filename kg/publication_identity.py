"""One paper, one node: move what a store says of a publication's aliases to the publication.

DESIGN.md ("Publication"): a paper is keyed by its PMID, else its DOI, else a hash of its
citation, and when another identifier becomes known, queries without a reasoner must see one
node with all its facts and all the trials citing it; another IRI may remain only as an
``owl:sameAs`` alias without facts. ``kg fetch-publications`` writes ``alias owl:sameAs node``
(:func:`kg.mapping.articles.publication_aliases`) in a trial's publications graph; this module
then rewrites every graph of the store, the registry record's graph included, so that each
statement about an alias (as subject or object), its author list cells (``{alias}/authors/k``)
and the authors keyed by it (:meth:`kg.terms.Minter.person`) is about the node instead, and the
alias keeps only its ``owl:sameAs``.

:func:`merge_aliases` runs after each ``kg fetch-publications`` into a store, and after each
build into a store (a rebuilt trial's graph names its references as the registry keys them), so
the trial's citation in its own graph and in its publications graph is the same node. It is
idempotent, and costs one scan of ``owl:sameAs`` statements when there is nothing to move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.void_counts import Change

from kg.terms import OWL, Minter

__all__ = ["MergeReport", "merge_aliases", "publication_aliases_in"]

_SAME_AS = ox.NamedNode(f"{OWL}sameAs")
_AUTHOR = ox.NamedNode("http://schema.org/author")
_NAME = ox.NamedNode("http://schema.org/name")
# A DOI keeps its slashes in the IRI (publication/doi/10.1136/ard-2024-225771); an author list
# cell (.../authors/3) is not a publication.
_KEY = re.compile(r"^(.*/)publication/(?:(pmid|cite)/[^/]+|(doi)/10\.[^/]+/.+)$")
_CELL = re.compile(r"/authors/[0-9]+$")
_RANK = {"pmid": 0, "doi": 1, "cite": 2}


@dataclass(frozen=True, slots=True)
class MergeReport:
    """What a merge did: the aliases whose facts moved, and how many statements moved."""

    aliases: int = 0
    statements: int = 0


def _key(node: ox.NamedNode) -> tuple[str, int] | None:
    """Return a publication IRI's base and the rank of its key (PMID first), or None."""
    found = _KEY.match(node.value)
    if found is None or _CELL.search(node.value):
        return None
    return found.group(1), _RANK[found.group(2) or found.group(3)]


def publication_aliases_in(store: ox.Store) -> dict[ox.NamedNode, ox.NamedNode]:
    """Return each publication alias of the store and the node it stands for (chains followed).

    Only ``owl:sameAs`` between two publication IRIs of one base count, from the IRI of a weaker
    key to that of a stronger one (a DOI-keyed IRI to a PMID-keyed one): the direction the
    identity rule gives, whichever way a file states it.
    """
    pairs: dict[ox.NamedNode, ox.NamedNode] = {}
    for quad in store.quads_for_pattern(None, _SAME_AS, None, None):
        s, o = quad.subject, quad.object
        if not (isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)) or s == o:
            continue
        ks, ko = _key(s), _key(o)
        if ks is None or ko is None or ks[0] != ko[0] or ks[1] == ko[1]:
            continue
        alias, node = (s, o) if ks[1] > ko[1] else (o, s)
        known = pairs.get(alias)
        if known is None or (_key(node) or ("", 9))[1] < (_key(known) or ("", 9))[1]:
            pairs[alias] = node
    resolved: dict[ox.NamedNode, ox.NamedNode] = {}
    for alias in pairs:
        node, seen = pairs[alias], {alias}
        while node in pairs and node not in seen:  # a cite -> DOI -> PMID chain ends at the PMID
            seen.add(node)
            node = pairs[node]
        resolved[alias] = node
    return resolved


def _renames(
    store: ox.Store, alias: ox.NamedNode, node: ox.NamedNode, base: str
) -> dict[ox.NamedNode, ox.NamedNode]:
    """Return the IRIs to rename for one alias: itself, its list cells, the authors it keys."""
    out = {alias: node}
    mint = Minter(base)
    prefix = alias.value + "/"
    for quad in store.quads_for_pattern(alias, _AUTHOR, None, None):
        person = quad.object
        if not isinstance(person, ox.NamedNode):
            continue
        for named in store.quads_for_pattern(person, _NAME, None, None):
            if not isinstance(named.object, ox.Literal):
                continue
            # Authors are keyed by name within their publication (kg.mapping.publications).
            if mint.person(named.object.value, alias.value)[1:-1] == person.value:
                out[person] = ox.NamedNode(mint.person(named.object.value, node.value)[1:-1])
                break
    for cell in _cells(store, alias):
        if cell.value.startswith(prefix):
            out[cell] = ox.NamedNode(node.value + "/" + cell.value[len(prefix) :])
    return out


def _cells(store: ox.Store, alias: ox.NamedNode) -> list[ox.NamedNode]:
    """Return the cells of the author lists an alias heads, in any graph."""
    rest = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
    heads = ox.NamedNode("http://purl.org/ontology/bibo/authorList")
    todo = [q.object for q in store.quads_for_pattern(alias, heads, None, None)]
    seen: set[ox.NamedNode] = set()
    while todo:
        cell = todo.pop()
        if not isinstance(cell, ox.NamedNode) or cell in seen:
            continue
        seen.add(cell)
        todo += [q.object for q in store.quads_for_pattern(cell, rest, None, None)]
    return sorted(seen, key=lambda c: c.value)


def _moved(quad: ox.Quad, rename: dict[ox.NamedNode, ox.NamedNode]) -> ox.Quad:
    s, o = quad.subject, quad.object
    return ox.Quad(
        rename.get(s, s) if isinstance(s, ox.NamedNode) else s,
        quad.predicate,
        rename.get(o, o) if isinstance(o, ox.NamedNode) else o,
        quad.graph_name,
    )


def merge_aliases(store: ox.Store, change: Change | None = None) -> MergeReport:
    """Move every statement about a publication alias to the node it stands for; return counts.

    The alias's own ``owl:sameAs`` statements stay (the alias without facts); everything else
    that names it, or a list cell or author keyed by it, is restated with the node's IRIs in the
    same graph, then removed. ``change`` records the quads added and removed (kg.void_counts).
    """
    aliases = moved = 0
    for alias, node in sorted(publication_aliases_in(store).items(), key=lambda p: p[0].value):
        key = _key(alias)
        if key is None:  # pragma: no cover - publication_aliases_in keeps publication IRIs only
            continue
        rename = _renames(store, alias, node, key[0])
        old: dict[ox.Quad, None] = {}
        for iri in rename:
            for quad in store.quads_for_pattern(iri, None, None, None):
                if not (iri == alias and quad.predicate == _SAME_AS):
                    old[quad] = None
            for quad in store.quads_for_pattern(None, None, iri, None):
                if not (quad.predicate == _SAME_AS and quad.subject != quad.object):
                    old[quad] = None
        if not old:
            continue
        moved_quads = [_moved(q, rename) for q in old]
        if change is not None:  # what is left: (before + moved) - old
            change.added({q for q in moved_quads if q not in old and q not in store})
            change.removed(old)
        store.extend(moved_quads)
        for quad in old:
            store.remove(quad)
        aliases += 1
        moved += len(old)
    return MergeReport(aliases, moved)
