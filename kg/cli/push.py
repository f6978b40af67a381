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
        typer.Option("--store-url", help="Graph Store Protocol URL (Oxigraph: .../store)."),
    ] = None,
    update_url: Annotated[
        str | None,
        typer.Option("--update-url", help="SPARQL Update URL (Oxigraph: .../update)."),
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
        int, typer.Option("--batch", min=1, help="Graphs per request (at most ~8 MB).")
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

    Resumable: what the server acknowledged is kept in a journal, so a rerun after a failure
    sends only what is missing or changed. Credentials come from the environment: KG_ENDPOINT_TOKEN,
    or KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD.

    Example: kg push --store-url http://localhost:7878/store
    """
    if source is not None and store is not None:
        raise UsageError("give a file or --store, not both")
    path = source or store or default_store_path()
    report: PushReport = push(
        path,
        store_url=store_url,
        update_url=update_url,
        replace=replace,
        default_graph=default_graph,
        batch=batch,
        journal=journal,
        retries=retries,
        timeout=timeout,
    )
    where = store_url or update_url
    note(
        f"kg: pushed {report.sent} graphs ({report.triples} triples) to {where} in "
        f"{report.requests} requests; {report.skipped} unchanged, {report.replaced} replaced"
        + (f", {report.retries} retried" if report.retries else "")
        + f"; journal {journal or journal_path(path)}"
    )
