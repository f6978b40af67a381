"""Builds the suite makes once: one mapping written to a store and to every file format."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.sinks import FileSink, StoreSink
from kg.terms import DEFAULT_BASE

# Every format ``kg build -o`` writes, by file name extension.
BUILD_FORMATS = (".nq", ".trig", ".ttl", ".nt", ".jsonld", ".rdf")


class StoreAndFiles(StoreSink):
    """A store sink that also hands every record to file sinks: one mapping, several outputs.

    Being a StoreSink, it gets each record's statistics counts from ``build`` as any store does,
    so the store is exactly the one ``kg build --store`` makes, and each file the one ``kg build
    -o`` makes.
    """

    def __init__(self, made: SharedBuild) -> None:
        super().__init__(made.store)
        self.files = [FileSink(path, base=DEFAULT_BASE) for path in made.files.values()]

    def add(self, graph: str, text: str) -> None:
        super().add(graph, text)
        for sink in self.files:
            sink.add(graph, text)

    def replace(self, graph: str, text: str) -> None:
        super().replace(graph, text)
        for sink in self.files:
            sink.replace(graph, text)

    def commit(self) -> None:
        super().commit()
        for sink in self.files:
            sink.commit()

    def abort(self) -> None:
        super().abort()
        for sink in self.files:
            sink.abort()


@dataclass(frozen=True)
class SharedBuild:
    """The seed and every shared record built once: an on-disk store and a file per format."""

    store: Path
    files: dict[str, Path]

    @classmethod
    def at(cls, folder: Path, stem: str) -> SharedBuild:
        """The store ``folder/store`` and the files ``folder/STEM.EXT``, one per build format."""
        return cls(folder / "store", {ext: folder / f"{stem}{ext}" for ext in BUILD_FORMATS})



@contextmanager
def built_once(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder for something built once per run: yield it and whether this process must build it.

    Without pytest-xdist it is a fresh folder. Under xdist the workers share one folder of the
    run's base temporary directory: the first worker to come builds under a lock while the other
    waits, then both read the same files (read-only, as every user of these fixtures does).
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        yield tmp_path_factory.mktemp(name), True
        return
    root = tmp_path_factory.getbasetemp().parent
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder, done = root / name, root / f"{name}.done"
        if done.exists():
            yield folder, False
            return
        shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left behind
        folder.mkdir()
        yield folder, True
        done.touch()


def synthetic_store(root: Path, trials: int, seed: int) -> Path:
    """Build ``trials`` synthetic trials (kg synth) into a store under ``root``; return its path."""
    from kg.build import build
    from kg.synth import load_params, write_zip

    zipped = write_zip(root / "synth.zip", load_params(), trials, seed=seed)
    build([str(zipped)], StoreSink(root / "store"), base=DEFAULT_BASE)
    return root / "store"


def store_copy(store: Path, path: Path) -> ox.Store:
    """A copy of the (closed) store at ``store`` made at ``path``, opened for writing."""
    shutil.copytree(store, path)
    return ox.Store(str(path))
