"""Validation findings and the three ways to print them: text for people, JSON, SHACL Turtle.

The text report has one line per finding: trial, field, message in words, the offending value and
the shape, in the ``file: record: field: message`` style of kg's error lines::

    NCT03737461: eligibility tkg:minimumAgeYears: the minimum age in years ...: "70.0"^^xsd:decimal
    [violation kgsh:EligibilityMinimumAgeYears]

(one line, wrapped here).
Findings of one shape that repeat over the numbered parts of a trial (87 sites without coordinates)
are folded into one line that counts them; JSON and Turtle keep every finding.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.validate._shapes import PREFIXES, compact, load_shapes

__all__ = ["Finding", "OutputFormat", "Report", "Severity", "format_report", "value_text"]


class Severity(StrEnum):
    """SHACL severities, most severe first."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"

    @classmethod
    def from_iri(cls, iri: str) -> Severity:
        """Return the severity of ``sh:Violation``, ``sh:Warning`` or ``sh:Info``.

        >>> Severity.from_iri("http://www.w3.org/ns/shacl#Warning")
        <Severity.WARNING: 'warning'>
        """
        return cls(iri.removeprefix(str(SH)).lower())

    @property
    def iri(self) -> str:
        """The ``sh:`` IRI of this severity."""
        return f"{SH}{self.value.capitalize()}"

    @property
    def rank(self) -> int:
        """0 for violations, 1 for warnings, 2 for infos."""
        return list(Severity).index(self)


class OutputFormat(StrEnum):
    """Formats of ``kg validate``'s report."""

    TEXT = "text"
    JSON = "json"
    TTL = "ttl"


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation result, located in a trial and ready to print.

    ``node`` is the focus node as a reader knows it: empty for the trial itself, its path under
    the trial ("site/3") for a part, under the base ("org/redacted") for a shared node. ``path`` is
    the result path in SPARQL syntax with full IRIs; ``value`` the offending value, if any.
    """

    trial: str
    severity: Severity
    focus: Node
    node: str
    path: str
    value: Node | None
    value_label: str
    message: str
    shape: str
    component: str

    @property
    def field(self) -> str:
        """The node and property, as printed: ``site/3 schema:geo``."""
        return " ".join(p for p in (self.node, compact_path(self.path)) if p)

    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Order by trial, severity, field, shape and value."""
        return (self.trial, self.severity.rank, self.field, self.shape, self.value_label)


@dataclass(slots=True)
class Report:
    """What validation found: findings of every trial checked, in a stable order."""

    trials: int = 0
    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        """Return how many findings have this severity."""
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def violations(self) -> int:
        """Number of violations."""
        return self.count(Severity.VIOLATION)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return self.count(Severity.WARNING)

    def sorted(self) -> list[Finding]:
        """Return the findings by trial, severity, field and shape."""
        return sorted(self.findings, key=Finding.sort_key)


_IRI_IN_PATH = re.compile(r"<([^<>]+)>")


def compact_path(path: str) -> str:
    """Write the IRIs of a SPARQL path as CURIEs where a prefix is known.

    >>> compact_path("<http://schema.org/address>/<http://schema.org/addressCountry>")
    'schema:address/schema:addressCountry'
    """
    return _IRI_IN_PATH.sub(lambda m: compact(m.group(1)), path)


def value_text(value: Node, label: str | None = None, limit: int = 120) -> str:
    r"""Print a value as a person reads it: a quoted literal with its datatype, or an IRI.

    >>> value_text(Literal("70.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))
    '"70.0"^^xsd:decimal'
    >>> value_text(Literal("a\nb"))
    '"a\\nb"'
    """
    if isinstance(value, Literal):
        text = str(value)
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        out = json.dumps(text, ensure_ascii=False)
        if value.language:
            return f"{out}@{value.language}"
        if value.datatype is not None:
            return f"{out}^^{compact(str(value.datatype))}"
        return out
    if label:
        return label
    if isinstance(value, URIRef):
        return compact(str(value))
    return f"_:{value}"


# --- text --------------------------------------------------------------------------------------

_NUMBERED = re.compile(r"(?<=/)\d+(?=/|$)")


def _line(trial: str, fld: str, f: Finding, value: str, tail: str = "") -> str:
    parts = [trial or "-", fld] if fld else [trial or "-"]
    parts.append(f.message)
    if value:
        parts.append(value)
    return ": ".join(parts) + f" [{f.severity.value} {compact(f.shape)}{tail}]"


def _text_lines(findings: list[Finding]) -> Iterator[str]:
    groups: dict[tuple[str, str, str, str, str, str], list[Finding]] = defaultdict(list)
    order: list[tuple[str, str, str, str, str, str]] = []
    for f in findings:
        key = (f.trial, f.severity.value, f.shape, f.message, f.path, _NUMBERED.sub("*", f.node))
        if key not in groups:
            order.append(key)
        groups[key].append(f)
    for key in order:
        group = groups[key]
        first = group[0]
        if len(group) == 1 or len({f.node for f in group}) == 1:
            for f in group:
                yield _line(f.trial, f.field, f, f.value_label)
            continue
        pattern = " ".join(p for p in (key[5], compact_path(first.path)) if p)
        values = {f.value_label for f in group}
        value = first.value_label if len(values) == 1 else f"{len(values)} values"
        nodes = ", ".join(f.node for f in group[:3]) + (", …" if len(group) > 3 else "")
        yield _line(first.trial, pattern, first, value, f"; {len(group)} nodes: {nodes}")


