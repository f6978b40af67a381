"""Adverse-event features: what a trial's posted safety results say, for ``kg similar``.

Two trials have alike safety profiles when the same events are frequent in both, not merely listed
in both (a serious-events table lists many terms that struck one participant). So a term gives a
trial up to four features of :attr:`Family.ADVERSE_EVENT`:

- ``adverse-event:nausea``: at least one participant of some group was affected;
- ``adverse-event:nausea|rate>=5%`` and ``...|rate>=20%``: the highest rate among the groups
  (affected / at risk of that group) reaches 5% or 20%; as these bands are cumulative, two trials
  with close rates share more features than two whose rates are far apart, and the rarer high bands
  weigh more (weights are rarity-based, :mod:`kg.similarity.features`);
- ``adverse-event:nausea|serious``: a participant had it as a serious adverse event.

The organ system (MedDRA system organ class as the source writes it) gives the same presence and
rate-band features in :attr:`Family.ADVERSE_EVENT_ORGAN`, its rate being the highest of its terms'.
The highest group rate is taken because an event typical of a treatment shows in its arm and is
diluted by a placebo arm in a pooled rate. Terms are compared case- and accent-blind with spaces
collapsed; an event nobody had (0 affected everywhere) is no feature, and a count without a
positive at-risk number gives presence but no rate. Only trials with posted adverse events have
these features, so they are off unless asked for (see :data:`ADVERSE_EVENTS_DEFAULT`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox

from kg.model_results import Seriousness
from kg.similarity import _sparql
from kg.similarity.families import Family, Feature
from kg.similarity.text import fold
from kg.terms import concept_iri

__all__ = [
    "RATE_BANDS",
    "EventCount",
    "event_features",
    "iter_event_counts",
    "iter_event_features",
    "term_key",
]

RATE_BANDS: tuple[Decimal, ...] = (Decimal("0.05"), Decimal("0.20"))
"""The rates whose reaching gives a term or organ system one more feature each."""

_SERIOUS = concept_iri(Seriousness.SERIOUS)


@dataclass(frozen=True, slots=True)
class EventCount:
    """One group's count of one listed adverse event of one trial."""

    trial: str
    term: str
    organ_system: str | None
    serious: bool
    affected: int
    at_risk: int | None


def term_key(text: str) -> str:
    """Return the key under which two adverse-event terms are the same.

    >>> term_key("  Abdominal  Pain Upper"), term_key("Pyrexie fébrile")
    ('abdominal pain upper', 'pyrexie febrile')
    """
    return " ".join(fold(text).split())


def _band_label(band: Decimal) -> str:
    return f"{band * 100:.0f}%"


def _features(family: Family, key: str, rate: Decimal | None) -> Iterator[Feature]:
    yield Feature(family, f"{family}:{key}", key)
    for band in RATE_BANDS:
        if rate is not None and rate >= band:
            text = _band_label(band)
            yield Feature(family, f"{family}:{key}|rate>={text}", f"{key} in >= {text} of a group")


def event_features(counts: Iterable[EventCount]) -> Iterator[tuple[str, Feature]]:
    """Yield (trial, feature) for the adverse-event counts of any number of trials.

    Each (trial, feature) comes once, trials and features in first-seen order.
    """
    terms: dict[tuple[str, str], tuple[Decimal | None, bool]] = {}
    organs: dict[tuple[str, str], Decimal | None] = {}
    for c in counts:
        if c.affected <= 0:
            continue
        rate = Decimal(c.affected) / Decimal(c.at_risk) if c.at_risk else None
        at = (c.trial, term_key(c.term))
        best, serious = terms.get(at, (None, False))
        terms[at] = (_max(best, rate), serious or c.serious)
        if c.organ_system is not None:
            organ = (c.trial, term_key(c.organ_system))
            organs[organ] = _max(organs.get(organ), rate)
    event = Family.ADVERSE_EVENT
    for (trial, key), (rate, serious) in terms.items():
        for feature in _features(event, key, rate):
            yield trial, feature
        if serious:
            yield trial, Feature(event, f"{event}:{key}|serious", f"{key} (serious)")
    for (trial, key), rate in organs.items():
        for feature in _features(Family.ADVERSE_EVENT_ORGAN, key, rate):
            yield trial, feature


def _max(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    return a if b is None else max(a, b)


def _int(term: object) -> int | None:
    if isinstance(term, ox.Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def iter_event_counts(store: ox.Store) -> Iterator[EventCount]:
    """Read every group count of every listed adverse event from a store."""
    for sol in _sparql.solutions(store, _sparql.ADVERSE_EVENTS):
        trial, term, serious = sol["t"], sol["term"], sol["seriousness"]
        affected = _int(sol["affected"])
        if not isinstance(trial, ox.NamedNode) or not isinstance(term, ox.Literal):
            continue
        if affected is None:
            continue
        organ = sol["organ"]
        yield EventCount(
            trial=trial.value,
            term=term.value,
            organ_system=organ.value if isinstance(organ, ox.Literal) else None,
            serious=isinstance(serious, ox.NamedNode) and serious.value == _SERIOUS,
            affected=affected,
            at_risk=_int(sol["atRisk"]),
        )


def iter_event_features(store: ox.Store) -> Iterator[tuple[str, Feature]]:
    """Yield (trial IRI, feature) of every trial's posted adverse events in a store."""
    return event_features(iter_event_counts(store))
