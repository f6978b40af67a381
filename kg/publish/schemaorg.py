"""schema.org JSON-LD of one resource, as a search engine reads it (``"@context": "https://schema.org"``).

The graph itself uses schema.org where it can, but also terms a search engine does not know
(``tkg:``, ``bibo:``) and some schema.org properties outside their domain (``schema:startDate`` on
a study). This view keeps only types and properties that schema.org defines for the type at hand:
a trial is a ``MedicalTrial`` (or ``MedicalObservationalStudy``) with ``sponsor``,
``healthCondition``, ``studySubject``, ``studyLocation``, ``status``, ``trialDesign``, its NCT id
as a ``MedicalCode`` (schema.org's advice for study ids) and as an ``identifier``, and the
publications about it as ``subjectOf``.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.publish._lookup import BIBO, DCT, SCHEMA, TKG, Reader, local_name
from kg.publish.describe import own_graphs

__all__ = ["SCHEMA_ORG", "resource_document", "trial_document"]

SCHEMA_ORG = "https://schema.org/"
JsonObject = dict[str, object]

_STUDY_TYPES = {
    SCHEMA + "MedicalTrial": "MedicalTrial",
    SCHEMA + "MedicalObservationalStudy": "MedicalObservationalStudy",
}
_INTERVENTION_TYPES = {
    "DRUG": "Drug",
    "BIOLOGICAL": "Drug",
    "GENETIC": "Drug",
    "DEVICE": "MedicalDevice",
    "PROCEDURE": "MedicalProcedure",
    "RADIATION": "RadiationTherapy",
    "DIETARY_SUPPLEMENT": "DietarySupplement",
}


def _schema_url(iri: str) -> str:
    """Return schema.org's https URL for one of its terms (how search engines write them)."""
    return SCHEMA_ORG + iri[len(SCHEMA) :] if iri.startswith(SCHEMA) else iri


def _http(values: list[str]) -> list[str]:
    return [v for v in values if v.startswith(("http://", "https://"))]


def _compact(obj: JsonObject) -> JsonObject:
    """Drop empty values and unwrap one-element lists."""
    out: JsonObject = {}
    for key, value in obj.items():
        if value is None or value == [] or value == "":
            continue
        out[key] = value[0] if isinstance(value, list) and len(value) == 1 else value
    return out


def _iri_values(r: Reader, node: ox.NamedNode, predicate: str) -> list[str]:
    return [n.value for n in r.nodes(node, predicate)]


def _organization(r: Reader, node: ox.NamedNode) -> JsonObject:
    name = r.label(node)
    others = [n for n in r.texts(node, SCHEMA + "alternateName") if n != name]
    return _compact(
        {
            "@type": "Organization",
            "@id": node.value,
            "name": name,
            "alternateName": others,
            "sameAs": _http(_iri_values(r, node, SCHEMA + "sameAs")),
        }
    )


def _person(r: Reader, node: ox.NamedNode) -> JsonObject:
    affiliation = [_organization(r, o) for o in r.nodes(node, SCHEMA + "affiliation")]
    return _compact(
        {
            "@type": "Person",
            "@id": node.value,
            "name": r.label(node),
            "honorificPrefix": r.text(node, SCHEMA + "honorificPrefix"),
            "honorificSuffix": r.text(node, SCHEMA + "honorificSuffix"),
            "affiliation": affiliation,
        }
    )


def _agent(r: Reader, node: ox.NamedNode) -> JsonObject:
    if SCHEMA + "Organization" in r.types(node):
        return _organization(r, node)
    return _person(r, node)


def _article(r: Reader, node: ox.NamedNode) -> JsonObject:
    same = _http(_iri_values(r, node, SCHEMA + "sameAs"))
    identifiers: list[JsonObject] = []
    for prop, name in ((BIBO + "doi", "DOI"), (BIBO + "pmid", "PMID")):
        identifiers += [
            {"@type": "PropertyValue", "propertyID": name, "value": v} for v in r.texts(node, prop)
        ]
    authors: list[JsonObject] = []
    for head in r.nodes(node, BIBO + "authorList"):
        authors += [_agent(r, a) for a in r.walk_list(head) if isinstance(a, ox.NamedNode)]
    if not authors:
        authors = [_agent(r, a) for a in r.nodes(node, SCHEMA + "author")]
    journals = [
        {"@type": "Periodical", "@id": j.value, "name": r.label(j)}
        for j in r.nodes(node, SCHEMA + "isPartOf")
    ]
    return _compact(
        {
            "@type": "ScholarlyArticle",
            "@id": node.value,
            "name": r.text(node, SCHEMA + "name") or r.text(node, TKG + "citationText"),
            "datePublished": r.text(node, SCHEMA + "datePublished"),
            "author": authors,
            "isPartOf": journals,
            "pageStart": r.text(node, BIBO + "pageStart"),
            "pageEnd": r.text(node, BIBO + "pageEnd"),
            "identifier": identifiers,
            "sameAs": same,
        }
    )


def _place(r: Reader, node: ox.NamedNode) -> JsonObject:
    addresses: list[JsonObject] = []
    for a in r.nodes(node, SCHEMA + "address"):
        addresses.append(
            _compact(
                {
                    "@type": "PostalAddress",
                    "addressLocality": r.text(a, SCHEMA + "addressLocality"),
                    "addressRegion": r.text(a, SCHEMA + "addressRegion"),
                    "postalCode": r.text(a, SCHEMA + "postalCode"),
                    "addressCountry": r.text(a, TKG + "countryCode")
                    or r.text(a, SCHEMA + "addressCountry"),
                }
            )
        )
    geos = [
        _compact(
            {
                "@type": "GeoCoordinates",
                "latitude": r.text(g, SCHEMA + "latitude"),
                "longitude": r.text(g, SCHEMA + "longitude"),
            }
        )
        for g in r.nodes(node, SCHEMA + "geo")
    ]
    return _compact(
        {
            "@type": "Place",
            "@id": node.value,
            "name": r.label(node),
            "address": addresses,
            "geo": geos,
        }
    )


