"""The ``kg`` application: shared options, stderr console, progress, and the error handler.

Exit codes (DESIGN.md): 0 ok, 1 the data is invalid, 2 bad usage or unreadable input.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from kg import __version__
from kg.cli._help import KgGroup, clean_message, normalize_token
from kg.errors import KgError
from kg.logs import Repeats

__all__ = ["StoreOption", "app", "err", "is_quiet", "main", "note", "progress"]

app = typer.Typer(
    cls=KgGroup,
    context_settings={"token_normalize_func": normalize_token},
    name="kg",
    help="Build, query and check a knowledge graph of clinical trials (schema.org RDF).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
_state = {"debug": False, "quiet": False}

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Embedded store folder (default: $KG_STORE, else ~/.local/share/kg/store).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show tracebacks and debug logs (also after the command)."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="No progress, notes or request log (also after the command)."
        ),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Build, query and check a knowledge graph of clinical trials."""
    _state["debug"] = debug
    _state["quiet"] = quiet
    # One line per message, as kg's own errors read ("kg: warning: ..."); --debug names the logger.
    shape = "kg: %(levelname)s: " + ("%(name)s: %(message)s" if debug else "%(message)s")
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING, stream=sys.stderr, format=shape
    )
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL):
        logging.addLevelName(level, logging.getLevelName(level).lower())
    if not debug:  # a warning of one kind a thousand times: the first few, then how many more
        repeats = Repeats()
        for handler in logging.getLogger().handlers:
            handler.addFilter(repeats)
        ctx.call_on_close(lambda: _summary(repeats))


def _summary(repeats: Repeats) -> None:
    for handler in logging.getLogger().handlers:
        handler.removeFilter(repeats)
    for line in repeats.summary():
        logging.getLogger("kg").warning("%s", line)


def is_quiet() -> bool:
    """Tell whether --quiet was given (before or after the command name)."""
    return _state["quiet"]


def note(message: str) -> None:
    if not _state["quiet"]:
        err.print(message)


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def progress() -> Progress | _NoProgress:
    if _state["quiet"] or not err.is_terminal:
        return _NoProgress()
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} records"),
        _Rate(),
        TextColumn("errors: {task.fields[errors]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} rec/s")


def _classes(name: str, *roots: type[BaseException]) -> tuple[type[BaseException], ...]:
    # Typer ships its own copy of click: catch click's class and typer's copy alike.
    return tuple({c for root in roots for c in root.__mro__ if c.__name__ == name})


_USAGE = _classes("ClickException", click.BadParameter, typer.BadParameter)
_ABORT = _classes("Abort", click.Abort, typer.Abort)
_EXIT = _classes("Exit", click.exceptions.Exit, typer.Exit)


def main() -> None:
    """Run the command line; one line on stderr and an exit code for every known failure."""
    try:
        code = app(standalone_mode=False)
    except KgError as exc:
        if _state["debug"]:
            raise
        err.print(f"kg: error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except _ABORT:
        err.print("kg: interrupted", markup=False)
        sys.exit(130)
    except _USAGE as exc:
        message = clean_message(exc.format_message())  # type: ignore[attr-defined]
        err.print(f"kg: error: {message}", markup=False)
        sys.exit(2)
    except _EXIT as exc:
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    except KeyboardInterrupt:
        err.print("kg: interrupted", markup=False)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
