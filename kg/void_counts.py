"""The dataset description's counts kept with the store, exact after every write.

``kg void`` (and ``kg serve``'s ``/void``) describe the data with VoID's figures: distinct triples
over the union of the data graphs (an organisation's name stated in each of its trials' graphs
counts once), triples per property, distinct subjects, entities (subject IRIs in the data's URI
space), entities per class and an example resource of a few main classes. Counted over the
store, they take ~15 minutes at 100,000 synthetic trials. This module keeps them in one named
graph, ``VOID_GRAPH``, written by every build and moved by every later write, so a description
reads a few hundred quads.

How a new store counts them without reading it back (:func:`count_graph`, in the build's
workers): a triple whose subject is the graph's own trial or graph node, or a node kg mints under
them (``{base}trial/NCT…/…``), is counted with that graph's own counts. Every other triple
(organisations, places, conditions, people, publications: stated again by each graph that names
them) is kept as a 128-bit digest of its N-Triples text, spilled to disk in buckets, and counted
once per distinct digest at the end (:class:`Tally`); its subject likewise. A 128-bit digest is
how the store itself names strings (Oxigraph's ``StrHash``). A triple about another trial's own
node (a web page names its related trials so) goes by digest too, and is also kept as text: at
the end the store is asked whether that trial's graph states it as well (then it was counted
twice, and once is taken back). A graph holding a blank node, or a decimal or floating-point
literal on a node it shares (the store keeps those by value, so two spellings are one term),
makes the build keep no figures (:attr:`GraphVoid.unsure`), and ``kg void`` counts the store.

How a write moves them (:func:`move`): given the quads the write added (absent before) and
removed (present before), each touched triple's presence over the data graphs before and after
is settled with a look-up or two in the store's indexes (a triple was present before when the
write removed it somewhere or a graph it did not add it to holds it now); the counts move by the
triples and subjects whose presence changed. A write too large to hold its quads in memory
(:data:`MOVE_LIMIT`) drops the graph instead: never a stale figure. The graph says how many data
graphs it was counted over; a store that holds another number was written by another program,
and its figures are not used (:func:`read`).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from kg.answers import ANSWERS_GRAPH
from kg.index import INDEX_PREDICATES
from kg.ontology import ONTOLOGY_GRAPH, PUBLICATIONS_ONTOLOGY_GRAPH
from kg.stats import STATS_GRAPH
from kg.terms import RDF, SCHEMA, TKG, integer, literal

__all__ = [
    "EXAMPLE_CLASSES",
    "MOVE_LIMIT",
    "NOT_DATA",
    "VOID_COUNTS_FORMAT",
    "VOID_GRAPH",
    "Change",
    "GraphVoid",
    "Tally",
    "VoidCounts",
    "count_graph",
    "data_filter",
    "drop",
    "first_examples",
    "move",
    "read",
    "write",
]

VOID_GRAPH = f"{STATS_GRAPH}/void"
VOID_COUNTS_FORMAT = "1"
NOT_DATA = frozenset(
    {ONTOLOGY_GRAPH, PUBLICATIONS_ONTOLOGY_GRAPH, STATS_GRAPH, ANSWERS_GRAPH, VOID_GRAPH}
)
"""The graphs that are not the records' data: the ontologies and the graphs kg derives."""

EXAMPLE_CLASSES = (
    SCHEMA + "MedicalTrial",
    SCHEMA + "MedicalObservationalStudy",
    SCHEMA + "Organization",
    SCHEMA + "Person",
    SCHEMA + "ScholarlyArticle",
)
"""The classes whose first IRI (in code-point order) is the description's example resource."""

MOVE_LIMIT = 1_000_000
"""Most quads (added and removed) a write moves the counts by; a larger one drops them."""

