"""The three model-free lower bounds (solver/bounds.py): hand-sized weeks worked out by hand, the
least number of visits against the checker's own interval rule, the largest paths against brute
force, and a property test that no solved gap-free roster comes under any of the bounds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import VISIT_COLUMNS, make_scenario
from patrolplan.check import check_roster
from patrolplan.check.rules import _unguarded
from patrolplan.inputs.demand import expand_demand, expand_visits
from patrolplan.inputs.network import Travel
from patrolplan.model.problem import Problem
from patrolplan.solver.bounds import (
    largest_paths,
    least_visits,
    model_free_bounds,
    path_teams_bound,
    run_team_minutes,
    visit_time_bound,
    whole_teams_bound,
)
from patrolplan.solver.solve import SolveParams, solve

ALL_DAY = ("", "{zone}", "mon-sun", "00:00", "24:00", 1, "visit", 15, 120)


def _problem(stations, hotspots, zones, rows, *, out=10, hop=10, grid=120, **config):
    """A one-day week (no planning margin: the minutes given are the road's) and its Problem."""
    sc = make_scenario(stations, hotspots, zones, travel={"margin_min": 0},
                       rules={"shift_start_every_minutes": grid}, **config)
    sc = sc.replace(demand=pd.DataFrame(rows, columns=VISIT_COLUMNS))
    sids, hids = tuple(sc.stations["station_id"]), tuple(sc.hotspots["hotspot_id"])
    o = np.full((len(sids), len(hids)), out, dtype=np.int64) if np.isscalar(out) else np.asarray(out)
    h = np.full((len(hids), len(hids)), hop, dtype=np.int64) if np.isscalar(hop) else np.asarray(hop)
    np.fill_diagonal(h, 0)
    tr = Travel(sids, hids, o, o.T.copy(), h)
    p = Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(sc),
                            visits=expand_visits(sc), hop_min=tr.hop_min)
    return p, sc, tr


def _all_day(zone):
    return tuple(v.format(zone=zone) if isinstance(v, str) else v for v in ALL_DAY)


# --- the least number of visits ---------------------------------------------------------------


@pytest.mark.parametrize("every", [30, 60, 120])
@pytest.mark.parametrize("duration", [1, 29, 30, 60, 119, 120, 121, 240, 241, 1440, 10080])
def test_least_visits_is_what_the_checkers_rule_needs(duration, every):
    """Visits every ``every`` minutes from ``a + every`` (the last no earlier than ``b - every``)
    pass the checker's interval rule; one fewer such visit leaves a moment unguarded."""
    n = least_visits(duration, every)
    a, b = 0, duration
    starts = [min(every * (i + 1), b - 1) for i in range(n)]
    assert _unguarded([(s, s) for s in starts], a, b, every) is None
    if n > 1:
        assert _unguarded([(s, s) for s in starts[:-1]], a, b, every) is not None


def test_a_week_of_visits_every_two_hours_needs_83():
    # starts at 2 h, 4 h, ..., 166 h: the last is 2 h before the week's end
    assert least_visits(7 * 1440, 120) == 83


def test_run_team_minutes_by_hand():
    # one day, every 120, dwell 15, road in 10: 11 visits of 25 min
    assert run_team_minutes(1440, teams=1, dwell_min=15, road_in_min=10, every_min=120, least=1) == 275
    # a joint visit: two teams each time
    assert run_team_minutes(1440, teams=2, dwell_min=15, road_in_min=10, every_min=120, least=2) == 550
    # a visit dearer than the interval: cheaper to stay; one arrival of 135 min plus staying the
    # other 1200 of the 1320 moments to guard
    assert run_team_minutes(1440, teams=1, dwell_min=15, road_in_min=120, every_min=120, least=1) == 1335
    # hours shorter than the interval: one visit
    assert run_team_minutes(60, teams=1, dwell_min=15, road_in_min=10, every_min=120, least=1) == 25


