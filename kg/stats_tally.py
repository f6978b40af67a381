"""The running sums of a new store's statistics, taken as the build's records arrive.

A new store's statistics graph is the sum of its graphs' counts (:class:`kg.stats.GraphCounts`,
computed by the build's workers). Holding every graph's counts until the end grows with the
registry (~21 MB per 1,000 synthetic trials: 2 GB at 100,000, the largest part of that build's
peak memory); :class:`Tally` adds each graph's counts as it comes and keeps only the sums. A
record merged from several sources replaces the graph of its first source: that graph's counts
are taken back (:meth:`Tally.remove`), so the sums keep what a set union or a first name needs
to be undone exactly: how many graphs gave each country name and code and each sponsor name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from kg.stats import GraphCounts, Statistics, _Country, add_older

__all__ = ["Tally"]

K = TypeVar("K")


def _move(table: dict[str, int], key: str, by: int) -> None:
    n = table.get(key, 0) + by
    if n:
        table[key] = n
    else:
        del table[key]


def _sum(table: dict[K, list[int]], key: K, trials: int, other: int) -> None:
    pair = table.setdefault(key, [0, 0])
    pair[0] += trials
    pair[1] += other
    if not pair[0]:  # every graph's row counts one trial at least
        del table[key]


@dataclass(slots=True)
class _Row:
    names: dict[str, int] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    trials: int = 0
    sites: int = 0


@dataclass(slots=True)
class Tally:
    """Sums of graphs' counts that a graph's counts can be taken out of again."""

    trial_graphs: int = 0
    indexed_graphs: int = 0
    current_graphs: int = 0
    older_graphs: dict[int, int] = field(default_factory=dict)
    countries: dict[str, _Row] = field(default_factory=dict)
    cities: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    sponsors: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    sponsor_names: dict[str, dict[str, int]] = field(default_factory=dict)
    """Each sponsor's names with the number of graphs that gave each as their first."""

    def add(self, counts: GraphCounts, sign: int = 1) -> None:
        """Add one graph's counts (``sign`` -1: take them out)."""
        self.trial_graphs += sign * counts.trial_graph
        self.indexed_graphs += sign * (counts.trial_graph and counts.indexed)
        self.current_graphs += sign * (counts.trial_graph and counts.current)
        add_older(self.older_graphs, counts, sign)
        for key, names, codes, trials, sites in counts.countries:
            row = self.countries.setdefault(key, _Row())
            for name in names:
                _move(row.names, name, sign)
            for code in codes:
                _move(row.codes, code, sign)
            row.trials += sign * trials
            row.sites += sign * sites
            if not row.trials:  # every graph's row counts one trial at least
                del self.countries[key]
        for city, place, trials, sites in counts.cities:
            _sum(self.cities, (city, place), sign * trials, sign * sites)
        for org, concept, trials, leads in counts.sponsors:
            _sum(self.sponsors, (org, concept), sign * trials, sign * leads)
        for org, name in counts.sponsor_names:
            given = self.sponsor_names.setdefault(org, {})
            _move(given, name, sign)
            if not given:
                del self.sponsor_names[org]

    def remove(self, counts: GraphCounts) -> None:
        """Take out the counts of a graph added before (it is being replaced)."""
        self.add(counts, -1)

    def statistics(self) -> Statistics:
        """The tables as :meth:`kg.stats.Statistics.add` of the graphs now in gives them."""
        stats = Statistics(
            trial_graphs=self.trial_graphs,
            indexed_graphs=self.indexed_graphs,
            current_graphs=self.current_graphs,
            older_graphs=dict(self.older_graphs),
        )
        for key, row in self.countries.items():
            stats.countries[key] = _Country(set(row.names), set(row.codes), row.trials, row.sites)
        stats.cities = {k: list(v) for k, v in self.cities.items()}
        stats.sponsors = {k: list(v) for k, v in self.sponsors.items()}
        stats.sponsor_names = {org: min(names) for org, names in self.sponsor_names.items()}
        return stats
