"""The three ways to write findings as they come: text for people, JSON, SHACL Turtle.

The text report has one line per finding: trial, field, message in words, the offending value and
the shape, in the ``file: record: field: message`` style of kg's error lines::

    NCT03737461: eligibility tkg:minimumAgeYears: the minimum age in years ...: "70.0"^^xsd:decimal
    [violation kgsh:EligibilityMinimumAgeYears]

(one line, wrapped here).
Findings of one shape that repeat over the numbered parts of a trial (87 sites without coordinates)
are folded into one line that counts them; JSON and Turtle keep every finding. Findings come trial
by trial in the order the trials are checked (sorted within a trial), the cross-trial ones last.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO, cast

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.validate._report import Finding, OutputFormat, Report, Severity, compact_path
from kg.validate._shapes import PREFIXES, compact, load_shapes
from kg.wording import counted

__all__ = ["JsonWriter", "ReportWriter", "TextWriter", "TurtleWriter", "format_report", "writer"]


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


class ReportWriter:
    """Write findings as they come, then the totals; the base class writes nothing.

    Used as a context manager, it drops what it holds if the block raises.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, findings: list[Finding]) -> None:
        """Write one trial's findings (or the cross-trial ones)."""

    def close(self, report: Report) -> None:
        """Write what follows the findings (totals)."""

    def discard(self) -> None:
        """Drop what is held (a temporary file) without writing more."""

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


class TextWriter(ReportWriter):
    """One line per finding (or per folded group), then the totals by shape."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.lines = 0

    def write(self, findings: list[Finding]) -> None:
        """Write the lines of one trial's findings."""
        for line in _text_lines(sorted(findings, key=Finding.sort_key)):
            self.out.write(line + "\n")
            self.lines += 1

    def close(self, report: Report) -> None:
        """Write the totals: trials, violations and warnings, then a line per shape."""
        if self.lines:
            self.out.write("\n")
        self.out.write(
            f"{counted(report.trials, 'trial', sep=',')} checked: "
            f"{counted(report.violations, 'violation', sep=',')}"
            f" ({counted(report.trials_with(Severity.VIOLATION), 'trial', sep=',')}), "
            f"{counted(report.warnings, 'warning', sep=',')}"
            f" ({counted(report.trials_with(Severity.WARNING), 'trial', sep=',')})\n"
        )
        per_shape = sorted(report.per_shape.items(), key=lambda kv: (kv[0][0].rank, -kv[1]))
        for (sev, shape), n in per_shape:
            message = report.messages[shape]
            self.out.write(f"  {n:>8,} {sev.value:<9} {compact(shape)}: {message}\n")


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