_TYPE = f"<{RDF}type>"
_TYPE_NODE = ox.NamedNode(f"{RDF}type")
_EXAMPLES = frozenset(f"<{c}>" for c in EXAMPLE_CLASSES)
_KEYS = frozenset(f"<{p}>" for p in INDEX_PREDICATES)  # look-up keys: not counted as subjects
_KEY_NODES = frozenset(ox.NamedNode(p) for p in INDEX_PREDICATES)
_DIGEST = 16
# Literals the store keeps by value, not by text ("0.50" and "0.5" decimals are one term): a
# digest of their text could count one twice. kg writes integers, dates and booleans one way each.
_CANONICALISED = tuple(
    f'"^^<http://www.w3.org/2001/XMLSchema#{t}>' for t in ("decimal", "double", "float")
)
_BUCKETS = 64
_FLUSH = 1 << 20  # records held before they are written to the buckets
_ONE = np.array([1], dtype="<u4")  # a subject's key: in the URI space
_ZERO = np.array([0], dtype="<u4")


@dataclass(slots=True)
class VoidCounts:
    """The figures: triples by predicate (index predicates too), entities by class, subjects."""

    uri_space: str
    triples: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    subjects: int = 0
    entities: int = 0
    examples: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GraphVoid:
    """One record graph's share, counted by the build's worker (terms in N-Triples form).

    ``own`` counts the triples about the graph's own nodes by predicate (and ``own_classes`` their
    types by class). The other triples go as digests (``_DIGEST`` bytes each): ``shared``, with
    ``shared_index`` giving each one's predicate in ``shared_keys`` (16-bit numbers), and
    ``class_shared`` those of their types by class likewise; ``subjects_in`` and
    ``subjects_out`` hold the other subjects' digests, in the URI space and not.
    """

    own: tuple[tuple[str, int], ...] = ()
    own_classes: tuple[tuple[str, int], ...] = ()
    own_subjects: int = 0
    shared: bytes = b""
    shared_index: bytes = b""
    shared_keys: tuple[str, ...] = ()
    class_shared: bytes = b""
    class_index: bytes = b""
    class_keys: tuple[str, ...] = ()
    subjects_in: bytes = b""
    subjects_out: bytes = b""
    examples: tuple[tuple[str, str], ...] = ()
    uri_space: str = ""
    homed: tuple[tuple[str, str, str, str], ...] = ()
    """Triples about another trial's own node (a web page's related trials), with that trial's
    graph: that graph may state them too, so the store is asked at the end."""
    unsure: bool = False


def _home(base: str) -> re.Pattern[str]:
    return re.compile("<" + re.escape(base) + r"(?:trial|graph)/(NCT\d{8})(?=[>/#])")


_HOMES: dict[str, re.Pattern[str]] = {}


