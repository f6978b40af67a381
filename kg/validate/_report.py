"""Validation findings and what a report keeps of them: counts by severity and shape.

A :class:`Report` only counts (trials, findings by severity and shape); the findings themselves go
to a writer (``kg.validate._writers``) as each trial's arrive, so memory does not grow with the
registry.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.validate._options import OutputFormat
from kg.validate._shapes import compact

__all__ = ["Finding", "OutputFormat", "Report", "Severity", "compact_path", "value_text"]


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
    """What validation found, counted: trials checked, findings by severity and shape.

    It holds no finding: give them to a :class:`ReportWriter` (or collect them yourself) as they
    come. It names the trials that have a violation or a warning (one name a trial, not a finding).
    """

    trials: int = 0
    per_shape: Counter[tuple[Severity, str]] = field(default_factory=Counter)
    messages: dict[str, str] = field(default_factory=dict)
    failing: dict[Severity, set[str]] = field(
        default_factory=lambda: {severity: set() for severity in Severity}
    )

    def add(self, findings: Iterable[Finding]) -> None:
        """Count findings (of one trial, or the cross-trial ones)."""
        for f in findings:
            self.per_shape[f.severity, f.shape] += 1
            self.messages.setdefault(f.shape, f.message)
            self.failing[f.severity].add(f.trial)

    def count(self, severity: Severity) -> int:
        """Return how many findings have this severity."""
        return sum(n for (sev, _), n in self.per_shape.items() if sev is severity)

    def trials_with(self, severity: Severity) -> int:
        """Return how many trials have a finding of this severity."""
        return len(self.failing[severity])

    @property
    def findings(self) -> int:
        """Number of findings."""
        return sum(self.per_shape.values())

    @property
    def violations(self) -> int:
        """Number of violations."""
        return self.count(Severity.VIOLATION)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return self.count(Severity.WARNING)


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
