"""Each rule family is one module under ``rules/``; each binds, and its test fails without it.

For every hard family a hand-sized case where the family decides the answer, asserted twice:
as the solver has it (the roster passes the independent check, or the pre-check proves that no
roster exists), and with the family taken out of the solver (its rows or its part of the
candidate shifts replaced by nothing) — then the same assertion must fail. That second half is
the suite's own mutation test: a family whose removal no test notices is a hole.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from builders import make_scenario, solve_case, travel, with_demand
from patrolplan.model import rules
from patrolplan.check import check_roster
from patrolplan.solver.explain import precheck
from patrolplan.model.problem import Problem


def _checked(result, scenario, tr):
    return check_roster(scenario, result.roster, travel=tr)


def _violated(report) -> set[str]:
    return {v.rule for v in report.violations}


# --- the cases ---------------------------------------------------------------------------------


def _coverage():
    sc = make_scenario([("A", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])])
    return sc, {"H1": [(8, 12, 1)]}, 0


def _synchronized_stations():
    """A has two teams and is next door; B is far: without the rule two teams of A would do."""
    sc = make_scenario([("A", 4, "X"), ("B", 4, "X")], [("H1", "Z1")], [("Z1", "synchronized", ["A", "B"])])
    return sc, {"H1": [(8, 12, 1)]}, {("A", "H1"): 0, ("B", "H1"): 50}


def _synchronized_blank_jurisdiction():
    """A (county X), B (no county), C (county Y): B and A are nearest, but a blank is no
    jurisdiction, so C must be on site (the bug: A+B, status gaps, although A+C is clean)."""
    sc = make_scenario([("A", 2, "X"), ("B", 2, ""), ("C", 2, "Y")], [("H1", "Z1")],
                       [("Z1", "synchronized", ["A", "B", "C"])])
    return sc, {"H1": [(8, 12, 1)]}, {("A", "H1"): 10, ("B", "H1"): 0, ("C", "H1"): 55}


def _capacity():
    """One team, demand 06-10 and 14-18: 4 h apart is less than the 12 h rest."""
    sc = make_scenario([("A", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])])
    return sc, {"H1": [(6, 10, 1), (14, 18, 1)]}, 0


def _max_shifts():
    sc = make_scenario([("A", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])], horizon_days=2,
                       rules={"max_shifts_per_team": 1})
    return sc, {"H1": [(8, 12, 1), (32, 36, 1)]}, 0


def _availability():
    """Two teams, but on Monday only one officer pair: Monday's two parallel posts cannot be."""
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1"), ("H2", "Z1")], [("Z1", "staggered", ["A"])],
                       availability=[("A", "2026-11-30", 2)])
    return sc, {"H1": [(8, 12, 1)], "H2": [(8, 12, 1)]}, 0


def _handover():
    """Demand 00-16 needs two shifts; with a 30-minute handover they overlap on site."""
    sc = make_scenario([("A", 4, "X"), ("B", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A", "B"])],
                       modes={"handover_minutes": 30})
    return sc, {"H1": [(0, 16, 1)]}, 0


def _shifts():
    """30 minutes each way: the travel rule makes the on-site window shorter than the shift."""
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])])
    return sc, {"H1": [(8, 12, 1)]}, 30


def _solved_clean(case) -> bool:
    sc, spans, minutes = case()
    result, tr, _, sc = solve_case(sc, spans, minutes=minutes)
    return result.status in ("optimal", "feasible") and _checked(result, sc, tr).ok


def _proven_infeasible(case) -> bool:
    sc, spans, minutes = case()
    sc = with_demand(sc, spans)
    tr = travel(sc, minutes)
    from patrolplan.inputs.demand import expand_demand

    problem = Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(sc))
    return not precheck(problem, time_limit_s=10).feasible


def _visits():
    """Three hotspots asking for a visit every 2 h at night: one loop keeps them."""
    sc = make_scenario([("A", 4, "X"), ("B", 4, "X")], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")],
                       [("Z1", "staggered", ["A", "B"])])
    return sc, [("", "Z1", "mon-sun", "20:00", "04:00", 1, "visit", 15, 120)], None


def _visits_clean(case) -> bool:
    from builders import solve_visits

    sc, rows, _ = case()
    result, tr, _, sc = solve_visits(sc, rows)
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits)
    return result.status in ("optimal", "feasible") and report.ok


