"""Legacy XML carries what it has: status details, contacts, responsible party, IPD plan, oversight.

Each fact is read here from the raw XML of every shared record with plain lxml (its own label
tables, written from public.xsd), then compared with kg's reader, and for the graph with the triples
``kg build`` writes from the same records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from lxml import etree

from kg import model
from kg.build import build
from kg.sinks import FileSink
from kg.sources.ctgov_xml import parse_xml_study
from kg.terms import DEFAULT_BASE

REPO = Path(__file__).resolve().parents[2]
CTGOV = REPO.parent / "shared" / "data" / "ctgov"
RECORDS = sorted(CTGOV.glob("*.xml"))
TKG = "https://w3id.org/trialkg/ontology#"
SDO = "http://schema.org/"
INFO_TYPES = {  # public.xsd ipd_info_type labels -> API v2 infoTypes codes
    "Study Protocol": "STUDY_PROTOCOL",
    "Statistical Analysis Plan (SAP)": "SAP",
    "Informed Consent Form (ICF)": "ICF",
    "Clinical Study Report (CSR)": "CSR",
    "Analytic Code": "ANALYTIC_CODE",
}


def _text(el: etree._Element, path: str) -> str | None:
    found = el.find(path)
    text = None if found is None else (found.text or "").strip()
    return text or None


def _code(label: str | None) -> str | None:
    """ "Sponsor-Investigator" -> "SPONSOR_INVESTIGATOR", as the v2 codes spell the XML labels."""
    return None if label is None else re.sub(r"[^A-Z0-9]+", "_", label.upper())


def _flag(el: etree._Element, path: str) -> bool | None:
    return {"Yes": True, "No": False, None: None}[_text(el, path)]


def _month(text: str | None) -> str | None:
    if text is None:
        return None
    for fmt, iso in (("%B %d, %Y", "%Y-%m-%d"), ("%B %Y", "%Y-%m")):
        try:
            return dt.datetime.strptime(text, fmt).strftime(iso)
        except ValueError:
            continue
    raise AssertionError(f"not a registry date: {text!r}")


def _contacts(parent: etree._Element, *tags: str) -> list[tuple[str | None, ...]]:
    out = []
    for tag in tags:
        for c in parent.findall(tag):
            phone = " ext. ".join(p for p in (_text(c, "phone"), _text(c, "phone_ext")) if p)
            out.append((_text(c, "last_name"), "CONTACT", _text(c, "email"), phone or None))
    return out


def _raw_site_contacts(site: etree._Element) -> list[tuple[str | None, ...]]:
    people = _contacts(site, "contact", "contact_backup")
    people += [
        (_text(i, "last_name"), _code(_text(i, "role")), None, None)
        for i in site.findall("investigator")
    ]
    return people


def _kg_contacts(contacts: tuple[model.Contact, ...]) -> list[tuple[str | None, ...]]:
    return [(c.name, c.role.value if c.role else None, c.email, c.phone) for c in contacts]


def _pairs() -> Iterator[tuple[etree._Element, model.Trial]]:
    for path in RECORDS:
        root = etree.parse(str(path)).getroot()
        yield root, parse_xml_study(root, path.name)


@pytest.fixture(scope="module")
def pairs() -> list[tuple[etree._Element, model.Trial]]:
    if not RECORDS:
        pytest.fail(f"no shared XML records in {CTGOV}")
    return list(_pairs())


def test_status_details_equal_the_raw_xml(pairs: list[tuple[etree._Element, model.Trial]]) -> None:
    for root, trial in pairs:
        assert trial.why_stopped == _text(root, "why_stopped"), trial.nct_id
        verified = trial.status_verified.iso() if trial.status_verified else None
        assert verified == _month(_text(root, "verification_date")), trial.nct_id
        last = trial.last_known_status.value if trial.last_known_status else None
        assert last == _code(_text(root, "last_known_status")), trial.nct_id
        aliases = [(a.text or "").strip() for a in root.findall("id_info/nct_alias")]
        assert list(trial.nct_aliases) == aliases, trial.nct_id


def test_oversight_flags_equal_the_raw_xml(pairs: list[tuple[etree._Element, model.Trial]]) -> None:
    for root, trial in pairs:
        assert trial.has_dmc == _flag(root, "oversight_info/has_dmc"), trial.nct_id
        drug = _flag(root, "oversight_info/is_fda_regulated_drug")
        device = _flag(root, "oversight_info/is_fda_regulated_device")
        assert (trial.fda_regulated_drug, trial.fda_regulated_device) == (drug, device)


def _present(
    pairs: list[tuple[etree._Element, model.Trial]], tag: str, field: str
) -> Iterator[tuple[etree._Element, Any, str]]:
    """Yield (element, kg's value, NCT id) where the record has the element; else kg has None."""
    for root, trial in pairs:
        el, value = root.find(tag), getattr(trial, field)
        assert (el is None) == (value is None), (trial.nct_id, tag)
        if el is not None:
            yield el, value, trial.nct_id


def test_responsible_party_equals_the_raw_xml(
    pairs: list[tuple[etree._Element, model.Trial]],
) -> None:
    for rp, party, nct in _present(pairs, "responsible_party", "responsible_party"):
        assert (party.type.value if party.type else None) == _code(
            _text(rp, "responsible_party_type")
        )
        name = _text(rp, "investigator_full_name") or _text(rp, "name_title")
        place = _text(rp, "investigator_affiliation") or _text(rp, "organization")
        got = (party.investigator_name, party.investigator_title, party.investigator_affiliation)
        assert got == (name, _text(rp, "investigator_title"), place), nct


def test_ipd_plan_equals_the_raw_xml(pairs: list[tuple[etree._Element, model.Trial]]) -> None:
    for pd, ipd, nct in _present(pairs, "patient_data", "ipd"):
        assert (ipd.sharing.value if ipd.sharing else None) == _code(_text(pd, "sharing_ipd"))
        assert [t.value for t in ipd.info_types] == [
            INFO_TYPES[(t.text or "").strip()] for t in pd.findall("ipd_info_type")
        ], nct
        assert (ipd.description, ipd.time_frame, ipd.access_criteria, ipd.url) == (
            _text(pd, "ipd_description"), _text(pd, "ipd_time_frame"),
            _text(pd, "ipd_access_criteria"), _text(pd, "ipd_url"),
        ), nct  # fmt: skip


def test_central_contacts_equal_the_raw_xml(
    pairs: list[tuple[etree._Element, model.Trial]],
) -> None:
    seen = 0
    for root, trial in pairs:
        raw = _contacts(root, "overall_contact", "overall_contact_backup")
        assert _kg_contacts(trial.central_contacts) == raw, trial.nct_id
        seen += len(raw)
    assert seen > 0


def test_site_contacts_equal_the_raw_xml(pairs: list[tuple[etree._Element, model.Trial]]) -> None:
    seen = 0
    for root, trial in pairs:
        # kg keeps every location with any data; the shared XML records have a facility in each
        raw_sites = root.findall("location")
        assert len(trial.locations) == len(raw_sites), trial.nct_id
        for site, location in zip(raw_sites, trial.locations, strict=True):
            raw = _raw_site_contacts(site)
            assert _kg_contacts(location.contacts) == raw, (trial.nct_id, location.facility)
            seen += len(raw)
    assert seen > 2000  # 1,121 contacts, 4 backups and 1,134 investigators in the shared records


# --- in the graph ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    out = tmp_path_factory.mktemp("xml-admin") / "xml.nq"
    build([str(p) for p in RECORDS], FileSink(out), base=DEFAULT_BASE, contact_details=True)
    store = ox.Store()
    store.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    return store


def _objects(store: ox.Store, s: ox.NamedNode | ox.BlankNode, p: str) -> list[ox.NamedNode]:
    """The nodes a property points to (kg mints contacts and sites as IRIs, never blank nodes)."""
    found = [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]
    assert all(isinstance(o, ox.NamedNode) for o in found), found
    return [o for o in found if isinstance(o, ox.NamedNode)]


def _values(store: ox.Store, s: ox.NamedNode | ox.BlankNode, p: str) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(s, ox.NamedNode(p), None)}


