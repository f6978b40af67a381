"""Read the legacy XML ``<clinical_results>`` of one study into :class:`kg.model_results.Results`.

Element names follow the registry's ``public.xsd``. Labels ("Count of Participants", "2-Sided")
become the API v2 codes (:mod:`kg.sources.results_codes`). The adverse-event lists open with a
"Total" category whose events ("Total, serious adverse events", "Total, other adverse events",
"Total, all-cause mortality") are the per-group totals the API v2 keeps on its event groups: they
become the groups' totals here too, never adverse-event terms; any other event in that category is
an error. Counts must be whole numbers; values, limits and p-values stay text.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import TypeVar

from lxml import etree

from kg import model_results as r
from kg.errors import InputError
from kg.sources.results_codes import results_code

__all__ = ["read_xml_results"]

_E = TypeVar("_E", bound=Enum)
_TOTALS = {
    "Total, serious adverse events": "serious",
    "Total, other adverse events": "other",
    "Total, all-cause mortality": "deaths",
}
_SERIOUSNESS = {"serious_events": r.Seriousness.SERIOUS, "other_events": r.Seriousness.OTHER}


class _El:
    """An element and its path; getters read absent or blank elements and attributes as None."""

    __slots__ = ("el", "path")

    def __init__(self, el: etree._Element, path: str) -> None:
        self.el = el
        self.path = path

    def all(self, path: str) -> list[_El]:
        return [_El(e, f"{self.path}/{path}[{i}]") for i, e in enumerate(self.el.findall(path), 1)]

    def one(self, tag: str) -> _El | None:
        found = self.el.find(tag)
        return None if found is None else _El(found, f"{self.path}/{tag}")

    def text(self, tag: str) -> str | None:
        found = self.el.find(tag)
        if found is None:
            return None
        return _joined(found)

    def own(self) -> str | None:
        return _joined(self.el)

    def attr(self, name: str) -> str | None:
        value = self.el.get(name)
        return (value.strip() or None) if value is not None else None

    def needed(self, tag: str) -> str:
        value = self.text(tag)
        if value is None:
            raise InputError("missing text", field=f"{self.path}/{tag}")
        return value

    def code(self, enum: type[_E], tag: str) -> _E | None:
        value = self.text(tag)
        return None if value is None else results_code(enum, value, f"{self.path}/{tag}")

    def whole(self, name: str) -> int | None:
        value = self.attr(name)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit():
            raise InputError(
                f"expected a whole number, got {value!r}", field=f"{self.path}/@{name}"
            )
        return int(value)

    def group(self) -> str:
        code = self.attr("group_id")
        if code is None:
            raise InputError("missing group id", field=f"{self.path}/@group_id")
        return code


def _joined(el: etree._Element) -> str | None:
    """Return an element's text (nested text included), stripped, or None when blank."""
    return "".join(t for t in el.itertext() if isinstance(t, str)).strip() or None


def read_xml_results(element: etree._Element | None) -> r.Results | None:
    """Return the results of a ``<clinical_results>`` element, or None when there is none."""
    if element is None:
        return None
    root = _El(element, "clinical_results")
    flow, baseline = root.one("participant_flow"), root.one("baseline")
    events, contact = root.one("reported_events"), root.one("point_of_contact")
    results = r.Results(
        flow=None if flow is None else _flow(flow),
        baseline=None if baseline is None else _baseline(baseline),
        outcomes=tuple(_outcome(o) for o in root.all("outcome_list/outcome")),
        adverse_events=None if events is None else _adverse_events(events),
        limitations=root.text("limitations_and_caveats"),
        contact_organization=None if contact is None else contact.text("organization"),
        agreement=_agreement(root.one("certain_agreements")),
    )
    return None if results == r.Results() else results


# The legacy XML writes certain agreements as the registry's fixed sentences; a restriction of
# another kind is its own description (the "Other" restriction type of the API).
_PI_EMPLOYEE = {
    "All Principal Investigators ARE employed by the organization sponsoring the study.": True,
    "Principal Investigators are NOT employed by the organization sponsoring the study.": False,
}
_NO_RESTRICTION = "There is NOT an agreement between Principal Investigators and the Sponsor"
_EMBARGO = (
    "The only disclosure restriction on the PI is that the sponsor can review results "
    "communications prior to public release and can embargo communications regarding trial "
    "results for a period that is "
)
_EMBARGO_TYPES = {
    "less than or equal to 60 days": r.RestrictionType.LTE60,
    "more than 60 days": r.RestrictionType.GT60,
}