def _json_result(f: Finding) -> dict[str, object]:
    return {
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


class JsonWriter(ReportWriter):
    """One JSON object: every finding under ``results``, then the totals.

    The results come first so that they can be written as they arrive.
    """

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.first = True

    def write(self, findings: list[Finding]) -> None:
        """Write one trial's findings as elements of ``results``."""
        for f in sorted(findings, key=Finding.sort_key):
            if self.first:
                self.out.write('{\n  "results": [')
            text = json.dumps(_json_result(f), ensure_ascii=False, indent=2)
            self.out.write(("\n" if self.first else ",\n") + _indent(text, "    "))
            self.first = False

    def close(self, report: Report) -> None:
        """Close ``results`` and write the totals."""
        totals = {
            "conforms": report.violations == 0,
            "trials": report.trials,
            "violations": report.violations,
            "warnings": report.warnings,
        }
        self.out.write('{\n  "results": [],' if self.first else "\n  ],")
        for n, (key, value) in enumerate(totals.items(), 1):
            comma = "," if n < len(totals) else ""
            self.out.write(f"\n  {json.dumps(key)}: {json.dumps(value)}{comma}")
        self.out.write("\n}\n")


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


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


_SH = str(SH)
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_TURTLE_PREFIXES = ("sh", "kgsh", "schema", "tkg", "dcterms", "bibo", "rdf", "xsd")


class TurtleWriter(ReportWriter):
    """The standard SHACL validation report graph (``sh:ValidationReport``) as Turtle.

    As the SHACL specification says, ``sh:conforms`` is false when there is any result, warnings
    included; kg's exit code only counts violations. Results go to a temporary N-Triples file as
    they come; closing writes it out as Turtle, streaming, and removes it.
    """

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        fd, name = tempfile.mkstemp(prefix="kg-validate-", suffix=".nt")
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        self.root = ox.BlankNode("report")
        self.results = 0
        self.done: set[Node] = set()
        self._emit([ox.Triple(self.root, _RDF_TYPE, ox.NamedNode(_SH + "ValidationReport"))])

    def _emit(self, triples: list[ox.Triple]) -> None:
        ox.serialize(triples, output=self.file, format=ox.RdfFormat.N_TRIPLES)

    def write(self, findings: list[Finding]) -> None:
        """Write one trial's findings as ``sh:result`` nodes."""
        shapes = load_shapes().graph
        triples: list[ox.Triple] = []
        for f in sorted(findings, key=Finding.sort_key):
            self.results += 1
            r = ox.BlankNode(f"r{self.results}")
            triples += [
                ox.Triple(self.root, ox.NamedNode(_SH + "result"), r),
                ox.Triple(r, _RDF_TYPE, ox.NamedNode(_SH + "ValidationResult")),
                ox.Triple(r, ox.NamedNode(_SH + "focusNode"), _ox(f.focus)),
                ox.Triple(r, ox.NamedNode(_SH + "resultSeverity"), ox.NamedNode(f.severity.iri)),
                ox.Triple(r, ox.NamedNode(_SH + "sourceShape"), ox.NamedNode(f.shape)),
                ox.Triple(
                    r, ox.NamedNode(_SH + "sourceConstraintComponent"), ox.NamedNode(f.component)
                ),
                ox.Triple(
                    r, ox.NamedNode(_SH + "resultMessage"), ox.Literal(f.message, language="en")
                ),
            ]
            if f.value is not None:
                triples.append(ox.Triple(r, ox.NamedNode(_SH + "value"), _ox(f.value)))
            shape_path = shapes.value(URIRef(f.shape), SH.path)
            if shape_path is not None:
                triples.append(ox.Triple(r, ox.NamedNode(_SH + "resultPath"), _ox(shape_path)))
                _copy(shape_path, triples, self.done)
            elif f.path.startswith("<") and f.path.endswith(">") and f.path.count("<") == 1:
                path = ox.NamedNode(f.path[1:-1])
                triples.append(ox.Triple(r, ox.NamedNode(_SH + "resultPath"), path))
        self._emit(triples)

    def close(self, report: Report) -> None:
        """Write the report graph as Turtle and remove the temporary file."""
        try:
            self._emit(
                [ox.Triple(self.root, ox.NamedNode(_SH + "conforms"), ox.Literal(not self.results))]
            )
            self.file.close()
            prefixes = {name: PREFIXES[name] for name in _TURTLE_PREFIXES}
            triples = ox.parse(path=self.path, format=ox.RdfFormat.N_TRIPLES)
            output = cast(IO[bytes], _TextOutput(self.out))
            ox.serialize(triples, output=output, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the temporary file."""
        self.file.close()
        self.path.unlink(missing_ok=True)


class _TextOutput(io.RawIOBase):
    """A binary stream writing UTF-8 bytes to a text stream (bytes may split a character)."""

    def __init__(self, out: TextIO) -> None:
        super().__init__()
        self.out = out
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.out.write(self.decoder.decode(bytes(data)))
        return len(data)


_WRITERS: dict[OutputFormat, type[ReportWriter]] = {
    OutputFormat.TEXT: TextWriter,
    OutputFormat.JSON: JsonWriter,
    OutputFormat.TTL: TurtleWriter,
}


def writer(fmt: OutputFormat, out: TextIO) -> ReportWriter:
    """Return the writer of a format; give it each trial's findings, then close it."""
    return _WRITERS[fmt](out)


def format_report(findings: Iterable[Finding], fmt: OutputFormat, *, trials: int) -> str:
    """Return a report of findings (grouped as a writer is given them: by trial) as a string."""
    report = Report(trials=trials)
    out = io.StringIO()
    by_trial: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_trial[f.trial].append(f)
    with writer(fmt, out) as w:
        for group in by_trial.values():
            report.add(group)
            w.write(group)
        w.close(report)
    return out.getvalue()
