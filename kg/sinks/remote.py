"""Push a store or a build file to a remote SPARQL 1.1 store, one named graph per trial.

Two protocols (DESIGN.md): the Graph Store Protocol (``--store-url``, Oxigraph's ``/store``): a
graph to replace is ``PUT ?graph=...``, graphs to add go in one ``POST`` of N-Quads where the server
takes a dataset (else one ``POST ?graph=...`` each); or SPARQL Update (``--update-url``), where a
batch is one request of ``DROP SILENT GRAPH`` / ``INSERT DATA`` operations whose triples are the
N-Triples lines pyoxigraph serialises: every term escaped by the serialiser, nothing pasted in.

Resumable: a journal (JSON lines beside the source: ``<store>.push-journal.jsonl``) records each
graph, with the digest of its content, once the server has acknowledged it. A rerun skips what the
journal says this target already has, so after a failure (a killed server, a dropped connection) it
sends only what is missing or changed. Every request may be sent twice safely: ``PUT`` and
``DROP``+``INSERT`` replace, and adding the same triples again to a graph changes nothing.

A graph the journal knows with another digest (an updated trial) is replaced, so its stale
triples go; ``--replace`` replaces every graph sent, also those the journal does not know (pushed
from elsewhere, or a lost journal). ``--default-graph`` also adds the triples to the default graph
for stores without a union default graph; removing a replaced graph's old triples from the default
graph then takes a SPARQL Update endpoint.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import orjson
import pyoxigraph as ox

from kg.errors import InputError, UsageError
from kg.ontology import load_ontology
from kg.remote import Endpoint, TransientEndpointError, send
from kg.sinks.file import file_format
from kg.sinks.store import open_store
from kg.terms import iri

__all__ = [
    "GraphData",
    "Journal",
    "PushReport",
    "RemoteSink",
    "RemoteTarget",
    "iter_graphs",
    "journal_path",
    "open_source",
    "push",
]

log = logging.getLogger(__name__)

N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
SPARQL_UPDATE = "application/sparql-update"
_BATCH_BYTES = 8 * 1024 * 1024  # flush a batch early past this much data
_OK = range(200, 300)
_NO_DATASET_POST = frozenset({400, 405, 415})  # the server wants ?graph= on every POST


@dataclass(frozen=True, slots=True)
class GraphData:
    """One named graph of the source: its N-Triples and the digest of its content."""

    iri: str
    ntriples: bytes
    digest: str
    triples: int

    @classmethod
    def of(cls, graph_iri: str, ntriples: bytes) -> GraphData:
        r"""Digest a graph's N-Triples; line order does not change the digest.

        >>> one, two = b'<http://a> <http://p> "1" .\n', b'<http://b> <http://p> "2" .\n'
        >>> a, b = GraphData.of("http://g", one + two), GraphData.of("http://g", two + one)
        >>> a.digest == b.digest, a.triples
        (True, 2)
        """
        lines = sorted(line for line in ntriples.splitlines() if line.strip())
        digest = hashlib.sha256(b"\n".join(lines)).hexdigest()
        return cls(graph_iri, ntriples, digest, len(lines))


def iter_graphs(store: ox.Store) -> Iterator[GraphData]:
    """Yield every named graph of a store, in IRI order (the order is that of a rerun too)."""
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    for name in names:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        yield GraphData.of(name, data or b"")


@contextlib.contextmanager
def open_source(path: Path) -> Iterator[ox.Store]:
    """Open what to push: a store folder (read-only), or a build file with named graphs.

    A file is loaded into memory with the ontology, so it pushes what a store built from the same
    records holds.

    Raises:
        InputError: no store or file there, or a file that is not valid RDF.
        UsageError: a file without named graphs (Turtle, N-Triples...): nothing to push per trial.
    """
    if path.is_dir():
        yield open_store(path, read_only=True)
        return
    if not path.is_file():
        raise InputError("no such store or file", file=str(path))
    fmt, gz = file_format(path)
    if not fmt.supports_datasets:
        raise UsageError(
            f"{path}: a {fmt.name} file has no named graphs to push; build to .nq or .trig, "
            "or push the store"
        )
    store = ox.Store()
    try:
        if gz:
            import gzip

            with gzip.open(path, "rb") as fh:
                store.load(fh.read(), fmt)
        else:
            store.load(path=str(path), format=fmt)
    except (SyntaxError, OSError, EOFError) as exc:
        raise InputError(f"not valid RDF: {exc}", file=str(path)) from exc
    load_ontology(store)
    yield store


def journal_path(source: Path) -> Path:
    """Return where the journal of pushes from ``source`` lives: beside it.

    >>> journal_path(Path("/data/kg/store")).as_posix()
    '/data/kg/store.push-journal.jsonl'
    """
    return source.parent / f"{source.name}.push-journal.jsonl"


class Journal:
    """What each target is known to hold: graph IRI -> content digest, appended as sent."""

    def __init__(self, path: Path, target: str) -> None:
        """Read what the journal at ``path`` (if any) says ``target`` holds."""
        self.path = path
        self.target = target
        self.sent: dict[str, str] = {}
        entries = 0
        if path.is_file():
            with path.open("rb") as fh:
                for line in fh:
                    try:
                        entry = orjson.loads(line)
                        graph, digest, where = entry["graph"], entry["digest"], entry["target"]
                    except (orjson.JSONDecodeError, KeyError, TypeError):
                        continue  # a line cut short by a crash: that graph was not recorded
                    entries += 1
                    if where == target:
                        self.sent[graph] = digest
        self._compact = entries > 4 * len(self.sent) + 1000

    def record(self, graphs: Iterable[GraphData]) -> None:
        """Append graphs the target now holds; on disk before this returns."""
        items = list(graphs)
        if not items:
            return
        lines = b"".join(
            orjson.dumps({"target": self.target, "graph": g.iri, "digest": g.digest}) + b"\n"
            for g in items
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab+") as fh:
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    lines = b"\n" + lines  # end a line a crash cut short: it stays unreadable
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())
        for g in items:
            self.sent[g.iri] = g.digest

    def compact(self) -> None:
        """Rewrite the file with one line per graph and target, when it has grown long."""
        if not self._compact or not self.path.is_file():
            return
        latest: dict[tuple[str, str], bytes] = {}
        with self.path.open("rb") as fh:
            for line in fh:
                try:
                    entry = orjson.loads(line)
                    latest[(entry["target"], entry["graph"])] = line.rstrip(b"\n") + b"\n"
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    continue
        part = self.path.with_name(self.path.name + ".part")
        part.write_bytes(b"".join(latest.values()))
        os.replace(part, self.path)


@dataclass(frozen=True, slots=True)
class RemoteTarget:
    """Where to push: a Graph Store Protocol URL, a SPARQL Update URL, or both."""

    endpoint: Endpoint  # credentials and timeout; its url is the one requests go to first
    store_url: str | None = None
    update_url: str | None = None
    default_graph: bool = False

    @property
    def key(self) -> str:
        """Name the target in the journal: protocol, URL and whether the default graph is fed."""
        url = f"gsp:{self.store_url}" if self.store_url else f"update:{self.update_url}"
        return url + (" +default-graph" if self.default_graph else "")

    def graph_url(self, graph_iri: str | None) -> str:
        """Return the Graph Store Protocol URL of a named graph, or of the default graph."""
        assert self.store_url is not None  # noqa: S101 - only called in GSP mode
        sep = "&" if "?" in self.store_url else "?"
        if graph_iri is None:
            return f"{self.store_url}{sep}default"
        return f"{self.store_url}{sep}graph={quote(graph_iri, safe='')}"


@dataclass(slots=True)
class PushReport:
    """What a push did."""

    graphs: int = 0
    sent: int = 0
    skipped: int = 0
    replaced: int = 0
    triples: int = 0
    requests: int = 0
    retries: int = 0


@dataclass(frozen=True, slots=True)
class _Pending:
    graph: GraphData
    replace: bool


@dataclass(slots=True)
class RemoteSink:
    """Send graphs to a remote store in batches, with retries, recording each in a journal."""

    target: RemoteTarget
    journal: Journal
    replace: bool = False
    batch: int = 64
    retries: int = 5
    backoff: float = 0.5
    on_progress: Callable[[PushReport], None] | None = None
    sleep: Callable[[float], None] = time.sleep
    report: PushReport = field(default_factory=PushReport)
    _pending: list[_Pending] = field(default_factory=list)
    _size: int = 0
    _dataset_post: bool = True

    def add(self, graph: GraphData) -> None:
        """Queue one graph; skipped if the target already holds this content."""
        self.report.graphs += 1
        known = self.journal.sent.get(graph.iri)
        if known == graph.digest:
            self.report.skipped += 1
            return
        if (
            self.target.default_graph
            and (self.replace or known is not None)
            and not self.target.update_url
        ):
            raise UsageError(
                "replacing a graph also in the default graph needs --update-url, to remove its "
                "old triples there"
            )
        self._pending.append(_Pending(graph, self.replace or known is not None))
        self._size += len(graph.ntriples)
        if len(self._pending) >= self.batch or self._size >= _BATCH_BYTES:
            self.flush()

    def commit(self) -> None:
        """Send what is queued and tidy the journal."""
        self.flush()
        self.journal.compact()

    def flush(self) -> None:
        """Send the queued graphs now."""
        pending, self._pending, self._size = self._pending, [], 0
        if not pending:
            return
        if self.target.store_url:
            self._flush_gsp(pending)
        else:
            self._flush_update(pending)
        self.journal.record(p.graph for p in pending)
        self.report.sent += len(pending)
        self.report.replaced += sum(p.replace for p in pending)
        self.report.triples += sum(p.graph.triples for p in pending)
        if self.on_progress is not None:
            self.on_progress(self.report)

    def _flush_gsp(self, pending: list[_Pending]) -> None:
        target = self.target
        if target.default_graph:
            stale = [p.graph for p in pending if p.replace]
            if stale:
                self._update(" ;\n".join(_drop_from_default(g.iri) for g in stale))
            body = b"".join(p.graph.ntriples for p in pending)
            self._request("POST", target.graph_url(None), body, N_TRIPLES)
        for p in pending:
            if p.replace:
                self._request("PUT", target.graph_url(p.graph.iri), p.graph.ntriples, N_TRIPLES)
        adds = [p.graph for p in pending if not p.replace]
        if len(adds) > 1 and self._dataset_post:
            body = b"".join(_as_quads(g) for g in adds)
            assert target.store_url is not None  # noqa: S101 - GSP mode
            accept = _NO_DATASET_POST.union(_OK)
            status = self._request("POST", target.store_url, body, N_QUADS, accept)
            if status in _OK:
                return
            log.info("%s takes no dataset POST; sending graphs one by one", target.store_url)
            self._dataset_post = False
        for g in adds:
            self._request("POST", target.graph_url(g.iri), g.ntriples, N_TRIPLES)

    def _flush_update(self, pending: list[_Pending]) -> None:
        operations: list[str] = []
        for p in pending:
            name = iri(p.graph.iri)
            triples = p.graph.ntriples.decode("utf-8")
            if p.replace:
                if self.target.default_graph:
                    operations.append(_drop_from_default(p.graph.iri))
                operations.append(f"DROP SILENT GRAPH {name}")
            operations.append(f"INSERT DATA {{ GRAPH {name} {{\n{triples}}} }}")
            if self.target.default_graph:
                operations.append(f"INSERT DATA {{\n{triples}}}")
        self._update(" ;\n".join(operations))

    def _update(self, text: str) -> None:
        if not self.target.update_url:
            raise UsageError("this push needs a SPARQL Update endpoint: give --update-url")
        self._request("POST", self.target.update_url, text.encode("utf-8"), SPARQL_UPDATE)

    def _request(
        self,
        method: str,
        url: str,
        body: bytes,
        content_type: str,
        accept: Container[int] = _OK,
    ) -> int:
        for attempt in range(self.retries + 1):
            try:
                status = send(self.target.endpoint, method, url, body, content_type, accept)
            except TransientEndpointError as exc:
                if attempt == self.retries:
                    raise
                self.report.retries += 1
                wait = min(self.backoff * 2**attempt, 30.0)
                log.warning("%s; retrying in %.1f s", exc, wait)
                self.sleep(wait)
            else:
                self.report.requests += 1
                return status
        raise AssertionError("unreachable")  # the loop returns or raises


def _as_quads(graph: GraphData) -> bytes:
    """Turn a graph's N-Triples lines into N-Quads lines in that graph."""
    name = iri(graph.iri).encode("utf-8")
    out = []
    for line in graph.ntriples.splitlines():
        body = line.rstrip()
        if body.endswith(b"."):
            out.append(body[:-1].rstrip() + b" " + name + b" .\n")
    return b"".join(out)


