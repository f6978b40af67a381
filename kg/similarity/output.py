"""Write similarity answers: a text table, JSON, CSV, or RDF (``tkg:Similarity`` nodes).

Each match becomes ``<{base}similarity/{method}/{source}/{target}> a tkg:Similarity`` with
``tkg:source``, ``tkg:target``, ``tkg:score`` (``xsd:decimal``), ``tkg:method``, one
``tkg:sharedFeature`` per shared feature, and ``prov:wasDerivedFrom`` the two trials' record
graphs. A shared feature that is a node of the graph (condition, MeSH descriptor, organisation,
country, code, publication) is that node; one that is a value (an intervention name, a title word,
an age band) is a ``schema:DefinedTerm`` minted under ``{base}feature/{family}/``. The matches of
one source trial sit in the named graph ``{base}graph/similarity/{method}/{NCT}``, stamped with
``prov:generatedAtTime``, so they load back into the store beside the records, and computing one
trial again replaces its graph and nothing else.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import orjson
import pyoxigraph as ox

from kg.build import generation_time
from kg.similarity.explain import Answer, Match, SharedFeature
from kg.similarity.features import Feature
from kg.similarity.kinds import OutputFormat
from kg.sinks import FileSink
from kg.sinks.file import PREFIXES
from kg.terms import DCTERMS, DEFAULT_BASE, PROV, RDF, SCHEMA, TKG, XSD, decimal, iri, literal, slug

__all__ = [
    "OutputFormat",
    "base_of",
    "feature_iri",
    "format_answers",
    "iter_similarity_quads",
    "write_similarities",
]

_SHOWN = 3  # shared features named per row when not explaining
_EXPLAINED = 10  # shared features listed per row of a table with --explain (JSON lists all)


def base_of(trial_iri: str) -> str:
    """Return the data base IRI of a trial IRI.

    >>> base_of("https://w3id.org/trialkg/trial/NCT03737461")
    'https://w3id.org/trialkg/'
    """
    head, sep, _ = trial_iri.rpartition("trial/")
    return head if sep else DEFAULT_BASE


def feature_iri(feature: Feature, base: str = DEFAULT_BASE) -> str:
    """Return the IRI (unrendered) of a shared feature: its node, or a minted defined term.

    >>> feature_iri(Feature("term", "term:low back", "low back"))
    'https://w3id.org/trialkg/feature/term/low-back'
    """
    if feature.iri:
        return feature.iri
    return f"{base}feature/{feature.family}/{slug(feature.key.partition(':')[2])}"


def _label(shared: SharedFeature) -> str:
    return f"{shared.feature.family}: {shared.feature.label}"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(answers: Sequence[Answer], explain: bool) -> str:
    out: list[str] = []
    for answer in answers:
        out.append(f"{answer.source}: {len(answer.matches)} most similar ({answer.method})")
        if answer.message:
            out.append(f"  {answer.message}")
            out.append("")
            continue
        out.append(f"{'rank':>4}  {'trial':<11}  {'score':>9}  title")
        for m in answer.matches:
            out.append(f"{m.rank:>4}  {m.target:<11}  {m.score:>9.6f}  {_short(m.title, 70)}")
            if explain:
                if not m.shared:
                    out.append("        reached through other trials only (no shared feature)")
                for s in m.shared[:_EXPLAINED]:
                    out.append(
                        f"        + {s.contribution:.4f}  {_short(_label(s), 70)}"
                        f"  (weight {s.weight:.2f})"
                    )
                if len(m.shared) > _EXPLAINED:
                    rest = sum(s.contribution for s in m.shared[_EXPLAINED:])
                    more = len(m.shared) - _EXPLAINED
                    out.append(f"        + {rest:.4f}  {more} more shared features")
            elif m.shared:
                names = "; ".join(_short(s.feature.label, 30) for s in m.shared[:_SHOWN])
                out.append(f"        shared: {names}")
        out.append("")
    return "\n".join(out)


def _json(answers: Sequence[Answer]) -> str:
    doc = [
        {
            "source": a.source,
            "method": str(a.method),
            "message": a.message,
            "matches": [
                {
                    "rank": m.rank,
                    "target": m.target,
                    "score": m.score,
                    "title": m.title,
                    "shared": [
                        {
                            "family": str(s.feature.family),
                            "label": s.feature.label,
                            "iri": s.feature.iri,
                            "weight": round(s.weight, 6),
                            "contribution": round(s.contribution, 9),
                        }
                        for s in m.shared
                    ],
                }
                for m in a.matches
            ],
        }
        for a in answers
    ]
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def _csv(answers: Sequence[Answer]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["source", "rank", "target", "score", "method", "title", "shared"])
    for a in answers:
        for m in a.matches:
            shared = "; ".join(_label(s) for s in m.shared)
            writer.writerow([a.source, m.rank, m.target, m.score, a.method, m.title, shared])
    return buf.getvalue()


def format_answers(
    answers: Sequence[Answer], fmt: OutputFormat, *, explain: bool = False, base: str | None = None
) -> str:
    """Write answers as a text table, JSON, CSV or Turtle."""
    if fmt is OutputFormat.JSON:
        return _json(answers)
    if fmt is OutputFormat.CSV:
        return _csv(answers)
    if fmt is OutputFormat.TTL:
        store = ox.Store()
        for _, text in iter_similarity_quads(answers, base or DEFAULT_BASE):
            store.load(text.encode(), ox.RdfFormat.N_QUADS)
        triples = (ox.Quad(q.subject, q.predicate, q.object) for q in store)
        flat = ox.Store()
        flat.extend(triples)
        data = flat.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
                         prefixes=PREFIXES)
        return data.decode() if data else ""
    return _table(answers, explain)


_A = iri(RDF + "type")
_SIMILARITY = iri(TKG + "Similarity")
_SOURCE, _TARGET = iri(TKG + "source"), iri(TKG + "target")
_SCORE, _METHOD, _SHARED = iri(TKG + "score"), iri(TKG + "method"), iri(TKG + "sharedFeature")
_DERIVED, _GENERATED = iri(PROV + "wasDerivedFrom"), iri(PROV + "generatedAtTime")
_TERM, _NAME, _CODE = iri(SCHEMA + "DefinedTerm"), iri(SCHEMA + "name"), iri(SCHEMA + "termCode")
_DESCRIPTION = iri(DCTERMS + "description")


def _match_quads(m: Match, base: str, graph: str, minted: set[str]) -> Iterator[str]:
    node = iri(f"{base}similarity/{m.method}/{m.source}/{m.target}")
    yield f"{node} {_A} {_SIMILARITY} {graph} .\n"
    yield f"{node} {_SOURCE} {iri(f'{base}trial/{m.source}')} {graph} .\n"
    yield f"{node} {_TARGET} {iri(f'{base}trial/{m.target}')} {graph} .\n"
    yield f"{node} {_SCORE} {decimal(m.score)} {graph} .\n"
    yield f"{node} {_METHOD} {literal(str(m.method))} {graph} .\n"
    yield f"{node} {_DERIVED} {iri(f'{base}graph/{m.source}')} {graph} .\n"
    yield f"{node} {_DERIVED} {iri(f'{base}graph/{m.target}')} {graph} .\n"
    for s in m.shared:
        target = feature_iri(s.feature, base)
        yield f"{node} {_SHARED} {iri(target)} {graph} .\n"
        if not s.feature.iri and target not in minted:
            minted.add(target)
            yield f"{iri(target)} {_A} {_TERM} {graph} .\n"
            yield f"{iri(target)} {_NAME} {literal(s.feature.label)} {graph} .\n"
            yield f"{iri(target)} {_CODE} {literal(s.feature.key)} {graph} .\n"


def iter_similarity_quads(answers: Iterable[Answer], base: str) -> Iterator[tuple[str, str]]:
    """Yield (graph, N-Quads text) per answer with matches: one named graph per source trial."""
    when = literal(generation_time(), XSD + "dateTime")
    for answer in answers:
        if not answer.matches:
            continue
        graph = iri(f"{base}graph/similarity/{answer.method}/{answer.source}")
        about = literal(f"kg similar --method {answer.method}: trials most like {answer.source}")
        minted: set[str] = set()
        text = "".join(q for m in answer.matches for q in _match_quads(m, base, graph, minted))
        yield graph, (
            f"{graph} {_GENERATED} {when} {graph} .\n"
            f"{graph} {_DESCRIPTION} {about} {graph} .\n{text}"
        )


def write_similarities(answers: Iterable[Answer], path: Path, base: str) -> int:
    """Write the answers' ``tkg:Similarity`` nodes to an RDF file (format by extension).

    Returns:
        The number of similarity nodes written.
    """
    sink = FileSink(path)
    count = 0
    try:
        for graph, text in iter_similarity_quads(answers, base):
            sink.add(graph, text)
            count += text.count(f" {_A} {_SIMILARITY} ")
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return count
