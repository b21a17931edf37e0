"""Loop columns on hand-sized weeks: hours no longer than the interval, dominated columns,
phase variation, the checker's OK line, and the Jining demo's three levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from builders import make_scenario, solve_visits
from patrolplan.check import check_roster
from patrolplan.model.rules import visits as visit_rule

NIGHT = ("", "Z1", "mon-sun", "20:00", "04:00", 1, "visit", 15, 120)


def _three_hotspots(**config):
    return make_scenario([("A", 4, "X"), ("B", 4, "X")], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")],
                         [("Z1", "staggered", ["A", "B"])], horizon_days=2, **config)


def _violations(result, sc, tr, visits=None):
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits if visits is None else visits)
    return [(v.rule, v.message) for v in report.violations]


def test_hours_no_longer_than_the_interval_still_get_a_visit():
    """A Sunday night 22:00-02:00 leaves 00:00-02:00 on the week's first morning: exactly one
    interval long, it still asks for a visit (the checker's rule), and the model plans one."""
    row = ("", "Z1", "mon-sun", "22:00", "02:00", 1, "visit", 15, 120)
    result, tr, p, sc = solve_visits(_three_hotspots(), [row])
    assert result.status == "optimal"
    assert _violations(result, sc, tr) == []
    guard = visit_rule.guard_slots(p.visit_need, p.demand, p.visit_every_min, p.visit_dwell_min, p.slot_min)
    assert guard[:, 1].all() and not guard[:, 0].any()  # the last slot of 00:00-02:00 is guarded
    arrive = pd.to_datetime(result.visits["arrive"])
    early = result.visits[arrive < pd.Timestamp("2026-11-30T02:00")]
    assert set(early["hotspot_id"]) == {"H1", "H2", "H3"}


def test_dominated_loop_columns_are_dropped_without_losing_the_optimum(monkeypatch):
    pruned, tr, p, sc = solve_visits(_three_hotspots(), [NIGHT])
    # no kept column of a loop guards a strict subset of what another of its length guards
    g = p.guard.tocsc()
    sets: dict[tuple[int, int], list[frozenset]] = {}
    for j in np.nonzero(p.shift_loop >= 0)[0]:
        rows = frozenset(g.indices[g.indptr[j]:g.indptr[j + 1]])
        if rows:
            sets.setdefault((int(p.shift_loop[j]), int(p.shift_len_min[j])), []).append(rows)
    for group in sets.values():
        assert not any(a < b for a in group for b in group)
    monkeypatch.setattr(visit_rule, "_undominated", lambda found: found)
    full, _, p_full, _ = solve_visits(_three_hotspots(), [NIGHT])
    assert (p_full.shift_loop >= 0).sum() > (p.shift_loop >= 0).sum()
    assert pruned.summary["objective"] == pytest.approx(full.summary["objective"])


def test_the_checkers_ok_line_counts_the_visit_hours():
    rows = [NIGHT, ("H1", "", "tue", "10:00", "12:00", 1, "post", "", "")]
    result, tr, p, sc = solve_visits(_three_hotspots(), rows)
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits)
    hours = int(p.visit_need.sum() * p.slot_min / 60)
    assert report.visit_hours == hours
    assert report.to_text() == (f"Roster OK: all 2 demanded hotspot-slots covered, {hours} visit-demanded "
                                "hotspot-hours visited in time, no rule broken.")


