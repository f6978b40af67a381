"""``kg push``: send the store or a build file to a remote SPARQL 1.1 store, one graph per trial."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli._app import StoreOption, app, note
from kg.errors import UsageError
from kg.remote import ENV_TIMEOUT
from kg.sinks import default_store_path
from kg.sinks.remote import PushReport, journal_path, push
from kg.wording import counted

__all__ = ["push_command"]


@app.command("push")
def push_command(
    source: Annotated[
        Path | None,
        typer.Argument(
            help="A build file with named graphs (.nq, .trig, .gz allowed); default: the store.",
            show_default=False,
        ),
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            "--store-url",
            help="Graph Store Protocol URL (Oxigraph: .../store; Virtuoso: "
            ".../sparql-graph-crud-auth).",
        ),
    ] = None,
    update_url: Annotated[
        str | None,
        typer.Option(
            "--update-url",
            help="SPARQL Update URL (Oxigraph: .../update; Virtuoso: .../sparql-auth).",
        ),
    ] = None,
    query_url: Annotated[
        str | None,
        typer.Option(
            "--query-url",
            help="SPARQL query URL to count what the server holds after each batch (default: "
            "found beside the store or update URL: Oxigraph /query, Virtuoso /sparql, Fuseki "
            "/ds/query).",
        ),
    ] = None,
    store: StoreOption = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace each pushed trial's graph on the server, dropping stale triples, also "
            "for graphs this machine's journal does not know.",
        ),
    ] = False,
    default_graph: Annotated[
        bool,
        typer.Option(
            "--default-graph",
            help="Also write the triples to the default graph (stores without a union default "
            "graph).",
        ),
    ] = False,
    batch: Annotated[
        int,
        typer.Option(
            "--batch", min=1,
            help="Graphs per batch (at most ~8 MB): one dataset POST where the server takes it, "
            "then one count query.",
        ),
    ] = 64,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="The journal of what was sent (default: beside the source, "
            "<source>.push-journal.jsonl). Delete it to send everything again.",
        ),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries of a failed request, with backoff.")
    ] = 5,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", help=f"Seconds to wait per request (default ${ENV_TIMEOUT} or 60)."
        ),
    ] = None,
) -> None:
    """Push the store (or a build file) to a SPARQL 1.1 store, one named graph per trial.

    Verified: after each batch kg counts the triples each graph holds on the server; only graphs
    held as sent go in the journal, so a rerun after a failure sends every graph not verified,
    and a graph the server does not hold as sent fails the push, named. Credentials come from the
    environment: KG_ENDPOINT_TOKEN (Bearer), or KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD (Digest
    or Basic, as the server asks; KG_ENDPOINT_AUTH=basic|digest forces one).

    Example: kg push --store-url http://localhost:7878/store

    Example: KG_ENDPOINT_USER=kgpush KG_ENDPOINT_PASSWORD=... kg push --update-url
    http://localhost:8890/sparql-auth
    """
    if source is not None and store is not None:
        raise UsageError("give a file or --store, not both")
    path = source or store or default_store_path()
    report: PushReport = push(
        path,
        store_url=store_url,
        update_url=update_url,
        query_url=query_url,
        replace=replace,
        default_graph=default_graph,
        batch=batch,
        journal=journal,
        retries=retries,
        timeout=timeout,
    )
    where = store_url or update_url
    note(
        f"kg: pushed and verified {counted(report.sent, 'graph')} "
        f"({counted(report.triples, 'triple')}) to {where} in "
        f"{counted(report.requests, 'request')}; {report.skipped} unchanged, "
        f"{report.replaced} replaced"
        + (f", {report.retries} retried" if report.retries else "")
        + ("; one graph per request (the server takes no dataset POST)" if report.per_graph else "")
        + f"; journal {journal or journal_path(path)}"
    )
