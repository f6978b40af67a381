"""Zip members are read at their listed offset (no central directory per worker), checked by CRC."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import InputFile, iter_input_files, read_records

BODY = b'{"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}}}' * 40


def make_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("b/deflated.json", BODY, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("a/stored.json", BODY[:500], compress_type=zipfile.ZIP_STORED)
        archive.writestr("c/bzip2.json", BODY[:300], compress_type=zipfile.ZIP_BZIP2)
        archive.writestr("d/empty.json", b"", compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_every_member_reads_as_zipfile_reads_it(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "r.zip")
    docs = list(iter_input_files([str(path)]))
    assert [d.member for d in docs] == [
        "a/stored.json", "b/deflated.json", "c/bzip2.json", "d/empty.json"
    ]
    assert all(d.entry is not None for d in docs)
    with zipfile.ZipFile(path) as archive:
        for doc in docs:
            assert doc.member is not None
            with doc.open() as stream:
                assert stream.read() == archive.read(doc.member)


def test_a_damaged_member_is_one_error_naming_it(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "r.zip")
    (doc,) = [d for d in iter_input_files([str(path)]) if d.member == "b/deflated.json"]
    assert doc.entry is not None
    data = bytearray(path.read_bytes())
    start = doc.entry.offset + 30 + len("b/deflated.json")  # the member's compressed bytes
    data[start + 5] ^= 0xFF
    path.write_bytes(bytes(data))
    (error,) = list(read_records(doc))
    assert isinstance(error, InputError)
    assert str(error).startswith(f"{path}:b/deflated.json: cannot open: damaged zip member")


def test_a_wrong_offset_is_an_error_not_garbage(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "r.zip")
    (doc,) = [d for d in iter_input_files([str(path)]) if d.member == "b/deflated.json"]
    assert doc.entry is not None
    moved = InputFile(doc.path, doc.member, entry=type(doc.entry)(
        doc.entry.offset + 1, doc.entry.method, doc.entry.compressed, doc.entry.size,
        doc.entry.crc, doc.entry.flags,
    ))  # fmt: skip
    with pytest.raises(OSError, match="no member header"):
        moved.open()


def test_a_member_without_its_entry_still_opens(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "r.zip")
    with InputFile(str(path), "b/deflated.json").open() as stream:
        assert stream.read() == BODY


def test_a_big_member_streams_through_zipfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.sources as sources

    path = make_zip(tmp_path / "r.zip")
    (doc,) = [d for d in iter_input_files([str(path)]) if d.member == "b/deflated.json"]
    monkeypatch.setattr(sources, "_DIRECT_MAX", len(BODY) - 1)  # not held whole in memory
    with doc.open() as stream:
        assert isinstance(stream, zipfile.ZipExtFile)
        assert stream.read() == BODY
