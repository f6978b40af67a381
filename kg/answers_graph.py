"""Write the answers graph (:mod:`kg.answers`): one node per row, with its place in the order.

Rows are nodes ``{ANSWERS_GRAPH}/KIND/HASH`` (the hash of the row's key), their values the
terms the scan query returns (plain strings where it returns ``STR()``, ``xsd:integer`` counts),
and ``tkg:rank`` the row's place in the scan's ``ORDER BY`` (per role where there is one), so a
variant sorts on one integer instead of decoding names.

The completed trials' rows (trials-without-results-publication) are also written as a few JSON
keys on the graph's node (``tkg:completedRowsKey``, :func:`completed_keys`), in rank order: an
embedded store's reader (kg/completed.py) filters them itself instead of joining each row's
date, count and rank (~35 us a row at 100,000 trials).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import orjson
import pyoxigraph as ox

from kg.answers import ANSWERS_FORMAT, ANSWERS_GRAPH, ROLES, Answers, Term, compute
from kg.graph_diff import rewrite_graph
from kg.row_keys import Irregular, row_keys, term_json
from kg.terms import TKG, XSD

__all__ = [
    "COMPLETED_KEY_ROWS",
    "ROW_KEY_COLUMNS",
    "ROW_KEY_ROWS",
    "answers_nquads",
    "completed_keys",
    "refresh",
    "row_key_node",
    "write",
]

COMPLETED_KEY_ROWS = 1000
"""Completed trials' rows in one ``tkg:completedRowsKey`` (~0.2 MB of JSON)."""

_INTEGER = ox.NamedNode(XSD + "integer")
_BOOLEAN = ox.NamedNode(XSD + "boolean")
K = TypeVar("K")


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_INTEGER)


def _node(kind: str, *key: Term | str | None) -> ox.NamedNode:
    text = "\x1f".join("" if k is None else str(k) for k in key)
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
    return ox.NamedNode(f"{ANSWERS_GRAPH}/{kind}/{digest}")


def _text(term: Term | str | None) -> tuple[int, str]:
    """SPARQL's order of a plain value or ``STR()``: unbound (or an error) first."""
    if isinstance(term, str):
        return (1, term)
    if isinstance(term, ox.NamedNode | ox.Literal):
        return (1, term.value)
    return (0, "")


def _ranks(keys: Sequence[K], order: Callable[[K], object]) -> dict[K, int]:
    return {k: n for n, k in enumerate(sorted(keys, key=order))}  # type: ignore[arg-type]


Row = list[tuple[str, Term | None]]


def _rows(answers: Answers, completed: list[int]) -> Iterator[tuple[str, ox.NamedNode, Row]]:
    """Each row: the graph's link to it, its node and its values (None: left out).

    ``completed``: the completed trials' rows in order (:func:`_completed_order`).
    """
    per = answers.per_sponsor
    rank = _ranks(
        list(per), lambda k: (k[0], -per[k][4], -per[k][3], per[k][0], k[1].value)
    )
    for (role, org), (name, agency, trials, citing, pubs, pubmed, results) in per.items():
        yield "publicationsPerSponsorRow", _node("sponsor-publications", role, org), [
            ("sponsorRole", ox.Literal(role)),
            ("countedOrganization", org),
            ("sponsorName", ox.Literal(name)),
            ("agencyClassCode", None if agency is None else ox.Literal(agency)),
            ("trialCount", _int(trials)),
            ("citingTrialCount", _int(citing)),
            ("publicationCount", _int(pubs)),
            ("pubmedLinkedCount", _int(pubmed)),
            ("resultsPublicationCount", _int(results)),
            ("rank", _int(rank[role, org])),
        ]
    sp = answers.sponsor_publications
    rank = _ranks(list(sp), lambda k: (k[0], -sp[k][1], -sp[k][2], sp[k][0], k[1].value))
    for (role, org), (name, pubs, trials) in sp.items():
        yield "sponsorPublicationsRow", _node("cited-by-sponsor", role, org), [
            ("sponsorRole", ox.Literal(role)),
            ("countedOrganization", org),
            ("sponsorName", ox.Literal(name)),
            ("publicationCount", _int(pubs)),
            ("trialCount", _int(trials)),
            ("rank", _int(rank[role, org])),
        ]
    net = answers.network
    pair_rank = _ranks(
        list(net), lambda k: (-net[k][2], net[k][0], net[k][1], k[0].value, k[1].value)
    )
    for (a, b), (name_a, name_b, trials) in net.items():
        yield "sponsorPairRow", _node("pair", a, b), [
            ("firstOrganization", a),
            ("secondOrganization", b),
            ("firstSponsorName", ox.Literal(name_a)),
            ("secondSponsorName", ox.Literal(name_b)),
            ("trialCount", _int(trials)),
            ("rank", _int(pair_rank[a, b])),
        ]
    wr = answers.without_results
    order = sorted(
        range(len(wr)),
        key=lambda i: (_text(wr[i][1]), _text(wr[i][2]), _text(wr[i][3]), _text(wr[i][4]),
                       _text(wr[i][0])),
    )
    for n, i in enumerate(order):
        trial, nct, title, status, value, pubs = wr[i]
        yield "publishedWithoutResultsRow", _node("published", *wr[i][:5]), [
            ("countedTrial", trial),
            ("trialIdentifier", nct),
            ("trialTitle", title),
            ("statusCode", status),
            ("hasResultsValue", value),
            ("publicationCount", _int(pubs)),
            ("rank", _int(n)),
        ]
    done = answers.completed
    for n, i in enumerate(completed):
        trial, nct, completion, title, agency, searched, pubs, results = done[i]
        yield "completedTrialRow", _node("completed", *done[i][:4]), [
            ("countedTrial", trial),
            ("trialIdentifier", nct),
            ("completionDate", completion),
            ("trialTitle", title),
            ("agencyClassCode", None if agency is None else ox.Literal(agency)),
            ("searched", ox.Literal("true" if searched else "false", datatype=_BOOLEAN)),
            ("publicationCount", _int(pubs)),
            ("resultsPublicationCount", _int(results)),
            ("rank", _int(n)),
        ]


