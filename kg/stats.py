"""Registry statistics kept with the store: one named graph of counts, exact after every write.

The statistics graph (``STATS_GRAPH``) holds what the registry-wide named queries would otherwise
compute by scanning every trial: trials and sites per country and per city, sponsors by agency
class with their trial and lead-trial counts, and the number of things of each class. Its own
description says which formats it holds (``tkg:statisticsFormat``; ``tkg:indexFormat`` when every
trial graph carries the index triples of :mod:`kg.index`), so a reader can tell a store that has
them from one that does not (an older kg's, an endpoint holding only the trial graphs) with one
cheap query (:mod:`kg.indexed`).

The tables are sums of per-graph counts (:class:`GraphCounts`): a trial's sites, addresses and
sponsor links sit in its own graph only (kg mints them under the trial, DESIGN.md), so a trial
counts once per group. A new store sums the counts its build's workers computed from each record's
triples (:func:`count_triples`: nothing is read back); any other write (an update, ``kg
fetch-publications``) recomputes them from every graph of the store (:func:`compute`), never
adjusting old figures, so the counts are always those of a fresh build of the same records. The
class counts are one SPARQL count over the store either way. Tests check every table against the
scan query it replaces, on the shared records and after updates; both paths share the code that
turns one graph's triples into counts (:func:`_count`), on terms in N-Triples form.

trials-per-city's and sponsors-by-class's rows are also written in rank order as row keys
(``tkg:answerRowsKey`` on :func:`row_key_node`, kg/row_keys.py), from which kg reads their whole
answers on an embedded store (kg/answer_rows.py).

The graph uses no ``rdf:type`` and no schema.org term, so no scan query or class count sees it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.index import INDEX_FORMAT, split
from kg.ontology import ONTOLOGY_GRAPH
from kg.row_keys import Term, row_keys
from kg.terms import RDF, SCHEMA, SKOS, TKG, XSD, integer, literal, term_value

__all__ = [
    "STATISTICS_FORMAT",
    "STATS_GRAPH",
    "WANTED",
    "GraphCounts",
    "Statistics",
    "add_older",
    "compute",
    "count_triples",
    "gather",
    "refresh",
    "row_key_node",
    "stats_nquads",
    "write",
]

STATS_GRAPH = "https://w3id.org/trialkg/graph/stats"
STATISTICS_FORMAT = "1"
_INTEGER = ox.NamedNode(f"{XSD}integer")

_TRIAL_GRAPH = re.compile(r"/graph/NCT\d{8}>?$")

_SITE, _ADDRESS = f"<{TKG}site>", f"<{SCHEMA}address>"
_LOCALITY, _COUNTRY = f"<{SCHEMA}addressLocality>", f"<{SCHEMA}addressCountry>"
_CODE = f"<{TKG}countryCode>"
_SPONSOR, _LEAD, _CLASS = f"<{SCHEMA}sponsor>", f"<{TKG}leadSponsor>", f"<{TKG}agencyClass>"
_NAME, _RECORD_GRAPH = f"<{SCHEMA}name>", f"<{TKG}recordGraph>"
_INDEX_FORMAT = f"<{TKG}indexFormat>"
_CURRENT = f'"{INDEX_FORMAT}"'  # a graph's own note that its keys are of kg's index format
_COUNTED = (_SITE, _ADDRESS, _LOCALITY, _COUNTRY, _CODE, _SPONSOR, _LEAD, _CLASS)

Pairs = dict[str, list[tuple[str, str]]]
"""Subject and object (N-Triples form) of one graph's triples, by predicate."""

