"""Read the API v2 ``resultsSection`` of one study into :class:`kg.model_results.Results`.

Field names follow https://clinicaltrials.gov/data-api/about-api/study-data-structure
("Results Section"). Counts the API writes as strings ("numSubjects": "45") must be whole
numbers; measured values, limits and p-values stay text for the mapping to judge.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from kg import model_results as r
from kg.errors import InputError
from kg.sources.results_codes import results_code

if TYPE_CHECKING:
    from kg.sources.ctgov_json import _Node

__all__ = ["read_results"]

_E = TypeVar("_E", bound=Enum)


def read_results(section: _Node) -> r.Results | None:
    """Return the results of a ``resultsSection`` node, or None when the record has none."""
    flow = section.node("participantFlowModule")
    baseline = section.node("baselineCharacteristicsModule")
    outcomes = section.node("outcomeMeasuresModule")
    events = section.node("adverseEventsModule")
    info = section.node("moreInfoModule")
    results = r.Results(
        flow=_flow(flow) if flow.present() else None,
        baseline=_baseline(baseline) if baseline.present() else None,
        outcomes=tuple(_outcome(o) for o in outcomes.nodes("outcomeMeasures")),
        adverse_events=_adverse_events(events) if events.present() else None,
        limitations=info.node("limitationsAndCaveats").text("description"),
        contact_organization=info.node("pointOfContact").text("organization"),
        agreement=_agreement(info.node("certainAgreement")),
    )
    return None if results == r.Results() else results


def _agreement(node: _Node) -> r.CertainAgreement | None:
    agreement = r.CertainAgreement(
        pi_sponsor_employee=node.flag("piSponsorEmployee"),
        restrictive=node.flag("restrictiveAgreement"),
        restriction_type=_code(node, r.RestrictionType, "restrictionType"),
        details=node.text("otherDetails"),
    )
    return None if agreement == r.CertainAgreement() else agreement


def _code(node: _Node, enum: type[_E], key: str) -> _E | None:
    text = node.text(key)
    return None if text is None else results_code(enum, text, node.at(key))


def _whole(node: _Node, key: str) -> int | None:
    """Read a count the API writes as a number or as a string of digits."""
    text = node.value_text(key)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit():
        raise InputError(f"expected a whole number, got {text!r}", field=node.at(key))
    return int(text)


def _groups(node: _Node) -> tuple[r.ResultGroup, ...]:
    groups = []
    for g in node.nodes("groups"):
        code = g.text("id")
        if code is None:
            raise InputError("missing group id", field=g.at("id"))
        groups.append(r.ResultGroup(code, g.text("title"), g.text("description")))
    return tuple(groups)


def _group_id(node: _Node, key: str = "groupId") -> str:
    code = node.text(key)
    if code is None:
        raise InputError("missing group id", field=node.at(key))
    return code


def _counts(items: list[_Node], key: str) -> tuple[r.GroupCount, ...]:
    out = []
    for item in items:
        count = _whole(item, key)
        if count is None:
            raise InputError("missing count", field=item.at(key))
        out.append(r.GroupCount(_group_id(item), count, item.text("comment")))
    return tuple(out)


def _flow(module: _Node) -> r.ParticipantFlow:
    periods = []
    for p in module.nodes("periods"):
        milestones = tuple(
            r.FlowEntry(
                _label(m, "type"),
                _counts(m.nodes("achievements"), "numSubjects"),
                m.text("comment"),
            )
            for m in p.nodes("milestones")
        )
        reasons = tuple(
            r.FlowEntry(_label(d, "type"), _counts(d.nodes("reasons"), "numSubjects"))
            for d in p.nodes("dropWithdraws")
        )
        periods.append(r.FlowPeriod(_label(p, "title"), milestones, reasons))
    return r.ParticipantFlow(
        groups=_groups(module),
        periods=tuple(periods),
        recruitment_details=module.text("recruitmentDetails"),
        pre_assignment_details=module.text("preAssignmentDetails"),
    )


def _label(node: _Node, key: str) -> str:
    text = node.text(key)
    if text is None:
        raise InputError("missing text", field=node.at(key))
    return text


def _denominators(node: _Node, class_title: str | None = None) -> tuple[r.Denominator, ...]:
    return tuple(
        r.Denominator(d.text("units"), _counts(d.nodes("counts"), "value"), class_title)
        for d in node.nodes("denoms")
    )


def _class_denominators(measure: _Node) -> tuple[r.Denominator, ...]:
    """The numbers analysed per class (``classes[].denoms``), each titled by its class."""
    return tuple(
        d for c in measure.nodes("classes") for d in _denominators(c, c.text("title") or "")
    )


def _measurements(measure: _Node) -> Iterator[r.Measurement]:
    for c in measure.nodes("classes"):
        for cat in c.nodes("categories"):
            for m in cat.nodes("measurements"):
                yield r.Measurement(
                    group=_group_id(m),
                    value=m.value_text("value"),
                    spread=m.value_text("spread"),
                    lower_limit=m.value_text("lowerLimit"),
                    upper_limit=m.value_text("upperLimit"),
                    comment=m.text("comment"),
                    class_title=c.text("title"),
                    category_title=cat.text("title"),
                )


def _baseline(module: _Node) -> r.Baseline:
    measures = tuple(
        r.Measure(
            title=_label(m, "title"),
            description=m.text("description"),
            population=m.text("populationDescription"),
            param_type=_code(m, r.ParamType, "paramType"),
            dispersion_type=_code(m, r.DispersionType, "dispersionType"),
            unit=m.text("unitOfMeasure"),
            measurements=tuple(_measurements(m)),
            denominators=_class_denominators(m),
        )
        for m in module.nodes("measures")
    )
    return r.Baseline(
        groups=_groups(module),
        denominators=_denominators(module),
        measures=measures,
        population=module.text("populationDescription"),
    )


def _outcome(o: _Node) -> r.OutcomeResult:
    kind = _code(o, r.OutcomeType, "type")
    if kind is None:
        raise InputError("missing outcome type", field=o.at("type"))
    return r.OutcomeResult(
        type=kind,
        title=_label(o, "title"),
        description=o.text("description"),
        time_frame=o.text("timeFrame"),
        population=o.text("populationDescription"),
        reporting_status=_code(o, r.ReportingStatus, "reportingStatus"),
        param_type=_code(o, r.ParamType, "paramType"),
        dispersion_type=_code(o, r.DispersionType, "dispersionType"),
        unit=o.text("unitOfMeasure"),
        groups=_groups(o),
        denominators=_denominators(o) + _class_denominators(o),
        measurements=tuple(_measurements(o)),
        analyses=tuple(_analysis(a) for a in o.nodes("analyses")),
    )


def _analysis(a: _Node) -> r.Analysis:
    return r.Analysis(
        groups=a.texts("groupIds"),
        groups_description=a.text("groupDescription"),
        non_inferiority_type=_code(a, r.NonInferiorityType, "nonInferiorityType"),
        p_value=a.value_text("pValue"),
        p_value_comment=a.text("pValueComment"),
        method=a.text("statisticalMethod"),
        method_comment=a.text("statisticalComment"),
        param_type=a.text("paramType"),
        param_value=a.value_text("paramValue"),
        ci_percent=a.value_text("ciPctValue"),
        ci_sides=_code(a, r.CiSides, "ciNumSides"),
        ci_lower_limit=a.value_text("ciLowerLimit"),
        ci_upper_limit=a.value_text("ciUpperLimit"),
        dispersion_type=_code(a, r.AnalysisDispersionType, "dispersionType"),
        dispersion_value=a.value_text("dispersionValue"),
        estimate_comment=a.text("estimateComment"),
        non_inferiority_comment=a.text("nonInferiorityComment"),
        tested_non_inferiority=a.flag("testedNonInferiority"),
        other_description=a.text("otherAnalysisDescription"),
        ci_upper_limit_comment=a.text("ciUpperLimitComment"),
    )


def _adverse_events(module: _Node) -> r.AdverseEvents:
    groups = tuple(
        r.EventGroup(
            code=_group_id(g, "id"),
            title=g.text("title"),
            description=g.text("description"),
            serious_affected=_whole(g, "seriousNumAffected"),
            serious_at_risk=_whole(g, "seriousNumAtRisk"),
            other_affected=_whole(g, "otherNumAffected"),
            other_at_risk=_whole(g, "otherNumAtRisk"),
            deaths_affected=_whole(g, "deathsNumAffected"),
            deaths_at_risk=_whole(g, "deathsNumAtRisk"),
        )
        for g in module.nodes("eventGroups")
    )
    events = [
        _event(e, seriousness)
        for key, seriousness in (
            ("seriousEvents", r.Seriousness.SERIOUS),
            ("otherEvents", r.Seriousness.OTHER),
        )
        for e in module.nodes(key)
    ]
    return r.AdverseEvents(
        groups=groups,
        events=tuple(events),
        frequency_threshold=module.value_text("frequencyThreshold"),
        time_frame=module.text("timeFrame"),
        description=module.text("description"),
    )


def _event(e: _Node, seriousness: r.Seriousness) -> r.AdverseEvent:
    stats = tuple(
        r.EventStats(
            group=_group_id(s),
            affected=_whole(s, "numAffected"),
            at_risk=_whole(s, "numAtRisk"),
            events=_whole(s, "numEvents"),
        )
        for s in e.nodes("stats")
    )
    return r.AdverseEvent(
        term=_label(e, "term"),
        organ_system=e.text("organSystem"),
        seriousness=seriousness,
        vocabulary=e.text("sourceVocabulary"),
        assessment=_code(e, r.AssessmentType, "assessmentType"),
        notes=e.text("notes"),
        stats=stats,
    )
