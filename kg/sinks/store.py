"""The embedded on-disk store (pyoxigraph): default location, opening, and loading a build.

A build into a store that does not exist yet is bulk-loaded into a fresh folder which is then
renamed into place, so a failed build leaves no store at all. A build into an existing store first
drops the named graphs of the trials it rebuilds (no stale facts survive an update), then loads the
new quads in one transaction (``Store.load``: all or nothing).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import platformdirs
import pyoxigraph as ox

from kg.errors import InputError
from kg.ontology import load_ontology
from kg.sinks._spool import Spool

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


class StoreSink:
    """Collect records as N-Quads, then load them into the store in one step."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._spool = Spool(path.resolve().parent, f".{path.name}.")
        self._dates: dict[str, str] = {}
        self.kept: list[str] = []
        """Graphs not replaced because the store's copy comes from a newer source."""

    def add(self, graph: str, text: str) -> None:
        """Add one record's N-Quads (all in ``graph``)."""
        self._spool.write(graph, text)
        dates = _SOURCE_DATE.findall(text)
        if dates:
            self._dates[graph] = max(dates)

    def commit(self) -> None:
        """Load everything written into the store."""
        try:
            if _is_store(self.path):
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

    def _create(self) -> None:
        fresh = self.path.resolve().parent / f".{self.path.name}.new-{os.getpid()}"
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            store = ox.Store(str(fresh))
            bulk_load_chunked(store, self._spool.path)
            load_ontology(store)
            store.optimize()
            store.flush()
            del store
            if self.path.exists():
                self.path.rmdir()  # an empty folder: _is_store said so
            os.replace(fresh, self.path)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def _update(self, store: ox.Store) -> None:
        for graph in self._spool.kept_graphs():
            node = ox.NamedNode(graph[1:-1])
            if store.contains_named_graph(node):
                store.remove_graph(node)
        if self._spool.path.stat().st_size > _TRANSACTION_LIMIT:
            bulk_load_chunked(store, self._spool.path)
        else:
            store.load(path=self._spool.path, format=ox.RdfFormat.N_QUADS)
        load_ontology(store)
        store.flush()
