"""Posted results: readers, mapping rules and ``kg build --no-results``, on small records."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from lxml import etree
from results_graph_support import graph_of, objects
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.model_results import DispersionType, OutcomeType, ParamType
from kg.sources.ctgov_json import parse_study
from kg.sources.ctgov_xml import parse_xml_study
from kg.terms import DEFAULT_BASE

CTGOV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ctgov"
TKG = "https://w3id.org/trialkg/ontology#"
NCT = "NCT09000001"
TRIAL = f"{DEFAULT_BASE}trial/{NCT}"
runner = CliRunner()

STUDY: dict[str, Any] = {
    "protocolSection": {
        "identificationModule": {"nctId": NCT, "briefTitle": "Results fixture"},
        "outcomesModule": {"primaryOutcomes": [{"measure": "Pain Score", "timeFrame": "Week 4"}]},
    },
    "hasResults": True,
    "resultsSection": {
        "participantFlowModule": {
            "groups": [{"id": "FG000", "title": "Drug"}, {"id": "FG001", "title": "Placebo"}],
            "periods": [
                {
                    "title": "Overall Study",
                    "milestones": [
                        {
                            "type": "STARTED",
                            "achievements": [
                                {"groupId": "FG000", "numSubjects": "10"},
                                {"groupId": "FG001", "numSubjects": "12"},
                            ],
                        }
                    ],
                    "dropWithdraws": [
                        {
                            "type": "Lost to Follow-up",
                            "reasons": [{"groupId": "FG000", "numSubjects": "1"}],
                        }
                    ],
                }
            ],
        },
        "baselineCharacteristicsModule": {
            "groups": [{"id": "BG000", "title": "Drug"}],
            "measures": [
                {
                    "title": "Age",
                    "paramType": "MEAN",
                    "dispersionType": "STANDARD_DEVIATION",
                    "unitOfMeasure": "years",
                    "classes": [
                        {
                            "categories": [
                                {
                                    "measurements": [
                                        {"groupId": "BG000", "value": "41.5", "spread": "9.2"}
                                    ]
                                }
                            ]
                        }
                    ],
                }
            ],
        },
        "outcomeMeasuresModule": {
            "outcomeMeasures": [
                {
                    "type": "PRIMARY",
                    "title": "Pain score",
                    "paramType": "MEDIAN",
                    "dispersionType": "95% Confidence Interval",
                    "unitOfMeasure": "points",
                    "groups": [
                        {"id": "OG000", "title": "Drug"},
                        {"id": "OG001", "title": "Placebo"},
                    ],
                    "classes": [
                        {
                            "categories": [
                                {
                                    "measurements": [
                                        {
                                            "groupId": "OG000",
                                            "value": "3.5",
                                            "lowerLimit": "2",
                                            "upperLimit": "NA",
                                        },
                                        {"groupId": "OG001", "value": "NA", "comment": "too few"},
                                    ]
                                }
                            ]
                        }
                    ],
                    "analyses": [
                        {
                            "groupIds": ["OG000", "OG001"],
                            "pValue": "<0.001",
                            "statisticalMethod": "ANCOVA",
                        },
                        {
                            "groupIds": ["OG000", "OG001"],
                            "pValue": "0.04",
                            "ciNumSides": "TWO_SIDED",
                        },
                    ],
                },
                {"type": "POST_HOC", "title": "Pain score", "reportingStatus": "NOT_POSTED"},
            ]
        },
        "adverseEventsModule": {
            "eventGroups": [
                {
                    "id": "EG000",
                    "title": "Drug",
                    "seriousNumAffected": 1,
                    "seriousNumAtRisk": 10,
                    "otherNumAffected": 4,
                    "otherNumAtRisk": 10,
                    "deathsNumAffected": 0,
                },
            ],
            "seriousEvents": [
                {
                    "term": "Stroke",
                    "organSystem": "Nervous system disorders",
                    "sourceVocabulary": "MedDRA 26.0",
                    "assessmentType": "SYSTEMATIC_ASSESSMENT",
                    "stats": [
                        {"groupId": "EG000", "numAffected": 1, "numAtRisk": 10, "numEvents": 2}
                    ],
                },
            ],
            "otherEvents": [
                {
                    "term": "Nausea",
                    "organSystem": "Gastrointestinal disorders",
                    "stats": [{"groupId": "EG000", "numAffected": 4, "numAtRisk": 10}],
                },
            ],
        },
        "moreInfoModule": {
            "limitationsAndCaveats": {"description": "Small sample."},
            "pointOfContact": {
                "title": "Dr X",
                "organization": "Acme Pharma",
                "email": "x@acme.test",
            },
        },
    },
}


def _store(study: dict[str, Any], *, results: bool = True) -> ox.Store:
    return graph_of(parse_study(study, "fixture.json"), results=results)


_objects = objects


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return _store(STUDY)


def test_groups_are_keyed_by_their_source_ids(store: ox.Store) -> None:
    groups = _objects(store, TRIAL, "resultGroup")
    assert f"{TRIAL}/results/group/FG000" in groups
    assert f"{TRIAL}/results/group/EG000" in groups
    assert f"{TRIAL}/results/outcome/1/group/OG001" in groups
    assert _objects(store, f"{TRIAL}/results/group/EG000", "groupCode") == ["EG000"]


def test_flow_counts_hang_on_their_milestone(store: ox.Store) -> None:
    milestone = f"{TRIAL}/results/flow/1/milestone/1"
    assert _objects(store, milestone, "milestoneType") == ["STARTED"]
    assert _objects(store, milestone, "period") == ["Overall Study"]
    count = f"{milestone}/count/FG001"
    assert _objects(store, count, "count") == ["12"]
    assert _objects(store, count, "group") == [f"{TRIAL}/results/group/FG001"]
    assert _objects(store, f"{TRIAL}/results/flow/1/drop/1", "reasonType") == ["Lost to Follow-up"]


def test_a_posted_outcome_is_the_protocol_outcome_of_the_same_title(store: ox.Store) -> None:
    protocol = f"{TRIAL}/outcome/primary/1"
    assert _objects(store, TRIAL, "resultOutcome") == [protocol, f"{TRIAL}/results/outcome/2"]
    assert len(_objects(store, protocol, "measurement")) == 2
    assert _objects(store, f"{TRIAL}/results/outcome/2", "outcomeType") == [
        TKG + "outcomeType-POST_HOC"
    ]
    # the post hoc outcome is not a protocol outcome: tkg:primaryOutcome lists the protocol's only
    assert _objects(store, TRIAL, "primaryOutcome") == [protocol]


def test_a_non_numeric_value_is_kept_as_text(store: ox.Store) -> None:
    first, second = (f"{TRIAL}/results/outcome/1/measurement/{n}" for n in (1, 2))
    assert _objects(store, first, "value") == ["3.5"]
    assert _objects(store, first, "upperLimit") == ["NA"]
    assert _objects(store, first, "dispersionType") == [TKG + "dispersionType-CONFIDENCE_95"]
    assert _objects(store, second, "value") == []
    assert _objects(store, second, "valueText") == ["NA"]
    assert _objects(store, second, "note") == ["too few"]


def test_p_value_is_numeric_only_when_exact(store: ox.Store) -> None:
    bound, exact = (f"{TRIAL}/results/outcome/1/analysis/{n}" for n in (1, 2))
    assert _objects(store, bound, "pValue") == ["<0.001"]
    assert _objects(store, bound, "pValueNumeric") == []
    assert _objects(store, exact, "pValueNumeric") == ["0.04"]
    assert len(_objects(store, exact, "group")) == 2


def test_adverse_events_carry_counts_and_group_totals(store: ox.Store) -> None:
    stroke = f"{TRIAL}/results/ae/serious/1"
    assert _objects(store, stroke, "seriousness") == [TKG + "seriousness-SERIOUS"]
    assert _objects(store, stroke, "sourceVocabulary") == ["MedDRA 26.0"]
    assert _objects(store, f"{stroke}/EG000", "events") == ["2"]
    assert _objects(store, f"{TRIAL}/results/ae/other/1", "term") == ["Nausea"]
    group = f"{TRIAL}/results/group/EG000"
    assert _objects(store, group, "seriousAffected") == ["1"]
    assert _objects(store, group, "atRisk") == ["10"]
    assert _objects(store, group, "deathsAffected") == ["0"]


def test_more_info_keeps_the_organisation_not_the_person(store: ox.Store) -> None:
    assert _objects(store, TRIAL, "resultsLimitations") == ["Small sample."]
    (org,) = _objects(store, TRIAL, "resultsContactOrganization")
    text = "".join(str(q) for q in store)
    assert "x@acme.test" not in text and "Dr X" not in text
    assert org.startswith(DEFAULT_BASE + "org/")


def test_without_results_no_results_node_is_mapped() -> None:
    store = _store(STUDY, results=False)
    used = {q.predicate.value for q in store}
    assert (
        not {TKG + p for p in ("resultGroup", "adverseEvent", "flowMilestone", "measurement")}
        & used
    )


def test_unknown_code_names_file_record_and_field() -> None:
    study = copy.deepcopy(STUDY)
    study["resultsSection"]["baselineCharacteristicsModule"]["measures"][0]["paramType"] = "AVERAGE"
    with pytest.raises(InputError) as caught:
        parse_study(study, "bad.json")
    message = str(caught.value)
    assert "bad.json" in message and NCT in message
    assert "resultsSection.baselineCharacteristicsModule.measures[0].paramType" in message


def test_a_count_that_is_not_whole_is_an_error() -> None:
    study = copy.deepcopy(STUDY)
    flow = study["resultsSection"]["participantFlowModule"]
    flow["periods"][0]["milestones"][0]["achievements"][0]["numSubjects"] = "ten"
    with pytest.raises(InputError, match=r"achievements\[0\]\.numSubjects"):
        parse_study(study, "bad.json")


XML = "".join(
    (
        f"<clinical_study><id_info><nct_id>{NCT}</nct_id></id_info><clinical_results>",
        "<reported_events><group_list><group group_id='E1'><title>All</title></group>",
        "</group_list><serious_events><default_vocab>MedDRA 10.0</default_vocab>",
        "<default_assessment>Systematic Assessment</default_assessment><category_list>",
        "<category><title>Total</title><event_list><event><sub_title>TOTAL_TITLE</sub_title>",
        "<counts group_id='E1' subjects_affected='3' subjects_at_risk='20'/></event></event_list>",
        "</category><category><title>Cardiac disorders</title><event_list><event>",
        "<sub_title vocab='MedDRA 12.0'>Angina</sub_title>",
        "<counts group_id='E1' subjects_affected='3' subjects_at_risk='20' events='4'/>",
        "</event></event_list></category></category_list></serious_events></reported_events>",
        "<outcome_list><outcome><type>Other Pre-specified</type><title>Count</title><measure>",
        "<title>Count</title><units>Participants</units><param>Count of Participants</param>",
        "<dispersion>Inter-Quartile Range</dispersion></measure></outcome></outcome_list>",
        "</clinical_results></clinical_study>",
    )
)


def test_xml_totals_become_group_totals_not_events() -> None:
    trial = parse_xml_study(
        etree.fromstring(XML.replace("TOTAL_TITLE", "Total, serious adverse events")), "x.xml"
    )
    assert trial.results is not None and trial.results.adverse_events is not None
    (event,) = trial.results.adverse_events.events
    assert (event.term, event.organ_system, event.vocabulary) == (
        "Angina",
        "Cardiac disorders",
        "MedDRA 12.0",
    )
    (group,) = trial.results.adverse_events.groups
    assert (group.serious_affected, group.serious_at_risk) == (3, 20)
    (outcome,) = trial.results.outcomes
    assert outcome.type is OutcomeType.OTHER_PRE_SPECIFIED
    assert (outcome.param_type, outcome.dispersion_type) == (
        ParamType.COUNT_OF_PARTICIPANTS,
        DispersionType.INTER_QUARTILE_RANGE,
    )


def test_xml_unknown_total_is_an_error() -> None:
    with pytest.raises(InputError, match="unknown total 'Total, everything'"):
        parse_xml_study(etree.fromstring(XML.replace("TOTAL_TITLE", "Total, everything")), "x.xml")


@pytest.mark.parametrize("record", ["NCT03694327.json", "NCT01065844.xml"])
def test_build_no_results_leaves_results_out(tmp_path: Path, record: str) -> None:
    full, bare = tmp_path / "full.nq", tmp_path / "bare.nq"
    assert runner.invoke(app, ["build", str(CTGOV / record), "-o", str(full)]).exit_code == 0
    assert (
        runner.invoke(
            app, ["build", str(CTGOV / record), "-o", str(bare), "--no-results"]
        ).exit_code
        == 0
    )
    full_text, bare_text = full.read_text(), bare.read_text()
    for term in ("resultGroup", "adverseEvent", "flowMilestone", "baselineMeasure", "measurement"):
        assert f"<{TKG}{term}>" in full_text
        assert f"<{TKG}{term}>" not in bare_text
    assert f"<{TKG}primaryOutcome>" in bare_text  # the protocol stays


def test_results_iris_are_stable_across_builds(tmp_path: Path) -> None:
    a, b = tmp_path / "a.nt", tmp_path / "b.nt"
    record = str(CTGOV / "NCT04520009.json")
    assert runner.invoke(app, ["build", record, "-o", str(a)]).exit_code == 0
    assert runner.invoke(app, ["build", record, "-o", str(b)]).exit_code == 0
    assert a.read_text() == b.read_text()
