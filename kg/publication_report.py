"""The reporting gap by sponsor class: completed trials without a results publication, and a chart.

Rows come from the named query ``trials-without-results-publication`` (``which=all``), so the
report and the query agree by construction; trials are grouped by their lead sponsor's agency
class (INDUSTRY, NIH, OTHER, ...). The chart is drawn with matplotlib (Agg backend: no display),
PNG or SVG by the file's extension.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.queries import Cell, bind_params, load_query, run_query

__all__ = ["CHART_FORMATS", "NO_CLASS", "GapRow", "format_gap", "reporting_gap", "write_gap_chart"]

CHART_FORMATS = (".png", ".svg")
NO_CLASS = "(none)"
"""The class of trials whose record gives no lead sponsor class."""


@dataclass(frozen=True, slots=True)
class GapRow:
    """One sponsor class: its eligible completed trials, and how many have a results publication."""

    agency_class: str
    trials: int
    with_results: int
    searched: int
    """Trials kg has searched PubMed for (``kg fetch-publications``)."""

    @property
    def without_results(self) -> int:
        """Return the trials without a results publication."""
        return self.trials - self.with_results

    @property
    def gap(self) -> float:
        """Return the share of trials without a results publication (0 when there are none).

        >>> GapRow("INDUSTRY", 4, 1, 4).gap
        0.75
        """
        return self.without_results / self.trials if self.trials else 0.0


def _int(cell: Cell | None) -> int:
    return int(cell.value) if cell is not None and cell.value.lstrip("-").isdigit() else 0


def reporting_gap(store: ox.Store, *, as_of: date | None = None, years: int = 2) -> list[GapRow]:
    """Return the reporting gap by lead sponsor class, the largest classes first.

    Raises:
        UsageError: ``years`` below 0.
    """
    if years < 0:
        raise UsageError(f"years must be 0 or more, got {years}")
    query = load_query("trials-without-results-publication")
    params = {"years": str(years), "which": "all", "asOf": as_of.isoformat() if as_of else "today"}
    table = run_query(store, query, bind_params(query, params))
    col = {name: k for k, name in enumerate(table.variables)}
    counts: dict[str, list[int]] = {}
    for row in table.rows:
        cls = row[col["agencyClass"]]
        key = cls.value if cls is not None else NO_CLASS
        tally = counts.setdefault(key, [0, 0, 0])
        tally[0] += 1
        tally[1] += _int(row[col["resultsPublications"]]) > 0
        searched = row[col["searched"]]
        tally[2] += searched is not None and searched.value == "true"
    rows = [GapRow(k, *v) for k, v in counts.items()]
    return sorted(rows, key=lambda r: (-r.trials, r.agency_class))


def format_gap(rows: Sequence[GapRow]) -> str:
    """Return the gap as an aligned text table with a total line.

    >>> print(format_gap([GapRow("INDUSTRY", 4, 1, 4)]))
    sponsor class  trials  with results  without  gap  searched
    INDUSTRY            4             1        3  75%         4
    all                 4             1        3  75%         4
    """
    total = GapRow(
        "all",
        sum(r.trials for r in rows),
        sum(r.with_results for r in rows),
        sum(r.searched for r in rows),
    )
    head = ("sponsor class", "trials", "with results", "without", "gap", "searched")
    lines = [
        (
            r.agency_class,
            str(r.trials),
            str(r.with_results),
            str(r.without_results),
            f"{r.gap:.0%}",
            str(r.searched),
        )
        for r in [*rows, total]
    ]
    widths = [max(len(head[k]), *(len(line[k]) for line in lines)) for k in range(len(head))]

    def fmt(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([fmt(head), *(fmt(line) for line in lines)])


def write_gap_chart(rows: Sequence[GapRow], path: Path, *, title: str | None = None) -> None:
    """Draw trials with and without a results publication per class (stacked bars) to ``path``.

    The file is written to a temporary name and renamed, so a failure leaves no partial chart.

    Raises:
        UsageError: the extension is neither .png nor .svg.
    """
    suffix = path.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise UsageError(f"{path}: the chart is .png or .svg, not {suffix or '(none)'!r}")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    labels = [r.agency_class for r in rows]
    with_results = [r.with_results for r in rows]
    without = [r.without_results for r in rows]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(rows) + 2.5), 4.0), layout="constrained")
    try:
        ax.bar(labels, with_results, color="#4c72b0", label="with a results publication")
        bars = ax.bar(labels, without, bottom=with_results, color="#dd8452", label="without")
        ax.bar_label(bars, labels=[f"{r.gap:.0%} without" for r in rows], padding=2)
        ax.set_xlabel("lead sponsor class")
        ax.set_ylabel("completed trials")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title or "Completed trials without a results publication", fontsize=10)
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
        ax.margins(y=0.15)
        folder = path.resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{suffix}"
        try:
            # A fixed date in SVG metadata keeps the file the same from run to run.
            meta = {"Date": None} if suffix == ".svg" else {"Software": None}
            fig.savefig(part, format=suffix[1:], metadata=meta)
            os.replace(part, path)
        finally:
            part.unlink(missing_ok=True)
    finally:
        plt.close(fig)