def _agreement(node: _El | None) -> r.CertainAgreement | None:
    if node is None:
        return None
    employee = node.text("pi_employee")
    pi = None if employee is None else _PI_EMPLOYEE.get(" ".join(employee.split()))
    if employee is not None and pi is None:
        raise InputError(f"unknown value {employee!r}", field=f"{node.path}/pi_employee")
    text = node.text("restrictive_agreement")
    restrictive, kind, details = None, None, None
    if text is not None:
        flat = " ".join(text.split())
        restrictive = not flat.startswith(_NO_RESTRICTION)
        if restrictive and flat.startswith(_EMBARGO):
            tail = flat[len(_EMBARGO) :]
            kind = next((v for k, v in _EMBARGO_TYPES.items() if tail.startswith(k)), None)
        if restrictive and kind is None:
            kind, details = r.RestrictionType.OTHER, text
    agreement = r.CertainAgreement(pi, restrictive, kind, details)
    return None if agreement == r.CertainAgreement() else agreement


def _groups(node: _El) -> tuple[r.ResultGroup, ...]:
    return tuple(
        r.ResultGroup(g.group(), g.text("title"), g.text("description"))
        for g in node.all("group_list/group")
    )


def _counts(items: list[_El], attr: str) -> tuple[r.GroupCount, ...]:
    out = []
    for item in items:
        count = item.whole(attr)
        if count is None:
            raise InputError("missing count", field=f"{item.path}/@{attr}")
        out.append(r.GroupCount(item.group(), count, item.own()))
    return tuple(out)


def _flow(module: _El) -> r.ParticipantFlow:
    periods = []
    for p in module.all("period_list/period"):
        milestones = tuple(
            r.FlowEntry(
                m.needed("title"), _counts(m.all("participants_list/participants"), "count")
            )
            for m in p.all("milestone_list/milestone")
        )
        reasons = tuple(
            r.FlowEntry(
                d.needed("title"), _counts(d.all("participants_list/participants"), "count")
            )
            for d in p.all("drop_withdraw_reason_list/drop_withdraw_reason")
        )
        periods.append(r.FlowPeriod(p.needed("title"), milestones, reasons))
    return r.ParticipantFlow(
        groups=_groups(module),
        periods=tuple(periods),
        recruitment_details=module.text("recruitment_details"),
        pre_assignment_details=module.text("pre_assignment_details"),
    )


def _denominators(node: _El, class_title: str | None = None) -> tuple[r.Denominator, ...]:
    return tuple(
        r.Denominator(a.text("units"), _counts(a.all("count_list/count"), "value"), class_title)
        for a in node.all("analyzed_list/analyzed")
    )


def _class_denominators(measure: _El) -> tuple[r.Denominator, ...]:
    """The numbers analysed per class (``class/analyzed_list``), each titled by its class."""
    return tuple(
        d
        for c in measure.all("class_list/class")
        for d in _denominators(c, c.text("title") or "")
    )


def _measurements(measure: _El) -> Iterator[r.Measurement]:
    for c in measure.all("class_list/class"):
        for cat in c.all("category_list/category"):
            for m in cat.all("measurement_list/measurement"):
                yield r.Measurement(
                    group=m.group(),
                    value=m.attr("value"),
                    spread=m.attr("spread"),
                    lower_limit=m.attr("lower_limit"),
                    upper_limit=m.attr("upper_limit"),
                    comment=m.own(),
                    class_title=c.text("title"),
                    category_title=cat.text("title"),
                )


def _baseline(module: _El) -> r.Baseline:
    measures = tuple(
        r.Measure(
            title=m.needed("title"),
            description=m.text("description"),
            population=m.text("population"),
            param_type=m.code(r.ParamType, "param"),
            dispersion_type=m.code(r.DispersionType, "dispersion"),
            unit=m.text("units"),
            measurements=tuple(_measurements(m)),
            denominators=_class_denominators(m),
        )
        for m in module.all("measure_list/measure")
    )
    return r.Baseline(
        groups=_groups(module),
        denominators=_denominators(module),
        measures=measures,
        population=module.text("population"),
    )