def _intervention(r: Reader, node: ox.NamedNode) -> JsonObject:
    kind = "MedicalEntity"
    for concept in r.nodes(node, TKG + "interventionType"):
        kind = _INTERVENTION_TYPES.get(local_name(concept.value).partition("-")[2], kind)
    return _compact(
        {
            "@type": kind,
            "@id": node.value,
            "name": r.label(node),
            "description": r.text(node, SCHEMA + "description"),
            "sameAs": _http(_iri_values(r, node, SCHEMA + "sameAs")),
        }
    )


def _condition(r: Reader, node: ox.NamedNode) -> JsonObject:
    return _compact(
        {
            "@type": "MedicalCondition",
            "@id": node.value,
            "name": r.label(node),
            "sameAs": _http(_iri_values(r, node, SCHEMA + "sameAs")),
        }
    )


def _status(r: Reader, trial: ox.NamedNode) -> list[str]:
    out = []
    for s in r.nodes(trial, SCHEMA + "status"):
        out.append(_schema_url(s.value) if s.value.startswith(SCHEMA) else r.label(s))
    return out


def trial_document(store: ox.Store, trial: ox.NamedNode, *, page: str | None = None) -> JsonObject:
    """Return the schema.org JSON-LD of a trial (a dict ready for ``json.dumps``).

    Args:
        store: the store holding the trial.
        trial: the trial's IRI.
        page: the URL of the page that shows it (``url`` and ``mainEntityOfPage``), if any.
    """
    r = Reader(store, own_graphs(store, trial))  # labels as the trial's record states them
    types = r.types(trial)
    kind = next((_STUDY_TYPES[t] for t in types if t in _STUDY_TYPES), "MedicalStudy")
    nct = r.text(trial, DCT + "identifier")
    identifiers: list[JsonObject] = []
    if nct:
        identifiers.append({"@type": "PropertyValue", "propertyID": "NCT", "value": nct})
    for pv in r.nodes(trial, SCHEMA + "identifier"):
        identifiers.append(
            _compact(
                {
                    "@type": "PropertyValue",
                    "propertyID": r.text(pv, SCHEMA + "propertyID"),
                    "value": r.text(pv, SCHEMA + "value"),
                    "url": _http(_iri_values(r, pv, SCHEMA + "url")),
                }
            )
        )
    lead = set(r.nodes(trial, TKG + "leadSponsor"))
    sponsors = sorted(r.nodes(trial, SCHEMA + "sponsor"), key=lambda o: (o not in lead, r.label(o)))
    name = r.text(trial, SCHEMA + "name")
    doc: JsonObject = {
        "@context": SCHEMA_ORG.rstrip("/"),
        "@type": kind,
        "@id": trial.value,
        "name": name,
        "alternateName": [n for n in r.texts(trial, SCHEMA + "alternateName") if n != name],
        "description": r.text(trial, SCHEMA + "description"),
        "url": page or trial.value,
        "mainEntityOfPage": page,
        "identifier": identifiers,
        "code": (
            {"@type": "MedicalCode", "codeValue": nct, "codingSystem": "ClinicalTrials.gov"}
            if nct
            else None
        ),
        "sameAs": _http(_iri_values(r, trial, SCHEMA + "sameAs")),
        "status": _status(r, trial),
        "trialDesign": (
            [_schema_url(d) for d in _iri_values(r, trial, SCHEMA + "trialDesign")]
            if kind == "MedicalTrial"
            else []
        ),
        "sponsor": [_organization(r, o) for o in sponsors],
        "healthCondition": [_condition(r, c) for c in r.nodes(trial, SCHEMA + "healthCondition")],
        "studySubject": [_intervention(r, i) for i in r.nodes(trial, SCHEMA + "studySubject")],
        "studyLocation": [
            {"@type": "Country", "@id": c.value, "name": r.label(c)}
            for c in r.nodes(trial, SCHEMA + "studyLocation")
        ],
        "subjectOf": [_article(r, p) for p in r.nodes(trial, SCHEMA + "citation")],
    }
    return _compact(doc)


def resource_document(
    store: ox.Store, node: ox.NamedNode, *, page: str | None = None
) -> JsonObject:
    """Return the schema.org JSON-LD of any resource: a trial, organisation, person, article..."""
    r = Reader(store, own_graphs(store, node))
    types = set(r.types(node))
    if types & {SCHEMA + "MedicalStudy", TKG + "ExpandedAccessStudy", *_STUDY_TYPES}:
        return trial_document(store, node, page=page)
    if SCHEMA + "Organization" in types:
        doc = _organization(r, node)
    elif SCHEMA + "Person" in types:
        doc = _person(r, node)
    elif SCHEMA + "ScholarlyArticle" in types:
        doc = _article(r, node)
    elif TKG + "Site" in types:
        doc = _place(r, node)
    elif TKG + "Intervention" in types:
        doc = _intervention(r, node)
    elif SCHEMA + "MedicalCondition" in types:
        doc = _condition(r, node)
    elif SCHEMA + "Periodical" in types or SCHEMA + "Country" in types:
        kind = "Periodical" if SCHEMA + "Periodical" in types else "Country"
        doc = {"@type": kind, "@id": node.value, "name": r.label(node)}
    else:
        doc = {"@type": "Thing", "@id": node.value, "name": r.label(node)}
    return {"@context": SCHEMA_ORG.rstrip("/"), **doc, **({"url": page} if page else {})}
