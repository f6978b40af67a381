"""Small read helpers over a store for the views: values of a property, labels, inbound links.

Every read goes through ``quads_for_pattern`` (an index lookup), across all graphs, duplicates
removed, in a stable order. Labels of concepts come from the ontology graph.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from kg.ontology import ONTOLOGY_GRAPH

__all__ = ["BIBO", "DCT", "RDF", "RDFS", "SCHEMA", "SKOS", "TKG", "Reader", "Term", "local_name"]

SCHEMA = "http://schema.org/"
TKG = "https://w3id.org/trialkg/ontology#"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BIBO = "http://purl.org/ontology/bibo/"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_ONTOLOGY = ox.NamedNode(ONTOLOGY_GRAPH)
_LABELS = (SCHEMA + "name", SKOS + "prefLabel", RDFS + "label", DCT + "identifier")


def _sort_key(term: object) -> tuple[int, str]:
    if isinstance(term, ox.Literal):
        return (1, term.value)
    return (0, str(term))


Graph = ox.NamedNode | ox.BlankNode


class Reader:
    """Read values around one node of a store (all graphs, duplicates removed).

    ``label_graphs``: where labels are looked for first (a page's own record graphs). A sponsor,
    a country or a MeSH term is named in every trial graph that links to it (100,000 times for
    a country of a registry): reading all of them for every link took ~1 s a trial page at
    100,000 trials. A node named in none of those graphs has its labels read from all graphs.
    """

    def __init__(self, store: ox.Store, label_graphs: Sequence[Graph] = ()) -> None:
        self.store = store
        self.label_graphs = tuple(label_graphs)

    def objects(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[Term]:
        """Return the distinct objects of ``subject predicate ?o``, sorted."""
        p = ox.NamedNode(predicate)
        found = {q.object for q in self.store.quads_for_pattern(subject, p, None, None)}
        return sorted((o for o in found if isinstance(o, Term)), key=_sort_key)

    def nodes(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[ox.NamedNode]:
        """Return the IRI objects of ``subject predicate ?o``, sorted."""
        return [o for o in self.objects(subject, predicate) if isinstance(o, ox.NamedNode)]

    def texts(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[str]:
        """Return the literal values of ``subject predicate ?o``, sorted."""
        return [o.value for o in self.objects(subject, predicate) if isinstance(o, ox.Literal)]

    def text(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> str | None:
        """Return one literal value of ``subject predicate ?o`` (the first in order), or None."""
        values = self.texts(subject, predicate)
        return values[0] if values else None

    def types(self, subject: ox.NamedNode | ox.BlankNode) -> list[str]:
        """Return the IRIs of the node's classes."""
        return [o.value for o in self.nodes(subject, RDF + "type")]

    def has(self, subject: ox.NamedNode | ox.BlankNode, predicate: str, obj: Term) -> bool:
        """Tell whether the triple is stated in any graph."""
        p = ox.NamedNode(predicate)
        return next(iter(self.store.quads_for_pattern(subject, p, obj, None)), None) is not None

    def exists(self, node: ox.NamedNode) -> bool:
        """Tell whether a node is the subject or object of any data triple."""
        for quad in self.store.quads_for_pattern(node, None, None, None):
            if quad.graph_name != _ONTOLOGY:
                return True
        for quad in self.store.quads_for_pattern(None, None, node, None):
            if quad.graph_name != _ONTOLOGY:
                return True
        return False

    def subjects(
        self, predicate: str | None, obj: Term, limit: int | None = None
    ) -> list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]]:
        """Return distinct ``(subject, predicate)`` pairs pointing at ``obj`` (data graphs only)."""
        p = ox.NamedNode(predicate) if predicate else None
        seen: dict[tuple[str, str], tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]] = {}
        for quad in self.store.quads_for_pattern(None, p, obj, None):
            if quad.graph_name == _ONTOLOGY:
                continue
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode | ox.BlankNode):
                continue
            seen.setdefault((str(subject), quad.predicate.value), (subject, quad.predicate))
            if limit is not None and len(seen) >= limit:
                break
        return [seen[k] for k in sorted(seen)]

    def _own_literals(self, node: ox.NamedNode | ox.BlankNode, predicate: str) -> list[ox.Literal]:
        p = ox.NamedNode(predicate)
        found = {
            q.object
            for g in self.label_graphs
            for q in self.store.quads_for_pattern(node, p, None, g)
            if isinstance(q.object, ox.Literal)
        }
        return sorted(found, key=_sort_key)

    def find_label(self, node: ox.NamedNode | ox.BlankNode) -> str | None:
        """Return the node's stated label (English first), or None when it has none.

        The label the page's own graphs state wins (``label_graphs``); else all graphs are read.
        """
        for read in (self._own_literals, self._all_literals) if self.label_graphs else (
            self._all_literals,
        ):
            for predicate in _LABELS:
                literals = read(node, predicate)
                if literals:
                    english = [v for v in literals if v.language in (None, "en")]
                    return (english or literals)[0].value
        return None

    def _all_literals(self, node: ox.NamedNode | ox.BlankNode, predicate: str) -> list[ox.Literal]:
        return [v for v in self.objects(node, predicate) if isinstance(v, ox.Literal)]

    def label(self, node: Term) -> str:
        """Return a human label: schema:name, skos:prefLabel, rdfs:label, identifier, else IRI end.

        English labels win over others; a literal is its own label.
        """
        if isinstance(node, ox.Literal):
            return node.value
        found = self.find_label(node)
        if found is not None:
            return found
        return local_name(node.value) if isinstance(node, ox.NamedNode) else f"_:{node.value}"

    def walk_list(self, head: ox.NamedNode | ox.BlankNode) -> Iterator[Term]:
        """Yield the members of an RDF list (``rdf:first``/``rdf:rest``), guarding against loops."""
        seen: set[str] = set()
        node: Term = head
        while isinstance(node, ox.NamedNode | ox.BlankNode) and str(node) not in seen:
            if node == ox.NamedNode(RDF + "nil"):
                return
            seen.add(str(node))
            first = self.objects(node, RDF + "first")
            if first:
                yield first[0]
            rest = self.objects(node, RDF + "rest")
            if not rest:
                return
            node = rest[0]


def local_name(iri: str) -> str:
    """Return the last segment of an IRI (after ``#`` or ``/``).

    >>> local_name("https://w3id.org/trialkg/ontology#phase-PHASE2")
    'phase-PHASE2'
    """
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri
