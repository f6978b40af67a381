"""Answer rows kept with the store: the registry-wide questions over sponsors and publications.

Five named queries join every trial's sponsors with its publications (``owl:sameAs`` aliases,
``kg fetch-publications``' links and PubMed types, graphs of other trials):
publications-per-sponsor, sponsor-publications, sponsor-network, published-without-results and
trials-without-results-publication. Their counts are DISTINCT over several trials (one article
cited by two trials of a sponsor counts once), so they cannot be summed from per-graph counts as
:mod:`kg.stats` sums its tables: this module computes their rows from the store itself, reading
each predicate they join once (quad patterns, not SPARQL), and writes them into the answers graph
(:data:`ANSWERS_GRAPH`), one node per row with its place in the query's order (``tkg:rank``).
``queries/indexed/NAME.rq`` reads them (``# requires: answers``) with the scans' rows; the rows
that depend on a parameter are kept for each value that can match (the roles lead,
collaborator, sponsor and any), or filtered by the variant (a completion date before a day).

The graph is rewritten after every write of the store (a build, an update, ``kg
fetch-publications``), from what the store then holds: never adjusted, always what a fresh build
of the same graphs gives. Like the statistics graph it holds no ``rdf:type`` and no schema.org
term, so no scan query, class count or shape sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.stats import STATS_GRAPH
from kg.terms import DCTERMS, OWL, SCHEMA, SKOS, TKG, XSD

__all__ = ["ANSWERS_FORMAT", "ANSWERS_GRAPH", "ROLES", "Answers", "compute"]

ANSWERS_GRAPH = f"{STATS_GRAPH}/answers"
ANSWERS_FORMAT = "1"
ROLES = ("lead", "collaborator", "sponsor", "any")
"""The role values publications-per-sponsor and sponsor-publications can match (``any``: all)."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _s(iri: str) -> ox.NamedNode:
    return ox.NamedNode(SCHEMA + iri)


def _t(iri: str) -> ox.NamedNode:
    return ox.NamedNode(TKG + iri)


_SPONSOR, _NAME, _CITATION = _s("sponsor"), _s("name"), _s("citation")
_STATUS, _COMPLETED, _END = _s("status"), _s("Completed"), _s("endDate")
_LEAD, _COLLABORATOR, _CLASS = _t("leadSponsor"), _t("collaborator"), _t("agencyClass")
_LINK, _SOURCE, _LINKED = _t("publicationLink"), _t("linkSource"), _t("linkedPublication")
_TYPE, _RESULTS_TYPES = _t("publicationType"), _t("ResultsPublicationTypes")
_REFERENCE, _REF_TYPE, _REF_PUB = _t("reference"), _t("referenceType"), _t("publication")
_RESULT = _t("referenceType-RESULT")
_PUBMED, _REGISTRY = _t("linkSource-PUBMED_DATABANK"), _t("linkSource-REGISTRY_REFERENCE")
_HAS_RESULTS = _t("hasResults")
_TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
_NOTATION, _MEMBER = ox.NamedNode(SKOS + "notation"), ox.NamedNode(SKOS + "member")
_SAME_AS = ox.NamedNode(OWL + "sameAs")
_IDENTIFIER, _SUBJECT = ox.NamedNode(DCTERMS + "identifier"), ox.NamedNode(DCTERMS + "subject")
_OWN_GRAPH = re.compile(r"/trial/([^/]*)\Z")


def _str(term: Term | None) -> str | None:
    """``STR()`` of a term; None for a blank node or nothing (an error in SPARQL)."""
    if isinstance(term, ox.Literal | ox.NamedNode):
        return term.value
    return None


