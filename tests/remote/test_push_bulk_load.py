"""The whole-registry route: a ``kg export`` N-Quads dump loaded by the engine's own bulk loader.

As README's "Pushing to and querying Virtuoso, Oxigraph server and Fuseki" says: Virtuoso's
``ld_dir`` + ``rdf_loader_run`` (the dump in a folder listed in ``DirsAllowed``; each quad goes to
its own graph) and ``oxigraph load``. Each trial graph must hold as many triples as in the store.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphcounts import COUNTS, local_counts, remote_counts
from servers import _binary
from virtuoso import VirtuosoServer

from kg.build import build
from kg.ontology import ONTOLOGY_GRAPH
from kg.sinks import StoreSink, open_store
from kg.terms import DEFAULT_BASE


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, json_records: list[Path],
               seed_path: Path, ctgov_dir: Path) -> Path:
    """The seed, 6 JSON and 3 XML shared records."""
    path = tmp_path_factory.mktemp("bulk") / "store"
    xml = sorted(ctgov_dir.glob("*.xml"))[:3]
    build([str(seed_path), *map(str, json_records[:6] + xml)], StoreSink(path), base=DEFAULT_BASE)
    return path


@pytest.fixture(scope="module")
def expected(store_path: Path) -> dict[str, int]:
    """The store's per-graph counts but the ontology's (a dump holds the records and statistics)."""
    counts = local_counts(open_store(store_path))
    del counts[ONTOLOGY_GRAPH]
    assert len(counts) == 13  # 10 trial graphs, the statistics, answers and figures graphs
    return counts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    started = VirtuosoServer(load_dir=tmp_path_factory.mktemp("virtuoso-load")).start()
    try:
        yield started
    finally:
        started.stop()


def export(store: Path, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "kg", "export", "--store", str(store), "-o", str(out)],
        check=True, capture_output=True, timeout=300,
    )


def test_an_export_loaded_by_virtuoso_ld_dir_holds_every_triple_in_its_graph(
    server: VirtuosoServer, store_path: Path, expected: dict[str, int]
) -> None:
    export(store_path, server.load_dir / "kg.nq")
    server.isql(
        f"ld_dir('{server.load_dir}', 'kg.nq', 'urn:kg:triples-without-a-graph');",
        "rdf_loader_run();",
        "checkpoint;",
    )
    states = server.isql("SELECT ll_state, ll_error FROM DB.DBA.load_list;")
    assert "2" in states.split() and "NULL" in states  # loaded (state 2), no error
    assert remote_counts(server.query_url) == expected


def test_an_export_loaded_by_oxigraph_load_holds_every_triple_in_its_graph(
    store_path: Path, expected: dict[str, int], tmp_path: Path
) -> None:
    dump, location = tmp_path / "kg.nq", tmp_path / "oxigraph"
    export(store_path, dump)
    oxigraph = _binary()
    subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(dump)],
                   check=True, capture_output=True, timeout=300)
    answer = subprocess.run(
        [oxigraph, "query", "--location", str(location), "--query", COUNTS,
         "--results-format", "csv"],
        check=True, capture_output=True, timeout=300, text=True,
    )
    rows = list(csv.DictReader(io.StringIO(answer.stdout)))
    assert {r["g"]: int(r["n"]) for r in rows} == expected
