"""Networks of sponsors, sites and trials: built with networkx, drawn or written for Gephi.

- ``sponsors``: organisations linked by the trials they sponsor together (co-sponsorship);
- ``sites``: facility organisations linked by the trials they both host (shared sites);
- ``trials``: trials linked to their most similar trials (a :mod:`kg.similarity.methods` method).

A network is cut to a readable neighbourhood (about 50 nodes): around a trial (its sponsors, its
sites, or the trial itself) or a sponsor, else the busiest nodes. Nodes carry ``label``,
``trials`` (how many trials) and ``community`` (greedy modularity); edges carry ``weight``. It is
written as GraphML or GEXF (Gephi, Cytoscape), or drawn as a labelled SVG or PNG (matplotlib).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

import networkx as nx
import numpy as np
import pyoxigraph as ox

from kg.errors import UsageError
from kg.org_lookup import find_organisations, organisation_spellings, similar_names
from kg.similarity import _sparql
from kg.similarity.features import FeatureMatrix, load_trials, node_label
from kg.similarity.kinds import NetworkKind
from kg.similarity.methods import Method, top_k

__all__ = [
    "NETWORK_FORMATS",
    "NetworkKind",
    "build_network",
    "draw_network",
    "write_network",
]

NETWORK_FORMATS = (".svg", ".png", ".graphml", ".gexf")


_MEMBERS = {
    NetworkKind.SPONSORS: _sparql.FEATURE_QUERIES["sponsor"],
    NetworkKind.SITES: _sparql.FEATURE_QUERIES["site"],
}


def _members(store: ox.Store, query: str, trials: Mapping[str, str]) -> dict[str, set[str]]:
    """Return node IRI -> NCT ids of the trials it takes part in."""
    out: dict[str, set[str]] = defaultdict(set)
    for sol in _sparql.solutions(store, query):
        t, v = sol["t"], sol["value"]
        if isinstance(t, ox.NamedNode) and isinstance(v, ox.NamedNode) and t.value in trials:
            out[v.value].add(trials[t.value])
    return out


def _sponsored_by(
    store: ox.Store, trials: Mapping[str, str], name: str
) -> tuple[set[str], set[str]]:
    """Return the organisations a sponsor name finds and the trials they sponsor."""
    sponsors = _members(store, _MEMBERS[NetworkKind.SPONSORS], trials)
    orgs = set(find_organisations(store, name, among=sponsors))
    if not orgs:
        near = similar_names(organisation_spellings(store, among=sponsors), name)
        raise UsageError(
            f"--sponsor {name!r}: no sponsor of that name in the store"
            + (f"; sponsors whose names contain it: {'; '.join(near)}" if near else "")
        )
    return orgs, set().union(*(sponsors[org] for org in orgs))


def _projection(
    store: ox.Store, members: Mapping[str, set[str]], centres: set[str], max_nodes: int
) -> nx.Graph:
    """Project trial membership onto nodes, keeping the centres and their closest neighbours."""
    if centres:
        near: dict[str, int] = defaultdict(int)
        centre_trials = set().union(*(members[c] for c in centres))
        for node, its_trials in members.items():
            if node not in centres:
                shared = len(its_trials & centre_trials)
                if shared:
                    near[node] = shared
        ranked = sorted(near, key=lambda n: (-near[n], -len(members[n]), n))
        kept = sorted(centres)[:max_nodes] + ranked[: max(0, max_nodes - len(centres))]
    else:
        kept = sorted(members, key=lambda n: (-len(members[n]), n))[:max_nodes]
    graph = nx.Graph()
    for node in kept:
        graph.add_node(
            node, label=node_label(store, node), trials=len(members[node]), focus=node in centres
        )
    for u, v in itertools.combinations(kept, 2):
        shared = len(members[u] & members[v])
        if shared:
            graph.add_edge(u, v, weight=float(shared))
    return graph


def _trial_graph(
    fm: FeatureMatrix, centres: list[int], max_nodes: int, method: Method, k: int
) -> nx.Graph:
    if len(centres) == 1:
        nb = top_k(fm, centres[0], max_nodes - 1, method)
        kept = [centres[0], *(int(t) for t in nb.targets)]
    elif centres:
        kept = centres[:max_nodes]
    else:
        degree = np.diff(fm.matrix.indptr)
        kept = sorted(range(len(fm.trials)), key=lambda r: (-degree[r], fm.trials[r]))[:max_nodes]
    keep = set(kept)
    graph = nx.Graph()
    for row in kept:
        title = fm.titles[row]
        graph.add_node(
            fm.trials[row],
            label=f"{fm.trials[row]} {title[:40]}".strip(),
            trials=1,
            focus=row in centres,
        )
    for row in kept:
        nb = top_k(fm, row, len(fm.trials), method)
        linked = [(int(t), float(s)) for t, s in zip(nb.targets, nb.scores, strict=True)
                  if int(t) in keep][:k]
        for target, score in linked:
            u, v = fm.trials[row], fm.trials[target]
            old = graph.get_edge_data(u, v, {}).get("weight", 0.0)
            graph.add_edge(u, v, weight=max(old, score))
    return graph


def build_network(
    store: ox.Store,
    kind: NetworkKind,
    *,
    trial: str | None = None,
    sponsor: str | None = None,
    max_nodes: int = 50,
    features: FeatureMatrix | None = None,
    method: Method = Method.JACCARD,
    k: int = 5,
) -> nx.Graph:
    """Build a network around a trial or a sponsor (or of the busiest nodes), with communities.

    Raises:
        UsageError: an unknown trial or sponsor, or a trials network without features.
    """
    if max_nodes < 2:
        raise UsageError("--max-nodes must be at least 2")
    records = load_trials(store)
    trials = {r.iri: r.nct for r in records}
    known = set(trials.values())
    if trial is not None and trial.upper() not in known:
        raise UsageError(f"{trial}: no record of this trial in the store")
    focus_trials: set[str] = set()
    focus_orgs: set[str] = set()
    if trial is not None:
        focus_trials = {trial.upper()}
    elif sponsor is not None:
        focus_orgs, focus_trials = _sponsored_by(store, trials, sponsor)
    if kind is NetworkKind.TRIALS:
        if features is None:
            raise UsageError("a trials network needs the trials' features")
        rows = sorted(r for n in focus_trials if (r := features.index(n)) is not None)
        graph = _trial_graph(features, rows, max_nodes, method, k)
    else:
        members = _members(store, _MEMBERS[kind], trials)
        centres = {node for node, its in members.items() if its & focus_trials}
        if trial is None and sponsor is not None and kind is NetworkKind.SPONSORS:
            centres = focus_orgs
        graph = _projection(store, members, centres, max_nodes)
    _communities(graph)
    graph.graph["kind"] = str(kind)
    graph.graph["focus"] = trial or sponsor or ""
    return graph


def _communities(graph: nx.Graph) -> None:
    if graph.number_of_edges() == 0:
        groups: Iterable[Iterable[str]] = [[n] for n in sorted(graph)]
    else:
        groups = nx.community.greedy_modularity_communities(graph, weight="weight")
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
    for number, group in enumerate(ordered):
        for node in group:
            graph.nodes[node]["community"] = number


def write_network(graph: nx.Graph, path: Path) -> None:
    """Write a network to ``path``: GraphML, GEXF, SVG or PNG by extension.

    Raises:
        UsageError: an extension kg does not write.
    """
    suffix = path.suffix.lower()
    if suffix not in NETWORK_FORMATS:
        raise UsageError(f"{path}: write .svg, .png, .graphml or .gexf")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        if suffix == ".graphml":
            nx.write_graphml(graph, tmp)
        elif suffix == ".gexf":
            nx.write_gexf(graph, tmp)
        else:
            draw_network(graph, tmp, suffix[1:])
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


_TITLES = {
    "sponsors": "Co-sponsorship network",
    "sites": "Shared-site network",
    "trials": "Trial similarity network",
}


def draw_network(graph: nx.Graph, path: Path, fmt: str = "svg") -> None:
    """Draw a labelled picture of a network (node size by trials, colour by community)."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    labels = {n: _wrap(str(d.get("label") or n)) for n, d in graph.nodes(data=True)}
    size = max(8.0, min(18.0, 3.0 + 0.3 * graph.number_of_nodes()))
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kg", "font.size": 7}):
        fig, ax = plt.subplots(figsize=(size, size * 0.75))
        try:
            pos = _layout(graph)
            cmap = mpl.colormaps["tab20"]
            colours = [cmap(d.get("community", 0) % 20) for _, d in graph.nodes(data=True)]
            sizes = [120 + 60 * float(d.get("trials", 1)) ** 0.5 for _, d in graph.nodes(data=True)]
            shown = _strongest_edges(graph)
            edges = [float(graph.edges[u, v].get("weight", 1.0)) for u, v in shown]
            focused = [bool(d.get("focus")) for _, d in graph.nodes(data=True)]
            top = max(edges, default=1.0) or 1.0
            nx.draw_networkx_edges(
                graph,
                pos,
                edgelist=shown,
                ax=ax,
                width=[0.5 + 3.0 * w / top for w in edges],
                alpha=0.35,
            )
            nx.draw_networkx_nodes(
                graph,
                pos,
                ax=ax,
                node_color=colours,
                node_size=sizes,
                edgecolors=["black" if focus else "white" for focus in focused],
                linewidths=[2.0 if focus else 0.5 for focus in focused],
            )
            below = {n: (x, y - 0.12) for n, (x, y) in pos.items()}
            nx.draw_networkx_labels(
                graph,
                below,
                labels=labels,
                ax=ax,
                font_size=7,
                verticalalignment="top",
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.6},
            )
            title = _TITLES.get(str(graph.graph.get("kind")), "Network")
            if graph.graph.get("focus"):
                title += f" around {graph.graph['focus']}"
            ax.set_title(f"{title} ({graph.number_of_nodes()} nodes)")
            ax.set_axis_off()
            fig.tight_layout()
            fig.savefig(path, format=fmt, dpi=150, metadata=_metadata(fmt))
        finally:
            plt.close(fig)


