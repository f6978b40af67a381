"""Map references and related trials: publications keyed by PMID, else DOI, else citation text."""

from __future__ import annotations

from kg import model
from kg.mapping._emit import Triples
from kg.mapping.parties import map_organization
from kg.terms import (
    BIB,
    DCT,
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    SDO,
    T,
    date_literal,
    iri,
    literal,
)

__all__ = ["map_publications", "map_related_trials"]


def map_related_trials(t: Triples, trial: model.Trial, node: str) -> None:
    """Add the trials the source lists as related (never computed similarity)."""
    for related in trial.related_trials:
        r = t.mint.trial(related.nct_id)
        t.add(node, T.relatedTrial, r)
        t.a(r, SDO.MedicalStudy)
        t.add(r, DCT.identifier, literal(related.nct_id))
        t.text(r, SDO.name, related.title)


def map_publications(t: Triples, trial: model.Trial, node: str) -> None:
    """Add each reference as a publication, with a ``tkg:Reference`` when the source types it."""
    for n, ref in enumerate(trial.references, 1):
        cit = ref.citation
        pmid = ref.pmid or (cit.pmid if cit else None)
        doi = cit.doi if cit else None
        if not (pmid or doi or ref.text):
            continue
        pub = t.mint.publication(pmid=pmid, doi=doi, text=ref.text)
        t.add(node, SDO.citation, pub)
        if ref.type is not None:
            r = t.mint.part(trial.nct_id, "reference", n)
            t.add(node, T.reference, r)
            t.a(r, T.Reference)
            t.code(r, T.referenceType, ref.type)
            t.add(r, T.publication, pub)
        t.a(pub, SDO.ScholarlyArticle)
        t.text(pub, T.citationText, ref.text)
        if pmid:
            t.add(pub, BIB.pmid, literal(pmid))
            t.add(pub, SDO.sameAs, iri(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
        if doi:
            t.add(pub, BIB.doi, literal(doi))
            t.add(pub, SDO.sameAs, iri(f"https://doi.org/{doi}"))
        if cit is not None:
            _citation(t, pub, cit)


def _citation(t: Triples, pub: str, cit: model.Citation) -> None:
    t.text(pub, SDO.name, cit.title)
    if cit.date is not None:
        t.add(pub, SDO.datePublished, date_literal(cit.date))
    t.text(pub, BIB.volume, cit.volume)
    t.text(pub, BIB.issue, cit.issue)
    t.text(pub, BIB.pageStart, cit.page_start)
    t.text(pub, BIB.pageEnd, cit.page_end)
    if cit.pmcid:
        t.text(pub, BIB.pmcid, cit.pmcid)
    if cit.journal:
        journal = t.mint.periodical(cit.journal)
        t.add(pub, SDO.isPartOf, journal)
        t.a(journal, SDO.Periodical)
        t.text(journal, SDO.name, cit.journal)
    if not cit.authors:
        return
    # bibo:authorList is an rdf:List; its cells get IRIs under the publication so output is stable.
    base = pub[1:-1]
    cells = [iri(f"{base}/authors/{k}") for k in range(1, len(cit.authors) + 1)]
    t.add(pub, BIB.authorList, cells[0])
    for k, (cell, author) in enumerate(zip(cells, cit.authors, strict=True)):
        agent = _author(t, author, base)
        t.add(pub, SDO.author, agent)
        t.add(cell, RDF_FIRST, agent)
        t.add(cell, RDF_REST, cells[k + 1] if k + 1 < len(cells) else RDF_NIL)


def _author(t: Triples, author: model.Author, publication: str) -> str:
    if author.is_group:
        return map_organization(t, author.name)
    # A citation gives no affiliation: key the person by name within this publication.
    person = t.mint.person(author.name, publication)
    t.a(person, SDO.Person)
    t.text(person, SDO.name, author.name)
    t.text(person, SDO.familyName, author.family)
    t.text(person, T.initials, author.initials)
    return person