def _backup():
    """Two hotspots 40 road minutes apart, one team asked at each 08-12, backup within 30 min
    required: each hotspot needs a second team of its own (8 shifts instead of 4)."""
    sc = make_scenario([("A", 8, "X"), ("B", 8, "Y")], [("H1", "Z1"), ("H2", "Z2")],
                       [("Z1", "staggered", ["A", "B"]), ("Z2", "staggered", ["A", "B"])],
                       response={"backup": "hard", "backup_minutes": 30})
    return sc, {"H1": [(8, 12, 1)], "H2": [(8, 12, 1)]}, 40


def _backup_solved(sc, spans, hop):
    from builders import solve_with_hop

    return solve_with_hop(sc, spans, out=10, hop=hop)


def _backup_clean(case) -> bool:
    result, tr, _, sc = _backup_solved(*case())
    return result.status in ("optimal", "feasible") and _checked(result, sc, tr).ok


#: family -> (case, what holds with the family in the solver)
CASES = {
    "coverage": (_coverage, _solved_clean),
    "synchronized": (_synchronized_stations, _solved_clean),
    "synchronized-blank": (_synchronized_blank_jurisdiction, _solved_clean),
    "capacity": (_capacity, _proven_infeasible),
    "max_shifts": (_max_shifts, _proven_infeasible),
    "availability": (_availability, _proven_infeasible),
    "handover": (_handover, _solved_clean),
    "shifts": (_shifts, _solved_clean),
    "visits": (_visits, _visits_clean),
    "backup": (_backup, _backup_clean),
}


def _remove(family: str, monkeypatch) -> None:
    """Take ``family`` out of the solver: its rows added as nothing, or (for the families that
    shape the candidate shifts) its part of them undone."""
    name = family.split("-")[0]
    if name == "handover":
        monkeypatch.setattr(rules.handover, "trim_tail", lambda k0, k1, *a: k1)
    elif name == "shifts":
        real = rules.shifts.candidate_shifts

        def no_travel(config, *, out_min, back_min, **kw):
            got = real(config, out_min=np.zeros_like(out_min), back_min=np.zeros_like(back_min), **kw)
            return got

        monkeypatch.setattr(rules.shifts, "candidate_shifts", no_travel)
    else:  # the family's rows added as nothing (coverage: no rows and no gap slack)
        module = importlib.import_module(f"patrolplan.model.rules.{name}")
        monkeypatch.setattr(module, "add_rows", lambda *args, **kwargs: None)


@pytest.mark.parametrize("family", sorted(CASES))
def test_the_family_decides_its_case(family):
    case, holds = CASES[family]
    assert holds(case)


@pytest.mark.parametrize("family", sorted(CASES))
def test_without_the_family_its_case_breaks(family, monkeypatch):
    case, holds = CASES[family]
    _remove(family, monkeypatch)
    assert not holds(case)


def test_every_hard_family_has_a_case_and_the_checker_a_function():
    from patrolplan.check.rules import FAMILY_CHECKS

    assert {f.split("-")[0] for f in CASES} == set(rules.HARD_FAMILIES)
    assert set(FAMILY_CHECKS) == set(rules.HARD_FAMILIES)


@pytest.mark.parametrize("family", rules.FAMILIES, ids=lambda f: f.NAME)
def test_every_family_module_has_its_parts(family):
    assert family.__name__ == f"patrolplan.model.rules.{family.NAME}"
    # handover shapes which slots a candidate shift covers (trim_tail) instead of adding rows
    model_part = "trim_tail" if family.NAME == "handover" else "add_rows"
    for part in (model_part, "relaxations", "precheck"):
        assert callable(getattr(family, part)), f"{family.NAME} lacks {part}"
    assert family.__doc__ and len(family.__doc__) > 80


def test_the_blank_jurisdiction_case_picks_the_other_county():
    sc, spans, minutes = _synchronized_blank_jurisdiction()
    result, tr, _, sc = solve_case(sc, spans, minutes=minutes)
    assert result.status == "optimal"
    assert "C" in set(result.roster["station_id"])
    assert _checked(result, sc, tr).ok