def _completed_order(answers: Answers) -> list[int]:
    """trials-without-results-publication's completed rows in the scan's order (their ranks)."""
    done = answers.completed
    return sorted(
        range(len(done)),
        key=lambda i: (_text(done[i][4]), _text(done[i][2]), _text(done[i][1]),
                       _text(done[i][3]), _text(done[i][0])),
    )


def completed_keys(answers: Answers, order: list[int] | None = None) -> list[str]:
    """Return the completed-row keys' texts (``tkg:completedRowsKey``), in rank order.

    Each key holds :data:`COMPLETED_KEY_ROWS` rows of trials-without-results-publication's
    completed trials from its first rank, as two JSON arrays on two lines: what the query filters
    on, ``[1, first rank, rows in all, [[results publications, STR(completion)], ...]]``, then
    the rows' other columns, ``[[publications, searched, agency class or null, NCT id,
    completion, title or null, trial], ...]`` (terms as :func:`kg.row_keys.term_json` writes
    them), so that a reader parses the second line only for the rows it shows. ``false`` when a
    value is of a kind the keys do not write: a reader then runs the query. ``order``: the rows'
    order, when the caller has it (:func:`_completed_order`).
    """
    done = answers.completed
    filtered: list[list[object]] = []
    shown: list[list[object]] = []
    try:
        for i in _completed_order(answers) if order is None else order:
            trial, nct, completion, title, agency, searched, pubs, results = done[i]
            if not isinstance(completion, ox.NamedNode | ox.Literal):
                raise Irregular
            filtered.append([results, completion.value])
            shown.append([
                pubs, searched, agency, term_json(nct), term_json(completion),
                term_json(title), term_json(trial),
            ])
    except Irregular:
        return ["false"]
    step, total = COMPLETED_KEY_ROWS, len(filtered)
    return [  # no row: still one key, so that no key means a store of an older kg
        orjson.dumps([1, at, total, filtered[at : at + step]]).decode()
        + "\n"
        + orjson.dumps(shown[at : at + step]).decode()
        for at in range(0, max(total, 1), step)
    ]


ROW_KEY_COLUMNS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "sponsorPairRow": ("sponsor-network", (
        ("sponsorA", "firstSponsorName"), ("sponsorB", "secondSponsorName"),
        ("trials", "trialCount"), ("a", "firstOrganization"), ("b", "secondOrganization"),
    )),
    "publishedWithoutResultsRow": ("published-without-results", (
        ("nct", "trialIdentifier"), ("title", "trialTitle"), ("status", "statusCode"),
        ("hasResults", "hasResultsValue"), ("publications", "publicationCount"),
        ("trial", "countedTrial"),
    )),
    "publicationsPerSponsorRow": ("publications-per-sponsor", (
        ("sponsor", "sponsorName"), ("agencyClass", "agencyClassCode"), ("trials", "trialCount"),
        ("trialsWithPublications", "citingTrialCount"), ("publications", "publicationCount"),
        ("pubmedLinked", "pubmedLinkedCount"), ("resultsPublications", "resultsPublicationCount"),
        ("org", "countedOrganization"),
    )),
    "sponsorPublicationsRow": ("sponsor-publications", (
        ("sponsor", "sponsorName"), ("publications", "publicationCount"), ("trials", "trialCount"),
        ("org", "countedOrganization"),
    )),
}
"""The answers whose rows kg also writes as row keys (``tkg:answerRowsKey``): for each kind of
row node, the query and its columns (each the value of a row predicate), in its order."""