@dataclass(frozen=True, slots=True)
class GraphCounts:
    """One graph's share of the statistics; terms in N-Triples form, so it pickles and compares.

    Rows: countries ``(key, names, codes, trials, sites)``, cities ``(city, country or None,
    trials, sites)``, sponsors ``(org, class, trials, lead trials)``, sponsor names ``(org,
    first name)`` (names and codes as plain values).
    """

    trial_graph: bool = False
    indexed: bool = False
    current: bool = False  # indexed, and its keys are of kg's INDEX_FORMAT (kg.index)
    index_format: int = 0  # the format of its keys: its own note's, 1 without one, 0 unindexed
    countries: tuple[tuple[str, frozenset[str], frozenset[str], int, int], ...] = ()
    cities: tuple[tuple[str, str | None, int, int], ...] = ()
    sponsors: tuple[tuple[str, str, int, int], ...] = ()
    sponsor_names: tuple[tuple[str, str], ...] = ()


def _by_subject(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s, o in pairs:
        out.setdefault(s, []).append(o)
    return out


def _count(graph: str, p: Pairs, names: list[tuple[str, str]]) -> GraphCounts:
    """Count one graph: the scans' joins (trial, site, address, country, city; sponsor, class)."""
    address, locality = _by_subject(p[_ADDRESS]), _by_subject(p[_LOCALITY])
    country, code = _by_subject(p[_COUNTRY]), _by_subject(p[_CODE])
    by_country: dict[str, tuple[set[str], set[str], set[str], set[str]]] = {}
    by_city: dict[tuple[str, str | None], tuple[set[str], set[str]]] = {}
    for trial, site in set(p[_SITE]):
        for a in address.get(site, ()):
            countries = country.get(a, [])
            for name in countries:
                name_value = term_value(name)
                codes: list[str | None] = [*code.get(a, [])] or [None]
                for c in codes:
                    code_value = term_value(c) if c is not None else None
                    # trials-per-country: COALESCE(?code, LCASE(STR(?name))) AS ?key
                    key = (
                        code_value
                        if code_value is not None
                        else (name_value.lower() if name_value is not None else None)
                    )
                    if key is None or name_value is None:
                        continue
                    row = by_country.setdefault(key, (set(), set(), set(), set()))
                    row[0].add(name_value)
                    if code_value is not None:
                        row[1].add(code_value)
                    row[2].add(trial)
                    row[3].add(site)
            places: list[str | None] = [*countries] or [None]
            for city in locality.get(a, ()):
                for place in places:
                    group = by_city.setdefault((city, place), (set(), set()))
                    group[0].add(trial)
                    group[1].add(site)
    classes = _by_subject(p[_CLASS])
    leads = set(p[_LEAD])
    by_sponsor: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for trial, org in set(p[_SPONSOR]):
        for concept in classes.get(org, ()):
            group = by_sponsor.setdefault((org, concept), (set(), set()))
            group[0].add(trial)
            if (trial, org) in leads:
                group[1].add(trial)
    first: dict[str, str] = {}
    for org, name in names:
        value = term_value(name) if not name.startswith("_:") else None
        if value is not None and (org not in first or value < first[org]):
            first[org] = value
    return GraphCounts(
        trial_graph=bool(_TRIAL_GRAPH.search(graph)),
        indexed=bool(p.get(_RECORD_GRAPH)),
        current=bool(p.get(_RECORD_GRAPH)) and (graph, _CURRENT) in p.get(_INDEX_FORMAT, ()),
        index_format=_graph_format(graph, p),
        countries=tuple(
            (k, frozenset(n), frozenset(c), len(t), len(s))
            for k, (n, c, t, s) in by_country.items()
        ),
        cities=tuple((city, place, len(t), len(s)) for (city, place), (t, s) in by_city.items()),
        sponsors=tuple((o, c, len(t), len(d)) for (o, c), (t, d) in by_sponsor.items()),
        sponsor_names=tuple(first.items()),
    )


def _graph_format(graph: str, p: Pairs) -> int:
    """The format of a graph's keys: its own note's (the highest), 1 without one, 0 unindexed."""
    if not p.get(_RECORD_GRAPH):
        return 0
    notes = [term_value(o) for s, o in p.get(_INDEX_FORMAT, ()) if s == graph]
    return max((int(n) for n in notes if n is not None and n.isdigit()), default=1)


WANTED = (*_COUNTED, _RECORD_GRAPH, _INDEX_FORMAT, _NAME)
"""The predicates :func:`count_triples` reads."""


def count_triples(
    graph: str, triples: Iterable[tuple[str, str, str]] | Mapping[str, list[tuple[str, str]]]
) -> GraphCounts:
    """Count one record's graph from its triples (N-Triples form), as the build's workers do.

    ``triples`` may be given already split by predicate (:func:`kg.index.split` with at least
    :data:`WANTED`).
    """
    parts = triples if isinstance(triples, Mapping) else split(triples, WANTED)
    p: Pairs = {pred: parts[pred] for pred in _COUNTED}
    p[_RECORD_GRAPH] = [(s, o) for s, o in parts[_RECORD_GRAPH] if o == graph]
    p[_INDEX_FORMAT] = [(s, o) for s, o in parts[_INDEX_FORMAT] if s == graph]
    sponsors = {o for _, o in p[_SPONSOR]}
    return _count(graph, p, [(s, o) for s, o in parts[_NAME] if s in sponsors])


def _count_stored(store: ox.Store, g: ox.NamedNode) -> GraphCounts:
    """Count one graph of the store (the same counts as :func:`count_triples` of its triples)."""
    p: Pairs = {}
    for pred in _COUNTED:
        p[pred] = [
            (str(q.subject), str(q.object))
            for q in store.quads_for_pattern(None, ox.NamedNode(pred[1:-1]), None, g)
        ]
    record = next(store.quads_for_pattern(None, ox.NamedNode(_RECORD_GRAPH[1:-1]), g, g), None)
    p[_RECORD_GRAPH] = [(str(record.subject), str(g))] if record is not None else []
    p[_INDEX_FORMAT] = [
        (str(g), str(q.object))
        for q in store.quads_for_pattern(g, ox.NamedNode(_INDEX_FORMAT[1:-1]), None, g)
    ]
    orgs = {q.object for q in store.quads_for_pattern(None, ox.NamedNode(_SPONSOR[1:-1]), None, g)}
    names = [
        (str(org), str(q.object))
        for org in orgs
        if isinstance(org, ox.NamedNode | ox.BlankNode)
        for q in store.quads_for_pattern(org, ox.NamedNode(_NAME[1:-1]), None, g)
    ]
    return _count(str(g), p, names)


def add_older(older: dict[int, int], counts: GraphCounts, sign: int = 1) -> None:
    """Count a trial graph (``sign`` -1: take it out) under the older formats its keys hold.

    :attr:`Statistics.older_graphs`: the formats between 1 and kg's, exclusive.
    """
    if counts.trial_graph:
        for n in range(2, int(INDEX_FORMAT)):
            if counts.index_format >= n:
                older[n] = older.get(n, 0) + sign
                if not older[n]:
                    del older[n]  # none: as if never counted


@dataclass(slots=True)
class _Country:
    names: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    trials: int = 0
    sites: int = 0


@dataclass(slots=True)
class Statistics:
    """The tables of the statistics graph: sums of every graph's counts, and the class counts."""

    countries: dict[str, _Country] = field(default_factory=dict)
    cities: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    sponsors: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    sponsor_names: dict[str, str] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    notations: dict[str, str] = field(default_factory=dict)  # concept -> code (the ontology's)
    trial_graphs: int = 0
    indexed_graphs: int = 0
    current_graphs: int = 0  # trial graphs whose keys are of INDEX_FORMAT
    older_graphs: dict[int, int] = field(default_factory=dict)
    """For each format N between 1 and INDEX_FORMAT (exclusive): the trial graphs of N or later."""

    def add(self, counts: GraphCounts) -> None:
        """Add one graph's counts."""
        self.trial_graphs += counts.trial_graph
        self.indexed_graphs += counts.trial_graph and counts.indexed
        self.current_graphs += counts.trial_graph and counts.current
        add_older(self.older_graphs, counts)
        for key, names, codes, trials, sites in counts.countries:
            row = self.countries.setdefault(key, _Country())
            row.names.update(names)
            row.codes.update(codes)
            row.trials += trials
            row.sites += sites
        for city, place, trials, sites in counts.cities:
            pair = self.cities.setdefault((city, place), [0, 0])
            pair[0] += trials
            pair[1] += sites
        for org, concept, trials, leads in counts.sponsors:
            pair = self.sponsors.setdefault((org, concept), [0, 0])
            pair[0] += trials
            pair[1] += leads
        for org, name in counts.sponsor_names:
            known = self.sponsor_names.get(org)
            if known is None or name < known:
                self.sponsor_names[org] = name


# As queries/dataset-summary.rq counts: the graphs that state their provenance (kg's data, not
# an ontology graph such as kg fetch-publications' vocabulary, nor this one).
_CLASS_COUNTS = f"""
SELECT ?class (COUNT(DISTINCT ?thing) AS ?instances)
WHERE {{
  GRAPH ?g {{
    ?made <http://www.w3.org/ns/prov#wasDerivedFrom> ?source .
    ?thing <{RDF}type> ?class
  }}
  FILTER(?g != <{ONTOLOGY_GRAPH}> && ?g != <{STATS_GRAPH}>)
}}
GROUP BY ?class
"""


_NOTATIONS = f"""
SELECT ?concept (MIN(STR(?code)) AS ?notation)
WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?concept <{SKOS}notation> ?code }} }}
GROUP BY ?concept
"""


def _count_classes(store: ox.Store, stats: Statistics) -> None:
    """Add the class counts (one SPARQL count) and the ontology's codes (for the rows' order)."""
    result = store.query(_CLASS_COUNTS)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    for sol in result:
        cls, n = sol["class"], sol["instances"]
        if isinstance(cls, ox.NamedNode) and isinstance(n, ox.Literal):
            stats.classes[str(cls)] = int(n.value)
    read_notations(store, stats)


def read_notations(store: ox.Store, stats: Statistics) -> None:
    """Read the ontology's codes of its concepts (the sponsor rows' order)."""
    result = store.query(_NOTATIONS)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT gives solutions
    for sol in result:
        concept, code = sol["concept"], sol["notation"]
        if isinstance(concept, ox.NamedNode) and isinstance(code, ox.Literal):
            stats.notations[str(concept)] = code.value


def compute(store: ox.Store) -> Statistics:
    """Compute every table of the statistics graph from the store's named graphs."""
    stats = Statistics()
    skip = {ONTOLOGY_GRAPH, STATS_GRAPH}
    for g in store.named_graphs():
        if isinstance(g, ox.NamedNode) and g.value not in skip:
            stats.add(_count_stored(store, g))
    _count_classes(store, stats)
    return stats


def _canonical(term: str | None) -> str:
    """A term's identity whatever its escaping (kg's and pyoxigraph's N-Triples differ a little)."""
    if term is None or not term.startswith('"'):
        return str(term)
    suffix = term[term.rindex('"') + 1 :]  # the language tag or datatype
    return f"{term_value(term)}\x1e{suffix}"


def _row(kind: str, *key: str | None) -> str:
    text = "\x1f".join(_canonical(k) for k in key)
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False)
    return f"<{STATS_GRAPH}/{kind}/{digest.hexdigest()[:20]}>"