# --- the visit-time bound -----------------------------------------------------------------------


def test_visit_time_one_station_one_hotspot():
    """24 h of visits every 120 min (dwell 15), road 10 min: 11 visits x (15 + 10) = 275 min."""
    p, *_ = _problem([("A", 4)], [("H1", "Z1")], [("Z1", "staggered", ["A"])], [_all_day("Z1")])
    b = visit_time_bound(p)
    assert b.visits_needed.tolist() == [11]
    assert b.post_team_hours == 0
    assert b.visit_team_hours == pytest.approx(275 / 60)


def test_visit_time_joint_and_the_nearest_point_in():
    """H1 (staggered, A) and H2 (synchronized, A and B of two counties); stations 10 min out,
    H1 <-> H2 4 min. Each hotspot's least road in is 4 (from the other hotspot: A belongs to
    both zones). H1: 11 x (15 + 4) = 209; H2 (two teams a visit): 2 x 11 x 19 = 418."""
    p, *_ = _problem([("A", 4, "X"), ("B", 4, "Y")], [("H1", "Z1"), ("H2", "Z2")],
                     [("Z1", "staggered", ["A"]), ("Z2", "synchronized", ["A", "B"])],
                     [_all_day("Z1"), _all_day("Z2")], hop=4)
    b = visit_time_bound(p)
    assert b.road_in_min.tolist() == [4, 4]
    assert b.visit_team_hours == pytest.approx((209 + 418) / 60)


def test_visit_time_posts_and_a_run_beside_a_post():
    """Posts: 2 teams 08-10 at H1 = 4 team-hours. H1 asks for visits 10-14 right after the post:
    the post's team may stay on for the first visits, so the run counts no road in and no least
    number of arrivals: 240 - 120 = 120 moments to guard, one visit guards 120 for its dwell of
    15 min (staying on would take the 120 minutes themselves) -> 15 min."""
    rows = [("H1", "", "mon", "08:00", "10:00", 2, "post", "", ""),
            ("H1", "", "mon", "10:00", "14:00", 1, "visit", 15, 120)]
    p, *_ = _problem([("A", 4), ("B", 4)], [("H1", "Z1")], [("Z1", "staggered", ["A", "B"])], rows)
    b = visit_time_bound(p)
    assert b.post_team_hours == 4
    assert b.visit_team_hours == pytest.approx(15 / 60)


# --- the whole-teams bound --------------------------------------------------------------------


def _ring(grid=120):
    """Four stations A-D in a ring of four staggered zones (A,B), (B,C), (C,D), (D,A), one hotspot
    each, visits all day; a post at P (zone of A alone) 10:00-12:00."""
    stations = [("A", 4), ("B", 4), ("C", 4), ("D", 4)]
    hotspots = [("H1", "Z1"), ("H2", "Z2"), ("H3", "Z3"), ("H4", "Z4"), ("P", "Z5")]
    zones = [("Z1", "staggered", ["A", "B"]), ("Z2", "staggered", ["B", "C"]), ("Z3", "staggered", ["C", "D"]),
             ("Z4", "staggered", ["D", "A"]), ("Z5", "staggered", ["A"])]
    rows = [_all_day(z) for z in ("Z1", "Z2", "Z3", "Z4")] + [("P", "", "mon", "10:00", "12:00", 1, "post", "", "")]
    return _problem(stations, hotspots, zones, rows, grid=grid)


def test_whole_teams_ring_by_hand():
    """Shifts start every 120 min and last 240 or 480: a gap between two shifts is a multiple of
    120 min, longer than the 120 - 15 - 10 - 10 = 85 min a visit's interval leaves spare, so
    some member of every zone is on duty from 02:00 to 22:00 (the interval after the first
    visit hours' start to the interval before their end): at least two stations (A and C, or B
    and D) cover the ring. Slots 2..21: 20 x 2 = 40 team-hours; the post adds 2 (10:00-12:00),
    so at the busiest hour 3 teams."""
    p, *_ = _ring()
    b = whole_teams_bound(p)
    assert b.covered_hotspots == (0, 1, 2, 3)
    assert b.per_slot[:2].tolist() == [0, 0] and b.per_slot[22:].tolist() == [0, 0]
    assert b.per_slot[2:22].tolist() == [2] * 8 + [3, 3] + [2] * 10
    assert b.teams == 3
    assert b.team_hours == 42


