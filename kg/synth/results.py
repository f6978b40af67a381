"""Synthetic ``resultsSection``: every module of API v2 results, at a given size in bytes.

The size comes from the fitted ``results_bytes`` distribution (:mod:`kg.synth.generate`); it is
shared among the modules as in the shared records with results (31 API v2 records, bytes written
with indent 2): outcome measures 54%, baseline 21%, adverse events 18%, participant flow 6%, more
information under 1%. Groups, classes and categories are of the sizes those records show (2-4
groups, a few categories per baseline measure, an analysis for about a third of the outcomes).
"""

from __future__ import annotations

import random
from typing import Any

from kg.synth._text import Lexicon

__all__ = ["results_section"]

Study = dict[str, Any]
_SHARES = {"outcomes": 0.544, "baseline": 0.213, "events": 0.18, "flow": 0.056}
_PARAMS = ("MEAN", "MEDIAN", "COUNT_OF_PARTICIPANTS", "NUMBER", "LEAST_SQUARES_MEAN")
_DISPERSIONS = {"MEAN": "Standard Deviation", "MEDIAN": "Inter-Quartile Range",
                "LEAST_SQUARES_MEAN": "Standard Error"}  # fmt: skip
_KINDS = ("SECONDARY", "SECONDARY", "OTHER_PRE_SPECIFIED")
_METHODS = ("ANCOVA", "t-test, 2 sided", "Mixed Models Analysis")
_REASONS = ("Lost to Follow-up", "Withdrawal by Subject", "Adverse Event", "Physician Decision")


def _groups(prefix: str, n: int, rng: random.Random, lex: Lexicon) -> list[Study]:
    return [
        {"id": f"{prefix}{i:03d}", "title": lex.title(rng, 30), "description": lex.text(rng, 120)}
        for i in range(n)
    ]


def _size(part: object) -> int:
    """Bytes of a part as written with indent 2, estimated from its repr (about 1.7x)."""
    return int(len(repr(part)) * 1.7)


