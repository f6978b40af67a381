"""``kg synth``: (development) a synthetic registry calibrated on real records, for benchmarks."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli._app import app, note, progress
from kg.errors import UsageError
from kg.synth import (
    Layout,
    compare_with_real,
    find_records,
    fit_params,
    load_params,
    read_studies,
    save_params,
    write_ndjson,
    write_zip,
)
from kg.synth.compare import measure

__all__ = ["compare_command", "fit_command", "generate_command", "synth_app"]

synth_app = typer.Typer(
    name="synth",
    help="(development) Generate a synthetic registry fitted on real records, for benchmarks.",
    no_args_is_help=True,
)
app.add_typer(synth_app, name="synth")

ParamsOption = Annotated[
    Path | None,
    typer.Option("--params", help="Fitted parameters (default: kg/synth/params.json)."),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed: same seed, same bytes.")]
JobsOption = Annotated[
    int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")
]


@synth_app.command("generate")
def generate_command(
    count: Annotated[int, typer.Argument(min=1, max=9_999_999, help="Number of studies.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="A .zip (bulk-download layout) or .ndjson file.")
    ],
    seed: SeedOption = 0,
    layout: Annotated[
        Layout, typer.Option("--layout", help="flat: NCT….json at the root; legacy: NCT0123xxxx/.")
    ] = Layout.FLAT,
    params: ParamsOption = None,
    jobs: JobsOption = 0,
) -> None:
    """Write COUNT synthetic API v2 studies to a zip or NDJSON file.

    Example: kg synth generate 10000 -o registry.zip && kg build registry.zip
    """
    fitted = load_params(params)
    workers = jobs or os.cpu_count() or 1
    suffix = output.suffix.lower()
    if suffix not in (".zip", ".ndjson", ".jsonl"):
        raise UsageError(f"{output}: write a .zip or an .ndjson file")
    with progress() as bar:
        task = bar.add_task("synth", total=count, errors=0) if bar else None

        def on_study(done: int) -> None:
            if bar is not None and task is not None and done % 100 == 0:
                bar.update(task, completed=done)

        if suffix == ".zip":
            write_zip(
                output, fitted, count, seed=seed, layout=layout, jobs=workers, on_study=on_study
            )
        else:
            write_ndjson(output, fitted, count, seed=seed, jobs=workers, on_study=on_study)
    note(f"kg: {count} synthetic studies -> {output}")


@synth_app.command("fit")
def fit_command(
    inputs: Annotated[list[Path], typer.Argument(help="API v2 .json records, or folders of them.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Fit the generator's parameters on real records (aggregate statistics only).

    Example: kg synth fit ../shared/data/ctgov -o kg/synth/params.json
    """
    files = find_records(inputs)
    obs = measure(read_studies(files), triples=False)
    fitted = fit_params(obs, source=", ".join(str(p) for p in inputs))
    if output is None:
        sys.stdout.write(json.dumps(fitted, indent=1, ensure_ascii=False) + "\n")
    else:
        save_params(fitted, output)
        note(f"kg: parameters fitted on {obs.studies} studies -> {output}")


@synth_app.command("compare")
def compare_command(
    inputs: Annotated[list[Path], typer.Argument(help="API v2 .json records, or folders of them.")],
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="Synthetic studies.")] = 5000,
    seed: SeedOption = 0,
    params: ParamsOption = None,
    jobs: JobsOption = 0,
) -> None:
    """Print Markdown tables of real against synthetic distributions.

    Example: kg synth compare ../shared/data/ctgov -n 5000
    """
    table = compare_with_real(
        find_records(inputs),
        load_params(params),
        count,
        seed=seed,
        jobs=jobs or os.cpu_count() or 1,
    )
    sys.stdout.write(table + "\n")