def test_whole_teams_with_a_grid_that_lets_a_station_rest_between_shifts():
    """Shifts every 60 min: a 60-min gap fits inside the 85 spare minutes of an interval, so a
    station may have no team on duty for a while and still keep every visit; only the post is
    whole teams for sure."""
    p, *_ = _ring(grid=60)
    b = whole_teams_bound(p)
    assert b.covered_hotspots == ()
    assert b.team_hours == 2 and b.teams == 1


def test_whole_teams_joint_zone_needs_two_stations():
    """A synchronized zone of A and B (two counties): both on duty at every covered hour."""
    p, *_ = _problem([("A", 4, "X"), ("B", 4, "Y")], [("H1", "Z1")], [("Z1", "synchronized", ["A", "B"])],
                     [_all_day("Z1")])
    b = whole_teams_bound(p)
    assert b.teams == 2 and b.team_hours == 2 * 20


def test_model_free_bounds_keys():
    p, *_ = _ring()
    out = model_free_bounds(p)
    assert set(out) == {"visit_time_team_hours", "whole_teams", "whole_teams_team_hours", "path_teams",
                        "path_teams_team_hours", "team_hours"}
    assert out["team_hours"] == max(out["visit_time_team_hours"], out["whole_teams_team_hours"],
                                    out["path_teams_team_hours"])


# --- the path-teams bound ---------------------------------------------------------------------


def test_path_teams_ring_by_hand():
    """The ring: every station's two hotspots are 10 min apart, so one team a station holds both
    in a window; two stations (A and C, or B and D) meet the ring. Windows of 120 min from 02:00
    (the first is the hours' start) to 24:00 (the last visit within 120 min of their end): 11 x 2
    teams x 2 h = 44 team-hours, and the post's 2 (its hotspot asks for no visits): 46. At the
    post's hours 3 teams. Above the whole-teams bound's 42, which stops an interval before the
    end."""
    p, *_ = _ring()
    b = path_teams_bound(p)
    assert b.per_slot.tolist() == [0] + [2] * 11
    assert b.team_hours == 46 and b.teams == 3


def test_no_road_minute_is_sure_in_a_re_plan_with_history():
    """History rows happened on the roads of their day (the checker notes their travel against
    today's, it does not judge it), so the bounds count no road minutes in such a week: weaker
    bounds, still true ones."""
    from patrolplan.model.rules.published import Published, PublishedShift
    from patrolplan.solver.bounds import road_minutes

    p, *_ = _three_stops(50)
    row = PublishedShift(row=1, shift_id="SH0001", station=0, team=0, hotspot=0, loop=(0, 1), start_min=0,
                         len_min=480, out_min=60, back_min=60)
    history = replace(p, published=Published(cut_min=600, fixed=(row,)))
    assert not road_minutes(history).out.any() and not road_minutes(history).hop.any()
    assert road_minutes(p).hop.any()
    assert path_teams_bound(history).team_hours == 22 < path_teams_bound(p).team_hours == 44
    pinned_only = replace(p, published=Published(cut_min=0, fixed=(row,)))  # starts at the cut: no history
    assert road_minutes(pinned_only).hop.any()


def test_path_teams_out_of_time_count_no_team():
    """With no time for the windows' MIPs, the windows count no team: the posts' 2 team-hours
    alone, still a bound."""
    p, *_ = _ring()
    b = path_teams_bound(p, time_limit_s=0)
    assert b.team_hours == 2 and b.teams == 1


