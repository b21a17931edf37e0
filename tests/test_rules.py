"""One test per rule family, each on a hand-sized instance, asserting that rule's own effect.

Every roster solved here is also held to the independent checker.
"""

from __future__ import annotations

import pandas as pd
import pytest

from builders import make_scenario, solve_case
from patrolplan.check import check_roster


def _minutes(series) -> pd.Series:
    t = pd.to_datetime(series)
    return (t - pd.Timestamp("2026-11-30")).dt.total_seconds() // 60


def _solved(result, scenario, tr, *, allow_gaps=False):
    report = check_roster(scenario, result.roster, travel=tr)
    if allow_gaps:
        assert not report.rule_violations, report.to_text()
    else:
        assert report.ok, report.to_text()
    return report


def one_station(officers=2, **config):
    return make_scenario([("A", officers, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])], **config)


def test_coverage_exact_on_hand_solvable_case():
    """Demand 08:00-12:00 at one hotspot, no travel: one 4-hour shift 08:00-12:00."""
    sc = one_station()
    result, tr, _, sc = solve_case(sc, {"H1": [(8, 12, 1)]})
    assert result.status == "optimal"
    r = result.roster
    assert len(r) == 1
    assert (r.loc[0, "start"], r.loc[0, "end"]) == ("2026-11-30T08:00", "2026-11-30T12:00")
    _solved(result, sc, tr)


def test_travel_time_takes_on_site_hours_off_the_shift():
    """30 min each way: a 4-hour shift no longer covers 4 demanded hours on site."""
    sc = one_station(officers=4)
    result, tr, _, sc = solve_case(sc, {"H1": [(8, 12, 1)]}, minutes=30)
    assert result.status == "optimal"
    r = result.roster
    on_site = _minutes(r["on_site_end"]) - _minutes(r["on_site_start"])
    assert ((_minutes(r["on_site_start"]) - _minutes(r["start"])) >= 30).all()
    assert ((_minutes(r["end"]) - _minutes(r["on_site_end"])) >= 30).all()
    # 4 h on site need 5 h with 30 min each way: one 8-hour shift (with no travel: one of 4 h)
    assert result.summary["team_hours"] == 8.0
    assert on_site.max() >= 240 or len(r) >= 2
    _solved(result, sc, tr)


def test_synchronized_needs_two_stations_on_site_together():
    stations = [("A", 2, "X"), ("B", 2, "Y")]
    sync = make_scenario(stations, [("H1", "Z1")], [("Z1", "synchronized", ["A", "B"])])
    stag = make_scenario(stations, [("H1", "Z1")], [("Z1", "staggered", ["A", "B"])])
    r_sync, tr, _, sc = solve_case(sync, {"H1": [(8, 12, 1)]})
    r_stag, _, _, _ = solve_case(stag, {"H1": [(8, 12, 1)]})
    assert set(r_sync.roster["station_id"]) == {"A", "B"}
    assert len(r_sync.roster) == 2 and len(r_stag.roster) == 1
    _solved(r_sync, sc, tr)


def test_synchronized_spans_two_jurisdictions_when_members_do():
    """A and B (county X) are nearest, but C (county Y) must be among those on site."""
    stations = [("A", 2, "X"), ("B", 2, "X"), ("C", 2, "Y")]
    sc = make_scenario(stations, [("H1", "Z1")], [("Z1", "synchronized", ["A", "B", "C"])])
    minutes = {("A", "H1"): 0, ("B", "H1"): 0, ("C", "H1"): 55}
    result, tr, _, sc = solve_case(sc, {"H1": [(8, 12, 1)]}, minutes=minutes)
    assert "C" in set(result.roster["station_id"])
    _solved(result, sc, tr)
    # same members all in one county: the nearest two suffice
    one_county = make_scenario([("A", 2, "X"), ("B", 2, "X"), ("C", 2, "X")], [("H1", "Z1")],
                               [("Z1", "synchronized", ["A", "B", "C"])])
    result2, _, _, _ = solve_case(one_county, {"H1": [(8, 12, 1)]}, minutes=minutes)
    assert set(result2.roster["station_id"]) == {"A", "B"}


def test_rest_rule_binds_one_team():
    """One team, demand 06-10 and 14-18: 4 h apart is less than 12 h rest."""
    sc = one_station(officers=2)
    spans = {"H1": [(6, 10, 1), (14, 18, 1)]}
    result, _, _, _ = solve_case(sc, spans)
    assert result.status == "infeasible"
    relaxed = one_station(officers=2, rules={"min_rest_hours": 4})
    result2, tr, _, sc2 = solve_case(relaxed, spans)
    assert result2.status == "optimal" and result2.roster["team_id"].nunique() == 1
    _solved(result2, sc2, tr)


def test_max_shifts_per_team():
    sc = one_station(officers=2, horizon_days=2, rules={"max_shifts_per_team": 1})
    spans = {"H1": [(8, 12, 1), (32, 36, 1)]}  # Monday and Tuesday mornings
    assert solve_case(sc, spans)[0].status == "infeasible"
    sc2 = one_station(officers=2, horizon_days=2, rules={"max_shifts_per_team": 2})
    result, tr, _, sc2 = solve_case(sc2, spans)
    assert result.status == "optimal" and len(result.roster) == 2
    _solved(result, sc2, tr)


def test_teams_per_station_bound_simultaneous_shifts():
    """Two teams needed at once: a station with 3 officers (1 team) cannot; 4 officers can."""
    spans = {"H1": [(8, 12, 2)]}
    assert solve_case(one_station(officers=3), spans)[0].status == "infeasible"
    result, tr, _, sc = solve_case(one_station(officers=4), spans)
    assert result.status == "optimal" and result.roster["team_id"].nunique() == 2
    _solved(result, sc, tr)