def _ordered(term: str | None) -> tuple[int, str]:
    """SPARQL's order of what a row shows: unbound first, then by value (kg's plain strings)."""
    return (0, "") if term is None else (1, term_value(term) or "")


Ranks = tuple[dict[str, int], dict[tuple[str, str | None], int], dict[tuple[str, str], int]]


def _ranks(stats: Statistics) -> Ranks:
    """Each row's place in its scan's ORDER BY, so a variant sorts on one integer, not on text.

    Decoding text to compare it is what makes sorting tens of thousands of rows slow; the
    variants sort on the scan's own keys after the rank, so the order is the scan's.
    """

    def country(key: str) -> tuple[int, str, tuple[int, str]]:
        row = stats.countries[key]
        return (-row.trials, min(row.names), (1, min(row.codes)) if row.codes else (0, ""))

    def city(key: tuple[str, str | None]) -> tuple[int, tuple[int, str], tuple[int, str]]:
        return (-stats.cities[key][0], _ordered(key[1]), _ordered(key[0]))

    def sponsor(key: tuple[str, str]) -> tuple[str, int, str, tuple[int, str]]:
        code = stats.notations.get(key[1], "")
        return (code, -stats.sponsors[key][0], stats.sponsor_names[key[0]], _ordered(key[0]))

    named = [k for k in stats.sponsors if k[0] in stats.sponsor_names]
    return (
        {k: n for n, k in enumerate(sorted(stats.countries, key=country))},
        {k: n for n, k in enumerate(sorted(stats.cities, key=city))},
        {k: n for n, k in enumerate(sorted(named, key=sponsor))},
    )


