"""``kg load``: load RDF files (a ``kg similar --all`` file, a dump, any RDF) into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli._app import StoreOption, app, note
from kg.load import load_files
from kg.sinks import default_store_path
from kg.wording import counted

__all__ = ["load_command"]


@app.command("load")
def load_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="RDF files: .nq .trig .ttl .nt .jsonld .rdf, .gz allowed.", show_default=False
        ),
    ],
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="Load every triple into this named graph (an IRI)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Load RDF files into the store, replacing the graphs of the same names.

    N-Quads and TriG keep their named graphs; Turtle, N-Triples, RDF/XML and a default graph go
    into a graph named after the file (file:///...), unless --graph names one. A file that is not
    valid RDF stops the load (with its line) before the store is touched.

    Example: kg similar --all -o sim.nq && kg load sim.nq

    Example: kg load extra.ttl --graph https://example.org/graph/extra
    """
    path = store or default_store_path()
    report = load_files(files, path, graph=graph)
    note(
        f"kg: {counted(report.quads, 'quad')} in {counted(report.graphs, 'graph')} "
        f"from {counted(report.files, 'file')} -> {path}"
    )
    if report.kept:
        note(
            f"kg: {counted(len(report.kept), 'graph')} kept as stored: the store's copy comes "
            f"from a newer source (e.g. {report.kept[0]})"
        )
