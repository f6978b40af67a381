"""``kg build``: read records and write the graph to the store or a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kg.build import BuildReport, build
from kg.cli._app import StoreOption, app, err, note, progress
from kg.errors import InputError, UsageError
from kg.orgs import OrgIndex
from kg.sinks import FileSink, StoreSink, default_store_path
from kg.terms import DEFAULT_BASE
from kg.wording import counted

__all__ = ["build_command"]


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
    org_map: Annotated[
        Path | None,
        typer.Option(
            "--org-map",
            dir_okay=False,
            help="Organisation mapping, CSV/TSV: name or key -> ROR id or IRI.",
        ),
    ] = None,
    contact_details: Annotated[
        bool,
        typer.Option(
            "--contact-details",
            help="Also map contacts' e-mail addresses and phone numbers (personal data).",
        ),
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate",
            help="Check each record against the SHACL shapes; report and skip those that fail.",
        ),
    ] = False,
    results: Annotated[
        bool,
        typer.Option(
            "--results/--no-results",
            help="Map posted results (flow, baseline, outcomes, adverse events); "
            "--no-results leaves them out.",
        ),
    ] = True,
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
    workers = jobs or os.cpu_count() or 1  # a single document is mapped in-process (kg.build)

    def on_error(error: InputError) -> None:
        err.print(f"kg: error: {error}", markup=False)

    orgs = OrgIndex.load(org_map) if org_map else None
    with progress() as bar:
        task = bar.add_task("build", total=None, errors=0) if bar else None

        def on_record(report: BuildReport) -> None:
            if bar is not None and task is not None:
                bar.update(
                    task, completed=report.records + len(report.errors), errors=len(report.errors)
                )

        report = build(
            inputs,
            sink,
            base=base,
            jobs=workers,
            strict=strict,
            orgs=orgs,
            contact_details=contact_details,
            validate=validate,
            results=results,
            on_record=on_record,
            on_error=on_error,
        )
    note(
        f"kg: {counted(report.records, 'trial')}, {counted(report.triples, 'triple')} -> {target}"
        + (f"; {report.merged} merged from several sources" if report.merged else "")
        + (f"; {len(report.errors)} skipped" if report.errors else "")
    )
    if orgs is not None and org_map is not None:
        _warn_unused(orgs, report, org_map)
    if isinstance(sink, StoreSink) and sink.kept:
        note(
            f"kg: {counted(len(sink.kept), 'trial')} kept as stored: the store's copy comes "
            f"from a newer source (e.g. {sink.kept[0]})"
        )
    if report.errors:
        raise typer.Exit(2)


def _warn_unused(orgs: OrgIndex, report: BuildReport, path: Path) -> None:
    """Warn once of the mapping's rows that named no organisation of the build.

    A row is silent otherwise: a ``key`` column written for another version of kg's keys, or a
    name misspelt, maps nothing and says nothing.
    """
    unused = orgs.unused(report.org_keys_used)
    if not unused or not report.records:
        return
    shown = ", ".join(repr(k) for k in unused[:3]) + (", ..." if len(unused) > 3 else "")
    err.print(
        f"kg: warning: {path}: {len(unused)} of the {counted(len(orgs), 'key')} it maps named no "
        f"organisation of this build ({shown}); a 'key' column must give the keys of this "
        "version of kg (README, Organisations)",
        markup=False,
    )