def stats_nquads(stats: Statistics) -> Iterator[str]:
    """Write the statistics graph as N-Quads lines."""
    from kg import __version__  # on use: kg's package imports this module

    g = f"<{STATS_GRAPH}>"

    def q(s: str, p: str, o: str) -> str:
        return f"{s} <{TKG}{p}> {o} {g} .\n"

    yield q(g, "statisticsFormat", literal(STATISTICS_FORMAT))
    yield q(g, "kgVersion", literal(__version__))
    yield q(g, "trialGraphCount", integer(stats.trial_graphs))
    if stats.current_graphs == stats.trial_graphs:  # the lowest format of the trial graphs
        yield q(g, "indexFormat", literal(INDEX_FORMAT))
    elif older := [n for n, k in stats.older_graphs.items() if k == stats.trial_graphs]:
        yield q(g, "indexFormat", literal(str(max(older))))
    elif stats.indexed_graphs == stats.trial_graphs:
        yield q(g, "indexFormat", literal("1"))
    country_rank, city_rank, sponsor_rank = _ranks(stats)
    for key, row in stats.countries.items():
        node = _row("country", key)
        yield q(g, "countryCount", node)
        yield q(node, "countryName", literal(min(row.names)))
        if row.codes:
            yield q(node, "countryCode", literal(min(row.codes)))
        yield q(node, "trialCount", integer(row.trials))
        yield q(node, "siteCount", integer(row.sites))
        yield q(node, "rank", integer(country_rank[key]))
    for (city, place), (trials, sites) in stats.cities.items():
        node = _row("city", city, place)
        yield q(g, "cityCount", node)
        yield q(node, "cityName", city)
        if place is not None:
            yield q(node, "cityCountry", place)
        yield q(node, "trialCount", integer(trials))
        yield q(node, "siteCount", integer(sites))
        yield q(node, "rank", integer(city_rank[city, place]))
    for (org, concept), (trials, leads) in stats.sponsors.items():
        name = stats.sponsor_names.get(org)
        if name is None:  # sponsors-by-class lists an organisation under a name only
            continue
        node = _row("sponsor", org, concept)
        yield q(g, "sponsorClassCount", node)
        yield q(node, "countedOrganization", org)
        yield q(node, "sponsorClass", concept)
        yield q(node, "sponsorName", literal(name))
        yield q(node, "trialCount", integer(trials))
        yield q(node, "leadTrialCount", integer(leads))
        yield q(node, "rank", integer(sponsor_rank[org, concept]))
    for cls, n in stats.classes.items():
        node = _row("class", cls)
        yield q(g, "classCount", node)
        yield q(node, "countedClass", cls)
        yield q(node, "instanceCount", integer(n))
    for holder, key in _row_keys(stats, city_rank, sponsor_rank):
        yield q(f"<{holder}>", "answerRowsKey", str(ox.Literal(key)))


