"""The SPARQL queries that read trial features from a store (default graph = union of graphs).

Each feature query projects ``?t`` (the trial node) and then the feature's node or value and a
label. None reads ``tkg:relatedTrial``, ``dcterms:identifier`` or ``schema:identifier``: what a
source asserts as related, and a trial's own identifiers, are never similarity features.
"""

from __future__ import annotations

import pyoxigraph as ox

__all__ = [
    "ADVERSE_EVENTS",
    "FEATURE_QUERIES",
    "GRAPH_LITERALS",
    "PMIDS",
    "RELATED",
    "TRIALS",
    "solutions",
]

_PREFIXES = """\
PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
"""

# A trial with a record of its own: its named graph says where it came from (DESIGN.md,
# provenance) and the graph's IRI ends with its NCT id. Trials only named by another record
# (``tkg:relatedTrial`` targets) have no such graph.
TRIALS = _PREFIXES + """\
SELECT DISTINCT ?t ?nct ?g ?title WHERE {
  GRAPH ?g { ?t dcterms:identifier ?nct . ?g prov:wasDerivedFrom ?src }
  FILTER(STRENDS(STR(?g), CONCAT("/", STR(?nct))))
  OPTIONAL { GRAPH ?g { ?t schema:name ?title } }
}
"""

# name -> query projecting ?t ?value. Labels are read afterwards, only for features that two
# trials share (an OPTIONAL label per row costs more than the rest of the query).
FEATURE_QUERIES: dict[str, str] = {
    "condition": _PREFIXES + "SELECT DISTINCT ?t ?value WHERE { ?t schema:healthCondition ?value }",
    "condition_mesh": _PREFIXES
    + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:conditionMeshTerm ?value }",
    "condition_mesh_ancestor": _PREFIXES
    + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:conditionMeshAncestor ?value }",
    "intervention": _PREFIXES + """\
SELECT DISTINCT ?t ?value WHERE {
  ?t schema:studySubject ?i . { ?i schema:name ?value } UNION { ?i schema:alternateName ?value }
}""",
    "intervention_type": _PREFIXES + """\
SELECT DISTINCT ?t ?value WHERE { ?t schema:studySubject ?i . ?i tkg:interventionType ?value }""",
    "intervention_mesh": _PREFIXES
    + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:interventionMeshTerm ?value }",
    "intervention_mesh_ancestor": _PREFIXES
    + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:interventionMeshAncestor ?value }",
    "sponsor": _PREFIXES + "SELECT DISTINCT ?t ?value WHERE { ?t schema:sponsor ?value }",
    "investigator": _PREFIXES + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:overallOfficial ?value }",
    # Facility first: pyoxigraph joins in the written order, and this one is ~2x faster.
    "site": _PREFIXES
    + "SELECT DISTINCT ?t ?value WHERE { ?s tkg:facility ?value . ?t tkg:site ?s }",
    "country": _PREFIXES + "SELECT DISTINCT ?t ?value WHERE { ?t schema:studyLocation ?value }",
    "phase": _PREFIXES + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:phase ?value }",
    "design": _PREFIXES + """\
SELECT DISTINCT ?t ?value WHERE {
  ?t tkg:studyType|tkg:allocation|tkg:interventionModel|tkg:primaryPurpose|tkg:masking
     |tkg:observationalModel|tkg:timePerspective ?value .
}""",
    "sex": _PREFIXES
    + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:eligibility ?e . ?e tkg:sex ?value }",
    "age": _PREFIXES + """\
SELECT DISTINCT ?t ?min ?max ?std WHERE {
  ?t tkg:eligibility ?e .
  OPTIONAL { ?e tkg:minimumAgeYears ?min }
  OPTIONAL { ?e tkg:maximumAgeYears ?max }
  OPTIONAL { ?e tkg:stdAge ?std }
}""",
    "publication": _PREFIXES + "SELECT DISTINCT ?t ?value WHERE { ?t schema:citation ?value }",
    "keyword": _PREFIXES + "SELECT DISTINCT ?t ?value WHERE { ?t tkg:keyword ?value }",
    "title": _PREFIXES + """\
SELECT DISTINCT ?t ?value WHERE {
  ?t dcterms:identifier ?nct ; schema:name|schema:alternateName ?value .
}""",
    "condition_name": _PREFIXES + """\
SELECT DISTINCT ?t ?value WHERE { ?t schema:healthCondition ?c . ?c schema:name ?value }""",
    "summary": _PREFIXES + """\
SELECT DISTINCT ?t ?value WHERE { ?t dcterms:identifier ?nct ; schema:description ?value }""",
}

# Every group count of every listed adverse event (kg.similarity.adverse_events): no DISTINCT,
# two groups may well have the same numbers.
ADVERSE_EVENTS = _PREFIXES + """\
SELECT ?t ?term ?organ ?seriousness ?affected ?atRisk WHERE {
  ?t tkg:adverseEvent ?e .
  ?e tkg:term ?term ; tkg:seriousness ?seriousness ; tkg:eventStats ?s .
  ?s tkg:affected ?affected .
  OPTIONAL { ?s tkg:atRisk ?atRisk }
  OPTIONAL { ?e tkg:organSystem ?organ }
}"""

# Ground truth for the evaluation: every literal in a trial's own graph (to find cited NCT ids),
# the PMIDs each trial cites, and the related trials a source lists.
GRAPH_LITERALS = _PREFIXES + """\
SELECT ?g ?o WHERE {
  GRAPH ?g { ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), "NCT")) }
}"""

PMIDS = _PREFIXES + """\
SELECT DISTINCT ?t ?pmid WHERE { ?t schema:citation ?p . ?p bibo:pmid ?pmid }"""

RELATED = _PREFIXES + """\
SELECT DISTINCT ?t ?r WHERE { ?t tkg:relatedTrial ?r }"""


def solutions(store: ox.Store, query: str, *, union: bool = True) -> ox.QuerySolutions:
    """Run a SELECT query (default graph = union of the named graphs unless ``union`` is off)."""
    result = store.query(query, use_default_graph_as_union=union)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("not a SELECT query")
    return result
