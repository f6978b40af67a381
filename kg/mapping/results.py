"""Map a trial's posted results (:class:`kg.model_results.Results`) to the "Results" triples.

Every node hangs under the trial and is keyed by the source's own ids and positions:
``trial/NCT.../results/group/EG000`` (a group of the flow, baseline or adverse-event module),
``results/outcome/3/group/OG000`` (outcome groups are defined per outcome measure),
``results/flow/1/milestone/2``, ``results/baseline/4``, ``results/outcome/3/analysis/1``,
``results/ae/serious/7``; counts hang under their node by group id. A posted outcome measure is the
protocol's outcome node when one of the same kind has the same title, else a node of its own.

Numbers: a value is ``xsd:decimal`` when the source writes a plain number, else kept as text
(``tkg:valueText "NA"``); spreads, limits and estimates are decimals or, when not numbers, plain
strings. A p-value is kept as written (``tkg:pValue "<0.001"``) and is also ``tkg:pValueNumeric``
only when it states an exact value ("0.04", "=0.247", ".04"): a bound ("<0.001") is not a value,
and "0,001" is ambiguous; both stay text only.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kg import model, model_results
from kg.mapping._emit import Triples
from kg.mapping.parties import map_organization
from kg.model_results import ResultsModule
from kg.terms import SDO, T, boolean, decimal, integer, literal, name_key

__all__ = ["exact_p_value", "map_results", "number"]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")
_EXACT_P = re.compile(r"=?\s*(" + _NUMBER.pattern + ")")
# The protocol list a posted outcome measure of each kind may come from (post hoc: none).
_PROTOCOL_KIND = {
    model_results.OutcomeType.PRIMARY: "primary",
    model_results.OutcomeType.SECONDARY: "secondary",
    model_results.OutcomeType.OTHER_PRE_SPECIFIED: "other",
    model_results.OutcomeType.POST_HOC: "post-hoc",
}


def number(text: str | None) -> Decimal | None:
    """Return the number a value states, or None when it is not a plain number.

    >>> number("12.50"), number("-3"), number("NA"), number("26,300"), number("1e5")
    (Decimal('12.50'), Decimal('-3'), None, None, None)
    """
    if text is None or not _NUMBER.fullmatch(text.strip()):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


def exact_p_value(text: str | None) -> Decimal | None:
    """Return the p-value a text states exactly, or None for a bound or anything else.

    >>> exact_p_value("0.04"), exact_p_value("=0.247"), exact_p_value(".04")
    (Decimal('0.04'), Decimal('0.247'), Decimal('0.04'))
    >>> exact_p_value("<0.001"), exact_p_value("0,001"), exact_p_value(None)
    (None, None, None)
    """
    if text is None:
        return None
    m = _EXACT_P.fullmatch(text.strip())
    return None if m is None else Decimal(m.group(1))


def _value(text: str | None) -> str | None:
    """Render a decimal when the text is a number, else a plain string (None stays None)."""
    if text is None:
        return None
    n = number(text)
    return literal(text) if n is None else decimal(n)


class _Results:
    """The triples of one trial's results; holds the trial node and its IRI minter."""

    def __init__(self, t: Triples, trial: model.Trial, node: str) -> None:
        self.t, self.trial, self.node, self.nct = t, trial, node, trial.nct_id

    def part(self, *path: object) -> str:
        return self.t.mint.part(self.nct, "results", *path)

    def put(self, s: str, p: str, o: str | None) -> None:
        if o is not None:
            self.t.add(s, p, o)

    def module(self, which: ResultsModule) -> None:
        self.t.code(self.node, T.resultsModule, which)

    def group(self, g: model_results.ResultGroup, *within: object) -> str:
        node = self.part(*within, "group", g.code)
        self.t.add(self.node, T.resultGroup, node)
        self.t.a(node, T.ResultGroup)
        self.t.text(node, T.groupCode, g.code)
        self.t.text(node, SDO.name, g.title)
        self.t.text(node, SDO.description, g.description)
        return node

    def group_ref(self, code: str, *within: object) -> str:
        """The node of a group a count or measurement names (declared or not by its module)."""
        node = self.part(*within, "group", code)
        self.t.add(self.node, T.resultGroup, node)
        self.t.a(node, T.ResultGroup)
        self.t.text(node, T.groupCode, code)
        return node

    def counts(
        self,
        owner: str,
        prop: str,
        counts: tuple[model_results.GroupCount, ...],
        path: tuple[object, ...],
        within: tuple[object, ...] = (),
        unit: str | None = None,
        class_title: str | None = None,
    ) -> None:
        """Add ``owner prop ?c`` for each count, keyed ``results/{path}/{group id}``."""
        for c in counts:
            node = self.part(*path, c.group)
            self.t.add(owner, prop, node)
            self.t.a(node, T.GroupCount)
            self.t.add(node, T.group, self.group_ref(c.group, *within))
            self.t.add(node, T.count, integer(c.count))
            self.t.text(node, T.unit, unit)
            self.t.text(node, T.className, class_title)
            self.t.text(node, T.note, c.comment)


