"""Registry statistics kept with the store: one named graph of counts, recomputed by every write.

The statistics graph (``STATS_GRAPH``) holds what the registry-wide named queries would otherwise
compute by scanning every trial: trials and sites per country and per city, sponsors by agency
class with their trial and lead-trial counts, and the number of things of each class. Its own
description says which formats it holds (``tkg:statisticsFormat``; ``tkg:indexFormat`` when every
trial graph carries the index triples of :mod:`kg.index`), so a reader can tell a store that has
them from one that does not (an older kg's, an endpoint holding only the trial graphs) with one
cheap ASK (:func:`kg.indexed.capabilities`).

:func:`refresh` recomputes the whole graph from the store's named graphs at the end of every
``StoreSink`` commit (a new store, an update, ``kg fetch-publications``), so the counts are always
those of a fresh build of the same records: never adjusted, never stale. The per-graph figures are
summed over graphs: a trial's sites, addresses and sponsor links sit in its own graph only (kg
mints them under the trial, DESIGN.md), so a trial counts once per group. Tests check every table
against the scan query it replaces, on the shared records and after updates.

The graph uses no ``rdf:type`` and no schema.org term, so no scan query or class count sees it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.index import INDEX_FORMAT
from kg.ontology import ONTOLOGY_GRAPH
from kg.terms import RDF, SCHEMA, TKG, XSD

__all__ = ["STATISTICS_FORMAT", "STATS_GRAPH", "Statistics", "compute", "refresh", "stats_quads"]

STATS_GRAPH = "https://w3id.org/trialkg/graph/stats"
STATISTICS_FORMAT = "1"

_TRIAL_GRAPH = re.compile(r"/graph/NCT\d{8}$")


def _t(local: str) -> ox.NamedNode:
    return ox.NamedNode(TKG + local)


def _s(local: str) -> ox.NamedNode:
    return ox.NamedNode(SCHEMA + local)


_SITE, _ADDRESS = _t("site"), _s("address")
_LOCALITY, _COUNTRY, _CODE = _s("addressLocality"), _s("addressCountry"), _t("countryCode")
_SPONSOR, _LEAD, _CLASS, _NAME = _s("sponsor"), _t("leadSponsor"), _t("agencyClass"), _s("name")
_RECORD_GRAPH = _t("recordGraph")
_TYPE = ox.NamedNode(RDF + "type")
_INTEGER = ox.NamedNode(XSD + "integer")


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(slots=True)
class _Country:
    names: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    trials: int = 0
    sites: int = 0


@dataclass(slots=True)
class _Sponsor:
    trials: int = 0
    leads: int = 0


@dataclass(slots=True)
class Statistics:
    """The tables of the statistics graph, as computed from a store."""

    countries: dict[str, _Country] = field(default_factory=dict)
    cities: dict[tuple[Term, Term | None], list[int]] = field(default_factory=dict)
    sponsors: dict[tuple[Term, Term], _Sponsor] = field(default_factory=dict)
    sponsor_names: dict[Term, str] = field(default_factory=dict)
    classes: dict[ox.NamedNode, int] = field(default_factory=dict)
    trial_graphs: int = 0
    indexed_graphs: int = 0


def _by_subject(store: ox.Store, p: ox.NamedNode, g: ox.NamedNode) -> dict[Term, list[Term]]:
    out: dict[Term, list[Term]] = {}
    for q in store.quads_for_pattern(None, p, None, g):
        out.setdefault(q.subject, []).append(q.object)
    return out


def _country_key(name: Term, code: Term | None) -> str | None:
    """Return trials-per-country's group key, ``COALESCE(?code, LCASE(STR(?name)))``."""
    if isinstance(code, ox.Literal):
        return code.value
    if isinstance(name, ox.NamedNode | ox.Literal):
        return name.value.lower()
    return None  # STR() of a blank node is an error: the scan drops the row


def _places(store: ox.Store, g: ox.NamedNode, stats: Statistics) -> None:
    """Add one graph's trials and sites per country and per city (the scans' joins, in a graph)."""
    links = {(q.subject, q.object) for q in store.quads_for_pattern(None, _SITE, None, g)}
    if not links:
        return
    address = _by_subject(store, _ADDRESS, g)
    locality = _by_subject(store, _LOCALITY, g)
    country = _by_subject(store, _COUNTRY, g)
    code = _by_subject(store, _CODE, g)
    by_country: dict[str, tuple[set[Term], set[Term]]] = {}
    by_city: dict[tuple[Term, Term | None], tuple[set[Term], set[Term]]] = {}
    for trial, site in links:
        for a in address.get(site, ()):
            names = country.get(a, [])
            for name in names:
                codes: list[Term | None] = [*code.get(a, [])] or [None]
                for c in codes:
                    key = _country_key(name, c)
                    if key is None:
                        continue
                    row = stats.countries.setdefault(key, _Country())
                    row.names.add(name.value)  # type: ignore[union-attr]  # a key means a value
                    if isinstance(c, ox.Literal):
                        row.codes.add(c.value)
                    seen = by_country.setdefault(key, (set(), set()))
                    seen[0].add(trial)
                    seen[1].add(site)
            for city in locality.get(a, ()):
                places: list[Term | None] = [*names] or [None]
                for place in places:
                    group = by_city.setdefault((city, place), (set(), set()))
                    group[0].add(trial)
                    group[1].add(site)
    for key, (trials, sites) in by_country.items():
        stats.countries[key].trials += len(trials)
        stats.countries[key].sites += len(sites)
    for city_key, (trials, sites) in by_city.items():
        counts = stats.cities.setdefault(city_key, [0, 0])
        counts[0] += len(trials)
        counts[1] += len(sites)