def test_the_jining_demo_mixes_the_three_levels():
    from patrolplan.scenarios import jining

    demand = pd.read_csv(jining.data_path() / "demand.csv", dtype=str, keep_default_na=False)
    zones = pd.read_csv(jining.data_path() / "zones.csv", dtype=str)
    tier = dict(zip(zones["zone_id"], zones["tier"]))
    posts = demand[demand["presence"] == "post"]
    visits = demand[demand["presence"] == "visit"]
    assert set(posts["zone_id"].map(tier)) == {"province"} and set(posts["days"]) == {"fri,sat"}
    assert set(posts["start"]) == {"20:00"} and set(posts["end"]) == {"02:00"}
    nights = visits[visits["start"] == "20:00"]
    assert set(nights["zone_id"]) == set(zones["zone_id"])  # every border zone has night loops
    assert set(nights["every_min"]) == {"120"} and set(nights["dwell_min"]) == {"15"}
    market = visits[visits["start"] == "07:00"]
    assert len(market) == jining.MARKET_ZONES and set(market["zone_id"].map(tier)) <= {"town", "county"}
    # the shipped table is what the demand rule writes (the market zones and days as drawn)
    replay = jining._demand_table(zones, _Replay(list(market["zone_id"]), list(market["days"])))
    import io

    written = pd.read_csv(io.StringIO(replay.to_csv(index=False)), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(written, demand)
    config = jining.scenario_config()
    assert config["visits"]["randomize"] is True


class _Replay:
    """Stands in for the build's generator: the market zones and days the shipped table drew."""

    def __init__(self, zones, days):
        self.zones, self.days = zones, list(days)

    def choice(self, local, size, replace):
        return np.array(self.zones)

    def integers(self, lo, hi):
        return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(self.days.pop(0))


def test_longest_wait_by_bisection_matches_its_definition():
    """coverage.csv's longest_wait_min: the sorted, bisected calculation against the rule read
    literally (every start before t, the latest possible start, from the hours' start)."""
    from hypothesis import given, settings, strategies as st

    from patrolplan.solver.result import _Waits

    def literal(intervals, lo, hi, since):
        def wait(t, strictly_before):
            ends = [min(b, t) for a, b in intervals if (a < t if strictly_before else a <= t) and b >= since]
            return t - max([since, *ends])
        return max([wait(hi, False)] + [wait(a, True) for a, _ in intervals if lo < a <= hi])

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 90)), max_size=10), st.integers(0, 340),
           st.integers(0, 300))
    def agree(raw, lo, since):
        intervals = [(a, a + d) for a, d in raw]
        since = min(since, lo)
        assert _Waits(intervals).longest(lo, lo + 60, since) == literal(sorted(intervals), lo, lo + 60, since)

    agree()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_randomised_phase_varies_and_keeps_the_interval(seed):
    """With visits.randomize the cycles of a loop start after a pause drawn within the interval's
    slack: the time between two stops is sometimes longer than dwell + road, the checker still
    finds every interval kept, and the same seed gives the same visits."""
    sc = _three_hotspots(visits={"randomize": True}, solver={"seed": seed})
    result, tr, p, sc = solve_visits(sc, [NIGHT], hop=5)
    assert result.status == "optimal"
    assert _violations(result, sc, tr) == []
    v = result.visits.assign(arrive=pd.to_datetime(result.visits["arrive"]),
                             depart=pd.to_datetime(result.visits["depart"]))
    idle = []
    for _, g in v.groupby("shift_id"):
        g = g.sort_values("arrive")
        idle += list(((g["arrive"].iloc[1:].to_numpy() - g["depart"].iloc[:-1].to_numpy())
                      / np.timedelta64(1, "m")).astype(int) - 5)  # minus the road between two stops
    assert min(idle) == 0 and max(idle) > 0  # mostly driving on, sometimes a pause
    phases = (v["arrive"].dt.hour * 60 + v["arrive"].dt.minute) % 120
    assert phases.nunique() > 10
    again, *_ = solve_visits(sc, [NIGHT], hop=5)
    pd.testing.assert_frame_equal(result.visits, again.visits)


@pytest.mark.parametrize("mode, counties", [("staggered", ("X", "X")), ("synchronized", ("X", "Y"))])
def test_the_greedy_planner_plans_loops_the_checker_accepts(mode, counties):
    """The greedy planner guards visit hours with loop columns (both halves of a joint loop),
    so a visit week has a first plan before any LP: complete, and clean by the checker."""
    from patrolplan.model.assign import assign_teams
    from patrolplan.model.build import build_model
    from patrolplan.model.greedy import greedy_counts
    from patrolplan.solver.result import roster_table, visits_table

    sc = make_scenario([("A", 4, counties[0]), ("B", 4, counties[1])], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")],
                       [("Z1", mode, ["A", "B"])], horizon_days=2)
    _, tr, p, sc = solve_visits(sc, [NIGHT, ("H1", "", "tue", "10:00", "12:00", 1, "post", "", "")])
    x = greedy_counts(p, build_model(p))
    assert x is not None and (x[p.shift_loop >= 0] > 0).any()
    joint = p.shift_partner >= 0
    assert (x[joint] == x[p.shift_partner[joint]]).all()
    a = assign_teams(p, x)
    roster = roster_table(p, a.shift_col, a.team, keep_columns=True)
    report = check_roster(sc, roster.drop(columns="_col"), travel=tr, visits=visits_table(p, roster))
    assert report.ok, report.to_text()