def test_the_explanation_names_handover_when_it_binds():
    """One station per side of a staggered relay, 4-hour shifts only, a 3-hour handover: the
    overlap cannot be had with the teams there are, and relaxing handover alone fixes it."""
    from patrolplan.solver.explain import _causes_and_fixes, shortfall

    sc = make_scenario([("A", 2, "X"), ("B", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A", "B"])],
                       modes={"handover_minutes": 180}, rules={"shift_hours": [4]})
    sc = with_demand(sc, {"H1": [(8, 16, 1)]})
    tr = travel(sc, 0)
    from patrolplan.inputs.demand import expand_demand

    p = Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(sc))
    _, total = shortfall(p, integer=False)
    assert total and total > 0
    text = "\n".join(_causes_and_fixes(p, total))
    assert "**the staggered handover overlap**: relaxing it alone removes every gap" in text
    assert "modes.handover_minutes" in text


@pytest.mark.parametrize("family", [f for f, (_, holds) in CASES.items() if holds is _solved_clean])
def test_the_checker_is_what_catches_the_broken_case(family, monkeypatch):
    """With the family out of the solver, the roster breaks it; with the checker's function
    for it gone too, nothing notices: that function is what catches it."""
    from patrolplan.check import rules as check_rules

    case, _ = CASES[family]
    _remove(family, monkeypatch)
    sc, spans, minutes = case()
    result, tr, _, sc = solve_case(sc, spans, minutes=minutes)
    assert not _checked(result, sc, tr).ok
    monkeypatch.setitem(check_rules.FAMILY_CHECKS, family.split("-")[0], lambda facts: [])
    assert _checked(result, sc, tr).ok


def test_the_checker_is_what_catches_the_unbacked_roster(monkeypatch):
    from patrolplan.check import rules as check_rules

    _remove("backup", monkeypatch)
    result, tr, _, sc = _backup_solved(*_backup())
    assert len(result.roster) == 4
    assert {v.rule for v in _checked(result, sc, tr).violations} == {"backup"}
    monkeypatch.setitem(check_rules.FAMILY_CHECKS, "backup", lambda facts: [])
    assert _checked(result, sc, tr).ok


def test_the_explanation_names_backup_when_it_binds():
    """One station, one team, backup hard: the second team does not exist; without the rule
    the week is covered."""
    from builders import problem_with_hop
    from patrolplan.solver.explain import _causes_and_fixes, shortfall

    sc = make_scenario([("A", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                       response={"backup": "hard"})
    p = problem_with_hop(with_demand(sc, {"H1": [(8, 11, 1)]}), out=0, hop=0)
    assert not precheck(p, time_limit_s=10).feasible
    _, total = shortfall(p, integer=False)
    assert total and total > 0
    text = "\n".join(_causes_and_fixes(p, total))
    assert "**the backup rule (a second team within 30 min)**: relaxing it alone removes every gap" in text


# --- differential: the solver side's rule and the checker's on random presences ----------------

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def presences(draw):
    n = draw(st.integers(1, 6))
    juris = [draw(st.sampled_from(["X", "Y", "Z", ""])) for _ in range(n)]
    min_stations = draw(st.integers(1, n))
    present = draw(st.lists(st.integers(0, n - 1), max_size=2 * n))  # repeats: two teams of one station
    return juris, min_stations, present


@settings(max_examples=300, deadline=None, derandomize=True)
@given(presences())
def test_synchronized_agrees_with_the_checker_on_random_presences(case):
    from patrolplan.check.rules import synchronized_ok
    from patrolplan.model.rules.synchronized import jurisdiction_groups, meets

    juris, min_stations, present = case
    members = list(range(len(juris)))
    solver_side = meets(present, min_stations, jurisdiction_groups(juris, members))
    names = [f"S{i}" for i in members]
    checker_side = synchronized_ok({names[i] for i in present}, min_stations,
                                   {names[i]: juris[i] for i in members}, set(juris))
    assert solver_side == all(checker_side)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.integers(0, 6))
def test_backup_agrees_with_the_checker(teams_within_reach):
    from patrolplan.check.rules import backup_ok
    from patrolplan.model.rules.backup import backed

    assert backed(teams_within_reach) == backup_ok(teams_within_reach)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(0, 5), st.integers(0, 5))
def test_coverage_agrees_with_the_checker(present, demand):
    from patrolplan.check.rules import coverage_short
    from patrolplan.model.rules.coverage import is_gap

    assert is_gap(present, demand) == coverage_short(present, demand)


# --- differential on small random rosters: rest, max shifts, availability ------------------------
#
# One small week (stations A with three teams and B with two, one hotspot, three days, a cap of
# two shifts per team) with a random availability table, a random re-plan cut and a random roster
# of named teams. The solver side judges the roster as kept rows of a re-plan (each family's
# ``pinned_problems``: every row pinned), the checker as a roster (``check_roster``); the two must
# find the same broken rules on the same teams, stations and days.

import collections  # noqa: E402
import datetime as dt  # noqa: E402

import pandas as pd  # noqa: E402

_H0 = dt.datetime(2026, 11, 30)
_STATIONS = (("A", 6), ("B", 4))  # 3 and 2 teams of 2
_DAYS = 3
_ROSTER_COLUMNS = ("shift_id", "team_id", "station_id", "zone_id", "hotspot_id", "mode", "start", "end",
                   "on_site_start", "on_site_end")


@st.composite
def named_rosters(draw):
    """``(availability rows, cut minute, rows (station, team, start minute, length minutes))``."""
    avail = []
    for sid, _ in _STATIONS:
        for d in range(_DAYS):
            officers = draw(st.one_of(st.none(), st.integers(0, 6)))
            if officers is not None:
                avail.append((sid, (_H0 + dt.timedelta(days=d)).date().isoformat(), officers))
    cut = draw(st.integers(0, _DAYS * 24)) * 60
    # two days of starts for few teams: overlaps, short rests and full days are common
    rows = draw(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 47),
                                   st.sampled_from([240, 480])), max_size=10))
    teams = [officers // 2 for _, officers in _STATIONS]
    return avail, cut, [(s, k % teams[s], hour * 60, length) for s, k, hour, length in rows]


def _both_sides(case):
    """(the solver side's breaches, the checker's violations, shift_id -> (station, team, day))."""
    from patrolplan.model.rules.published import PublishedShift

    avail, cut, rows = case
    sc = make_scenario([(sid, officers, "X") for sid, officers in _STATIONS], [("H1", "Z1")],
                       [("Z1", "staggered", [sid for sid, _ in _STATIONS])], horizon_days=_DAYS,
                       rules={"max_shifts_per_team": 2}, availability=avail or None)
    sc = with_demand(sc, {"H1": [(8, 12, 1)]})
    tr = travel(sc, 0)
    from patrolplan.inputs.demand import expand_demand

    p = Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(sc))
    kept = [PublishedShift(row=i + 1, shift_id=f"S{i + 1}", station=s, team=k, hotspot=0, loop=(), start_min=a,
                           len_min=n, out_min=0, back_min=0, pinned=True) for i, (s, k, a, n) in enumerate(rows)]
    solver_side = [b for family in rules.FAMILIES if hasattr(family, "pinned_problems")
                   for b in family.pinned_problems(p, kept, cut)]

    def ts(minute):
        return (_H0 + dt.timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M")

    roster = pd.DataFrame([{"shift_id": r.shift_id, "team_id": f"{_STATIONS[r.station][0]}-T{r.team + 1:02d}",
                            "station_id": _STATIONS[r.station][0], "zone_id": "Z1", "hotspot_id": "H1",
                            "mode": "staggered", "start": ts(r.start_min), "end": ts(r.start_min + r.len_min),
                            "on_site_start": ts(r.start_min), "on_site_end": ts(r.start_min + r.len_min)}
                           for r in kept], columns=list(_ROSTER_COLUMNS))
    report = check_roster(sc, roster, travel=tr, at=_H0 + dt.timedelta(minutes=cut))
    who = {r.shift_id: (_STATIONS[r.station][0], f"{_STATIONS[r.station][0]}-T{r.team + 1:02d}",
                        r.start_min // 1440) for r in kept}
    return solver_side, report.violations, who


def _team_of(b) -> str:
    return f"{_STATIONS[b.row.station][0]}-T{b.row.team + 1:02d}"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(named_rosters())
# a short shift inside a long one, then one that rests enough after the short one only
@example(([], 0, [(0, 0, 0, 480), (0, 0, 60, 240), (0, 0, 1080, 240)]))
def test_rest_agrees_with_the_checker_on_random_rosters(case):
    """Overlap and rest (the capacity family): the same count of each, team by team."""
    solver_side, violations, who = _both_sides(case)
    mine = collections.Counter((_team_of(b), b.rule) for b in solver_side if b.rule in ("overlap", "rest"))
    theirs = collections.Counter((who[v.shift_ids[-1]][1], v.rule) for v in violations if v.rule in ("overlap", "rest"))
    assert mine == theirs


@settings(max_examples=150, deadline=None, derandomize=True)
@given(named_rosters())
def test_max_shifts_agrees_with_the_checker_on_random_rosters(case):
    solver_side, violations, who = _both_sides(case)
    mine = {_team_of(b) for b in solver_side if b.rule == "max_shifts"}
    theirs = {who[v.shift_ids[0]][1] for v in violations if v.rule == "max_shifts"}
    assert mine == theirs


@settings(max_examples=150, deadline=None, derandomize=True)
@given(named_rosters())
def test_availability_agrees_with_the_checker_on_random_rosters(case):
    """Stations and days over their teams, the rows before the cut not bound (history)."""
    solver_side, violations, who = _both_sides(case)
    mine = {(_STATIONS[b.row.station][0], b.row.start_min // 1440) for b in solver_side if b.rule == "availability"}
    theirs = {who[v.shift_ids[0]][0::2] for v in violations if v.rule == "availability"}
    assert mine == theirs


# --- differential: handover ----------------------------------------------------------------------
#
# The solver side's handover is a restriction on what a candidate shift counts for
# (``handover.trim_tail``: a shift counts for a slot only if, when the next slot is demanded, it
# stays ``handover_minutes`` into it; ``handover.leaves_as_a_run_starts``: no candidate leaves
# less than that after a demanded run starts); the checker's is a rule on the roster (whoever leaves
# during a demanded slot leaves after a team that stays has been there that long). Every roster
# the solver side counts as covered must pass the checker's gap and handover rules. Rosters are
# drawn the way the model sees them: candidate columns of a random week, added one at a time to
# the first demanded slot the model still counts short, each on a team of its own.

_SLOT_H = 60


def _leaves_as_a_run_starts(p, j: int) -> bool:
    """Column ``j`` leaves its hotspot within ``handover_minutes`` of the start of a demanded
    slot whose slot before is not demanded (or at the week's start): the case the two sides
    once read differently; the solver side now has no such column
    (``handover.leaves_as_a_run_starts``)."""
    h, e = int(p.shift_hotspot[j]), int(p.shift_start_min[j] + p.shift_len_min[j] - p.shift_back_min[j])
    k = e // p.slot_min
    demanded = p.required[h] > 0
    return (0 < e and k < p.n_slots and demanded[k] and e < k * p.slot_min + p.config.modes.handover_minutes
            and (k == 0 or not demanded[k - 1]))


def _handover_week(demand, handover_min, travel_min):
    sc = make_scenario([("A", 60, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                       modes={"handover_minutes": handover_min})
    sc = with_demand(sc, {"H1": [(k, k + 1, d) for k, d in enumerate(demand) if d]})
    tr = travel(sc, travel_min)
    from patrolplan.inputs.demand import expand_demand

    return sc, tr, Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(sc))


def _roster_of(p, cols) -> pd.DataFrame:
    def ts(minute):
        return (_H0 + dt.timedelta(minutes=int(minute))).strftime("%Y-%m-%dT%H:%M")

    rows = []
    for n, j in enumerate(cols, start=1):
        a, length = int(p.shift_start_min[j]), int(p.shift_len_min[j])
        rows.append({"shift_id": f"S{n}", "team_id": f"A-T{n:02d}", "station_id": "A", "zone_id": "Z1",
                     "hotspot_id": "H1", "mode": "staggered", "start": ts(a), "end": ts(a + length),
                     "on_site_start": ts(a + p.shift_out_min[j]), "on_site_end": ts(a + length - p.shift_back_min[j])})
    return pd.DataFrame(rows, columns=list(_ROSTER_COLUMNS))


def test_a_roster_the_solver_side_counts_as_covered_passes_the_checkers_handover():
    seen = collections.Counter()

    @settings(max_examples=120, deadline=None, derandomize=True)
    @given(st.lists(st.sampled_from([0, 0, 1, 1, 1, 2]), min_size=24, max_size=24), st.sampled_from([15, 30, 60, 90]),
           st.sampled_from([0, 10, 25]), st.data())
    def agree(demand, handover_min, travel_min, data):
        sc, tr, p = _handover_week(demand, handover_min, travel_min)
        x = np.zeros(p.n_shifts, dtype=np.int64)
        need = p.required[p.cover_hotspot, p.cover_slot]
        assert not any(_leaves_as_a_run_starts(p, j) for j in range(p.n_shifts))
        while True:
            short = np.nonzero(p.cover @ x < need)[0]
            if short.size == 0:
                break
            cols = list(p.cover[short[0]].indices)
            if not cols:
                seen["uncoverable"] += 1
                return
            x[data.draw(st.sampled_from(sorted(cols)))] += 1
        report = check_roster(sc, _roster_of(p, np.repeat(np.arange(p.n_shifts), x)), travel=tr)
        broken = {v.rule for v in report.violations} & {"gap", "handover"}
        seen["covered"] += 1
        seen["handed over"] += int(bool(need.size) and x.sum() > 1)
        assert not broken, report.to_text()

    agree()
    assert seen["covered"] >= 60 and seen["handed over"] >= 30, seen


def test_a_shift_leaving_as_the_next_demanded_run_starts():
    """Demand 02-08 and 10-17, 8-hour shifts only, a 30-minute handover: 02-10 would leave as
    the 10-17 run starts, with nobody there 30 minutes before to hand over to, so it is no
    candidate (it was the model's optimum, 02-10 then 10-18, which the checker refused); the
    solved roster passes the check."""
    from dataclasses import replace

    from patrolplan.solver.solve import SolveParams, solve

    sc, tr, p = _handover_week([0, 0] + [1] * 6 + [0, 0] + [1] * 7 + [0] * 7, 30, 0)
    on_site_end = p.shift_start_min + p.shift_len_min - p.shift_back_min
    assert not ((p.shift_start_min == 120) & (p.shift_len_min == 480)).any()
    assert not (on_site_end == 600).any()  # nothing leaves at 10:00 (the start grid is hourly)
    assert (on_site_end == 540).any() and (on_site_end == 660).any()  # 09:00 and 11:00 stay
    assert not any(_leaves_as_a_run_starts(p, j) for j in range(p.n_shifts))
    result = solve(p, replace(SolveParams.from_config(sc.config), gap_tolerance_pct=0.0, time_limit_s=20))
    assert result.status == "optimal"
    report = check_roster(sc, result.roster, travel=tr)
    assert report.ok, report.to_text()


def test_leaving_as_a_run_starts_by_hand():
    """Hourly slots, demand in slots 2-3 and 5-7: a shift may not leave in the first
    ``overlap`` minutes of a run (a 90-minute overlap reaches into the run's second slot), may
    leave at any time outside demand or later in a run, and never at or before minute 0 or at
    the horizon's end counts."""
    from patrolplan.model.rules.handover import leaves_as_a_run_starts

    demanded = np.array([0, 0, 1, 1, 0, 1, 1, 1], dtype=bool)
    e = np.array([0, 60, 120, 149, 150, 200, 240, 270, 300, 329, 330, 400, 480])
    assert leaves_as_a_run_starts(e, 60, 30, demanded, 8).tolist() == [
        False, False, True, True, False, False, False, False, True, True, False, False, False]
    assert leaves_as_a_run_starts(e, 60, 90, demanded, 8).tolist() == [
        False, False, True, True, True, True, False, False, True, True, True, False, False]
    first = np.array([True, False, False, False, False, False, False, False])
    assert leaves_as_a_run_starts(np.array([-30, 0, 10, 59, 60]), 60, 30, first, 8).tolist() == [
        False, False, True, False, False]


# --- differential: visits ------------------------------------------------------------------------
#
# The solver side keeps the visit interval with guard rows: a loop column guards the visit slots
# :func:`~patrolplan.model.rules.visits.guards_of` says, and every slot of
# :func:`~patrolplan.model.rules.visits.guard_slots` needs a guard. The rows are a restriction
# (one column guarding a slot as a whole), so whenever one loop's visits guard every slot asked,
# the checker's interval rule must find the hours kept (``tests/test_visits.py`` holds the
# contract's rule itself, ``visits.satisfied``, equal to the checker's). The solver side cannot
# tell a post in the slot before the visit hours that is another row's (the checker's hours start
# as it leaves: it keeps nothing, and only visits inside the hours count) from one demanded
# where the visit hours run on under it (its presence counts as visits up to its end): its rows
# must be a restriction of both readings.


@st.composite
def visit_hours(draw):
    """``(first slot, end slot, every, dwell, post before, visit starts)`` of one hotspot."""
    first = draw(st.integers(0, 20))
    end = draw(st.integers(first + 1, 24))
    every = draw(st.sampled_from([60, 90, 120, 180]))
    dwell = draw(st.sampled_from([5, 15]))
    post = first > 0 and draw(st.booleans())
    late = draw(st.integers(0, 3)) == 0  # now and then the first visit late
    t = first * _SLOT_H + (draw(st.integers(every, every + 90)) if late else draw(st.integers(-every, every)))
    starts = []
    stop = end * _SLOT_H - (draw(st.integers(0, 3 * every)) if draw(st.integers(0, 3)) == 0 else 0)
    while t < stop:  # up to the hours' end, now and then stopping short
        starts.append(t)
        over = draw(st.integers(0, 7)) == 0  # now and then a gap over the interval
        t += every + draw(st.integers(1, 30)) if over else draw(st.integers(dwell, every))
    return first, end, every, dwell, post, starts


def test_visits_guarded_by_the_solver_sides_rows_keep_the_checkers_interval():
    from patrolplan.check.rules import _unguarded
    from patrolplan.model.rules.visits import guard_from, guard_slots, guards_of

    seen = collections.Counter()

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(visit_hours())
    def agree(case):
        first, end, every, dwell, post, starts = case
        n_k, slot = 24, _SLOT_H
        need = np.zeros((1, n_k), dtype=np.int64)
        need[0, first:end] = 1
        posts = np.zeros((1, n_k), dtype=np.int64)
        if post:
            posts[0, first - 1] = 1
        every_h, dwell_h = np.array([every]), np.array([dwell])
        asked = guard_slots(need, posts, every_h, dwell_h, slot)
        guarded = set(guards_of([(0, v) for v in starts], asked, every_h, slot, n_k,
                                guard_from(need, posts, dwell_h, slot)))
        solver_side = all((0, int(k)) in guarded for k in np.nonzero(asked[0])[0])
        presences = [(v, v) for v in starts] + ([((first - 1) * slot, first * slot - dwell)] if post else [])
        checker_side = _unguarded(presences, first * slot, end * slot, every) is None
        seen[(solver_side, checker_side)] += 1
        if solver_side:
            assert checker_side, case
            if post:  # the visit hours running on under the post, from its start
                assert _unguarded(presences, (first - 1) * slot, end * slot, every) is None, case

    agree()
    assert seen[(True, True)] >= 30 and seen[(False, False)] >= 30, seen


def test_a_visit_just_before_short_hours_after_a_post():
    """Found by the differential above: the solver side counted a visit starting in the dwell
    before short visit hours right after a post (its clock starts at the post's end less the
    dwell); the checker, as the contract says ("during the rule's hours"), counts only visits
    starting inside the hours, and a post that leaves as they start not at all. Now both say
    not kept, and a visit inside the hours keeps them on both sides."""
    from patrolplan.check.rules import _unguarded
    from patrolplan.model.rules.visits import guard_from, guard_slots, guards_of

    need, posts = np.zeros((1, 24), dtype=np.int64), np.zeros((1, 24), dtype=np.int64)
    need[0, 13] = 1  # visit hours 13:00-14:00, a visit every 90 min, dwell 5
    posts[0, 12] = 1  # a post 12:00-13:00
    every_h, dwell_h = np.array([90]), np.array([5])
    asked = guard_slots(need, posts, every_h, dwell_h, _SLOT_H)
    run_from = guard_from(need, posts, dwell_h, _SLOT_H)
    assert np.nonzero(asked[0])[0].tolist() == [13]
    assert guards_of([(0, 779)], asked, every_h, _SLOT_H, 24, run_from) == []  # the solver side: not kept
    assert _unguarded([(779, 779), (720, 775)], 780, 840, 90) is not None  # the checker: not kept
    assert guards_of([(0, 780)], asked, every_h, _SLOT_H, 24, run_from) == [(0, 13)]  # inside: kept
    assert _unguarded([(780, 780), (720, 775)], 780, 840, 90) is None
