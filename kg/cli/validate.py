"""``kg validate``: check the graph against the SHACL shapes per trial; exit 1 on violations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kg.cli._app import StoreOption, app, note, progress
from kg.errors import InputError, InvalidData, UsageError
from kg.sinks import default_store_path, open_store
from kg.validate._options import Engine, OutputFormat
from kg.wording import counted

if TYPE_CHECKING:
    from kg.validate import Report, TrialResult

__all__ = ["validate_command"]


@app.command("validate")
def validate_command(
    file: Annotated[
        str | None,
        typer.Argument(
            help="An RDF file (.nq .trig .ttl .nt .jsonld .rdf, .gz allowed), or - for N-Quads "
            "on stdin; default: the store.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            metavar="URL",
            help="Validate the trial graphs of a SPARQL 1.1 endpoint (default graph = union).",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: one line per finding; json; ttl: the SHACL validation report graph.",
        ),
    ] = OutputFormat.TEXT,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")
    ] = 0,
    cross_trial: Annotated[
        bool,
        typer.Option(
            "--cross-trial/--no-cross-trial",
            help="Also run the checks across trials (duplicate organisations, dangling related "
            "trials).",
        ),
    ] = True,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="fast: the SHACL Core constraints checked in Python (pyshacl for SHACL-SPARQL "
            "and any shape it cannot compile), same findings; pyshacl: pyshacl for every shape.",
        ),
    ] = Engine.FAST,
) -> None:
    """Check every trial against the SHACL shapes (ontology/shapes.ttl) and print what breaks.

    Exit status: 0 when no record breaks the contract (warnings allowed), 1 on violations.

    Example: kg validate --store ./store --format json
    """
    if sum(x is not None for x in (file, store, endpoint)) > 1:
        raise UsageError("give one of FILE, --store or --endpoint")
    # Loaded here, not with the command line: rdflib and pyshacl take ~0.4 s to import.
    from kg.validate import (
        validate_endpoint,
        validate_file,
        validate_nquads,
        validate_store,
        writer,
    )

    # Findings are written as each trial's arrive (text and JSON to stdout, Turtle through a
    # temporary file), so memory does not grow with the number of trials.
    with progress() as bar, writer(fmt, sys.stdout) as out:
        task = bar.add_task("validate", total=None, errors=0) if bar else None
        checked = [0, 0]

        def on_trial(result: TrialResult) -> None:
            checked[0] += 1
            checked[1] += sum(1 for f in result.findings if f.severity.rank == 0)
            if bar is not None and task is not None:
                bar.update(task, completed=checked[0], errors=checked[1])

        options: dict[str, Any] = {
            "jobs": jobs,
            "cross_trial": cross_trial,
            "on_trial": on_trial,
            "on_findings": out.write,
            "engine": engine,
        }
        if endpoint is not None:
            source, report = endpoint, validate_endpoint(endpoint, **options)
        elif file == "-":
            source, report = "<stdin>", validate_nquads(sys.stdin.buffer.read(), **options)
        elif file is not None:
            source, report = file, validate_file(Path(file), **options)
        else:
            path = store or default_store_path()
            source, report = str(path), validate_store(open_store(path), path=path, **options)
        if report.trials == 0:
            raise InputError("no trial graphs to validate", file=source)
        out.close(report)
    if fmt is not OutputFormat.TEXT:
        note(_summary(report))
    if report.violations:
        raise InvalidData(_summary(report))


def _summary(report: Report) -> str:
    from kg.validate import Severity

    failing = report.trials_with(Severity.VIOLATION)
    return (
        f"{counted(report.trials, 'trial')} checked: {counted(report.violations, 'violation')} "
        f"in {counted(failing, 'trial')}, {counted(report.warnings, 'warning')}"
    )
