"""Beat plans (model/beats.py, solver/beat_design.py, issue 22): a rendezvous week that column generation cannot plan
in time (as at Jining scale) is planned from beats: every station's loop repeats one cycle of
the interval, partners meeting on it. Hand-sized weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from builders import VISIT_COLUMNS, make_scenario, solve_visits, visit_travel
from patrolplan.check import check_roster
from patrolplan.model import beats
from patrolplan.model.problem import Problem
from patrolplan.solver import beat_design

#: visits at the three hotspots all Monday's day shift: 15 min at least every 2 h
DAY = [(h, "", "mon", "08:00", "16:00", 1, "visit", 15, 120) for h in ("HA", "HB", "HJ")]


def _two_stations(officers: int = 4):
    """Stations A (county X) and B (county Y); HA in A's zone, HB in B's, HJ in their
    synchronized zone; 8-hour shifts only; planned by rendezvous."""
    return make_scenario([("A", officers, "X"), ("B", officers, "Y")], [("HA", "ZA"), ("HB", "ZB"), ("HJ", "ZJ")],
                         [("ZA", "staggered", ["A"]), ("ZB", "staggered", ["B"]), ("ZJ", "synchronized", ["A", "B"])],
                         rules={"shift_hours": [8]}, visits={"rendezvous": True})


def _problem(scenario, rows, *, out=10, hop=10) -> Problem:
    from patrolplan.inputs.demand import expand_demand, expand_visits

    scenario = scenario.replace(demand=pd.DataFrame(rows, columns=VISIT_COLUMNS))
    tr = visit_travel(scenario, out, hop)
    return Problem.from_tables(scenario, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(scenario),
                               visits=expand_visits(scenario), hop_min=tr.hop_min)


@pytest.fixture
def no_master(monkeypatch):
    """Column generation's master LP never solves (as at Jining scale)."""
    from patrolplan.solver import colgen

    monkeypatch.setattr(colgen, "_optimal", lambda h: False)


def _broken(result, sc, tr):
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits)
    return [(v.rule, v.message) for v in report.violations]


def test_a_week_column_generation_cannot_plan_is_planned_from_beats(no_master):
    """By hand, as the rendezvous optimum (tests/test_visits_rendezvous.py): A's beat is HA and
    HJ, B's is HB and HJ, the two arriving at HJ on the same minutes: one 8-hour shift each,
    16 team-hours. Each hotspot gets a visit every 120 minutes, four in the shift (the need);
    every visit at HJ is made by A and B together. The beats' loops are a part of the model's, so
    no bound is claimed."""
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=10, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "beat plan" and cg["beat_plan"]["beats"] == 2
    assert cg["beat_plan"]["shift_minutes"] == 480
    assert _broken(result, sc, tr) == []
    assert result.summary["team_hours"] == 16
    assert result.status == "feasible" and result.summary["best_bound"] is None
    assert "beats" in result.summary["best_bound_reason"]
    v = result.visits.assign(arrive=pd.to_datetime(result.visits["arrive"]))
    for h, rows in v.groupby("hotspot_id"):
        times = sorted(set(rows["arrive"]))
        assert len(times) == 4, h
        assert {(b - a).total_seconds() / 60 for a, b in zip(times, times[1:])} == {120.0}, h
    joint = v[v["hotspot_id"] == "HJ"].groupby("arrive")["station_id"].apply(lambda s: tuple(sorted(s)))
    assert set(joint) == {("A", "B")}
    own = v[v["hotspot_id"] != "HJ"]
    assert set(zip(own["hotspot_id"], own["station_id"])) == {("HA", "A"), ("HB", "B")}


def test_phases_leave_time_to_drive_out_and_back_and_between_stops():
    """Every beat's phases are multiples of the check step (15 min), at least the road minutes
    out after the shift's start, leave the dwell and the road back before the cycle's end, and
    lie the dwell and the road minutes (on the 5-min grid) apart both ways round the cycle."""
    p = _problem(_two_stations(), DAY, out=20, hop=22)
    plan = beat_design.design(p, time_limit_s=10)
    assert plan is not None and plan.interval == 120
    for s, station_beats in plan.beats.items():
        for beat in station_beats:
            phases = [ph for _, ph in beat]
            assert phases == sorted(phases) and all(ph % 15 == 0 for ph in phases)
            assert all(20 <= ph <= 120 - 15 - 20 for ph in phases)
            gaps = np.diff(phases + [phases[0] + 120])
            assert len(beat) == 1 or (gaps >= 40).all()  # 15 + 22 -> 40 on the grid
    # with legs of 22 min a cycle of 120 holds both stops of a station: 20 <= HJ, HA <= 85
    assert sorted(len(b) for bs in plan.beats.values() for b in bs) == [2, 2]


def test_no_beat_plan_where_a_hotspot_is_too_far_for_a_cycle(no_master):
    """60 road minutes out and 60 back leave no phase in a 120-minute cycle (out, then the
    dwell and the way back before the next team's first visit): no beat plan, and the week
    is planned with the enumerated loops, still without a gap."""
    p = _problem(_two_stations(), DAY, out=60, hop=10)
    assert beat_design.design(p, time_limit_s=5) == ("no station can hold hotspot HA (and 2 more: HB, HJ) on a beat, "
                                                     "for their roads, zones and teams; at the joint one (HJ) no two "
                                                     "partner stations")
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=60, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "enumerated loops"
    assert result.status in ("optimal", "feasible") and _broken(result, sc, tr) == []


@pytest.mark.parametrize(("officers", "most"), [(2, 0), (6, 1), (12, 2), (40, 3)])
def test_a_station_runs_no_more_beats_than_its_teams_keep_going_all_day(officers, most):
    """Visits all Monday: a beat is three 8-hour shifts, and each keeps its team 20 hours
    (shift and rest), so the three occupy three teams at 16:00; a station of ``officers`` (two
    to a team) runs at most teams // 3 beats, and never more than MAX_BEATS."""
    day = [(h, "", "mon", "00:00", "24:00", 1, "visit", 15, 120) for h in ("HA", "HB", "HJ")]
    p = _problem(_two_stations(officers), day)
    shifts = beats.frames(p, 120)
    assert shifts == ((0, 480), (480, 480), (960, 480))
    assert beats._max_beats(p, 0, shifts) == most


