"""Overall officials of every shared record: people are people, the rest are not, nothing is lost.

The officials are read here from the raw records (JSON ``overallOfficials``, XML
``overall_official``, the seed page's "Principal Investigators" lines) with plain dict, ElementTree
and line access. A text with a phone number, "Call ...", an organisation or function word, or no
name before its degrees is no person: its official must be an organisation node, the affiliation
(else the text), and the text must be kept. Every other official is a person whose honorific
suffix holds only degrees and credentials and whose titles (Dr, Prof, Professor, ...) are a prefix;
a part that is neither keeps the whole text.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[1]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
ROLES = {
    "Principal Investigator": "PRINCIPAL_INVESTIGATOR",
    "Study Chair": "STUDY_CHAIR",
    "Study Director": "STUDY_DIRECTOR",
    "Sub-Investigator": "SUB_INVESTIGATOR",
}
ROLE_PROPERTY = {
    "PRINCIPAL_INVESTIGATOR": "principalInvestigator",
    "STUDY_CHAIR": "studyChair",
    "STUDY_DIRECTOR": "studyDirector",
    "SUB_INVESTIGATOR": "subInvestigator",
}
# Every degree and credential the shared records write after a name, without dots and spaces.
DEGREES = set(
    """
    md do ms msc mbbs mbchb mph rn dnp aocn faan pt dpt tdpt ompt dc dsc scd dphil phd pharmd rph
    kmd cmd dm dnb mch mds bds bsc bs ma mba msw mhs mmed mrcp mdsci mdphd mchiromed mm facs facp
    facr fcp frcp frcpc frcsc frs mpth
    """.split()
)
TITLES = {"dr", "drs", "doctor", "prof", "professor", "associate professor", "assocprof", "sir"}
NOT_A_PERSON = re.compile(
    r"\d{3}-\d{3}-\d{4}|^Call |\b(?:LLC|INC|Inc|Ltd|Limited|Pharmaceuticals?|Sponsor|"
    r"Research & Development|Clinical|Trials?|Study|Director|Leader|Management|Transparency|"
    r"Operations|Call Center)\b"
)


def _fold(text: str) -> str:
    return re.sub(r"[.*]", "", " ".join(text.split())).casefold()


def _is_degree(part: str) -> bool:
    part = re.sub(r"\s*\([^()]*\)$", "", part)  # "MD (Radiation Oncology)", "MD(CN)"
    words = [w for w in re.split(r"[\s\-/]+", _fold(part)) if w]
    return _fold(part).replace(" ", "") in DEGREES or (bool(words) and set(words) <= DEGREES)


def _is_title(part: str) -> bool:
    folded = _fold(part)
    return folded in TITLES or all(w in TITLES for w in folded.split())


@dataclass
class Raw:
    nct: str
    text: str
    affiliation: str | None
    role: str | None

    @property
    def name(self) -> str:
        """The name before the first comma, without leading or trailing titles."""
        words = self.text.partition(",")[0].split()
        while len(words) > 1 and _is_title(words[0]):
            words.pop(0)
        while len(words) > 1 and _is_title(words[-1]):
            words.pop()
        return " ".join(words)

    @property
    def person(self) -> bool:
        name = self.name
        return not (NOT_A_PERSON.search(self.text) or not name or _is_degree(name))

    @property
    def parts(self) -> list[str]:
        return [p.strip() for p in self.text.partition(",")[2].split(",") if p.strip()]

    @property
    def org_affiliation(self) -> str | None:
        a = self.affiliation
        if not a or "@" in a or re.search(r"\d{3}-\d{3}-\d{4}", a) or _is_title(a):
            return None
        return a


def _raw_officials() -> list[Raw]:
    found = []
    for path in sorted(CTGOV.glob("*.json")):
        p = json.loads(path.read_text("utf-8"))["protocolSection"]
        nct = p["identificationModule"]["nctId"]
        for o in p.get("contactsLocationsModule", {}).get("overallOfficials", []):
            if (o.get("name") or "").strip():
                found.append(Raw(nct, o["name"].strip(), o.get("affiliation"), o.get("role")))
    for path in sorted(CTGOV.glob("*.xml")):
        root = ET.parse(path).getroot()  # noqa: S314 - the shared records
        nct = root.findtext("id_info/nct_id", "").strip()
        for o in root.findall("overall_official"):
            text = (o.findtext("last_name") or "").strip()
            if text:
                role = ROLES.get((o.findtext("role") or "").strip())
                found.append(Raw(nct, text, o.findtext("affiliation"), role))
    lines = [line.strip() for line in SEED.read_text("utf-8").splitlines()]
    start = lines.index("Principal Investigators") + 2  # after the section's explanation
    name, role, affiliation = lines[start : start + 3]
    found.append(Raw("NCT03737461", name, affiliation, role.removeprefix("Role: ")))
    return found


RAW = _raw_officials()
PREFIXES = """
PREFIX schema: <http://schema.org/>
PREFIX tkg: <https://w3id.org/trialkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
NODES = PREFIXES + """
SELECT ?nct ?prop ?o ?type ?name WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; ?prop ?o .
  VALUES ?prop { tkg:overallOfficial tkg:principalInvestigator tkg:studyChair tkg:studyDirector
                 tkg:subInvestigator }
  ?o a ?type . { ?o schema:name ?name } UNION { ?o schema:alternateName ?name } } }
"""
PEOPLE = PREFIXES + """
SELECT ?nct ?o ?name ?prefix ?suffix WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ;
  tkg:overallOfficial ?o . ?o a schema:Person ; schema:name ?name .
  OPTIONAL { ?o schema:honorificPrefix ?prefix } OPTIONAL { ?o schema:honorificSuffix ?suffix } } }
"""
NOTES = PREFIXES + """
SELECT ?nct ?note WHERE { GRAPH ?g { ?t dcterms:identifier ?nct ; tkg:officialNote ?note } }
"""