@dataclass(slots=True)
class _Store:
    """The store's triples of the predicates the five queries join (every named graph)."""

    store: ox.Store
    objects: dict[ox.NamedNode, dict[Term, set[Term]]] = field(default_factory=dict)
    trials: dict[Term, _Trial] = field(default_factory=dict)

    def trial(self, trial: Term) -> _Trial:
        """One trial's publications (computed once)."""
        known = self.trials.get(trial)
        if known is None:
            known = self.trials[trial] = _trial(self, trial)
        return known

    def by_subject(self, predicate: ox.NamedNode) -> dict[Term, set[Term]]:
        """Every ``s predicate o`` of the store, by subject (read once per predicate)."""
        known = self.objects.get(predicate)
        if known is None:
            known = {}
            for q in self.store.quads_for_pattern(None, predicate, None, None):
                if isinstance(q.graph_name, ox.NamedNode):
                    known.setdefault(q.subject, set()).add(q.object)
            self.objects[predicate] = known
        return known

    def of(self, subject: Term, predicate: ox.NamedNode) -> set[Term]:
        """The objects of one subject (looked up, not read with every subject)."""
        if isinstance(subject, ox.Literal):
            return set()
        known = self.objects.get(predicate)
        if known is not None:
            return known.get(subject, set())
        return {
            q.object
            for q in self.store.quads_for_pattern(subject, predicate, None, None)
            if isinstance(q.graph_name, ox.NamedNode)
        }

    def in_graphs(self, subject: Term, predicate: ox.NamedNode) -> list[tuple[Term, ox.NamedNode]]:
        """The objects of one subject with the graph that states each."""
        if isinstance(subject, ox.Literal):
            return []
        return [
            (q.object, q.graph_name)
            for q in self.store.quads_for_pattern(subject, predicate, None, None)
            if isinstance(q.graph_name, ox.NamedNode)
        ]

    def min_notation(self, concepts: set[Term]) -> str | None:
        """``MIN(STR(?code))`` of the concepts' ``skos:notation``."""
        codes = [c for k in concepts for n in self.of(k, _NOTATION) if (c := _str(n)) is not None]
        return min(codes) if codes else None


@dataclass(slots=True)
class Answers:
    """The rows of the five queries, keyed as their row nodes are, with their sort keys."""

    per_sponsor: dict[tuple[str, ox.NamedNode], tuple[str, str | None, int, int, int, int, int]] = (
        field(default_factory=dict)
    )
    """(role, org) -> publications-per-sponsor's sponsor, agencyClass and five counts."""
    sponsor_publications: dict[tuple[str, ox.NamedNode], tuple[str, int, int]] = field(
        default_factory=dict
    )
    """(role, org) -> sponsor-publications' sponsor, publications and trials."""
    network: dict[tuple[ox.NamedNode, ox.NamedNode], tuple[str, str, int]] = field(
        default_factory=dict
    )
    """(a, b) -> sponsor-network's sponsorA, sponsorB and trials."""
    without_results: list[tuple[Term, Term, Term | None, Term | None, Term | None, int]] = field(
        default_factory=list
    )
    """published-without-results: (trial, nct, title, status, hasResults, publications)."""
    completed: list[tuple[Term, Term, Term, Term | None, str | None, bool, int, int]] = field(
        default_factory=list
    )
    """trials-without-results-publication's completed trials: (trial, nct, completion, title,
    agencyClass, searched, publications, results publications), before its date filter."""



def _canonical(data: _Store, node: Term) -> set[Term]:
    """``COALESCE(?pmid, ?node)`` over ``?node owl:sameAs ?pmid`` (a PubMed-keyed alias)."""
    same = data.by_subject(_SAME_AS).get(node, set())
    pmids = {p for p in same if "/publication/pmid/" in (_str(p) or "")}
    return pmids or {node}


@dataclass(slots=True)
class _Trial:
    """One trial's publications as publications-per-sponsor and the reporting queries see them."""

    cited: set[Term]
    articles: set[Term]
    pubmed: set[Term]
    results: set[Term]  # canonical (publications-per-sponsor)
    results_raw: set[Term]  # as linked (trials-without-results-publication)