def _flow(n: int, budget: float, rng: random.Random, lex: Lexicon) -> Study:
    groups = _groups("FG", n, rng, lex)
    started = [rng.randint(10, 300) for _ in range(n)]
    completed = [s - rng.randint(0, s // 4) for s in started]

    def counts(values: list[int]) -> list[Study]:
        return [
            {"groupId": g["id"], "numSubjects": str(v)} for g, v in zip(groups, values, strict=True)
        ]

    period: Study = {
        "title": "Overall Study",
        "milestones": [
            {"type": "STARTED", "achievements": counts(started)},
            {"type": "COMPLETED", "achievements": counts(completed)},
            {
                "type": "NOT COMPLETED",
                "achievements": counts([s - c for s, c in zip(started, completed, strict=True)]),
            },
        ],
    }
    module: Study = {"groups": groups, "periods": [period]}
    reasons: list[Study] = []
    left = [s - c for s, c in zip(started, completed, strict=True)]
    while _size(module) + _size(reasons) < budget and len(reasons) < len(_REASONS):
        share = [rng.randint(0, v) for v in left]
        left = [v - s for v, s in zip(left, share, strict=True)]
        reasons.append({"type": _REASONS[len(reasons)], "reasons": counts(share)})
    if reasons:
        period["dropWithdraws"] = reasons
    return module


def _measurements(groups: list[Study], param: str, rng: random.Random) -> list[Study]:
    out = []
    for g in groups:
        m: Study = {"groupId": g["id"]}
        if param == "COUNT_OF_PARTICIPANTS":
            m["value"] = str(rng.randint(0, 150))
        else:
            m["value"] = "NA" if rng.random() < 0.01 else f"{rng.uniform(0, 100):.1f}"
            if param in _DISPERSIONS:
                m["spread"] = f"{rng.uniform(0.5, 20):.2f}"
        out.append(m)
    return out


def _measure(groups: list[Study], rng: random.Random, lex: Lexicon) -> Study:
    param = rng.choice(_PARAMS)
    categories = rng.choice((1, 1, 2, 3, 5)) if param == "COUNT_OF_PARTICIPANTS" else 1
    measure: Study = {
        "title": lex.title(rng, 40),
        "paramType": param,
        "unitOfMeasure": "Participants" if param == "COUNT_OF_PARTICIPANTS" else lex.title(rng, 15),
        "classes": [
            {"categories": [
                {**({"title": lex.title(rng, 20)} if categories > 1 else {}),
                 "measurements": _measurements(groups, param, rng)}
                for _ in range(categories)
            ]}
        ],
    }  # fmt: skip
    if param in _DISPERSIONS:
        measure["dispersionType"] = _DISPERSIONS[param].upper().replace(" ", "_").replace("-", "_")
    return measure


def _baseline(n: int, budget: float, rng: random.Random, lex: Lexicon) -> Study:
    groups = _groups("BG", n, rng, lex)
    analyzed = [str(rng.randint(10, 300)) for _ in groups]
    module: Study = {
        "groups": groups,
        "denoms": [{"units": "Participants", "counts": [
            {"groupId": g["id"], "value": v} for g, v in zip(groups, analyzed, strict=True)]}],
        "measures": [],
    }  # fmt: skip
    while _size(module) < budget or not module["measures"]:
        module["measures"].append(_measure(groups, rng, lex))
    return module


def _outcomes(n: int, budget: float, rng: random.Random, lex: Lexicon) -> Study:
    measures: list[Study] = []
    spent = 0
    while spent < budget or not measures:
        groups = _groups("OG", n, rng, lex)
        measure = _measure(groups, rng, lex)
        if "dispersionType" in measure:  # outcome measures write the label, not the code
            measure["dispersionType"] = _DISPERSIONS[measure["paramType"]]
        measure |= {
            "type": rng.choice(_KINDS) if measures else "PRIMARY",
            "description": lex.text(rng, 200),
            "reportingStatus": "POSTED",
            "timeFrame": lex.title(rng, 25),
            "groups": groups,
            "denoms": [{"units": "Participants", "counts": [
                {"groupId": g["id"], "value": str(rng.randint(10, 300))} for g in groups]}],
        }  # fmt: skip
        if rng.random() < 0.3 and n > 1:
            p = rng.random()
            measure["analyses"] = [{
                "groupIds": [g["id"] for g in groups[:2]],
                "nonInferiorityType": "SUPERIORITY",
                "pValue": "<0.001" if p < 0.1 else f"{p:.3f}",
                "statisticalMethod": rng.choice(_METHODS),
                "paramType": "Mean Difference (Final Values)",
                "paramValue": f"{rng.uniform(-10, 10):.2f}",
                "ciPctValue": "95", "ciNumSides": "TWO_SIDED",
                "ciLowerLimit": f"{rng.uniform(-20, -10):.2f}",
                "ciUpperLimit": f"{rng.uniform(10, 20):.2f}",
            }]  # fmt: skip
        measures.append(measure)
        spent += _size(measure)
    return {"outcomeMeasures": measures}


def _events(n: int, budget: float, rng: random.Random, lex: Lexicon) -> Study:
    at_risk = [rng.randint(10, 300) for _ in range(n)]
    groups = [
        {**g, "seriousNumAffected": rng.randint(0, r // 5), "seriousNumAtRisk": r,
         "otherNumAffected": rng.randint(0, r // 2), "otherNumAtRisk": r,
         "deathsNumAffected": rng.randint(0, 2), "deathsNumAtRisk": r}
        for g, r in zip(_groups("EG", n, rng, lex), at_risk, strict=True)
    ]  # fmt: skip
    lists: dict[str, list[Study]] = {"seriousEvents": [], "otherEvents": []}
    spent = _size(groups)
    while spent < budget:
        key = "seriousEvents" if rng.random() < 0.25 else "otherEvents"
        event = {
            "term": lex.title(rng, 25),
            "organSystem": lex.title(rng, 30),
            "sourceVocabulary": "MedDRA 26.0",
            "assessmentType": "SYSTEMATIC_ASSESSMENT",
            "stats": [
                {"groupId": g["id"], "numEvents": rng.randint(0, 20),
                 "numAffected": rng.randint(0, r // 10), "numAtRisk": r}
                for g, r in zip(groups, at_risk, strict=True)
            ],
        }  # fmt: skip
        lists[key].append(event)
        spent += _size(event)
    return {
        "frequencyThreshold": "5",
        "timeFrame": lex.title(rng, 30),
        "eventGroups": groups,
        **{k: v for k, v in lists.items() if v},
    }


def results_section(size: int, rng: random.Random, lex: Lexicon) -> Study:
    """Return a results section of about ``size`` bytes (written with indent 2), every module."""
    n = rng.choice((2, 2, 2, 3, 3, 4))
    return {
        "participantFlowModule": _flow(n, size * _SHARES["flow"], rng, lex),
        "baselineCharacteristicsModule": _baseline(n + 1, size * _SHARES["baseline"], rng, lex),
        "outcomeMeasuresModule": _outcomes(n, size * _SHARES["outcomes"], rng, lex),
        "adverseEventsModule": _events(n, size * _SHARES["events"], rng, lex),
        "moreInfoModule": {
            "pointOfContact": {"title": "Study Director", "organization": lex.title(rng, 30)},
        },
    }
