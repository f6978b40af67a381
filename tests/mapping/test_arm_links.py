"""Arm -> intervention links: one small record per hard case of the registry's cross-references."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from kg import model
from kg.mapping import map_trial
from kg.mapping.arm_links import arm_links, split_type
from kg.sources.ctgov_json import parse_study
from kg.terms import Minter, T

NCT = "NCT00000001"


def _study(arms: list[dict[str, Any]], interventions: list[dict[str, Any]]) -> model.Trial:
    return parse_study(
        {
            "protocolSection": {
                "identificationModule": {"nctId": NCT},
                "armsInterventionsModule": {"armGroups": arms, "interventions": interventions},
            }
        },
        "fixture.json",
    )


def test_a_note_in_a_name_is_part_of_the_name() -> None:
    """Only the leading type label is taken off: "Note:" later in a name keeps two names apart."""
    trial = _study(
        [
            {"label": "A", "interventionNames": ["Drug: Placebo Note: matched tablets"]},
            {"label": "B", "interventionNames": ["Drug: Placebo Note: matched capsules"]},
            {"label": "C", "interventionNames": ["Other: Note: diary"]},
        ],
        [
            {"type": "DRUG", "name": "Placebo Note: matched tablets"},
            {"type": "DRUG", "name": "Placebo Note: matched capsules"},
            {"type": "OTHER", "name": "Note: diary"},
            {"type": "OTHER", "name": "diary"},
        ],
    )
    assert arm_links(trial) == [(0, 0), (1, 1), (2, 2)]


def test_a_name_starting_with_a_type_word_keeps_it() -> None:
    """ "Device: Device: Attune" names the device called "Device: Attune", not "Attune"."""
    trial = _study(
        [{"label": "A", "interventionNames": ["Device: Device: Attune", "Device: Attune"]}],
        [{"type": "DEVICE", "name": "Attune"}, {"type": "DEVICE", "name": "Device: Attune"}],
    )
    assert arm_links(trial) == [(0, 0), (0, 1)]


def test_a_label_like_prefix_that_is_no_type_stays_in_the_name() -> None:
    """ "Arm A: Cordectomy" is a name: "Arm A" is no intervention type."""
    trial = _study(
        [{"label": "A", "interventionNames": ["Procedure: Arm A: Cordectomy"]}],
        [
            {"type": "PROCEDURE", "name": "Arm A: Cordectomy"},
            {"type": "PROCEDURE", "name": "Cordectomy"},
        ],
    )
    assert arm_links(trial) == [(0, 0)]
    assert split_type("Arm A: Cordectomy") == (None, "Arm A: Cordectomy")


def test_repeated_names_are_told_apart_by_the_intervention_side() -> None:
    """Three interventions called "Selinexor", one per arm: each goes to its own arm only."""
    labels = ["Part 1: 60 mg", "Part 2: 40 mg", "Part 2: 60 mg"]
    trial = _study(
        [{"label": label, "interventionNames": ["Drug: Selinexor"]} for label in labels],
        [{"type": "DRUG", "name": "Selinexor", "armGroupLabels": [label]} for label in labels],
    )
    assert arm_links(trial) == [(0, 0), (1, 1), (2, 2)]


def test_a_repeated_name_that_no_side_tells_apart_links_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two "X" and an arm naming "X" that neither lists: no guess, a warning."""
    trial = _study(
        [{"label": "A", "interventionNames": ["Drug: X"]}],
        [{"type": "DRUG", "name": "X"}, {"type": "DRUG", "name": "X"}],
    )
    with caplog.at_level(logging.WARNING):
        assert arm_links(trial) == []
    assert "none of them lists the arm" in caplog.text


def test_labels_differing_by_plus_or_minus_are_two_arms() -> None:
    """ "A + B" and "A - B" are different arms; an intervention listing one is not on the other."""
    trial = _study(
        [{"label": "Chemo + RT"}, {"label": "Chemo - RT"}, {"label": "Chemo (RT)"}],
        [
            {"type": "RADIATION", "name": "RT", "armGroupLabels": ["Chemo + RT"]},
            {"type": "DRUG", "name": "Chemo", "armGroupLabels": ["Chemo - RT", "Chemo (RT)"]},
        ],
    )
    assert arm_links(trial) == [(0, 0), (1, 1), (2, 1)]


def test_either_side_alone_is_a_link() -> None:
    """A link the arm states and one the intervention states both count."""
    trial = _study(
        [{"label": "A", "interventionNames": ["Drug: X"]}, {"label": "B"}],
        [{"type": "DRUG", "name": "X", "armGroupLabels": ["B"]}],
    )
    assert arm_links(trial) == [(0, 0), (1, 0)]


def test_same_name_of_another_type_is_another_intervention() -> None:
    """ "Drug: Saline" and "Other: Saline" are two interventions."""
    trial = _study(
        [{"label": "A", "interventionNames": ["Other: Saline"]}],
        [{"type": "DRUG", "name": "Saline"}, {"type": "OTHER", "name": "Saline"}],
    )
    assert arm_links(trial) == [(0, 1)]


def test_a_reference_to_nothing_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A name the record does not have links nothing and says so, naming the trial."""
    trial = _study(
        [{"label": "A", "interventionNames": ["Drug: Y"]}],
        [{"type": "DRUG", "name": "X", "armGroupLabels": ["Z"]}],
    )
    with caplog.at_level(logging.WARNING):
        assert arm_links(trial) == []
    assert f"{NCT}: arm 1 'A' names intervention 'Drug: Y'" in caplog.text
    assert "names arm 'Z', which the record does not have" in caplog.text


def test_untyped_names_of_a_page_link_by_name() -> None:
    """A web page lists bare names under an arm: they match the intervention's name."""
    trial = model.Trial(
        NCT,
        model.SourceInfo("page.txt", "web-page"),
        arms=(model.Arm("Sham", intervention_names=("Sham",)),),
        interventions=(model.Intervention("Sham"),),
    )
    assert arm_links(trial) == [(0, 0)]


def test_the_graph_links_arm_and_intervention_nodes_by_position() -> None:
    """The mapping writes one tkg:intervention triple per link, between positional nodes."""
    labels = ["Part 1", "Part 2"]
    trial = _study(
        [{"label": label, "interventionNames": ["Drug: S"]} for label in labels],
        [{"type": "DRUG", "name": "S", "armGroupLabels": [label]} for label in labels],
    )
    mint = Minter()
    links = sorted((s, o) for s, p, o in map_trial(trial, mint) if p == T.intervention)
    assert links == [
        (mint.part(NCT, "arm", 1), mint.part(NCT, "intervention", 1)),
        (mint.part(NCT, "arm", 2), mint.part(NCT, "intervention", 2)),
    ]
