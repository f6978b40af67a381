"""``kg query``: run a named or given SPARQL query against the store, a file or an endpoint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer

from kg.cli._app import StoreOption, app, note
from kg.errors import UsageError
from kg.indexed import choose, endpoint_ask, endpoint_lookup, store_ask, store_lookup
from kg.queries import (
    Bindings,
    NamedQuery,
    OutputFormat,
    ResultTable,
    bind_params,
    format_results,
    list_queries,
    load_data,
    load_query,
    run_query,
)
from kg.query_output import Page, page_note, read_page, stream_answer
from kg.query_params import TRIAL_EXISTS, check_params, trial_ids
from kg.remote import (
    ENV_PASSWORD,
    ENV_TIMEOUT,
    ENV_TOKEN,
    ENV_USER,
    Endpoint,
    pages_by_rank,
    query_endpoint,
)
from kg.sinks import default_store_path, open_store

__all__ = ["query_command"]


def _parse_params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param takes name=value, got {pair!r}")
        out[name.strip()] = value
    return out


def _describe(query: NamedQuery) -> str:
    params = " ".join(
        f"--param {p.name}=<{p.type}>" if p.default is None else f"[--param {p.name}={p.default}]"
        for p in query.params
    )
    return f"{query.name}\t{query.summary}" + (f"\t{params}" if params else "")


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
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            help=(
                f"Query a SPARQL 1.1 endpoint URL instead of the store; credentials from "
                f"{ENV_TOKEN}, or {ENV_USER} and {ENV_PASSWORD}."
            ),
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", help=f"Seconds to wait for the endpoint (default ${ENV_TIMEOUT} or 60)."
        ),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            help="Give N rows of the answer only; stderr then says how many there are in all.",
            show_default=False,
        ),
    ] = None,
    offset: Annotated[
        int,
        typer.Option("--offset", metavar="M", help="With --limit: skip M rows first."),
    ] = 0,
) -> None:
    """Run a named SPARQL query (see --list), a .rq file, or - on the store, a file or an endpoint.

    Example: kg query trial-sponsors --param nct=NCT03737461 --format csv
    """
    if list_:
        for q in list_queries():
            typer.echo(_describe(q))
        return
    if query is None:
        raise UsageError("name a query (kg query --list shows them), a .rq file, or -")
    if sum(x is not None for x in (store, data, endpoint)) > 1:
        raise UsageError("give one of --store, --data and --endpoint")
    if timeout is not None and endpoint is None:
        raise UsageError("--timeout applies to --endpoint only")
    if offset and limit is None:
        raise UsageError("--offset goes with --limit (kg query ... --limit 100 --offset 200)")
    page = Page(limit, offset) if limit is not None else None
    named = load_query(query, stdin=sys.stdin)
    values = check_params(named, _parse_params(param or []))
    bindings = bind_params(named, values)
    oxstore: ox.Store | None = None
    by_rank = True
    if endpoint is not None:
        remote = Endpoint.from_env(endpoint, timeout=timeout)
        chosen = choose(named, bindings, endpoint_ask(remote), lookup=endpoint_lookup(remote))
        by_rank = page is not None and pages_by_rank(remote)

        def run(q: NamedQuery, b: Bindings) -> ResultTable:
            return query_endpoint(remote, q, b, indexed=False)
    else:
        local = load_data(data) if data is not None else open_store(store or default_store_path())
        chosen = choose(named, bindings, store_ask(local), lookup=store_lookup(local))
        oxstore = local

        def run(q: NamedQuery, b: Bindings) -> ResultTable:
            return run_query(local, q, b, indexed=False)

    if page is not None:
        paged = read_page(chosen, bindings, page, run, oxstore, by_rank=by_rank)
        sys.stdout.write(format_results(paged.table, fmt))
        message = page_note(paged, named.name)
        if message:
            typer.echo(message, err=True)  # never quiet: the answer is cut
        if paged.total:
            return
        has_rows = False
    else:
        streamed = None if oxstore is None else stream_answer(oxstore, chosen, bindings, fmt)
        if streamed is not None:
            sys.stdout.flush()
            sys.stdout.buffer.write(streamed[0])
            has_rows = streamed[1]
        else:
            table = run(chosen, bindings)
            sys.stdout.write(format_results(table, fmt))
            has_rows = bool(table.rows)
    if not has_rows:
        missing = [
            nct
            for nct in trial_ids(values)
            if not run(TRIAL_EXISTS, {ox.Variable("nct"): ox.Literal(nct)}).rows
        ]
        where = endpoint or (str(data) if data is not None else "the store")
        note(
            f"kg: no trial {', '.join(missing)} in {where}"
            if missing
            else f"kg: no rows: {named.name} found nothing"
            + (" for these parameters" if values else "")
        )
