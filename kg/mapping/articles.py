"""Map the publications linked to a trial (PubMed, Crossref) into DESIGN.md's vocabulary; no I/O.

One node per article: a registry reference keeps the node the trial's graph already gives it
(keyed by PMID, else DOI, else citation hash: :meth:`kg.terms.Minter.publication`), so the seed's
citation-only node (``publication/doi/...``) carries PubMed's facts once its DOI resolves. When
that node is not the PMID-keyed one, it is ``owl:sameAs`` the PMID-keyed IRI, which another trial
citing the article by PMID uses: queries that count articles across trials follow that link.
An article found only through PubMed (databank link, title match) is keyed by PMID.

Every link says how it was found (``tkg:PublicationLink``: ``tkg:linkSource`` concepts, and a
``tkg:linkConfidence`` for a title match). A title match is a candidate: it is never written as a
registry reference, nor as the trial's ``schema:citation``. The triples go in the trial's
publications graph (:func:`publications_graph`), apart from the registry record's graph, so a
rebuild of the trial keeps them and a new fetch replaces them; the graph's provenance names each
PubMed or Crossref record.
"""

from __future__ import annotations

from kg.mapping._emit import Triples
from kg.mapping.parties import map_organization
from kg.model_pub import (
    Article,
    ArticleAuthor,
    ArticleLink,
    ArticleSource,
    LinkSource,
    TrialPublications,
)
from kg.terms import (
    BIB,
    DCT,
    OWL,
    PRV,
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    SDO,
    TKG,
    XSD,
    Minter,
    T,
    Triple,
    date_literal,
    decimal,
    iri,
    literal,
    mesh,
    name_key,
    slug,
)

__all__ = [
    "ASSERTED_SOURCES",
    "link_source_concept",
    "map_article",
    "map_trial_publications",
    "publication_node",
    "publications_graph",
]

OWL_SAME_AS = f"<{OWL}sameAs>"
ASSERTED_SOURCES = frozenset({LinkSource.REGISTRY_REFERENCE, LinkSource.PUBMED_DATABANK})
"""Link sources that make the publication the trial's ``schema:citation``; title matches do not."""


def publications_graph(mint: Minter, nct_id: str) -> str:
    """Return the named graph of a trial's linked publications.

    >>> publications_graph(Minter(), "NCT03737461")
    '<https://w3id.org/trialkg/graph/publications/NCT03737461>'
    """
    return iri(f"{mint.base}graph/publications/{nct_id}")


def link_source_concept(source: LinkSource) -> str:
    """Return the rendered concept of a link source.

    >>> link_source_concept(LinkSource.TITLE_MATCH)
    '<https://w3id.org/trialkg/ontology#linkSource-TITLE_MATCH>'
    """
    return iri(f"{TKG}linkSource-{source.value}")


def publication_node(mint: Minter, link: ArticleLink) -> str:
    """Return the node of a linked publication: the registry's own, else keyed by PMID, else DOI.

    Of several registry references to one article, the PMID-keyed one wins, else the first.
    """
    article = link.article
    pmid_node = mint.publication(pmid=article.pmid) if article and article.pmid else None
    nodes = [ref.node for ref in link.references]
    if nodes:
        return pmid_node if pmid_node in nodes else nodes[0]
    if pmid_node is not None:
        return pmid_node
    if article is not None and article.doi:
        return mint.publication(doi=article.doi)
    if link.candidate_for is not None:
        return link.candidate_for.node
    raise ValueError("a publication link needs an article or a registry reference")


def _link_key(mint: Minter, node: str) -> str:
    """Return the link's key under its trial: the publication's own key ("pmid/39393844").

    Publication keys are unique (a DOI is kept whole, percent-encoded), so link keys are too.
    """
    value = node[1:-1]
    prefix = f"{mint.base}publication/"
    return value[len(prefix) :] if value.startswith(prefix) else slug(value)


def map_trial_publications(
    pubs: TrialPublications, mint: Minter | None = None, *, generated_at: str | None = None
) -> list[Triple]:
    """Return the triples of one trial's linked publications, provenance included."""
    t = Triples(mint or Minter())
    trial = t.mint.trial(pubs.nct_id)
    for link in pubs.links:
        _map_link(t, pubs.nct_id, trial, link)
    graph = publications_graph(t.mint, pubs.nct_id)
    if generated_at:
        t.add(graph, PRV.generatedAtTime, literal(generated_at, XSD + "dateTime"))
    t.add(graph, DCT.subject, trial)
    for link in pubs.links:
        if link.article is not None:
            _source(t, graph, link.article)
    return t.items


def _map_link(t: Triples, nct_id: str, trial: str, link: ArticleLink) -> None:
    pub = publication_node(t.mint, link)
    node = t.mint.part(nct_id, "publication-link", _link_key(t.mint, pub))
    t.add(trial, T.publicationLink, node)
    t.a(node, T.PublicationLink)
    t.add(node, T.linkedPublication, pub)
    for source in link.sources:
        t.add(node, T.linkSource, link_source_concept(source))
    if link.confidence is not None:
        t.add(node, T.linkConfidence, decimal(round(link.confidence, 3)))
    if link.candidate_for is not None:
        t.add(node, T.candidateFor, link.candidate_for.node)
    if ASSERTED_SOURCES.intersection(link.sources):
        t.add(trial, SDO.citation, pub)
    for ref in link.references:
        if ref.node != pub:  # two registry references to one article
            t.add(ref.node, OWL_SAME_AS, pub)
    t.a(pub, SDO.ScholarlyArticle)
    if link.article is not None:
        map_article(t, link.article, pub, link)