def _three_stops(hop, officers=16):
    """Station A alone with H1-H3 (zone Z1), 60 min from each (no shorter way between them
    through the station), visits all day every 120 min, dwell 15."""
    return _problem([("A", officers)], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")], [("Z1", "staggered", ["A"])],
                    [_all_day("Z1")], hop=hop, out=60)


@pytest.mark.parametrize("hop, teams", [(30, 1), (50, 2), (120, 3)])
def test_path_teams_one_station_by_hand(hop, teams):
    """Three stops ``hop`` apart: 15 + 30 + 15 + 30 = 90 < 120 minutes for all three in one
    window (one team); at 50, 15 + 50 + 15 + 50 = 130 is too long, two fit (two teams); at 120
    not even two (three teams). The whole-teams bound counts one station, so one team."""
    p, *_ = _three_stops(hop)
    assert path_teams_bound(p).team_hours == 11 * teams * 2
    assert whole_teams_bound(p).teams == 1


def test_path_teams_under_a_solved_roster_and_above_whole_teams():
    """The 50-min week: the solved roster keeps every rule (the checker) and has at least the
    44 team-hours of two teams in every window after the first."""
    p, sc, tr = _three_stops(50, officers=40)
    result = solve(p, replace(SolveParams.from_config(sc.config), time_limit_s=20, workers=1, gap_tolerance_pct=1.0))
    assert result.status in ("optimal", "feasible")
    assert not check_roster(sc, result.roster, travel=tr, visits=result.visits).violations
    bounds = model_free_bounds(p)
    assert bounds["path_teams_team_hours"] == 44 > bounds["whole_teams_team_hours"]
    assert bounds["team_hours"] == 44 <= float(result.summary["team_hours"])


def test_path_teams_joint_stops_need_two_stations_each_time():
    """A synchronized zone of A and B (two counties) with two hotspots 120 min apart: neither
    station holds both in a window, so each needs two teams on duty: 4 a window."""
    p, *_ = _problem([("A", 16, "X"), ("B", 16, "Y")], [("H1", "Z1"), ("H2", "Z1")],
                     [("Z1", "synchronized", ["A", "B"])], [_all_day("Z1")], hop=120, out=60)
    b = path_teams_bound(p)
    assert b.teams == 4 and b.team_hours == 11 * 4 * 2
    assert whole_teams_bound(p).teams == 2


def test_path_teams_not_where_shifts_are_no_whole_windows():
    """Shifts every 60 min while visits come every 120: a team may work half a window, so no
    window is counted (the figures are 0, not a claim)."""
    p, *_ = _ring(grid=60)
    b = path_teams_bound(p)
    assert b.teams == 0 and b.team_hours == 0


def test_path_teams_windows_are_the_interval_where_the_grid_is_coarser():
    """Starts every 240 min, shifts of 4 or 8 h: windows of 120 min are still whole for every
    shift, and the visits ask one start in each: the same 44 team-hours as on the 120 grid."""
    p, *_ = _problem([("A", 16)], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")], [("Z1", "staggered", ["A"])],
                     [_all_day("Z1")], hop=50, out=60, grid=240)
    b = path_teams_bound(p)
    assert b.per_slot.size == 12 and b.team_hours == 44


def test_path_teams_count_a_shorter_interval_once_a_window():
    """H1 asks for a visit every 60 min, H2 and H3 every 120: windows of 120 min (the grid's),
    each needing a start at every hotspot; H1's second start of the window is not counted (a
    relaxation). 15 + 50 + 15 + 50 = 130 minutes for all three is too long: two teams."""
    rows = [("H1", "", "mon", "00:00", "24:00", 1, "visit", 15, 60),
            ("H2", "", "mon", "00:00", "24:00", 1, "visit", 15, 120),
            ("H3", "", "mon", "00:00", "24:00", 1, "visit", 15, 120)]
    p, sc, tr = _problem([("A", 40)], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")], [("Z1", "staggered", ["A"])],
                         rows, hop=50, out=60)
    b = path_teams_bound(p)
    assert b.team_hours == 11 * 2 * 2
    result = solve(p, replace(SolveParams.from_config(sc.config), time_limit_s=20, workers=1, gap_tolerance_pct=1.0))
    assert result.status in ("optimal", "feasible")
    assert not check_roster(sc, result.roster, travel=tr, visits=result.visits).violations
    assert b.team_hours <= float(result.summary["team_hours"])


