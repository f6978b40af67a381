"""Posted results of the valid validation record: every results node the shapes look at."""

from __future__ import annotations

from kg import model_results as r

RESULTS = r.Results(
    flow=r.ParticipantFlow(
        groups=(r.ResultGroup("FG000", "Cells"), r.ResultGroup("FG001", "Placebo")),
        periods=(
            r.FlowPeriod(
                "Overall Study",
                milestones=(
                    r.FlowEntry("STARTED", (r.GroupCount("FG000", 40), r.GroupCount("FG001", 38))),
                ),
                drop_reasons=(r.FlowEntry("Lost to Follow-up", (r.GroupCount("FG000", 2),)),),
            ),
        ),
    ),
    baseline=r.Baseline(
        groups=(r.ResultGroup("BG000", "Cells"),),
        denominators=(r.Denominator("Participants", (r.GroupCount("BG000", 40),)),),
        measures=(
            r.Measure(
                "Age",
                param_type=r.ParamType.MEAN,
                dispersion_type=r.DispersionType.STANDARD_DEVIATION,
                unit="years",
                measurements=(r.Measurement("BG000", "44.5", spread="9.1"),),
            ),
        ),
    ),
    outcomes=(
        r.OutcomeResult(
            r.OutcomeType.PRIMARY,
            "Pain on a visual analogue scale",
            groups=(r.ResultGroup("OG000", "Cells"), r.ResultGroup("OG001", "Placebo")),
            measurements=(r.Measurement("OG000", "31"), r.Measurement("OG001", "NA")),
            analyses=(r.Analysis(("OG000", "OG001"), p_value="0.04"),),
        ),
    ),
    adverse_events=r.AdverseEvents(
        groups=(
            r.EventGroup(
                "EG000",
                "Cells",
                serious_affected=1,
                serious_at_risk=40,
                other_affected=5,
                other_at_risk=40,
                deaths_affected=0,
                deaths_at_risk=40,
            ),
        ),
        events=(
            r.AdverseEvent(
                "Back pain",
                "Musculoskeletal disorders",
                r.Seriousness.OTHER,
                stats=(r.EventStats("EG000", affected=5, at_risk=40, events=7),),
            ),
        ),
    ),
    limitations="Small sample.",
)
