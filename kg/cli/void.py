"""``kg void``: describe the dataset (VoID + DCAT) from the store's data."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.atomic import atomic_output
from kg.cli._app import StoreOption, app
from kg.publish._dataset import PREFIXES, detect_base, group_triples
from kg.publish.export import ExportFormat, read_dump, write_groups
from kg.publish.void import describe_dataset
from kg.sinks import default_store_path, open_store
from kg.terms import DEFAULT_BASE

__all__ = ["DescriptionFormat", "void_command"]


class DescriptionFormat(StrEnum):
    """The formats a dataset description is written in: triples, so no graph formats."""

    TTL = "ttl"
    NT = "nt"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"

    @property
    def export_format(self) -> ExportFormat:
        """The writer's name for this format."""
        return _WRITERS[self]


_WRITERS = {
    DescriptionFormat.TTL: ExportFormat.TURTLE,
    DescriptionFormat.NT: ExportFormat.NTRIPLES,
    DescriptionFormat.JSONLD: ExportFormat.JSONLD,
    DescriptionFormat.RDFXML: ExportFormat.RDFXML,
}


@app.command("void")
def void_command(
    dump: Annotated[
        list[Path] | None,
        typer.Option("--dump", "-d", help="A dump file to list, with its size and SHA-256."),
    ] = None,
    base: Annotated[
        str | None, typer.Option("--base", help="Base IRI of the data (default: from the store).")
    ] = None,
    sparql: Annotated[
        str | None, typer.Option("--sparql", help="SPARQL endpoint URL (default: {base}sparql).")
    ] = None,
    download: Annotated[
        str | None,
        typer.Option("--download-url", help="URL the dumps are under (default: {base}download/)."),
    ] = None,
    fmt: Annotated[
        DescriptionFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DescriptionFormat.TTL,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write this file instead of stdout.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Describe the dataset: counts per class and property, sources, licence, endpoint, dumps.

    Example: kg void --dump dumps/trials.nq.gz --sparql https://example.org/sparql
    """
    oxstore = open_store(store or default_store_path())
    data_base = base or detect_base(oxstore) or DEFAULT_BASE
    dumps = [read_dump(p) for p in dump or []]
    triples = describe_dataset(
        oxstore, data_base, sparql_url=sparql, dumps=dumps, download_base=download
    )
    if output is not None:
        with atomic_output(output) as fh:
            write_groups(group_triples(triples), fh, fmt.export_format, PREFIXES)
        return
    write_groups(group_triples(triples), sys.stdout.buffer, fmt.export_format, PREFIXES)
    sys.stdout.buffer.flush()
