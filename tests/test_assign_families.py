"""The named-team step (``model/assign.py``) asks the rule families for the shift cap and the
availability, so a family's answer is what it keeps (one rule, one home)."""

from __future__ import annotations

import numpy as np

from builders import demand_matrix, make_scenario, travel, with_demand
from patrolplan.model import assign
from patrolplan.model.problem import Problem
from patrolplan.model.rules import availability, max_shifts


def _problem():
    """One station with two teams; demand Monday 00-04 and 16-20 and Tuesday 08-12."""
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])], horizon_days=2)
    sc = with_demand(sc, {"H1": [(0, 4, 1), (16, 20, 1), (32, 36, 1)]})
    tr = travel(sc, 0)
    return Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=demand_matrix(sc))


def _counts(p, starts=(0, 960, 1920)) -> np.ndarray:
    x = np.zeros(p.n_shifts)
    for a in starts:
        x[np.nonzero((p.shift_start_min == a) & (p.shift_len_min == 240))[0][0]] = 1
    return x


def test_the_split_balances_teams_when_nothing_binds():
    p = _problem()
    a = assign.assign_teams(p, _counts(p))
    assert not a.failed and sorted(np.bincount(a.team).tolist()) == [1, 2]


def test_the_availability_family_decides_the_teams_of_a_day(monkeypatch):
    p = _problem()
    monkeypatch.setattr(availability, "station_days", lambda p, s: {0: 1})
    a = assign.assign_teams(p, _counts(p))
    monday = p.shift_start_min[a.shift_col] < 1440
    assert not a.failed and len(set(a.team[monday].tolist())) == 1


def test_the_max_shifts_family_decides_the_cap(monkeypatch):
    p = _problem()
    monkeypatch.setattr(max_shifts, "team_cap", lambda p: 1)
    assert assign.assign_teams(p, _counts(p)).failed == {0: 2}
    a = assign.assign_teams(p, _counts(p, (0, 960)))
    assert not a.failed and sorted(a.team.tolist()) == [0, 1]


def test_a_published_split_asks_them_too(monkeypatch):
    """The re-plan's split (``_StationCase``) reads the same family answers."""
    p = _problem()
    monkeypatch.setattr(max_shifts, "team_cap", lambda p: 1)
    monkeypatch.setattr(availability, "station_days", lambda p, s: {1: 0})
    case = assign._StationCase(p, 0, np.array([0, 960]), np.array([240, 240]), -np.ones(2, dtype=np.int64),
                               np.ones(2, dtype=bool), [], [[], []])
    assert case.max_shifts == 1 and case.avail == {1: 0}
    assert sorted(case.greedy().tolist()) == [0, 1]