def format_text(report: Report) -> str:
    """Return the report for people: one line per finding, then totals by shape."""
    findings = report.sorted()
    lines = list(_text_lines(findings))
    trials_with = {sev: {f.trial for f in findings if f.severity is sev} for sev in Severity}
    if lines:
        lines.append("")
    lines.append(
        f"{report.trials:,} trials checked: {report.violations:,} violations"
        f" ({len(trials_with[Severity.VIOLATION]):,} trials), {report.warnings:,} warnings"
        f" ({len(trials_with[Severity.WARNING]):,} trials)"
    )
    per_shape = Counter((f.severity, f.shape) for f in findings)
    messages = {f.shape: f.message for f in findings}
    for (sev, shape), n in sorted(per_shape.items(), key=lambda kv: (kv[0][0].rank, -kv[1])):
        lines.append(f"  {n:>8,} {sev.value:<9} {compact(shape)}: {messages[shape]}")
    return "\n".join(lines) + "\n"


# --- JSON --------------------------------------------------------------------------------------


def _json_term(term: Node | None) -> dict[str, str] | None:
    """Write a term as in the SPARQL 1.1 JSON results format."""
    if term is None:
        return None
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    return {"type": "uri", "value": str(term)}


def format_json(report: Report) -> str:
    """Return the report as JSON: totals and every finding, terms as in SPARQL JSON results."""
    document = {
        "conforms": report.violations == 0,
        "trials": report.trials,
        "violations": report.violations,
        "warnings": report.warnings,
        "results": [
            {
                "trial": f.trial or None,
                "severity": f.severity.value,
                "field": f.field,
                "message": f.message,
                "value": _json_term(f.value),
                "focus": _json_term(f.focus),
                "path": f.path or None,
                "shape": f.shape,
                "component": f.component,
            }
            for f in report.sorted()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- SHACL Turtle ------------------------------------------------------------------------------


def _ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _copy(node: Node, triples: list[ox.Triple], done: set[Node]) -> None:
    """Copy the blank-node structure of a shape's path from the shapes graph into the report."""
    if not isinstance(node, BNode) or node in done:
        return
    done.add(node)
    graph = load_shapes().graph
    for p, o in graph.predicate_objects(node):
        triples.append(ox.Triple(ox.BlankNode(str(node)), ox.NamedNode(str(p)), _ox(o)))
        _copy(o, triples, done)


def format_turtle(report: Report) -> str:
    """Return the standard SHACL validation report graph (``sh:ValidationReport``) as Turtle.

    As the SHACL specification says, ``sh:conforms`` is false when there is any result, warnings
    included; kg's exit code only counts violations.
    """
    sh = str(SH)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    shapes = load_shapes().graph
    root = ox.BlankNode("report")
    triples = [
        ox.Triple(root, rdf_type, ox.NamedNode(sh + "ValidationReport")),
        ox.Triple(root, ox.NamedNode(sh + "conforms"), ox.Literal(not report.findings)),
    ]
    done: set[Node] = set()
    for n, f in enumerate(report.sorted(), 1):
        r = ox.BlankNode(f"r{n}")
        triples += [
            ox.Triple(root, ox.NamedNode(sh + "result"), r),
            ox.Triple(r, rdf_type, ox.NamedNode(sh + "ValidationResult")),
            ox.Triple(r, ox.NamedNode(sh + "focusNode"), _ox(f.focus)),
            ox.Triple(r, ox.NamedNode(sh + "resultSeverity"), ox.NamedNode(f.severity.iri)),
            ox.Triple(r, ox.NamedNode(sh + "sourceShape"), ox.NamedNode(f.shape)),
            ox.Triple(r, ox.NamedNode(sh + "sourceConstraintComponent"), ox.NamedNode(f.component)),
            ox.Triple(r, ox.NamedNode(sh + "resultMessage"), ox.Literal(f.message, language="en")),
        ]
        if f.value is not None:
            triples.append(ox.Triple(r, ox.NamedNode(sh + "value"), _ox(f.value)))
        shape_path = shapes.value(URIRef(f.shape), SH.path)
        if shape_path is not None:
            triples.append(ox.Triple(r, ox.NamedNode(sh + "resultPath"), _ox(shape_path)))
            _copy(shape_path, triples, done)
        elif f.path.startswith("<") and f.path.endswith(">") and f.path.count("<") == 1:
            path = ox.NamedNode(f.path[1:-1])
            triples.append(ox.Triple(r, ox.NamedNode(sh + "resultPath"), path))
    names = ("sh", "kgsh", "schema", "tkg", "dcterms", "bibo", "rdf", "xsd")
    prefixes = {name: PREFIXES[name] for name in names}
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
    return text.decode("utf-8")


def format_report(report: Report, fmt: OutputFormat) -> str:
    """Return the report in one of the output formats."""
    if fmt is OutputFormat.JSON:
        return format_json(report)
    if fmt is OutputFormat.TTL:
        return format_turtle(report)
    return format_text(report)
