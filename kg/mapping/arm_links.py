"""Resolve the registry's cross-references between arms and interventions to positions.

The registry states each link from both sides: an arm lists the interventions it receives as
"Type: Name" (API v2 ``armGroups[].interventionNames``; a web page lists bare names) and an
intervention lists the labels of the arms that receive it (``interventions[].armGroupLabels``,
legacy XML ``intervention/arm_group_label``). A link stated on either side is a link.

Arms and interventions are told apart by position, never by a key folded from their text:

- an arm's reference names an intervention by its whole "Type: Name" text, so a name holding a
  colon of its own ("Arm A: Cordectomy", "Device: Attune") keeps it, and only a leading type label
  the registry uses ("Drug", "Diagnostic Test", ...) is ever taken off;
- two interventions of the same type and name (one per arm, as the registry often lists them)
  are told apart by the intervention side: the reference goes to those of them that list the arm;
- arm labels are compared as written (space and case aside), so "A + B" and "A - B" stay two arms.

A reference that names nothing in the record, or that cannot be told apart, links nothing and is
logged as a warning naming the trial.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from kg import model

__all__ = ["TYPE_LABELS", "arm_links", "split_type"]

log = logging.getLogger(__name__)

# The labels the registry writes before an intervention's name in an arm's list ("Drug: X"):
# the v2 codes in words; the legacy combined labels name the same types.
TYPE_LABELS: dict[str, model.InterventionType] = {
    code.value.replace("_", " ").title(): code for code in model.InterventionType
} | {
    "Biological/Vaccine": model.InterventionType.BIOLOGICAL,
    "Procedure/Surgery": model.InterventionType.PROCEDURE,
}
_BY_LENGTH = sorted(TYPE_LABELS, key=len, reverse=True)  # "Diagnostic Test" before "Diagnostic"
_SPACE = re.compile(r"\s+")


def _loose(text: str) -> str:
    """Compare texts with space and case aside, punctuation kept.

    >>> _loose("  Arm  A+B ") == _loose("arm a+b"), _loose("A+B") == _loose("A-B")
    (True, False)
    """
    return _SPACE.sub(" ", text).strip().casefold()


def split_type(reference: str) -> tuple[model.InterventionType | None, str]:
    """Split a leading intervention type label off an arm's reference; other colons stay.

    >>> split_type("Drug: Milciclib Dose: 150 mg/day")
    (<InterventionType.DRUG: 'DRUG'>, 'Milciclib Dose: 150 mg/day')
    >>> split_type("Note: not a type")
    (None, 'Note: not a type')
    """
    for label in _BY_LENGTH:
        head, colon, rest = reference.partition(":")
        if colon and _loose(head) == _loose(label):
            return TYPE_LABELS[label], rest.strip()
    return None, reference.strip()


def _typed(iv: model.Intervention) -> str | None:
    if iv.type is None:
        return None
    return f"{iv.type.value.replace('_', ' ').title()}: {iv.name}"


def _named(reference: str, interventions: Sequence[model.Intervention]) -> list[int]:
    """Return the positions of the interventions an arm's reference names, best match first."""
    wanted = _loose(reference)
    found = [j for j, iv in enumerate(interventions) if (_typed(iv) or "") == reference]
    found = found or [j for j, iv in enumerate(interventions) if _loose(_typed(iv) or "") == wanted]
    found = found or [j for j, iv in enumerate(interventions) if _loose(iv.name) == wanted]
    if found:
        return found
    kind, name = split_type(reference)  # "Drug: x" for an intervention written "X"
    return [
        j
        for j, iv in enumerate(interventions)
        if kind is not None and iv.type in (None, kind) and _loose(iv.name) == _loose(name)
    ]


def _labelled(label: str, arms: Sequence[model.Arm]) -> list[int]:
    """Return the positions of the arms with this label (exactly, else space and case aside)."""
    exact = [k for k, arm in enumerate(arms) if arm.label == label]
    return exact or [k for k, arm in enumerate(arms) if _loose(arm.label) == _loose(label)]


def arm_links(trial: model.Trial) -> list[tuple[int, int]]:
    """Return the (arm, intervention) links of a trial as 0-based positions, sorted.

    >>> arms = (model.Arm("A", intervention_names=("Drug: X",)), model.Arm("B"))
    >>> ivs = (model.Intervention("X", model.InterventionType.DRUG, arm_labels=("B",)),)
    >>> arm_links(model.Trial("NCT00000001", model.SourceInfo("t", "test"), arms=arms,
    ...                       interventions=ivs))
    [(0, 0), (1, 0)]
    """
    arms, ivs = trial.arms, trial.interventions
    listed: set[tuple[int, int]] = set()  # stated by the intervention side
    for j, iv in enumerate(ivs):
        for label in iv.arm_labels:
            found = _labelled(label, arms)
            if not found:
                log.warning(
                    "%s: intervention %d %r names arm %r, which the record does not have",
                    trial.nct_id, j + 1, iv.name, label,
                )
            elif len(found) > 1:
                log.warning(
                    "%s: %d arms are labelled %r; intervention %d %r is linked to each",
                    trial.nct_id, len(found), label, j + 1, iv.name,
                )
            listed.update((k, j) for k in found)
    links = set(listed)
    for k, arm in enumerate(arms):
        for reference in arm.intervention_names:
            found = _named(reference, ivs)
            if len(found) > 1:  # same name more than once: the intervention side tells
                found = [j for j in found if (k, j) in listed]
                if not found:
                    log.warning(
                        "%s: arm %d %r names %r, which %d interventions are called, and none of "
                        "them lists the arm: not linked",
                        trial.nct_id, k + 1, arm.label, reference, len(_named(reference, ivs)),
                    )
            elif not found:
                log.warning(
                    "%s: arm %d %r names intervention %r, which the record does not have",
                    trial.nct_id, k + 1, arm.label, reference,
                )
            links.update((k, j) for j in found)
    return sorted(links)