def count_graph(graph: str, triples: Iterable[tuple[str, str, str]], base: str) -> GraphVoid:
    """Count one record's graph (``<…/graph/NCT…>``) from its distinct triples."""
    home = _HOMES.get(base)
    if home is None:
        home = _HOMES[base] = _home(base)
    own_id = graph[graph.rfind("/") + 1 : -1]
    rows = triples if isinstance(triples, list | tuple) else list(triples)
    if any(o.startswith("_:") for _, _, o in rows):
        return GraphVoid(unsure=True)
    own: set[str] = set()
    homes: dict[str, str] = {}  # another trial's own node -> that trial's graph
    for s in {t[0] for t in rows}:
        if s.startswith("_:"):
            return GraphVoid(unsure=True)
        m = home.match(s)
        if m is None:
            continue
        if m.group(1) == own_id:
            own.add(s)
        else:
            homes[s] = f"<{base}graph/{m.group(1)}>"
    mine = [t for t in rows if t[0] in own]
    others = [t for t in rows if t[0] not in own]
    if any(o.endswith(_CANONICALISED) for _, _, o in others):
        return GraphVoid(unsure=True)  # the store may hold two spellings of it as one
    types = [t for t in rows if t[1] == _TYPE and t[2].startswith("<")]
    examples: dict[str, str] = {}  # class -> its first IRI (code-point order, as SPARQL's MIN)
    for s, _, o in types:
        if o in _EXAMPLES and (o not in examples or s[1:-1] < examples[o]):
            examples[o] = s[1:-1]
    blake = hashlib.blake2b
    digests = [blake(f"{s} {p} {o}".encode(), digest_size=_DIGEST).digest() for s, p, o in others]
    keys: dict[str, int] = {}
    index = array("H", [keys.setdefault(p, len(keys)) for _, p, _ in others])
    class_keys: dict[str, int] = {}
    class_digests: list[bytes] = []
    class_index = array("H")
    for (_, p, o), digest in zip(others, digests, strict=True):
        if p == _TYPE and o.startswith("<"):
            class_digests.append(digest)
            class_index.append(class_keys.setdefault(o, len(class_keys)))
    named = {s for s, p, _ in rows if p not in _KEYS}  # VoID's subjects: of a fact, not a key
    space = "<" + base
    outside = [s for s in named if s not in own]
    return GraphVoid(
        own=tuple((p[1:-1], n) for p, n in Counter(t[1] for t in mine).items()),
        own_classes=tuple(
            (o[1:-1], n) for o, n in Counter(o for s, _, o in types if s in own).items()
        ),
        own_subjects=len(named) - len(outside),  # minted under the base: entities too
        shared=b"".join(digests),
        shared_index=index.tobytes(),
        shared_keys=tuple(p[1:-1] for p in keys),
        class_shared=b"".join(class_digests),
        class_index=class_index.tobytes(),
        class_keys=tuple(o[1:-1] for o in class_keys),
        subjects_in=b"".join(
            blake(s.encode(), digest_size=_DIGEST).digest() for s in outside if s.startswith(space)
        ),
        subjects_out=b"".join(
            blake(s.encode(), digest_size=_DIGEST).digest()
            for s in outside
            if not s.startswith(space)
        ),
        examples=tuple((o[1:-1], s) for o, s in examples.items()),
        uri_space=base,
        homed=tuple((s, p, o, homes[s]) for s, p, o in others if s in homes),
    )


_RECORD = np.dtype([("hi", "<u8"), ("lo", "<u8"), ("key", "<u4"), ("seq", "<u4")])


