"""Issue 21 parts 1-3 on hand-sized weeks: what patrolplan claims about a visit week is what the
model and the checker support (guards of hours no longer than the interval, shortfall figures,
empty demand, proofs only from true relaxations, visit shortfalls explained)."""

from __future__ import annotations

import pytest

from builders import make_scenario, solve_visits
from patrolplan.check import check_roster
from patrolplan.model.rules import visits as visit_rule


def _two_hotspots(days=2, mode="staggered", counties=("X", "X"), officers=(4, 4), **config):
    return make_scenario([("A", officers[0], counties[0]), ("B", officers[1], counties[1])],
                         [("H1", "Z1"), ("H2", "Z1")], [("Z1", mode, ["A", "B"])], horizon_days=days, **config)


def _violations(result, sc, tr):
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits)
    return [(v.rule, v.message) for v in report.violations]


# --- a visit row whose every_min equals its hours ----------------------------------------------


@pytest.mark.parametrize("days", [1, 2, 3])
@pytest.mark.parametrize("hours", [("20:00", "04:00", 480), ("22:00", "02:00", 240), ("21:00", "03:00", 360)])
def test_hours_as_long_as_the_interval_are_visited_inside_the_cut_nights(days, hours):
    """20:00-04:00 every 480 min: the nights cut by the week's start (00:00-04:00) and end
    (20:00-24:00) are shorter than the interval and still ask for a visit inside them. The
    guard used to accept a loop whose visits were hours earlier (its interval reached into the
    night); the plan is now one the checker accepts."""
    start, end, every = hours
    row = ("", "Z1", "mon-sun", start, end, 1, "visit", 15, every)
    result, tr, p, sc = solve_visits(_two_hotspots(days), [row], time_limit_s=20)
    assert result.status == "optimal"
    assert _violations(result, sc, tr) == []
    assert result.summary["uncovered_visit_slots"] == 0


def test_a_guard_needs_a_visit_inside_hours_shorter_than_the_interval():
    """The guard helper itself: visits at 14:00-17:00 (every 60 min) reach 23:00-24:00 within
    480 minutes, but the hours 20:00-24:00 start after them: no guard there."""
    need = __import__("numpy").zeros((1, 24), dtype=int)
    need[0, 20:24] = 1
    posts = need * 0
    every, dwell = __import__("numpy").array([480]), __import__("numpy").array([15])
    guard = visit_rule.guard_slots(need, posts, every, dwell, 60)
    assert guard[0].nonzero()[0].tolist() == [23]
    run_from = visit_rule.guard_from(need, posts, dwell, 60)
    early = [(0, 14 * 60), (0, 15 * 60), (0, 16 * 60), (0, 17 * 60)]
    assert visit_rule._guards(early, guard, every, 60, 24, run_from) == []
    inside = early + [(0, 20 * 60 + 30)]
    assert visit_rule._guards(inside, guard, every, 60, 24, run_from) == [(0, 23)]
