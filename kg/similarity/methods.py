"""Similarity methods on the trial-feature bipartite graph, and the top-k of one or every trial.

The graph model is networkx (:func:`feature_graph`: trials and features as the two sides, an edge
per trial-feature link weighted by the feature's weight); :func:`networkx_scores` computes every
method on it directly and is the reference the fast paths are tested against. The fast paths give
the same answers with scipy sparse algebra (PERFORMANCE-NOTES.md: 60-90x faster than networkx):

- ``jaccard``: weighted Jaccard, ``sum(w shared) / sum(w either)``; symmetric, in [0, 1].
- ``cosine``: cosine of the weight vectors, ``sum(w² shared) / (|a| |b|)``: Adamic-Adar style
  (rare shared features count most) normalised to [0, 1]; symmetric.
- ``pagerank``: personalised PageRank from the trial on the weighted bipartite graph (restart
  probability ``1 - damping``), read at the other trials; a probability in [0, 1], not symmetric.
  Computed by forward push (Andersen, Chung and Lang, FOCS 2006), batched as sparse matrix
  products: a node's residual is pushed while it would give each neighbour more than
  ``tolerance``, so the scores are approximate (within about 1e-4 of ``networkx.pagerank`` here).

Top-k for every trial (:func:`top_k_all`) multiplies only the rarer features (the most common ones
pair almost every trial with every other and weigh little), then adds the common features' share
for the candidates that could still make the top-k. Exact mode then checks a bound on every trial
left out and recomputes a trial whose bound is not met, so its answer equals :func:`top_k`'s; fast
mode (``exact=False``, for registries of tens of thousands of trials) skips that check.
Scores are rounded to 9 decimals and ties go to the smaller NCT id: answers are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy import sparse

from kg.similarity.features import FeatureMatrix
from kg.similarity.kinds import Method

__all__ = [
    "DEFAULT_DAMPING",
    "DEFAULT_TOLERANCE",
    "Method",
    "Neighbours",
    "feature_graph",
    "networkx_scores",
    "pair_scores",
    "top_k",
    "top_k_all",
]

DEFAULT_DAMPING = 0.5
DEFAULT_TOLERANCE = 1e-6
_DECIMALS = 9
_PAIR_BUDGET = 5000  # rare-feature pairs per trial the all-pairs product may cost
_BATCH = 2048
_FAST_CANDIDATES = 100  # per trial, by their rarer features, rescored exactly in fast mode

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class Neighbours:
    """The top-k of one trial: rows of the feature matrix and their scores, best first."""

    source: int
    targets: IntArray
    scores: FloatArray


# --- overlap methods (jaccard, cosine) ---------------------------------------------------------


class _Overlap:
    """Precomputed vectors of one overlap method on one feature matrix."""

    def __init__(self, fm: FeatureMatrix, method: Method) -> None:
        self.method = method
        w = fm.weights
        self.v = w if method is Method.JACCARD else w * w  # what a shared feature adds
        x = fm.matrix
        self.x = x
        self.xt = x.T.tocsr()
        self.xv = (x @ sparse.diags_array(self.v)).tocsr()
        total = x @ self.v
        self.norm = total if method is Method.JACCARD else np.sqrt(total)
        self.n = x.shape[0]

    def score(self, inter: FloatArray, a: IntArray, b: IntArray) -> FloatArray:
        """Turn shared weight into scores for pairs (a, b)."""
        if self.method is Method.JACCARD:
            denom = self.norm[a] + self.norm[b] - inter
        else:
            denom = self.norm[a] * self.norm[b]
        out = np.zeros(len(inter), dtype=np.float64)
        ok = denom > 0
        out[ok] = inter[ok] / denom[ok]
        return np.clip(out, 0.0, 1.0).round(_DECIMALS).astype(np.float64)

    def row(self, a: int) -> tuple[IntArray, FloatArray]:
        """Return every trial sharing a weighted feature with ``a`` and its exact score."""
        inter = (self.xv[[a]] @ self.xt).tocsr()
        cols = inter.indices.astype(np.int64)
        vals = inter.data.astype(np.float64)
        keep = (cols != a) & (vals > 0)
        cols, vals = cols[keep], vals[keep]
        return cols, self.score(vals, np.full(len(cols), a, dtype=np.int64), cols)


def _best(cols: IntArray, scores: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
    keep = scores > 0
    cols, scores = cols[keep], scores[keep]
    order = np.lexsort((cols, -scores))[:k]
    return cols[order], scores[order]


# --- personalised PageRank ---------------------------------------------------------------------


class _Walk:
    """The bipartite graph as a row-stochastic transition matrix, for batched forward push."""

    def __init__(self, fm: FeatureMatrix, damping: float, tolerance: float) -> None:
        n, m = fm.matrix.shape
        xw = (fm.matrix @ sparse.diags_array(fm.weights)).tocsr()
        xw.eliminate_zeros()
        strength = np.asarray(xw.sum(axis=1)).ravel()
        scale = float(np.median(strength[strength > 0])) if np.any(strength > 0) else 1.0
        adj = sparse.block_array([[None, xw / scale], [xw.T / scale, None]], format="csr")
        self.degree: FloatArray = np.asarray(adj.sum(axis=1), dtype=np.float64).ravel()
        inv = np.zeros_like(self.degree)
        inv[self.degree > 0] = 1.0 / self.degree[self.degree > 0]
        self.transition = sparse.csr_array(sparse.diags_array(inv) @ adj)
        # Push a node only when each of its neighbours would get more than the tolerance: a
        # feature of tiny weight shared by thousands of trials is then left alone.
        self.limit = tolerance * np.diff(self.transition.indptr).astype(np.float64)
        self.n, self.size = n, n + m
        self.damping, self.tolerance = damping, tolerance

    def push(self, seeds: IntArray) -> sparse.csr_array:
        """Return approximate PageRank vectors personalised on each seed (one row per seed)."""
        b = len(seeds)
        ones = np.ones(b)
        residual = sparse.csr_array((ones, (np.arange(b), seeds)), shape=(b, self.size))
        estimate = sparse.csr_array((b, self.size))
        limit = self.limit
        while True:
            residual.sum_duplicates()
            active = residual.data > limit[residual.indices]
            if not np.any(active):
                break
            pushed = residual.copy()
            pushed.data[~active] = 0.0
            pushed.eliminate_zeros()
            residual.data[active] = 0.0
            residual.eliminate_zeros()
            estimate = estimate + (1.0 - self.damping) * pushed
            residual = residual + self.damping * (pushed @ self.transition)
        return estimate.tocsr()

    def rows(self, seeds: IntArray, k: int | None) -> Iterator[Neighbours]:
        """Yield the trials each seed's walk reaches, best first (all of them when k is None)."""
        est = self.push(seeds)
        for i, seed in enumerate(seeds):
            start, end = est.indptr[i], est.indptr[i + 1]
            cols = est.indices[start:end].astype(np.int64)
            vals = est.data[start:end]
            keep = (cols < self.n) & (cols != seed)
            cols, vals = cols[keep], np.round(vals[keep], _DECIMALS)
            best = _best(cols, vals, k if k is not None else len(cols))
            yield Neighbours(int(seed), best[0], best[1])


