"""Build a registry into a store with kg's library, optionally opening each zip archive once.

``python benchmarks/_kg_patched.py ZIP... --store DIR [-j N] [--zip-fix] [--discard]`` does
what ``kg build ZIP... --store DIR -j N`` does (same library call, no progress bar) and prints
the counts and the CPU of each phase as JSON. ``--discard`` maps and renders but throws the
N-Quads away (the pipeline without the store). ``--zip-fix`` makes
``kg.sources.InputFile.open`` keep one ``ZipFile`` per archive and process instead of opening
the archive again for every member (kg now does so itself). The benchmarks call the library
rather than the command line so that they keep running while command modules are being edited.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import zipfile
from pathlib import Path
from typing import BinaryIO

from kg.sources import InputFile

_original_open = InputFile.open
_archives: dict[str, zipfile.ZipFile] = {}


def _open_cached(self: InputFile) -> BinaryIO:
    """Open a zip member through an archive opened once per process, not once per member."""
    if self.member is None or self.path == "-":
        return _original_open(self)
    archive = _archives.get(self.path)
    if archive is None:
        archive = _archives[self.path] = zipfile.ZipFile(self.path)
    return archive.open(self.member)  # type: ignore[return-value]


def patch() -> None:
    """Apply the zip fix to this process (and to the workers it forks afterwards)."""
    InputFile.open = _open_cached  # type: ignore[method-assign]


class _Discard:
    """A sink that counts what it is given and keeps nothing (the pipeline without the store)."""

    def __init__(self) -> None:
        self.bytes = 0

    def add(self, graph: str, text: str) -> None:
        """Count one record's N-Quads."""
        self.bytes += len(text)

    def replace(self, graph: str, text: str) -> None:
        """Count a merged record's N-Quads."""
        self.bytes += len(text)

    def commit(self) -> None:
        """Keep nothing."""

    def abort(self) -> None:
        """Keep nothing."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--zip-fix", action="store_true")
    parser.add_argument(
        "--discard", action="store_true", help="map and render, but discard the N-Quads"
    )
    args = parser.parse_args()
    if args.zip_fix:
        patch()
    from kg.build import build
    from kg.sinks import StoreSink
    from kg.terms import DEFAULT_BASE

    sink: StoreSink | _Discard = _Discard() if args.discard else StoreSink(args.store)
    commit = sink.commit
    phase: dict[str, float] = {}

    def timed_commit() -> None:
        """Load the spool into the store (bulk load, ontology, optimize): the serial phase."""
        wall, cpu = time.perf_counter(), time.process_time()
        commit()
        phase["commit_s"] = time.perf_counter() - wall
        phase["commit_cpu"] = time.process_time() - cpu

    sink.commit = timed_commit  # type: ignore[method-assign]
    start = time.perf_counter()
    report = build(args.inputs, sink, base=DEFAULT_BASE, jobs=args.jobs)  # type: ignore[arg-type]
    total = time.perf_counter() - start
    me, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    result = {
        "records": report.records,
        "triples": report.triples,
        "errors": len(report.errors),
        "map_s": total - phase.get("commit_s", 0.0),
        "main_cpu": me.ru_utime + me.ru_stime - phase.get("commit_cpu", 0.0),
        "workers_cpu": workers.ru_utime + workers.ru_stime,
        **phase,
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
