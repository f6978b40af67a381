"""CI (``.ci/run``) ends with exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _readme_test_command() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^(bash \.ci/system-setup\.sh .*)$", text, flags=re.MULTILINE)
    assert len(commands) == 1, f"README.md has {len(commands)} test commands, not one"
    return commands[0]


def test_ci_ends_with_the_readme_test_command() -> None:
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert lines[-1] == _readme_test_command()