@dataclass
class Official:
    roles: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    prefix: str | None = None
    suffix: str | None = None


@dataclass
class Trial:
    officials: dict[str, Official] = field(default_factory=lambda: defaultdict(Official))
    notes: set[str] = field(default_factory=set)


def _rows(store: ox.Store, query: str) -> list[dict[str, str | None]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [
        {n: (None if row[n] is None else row[n].value) for n in names}  # type: ignore[union-attr]
        for row in result
    ]


@pytest.fixture(scope="module")
def graph(shared_store: ox.Store) -> dict[str, Trial]:
    trials: dict[str, Trial] = defaultdict(Trial)
    for r in _rows(shared_store, NODES):
        node = trials[str(r["nct"])].officials[str(r["o"])]
        node.roles.add(str(r["prop"]).rpartition("#")[2])
        node.types.add(str(r["type"]).rpartition("/")[2])
        node.names.add(str(r["name"]))
    for r in _rows(shared_store, PEOPLE):
        node = trials[str(r["nct"])].officials[str(r["o"])]
        node.prefix, node.suffix = r["prefix"], r["suffix"]
    for r in _rows(shared_store, NOTES):
        trials[str(r["nct"])].notes.add(str(r["note"]))
    return trials


def _with_role(trial: Trial, raw: Raw) -> list[Official]:
    role = ROLE_PROPERTY.get(raw.role or "", "overallOfficial")
    return [o for o in trial.officials.values() if role in o.roles and "overallOfficial" in o.roles]


@pytest.mark.parametrize("raw", RAW, ids=lambda r: f"{r.nct}-{r.text[:24]}")
def test_every_official_is_read_as_the_registry_wrote_it(raw: Raw, graph: dict[str, Trial]) -> None:
    """A person is a schema:Person under its role; anything else is an organisation and a note."""
    trial = graph[raw.nct]
    candidates = _with_role(trial, raw)
    if raw.person:
        people = [o for o in candidates if "Person" in o.types and raw.name in o.names]
        assert len(people) >= 1, (raw, candidates)
        unread = [p for p in raw.parts if not _is_degree(p) and not _is_title(p)]
        if unread:
            assert raw.text in trial.notes
        return
    org = raw.org_affiliation or raw.text
    found = [o for o in candidates if o.types == {"Organization"} and org in o.names]
    assert found, (raw, candidates)
    assert not [o for o in trial.officials.values() if "Person" in o.types and raw.text in o.names]
    assert raw.text in trial.notes or raw.text in found[0].names or raw.text.casefold().startswith(
        org.casefold().rstrip(".")
    )


def test_suffixes_are_degrees_and_prefixes_are_titles(graph: dict[str, Trial]) -> None:
    """No person's honorific suffix holds a title ("Professor", "Master") or an organisation."""
    suffixes = prefixes = 0
    for trial in graph.values():
        for official in trial.officials.values():
            if official.suffix is not None:
                suffixes += 1
                assert all(_is_degree(p) for p in official.suffix.split(", ")), official
            if official.prefix is not None:
                prefixes += 1
                assert _is_title(official.prefix), official
    assert suffixes > 400
    assert prefixes > 30


def test_the_issue_s_cases(graph: dict[str, Trial]) -> None:
    """The records the issue names: an LLC, a call-centre note, "Professor", "Master"."""
    janssen = graph["NCT05572515"]
    (director,) = [o for o in janssen.officials.values() if "studyDirector" in o.roles]
    assert director.types == {"Organization"}
    assert "Janssen Research & Development, LLC" in director.names
    assert "Janssen Research & Development, LLC Clinical Trial" in janssen.notes
    lilly = graph["NCT05514054"]
    (director,) = [o for o in lilly.officials.values() if "studyDirector" in o.roles]
    assert director.types == {"Organization"} and "Eli Lilly and Company" in director.names
    assert any(note.startswith("Call 1-877-CTLILLY") for note in lilly.notes)
    professors = [
        o for o in graph["NCT01640457"].officials.values() if "Person" in o.types
    ]
    assert {o.prefix for o in professors} == {"Professor"}
    assert {o.suffix for o in professors} == {None}
    (master,) = [o for o in graph["NCT03367052"].officials.values() if "Person" in o.types]
    assert master.suffix is None
    assert "chen guo, Master" in graph["NCT03367052"].notes


def test_the_shared_records_hold_every_kind(graph: dict[str, Trial]) -> None:
    """Organisation officials, contact notes and unread parts all occur: no test is vacuous."""
    not_people = [r for r in RAW if not r.person]
    assert len(not_people) >= 50
    assert sum(bool(re.search(r"\d{3}-\d{3}-\d{4}", r.text)) for r in not_people) >= 5
    assert len({r.nct for r in RAW}) >= 400
