"""``kg export``, ``kg void`` and ``kg serve`` on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from publish_support import SEED_NCT
from typer.testing import CliRunner

from kg.cli import app, main

runner = CliRunner()


def _exit_code(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """Run ``kg ARGS`` as the console script does (errors become one line and an exit code)."""
    monkeypatch.setattr(sys, "argv", ["kg", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    return int(caught.value.code or 0)


def test_export_writes_the_file_and_its_checksum(publish_store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "trials.trig.gz"
    result = runner.invoke(app, ["export", "--store", str(publish_store_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and (tmp_path / "trials.trig.gz.sha256").is_file()


def test_export_without_output_writes_turtle_to_stdout(publish_store_path: Path) -> None:
    result = runner.invoke(app, ["export", "--store", str(publish_store_path), "--trial", SEED_NCT])
    assert result.exit_code == 0
    assert len(list(ox.parse(result.stdout_bytes, ox.RdfFormat.TURTLE))) > 300


def test_export_schemaorg_of_one_trial(publish_store_path: Path) -> None:
    result = runner.invoke(
        app,
        ["export", "--store", str(publish_store_path), "--trial", SEED_NCT, "-f", "schemaorg"],
    )
    assert json.loads(result.stdout)["@type"] == "MedicalTrial"


def test_export_schemaorg_without_a_trial_exits_2(
    publish_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _exit_code(monkeypatch, "export", "--store", str(publish_store_path), "-f", "schemaorg")
    assert code == 2


def test_export_to_an_unknown_extension_exits_2(
    publish_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "trials.xlsx"
    code = _exit_code(monkeypatch, "export", "--store", str(publish_store_path), "-o", str(out))
    assert (code, out.exists()) == (2, False)


def test_export_from_a_missing_store_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _exit_code(monkeypatch, "export", "--store", str(tmp_path / "none")) == 2


def test_void_lists_a_dump_given_on_the_command_line(
    publish_store_path: Path, dumps_dir: Path
) -> None:
    dump = dumps_dir / "trials.nq.gz"
    result = runner.invoke(
        app, ["void", "--store", str(publish_store_path), "--dump", str(dump), "-f", "ntriples"]
    )
    assert result.exit_code == 0, result.output
    assert "<https://w3id.org/trialkg/download/trials.nq.gz>" in result.stdout


def test_void_refuses_a_dataset_format(
    publish_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _exit_code(monkeypatch, "void", "--store", str(publish_store_path), "-f", "nquads")
    assert code == 2


def test_serve_has_help_with_an_example() -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Example: kg serve" in result.stdout
