"""Posted results, the parts beyond the tables: certain agreements, numbers analysed per class,
and the analyses' comments, from both formats (small records written for these tests)."""

from __future__ import annotations

import copy
from typing import Any

import pyoxigraph as ox
import pytest
from lxml import etree
from results_graph_support import graph_of, objects

from kg.errors import InputError
from kg.model import Trial
from kg.model_results import RestrictionType
from kg.sources.ctgov_json import parse_study
from kg.sources.ctgov_xml import parse_xml_study
from kg.terms import DEFAULT_BASE

TKG = "https://w3id.org/trialkg/ontology#"
NCT = "NCT09000002"
TRIAL = f"{DEFAULT_BASE}trial/{NCT}"

STUDY: dict[str, Any] = {
    "protocolSection": {"identificationModule": {"nctId": NCT, "briefTitle": "More results"}},
    "hasResults": True,
    "resultsSection": {
        "baselineCharacteristicsModule": {
            "groups": [{"id": "BG000", "title": "All"}],
            "measures": [
                {
                    "title": "Eyes",
                    "paramType": "COUNT_OF_UNITS",
                    "unitOfMeasure": "eyes",
                    "classes": [
                        {
                            "title": "Left",
                            "denoms": [
                                {"units": "Eyes", "counts": [{"groupId": "BG000", "value": "7"}]}
                            ],
                            "categories": [
                                {"measurements": [{"groupId": "BG000", "value": "7"}]}
                            ],
                        }
                    ],
                }
            ],
        },
        "outcomeMeasuresModule": {
            "outcomeMeasures": [
                {
                    "type": "PRIMARY",
                    "title": "Response",
                    "groups": [{"id": "OG000"}, {"id": "OG001"}],
                    "denoms": [
                        {
                            "units": "Participants",
                            "counts": [
                                {"groupId": "OG000", "value": "20"},
                                {"groupId": "OG001", "value": "21"},
                            ],
                        }
                    ],
                    "classes": [
                        {
                            "title": "Week 4",
                            "denoms": [
                                {
                                    "units": "Participants",
                                    "counts": [{"groupId": "OG000", "value": "18"}],
                                }
                            ],
                        }
                    ],
                    "analyses": [
                        {
                            "groupIds": ["OG000", "OG001"],
                            "nonInferiorityType": "NON_INFERIORITY",
                            "nonInferiorityComment": "Margin 10%.",
                            "testedNonInferiority": True,
                            "otherAnalysisDescription": "Per protocol set.",
                            "ciUpperLimitComment": "Not estimable.",
                        }
                    ],
                }
            ]
        },
        "moreInfoModule": {
            "certainAgreement": {
                "piSponsorEmployee": False,
                "restrictiveAgreement": True,
                "restrictionType": "OTHER",
                "otherDetails": "Publication after the multicentre paper.",
            }
        },
    },
}


_objects = objects


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return graph_of(parse_study(STUDY, "more.json"))


def test_certain_agreement_is_on_the_trial(store: ox.Store) -> None:
    assert _objects(store, TRIAL, "piSponsorEmployee") == ["false"]
    assert _objects(store, TRIAL, "restrictiveAgreement") == ["true"]
    assert _objects(store, TRIAL, "restrictionType") == [TKG + "restrictionType-OTHER"]
    assert _objects(store, TRIAL, "restrictionDetails") == [
        "Publication after the multicentre paper."
    ]
    assert TKG + "resultsModule-MORE_INFO" in _objects(store, TRIAL, "resultsModule")


def test_a_class_count_names_its_class(store: ox.Store) -> None:
    outcome = f"{TRIAL}/results/outcome/1"
    counts = _objects(store, outcome, "analyzedCount")
    assert counts == [f"{outcome}/analyzed/1/OG000", f"{outcome}/analyzed/1/OG001",
                      f"{outcome}/analyzed/2/OG000"]
    assert _objects(store, counts[2], "className") == ["Week 4"]
    assert _objects(store, counts[2], "count") == ["18"]
    assert _objects(store, counts[0], "className") == []
    (baseline,) = _objects(store, f"{TRIAL}/results/baseline/1", "analyzedCount")
    assert _objects(store, baseline, "className") == ["Left"]
    assert _objects(store, baseline, "unit") == ["Eyes"]
    assert _objects(store, baseline, "group") == [f"{TRIAL}/results/group/BG000"]


def test_analysis_comments_are_kept(store: ox.Store) -> None:
    analysis = f"{TRIAL}/results/outcome/1/analysis/1"
    assert _objects(store, analysis, "nonInferiorityComment") == ["Margin 10%."]
    assert _objects(store, analysis, "testedNonInferiority") == ["true"]
    assert _objects(store, analysis, "otherAnalysisDescription") == ["Per protocol set."]
    assert _objects(store, analysis, "ciUpperLimitComment") == ["Not estimable."]


def test_unknown_restriction_type_names_the_field() -> None:
    study = copy.deepcopy(STUDY)
    study["resultsSection"]["moreInfoModule"]["certainAgreement"]["restrictionType"] = "LT30"
    with pytest.raises(InputError, match=r"moreInfoModule\.certainAgreement\.restrictionType"):
        parse_study(study, "bad.json")