def _outcome(o: _El) -> r.OutcomeResult:
    kind = o.code(r.OutcomeType, "type")
    if kind is None:
        raise InputError("missing outcome type", field=f"{o.path}/type")
    measure = o.one("measure")
    return r.OutcomeResult(
        type=kind,
        title=o.needed("title"),
        description=o.text("description"),
        time_frame=o.text("time_frame"),
        population=o.text("population"),
        param_type=None if measure is None else measure.code(r.ParamType, "param"),
        dispersion_type=None if measure is None else measure.code(r.DispersionType, "dispersion"),
        unit=None if measure is None else measure.text("units"),
        groups=_groups(o),
        denominators=()
        if measure is None
        else _denominators(measure) + _class_denominators(measure),
        measurements=() if measure is None else tuple(_measurements(measure)),
        analyses=tuple(_analysis(a) for a in o.all("analysis_list/analysis")),
    )


def _group_id(node: _El) -> str:
    code = node.own()
    if code is None:
        raise InputError("missing group id", field=node.path)
    return code


def _analysis(a: _El) -> r.Analysis:
    return r.Analysis(
        groups=tuple(_group_id(g) for g in a.all("group_id_list/group_id")),
        groups_description=a.text("groups_desc"),
        non_inferiority_type=a.code(r.NonInferiorityType, "non_inferiority_type"),
        p_value=a.text("p_value"),
        p_value_comment=a.text("p_value_desc"),
        method=a.text("method"),
        method_comment=a.text("method_desc"),
        param_type=a.text("param_type"),
        param_value=a.text("param_value"),
        ci_percent=a.text("ci_percent"),
        ci_sides=a.code(r.CiSides, "ci_n_sides"),
        ci_lower_limit=a.text("ci_lower_limit"),
        ci_upper_limit=a.text("ci_upper_limit"),
        dispersion_type=a.code(r.AnalysisDispersionType, "dispersion_type"),
        dispersion_value=a.text("dispersion_value"),
        estimate_comment=a.text("estimate_desc"),
        non_inferiority_comment=a.text("non_inferiority_desc"),
        other_description=a.text("other_analysis_desc"),
        ci_upper_limit_comment=a.text("ci_upper_limit_na_comment"),
    )


def _adverse_events(module: _El) -> r.AdverseEvents:
    totals: dict[tuple[str, str], tuple[int | None, int | None]] = {}
    events: list[r.AdverseEvent] = []
    threshold = None
    for tag, seriousness in _SERIOUSNESS.items():
        part = module.one(tag)
        if part is None:
            continue
        threshold = threshold or part.text("frequency_threshold")
        vocab, assessment = (
            part.text("default_vocab"),
            part.code(r.AssessmentType, "default_assessment"),
        )
        for category in part.all("category_list/category"):
            organ = category.text("title")
            for e in category.all("event_list/event"):
                term = e.needed("sub_title")
                if organ == "Total":
                    kind = _TOTALS.get(term)
                    if kind is None:
                        raise InputError(f"unknown total {term!r}", field=f"{e.path}/sub_title")
                    for c in e.all("counts"):
                        totals[kind, c.group()] = (
                            c.whole("subjects_affected"),
                            c.whole("subjects_at_risk"),
                        )
                    continue
                events.append(_event(e, term, organ, seriousness, vocab, assessment))
    groups = []
    for g in _groups(module):
        serious = totals.get(("serious", g.code), (None, None))
        other = totals.get(("other", g.code), (None, None))
        deaths = totals.get(("deaths", g.code), (None, None))
        groups.append(
            r.EventGroup(
                g.code,
                g.title,
                g.description,
                serious_affected=serious[0],
                serious_at_risk=serious[1],
                other_affected=other[0],
                other_at_risk=other[1],
                deaths_affected=deaths[0],
                deaths_at_risk=deaths[1],
            )
        )
    return r.AdverseEvents(
        groups=tuple(groups),
        events=tuple(events),
        frequency_threshold=threshold,
        time_frame=module.text("time_frame"),
        description=module.text("desc"),
    )


def _event(
    e: _El,
    term: str,
    organ: str | None,
    seriousness: r.Seriousness,
    vocab: str | None,
    assessment: r.AssessmentType | None,
) -> r.AdverseEvent:
    sub_title = e.one("sub_title")
    own_vocab = None if sub_title is None else sub_title.attr("vocab")
    stats = tuple(
        r.EventStats(
            group=c.group(),
            affected=c.whole("subjects_affected"),
            at_risk=c.whole("subjects_at_risk"),
            events=c.whole("events"),
        )
        for c in e.all("counts")
    )
    return r.AdverseEvent(
        term=term,
        organ_system=organ,
        seriousness=seriousness,
        vocabulary=own_vocab or vocab,
        assessment=e.code(r.AssessmentType, "assessment") or assessment,
        notes=e.text("description"),
        stats=stats,
    )
