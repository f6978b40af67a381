"""The dataset description (VoID + DCAT, after the HCLS dataset profile), generated from the data.

It says what the graph holds (distinct triples, subjects, entities, and entities per class and
triples per property: the figures kept with the store, kg.void_counts, or where it has none,
counted by the store in a few aggregate queries), where it comes from (the
``tkg:Source`` nodes grouped by format, with the span of the sources' own dates), under which
terms (those the source states: ClinicalTrials.gov's terms and conditions; kg adds no licence of
its own), how to get it (the SPARQL endpoint, the dump files with byte sizes and SHA-256
checksums) and example resources. IRIs of the description sit in the document ``{base}void``:
the dataset is ``{base}void#dataset``, so they resolve where ``kg serve`` publishes the data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.answers import ANSWERS_GRAPH
from kg.errors import UsageError
from kg.index import INDEX_PREDICATES
from kg.publish._dataset import PREFIXES, RDF_TYPE
from kg.publish.export import MEDIA_TYPES, Dump, ExportFormat, format_for_path
from kg.stats import STATS_GRAPH
from kg.terms import literal
from kg.void_counts import EXAMPLE_CLASSES, VOID_GRAPH, VoidCounts, data_filter, first_examples
from kg.void_counts import read as read_void

__all__ = [
    "SOURCE_TERMS",
    "SourceSummary",
    "Statistics",
    "collect_statistics",
    "count_figures",
    "count_statistics",
    "describe_dataset",
    "dump_paths",
    "summarise_sources",
]

SOURCE_TERMS = "https://clinicaltrials.gov/about-site/terms-conditions"
"""The terms and conditions ClinicalTrials.gov states for the use of its data."""
_SOURCE_SITE = "https://clinicaltrials.gov/"
_SOURCE_RIGHTS = (
    "The records come from ClinicalTrials.gov (U.S. National Library of Medicine), as provided "
    "by the studies' sponsors and investigators. Their use is subject to the ClinicalTrials.gov "
    f"Terms and Conditions: {SOURCE_TERMS}"
)
_FORMAT_TITLES = {
    "ctgov-json": "ClinicalTrials.gov API v2 study records (JSON)",
    "ctgov-xml": "ClinicalTrials.gov legacy study records (XML)",
    "web-page": "ClinicalTrials.gov study web pages",
}
_FORMAT_IRIS = {
    ExportFormat.TURTLE: "http://www.w3.org/ns/formats/Turtle",
    ExportFormat.NTRIPLES: "http://www.w3.org/ns/formats/N-Triples",
    ExportFormat.NQUADS: "http://www.w3.org/ns/formats/N-Quads",
    ExportFormat.TRIG: "http://www.w3.org/ns/formats/TriG",
    ExportFormat.JSONLD: "http://www.w3.org/ns/formats/JSON-LD",
    ExportFormat.SCHEMAORG: "http://www.w3.org/ns/formats/JSON-LD",
    ExportFormat.RDFXML: "http://www.w3.org/ns/formats/RDF_XML",
}
_IANA = "https://www.iana.org/assignments/media-types/"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_VOID = PREFIXES["void"]
_DCAT = PREFIXES["dcat"]
_DCT = PREFIXES["dcterms"]
_PAV = PREFIXES["pav"]
_SPDX = PREFIXES["spdx"]
_SD = PREFIXES["sd"]
_FOAF = PREFIXES["foaf"]
_TKG = PREFIXES["tkg"]
_PROV = PREFIXES["prov"]
_SCHEMA = PREFIXES["schema"]
_DCTYPES = PREFIXES["dctypes"]

_TYPE = ox.NamedNode(RDF_TYPE)
_EXAMPLE_CLASSES = EXAMPLE_CLASSES


_INDEX = frozenset(ox.NamedNode(p) for p in INDEX_PREDICATES)
_DERIVED = {
    ox.NamedNode(STATS_GRAPH): "statistics",
    ox.NamedNode(ANSWERS_GRAPH): "answers",
    ox.NamedNode(VOID_GRAPH): "figures",
}


@dataclass(slots=True)
class Statistics:
    """Counts over the union of the data graphs (each distinct triple once).

    The records' data only: the index triples in the trial graphs (look-up keys, kg.index) are
    counted apart (``index``, by property), and so are the graphs kg derives from the data (the
    statistics and answers graphs: ``derived``, triples by graph).
    """

    triples: int = 0
    subjects: int = 0
    entities: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    properties: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    index: Counter[str] = field(default_factory=Counter)
    derived: Counter[str] = field(default_factory=Counter)


def collect_statistics(store: ox.Store, uri_space: str | None = None) -> Statistics:
    """Count distinct triples, subjects, entities (IRIs in ``uri_space``), classes, properties.

    A store whose build kept the figures (kg.void_counts, for the same ``uri_space``) gives them
    from its ``VOID_GRAPH`` in one read; any other store is counted as below.

    The store counts, in a few aggregate queries over its indexes, on its own terms: a term is
    made into text only where a count needs it (the predicates, the classes, the distinct
    subjects for ``uri_space``, one example a main class). The counts are those of a pass over
    every quad (tests/publish/test_void.py compares them with one): each predicate's distinct
    (subject, object) pairs over the data graphs are its triples (the index predicates apart);
    the distinct subjects of those triples are the subjects; the distinct subjects typed with an
    IRI are each class's entities; the first IRI in code-point order typed with one of a few main
    classes is its example resource; the derived graphs' quads are counted as they are. At
    10,000 synthetic trials it takes a third of the time of that pass (65 s against 205 s) and
    holds no subject list in Python.
    """
    kept = read_void(store)
    if kept is not None and uri_space is not None and kept.uri_space == uri_space:
        return _from_kept(store, kept)
    return count_statistics(store, uri_space)


def _from_kept(store: ox.Store, kept: VoidCounts) -> Statistics:
    stats = Statistics()
    for prop, n in kept.triples.items():
        (stats.index if ox.NamedNode(prop) in _INDEX else stats.properties)[prop] = n
    stats.triples = sum(stats.properties.values())
    stats.subjects, stats.entities = kept.subjects, kept.entities
    stats.classes.update(kept.classes)
    stats.examples.update(kept.examples)
    _count_derived(store, stats)
    return stats


def count_figures(store: ox.Store, uri_space: str) -> VoidCounts:
    """The figures kg keeps (kg.void_counts), counted over the store (``kg reindex``)."""
    stats = count_statistics(store, uri_space)
    out = VoidCounts(uri_space)
    out.triples.update(stats.properties)
    out.triples.update(stats.index)
    out.classes.update(stats.classes)
    out.subjects, out.entities = stats.subjects, stats.entities
    out.examples.update(stats.examples)
    return out


def count_statistics(store: ox.Store, uri_space: str | None = None) -> Statistics:
    """:func:`collect_statistics` counted over the store, whatever it keeps."""
    stats = Statistics()
    data = _data_graphs("?g")
    found = _select(store, f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({data}) }}")
    for row in found:
        predicate = row["p"]
        assert isinstance(predicate, ox.NamedNode)  # noqa: S101 - a predicate is an IRI
        pairs = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ "
            f"GRAPH ?g {{ ?s {predicate} ?o }} FILTER({data}) }} }}"
        )
        count = _count(store, pairs)
        (stats.index if predicate in _INDEX else stats.properties)[predicate.value] = count
    stats.triples = sum(stats.properties.values())
    kept = " && ".join([data, *(f"?p != {p}" for p in sorted(_INDEX, key=str))])
    space = "true" if uri_space is None else f"STRSTARTS(STR(?s), {literal(uri_space)})"
    subjects = (
        f"SELECT (COUNT(*) AS ?n) (SUM(IF(isIRI(?s) && {space}, 1, 0)) AS ?entities) WHERE {{ "
        f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({kept}) }} }}"
    )
    (row,) = _select(store, subjects)
    stats.subjects, stats.entities = _integer(row["n"]), _integer(row["entities"])
    typed = f"GRAPH ?g {{ ?s {_TYPE} ?class }} FILTER({data} && isIRI(?class))"
    per_class = f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) {{ {typed} }} GROUP BY ?class"
    for row in _select(store, per_class):
        stats.classes[row["class"].value] = _integer(row["n"])
    stats.examples.update(first_examples(store))
    _count_derived(store, stats)
    return stats


def _count_derived(store: ox.Store, stats: Statistics) -> None:
    for graph in _DERIVED:
        quads = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        if quads:
            stats.derived[graph.value] = quads


def _data_graphs(var: str) -> str:
    """Return a FILTER expression: ``var`` is a graph of the records (not derived, not ontology)."""
    return data_filter(var)


def _select(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT query
    return list(result)


def _integer(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def _count(store: ox.Store, text: str) -> int:
    (row,) = _select(store, text)
    return _integer(row["n"])


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """The source documents of one format: how many, and the span of their own dates."""

    format: str
    records: int
    first_date: str | None
    last_date: str | None


_SOURCES = f"""
SELECT ?src ?fmt ?date WHERE {{
  ?src a <{_TKG}Source> .
  OPTIONAL {{ ?src <{_TKG}sourceFormat> ?fmt }}
  OPTIONAL {{ ?src <{_TKG}sourceDate> ?date }}
}}"""

_GENERATED = f"SELECT (MAX(STR(?t)) AS ?latest) WHERE {{ ?g <{_PROV}generatedAtTime> ?t }}"


def summarise_sources(store: ox.Store) -> list[SourceSummary]:
    """Group the ``tkg:Source`` nodes by format, with their count and first and last dates."""
    dates: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    for solution in store.query(_SOURCES, use_default_graph_as_union=True):  # type: ignore[union-attr]
        fmt = solution["fmt"].value if solution["fmt"] is not None else "unknown"
        sources.setdefault(fmt, set()).add(str(solution["src"]))
        if solution["date"] is not None:
            dates.setdefault(fmt, set()).add(solution["date"].value)
    out = []
    for fmt in sorted(sources):
        # ISO dates of different precision (2024-05-01, 2024-05) order correctly as text.
        span = sorted(dates.get(fmt, ()))
        out.append(
            SourceSummary(
                fmt, len(sources[fmt]), span[0] if span else None, span[-1] if span else None
            )
        )
    return out


def _latest_build(store: ox.Store) -> str | None:
    for solution in store.query(_GENERATED, use_default_graph_as_union=True):  # type: ignore[union-attr]
        if solution["latest"] is not None:
            return str(solution["latest"].value)
    return None


class _Graph:
    """Collect the description's triples."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s: str, p: str, o: ox.NamedNode | ox.Literal | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    def text(self, s: str, p: str, value: str, lang: str | None = None) -> None:
        self.add(s, p, ox.Literal(value, language=lang) if lang else ox.Literal(value))

    def typed(self, s: str, p: str, value: object, datatype: str) -> None:
        self.add(s, p, ox.Literal(str(value), datatype=ox.NamedNode(_XSD + datatype)))