def _drop_from_default(graph_iri: str) -> str:
    """Return the update that removes a graph's triples from the default graph.

    Triples another named graph also states stay: the default graph holds them for that one too.
    """
    name = iri(graph_iri)
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {name}) }} }}"
    )


def push(
    source: Path,
    *,
    store_url: str | None = None,
    update_url: str | None = None,
    replace: bool = False,
    default_graph: bool = False,
    batch: int = 64,
    journal: Path | None = None,
    retries: int = 5,
    backoff: float = 0.5,
    timeout: float | None = None,
    environ: Mapping[str, str] | None = None,
    on_progress: Callable[[PushReport], None] | None = None,
) -> PushReport:
    """Push every named graph of a store folder or a build file to a remote store.

    Raises:
        UsageError: neither URL given, a bad URL or batch size, or a source without graphs.
        InputError: no store or file at ``source``.
        EndpointError: the server failed, after ``retries`` retries for transient failures;
            what was sent before is in the journal, so a rerun goes on from there.
    """
    if not (store_url or update_url):
        raise UsageError("give --store-url (Graph Store Protocol) or --update-url (SPARQL Update)")
    if batch < 1:
        raise UsageError("--batch must be at least 1")
    if default_graph and replace and not update_url:
        raise UsageError(
            "--replace with --default-graph needs --update-url, to remove old triples there"
        )
    endpoint = Endpoint.from_env(store_url or update_url or "", timeout=timeout, environ=environ)
    if update_url and store_url:
        Endpoint.from_env(update_url, timeout=timeout, environ=environ)  # checks the URL
    target = RemoteTarget(endpoint, store_url, update_url, default_graph)
    sink = RemoteSink(
        target,
        Journal(journal or journal_path(source), target.key),
        replace=replace,
        batch=batch,
        retries=retries,
        backoff=backoff,
        on_progress=on_progress,
    )
    with open_source(source) as store:
        for graph in iter_graphs(store):
            sink.add(graph)
    sink.commit()
    return sink.report
