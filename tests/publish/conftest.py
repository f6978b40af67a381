"""Fixtures of the publishing tests: a small on-disk store, and ``kg serve`` running on it.

The store holds the seed trial, a few shared API v2 records (sites with coordinates, references),
a computed similarity from the seed to one of them (as kg's similarity step writes it), and an
organisation whose name carries HTML, to check that pages escape it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from publish_support import EXTRA, RECORDS, REPO, SEED, Server, drain

from kg.build import build
from kg.publish.export import export_file
from kg.sinks import StoreSink, open_store
from kg.terms import DEFAULT_BASE


@pytest.fixture(scope="session")
def publish_store_path(tmp_path_factory: pytest.TempPathFactory, ctgov_dir: Path) -> Path:
    """An on-disk store: the seed, a few shared records, a similarity, an HTML-laden name."""
    path = tmp_path_factory.mktemp("publish") / "store"
    inputs = [str(SEED), *(str(ctgov_dir / name) for name in RECORDS)]
    build(inputs, StoreSink(path), base=DEFAULT_BASE, jobs=1)
    store = ox.Store(str(path))
    store.load(
        EXTRA.encode(),
        ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(f"{DEFAULT_BASE}graph/computed"),
    )
    store.flush()
    del store
    return path


@pytest.fixture(scope="session")
def publish_store(publish_store_path: Path) -> ox.Store:
    """The same store, opened read-only as the server opens it."""
    return open_store(publish_store_path)


@pytest.fixture(scope="session")
def dumps_dir(tmp_path_factory: pytest.TempPathFactory, publish_store: ox.Store) -> Path:
    """A folder with one dump written by ``export_file`` (and its ``.sha256``)."""
    folder = tmp_path_factory.mktemp("dumps")
    export_file(publish_store, folder / "trials.nq.gz")
    return folder


@pytest.fixture(scope="session")
def server(publish_store_path: Path, dumps_dir: Path) -> Iterator[Server]:
    """``kg serve`` on a free port of 127.0.0.1, with short limits (2 s, 50 rows) to test them."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--store",
            str(publish_store_path),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--query-timeout",
            "2",
            "--max-rows",
            "50",
            "--workers",
            "2",
            "--dumps",
            str(dumps_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    log: list[str] = []
    ready = threading.Event()
    threading.Thread(target=drain, args=(process.stderr, log, ready), daemon=True).start()
    try:
        if not ready.wait(60):
            pytest.fail("kg serve did not start:\n" + "\n".join(log))
        url = next(w for line in log for w in line.split() if w.startswith("http://"))
        srv = Server(url, process, log)
        deadline = time.monotonic() + 60
        while True:
            try:
                if srv.request("/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("kg serve does not answer:\n" + "\n".join(log))
            time.sleep(0.1)
        yield srv
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
