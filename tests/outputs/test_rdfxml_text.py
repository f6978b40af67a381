"""RDF/XML keeps every literal: a carriage return survives, a control character is refused.

XML parsers turn a raw CR (and CR LF) into LF, so RDF/XML writes it as ``&#13;``; XML 1.0 cannot
carry the other C0 control characters at all, so ``kg build -o x.rdf`` refuses them with one line
instead of writing a file whose literal changed (or that no parser reads).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib

REPO = Path(__file__).resolve().parents[2]
RECORD = REPO.parent / "shared" / "data" / "ctgov" / "NCT00777179.json"
DESCRIPTION = "http://schema.org/description"


def _record(tmp_path: Path, summary: str) -> Path:
    record = json.loads(RECORD.read_bytes())
    record["protocolSection"]["descriptionModule"]["briefSummary"] = summary
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, check=False
    )


def _summaries(values: list[str]) -> list[str]:
    return sorted(v for v in values if v.startswith("Line one"))


def test_a_carriage_return_survives_rdf_xml(tmp_path: Path) -> None:
    record = _record(tmp_path, "Line one\r\nline two\rline three")
    out = tmp_path / "t.rdf"
    done = _kg("build", str(record), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert b"&#13;" in out.read_bytes()
    oxigraph = [
        t.object.value
        for t in ox.parse(path=str(out), format=ox.RdfFormat.RDF_XML)
        if t.predicate.value == DESCRIPTION
    ]
    graph = rdflib.Graph().parse(out, format="xml")
    via_rdflib = [str(o) for o in graph.objects(None, rdflib.URIRef(DESCRIPTION))]
    expected = ["Line one\r\nline two\rline three"]
    assert _summaries(oxigraph) == expected
    assert _summaries(via_rdflib) == expected


def test_a_control_character_is_refused_in_rdf_xml_only(tmp_path: Path) -> None:
    record = _record(tmp_path, "Line one\x01 bell")
    out = tmp_path / "t.rdf"
    done = _kg("build", str(record), "-o", str(out))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("kg: error:")]
    assert errors == [
        "kg: error: RDF/XML cannot carry the control character U+0001 of a literal; "
        "write N-Quads, Turtle or JSON-LD instead"
    ]
    assert not out.exists()
    assert list(tmp_path.glob(".t.rdf*")) == []  # no temporary file left behind
    assert _kg("build", str(record), "-o", str(tmp_path / "t.ttl")).returncode == 0