def _curie_slug(iri: str) -> str:
    for name, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            iri = f"{name}-{iri[len(ns) :]}"
            break
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", iri).strip("-")


def _date_datatype(value: str) -> str:
    return {10: "date", 7: "gYearMonth", 4: "gYear"}.get(len(value), "string")


def describe_dataset(
    store: ox.Store,
    base: str,
    *,
    sparql_url: str | None = None,
    dumps: Sequence[Dump] = (),
    download_base: str | None = None,
    statistics: Statistics | None = None,
) -> list[ox.Triple]:
    """Return the VoID/DCAT description of the store's data as triples.

    Args:
        store: the store.
        base: the data's base IRI; the description lives at ``{base}void``.
        sparql_url: the SPARQL endpoint (default ``{base}sparql``, where ``kg serve`` answers).
        dumps: dump files to list (see :func:`kg.publish.export.read_dump`).
        download_base: where the dumps are downloaded from (default ``{base}download/``).
        statistics: counts already collected (computed here when None).
    """
    doc = f"{base}void"
    ds = f"{doc}#dataset"
    sparql = sparql_url or f"{base}sparql"
    downloads = download_base or f"{base}download/"
    stats = statistics or collect_statistics(store, base)
    g = _Graph()
    g.add(doc, _RDF + "type", _VOID + "DatasetDescription")
    g.text(doc, _DCT + "title", "Description of the clinical trials knowledge graph", "en")
    g.add(doc, _FOAF + "primaryTopic", ds)

    for cls in (_VOID + "Dataset", _DCAT + "Dataset", _DCTYPES + "Dataset"):
        g.add(ds, _RDF + "type", cls)
    g.text(ds, _DCT + "title", "Clinical trials knowledge graph", "en")
    g.text(
        ds,
        _DCT + "description",
        "Clinical trials, their sponsors, sites, investigators, conditions, interventions and "
        "publications as RDF (schema.org first), built by kg from ClinicalTrials.gov records. "
        "Each record's statements are in a named graph with their provenance.",
        "en",
    )
    for keyword in ("clinical trials", "sponsors", "publications", "schema.org"):
        g.text(ds, _DCAT + "keyword", keyword, "en")
    g.add(ds, _DCT + "license", SOURCE_TERMS)
    g.text(ds, _DCT + "rights", _SOURCE_RIGHTS, "en")
    g.add(ds, _DCT + "source", _SOURCE_SITE)
    latest = _latest_build(store)
    if latest:
        g.typed(ds, _DCT + "modified", latest, "dateTime")
        g.text(ds, _PAV + "version", latest[:10])
    g.text(ds, _VOID + "uriSpace", base)
    g.add(ds, _FOAF + "homepage", base)
    for vocabulary in sorted(_vocabularies(stats)):
        g.add(ds, _VOID + "vocabulary", vocabulary)
    g.add(ds, _VOID + "sparqlEndpoint", sparql)
    for fmt in (
        ExportFormat.TURTLE,
        ExportFormat.JSONLD,
        ExportFormat.NTRIPLES,
        ExportFormat.RDFXML,
    ):
        g.add(ds, _VOID + "feature", _FORMAT_IRIS[fmt])
    for cls in _EXAMPLE_CLASSES:
        if cls in stats.examples:
            g.add(ds, _VOID + "exampleResource", stats.examples[cls])
    g.typed(ds, _VOID + "triples", stats.triples, "integer")
    g.typed(ds, _VOID + "entities", stats.entities, "integer")
    g.typed(ds, _VOID + "distinctSubjects", stats.subjects, "integer")
    g.typed(ds, _VOID + "classes", len(stats.classes), "integer")
    g.typed(ds, _VOID + "properties", len(stats.properties), "integer")
    for cls, count in sorted(stats.classes.items()):
        part = f"{doc}#class-{_curie_slug(cls)}"
        g.add(ds, _VOID + "classPartition", part)
        g.add(part, _VOID + "class", cls)
        g.typed(part, _VOID + "entities", count, "integer")
    for prop, count in sorted(stats.properties.items()):
        part = f"{doc}#property-{_curie_slug(prop)}"
        g.add(ds, _VOID + "propertyPartition", part)
        g.add(part, _VOID + "property", prop)
        g.typed(part, _VOID + "triples", count, "integer")
    _sources(g, store, doc, ds)
    _derived(g, doc, ds, stats)
    _sparql_service(g, doc, ds, sparql)
    _dumps(g, doc, ds, dumps, downloads)
    return g.triples


