"""Read the registry references of the trials in a store: what ``kg fetch-publications`` links.

Every trial's references are read from its own graph (``{base}graph/NCT...``) in one query, and
their author lists in a second one, whatever the number of trials: a query per trial cost about
45 s over 708 trials before the first request went out. A short list of NCT numbers is read
trial by trial instead (two small queries each), so linking one trial of a large store is quick.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

import pyoxigraph as ox

from kg.model_pub import RegistryRef, TrialReferences
from kg.queries import with_values
from kg.terms import DEFAULT_BASE, Minter

__all__ = ["FEW_TRIALS", "references_from_store"]

FEW_TRIALS = 20
"""Up to this many NCT numbers are read trial by trial; more, or all, in one query."""

_CELL = re.compile(r"/authors/([0-9]+)$")
_KEYED = re.compile(r"/publication/(pmid|doi)/([^/].*)$")

# ?base is bound (?nct too for one trial): a trial's references come from its own graph and node.
_TRIALS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?nct WHERE {
  GRAPH ?g { ?trial dcterms:identifier ?nct }
  FILTER(STR(?g) = CONCAT(?base, "graph/", STR(?nct)))
  FILTER(STR(?trial) = CONCAT(?base, "trial/", STR(?nct)))
}
ORDER BY ?nct
"""

_REFERENCES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT ?nct ?pub (SAMPLE(?p) AS ?pmid) (SAMPLE(?d) AS ?doi) (SAMPLE(?t) AS ?title)
       (SAMPLE(?j) AS ?journal) (SAMPLE(?date) AS ?published) (SAMPLE(?c) AS ?text)
WHERE {
  GRAPH ?g {
    ?trial dcterms:identifier ?nct ; schema:citation ?pub .
    OPTIONAL { ?pub bibo:pmid ?p } OPTIONAL { ?pub bibo:doi ?d } OPTIONAL { ?pub schema:name ?t }
    OPTIONAL { ?pub schema:isPartOf/schema:name ?j } OPTIONAL { ?pub schema:datePublished ?date }
    OPTIONAL { ?pub tkg:citationText ?c }
  }
  FILTER(STR(?g) = CONCAT(?base, "graph/", STR(?nct)))
  FILTER(STR(?trial) = CONCAT(?base, "trial/", STR(?nct)))
}
GROUP BY ?nct ?pub
ORDER BY ?nct ?pub
"""

_AUTHORS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?nct ?pub ?cell ?name WHERE {
  GRAPH ?g {
    ?trial dcterms:identifier ?nct ; schema:citation ?pub .
    ?pub bibo:authorList/rdf:rest* ?cell .
    ?cell rdf:first/schema:name ?name .
  }
  FILTER(STR(?g) = CONCAT(?base, "graph/", STR(?nct)))
  FILTER(STR(?trial) = CONCAT(?base, "trial/", STR(?nct)))
}
"""


def _text(solution: ox.QuerySolution, name: str) -> str | None:
    term = solution[name]
    return term.value if term is not None else None


def _select(store: ox.Store, query: str, bindings: dict[str, ox.Literal]) -> list[ox.QuerySolution]:
    # A VALUES block (kg.queries): pyoxigraph substitutes only projected variables.
    text = with_values(query, {ox.Variable(k): v for k, v in bindings.items()})
    result = store.query(text)
    if not isinstance(result, ox.QuerySolutions):  # pragma: no cover - every query is a SELECT
        raise TypeError("expected solutions")
    return list(result)


def _keyed_by(node: str) -> tuple[str | None, str | None]:
    """Return the PMID or DOI a publication IRI is keyed by (a node fetch-publications merged).

    A citation that PubMed or Crossref identified is the node its identifier keys, while the
    trial's graph states only what the registry gave (kg.publication_identity).

    >>> _keyed_by("https://w3id.org/trialkg/publication/doi/10.5555/kg-test-0001")
    (None, '10.5555/kg-test-0001')
    >>> _keyed_by("https://w3id.org/trialkg/publication/cite/0123456789abcdef")
    (None, None)
    """
    found = _KEYED.search(node)
    if found is None:
        return None, None
    if found.group(1) == "pmid":
        return found.group(2), None
    return None, unquote(found.group(2))


def _read(store: ox.Store, bind: dict[str, ox.Literal]) -> dict[str, list[RegistryRef]]:
    """Return the references of the trials the bindings select, by NCT number."""
    authors: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for s in _select(store, _AUTHORS, bind):
        cell = _CELL.search(_text(s, "cell") or "")
        nct, pub, name = _text(s, "nct"), _text(s, "pub"), _text(s, "name")
        if cell and nct and pub and name:
            authors.setdefault((nct, pub), []).append((int(cell.group(1)), name))
    out: dict[str, list[RegistryRef]] = {}
    for s in _select(store, _REFERENCES, bind):
        nct, pub = _text(s, "nct") or "", _text(s, "pub") or ""
        published = _text(s, "published")
        year = published[:4] if published else None
        pmid, doi = _text(s, "pmid"), _text(s, "doi")
        if pmid is None and doi is None:
            pmid, doi = _keyed_by(pub)
        out.setdefault(nct, []).append(
            RegistryRef(
                node=f"<{pub}>",
                pmid=pmid,
                doi=doi,
                title=_text(s, "title"),
                journal=_text(s, "journal"),
                year=int(year) if year and year.isdigit() else None,
                authors=tuple(n for _, n in sorted(authors.get((nct, pub), []))),
                text=_text(s, "text"),
            )
        )
    return out


def references_from_store(
    store: ox.Store, nct_ids: Sequence[str] | None = None, *, base: str = DEFAULT_BASE
) -> list[TrialReferences]:
    """Return the registry references of trials in a store, read from each trial's own graph.

    ``nct_ids`` None means every trial the store holds a record of; an NCT number the store does
    not hold gives a trial without references (PubMed's databank list may still know it).
    """
    base_term = ox.Literal(Minter(base).base)
    if nct_ids is None:
        found = _select(store, _TRIALS, {"base": base_term})
        nct_ids = [s["nct"].value for s in found if s["nct"] is not None]
        refs = _read(store, {"base": base_term})
    elif len(nct_ids) > FEW_TRIALS:
        refs = _read(store, {"base": base_term})
    else:
        refs = {}
        for nct in nct_ids:
            refs.update(_read(store, {"base": base_term, "nct": ox.Literal(nct)}))
    return [TrialReferences(nct, tuple(refs.get(nct, ()))) for nct in nct_ids]
