"""Distributions the synthetic registry samples from, each fitted on real values.

Three models, each a plain JSON-able dict so the fitted parameters can be committed and read back:

- :func:`fit_spliced` / :func:`sample_spliced`: a number per trial (sites, text length). The share
  of zeros, then the empirical quantile function of the other values (101 percentiles, linearly
  interpolated) and, for heavy-tailed quantities, a Pareto tail above a threshold with its index
  fitted by the Hill estimator, so large registries reach beyond the largest value seen.
- :func:`fit_categorical` / :func:`sample_categorical`: a coded value, with its observed weights.
- :func:`fit_pool` / :func:`sample_rank`: which name (organisation, facility, condition) a mention
  uses. Ranks follow a discretised Pareto II law, ``P(rank >= r) = ((r + q) / (1 + q)) ** -(s - 1)``
  (a Zipf-Mandelbrot-like skew: mass ~ ``(r + q) ** -s``). It has no upper bound, so new names keep
  appearing as the registry grows (Heaps' law, about ``n ** (1 / s)`` distinct names), and ``s``
  and ``q`` are fitted so that a sample of the real size has the real number of distinct names and
  the real share of the most frequent one.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "expected_distinct",
    "fit_categorical",
    "fit_pool",
    "fit_spliced",
    "percentile",
    "sample_categorical",
    "sample_rank",
    "sample_spliced",
    "summary",
]

Params = dict[str, Any]

_LEVELS = 100  # the quantile table holds levels 0/100 ... 100/100


def percentile(sorted_values: Sequence[float], level: float) -> float:
    """Return the ``level`` (0..1) quantile of sorted values, linearly interpolated.

    >>> percentile([1, 2, 3, 4], 0.5), percentile([5], 0.9), percentile([0, 10], 0.25)
    (2.5, 5, 2.5)
    """
    if not sorted_values:
        raise ValueError("no values")
    pos = level * (len(sorted_values) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(sorted_values) - 1)
    frac = pos - low
    if frac == 0:
        return sorted_values[low]
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * frac


def summary(values: Iterable[float]) -> dict[str, float]:
    """Return mean, median, p90, p99 and max of some values (all 0 when there are none).

    >>> summary([1, 2, 3, 10])
    {'mean': 4.0, 'median': 2.5, 'p90': 7.9, 'p99': 9.79, 'max': 10}
    """
    data = sorted(values)
    if not data:
        return {"mean": 0.0, "median": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "mean": sum(data) / len(data),
        "median": percentile(data, 0.5),
        "p90": round(percentile(data, 0.9), 6),
        "p99": round(percentile(data, 0.99), 6),
        "max": data[-1],
    }


def fit_spliced(
    values: Iterable[float], *, tail: float = 0.0, cap: float | None = None, integer: bool = True
) -> Params:
    """Fit the zero share, the quantiles of the non-zero values and an optional Pareto tail.

    ``tail`` is the share of the non-zero values (0.05: the top 5%) above which a Pareto law with
    the Hill index replaces the empirical quantiles; ``cap`` bounds what the tail can draw.

    >>> p = fit_spliced([0, 0, 1, 2, 3, 4])
    >>> p["zero"], p["q"][0], p["q"][-1]
    (0.3333, 1, 4)
    """
    data = list(values)
    nonzero = sorted(v for v in data if v != 0)
    params: Params = {
        "zero": round(1 - len(nonzero) / len(data), 4) if data else 1.0,
        "q": [_tidy(percentile(nonzero, i / _LEVELS)) for i in range(_LEVELS + 1)]
        if nonzero
        else [],
        "integer": integer,
    }
    positive = [v for v in nonzero if v > 0]
    k = int(len(positive) * tail)
    if tail > 0 and k >= 10:
        threshold = positive[-k - 1]
        alpha = k / sum(math.log(v / threshold) for v in positive[-k:])
        params["tail"] = {"share": tail, "from": threshold, "alpha": round(alpha, 4)}
        params["cap"] = cap if cap is not None else positive[-1]
    return params


def _tidy(value: float) -> float:
    return int(value) if float(value).is_integer() else round(value, 3)


def sample_spliced(params: Params, rng: random.Random) -> float:
    """Draw one value from a fitted spliced model (an int when the model counts things)."""
    u = rng.random()
    zero: float = params["zero"]
    table: list[float] = params["q"]
    if u < zero or not table:
        return 0
    v = (u - zero) / (1 - zero)
    tail = params.get("tail")
    if tail is not None and v > 1 - tail["share"]:
        value = tail["from"] * ((1 - v) / tail["share"]) ** (-1 / tail["alpha"])
        value = min(value, params["cap"])
    else:
        pos = v * _LEVELS
        low = min(int(pos), _LEVELS - 1)
        value = table[low] + (table[low + 1] - table[low]) * (pos - low)
    if params["integer"]:
        return max(int(value + 0.5), 1) if value > 0 else int(value - 0.5)
    return float(value)


def fit_categorical(values: Iterable[object]) -> dict[str, int]:
    """Count each value (as a string; None becomes ``""``), most frequent first.

    >>> fit_categorical(["A", "B", "A", None])
    {'A': 2, 'B': 1, '': 1}
    """
    counts = Counter("" if v is None else str(v) for v in values)
    return dict(counts.most_common())


def sample_categorical(weights: dict[str, int], rng: random.Random) -> str:
    """Draw one value of a fitted categorical (``""`` stands for absent)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def sample_rank(pool: Params, rng: random.Random) -> int:
    """Draw a rank (1, 2, ...) of a fitted name pool; rank 1 is the most frequent name."""
    s, q = pool["s"], pool["q"]
    exponent = -math.log(1.0 - rng.random()) / (s - 1)
    if exponent > 40:  # beyond 10**17: a name drawn once, whatever its rank; no float overflow
        return (1 << 60) + rng.getrandbits(59)
    return int((1 + q) * math.exp(exponent) - q)


