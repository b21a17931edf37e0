"""The pinned rows of a re-plan against the new inputs: each rule a pinned row breaks, in the
words the re-plan prints (``patrolplan replan`` refuses the published roster with them).

One hand-sized week where nine pinned or history rows break, between them, every rule a pinned
row is held to (member, shift length, start grid, travel, team count, rest, overlap, max
shifts, availability); the messages are asserted whole.
"""

from __future__ import annotations

import pytest

from builders import demand_matrix, make_scenario, travel, with_demand
from patrolplan import weeks
from patrolplan.model.problem import Problem
from patrolplan.model.rules.published import PublishedShift

SOURCE = "pub/roster.csv"
CUT = 120


def _problem(**rules):
    sc = make_scenario([("A", 4, "X"), ("B", 2, "Y"), ("C", 2, "X")], [("H1", "Z1"), ("H2", "Z2")],
                       [("Z1", "staggered", ["A", "B"]), ("Z2", "staggered", ["C"])], horizon_days=2,
                       rules={"max_shifts_per_team": 2, **rules}, availability=[("A", "2026-12-01", 2)])
    sc = with_demand(sc, {"H1": [(0, 48, 1)], "H2": [(0, 48, 1)]})
    tr = travel(sc, 10)
    return Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=demand_matrix(sc))


def _row(n, s, k, h, start, length, *, out=10, back=10, pinned=True) -> PublishedShift:
    return PublishedShift(row=n, shift_id=f"S{n}", station=s, team=k, hotspot=h, loop=(), start_min=start,
                          len_min=length, out_min=out, back_min=back, pinned=pinned)


#: stations A (two teams), B (one team), C (not a member of Z1); hotspot H1 in Z1
BROKEN = [
    _row(1, 2, 0, 0, 480, 240),  # member: C at H1
    _row(2, 0, 0, 0, 0, 300),  # shift_length
    _row(3, 0, 0, 0, 360, 240),  # rest: 60 min after S2
    _row(4, 0, 0, 0, 500, 240, pinned=False),  # history, overlapping S3
    _row(5, 0, 1, 0, 30, 240),  # start_grid
    _row(6, 1, 0, 0, 0, 240, out=0),  # travel
    _row(7, 1, 1, 0, 1440, 240),  # team_count: B has one team
    _row(8, 0, 1, 0, 1440, 240),  # availability: A may start one team on day 2 ...
    _row(9, 0, 0, 0, 1500, 240),  # ... and starts two; A-T01 keeps 4 rows (max_shifts 2)
]

_FRAME = ("pub/roster.csv: row {n} (shift_id 'S{n}'), column 'pinned': the pinned shift breaks the rule '{rule}' "
          "against the new inputs: {what}")
EXPECTED = [
    _FRAME.format(n=1, rule="member", what="station C is not a member of zone Z1 of hotspot H1 — unpin the row or "
                  "move it to a member station"),
    _FRAME.format(n=2, rule="shift_length", what="it lasts 300 minutes, allowed are [240, 480] — unpin the row or "
                  "give it an allowed length"),
    _FRAME.format(n=5, rule="start_grid", what="its start is not on the 60-minute shift grid — unpin the row or "
                  "start it on the grid"),
    _FRAME.format(n=6, rule="travel", what="the road takes 9 min out and 9 min back, the row plans 0 and 10 — "
                  "unpin the row or give it the travel time"),
    _FRAME.format(n=7, rule="team_count", what="station B has 1 teams now, the row names team 2 — unpin the row or "
                  "give it one of the station's teams"),
    _FRAME.format(n=3, rule="rest", what="only 60 minutes of rest next to shift S2 of the same team, at least 720 "
                  "needed — unpin the row or move it"),
    _FRAME.format(n=3, rule="overlap", what="it overlaps shift S4 of the same team — unpin one of them or move it"),
    _FRAME.format(n=2, rule="max_shifts", what="team A-T01 keeps 4 rows, at most 2 allowed — unpin a row of the "
                  "team"),
    _FRAME.format(n=8, rule="availability", what="station A may start 1 team(s) on day 2 of the week, its pinned "
                  "rows start 2 — unpin rows of that day or raise the availability"),
]


def test_every_rule_a_pinned_row_breaks_is_named_in_the_replan_words():
    assert weeks._pinned_rule_problems(_problem(), BROKEN, CUT, SOURCE) == EXPECTED


