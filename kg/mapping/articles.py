"""Map the publications linked to a trial (PubMed, Crossref) into DESIGN.md's vocabulary; no I/O.

One paper is one node (DESIGN.md, "Publication"), keyed by its PMID, else its DOI, else the
registry's citation: :func:`publication_node`. When PubMed or Crossref reveals an identifier the
registry did not give (the seed's reference has a DOI, PubMed gives its PMID), the paper's facts
go to the node that identifier keys, the trial cites that node here, and every other IRI of the
paper (the registry's ``publication/doi/...``) is written only as ``owl:sameAs`` it
(:func:`publication_aliases`). :func:`kg.publication_identity.merge_aliases` then moves what a
store says of an alias, in the trial's own graph too, to the node, so queries without a reasoner
see one node with all its facts and all the trials citing it.

Every link says how it was found (``tkg:PublicationLink``: ``tkg:linkSource`` concepts, and a
``tkg:linkConfidence`` for a title match or an unverified PubMed search). Those two are
candidates: never written as a registry reference, nor as the trial's ``schema:citation``. The
triples go in the trial's publications graph (:func:`publications_graph`), apart from the
registry record's graph, so a rebuild of the trial keeps them and a new fetch replaces them; the
graph's provenance names each PubMed or Crossref record.
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
    "publication_aliases",
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
    """Return the one node of a linked publication: keyed by PMID, else DOI, else the citation's.

    Whichever source named the paper first, its facts go to the IRI its best identifier keys
    (DESIGN.md, "Publication"): the PMID PubMed or the registry gives, else the DOI, else the
    registry's own node. The other IRIs it is known by are :func:`publication_aliases`.
    """
    article = link.article
    refs = link.references
    pmid = (article.pmid if article else None) or next((r.pmid for r in refs if r.pmid), None)
    if pmid:
        return mint.publication(pmid=pmid)
    doi = (article.doi if article else None) or next((r.doi for r in refs if r.doi), None)
    if doi:
        return mint.publication(doi=doi)
    if refs:
        return refs[0].node
    if link.candidate_for is not None:
        return link.candidate_for.node
    raise ValueError("a publication link needs an article or a registry reference")


def publication_aliases(mint: Minter, link: ArticleLink, node: str) -> list[str]:
    """Return the other IRIs of the publication ``node``: each an ``owl:sameAs`` alias of it.

    They are the nodes the registry's references give it (in the trial's graph, or as the
    registry would key them: PMID, else DOI, else citation text) and the node its DOI keys when a
    PMID keys ``node``. A title match's citation is a candidate, never an alias.
    """
    found: list[str] = []
    for ref in link.references:
        found.append(ref.node)
        if ref.pmid or ref.doi or ref.text:
            found.append(mint.publication(pmid=ref.pmid, doi=ref.doi, text=ref.text))
        if ref.doi:
            found.append(mint.publication(doi=ref.doi))
    if link.article is not None and link.article.doi:
        found.append(mint.publication(doi=link.article.doi))
    return [n for n in dict.fromkeys(found) if n != node]


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
    # The other IRIs stay as aliases without facts; kg.publication_identity moves the facts a
    # store holds under them (the trial's own graph too) to this node.
    for alias in publication_aliases(t.mint, link, pub):
        t.add(alias, OWL_SAME_AS, pub)
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
