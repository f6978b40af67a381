"""``kg network``: co-sponsorship, shared-site and similarity networks, drawn or as graph files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli._app import StoreOption, app, note
from kg.similarity.kinds import Method, NetworkKind
from kg.sinks import default_store_path, open_store
from kg.wording import counted

__all__ = ["network_command"]


@app.command("network")
def network_command(
    kind: Annotated[NetworkKind, typer.Argument(help="sponsors, sites or trials.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="File to write: .svg .png .graphml .gexf."),
    ],
    trial: Annotated[
        str | None, typer.Option("--trial", "-t", help="Centre on this trial (NCT id).")
    ] = None,
    sponsor: Annotated[
        str | None, typer.Option("--sponsor", help="Centre on this sponsor (name).")
    ] = None,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", help="At most this many nodes.")
    ] = 50,
    method: Annotated[
        Method, typer.Option("--method", "-m", help="Similarity method (trials network).")
    ] = Method.JACCARD,
    k: Annotated[int, typer.Option("--k", "-k", help="Links per trial (trials network).")] = 5,
    store: StoreOption = None,
) -> None:
    """Draw or export the network of sponsors, sites or similar trials around a trial or sponsor.

    Example: kg network sponsors --trial NCT03737461 -o sponsors.svg
    """
    # Imported here: numpy, scipy, networkx and matplotlib load only when the command runs.
    from kg.similarity.features import load_features
    from kg.similarity.network import build_network, write_network

    oxstore = open_store(store or default_store_path())
    features = load_features(oxstore) if kind is NetworkKind.TRIALS else None
    graph = build_network(
        oxstore,
        kind,
        trial=trial,
        sponsor=sponsor,
        max_nodes=max_nodes,
        features=features,
        method=method,
        k=k,
    )
    write_network(graph, output)
    note(
        f"kg: {counted(graph.number_of_nodes(), 'node')}, "
        f"{counted(graph.number_of_edges(), 'edge')} -> {output}"
    )
