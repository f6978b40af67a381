"""Benchmark: top-10 similar trials for every trial, 10k and 100k trials, vs a networkx loop.

The feature matrix is synthesised directly (building a 100k-trial store only to read it back
would measure the build, not the similarity): each family of features gets as many features per
trial, and as heavy a tail, as the shared records have (seed + 594 JSON + 113 XML records,
measured with ``kg.similarity.features.load_features``), open vocabularies (conditions, words,
sites, sponsors...) grow with the number of trials like n^0.7 (Heaps' law), popular values follow
a Zipf law, and trials cluster into topics that draw most of their open features from the topic's
own slice of the vocabulary. Closed vocabularies (sex, age band, phase, design codes, countries)
stay fixed, so their features are shared by a large part of every registry, as in the real one.

Each case runs in a fresh process so its peak memory (ru_maxrss) is its own.

Run: ``python benchmarks/bench_similarity.py [--sizes 10000 100000] [--store DIR]``
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.similarity.features import Family, Feature, FeatureMatrix  # noqa: E402
from kg.similarity.methods import (  # noqa: E402
    Method,
    feature_graph,
    networkx_scores,
    top_k,
    top_k_all,
)

# family: (features per trial at the mean, lognormal sigma of the count, vocabulary at 708
# trials, open vocabulary?), measured on the shared records.
PROFILE: dict[Family, tuple[float, float, int, bool]] = {
    Family.AGE: (1.9, 0.2, 3, False),
    Family.CONDITION: (2.0, 0.6, 881, True),
    Family.CONDITION_MESH: (1.5, 0.6, 387, True),
    Family.CONDITION_MESH_ANCESTOR: (4.3, 0.7, 485, True),
    Family.COUNTRY: (4.1, 1.2, 99, False),
    Family.DESIGN: (4.6, 0.1, 35, False),
    Family.INTERVENTION: (3.4, 0.8, 1784, True),
    Family.INTERVENTION_MESH: (0.6, 0.8, 210, True),
    Family.INTERVENTION_MESH_ANCESTOR: (2.0, 0.9, 317, True),
    Family.INTERVENTION_TYPE: (1.1, 0.3, 10, False),
    Family.INVESTIGATOR: (0.9, 0.7, 588, True),
    Family.KEYWORD: (3.1, 0.8, 1671, True),
    Family.PHASE: (0.9, 0.3, 6, False),
    Family.PUBLICATION: (3.3, 1.3, 2292, True),
    Family.SEX: (1.0, 0.0, 3, False),
    Family.SITE: (30.4, 1.6, 13350, True),
    Family.SPONSOR: (1.8, 0.7, 781, True),
    Family.SUMMARY_TERM: (51.6, 0.7, 16169, True),
    Family.TERM: (26.1, 0.4, 8203, True),
}
HEAPS = 0.7
TOPIC_SHARE = 0.7  # of a trial's open features drawn from its topic's slice


def synthesise(n: int, seed: int = 42) -> FeatureMatrix:
    """Return a synthetic trial-feature matrix of ``n`` trials shaped like the shared records."""
    rng = np.random.default_rng(seed)
    topics = max(1, n // 40)
    topic = np.minimum(rng.zipf(1.3, n) - 1, topics - 1)
    rows_all: list[np.ndarray] = []
    cols_all: list[np.ndarray] = []
    features: list[Feature] = []
    for family, (mean, sigma, vocab708, open_) in PROFILE.items():
        vocab = max(2, int(vocab708 * (n / 708) ** HEAPS)) if open_ else vocab708
        mu = math.log(mean) - sigma**2 / 2
        counts = np.minimum(np.rint(rng.lognormal(mu, sigma, n)).astype(np.int64), 600)
        total = int(counts.sum())
        ranks = np.arange(1, vocab + 1, dtype=np.float64)
        cdf = np.cumsum(1.0 / ranks)
        cdf /= cdf[-1]
        draw = np.searchsorted(cdf, rng.random(total))
        rows = np.repeat(np.arange(n, dtype=np.int64), counts)
        if open_:
            local = rng.random(total) < TOPIC_SHARE
            slice_ = max(vocab // topics, 8)
            offset = (topic[rows] * 7919) % vocab
            draw = np.where(local, (offset + draw % slice_) % vocab, draw)
        rows_all.append(rows)
        cols_all.append(len(features) + draw.astype(np.int64))
        features.extend(Feature(family, f"{family}:{i}", str(i)) for i in range(vocab))
    trials = [f"NCT{i:08d}" for i in range(n)]
    return FeatureMatrix.from_arrays(
        trials, features, np.concatenate(rows_all), np.concatenate(cols_all)
    )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(n: int, method: Method, exact: bool) -> dict[str, float | int | str]:
    """Time top-10 for every trial of a synthetic matrix, in this process."""
    fm = synthesise(n)
    before = _rss_mb()
    start = time.perf_counter()
    found = sum(len(nb.targets) for nb in top_k_all(fm, 10, method, exact=exact))
    seconds = time.perf_counter() - start
    return {
        "n": n,
        "method": str(method),
        "mode": "exact" if exact else "fast",
        "nnz": int(fm.matrix.nnz),
        "features": len(fm.features),
        "seconds": round(seconds, 2),
        "trials_per_s": round(n / seconds),
        "peak_rss_mb": round(_rss_mb()),
        "matrix_rss_mb": round(before),
        "answers": found,
    }


def run_baseline(n: int) -> dict[str, float | int | str]:
    """Time a pure-networkx pairwise loop (weighted Jaccard) and the sparse path on one matrix."""
    fm = synthesise(n)
    graph = feature_graph(fm)
    start = time.perf_counter()
    reference = {}
    for nct in fm.trials:
        scores = networkx_scores(graph, nct, Method.JACCARD)
        reference[nct] = sorted(scores, key=lambda t: (-scores[t], t))[:10]
    nx_seconds = time.perf_counter() - start
    start = time.perf_counter()
    fast = {fm.trials[nb.source]: [fm.trials[t] for t in nb.targets] for nb in top_k_all(fm, 10)}
    sp_seconds = time.perf_counter() - start
    return {
        "n": n,
        "networkx_seconds": round(nx_seconds, 2),
        "sparse_seconds": round(sp_seconds, 3),
        "speedup": round(nx_seconds / sp_seconds),
        "same_top10": fast == reference,
    }


def run_agreement(n: int, sample: int = 200) -> dict[str, float | int | str]:
    """Compare fast-mode top-10 with exact single-trial answers on a sample of trials."""
    fm = synthesise(n)
    fast = {nb.source: list(nb.targets) for nb in top_k_all(fm, 10, exact=False)}
    rows = np.linspace(0, n - 1, sample).astype(np.int64)
    overlap, identical = [], []
    for row in rows:
        exact = list(top_k(fm, int(row), 10).targets)
        overlap.append(len(set(exact) & set(fast[int(row)])) / max(1, len(exact)))
        identical.append(exact == fast[int(row)])
    return {
        "n": n,
        "fast_vs_exact_overlap_at_10": round(float(np.mean(overlap)), 3),
        "fast_vs_exact_identical": round(float(np.mean(identical)), 3),
    }


def run_store(path: Path) -> dict[str, float | int | str]:
    """Time reading the features of a real store and top-10 for each of its trials."""
    from kg.similarity.features import load_features
    from kg.sinks import open_store

    store = open_store(path)
    start = time.perf_counter()
    fm = load_features(store)
    read = time.perf_counter() - start
    out: dict[str, float | int | str] = {"n": len(fm.trials), "read_seconds": round(read, 2)}
    for method in Method:
        start = time.perf_counter()
        for _ in top_k_all(fm, 10, method):
            pass
        out[f"{method}_seconds"] = round(time.perf_counter() - start, 2)
    return out


def _in_subprocess(*args: str) -> dict[str, float | int | str]:
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--one", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float | int | str] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    """Run every case, each in its own process, and print one JSON line per case and a summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--methods", nargs="+", default=["jaccard", "cosine", "pagerank"])
    parser.add_argument(
        "--pagerank-max", type=int, default=10_000, help="largest size to run pagerank at"
    )
    parser.add_argument(
        "--exact-sizes", type=int, nargs="*", default=[10_000], help="sizes to run exact jaccard at"
    )
    parser.add_argument("--baseline", type=int, default=400, help="networkx loop size")
    parser.add_argument("--store", type=Path, default=None, help="also time a real store")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind = args.one[0]
        if kind == "case":
            result = run_case(int(args.one[1]), Method(args.one[2]), args.one[3] == "exact")
        elif kind == "baseline":
            result = run_baseline(int(args.one[1]))
        elif kind == "agreement":
            result = run_agreement(int(args.one[1]))
        else:
            result = run_store(Path(args.one[1]))
        print(json.dumps(result))
        return
    results = []
    for method in args.methods:
        for n in args.sizes:
            if method == "pagerank" and n > args.pagerank_max:
                continue
            results.append(_in_subprocess("case", str(n), method, "fast"))
            print(json.dumps(results[-1]), flush=True)
    for n in args.exact_sizes:
        print(json.dumps(_in_subprocess("case", str(n), "jaccard", "exact")), flush=True)
    for n in args.exact_sizes:
        print(json.dumps(_in_subprocess("agreement", str(n))), flush=True)
    print(json.dumps(_in_subprocess("baseline", str(args.baseline))), flush=True)
    if args.store:
        print(json.dumps(_in_subprocess("store", str(args.store))), flush=True)
    for method in args.methods:
        runs = sorted((r for r in results if r["method"] == method), key=lambda r: r["n"])
        if len(runs) >= 2:
            a, b = runs[0], runs[-1]
            ratio = math.log(float(b["n"]) / float(a["n"]))
            growth = math.log(float(b["seconds"]) / float(a["seconds"])) / ratio
            memory = math.log(float(b["peak_rss_mb"]) / float(a["peak_rss_mb"])) / ratio
            print(f"{method}: time grows as n^{growth:.2f}, peak memory as n^{memory:.2f}")


if __name__ == "__main__":
    main()
