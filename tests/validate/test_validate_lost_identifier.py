"""``kg validate`` finds a trial whatever it lost; a missing number is that trial's violation.

Real shared records are built to a file with the real CLI, then the file is broken the way a
hand edit or a faulty tool breaks it (the trial's ``dcterms:identifier`` gone, then also its
registry link and its type), and ``kg validate`` is run as a user runs it (a subprocess).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[2]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
BASE = "https://w3id.org/trialkg/"
IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
SAME_AS = ox.NamedNode("http://schema.org/sameAs")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
STUDY_IDENTIFIER = "https://w3id.org/trialkg/shapes#StudyIdentifier"
# One legacy XML and one API v2 record from the shared folder: the broken one and a sound one.
BROKEN, SOUND = "NCT00000125", "NCT00000410"
FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES}


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, check=False, cwd=REPO
    )


def built(tmp_path: Path, suffix: str, *inputs: Path) -> Path:
    out = tmp_path / f"built{suffix}"
    proc = kg("build", *map(str, inputs), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def without(path: Path, drop: set[ox.NamedNode], subject: ox.NamedNode) -> Path:
    """Write a copy of ``path`` without the subject's triples of the ``drop`` predicates."""
    fmt = FORMATS[path.suffix]
    kept = [
        q
        for q in ox.parse(path=str(path), format=fmt)
        if not (q.subject == subject and q.predicate in drop)
    ]
    out = path.with_name(f"broken{path.suffix}")
    out.write_bytes(ox.serialize(kept, format=fmt) or b"")
    return out


def validate_json(path: Path) -> tuple[int, dict[str, object]]:
    proc = kg("validate", str(path), "--format", "json", "--jobs", "1")
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def records() -> list[Path]:
    paths = [CTGOV / f"{BROKEN}.xml", CTGOV / f"{SOUND}.json"]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        pytest.fail(f"shared records missing: {missing}")
    return paths


def trial(nct: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}trial/{nct}")


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq"])
@pytest.mark.parametrize(
    "lost",
    [
        pytest.param({IDENTIFIER}, id="identifier"),
        pytest.param({IDENTIFIER, SAME_AS}, id="identifier+registry-link"),
    ],
)
def test_trial_without_identifier_is_a_violation_of_that_trial(
    tmp_path: Path, records: list[Path], suffix: str, lost: set[ox.NamedNode]
) -> None:
    source = built(tmp_path, suffix, *records)
    broken = without(source, lost, trial(BROKEN))
    # the file really lost the number (and the sound trial kept its own)
    left = {
        q.subject
        for q in ox.parse(path=str(broken), format=FORMATS[suffix])
        if q.predicate == IDENTIFIER
    }
    assert trial(BROKEN) not in left and trial(SOUND) in left

    code, report = validate_json(broken)

    assert code == 1
    assert report["trials"] == 2
    results = report["results"]
    assert isinstance(results, list)
    violations = [r for r in results if r["severity"] == "violation"]
    assert [(r["trial"], r["shape"], r["path"]) for r in violations] == [
        (BROKEN, STUDY_IDENTIFIER, f"<{IDENTIFIER.value}>")
    ]
    assert violations[0]["focus"] == {"type": "uri", "value": trial(BROKEN).value}


def test_trial_that_lost_number_link_and_type_is_found_by_its_provenance(
    tmp_path: Path, records: list[Path]
) -> None:
    source = built(tmp_path, ".ttl", *records)
    broken = without(source, {IDENTIFIER, SAME_AS, RDF_TYPE}, trial(BROKEN))

    code, report = validate_json(broken)

    assert code == 1
    assert report["trials"] == 2
    results = report["results"]
    assert isinstance(results, list)
    assert {r["trial"] for r in results if r["severity"] == "violation"} == {BROKEN}
    assert any(r["path"] == f"<{RDF_TYPE.value}>" for r in results)


def test_text_report_names_the_trial_and_exits_1(tmp_path: Path, records: list[Path]) -> None:
    broken = without(built(tmp_path, ".ttl", *records), {IDENTIFIER}, trial(BROKEN))

    proc = kg("validate", str(broken), "--jobs", "1")

    assert proc.returncode == 1, proc.stderr
    assert "no trial graphs" not in proc.stderr
    assert f"{BROKEN}: dcterms:identifier:" in proc.stdout
    assert "2 trials checked: 1 violation in 1 trial" in proc.stderr


def test_related_trials_are_not_taken_for_records(tmp_path: Path) -> None:
    """The seed page lists related trials (typed schema:MedicalStudy with a number): one record."""
    source = built(tmp_path, ".ttl", SEED)
    related = {
        q.object
        for q in ox.parse(path=str(source), format=ox.RdfFormat.TURTLE)
        if q.predicate.value.endswith("#relatedTrial")
    }
    assert related  # the seed does list related trials

    code, report = validate_json(source)

    assert code == 0
    assert report["trials"] == 1
