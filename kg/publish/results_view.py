"""What a trial page shows of the posted results: flow, baseline, outcomes with analyses, events.

Read from the store around the trial node (:class:`kg.publish._lookup.Reader`), in the source's
order (``tkg:listPosition`` and the positions in the nodes' IRIs). Tables have one column per
result group of their module, labelled by the group's title and source id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.publish._lookup import SCHEMA, TKG, Reader

__all__ = ["AE_SORTS", "AdverseEventRow", "Analysis", "Results", "Table", "trial_results"]

_POSITION = re.compile(r"/(\d+)(?:/[^/]*)?$")


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table: column headers and rows of cells (the first cell labels the row)."""

    title: str
    note: str | None
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    """One statistical analysis of an outcome measure, as the page shows it."""

    groups: str
    p_value: str | None
    method: str | None
    estimate: str | None
    interval: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A posted outcome measure: its measurements as a table and its analyses."""

    table: Table
    analyses: tuple[Analysis, ...]


@dataclass(frozen=True, slots=True)
class AdverseEventRow:
    """One adverse event of one group; ``rate`` is affected / at risk in percent."""

    seriousness: str
    organ_system: str
    term: str
    group: str
    affected: int | None
    at_risk: int | None
    rate: Decimal | None


# ?ae-sort= keys of the adverse-event table: column label, and the row order (highest first for
# numbers, then the others as tie-breakers).
AE_SORTS: dict[str, str] = {
    "seriousness": "Seriousness",
    "organ": "Organ system",
    "term": "Term",
    "group": "Group",
    "affected": "Affected",
    "at-risk": "At risk",
    "rate": "Rate %",
}


def _ae_key(sort: str) -> Callable[[AdverseEventRow], tuple[object, ...]]:
    def number(value: Decimal | int | None) -> Decimal:
        return -(Decimal(value) if value is not None else Decimal(-1))

    def key(x: AdverseEventRow) -> tuple[object, ...]:
        text = {
            "seriousness": x.seriousness,
            "organ": x.organ_system,
            "term": x.term,
            "group": x.group,
        }
        numbers = {"affected": x.affected, "at-risk": x.at_risk, "rate": x.rate}
        first: object = number(numbers[sort]) if sort in numbers else text[sort].casefold()
        return (first, number(x.rate), x.seriousness, x.term.casefold(), x.group)

    return key


@dataclass(slots=True)
class Results:
    """The results sections of a trial page; empty when the trial posts none."""

    flow: Table | None = None
    baseline: list[Table] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    adverse_events: list[AdverseEventRow] = field(default_factory=list)
    ae_sort: str = "rate"
    ae_columns: tuple[tuple[str, str], ...] = tuple(AE_SORTS.items())

    def __bool__(self) -> bool:
        return bool(self.flow or self.baseline or self.outcomes or self.adverse_events)


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _number(node: ox.NamedNode, r: Reader, key: str) -> int:
    """Order by tkg:listPosition, else the last number in the IRI."""
    stated = r.text(node, TKG + key)
    if stated is not None:
        return int(stated)
    m = _POSITION.search(node.value)
    return int(m.group(1)) if m else 0


class _Groups:
    """Result groups by IRI: their column label "Title (EG000)" and their code for ordering."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        self.labels: dict[str, tuple[str, str]] = {}

    def of(self, node: ox.NamedNode) -> tuple[str, str]:
        if node.value not in self.labels:
            code = self.r.text(node, TKG + "groupCode") or node.value.rsplit("/", 1)[-1]
            title = self.r.text(node, SCHEMA + "name")
            self.labels[node.value] = (code, f"{title} ({code})" if title else code)
        return self.labels[node.value]


def _grid(
    title: str, note: str | None, cells: list[tuple[str, str, str]], groups: dict[str, str]
) -> Table:
    """Lay ``(row label, group code, value)`` cells out as a table, rows and groups in order."""
    codes = sorted(groups)
    row_labels = list(dict.fromkeys(label for label, _, _ in cells))
    values = {(label, code): value for label, code, value in cells}
    rows = tuple(
        (label, *(values.get((label, code), "") for code in codes)) for label in row_labels
    )
    return Table(title, note, ("", *(groups[c] for c in codes)), rows)


def _flow(r: Reader, g: _Groups, trial: ox.NamedNode) -> Table | None:
    entries = [(m, "") for m in r.nodes(trial, TKG + "flowMilestone")]
    entries += [(d, "dropped: ") for d in r.nodes(trial, TKG + "dropReason")]
    if not entries:
        return None
    entries.sort(key=lambda e: _number(e[0], r, "listPosition"))
    cells, groups = [], {}
    for node, prefix in entries:
        label = r.text(node, TKG + "milestoneType") or r.text(node, TKG + "reasonType") or ""
        period = r.text(node, TKG + "period") or ""
        row = f"{period} · {prefix}{label}"
        for count in r.nodes(node, TKG + "groupCount"):
            for group in r.nodes(count, TKG + "group"):
                code, name = g.of(group)
                groups[code] = name
                cells.append((row, code, r.text(count, TKG + "count") or ""))
    return _grid("Participant flow", None, cells, groups)