def _trial(data: _Store, trial: Term) -> _Trial:
    cited = data.by_subject(_CITATION).get(trial, set())
    pubmed: set[Term] = set()
    raw: set[Term] = set()
    sources, linked = data.by_subject(_SOURCE), data.by_subject(_LINKED)
    for link in data.by_subject(_LINK).get(trial, set()):
        from_sources = sources.get(link, set())
        targets = linked.get(link, set())
        if _PUBMED in from_sources:
            pubmed |= targets
        if from_sources & {_PUBMED, _REGISTRY}:
            types = data.by_subject(_TYPE)
            results_types = data.by_subject(_MEMBER).get(_RESULTS_TYPES, set())
            raw |= {p for p in targets if types.get(p, set()) & results_types}
    ref_types, ref_pubs = data.by_subject(_REF_TYPE), data.by_subject(_REF_PUB)
    for ref in data.by_subject(_REFERENCE).get(trial, set()):
        if _RESULT in ref_types.get(ref, set()):
            raw |= ref_pubs.get(ref, set())
    return _Trial(
        cited=cited,
        articles={a for c in cited for a in _canonical(data, c)},
        pubmed={a for p in pubmed for a in _canonical(data, p)},
        results={a for p in raw for a in _canonical(data, p)},
        results_raw=raw,
    )


def _own_graph(trial: Term) -> ox.NamedNode | None:
    """``IRI(REPLACE(STR(?trial), "/trial/([^/]*)$", "/graph/$1"))``."""
    value = _str(trial)
    if value is None:
        return None
    try:
        return ox.NamedNode(_OWN_GRAPH.sub(r"/graph/\1", value))
    except ValueError:
        return None


def _titles(data: _Store, trial: Term, *, fallback: bool) -> set[Term | None]:
    """The trial's names in its own graph; else (``fallback``) in any graph; else unbound."""
    own = _own_graph(trial)
    named = data.in_graphs(trial, _NAME)
    titles: set[Term | None] = {n for n, g in named if g == own}
    if not titles and fallback:
        titles = {n for n, _ in named}
    return titles or {None}


def _roles(store: ox.Store) -> dict[tuple[ox.NamedNode, Term], set[tuple[str, Term]]]:
    """Each trial's sponsors by graph, with the role the queries' COALESCE gives in that graph."""

    def stated(predicate: ox.NamedNode) -> set[tuple[object, Term, Term]]:
        found = store.quads_for_pattern(None, predicate, None, None)
        return {(q.graph_name, q.subject, q.object) for q in found}

    leads, collaborators = stated(_LEAD), stated(_COLLABORATOR)
    out: dict[tuple[ox.NamedNode, Term], set[tuple[str, Term]]] = {}
    for q in store.quads_for_pattern(None, _SPONSOR, None, None):
        g = q.graph_name
        if not isinstance(g, ox.NamedNode):
            continue
        key = (g, q.subject, q.object)
        role = "lead" if key in leads else "collaborator" if key in collaborators else "sponsor"
        out.setdefault((g, q.subject), set()).add((role, q.object))
    return out


def _names(
    data: _Store, sponsorships: dict[tuple[ox.NamedNode, Term], set[tuple[str, Term]]]
) -> tuple[dict[Term, str], dict[Term, str]]:
    """Each sponsor's first name over every graph, and over the graphs where it sponsors."""
    sponsor_graphs: dict[Term, set[ox.NamedNode]] = {}
    for (g, _), held in sponsorships.items():
        for _, org in held:
            sponsor_graphs.setdefault(org, set()).add(g)
    anywhere: dict[Term, str] = {}
    local: dict[Term, str] = {}
    for org, graphs in sponsor_graphs.items():
        for name, g in data.in_graphs(org, _NAME):
            value = _str(name)
            if value is None:
                continue
            if org not in anywhere or value < anywhere[org]:
                anywhere[org] = value
            if g in graphs and (org not in local or value < local[org]):
                local[org] = value
    return anywhere, local


def _union(sets: Iterator[set[Term]]) -> int:
    out: set[Term] = set()
    for s in sets:
        out |= s
    return len(out)


