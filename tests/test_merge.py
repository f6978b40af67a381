"""One trial from many sources: one node, one set of sponsors, newest facts, both sources kept."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.merge import merge_trials
from kg.model import PartialDate, SourceInfo, Sponsor, SponsorRole, Status, Trial
from kg.sinks import FileSink, StoreSink

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "000_9a170ffc83e8bfff.txt"
TRIAL = "https://w3id.org/trialkg/trial/NCT03737461"


def api_record(
    status: str = "ACTIVE_NOT_RECRUITING", version: str = "2025-10-15"
) -> dict[str, object]:
    """An API v2 record of the seed trial, written for this test (a shortened, plausible record)."""
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": "NCT03737461",
                "orgStudyIdInfo": {"id": "RECHMPL17_0206"},
                "briefTitle": (
                    "Efficacy of Intradiscal Injection of BM-MSC in Subjects With Chronic LBP"
                ),
                "acronym": "RESPINE",
            },
            "statusModule": {
                "overallStatus": status,
                "startDateStruct": {"date": "2019-02-18", "type": "ACTUAL"},
                "completionDateStruct": {"date": "2026-03-08", "type": "ESTIMATED"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": "University Hospital, Montpellier", "class": "OTHER"},
                "collaborators": [
                    {"name": "Citospin", "class": "INDUSTRY"},
                    {"name": "Nantes University Hospital", "class": "OTHER"},
                ],
            },
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2", "PHASE3"],
                "enrollmentInfo": {"count": 114, "type": "ACTUAL"},
            },
        },
        "derivedSection": {"miscInfoModule": {"versionHolder": version}},
    }


@pytest.fixture
def merged_store(tmp_path: Path) -> ox.Store:
    api = tmp_path / "NCT03737461.json"
    api.write_text(json.dumps(api_record()), "utf-8")
    out = tmp_path / "merged.nq"
    report = build([str(SEED), str(api)], FileSink(out))
    assert (report.records, report.merged, report.errors) == (1, 1, [])
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    return store


def values(store: ox.Store, prop: str) -> list[str]:
    quads = store.quads_for_pattern(ox.NamedNode(TRIAL), ox.NamedNode(prop), None)
    return sorted(q.object.value for q in quads)


def test_page_and_api_record_are_one_trial_in_one_graph(merged_store: ox.Store) -> None:
    graphs = {q.graph_name.value for q in merged_store}
    assert graphs == {"https://w3id.org/trialkg/graph/NCT03737461"}
    assert values(merged_store, "http://purl.org/dc/terms/identifier") == ["NCT03737461"]


def test_one_set_of_sponsors_with_the_lead_from_the_api_record(merged_store: ox.Store) -> None:
    sponsors = values(merged_store, "http://schema.org/sponsor")
    assert len(sponsors) == 17
    (lead,) = values(merged_store, "https://w3id.org/trialkg/ontology#leadSponsor")
    assert lead in sponsors
    assert len(values(merged_store, "https://w3id.org/trialkg/ontology#collaborator")) == 2


def test_newest_source_wins_single_valued_facts(merged_store: ox.Store) -> None:
    assert values(merged_store, "https://w3id.org/trialkg/ontology#enrollment") == ["114"]
    assert len(values(merged_store, "http://schema.org/name")) == 1


def test_page_only_facts_survive_the_merge(merged_store: ox.Store) -> None:
    assert len(values(merged_store, "https://w3id.org/trialkg/ontology#relatedTrial")) == 5
    assert len(values(merged_store, "https://w3id.org/trialkg/ontology#site")) == 9


def test_both_sources_are_in_provenance(merged_store: ox.Store) -> None:
    result = merged_store.query(
        """SELECT ?format ?date WHERE { GRAPH ?g {
             ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?s .
             ?s <https://w3id.org/trialkg/ontology#sourceFormat> ?format ;
                <https://w3id.org/trialkg/ontology#sourceDate> ?date } } ORDER BY ?date"""
    )
    assert isinstance(result, ox.QuerySolutions)
    assert [(r["format"].value, r["date"].value) for r in result] == [  # type: ignore[union-attr]
        ("web-page", "2025-09-30"),
        ("ctgov-json", "2025-10-15"),
    ]


def _trial(fmt: str, date: str, status: Status, sponsors: tuple[Sponsor, ...]) -> Trial:
    return Trial(
        "NCT01234567",
        SourceInfo(f"x.{fmt}", fmt, PartialDate.parse(date)),
        status=status,
        sponsors=sponsors,
    )


def test_merge_is_order_independent_and_newest_wins() -> None:
    old = _trial(
        "web-page",
        "2024-01-01",
        Status.RECRUITING,
        (Sponsor("Acme", None, SponsorRole.UNSPECIFIED),),
    )
    new = _trial(
        "ctgov-json", "2025-01-01", Status.COMPLETED, (Sponsor("ACME", None, SponsorRole.LEAD),)
    )
    assert merge_trials([old, new]) == merge_trials([new, old])
    merged = merge_trials([old, new])
    assert merged.status is Status.COMPLETED
    assert merged.sponsors == (Sponsor("ACME", None, SponsorRole.LEAD),)
    assert merged.other_sources == (old.source,)


def test_merging_different_trials_is_refused() -> None:
    a = _trial("web-page", "2024-01-01", Status.RECRUITING, ())
    b = Trial("NCT07654321", a.source)
    with pytest.raises(ValueError, match="different trials"):
        merge_trials([a, b])


def test_rebuilding_the_shared_folder_with_one_record_changed_leaves_no_old_triple(
    tmp_path: Path,
) -> None:
    store_dir = tmp_path / "store"
    api = tmp_path / "NCT03737461.json"
    api.write_text(json.dumps(api_record(status="RECRUITING", version="2025-10-15")), "utf-8")
    build([str(api)], StoreSink(store_dir))
    api.write_text(json.dumps(api_record(status="COMPLETED", version="2025-11-01")), "utf-8")
    build([str(api)], StoreSink(store_dir))
    store = ox.Store.read_only(str(store_dir))
    assert values(store, "http://schema.org/status") == ["http://schema.org/Completed"]
    dates = [
        q.object.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode("https://w3id.org/trialkg/ontology#sourceDate"), None
        )
    ]
    assert dates == ["2025-11-01"]


