"""Reports: a line per finding for people, JSON for programs, the SHACL report graph in Turtle."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from validate_support import NCT, graph_of, validate_all

from kg.terms import DEFAULT_BASE
from kg.validate import Finding, OutputFormat, format_report

SCHEMA = "http://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TRIAL = f"{DEFAULT_BASE}trial/{NCT}"


def _replace(quads: list[ox.Quad], node: str, prop: str, value: ox.Literal) -> list[ox.Quad]:
    s, p = ox.NamedNode(node), ox.NamedNode(prop)
    kept = [q for q in quads if not (q.subject == s and q.predicate == p)]
    return [*kept, ox.Quad(s, p, value, graph_of(NCT))]


def _without(quads: list[ox.Quad], prop: str) -> list[ox.Quad]:
    return [q for q in quads if q.predicate != ox.NamedNode(prop)]


def _format(findings: list[Finding], fmt: OutputFormat) -> str:
    return format_report(findings, fmt, trials=2)


@pytest.fixture(scope="module")
def bad_latitude(valid_quads: list[ox.Quad]) -> list[Finding]:
    value = ox.Literal("123.5", datatype=ox.NamedNode(XSD + "decimal"))
    quads = _replace(valid_quads, f"{TRIAL}/site/1/geo", SCHEMA + "latitude", value)
    return validate_all(quads)


def test_text_line_names_trial_field_message_value_and_shape(bad_latitude: list[Finding]) -> None:
    """One line says which trial, which field, what is wrong, the value and the shape."""
    lines = _format(bad_latitude, OutputFormat.TEXT).splitlines()
    assert lines[0] == (
        "NCT01234567: site/1/geo schema:latitude: a latitude is one xsd:decimal from -90 to 90:"
        ' "123.5"^^xsd:decimal [violation kgsh:GeoLatitude]'
    )


def test_text_report_ends_with_totals_by_shape(bad_latitude: list[Finding]) -> None:
    """After the findings: trials checked, violations and warnings, then a count per shape."""
    lines = _format(bad_latitude, OutputFormat.TEXT).splitlines()
    assert lines[-2:] == [
        "2 trials checked: 1 violation (1 trial), 0 warnings (0 trials)",
        "         1 violation kgsh:GeoLatitude: a latitude is one xsd:decimal from -90 to 90",
    ]


def test_a_node_level_shape_is_reported_with_its_field_and_value(
    valid_quads: list[ox.Quad],
) -> None:
    """An sh:or shape (a EudraCT number) names the property it is about and its value."""
    quads = _replace(
        valid_quads, f"{TRIAL}/identifier/2", SCHEMA + "value", ox.Literal("2017-2092-25")
    )
    text = _format(validate_all(quads), OutputFormat.TEXT)
    assert text.splitlines()[0] == (
        'NCT01234567: identifier/2 schema:value: a EudraCT number is YYYY-NNNNNN-CC: "2017-2092-25"'
        " [violation kgsh:EudraCTNumber]"
    )


def test_a_sparql_shape_is_reported_with_its_field_and_value(valid_quads: list[ox.Quad]) -> None:
    """The date-order constraint names the later date that comes too early."""
    value = ox.Literal("2018-12-31", datatype=ox.NamedNode(XSD + "date"))
    quads = _replace(valid_quads, TRIAL, SCHEMA + "endDate", value)
    findings = validate_all(quads)
    assert {(f.field, f.value_label) for f in findings} == {
        ("schema:endDate", '"2018-12-31"^^xsd:date')
    }


def test_findings_repeated_over_numbered_parts_fold_into_one_line(
    valid_quads: list[ox.Quad],
) -> None:
    """Two sites without coordinates are one line that counts and names them."""
    findings = validate_all(_without(valid_quads, SCHEMA + "geo"))
    lines = _format(findings, OutputFormat.TEXT).splitlines()
    assert lines[0] == (
        "NCT01234567: site/* schema:geo: the site has no coordinates"
        " [warning kgsh:SiteCoordinates; 2 nodes: site/1, site/2]"
    )


def test_json_report_lists_each_finding_with_terms_as_sparql_json(
    bad_latitude: list[Finding],
) -> None:
    """Programs get totals and each finding; values are typed as in SPARQL JSON results."""
    document = json.loads(_format(bad_latitude, OutputFormat.JSON))
    assert (document["conforms"], document["violations"], document["results"][0]) == (
        False,
        1,
        {
            "trial": NCT,
            "severity": "violation",
            "field": "site/1/geo schema:latitude",
            "message": "a latitude is one xsd:decimal from -90 to 90",
            "value": {"type": "literal", "value": "123.5", "datatype": XSD + "decimal"},
            "focus": {"type": "uri", "value": f"{TRIAL}/site/1/geo"},
            "path": "<http://schema.org/latitude>",
            "shape": "https://w3id.org/trialkg/shapes#GeoLatitude",
            "component": "http://www.w3.org/ns/shacl#MaxInclusiveConstraintComponent",
        },
    )


def _graph(report: list[Finding]) -> Graph:
    return Graph().parse(data=_format(report, OutputFormat.TTL), format="turtle")


def test_turtle_report_is_one_shacl_validation_report(bad_latitude: list[Finding]) -> None:
    """The report graph has one sh:ValidationReport, not conforming, with one result."""
    graph = _graph(bad_latitude)
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert (len(reports), graph.value(reports[0], SH.conforms)) == (1, Literal(False))
    assert len(list(graph.objects(reports[0], SH.result))) == 1


def test_turtle_result_carries_focus_path_value_shape_and_severity(
    bad_latitude: list[Finding],
) -> None:
    """Each result has the standard SHACL result properties."""
    graph = _graph(bad_latitude)
    result = next(graph.subjects(RDF.type, SH.ValidationResult))
    assert {
        p: graph.value(result, p)
        for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.resultSeverity)
    } == {
        SH.focusNode: URIRef(f"{TRIAL}/site/1/geo"),
        SH.resultPath: URIRef(SCHEMA + "latitude"),
        SH.value: Literal("123.5", datatype=URIRef(XSD + "decimal")),
        SH.sourceShape: URIRef("https://w3id.org/trialkg/shapes#GeoLatitude"),
        SH.resultSeverity: SH.Violation,
    }


def test_turtle_result_path_copies_a_sequence_path_of_the_shape(
    valid_quads: list[ox.Quad],
) -> None:
    """A site without a country is reported with the path schema:address/schema:addressCountry."""
    quads = [
        q
        for q in valid_quads
        if not (
            q.subject == ox.NamedNode(f"{TRIAL}/site/1/address")
            and q.predicate == ox.NamedNode(SCHEMA + "addressCountry")
        )
    ]
    graph = _graph(validate_all(quads))
    path = graph.value(next(graph.subjects(RDF.type, SH.ValidationResult)), SH.resultPath)
    assert list(Collection(graph, path)) == [  # type: ignore[arg-type]
        URIRef(SCHEMA + "address"),
        URIRef(SCHEMA + "addressCountry"),
    ]


def test_turtle_report_of_valid_data_conforms(valid_quads: list[ox.Quad]) -> None:
    """No result: sh:conforms true."""
    graph = _graph(validate_all(valid_quads))
    report = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms) == Literal(True)


def test_a_warning_alone_does_not_conform_in_shacl_but_does_for_kg(
    valid_quads: list[ox.Quad],
) -> None:
    """SHACL's sh:conforms counts every result; kg's 'conforms' and exit code only violations."""
    report = validate_all(_without(valid_quads, SCHEMA + "geo"))
    graph = _graph(report)
    shacl = graph.value(next(graph.subjects(RDF.type, SH.ValidationReport)), SH.conforms)
    assert (shacl, json.loads(_format(report, OutputFormat.JSON))["conforms"]) == (
        Literal(False),
        True,
    )