def _sponsor_tables(data: _Store, answers: Answers) -> None:
    sponsorships = _roles(data.store)
    anywhere, local = _names(data, sponsorships)
    by_org: dict[tuple[str, ox.NamedNode], set[Term]] = {}  # publications-per-sponsor's trials
    cited_by_org: dict[tuple[str, ox.NamedNode], tuple[set[Term], set[Term]]] = {}
    orgs_of: dict[Term, set[ox.NamedNode]] = {}  # sponsor-network: every sponsor of a trial
    citations = data.by_subject(_CITATION)
    for (g, trial), held in sponsorships.items():
        local_cites: set[Term] = set()
        if trial in citations and not isinstance(trial, ox.Literal):
            found = data.store.quads_for_pattern(trial, _CITATION, None, g)
            local_cites = {q.object for q in found}
        for role, org in held:
            if not isinstance(org, ox.NamedNode):
                continue  # STR() of a blank node fails: no row names it
            orgs_of.setdefault(trial, set()).add(org)
            for r in (role, "any"):
                by_org.setdefault((r, org), set()).add(trial)
                if local_cites:
                    pubs, citing = cited_by_org.setdefault((r, org), (set(), set()))
                    pubs |= local_cites
                    citing.add(trial)
    classes = data.by_subject(_CLASS)
    for (role, org), held_trials in by_org.items():
        name = anywhere.get(org)
        if name is None:
            continue
        facts = [data.trial(t) for t in held_trials]
        answers.per_sponsor[role, org] = (
            name,
            data.min_notation(classes.get(org, set())),
            len(held_trials),
            sum(bool(f.cited) for f in facts),
            _union(f.articles for f in facts),
            _union(f.pubmed for f in facts),
            _union(f.results for f in facts),
        )
    for (role, org), (pubs, citing) in cited_by_org.items():
        if org in local:
            answers.sponsor_publications[role, org] = (local[org], len(pubs), len(citing))
    pairs: dict[tuple[ox.NamedNode, ox.NamedNode], int] = {}
    for held_orgs in orgs_of.values():
        ordered = sorted(held_orgs, key=lambda o: o.value)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if a.value < b.value:
                    pairs[a, b] = pairs.get((a, b), 0) + 1
    for (a, b), n in pairs.items():
        if a in local and b in local:
            answers.network[a, b] = (local[a], local[b], n)


def _without_results(data: _Store, answers: Answers) -> None:
    """published-without-results: trials citing a publication, without posted results."""
    has_results = data.by_subject(_HAS_RESULTS)
    for trial, cited in data.by_subject(_CITATION).items():
        if _TRUE in has_results.get(trial, set()):
            continue
        statuses: set[Term | None] = {
            n for s in data.of(trial, _STATUS) for n in data.of(s, _NOTATION)
        } or {None}
        values: set[Term | None] = set(has_results.get(trial, set())) or {None}
        for nct in data.of(trial, _IDENTIFIER):
            for title in _titles(data, trial, fallback=True):
                for status in statuses:
                    for value in values:
                        answers.without_results.append(
                            (trial, nct, title, status, value, len(cited))
                        )


def _lead_class(data: _Store, trial: Term) -> str | None:
    """The first code of the classes a trial's graphs give its lead sponsor (in the same graph)."""
    concepts: set[Term] = set()
    for lead, g in data.in_graphs(trial, _LEAD):
        if not isinstance(lead, ox.Literal):
            concepts |= {q.object for q in data.store.quads_for_pattern(lead, _CLASS, None, g)}
    return data.min_notation(concepts)


def _completed(data: _Store, answers: Answers) -> None:
    """trials-without-results-publication's completed trials, before its date filter."""
    done = {
        q.subject
        for q in data.store.quads_for_pattern(None, _STATUS, _COMPLETED, None)
        if isinstance(q.graph_name, ox.NamedNode)
    }
    for trial in done:
        facts = data.trial(trial)
        agency = _lead_class(data, trial)
        titles = _titles(data, trial, fallback=False)
        about = [
            q.graph_name.value
            for q in data.store.quads_for_pattern(None, _SUBJECT, trial, None)
            if isinstance(q.graph_name, ox.NamedNode) and q.subject == q.graph_name
        ]
        for nct in data.of(trial, _IDENTIFIER):
            value = _str(nct)
            searched = value is not None and any(
                g.endswith(f"/graph/publications/{value}") for g in about
            )
            for completion in data.of(trial, _END):
                for title in titles:
                    answers.completed.append(
                        (trial, nct, completion, title, agency, searched,
                         len(facts.cited), len(facts.results_raw))
                    )


def compute(store: ox.Store) -> Answers:
    """Compute the five queries' rows from every named graph of the store."""
    data = _Store(store)
    answers = Answers()
    _sponsor_tables(data, answers)
    _without_results(data, answers)
    _completed(data, answers)
    return answers
