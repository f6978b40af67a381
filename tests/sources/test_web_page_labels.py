"""Web pages whose labels the reader has never seen: skipped with a warning, values read by shape.

``page_unseen_labels.txt`` is the seed page (``data/000_9a170ffc83e8bfff.txt``) rendered in the
labelled layout with labels kg has no entry for ("Study Classification", "Study Start Date",
"Study Completion Date", "Study Model", "Blinding", "Gender", "Accepts Healthy Volunteers") beside
known ones ("Recruitment Status", "Allocation", "Minimum Age"). The expected values are the seed
page's own lines, written out here.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.model import (
    Allocation,
    InterventionModel,
    Masking,
    PartialDate,
    Phase,
    PrimaryPurpose,
    Sex,
    Status,
    StudyType,
    Trial,
)
from kg.sources.web_page import parse_web_page

REPO = Path(__file__).resolve().parents[2]
SEED_TEXT = (REPO / "data" / "000_9a170ffc83e8bfff.txt").read_text(encoding="utf-8")
UNSEEN = REPO / "tests" / "fixtures" / "page_unseen_labels.txt"
UNSEEN_TEXT = UNSEEN.read_text(encoding="utf-8")
UNSEEN_LABELS = {
    ("Basic Information", "Study Classification"),
    ("Basic Information", "Study Start Date"),
    ("Basic Information", "Study Completion Date"),
    ("Study Design", "Study Model"),
    ("Study Design", "Blinding"),
    ("Eligibility Criteria", "Gender"),
    ("Eligibility Criteria", "Accepts Healthy Volunteers"),
}
# The seed page's lines, as the page writes them.
EXPECTED = {
    "nct_id": "NCT03737461",
    "status": Status.ACTIVE_NOT_RECRUITING,
    "phases": (Phase.PHASE2, Phase.PHASE3),
    "enrollment": 113,
    "study_type": StudyType.INTERVENTIONAL,
    "start_date": PartialDate(2019, 2, 18),
    "primary_completion_date": None,
    "completion_date": PartialDate(2026, 3, 8),
    "last_updated": PartialDate(2025, 9, 30),
    "allocation": Allocation.RANDOMIZED,
    "intervention_model": InterventionModel.PARALLEL,
    "primary_purpose": PrimaryPurpose.TREATMENT,
    "masking": Masking.TRIPLE,
}


def _criteria_lines(text: str) -> list[str]:
    """The seed's criteria lines: from "Inclusion Criteria" to the line before "18 Years"."""
    lines = [s.strip() for s in text.splitlines() if s.strip()]
    return lines[lines.index("Inclusion Criteria") : lines.index("18 Years")]


