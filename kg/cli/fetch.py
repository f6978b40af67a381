"""``kg fetch``: download ClinicalTrials.gov API v2 records as NDJSON for ``kg build``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from kg.cli._app import StoreOption, app, err, note, progress
from kg.cli.publications import run_publications
from kg.errors import UsageError
from kg.fetch import (
    CTGOV_RATE,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    CtgovApi,
    Study,
    StudyNotFoundError,
    StudySearch,
    atomic_output,
    nct_id,
    write_ndjson,
)
from kg.http import HttpClient, Retry
from kg.wording import counted

__all__ = ["fetch_command"]


def _since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--updated-since takes a date YYYY-MM-DD, got {text!r}") from None


@app.command("fetch")
def fetch_command(
    ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="NCT", help="NCT numbers to download.", show_default=False),
    ] = None,
    condition: Annotated[
        str | None, typer.Option("--condition", help="Search: condition or disease.")
    ] = None,
    sponsor: Annotated[
        str | None, typer.Option("--sponsor", help="Search: sponsor or collaborator.")
    ] = None,
    term: Annotated[str | None, typer.Option("--term", help="Search: any other words.")] = None,
    updated_since: Annotated[
        str | None,
        typer.Option(
            "--updated-since",
            metavar="DATE",
            help="Search: only studies whose last update was posted on or after DATE (YYYY-MM-DD).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Search: stop after N studies.")
    ] = None,
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, max=MAX_PAGE_SIZE, help="Search: studies a page.")
    ] = DEFAULT_PAGE_SIZE,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="NDJSON file (written atomically); - or none: stdout."),
    ] = None,
    rate: Annotated[
        float, typer.Option("--rate", help="Requests a second at most (the API asks ~50/minute).")
    ] = CTGOV_RATE,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for an answer.")
    ] = 30.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries of a 429, 5xx, timeout or lost link.")
    ] = 4,
    publications: Annotated[
        bool,
        typer.Option("--publications", help="Link trials (or --store's) to their papers."),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Download ClinicalTrials.gov records (API v2) by NCT number or by search, as NDJSON.

    The base URL is $KG_CTGOV_API_URL, else https://clinicaltrials.gov/api/v2.

    Example: kg fetch NCT03737461 -o trials.ndjson && kg build trials.ndjson
    Example: kg fetch --condition "lupus nephritis" --updated-since 2024-01-01 -o lupus.ndjson
    Example: kg fetch --publications NCT03737461 (as kg fetch-publications)
    """
    if publications:
        run_publications(ids, store=store, output=output, timeout=timeout, retries=retries)
        return
    search = StudySearch(condition, sponsor, term, _since(updated_since))
    if ids and not search.is_empty():
        raise UsageError("give NCT numbers or search options, not both")
    if not ids and search.is_empty():
        raise UsageError(
            "give NCT numbers, or search with --condition, --sponsor, --term or --updated-since"
        )
    if ids and limit is not None:
        raise UsageError("--limit applies to searches, not to a list of NCT numbers")
    if rate <= 0 or timeout <= 0:
        raise UsageError("--rate and --timeout must be greater than 0")
    wanted = list(dict.fromkeys(nct_id(i) for i in ids or []))  # canonical, duplicates dropped

    def on_retry(retry: Retry) -> None:
        note(
            f"kg: {retry.url}: {retry.problem}; retry {retry.attempt} of {retry.attempts - 1} "
            f"in {retry.delay:.1f} s"
        )

    api = CtgovApi(HttpClient(rate=rate, timeout=timeout, retries=retries, on_retry=on_retry))
    to_stdout = output in (None, "-")
    sink: AbstractContextManager[BinaryIO] = (
        nullcontext(sys.stdout.buffer)
        if to_stdout
        else atomic_output(Path(str(output)))
    )
    with progress() as bar, sink as out:
        task = bar.add_task("fetch", total=len(wanted) or None, errors=0) if bar else None

        def on_total(total: int) -> None:
            if bar is not None and task is not None:
                bar.update(task, total=total)

        def on_study(_: Study) -> None:
            if bar is not None and task is not None:
                bar.advance(task)

        missed: list[str] = []

        def on_missing(missing: StudyNotFoundError) -> None:
            err.print(f"kg: error: {missing}", markup=False)
            missed.append(missing.nct_id)
            if bar is not None and task is not None:
                bar.update(task, advance=1, errors=len(missed))

        items: Iterator[Study | StudyNotFoundError] = (
            api.iter_studies(wanted)
            if wanted
            else api.iter_search(search, limit=limit, page_size=page_size, on_total=on_total)
        )
        report = write_ndjson(items, out, on_study=on_study, on_missing=on_missing)
    target = "stdout" if to_stdout else str(output)
    note(
        f"kg: {counted(report.studies, 'study', 'studies')} -> {target}"
        + (f"; {len(report.missing)} not found" if report.missing else "")
    )
    if report.missing:
        raise typer.Exit(2)