def test_path_teams_none_where_a_station_lacks_the_teams():
    """One station with one team and three stops 120 min apart: no window can be kept."""
    p, *_ = _three_stops(120, officers=2)
    b = path_teams_bound(p)
    assert b.teams is None and b.team_hours is None


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.integers(5, 20), min_size=n, max_size=n),
    st.lists(st.lists(st.integers(0, 60), min_size=n, max_size=n), min_size=n, max_size=n),
    st.sampled_from([60, 90, 120]))))
def test_largest_paths_are_the_brute_force_ones(case):
    """Held-Karp's largest sets against every order of every subset."""
    from itertools import combinations, permutations

    n, dwell, legs, every = case
    legs = np.asarray(legs, dtype=float)

    def fits(subset):
        return any(sum(dwell[a] + legs[a, b] for a, b in zip(order, order[1:])) < every
                   for order in permutations(subset))

    ok = [frozenset(c) for k in range(1, n + 1) for c in combinations(range(n), k) if fits(c)]
    largest = {s for s in ok if not any(s < t for t in ok)}
    assert set(largest_paths(list(range(n)), np.asarray(dwell), legs, every)) == largest


# --- no solved roster beats either bound ------------------------------------------------------


@st.composite
def _weeks(draw):
    n_s = draw(st.integers(2, 3))
    n_h = draw(st.integers(1, 3))
    stations = [(f"S{i}", 6, f"C{i % 2}") for i in range(n_s)]
    zones, hotspots = [], []
    for h in range(n_h):
        members = draw(st.lists(st.sampled_from([s for s, *_ in stations]), min_size=2, max_size=n_s, unique=True))
        mode = draw(st.sampled_from(["staggered", "synchronized"]))
        zones.append((f"Z{h}", mode, sorted(members)))
        hotspots.append((f"H{h}", f"Z{h}"))
    rows = []
    for h in range(n_h):
        start = draw(st.sampled_from(["00:00", "06:00", "18:00"]))
        end = draw(st.sampled_from(["06:00", "12:00", "24:00"]))
        if draw(st.booleans()) or not rows:
            rows.append((f"H{h}", "", "mon", start, end, 1, "visit", draw(st.sampled_from([10, 15])),
                         draw(st.sampled_from([60, 120]))))
        else:
            rows.append((f"H{h}", "", "mon", "08:00", "12:00", 1, "post", "", ""))
    out = np.asarray([[draw(st.integers(3, 25)) for _ in range(n_h)] for _ in range(n_s)], dtype=np.int64)
    hop = np.asarray([[draw(st.integers(2, 20)) for _ in range(n_h)] for _ in range(n_h)], dtype=np.int64)
    hop = np.minimum(hop, hop.T)
    grid = draw(st.sampled_from([60, 120]))
    return stations, hotspots, zones, rows, out, hop, grid


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_weeks())
def test_no_gap_free_roster_comes_under_any_bound(week):
    stations, hotspots, zones, rows, out, hop, grid = week
    p, sc, tr = _problem(stations, hotspots, zones, rows, out=out, hop=hop, grid=grid)
    result = solve(p, replace(SolveParams.from_config(sc.config), time_limit_s=5, workers=1, gap_tolerance_pct=1.0))
    if result.status not in ("optimal", "feasible"):
        return  # no gap-free roster: nothing to bound
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits)
    assert not report.violations  # a roster the contract allows
    bounds = model_free_bounds(p)
    team_hours = float(result.summary["team_hours"])
    assert bounds["visit_time_team_hours"] <= team_hours + 1e-6
    assert bounds["whole_teams_team_hours"] is not None
    assert bounds["whole_teams_team_hours"] <= team_hours + 1e-6
    assert bounds["path_teams_team_hours"] is not None
    assert bounds["path_teams_team_hours"] <= team_hours + 1e-6


