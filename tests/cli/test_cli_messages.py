"""Messages a newcomer reads: one line, no noise, the right number, the file named once."""

from __future__ import annotations

import re
from pathlib import Path

from cli_support import SEED, kg


def test_one_trial_is_one_trial(tmp_path: Path) -> None:
    built = kg("build", SEED, "-o", tmp_path / "seed.nt")
    assert built.returncode == 0, built.stderr
    assert re.fullmatch(r"kg: 1 trial, \d+ triples -> .*seed\.nt\n", built.stderr)
    checked = kg("validate", tmp_path / "seed.nt")
    assert checked.returncode == 0, checked.stderr
    assert "1 trial checked: 0 violations (0 trials), " in checked.stdout
    assert "1 trials" not in checked.stdout + checked.stderr


def test_empty_stdin_is_no_input(tmp_path: Path) -> None:
    done = kg("build", "-", "-o", tmp_path / "x.nt", stdin="")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "kg: error: no input on stdin"
    assert "not a" not in done.stderr


def test_an_empty_file_is_called_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    done = kg("build", empty, "-o", tmp_path / "x.nt")
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == f"kg: error: {empty}: empty file"


def test_a_query_file_given_as_data_is_named_once_and_not_called_output(tmp_path: Path) -> None:
    query = tmp_path / "my-query.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o }\n")
    done = kg("query", query, "--data", query, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].count("my-query.rq") == 1
    assert "output" not in lines[0]
    assert lines[0].startswith(f"kg: error: {query}: not an RDF file name: use one of .nq ")


def test_usage_errors_carry_no_validation_noise(tmp_path: Path) -> None:
    for args in (["network", "people", "-o", tmp_path / "x.svg"],
                 ["query", "trial-sites", "-f", "xml"],
                 ["similar", "NCT03737461", "-k", "many"]):
        done = kg(*args)
        assert done.returncode == 2, args
        assert len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith("kg: error: Invalid value for ")
        assert "Value error" not in done.stderr
        assert "Traceback" not in done.stderr