def _vocabularies(stats: Statistics) -> set[str]:
    used = set(stats.properties) | set(stats.classes)
    namespaces = set()
    for name in ("schema", "tkg", "dcterms", "bibo", "prov", "skos", "rdf"):
        ns = PREFIXES[name]
        if any(iri.startswith(ns) for iri in used):
            namespaces.add(ns)
    return namespaces


def _sources(g: _Graph, store: ox.Store, doc: str, ds: str) -> None:
    for source in summarise_sources(store):
        node = f"{doc}#source-{_curie_slug(source.format)}"
        g.add(ds, _VOID + "subset", node)
        g.add(node, _RDF + "type", _VOID + "Dataset")
        title = _FORMAT_TITLES.get(source.format, f"Source documents ({source.format})")
        g.text(node, _DCT + "title", f"Trials read from {title}", "en")
        g.add(node, _DCT + "source", _SOURCE_SITE)
        g.add(node, _DCT + "license", SOURCE_TERMS)
        g.typed(node, _VOID + "entities", source.records, "integer")
        if source.first_date and source.last_date:
            g.typed(node, _DCT + "modified", source.last_date, _date_datatype(source.last_date))
            period = f"{node}-dates"
            g.add(node, _DCT + "temporal", period)
            g.add(period, _RDF + "type", _DCT + "PeriodOfTime")
            g.text(
                period, _DCT + "description", "The span of the records' last-update dates.", "en"
            )
            g.typed(
                period, _DCAT + "startDate", source.first_date, _date_datatype(source.first_date)
            )
            g.typed(period, _DCAT + "endDate", source.last_date, _date_datatype(source.last_date))