def test_reserve_officers_are_never_rostered():
    spans = {"H1": [(8, 12, 2)]}
    sc = one_station(officers=4, rules={"reserve_officers": 2})
    assert solve_case(sc, spans)[0].status == "infeasible"


def test_availability_by_date():
    """Two teams usually; on Monday only 2 officers (1 team) are available."""
    spans = {"H1": [(8, 12, 2)]}
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                       availability=[("A", "2026-11-30", 2)])
    assert solve_case(sc, spans)[0].status == "infeasible"
    sc_ok = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                          availability=[("A", "2026-12-01", 2)])
    result, tr, _, sc_ok = solve_case(sc_ok, spans)
    assert result.status == "optimal"
    _solved(result, sc_ok, tr)


def test_members_only():
    """B is nearer but not a member of the zone: only A may patrol."""
    sc = make_scenario([("A", 2, "X"), ("B", 2, "X")], [("H1", "Z1"), ("H2", "Z2")],
                       [("Z1", "staggered", ["A"]), ("Z2", "staggered", ["B"])])
    result, tr, _, sc = solve_case(sc, {"H1": [(8, 12, 1)]}, minutes={("A", "H1"): 50, ("B", "H1"): 1})
    assert set(result.roster["station_id"]) == {"A"}
    _solved(result, sc, tr)


def test_handover_overlap_in_staggered_zones():
    """Demand 00-16 needs two shifts; with a 30-minute handover they overlap on site."""
    sc = one_station(officers=6, rules={"min_rest_hours": 12, "shift_start_every_minutes": 60},
                     modes={"handover_minutes": 30})
    result, tr, _, sc = solve_case(sc, {"H1": [(0, 16, 1)]})
    assert result.status == "optimal"
    r = result.roster.sort_values("on_site_start")
    ends = _minutes(r["on_site_end"]).tolist()
    starts = _minutes(r["on_site_start"]).tolist()
    handovers = [(e, s2) for e, s2 in zip(ends[:-1], starts[1:]) if e < 16 * 60]
    assert handovers and all(e - s2 >= 30 for e, s2 in handovers)
    _solved(result, sc, tr)


def test_staggered_share_follows_teams():
    """Two stations with 4 teams each; A is nearer and could cover all 48 hours alone. With
    fairness on, B holds close to its half of the on-site hours (within one shift); off, A takes all."""
    stations = [("A", 8, "X"), ("B", 8, "Y")]
    minutes = {("A", "H1"): 5, ("B", "H1"): 25}

    def on_site_hours(fairness):
        sc = make_scenario(stations, [("H1", "Z1")], [("Z1", "staggered", ["A", "B"])], horizon_days=2,
                           objective={"fairness": fairness})
        result, tr, _, sc = solve_case(sc, {"H1": [(0, 48, 1)]}, minutes=minutes)
        _solved(result, sc, tr)
        r = result.roster
        hours = (_minutes(r["on_site_end"]) - _minutes(r["on_site_start"])) / 60
        return hours.groupby(r["station_id"]).sum()

    fair = on_site_hours(10)
    assert fair.get("B", 0) >= fair.sum() / 2 - 8 - 1e-6
    unfair = on_site_hours(0)
    assert unfair.get("B", 0) == 0


def test_shifts_may_start_before_the_horizon():
    sc = one_station(officers=2)
    result, tr, _, sc = solve_case(sc, {"H1": [(0, 2, 1)]})
    assert result.status == "optimal"
    assert result.roster.loc[0, "start"] < "2026-11-30T00:00"
    _solved(result, sc, tr)


def test_allow_gaps_returns_the_least_short_roster():
    sc = one_station(officers=2)  # one team
    result, tr, _, sc = solve_case(sc, {"H1": [(0, 24, 1)]}, allow_gaps=True)
    assert result.status == "gaps" and result.exit_code == 1
    report = _solved(result, sc, tr, allow_gaps=True)
    assert result.summary["uncovered_slots"] == report.uncovered_slots == int(result.coverage["gap"].sum())
    assert result.summary["uncovered_team_hours"] == pytest.approx(report.uncovered_team_hours)
    # one team, 12 h rest: 00:00-08:00, then 20:00-04:00 (4 of its hours inside the day): 12 covered
    assert result.summary["uncovered_slots"] == 12


def test_same_seed_same_roster():
    stations = [("A", 6, "X"), ("B", 6, "Y")]
    sc = make_scenario(stations, [("H1", "Z1"), ("H2", "Z1")], [("Z1", "synchronized", ["A", "B"])],
                       horizon_days=2)
    spans = {"H1": [(20, 26, 1)], "H2": [(6, 12, 1)]}
    a = solve_case(sc, spans, minutes=10)[0].roster
    b = solve_case(sc, spans, minutes=10)[0].roster
    pd.testing.assert_frame_equal(a, b)


def test_both_engines_reach_the_same_optimum():
    stations = [("A", 4, "X"), ("B", 4, "Y")]
    sc = make_scenario(stations, [("H1", "Z1")], [("Z1", "synchronized", ["A", "B"])])
    results = {}
    for engine in ("highs", "cpsat"):
        result, tr, _, sc2 = solve_case(sc, {"H1": [(6, 14, 1)]}, minutes=10, engine=engine, gap_tolerance_pct=0.0)
        assert result.status == "optimal"
        _solved(result, sc2, tr)
        results[engine] = result.summary["objective"]
    assert results["highs"] == pytest.approx(results["cpsat"], rel=1e-6)
