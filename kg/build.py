"""Build: read sources, map each record to N-Quads (in worker processes), and write them to a sink.

Data flows one way: ``kg.sources`` yields records, ``kg.mapping`` turns each into triples, and the
sink writes them. Workers receive whole documents (a file or a zip member) and send back each
record's N-Quads text, so the single writer only appends text (PERFORMANCE-NOTES.md: rendered lines
are the fastest path; Python ``Quad`` objects cost more than the store insert).
"""

from __future__ import annotations

import datetime
import itertools
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.index import WANTED as INDEX_READS
from kg.index import index_triples, split
from kg.logs import Captured, captured, replay
from kg.mapping import map_trial
from kg.merge import merge_trials
from kg.model import Trial
from kg.orgs import OrgIndex
from kg.sinks import Sink, StoreSink
from kg.sources import InputFile, iter_input_files, read_records
from kg.stats import WANTED as STATS_READS
from kg.stats import GraphCounts, count_triples
from kg.terms import DEFAULT_BASE, Minter, T
from kg.void_counts import GraphVoid, count_graph

__all__ = [
    "BuildReport",
    "MapOptions",
    "Mapped",
    "build",
    "generation_time",
    "iter_mapped",
    "map_document",
    "map_record",
]

log = logging.getLogger(__name__)

_BATCH = 32  # documents per task: amortises inter-process overhead on small files
_READ = frozenset((*INDEX_READS, *STATS_READS))  # predicates the index and the statistics read


@dataclass(frozen=True, slots=True)
class MapOptions:
    """How records are mapped; picklable, sent to every worker once per batch."""

    base: str = DEFAULT_BASE
    generated_at: str = ""
    orgs: OrgIndex | None = None
    contact_details: bool = False
    validate: bool = False
    results: bool = True


@dataclass(frozen=True, slots=True)
class Mapped:
    """One record's N-Quads, all in the named graph ``graph``, and the document it came from."""

    nct_id: str
    graph: str
    text: str
    triples: int
    doc: InputFile
    counts: GraphCounts | None = None
    """The record's share of the store's statistics (kg.stats), counted where it is mapped."""
    mapped: frozenset[str] = frozenset()
    """Keys of the organisation mapping (``orgs``) that named one of the record's organisations."""
    void: GraphVoid | None = None
    """The record's share of the dataset description's figures (kg.void_counts)."""


@dataclass(slots=True)
class BuildReport:
    """What a build did: records written, triples, merged trials, and the records it skipped."""

    records: int = 0
    triples: int = 0
    merged: int = 0
    errors: list[InputError] = field(default_factory=list)
    org_keys_used: set[str] = field(default_factory=set)
    """Keys of the organisation mapping that named an organisation of the build."""


def generation_time() -> str:
    """Return the build time as ``xsd:dateTime``; ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        if epoch
        else datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)
    )
    return when.isoformat().replace("+00:00", "Z")


def map_record(record: Trial, options: MapOptions, doc: InputFile) -> Mapped:
    """Map one record to its named graph's N-Quads text."""
    mint = Minter(options.base, orgs=options.orgs)
    graph = mint.graph(record.nct_id)
    triples = map_trial(
        record,
        mint,
        generated_at=options.generated_at,
        contact_details=options.contact_details,
        results=options.results,
    )
    # dict.fromkeys: a fact stated twice in one record (two sites in one country) is one line.
    unique = dict.fromkeys(triples)
    # Look-up keys (kg.index) go into the record's graph with its facts, replaced with them.
    parts = split(unique, _READ)  # read once for the index and the statistics
    index = index_triples(parts, mint.trial(record.nct_id), graph, placed=mint.placed)
    unique.update(dict.fromkeys(index))
    for s, p, o in index:
        if p in (T.recordGraph, T.indexFormat):  # what the statistics read of the index
            parts[p].append((s, o))
    text = "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in unique)
    counts = count_triples(graph, parts)
    void = count_graph(graph, unique, options.base)
    return Mapped(
        record.nct_id, graph, text, len(unique), doc, counts, frozenset(mint.mapped), void
    )


def map_document(doc: InputFile, options: MapOptions) -> list[Mapped | InputError]:
    """Read and map every record of one document; errors are returned, not raised."""
    out: list[Mapped | InputError] = []
    for record in read_records(doc):
        if isinstance(record, InputError):
            out.append(record)
        else:
            out.append(_checked(map_record(record, options, doc), options))
    return out


def _checked(mapped: Mapped, options: MapOptions) -> Mapped | InputError:
    """With ``options.validate``, return a record that breaks the SHACL shapes as its error."""
    if not options.validate:
        return mapped
    from kg.validate import violation_error  # on use: validating loads rdflib and pyshacl

    error = violation_error(mapped.text, graph=mapped.graph, file=mapped.doc.name)
    return mapped if error is None else error


def _map_batch(
    batch: list[InputFile], options: MapOptions
) -> tuple[list[Mapped | InputError], list[Captured]]:
    """Map a batch in a worker; its warnings go back with it, to be logged by the parent."""
    with captured() as logs:
        mapped = [r for doc in batch for r in map_document(doc, options)]
    return mapped, logs


def _results(
    future: Future[tuple[list[Mapped | InputError], list[Captured]]],
) -> list[Mapped | InputError]:
    mapped, logs = future.result()
    replay(logs)
    return mapped


def _batches(docs: Iterable[InputFile]) -> Iterator[list[InputFile]]:
    batch: list[InputFile] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_mapped(
    docs: Iterable[InputFile], options: MapOptions, *, jobs: int = 1
) -> Iterator[Mapped | InputError]:
    """Yield every record's mapping (or its error) in input order, using ``jobs`` processes.

    A single document (one record file, or one NDJSON file) is mapped here: a pool would only add
    its start-up time. The members of a zip are documents of their own.
    """
    rest = iter(docs)
    head = list(itertools.islice(rest, 2))
    docs = itertools.chain(head, rest)
    if jobs <= 1 or len(head) < 2:
        for doc in docs:
            yield from map_document(doc, options)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        window: list[Future[tuple[list[Mapped | InputError], list[Captured]]]] = []
        for batch in _batches(docs):
            window.append(pool.submit(_map_batch, batch, options))
            # A bounded window keeps memory flat however many documents there are.
            while len(window) > 4 * jobs:
                yield from _results(window.pop(0))
        while window:
            yield from _results(window.pop(0))


def _documents(inputs: Iterable[str], tmp: Path) -> Iterator[InputFile]:
    """Expand the inputs lazily; stdin is copied to a file that workers can read, and reread."""
    for n, doc in enumerate(iter_input_files(inputs)):
        if doc.path == "-":
            copy = tmp / f"stdin-{n}"
            with copy.open("wb") as out:
                shutil.copyfileobj(sys.stdin.buffer, out)
            doc = InputFile(str(copy), label="<stdin>")
        yield doc


def build(
    inputs: Iterable[str],
    sink: Sink,
    *,
    base: str = DEFAULT_BASE,
    jobs: int = 1,
    strict: bool = False,
    orgs: OrgIndex | None = None,
    contact_details: bool = False,
    validate: bool = False,
    results: bool = True,
    on_record: Callable[[BuildReport], None] | None = None,
    on_error: Callable[[InputError], None] | None = None,
) -> BuildReport:
    """Map every record of ``inputs`` into ``sink`` and commit it; return what was done.

    Bad records are skipped and listed in the report; with ``strict`` the first one raises and
    nothing is committed. The sink is committed only when the run gets to the end. Records of one
    trial from several sources are merged (:func:`kg.merge.merge_trials`) into one named graph.
    With ``validate``, a record that breaks the SHACL shapes is a bad record too.
    With ``results`` False, posted results (:mod:`kg.mapping.results`) are left out.

    Raises:
        InputError: with ``strict``, the first bad record; or an input that does not exist.
    """
    options = MapOptions(base, generation_time(), orgs, contact_details, validate, results)
    report = BuildReport()
    first_doc: dict[str, InputFile] = {}
    repeated: dict[str, list[InputFile]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="kg-build-") as tmp:
            for item in iter_mapped(_documents(inputs, Path(tmp)), options, jobs=jobs):
                if isinstance(item, InputError):
                    if strict:
                        raise item
                    report.errors.append(item)
                    if on_error is not None:
                        on_error(item)
                elif item.nct_id in first_doc:
                    docs = repeated.setdefault(item.nct_id, [first_doc[item.nct_id]])
                    if item.doc not in docs:
                        docs.append(item.doc)
                else:
                    first_doc[item.nct_id] = item.doc
                    _count(sink, item)
                    sink.add(item.graph, item.text)
                    report.org_keys_used.update(item.mapped)
                    report.records += 1
                    report.triples += item.triples
                if on_record is not None:
                    on_record(report)
            for nct_id, docs in repeated.items():
                merged = _checked(_merge(nct_id, docs, options), options)
                if isinstance(merged, InputError):  # the first source's graph stays
                    report.errors.append(merged)
                    if on_error is not None:
                        on_error(merged)
                    continue
                if isinstance(sink, StoreSink) and sink.sums:  # its first graph's counts go
                    first = _first(nct_id, first_doc[nct_id], options)
                    if first.counts is not None:
                        sink.uncount(first.graph, first.counts, first.void)
                _count(sink, merged)
                sink.replace(merged.graph, merged.text)
                report.org_keys_used.update(merged.mapped)
                report.triples += merged.triples
                report.merged += 1
    except BaseException:
        sink.abort()
        raise
    sink.commit()
    return report


def _count(sink: Sink, mapped: Mapped) -> None:
    """Give a store the record's statistics counts, so a new store need not count them again."""
    if isinstance(sink, StoreSink) and mapped.counts is not None:
        sink.count(mapped.graph, mapped.counts, mapped.void)


def _first(nct_id: str, doc: InputFile, options: MapOptions) -> Mapped:
    """Map again the record of ``nct_id`` that was loaded first, as the worker mapped it."""
    record = next(r for r in read_records(doc) if isinstance(r, Trial) and r.nct_id == nct_id)
    return map_record(record, options, doc)


def _merge(nct_id: str, docs: list[InputFile], options: MapOptions) -> Mapped:
    """Reread the documents holding ``nct_id`` and map their merged record."""
    records = [
        r for doc in docs for r in read_records(doc) if isinstance(r, Trial) and r.nct_id == nct_id
    ]
    return map_record(merge_trials(records), options, docs[0])
