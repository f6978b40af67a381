"""Build a registry into a store with kg's library, optionally opening each zip archive once.

``python benchmarks/_kg_patched.py ZIP... --store DIR [-j N] [--zip-fix]`` does what
``kg build ZIP... --store DIR -j N`` does (same library call, no progress bar) and prints the
counts as JSON. With ``--zip-fix``, ``kg.sources.InputFile.open`` keeps one ``ZipFile`` per
archive and process instead of opening the archive again for every member: the fix proposed for
kg/sources/__init__.py. The benchmarks call the library rather than the command line so that
they keep running while other command modules are being edited.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--zip-fix", action="store_true")
    args = parser.parse_args()
    if args.zip_fix:
        patch()
    from kg.build import build
    from kg.sinks import StoreSink
    from kg.terms import DEFAULT_BASE

    report = build(args.inputs, StoreSink(args.store), base=DEFAULT_BASE, jobs=args.jobs)
    result = {"records": report.records, "triples": report.triples, "errors": len(report.errors)}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
