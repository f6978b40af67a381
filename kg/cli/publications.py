"""``kg fetch-publications`` and ``kg report publications``: trials' papers, the reporting gap."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import platformdirs
import typer

from kg.cli._app import StoreOption, app, err, note, progress
from kg.errors import UsageError
from kg.model_pub import DEFAULT_MIN_CONFIDENCE
from kg.terms import DEFAULT_BASE
from kg.wording import counted

if TYPE_CHECKING:
    from collections.abc import Callable

    from kg.http import HttpClient, Retry
    from kg.model_pub import TrialPublications

# The library modules (HTTP clients, lxml, the mapping, matplotlib) load when a command runs, so
# ``kg --help`` and the other commands start fast.

__all__ = [
    "default_cache_dir",
    "fetch_publications",
    "fetch_publications_command",
    "report_app",
    "run_publications",
]

report_app = typer.Typer(help="Reports over the graph.", no_args_is_help=True)
app.add_typer(report_app, name="report")


def default_cache_dir() -> Path:
    """Return the HTTP cache folder: ``$KG_CACHE``, else the user cache folder's ``kg/http``."""
    env = os.environ.get("KG_CACHE")
    return Path(env) if env else Path(platformdirs.user_cache_dir("kg", appauthor=False)) / "http"


def _retry_note(clients: list[HttpClient]) -> Callable[[Retry], None]:
    """Note each retry, once a service has answered: before that, one line says it all."""

    def on_retry(retry: Retry) -> None:
        if any(c.answered for c in clients):
            note(
                f"kg: {retry.url}: {retry.problem}; retry {retry.attempt} of "
                f"{retry.attempts - 1} in {retry.delay:.1f} s"
            )

    return on_retry


def fetch_publications(
    ids: list[str] | None,
    *,
    store: Path | None = None,
    output: Path | None = None,
    cache: Path | None = None,
    base: str = DEFAULT_BASE,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    titles: bool = True,
    crossref: bool = True,
    timeout: float = 30.0,
    retries: int = 4,
) -> None:
    """Link trials to their publications and write them to the store or ``output`` (thin glue).

    Raises:
        UsageError: no trial to link, or bad options.
    """
    from kg.crossref import CROSSREF_RATE, Crossref
    from kg.crossref import SECRET_PARAMS as CROSSREF_SECRETS
    from kg.fetch import nct_id
    from kg.http import HttpClient
    from kg.model_pub import TrialReferences
    from kg.publication_links import Linker, link_trials, references_from_store
    from kg.pubmed import API_KEY_ENV, PubMed, eutils_rate
    from kg.pubmed import SECRET_PARAMS as PUBMED_SECRETS
    from kg.sinks import FileSink, Sink, StoreSink, default_store_path, open_store

    if not 0.0 <= min_confidence <= 1.0:
        raise UsageError("--min-confidence is between 0 and 1")
    wanted = list(dict.fromkeys(nct_id(i) for i in ids or [])) or None
    store_path = store or default_store_path()
    has_store = store_path.is_dir() and any(store_path.iterdir())
    if has_store:
        db = open_store(store_path)
        trials = references_from_store(db, wanted, base=base)
        del db  # the store is written below: let go of the read-only handle first
    elif wanted is None:
        raise UsageError(f"no kg store at {store_path}: give NCT numbers or --store")
    else:
        trials = [TrialReferences(n) for n in wanted]
    if not trials:
        raise UsageError(f"the store at {store_path} holds no trial records")
    key = os.environ.get(API_KEY_ENV) or None
    clients: list[HttpClient] = []

    def client(rate: float, secrets: tuple[str, ...]) -> HttpClient:
        made = HttpClient(
            rate=rate,
            timeout=timeout,
            retries=retries,
            cache_dir=cache,
            secret_params=secrets,
            on_retry=_retry_note(clients),
        )
        clients.append(made)
        return made

    linker = Linker(
        PubMed(client(eutils_rate(key), PUBMED_SECRETS), api_key=key),
        Crossref(client(CROSSREF_RATE, CROSSREF_SECRETS)) if crossref else None,
        min_confidence=min_confidence,
        titles=titles,
    )
    sink: Sink = FileSink(output) if output is not None else StoreSink(store_path)

    note(f"kg: linking {len(trials)} trial{'' if len(trials) == 1 else 's'} to their publications")
    with progress() as bar:
        task = bar.add_task("link", total=len(trials), errors=0) if bar else None
        failures = 0

        def on_trial(pubs: TrialPublications) -> None:
            if bar is not None and task is not None:
                bar.advance(task)
            for link in pubs.links:
                ref = (link.references or (link.candidate_for,))[0]
                title = (link.article.title if link.article else None) or (
                    (ref.title or ref.text or ref.node) if ref is not None else "?"
                )
                how = ", ".join(s.value for s in link.sources)
                score = link.confidence
                extra = f" (confidence {score:.2f})" if score is not None else ""
                note(f"kg: {pubs.nct_id}: {how}{extra}: {title}")

        def on_failure(nct: str, exc: Exception) -> None:
            nonlocal failures
            failures += 1
            if bar is not None and task is not None:
                bar.update(task, advance=1, errors=failures)
            err.print(f"kg: error: {nct}: {exc}", markup=False)

        report = link_trials(
            trials, linker, sink, base=base, on_trial=on_trial, on_failure=on_failure
        )
    target = str(output) if output is not None else f"store {store_path}"
    note(
        f"kg: {counted(report.trials, 'trial')}, {counted(report.links, 'publication')}, "
        f"{counted(report.triples, 'triple')} -> {target}"
        + (f"; {len(report.failed)} failed" if report.failed else "")
    )
    if report.failed:
        raise typer.Exit(2)


