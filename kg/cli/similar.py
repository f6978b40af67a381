"""``kg similar``: the trials most like given trials, why, and the registry-wide similarity file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli._app import StoreOption, app, note
from kg.errors import UsageError
from kg.similarity.families import ADVERSE_EVENTS_DEFAULT
from kg.similarity.kinds import Method, OutputFormat
from kg.sinks import default_store_path, open_store
from kg.wording import counted

__all__ = ["similar_command"]

_SHOWN = 3  # shared features per match when not explaining


@app.command("similar")
def similar_command(
    ncts: Annotated[
        list[str] | None,
        typer.Argument(help="NCT ids of the trials to compare.", show_default=False),
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", help="How many similar trials per trial.")] = 10,
    method: Annotated[Method, typer.Option("--method", "-m", help="Similarity method.")] = (
        Method.JACCARD
    ),
    explain: Annotated[
        bool, typer.Option("--explain", help="List every shared feature and its share.")
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    all_: Annotated[
        bool, typer.Option("--all", help="Every trial's top-k as tkg:Similarity nodes (needs -o).")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write tkg:Similarity nodes to this RDF file."),
    ] = None,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast",
            help="With --all: skip trials that share only very common features (large registries).",
        ),
    ] = False,
    run_evaluation: Annotated[
        bool, typer.Option("--evaluate", help="Score the methods on the registry's own links.")
    ] = False,
    adverse_events: Annotated[
        bool,
        typer.Option(
            "--adverse-events/--no-adverse-events",
            help="Also compare posted adverse events (terms, organ systems, rates); "
            "only trials with results have them.",
        ),
    ] = ADVERSE_EVENTS_DEFAULT,
    store: StoreOption = None,
) -> None:
    """Rank the trials most like the given ones, with the shared features behind each score.

    Example: kg similar NCT03737461 --k 5 --explain
    """
    # Imported here: numpy, scipy and networkx load only when the command runs.
    from kg.similarity.evaluate import evaluate, format_report
    from kg.similarity.explain import similar, similar_all
    from kg.similarity.features import load_features
    from kg.similarity.output import base_of, format_answers, write_similarities

    oxstore = open_store(store or default_store_path())
    if run_evaluation:
        note("evaluating every method on the links the records state…")
        truth, results, trials = evaluate(oxstore, adverse_events=adverse_events)
        sys.stdout.write(format_report(truth, results, trials))
        return
    if all_ and ncts:
        raise UsageError("give NCT ids or --all, not both")
    if not all_ and not ncts:
        raise UsageError("name at least one trial (NCT id), or use --all -o FILE")
    if all_ and output is None:
        raise UsageError("--all writes a file: add -o FILE (.ttl .nt .nq .trig .jsonld .rdf)")
    if k < 1:
        raise UsageError("--k must be at least 1")
    note("reading trial features from the store…")
    features = load_features(oxstore, adverse_events=adverse_events)
    base = base_of(next((i for i in features.trial_iris if i), ""))
    limit = None if explain else _SHOWN
    if all_:
        assert output is not None  # noqa: S101 - checked above
        every = similar_all(features, k, method, limit=limit, exact=not fast)
        count = write_similarities(every, output, base)
        note(
            f"kg: {counted(count, 'similarity', 'similarities')} of "
            f"{counted(len(features.trials), 'trial')} -> {output}"
        )
        return
    answers = similar(features, ncts or [], k, method, limit=limit)
    for answer in answers:
        if answer.message:
            note(f"kg: {answer.message}")
    if output is not None:
        count = write_similarities(answers, output, base)
        note(f"kg: {counted(count, 'similarity', 'similarities')} -> {output}")
        return
    sys.stdout.write(format_answers(answers, fmt, explain=explain, base=base))