def _sponsors(store: ox.Store, g: ox.NamedNode, stats: Statistics) -> None:
    """Add one graph's sponsor links by agency class, and the names it gives its sponsors."""
    links = {(q.subject, q.object) for q in store.quads_for_pattern(None, _SPONSOR, None, g)}
    if not links:
        return
    classes = _by_subject(store, _CLASS, g)
    leads = {(q.subject, q.object) for q in store.quads_for_pattern(None, _LEAD, None, g)}
    counted: dict[tuple[Term, Term], tuple[set[Term], set[Term]]] = {}
    for trial, org in links:
        for concept in classes.get(org, ()):
            group = counted.setdefault((org, concept), (set(), set()))
            group[0].add(trial)
            if (trial, org) in leads:
                group[1].add(trial)
    for key, (trials, led) in counted.items():
        row = stats.sponsors.setdefault(key, _Sponsor())
        row.trials += len(trials)
        row.leads += len(led)
    for org in {org for _, org in links}:
        if not isinstance(org, ox.NamedNode | ox.BlankNode):
            continue
        for q in store.quads_for_pattern(org, _NAME, None, g):
            if not isinstance(q.object, ox.NamedNode | ox.Literal):
                continue  # MIN(STR(?name)) has no value for it
            name = q.object.value
            known = stats.sponsor_names.get(org)
            if known is None or name < known:
                stats.sponsor_names[org] = name


_CLASS_COUNTS = f"""
SELECT ?class (COUNT(DISTINCT ?thing) AS ?instances)
WHERE {{
  GRAPH ?g {{ ?thing <{RDF}type> ?class }}
  FILTER(?g != <{ONTOLOGY_GRAPH}> && ?g != <{STATS_GRAPH}>)
}}
GROUP BY ?class
"""


def compute(store: ox.Store) -> Statistics:
    """Compute every table of the statistics graph from the store's named graphs."""
    stats = Statistics()
    skip = {ONTOLOGY_GRAPH, STATS_GRAPH}
    for g in store.named_graphs():
        if not isinstance(g, ox.NamedNode) or g.value in skip:
            continue
        if _TRIAL_GRAPH.search(g.value):
            stats.trial_graphs += 1
            if next(store.quads_for_pattern(None, _RECORD_GRAPH, g, g), None) is not None:
                stats.indexed_graphs += 1
        _places(store, g, stats)
        _sponsors(store, g, stats)
    result = store.query(_CLASS_COUNTS)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    for sol in result:
        cls, n = sol["class"], sol["instances"]
        if isinstance(cls, ox.NamedNode) and isinstance(n, ox.Literal):
            stats.classes[cls] = int(n.value)
    return stats


def _row(kind: str, *key: str) -> ox.NamedNode:
    digest = hashlib.sha1("\x1f".join(key).encode("utf-8"), usedforsecurity=False).hexdigest()
    return ox.NamedNode(f"{STATS_GRAPH}/{kind}/{digest[:20]}")


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_INTEGER)


def stats_quads(stats: Statistics) -> Iterator[ox.Quad]:
    """Write the statistics as quads of the statistics graph."""
    g = ox.NamedNode(STATS_GRAPH)

    def q(s: ox.NamedNode, p: str, o: Term) -> ox.Quad:
        return ox.Quad(s, _t(p), o, g)

    yield q(g, "statisticsFormat", ox.Literal(STATISTICS_FORMAT))
    from kg import __version__  # on use: kg's package imports this module

    yield q(g, "kgVersion", ox.Literal(__version__))
    yield q(g, "trialGraphCount", _int(stats.trial_graphs))
    if stats.indexed_graphs == stats.trial_graphs:
        yield q(g, "indexFormat", ox.Literal(INDEX_FORMAT))
    for key, row in stats.countries.items():
        node = _row("country", key)
        yield q(g, "countryCount", node)
        yield q(node, "countryName", ox.Literal(min(row.names)))
        if row.codes:
            yield q(node, "countryCode", ox.Literal(min(row.codes)))
        yield q(node, "trialCount", _int(row.trials))
        yield q(node, "siteCount", _int(row.sites))
    for (city, country), (trials, sites) in stats.cities.items():
        node = _row("city", str(city), str(country))
        yield q(g, "cityCount", node)
        yield q(node, "cityName", city)
        if country is not None:
            yield q(node, "cityCountry", country)
        yield q(node, "trialCount", _int(trials))
        yield q(node, "siteCount", _int(sites))
    for (org, concept), counts in stats.sponsors.items():
        name = stats.sponsor_names.get(org)
        if name is None:  # sponsors-by-class lists an organisation under a name only
            continue
        node = _row("sponsor", str(org), str(concept))
        yield q(g, "sponsorClassCount", node)
        yield q(node, "countedOrganization", org)
        yield q(node, "sponsorClass", concept)
        yield q(node, "sponsorName", ox.Literal(name))
        yield q(node, "trialCount", _int(counts.trials))
        yield q(node, "leadTrialCount", _int(counts.leads))
    for cls, n in stats.classes.items():
        node = _row("class", cls.value)
        yield q(g, "classCount", node)
        yield q(node, "countedClass", cls)
        yield q(node, "instanceCount", _int(n))


def refresh(store: ox.Store) -> Statistics:
    """Recompute the statistics graph of ``store`` and replace it."""
    stats = compute(store)
    graph = ox.NamedNode(STATS_GRAPH)
    quads = list(stats_quads(stats))
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.extend(quads)
    return stats