ROW_KEY_ROWS = 1000
"""Rows in one ``tkg:answerRowsKey`` of the statistics graph."""

ROW_KEY_COLUMNS = {
    "trials-per-city": ("city", "country", "trials", "sites"),
    "sponsors-by-class": ("concept", "sponsor", "trials", "leadTrials", "org"),
}
"""The answers whose rows the statistics graph also holds as row keys, and their columns.
sponsors-by-class keys its class's concept (``?concept``): a reader joins its code as the query
does, from the store it reads."""


def row_key_node(query: str) -> str:
    """The IRI of the node holding one answer's row keys in the statistics graph.

    >>> row_key_node("trials-per-city")
    'https://w3id.org/trialkg/graph/stats/rows/trials-per-city'
    """
    return f"{STATS_GRAPH}/rows/{query}"


def _row_keys(
    stats: Statistics, city_rank: Mapping[tuple[str, str | None], int],
    sponsor_rank: Mapping[tuple[str, str], int],
) -> Iterator[tuple[str, str]]:
    """trials-per-city's and sponsors-by-class's rows in rank order, as keys (kg.row_keys).

    The ranks are :func:`_ranks`' dictionaries, made in rank order: their keys are the rows' order.
    """
    cities, sponsors = list(city_rank), list(sponsor_rank)
    texts = {t for key in cities for t in key if t is not None}
    texts.update(t for key in sponsors for t in key)
    terms = _parse_terms(texts)
    counts: dict[int, ox.Literal] = {}

    def count(n: int) -> ox.Literal:
        found = counts.get(n)
        if found is None:
            found = counts[n] = ox.Literal(str(n), datatype=_INTEGER)
        return found

    city_rows = [
        (terms[city], None if place is None else terms[place], count(trials), count(sites))
        for city, place in cities
        for trials, sites in (stats.cities[city, place],)
    ]
    sponsor_rows = [
        (terms[concept], ox.Literal(stats.sponsor_names[org]), count(trials), count(leads),
         terms[org])
        for org, concept in sponsors
        for trials, leads in (stats.sponsors[org, concept],)
    ]
    for query, rows in (("trials-per-city", city_rows), ("sponsors-by-class", sponsor_rows)):
        for key in row_keys(ROW_KEY_COLUMNS[query], rows, ROW_KEY_ROWS):
            yield row_key_node(query), key