def _rank_mass(s: float, q: float, r: int) -> float:
    """Return P(rank == r) under the discretised Pareto II law of :func:`sample_rank`."""
    return float(((r + q) / (1 + q)) ** (1 - s) - ((r + 1 + q) / (1 + q)) ** (1 - s))


def expected_distinct(s: float, q: float, draws: int) -> float:
    """Return the expected number of distinct ranks among ``draws`` draws.

    Once a rank is so rare that ``draws`` draws hit it less than once in a thousand times, every
    rarer rank is drawn at most once: the rest adds ``draws`` times its total mass.

    >>> round(expected_distinct(2.0, 0.0, 1), 6), round(expected_distinct(1.5, 0.0, 100), 1)
    (1.0, 35.4)
    """
    total = 0.0
    r = 1
    while r < 200_000:
        mass = _rank_mass(s, q, r)
        if draws * mass < 1e-3:
            break
        total += 1 - (1 - mass) ** draws
        r += 1
    return total + draws * float(((r + q) / (1 + q)) ** (1 - s))


def _shift_for_top_share(s: float, top: float) -> float:
    """Return the shift ``q`` that gives rank 1 the probability ``top`` (0 when it cannot)."""
    a = float((1 - top) ** (1 / (s - 1)))  # (1 + q) / (2 + q)
    if a <= 0.5:
        return 0.0
    return (2 * a - 1) / (1 - a)


def fit_pool(groups: Mapping[str, Sequence[str]]) -> Params:
    """Fit ``s`` and ``q`` on names as mentioned: match the distinct count and the top share.

    Each group is a separate pool sharing the law (organisations of one agency class, facilities
    of one country); the top share is the mean over groups of 30 mentions or more, weighted by
    their mentions. Returns the law with the statistics it was fitted to.
    """
    sizes = {g: len(m) for g, m in groups.items() if m}
    distinct = sum(len(set(m)) for m in groups.values())
    if not sizes:  # nothing to fit: every mention a new name, almost
        return {"s": 1.5, "q": 0.0, "fitted_on": {"mentions": 0}}
    big = {g: n for g, n in sizes.items() if n >= 30} or sizes
    top = sum(Counter(groups[g]).most_common(1)[0][1] for g in big) / sum(big.values())
    top = min(max(top, 1e-4), 0.5)
    low, high = 1.01, 6.0
    for _ in range(30):  # E[distinct] falls as s rises (q following the top share)
        mid = (low + high) / 2
        q = _shift_for_top_share(mid, top)
        if sum(expected_distinct(mid, q, n) for n in sizes.values()) > distinct:
            low = mid
        else:
            high = mid
    s = round((low + high) / 2, 4)
    return {
        "s": s,
        "q": round(_shift_for_top_share(s, top), 4),
        "fitted_on": {
            "mentions": sum(sizes.values()),
            "distinct": distinct,
            "pools": len(sizes),
            "top_share": round(top, 4),
        },
    }
