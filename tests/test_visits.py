"""Visit loops (点、线、面): demand rows with presence 'visit', loop columns, visits.csv, and the
independent checker's visit rules, on hand-sized weeks."""

from __future__ import annotations

import pandas as pd
import pytest

from builders import VISIT_COLUMNS, make_scenario, solve_visits
from patrolplan.check import check_roster
from patrolplan.errors import DataError
from patrolplan.inputs.validate import validate_demand

NIGHT = ("", "Z1", "mon-sun", "20:00", "04:00", 1, "visit", 15, 120)


def _three_hotspots(mode="staggered", counties=("X", "X"), **config):
    return make_scenario([("A", 4, counties[0]), ("B", 4, counties[1])],
                         [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")], [("Z1", mode, ["A", "B"])],
                         horizon_days=2, **config)


def _violations(result, sc, tr, visits=None):
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits if visits is None else visits)
    return [(v.rule, v.message) for v in report.violations]


def test_a_night_of_visits_is_one_loop_per_night_and_the_checker_accepts_it():
    result, tr, p, sc = solve_visits(_three_hotspots(), [NIGHT])
    assert result.status == "optimal"
    assert _violations(result, sc, tr) == []
    assert set(result.roster["loop_hotspots"]) == {"H1;H2;H3"}  # one loop serves all three
    assert (result.roster["loop_id"] != "").all()
    # posts for the same three hotspots all night would take three teams; the loop takes one
    v = result.summary["visits"]
    assert v["loop_team_hours"] <= v["as_posts_team_hours"] / 2
    # every visit lasts the dwell and the interval holds at every hotspot
    arrive = pd.to_datetime(result.visits["arrive"])
    depart = pd.to_datetime(result.visits["depart"])
    assert ((depart - arrive).dt.total_seconds() == 15 * 60).all()
    for _, g in result.visits.groupby("hotspot_id"):
        gaps = pd.to_datetime(g["arrive"]).sort_values().diff().dropna().dt.total_seconds() / 60
        within_a_night = gaps[gaps < 10 * 60]  # the day's hours between nights ask for none
        assert len(within_a_night) and (within_a_night <= 120).all()


def test_coverage_gets_a_row_per_visit_slot_with_its_longest_wait():
    result, *_ = solve_visits(_three_hotspots(), [NIGHT])
    rows = result.coverage[result.coverage["presence"] == "visit"]
    assert len(rows) == 3 * 16  # three hotspots, 8 night hours in each of two nights (day before included)
    assert not rows["gap"].any()
    assert rows["longest_wait_min"].max() <= 120


def test_a_loop_too_long_for_the_interval_is_not_a_loop():
    """Road 50 min between hotspots: a cycle of three stops takes 3 x 15 + 3 x 50 > 120 min, so
    no loop joins them; each hotspot needs its own (a team staying on site)."""
    result, tr, p, sc = solve_visits(_three_hotspots(), [NIGHT], hop=50)
    assert result.status == "optimal"
    assert _violations(result, sc, tr) == []
    assert all(len(h) == 1 for h in p.loop_hotspots)
    assert set(result.roster["loop_hotspots"]) == {"H1", "H2", "H3"}


def test_joint_visits_in_a_synchronized_zone_take_two_jurisdictions():
    result, tr, p, sc = solve_visits(_three_hotspots("synchronized", ("X", "Y")), [NIGHT])
    assert result.status == "optimal"
    assert _violations(result, sc, tr) == []
    # every loop shift has its partner: same loop, same times, the other station
    for _, g in result.roster.groupby(["loop_id", "start"]):
        assert sorted(g["station_id"]) == ["A", "B"]
    # a joint visit with its partner dropped is caught
    lone = result.visits[result.visits["station_id"] != "B"]
    rules = {r for r, _ in _violations(result, sc, tr, visits=lone)}
    assert "visit_joint" in rules


