"""A scripted SPARQL store behind the fake endpoint: a real in-memory pyoxigraph store answers
queries, Graph Store Protocol writes and updates, and the test decides how writes misbehave."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import orjson
import pyoxigraph as ox

Answer = tuple[int, str, bytes]
HTML_FORM = (
    200,
    "text/html; charset=UTF-8",
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
    b'"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html><head><title>Virtuoso SPARQL 1.1 '
    b"Uniform RDF Graph Query Form</title></head><body><form></form></body></html>",
)


@dataclass
class FakeStore:
    """What the store holds, and how it answers writes."""

    store: ox.Store = field(default_factory=ox.Store)
    script: list[Answer] = field(default_factory=list)  # answered to the next writes instead
    every_write: Answer | None = None  # answered to every write, which stores nothing
    dataset_post: Answer | None = None  # answered to a POST without ?graph=, storing nothing
    lose: set[str] = field(default_factory=set)  # graphs whose writes keep one triple less
    by_value: bool = False  # store booleans as the integers 1 and 0, as Virtuoso 7 does
    writes: int = 0

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        parts = urlsplit(path)
        params = parse_qs(parts.query)
        if parts.path == "/query":
            if method == "POST":
                params = parse_qs(body.decode())
            return self._query(params["query"][0])
        if method == "GET":
            return 405, "text/plain", b"GET is not served here"
        self.writes += 1
        if self.script:
            return self.script.pop(0)
        if self.every_write is not None:
            return self.every_write
        if parts.path == "/update":
            self.store.update(body.decode())
            for graph in self.lose:
                self._lose(graph)
            return 204, "text/plain", b""
        graph = params.get("graph", [None])[0]
        if graph is None:
            if self.dataset_post is not None:
                return self.dataset_post
            self.store.load(body, ox.RdfFormat.N_QUADS)
        else:
            name = ox.NamedNode(graph)
            if method == "PUT":
                self.store.clear_graph(name) if name in self.store.named_graphs() else None
            self.store.load(body, ox.RdfFormat.N_TRIPLES, to_graph=name)
        for lost in self.lose:
            self._lose(lost)
        if self.by_value:
            self._booleans_as_integers()
        return 204, "text/plain", b""

    def _booleans_as_integers(self) -> None:
        boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
        for quad in list(self.store.quads_for_pattern(None, None, None, None)):
            term = quad.object
            if isinstance(term, ox.Literal) and term.datatype == boolean:
                number = ox.Literal("1" if term.value == "true" else "0",
                                    datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
                self.store.remove(quad)
                self.store.add(ox.Quad(quad.subject, quad.predicate, number, quad.graph_name))

    def _lose(self, graph: str) -> None:
        quads = list(self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        if quads:
            self.store.remove(max(quads, key=str))  # the same one every time

    def _query(self, text: str) -> Answer:
        result = self.store.query(text)
        if isinstance(result, ox.QueryTriples):
            return 200, "application/n-triples", result.serialize(format=ox.RdfFormat.N_TRIPLES)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        rows = [
            {n: {"type": "literal", "value": row[n].value} for n in names if row[n] is not None}
            for row in result
        ]
        doc = {"head": {"vars": names}, "results": {"bindings": rows}}
        return 200, "application/sparql-results+json", orjson.dumps(doc)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for quad in self.store.quads_for_pattern(None, None, None, None):
            if isinstance(quad.graph_name, ox.NamedNode):
                found[quad.graph_name.value] = found.get(quad.graph_name.value, 0) + 1
        return found
