"""Build: read sources, map each record to N-Quads (in worker processes), and write them to a sink.

Data flows one way: ``kg.sources`` yields records, ``kg.mapping`` turns each into triples, and the
sink writes them. Workers receive whole documents (a file or a zip member) and send back each
record's N-Quads text, so the single writer only appends text (PERFORMANCE-NOTES.md: rendered lines
are the fastest path; Python ``Quad`` objects cost more than the store insert).
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.mapping import map_trial
from kg.sinks import Sink
from kg.sources import InputFile, iter_input_files, read_records
from kg.terms import Minter

__all__ = ["BuildReport", "Mapped", "build", "generation_time", "iter_mapped", "map_document"]

log = logging.getLogger(__name__)

_BATCH = 32  # documents per task: amortises inter-process overhead on small files


@dataclass(frozen=True, slots=True)
class Mapped:
    """One record's N-Quads, all in the named graph ``graph``."""

    nct_id: str
    graph: str
    text: str
    triples: int


@dataclass(slots=True)
class BuildReport:
    """What a build did: records written, triples, and the records it had to skip."""

    records: int = 0
    triples: int = 0
    errors: list[InputError] = field(default_factory=list)


def generation_time() -> str:
    """Return the build time as ``xsd:dateTime``; ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        if epoch
        else datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)
    )
    return when.isoformat().replace("+00:00", "Z")


def map_document(doc: InputFile, base: str, generated_at: str) -> list[Mapped | InputError]:
    """Read and map every record of one document; errors are returned, not raised."""
    mint = Minter(base)
    out: list[Mapped | InputError] = []
    for record in read_records(doc):
        if isinstance(record, InputError):
            out.append(record)
            continue
        graph = mint.graph(record.nct_id)
        # dict.fromkeys: a fact stated twice in one record (two sites in one country) is one line.
        triples = dict.fromkeys(map_trial(record, mint, generated_at=generated_at))
        text = "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)
        out.append(Mapped(record.nct_id, graph, text, len(triples)))
    return out


def _map_batch(batch: list[InputFile], base: str, generated_at: str) -> list[Mapped | InputError]:
    return [r for doc in batch for r in map_document(doc, base, generated_at)]


def _batches(docs: Iterable[InputFile]) -> Iterator[list[InputFile]]:
    batch: list[InputFile] = []
    for doc in docs:
        if doc.path == "-":  # stdin cannot cross into a worker process
            if batch:
                yield batch
                batch = []
            yield [doc]
            continue
        batch.append(doc)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_mapped(
    inputs: Iterable[str], *, base: str, jobs: int = 1, generated_at: str | None = None
) -> Iterator[Mapped | InputError]:
    """Yield every record's mapping (or its error) in input order, using ``jobs`` processes."""
    when = generated_at or generation_time()
    docs = iter_input_files(inputs)
    if jobs <= 1:
        for doc in docs:
            yield from map_document(doc, base, when)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        window: list[Future[list[Mapped | InputError]] | list[Mapped | InputError]] = []
        for batch in _batches(docs):
            if batch[0].path == "-":
                window.append(_map_batch(batch, base, when))
            else:
                window.append(pool.submit(_map_batch, batch, base, when))
            # A bounded window keeps memory flat however many documents there are.
            while len(window) > 4 * jobs:
                yield from _result(window.pop(0))
        while window:
            yield from _result(window.pop(0))


def _result(
    item: Future[list[Mapped | InputError]] | list[Mapped | InputError],
) -> list[Mapped | InputError]:
    return item.result() if isinstance(item, Future) else item


def build(
    inputs: Iterable[str],
    sink: Sink,
    *,
    base: str,
    jobs: int = 1,
    strict: bool = False,
    on_record: Callable[[BuildReport], None] | None = None,
    on_error: Callable[[InputError], None] | None = None,
) -> BuildReport:
    """Map every record of ``inputs`` into ``sink`` and commit it; return what was done.

    Bad records are skipped and listed in the report; with ``strict`` the first one raises and
    nothing is committed. The sink is committed only when the run gets to the end.

    Raises:
        InputError: with ``strict``, the first bad record; or an input that does not exist.
    """
    report = BuildReport()
    try:
        for item in iter_mapped(inputs, base=base, jobs=jobs):
            if isinstance(item, InputError):
                if strict:
                    raise item
                report.errors.append(item)
                if on_error is not None:
                    on_error(item)
            else:
                sink.add(item.graph, item.text)
                report.records += 1
                report.triples += item.triples
            if on_record is not None:
                on_record(report)
    except BaseException:
        sink.abort()
        raise
    sink.commit()
    return report
