"""Push a store or a build file to a remote SPARQL 1.1 store, one named graph per trial, verified.

Two protocols (DESIGN.md): the Graph Store Protocol (``--store-url``, Oxigraph's ``/store``): a
graph to replace is ``PUT ?graph=...``; graphs to add go in one ``POST`` of N-Quads to the store URL
where the server takes a dataset there, else one ``POST ?graph=...`` each. Or SPARQL Update
(``--update-url``): ``DROP SILENT GRAPH`` (to replace) and ``INSERT DATA`` operations of at most
500 triples each (:mod:`kg.sinks._update`), packed into requests of at most 500 triples.

Nothing is taken as stored on the server's word. After each batch, kg counts the triples each
graph holds on the server (one SPARQL query per 100 graphs, at ``--query-url`` or the query URL
found beside the store or update URL) and records in the journal only the graphs whose count is
the number of distinct triples sent. A 2xx whose body is an HTML page (Virtuoso answers a
``POST`` without ``?graph=`` with its query form and stores nothing) is no acknowledgement: a
dataset ``POST`` so answered, or one after which counts differ, makes kg send one graph per
request from then on (detected, whatever the product). A graph that still differs fails the push,
named with both counts; a rerun sends every graph the journal lacks.

A graph added to (neither known to the journal nor ``--replace``) that already held triples on the
server is checked by reading it back (``CONSTRUCT``): every triple sent must be there.

Resumable: the journal (:mod:`kg.sinks._journal`) holds what each target was seen to hold; a rerun
skips that and sends everything else. Every request may be sent twice safely: ``PUT`` and
``DROP`` + ``INSERT`` replace, and adding the same triples again to a graph changes nothing. A graph
the journal knows with another digest (an updated trial) is replaced; ``--replace`` replaces every
graph sent. ``--default-graph`` also adds the triples to the default graph for stores without a
union default graph (that copy is not counted); removing a replaced graph's old triples from the
default graph then takes a SPARQL Update endpoint.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from kg.errors import EndpointError, UsageError
from kg.http_auth import Credentials
from kg.http_errors import is_html, server_message
from kg.remote import Endpoint
from kg.sinks import _update as upd
from kg.sinks._journal import (
    GraphData,
    Journal,
    iter_graphs,
    journal_path,
    open_source,
    value_keys,
)
from kg.sinks._transport import RefusedError, Reply, Transport, query_url_candidates
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
_NO_DATASET_POST = frozenset({400, 404, 405, 406, 415, 501})  # wants ?graph= on every POST


@dataclass(frozen=True, slots=True)
class RemoteTarget:
    """Where to push: a Graph Store Protocol URL or a SPARQL Update URL, and where to count."""

    endpoint: Endpoint  # the timeout; its url is the one requests go to first
    store_url: str | None = None
    update_url: str | None = None
    default_graph: bool = False
    query_url: str | None = None  # None: found beside the store or update URL

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
    """What a push did; ``sent`` graphs were verified on the server and journaled."""

    graphs: int = 0
    sent: int = 0
    skipped: int = 0
    replaced: int = 0
    triples: int = 0
    requests: int = 0
    retries: int = 0
    per_graph: bool = False  # the server took no dataset POST: one graph per request


@dataclass(frozen=True, slots=True)
class _Pending:
    graph: GraphData
    replace: bool


@dataclass(slots=True)
class RemoteSink:
    """Send graphs to a remote store in batches, verify them, record the verified in a journal."""

    target: RemoteTarget
    journal: Journal
    transport: Transport
    replace: bool = False
    batch: int = 64
    on_progress: Callable[[PushReport], None] | None = None
    report: PushReport = field(default_factory=PushReport)
    _pending: list[_Pending] = field(default_factory=list)
    _size: int = 0
    _dataset_post: bool = True
    _query_url: str | None = None
    _op_triples: int = upd.OP_TRIPLES

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
        """Send the queued graphs now, verify them, and journal the verified.

        Raises:
            EndpointError: a request failed, or graphs the server does not hold as sent (named).
        """
        pending, self._pending, self._size = self._pending, [], 0
        if not pending:
            return
        query_url = self.query_url()
        adds = [p.graph.iri for p in pending if not p.replace]
        try:
            before = self.transport.counts(query_url, adds) if adds else {}
            dataset = self._write(pending)
            bad = self._verify(query_url, pending, before)
            if bad and dataset:
                # the server acknowledged a dataset POST but did not store it in those graphs
                log.warning(
                    "%s did not store %d graphs of a dataset POST; sending one graph per request",
                    self.target.store_url, len(bad),
                )
                self._dataset_post, self.report.per_graph = False, True
                again = [p for p in pending if p.graph.iri in bad]
                for p in again:
                    self._post_graph(p.graph)
                bad = self._verify(query_url, again, before)
        finally:
            self.report.requests = self.transport.requests
            self.report.retries = self.transport.retried
        verified = [p for p in pending if p.graph.iri not in bad]
        self.journal.record(p.graph for p in verified)
        self.report.sent += len(verified)
        self.report.replaced += sum(p.replace for p in verified)
        self.report.triples += sum(p.graph.triples for p in verified)
        if self.on_progress is not None:
            self.on_progress(self.report)
        if bad:
            raise EndpointError(_not_stored(bad, query_url))

    def query_url(self) -> str:
        """Return the SPARQL query URL that counts the server's triples (found on first use).

        Raises:
            UsageError: none of the likely URLs answers SPARQL queries; ``--query-url`` is needed.
        """
        if self._query_url is None:
            given = self.target.query_url
            write_url = self.target.store_url or self.target.update_url or ""
            candidates = [given] if given else query_url_candidates(write_url)
            found = self.transport.find_query_url(candidates)
            if found is None:
                tried = ", ".join(candidates)
                raise UsageError(
                    f"kg checks every push by counting triples, but no SPARQL query endpoint "
                    f"answered (tried {tried}); give --query-url"
                )
            self._query_url = found
        return self._query_url

    def _write(self, pending: list[_Pending]) -> bool:
        """Send the graphs; return whether the adds went as one dataset POST."""
        if self.target.store_url:
            return self._write_gsp(pending)
        self._write_update(pending)
        return False

    def _write_gsp(self, pending: list[_Pending]) -> bool:
        target = self.target
        if target.default_graph:
            stale = [p.graph for p in pending if p.replace]
            if stale:
                self._update([op for g in stale for op in _drop_default_ops(g.iri)])
            body = b"".join(p.graph.ntriples for p in pending)
            self._send("POST", target.graph_url(None), body, N_TRIPLES, "the default graph")
        for p in pending:
            if p.replace:
                url = target.graph_url(p.graph.iri)
                self._send("PUT", url, p.graph.ntriples, N_TRIPLES, _name(p.graph.iri))
        adds = [p.graph for p in pending if not p.replace]
        if len(adds) > 1 and self._dataset_post:
            assert target.store_url is not None  # noqa: S101 - GSP mode
            body = b"".join(_as_quads(g) for g in adds)
            what = f"{len(adds)} graphs as N-Quads"
            reply = self.transport.request(
                "POST", target.store_url, body, N_QUADS, what=what, also=_NO_DATASET_POST
            )
            if 200 <= reply.status < 300 and not is_html(reply.body, reply.content_type):
                return True
            said = server_message(reply.body, reply.content_type, 80)
            log.info(
                "%s answered a dataset POST with HTTP %d (%s); sending one graph per request",
                target.store_url, reply.status, said or "no message",
            )
            self._dataset_post, self.report.per_graph = False, True
        for g in adds:
            self._post_graph(g)
        return False

    def _post_graph(self, graph: GraphData) -> None:
        url = self.target.graph_url(graph.iri)
        self._send("POST", url, graph.ntriples, N_TRIPLES, _name(graph.iri))

    def _send(self, method: str, url: str, body: bytes, content_type: str, what: str) -> Reply:
        """Send one write; a 2xx whose body is an HTML page is no acknowledgement."""
        reply = self.transport.request(method, url, body, content_type, what=what)
        if is_html(reply.body, reply.content_type):
            said = server_message(reply.body, reply.content_type, 120)
            raise EndpointError(
                f"{method} {url} ({what}) answered HTTP {reply.status} with an HTML page "
                f"({said!r}), not a Graph Store Protocol acknowledgement; nothing recorded"
            )
        return reply

    def _write_update(self, pending: list[_Pending]) -> None:
        ops: list[upd.Operation] = []
        for p in pending:
            ops += upd.graph_operations(
                p.graph.iri, p.graph.ntriples, replace=p.replace,
                default_graph=self.target.default_graph, op_triples=self._op_triples,
            )
        self._update(ops)

    def _update(self, ops: Sequence[upd.Operation]) -> None:
        """Send operations in bounded requests, halving them while the server finds them too big."""
        url = self.target.update_url
        if not url:
            raise UsageError("this push needs a SPARQL Update endpoint: give --update-url")
        queue = upd.pack(ops)
        while queue:
            request = queue.pop(0)
            graphs = sorted({op.graph for op in request})
            what = _name(graphs[0]) + (f" and {len(graphs) - 1} more" if len(graphs) > 1 else "")
            try:
                self._send_update(url, upd.render(request), what)
            except RefusedError as exc:
                most = max(op.triples for op in request) // 2
                if not upd.too_large(exc.status, exc.said) or most < 1:
                    raise
                log.warning("%s: too large for the server; %d triples per INSERT DATA", what, most)
                self._op_triples = min(self._op_triples, most)
                rest = [op for r in queue for op in r]
                queue = upd.pack(upd.resplit([*request, *rest], self._op_triples))

    def _send_update(self, url: str, text: bytes, what: str) -> None:
        reply = self.transport.request("POST", url, text, SPARQL_UPDATE, what=what)
        if is_html(reply.body, reply.content_type) and b"<form" in reply.body.lower():
            said = server_message(reply.body, reply.content_type, 120)
            raise EndpointError(
                f"POST {url} ({what}) answered HTTP {reply.status} with an HTML form ({said!r}), "
                "not the result of an update; nothing recorded"
            )

    def _verify(
        self, query_url: str, pending: Sequence[_Pending], before: Mapping[str, int]
    ) -> dict[str, tuple[int, int]]:
        """Return the graphs the server does not hold as sent: IRI -> (held, expected)."""
        after = self.transport.counts(query_url, [p.graph.iri for p in pending])
        bad: dict[str, tuple[int, int]] = {}
        for p in pending:
            name, want = p.graph.iri, p.graph.triples
            held = after.get(name, 0)
            if p.replace or before.get(name, 0) == 0:
                if held != want and not self._by_value(p.graph, held):
                    bad[name] = (held, want)
            elif not self._holds_all(query_url, p.graph, held):
                bad[name] = (held, want)
        return bad

    def _by_value(self, graph: GraphData, held: int) -> bool:
        """Whether a lower count is the server telling literals apart by value, not a loss."""
        if held >= graph.triples or held != len(value_keys(graph.ntriples)):
            return False
        log.warning(
            "%s: the server holds %d of %d triples: it stores literals by value (booleans as 1 "
            "and 0, numbers by value, language tags in lower case), which folds %d triples into "
            "others of the same subject and predicate; every triple sent is there",
            _name(graph.iri), held, graph.triples, graph.triples - held,
        )
        return True

    def _holds_all(self, query_url: str, graph: GraphData, held: int) -> bool:
        """Read a graph back (it held other triples before): is every triple sent there?"""
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph.iri)} {{ ?s ?p ?o }} }}"
        reply = self.transport.request(
            "POST", query_url, _form(text), "application/x-www-form-urlencoded",
            what=f"reading back {_name(graph.iri)}", accept=N_TRIPLES,
        )
        try:
            there = {str(t) for t in ox.parse(reply.body, ox.RdfFormat.N_TRIPLES)}
        except SyntaxError as exc:
            raise EndpointError(
                f"{query_url} answered {_name(graph.iri)} in a form kg cannot read: {exc}"
            ) from exc
        if len(there) < held:
            raise EndpointError(
                f"{query_url} gave {len(there)} of the {held} triples of {_name(graph.iri)} "
                "(a capped answer): cannot check that graph; push it with --replace"
            )
        return value_keys(graph.ntriples) <= value_keys(reply.body)


def _form(text: str) -> bytes:
    return urlencode({"query": text}).encode("ascii")


def _name(graph_iri: str) -> str:
    return f"graph {iri(graph_iri)}"


def _not_stored(bad: Mapping[str, tuple[int, int]], query_url: str) -> str:
    items = sorted(bad.items())
    shown = "; ".join(f"{_name(g)}: {h} of {w} triples" for g, (h, w) in items[:5])
    more = f"; and {len(items) - 5} more" if len(items) > 5 else ""
    return (
        f"the server does not hold {len(items)} graphs as sent (triples counted on {query_url}): "
        f"{shown}{more}; they are not in the journal, so a rerun sends them again"
    )


def _drop_default_ops(graph_iri: str) -> list[upd.Operation]:
    return [upd.Operation(upd.Kind.DROP_DEFAULT, graph_iri)]


def _as_quads(graph: GraphData) -> bytes:
    """Turn a graph's N-Triples lines into N-Quads lines in that graph."""
    name = iri(graph.iri).encode("utf-8")
    out = []
    for line in graph.ntriples.splitlines():
        body = line.rstrip()
        if body.endswith(b"."):
            out.append(body[:-1].rstrip() + b" " + name + b" .\n")
    return b"".join(out)


