"""Validate the graph against the SHACL shapes of ``ontology/shapes.ttl``, trial by trial.

::

    out = writer(OutputFormat.TEXT, sys.stdout)       # or JSON, TTL
    report = validate_store(open_store(path), jobs=2, on_findings=out.write, path=path)
    out.close(report)                                  # validate_file, validate_endpoint alike

Each trial's graph is validated as if on its own (the fast engine, or pyshacl; the shapes parsed
once per process, no inference; 40 trials to a run, kept apart) in a pool of worker processes, each
reading its trials' graphs from its own read-only handle on the store, so the time grows with the
number of trials and memory stays flat; the cross-trial shapes then run once as SPARQL over
the whole store. ``check_record`` is the same check for one record's N-Quads, as ``kg build
--validate`` uses it. The report only counts; findings stream to a writer (or any callable) trial
by trial, so memory does not grow with the number of trials either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.errors import InputError

if TYPE_CHECKING:  # the names are imported on first use (below): rdflib and pyshacl take ~0.4 s
    from kg.validate._convert import (
        to_rdflib,
    )
    from kg.validate._engine import (
        TRIAL_GRAPH as TRIAL_GRAPH,
    )
    from kg.validate._engine import (
        Labels,
        StoredTrial,
        TrialGraph,
        TrialResult,
        check_batch,
        check_trial,
        run_pyshacl,
        shacl_findings,
        undeclared_terms,
        validate_quads,
    )
    from kg.validate._options import Engine, OutputFormat
    from kg.validate._report import (
        Finding,
        Report,
        Severity,
    )
    from kg.validate._run import (
        cross_trial_findings,
        iter_results,
        iter_store_trials,
        load_file,
        validate_endpoint,
        validate_file,
        validate_nquads,
        validate_store,
    )
    from kg.validate._shapes import (
        SHAPES_NS,
        Shapes,
        declared_terms,
        load_shapes,
    )
    from kg.validate._shapes import (
        compact as compact,
    )
    from kg.validate._writers import (
        ReportWriter,
        format_report,
        writer,
    )

__all__ = [
    "SHAPES_NS",
    "Engine",
    "Finding",
    "Labels",
    "OutputFormat",
    "Report",
    "ReportWriter",
    "Severity",
    "Shapes",
    "StoredTrial",
    "TrialGraph",
    "TrialResult",
    "check_batch",
    "check_record",
    "check_trial",
    "cross_trial_findings",
    "declared_terms",
    "format_report",
    "iter_results",
    "iter_store_trials",
    "load_file",
    "load_shapes",
    "run_pyshacl",
    "shacl_findings",
    "to_rdflib",
    "undeclared_terms",
    "validate_endpoint",
    "validate_file",
    "validate_nquads",
    "validate_quads",
    "validate_store",
    "violation_error",
    "writer",
]

# Each public name and the module it comes from, imported on first use (PEP 562): a command that
# does not validate (most of them) never loads rdflib and pyshacl.
_LAZY = {
    "to_rdflib": "kg.validate._convert",
    "TRIAL_GRAPH": "kg.validate._engine",
    "Engine": "kg.validate._options",
    "Labels": "kg.validate._engine",
    "StoredTrial": "kg.validate._engine",
    "TrialGraph": "kg.validate._engine",
    "TrialResult": "kg.validate._engine",
    "check_batch": "kg.validate._engine",
    "check_trial": "kg.validate._engine",
    "run_pyshacl": "kg.validate._engine",
    "shacl_findings": "kg.validate._engine",
    "undeclared_terms": "kg.validate._engine",
    "validate_quads": "kg.validate._engine",
    "Finding": "kg.validate._report",
    "OutputFormat": "kg.validate._options",
    "Report": "kg.validate._report",
    "Severity": "kg.validate._report",
    "cross_trial_findings": "kg.validate._run",
    "iter_results": "kg.validate._run",
    "iter_store_trials": "kg.validate._run",
    "load_file": "kg.validate._run",
    "validate_endpoint": "kg.validate._run",
    "validate_file": "kg.validate._run",
    "validate_nquads": "kg.validate._run",
    "validate_store": "kg.validate._run",
    "SHAPES_NS": "kg.validate._shapes",
    "Shapes": "kg.validate._shapes",
    "compact": "kg.validate._shapes",
    "declared_terms": "kg.validate._shapes",
    "load_shapes": "kg.validate._shapes",
    "ReportWriter": "kg.validate._writers",
    "format_report": "kg.validate._writers",
    "writer": "kg.validate._writers",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def check_record(nquads: str, *, nct_id: str, trial_iri: str) -> list[Finding]:
    """Return the findings of one mapped record (its N-Quads text), as ``kg build`` makes them."""
    import pyoxigraph as ox

    from kg.validate._engine import validate_quads

    quads = ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    findings, _ = validate_quads(quads, trial=nct_id, trial_iri=trial_iri)
    return findings


def violation_error(nquads: str, *, graph: str, file: str) -> InputError | None:
    """Return the error line of a mapped record that breaks the shapes, or None when it holds.

    The line names the file, the record and the field of the first violation (in report order),
    and counts the others; warnings do not make a record invalid.

    Args:
        nquads: the record's N-Quads.
        graph: the record's named graph, ``<{base}graph/NCT...>`` or without angle brackets.
        file: the name of the document the record came from.
    """
    from kg.validate._engine import TRIAL_GRAPH
    from kg.validate._report import Finding, Severity
    from kg.validate._shapes import compact

    m = TRIAL_GRAPH.match(graph.strip("<>"))
    if m is None:
        raise ValueError(f"not a trial graph: {graph}")
    findings = check_record(nquads, nct_id=m["nct"], trial_iri=f"{m['base']}trial/{m['nct']}")
    violations = sorted(
        (f for f in findings if f.severity is Severity.VIOLATION), key=Finding.sort_key
    )
    if not violations:
        return None
    first = violations[0]
    message = f"{first.message}: {first.value_label}" if first.value_label else first.message
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    return InputError(
        f"breaks the SHACL shapes: {message} [{compact(first.shape)}]{more}",
        file=file,
        record=m["nct"],
        field=first.field or None,
    )