def map_results(t: Triples, trial: model.Trial, node: str) -> None:
    """Add the triples of the trial's posted results, if it has any."""
    results = trial.results
    if results is None:
        return
    r = _Results(t, trial, node)
    if results.flow is not None:
        _flow(r, results.flow)
    if results.baseline is not None:
        _baseline(r, results.baseline)
    if results.outcomes:
        r.module(ResultsModule.OUTCOME_MEASURES)
        _outcomes(r, results.outcomes)
    if results.adverse_events is not None:
        _adverse_events(r, results.adverse_events)
    if results.limitations or results.contact_organization or results.agreement:
        r.module(ResultsModule.MORE_INFO)
    t.text(node, T.resultsLimitations, results.limitations)
    if results.contact_organization:
        org = map_organization(t, results.contact_organization)
        t.add(node, T.resultsContactOrganization, org)
    if results.agreement is not None:
        _agreement(r, results.agreement)


def _agreement(r: _Results, a: model_results.CertainAgreement) -> None:
    t = r.t
    if a.pi_sponsor_employee is not None:
        t.add(r.node, T.piSponsorEmployee, boolean(a.pi_sponsor_employee))
    if a.restrictive is not None:
        t.add(r.node, T.restrictiveAgreement, boolean(a.restrictive))
    t.code(r.node, T.restrictionType, a.restriction_type)
    t.text(r.node, T.restrictionDetails, a.details)


def _flow(r: _Results, flow: model_results.ParticipantFlow) -> None:
    t = r.t
    r.module(ResultsModule.PARTICIPANT_FLOW)
    for g in flow.groups:
        r.group(g)
    t.text(r.node, T.recruitmentDetails, flow.recruitment_details)
    t.text(r.node, T.preAssignmentDetails, flow.pre_assignment_details)
    position = 0
    for p_pos, period in enumerate(flow.periods, 1):
        for kind, entries in (("milestone", period.milestones), ("drop", period.drop_reasons)):
            for n, entry in enumerate(entries, 1):
                position += 1
                node = r.part("flow", p_pos, kind, n)
                if kind == "milestone":
                    t.add(r.node, T.flowMilestone, node)
                    t.a(node, T.FlowMilestone)
                    t.text(node, T.milestoneType, entry.label)
                else:
                    t.add(r.node, T.dropReason, node)
                    t.a(node, T.DropReason)
                    t.text(node, T.reasonType, entry.label)
                t.text(node, T.period, period.title)
                t.add(node, T.listPosition, integer(position))
                t.text(node, T.note, entry.comment)
                r.counts(node, T.groupCount, entry.counts, ("flow", p_pos, kind, n, "count"))