def _value(r: Reader, x: ox.NamedNode) -> str:
    value = r.text(x, TKG + "value") or r.text(x, TKG + "valueText") or ""
    spread = r.text(x, TKG + "spread")
    low, high = r.text(x, TKG + "lowerLimit"), r.text(x, TKG + "upperLimit")
    if spread is not None:
        value += f" ({spread})"
    elif low is not None or high is not None:
        value += f" ({low or ''} to {high or ''})"
    return value


def _measurements(r: Reader, g: _Groups, owner: ox.NamedNode, title: str, note: str) -> Table:
    cells, groups = [], {}
    for x in sorted(r.nodes(owner, TKG + "measurement"), key=lambda n: _number(n, r, "")):
        parts = [r.text(x, TKG + "className"), r.text(x, TKG + "categoryName")]
        row = " · ".join(p for p in parts if p) or "value"
        for group in r.nodes(x, TKG + "group"):
            code, name = g.of(group)
            groups[code] = name
            cells.append((row, code, _value(r, x)))
    return _grid(title, note, cells, groups)


def _describe(r: Reader, node: ox.NamedNode) -> str:
    """The unit, parameter and dispersion of a measure, as a short note."""
    param, dispersion = r.nodes(node, TKG + "paramType"), r.nodes(node, TKG + "dispersionType")
    parts = [r.text(node, TKG + "unit")]
    parts += [r.label(c) for c in param] + [r.label(c) for c in dispersion]
    return " · ".join(p for p in parts if p)


def _baseline(r: Reader, g: _Groups, trial: ox.NamedNode) -> list[Table]:
    tables = []
    measures = r.nodes(trial, TKG + "baselineMeasure")
    for b in sorted(measures, key=lambda n: _number(n, r, "listPosition")):
        tables.append(_measurements(r, g, b, r.label(b), _describe(r, b)))
    return tables


def _analysis(r: Reader, g: _Groups, a: ox.NamedNode) -> Analysis:
    groups = ", ".join(g.of(x)[1] for x in r.nodes(a, TKG + "group"))
    estimate = " ".join(
        v for v in (r.text(a, TKG + "analysisParamType"), r.text(a, TKG + "paramValue")) if v
    )
    low, high = r.text(a, TKG + "ciLowerLimit"), r.text(a, TKG + "ciUpperLimit")
    level = r.text(a, TKG + "ciPercent")
    interval = (
        f"{level + '% CI ' if level else ''}{low or ''} to {high or ''}" if low or high else None
    )
    return Analysis(
        groups,
        r.text(a, TKG + "pValue"),
        r.text(a, TKG + "statisticalMethod"),
        estimate or None,
        interval,
    )


def _outcomes(r: Reader, g: _Groups, trial: ox.NamedNode) -> list[Outcome]:
    out = []
    for o in sorted(
        r.nodes(trial, TKG + "resultOutcome"), key=lambda n: _number(n, r, "listPosition")
    ):
        kind = r.nodes(o, TKG + "outcomeType")
        title = f"{r.label(kind[0]) + ': ' if kind else ''}{r.label(o)}"
        measurements = [x for x in r.nodes(o, TKG + "measurement")]
        note = _describe(r, measurements[0]) if measurements else "no data posted"
        table = _measurements(r, g, o, title, note)
        analyses = sorted(r.nodes(o, TKG + "analysis"), key=lambda n: _number(n, r, ""))
        out.append(Outcome(table, tuple(_analysis(r, g, a) for a in analyses)))
    return out


def _rate(affected: int | None, at_risk: int | None) -> Decimal | None:
    if affected is None or not at_risk:
        return None
    try:
        return (Decimal(100 * affected) / Decimal(at_risk)).quantize(Decimal("0.01"))
    except InvalidOperation:  # pragma: no cover - finite integers always divide
        return None


def _adverse_events(r: Reader, g: _Groups, trial: ox.NamedNode) -> list[AdverseEventRow]:
    rows = []
    for e in r.nodes(trial, TKG + "adverseEvent"):
        seriousness = " ".join(r.label(c) for c in r.nodes(e, TKG + "seriousness"))
        term, organ = r.text(e, TKG + "term") or "", r.text(e, TKG + "organSystem") or ""
        for stats in r.nodes(e, TKG + "eventStats"):
            affected, at_risk = (
                _int(r.text(stats, TKG + "affected")),
                _int(r.text(stats, TKG + "atRisk")),
            )
            group = " ".join(g.of(x)[1] for x in r.nodes(stats, TKG + "group"))
            rows.append(
                AdverseEventRow(
                    seriousness, organ, term, group, affected, at_risk, _rate(affected, at_risk)
                )
            )
    return rows


def trial_results(r: Reader, trial: ox.NamedNode, ae_sort: str | None = None) -> Results:
    """Collect the results sections of a trial page (empty when it posts no results).

    ``ae_sort`` orders the adverse-event rows by one of :data:`AE_SORTS` (default and unknown
    keys: by rate, highest first).
    """
    g = _Groups(r)
    sort = ae_sort if ae_sort in AE_SORTS else "rate"
    events = sorted(_adverse_events(r, g, trial), key=_ae_key(sort))
    return Results(
        flow=_flow(r, g, trial),
        baseline=_baseline(r, g, trial),
        outcomes=_outcomes(r, g, trial),
        adverse_events=events,
        ae_sort=sort,
    )
