"""The embedded on-disk store (pyoxigraph): default location, opening, and loading a build.

A build into a store that does not exist yet streams: each record's N-Quads go down a pipe into
one ``Store.bulk_load`` running in a thread, into a fresh folder that is renamed into place at the
end, so loading overlaps the mapping, nothing is spooled to disk, and a failed build leaves no store
at all. A build into an existing store first drops the named graphs of the trials it rebuilds (no
stale facts survive an update), then loads the new quads in one transaction (``Store.load``: all or
nothing). Every commit ends by recomputing the statistics graph (:mod:`kg.stats`).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import platformdirs
import pyoxigraph as ox

from kg.answers_graph import refresh as refresh_answers
from kg.errors import InputError
from kg.graph_diff import rewrite_graph
from kg.index import add_missing_keys
from kg.ontology import load_ontology, load_publications_ontology
from kg.publication_identity import merge_aliases
from kg.sinks._spool import Spool
from kg.stats import STATS_GRAPH, GraphCounts, Statistics, stats_nquads
from kg.stats import refresh as refresh_stats
from kg.stats_delta import before_removal
from kg.stats_delta import update as update_stats
from kg.stats_tally import Tally
from kg.void_counts import MOVE_LIMIT, Change, GraphVoid, move
from kg.void_counts import Tally as VoidTally
from kg.void_counts import read as read_void
from kg.void_counts import write as write_void

__all__ = ["StoreSink", "bulk_load_chunked", "default_store_path", "open_store"]

# The source dates a record's provenance states (``tkg:sourceDate``): the newest source wins.
_SOURCE_DATE = re.compile(r'<https://w3id\.org/trialkg/ontology#sourceDate> "([0-9-]+)"')
_DATE_P = ox.NamedNode("https://w3id.org/trialkg/ontology#sourceDate")

# Above this size a transactional load would hold too much in memory: bulk-load instead.
_TRANSACTION_LIMIT = 512 * 1024 * 1024
# pyoxigraph's bulk loader buffers in proportion to what it is given (measured here: 0.7 GB of
# RSS for 0.84M quads, 1.9 GB for 8.4M); fed in chunks of this many bytes its peak stays flat.
_BULK_CHUNK = 64 * 1024 * 1024


def bulk_load_chunked(store: ox.Store, path: Path, chunk: int = _BULK_CHUNK) -> None:
    """Bulk-load an N-Quads file in chunks cut at line ends, so memory does not grow with it."""
    with path.open("rb") as fh:
        while True:
            data = fh.read(chunk)
            if not data:
                return
            data += fh.readline()  # finish the last line of the chunk
            store.bulk_load(data, ox.RdfFormat.N_QUADS)


def default_store_path() -> Path:
    """Return ``$KG_STORE``, else the user data folder (``~/.local/share/kg/store`` on Linux)."""
    env = os.environ.get("KG_STORE")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("kg", appauthor=False)) / "store"


def _is_store(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


def open_store(path: Path, *, read_only: bool = True) -> ox.Store:
    """Open an existing store.

    Raises:
        InputError: no store there, or it is locked by another process.
    """
    if not _is_store(path):
        raise InputError("no kg store here; run `kg build` first or pass --store", file=str(path))
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise InputError(f"cannot open the store: {exc}", file=str(path)) from exc


# The pipe a streamed load reads from: the loader's end is opened by path, so pyoxigraph reads it
# without taking Python's lock; where /dev/fd does not exist the build is spooled, then loaded.
_FD_DIR = Path("/dev/fd")


def _finalise(
    store: ox.Store,
    counted: Statistics | None,
    void: VoidTally | None,
    *,
    publications_ontology: bool,
) -> None:
    """Add the statistics and the ontology to a freshly loaded store, compact it, write it out.

    Compacted last, once: the steps before read the bulk loader's uncompacted files (2-3x slower
    than a compacted store: answers, class counts, missing keys), but a store compacted first
    leaves the graphs written after it uncompacted, and queries over them (the indexed variants)
    ran 1.5-2.3x slower (benchmarks/RESULTS.md, "Build cost, issue 15 fourth pass (hb)").
    """
    figures = void.counts(store) if void is not None else None  # of the graphs as loaded
    change = Change()  # what is written after the load: the dataset figures move by it
    if merge_aliases(store, change).aliases:  # publications with their aliases: one node each
        counted = None  # the records' own counts saw the aliases as papers: count the store
    add_missing_keys(store, change)  # a facility's node that is a sponsor's after all (kg.index)
    load_ontology(store)  # first: the statistics read the codes of its concepts
    if publications_ontology:
        load_publications_ontology(store)  # the answers read its publication types
    write_void(store, move(store, figures, change) if figures is not None else None)
    refresh_stats(store, counted)
    refresh_answers(store)  # the sponsor and publication answers (kg.answers)
    store.optimize()
    store.flush()


class _StreamedLoad:
    """One ``Store.bulk_load`` of a fresh store, in a thread, fed N-Quads through a pipe."""

    def __init__(self, folder: Path, target: Path) -> None:
        self.folder = folder
        self.target = target
        self.store = ox.Store(str(folder))
        read_fd, write_fd = os.pipe()
        self._out = os.fdopen(write_fd, "wb", buffering=1 << 20)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._load, args=(read_fd,), name="kg-store-load", daemon=True
        )
        self._thread.start()

    def _load(self, read_fd: int) -> None:
        try:
            # lenient: the quads are kg's own rendering, whose IRIs and literals are checked when
            # minted (kg.terms); the loader's own checks cost a fifth of its time.
            self.store.bulk_load(
                path=_FD_DIR / str(read_fd), format=ox.RdfFormat.N_QUADS, lenient=True
            )
        except BaseException as exc:  # reported by finish() and write()
            self._error = exc
        finally:
            os.close(read_fd)  # a writer still writing gets BrokenPipeError

    def write(self, data: bytes) -> None:
        try:
            self._out.write(data)
        except BrokenPipeError:
            self.finish()  # raises the loader's error
            raise

    def finish(self) -> None:
        """Close the pipe and wait for the load; re-raise what stopped it."""
        try:
            self._out.close()
        except BrokenPipeError:
            pass
        self._thread.join()
        if self._error is not None:
            raise InputError(
                f"loading the store failed: {self._error}", file=str(self.target)
            ) from self._error


class StoreSink:
    """Load records' N-Quads into the store: streamed into a new store, or one update at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stream = not _is_store(path) and _FD_DIR.is_dir()
        self._load: _StreamedLoad | None = None
        # Streaming, only the graphs replaced later (merged records) are spooled.
        self._spool = Spool(path.resolve().parent, f".{path.name}.")
        self._dates: dict[str, str] = {}
        self.kept: list[str] = []
        """Graphs not replaced because the store's copy comes from a newer source."""
        # A new store sums its graphs' counts as they come (kg.stats_tally); an update keeps each
        # graph's counts, to move the stored statistics by (kg.stats_delta).
        self._tally: Tally | None = None if _is_store(path) else Tally()
        self._counts: dict[str, GraphCounts] = {}
        self._pending: tuple[str, GraphCounts, GraphVoid | None] | None = None
        self._taken_back: set[str] = set()  # graphs whose first counts were taken out
        self._void: VoidTally | None = None  # a new store's dataset figures (kg.void_counts)
        self._void_unsure = False
        self._uncounted = False  # a graph came without its counts: count the store instead
        self.publications_ontology = False
        """Load the publications ontology with the commit (``kg fetch-publications``)."""

    @property
    def sums(self) -> bool:
        """True when the counts are summed as they come: a replaced graph's are taken back."""
        return self._tally is not None

    def count(self, graph: str, counts: GraphCounts, void: GraphVoid | None = None) -> None:
        """Take the statistics counts of the graph added (or replaced) next (kg.stats).

        ``void``: its share of the dataset description's figures (kg.void_counts).
        """
        self._pending = (graph, counts, void)

    def uncount(self, graph: str, counts: GraphCounts, void: GraphVoid | None = None) -> None:
        """Take back the counts of a graph added before and replaced next (a merged trial)."""
        if self._tally is not None:
            self._tally.remove(counts)
            self._taken_back.add(graph)
            if self._void is not None and void is not None:
                self._void.remove(graph, void)
            else:
                self._void_unsure = True

    def _add_void(self, graph: str, void: GraphVoid | None) -> None:
        if void is None:
            self._void_unsure = True
        elif not self._void_unsure:
            if self._void is None:
                self._void = VoidTally(self.path.resolve().parent, void.uri_space)
            self._void.add(graph, void)

    def _void_tally(self) -> VoidTally | None:
        """The new store's figures, or None when some graph came without them."""
        if self._void is not None and (self._void_unsure or self._uncounted):
            self._void.discard()
            return None
        return self._void

    def _take(self, graph: str, *, replacing: bool) -> None:
        """Keep the counts given for ``graph``; without them the store is counted at the end."""
        pending, self._pending = self._pending, None
        if pending is None or pending[0] != graph:
            self._uncounted = True
        elif self._tally is None:
            self._counts[graph] = pending[1]
        elif replacing and graph not in self._taken_back:
            self._uncounted = True  # the first counts are still in the sums
        else:
            self._taken_back.discard(graph)
            self._tally.add(pending[1])
            self._add_void(graph, pending[2])

    def _counted(self) -> Statistics | None:
        """The sums of every graph's counts of a new store, or None when some came without."""
        return None if self._uncounted or self._tally is None else self._tally.statistics()

    def _fresh(self) -> Path:
        return self.path.resolve().parent / f".{self.path.name}.new-{os.getpid()}"

    def add(self, graph: str, text: str) -> None:
        """Add one record's N-Quads (all in ``graph``)."""
        self._take(graph, replacing=False)
        if self._stream:
            if self._load is None:
                shutil.rmtree(self._fresh(), ignore_errors=True)
                self._load = _StreamedLoad(self._fresh(), self.path)
            self._load.write(text.encode("utf-8"))
            return
        self._spool.write(graph, text)
        dates = _SOURCE_DATE.findall(text)
        if dates:
            self._dates[graph] = max(dates)

    def replace(self, graph: str, text: str) -> None:
        """Replace what was added for ``graph`` (a trial merged from several records)."""
        self._take(graph, replacing=True)
        self._spool.write(graph, text)
        if not self._stream:
            dates = _SOURCE_DATE.findall(text)
            if dates:
                self._dates[graph] = max(dates)

    def commit(self) -> None:
        """Load everything written into the store."""
        try:
            if self._stream:
                self._spool.close()
                self._finish_stream()
            elif _is_store(self.path):
                store = open_store(self.path, read_only=False)
                self._keep_newer(store)
                self._spool.close()
                self._update(store)
            else:
                self._spool.close()
                self._create()
        finally:
            self._spool.discard()

    def _keep_newer(self, store: ox.Store) -> None:
        """Drop from this load the trials whose stored copy comes from a newer source."""
        for graph, incoming in self._dates.items():
            node = ox.NamedNode(graph[1:-1])
            quads = store.quads_for_pattern(None, _DATE_P, None, node)
            stored = [q.object.value for q in quads if isinstance(q.object, ox.Literal)]
            if stored and max(stored) > incoming:
                self._spool.drop(graph)
                self.kept.append(graph[1:-1])

    def abort(self) -> None:
        """Forget everything written so far."""
        self._spool.discard()
        if self._void is not None:
            self._void.discard()
        if self._load is not None:
            load, self._load = self._load, None
            try:
                load.finish()
            except InputError:
                pass  # already failing: the first error is the one reported
            finally:
                del load
                shutil.rmtree(self._fresh(), ignore_errors=True)

    def _finish_stream(self) -> None:
        fresh = self._fresh()
        if self._load is None:
            shutil.rmtree(fresh, ignore_errors=True)
            self._load = _StreamedLoad(fresh, self.path)
        load, self._load = self._load, None
        try:
            load.finish()
            store = load.store
            del load
            for graph in self._spool.kept_graphs():  # merged records: their last text wins
                store.remove_graph(ox.NamedNode(graph[1:-1]))
            if self._spool.graphs:
                bulk_load_chunked(store, self._spool.path)
            _finalise(
                store, self._counted(), self._void_tally(),
                publications_ontology=self.publications_ontology,
            )
            del store  # closed before its folder is renamed
            self._publish(fresh)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def _publish(self, fresh: Path) -> None:
        if self.path.exists():
            self.path.rmdir()  # an empty folder: _is_store said so
        os.replace(fresh, self.path)

    def _create(self) -> None:
        fresh = self._fresh()
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            store = ox.Store(str(fresh))
            bulk_load_chunked(store, self._spool.path)
            _finalise(
                store, self._counted(), self._void_tally(),
                publications_ontology=self.publications_ontology,
            )
            del store  # closed before its folder is renamed
            self._publish(fresh)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def _update(self, store: ox.Store) -> None:
        loaded = self._spool.kept_graphs()
        removed = before_removal(store, loaded)  # their statistics, taken out below
        change = Change()  # the quads this write adds and removes: the dataset figures move by it
        figures = read_void(store)  # read before the write: they say for how many graphs
        before = _graph_quads(store, loaded, change) if figures is not None else {}
        for graph in loaded:
            node = ox.NamedNode(graph[1:-1])
            if store.contains_named_graph(node):
                store.remove_graph(node)
        if self._spool.path.stat().st_size > _TRANSACTION_LIMIT:
            bulk_load_chunked(store, self._spool.path)
        else:
            store.load(path=self._spool.path, format=ox.RdfFormat.N_QUADS)
        if figures is not None:
            for graph, quads in _graph_quads(store, loaded, change).items():
                change.replaced(before.pop(graph, ()), quads)
        # A rebuilt trial names its references as the registry keys them: the publications
        # kg fetch-publications linked keep their one node (DESIGN.md, "Publication").
        merged = merge_aliases(store, change)
        add_missing_keys(store, change)  # a facility's node that is a sponsor's after all
        load_ontology(store)  # first: the statistics read the codes of its concepts
        if self.publications_ontology:
            load_publications_ontology(store)  # the answers read its publication types
        # The stored statistics, less the replaced graphs' counts, plus the loaded ones' (as a
        # fresh build gives them); recounted from the whole store when that cannot be settled.
        counts = {g: self._counts.get(g) for g in loaded}
        old = set(store.quads_for_pattern(None, None, None, ox.NamedNode(STATS_GRAPH)))
        stats = update_stats(store, removed, counts, aliases_moved=merged.statements > 0, old=old)
        if stats is None:
            refresh_stats(store)
        else:  # only the rows that changed are written
            rewrite_graph(store, STATS_GRAPH, stats_nquads(stats), old)
        if figures is not None:  # kept: moved by what changed (dropped when that is too much)
            write_void(store, move(store, figures, change))
        refresh_answers(store, by_difference=True)
        store.flush()


def _graph_quads(
    store: ox.Store, graphs: list[str], change: Change
) -> dict[str, set[ox.Quad]]:
    """The quads of the graphs (rendered IRIs) of a write; none once it is too large to track."""
    out: dict[str, set[ox.Quad]] = {}
    held = 0
    for graph in graphs:
        if change.too_large:
            return {}
        quads = set(store.quads_for_pattern(None, None, None, ox.NamedNode(graph[1:-1])))
        out[graph] = quads
        held += len(quads)
        if held > MOVE_LIMIT:
            change.too_large = True
    return {} if change.too_large else out
