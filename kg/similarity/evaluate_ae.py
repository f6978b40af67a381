"""Measure what the adverse-event feature families do to the ranking, to decide their default.

The ground truth is :func:`kg.similarity.evaluate.ground_truth`'s (cited NCT ids, shared PMIDs,
related trials); publications are left out of the features, as there. Every method ranks with the
adverse-event families off (the default features) and on at a few family weights; the figures are
split between the query trials with posted adverse events (the only ones the families can change
from inside) and those without (which the families can only hurt, by growing the feature sets of
the trials with results they are compared with).

That ground truth holds few trials with results, so a second one asks whether the families carry
any signal at all: among the trials with posted adverse events, two are linked when they share a
condition (node or MeSH descriptor), and the condition families are hidden from the features
(title and summary words stay, in both settings).

Run: ``python -m kg.similarity.evaluate --adverse-events-compare [--store DIR]``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.similarity.evaluate import Scores, Truth, ground_truth, mean_scores, query_scores
from kg.similarity.families import ADVERSE_EVENT_FAMILIES, FAMILY_WEIGHTS, Family
from kg.similarity.features import FeatureMatrix, load_features
from kg.similarity.kinds import Method

__all__ = ["WEIGHT_STEPS", "AeComparison", "AeRow", "compare_adverse_events", "format_comparison"]

WEIGHT_STEPS: tuple[float, ...] = (0.5, 1.0, 2.0)
"""Multiples of the families' own weights (FAMILY_WEIGHTS) the comparison tries."""


@dataclass(frozen=True, slots=True)
class AeRow:
    """One method under one setting of the adverse-event families."""

    method: Method
    setting: str
    every: Scores
    with_results: Scores
    without_results: Scores


@dataclass(frozen=True, slots=True)
class AeComparison:
    """The rows, with how many query trials have posted adverse events and how many do not.

    ``condition_rows`` rank by the second ground truth (shared conditions, hidden), whose
    ``condition_queries`` all have posted adverse events (``every`` is their mean).
    """

    truth: Truth
    trials: int
    with_results: tuple[str, ...]
    without_results: tuple[str, ...]
    rows: tuple[AeRow, ...]
    condition_pairs: int
    condition_queries: tuple[str, ...]
    condition_rows: tuple[AeRow, ...]


_CONDITIONS = (Family.CONDITION, Family.CONDITION_MESH, Family.CONDITION_MESH_ANCESTOR)


def condition_links(fm: FeatureMatrix) -> dict[str, frozenset[str]]:
    """Link the trials with adverse-event features that share a condition node or descriptor."""
    by_condition: dict[int, list[str]] = defaultdict(list)
    for nct in fm.trials:
        row = fm.index(nct)
        if row is None or not _has_events(fm, nct):
            continue
        for col in fm.row_features(row):
            if fm.features[col].family in (Family.CONDITION, Family.CONDITION_MESH):
                by_condition[int(col)].append(nct)
    links: dict[str, set[str]] = defaultdict(set)
    for trials in by_condition.values():
        for a, b in itertools.permutations(trials, 2):
            links[a].add(b)
    return {nct: frozenset(linked) for nct, linked in sorted(links.items())}


def _scaled(step: float) -> dict[Family, float]:
    weights = dict(FAMILY_WEIGHTS)
    for family in ADVERSE_EVENT_FAMILIES:
        weights[family] = FAMILY_WEIGHTS[family] * step
    return weights


def _has_events(fm: FeatureMatrix, nct: str) -> bool:
    row = fm.index(nct)
    return row is not None and any(
        fm.features[c].family in ADVERSE_EVENT_FAMILIES for c in fm.row_features(row)
    )


def _row(
    fm: FeatureMatrix,
    method: Method,
    setting: str,
    links: Mapping[str, frozenset[str]],
    groups: tuple[Sequence[str], Sequence[str]],
) -> AeRow:
    scores = query_scores(fm, [*groups[0], *groups[1]], links, method)

    def mean(queries: Iterable[str]) -> Scores:
        return mean_scores(scores[q] for q in queries)

    return AeRow(method, setting, mean(scores), mean(groups[0]), mean(groups[1]))


def compare_adverse_events(
    store: ox.Store,
    methods: Sequence[Method] = tuple(Method),
    steps: Sequence[float] = WEIGHT_STEPS,
) -> AeComparison:
    """Rank the ground truths' query trials with the adverse-event families off, then on."""
    truth = ground_truth(store)
    full = load_features(store, adverse_events=True)
    on = full.without([Family.PUBLICATION])
    queries = [q for q in truth.queries if on.index(q) is not None]
    with_ae = tuple(q for q in queries if _has_events(on, q))
    without_ae = tuple(q for q in queries if q not in with_ae)
    groups = (with_ae, without_ae)
    rows = _rows(on, methods, steps, truth.links, groups)
    links = condition_links(full)
    hidden = on.without(_CONDITIONS)
    cond_rows = _rows(hidden, methods, steps, links, (tuple(links), ()))
    pairs = sum(len(v) for v in links.values()) // 2
    return AeComparison(
        truth, len(on.trials), with_ae, without_ae, rows, pairs, tuple(links), cond_rows
    )


def _rows(
    on: FeatureMatrix,
    methods: Sequence[Method],
    steps: Sequence[float],
    links: Mapping[str, frozenset[str]],
    groups: tuple[Sequence[str], Sequence[str]],
) -> tuple[AeRow, ...]:
    off = on.without(ADVERSE_EVENT_FAMILIES)
    rows = []
    for method in methods:
        rows.append(_row(off, method, "off", links, groups))
        for step in steps:
            fm = on.reweighted(_scaled(step))
            weights = "/".join(f"{FAMILY_WEIGHTS[f] * step:g}" for f in _ORDER)
            rows.append(_row(fm, method, f"on, weights {weights}", links, groups))
    return tuple(rows)


_ORDER = (Family.ADVERSE_EVENT, Family.ADVERSE_EVENT_ORGAN)


def format_comparison(c: AeComparison) -> str:
    """Write the comparison as a Markdown table (recall@10 and MRR per group of query trials)."""
    lines = [
        f"{len(c.with_results) + len(c.without_results)} query trials ranked against the other "
        f"{c.trials - 1}: {len(c.with_results)} with posted adverse events "
        f"({', '.join(c.with_results) or 'none'}), {len(c.without_results)} without. "
        f"Weights: {' / '.join(str(f) for f in _ORDER)}.",
        "",
        "| method | adverse events | all: recall@10 | all: MRR | with results: recall@10 "
        "| with results: MRR | without results: recall@10 | without results: MRR |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in c.rows:
        figures = (r.every, r.with_results, r.without_results)
        cells = " | ".join(f"{s.recall10:.3f} | {s.mrr:.3f}" for s in figures)
        lines.append(f"| {r.method} | {r.setting} | {cells} |")
    lines += [
        "",
        f"Shared condition, conditions hidden: {c.condition_pairs} linked pairs among the trials "
        f"with posted adverse events; {len(c.condition_queries)} query trials.",
        "",
        "| method | adverse events | recall@5 | recall@10 | MRR |",
        "|---|---|---|---|---|",
    ]
    for r in c.condition_rows:
        s = r.every
        lines.append(
            f"| {r.method} | {r.setting} | {s.recall5:.3f} | {s.recall10:.3f} | {s.mrr:.3f} |"
        )
    return "\n".join(lines) + "\n"
