"""Every command has help and an example, the README names every command, help reads as prose.

Like sqlite-utils' ``tests/test_docs.py``: a command added without help, an example or a README
mention fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
import typer.main
from cli_support import REPO, kg

from kg.cli import app


def _commands() -> Iterator[tuple[str, click.Command]]:
    """Every command and group below the root, as ``"synth generate"`` paths."""
    root = typer.main.get_command(app)
    stack: list[tuple[str, click.Command]] = [("", root)]
    while stack:
        path, command = stack.pop()
        if path:
            yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            stack.append((f"{path} {name}".strip(), sub))


COMMANDS = sorted(_commands(), key=lambda pc: pc[0])
LEAVES = [(p, c) for p, c in COMMANDS if not getattr(c, "commands", None)]
README = (REPO / "README.md").read_text("utf-8")


def _help(path: str) -> str:
    done = kg(*path.split(), "--help")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help(path: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), path


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[p for p, _ in LEAVES])
def test_every_command_has_an_example_of_itself(path: str, command: click.Command) -> None:
    examples = re.findall(r"^\s*Example: (.*)$", command.help or "", re.MULTILINE)
    assert examples, f"kg {path}: no 'Example:' line in its help"
    for example in examples:
        assert example.startswith(f"kg {path}") or f"kg {path} " in example, (path, example)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_the_readme_names_every_command(path: str) -> None:
    assert re.search(rf"\bkg {re.escape(path)}\b", README), f"README.md never shows `kg {path}`"


def test_the_readme_names_no_file_the_repository_lacks() -> None:
    for name in set(re.findall(r"((?:[\w.-]+/)*[A-Z][A-Z-]+\.md)\b", README)):
        if (REPO / name).is_file() or list(REPO.glob(f"*/{name}")):
            continue
        around = [line for line in README.splitlines() if name in line]
        # Files of ../shared are not in the repository: the README must say where they are.
        assert all("../shared/docs" in line for line in around), (name, around)


# Python type names as Typer prints them: <str>, <int range>, <list[str]>, <path>, FILE <str>.
_TYPE_NAME = re.compile(r"<(?:str|int|float|bool|path|file|list\[|int range|float range)[^>]*>")


@pytest.mark.parametrize("path", ["", *(p for p, _ in COMMANDS)])
def test_help_shows_no_type_names_and_keeps_examples_on_their_lines(path: str) -> None:
    text = _help(path)
    assert not _TYPE_NAME.search(text), (path, _TYPE_NAME.findall(text))
    for line in text.splitlines():
        assert line.count("Example:") <= 1, (path, line)
        if "Example:" in line:
            assert line.strip().startswith("Example:"), (path, line)


def test_the_command_list_shows_whole_summaries() -> None:
    text = _help("")
    listing = text.split("Commands:", 1)[1]
    assert "..." not in listing
    joined = " ".join(listing.split())
    for path, command in COMMANDS:
        if " " in path:
            continue
        first = " ".join((command.help or "").split("\n\n")[0].split())
        sentence = first.split(". ")[0].rstrip(".")
        assert sentence in joined, (path, sentence)
