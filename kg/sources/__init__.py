"""Source readers: the registry of formats, content sniffing, and walking inputs.

Each reader takes an open binary stream and its display name and yields :class:`kg.model.Trial`
records, or :class:`kg.errors.InputError` objects for records it could not read, so one bad record
never stops the rest. The reader is chosen by content, never by file extension.
"""

from __future__ import annotations

import functools
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError
from kg.model import Trial

__all__ = ["FORMATS", "InputFile", "iter_input_files", "read_records", "sniff"]

Reader = Callable[[BinaryIO, str], Iterator[Trial | InputError]]


def _json_reader() -> Reader:
    from kg.sources.ctgov_json import iter_studies

    return iter_studies


def _xml_reader() -> Reader:
    from kg.sources.ctgov_xml import iter_xml_studies

    return iter_xml_studies


def _page_reader() -> Reader:
    from kg.sources.web_page import iter_web_pages

    return iter_web_pages


FORMATS: dict[str, Callable[[], Reader]] = {
    "ctgov-json": _json_reader,
    "ctgov-xml": _xml_reader,
    "web-page": _page_reader,
}
"""Format name -> loader of its reader (imported on first use)."""

_SNIFF_BYTES = 4096


def sniff(head: bytes) -> str | None:
    r"""Return the format of a source from its first bytes, or None when no reader knows it.

    >>> sniff(b'  {"protocolSection": {}}'), sniff(b"<?xml version='1.0'?><clinical_study>")
    ('ctgov-json', 'ctgov-xml')
    >>> sniff(b"Some title\nNCT ID: NCT03737461\n")
    'web-page'
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "ctgov-json"
    if text[:1] == b"<":
        return "ctgov-xml" if b"<clinical_study" in head else None
    if b"\nNCT ID:" in head or text.startswith(b"NCT ID:"):
        return "web-page"
    return None


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input document: a file, a member of a zip, or stdin (``path == "-"``); picklable."""

    path: str
    member: str | None = None
    label: str | None = None
    """The name in messages when it is not the path (a spooled copy of stdin is ``<stdin>``)."""

    @property
    def name(self) -> str:
        """The name used in messages: the path, ``archive.zip:member`` or ``<stdin>``."""
        if self.label:
            return self.label
        if self.path == "-":
            return "<stdin>"
        return f"{self.path}:{self.member}" if self.member else self.path

    def open(self) -> BinaryIO:
        """Open the document for binary reading."""
        if self.path == "-":
            return sys.stdin.buffer
        if self.member is None:
            return open(self.path, "rb")
        return _archive(self.path).open(self.member)  # type: ignore[return-value]


@functools.lru_cache(maxsize=4)
def _archive(path: str) -> zipfile.ZipFile:
    # Reading a bulk zip's central directory (560,000 entries) costs seconds: once per process.
    return zipfile.ZipFile(path)


def _zip_members(path: Path) -> Iterator[InputFile]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(i.filename for i in archive.infolist() if not i.is_dir())
    for member in names:
        yield InputFile(str(path), member)


def iter_input_files(inputs: Iterable[str]) -> Iterator[InputFile]:
    """Expand INPUT arguments (files, folders, zips, ``-``) into documents, in a stable order.

    Raises:
        InputError: an input that does not exist.
    """
    for arg in inputs:
        if arg == "-":
            yield InputFile("-")
            continue
        path = Path(arg)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith(".") or child.suffix.lower() in (".md", ".txt~"):
                    continue
                if zipfile.is_zipfile(child):
                    yield from _zip_members(child)
                else:
                    yield InputFile(str(child))
        elif path.is_file():
            if zipfile.is_zipfile(path):
                yield from _zip_members(path)
            else:
                yield InputFile(str(path))
        else:
            raise InputError("no such file or folder", file=arg)


def read_records(doc: InputFile) -> Iterator[Trial | InputError]:
    """Read one document with the reader its content calls for."""
    try:
        stream = doc.open()
    except OSError as exc:
        yield InputError(f"cannot open: {exc.strerror or exc}", file=doc.name)
        return
    try:
        fmt = sniff(_head(stream))
        if fmt is None:
            yield InputError(
                "not a ClinicalTrials.gov JSON or XML record nor a trial web page", file=doc.name
            )
            return
        yield from FORMATS[fmt]()(stream, doc.name)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _head(stream: BinaryIO) -> bytes:
    """Return the first bytes of a stream without consuming them."""
    if stream.seekable():
        head = stream.read(_SNIFF_BYTES)
        stream.seek(0)
        return head
    peek = getattr(stream, "peek", None)  # stdin is a BufferedReader: it can peek a buffer's worth
    if peek is None:
        raise InputError("cannot sniff an unbuffered, unseekable stream")
    return bytes(peek(_SNIFF_BYTES))[:_SNIFF_BYTES]