def _parse_terms(texts: Iterable[str]) -> dict[str, Term]:
    """Each term in N-Triples form as the store reads it (one parse: the graph is read so)."""
    order = list(texts)
    document = "".join(f"<x:s> <x:p> {text} .\n" for text in order).encode("utf-8")
    parsed = ox.parse(document, ox.RdfFormat.N_TRIPLES, lenient=True)
    return dict(zip(order, (triple.object for triple in parsed), strict=True))


def write(store: ox.Store, stats: Statistics) -> None:
    """Replace the statistics graph of ``store``."""
    graph = ox.NamedNode(STATS_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    # A bulk load: a transactional load of this many quads costs ~4x the CPU (measured).
    # Lenient: the rows are kg's own rendering of terms read from kg's graphs (kg.sinks.store).
    store.bulk_load(
        "".join(stats_nquads(stats)).encode("utf-8"), ox.RdfFormat.N_QUADS, lenient=True
    )


def gather(
    store: ox.Store, counted: Statistics | Iterable[GraphCounts] | None = None
) -> Statistics:
    """Return the statistics of ``store``: from the build's own counts of every graph, else its own.

    ``counted`` must hold the counts of every named graph of the store but the ontology (a new
    store, loaded from one build), one graph's counts each or their sums (:mod:`kg.stats_tally`);
    without it every graph is counted from the store. The class counts are read from the store.
    """
    if counted is None:
        return compute(store)
    if isinstance(counted, Statistics):
        stats = counted
    else:
        stats = Statistics()
        for counts in counted:
            stats.add(counts)
    _count_classes(store, stats)
    return stats


def refresh(
    store: ox.Store, counted: Statistics | Iterable[GraphCounts] | None = None
) -> Statistics:
    """Write the statistics graph of what :func:`gather` returns, and return it."""
    stats = gather(store, counted)
    write(store, stats)
    return stats
