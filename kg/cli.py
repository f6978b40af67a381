"""The ``kg`` command line: thin commands over the library; data to stdout, messages to stderr.

Exit codes (DESIGN.md): 0 ok, 1 the data is invalid, 2 bad usage or unreadable input.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from kg import __version__
from kg.build import BuildReport, build
from kg.errors import InputError, KgError, UsageError
from kg.ontology import load_ontology
from kg.queries import OutputFormat, bind_params, format_results, list_queries, load_query, run_query
from kg.sinks import FileSink, StoreSink, default_store_path, open_store
from kg.terms import DEFAULT_BASE

__all__ = ["app", "main"]

app = typer.Typer(
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
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Build, query and check a knowledge graph of clinical trials."""
    _state["debug"] = debug
    _state["quiet"] = quiet
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, stream=sys.stderr)


def _note(message: str) -> None:
    if not _state["quiet"]:
        err.print(message)


@app.command("build")
def build_command(
    inputs: Annotated[
        list[str], typer.Argument(help="Files, folders, zips, or - for stdin.", show_default=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write a file (.ttl .nt .nq .trig .jsonld .rdf, .gz allowed)."
        ),
    ] = None,
    store: StoreOption = None,
    base: Annotated[str, typer.Option("--base", help="Base IRI of the data.")] = DEFAULT_BASE,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first bad record; write nothing.")
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")
    ] = 0,
) -> None:
    """Read trial records and build the graph into the store, or into a file with -o.

    Example: kg build data/000_9a170ffc83e8bfff.txt ../shared/data/ctgov/
    """
    if output is not None and store is not None:
        raise UsageError("give either --output or --store, not both")
    if output is not None:
        sink: FileSink | StoreSink = FileSink(output, base)
        target = str(output)
    else:
        path = store or default_store_path()
        sink = StoreSink(path)
        target = str(path)
    workers = jobs or os.cpu_count() or 1
    if len(inputs) == 1 and Path(inputs[0]).is_file():
        workers = 1  # one file: a process pool would only add start-up time

    def on_error(error: InputError) -> None:
        err.print(f"kg: error: {error}", markup=False)

    with _progress() as progress:
        task = progress.add_task("build", total=None, errors=0) if progress else None

        def on_record(report: BuildReport) -> None:
            if progress is not None and task is not None:
                progress.update(
                    task, completed=report.records + len(report.errors), errors=len(report.errors)
                )

        report = build(
            inputs, sink, base=base, jobs=workers, strict=strict,
            on_record=on_record, on_error=on_error,
        )
    _note(
        f"kg: {report.records} records, {report.triples} triples -> {target}"
        + (f"; {len(report.errors)} skipped" if report.errors else "")
    )
    if report.errors:
        raise typer.Exit(2)


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _progress() -> Progress | _NoProgress:
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


def _parse_params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param takes name=value, got {pair!r}")
        out[name.strip()] = value
    return out


@app.command("query")
def query_command(
    query: Annotated[
        str | None,
        typer.Argument(help="A named query, a .rq file, or - for stdin.", show_default=False),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="name=value, bound as an RDF term (repeatable)."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    store: StoreOption = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Query an RDF file instead of the store.")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
) -> None:
    """Run a named SPARQL query (see --list), a .rq file, or - against the store or a file.

    Example: kg query trial-sponsors --param nct=NCT03737461 --format csv
    """
    if list_:
        for q in list_queries():
            params = " ".join(f"--param {p.name}=<{p.type}>" for p in q.params)
            typer.echo(f"{q.name}\t{q.summary}" + (f"\t{params}" if params else ""))
        return
    if query is None:
        raise UsageError("name a query (kg query --list shows them), a .rq file, or -")
    named = load_query(query, stdin=sys.stdin)  # type: ignore[arg-type]
    bindings = bind_params(named, _parse_params(param or []))
    if data is not None:
        oxstore = _load_data(data)
    else:
        oxstore = open_store(store or default_store_path())
    table = run_query(oxstore, named, bindings)
    sys.stdout.write(format_results(table, fmt))


def _load_data(path: Path) -> object:
    import pyoxigraph as ox

    from kg.sinks.file import file_format

    if not path.is_file():
        raise InputError("no such file", file=str(path))
    fmt, gz = file_format(path)
    store = ox.Store()
    load_ontology(store)
    try:
        if gz:
            import gzip

            with gzip.open(path, "rb") as fh:
                store.load(fh, fmt)
        else:
            store.load(path=str(path), format=fmt)
    except SyntaxError as exc:
        raise InputError(f"not valid RDF: {exc}", file=str(path)) from exc
    return store


def main() -> None:
    """Run the command line; one line on stderr and an exit code for every known failure."""
    try:
        code = app(standalone_mode=False)
    except KgError as exc:
        if _state["debug"]:
            raise
        err.print(f"kg: error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err.print("kg: interrupted", markup=False)
        sys.exit(130)
    except click.ClickException as exc:
        err.print(f"kg: error: {exc.format_message()}", markup=False)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