def _measurement(
    r: _Results, m: model_results.Measurement, path: tuple[object, ...], *within: object
) -> str:
    t = r.t
    node = r.part(*path)
    t.a(node, T.Measurement)
    t.add(node, T.group, r.group_ref(m.group, *within))
    value = number(m.value)
    if value is not None:
        t.add(node, T.value, decimal(value))
    else:
        t.text(node, T.valueText, m.value)
    r.put(node, T.spread, _value(m.spread))
    r.put(node, T.lowerLimit, _value(m.lower_limit))
    r.put(node, T.upperLimit, _value(m.upper_limit))
    t.text(node, T.className, m.class_title)
    t.text(node, T.categoryName, m.category_title)
    t.text(node, T.note, m.comment)
    return node


def _baseline(r: _Results, baseline: model_results.Baseline) -> None:
    t = r.t
    r.module(ResultsModule.BASELINE)
    for g in baseline.groups:
        r.group(g)
    t.text(r.node, T.baselinePopulation, baseline.population)
    for n, d in enumerate(baseline.denominators, 1):
        r.counts(r.node, T.baselineAnalyzed, d.counts, ("baseline-analyzed", n), unit=d.units)
    for n, measure in enumerate(baseline.measures, 1):
        node = r.part("baseline", n)
        t.add(r.node, T.baselineMeasure, node)
        t.a(node, T.BaselineMeasure)
        t.text(node, SDO.name, measure.title)
        t.text(node, SDO.description, measure.description)
        t.text(node, T.population, measure.population)
        t.text(node, T.unit, measure.unit)
        t.code(node, T.paramType, measure.param_type)
        t.code(node, T.dispersionType, measure.dispersion_type)
        t.add(node, T.listPosition, integer(n))
        for k, m in enumerate(measure.measurements, 1):
            t.add(node, T.measurement, _measurement(r, m, ("baseline", n, "measurement", k)))
        for k, d in enumerate(measure.denominators, 1):
            path = ("baseline", n, "analyzed", k)
            r.counts(node, T.analyzedCount, d.counts, path, (), d.units, d.class_title)


def _protocol_outcomes(trial: model.Trial) -> dict[tuple[str, str], list[str]]:
    """Map (kind, title key) to the protocol outcome nodes of that kind and title, in order."""
    found: dict[tuple[str, str], list[str]] = {}
    lists = (
        ("primary", trial.outcomes_primary),
        ("secondary", trial.outcomes_secondary),
        ("other", trial.outcomes_other),
    )
    for kind, outcomes in lists:
        for n, outcome in enumerate(outcomes, 1):
            node = f"{kind}/{n}"
            found.setdefault((kind, name_key(outcome.measure)), []).append(node)
    return found


def _outcomes(r: _Results, outcomes: tuple[model_results.OutcomeResult, ...]) -> None:
    t = r.t
    protocol = _protocol_outcomes(r.trial)
    for n, outcome in enumerate(outcomes, 1):
        kind = _PROTOCOL_KIND[outcome.type]
        matches = protocol.get((kind, name_key(outcome.title)))
        if matches:
            node = t.mint.part(r.nct, "outcome", matches.pop(0))
        else:
            node = r.part("outcome", n)
            t.a(node, T.Outcome)
            t.text(node, SDO.name, outcome.title)
            t.text(node, SDO.description, outcome.description)
            t.text(node, T.timeFrame, outcome.time_frame)
        t.add(r.node, T.resultOutcome, node)
        t.code(node, T.outcomeType, outcome.type)
        t.code(node, T.reportingStatus, outcome.reporting_status)
        t.text(node, T.population, outcome.population)
        t.add(node, T.listPosition, integer(n))
        for g in outcome.groups:
            r.group(g, "outcome", n)
        for k, d in enumerate(outcome.denominators, 1):
            path = ("outcome", n, "analyzed", k)
            r.counts(node, T.analyzedCount, d.counts, path, ("outcome", n), d.units, d.class_title)
        for k, m in enumerate(outcome.measurements, 1):
            x = _measurement(r, m, ("outcome", n, "measurement", k), "outcome", n)
            t.add(node, T.measurement, x)
            t.text(x, T.unit, outcome.unit)
            t.code(x, T.paramType, outcome.param_type)
            t.code(x, T.dispersionType, outcome.dispersion_type)
        for k, a in enumerate(outcome.analyses, 1):
            _analysis(r, node, a, r.part("outcome", n, "analysis", k), n)


