"""``kg query``: run a named or given SPARQL query against the store, a file or an endpoint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer

from kg.cli._app import StoreOption, app
from kg.errors import InputError, UsageError
from kg.ontology import load_ontology
from kg.queries import (
    OutputFormat,
    bind_params,
    format_results,
    list_queries,
    load_query,
    run_query,
)
from kg.sinks import default_store_path, open_store

__all__ = ["query_command"]


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
    named = load_query(query, stdin=sys.stdin)
    bindings = bind_params(named, _parse_params(param or []))
    if data is not None:
        oxstore = _load_data(data)
    else:
        oxstore = open_store(store or default_store_path())
    table = run_query(oxstore, named, bindings)
    sys.stdout.write(format_results(table, fmt))


def _load_data(path: Path) -> ox.Store:

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
                store.load(fh.read(), fmt)
        else:
            store.load(path=str(path), format=fmt)
    except SyntaxError as exc:
        raise InputError(f"not valid RDF: {exc}", file=str(path)) from exc
    return store