def test_graph_carries_the_xml_administration(graph: ox.Store) -> None:
    for root, _ in _pairs():
        nct = _text(root, "id_info/nct_id")
        trial = ox.NamedNode(f"{DEFAULT_BASE}trial/{nct}")
        why = _text(root, "why_stopped")
        assert _values(graph, trial, TKG + "whyStopped") == ({why} if why else set()), nct
        verified = _month(_text(root, "verification_date"))
        assert _values(graph, trial, TKG + "statusVerifiedDate") == (
            {verified} if verified else set()
        ), nct
        dmc = _flag(root, "oversight_info/has_dmc")
        expected = set() if dmc is None else {str(dmc).lower()}
        assert _values(graph, trial, TKG + "hasDataMonitoringCommittee") == expected, nct
        sharing = _code(_text(root, "patient_data/sharing_ipd"))
        got = {v.rsplit("-", 1)[-1] for v in _values(graph, trial, TKG + "ipdSharing")}
        assert got == ({sharing} if sharing else set()), nct
        central = _objects(graph, trial, TKG + "centralContact")
        raw_central = _contacts(root, "overall_contact", "overall_contact_backup")
        names = {v for c in central for v in _values(graph, c, SDO + "name")}
        assert names == {c[0] for c in raw_central if c[0]}, nct
        sites = _objects(graph, trial, TKG + "site")
        site_contacts = sum(len(_objects(graph, s, TKG + "siteContact")) for s in sites)
        raw_contacts = sum(len(_raw_site_contacts(s)) for s in root.findall("location"))
        assert site_contacts == raw_contacts, nct