def _analysis(r: _Results, outcome: str, a: model_results.Analysis, node: str, n: int) -> None:
    t = r.t
    t.add(outcome, T.analysis, node)
    t.a(node, T.Analysis)
    for code in a.groups:
        t.add(node, T.group, r.group_ref(code, "outcome", n))
    t.text(node, T.groupsDescription, a.groups_description)
    t.code(node, T.nonInferiorityType, a.non_inferiority_type)
    t.text(node, T.pValue, a.p_value)
    p = exact_p_value(a.p_value)
    if p is not None:
        t.add(node, T.pValueNumeric, decimal(p))
    t.text(node, T.pValueComment, a.p_value_comment)
    t.text(node, T.statisticalMethod, a.method)
    t.text(node, T.statisticalComment, a.method_comment)
    t.text(node, T.analysisParamType, a.param_type)
    r.put(node, T.paramValue, _value(a.param_value))
    r.put(node, T.ciPercent, _value(a.ci_percent))
    t.code(node, T.ciSides, a.ci_sides)
    r.put(node, T.ciLowerLimit, _value(a.ci_lower_limit))
    r.put(node, T.ciUpperLimit, _value(a.ci_upper_limit))
    t.code(node, T.dispersionType, a.dispersion_type)
    r.put(node, T.dispersionValue, _value(a.dispersion_value))
    t.text(node, T.estimateComment, a.estimate_comment)
    t.text(node, T.nonInferiorityComment, a.non_inferiority_comment)
    if a.tested_non_inferiority is not None:
        t.add(node, T.testedNonInferiority, boolean(a.tested_non_inferiority))
    t.text(node, T.otherAnalysisDescription, a.other_description)
    t.text(node, T.ciUpperLimitComment, a.ci_upper_limit_comment)


def _adverse_events(r: _Results, events: model_results.AdverseEvents) -> None:
    t = r.t
    r.module(ResultsModule.ADVERSE_EVENTS)
    t.text(r.node, T.adverseEventTimeFrame, events.time_frame)
    t.text(r.node, T.adverseEventDescription, events.description)
    t.text(r.node, T.frequencyThreshold, events.frequency_threshold)
    for g in events.groups:
        node = r.group(model_results.ResultGroup(g.code, g.title, g.description))
        for prop, count in (
            (T.seriousAffected, g.serious_affected),
            (T.otherAffected, g.other_affected),
            (T.deathsAffected, g.deaths_affected),
            (T.atRisk, g.serious_at_risk if g.serious_at_risk is not None else g.other_at_risk),
            (T.otherAtRisk, g.other_at_risk),
            (T.deathsAtRisk, g.deaths_at_risk),
        ):
            if count is not None:
                t.add(node, prop, integer(count))
    positions = dict.fromkeys(model_results.Seriousness, 0)
    for e in events.events:
        positions[e.seriousness] += 1
        node = r.part("ae", e.seriousness.value.lower(), positions[e.seriousness])
        t.add(r.node, T.adverseEvent, node)
        t.a(node, T.AdverseEvent)
        t.text(node, T.term, e.term)
        t.text(node, T.organSystem, e.organ_system)
        t.code(node, T.seriousness, e.seriousness)
        t.text(node, T.sourceVocabulary, e.vocabulary)
        t.code(node, T.assessmentType, e.assessment)
        t.text(node, T.note, e.notes)
        for s in e.stats:
            stats = r.part("ae", e.seriousness.value.lower(), positions[e.seriousness], s.group)
            t.add(node, T.eventStats, stats)
            t.a(stats, T.EventStats)
            t.add(stats, T.group, r.group_ref(s.group))
            for prop, count in (
                (T.affected, s.affected),
                (T.atRisk, s.at_risk),
                (T.events, s.events),
            ):
                if count is not None:
                    t.add(stats, prop, integer(count))
