"""``kg serve``: publish the store as linked data over HTTP (pages, RDF, SPARQL, VoID)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli._app import StoreOption, app, err, is_quiet
from kg.sinks import default_store_path

__all__ = ["serve_command"]


def _log_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


@app.command("serve")
def serve_command(
    store: StoreOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            "--port", "-P", min=0, max=65535, metavar="PORT", help="Port (0: any free port)."
        ),
    ] = 8000,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Base IRI the server's root stands for (default: the data's)."),
    ] = None,
    dumps: Annotated[
        Path | None,
        typer.Option("--dumps", help="Folder of dump files (kg export -o) to offer for download."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--query-timeout", min=0.1, help="Seconds a SPARQL query may run.")
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=1, help="Most rows (or triples) a result returns.")
    ] = 10_000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Query worker processes.")] = 2,
    page_rows: Annotated[
        int,
        typer.Option(
            "--page-rows",
            min=1,
            help="Rows of /queries/NAME's first page when the answer has more than --max-rows.",
        ),
    ] = 1000,
) -> None:
    """Serve the store: a page and RDF per resource (content negotiation), /sparql, /void.

    Each request is logged to stderr in the Common Log Format, followed by its duration (--quiet:
    no log). A port in use is an error (exit 2).

    Example: kg serve --port 8000

    Then open http://127.0.0.1:8000/trial/NCT03737461
    """
    # Imported here: starlette, uvicorn and jinja2 load only when the server starts.
    from kg.publish.pool import PoolLimits
    from kg.publish.server import ServerConfig, serve

    config = ServerConfig(
        store=store or default_store_path(),
        base=base,
        dumps=dumps,
        limits=PoolLimits(
            timeout=timeout, max_rows=max_rows, workers=workers, page_rows=page_rows
        ),
        access_log=None if is_quiet() else _log_line,
    )

    def ready(url: str) -> None:
        err.print(f"kg: serving {config.store} at {url} (Ctrl-C stops)", markup=False)

    serve(config, host=host, port=port, on_ready=ready)
