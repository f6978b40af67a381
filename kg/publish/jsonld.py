"""JSON-LD compacted with the shipped context (``ontology/context.jsonld``), written as it streams.

:class:`Compactor` turns the triples of one subject into a node object that uses the context's
short names: a term when one maps the property and its type coercion fits the value
(``"startDate": "2019-02-18"``), an explicit value object when it does not
(``{"@value": "2019-02", "@type": "xsd:gYearMonth"}``), a name relative to ``@vocab``
(schema.org) or a compact IRI otherwise. Values never become JSON numbers or booleans, so every
lexical form survives a round trip. Terms with a ``@container`` are never chosen: our lists are
nodes with IRIs of their own, which ``@list`` would turn into blank nodes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
import pyoxigraph as ox

from kg.ontology import ONTOLOGY_DIR

__all__ = ["CONTEXT_FILE", "Compactor", "load_context", "write_jsonld"]

CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")


@functools.cache
def load_context(path: Path = CONTEXT_FILE) -> dict[str, Any]:
    """Return the shipped JSON-LD context object (the value of its ``@context``)."""
    doc = orjson.loads(path.read_bytes())
    context = doc["@context"]
    if not isinstance(context, dict):
        raise ValueError(f"{path}: @context is not an object")
    return context


class _Term:
    __slots__ = ("container", "iri", "name", "type")

    def __init__(self, name: str, iri: str, type_: str | None, container: str | None) -> None:
        self.name = name
        self.iri = iri
        self.type = type_
        self.container = container


@dataclass(frozen=True, slots=True)
class _Plan:
    """How the values of one property are written."""

    key: str  # the key for values no term fits (written as explicit value objects)
    key_is_coerced: bool
    id_term: str | None  # a term with "@type": "@id"
    string_term: str | None  # a term with no type coercion
    typed_terms: dict[str, str]  # datatype IRI -> a term coercing to it


class Compactor:
    """Compact node objects with one JSON-LD context (only the features our context uses).

    >>> c = Compactor()
    >>> c.vocab_iri("http://schema.org/MedicalTrial")
    'MedicalTrial'
    >>> c.vocab_iri("https://w3id.org/trialkg/ontology#Site")
    'Site'
    >>> c.id_iri("https://w3id.org/trialkg/ontology#phase-PHASE2")
    'tkg:phase-PHASE2'
    """

    def __init__(self, context: Mapping[str, Any] | None = None) -> None:
        """Read the term definitions of ``context`` (the shipped context by default)."""
        self.context: Mapping[str, Any] = context if context is not None else load_context()
        self.vocab: str | None = self.context.get("@vocab")
        self.prefixes: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        raw: dict[str, tuple[str, str | None, str | None]] = {}
        for name, value in self.context.items():
            if name.startswith("@"):
                continue
            if isinstance(value, str):
                if value.startswith("@"):
                    self.aliases[value] = name
                    continue
                raw[name] = (value, None, None)
                if ":" not in name and value.endswith(_GEN_DELIMS) and "://" in value:
                    self.prefixes[name] = value
            elif isinstance(value, dict) and isinstance(value.get("@id"), str):
                raw[name] = (value["@id"], value.get("@type"), value.get("@container"))
        self.terms: dict[str, _Term] = {}
        self._by_iri: dict[str, list[_Term]] = {}
        for name, (iri, type_, container) in raw.items():
            term = _Term(
                name,
                self._expand(iri),
                self._expand(type_) if type_ and not type_.startswith("@") else type_,
                container,
            )
            self.terms[name] = term
            self._by_iri.setdefault(term.iri, []).append(term)
        for terms in self._by_iri.values():
            terms.sort(key=lambda t: (len(t.name), t.name))
        self._id_key = self.aliases.get("@id", "@id")
        self._type_key = self.aliases.get("@type", "@type")
        self._namespaces = tuple(self.prefixes.values())
        self._vocab_cache: dict[str, str] = {}
        self._plans: dict[str, _Plan] = {}

    def _defined(self, name: str) -> bool:
        return name in self.terms or name in self.aliases.values()

    def _expand(self, value: str) -> str:
        prefix, sep, suffix = value.partition(":")
        if sep and not suffix.startswith("//") and prefix in self.prefixes:
            return self.prefixes[prefix] + suffix
        return value

    # --- IRIs ---------------------------------------------------------------------------------

    def curie(self, iri: str) -> str | None:
        """Return ``prefix:local`` for an IRI under one of the context's prefixes, or None."""
        if not iri.startswith(self._namespaces):
            return None
        best: tuple[str, str] | None = None
        for name, ns in self.prefixes.items():
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns) :]
                if local.startswith("//") or (best is not None and len(local) >= len(best[1])):
                    continue
                best = (name, local)
        return f"{best[0]}:{best[1]}" if best else None

    def vocab_iri(self, iri: str) -> str:
        """Compact an IRI used as a type (expanded relative to the vocabulary)."""
        cached = self._vocab_cache.get(iri)
        if cached is None:
            cached = self._vocab_cache[iri] = self._vocab_iri(iri)
        return cached

    def _vocab_iri(self, iri: str) -> str:
        for term in self._by_iri.get(iri, ()):
            if term.type is None and term.container is None:
                return term.name
        if self.vocab and iri.startswith(self.vocab):
            local = iri[len(self.vocab) :]
            if (
                local
                and ":" not in local
                and not local.startswith("@")
                and not self._defined(local)
            ):
                return local
        return self.id_iri(iri)

    def id_iri(self, iri: str) -> str:
        """Compact an IRI used as a node reference (a compact IRI, else the IRI itself)."""
        curie = self.curie(iri)
        return iri if curie is None else curie

    # --- values -------------------------------------------------------------------------------

    def _node_ref(self, term: ox.NamedNode | ox.BlankNode) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return self.id_iri(term.value)

    def _plan(self, predicate: str) -> _Plan:
        plan = self._plans.get(predicate)
        if plan is None:
            terms = [t for t in self._by_iri.get(predicate, ()) if t.container is None]
            key = terms[0].name if terms else self.vocab_iri(predicate)
            plan = self._plans[predicate] = _Plan(
                key=key,
                key_is_coerced=any(t.name == key and t.type is not None for t in terms),
                id_term=next((t.name for t in terms if t.type == "@id"), None),
                string_term=next((t.name for t in terms if t.type is None), None),
                typed_terms={
                    t.type: t.name for t in reversed(terms) if t.type and t.type[0] != "@"
                },
            )
        return plan

    def _value(self, predicate: str, obj: object) -> tuple[str, object]:
        plan = self._plan(predicate)
        if isinstance(obj, ox.NamedNode | ox.BlankNode):
            if plan.id_term is not None:
                return plan.id_term, self._node_ref(obj)
            return plan.key, {self._id_key: self._node_ref(obj)}
        if not isinstance(obj, ox.Literal):
            raise TypeError(f"cannot write {obj!r} in JSON-LD")
        if obj.language:
            return plan.key, {"@value": obj.value, "@language": obj.language}
        datatype = obj.datatype.value
        if datatype == _XSD_STRING:
            if plan.string_term is not None:
                return plan.string_term, obj.value
            if plan.key_is_coerced:  # the key coerces strings: say this one is a plain string
                return plan.key, {"@value": obj.value}
            return plan.key, obj.value
        term = plan.typed_terms.get(datatype)
        if term is not None:
            return term, obj.value
        return plan.key, {"@value": obj.value, "@type": self.vocab_iri(datatype)}

    def node(self, triples: Iterable[ox.Triple]) -> dict[str, object]:
        """Return the node object of one subject's triples (in the order given)."""
        node: dict[str, object] = {}
        types: list[str] = []
        values: dict[str, list[object]] = {}
        for t in triples:
            if not node:
                node[self._id_key] = self._node_ref(t.subject)  # type: ignore[arg-type]
            predicate = t.predicate.value
            if predicate == _RDF_TYPE and isinstance(t.object, ox.NamedNode):
                types.append(self.vocab_iri(t.object.value))
                continue
            key, value = self._value(predicate, t.object)
            values.setdefault(key, []).append(value)
        if types:
            node[self._type_key] = types[0] if len(types) == 1 else types
        for key in sorted(values):
            vals = values[key]
            node[key] = vals[0] if len(vals) == 1 else vals
        return node


