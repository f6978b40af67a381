"""Evaluate the similarity methods against links the registry itself states.

Ground truth, taken from the data without hand-picking: two trials are linked when one's record
cites the other's NCT id anywhere in its text (descriptions, references, identifiers...), when both
cite the same PubMed article (PMID), or when a trial page lists the other as related. Those links
are hidden from the features: publications are left out, and NCT ids never become text terms
(``tkg:relatedTrial`` never is a feature). For each trial with at least one link, every method
ranks all other trials; recall@5, recall@10 and the mean reciprocal rank (MRR) of the linked ones
are compared with two baselines: a random order, and "same condition" (trials ranked by how many
condition nodes and condition MeSH descriptors they share with it). Ties, and trials a method does
not reach, count as in random order: the figures are expected values, computed exactly.

Run: ``python -m kg.similarity.evaluate [--store DIR] [--adverse-events]`` or ``kg similar
--evaluate [--adverse-events]``; ``--adverse-events-compare`` compares the ranking with the
adverse-event families off and on (:mod:`kg.similarity.evaluate_ae`).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from kg.similarity import _sparql
from kg.similarity.features import (
    ADVERSE_EVENTS_DEFAULT,
    Family,
    FeatureMatrix,
    load_features,
    load_trials,
)
from kg.similarity.methods import Method, top_k

__all__ = [
    "Scores",
    "Truth",
    "evaluate",
    "expected_scores",
    "format_report",
    "ground_truth",
    "main",
    "mean_scores",
    "query_scores",
]

_NCT = re.compile(r"NCT\d{8}")
KS = (5, 10)


@dataclass(frozen=True, slots=True)
class Truth:
    """Linked trial pairs found in the data, by kind of link."""

    links: Mapping[str, frozenset[str]]
    pairs_by_kind: Mapping[str, int]

    @property
    def queries(self) -> list[str]:
        """Return the trials that have at least one link, sorted."""
        return sorted(t for t, linked in self.links.items() if linked)


def ground_truth(store: ox.Store) -> Truth:
    """Find the linked pairs among the trials that have a record in the store."""
    records = load_trials(store)
    known = {r.nct for r in records}
    nct_of_graph = {r.graph: r.nct for r in records}
    nct_of_iri = {r.iri: r.nct for r in records}
    kinds: dict[str, set[frozenset[str]]] = defaultdict(set)
    for sol in _sparql.solutions(store, _sparql.GRAPH_LITERALS, union=False):
        graph, text = sol["g"], sol["o"]
        own = nct_of_graph.get(graph.value) if isinstance(graph, ox.NamedNode) else None
        if own is None or not isinstance(text, ox.Literal):
            continue
        for cited in set(_NCT.findall(text.value)):
            if cited != own and cited in known:
                kinds["cited NCT id"].add(frozenset((own, cited)))
    cited_by: dict[str, set[str]] = defaultdict(set)
    for sol in _sparql.solutions(store, _sparql.PMIDS):
        trial = nct_of_iri.get(getattr(sol["t"], "value", ""))
        if trial is not None:
            cited_by[getattr(sol["pmid"], "value", "")].add(trial)
    for trials in cited_by.values():
        ordered = sorted(trials)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                kinds["shared PMID"].add(frozenset((a, b)))
    for sol in _sparql.solutions(store, _sparql.RELATED):
        source = nct_of_iri.get(getattr(sol["t"], "value", ""))
        target = nct_of_iri.get(getattr(sol["r"], "value", ""))
        if source and target and source != target:
            kinds["listed as related"].add(frozenset((source, target)))
    links: dict[str, set[str]] = defaultdict(set)
    for pairs in kinds.values():
        for pair in pairs:
            a, b = sorted(pair)
            links[a].add(b)
            links[b].add(a)
    return Truth(
        {t: frozenset(v) for t, v in links.items()},
        {kind: len(pairs) for kind, pairs in sorted(kinds.items())},
    )


@dataclass(frozen=True, slots=True)
class Scores:
    """Mean recall@5, recall@10 and MRR over the query trials."""

    recall5: float
    recall10: float
    mrr: float


def _first_hit(size: int, relevant: int) -> list[float]:
    """P(the first relevant item of a randomly ordered group sits at offset j), for each j."""
    total = comb(size, relevant)
    return [comb(size - 1 - j, relevant - 1) / total for j in range(size - relevant + 1)]


def expected_scores(groups: Sequence[tuple[int, int]], relevant: int) -> tuple[float, ...]:
    """Return expected (recall@5, recall@10, reciprocal rank) of a ranking made of tied groups.

    ``groups`` lists (size, relevant items in it) in rank order; items within a group are in
    random order.

    >>> expected_scores([(1, 1), (9, 0)], 1)
    (1.0, 1.0, 1.0)
    >>> [round(x, 3) for x in expected_scores([(10, 1)], 1)]
    [0.5, 1.0, 0.293]
    """
    recalls = []
    for k in KS:
        hits, start = 0.0, 0
        for size, rel in groups:
            if start >= k:
                break
            hits += rel * min(size, k - start) / size
            start += size
        recalls.append(hits / relevant)
    rr, start = 0.0, 0
    for size, rel in groups:
        if rel:
            rr = sum(p / (start + j + 1) for j, p in enumerate(_first_hit(size, rel)))
            break
        start += size
    return (*recalls, rr)


def _groups(ranked: Sequence[tuple[str, float]], others: int, truth: frozenset[str]) -> list[
    tuple[int, int]
]:
    """Group a scored ranking into ties; everything unranked is one last tied group."""
    groups: list[tuple[int, int]] = []
    seen = 0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][1] == ranked[i][1]:
            j += 1
        groups.append((j - i, sum(1 for t, _ in ranked[i:j] if t in truth)))
        seen += j - i
        i = j
    rest = others - seen
    if rest > 0:
        ranked_set = {t for t, _ in ranked}
        groups.append((rest, len(truth - ranked_set)))
    return groups


def mean_scores(rows: Iterable[tuple[float, ...]]) -> Scores:
    """Return the mean of per-query (recall@5, recall@10, reciprocal rank) rows."""
    arr = np.array(list(rows), dtype=np.float64)
    if arr.size == 0:
        return Scores(0.0, 0.0, 0.0)
    r5, r10, mrr = arr.mean(axis=0)
    return Scores(float(r5), float(r10), float(mrr))


def _same_condition(fm: FeatureMatrix, row: int) -> list[tuple[str, float]]:
    cols = [
        c
        for c in fm.row_features(row)
        if fm.features[c].family in (Family.CONDITION, Family.CONDITION_MESH)
    ]
    if not cols:
        return []
    counts = np.asarray(fm.matrix[:, cols].sum(axis=1)).ravel()
    counts[row] = 0
    order = [i for i in np.lexsort((np.arange(len(counts)), -counts)) if counts[i] > 0]
    return [(fm.trials[i], float(counts[i])) for i in order]


def evaluate(
    store: ox.Store,
    methods: Sequence[Method] = tuple(Method),
    *,
    adverse_events: bool = ADVERSE_EVENTS_DEFAULT,
) -> tuple[Truth, dict[str, Scores], int]:
    """Score every method and both baselines on the store's own links.

    ``adverse_events`` evaluates with the adverse-event feature families (as ``kg similar
    --adverse-events`` ranks).

    Returns:
        The ground truth, the mean scores by method or baseline name, and the number of trials.
    """
    truth = ground_truth(store)
    fm = load_features(store, exclude=[Family.PUBLICATION], adverse_events=adverse_events)
    n = len(fm.trials)
    queries = [q for q in truth.queries if fm.index(q) is not None]
    results: dict[str, Scores] = {}
    results["random"] = mean_scores(
        expected_scores([(n - 1, len(truth.links[q]))], len(truth.links[q])) for q in queries
    )
    cond = []
    for q in queries:
        row = fm.index(q)
        assert row is not None  # noqa: S101 - filtered above
        ranked = _same_condition(fm, row)
        cond.append(expected_scores(_groups(ranked, n - 1, truth.links[q]), len(truth.links[q])))
    results["same condition"] = mean_scores(cond)
    for method in methods:
        results[str(method)] = mean_scores(query_scores(fm, queries, truth.links, method).values())
    return truth, results, n


def query_scores(
    fm: FeatureMatrix,
    queries: Iterable[str],
    links: Mapping[str, frozenset[str]],
    method: Method,
) -> dict[str, tuple[float, ...]]:
    """Return each query trial's expected (recall@5, recall@10, reciprocal rank) under a method."""
    n = len(fm.trials)
    out: dict[str, tuple[float, ...]] = {}
    for q in queries:
        row = fm.index(q)
        if row is None:
            raise ValueError(f"{q}: not a trial of the feature matrix")
        nb = top_k(fm, row, n, method)
        ranked = [
            (fm.trials[int(t)], float(s)) for t, s in zip(nb.targets, nb.scores, strict=True)
        ]
        out[q] = expected_scores(_groups(ranked, n - 1, links[q]), len(links[q]))
    return out


