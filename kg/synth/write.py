"""Write a synthetic registry: the bulk-download zip layout, or NDJSON; reproducible bytes.

The zip holds one pretty-printed JSON file per study named by its NCT id, at the root of the
archive, as ClinicalTrials.gov's bulk download (``ctg-studies.json.zip``) does; ``layout="legacy"``
nests them in ``NCT0123xxxx/`` folders as the retired ``AllAPIJSON.zip`` did. Members have a fixed
timestamp, so the same seed, size and parameters give the same bytes. Studies are made in worker
processes and written as they come back, in order, so memory stays flat at any size.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson

from kg.synth.generate import Generator, nct_id

__all__ = ["Layout", "iter_documents", "member_name", "write_ndjson", "write_zip"]

_CHUNK = 100  # studies per task
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)

_worker: Generator | None = None


class Layout(StrEnum):
    """Where each study goes in the zip."""

    FLAT = "flat"
    LEGACY = "legacy"


def member_name(nct: str, layout: Layout = Layout.FLAT) -> str:
    """Return the zip member name of a study.

    >>> member_name("NCT90001234"), member_name("NCT90001234", Layout.LEGACY)
    ('NCT90001234.json', 'NCT9000xxxx/NCT90001234.json')
    """
    if layout == Layout.LEGACY:
        return f"{nct[:7]}xxxx/{nct}.json"
    return f"{nct}.json"


def _init(params: dict[str, Any], seed: int) -> None:
    global _worker  # one generator per worker process, built once
    _worker = Generator(params, seed)


def _chunk(start: int, n: int, indent: bool) -> list[bytes]:
    if _worker is None:
        raise RuntimeError("_init was not called in this process")
    option = orjson.OPT_INDENT_2 if indent else 0
    return [orjson.dumps(_worker.study(i), option=option) for i in range(start, start + n)]


def iter_documents(
    params: dict[str, Any], n: int, *, seed: int = 0, jobs: int = 1, indent: bool = True
) -> Iterator[bytes]:
    """Yield the JSON text of studies 0 to ``n - 1`` in order, made by ``jobs`` processes."""
    if jobs <= 1:
        _init(params, seed)
        for start in range(0, n, _CHUNK):
            yield from _chunk(start, min(_CHUNK, n - start), indent)
        return
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(params, seed)) as pool:
        window: list[Future[list[bytes]]] = []
        for start in range(0, n, _CHUNK):
            window.append(pool.submit(_chunk, start, min(_CHUNK, n - start), indent))
            while len(window) > 3 * jobs:  # bounded: memory stays flat
                yield from window.pop(0).result()
        while window:
            yield from window.pop(0).result()


def write_zip(
    path: Path,
    params: dict[str, Any],
    n: int,
    *,
    seed: int = 0,
    layout: Layout = Layout.FLAT,
    jobs: int = 1,
    on_study: Callable[[int], None] | None = None,
) -> Path:
    """Write ``n`` studies as a bulk-download zip, atomically; return the path."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for i, doc in enumerate(iter_documents(params, n, seed=seed, jobs=jobs)):
                info = zipfile.ZipInfo(member_name(nct_id(i), layout), date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, doc)
                if on_study is not None:
                    on_study(i + 1)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def write_ndjson(
    path: Path,
    params: dict[str, Any],
    n: int,
    *,
    seed: int = 0,
    jobs: int = 1,
    on_study: Callable[[int], None] | None = None,
) -> Path:
    """Write ``n`` studies as NDJSON (one study per line, as ``kg fetch`` writes), atomically."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with part.open("wb") as out:
            for i, doc in enumerate(iter_documents(params, n, seed=seed, jobs=jobs, indent=False)):
                out.write(doc + b"\n")
                if on_study is not None:
                    on_study(i + 1)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path
