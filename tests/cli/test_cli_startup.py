"""A command that does not validate does not load the validation engines (rdflib, pyshacl).

They took ~0.4 s of every `kg` process's start (the note of 2026-12-06), whatever the command.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.validate import Engine, OutputFormat


def _loaded(code: str) -> set[str]:
    probe = (f"{code}\nimport sys\n"
             "print('loaded:', *(m for m in ('rdflib', 'pyshacl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    last = done.stdout.splitlines()[-1].split()
    assert last[0] == "loaded:", done.stdout[-200:]
    return set(last[1:])


def test_the_command_line_loads_without_the_validation_engines() -> None:
    assert _loaded("import kg.cli") == set()


@pytest.mark.parametrize("args", [["--help"], ["query", "--list"]])
def test_a_command_that_does_not_validate_loads_neither(args: list[str]) -> None:
    code = (f"import sys\nsys.argv = ['kg', *{args!r}]\nfrom kg.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    assert _loaded(code) == set()


def test_validate_still_finds_its_engines() -> None:
    assert _loaded("import kg.validate\nkg.validate.validate_store") == {"rdflib", "pyshacl"}
    assert (Engine.FAST.value, OutputFormat.TTL.value) == ("fast", "ttl")