_DERIVED_TEXT = {
    "index": (
        "Index triples (look-up keys)",
        "Keys kg writes into each trial's own graph beside its facts, so that look-ups by any "
        "spelling of a sponsor's name, by intervention name or MeSH id and near a point are "
        "index hits: "
        "tkg:recordGraph, tkg:alternateNameKey, tkg:interventionNameKey, tkg:geoCell, "
        "tkg:ownTitle, tkg:fineGeoCell, the keys of trials sharing a condition "
        "(tkg:conditionTrialTitle, tkg:conditionUntitledTrial, tkg:meshTermTrialTitle, "
        "tkg:meshTermUntitledTrial, tkg:conditionTrialId, tkg:meshTermTrialId), "
        "tkg:meshIdKey, the keys of trials sharing an intervention, recruiting-near's "
        "tkg:recruitingSiteKey, and the graph's tkg:indexFormat. Derived "
        "from the records, not data of their own: not counted in the dataset's figures.",
    ),
    "statistics": (
        "Registry statistics",
        "Counts kg keeps with the store for the registry-wide named queries (trials and sites "
        "per country and city, sponsors by class, things per class), in one named graph, "
        "with the city and sponsor-by-class rows also as a few keys (tkg:answerRowsKey), "
        "recomputed after every write. Not counted in the dataset's figures.",
    ),
    "answers": (
        "Sponsor and publication answers",
        "The rows of the sponsor and publication aggregates (publications per sponsor, "
        "sponsor network, reporting gap) kg keeps with the store, in one named graph, "
        "with the rows also as a few keys (tkg:completedRowsKey, tkg:answerRowsKey), "
        "recomputed after every write. Not counted in the dataset's figures.",
    ),
    "figures": (
        "Dataset figures",
        "This description's own counts (distinct triples per property, entities per class, "
        "distinct subjects, example resources), kept with the store by every build and moved "
        "by every later write, in VoID's terms. Not counted in the dataset's figures.",
    ),
}


