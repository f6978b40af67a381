"""Link each condition to the MeSH descriptors the registry derived from its text.

ClinicalTrials.gov derives a trial's condition descriptors by finding MeSH terms in the record's
own text: each leaf of ``derivedSection.conditionBrowseModule.browseLeaves`` names a descriptor,
the text it was found as (``asFound``) and a relevance (``HIGH`` where found in the record, ``LOW``
for the tree above). A condition is linked to a leaf's descriptor when the leaf is of ``HIGH``
relevance and its found text is the condition or a run of whole words in it ("Back Pain" in "Low
Back Pain"); case and punctuation aside. The descriptor's id comes from the record's own
``meshes``/``ancestors`` list, by the leaf's name; a leaf whose name is in neither (a
supplementary concept such as "Ovarian Cancer") gives no link. A condition named exactly like one
of the record's descriptors is linked to it as well.

A link is *exact* when the found text is the whole condition (or the condition is the descriptor's
name): the condition is that descriptor (``schema:sameAs``). Otherwise the condition is a narrower
case of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg import model

__all__ = ["DescriptorLink", "condition_descriptors"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class DescriptorLink:
    """A condition's link to a descriptor; ``exact`` when the condition is the descriptor."""

    descriptor: str
    exact: bool


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _WORD.findall(text))


def _within(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    """Tell whether ``part`` is a run of whole words of ``whole``.

    >>> _within(("back", "pain"), ("low", "back", "pain")), _within(("pain",), ("painful",))
    (True, False)
    """
    n = len(part)
    return n > 0 and any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


def condition_descriptors(trial: model.Trial) -> list[list[DescriptorLink]]:
    """Return, per condition of the trial (in order), its links to MeSH descriptors.

    >>> trial = model.Trial(
    ...     "NCT00000001", model.SourceInfo("t", "test"),
    ...     conditions=(model.Condition("Low Back Pain"),),
    ...     condition_mesh=(model.MeshTerm("D001416", "Back Pain"),),
    ...     condition_mesh_leaves=(model.MeshLeaf("Back Pain", "Back Pain", "HIGH"),))
    >>> condition_descriptors(trial)
    [[DescriptorLink(descriptor='D001416', exact=False)]]
    """
    ids: dict[str, str] = {}
    for term in (*trial.condition_mesh, *trial.condition_mesh_ancestors):
        ids.setdefault(term.term, term.id)
        ids.setdefault(term.term.casefold(), term.id)
    leaves = [
        (_words(leaf.as_found), ids.get(leaf.name) or ids.get(leaf.name.casefold()))
        for leaf in trial.condition_mesh_leaves
        if leaf.as_found and (leaf.relevance or "").upper() == "HIGH"
    ]
    named = {_words(term.term): term.id for term in trial.condition_mesh}
    out: list[list[DescriptorLink]] = []
    for condition in trial.conditions:
        words = _words(condition.name)
        links: dict[str, bool] = {}
        if words in named:
            links[named[words]] = True
        for found, descriptor in leaves:
            if descriptor is not None and _within(found, words):
                links[descriptor] = links.get(descriptor, False) or found == words
        out.append([DescriptorLink(d, exact) for d, exact in links.items()])
    return out
