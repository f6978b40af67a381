"""SPARQL Update requests for ``kg push --update-url``: bounded ``INSERT DATA`` operations.

A graph becomes ``DROP SILENT GRAPH`` (when it is replaced) and then ``INSERT DATA`` operations of
at most ``OP_TRIPLES`` triples each, so no one operation outgrows what a server compiles:
Virtuoso 7 with its default settings refuses an ``INSERT DATA`` of ~1,500 triples of kg's graphs
(``SP031 ... exceeded 10000 lines of code``; measured in benchmarks/RESULTS.md). Operations are
packed in order into requests of at most ``REQUEST_TRIPLES`` triples, so a graph's ``DROP`` always
runs before its inserts: one request of 500 triples is Virtuoso's fastest (~3,000 triples/s; 8
operations of 500 in one request took 13 times as long, its compile time grows faster than the
request). A server that still finds a request too large (``SP031``, ``SP030
memory exhausted``, HTTP 413) gets it again in operations half the size.

The triples are the N-Triples lines pyoxigraph serialises: every term escaped by the serialiser,
nothing pasted in but graph IRIs rendered by :func:`kg.terms.iri`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from kg.terms import iri

__all__ = [
    "OP_BYTES",
    "OP_TRIPLES",
    "REQUEST_BYTES",
    "REQUEST_TRIPLES",
    "Operation",
    "drop_from_default",
    "graph_operations",
    "pack",
    "render",
    "resplit",
    "too_large",
]

OP_TRIPLES = 500
OP_BYTES = 512 * 1024
REQUEST_TRIPLES = 500
REQUEST_BYTES = 8 * 1024 * 1024


class Kind(Enum):
    """What an operation does."""

    DROP = "drop"  # DROP SILENT GRAPH g
    DROP_DEFAULT = "drop-default"  # remove g's triples from the default graph
    INSERT = "insert"  # INSERT DATA { GRAPH g { ... } }
    INSERT_DEFAULT = "insert-default"  # INSERT DATA { ... } into the default graph


@dataclass(frozen=True, slots=True)
class Operation:
    """One update operation on one graph; inserts carry their N-Triples lines."""

    kind: Kind
    graph: str
    lines: tuple[bytes, ...] = ()

    @property
    def triples(self) -> int:
        """Return how many triples the operation inserts."""
        return len(self.lines)

    @property
    def size(self) -> int:
        """Return the bytes of its triples."""
        return sum(len(line) + 1 for line in self.lines)


def graph_operations(
    graph_iri: str,
    ntriples: bytes,
    *,
    replace: bool,
    default_graph: bool,
    op_triples: int = OP_TRIPLES,
    op_bytes: int = OP_BYTES,
) -> list[Operation]:
    r"""Return the operations that write one graph, inserts in bounded chunks.

    >>> ops = graph_operations("http://g", b"<a> <b> <c> .\n" * 5, replace=True,
    ...                        default_graph=False, op_triples=2)
    >>> [(op.kind.value, op.triples) for op in ops]
    [('drop', 0), ('insert', 2), ('insert', 2), ('insert', 1)]
    """
    ops: list[Operation] = []
    if replace:
        if default_graph:
            ops.append(Operation(Kind.DROP_DEFAULT, graph_iri))
        ops.append(Operation(Kind.DROP, graph_iri))
    lines = [line for line in ntriples.splitlines() if line.strip()]
    for chunk in _chunks(lines, op_triples, op_bytes):
        ops.append(Operation(Kind.INSERT, graph_iri, chunk))
        if default_graph:
            ops.append(Operation(Kind.INSERT_DEFAULT, graph_iri, chunk))
    return ops


def _chunks(lines: Sequence[bytes], most: int, most_bytes: int) -> Iterator[tuple[bytes, ...]]:
    chunk: list[bytes] = []
    size = 0
    for line in lines:
        if chunk and (len(chunk) >= most or size + len(line) > most_bytes):
            yield tuple(chunk)
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        yield tuple(chunk)


def pack(
    ops: Sequence[Operation],
    request_triples: int = REQUEST_TRIPLES,
    request_bytes: int = REQUEST_BYTES,
) -> list[list[Operation]]:
    r"""Pack operations, in order, into requests of bounded triples and bytes.

    >>> ops = graph_operations("http://g", b"<a> <b> <c> .\n" * 5, replace=True,
    ...                        default_graph=False, op_triples=2)
    >>> [[op.triples for op in request] for request in pack(ops, request_triples=3)]
    [[0, 2], [2, 1]]
    """
    requests: list[list[Operation]] = []
    current: list[Operation] = []
    triples = size = 0
    for op in ops:
        if current and op.triples and (
            triples + op.triples > request_triples or size + op.size > request_bytes
        ):
            requests.append(current)
            current, triples, size = [], 0, 0
        current.append(op)
        triples += op.triples
        size += op.size
    if current:
        requests.append(current)
    return requests


def resplit(ops: Sequence[Operation], most: int) -> list[Operation]:
    r"""Split every insert into inserts of at most ``most`` triples, in order.

    >>> ops = graph_operations("http://g", b"<a> <b> <c> .\n" * 5, replace=False,
    ...                        default_graph=False)
    >>> [op.triples for op in resplit(ops, 2)]
    [2, 2, 1]
    """
    out: list[Operation] = []
    for op in ops:
        if op.triples <= most:
            out.append(op)
            continue
        for start in range(0, op.triples, most):
            out.append(Operation(op.kind, op.graph, op.lines[start : start + most]))
    return out


def render(ops: Sequence[Operation]) -> bytes:
    r"""Return the text of one update request doing ``ops`` in order.

    >>> print(render([Operation(Kind.DROP, "http://g"),
    ...               Operation(Kind.INSERT, "http://g", (b"<a> <b> <c> .",))]).decode())
    DROP SILENT GRAPH <http://g> ;
    INSERT DATA { GRAPH <http://g> {
    <a> <b> <c> .
    } }
    """
    parts: list[bytes] = []
    for op in ops:
        name = iri(op.graph).encode("utf-8")
        body = b"".join(line + b"\n" for line in op.lines)
        if op.kind is Kind.DROP:
            parts.append(b"DROP SILENT GRAPH " + name)
        elif op.kind is Kind.DROP_DEFAULT:
            parts.append(drop_from_default(op.graph).encode("utf-8"))
        elif op.kind is Kind.INSERT:
            parts.append(b"INSERT DATA { GRAPH " + name + b" {\n" + body + b"} }")
        else:
            parts.append(b"INSERT DATA {\n" + body + b"}")
    return b" ;\n".join(parts)


def drop_from_default(graph_iri: str) -> str:
    """Return the update that removes a graph's triples from the default graph.

    Triples another named graph also states stay: the default graph holds them for that one too.
    """
    name = iri(graph_iri)
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {name}) }} }}"
    )


def too_large(status: int, message: str) -> bool:
    """Whether an error answer says the request was too large to compile or hold.

    >>> too_large(400, "Virtuoso 37000 Error SP031: SPARQL: Internal error: The length of "
    ...                "generated SQL text has exceeded 10000 lines of code")
    True
    >>> too_large(400, "Virtuoso 37000 Error SP030: SPARQL compiler, line 2: syntax error")
    False
    """
    if status == 413:
        return True
    return "SP031" in message or ("SP030" in message and "memory exhausted" in message)