def push(
    source: Path,
    *,
    store_url: str | None = None,
    update_url: str | None = None,
    query_url: str | None = None,
    replace: bool = False,
    default_graph: bool = False,
    batch: int = 64,
    journal: Path | None = None,
    retries: int = 5,
    backoff: float = 0.5,
    timeout: float | None = None,
    environ: Mapping[str, str] | None = None,
    on_progress: Callable[[PushReport], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PushReport:
    """Push every named graph of a store folder or a build file to a remote store, verified.

    Raises:
        UsageError: neither URL given, a bad URL or batch size, a source without graphs, or no
            query endpoint to verify with.
        InputError: no store or file at ``source``.
        EndpointError: a request failed for good (or after ``retries`` retries of temporary
            failures), or graphs the server does not hold as sent; what was verified before is
            in the journal, so a rerun goes on from there.
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
    for other in (update_url if store_url else None, query_url):
        if other:
            Endpoint.from_env(other, timeout=timeout, environ=environ)  # checks the URL
    target = RemoteTarget(endpoint, store_url, update_url, default_graph, query_url)
    transport = Transport(
        Credentials.from_env(environ), endpoint.timeout, retries, backoff, sleep
    )
    sink = RemoteSink(
        target,
        Journal(journal or journal_path(source), target.key),
        transport,
        replace=replace,
        batch=batch,
        on_progress=on_progress,
    )
    with open_source(source) as store:
        for graph in iter_graphs(store):
            sink.add(graph)
    sink.commit()
    return sink.report
