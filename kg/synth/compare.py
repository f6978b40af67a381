"""Table synthetic against real distributions (Markdown), both measured by the same code."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from kg.errors import InputError
from kg.mapping import map_trial
from kg.sources.ctgov_json import parse_study
from kg.synth._dist import summary
from kg.synth.fit import read_studies
from kg.synth.observe import Observations
from kg.synth.write import iter_documents
from kg.terms import DEFAULT_BASE, Minter

__all__ = ["QUANTITIES", "compare_table", "compare_with_real", "count_triples", "measure"]

QUANTITIES: list[tuple[str, str]] = [
    ("sponsors (lead + collaborators)", "sponsors"),
    ("collaborators", "collaborators"),
    ("sites", "sites"),
    ("countries (trials with sites)", "countries"),
    ("interventions", "interventions"),
    ("arms", "arms"),
    ("conditions", "conditions"),
    ("keywords", "keywords"),
    ("condition MeSH terms", "condition_meshes"),
    ("references", "references"),
    ("overall officials", "officials"),
    ("primary outcomes", "primary_outcomes"),
    ("secondary outcomes", "secondary_outcomes"),
    ("inclusion criteria (bullets)", "inclusion_criteria"),
    ("exclusion criteria (bullets)", "exclusion_criteria"),
    ("enrollment", "enrollment"),
    ("brief title (chars)", "brief_title_chars"),
    ("brief summary (chars)", "brief_summary_chars"),
    ("detailed description (chars)", "detailed_description_chars"),
    ("eligibility criteria (chars)", "eligibility_chars"),
    ("citation (chars, per reference)", "citation_chars"),
    ("study JSON (bytes)", "study_bytes"),
    ("triples per trial (kg mapping)", "triples"),
]
_CODES = [
    ("study type", "study_type"),
    ("status", "status"),
    ("phases", "phase_combination"),
    ("lead sponsor class", "lead_class"),
    ("site country (trials)", "trial_country"),
]


def count_triples(study: Mapping[str, Any], minter: Minter | None = None) -> int:
    """Return how many distinct triples kg maps one API v2 study to (0 when it cannot read it)."""
    try:
        trial = parse_study(study, "synth")
    except InputError:
        return 0
    return len(dict.fromkeys(map_trial(trial, minter or Minter(DEFAULT_BASE))))


def measure(
    studies: Iterable[tuple[Mapping[str, Any], int]], *, triples: bool = True
) -> Observations:
    """Measure (study, size in bytes) pairs, with kg's triple count per study when asked."""
    obs = Observations()
    minter = Minter(DEFAULT_BASE)
    for study, size in studies:
        obs.add(study, size=size)
        if triples:
            obs.values["triples"].append(count_triples(study, minter))
    return obs


def compare_with_real(
    paths: Iterable[Path], params: dict[str, Any], n: int, *, seed: int = 0, jobs: int = 1
) -> str:
    """Measure real records and ``n`` synthetic studies; return the comparison tables."""
    real = measure(read_studies(sorted(paths)))
    synthetic, head = Observations(), Observations()
    minter = Minter(DEFAULT_BASE)
    for i, doc in enumerate(iter_documents(params, n, seed=seed, jobs=jobs)):
        study = orjson.loads(doc)
        synthetic.add(study, size=len(doc))
        synthetic.values["triples"].append(count_triples(study, minter))
        if i < real.studies:
            head.add(study)
    return compare_table(real, synthetic, head)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def _share(values: Iterable[str]) -> Counter[str]:
    counts = Counter(values)
    total = sum(counts.values()) or 1
    return Counter({k: v / total for k, v in counts.items()})


def compare_table(real: Observations, synthetic: Observations, real_head: Observations) -> str:
    """Return Markdown tables comparing real and synthetic studies.

    ``real_head`` holds the first synthetic studies, as many as there are real ones, for the
    statistics that depend on the sample size (distinct names).
    """
    lines = [
        f"Real: {real.studies:,} API v2 records; synthetic: {synthetic.studies:,} studies. "
        "Max depends on the sample size (the synthetic sites and enrollment have a fitted "
        "Pareto tail, so a larger registry reaches beyond the real maximum).",
        "",
        "| quantity per trial | data | mean | median | p90 | p99 | max |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, key in QUANTITIES:
        for name, obs in (("real", real), ("synthetic", synthetic)):
            stats = summary(obs.values.get(key, []))
            cells = " | ".join(_fmt(stats[k]) for k in ("mean", "median", "p90", "p99", "max"))
            lines.append(f"| {label if name == 'real' else ''} | {name} | {cells} |")
    lines += ["", "| shares | real | synthetic |", "|---|---:|---:|"]
    for label, fn in _SHARES:
        lines.append(f"| {label} | {fn(real):.2%} | {fn(synthetic):.2%} |")
    lines += ["", _pool_table(real, real_head), "", "| coded value | real | synthetic |"]
    lines.append("|---|---:|---:|")
    for label, key in _CODES:
        r, s = _share(real.codes.get(key, [])), _share(synthetic.codes.get(key, []))
        for code, share in r.most_common(6 if key != "trial_country" else 8):
            lines.append(f"| {label}: {code or '(none)'} | {share:.1%} | {s.get(code, 0):.1%} |")
    return "\n".join(lines)


def _true_share(obs: Observations, prefix: str) -> float:
    values = [v for k, vs in obs.codes.items() if k.startswith(prefix) for v in vs]
    return sum(v == "True" for v in values) / (len(values) or 1)


def _above(obs: Observations, key: str, limit: float) -> float:
    values = obs.values.get(key, [])
    return sum(v > limit for v in values) / (len(values) or 1)


def _no_site(obs: Observations) -> float:
    return _above(obs, "sites", -1) - _above(obs, "sites", 0)


_SHARES: list[tuple[str, Callable[[Observations], float]]] = [
    ("trials with results", functools.partial(_true_share, prefix="has_results:")),
    ("trials with > 1,000 sites", functools.partial(_above, key="sites", limit=1000)),
    ("trials with no site", _no_site),
]


def _pool_table(real: Observations, head: Observations) -> str:
    lines = [
        f"| names, first {real.studies:,} trials | real | synthetic |",
        "|---|---:|---:|",
    ]
    for label, pool in (
        ("lead sponsors", "lead"),
        ("sponsors (lead + collaborators)", "sponsor"),
        ("facilities (non-generic)", "facility"),
        ("conditions", "condition"),
        ("interventions", "intervention"),
    ):
        r, h = real.mentions(pool), head.mentions(pool)
        lines.append(f"| {label}: distinct / mentions | {_ratio(r)} | {_ratio(h)} |")
        lines.append(f"| {label}: share of the most frequent | {_top(r)} | {_top(h)} |")
    return "\n".join(lines)


def _ratio(names: list[str] | Any) -> str:
    return f"{len(set(names)):,} / {len(names):,}"


def _top(names: list[str] | Any) -> str:
    if not names:
        return "-"
    return f"{Counter(names).most_common(1)[0][1] / len(names):.1%}"