def run_publications(
    ids: list[str] | None,
    *,
    store: Path | None,
    output: str | None,
    timeout: float,
    retries: int,
) -> None:
    """Run ``kg fetch --publications``: ``kg fetch-publications`` with its defaults.

    Raises:
        UsageError: ``-o -`` (RDF goes to the store or a file, not to stdout).
    """
    if output == "-":
        raise UsageError("--publications writes to the store or an RDF file, not to stdout")
    fetch_publications(
        ids,
        store=store,
        output=Path(output) if output else None,
        cache=default_cache_dir(),
        timeout=timeout,
        retries=retries,
    )


@app.command("fetch-publications")
def fetch_publications_command(
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NCT",
            help="Trials to link (default: every trial of the store).",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write an RDF file (.nq, .trig...) instead."),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="HTTP cache folder (default: $KG_CACHE or the user cache).",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not cache answers.")] = False,
    base: Annotated[str, typer.Option("--base", help="Base IRI of the data.")] = DEFAULT_BASE,
    min_confidence: Annotated[
        float, typer.Option("--min-confidence", help="Keep title matches this alike (0-1).")
    ] = DEFAULT_MIN_CONFIDENCE,
    no_titles: Annotated[
        bool, typer.Option("--no-titles", help="Do not search PubMed by citation titles.")
    ] = False,
    no_crossref: Annotated[
        bool, typer.Option("--no-crossref", help="Do not ask Crossref about DOIs PubMed lacks.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for an answer.")
    ] = 30.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries of a 429, 5xx, timeout or lost link.")
    ] = 4,
) -> None:
    """Link trials to their papers: registry references, PubMed databank links, DOIs, titles.

    Asks PubMed E-utilities ($KG_EUTILS_URL; $NCBI_API_KEY raises the rate from 3 to 10 requests
    a second) and Crossref ($KG_CROSSREF_URL); $KG_CONTACT_EMAIL names you to both. Answers are
    cached on disk, so a rerun costs no request. Each trial's links go to the named graph
    {base}graph/publications/NCT... of the store, or to the file given with -o.

    Example: kg fetch-publications NCT03737461
    Example: kg fetch-publications --store ./store -o publications.nq
    """
    if timeout <= 0:
        raise UsageError("--timeout must be greater than 0")
    fetch_publications(
        ids,
        store=store,
        output=output,
        cache=None if no_cache else (cache or default_cache_dir()),
        base=base,
        min_confidence=min_confidence,
        titles=not no_titles,
        crossref=not no_crossref,
        timeout=timeout,
        retries=retries,
    )


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of takes a date YYYY-MM-DD, got {text!r}") from None


@report_app.command("publications")
def report_publications_command(
    store: StoreOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also draw the chart to FILE.png or .svg.")
    ] = None,
    years: Annotated[
        int, typer.Option("--years", min=0, help="Completed more than this many years ago.")
    ] = 2,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Count back from DATE (default: today)."),
    ] = None,
) -> None:
    """Print the reporting gap by lead sponsor class: completed trials without a results paper.

    Example: kg report publications -o gap.svg
    """
    from kg.publication_report import format_gap, reporting_gap, write_gap_chart
    from kg.sinks import default_store_path, open_store

    day = _day(as_of)
    db = open_store(store or default_store_path())
    rows = reporting_gap(db, as_of=day, years=years)
    typer.echo(format_gap(rows))
    if output is not None:
        when = (day or date.today()).isoformat()
        write_gap_chart(rows, output, title=f"Trials completed over {years} years before {when}")
        note(f"kg: chart -> {output}")