def test_a_dwell_too_short_is_caught():
    result, tr, p, sc = solve_visits(_three_hotspots(), [NIGHT])
    v = result.visits.copy()
    v.loc[3, "depart"] = (pd.Timestamp(v.loc[3, "arrive"]) + pd.Timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    assert "visit_dwell" in {r for r, _ in _violations(result, sc, tr, visits=v)}


def test_hand_edited_visits_are_caught():
    result, tr, p, sc = solve_visits(_three_hotspots(), [NIGHT])
    moved = result.visits.copy()
    for col in ("arrive", "depart"):
        moved.loc[5, col] = (pd.Timestamp(moved.loc[5, col]) + pd.Timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    assert {r for r, _ in _violations(result, sc, tr, visits=moved)} & {"visit_shift", "visit_road"}
    dropped = result.visits.drop(index=range(9, 15))
    assert "visit_interval" in {r for r, _ in _violations(result, sc, tr, visits=dropped)}


def test_randomised_visits_vary_and_keep_the_interval():
    plain, *_ = solve_visits(_three_hotspots(), [NIGHT])
    result, tr, p, sc = solve_visits(_three_hotspots(visits={"randomize": True}), [NIGHT], hop=5)
    assert _violations(result, sc, tr) == []
    orders = result.visits.groupby("shift_id")["hotspot_id"].apply(lambda s: tuple(s))
    cycles = {o[i:i + 3] for o in orders for i in range(0, len(o) - 2, 3)}
    assert len(cycles) > 1  # the order changes from cycle to cycle
    assert result.summary["visits"]["randomize"] is True
    again, *_ = solve_visits(_three_hotspots(visits={"randomize": True}), [NIGHT], hop=5)
    pd.testing.assert_frame_equal(result.visits, again.visits)  # the same seed, the same plan
    assert not plain.summary["visits"]["randomize"]


def test_posts_and_visits_mix_in_one_week():
    rows = [NIGHT, ("H1", "", "mon-sun", "22:00", "02:00", 1, "post", "", "")]
    result, tr, p, sc = solve_visits(_three_hotspots(), rows)
    assert result.status == "optimal"
    assert _violations(result, sc, tr) == []
    assert (result.roster["loop_id"] == "").any() and (result.roster["loop_id"] != "").any()


def _demand_problems(rows):
    df = pd.DataFrame(rows, columns=VISIT_COLUMNS).astype(str)
    with pytest.raises(DataError) as err:
        validate_demand(df, source="demand.csv", hotspot_ids={"H1"}, zone_ids={"Z1"})
    return err.value.problems


@pytest.mark.parametrize("row, words", [
    (("H1", "", "mon", "20:00", "04:00", 1, "visit", 120, 120), ["dwell_min", "not below every_min"]),
    (("H1", "", "mon", "20:00", "04:00", 1, "visit", -5, 120), ["dwell_min", "positive"]),
    (("H1", "", "mon", "20:00", "04:00", 1, "visit", 15, 0), ["every_min", "positive"]),
    (("H1", "", "mon", "20:00", "04:00", 1, "post", 15, ""), ["dwell_min", "post row"]),
    (("H1", "", "mon", "20:00", "04:00", 2, "visit", 15, 120), ["teams", "per visit"]),
    (("H1", "", "mon", "20:00", "21:00", 1, "visit", 15, 120), ["every_min", "longer than the rule's hours"]),
    (("H1", "", "mon", "20:00", "04:00", 1, "patrol", "", ""), ["presence", "'patrol'"]),
])
def test_bad_visit_rows_are_input_errors_naming_the_row_and_column(row, words):
    problems = _demand_problems([row])
    assert len(problems) == 1
    assert "demand.csv: row 2" in problems[0]
    for w in words:
        assert w in problems[0]


def test_every_bad_visit_row_is_reported_at_once():
    problems = _demand_problems([("H1", "", "mon", "20:00", "04:00", 1, "visit", 120, 120),
                                 ("H1", "", "mon", "20:00", "04:00", 1, "visit", 15, 0)])
    assert [p.split(",")[0] for p in problems] == ["demand.csv: row 2", "demand.csv: row 3"]


def test_the_solver_side_rule_and_the_checker_agree_on_random_visit_times():
    from hypothesis import given, settings, strategies as st

    from patrolplan.check.rules import _unguarded
    from patrolplan.model.rules.visits import satisfied

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.integers(0, 600), max_size=8), st.integers(30, 200))
    def agree(starts, every):
        a, b = 0, 600
        ok_model = satisfied(starts, every, a, b)
        ok_check = _unguarded([(s, s) for s in starts], a, b, every) is None
        assert ok_model == ok_check, (starts, every)

    agree()


def test_the_checker_is_what_catches_a_week_without_loops(monkeypatch):
    from patrolplan.check import rules as check_rules
    from patrolplan.model.rules import visits

    monkeypatch.setattr(visits, "add_rows", lambda *a, **k: None)
    result, tr, p, sc = solve_visits(_three_hotspots(), [NIGHT])
    assert "visit_interval" in {r for r, _ in _violations(result, sc, tr)}
    monkeypatch.setitem(check_rules.FAMILY_CHECKS, "visits", lambda facts: [])
    assert _violations(result, sc, tr) == []