def test_rebuilding_a_folder_after_one_record_changed_equals_a_fresh_build(tmp_path: Path) -> None:
    shared = REPO.parent / "shared" / "data" / "ctgov"
    folder = tmp_path / "records"
    folder.mkdir()
    names = ["NCT05814159.json", "NCT06305754.json", "NCT06029816.json", "NCT00004635.xml"]
    for name in names:
        (folder / name).write_bytes((shared / name).read_bytes())
    store_dir = tmp_path / "store"
    build([str(folder)], StoreSink(store_dir))
    changed = folder / "NCT05814159.json"
    study = json.loads(changed.read_text("utf-8"))
    study["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
    study["protocolSection"]["sponsorCollaboratorsModule"]["collaborators"] = []
    study["protocolSection"]["contactsLocationsModule"]["locations"] = study["protocolSection"][
        "contactsLocationsModule"
    ]["locations"][:1]
    changed.write_text(json.dumps(study), "utf-8")
    build([str(folder)], StoreSink(store_dir))
    fresh_dir = tmp_path / "fresh"
    build([str(folder)], StoreSink(fresh_dir))

    def quads(path: Path) -> set[str]:
        store = ox.Store.read_only(str(path))
        return {str(q) for q in store}

    assert quads(store_dir) == quads(fresh_dir)


def test_an_older_download_does_not_replace_a_newer_one_in_the_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    api = tmp_path / "NCT03737461.json"
    api.write_text(json.dumps(api_record(status="COMPLETED", version="2025-11-01")), "utf-8")
    build([str(api)], StoreSink(store_dir))
    api.write_text(json.dumps(api_record(status="RECRUITING", version="2025-01-01")), "utf-8")
    sink = StoreSink(store_dir)
    build([str(api)], sink)
    assert sink.kept == ["https://w3id.org/trialkg/graph/NCT03737461"]
    store = ox.Store.read_only(str(store_dir))
    assert values(store, "http://schema.org/status") == ["http://schema.org/Completed"]
