"""Trial features read from the graph, weighted by how informative they are.

A trial's features are the nodes and values it links to: conditions and their MeSH descriptors and
tree ancestors, interventions (normalised names, types, MeSH), sponsors and investigators, the
facility organisations and countries of its sites, phase and design codes, eligibility (age band,
sex), the publications it cites, its keywords, and the terms of its titles and summary (so a page
without coded conditions, like the seed, still has features); on request, the adverse events a
trial posted (:mod:`kg.similarity.adverse_events`). Features come from the store through
SPARQL, never from the readers. What a source asserts as related (``tkg:relatedTrial``) and a
trial's own identifiers are never features; NCT ids and numbers never become text terms.

Weights: ``family weight x log((n + 1) / df)`` for a feature shared by ``df`` of ``n`` trials, so a
feature half the registry has says little; a feature only one trial has cannot be shared and
weighs 0 (it would only dilute the overlap of the trial that has it).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox
from scipy import sparse

from kg.similarity import _sparql
from kg.similarity.adverse_events import iter_event_features
from kg.similarity.families import (
    ADVERSE_EVENT_FAMILIES,
    ADVERSE_EVENTS_DEFAULT,
    FAMILY_WEIGHTS,
    Family,
    Feature,
    TrialFeature,
)
from kg.similarity.text import age_bands, text_terms
from kg.terms import name_key

__all__ = [
    "ADVERSE_EVENTS_DEFAULT",
    "ADVERSE_EVENT_FAMILIES",
    "FAMILY_WEIGHTS",
    "Family",
    "Feature",
    "FeatureMatrix",
    "age_bands",
    "load_features",
    "load_trials",
    "node_label",
    "text_terms",
]


_QUERY_FAMILY: dict[str, Family] = {
    "condition": Family.CONDITION,
    "condition_mesh": Family.CONDITION_MESH,
    "condition_mesh_ancestor": Family.CONDITION_MESH_ANCESTOR,
    "intervention_type": Family.INTERVENTION_TYPE,
    "intervention_mesh": Family.INTERVENTION_MESH,
    "intervention_mesh_ancestor": Family.INTERVENTION_MESH_ANCESTOR,
    "sponsor": Family.SPONSOR,
    "investigator": Family.INVESTIGATOR,
    "site": Family.SITE,
    "country": Family.COUNTRY,
    "phase": Family.PHASE,
    "design": Family.DESIGN,
    "sex": Family.SEX,
    "publication": Family.PUBLICATION,
}


@dataclass(frozen=True, eq=False)
class FeatureMatrix:
    """The trial-feature bipartite graph as a sparse 0/1 matrix, with feature weights.

    Rows are trials sorted by NCT id (so index order is the tie-break order), columns features.
    """

    trials: tuple[str, ...]
    titles: tuple[str, ...]
    trial_iris: tuple[str, ...]
    features: tuple[Feature, ...]
    matrix: sparse.csr_array
    weights: npt.NDArray[np.float64]
    family_weights: Mapping[Family, float] = field(default_factory=lambda: dict(FAMILY_WEIGHTS))
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:  # fills the NCT id -> row index
        self._index.update({nct: i for i, nct in enumerate(self.trials)})

    @classmethod
    def build(
        cls,
        pairs: Iterable[TrialFeature],
        trials: Iterable[str],
        *,
        titles: Mapping[str, str] | None = None,
        iris: Mapping[str, str] | None = None,
        family_weights: Mapping[Family, float] = FAMILY_WEIGHTS,
    ) -> FeatureMatrix:
        """Assemble the matrix from (trial, feature) pairs; pairs of unknown trials are ignored."""
        order = sorted(set(trials))
        row_of = {nct: i for i, nct in enumerate(order)}
        col_of: dict[str, int] = {}
        feats: list[Feature] = []
        cells: set[tuple[int, int]] = set()
        for pair in pairs:
            row = row_of.get(pair.nct)
            if row is None:
                continue
            col = col_of.get(pair.feature.key)
            if col is None:
                col = col_of[pair.feature.key] = len(feats)
                feats.append(pair.feature)
            cells.add((row, col))
        return cls.from_cells(
            order,
            feats,
            cells,
            titles=[(titles or {}).get(n, "") for n in order],
            iris=[(iris or {}).get(n, "") for n in order],
            family_weights=family_weights,
        )

    @classmethod
    def from_cells(
        cls,
        trials: Sequence[str],
        features: Sequence[Feature],
        cells: Iterable[tuple[int, int]],
        *,
        titles: Sequence[str] | None = None,
        iris: Sequence[str] | None = None,
        family_weights: Mapping[Family, float] = FAMILY_WEIGHTS,
    ) -> FeatureMatrix:
        """Assemble the matrix from (row, column) cells over trials sorted by NCT id."""
        if list(trials) != sorted(trials):
            raise ValueError("trials must be sorted by NCT id")
        ordered = sorted(cells)
        rows = np.fromiter((r for r, _ in ordered), dtype=np.int64, count=len(ordered))
        cols = np.fromiter((c for _, c in ordered), dtype=np.int64, count=len(ordered))
        return cls.from_arrays(
            trials, features, rows, cols, titles=titles, iris=iris, family_weights=family_weights
        )

    @classmethod
    def from_arrays(
        cls,
        trials: Sequence[str],
        features: Sequence[Feature],
        rows: npt.NDArray[np.int64],
        cols: npt.NDArray[np.int64],
        *,
        titles: Sequence[str] | None = None,
        iris: Sequence[str] | None = None,
        family_weights: Mapping[Family, float] = FAMILY_WEIGHTS,
    ) -> FeatureMatrix:
        """Assemble the matrix from parallel row and column index arrays (duplicates allowed)."""
        n, m = len(trials), len(features)
        data = np.ones(len(rows), dtype=np.float64)
        matrix = sparse.csr_array((data, (rows, cols)), shape=(n, m))
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        df: npt.NDArray[np.float64] = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
        family = np.array([family_weights.get(f.family, 0.0) for f in features], dtype=np.float64)
        with np.errstate(divide="ignore"):
            idf = np.where(df >= 2, np.log((n + 1) / np.maximum(df, 1)), 0.0)
        return cls(
            trials=tuple(trials),
            titles=tuple(titles) if titles is not None else ("",) * n,
            trial_iris=tuple(iris) if iris is not None else ("",) * n,
            features=tuple(features),
            matrix=matrix,
            weights=family * idf,
            family_weights=dict(family_weights),
        )

    @functools.cached_property
    def df(self) -> npt.NDArray[np.int64]:
        """Return how many trials have each feature."""
        return np.diff(self.matrix.tocsc().indptr).astype(np.int64)

    def index(self, nct: str) -> int | None:
        """Return the row of a trial, or None when it has no record in the matrix."""
        return self._index.get(nct)

    def row_features(self, row: int) -> npt.NDArray[np.int32]:
        """Return the feature columns of a trial (sorted)."""
        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        cols: npt.NDArray[np.int32] = self.matrix.indices[start:end]
        return cols

    def has_features(self, row: int) -> bool:
        """Tell whether a trial has any feature with a positive weight."""
        return bool(np.any(self.weights[self.row_features(row)] > 0))

    def reweighted(self, family_weights: Mapping[Family, float]) -> FeatureMatrix:
        """Return the same trials and features under other family weights."""
        return self.without((), family_weights=family_weights)

    def without(
        self, families: Iterable[Family], *, family_weights: Mapping[Family, float] | None = None
    ) -> FeatureMatrix:
        """Return the matrix without some feature families (weights recomputed)."""
        drop = set(families)
        keep = np.array([f.family not in drop for f in self.features], dtype=bool)
        kept = np.flatnonzero(keep)
        sub = self.matrix[:, kept].tocoo()
        return FeatureMatrix.from_arrays(
            self.trials,
            [self.features[i] for i in kept],
            sub.row.astype(np.int64),
            sub.col.astype(np.int64),
            titles=self.titles,
            iris=self.trial_iris,
            family_weights=self.family_weights if family_weights is None else family_weights,
        )


# --- reading the store ------------------------------------------------------------------------


def _value(term: object) -> str | None:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return None


def _label_from_iri(iri: str) -> str:
    local = re.split(r"[/#]", iri.rstrip("/"))[-1]
    local = local.split("-", 1)[1] if "-" in local and local.split("-", 1)[0].isalpha() else local
    return local.replace("_", " ").replace("-", " ")


def _node_features(store: ox.Store, name: str, family: Family) -> Iterable[tuple[str, Feature]]:
    for sol in _sparql.solutions(store, _sparql.FEATURE_QUERIES[name]):
        trial, value = _value(sol["t"]), _value(sol["value"])
        if trial is not None and value is not None:
            yield trial, Feature(family, f"{family}:{value}", "", value)


def _intervention_features(store: ox.Store) -> Iterable[tuple[str, Feature]]:
    query = _sparql.FEATURE_QUERIES["intervention"]
    for sol in _sparql.solutions(store, query):
        trial, name = _value(sol["t"]), _value(sol["value"])
        if trial and name and (key := name_key(name)):
            yield trial, Feature(Family.INTERVENTION, f"{Family.INTERVENTION}:{key}", key)


def _text_features(store: ox.Store) -> Iterable[tuple[str, Feature]]:
    for sol in _sparql.solutions(store, _sparql.FEATURE_QUERIES["keyword"]):
        trial, word = _value(sol["t"]), _value(sol["value"])
        if trial and word and (key := name_key(word)):
            yield trial, Feature(Family.KEYWORD, f"{Family.KEYWORD}:{key}", key)
            for term in text_terms(word):
                yield trial, Feature(Family.TERM, f"{Family.TERM}:{term}", term)
    for name, family in (
        ("title", Family.TERM),
        ("condition_name", Family.TERM),
        ("summary", Family.SUMMARY_TERM),
    ):
        for sol in _sparql.solutions(store, _sparql.FEATURE_QUERIES[name]):
            trial, text = _value(sol["t"]), _value(sol["value"])
            if trial and text:
                for term in text_terms(text):
                    yield trial, Feature(family, f"{family}:{term}", term)


def _decimal(term: object) -> Decimal | None:
    text = _value(term)
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _age_features(store: ox.Store) -> Iterable[tuple[str, Feature]]:
    ranges: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    std: dict[str, set[str]] = defaultdict(set)
    for sol in _sparql.solutions(store, _sparql.FEATURE_QUERIES["age"]):
        trial = _value(sol["t"])
        if trial is None:
            continue
        ranges[trial] = (_decimal(sol["min"]), _decimal(sol["max"]))
        if (age := _value(sol["std"])) is not None:
            std[trial].add(age)
    for trial, (low, high) in ranges.items():
        for band in age_bands(low, high, std[trial]):
            yield trial, Feature(Family.AGE, f"{Family.AGE}:{band}", band)


def iter_trial_features(
    store: ox.Store, trial_of: Mapping[str, str], *, adverse_events: bool = ADVERSE_EVENTS_DEFAULT
) -> Iterable[TrialFeature]:
    """Yield every (trial, feature) pair of the trials in ``trial_of`` (trial IRI -> NCT id).

    The adverse-event families are read only with ``adverse_events``.
    """
    sources: list[Iterable[tuple[str, Feature]]] = [
        _node_features(store, name, family) for name, family in _QUERY_FAMILY.items()
    ]
    sources += [_intervention_features(store), _text_features(store)]
    sources.append(_age_features(store))
    if adverse_events:
        sources.append(iter_event_features(store))
    for source in sources:
        for trial, feature in source:
            nct = trial_of.get(trial)
            if nct is not None:
                yield TrialFeature(nct, feature)


@dataclass(frozen=True, slots=True)
class TrialRecord:
    """A trial with a record of its own in the store."""

    nct: str
    iri: str
    graph: str
    title: str


def load_trials(store: ox.Store) -> list[TrialRecord]:
    """Return the trials that have a record (a named graph) in the store, sorted by NCT id."""
    found: dict[str, TrialRecord] = {}
    for sol in _sparql.solutions(store, _sparql.TRIALS):
        iri, nct, graph = _value(sol["t"]), _value(sol["nct"]), _value(sol["g"])
        if iri is None or nct is None or graph is None:
            continue
        title = _value(sol["title"]) or ""
        if nct not in found or title < found[nct].title:
            found[nct] = TrialRecord(nct, iri, graph, title)
    return [found[n] for n in sorted(found)]


_LABEL_PROPERTIES = tuple(
    ox.NamedNode(p)
    for p in (
        "http://schema.org/name",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://purl.org/ontology/bibo/pmid",
    )
)


def node_label(store: ox.Store, iri: str) -> str:
    """Return a readable label of a node: its name, its SKOS label, a PMID, else its IRI's tail.

    A node named differently by several records gets the smallest name, so labels are stable.
    """
    node = ox.NamedNode(iri)
    for prop in _LABEL_PROPERTIES:
        names = [
            q.object.value
            for q in store.quads_for_pattern(node, prop, None, None)
            if isinstance(q.object, ox.Literal)
        ]
        if names:
            return ("PMID " if prop.value.endswith("pmid") else "") + min(names)
    return _label_from_iri(iri)


def _labelled(store: ox.Store, fm: FeatureMatrix) -> FeatureMatrix:
    df = fm.df
    features = tuple(
        Feature(f.family, f.key, node_label(store, f.iri), f.iri)
        if f.iri is not None and not f.label and df[col] >= 2
        else f
        for col, f in enumerate(fm.features)
    )
    return replace(fm, features=features, _index={})


def load_features(
    store: ox.Store,
    *,
    exclude: Iterable[Family] = (),
    family_weights: Mapping[Family, float] = FAMILY_WEIGHTS,
    adverse_events: bool = ADVERSE_EVENTS_DEFAULT,
) -> FeatureMatrix:
    """Read every trial's features from a store into a weighted trial-feature matrix.

    ``adverse_events`` adds the families of posted adverse events (off by default: see
    :mod:`kg.similarity.adverse_events`); ``exclude`` leaves families out.
    """
    records = load_trials(store)
    drop = set(exclude)
    trial_of = {r.iri: r.nct for r in records}
    pairs = (
        p
        for p in iter_trial_features(store, trial_of, adverse_events=adverse_events)
        if p.feature.family not in drop
    )
    fm = FeatureMatrix.build(
        pairs,
        [r.nct for r in records],
        titles={r.nct: r.title for r in records},
        iris={r.nct: r.iri for r in records},
        family_weights=family_weights,
    )
    return _labelled(store, fm)