def _indent(data: bytes, spaces: int) -> bytes:
    # orjson never writes a raw newline inside a string, so every newline is layout.
    return data.replace(b"\n", b"\n" + b" " * spaces)


def write_jsonld(
    groups: Iterable[list[ox.Triple]],
    out: IO[bytes],
    compactor: Compactor | None = None,
    *,
    context: object | None = None,
) -> int:
    """Write ``{"@context": ..., "@graph": [...]}``, one node per subject group; return triples.

    Args:
        groups: the triples of each subject (see :func:`kg.publish._dataset.iter_subject_groups`).
        out: a binary stream.
        compactor: the compactor (the shipped context by default).
        context: what to write as ``@context`` (default: the compactor's context, inline, so a
            reader needs no network).
    """
    comp = compactor or Compactor()
    ctx = comp.context if context is None else context
    out.write(b'{\n  "@context": ')
    out.write(_indent(orjson.dumps(ctx, option=orjson.OPT_INDENT_2), 2))
    out.write(b',\n  "@graph": [')
    count = 0
    first = True
    for triples in groups:
        if not triples:
            continue
        out.write(b"\n    " if first else b",\n    ")
        first = False
        out.write(_indent(orjson.dumps(comp.node(triples), option=orjson.OPT_INDENT_2), 4))
        count += len(triples)
    out.write(b"\n  ]\n}\n" if not first else b"]\n}\n")
    return count