def map_article(t: Triples, article: Article, pub: str, link: ArticleLink | None = None) -> None:
    """Add an article's facts to its node ``pub``, beside what the registry's citation says."""
    refs = link.references if link is not None else ()
    t.a(pub, SDO.ScholarlyArticle)
    if article.title and not any(
        r.title and name_key(r.title) == name_key(article.title) for r in refs
    ):
        t.text(pub, SDO.name, article.title)
    if article.pmid:
        t.add(pub, BIB.pmid, literal(article.pmid))
        t.add(pub, SDO.sameAs, iri(f"https://pubmed.ncbi.nlm.nih.gov/{article.pmid}/"))
        pmid_node = t.mint.publication(pmid=article.pmid)
        if pmid_node != pub:
            t.add(pub, OWL_SAME_AS, pmid_node)
    if article.doi:
        # DOIs are case-insensitive: keep the registry's spelling, a publication has one DOI.
        doi = next(
            (r.doi for r in refs if r.doi and r.doi.lower() == article.doi.lower()), article.doi
        )
        t.add(pub, BIB.doi, literal(doi))
        t.add(pub, SDO.sameAs, iri(f"https://doi.org/{doi}"))
    if article.pmcid:
        t.text(pub, BIB.pmcid, article.pmcid)
        t.add(pub, SDO.sameAs, iri(f"https://www.ncbi.nlm.nih.gov/pmc/articles/{article.pmcid}/"))
    if article.date is not None:
        t.add(pub, SDO.datePublished, date_literal(article.date))
    t.text(pub, BIB.volume, article.volume)
    t.text(pub, BIB.issue, article.issue)
    t.text(pub, BIB.pageStart, article.page_start)
    t.text(pub, BIB.pageEnd, article.page_end)
    _journal(t, article, pub)
    registry_authors = next((r.authors for r in refs if r.authors), ())
    _authors(t, article, pub, [name_key(n) for n in registry_authors])
    for heading in article.mesh:
        descriptor = mesh(heading.descriptor_id)
        t.add(pub, SDO.about, descriptor)
        t.text(descriptor, SDO.name, heading.name)
    for kind in article.publication_types:
        concept = mesh(kind.type_id)
        t.add(pub, T.publicationType, concept)
        t.text(concept, SDO.name, kind.name)


def _journal(t: Triples, article: Article, pub: str) -> None:
    journal = article.journal
    if journal is None or not journal.short_name:
        return
    # Keyed by the abbreviation NLM citations give, so the citation's journal is the same node.
    node = t.mint.periodical(journal.short_name)
    t.add(pub, SDO.isPartOf, node)
    t.a(node, SDO.Periodical)
    t.text(node, SDO.name, journal.short_name)
    for other in (journal.name, journal.iso_abbreviation):
        if other and other != journal.short_name:
            t.text(node, SDO.alternateName, other)
    for issn in journal.issns:
        t.text(node, SDO.issn, issn)


def _authors(t: Triples, article: Article, pub: str, registry_names: list[str]) -> None:
    """Add the authors; the ordered list too, unless the registry's citation gives another one.

    Authors are keyed as the citation mapping keys them (name within the publication), so a
    citation's author and PubMed's are one node; the list cells are the citation's, and a second,
    different list would break the first, so PubMed's list is written only where it agrees.
    """
    if not article.authors:
        return
    base = pub[1:-1]
    agents = [_author(t, a, base, set(registry_names)) for a in article.authors]
    for agent in agents:
        t.add(pub, SDO.author, agent)
    names = [name_key(a.name) for a in article.authors]
    if registry_names and registry_names != names:
        return
    cells = [iri(f"{base}/authors/{k}") for k in range(1, len(agents) + 1)]
    t.add(pub, BIB.authorList, cells[0])
    for k, (cell, agent) in enumerate(zip(cells, agents, strict=True)):
        t.add(cell, RDF_FIRST, agent)
        t.add(cell, RDF_REST, cells[k + 1] if k + 1 < len(cells) else RDF_NIL)


def _author(t: Triples, author: ArticleAuthor, publication: str, named: set[str]) -> str:
    if author.collective:
        return map_organization(t, author.collective)
    person = t.mint.person(author.name, publication)
    t.a(person, SDO.Person)
    if name_key(author.name) not in named:  # the citation named this person already
        t.text(person, SDO.name, author.name)
    t.text(person, SDO.familyName, author.family)
    t.text(person, SDO.givenName, author.given)
    t.text(person, T.initials, author.initials)
    if author.orcid:
        t.add(person, SDO.sameAs, iri(f"https://orcid.org/{author.orcid}"))
    for affiliation in author.affiliations:
        t.text(person, T.affiliationText, affiliation)
    return person


def _source(t: Triples, graph: str, article: Article) -> None:
    """Name the PubMed or Crossref record the graph's facts about ``article`` came from."""
    source = t.mint.source(article.source.value, article.source_digest)
    t.add(graph, PRV.wasDerivedFrom, source)
    t.a(source, T.Source)
    t.text(source, T.sourceFormat, article.source.value)
    if article.pmid and article.source is ArticleSource.PUBMED:
        t.text(source, DCT.title, f"PubMed {article.pmid}")
        t.add(source, DCT.source, iri(f"https://pubmed.ncbi.nlm.nih.gov/{article.pmid}/"))
    elif article.doi:
        t.text(source, DCT.title, f"Crossref {article.doi}")
        t.add(source, DCT.source, iri(f"https://api.crossref.org/works/{article.doi}"))
    if article.record_date is not None:
        t.add(source, T.sourceDate, date_literal(article.record_date))