def _skipped(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.fixture
def unseen(caplog: pytest.LogCaptureFixture) -> Trial:
    with caplog.at_level(logging.WARNING):
        return parse_web_page(UNSEEN_TEXT, UNSEEN.name)


def test_fixture_has_the_unseen_labels_the_reader_once_rejected() -> None:
    lines = {s.strip() for s in UNSEEN_TEXT.splitlines()}
    assert {label for _, label in UNSEEN_LABELS} <= lines
    assert {"Recruitment Status", "Allocation", "Minimum Age", "Maximum Age"} <= lines


@pytest.mark.parametrize(("field", "expected"), EXPECTED.items(), ids=list(EXPECTED))
def test_unseen_labels_page_reads_value_by_shape(
    unseen: Trial, field: str, expected: object
) -> None:
    assert getattr(unseen, field) == expected


def test_unseen_labels_page_eligibility(unseen: Trial) -> None:
    e = unseen.eligibility
    assert e is not None
    assert (e.minimum_age, e.maximum_age, e.sex, e.healthy_volunteers) == (
        "18 Years", "60 Years", Sex.ALL, False,
    )  # fmt: skip
    # no label line leaks into the criteria: they are exactly the seed's criteria lines
    assert e.criteria == "\n".join(_criteria_lines(SEED_TEXT))


def test_unseen_labels_page_equals_the_bare_page_but_for_its_source(unseen: Trial) -> None:
    bare = parse_web_page(SEED_TEXT, UNSEEN.name)
    differ = [
        f.name
        for f in dataclasses.fields(Trial)
        if getattr(unseen, f.name) != getattr(bare, f.name)
    ]
    assert differ == ["source"]  # the digest of a different text


def test_each_unseen_label_is_a_warning_naming_file_section_and_label(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        parse_web_page(UNSEEN_TEXT, UNSEEN.name)
    messages = _skipped(caplog)
    assert len(messages) == len(UNSEEN_LABELS)
    for section, label in UNSEEN_LABELS:
        assert any(
            m.startswith(f"{UNSEEN.name}: NCT03737461: {section}: ")
            and m.endswith(f"{label!r} skipped")
            for m in messages
        ), (section, label)


def test_date_under_a_label_naming_another_date_is_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = UNSEEN_TEXT.replace("Study Start Date\n2019-02-18\n", "First Posted\n2018-11-13\n")
    with caplog.at_level(logging.WARNING):
        trial = parse_web_page(text, "p.txt")
    assert trial.start_date is None  # never the first-posted date taken for the start
    assert trial.completion_date == PartialDate(2026, 3, 8)
    assert any("'2018-11-13' skipped" in m and "First Posted" in m for m in _skipped(caplog))


def test_unseen_primary_completion_label_fills_that_date() -> None:
    text = UNSEEN_TEXT.replace(
        "Study Completion Date\n2026-03-08\n", "Primary Completion (Estimated)\n2025-12-01\n"
    )
    trial = parse_web_page(text, "p.txt")
    assert (trial.start_date, trial.primary_completion_date, trial.completion_date) == (
        PartialDate(2019, 2, 18), PartialDate(2025, 12, 1), None,
    )  # fmt: skip


def test_bare_date_goes_to_the_free_date_field() -> None:
    """A labelled start date and one bare date: the bare one is the completion date."""
    text = SEED_TEXT.replace("2019-02-18\n", "Start Date\n2019-02-18\n", 1)
    trial = parse_web_page(text, "p.txt")
    assert (trial.start_date, trial.completion_date) == (
        PartialDate(2019, 2, 18), PartialDate(2026, 3, 8),
    )  # fmt: skip


def test_unknown_bare_line_is_skipped_and_the_rest_read(caplog: pytest.LogCaptureFixture) -> None:
    text = SEED_TEXT.replace("INTERVENTIONAL\n", "INTERVENTIONAL\nSee the registry\n", 1)
    text = text.replace("PARALLEL\n", "PARALLEL\nDouble dummy\n", 1)
    with caplog.at_level(logging.WARNING):
        trial = parse_web_page(text, "p.txt")
    assert (trial.start_date, trial.completion_date) == (
        PartialDate(2019, 2, 18), PartialDate(2026, 3, 8),
    )  # fmt: skip
    assert (trial.intervention_model, trial.masking) == (InterventionModel.PARALLEL, Masking.TRIPLE)
    assert _skipped(caplog) == [
        "p.txt: NCT03737461: Basic Information: unknown label or value 'See the registry' skipped",
        "p.txt: NCT03737461: Study Design: unknown label or value 'Double dummy' skipped",
    ]


def test_short_criterion_without_bullet_stays_in_the_criteria() -> None:
    last = _criteria_lines(SEED_TEXT)[-1]
    text = SEED_TEXT.replace(f"{last}\n18 Years\n", f"{last}\nPregnant women\n18 Years\n", 1)
    trial = parse_web_page(text, "p.txt")
    assert trial.eligibility is not None and trial.eligibility.criteria is not None
    assert trial.eligibility.criteria.endswith(f"{last}\nPregnant women")
    assert trial.eligibility.minimum_age == "18 Years"


def test_short_criterion_above_labelled_values_stays_in_the_criteria() -> None:
    last = _criteria_lines(SEED_TEXT)[-1]
    text = UNSEEN_TEXT.replace(
        f"{last}\nMinimum Age\n", f"{last}\nPregnant women\nMinimum Age\n", 1
    )
    trial = parse_web_page(text, "p.txt")
    assert trial.eligibility is not None and trial.eligibility.criteria is not None
    assert trial.eligibility.criteria.endswith(f"{last}\nPregnant women")


def test_page_without_nct_id_is_still_rejected() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(UNSEEN_TEXT.replace("NCT ID: NCT03737461\n", ""), "p.txt")
    assert (info.value.file, info.value.field) == ("p.txt", "NCT ID")


def test_malformed_value_of_a_read_field_is_still_an_error() -> None:
    with pytest.raises(InputError) as info:
        parse_web_page(UNSEEN_TEXT.replace("2019-02-18", "2019-02-30"), "p.txt")
    assert (info.value.record, info.value.field) == ("NCT03737461", "Basic Information.start_date")