@pytest.mark.parametrize(("hours", "shifts"), [([8], ((1200, 480),)), ([4], ((1200, 240), (1440, 240)))])
def test_a_beats_shifts_fit_the_visit_hours(no_master, hours, shifts):
    """Visits from Monday 20:00 to Tuesday 02:00 touch three cycles of 2 h: one 8-hour shift a
    beat (20:00-04:00), or two of 4 h, where whole 8-hour blocks from midnight would take
    16:00-24:00 and 00:00-08:00. By hand, as the day week above: A's beat HA and HJ, B's HB and
    HJ, one 8-hour shift each, 16 team-hours, and the checker finds every visit in time."""
    sc = make_scenario([("A", 4, "X"), ("B", 4, "Y")], [("HA", "ZA"), ("HB", "ZB"), ("HJ", "ZJ")],
                       [("ZA", "staggered", ["A"]), ("ZB", "staggered", ["B"]), ("ZJ", "synchronized", ["A", "B"])],
                       horizon_days=2, rules={"shift_hours": hours}, visits={"rendezvous": True})
    night = [(h, "", "mon", "20:00", "02:00", 1, "visit", 15, 120) for h in ("HA", "HB", "HJ")]
    p = _problem(sc, night)
    assert beats.frames(p, 120) == shifts
    result, tr, _, sc = solve_visits(sc, night, out=10, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "beat plan" and cg["beat_plan"]["beats"] == 2
    assert cg["beat_plan"]["shifts_per_beat"] == len(shifts)
    assert _broken(result, sc, tr) == []
    assert result.summary["team_hours"] == 16


def test_visit_hours_shorter_than_the_interval_get_a_phase_inside_them(no_master):
    """Visits at HA on Monday 15:00-16:00, every 2 h: the one window lies in the last hour of
    the cycle 14:00-16:00, so the beat's phase must fall in it (before, the design could put it
    at 14:15 and lose the plan: found by an adversarial run). One 8-hour shift, checked."""
    sc = make_scenario([("A", 4, "X")], [("HA", "ZA")], [("ZA", "staggered", ["A"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True})
    rows = [("HA", "", "mon", "15:00", "16:00", 1, "visit", 15, 120)]
    p = _problem(sc, rows)
    shifts = beats.frames(p, 120)
    kept = beats.kept_phases(p, shifts, 120, 15)[0].tolist()
    assert kept and len(kept) < 8  # some of the cycle's eight phases, not all
    for ph in kept:
        visits = [t + ph + n * 120 for t, length in shifts for n in range(length // 120)]
        assert any(15 * 60 <= v < 16 * 60 for v in visits), ph
    result, tr, _, sc = solve_visits(sc, rows, out=10, hop=10)
    assert result.summary["stats"]["column_generation"]["fallback"] == "beat plan"
    assert _broken(result, sc, tr) == [] and result.summary["team_hours"] == 8


def test_windows_off_the_check_step_after_a_post_get_no_beat_plan_and_say_why(no_master):
    """After a post at HA, the visit hours' clock starts a dwell (10 min) before them, off the
    15-minute check step: consecutive windows miss different phases and none keeps them all, so
    no beat plan is made, the log says why, and the enumerated loops plan the week."""
    sc = make_scenario([("A", 8, "X")], [("HA", "ZA")], [("ZA", "staggered", ["A"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True})
    rows = [("HA", "", "mon", "06:00", "08:00", 1, "post", "", ""),
            ("HA", "", "mon", "08:00", "16:00", 1, "visit", 10, 120)]
    result, tr, _, sc = solve_visits(sc, rows, out=10, hop=10)
    assert any("no phase of a beat keeps every visit window of hotspot HA" in line for line in result.log)
    assert result.summary["stats"]["column_generation"]["fallback"] == "enumerated loops"
    assert _broken(result, sc, tr) == []


def test_beats_need_intervals_that_divide_the_longest():
    """The phases are those of one cycle, the longest interval: a hotspot asking for 90 min
    beside 120 fits no cycle a whole number of times, so no beat plan (the week falls back to
    the enumerated loops)."""
    rows = [("HA", "", "mon", "08:00", "16:00", 1, "visit", 15, 120), ("HB", "", "mon", "08:00", "16:00", 1, "visit", 15, 90),
            ("HJ", "", "mon", "08:00", "16:00", 1, "visit", 15, 120)]
    p = _problem(_two_stations(), rows)
    assert beats.applicable(p) == "visit intervals (90, 120 min) do not all divide the longest"
    assert beat_design.design(p, time_limit_s=5) is None


def test_a_hotspot_asking_every_hour_is_visited_twice_a_cycle(no_master):
    """By hand: one station, HA every 60 min and HB every 120, 10 min out and back and between
    them, 15 min on site. The cycle is 120 min; HA's phase lies in [10, 35] (its second visit
    of the cycle, 60 later, leaves the dwell and the way back), HB's in [10, 95]; their visits
    lie 25 min apart (dwell and road) both ways modulo 60. So HA at 15 and HB at 45 (or HA at
    30 and HB at 60) make one beat: one 8-hour shift, HA visited every 60 min (8 times), HB
    every 120 (4 times), and the roster keeps every rule."""
    sc = make_scenario([("A", 4, "X")], [("HA", "ZA"), ("HB", "ZA")], [("ZA", "staggered", ["A"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True})
    rows = [("HA", "", "mon", "08:00", "16:00", 1, "visit", 15, 60), ("HB", "", "mon", "08:00", "16:00", 1, "visit", 15, 120)]
    result, tr, p, sc = solve_visits(sc, rows, out=10, hop=10)
    plan = result.summary["stats"]["column_generation"]["beat_plan"]
    assert plan["beats"] == 1 and result.summary["team_hours"] == 8
    assert _broken(result, sc, tr) == []
    v = result.visits.assign(arrive=pd.to_datetime(result.visits["arrive"]))
    for h, every, n in (("HA", 60, 8), ("HB", 120, 4)):
        times = sorted(v.loc[v["hotspot_id"] == h, "arrive"])
        assert len(times) == n, h
        assert {(b - a).total_seconds() / 60 for a, b in zip(times, times[1:])} == {every}, h
    ha, hb = (min(v.loc[v["hotspot_id"] == h, "arrive"]) for h in ("HA", "HB"))
    assert (hb - ha).total_seconds() / 60 % 60 in (30,)  # 25 min apart, on the 15-min phases


def test_a_problem_without_its_loop_columns_takes_them_back_alike():
    """``without_loop_columns`` keeps the posts only; adding the loops back gives the same
    columns, visits and rows of the model."""
    from patrolplan.model.pricing import LoopColumn, with_seed_loops

    p = with_seed_loops(_problem(_two_stations(), DAY))
    loops = np.nonzero(p.shift_loop >= 0)[0]
    assert loops.size
    q = p.without_loop_columns()
    assert (q.shift_loop < 0).all() and q.guard.shape[1] == q.meet_link.shape[1] == q.n_shifts
    assert q.visit_ptr.size == q.n_shifts + 1
    cols = [LoopColumn(int(p.shift_station[j]), int(p.shift_start_min[j]), int(p.shift_len_min[j]),
                       tuple((h, t) for h, t, _ in p.visits_of(int(j)))) for j in loops]
    r = q.with_loop_columns(cols)
    assert r.n_shifts == p.n_shifts
    assert (r.guard != p.guard).nnz == 0 and (r.meet_link != p.meet_link).nnz == 0
    assert np.array_equal(r.visit_arrive_min, p.visit_arrive_min)


def test_a_week_too_large_for_column_generation_makes_no_first_loops_and_goes_to_beats(monkeypatch):
    """Above pricing.MASTER_MAX_ROWS window and link rows column generation is not tried: no
    first loops are made (at province size they took most of the build and 20 GB), and the week
    goes straight to its beat plan."""
    from patrolplan.model import pricing

    p = _problem(_two_stations(), DAY)
    assert (pricing.with_seed_loops(p).shift_loop >= 0).any()
    monkeypatch.setattr(pricing, "MASTER_MAX_ROWS", pricing.master_rows(p) - 1)
    assert not (pricing.with_seed_loops(p).shift_loop >= 0).any()
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=10, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "beat plan" and cg["seed_columns"] == 0 and cg["rounds"] == 0
    assert "column generation is not tried" in cg["reason"]
    assert _broken(result, sc, tr) == [] and result.summary["team_hours"] == 16


def _priced_report(monkeypatch, **changes):
    """Column generation runs as it does, and its report then says ``changes`` (as if it had
    stopped otherwise)."""
    from dataclasses import replace

    from patrolplan.solver import solve as solve_module

    real = solve_module.generate_columns

    def changed(p, **kw):
        q = real(p, **kw)
        return q.replace(pricing=replace(q.pricing, **changes))

    monkeypatch.setattr(solve_module, "generate_columns", changed)


def test_where_column_generation_runs_the_beat_plan_comes_first_and_joins_its_loops():
    """A week small enough for column generation that beats can plan: the beat plan is made
    before any round (a gap-free plan in hand); column generation then plans the week, here
    without a proven bound (pricing is relaxed, tests/test_visits_rendezvous.py), so the
    beats' loops join the loops it found and the beat plan's roster is a warm start (the LP
    dive's wins only if better): the roster is no worse than the beats, 16 team-hours by hand."""
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=10, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert "fallback" not in cg and cg["rounds"] >= 1 and cg["slack"] == 0 and cg["bound"] is None
    assert result.summary["stats"]["n_candidate_shifts"] > cg["seed_columns"] + cg["generated_columns"]
    first = next(i for i, line in enumerate(result.log) if line.startswith("beat plan: 2 beats"))
    rounds = next(i for i, line in enumerate(result.log) if line.startswith("column generation:"))
    assert first < rounds
    assert cg["beat_plan"]["beats"] == 2 and "warm start: the beat plan" in result.log
    assert result.summary["best_bound"] is None
    assert _broken(result, sc, tr) == [] and result.summary["team_hours"] == 16


def test_where_column_generation_proves_its_bound_the_mip_keeps_to_its_loops(monkeypatch):
    """Where column generation proves a bound (forced here), it bounds the loops pricing can
    find, so the beats' loops stay out of the MIP (a beat need not be such a loop) and the
    beat plan is no warm start."""
    _priced_report(monkeypatch, bound=1.0, priced_out=True, reason=None)
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=10, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert "fallback" not in cg and "beat_plan" not in cg
    assert any(line.startswith("beat plan: 2 beats") for line in result.log)
    assert "warm start: the beat plan" not in result.log
    assert result.summary["stats"]["n_candidate_shifts"] == cg["seed_columns"] + cg["generated_columns"]
    assert result.summary["best_bound"] == 1.0
    assert _broken(result, sc, tr) == []


def test_where_column_generation_leaves_gaps_the_beats_plan_the_week_with_its_loops(monkeypatch):
    """Column generation ran its rounds but its loops still leave a gap: the week is planned
    from the beat plan made before it, with the loops it found beside the beats for the MIP;
    no bound is claimed."""
    _priced_report(monkeypatch, slack=1.0, priced_out=False, bound=None)
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=10, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "beat plan" and cg["rounds"] >= 1 and cg["beat_plan"]["beats"] == 2
    assert result.summary["stats"]["n_candidate_shifts"] >= cg["seed_columns"] + cg["generated_columns"]
    assert sum(line.startswith("beat plan: 2 beats") for line in result.log) == 1  # designed once, before
    assert result.summary["best_bound"] is None
    assert _broken(result, sc, tr) == [] and result.summary["team_hours"] == 16


def test_a_beat_roster_carries_over_to_the_columns_column_generation_starts_from():
    """The beat roster (counts of the posts and beats problem) as counts of the problem of seed
    loops and beats that column generation starts from: the same posts and the same loops, in
    another order, where a beat that is also a seed loop appears once."""
    from patrolplan.model.pricing import with_seed_loops
    from patrolplan.solver.solve import _carried, _loops_of

    rows = DAY + [("HA", "", "mon", "16:00", "20:00", 1, "post", "", "")]
    p = with_seed_loops(_problem(_two_stations(8), rows))
    plan = beat_design.design(p, time_limit_s=10)
    q = p.without_loop_columns().with_loop_columns(beats.beat_columns(plan) + beats.turn_columns(p, plan))
    counts = np.zeros(q.n_shifts)
    post = int(np.nonzero(q.shift_loop < 0)[0][0])
    counts[post] = 1
    loops = np.nonzero(q.shift_loop >= 0)[0]
    assert len(loops) == 2  # A's beat and B's, one 8-hour shift each
    counts[loops] = [1, 2]
    seeded = p.with_loop_columns(_loops_of(q)[1:2])  # one beat among the seed loops already
    base = seeded.with_loop_columns(_loops_of(q))
    assert base.n_shifts == seeded.n_shifts + len(loops) - 1
    out = _carried(q, counts, base)
    assert out[post] == 1 and out.sum() == counts.sum()
    have = sorted((base._loop_key(int(j)), out[j]) for j in np.nonzero(out)[0] if base.shift_loop[j] >= 0)
    want = sorted((q._loop_key(int(j)), counts[j]) for j in loops)
    assert have == want


def test_a_first_beat_plan_is_improved_in_the_time_left(no_master, monkeypatch):
    """The first beat plan comes fast (at most 10 s); when CP-SAT did not prove it optimal, the
    time left then improves on it, starting from it: here a first plan of one hotspot per
    beat (4 beats, 32 team-hours) gives way to the two beats by hand (16 team-hours), and the
    set-partitioning MIP proves that no beat plan has fewer."""
    real, hints = beat_design.design, []

    def first_then_real(p, **kw):
        hints.append(kw.get("hint"))
        if len(hints) == 1:  # stations A=0, B=1; hotspots HA=0, HB=1, HJ=2
            return beats.BeatPlan(120, ((480, 480),), {0: (((0, 30),), ((2, 60),)), 1: (((1, 30),), ((2, 60),))},
                                  "feasible", 0.1, objective=1e9)
        return real(p, **kw)

    monkeypatch.setattr(beat_design, "design", first_then_real)
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=10, hop=10)
    assert len(hints) == 2 and hints[0] is None and hints[1].n_beats == 4
    assert any(line.startswith("beat plan: 4 beats") for line in result.log)
    assert any(line.startswith("beat plan improved: 2 beats") for line in result.log)
    assert result.summary["stats"]["column_generation"]["beat_plan"]["beats"] == 2
    # the improving search is the set-partitioning MIP here: it proves no beat plan has fewer
    assert result.summary["stats"]["column_generation"]["beat_plan"]["least_beats"] == 2
    assert result.summary["stats"]["column_generation"]["beat_plan"]["status"] == "optimal"
    assert "beat plan: no beat plan of this week has fewer than 2 beats" in result.log
    assert result.summary["best_bound"] is None  # a bound of beat plans, not of the model
    assert _broken(result, sc, tr) == [] and result.summary["team_hours"] == 16


def test_a_hinted_design_starts_from_the_plan_it_is_given():
    """CP-SAT given a plan as its hint returns one at least as good (its objective: beat-hours
    in minutes, then road minutes)."""
    p = _problem(_two_stations(), DAY)
    plan = beat_design.design(p, time_limit_s=5)
    again = beat_design.design(p, time_limit_s=5, hint=plan)
    assert again is not None and again.objective <= plan.objective and again.n_beats == plan.n_beats == 2


def test_ctrl_c_stops_the_beat_search_at_once_and_is_raised(monkeypatch):
    """A signal during the beat plan's CP-SAT search stops it within a moment and raises
    Interrupted (CP-SAT's own catcher would return the plan so far as if the time had run out,
    and the run would go on to publish)."""
    import os
    import signal
    import threading
    import time

    from ortools.sat.python import cp_model

    from patrolplan import interrupts

    rng = np.random.default_rng(0)  # a knapsack of 500 items and 8 weights: its optimum takes long to prove
    m = cp_model.CpModel()
    x = [m.NewBoolVar(f"x{i}") for i in range(500)]
    for _ in range(8):
        w = rng.integers(10**5, 10**6, 500)
        m.Add(sum(int(a) * b for a, b in zip(w, x)) <= int(w.sum() // 3))
    m.Maximize(sum(int(a) * b for a, b in zip(rng.integers(10**5, 10**6, 500), x)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 60.0
    solver.parameters.num_workers = 1
    monkeypatch.setattr(interrupts._state, "signum", None)  # the signal's flag is this test's alone
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    with interrupts.handled():
        timer.start()
        t = time.perf_counter()
        try:
            with pytest.raises(interrupts.Interrupted):
                beat_design._solve(solver, m)
        finally:
            timer.cancel()
    assert 1.0 <= time.perf_counter() - t < 10


def test_a_beat_whose_one_stop_is_joint_costs_a_little_more():
    """With legs of 50 minutes no beat holds two stops: A runs [HA] and [HJ], B [HB] and [HJ].
    The beats [HJ] (a team that waits at the joint hotspot between meetings) each cost
    LONE_JOINT of a beat's hours more (in minutes: 0.05 x 480 = 24), the beats [HA] and [HB]
    nothing more: CP-SAT's objective is four beats, the road minutes out and back of each hold
    (4 x 20) and two lone joint beats. A beat weighs more than all the rest of any plan: 1 + the
    farthest holders' road minutes (HA 20, HB 20, HJ twice 20) + a lone joint cost for every
    beat the stations may run."""
    p = _problem(_two_stations(), DAY, out=10, hop=50)
    plan = beat_design.design(p, time_limit_s=5)
    assert plan is not None and plan.status == "optimal"
    assert sorted(len(b) for bs in plan.beats.values() for b in bs) == [1, 1, 1, 1]
    lone = 24
    may_run = 2 * beats._max_beats(p, 0, plan.frames)  # A and B alike
    beat = 1 + 80 + lone * may_run
    assert plan.objective == 4 * beat + 4 * 20 + 2 * lone


def test_the_model_written_is_the_one_solve_plans(monkeypatch):
    """--write-model writes ``solve.planned_problem``'s model: above the rows column generation
    is tried at, the beat plan's loop columns alone (here A's and B's one beat, one shift each)."""
    from dataclasses import replace

    from patrolplan.model import pricing
    from patrolplan.solver.solve import SolveParams, planned_problem

    sc = _two_stations()
    p = _problem(sc, DAY)
    monkeypatch.setattr(pricing, "MASTER_MAX_ROWS", pricing.master_rows(p) - 1)
    q = planned_problem(pricing.with_seed_loops(p), replace(SolveParams.from_config(sc.config), time_limit_s=10))
    loops = np.nonzero(q.shift_loop >= 0)[0]
    assert sorted(q.station_ids[int(q.shift_station[j])] for j in loops) == ["A", "B"]
    assert {int(q.shift_start_min[j]) for j in loops} == {480} and {int(q.shift_len_min[j]) for j in loops} == {480}


def test_members_of_a_staggered_zone_take_turns_at_a_beat(no_master):
    """A week of visits at HS, in the staggered zone of A and B (five teams each: a beat is 21
    shifts, five a team): the beat
    plan gives HS to one of them, and the same beat driven by the other is a column too, so the
    MIP shares the 21 shifts under the staggered share (each member's on-site hours at most one
    longest shift, 8 h, off its half of the 21 h, then paid for): with fairness 10 both drive
    it, and neither is more than 8 h of the 21 h off its half. Without the turns' columns one
    station would drive all 21."""
    sc = make_scenario([("A", 10, "X"), ("B", 10, "Y")], [("HS", "ZS")], [("ZS", "staggered", ["A", "B"])],
                       horizon_days=7, rules={"shift_hours": [8]}, visits={"rendezvous": True},
                       objective={"fairness": 10})
    week = [("HS", "", "mon-sun", "00:00", "00:00", 1, "visit", 15, 120)]
    result, tr, _, sc = solve_visits(sc, week, out=10, hop=10)
    assert result.summary["stats"]["column_generation"]["fallback"] == "beat plan"
    assert _broken(result, sc, tr) == []
    shifts = result.roster["station_id"].value_counts().to_dict()
    assert sum(shifts.values()) == 21 and set(shifts) == {"A", "B"}
    hours = {s: n * 1.0 for s, n in shifts.items()}  # four visits of 15 min a shift
    assert all(abs(h - 10.5) <= 8 for h in hours.values())


def test_a_joint_beat_is_driven_in_turn_only_by_a_partner_of_its_other_holder():
    """HJ's zone has A (county X), B and C (county Y). The plan pairs A with one of B and C. The
    beat of that one may be driven by the other (also a partner of A), but A's beat by no one:
    B and C are not partners of each other (same county)."""
    sc = make_scenario([("A", 10, "X"), ("B", 10, "Y"), ("C", 10, "Y")], [("HJ", "ZJ")],
                       [("ZJ", "synchronized", ["A", "B", "C"])], rules={"shift_hours": [8]},
                       visits={"rendezvous": True})
    p = _problem(sc, [("HJ", "", "mon", "08:00", "16:00", 1, "visit", 15, 120)])
    plan = beat_design.design(p, time_limit_s=5)
    assert plan is not None and set(plan.beats) in ({0, 1}, {0, 2})
    other = ({1, 2} - set(plan.beats)).pop()
    assert {c.station for c in beats.turn_columns(p, plan)} == {other}


def test_a_week_that_also_asks_for_posts_is_planned_from_beats_with_its_posts_around_them(no_master):
    """The beats hold the visits (one 8-hour shift of A and of B, meeting at HJ) and the greedy
    planner staffs the post at HA on Monday 16:00-20:00 around them: with 8-hour shifts only,
    one more shift, 24 team-hours in all (no roster has fewer: the beats' two teams are on duty
    until 16:00, the post needs a team until 20:00)."""
    rows = DAY + [("HA", "", "mon", "16:00", "20:00", 1, "post", "", "")]
    p = _problem(_two_stations(8), rows)
    assert beats.applicable(p) is None
    result, tr, _, sc = solve_visits(_two_stations(8), rows, out=10, hop=10)
    assert result.summary["stats"]["column_generation"]["fallback"] == "beat plan"
    assert _broken(result, sc, tr) == []
    assert result.summary["team_hours"] == 24
    post = result.roster[result.roster["loop_id"].fillna("") == ""]
    assert len(post) == 1 and post["station_id"].iloc[0] == "A"


def test_where_the_greedy_planner_staffs_no_post_the_mip_finds_the_first_roster(no_master, monkeypatch):
    """Both greedy orders fail (forced here; at Jining scale a station ran out of shifts); the
    MIP over the beats' and the posts' columns then makes the first roster, and says so: the
    same 24 team-hours as the greedy planner's week above."""
    from patrolplan.solver import solve as solve_module

    monkeypatch.setattr(solve_module, "greedy_counts", lambda *a, **k: None)
    rows = DAY + [("HA", "", "mon", "16:00", "20:00", 1, "post", "", "")]
    result, tr, _, sc = solve_visits(_two_stations(8), rows, out=10, hop=10)
    assert result.summary["stats"]["column_generation"]["fallback"] == "beat plan"
    assert any("posts staffed around the beats by the MIP" in line for line in result.log)
    assert _broken(result, sc, tr) == []
    assert result.summary["team_hours"] == 24


def _one_team_and_a_post():
    """A (one team) is the only member of HP's zone, whose post asks for a team on Monday
    10:00-14:00 (one 8-hour shift); HA, in A's and B's zone, asks for visits all day."""
    sc = make_scenario([("A", 2, "X"), ("B", 8, "Y")], [("HA", "ZA"), ("HP", "ZP")],
                       [("ZA", "staggered", ["A", "B"]), ("ZP", "staggered", ["A"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True})
    rows = [("HA", "", "mon", "08:00", "16:00", 1, "visit", 15, 120),
            ("HP", "", "mon", "10:00", "14:00", 1, "post", "", "")]
    return sc, rows


def test_a_beat_that_takes_a_posts_only_team_is_driven_by_a_partner(no_master, monkeypatch):
    """A beat plan giving A's one team the visits at HA leaves HP's post no team when the beats
    are staffed first; the greedy planner with the posts first puts A on the post, and B drives
    A's beat (its turn column), so the plan is kept."""
    sc, rows = _one_team_and_a_post()
    p = _problem(sc, rows)
    ha = list(p.hotspot_ids).index("HA")
    blocking = beats.BeatPlan(120, ((480, 480),), {0: (((ha, 15),),)}, "feasible", 0.0)
    monkeypatch.setattr(beat_design, "design", lambda *a, **k: blocking)
    result, tr, _, sc = solve_visits(sc, rows, out=10, hop=10)
    assert result.summary["stats"]["column_generation"]["fallback"] == "beat plan"
    assert _broken(result, sc, tr) == []
    stations = dict(zip(result.roster["loop_id"].fillna("").ne(""), result.roster["station_id"]))
    assert stations == {True: "B", False: "A"}


def test_beats_that_leave_a_post_without_a_team_are_not_kept(no_master, monkeypatch):
    """Where no first roster of the beats and the posts is found, the plan is not kept, the log
    says so, and the week falls back to the enumerated loops (A on the post, B visiting HA)."""
    from patrolplan.solver import solve as solve_module

    monkeypatch.setattr(solve_module, "_with_posts", lambda *a, **k: None)
    sc, rows = _one_team_and_a_post()
    result, tr, _, sc = solve_visits(sc, rows, out=10, hop=10)
    assert any("none kept" in line and "no team for a post" in line for line in result.log)
    assert result.summary["stats"]["column_generation"]["fallback"] == "enumerated loops"
    assert _broken(result, sc, tr) == []
    stations = dict(zip(result.roster["loop_id"].fillna("").ne(""), result.roster["station_id"]))
    assert stations == {True: "B", False: "A"}


def _random_week(seed: int, hourly: tuple[str, ...] = ()) -> Problem:
    """Four stations (A, C in county X; B, D in Y), seven hotspots in own, staggered and
    synchronized zones, road minutes drawn at random with ``seed`` (5-40; 5-12 with ``hourly``
    hotspots); visits every 120 min (the ``hourly`` hotspots every 60) all Monday's day shift."""
    from patrolplan.inputs.demand import expand_demand, expand_visits

    sc = make_scenario([("A", 4, "X"), ("B", 4, "Y"), ("C", 4, "X"), ("D", 4, "Y")],
                       [("H1", "ZA"), ("H2", "ZA"), ("H3", "ZB"), ("H4", "ZAB"), ("H5", "ZCD"), ("H6", "ZC"),
                        ("H7", "ZBC")],
                       [("ZA", "staggered", ["A"]), ("ZB", "staggered", ["B"]), ("ZAB", "synchronized", ["A", "B"]),
                        ("ZCD", "synchronized", ["C", "D"]), ("ZC", "staggered", ["C"]),
                        ("ZBC", "staggered", ["B", "C"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True})
    rows = [(f"H{i}", "", "mon", "08:00", "16:00", 1, "visit", 15, 60 if f"H{i}" in hourly else 120)
            for i in range(1, 8)]
    sc = sc.replace(demand=pd.DataFrame(rows, columns=VISIT_COLUMNS))
    rng = np.random.default_rng(seed)
    most = 13 if hourly else 41  # an hourly stop: out, the dwell and back within 60 min, phases on 15
    out = rng.integers(5, most, (4, 7))
    hop = rng.integers(5, most, (7, 7))
    hop = np.minimum(hop, hop.T)
    np.fill_diagonal(hop, 0)
    return Problem.from_tables(sc, out_min=out, back_min=out.T.copy(), demand=expand_demand(sc),
                               visits=expand_visits(sc), hop_min=hop)


@pytest.mark.parametrize("hourly", [(), ("H1", "H4", "H6")], ids=["one-interval", "some-hourly"])
@pytest.mark.parametrize("seed", range(6))
def test_the_set_partitioning_mip_is_the_cp_sat_design_exactly(seed, hourly):
    """set_design lists every beat a station may run and solves the design as a MIP: on small
    weeks CP-SAT proves its optimum, and the MIP, started from CP-SAT's plan (every one of its
    beats a column), proves the same objective; its fewest beats are the plan's. Where CP-SAT
    finds no beat plan, the MIP proves there is none. Also where some hotspots (one of them
    joint) ask for a visit every hour, twice a cycle: the two models' spacing modulo the
    intervals' gcd agree."""
    from patrolplan.model.pricing import station_nets

    p = _random_week(seed, hourly)
    first = beat_design.design(p, time_limit_s=20)
    bm = beats._BeatModel(p)
    nets = station_nets(p)
    for net in nets:
        bm.add_station(net)
    if not isinstance(first, beats.BeatPlan):  # none exists (a text why), or CP-SAT proved none (None)
        assert bm.add_hotspots() or beat_design.set_design(bm, nets, time_limit_s=20).status == "infeasible"
        return
    assert first.status == "optimal" and first.least_beats is None
    assert bm.add_hotspots() == []
    listed = set()
    for net in nets:
        ok, lo, hi = bm.window(net)
        for beat in beats._beats_of(net, ok, lo, hi, c=bm.c, g=bm.g, every=bm.every_of(net)):
            listed.add((net.station, tuple((int(net.stops[i]), ph) for i, ph in beat)))
    assert all((s, beat) in listed for s, bs in first.beats.items() for beat in bs)
    again = beat_design.design(p, time_limit_s=20, hint=first)
    assert again.status == "optimal" and again.objective == first.objective
    assert again.least_beats == first.n_beats
    # and from no start at all
    sd = beat_design.set_design(bm, nets, time_limit_s=20)
    assert sd.status == "optimal" and sd.objective == first.objective and sd.least_beats == first.n_beats


@pytest.mark.parametrize("bound, least", [(None, None), (0.0, None), (-5.0, None), (1.0, 1), (2.5, 2)])
def test_the_fewest_beats_are_claimed_only_from_a_bound_that_counts_one(monkeypatch, bound, least):
    """When the set design's MIP stops before its bound reaches one beat (HiGHS still in
    presolve or at the root: bound 0 or none), no fewest beats is claimed: 0 is true of every
    week and says nothing (a run on the Jining-shaped week logged "no beat plan of this week has
    fewer than 0 beats"). A bound above one beat's weight is a whole beat."""
    from patrolplan.model.pricing import station_nets
    from patrolplan.solver.engines import EngineResult

    p = _random_week(0, ())
    bm = beats._BeatModel(p)
    nets = station_nets(p)
    for net in nets:
        bm.add_station(net)
    assert bm.add_hotspots() == []
    scale = bm.weights()[0]  # one beat's weight in the objective
    monkeypatch.setattr(beat_design, "solve_highs",
                        lambda *a, **k: EngineResult("unknown", None, None, None if bound is None else bound * scale,
                                                     0.1, "highs"))
    sd = beat_design.set_design(bm, nets, time_limit_s=5)
    assert sd.status == "unknown" and sd.least_beats == least


@pytest.mark.parametrize("check, n_beats", [(15, 2), (5, 1)])
def test_a_finer_check_step_lets_a_beat_hold_more_stops(no_master, check, n_beats):
    """By hand: four hotspots of one station, 10 min out and back, 5 min apart; 15 min on site
    every 2 h. A phase leaves the road out before it and the dwell and road back after it, so
    phases lie in [10, 95]; two stops of a beat lie 20 min apart. On whole check steps of 15 min
    they lie 30 apart (15, 45, 75): three stops, two beats. On 5 min (10, 30, 50, 70) one beat
    holds all four. The log says when phases are coarser than the grid, and what to set."""
    hotspots = ("HA", "HB", "HC", "HD")
    sc = make_scenario([("A", 4, "X")], [(h, "ZA") for h in hotspots], [("ZA", "staggered", ["A"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True, "check_minutes": check})
    rows = [(h, "", "mon", "08:00", "16:00", 1, "visit", 15, 120) for h in hotspots]
    result, tr, _, sc = solve_visits(sc, rows, out=10, hop=5)
    plan = result.summary["stats"]["column_generation"]["beat_plan"]
    assert plan["beats"] == n_beats and plan["phase_minutes"] == check
    assert result.summary["team_hours"] == 8 * n_beats
    assert _broken(result, sc, tr) == []
    hint = [line for line in result.log if "visits.check_minutes: 5 can let beats hold more stops where legs are short" in line]
    assert len(hint) == (check > 5)


def _four_stops(visits: dict):
    hotspots = ("HA", "HB", "HC", "HD")
    sc = make_scenario([("A", 4, "X")], [(h, "ZA") for h in hotspots], [("ZA", "staggered", ["A"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True, **visits})
    return sc, [(h, "", "mon", "08:00", "16:00", 1, "visit", 15, 120) for h in hotspots]


@pytest.mark.parametrize("too_large", [True, False])
def test_unset_the_check_step_of_a_week_too_large_for_column_generation_is_the_grid(monkeypatch, too_large):
    """The four stops above with visits.check_minutes unset. Where the week's master is too
    large for column generation (pricing.MASTER_MAX_ROWS, lowered here), it is planned from
    beats, and the window rows go on the 5-min grid: one beat holds all four stops, 8
    team-hours, and the log says why the rows are finer. Where column generation is tried the
    rows stay on 15 min (CHECK_MINUTES): it plans the week itself or from beats on 15-min
    phases, two beats, and the log names the setting."""
    from patrolplan.inputs.config import CHECK_MINUTES
    from patrolplan.model import pricing
    from patrolplan.model.rules.visits import check_step

    sc, rows = _four_stops({})
    assert sc.config.visits.check_minutes is None and sc.config.visits.check == CHECK_MINUTES == 15
    if too_large:
        monkeypatch.setattr(pricing, "MASTER_MAX_ROWS", 0)
    else:
        monkeypatch.setattr("patrolplan.solver.colgen._optimal", lambda h: False)  # (no_master)
    result, tr, p, sc = solve_visits(sc, rows, out=10, hop=5)
    assert check_step(p.config, 120) == 15  # the Problem given: the solve makes its own on the grid
    plan = result.summary["stats"]["column_generation"]["beat_plan"]
    on_grid = [line for line in result.log if line.startswith("visits.check_minutes unset: the window rows")]
    assert (plan["beats"], plan["phase_minutes"], len(on_grid)) == ((1, 5, 1) if too_large else (2, 15, 0))
    assert result.summary["team_hours"] == 8 * plan["beats"]
    assert _broken(result, sc, tr) == []


@pytest.mark.parametrize("proven_none", [False, True])
def test_a_first_beat_plan_not_found_in_its_time_box_is_sought_to_its_first_plan(no_master, monkeypatch, proven_none):
    """CP-SAT's first beat plan gets at most BEAT_MAX_S (10 s); on the province's 5-min grid it
    takes about 40. Where the box ran out without a plan, CP-SAT runs again, stopping at its first
    plan, in the rest of its share of the time, and the week is planned from beats; where the
    design ended early without one (nothing to find), it does not run again."""
    import time

    from patrolplan.solver import solve as solve_module

    real, calls = beat_design.design, []

    def slow(p, **kw):
        calls.append(kw.get("first_only", False))
        if len(calls) == 1:  # the first call: out of its box (or, proven_none, early) with no plan
            time.sleep(0 if proven_none else kw["time_limit_s"])
            return None
        return real(p, **kw)

    monkeypatch.setattr(solve_module, "BEAT_MAX_S", 0.2)
    monkeypatch.setattr(solve_module.beat_design, "design", slow)
    result, tr, _, sc = solve_visits(_two_stations(), DAY, out=10, hop=10, time_limit_s=30)
    cg = result.summary["stats"]["column_generation"]
    if proven_none:
        assert calls == [False] and cg["fallback"] == "enumerated loops"
        return
    assert calls[:2] == [False, True] and cg["fallback"] == "beat plan" and cg["beat_plan"]["beats"] == 2
    assert _broken(result, sc, tr) == []


def test_a_check_step_set_stays_in_a_week_too_large_for_column_generation(monkeypatch):
    """visits.check_minutes: 15 given in the config is kept where the week is planned from
    beats (two beats on quarter-hour phases, as above); nothing moves the rows."""
    from patrolplan.model import pricing

    monkeypatch.setattr(pricing, "MASTER_MAX_ROWS", 0)
    sc, rows = _four_stops({"check_minutes": 15})
    result, tr, _, sc = solve_visits(sc, rows, out=10, hop=5)
    plan = result.summary["stats"]["column_generation"]["beat_plan"]
    assert (plan["beats"], plan["phase_minutes"]) == (2, 15)
    assert not any(line.startswith("visits.check_minutes unset") for line in result.log)
    assert _broken(result, sc, tr) == []


@pytest.mark.parametrize("busy, most", [((), 2), (((0, 0, -600, 500),), 1), (((0, 0, -600, 480),), 2),
                                         (((0, 0, -600, 500), (0, 1, 300, 700)), 0), (((1, 0, -600, 500),), 2),
                                         (((0, 0, -600, 500), (0, 1, 0, 600), (0, 2, 0, 600)), 0)])
def test_last_weeks_busy_teams_count_against_a_stations_beats(busy, most):
    """solve --previous: last week's teams busy into this week (a night shift and its rest) take
    teams from the beats a station can run. A has two teams and the week one 8-hour frame from
    08:00 (480): a team of A busy until 08:20 leaves one beat; busy until 08:00, two; both
    busy at 08:00, none; B's busy team takes none of A's. More busy than today's teams (the
    availability table took one away) is still none, not fewer."""
    from patrolplan.model.rules.published import Published

    p = _problem(_two_stations(), DAY).replace(published=Published(busy=busy))
    shifts = beats.frames(p, 120)
    assert shifts == ((480, 480),)
    assert beats.applicable(p) is None  # a roll-over is planned anew
    assert beats._max_beats(p, 0, shifts) == most


def test_a_roll_over_week_is_planned_from_beats_with_the_teams_last_week_left(no_master):
    """A week rolled on from last week (solve --previous: busy teams, no kept rows) is planned
    from beats where column generation cannot plan it; before, it fell back to the enumerated
    loops ("a re-plan keeps published loops", with none to keep). Team A-T01 rests until
    08:20 after last week's night, so A's beat goes to A-T02."""
    from patrolplan.model.rules.published import Published
    from patrolplan.solver.solve import SolveParams, solve

    sc = _two_stations().replace(demand=pd.DataFrame(DAY, columns=VISIT_COLUMNS))
    p = _problem(_two_stations(), DAY).replace(published=Published(busy=((0, 0, -600, 500),)))
    result = solve(p, SolveParams.from_config(sc.config))
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "beat plan" and cg["beat_plan"]["beats"] == 2
    assert set(result.roster.loc[result.roster["station_id"] == "A", "team_id"]) == {"A-T02"}


@pytest.mark.parametrize("start, planned", [("08:00", True), ("09:00", False)])
def test_visit_hours_off_the_check_step_get_no_beat_plan_and_say_why(no_master, start, planned):
    """With a check step of 40 min, beats' phases are multiples of 40 from the shift start
    (08:00 = 480 min); visit hours from 09:00 (540, not a multiple of 40) ask for windows that
    hold no such phase. The week says so and falls back to the enumerated loops (before, the
    log blamed manpower and rest); from 08:00 it is planned from beats."""
    sc = make_scenario([("A", 4, "X")], [("HA", "ZA"), ("HB", "ZA")], [("ZA", "staggered", ["A"])],
                       rules={"shift_hours": [8]}, visits={"rendezvous": True, "check_minutes": 40})
    end = "16:00" if start == "08:00" else "17:00"
    rows = [("HA", "", "mon", start, end, 1, "visit", 15, 120), ("HB", "", "mon", start, end, 1, "visit", 15, 240)]
    result, tr, p, sc = solve_visits(sc, rows, out=10, hop=10)
    cg = result.summary["stats"]["column_generation"]
    assert _broken(result, sc, tr) == []
    if planned:
        assert beats.applicable(p) is None and cg["fallback"] == "beat plan"
        return
    why = "visit hours start off the check step (40 min), where the window rows hold no phase of a beat"
    assert beats.applicable(p) == why
    assert f"beat plan: none ({why})" in result.log and cg["fallback"] == "enumerated loops"


# --- re-plans of a week planned from beats --------------------------------------------------

#: visits at HA and HJ on Monday night and evening: 15 min at least every 2 h, 00:00-08:00 and
#: 16:00-24:00 (two 8-hour beat shifts a day, no visit hours between them)
NIGHTS = [(h, "", "mon", a, b, 1, "visit", 15, 120) for h in ("HA", "HJ") for a, b in (("00:00", "08:00"),
                                                                                     ("16:00", "24:00"))]
#: the same hotspots all Monday
ALL_DAY = [(h, "", "mon", "00:00", "24:00", 1, "visit", 15, 120) for h in ("HA", "HJ")]


def _three_stations(availability=None):
    """Stations A, B, C of three counties; HA in A's and B's staggered zone, HJ in a
    synchronized zone of all three; 6 officers (three teams) each; 8-hour shifts."""
    return make_scenario([("A", 6, "X"), ("B", 6, "Y"), ("C", 6, "Z")], [("HA", "ZA"), ("HJ", "ZJ")],
                         [("ZA", "staggered", ["A", "B"]), ("ZJ", "synchronized", ["A", "B", "C"])],
                         rules={"shift_hours": [8]}, visits={"rendezvous": True}, availability=availability)


def _roads(ha=(10, 12, 10), hj=(10, 10, 20)):
    """Road minutes (both ways) from A, B, C to HA and to HJ; 10 min between the hotspots."""
    from patrolplan.inputs.network import Travel

    out = np.array(list(zip(ha, hj)), dtype=np.int64)
    return Travel(("A", "B", "C"), ("HA", "HJ"), out, out.T.copy(), np.array([[0, 10], [10, 0]], dtype=np.int64))


def _week(sc, rows, tr) -> Problem:
    from patrolplan.inputs.demand import expand_demand, expand_visits

    return Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(sc),
                               visits=expand_visits(sc), hop_min=tr.hop_min)


def _solved(p, sc):
    from dataclasses import replace as with_

    from patrolplan.solver.solve import SolveParams, solve

    return solve(p, with_(SolveParams.from_config(sc.config), gap_tolerance_pct=0.0))


def _replanned(first, rows, tr, at_text: str, folder, *, availability=None):
    """``first`` published in ``folder`` (roster.csv and visits.csv, as a run folder has them),
    then re-planned from ``at_text`` against the same week with ``availability``: the re-plan's
    result (with its changes), its Problem and the checker's report (history kept included)."""
    import datetime as dt
    import json

    from patrolplan.replan import finish_replan, read_published
    from patrolplan.weeks import published_for, read_published_visits

    folder.mkdir()
    first.roster.to_csv(folder / "roster.csv", index=False)
    first.visits.to_csv(folder / "visits.csv", index=False)
    (folder / "summary.json").write_text(json.dumps({"status": first.status}), encoding="utf-8")
    sc = _three_stations(availability).replace(demand=pd.DataFrame(rows, columns=VISIT_COLUMNS))
    at = dt.datetime.fromisoformat(at_text)
    table = read_published(folder, scenario=sc, at=at)
    p = _week(sc, rows, tr)
    p = p.with_published(published_for(p, table, at, source="roster.csv", visits=read_published_visits(folder)))
    result = finish_replan(p, _solved(p, sc), (folder, table, at))
    old = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False)
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits, published=old, at=at)
    return result, p, report


def test_a_replan_of_a_beat_week_keeps_the_published_beats_and_changes_the_fewest(no_master, tmp_path):
    """By hand. The published week: A's beat holds HA and HJ, B's meets it at HJ (of the two
    plans of two beats the one of fewest road minutes: B is 12 min from HA, A 10), in the night
    and the evening shift. Re-planned from Monday 10:00 with A's officers gone: the evening's
    HA can go to B alone (ZA's other member) and HJ's meetings to B and C. B rests one team
    after the night, so two of its three are free: it keeps its published beat (HJ) and drives
    a new one (HA), C a new one (HJ) on B's phase: 3 changed shifts (A's removed, two added).
    The fewer beats (B's one beat holding both, C's) would change 4. Before, a re-plan of a
    week too large for column generation fell back to the enumerated loops, which cannot keep
    the published rendezvous loops: no plan, and a false "history gap"."""
    sc = _three_stations().replace(demand=pd.DataFrame(NIGHTS, columns=VISIT_COLUMNS))
    tr = _roads()
    first = _solved(_week(sc, NIGHTS, tr), sc)
    plan = first.summary["stats"]["column_generation"]["beat_plan"]
    assert first.status in ("optimal", "feasible") and plan["beats"] == 2 and plan["shifts_per_beat"] == 2
    holds = {s: {frozenset(x.split(";")) for x in g["loop_hotspots"]} for s, g in first.roster.groupby("station_id")}
    assert holds == {"A": {frozenset({"HA", "HJ"})}, "B": {frozenset({"HJ"})}}

    result, p, report = _replanned(first, NIGHTS, tr, "2026-11-30T10:00", tmp_path / "published",
                                   availability=[("A", "2026-11-30", 0)])
    assert report.ok, report.violations
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "beat plan" and cg["beat_plan"]["beats"] == 3 and cg["beat_plan"]["least_beats"] is None
    assert cg["beat_plan"]["shifts_per_beat"] == 1  # the evening: the night is history
    evening = result.roster[result.roster["start"] >= "2026-11-30T16:00"]
    assert sorted(evening["station_id"] + ":" + evening["loop_hotspots"]) == ["B:HA", "B:HJ", "C:HJ"]
    assert result.summary["replan"]["changed_shifts"] == 3
    b_hj = evening[(evening["station_id"] == "B") & (evening["loop_hotspots"] == "HJ")]["shift_id"].tolist()
    assert b_hj and set(b_hj) <= set(first.roster["shift_id"])  # B's evening beat kept as published


def test_a_replans_set_design_starts_from_its_first_plan(no_master, tmp_path):
    """The design's search of a re-plan (solve._improved) runs the set design again from the
    first plan: the start holds the published beat kept (a column of its own, by its phases)
    and the new ones, at the first plan's objective. Before, the published beat's column was
    looked up by the key of beats alike but for their phases, so the search started from
    nothing."""
    from patrolplan.model.pricing import station_nets

    sc = _three_stations().replace(demand=pd.DataFrame(NIGHTS, columns=VISIT_COLUMNS))
    tr = _roads()
    first = _solved(_week(sc, NIGHTS, tr), sc)
    _, p, _ = _replanned(first, NIGHTS, tr, "2026-11-30T10:00", tmp_path / "published",
                         availability=[("A", "2026-11-30", 0)])
    plan = beat_design.design(p, time_limit_s=10)
    assert isinstance(plan, beats.BeatPlan) and plan.n_beats == 3
    bm = beats._BeatModel(p)
    nets = station_nets(p)
    for net in nets:
        bm.add_station(net)
    assert not bm.add_hotspots()
    assert any(bm.changed(s, b) < 0 for s, bs in plan.beats.items() for b in bs)  # B's published beat is kept
    sm = beats.set_model(bm, nets, plan)
    assert sm.start is not None
    assert sm.model.objective(sm.start) == pytest.approx(plan.objective)
    assert sm.beats(sm.start) == plan.beats


def test_a_replan_mid_visit_hours_goes_on_where_history_leaves_off(no_master, tmp_path):
    """Visits all Monday, re-planned from 10:00: the day shift (08:00-16:00) is history, so the
    evening's first visits must come within the interval of its last, and the station that left
    (the one of the two holding HJ that the availability table takes away) is replaced by the
    third on the same minutes (its one team not resting after the night and the day): HJ's
    meetings go on at the minute they kept all day, the kept partner's beat unchanged; one
    shift changed (changes.csv: the evening's HJ beat moved to the third station)."""
    sc = _three_stations().replace(demand=pd.DataFrame(ALL_DAY, columns=VISIT_COLUMNS))
    tr = _roads(ha=(10, 10, 10), hj=(10, 10, 10))
    first = _solved(_week(sc, ALL_DAY, tr), sc)
    assert first.summary["stats"]["column_generation"]["beat_plan"]["beats"] == 2
    published = first.roster[(first.roster["start"] >= "2026-11-30T16:00") & (first.roster["loop_hotspots"] == "HJ")]
    gone = published["station_id"].iloc[0]  # the evening's lone HJ beat (turns may move beats between shifts)
    result, p, report = _replanned(first, ALL_DAY, tr, "2026-11-30T10:00", tmp_path / "published",
                                   availability=[(gone, "2026-11-30", 0)])
    assert report.ok, report.violations
    assert result.summary["stats"]["column_generation"]["fallback"] == "beat plan"
    assert result.summary["replan"]["changes"] == {"moved": 1}
    evening = result.roster[result.roster["start"] >= "2026-11-30T16:00"]
    assert gone not in set(evening["station_id"])
    visits = result.visits.merge(result.roster[["shift_id", "station_id"]], on="shift_id")
    at_hj = visits[visits["hotspot_id"] == "HJ"]
    minutes = {pd.Timestamp(t).hour * 60 + pd.Timestamp(t).minute for t in at_hj["arrive"]}
    assert len({m % 120 for m in minutes}) == 1  # one phase all day: the meetings go on where they were


def test_a_replan_counts_history_against_a_stations_beats():
    """A station's beats after the cut: its history rows keep their teams resting (a night
    shift from 00:00 rests until 20:00), and count against its shift cap."""
    from patrolplan.model.rules.published import Published, PublishedShift

    sc = _three_stations().replace(demand=pd.DataFrame(ALL_DAY, columns=VISIT_COLUMNS))
    p = _week(sc, ALL_DAY, _roads())
    shifts = beats.frames(p, 120)
    assert shifts == ((0, 480), (480, 480), (960, 480))
    after = beats.replan_frames(shifts, 600)
    assert after == ((960, 480),)
    assert beats._max_beats(p.replace(published=Published(cut_min=600)), 0, after) == 3

    def row(n, start):
        return PublishedShift(n, f"SH{n}", 0, n - 1, 0, (0,), start, 480, 10, 10)

    kept = Published(cut_min=600, fixed=(row(1, 0), row(2, 480)))
    assert beats._max_beats(p.replace(published=kept), 0, after) == 1


def test_a_replan_the_enumerated_loops_cannot_keep_says_so_and_blames_no_history(no_master, tmp_path, monkeypatch):
    """Where no beat plan applies to a re-plan of a rendezvous week (forced here), it falls back
    to the enumerated loops, which keep a joint visit as one shared loop: the kept rendezvous
    loops meet nobody there. The explanation says so, and reports no history gap: the kept rows
    meet at HJ and visit HA within the interval all night (judged by the rendezvous rows, with
    their meetings), where before it called every joint visit hour of the night short."""
    from patrolplan.solver import solve as solve_module

    sc = _three_stations().replace(demand=pd.DataFrame(NIGHTS, columns=VISIT_COLUMNS))
    tr = _roads()
    first = _solved(_week(sc, NIGHTS, tr), sc)
    monkeypatch.setattr(solve_module.beats, "applicable", lambda p: "forced off")
    result, p, report = _replanned(first, NIGHTS, tr, "2026-11-30T10:00", tmp_path / "published",
                                   availability=[("A", "2026-11-30", 0)])
    assert result.summary["stats"]["column_generation"]["fallback"] == "enumerated loops"
    assert result.status not in ("optimal", "feasible")
    assert result.summary["replan"]["history_gaps"] == []
    assert "planned with the enumerated loops, not by rendezvous (beat plan: none (forced off))" in result.explanation
    assert "The gap lies in history" not in result.explanation


def test_a_replan_no_beat_plan_can_keep_says_which_hotspot(no_master, tmp_path):
    """With A and B, the only members of HA's zone, both gone from the cut, no beat plan exists
    (nor any roster): the log names HA, and HJ, whose joint visits have C alone left, as the
    hotspots no station can hold after the cut, where it said "none found (a hotspot no station
    can hold on a beat, or no plan in time)"."""
    sc = _three_stations().replace(demand=pd.DataFrame(NIGHTS, columns=VISIT_COLUMNS))
    tr = _roads()
    first = _solved(_week(sc, NIGHTS, tr), sc)
    result, p, report = _replanned(first, NIGHTS, tr, "2026-11-30T10:00", tmp_path / "published",
                                   availability=[("A", "2026-11-30", 0), ("B", "2026-11-30", 0)])
    assert result.status not in ("optimal", "feasible")
    assert ("beat plan: none (no station can hold hotspot HA (and 1 more: HJ) on a beat, for their roads, zones and "
            "teams left after the cut; at the joint one (HJ) no two partner stations)") in result.log


def test_a_replan_after_the_last_beat_shift_started_keeps_the_week_as_published(no_master, tmp_path):
    """Re-planned from 17:00, after the evening shift (16:00) started: no beat shift starts
    after the cut, so the beat plan is empty and history keeps every window; the roster is the
    published one, unchanged (before, the empty plan's shift length crashed the re-plan)."""
    sc = _three_stations().replace(demand=pd.DataFrame(NIGHTS, columns=VISIT_COLUMNS))
    tr = _roads()
    first = _solved(_week(sc, NIGHTS, tr), sc)
    result, p, report = _replanned(first, NIGHTS, tr, "2026-11-30T17:00", tmp_path / "published",
                                   availability=[("A", "2026-11-30", 0)])
    assert report.ok, report.violations
    plan = result.summary["stats"]["column_generation"]["beat_plan"]
    assert (plan["beats"], plan["shifts_per_beat"], plan["shift_minutes"]) == (0, 0, 0)
    assert result.summary["replan"]["changed_shifts"] == 0 and len(result.roster) == len(first.roster)


def test_a_day_s_available_teams_count_as_the_availability_rule_counts_them():
    """Three 8-hour beat shifts a day with 8 hours' rest: one team can start the night's and the
    evening's (16 hours apart), so two teams keep a beat in all three (before: two teams for
    three shifts, none); with 12 hours' rest every shift needs a team of its own."""
    def most(rest_h: int, officers: int) -> int:
        sc = make_scenario([("A", 6, "X"), ("B", 6, "Y"), ("C", 6, "Z")], [("HA", "ZA"), ("HJ", "ZJ")],
                           [("ZA", "staggered", ["A", "B"]), ("ZJ", "synchronized", ["A", "B", "C"])],
                           rules={"shift_hours": [8], "min_rest_hours": rest_h}, visits={"rendezvous": True},
                           availability=[("A", "2026-11-30", officers)])
        p = _week(sc.replace(demand=pd.DataFrame(ALL_DAY, columns=VISIT_COLUMNS)), ALL_DAY, _roads())
        return beats._max_beats(p, 0, beats.frames(p, 120))

    assert [most(8, 2), most(8, 4), most(12, 4), most(12, 6)] == [0, 1, 0, 1]
