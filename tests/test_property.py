"""Property: every roster the solver returns on random small instances passes the independent
check; with allow_gaps it breaks no rule but coverage, and its gap counts match the checker's."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import make_scenario, solve_case
from patrolplan.check import check_roster


@st.composite
def instances(draw):
    n_st = draw(st.integers(2, 4))
    counties = ["X", "Y", ""]  # a blank jurisdiction is no jurisdiction
    stations = [(f"S{i}", draw(st.integers(0, 8)), draw(st.sampled_from(counties))) for i in range(n_st)]
    ids = [s[0] for s in stations]
    n_z = draw(st.integers(1, 2))
    zones = []
    for z in range(n_z):
        members = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=n_st, unique=True))
        zones.append((f"Z{z}", draw(st.sampled_from(["synchronized", "staggered"])), members))
    hotspots = [(f"H{h}", f"Z{draw(st.integers(0, n_z - 1))}") for h in range(draw(st.integers(1, 3)))]
    days = draw(st.integers(1, 2))
    spans = {}
    for hid, _ in hotspots:
        a = draw(st.integers(0, 24 * days - 1))
        b = draw(st.integers(a + 1, min(a + 10, 24 * days)))
        spans[hid] = [(a, b, draw(st.integers(1, 2)))]
    minutes = {(s, h): draw(st.integers(0, 50)) for s in ids for h, _ in hotspots}
    config = dict(
        horizon_days=days,
        rules={
            "min_rest_hours": draw(st.sampled_from([4, 8, 12])),
            "max_shifts_per_team": draw(st.integers(1, 3)),
            "shift_start_every_minutes": draw(st.sampled_from([60, 120])),
        },
        modes={"handover_minutes": draw(st.sampled_from([0, 0, 30]))},
    )
    return stations, hotspots, zones, spans, minutes, config


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_solved_roster_passes_the_independent_check(case):
    stations, hotspots, zones, spans, minutes, config = case
    sc = make_scenario(stations, hotspots, zones, **config)
    result, tr, _, sc = solve_case(sc, spans, minutes=minutes, time_limit_s=60)
    if result.status in ("optimal", "feasible"):
        report = check_roster(sc, result.roster, travel=tr)
        assert report.ok, report.to_text()
    else:
        assert result.status == "infeasible"
        assert result.explanation
        # the relaxed solve leaves gaps, breaks no other rule, and counts them as the checker does
        gaps, tr, _, sc = solve_case(sc, spans, minutes=minutes, time_limit_s=60, allow_gaps=True)
        assert gaps.status == "gaps"
        report = check_roster(sc, gaps.roster, travel=tr)
        assert not report.rule_violations, report.to_text()
        assert gaps.summary["uncovered_slots"] == report.uncovered_slots