# --- why the whole-teams bound does not round each station's work up --------------------------


def _resting_roster(start_h: list[int]):
    """One station A (4 teams), hotspot H1 (A alone), 4-h shifts every 5 h: visits at +0:10,
    +2:10, +3:35 of each shift (10 min out and back, dwell 15), the next shift's first 95 min
    after the last. Returns (roster, visits) as run-folder tables."""
    import datetime as dt

    t0 = dt.datetime(2026, 11, 30)

    def iso(minutes):
        return (t0 + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")

    roster, visits = [], []
    for i, h in enumerate(start_h):
        s, sid = h * 60, f"SH{i + 1:04d}"
        arrivals = [s + 10, s + 130, s + 215]
        roster.append((sid, f"A-T{i % 4 + 1:02d}", "A", "Z1", "H1", "staggered", iso(s), iso(s + 240), iso(s + 10),
                       iso(s + 230), 10, 10, f"L{i + 1}", "H1"))
        visits += [(f"V{i}-{k}", sid, f"A-T{i % 4 + 1:02d}", "A", "H1", iso(a), iso(a + 15))
                   for k, a in enumerate(arrivals)]
    from patrolplan.columns import ROSTER_COLUMNS

    return (pd.DataFrame(roster, columns=[*ROSTER_COLUMNS, "loop_id", "loop_hotspots"]),
            pd.DataFrame(visits, columns=["visit_id", "shift_id", "team_id", "station_id", "hotspot_id", "arrive",
                                          "depart"]))


def test_a_station_may_rest_between_shifts_so_its_work_is_not_rounded_up():
    """Two days of visits every 120 min at a hotspot of one station. Shifts may start every 60
    min, so 4-h shifts every 5 h keep every interval (the checker accepts it) with no team on
    duty one hour in five: 40 team-hours, less than one team on duty all along (48). The
    whole-teams bound therefore claims no one on duty here, only the visit-time bound counts
    (2 days: 23 visits x 25 min), and both stay under the roster."""
    p, sc, tr = _problem([("A", 8)], [("H1", "Z1")], [("Z1", "staggered", ["A"])], [_all_day("Z1")], grid=60,
                         horizon_days=2)
    roster, visits = _resting_roster(list(range(0, 48, 5)))
    report = check_roster(sc, roster, travel=tr, visits=visits)
    assert report.ok, [v.message for v in report.violations]
    team_hours = 4 * len(roster)
    assert team_hours == 40 < 48
    bounds = model_free_bounds(p)
    assert bounds["whole_teams_team_hours"] == 0
    assert bounds["visit_time_team_hours"] == pytest.approx(23 * 25 / 60, abs=0.01)
    assert bounds["team_hours"] <= team_hours


def test_the_cli_says_the_largest_bound_and_where_it_comes_from():
    from patrolplan.runner import _least_team_hours

    bounds = {"visit_time_team_hours": 1251.3, "whole_teams": 83, "whole_teams_team_hours": 1148.0,
              "path_teams": 84, "path_teams_team_hours": 1976.0, "team_hours": 1976.0}
    assert _least_team_hours(bounds) == ("1,976 team-hours (84 teams on duty at once, roads counted: lower_bounds "
                                         "in summary.json)")
    assert "dwell" in _least_team_hours({**bounds, "path_teams_team_hours": 0.0, "team_hours": 1251.3})
    assert _least_team_hours({**bounds, "team_hours": 0.0}) is None and _least_team_hours(None) is None