def _derived(g: _Graph, doc: str, ds: str, stats: Statistics) -> None:
    """Subsets for what kg derives from the data: the index triples and the derived graphs."""
    parts: list[tuple[str, int, str | None]] = []
    if stats.index:
        parts.append(("index", sum(stats.index.values()), None))
    parts += [(kind, stats.derived[graph.value], graph.value) for graph, kind in _DERIVED.items()
              if stats.derived[graph.value]]
    for kind, triples, graph in parts:
        node = f"{doc}#derived-{kind}"
        title, description = _DERIVED_TEXT[kind]
        g.add(ds, _VOID + "subset", node)
        g.add(node, _RDF + "type", _VOID + "Dataset")
        g.text(node, _DCT + "title", title, "en")
        g.text(node, _DCT + "description", description, "en")
        g.typed(node, _VOID + "triples", triples, "integer")
        if graph is not None:
            g.add(node, _SD + "name", graph)
        for prop, count in sorted(stats.index.items()) if kind == "index" else ():
            part = f"{node}-{_curie_slug(prop)}"
            g.add(node, _VOID + "propertyPartition", part)
            g.add(part, _VOID + "property", prop)
            g.typed(part, _VOID + "triples", count, "integer")


def _sparql_service(g: _Graph, doc: str, ds: str, sparql: str) -> None:
    service = f"{doc}#sparql"
    g.add(ds, _DCAT + "distribution", service)
    g.add(service, _RDF + "type", _DCAT + "Distribution")
    g.text(service, _DCT + "title", "SPARQL endpoint", "en")
    g.add(service, _DCAT + "accessURL", sparql)
    g.add(service, _DCAT + "accessService", f"{doc}#sparql-service")
    svc = f"{doc}#sparql-service"
    g.add(svc, _RDF + "type", _DCAT + "DataService")
    g.add(svc, _RDF + "type", _SD + "Service")
    g.add(svc, _DCAT + "endpointURL", sparql)
    g.add(svc, _DCAT + "servesDataset", ds)
    g.add(svc, _DCT + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
    g.add(svc, _SD + "endpoint", sparql)
    g.add(svc, _SD + "supportedLanguage", _SD + "SPARQL11Query")


def _dumps(g: _Graph, doc: str, ds: str, dumps: Iterable[Dump], downloads: str) -> None:
    for dump in dumps:
        name = dump.path.name
        url = downloads + name
        node = f"{doc}#dump-{_curie_slug(name)}"
        g.add(ds, _VOID + "dataDump", url)
        g.add(ds, _DCAT + "distribution", node)
        g.add(node, _RDF + "type", _DCAT + "Distribution")
        g.text(node, _DCT + "title", name)
        g.add(node, _DCAT + "downloadURL", url)
        g.add(node, _DCAT + "mediaType", _IANA + MEDIA_TYPES[dump.format])
        g.add(node, _DCT + "format", _FORMAT_IRIS[dump.format])
        if dump.gzip:
            g.add(node, _DCAT + "compressFormat", _IANA + "application/gzip")
        g.typed(node, _DCAT + "byteSize", dump.size, "nonNegativeInteger")
        checksum = f"{node}-sha256"
        g.add(node, _SPDX + "checksum", checksum)
        g.add(checksum, _RDF + "type", _SPDX + "Checksum")
        g.add(checksum, _SPDX + "algorithm", _SPDX + "checksumAlgorithm_sha256")
        g.typed(checksum, _SPDX + "checksumValue", dump.sha256, "hexBinary")


def dump_paths(folder: Path) -> list[Path]:
    """Return the dump files kg can describe in a folder (sorted; checksum files left out)."""
    out = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith(".sha256"):
            try:
                format_for_path(path)
            except UsageError:
                continue
            out.append(path)
    return out
