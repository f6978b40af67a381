"""``kg export``: write the store's graph (or some trials) as an RDF dump."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli._app import StoreOption, app, note
from kg.publish.export import ExportFormat, export, export_file
from kg.sinks import default_store_path, open_store

__all__ = ["export_command"]


@app.command("export")
def export_command(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write this file (.ttl .nt .nq .trig .jsonld .rdf, .gz allowed) and FILE.sha256;"
            " default: standard output.",
        ),
    ] = None,
    trial: Annotated[
        list[str] | None,
        typer.Option("--trial", "-t", help="Export only this trial's record (repeatable)."),
    ] = None,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Format (default: from the -o extension, else ttl). schemaorg: the schema.org"
            " JSON-LD of one trial, as search engines read it.",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export the graph: N-Quads/TriG keep each record's named graph and provenance.

    Turtle, N-Triples, JSON-LD (compacted with ontology/context.jsonld) and RDF/XML hold the union
    of the records' graphs. Every format streams from the store.

    Example: kg export -o dumps/trials.nq.gz
    """
    oxstore = open_store(store or default_store_path())
    trials = list(trial or [])
    if output is not None:
        dump = export_file(oxstore, output, fmt, trials=trials)
        note(
            f"kg: {dump.statements} statements -> {output} ({dump.size} bytes, "
            f"sha256 {dump.sha256})"
        )
        return
    out = sys.stdout.buffer
    export(oxstore, out, fmt or ExportFormat.TURTLE, trials=trials)
    out.flush()
