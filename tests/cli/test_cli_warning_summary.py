"""Warnings of one kind repeated across a build: the first few, then one line with how many more.

Records are written here (the API fixture with an official whose suffix is neither a degree nor a
title); the build runs as a user runs it, with worker processes (``-j 2``) and without.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import pytest

from kg.logs import SHOWN, Repeats, captured, replay
from tests.cli.cli_support import REPO, kg

FIXTURE = REPO / "tests" / "fixtures" / "ctgov_api" / "NCT99999901.json"
UNREAD = "neither degree nor title"


def _records(folder: Path, count: int) -> Path:
    study = json.loads(FIXTURE.read_text("utf-8"))
    folder.mkdir()
    for n in range(count):
        record = copy.deepcopy(study)
        nct = f"NCT9999{n:04d}"
        record["protocolSection"]["identificationModule"]["nctId"] = nct
        record["protocolSection"]["contactsLocationsModule"] = {
            "overallOfficials": [
                {"name": f"Ann Example{n}, MD, Internal Medicine", "role": "PRINCIPAL_INVESTIGATOR"}
            ]
        }
        (folder / f"{nct}.json").write_text(json.dumps(record), "utf-8")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_repeated_warnings_are_summed_up(tmp_path: Path, jobs: str) -> None:
    records = _records(tmp_path / "in", SHOWN + 7)
    done = kg("build", records, "-o", tmp_path / "out.nq", "-j", jobs, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    shown = [line for line in lines if UNREAD in line and "more warning" not in line]
    assert len(shown) == SHOWN
    assert all(line.startswith("kg: warning: NCT9999") for line in shown)
    summary = [line for line in lines if "more warning" in line]
    assert summary == [
        f"kg: warning: 7 more warnings of this kind not shown ({SHOWN + 7} in all; --debug shows "
        f"each): ...: ... of official ... read as {UNREAD}: kept as text"
    ]
    # Every record is still built: the warnings only report what was kept as text.
    assert (tmp_path / "out.nq").read_text("utf-8").count("Internal Medicine") >= SHOWN + 7


def test_debug_shows_every_warning(tmp_path: Path) -> None:
    records = _records(tmp_path / "in", SHOWN + 3)
    done = kg("--debug", "build", records, "-o", tmp_path / "out.nq", "-j", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sum(UNREAD in line for line in done.stderr.splitlines()) == SHOWN + 3
    assert "more warning" not in done.stderr


def test_worker_records_are_replayed_with_their_kind(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("kg.test.worker")
    with captured() as logs:
        for n in range(3):
            log.warning("record %s: %r kept as text", f"NCT{n}", "x")
        log.debug("not at this level")
    assert [m for _, _, _, m in logs] == [f"record NCT{n}: 'x' kept as text" for n in range(3)]
    repeats = Repeats(shown=2)
    caplog.handler.addFilter(repeats)
    try:
        with caplog.at_level(logging.WARNING, logger="kg.test.worker"):
            replay(logs)
    finally:
        caplog.handler.removeFilter(repeats)
    assert [r.getMessage() for r in caplog.records] == [
        "record NCT0: 'x' kept as text",
        "record NCT1: 'x' kept as text",
    ]
    assert repeats.summary() == [
        "1 more warning of this kind not shown (3 in all; --debug shows each): "
        "record ...: ... kept as text"
    ]


def test_errors_always_pass() -> None:
    repeats = Repeats(shown=0)
    record = logging.LogRecord("kg", logging.ERROR, "x", 0, "broken %s", ("a",), None)
    assert repeats.filter(record)
    assert repeats.summary() == []
