"""An answer's rows, in its order, as a few JSON keys: what kg writes and reads back whole.

A derived graph whose rows are nodes (the answers graph, kg.answers_graph; the statistics graph,
kg.stats) answers a page by its ranks quickly, but a whole answer joins every row's values:
~35 us a value in pyoxigraph 0.5, seconds for the 100,000-row answers of a registry. The graph
also holds each such answer as keys (``tkg:answerRowsKey``) on a node of its own, up to
``step`` rows a key::

    [1, its first row's place in the answer, rows in all, [columns], [values], [[indexes], ...]]

each distinct value of the key's rows once in ``values`` (:func:`term_json`), each row the index
of each column's value. kg/answer_rows.py reads them.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import pyoxigraph as ox

from kg.terms import XSD

__all__ = ["Irregular", "row_keys", "term_json"]

_STRING = ox.NamedNode(XSD + "string")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class Irregular(Exception):  # noqa: N818 - not an error: the keys say false instead
    """A value the keys do not write (a blank node)."""


def term_json(term: Term | None) -> object:
    """A term as the keys write it (None: unbound).

    A plain string, ``["t", value, datatype]``, ``["l", value, language]`` or ``["i", IRI]``.

    >>> term_json(ox.Literal("a")), term_json(ox.NamedNode("http://x")), term_json(None)
    ('a', ['i', 'http://x'], None)

    Raises:
        Irregular: a blank node or a triple term.
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ["i", term.value]
    if isinstance(term, ox.Literal):
        if term.language:
            return ["l", term.value, term.language]
        if term.datatype == _STRING:
            return term.value
        return ["t", term.value, term.datatype.value]
    raise Irregular


def row_keys(columns: Sequence[str], rows: Sequence[Sequence[Term | None]], step: int) -> list[str]:
    """The keys' texts of ``rows`` (in the answer's order, terms or None), ``step`` rows a key.

    No row: still one key, so that no key means a graph written by an older kg. ``["false"]``
    when a value is of a kind the keys do not write: a reader then runs the SPARQL.
    """
    texts: list[str] = []
    try:
        for at in range(0, max(len(rows), 1), step):
            values: dict[Term | None, int] = {}  # each value once a key
            indexes = [
                [values.setdefault(value, len(values)) for value in row]
                for row in rows[at : at + step]
            ]
            table = [term_json(value) for value in values]
            texts.append(orjson.dumps([1, at, len(rows), list(columns), table, indexes]).decode())
    except Irregular:
        return ["false"]
    return texts
