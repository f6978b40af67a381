"""Explanations: which shared features produced a score, and how much of it each gave."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from kg.errors import UsageError
from kg.similarity.features import Feature, FeatureMatrix
from kg.similarity.methods import (
    DEFAULT_DAMPING,
    DEFAULT_TOLERANCE,
    Method,
    Neighbours,
    top_k,
    top_k_all,
)

__all__ = ["Answer", "Match", "SharedFeature", "explain", "similar", "similar_all"]


@dataclass(frozen=True, slots=True)
class SharedFeature:
    """A feature two trials share, its weight, and the part of the score it gives."""

    feature: Feature
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked answer: the target trial, its score, and the shared features behind it."""

    source: str
    target: str
    rank: int
    score: float
    method: Method
    title: str
    shared: tuple[SharedFeature, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """The ranked matches of one trial, or a message saying why there are none."""

    source: str
    method: Method
    matches: tuple[Match, ...]
    message: str | None = None


def explain(fm: FeatureMatrix, a: int, b: int, method: Method, score: float) -> list[SharedFeature]:
    """Return the weighted features trials ``a`` and ``b`` share, largest contribution first.

    Contributions add up to the score: ``w / union`` for jaccard, ``w² / (|a| |b|)`` for cosine;
    for pagerank the score is split by the two-step walks through each feature (``w / df``).
    """
    cols = np.intersect1d(fm.row_features(a), fm.row_features(b))
    cols = cols[fm.weights[cols] > 0]
    if len(cols) == 0:
        return []
    w = fm.weights
    if method is Method.PAGERANK:
        df = fm.df[cols]
        paths = w[cols] / df
        parts = score * paths / paths.sum()
    elif method is Method.JACCARD:
        wa, wb = w[fm.row_features(a)].sum(), w[fm.row_features(b)].sum()
        shared = w[cols].sum()
        parts = w[cols] / (wa + wb - shared)
    else:
        na = np.sqrt((w[fm.row_features(a)] ** 2).sum())
        nb = np.sqrt((w[fm.row_features(b)] ** 2).sum())
        parts = w[cols] ** 2 / (na * nb)
    order = sorted(range(len(cols)), key=lambda i: (-parts[i], fm.features[cols[i]].key))
    return [
        SharedFeature(fm.features[cols[i]], float(w[cols[i]]), float(parts[i])) for i in order
    ]


def _answer(
    fm: FeatureMatrix, nb: Neighbours, method: Method, *, limit: int | None = None
) -> Answer:
    source = fm.trials[nb.source]
    if not fm.has_features(nb.source):
        return Answer(source, method, (), f"{source} has no features to compare (no shared "
                      "conditions, interventions, organisations, sites or title words)")
    matches = tuple(
        Match(
            source=source,
            target=fm.trials[int(t)],
            rank=rank,
            score=float(s),
            method=method,
            title=fm.titles[int(t)],
            shared=tuple(explain(fm, nb.source, int(t), method, float(s))[:limit]),
        )
        for rank, (t, s) in enumerate(zip(nb.targets, nb.scores, strict=True), 1)
    )
    message = None if matches else f"no other trial shares a feature with {source}"
    return Answer(source, method, matches, message)


def similar(
    fm: FeatureMatrix,
    ncts: Iterable[str],
    k: int = 10,
    method: Method = Method.JACCARD,
    *,
    limit: int | None = None,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Answer]:
    """Return the ``k`` trials most like each given trial, each match with its shared features.

    A trial without a record in the store is a usage error; a trial without features gets an
    empty answer with a message. ``limit`` caps the shared features listed per match.

    Raises:
        UsageError: a trial the store has no record of.
    """
    rows: list[int] = []
    for nct in ncts:
        row = fm.index(nct.strip().upper())
        if row is None:
            raise UsageError(f"{nct}: no record of this trial in the store")
        rows.append(row)
    if k < 1:
        raise UsageError("--k must be at least 1")
    return [
        _answer(fm, top_k(fm, row, k, method, damping=damping, tolerance=tolerance), method,
                limit=limit)
        for row in rows
    ]


def similar_all(
    fm: FeatureMatrix,
    k: int = 10,
    method: Method = Method.JACCARD,
    *,
    limit: int | None = None,
    exact: bool = True,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Iterator[Answer]:
    """Yield the answer of every trial in the matrix, in NCT order (see ``top_k_all``'s exact)."""
    for nb in top_k_all(fm, k, method, exact=exact, damping=damping, tolerance=tolerance):
        yield _answer(fm, nb, method, limit=limit)