def _strongest_edges(graph: nx.Graph, per_node: int = 4) -> list[tuple[str, str]]:
    """Return the edges worth drawing: each node's strongest few, so dense networks stay legible.

    The graph files keep every edge; only the picture is thinned.
    """
    if graph.number_of_edges() <= per_node * graph.number_of_nodes():
        return sorted(tuple(sorted((u, v))) for u, v in graph.edges())
    keep: set[tuple[str, str]] = set()
    for node in sorted(graph):
        ranked = sorted(
            graph[node].items(), key=lambda item: (-float(item[1].get("weight", 1.0)), item[0])
        )
        for other, _ in ranked[:per_node]:
            u, v = sorted((node, other))
            keep.add((u, v))
    return sorted(keep)


def _layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    # Kamada-Kawai spreads nodes evenly (a clique of co-sponsors stays readable); it needs a
    # connected graph, so each component is laid out alone and the components side by side.
    pos: dict[str, tuple[float, float]] = {}
    parts = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c))
    x0 = 0.0
    for part in parts:
        sub = graph.subgraph(part)
        width = max(1.0, len(part) ** 0.5)
        local = (
            {part[0]: np.array([0.0, 0.0])}
            if len(part) == 1
            else nx.kamada_kawai_layout(sub, weight=None, scale=width / 2)
        )
        for node, (x, y) in local.items():
            pos[node] = (float(x) + x0 + width / 2, float(y))
        x0 += width + 0.6
    return pos


def _metadata(fmt: str) -> dict[str, str | None]:
    # No creation date in the file, so the same graph gives the same bytes.
    if fmt == "svg":
        return {"Date": None}
    return {"Software": "kg"}


def _wrap(text: str, width: int = 24, lines: int = 2) -> str:
    r"""Break a label into at most two short lines.

    >>> _wrap("University Hospital, Montpellier")
    'University Hospital,\nMontpellier'
    """
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "\n".join(out)
