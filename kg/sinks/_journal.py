"""What ``kg push`` sends and remembers: a source's graphs, and the journal of verified graphs.

The journal (JSON lines beside the source: ``<store>.push-journal.jsonl``) records each graph, with
the digest of its content, once the server has been seen to hold it (its triple count checked), so
a rerun skips what the target already has and sends again everything else.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import orjson
import pyoxigraph as ox

from kg.errors import InputError, UsageError
from kg.ontology import load_ontology
from kg.sinks.file import file_format
from kg.sinks.store import open_store

__all__ = ["GraphData", "Journal", "iter_graphs", "journal_path", "open_source", "value_keys"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS = frozenset(
    _XSD + name
    for name in (
        "integer decimal double float int long short byte nonNegativeInteger positiveInteger "
        "negativeInteger nonPositiveInteger unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
)
_BOOLEAN = _XSD + "boolean"


@dataclass(frozen=True, slots=True)
class GraphData:
    """One named graph of the source: its N-Triples and the digest of its content."""

    iri: str
    ntriples: bytes
    digest: str
    triples: int

    @classmethod
    def of(cls, graph_iri: str, ntriples: bytes) -> GraphData:
        r"""Digest a graph's N-Triples; line order does not change the digest.

        >>> one, two = b'<http://a> <http://p> "1" .\n', b'<http://b> <http://p> "2" .\n'
        >>> a, b = GraphData.of("http://g", one + two), GraphData.of("http://g", two + one)
        >>> a.digest == b.digest, a.triples
        (True, 2)
        """
        lines = sorted(line for line in ntriples.splitlines() if line.strip())
        digest = hashlib.sha256(b"\n".join(lines)).hexdigest()
        return cls(graph_iri, ntriples, digest, len(lines))


def iter_graphs(store: ox.Store) -> Iterator[GraphData]:
    """Yield every named graph of a store, in IRI order (the order is that of a rerun too)."""
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    for name in names:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        yield GraphData.of(name, data or b"")


@contextlib.contextmanager
def open_source(path: Path) -> Iterator[ox.Store]:
    """Open what to push: a store folder (read-only), or a build file with named graphs.

    A file is loaded into memory with the ontology, so it pushes what a store built from the same
    records holds.

    Raises:
        InputError: no store or file there, or a file that is not valid RDF.
        UsageError: a file without named graphs (Turtle, N-Triples...): nothing to push per trial.
    """
    if path.is_dir():
        yield open_store(path, read_only=True)
        return
    if not path.is_file():
        raise InputError("no such store or file", file=str(path))
    fmt, gz = file_format(path)
    if not fmt.supports_datasets:
        raise UsageError(
            f"{path}: a {fmt.name} file has no named graphs to push; build to .nq or .trig, "
            "or push the store"
        )
    store = ox.Store()
    try:
        if gz:
            import gzip

            with gzip.open(path, "rb") as fh:
                store.load(fh.read(), fmt)
        else:
            store.load(path=str(path), format=fmt)
    except (SyntaxError, OSError, EOFError) as exc:
        raise InputError(f"not valid RDF: {exc}", file=str(path)) from exc
    load_ontology(store)
    yield store


def journal_path(source: Path) -> Path:
    """Return where the journal of pushes from ``source`` lives: beside it.

    >>> journal_path(Path("/data/kg/store")).as_posix()
    '/data/kg/store.push-journal.jsonl'
    """
    return source.parent / f"{source.name}.push-journal.jsonl"


class Journal:
    """What each target is known to hold: graph IRI -> content digest, appended as sent."""

    def __init__(self, path: Path, target: str) -> None:
        """Read what the journal at ``path`` (if any) says ``target`` holds."""
        self.path = path
        self.target = target
        self.sent: dict[str, str] = {}
        entries = 0
        if path.is_file():
            with path.open("rb") as fh:
                for line in fh:
                    try:
                        entry = orjson.loads(line)
                        graph, digest, where = entry["graph"], entry["digest"], entry["target"]
                    except (orjson.JSONDecodeError, KeyError, TypeError):
                        continue  # a line cut short by a crash: that graph was not recorded
                    entries += 1
                    if where == target:
                        self.sent[graph] = digest
        self._compact = entries > 4 * len(self.sent) + 1000

    def record(self, graphs: Iterable[GraphData]) -> None:
        """Append graphs the target now holds; on disk before this returns."""
        items = list(graphs)
        if not items:
            return
        lines = b"".join(
            orjson.dumps({"target": self.target, "graph": g.iri, "digest": g.digest}) + b"\n"
            for g in items
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab+") as fh:
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    lines = b"\n" + lines  # end a line a crash cut short: it stays unreadable
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())
        for g in items:
            self.sent[g.iri] = g.digest

    def compact(self) -> None:
        """Rewrite the file with one line per graph and target, when it has grown long."""
        if not self._compact or not self.path.is_file():
            return
        latest: dict[tuple[str, str], bytes] = {}
        with self.path.open("rb") as fh:
            for line in fh:
                try:
                    entry = orjson.loads(line)
                    latest[(entry["target"], entry["graph"])] = line.rstrip(b"\n") + b"\n"
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    continue
        part = self.path.with_name(self.path.name + ".part")
        part.write_bytes(b"".join(latest.values()))
        os.replace(part, self.path)


def value_keys(ntriples: bytes) -> set[tuple[str, str, object]]:
    r"""Return the triples as an engine that stores literals by value tells them apart.

    Virtuoso 7 stores numbers by value, booleans as the integers 1 and 0, and language tags in
    lower case, so ``"true"^^xsd:boolean`` and ``"1"^^xsd:integer`` of one subject and predicate
    are one triple there, two in RDF (and in pyoxigraph, which already folds ``"1.50"`` into
    ``"1.5"``). Other literals, IRIs and blank nodes are kept as written.

    >>> nt = (b'<http://s> <http://p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n'
    ...       b'<http://s> <http://p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    ...       b'<http://s> <http://p> "x"@en .\n')
    >>> len(value_keys(nt))
    2
    """
    keys: set[tuple[str, str, object]] = set()
    for triple in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES):
        keys.add((str(triple.subject), str(triple.predicate), _value(triple.object)))
    return keys


def _value(term: object) -> object:
    if not isinstance(term, ox.Literal):
        return str(term)
    if term.language:
        return ("lang", term.value, term.language.lower())
    datatype = term.datatype.value
    try:
        if datatype == _BOOLEAN:
            return ("number", Decimal(1 if term.value in ("true", "1") else 0))
        if datatype in _NUMBERS:
            number = Decimal(term.value.replace("INF", "Infinity"))
            return ("number", str(number) if number.is_nan() else number)
    except InvalidOperation:
        pass
    return str(term)