def test_rows_that_keep_the_rules_pass():
    ok = [_row(1, 0, 0, 0, 480, 240), _row(2, 0, 0, 0, 1440, 480), _row(3, 1, 0, 0, 1440 + 600, 240),
          _row(4, 0, 1, 0, 0, 240, pinned=False)]
    assert weeks._pinned_rule_problems(_problem(), ok, CUT, SOURCE) == []


def test_history_rows_alone_are_never_judged():
    history = [r if r.row == 4 else PublishedShift(**{**r.__dict__, "pinned": False}) for r in BROKEN]
    assert weeks._pinned_rule_problems(_problem(), history, CUT, SOURCE) == []


@pytest.mark.parametrize("cut", [0, 1440 + 60])
def test_availability_binds_pinned_rows_after_the_cut_only(cut):
    rows = [BROKEN[7], BROKEN[8]]
    got = weeks._pinned_rule_problems(_problem(), rows, cut, SOURCE)
    assert [("'availability'" in m) for m in got] == ([True] if cut == 0 else [])


# --- each rule in its family -------------------------------------------------------------------

from patrolplan.model import rules  # noqa: E402

#: family -> the rules its pinned_problems judges
PINNED_RULES = {
    "shifts": {"member", "shift_length", "start_grid", "travel"},
    "capacity": {"team_count", "overlap", "rest"},
    "max_shifts": {"max_shifts"},
    "availability": {"availability"},
}


def test_the_families_that_judge_pinned_rows_are_the_row_rules():
    assert {f.NAME for f in rules.FAMILIES if hasattr(f, "pinned_problems")} == set(PINNED_RULES)


@pytest.mark.parametrize("name", sorted(PINNED_RULES))
def test_each_family_names_its_own_rules_only(name):
    got = rules.by_name(name).pinned_problems(_problem(), BROKEN, CUT)
    assert {b.rule for b in got} == PINNED_RULES[name]
    assert [b.message(SOURCE) for b in got] == [m for m in EXPECTED if any(f"rule '{r}'" in m
                                                                          for r in PINNED_RULES[name])]


def test_rest_is_measured_from_the_kept_row_that_keeps_the_team_longest():
    """History: a long shift and a short one inside it (they happened); a pinned row after the
    short one rests long enough after it, but not after the long one."""
    rows = [_row(1, 0, 0, 0, 0, 480, pinned=False), _row(2, 0, 0, 0, 60, 240, pinned=False),
            _row(3, 0, 0, 0, 480 + 600, 240)]
    got = rules.capacity.pinned_problems(_problem(max_shifts_per_team=5), rows, CUT)
    assert [(b.rule, b.row.shift_id) for b in got] == [("rest", "S3")]
    assert "only 600 minutes of rest next to shift S1" in got[0].what


def test_the_shift_cap_and_availability_come_from_their_families():
    p = _problem()
    assert rules.max_shifts.team_cap(p) == 2 and rules.max_shifts.station_cap(p, 0) == 4
    assert rules.availability.station_days(p, 0) == {1: 1} and rules.availability.station_days(p, 1) == {}
    assert rules.availability.day_of(1439) == 0 and rules.availability.day_of(1440) == 1


def test_a_pinned_loop_drives_back_from_its_last_visit_not_its_list_of_stops():
    """A loop that repeats its cycle (a beat: H1, H2, H1, H2, H1) ends at another stop than the
    last of its list of stops (H1, H2): its way back is from its last visit, as the checker
    measures it. H2 is 30 min from A, H1 10: the row's 10 min back is no breach (before, the
    re-plan refused it against H2's 30, though ``patrolplan check`` passed the roster)."""
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1"), ("H2", "Z1")], [("Z1", "staggered", ["A"])])
    sc = with_demand(sc, {"H1": [(0, 24, 1)], "H2": [(0, 24, 1)]})
    tr = travel(sc, {("A", "H1"): 10, ("A", "H2"): 30})
    p = Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=demand_matrix(sc))
    visits = ((0, 20), (1, 60), (0, 140), (1, 180), (0, 260))
    row = PublishedShift(row=1, shift_id="S1", station=0, team=0, hotspot=0, loop=(0, 1), start_min=0, len_min=480,
                         out_min=10, back_min=10, pinned=True, visits=visits)
    assert weeks._pinned_rule_problems(p, [row], CUT, SOURCE) == []
    ends_at_h2 = PublishedShift(row=1, shift_id="S1", station=0, team=0, hotspot=0, loop=(0, 1), start_min=0,
                                len_min=480, out_min=10, back_min=10, pinned=True, visits=visits[:4])
    assert [m.split("'")[5] for m in weeks._pinned_rule_problems(p, [ends_at_h2], CUT, SOURCE)] == ["travel"]
