"""What an HTML page shows: plain records built from the store, rendered by the templates.

Every resource page lists the resource's statements and what points at it; trials, organisations,
people and publications get the sections a reader looks for (a trial's sponsors, sites with their
coordinates, publications with DOI links, related and similar trials). Links to resources of the
data go to this server's own pages; other links only ever point at ``http(s)`` addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from kg.publish._dataset import PREFIXES
from kg.publish._lookup import BIBO, DCT, RDF, SCHEMA, TKG, Reader, Term
from kg.publish.describe import own_graphs
from kg.publish.results_view import trial_results

__all__ = [
    "Fact",
    "Hrefs",
    "Link",
    "OntologyTerm",
    "Page",
    "Publication",
    "Similar",
    "Site",
    "build_page",
    "ontology_terms",
    "void_rows",
]

_URL_SAFE = "/:@!$&'()*+,;=-._~%#?"
_PEOPLE_ROLES = (
    ("principalInvestigator", "Principal investigator"),
    ("studyChair", "Study chair"),
    ("studyDirector", "Study director"),
    ("subInvestigator", "Sub-investigator"),
)


class Hrefs:
    """Turn IRIs into link targets: local pages for the data, external ``http(s)`` as they are."""

    def __init__(self, base: str) -> None:
        """Link IRIs under ``base`` to this server's paths."""
        self.base = base

    def local(self, iri: str) -> str | None:
        """Return the server path of an IRI under the base, or None.

        >>> Hrefs("https://w3id.org/trialkg/").local("https://w3id.org/trialkg/org/aphp")
        '/org/aphp'
        """
        if iri.startswith(self.base):
            return "/" + quote(iri[len(self.base) :], safe=_URL_SAFE)
        return None

    def href(self, iri: str) -> str | None:
        """Return where a link to ``iri`` goes, or None when it must not be a link.

        >>> Hrefs("https://w3id.org/trialkg/").href("javascript:alert(1)") is None
        True
        """
        local = self.local(iri)
        if local is not None:
            return local
        if re.match(r"^https?://[^\s]+$", iri, re.I):
            return iri
        return None


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled link (``href`` None: show the label only)."""

    label: str
    href: str | None
    iri: str = ""


@dataclass(frozen=True, slots=True)
class Fact:
    """One property of the resource and its values."""

    property: Link
    values: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """A trial site as listed by the source."""

    number: int
    link: Link
    facility: Link | None
    place: str
    latitude: str | None
    longitude: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class Publication:
    """A publication with its DOI and PubMed links."""

    link: Link
    journal: str | None
    date: str | None
    doi: str | None
    pmid: str | None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Similar:
    """A computed similarity to another trial."""

    link: Link
    score: str | None
    method: str | None


@dataclass(slots=True)
class Page:
    """Everything a resource page shows."""

    iri: str
    title: str
    kind: str
    types: list[Link]
    facts: list[Fact]
    inbound: list[tuple[Link, Link]]
    subtitle: str | None = None
    sections: dict[str, object] = field(default_factory=dict)


def _curie(iri: str) -> str:
    for name, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{name}:{iri[len(ns) :]}"
    return iri


class _Builder:
    def __init__(self, store: ox.Store, base: str, node: ox.NamedNode | None = None) -> None:
        # Labels of what the page links to: as the page's own record graphs state them first.
        self.r = Reader(store, own_graphs(store, node) if node is not None else ())
        self.h = Hrefs(base)
        self.base = base

    def link(self, node: Term) -> Link:
        if isinstance(node, ox.Literal):
            return Link(node.value, None)
        if isinstance(node, ox.BlankNode):
            return Link(self.r.label(node), None)
        label = self.r.find_label(node)
        if label is None:  # a page of ours shows its last segment, another site its address
            label = self.r.label(node) if node.value.startswith(self.base) else node.value
        return Link(label, self.h.href(node.value), node.value)

    def term_link(self, iri: str) -> Link:
        if iri.startswith(TKG):  # our ontology: its page on this server, one anchor per term
            return Link(_curie(iri), f"/ontology#{quote(iri[len(TKG) :], safe='')}", iri)
        return Link(_curie(iri), self.h.href(iri), iri)

    def facts(self, node: ox.NamedNode) -> list[Fact]:
        by_property: dict[str, list[Link]] = {}
        for q in self.r.store.quads_for_pattern(node, None, None, None):
            p = q.predicate.value
            if p == RDF + "type":
                continue
            value = self.link(q.object)  # type: ignore[arg-type]
            values = by_property.setdefault(p, [])
            if value not in values:
                values.append(value)
        return [
            Fact(self.term_link(p), tuple(sorted(v, key=lambda link: link.label)))
            for p, v in sorted(by_property.items(), key=lambda kv: _curie(kv[0]))
        ]

    def inbound(self, node: ox.NamedNode, limit: int = 200) -> list[tuple[Link, Link]]:
        pairs = self.r.subjects(None, node, limit)
        return [(self.link(s), self.term_link(p.value)) for s, p in pairs]


def _site_number(node: ox.NamedNode) -> int:
    m = re.search(r"/site/(\d+)$", node.value)
    return int(m.group(1)) if m else 0


def _trial_sections(
    b: _Builder, node: ox.NamedNode, ae_sort: str | None = None
) -> dict[str, object]:
    r = b.r
    lead = set(r.nodes(node, TKG + "leadSponsor"))
    collaborators = set(r.nodes(node, TKG + "collaborator"))
    sponsors = []
    for org in r.nodes(node, SCHEMA + "sponsor"):
        role = "lead" if org in lead else "collaborator" if org in collaborators else None
        sponsors.append((b.link(org), role))
    sponsors.sort(key=lambda s: (s[1] != "lead", s[0].label.casefold()))
    sites = []
    for site in sorted(r.nodes(node, TKG + "site"), key=_site_number):
        address = r.nodes(site, SCHEMA + "address")
        place = ""
        if address:
            a = address[0]
            parts = [
                r.text(a, SCHEMA + "addressLocality"),
                r.text(a, SCHEMA + "addressRegion"),
                r.text(a, SCHEMA + "postalCode"),
                r.text(a, SCHEMA + "addressCountry"),
            ]
            place = ", ".join(p for p in parts if p)
        geo = r.nodes(site, SCHEMA + "geo")
        facility = r.nodes(site, TKG + "facility")
        status = r.nodes(site, TKG + "siteStatus")
        sites.append(
            Site(
                _site_number(site),
                b.link(site),
                b.link(facility[0]) if facility else None,
                place,
                r.text(geo[0], SCHEMA + "latitude") if geo else None,
                r.text(geo[0], SCHEMA + "longitude") if geo else None,
                r.label(status[0]) if status else None,
            )
        )
    kinds: dict[ox.NamedNode, str] = {}
    for ref in r.nodes(node, TKG + "reference"):
        for pub in r.nodes(ref, TKG + "publication"):
            kind = r.nodes(ref, TKG + "referenceType")
            if kind:
                kinds[pub] = r.label(kind[0])
    publications = [_publication(b, p, kinds.get(p)) for p in r.nodes(node, SCHEMA + "citation")]
    similar = []
    for sim, _ in r.subjects(TKG + "source", node):
        if isinstance(sim, ox.NamedNode | ox.BlankNode):
            for target in r.nodes(sim, TKG + "target"):
                similar.append(
                    Similar(b.link(target), r.text(sim, TKG + "score"), r.text(sim, TKG + "method"))
                )
    similar.sort(key=lambda s: -float(s.score or 0))
    people = []
    for local, role in _PEOPLE_ROLES:
        for person in r.nodes(node, TKG + local):
            affiliation = r.nodes(person, SCHEMA + "affiliation")
            people.append((b.link(person), role, b.link(affiliation[0]) if affiliation else None))
    return {
        "nct": r.text(node, DCT + "identifier"),
        "status": [b.link(s) for s in r.nodes(node, SCHEMA + "status")],
        "phases": [b.link(p) for p in r.nodes(node, TKG + "phase")],
        "start": r.text(node, SCHEMA + "startDate"),
        "end": r.text(node, SCHEMA + "endDate"),
        "modified": r.text(node, SCHEMA + "dateModified"),
        "enrollment": r.text(node, TKG + "enrollment"),
        "description": r.text(node, SCHEMA + "description"),
        "sponsors": sponsors,
        "sites": sites,
        "publications": publications,
        "similar": similar,
        "related": [b.link(t) for t in r.nodes(node, TKG + "relatedTrial")],
        "conditions": [b.link(c) for c in r.nodes(node, SCHEMA + "healthCondition")],
        "interventions": [b.link(i) for i in r.nodes(node, SCHEMA + "studySubject")],
        "people": people,
        "same_as": [b.link(s) for s in r.nodes(node, SCHEMA + "sameAs")],
        "results": trial_results(r, node, ae_sort),
    }


def _publication(b: _Builder, node: ox.NamedNode, kind: str | None = None) -> Publication:
    r = b.r
    journal = r.nodes(node, SCHEMA + "isPartOf")
    return Publication(
        Link(
            r.text(node, SCHEMA + "name") or r.text(node, TKG + "citationText") or r.label(node),
            b.h.href(node.value),
            node.value,
        ),
        r.label(journal[0]) if journal else None,
        r.text(node, SCHEMA + "datePublished"),
        r.text(node, BIBO + "doi"),
        r.text(node, BIBO + "pmid"),
        kind,
    )


_LIST_LIMIT = 1000  # an organisation may sponsor thousands of trials: a page lists this many


def _trials_pointing(b: _Builder, node: ox.NamedNode, predicate: str) -> list[Link]:
    links = {b.link(s) for s, _ in b.r.subjects(predicate, node, _LIST_LIMIT)}
    return sorted(links, key=lambda link: link.label.casefold())


def _organization_sections(b: _Builder, node: ox.NamedNode) -> dict[str, object]:
    sites = []
    for site, _ in b.r.subjects(TKG + "facility", node, _LIST_LIMIT):
        for trial, _ in b.r.subjects(TKG + "site", site):
            sites.append((b.link(trial), b.link(site)))
    return {
        "sponsored": _trials_pointing(b, node, SCHEMA + "sponsor"),
        "lead": _trials_pointing(b, node, TKG + "leadSponsor"),
        "site_of": sites,
        "people": _trials_pointing(b, node, SCHEMA + "affiliation"),
        "names": b.r.texts(node, SCHEMA + "alternateName"),
    }


def _person_sections(b: _Builder, node: ox.NamedNode) -> dict[str, object]:
    trials = []
    for local, role in _PEOPLE_ROLES:
        trials += [(link, role) for link in _trials_pointing(b, node, TKG + local)]
    return {
        "trials": trials,
        "publications": [
            _publication(b, p)
            for p, _ in b.r.subjects(SCHEMA + "author", node)
            if isinstance(p, ox.NamedNode)
        ],
        "affiliations": [b.link(o) for o in b.r.nodes(node, SCHEMA + "affiliation")],
    }


def _publication_sections(b: _Builder, node: ox.NamedNode) -> dict[str, object]:
    authors: list[Link] = []
    for head in b.r.nodes(node, BIBO + "authorList"):
        authors += [b.link(a) for a in b.r.walk_list(head)]
    if not authors:
        authors = [b.link(a) for a in b.r.nodes(node, SCHEMA + "author")]
    return {
        "publication": _publication(b, node),
        "authors": authors,
        "cited_by": _trials_pointing(b, node, SCHEMA + "citation"),
        "citation": b.r.text(node, TKG + "citationText"),
    }


_KINDS = (
    (
        "trial",
        (
            SCHEMA + "MedicalStudy",
            SCHEMA + "MedicalTrial",
            SCHEMA + "MedicalObservationalStudy",
            TKG + "ExpandedAccessStudy",
        ),
    ),
    ("organization", (SCHEMA + "Organization",)),
    ("person", (SCHEMA + "Person",)),
    ("publication", (SCHEMA + "ScholarlyArticle",)),
)


def build_page(
    store: ox.Store, base: str, node: ox.NamedNode, *, ae_sort: str | None = None
) -> Page:
    """Collect what the page of a resource shows (``ae_sort``: the adverse events' order)."""
    b = _Builder(store, base, node)
    types = b.r.types(node)
    kind = next((k for k, classes in _KINDS if set(types) & set(classes)), "resource")
    page = Page(
        iri=node.value,
        title=b.r.label(node),
        kind=kind,
        types=[b.term_link(t) for t in types],
        facts=b.facts(node),
        inbound=b.inbound(node),
    )
    if kind == "trial":
        page.sections = _trial_sections(b, node, ae_sort)
        nct = page.sections.get("nct")
        page.subtitle = str(nct) if nct else None
    elif kind == "organization":
        page.sections = _organization_sections(b, node)
    elif kind == "person":
        page.sections = _person_sections(b, node)
    elif kind == "publication":
        page.sections = _publication_sections(b, node)
    return page


@dataclass(frozen=True, slots=True)
class OntologyTerm:
    """One term of the ontology page, with its anchor (``/ontology#site`` resolves to it)."""

    anchor: str
    curie: str
    label: str | None
    comment: str | None
    types: tuple[str, ...]
    facts: tuple[tuple[str, tuple[Link, ...]], ...]


_TERM_FACTS = (
    ("domain", "http://www.w3.org/2000/01/rdf-schema#domain"),
    ("range", "http://www.w3.org/2000/01/rdf-schema#range"),
    ("subclass of", "http://www.w3.org/2000/01/rdf-schema#subClassOf"),
    ("subproperty of", "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"),
    ("in scheme", "http://www.w3.org/2004/02/skos/core#inScheme"),
    ("notation", "http://www.w3.org/2004/02/skos/core#notation"),
    ("equivalent", "http://www.w3.org/2002/07/owl#equivalentClass"),
)


def ontology_terms(store: ox.Store, graph: str, base: str) -> list[OntologyTerm]:
    """Return the terms of our namespace declared in the ontology graph, sorted by name."""
    b = _Builder(store, base)
    g = ox.NamedNode(graph)
    subjects = sorted(
        {
            q.subject.value
            for q in store.quads_for_pattern(None, None, None, g)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(TKG)
        }
    )
    terms = []
    for iri in subjects:
        node = ox.NamedNode(iri)
        label = b.r.text(node, "http://www.w3.org/2000/01/rdf-schema#label") or b.r.text(
            node, "http://www.w3.org/2004/02/skos/core#prefLabel"
        )
        comment = b.r.text(node, "http://www.w3.org/2000/01/rdf-schema#comment") or b.r.text(
            node, "http://www.w3.org/2004/02/skos/core#definition"
        )
        facts = []
        for name, predicate in _TERM_FACTS:
            values = tuple(
                b.term_link(v.value) if isinstance(v, ox.NamedNode) else b.link(v)
                for v in b.r.objects(node, predicate)
            )
            if values:
                facts.append((name, values))
        terms.append(
            OntologyTerm(
                anchor=iri[len(TKG) :],
                curie=_curie(iri),
                label=label,
                comment=comment,
                types=tuple(_curie(t) for t in b.r.types(node)),
                facts=tuple(facts),
            )
        )
    return terms


def void_rows(
    store: ox.Store, base: str, groups: list[list[ox.Triple]]
) -> list[tuple[Link, Link, Link]]:
    """Return the dataset description as rows of subject, property and value links."""
    b = _Builder(store, base)
    rows = []
    for group in groups:
        for t in group:
            subj = t.subject
            s = subj.value if isinstance(subj, ox.NamedNode) else str(subj)
            subject = Link(s.removeprefix(base + "void"), b.h.href(s), s)
            obj = t.object
            if isinstance(obj, ox.NamedNode):
                value = Link(_curie(obj.value), b.h.href(obj.value), obj.value)
            else:
                value = Link(obj.value if isinstance(obj, ox.Literal) else str(obj), None)
            rows.append((subject, b.term_link(t.predicate.value), value))
    return rows