_EMPLOYED = "All Principal Investigators ARE employed by the organization sponsoring the study."
_NOT_EMPLOYED = "Principal Investigators are NOT employed by the organization sponsoring the study."
_NONE = (
    "There is NOT an agreement between Principal Investigators and the Sponsor (or its agents) "
    "that restricts the PI's rights to discuss or publish trial results after the trial is "
    "completed. "
)
_EMBARGO = (
    "The only disclosure restriction on the PI is that the sponsor can review results "
    "communications prior to public release and can embargo communications regarding trial "
    "results for a period that is {} from the time submitted to the sponsor for review. The "
    "sponsor cannot require changes to the communication and cannot extend the embargo."
)


def _xml(employee: str, restriction: str) -> Trial:
    text = (
        f"<clinical_study><id_info><nct_id>{NCT}</nct_id></id_info><clinical_results>"
        f"<certain_agreements><pi_employee>{employee}</pi_employee>"
        f"<restrictive_agreement>{restriction}</restrictive_agreement></certain_agreements>"
        "</clinical_results></clinical_study>"
    )
    return parse_xml_study(etree.fromstring(text), "x.xml")


@pytest.mark.parametrize(
    ("employee", "restriction", "expected"),
    [
        (_EMPLOYED, _NONE, (True, False, None, None)),
        (_NOT_EMPLOYED, _EMBARGO.format("less than or equal to 60 days"),
         (False, True, RestrictionType.LTE60, None)),
        (_NOT_EMPLOYED, _EMBARGO.format("more than 60 days"),
         (False, True, RestrictionType.GT60, None)),
        (_NOT_EMPLOYED, "Sponsor approval is needed.",
         (False, True, RestrictionType.OTHER, "Sponsor approval is needed.")),
    ],
)
def test_xml_agreement_sentences_become_codes(
    employee: str, restriction: str, expected: tuple[object, ...]
) -> None:
    results = _xml(employee, restriction).results
    assert results is not None and results.agreement is not None
    a = results.agreement
    assert (a.pi_sponsor_employee, a.restrictive, a.restriction_type, a.details) == expected


def test_xml_unknown_pi_employee_sentence_is_an_error() -> None:
    with pytest.raises(InputError, match=r"certain_agreements/pi_employee"):
        _xml("Some investigators are employees.", _NONE)


def test_xml_class_counts_and_analysis_comments() -> None:
    text = (
        f"<clinical_study><id_info><nct_id>{NCT}</nct_id></id_info><clinical_results>"
        "<outcome_list><outcome><type>Primary</type><title>Response</title>"
        "<group_list><group group_id='O1'><title>A</title></group></group_list><measure>"
        "<title>Response</title><units>Participants</units><param>Number</param>"
        "<analyzed_list><analyzed><units>Participants</units><scope>Measure</scope><count_list>"
        "<count group_id='O1' value='30'/></count_list></analyzed></analyzed_list>"
        "<class_list><class><title>Week 4</title><analyzed_list><analyzed><units>Participants"
        "</units><scope>Measure</scope><count_list><count group_id='O1' value='28'/></count_list>"
        "</analyzed></analyzed_list></class></class_list></measure>"
        "<analysis_list><analysis><group_id_list><group_id>O1</group_id></group_id_list>"
        "<non_inferiority_type>Non-Inferiority or Equivalence</non_inferiority_type>"
        "<non_inferiority_desc>Margin 5.</non_inferiority_desc>"
        "<other_analysis_desc>Exploratory.</other_analysis_desc>"
        "<ci_upper_limit_na_comment>Too few events.</ci_upper_limit_na_comment>"
        "</analysis></analysis_list></outcome></outcome_list>"
        "</clinical_results></clinical_study>"
    )
    results = parse_xml_study(etree.fromstring(text), "x.xml").results
    assert results is not None
    (outcome,) = results.outcomes
    assert [(d.class_title, [c.count for c in d.counts]) for d in outcome.denominators] == [
        (None, [30]),
        ("Week 4", [28]),
    ]
    (analysis,) = outcome.analyses
    assert (
        analysis.non_inferiority_comment,
        analysis.other_description,
        analysis.ci_upper_limit_comment,
    ) == ("Margin 5.", "Exploratory.", "Too few events.")


def test_xml_analysis_with_a_blank_group_id_is_an_error() -> None:
    text = (
        f"<clinical_study><id_info><nct_id>{NCT}</nct_id></id_info><clinical_results>"
        "<outcome_list><outcome><type>Primary</type><title>Response</title>"
        "<analysis_list><analysis><group_id_list><group_id> </group_id></group_id_list>"
        "</analysis></analysis_list></outcome></outcome_list></clinical_results></clinical_study>"
    )
    with pytest.raises(InputError, match=r"analysis_list/analysis\[1\]/group_id_list/group_id"):
        parse_xml_study(etree.fromstring(text), "x.xml")