# --- public API --------------------------------------------------------------------------------


def top_k(
    fm: FeatureMatrix,
    row: int,
    k: int = 10,
    method: Method = Method.JACCARD,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Neighbours:
    """Return the ``k`` trials most like trial ``row`` (fewer when fewer share a feature)."""
    if method is Method.PAGERANK:
        walk = _Walk(fm, damping, tolerance)
        return next(walk.rows(np.array([row], dtype=np.int64), k))
    cols, scores = _Overlap(fm, method).row(row)
    best = _best(cols, scores, k)
    return Neighbours(row, best[0], best[1])


def pair_scores(
    fm: FeatureMatrix,
    row: int,
    targets: IntArray,
    method: Method = Method.JACCARD,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
) -> FloatArray:
    """Return the scores of trial ``row`` with each of ``targets`` (0 where nothing is shared)."""
    if method is Method.PAGERANK:
        walk = _Walk(fm, damping, tolerance)
        est = walk.push(np.array([row], dtype=np.int64)).toarray()[0]
        return np.asarray(np.round(est[targets], _DECIMALS), dtype=np.float64)
    overlap = _Overlap(fm, method)
    cols, scores = overlap.row(row)
    lookup = dict(zip(cols.tolist(), scores.tolist(), strict=True))
    return np.array([lookup.get(int(t), 0.0) for t in targets], dtype=np.float64)


def top_k_all(
    fm: FeatureMatrix,
    k: int = 10,
    method: Method = Method.JACCARD,
    *,
    rows: IntArray | None = None,
    batch: int = _BATCH,
    exact: bool = True,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Iterator[Neighbours]:
    """Yield the top-k of every trial (or of ``rows``), in row order.

    With ``exact`` (the default) the answers equal :func:`top_k`'s. Without it, the overlap
    methods only consider trials that share at least one of the rarer features (the most common
    ones, whose pairs would grow with the square of the registry, only add to those candidates'
    scores): much faster on a large registry, and a trial that shares nothing but very common
    features (a country, a phase) can be missed.
    """
    todo = np.arange(fm.matrix.shape[0], dtype=np.int64) if rows is None else np.asarray(rows)
    if method is Method.PAGERANK:
        walk = _Walk(fm, damping, tolerance)
        for start in range(0, len(todo), batch):
            yield from walk.rows(todo[start : start + batch], k)
        return
    overlap = _Overlap(fm, method)
    split = _Split(fm, overlap, exact)
    for start in range(0, len(todo), batch):
        yield from split.rows(todo[start : start + batch], k)


class _Split:
    """All-pairs top-k: rare features by sparse product, common ones only where they matter."""

    def __init__(self, fm: FeatureMatrix, overlap: _Overlap, exact: bool) -> None:
        self.overlap = overlap
        self.exact = exact
        x, v = fm.matrix, overlap.v
        df = fm.df
        active = np.flatnonzero(v > 0)
        order = active[np.argsort(df[active], kind="stable")]
        cost = np.cumsum(df[order].astype(np.float64) ** 2)
        budget = _PAIR_BUDGET * max(x.shape[0], 1)
        n_rare = int(np.searchsorted(cost, budget, side="right"))
        rare, common = order[:n_rare], order[n_rare:]
        xr = x[:, rare]
        self.xr_v = (xr @ sparse.diags_array(v[rare])).tocsr()
        self.xr_t = xr.T.tocsr()
        self.common = x[:, common].tocsr()
        self.common_v = v[common]
        self.common_total = self.common @ self.common_v
        if overlap.method is Method.JACCARD:
            # A trial sharing only common features with a: score <= common(a) / |a|.
            self.bound = _ratio(self.common_total, overlap.norm)
        else:
            # Cauchy-Schwarz: shared common weight <= |common(a)| |common(b)|.
            self.bound = _ratio(np.sqrt(self.common_total), overlap.norm)

    def _common_shared(self, a: IntArray, b: IntArray) -> FloatArray:
        out = np.zeros(len(a), dtype=np.float64)
        if self.common.shape[1] == 0:
            return out
        step = 200_000
        for s in range(0, len(a), step):
            both = self.common[a[s : s + step]].multiply(self.common[b[s : s + step]])
            out[s : s + step] = sparse.csr_array(both) @ self.common_v
        return out

    def rows(self, rows: IntArray, k: int) -> Iterator[Neighbours]:
        """Yield the top-k of each row of a batch."""
        if not self.exact:
            yield from self._fast_rows(rows, k)
            return
        ov = self.overlap
        prod = (self.xr_v[rows] @ self.xr_t).tocsr()
        prod.sum_duplicates()
        counts = np.diff(prod.indptr)
        a = np.repeat(rows, counts)
        b = prod.indices.astype(np.int64)
        rare = prod.data.astype(np.float64)
        local = np.repeat(np.arange(len(rows)), counts)
        keep = a != b
        a, b, rare, local = a[keep], b[keep], rare[keep], local[keep]
        lower = ov.score(rare, a, b)
        upper = self._upper(rare, a, b)
        kth = _kth_per_group(local, lower, k, len(rows))
        short = upper >= kth[local] - 1e-9
        a, b, local = a[short], b[short], local[short]
        scores = ov.score(rare[short] + self._common_shared(a, b), a, b)
        order = np.lexsort((b, -scores, local))
        a, b, scores, local = a[order], b[order], scores[order], local[order]
        bounds = np.searchsorted(local, np.arange(len(rows) + 1))
        for i, row in enumerate(rows):
            sl = slice(bounds[i], bounds[i + 1])
            cols, vals = b[sl], scores[sl]
            pos = vals > 0
            cols, vals = cols[pos][:k], vals[pos][:k]
            limit = self.bound[row]
            if self.exact and limit > 0 and (len(vals) < k or vals[-1] <= limit + 1e-9):
                full_cols, full_scores = ov.row(int(row))  # someone outside may beat these
                cols, vals = _best(full_cols, full_scores, k)
            yield Neighbours(int(row), cols, vals)

    def _fast_rows(self, rows: IntArray, k: int) -> Iterator[Neighbours]:
        """Yield the top-k among each row's best candidates by their rarer features."""
        ov = self.overlap
        prod = (self.xr_v[rows] @ self.xr_t).tocsr()
        prod.sum_duplicates()
        keep_n = max(_FAST_CANDIDATES, 4 * k)
        pa: list[IntArray] = []
        pb: list[IntArray] = []
        pr: list[FloatArray] = []
        for i, row in enumerate(rows):
            start, end = prod.indptr[i], prod.indptr[i + 1]
            cols = prod.indices[start:end].astype(np.int64)
            rare = prod.data[start:end]
            mask = cols != row
            cols, rare = cols[mask], rare[mask]
            if len(cols) > keep_n:
                lower = ov.score(rare, np.full(len(cols), row, dtype=np.int64), cols)
                best = np.argpartition(-lower, keep_n - 1)[:keep_n]
                cols, rare = cols[best], rare[best]
            pa.append(np.full(len(cols), row, dtype=np.int64))
            pb.append(cols)
            pr.append(rare)
        a = np.concatenate(pa) if pa else np.zeros(0, dtype=np.int64)
        b = np.concatenate(pb) if pb else np.zeros(0, dtype=np.int64)
        rare_all = np.concatenate(pr) if pr else np.zeros(0)
        scores = ov.score(rare_all + self._common_shared(a, b), a, b)
        bounds = np.cumsum([0, *(len(x) for x in pb)])
        for i, row in enumerate(rows):
            sl = slice(bounds[i], bounds[i + 1])
            cols, vals = _best(b[sl], scores[sl], k)
            yield Neighbours(int(row), cols, vals)

    def _upper(self, rare: FloatArray, a: IntArray, b: IntArray) -> FloatArray:
        ov = self.overlap
        if ov.method is Method.JACCARD:
            extra = np.minimum(self.common_total[a], self.common_total[b])
        else:
            extra = np.sqrt(self.common_total[a] * self.common_total[b])
        return np.asarray(ov.score(rare + extra, a, b), dtype=np.float64) + 1e-9


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.zeros_like(num, dtype=np.float64)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def _kth_per_group(group: IntArray, values: FloatArray, k: int, n_groups: int) -> FloatArray:
    """Return each group's k-th largest value (0 for groups with fewer than k values)."""
    out = np.zeros(n_groups, dtype=np.float64)
    if len(values) == 0:
        return out
    order = np.lexsort((-values, group))
    g, vals = group[order], values[order]
    starts = np.searchsorted(g, np.arange(n_groups))
    ends = np.searchsorted(g, np.arange(n_groups), side="right")
    has = ends - starts >= k
    out[has] = vals[starts[has] + k - 1]
    return out


# --- networkx: the graph model and the reference ----------------------------------------------


def feature_graph(fm: FeatureMatrix) -> nx.Graph:
    """Return the weighted trial-feature bipartite graph (features of weight 0 left out).

    Trial nodes are NCT ids (``bipartite=0``), feature nodes their keys (``bipartite=1``, with
    ``family`` and ``label``); each edge's ``weight`` is the feature's weight.
    """
    graph = nx.Graph()
    for row, nct in enumerate(fm.trials):
        graph.add_node(nct, bipartite=0, title=fm.titles[row])
    coo = fm.matrix.tocoo()
    for row, col in zip(coo.row.tolist(), coo.col.tolist(), strict=True):
        weight = float(fm.weights[col])
        if weight <= 0:
            continue
        feat = fm.features[col]
        if feat.key not in graph:
            graph.add_node(feat.key, bipartite=1, family=str(feat.family), label=feat.label)
        graph.add_edge(fm.trials[row], feat.key, weight=weight)
    return graph


def networkx_scores(
    graph: nx.Graph,
    source: str,
    method: Method = Method.JACCARD,
    *,
    damping: float = DEFAULT_DAMPING,
) -> dict[str, float]:
    """Score ``source`` against every other trial of a :func:`feature_graph`, pair by pair.

    The plain reference: set operations on neighbourhoods for the overlap methods,
    ``networkx.pagerank`` (exact, personalised) for the walk.
    """
    trials = [n for n, d in graph.nodes(data=True) if d.get("bipartite") == 0 and n != source]
    if method is Method.PAGERANK:
        if graph.degree(source) == 0:
            return {}
        ranks: dict[str, float] = nx.pagerank(
            graph, alpha=damping, personalization={source: 1.0}, weight="weight", tol=1e-12
        )
        return {t: round(ranks[t], _DECIMALS) for t in trials if ranks.get(t, 0.0) > 0}
    mine = _weighted(graph, source, method)
    out: dict[str, float] = {}
    for other in trials:
        theirs = _weighted(graph, other, method)
        shared = sum(mine[f] for f in mine.keys() & theirs.keys())
        if shared <= 0:
            continue
        if method is Method.JACCARD:
            score = shared / (sum(mine.values()) + sum(theirs.values()) - shared)
        else:
            score = shared / (sum(mine.values()) ** 0.5 * sum(theirs.values()) ** 0.5)
        out[other] = round(min(score, 1.0), _DECIMALS)
    return out


def _weighted(graph: nx.Graph, node: str, method: Method) -> dict[Any, float]:
    power = 1 if method is Method.JACCARD else 2
    return {f: float(d["weight"]) ** power for f, d in graph[node].items()}