ROW_KEY_ROWS = 1000
"""Rows in one ``tkg:answerRowsKey``."""


def row_key_node(query: str, role: str | None = None) -> str:
    """The IRI of the node holding one answer's row keys (of one role, where it has roles).

    >>> row_key_node("publications-per-sponsor", "lead")
    'https://w3id.org/trialkg/graph/stats/answers/rows/publications-per-sponsor/lead'
    """
    return f"{ANSWERS_GRAPH}/rows/{query}" + (f"/{role}" if role is not None else "")


class _RowKeys:
    """Collects the rows of the answers of :data:`ROW_KEY_COLUMNS` as the graph is written."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[int, list[Term | None]]]] = {}
        for query, _ in ROW_KEY_COLUMNS.values():
            if query in ("publications-per-sponsor", "sponsor-publications"):
                for role in ROLES:  # every role: a role without rows has its (empty) keys too
                    self.rows[row_key_node(query, role)] = []
            else:
                self.rows[row_key_node(query)] = []

    def add(self, link: str, values: Row) -> None:
        found = ROW_KEY_COLUMNS.get(link)
        if found is None:
            return
        query, columns = found
        by_predicate = dict(values)
        role = by_predicate.get("sponsorRole")
        node = row_key_node(query, role.value if isinstance(role, ox.Literal) else None)
        rank = by_predicate["rank"]
        if node not in self.rows or not isinstance(rank, ox.Literal):
            raise ValueError(f"{link}: a row kg does not key ({node})")  # kg's own defect
        self.rows[node].append((int(rank.value), [by_predicate.get(p) for _, p in columns]))

    def keys(self) -> Iterator[tuple[str, str]]:
        """Each node and its keys' texts, in rank order.

        A key: ``[1, its first row's place in the answer, rows in all, [columns], [values],
        [[index of each column's value], ...]]``, each distinct value of its rows once in
        ``values``.
        """
        columns = {
            row_key_node(query, role): [name for name, _ in pairs]
            for query, pairs in ROW_KEY_COLUMNS.values()
            for role in (*ROLES, None)
        }
        for node, rows in self.rows.items():
            rows.sort(key=lambda row: row[0])
            for text in row_keys(columns[node], [terms for _, terms in rows], ROW_KEY_ROWS):
                yield node, text


def answers_nquads(answers: Answers) -> Iterator[str]:
    """Write the answers graph as N-Quads lines."""
    from kg import __version__  # on use: kg's package imports this module

    g = f"<{ANSWERS_GRAPH}>"
    yield f'{g} <{TKG}answersFormat> "{ANSWERS_FORMAT}" {g} .\n'
    yield f"{g} <{TKG}kgVersion> {ox.Literal(__version__)} {g} .\n"
    row_keys = _RowKeys()
    completed = _completed_order(answers)  # sorted once, for the rows and their keys
    for link, node, values in _rows(answers, completed):
        yield f"{g} <{TKG}{link}> {node} {g} .\n"
        for p, o in values:
            if o is not None:
                yield f"{node} <{TKG}{p}> {o} {g} .\n"
        row_keys.add(link, values)
    for key in completed_keys(answers, completed):
        yield f"{g} <{TKG}completedRowsKey> {ox.Literal(key)} {g} .\n"
    for holder, key in row_keys.keys():
        yield f"<{holder}> <{TKG}answerRowsKey> {ox.Literal(key)} {g} .\n"


def write(store: ox.Store, answers: Answers) -> None:
    """Replace the answers graph of ``store``."""
    graph = ox.NamedNode(ANSWERS_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.bulk_load("".join(answers_nquads(answers)).encode("utf-8"), ox.RdfFormat.N_QUADS)


def refresh(store: ox.Store, *, by_difference: bool = False) -> Answers:
    """Recompute the answers graph from the store's graphs and write it.

    ``by_difference`` (an update of a few graphs): only the quads that changed are written
    (:func:`kg.graph_diff.rewrite_graph`), not the whole graph again.
    """
    answers = compute(store)
    if by_difference and store.contains_named_graph(ox.NamedNode(ANSWERS_GRAPH)):
        rewrite_graph(store, ANSWERS_GRAPH, answers_nquads(answers))
    else:
        write(store, answers)
    return answers
