"""Source readers: the registry of formats, content sniffing, and walking inputs.

Each reader takes an open binary stream and its display name and yields :class:`kg.model.Trial`
records, or :class:`kg.errors.InputError` objects for records it could not read, so one bad record
never stops the rest. The reader is chosen by content, never by file extension.
"""

from __future__ import annotations

import functools
import io
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError
from kg.model import Trial

__all__ = ["FORMATS", "InputFile", "ZipEntry", "iter_input_files", "read_records", "sniff"]

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
class ZipEntry:
    """Where a zip member's bytes are, from the archive's central directory.

    With it a worker process reads the member directly (seek, read, inflate, check the CRC), and
    never loads the central directory itself: ~0.6 KB per member and process otherwise (57 MB for
    100,000 members).
    """

    offset: int
    method: int
    compressed: int
    size: int
    crc: int
    flags: int


# Members read straight from their offset: stored or deflated, not encrypted, not too big to read
# at once (anything else goes through zipfile).
_DIRECT_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_DIRECT_MAX = 64 * 1024 * 1024  # uncompressed bytes: a member read this way is held whole
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name length, extra field length


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input document: a file, a member of a zip, or stdin (``path == "-"``); picklable."""

    path: str
    member: str | None = None
    label: str | None = None
    """The name in messages when it is not the path (a spooled copy of stdin is ``<stdin>``)."""
    entry: ZipEntry | None = None
    """A zip member's location, when the archive was listed (see :class:`ZipEntry`)."""

    @property
    def name(self) -> str:
        """The name used in messages: the path, ``archive.zip:member`` or ``<stdin>``."""
        if self.label:
            return self.label
        if self.path == "-":
            return "<stdin>"
        return f"{self.path}:{self.member}" if self.member else self.path

    def open(self) -> BinaryIO:
        """Open the document for binary reading.

        Raises:
            OSError: it cannot be read (a damaged zip member included).
        """
        if self.path == "-":
            return sys.stdin.buffer
        if self.member is None:
            return open(self.path, "rb")
        entry = self.entry
        if (
            entry is not None
            and entry.method in _DIRECT_METHODS
            and not entry.flags & 0x1  # encrypted
            and entry.size <= _DIRECT_MAX
        ):
            return io.BytesIO(_read_member(self.path, entry))
        return _archive(self.path).open(self.member)  # type: ignore[return-value]


def _read_member(path: str, entry: ZipEntry) -> bytes:
    """Read one stored or deflated zip member at its offset and check its CRC."""
    with open(path, "rb") as fh:
        fh.seek(entry.offset)
        header = fh.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise OSError("damaged zip: truncated member header")
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != b"PK\x03\x04":
            raise OSError("damaged zip: no member header at the listed offset")
        fh.seek(name_length + extra_length, io.SEEK_CUR)
        raw = fh.read(entry.compressed)
    if len(raw) != entry.compressed:
        raise OSError("damaged zip: truncated member")
    try:
        data = raw if entry.method == zipfile.ZIP_STORED else zlib.decompress(raw, -zlib.MAX_WBITS)
    except zlib.error as exc:
        raise OSError(f"damaged zip member: {exc}") from exc
    if len(data) != entry.size or zlib.crc32(data) != entry.crc:
        raise OSError("damaged zip member: its size or CRC does not match the archive's")
    return data


@functools.lru_cache(maxsize=4)
def _archive(path: str) -> zipfile.ZipFile:
    # Reading a bulk zip's central directory (560,000 entries) costs seconds: once per process.
    return zipfile.ZipFile(path)


def _zip_members(path: Path) -> Iterator[InputFile]:
    with zipfile.ZipFile(path) as archive:
        infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
        members = [
            (i.filename, ZipEntry(i.header_offset, i.compress_type, i.compress_size, i.file_size,
                                  i.CRC, i.flag_bits))
            for i in infos
        ]  # fmt: skip
        del infos
    for member, entry in members:
        yield InputFile(str(path), member, entry=entry)


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
        head = _head(stream)
        fmt = sniff(head)
        if fmt is None:
            stdin = doc.name == "<stdin>"
            yield InputError(_not_a_record(doc, head), file=None if stdin else doc.name)
            return
        yield from FORMATS[fmt]()(stream, doc.name)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


_RDF_SUFFIXES = (".nq", ".nt", ".ttl", ".trig", ".jsonld", ".rdf")


def _not_a_record(doc: InputFile, head: bytes) -> str:
    """Say why a document is no record, and what to do when it is RDF or nothing at all."""
    if not head.strip():
        return "no input on stdin" if doc.name == "<stdin>" else "empty file"
    name = doc.name.lower().removesuffix(".gz")
    if name.endswith(_RDF_SUFFIXES):
        return "an RDF file, not a trial record: load it into the store with `kg load`"
    return "not a ClinicalTrials.gov JSON or XML record nor a trial web page"


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