class _Buckets:
    """Digest records (digest, key, graph number) spilled to files by the digest's first byte."""

    def __init__(self, folder: Path, name: str) -> None:
        self.paths = [folder / f"{name}-{i:02d}" for i in range(_BUCKETS)]
        for path in self.paths:
            path.write_bytes(b"")
        self._pending: list[tuple[bytes, bytes | None, np.ndarray, int]] = []
        self._held = 0

    def add(self, digests: bytes, index: bytes | None, keys: np.ndarray, seq: int) -> None:
        """One graph's digests; ``index`` numbers each one's key in ``keys`` (None: ``keys[0]``)."""
        n = len(digests) // _DIGEST
        if not n:
            return
        self._pending.append((digests, index, keys, seq))
        self._held += n
        if self._held >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending, self._held = self._pending, [], 0
        counts = np.array([len(d) // _DIGEST for d, _, _, _ in pending], dtype=np.intp)
        pairs = np.frombuffer(b"".join(d for d, _, _, _ in pending), dtype="<u8").reshape(-1, 2)
        local = np.concatenate([
            np.frombuffer(i, dtype="<u2").astype(np.intp) if i is not None
            else np.zeros(len(d) // _DIGEST, dtype=np.intp)
            for d, i, _, _ in pending
        ])
        tables = [k for _, _, k, _ in pending]
        starts = np.cumsum([0, *(len(k) for k in tables[:-1])])
        rec = np.empty(len(pairs), dtype=_RECORD)
        rec["hi"], rec["lo"] = pairs[:, 0], pairs[:, 1]
        rec["key"] = np.concatenate(tables)[local + np.repeat(starts, counts)]
        rec["seq"] = np.repeat(np.array([q for _, _, _, q in pending], dtype="<u4"), counts)
        bucket = (rec["hi"] & (_BUCKETS - 1)).astype(np.intp)
        order = np.argsort(bucket, kind="stable")
        rec, bucket = rec[order], bucket[order]
        bounds = np.searchsorted(bucket, np.arange(_BUCKETS + 1))
        for i in range(_BUCKETS):
            if bounds[i] < bounds[i + 1]:
                with self.paths[i].open("ab") as fh:
                    fh.write(rec[bounds[i] : bounds[i + 1]].tobytes())

    def distinct(self, dropped: set[int]) -> Iterator[np.ndarray]:
        """Each bucket's records of the graphs kept, one per distinct digest."""
        self.flush()
        gone = np.fromiter(dropped, dtype="<u4", count=len(dropped))
        for path in self.paths:
            rec = np.fromfile(path, dtype=_RECORD)
            if len(gone):
                rec = rec[~np.isin(rec["seq"], gone)]
            if len(rec):  # sorted by digest (lexsort: 8x faster than unique on records)
                rec = rec[np.lexsort((rec["lo"], rec["hi"]))]
                first = np.ones(len(rec), dtype=bool)
                first[1:] = (rec["hi"][1:] != rec["hi"][:-1]) | (rec["lo"][1:] != rec["lo"][:-1])
                yield rec[first]


class Tally:
    """A new store's figures, summed as its graphs' counts come; a graph can be taken back."""

    def __init__(self, folder: Path, uri_space: str) -> None:
        self._dir = tempfile.TemporaryDirectory(dir=folder, prefix=".kg-void-")
        where = Path(self._dir.name)
        self.uri_space = uri_space
        self.unsure = False
        self._triples = _Buckets(where, "triples")
        self._classes = _Buckets(where, "classes")
        self._subjects = _Buckets(where, "subjects")
        self._keys: dict[str, int] = {}
        self._names: list[str] = []
        self._tables: dict[tuple[str, ...], np.ndarray] = {}  # a graph's keys: their numbers
        self._seq = 0
        self._dropped: set[int] = set()
        self._by_graph: dict[str, int] = {}
        self._own: Counter[str] = Counter()
        self._own_classes: Counter[str] = Counter()
        self._own_subjects = 0
        self._examples: dict[str, str] = {}
        self._examples_unsure = False
        self._homed: dict[tuple[str, str, str, str], set[int]] = {}

    def _ids(self, names: tuple[str, ...]) -> np.ndarray:
        ids = self._tables.get(names)
        if ids is None:
            for name in names:
                if name not in self._keys:
                    self._keys[name] = len(self._names)
                    self._names.append(name)
            ids = self._tables[names] = np.array([self._keys[n] for n in names], dtype="<u4")
        return ids

    def add(self, graph: str, counts: GraphVoid) -> None:
        """Add one graph's counts (a graph added again: :meth:`remove` its first counts)."""
        if counts.unsure or counts.uri_space != self.uri_space:
            self.unsure = True
            return
        self._seq += 1
        seq = self._by_graph[graph] = self._seq
        self._own.update(dict(counts.own))
        self._own_classes.update(dict(counts.own_classes))
        self._own_subjects += counts.own_subjects
        self._triples.add(counts.shared, counts.shared_index, self._ids(counts.shared_keys), seq)
        self._classes.add(
            counts.class_shared, counts.class_index, self._ids(counts.class_keys), seq
        )
        self._subjects.add(counts.subjects_in, None, _ONE, seq)
        self._subjects.add(counts.subjects_out, None, _ZERO, seq)
        for cls, iri in counts.examples:
            if cls not in self._examples or iri < self._examples[cls]:
                self._examples[cls] = iri
        for item in counts.homed:
            self._homed.setdefault(item, set()).add(seq)

    def remove(self, graph: str, counts: GraphVoid) -> None:
        """Take back the counts of a graph added before (a merged record's first source)."""
        if counts.unsure:
            return
        seq = self._by_graph.pop(graph, None)
        if seq is None:
            self.unsure = True
            return
        self._dropped.add(seq)
        self._own.subtract(dict(counts.own))
        self._own_classes.subtract(dict(counts.own_classes))
        self._own_subjects -= counts.own_subjects
        if any(self._examples.get(cls) == iri for cls, iri in counts.examples):
            self._examples_unsure = True  # the first one may be gone: asked of the store

    def counts(self, store: ox.Store) -> VoidCounts | None:
        """The figures of every graph added (None when some graph made them unsure)."""
        try:
            if self.unsure:
                return None
            out = VoidCounts(self.uri_space)
            out.triples.update(self._own)
            out.classes.update(self._own_classes)
            out.subjects = out.entities = self._own_subjects
            for table, buckets in ((out.triples, self._triples), (out.classes, self._classes)):
                for rec in buckets.distinct(self._dropped):
                    for key, n in enumerate(np.bincount(rec["key"])):
                        if n:
                            table[self._names[key]] += int(n)
            for rec in self._subjects.distinct(self._dropped):
                out.subjects += len(rec)
                out.entities += int(rec["key"].sum())
            self._settle_homed(store, out)
            out.triples, out.classes = +out.triples, +out.classes
            if self._examples_unsure:
                out.examples = first_examples(store)
            else:
                out.examples = dict(self._examples)
            return out
        finally:
            self._dir.cleanup()

    def _settle_homed(self, store: ox.Store, out: VoidCounts) -> None:
        """Count once what a graph states about another trial's node that its graph states too.

        Such a triple was counted with its own graph's and again by its digest; so was its
        subject, when a fact of that graph has it.
        """
        live = [t for t, seqs in self._homed.items() if seqs - self._dropped]
        if not live:
            return
        lines = "".join(f"{s} {p} {o} .\n" for s, p, o, _ in live).encode("utf-8")
        parsed = list(ox.parse(lines, ox.RdfFormat.N_TRIPLES))
        subjects: dict[object, ox.NamedNode] = {}
        for (_, _, _, graph), t in zip(live, parsed, strict=True):
            g = ox.NamedNode(graph[1:-1])
            if t.predicate not in _KEY_NODES:
                subjects[t.subject] = g
            if next(store.quads_for_pattern(t.subject, t.predicate, t.object, g), None) is None:
                continue
            out.triples[t.predicate.value] -= 1
            if t.predicate == _TYPE_NODE and isinstance(t.object, ox.NamedNode):
                out.classes[t.object.value] -= 1
        for subject, g in subjects.items():
            quads = store.quads_for_pattern(subject, None, None, g)  # type: ignore[arg-type]
            if any(q.predicate not in _KEY_NODES for q in quads):
                out.subjects -= 1
                out.entities -= 1  # the node of a trial: minted under the base

    def discard(self) -> None:
        """Forget everything (a failed build)."""
        self._dir.cleanup()


def _select(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)  # noqa: S101 - a SELECT query
    return list(result)


def data_filter(var: str) -> str:
    """A FILTER expression: ``var`` is a graph of the records' data."""
    return " && ".join(f"{var} != <{g}>" for g in sorted(NOT_DATA))


def _first_example(store: ox.Store, cls: str) -> str | None:
    text = (
        f"SELECT (MIN(STR(?s)) AS ?first) WHERE {{ GRAPH ?g {{ ?s {_TYPE} <{cls}> }} "
        f"FILTER({data_filter('?g')} && isIRI(?s)) }}"
    )
    (row,) = _select(store, text)
    first = row["first"]
    return first.value if first is not None else None


def first_examples(store: ox.Store) -> dict[str, str]:
    """The first IRI (code-point order) of each of the main classes the data graphs type."""
    out = {}
    for cls in EXAMPLE_CLASSES:
        first = _first_example(store, cls)
        if first is not None:
            out[cls] = first
    return out


# --- a write's changes -----------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    """The quads a write added (absent before) and removed (present before), netted.

    Steps are recorded in order (:meth:`added`, :meth:`removed`); a quad a later step takes back
    cancels out. ``too_large`` once more than :data:`MOVE_LIMIT` quads were recorded.
    """

    add: set[ox.Quad] = field(default_factory=set)
    drop: set[ox.Quad] = field(default_factory=set)
    too_large: bool = False

    def added(self, quads: Iterable[ox.Quad]) -> None:
        """Quads a step added, each absent before it."""
        if self.too_large:
            return
        for q in quads:
            if q in self.drop:
                self.drop.discard(q)
            else:
                self.add.add(q)
        self._check()

    def removed(self, quads: Iterable[ox.Quad]) -> None:
        """Quads a step removed, each present before it."""
        if self.too_large:
            return
        for q in quads:
            if q in self.add:
                self.add.discard(q)
            else:
                self.drop.add(q)
        self._check()

    def replaced(self, old: Iterable[ox.Quad], new: Iterable[ox.Quad]) -> None:
        """A graph's quads before and after it was replaced."""
        if self.too_large:
            return
        before, after = set(old), set(new)
        self.removed(before - after)
        self.added(after - before)

    def _check(self) -> None:
        if len(self.add) + len(self.drop) > MOVE_LIMIT:
            self.too_large = True
            self.add.clear()
            self.drop.clear()


def _is_data(graph: object) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value not in NOT_DATA


def move(store: ox.Store, counts: VoidCounts, change: Change) -> VoidCounts | None:
    """Move the figures by a write's changes, looked up in the store after the write.

    Returns None when the change was too large to track (the figures are then dropped).
    """
    if change.too_large:
        return None
    added: dict[tuple[object, object, object], set[object]] = {}
    removed: set[tuple[object, object, object]] = set()
    for q in change.add:
        if _is_data(q.graph_name):
            added.setdefault((q.subject, q.predicate, q.object), set()).add(q.graph_name)
    for q in change.drop:
        if _is_data(q.graph_name):
            removed.add((q.subject, q.predicate, q.object))
    subjects: set[object] = set()
    first_gone = False
    new_first: dict[str, str] = {}
    for t in added.keys() | removed:
        s, p, o = t
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            return None
        subjects.add(s)
        gave = added.get(t, set())
        before, after = t in removed, False
        for q in store.quads_for_pattern(s, p, o, None):  # type: ignore[arg-type]
            if _is_data(q.graph_name):
                after = True
                if q.graph_name not in gave:
                    before = True
                    break
        if before == after:
            continue
        step = 1 if after else -1
        assert isinstance(p, ox.NamedNode)  # noqa: S101 - a predicate is an IRI
        counts.triples[p.value] += step
        if p == _TYPE_NODE and isinstance(o, ox.NamedNode):
            counts.classes[o.value] += step
            if o.value in EXAMPLE_CLASSES and isinstance(s, ox.NamedNode):
                if after and s.value < new_first.get(o.value, "\U0010ffff"):
                    new_first[o.value] = s.value
                if not after and counts.examples.get(o.value) == s.value:
                    first_gone = True
    added_quads = {q for q in change.add if _is_data(q.graph_name)}
    dropped_subjects = {
        q.subject
        for q in change.drop
        if _is_data(q.graph_name) and q.predicate not in _KEY_NODES
    }
    for s in subjects:
        before, after = s in dropped_subjects, False
        for q in store.quads_for_pattern(s, None, None, None):  # type: ignore[arg-type]
            if _is_data(q.graph_name) and q.predicate not in _KEY_NODES:
                after = True
                if q not in added_quads:
                    before = True
                    break
        if before == after:
            continue
        step = 1 if after else -1
        counts.subjects += step
        if isinstance(s, ox.NamedNode) and s.value.startswith(counts.uri_space):
            counts.entities += step
    counts.triples, counts.classes = +counts.triples, +counts.classes
    if first_gone:
        counts.examples = first_examples(store)
    else:
        for cls, iri in new_first.items():
            if cls not in counts.examples or iri < counts.examples[cls]:
                counts.examples[cls] = iri
    return counts


# --- the graph -------------------------------------------------------------------------------

_VOID = "http://rdfs.org/ns/void#"
_G = ox.NamedNode(VOID_GRAPH)
_FORMAT = ox.NamedNode(f"{TKG}voidCountsFormat")
_GRAPHS = ox.NamedNode(f"{TKG}dataGraphCount")


def _node(kind: str, iri: str) -> str:
    digest = hashlib.sha1(iri.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
    return f"<{VOID_GRAPH}/{kind}/{digest}>"


def nquads(counts: VoidCounts) -> Iterator[str]:
    """The figures as N-Quads lines of ``VOID_GRAPH`` (in VoID's own terms)."""
    g = f"<{VOID_GRAPH}>"

    def q(s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} {g} .\n"

    yield q(g, f"<{_FORMAT.value}>", literal(VOID_COUNTS_FORMAT))
    yield q(g, f"<{_VOID}uriSpace>", literal(counts.uri_space))
    yield q(g, f"<{_VOID}distinctSubjects>", integer(counts.subjects))
    yield q(g, f"<{_VOID}entities>", integer(counts.entities))
    for p, n in sorted(counts.triples.items()):
        node = _node("property", p)
        yield q(g, f"<{_VOID}propertyPartition>", node)
        yield q(node, f"<{_VOID}property>", f"<{p}>")
        yield q(node, f"<{_VOID}triples>", integer(n))
    for c, n in sorted(counts.classes.items()):
        node = _node("class", c)
        yield q(g, f"<{_VOID}classPartition>", node)
        yield q(node, f"<{_VOID}class>", f"<{c}>")
        yield q(node, f"<{_VOID}entities>", integer(n))
        if c in counts.examples:
            yield q(node, f"<{_VOID}exampleResource>", f"<{counts.examples[c]}>")


def data_graphs(store: ox.Store) -> int:
    """How many data graphs the store holds (the figures say for how many they were counted)."""
    return sum(1 for g in store.named_graphs() if _is_data(g))


def write(store: ox.Store, counts: VoidCounts | None) -> None:
    """Replace ``VOID_GRAPH`` with the figures (None: drop it; kg void then counts the store)."""
    drop(store)
    if counts is not None:
        text = "".join(nquads(counts))
        text += f"<{VOID_GRAPH}> <{_GRAPHS.value}> {integer(data_graphs(store))} <{VOID_GRAPH}> .\n"
        store.bulk_load(text.encode("utf-8"), ox.RdfFormat.N_QUADS)


def drop(store: ox.Store) -> None:
    """Remove the figures (a write that cannot move them)."""
    if store.contains_named_graph(_G):
        store.remove_graph(_G)


def _int(term: object) -> int:
    if not isinstance(term, ox.Literal):
        raise ValueError("not a count")
    return int(term.value)


def read(store: ox.Store) -> VoidCounts | None:
    """The figures kept with the store; None when it has none (an older kg's, a large write).

    Also None when the store holds another number of data graphs than they were counted for: a
    graph written by another program (kg does not see what it holds).
    """
    head: dict[str, list[object]] = {}
    nodes: dict[object, dict[str, object]] = {}
    for quad in store.quads_for_pattern(None, None, None, _G):
        name = quad.predicate.value.rsplit("#", 1)[-1]
        if quad.subject == _G:
            head.setdefault(name, []).append(quad.object)
        else:
            nodes.setdefault(quad.subject, {})[name] = quad.object
    formats = [t.value for t in head.get("voidCountsFormat", []) if isinstance(t, ox.Literal)]
    spaces = [t.value for t in head.get("uriSpace", []) if isinstance(t, ox.Literal)]
    if formats != [VOID_COUNTS_FORMAT] or len(spaces) != 1:
        return None
    graphs = head.get("dataGraphCount", [])
    if len(graphs) != 1 or not isinstance(graphs[0], ox.Literal):
        return None
    if int(graphs[0].value) != data_graphs(store):
        return None
    try:
        counts = VoidCounts(spaces[0])
        counts.subjects = _int(head["distinctSubjects"][0])
        counts.entities = _int(head["entities"][0])
        for node in head.get("propertyPartition", []):
            row = nodes[node]
            prop = row["property"]
            assert isinstance(prop, ox.NamedNode)  # noqa: S101 - written so
            counts.triples[prop.value] = _int(row["triples"])
        for node in head.get("classPartition", []):
            row = nodes[node]
            cls = row["class"]
            assert isinstance(cls, ox.NamedNode)  # noqa: S101 - written so
            counts.classes[cls.value] = _int(row["entities"])
            example = row.get("exampleResource")
            if isinstance(example, ox.NamedNode):
                counts.examples[cls.value] = example.value
    except (KeyError, ValueError):
        return None
    return counts
