"""The kinds of trial feature (families), how much a shared one says, and the feature records.

The adverse-event families (:data:`ADVERSE_EVENT_FAMILIES`) exist only for trials with posted
results and are off unless asked for (``kg similar --adverse-events``): on the registry's own links
(``benchmarks/RESULTS.md``, "Similarity") they gained nothing on the shared records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ADVERSE_EVENTS_DEFAULT",
    "ADVERSE_EVENT_FAMILIES",
    "FAMILY_WEIGHTS",
    "Family",
    "Feature",
    "TrialFeature",
]


class Family(StrEnum):
    """Kinds of feature; the value is the prefix of each feature key."""

    CONDITION = "condition"
    CONDITION_MESH = "condition-mesh"
    CONDITION_MESH_ANCESTOR = "condition-mesh-ancestor"
    INTERVENTION = "intervention"
    INTERVENTION_TYPE = "intervention-type"
    INTERVENTION_MESH = "intervention-mesh"
    INTERVENTION_MESH_ANCESTOR = "intervention-mesh-ancestor"
    SPONSOR = "sponsor"
    INVESTIGATOR = "investigator"
    SITE = "site"
    COUNTRY = "country"
    PHASE = "phase"
    DESIGN = "design"
    SEX = "sex"
    AGE = "age"
    PUBLICATION = "publication"
    KEYWORD = "keyword"
    TERM = "term"
    SUMMARY_TERM = "summary-term"
    ADVERSE_EVENT = "adverse-event"
    ADVERSE_EVENT_ORGAN = "adverse-event-organ"


# How much a shared feature of each family says, before rarity. Conditions, interventions and
# citations say most; tree ancestors, countries, codes and eligibility only a little. Words and
# word pairs of titles, keywords and condition names (TERM) name the topic even where no condition
# is coded; summary words (SUMMARY_TERM) are many and often about outcome measures, so each
# counts for less.
FAMILY_WEIGHTS: Mapping[Family, float] = {
    Family.CONDITION: 1.0,
    Family.CONDITION_MESH: 1.0,
    Family.CONDITION_MESH_ANCESTOR: 0.4,
    Family.INTERVENTION: 1.0,
    Family.INTERVENTION_TYPE: 0.2,
    Family.INTERVENTION_MESH: 1.0,
    Family.INTERVENTION_MESH_ANCESTOR: 0.3,
    Family.SPONSOR: 1.0,
    Family.INVESTIGATOR: 1.0,
    Family.SITE: 0.6,
    Family.COUNTRY: 0.2,
    Family.PHASE: 0.3,
    Family.DESIGN: 0.2,
    Family.SEX: 0.2,
    Family.AGE: 0.2,
    Family.PUBLICATION: 1.5,
    Family.KEYWORD: 0.8,
    Family.TERM: 0.6,
    Family.SUMMARY_TERM: 0.2,
    Family.ADVERSE_EVENT: 0.5,
    Family.ADVERSE_EVENT_ORGAN: 0.2,
}

ADVERSE_EVENT_FAMILIES = frozenset({Family.ADVERSE_EVENT, Family.ADVERSE_EVENT_ORGAN})
"""The families read from posted adverse events (:mod:`kg.similarity.adverse_events`)."""

ADVERSE_EVENTS_DEFAULT = False
"""Whether ``kg similar`` uses the adverse-event families unless told otherwise."""

@dataclass(frozen=True, slots=True)
class Feature:
    """One feature: its family, a unique key, a readable label, and its node IRI when it has one."""

    family: Family
    key: str
    label: str
    iri: str | None = None


@dataclass(frozen=True, slots=True)
class TrialFeature:
    """A trial (by NCT id) having a feature."""

    nct: str
    feature: Feature