def format_report(truth: Truth, results: Mapping[str, Scores], trials: int) -> str:
    """Write the figures as a Markdown section body (links found, then one row per ranker)."""
    kinds = ", ".join(f"{count} by {kind}" for kind, count in truth.pairs_by_kind.items())
    random = results.get("random")
    lines = [
        f"Ground truth: {sum(truth.pairs_by_kind.values())} linked pairs ({kinds}); "
        f"{len(truth.queries)} query trials ranked against the other {trials - 1}.",
        "",
        "| ranker | recall@5 | recall@10 | MRR | recall@10 vs random |",
        "|---|---|---|---|---|",
    ]
    for name, s in results.items():
        ratio = f"{s.recall10 / random.recall10:.1f}x" if random and random.recall10 else "-"
        lines.append(f"| {name} | {s.recall5:.3f} | {s.recall10:.3f} | {s.mrr:.3f} | {ratio} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation on a store and write the Markdown table to stdout."""
    from kg.sinks import default_store_path, open_store

    parser = argparse.ArgumentParser(prog="python -m kg.similarity.evaluate", description=__doc__)
    parser.add_argument("--store", type=Path, default=None, help="store folder")
    parser.add_argument(
        "--adverse-events",
        action=argparse.BooleanOptionalAction,
        default=ADVERSE_EVENTS_DEFAULT,
        help="rank with the adverse-event feature families",
    )
    parser.add_argument(
        "--adverse-events-compare",
        action="store_true",
        help="compare the ranking with the adverse-event families off and on",
    )
    args = parser.parse_args(argv)
    store = open_store(args.store or default_store_path())
    if args.adverse_events_compare:
        from kg.similarity.evaluate_ae import compare_adverse_events, format_comparison

        sys.stdout.write(format_comparison(compare_adverse_events(store)))
        return 0
    truth, results, trials = evaluate(store, adverse_events=args.adverse_events)
    sys.stdout.write(format_report(truth, results, trials))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
