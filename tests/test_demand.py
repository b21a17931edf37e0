"""Demand rules -> teams per hotspot and slot (demand.py), following the contract exactly."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrolplan.inputs.demand import DaySpec, clock_minutes, expand_demand, parse_days, slot_starts
from patrolplan.errors import DataError
from patrolplan.inputs.io import load_scenario

MON = dt.date(2026, 11, 30)  # the tiny fixture's week_start, a Monday


# --- days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, weekdays",
    [
        ("mon-sun", {0, 1, 2, 3, 4, 5, 6}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("fri-mon", {4, 5, 6, 0}),
        ("sun-sun", {6}),
        ("sat,sun", {5, 6}),
        (" Sat , SUN ", {5, 6}),
        ("fri", {4}),
        ("Thursday", {3}),
        ("thurs", {3}),
        ("tue,fri-sat", {1, 4, 5}),
    ],
)
def test_parse_days_weekdays(spec, weekdays):
    assert parse_days(spec) == DaySpec(frozenset(weekdays), frozenset())


def test_parse_days_iso_dates_and_mixes():
    days = parse_days("2026-12-24, sat,2026-12-31")
    assert days.weekdays == {5}
    assert days.dates == {dt.date(2026, 12, 24), dt.date(2026, 12, 31)}
    assert days.matches(dt.date(2026, 12, 24)) and days.matches(dt.date(2026, 12, 5))
    assert not days.matches(dt.date(2026, 12, 25))


@pytest.mark.parametrize("spec", ["", "weekdays", "mo", "mon-", "mon-sun-tue", "mon,,tue", "2026-02-30", "2026/12/24"])
def test_parse_days_rejects(spec):
    with pytest.raises(DataError) as info:
        parse_days(spec, source="demand.csv", row=7)
    assert str(info.value).startswith("demand.csv: row 7, column 'days':")
    assert "mon-sun" in str(info.value)


@pytest.mark.parametrize(
    "text, end, minutes",
    [("00:00", False, 0), ("8:05", False, 485), ("23:59", False, 1439), ("24:00", True, 1440), ("02:00:00", True, 120)],
)
def test_clock_minutes(text, end, minutes):
    assert clock_minutes(text, end=end) == minutes


@pytest.mark.parametrize("text, end", [("24:00", False), ("24:01", True), ("12:60", False), ("8pm", False), ("", True), ("08:00:30", False)])
def test_clock_minutes_rejects(text, end):
    with pytest.raises(ValueError):
        clock_minutes(text, end=end)


# --- expansion -----------------------------------------------------------------------------


@pytest.fixture
def tiny(tiny_config_path):
    return load_scenario(tiny_config_path)


def with_rules(scenario, rules, *, slot_minutes=None, default_demand=0, horizon_days=None):
    """The scenario with these demand rows ``(hotspot_id, zone_id, days, start, end, teams)``."""
    config = scenario.config.replace(
        default_demand=default_demand,
        slot_minutes=slot_minutes or scenario.config.slot_minutes,
        horizon_days=horizon_days or scenario.config.horizon_days,
    )
    demand = pd.DataFrame(rules, columns=["hotspot_id", "zone_id", "days", "start", "end", "teams"])
    return scenario.replace(config=config, demand=demand if rules is not None else None)


def hours(row: np.ndarray) -> list[int]:
    """Slots (hourly) with demand > 0."""
    return [int(k) for k in np.flatnonzero(row)]


def test_tiny_demand(tiny):
    d = expand_demand(tiny)
    assert d.shape == (4, 48) and d.dtype.kind == "i"
    night = [0, 1, 20, 21, 22, 23, 24, 25, 44, 45, 46, 47]  # Sun night spill, Mon night, Tue night
    assert hours(d[0]) == night and set(d[0][night]) == {2}
    assert hours(d[1]) == []  # H2: no rule, default 0
    assert hours(d[2]) == sorted(night + [8, 9, 10, 11])  # H3: night + Z2's Monday morning
    assert hours(d[3]) == [8, 9, 10, 11]  # H4: Z2's Monday morning only


def test_midnight_wrap(tiny):
    s = with_rules(tiny, [("H1", "", "mon", "22:00", "02:00", 1)])
    assert hours(expand_demand(s)[0]) == [22, 23, 24, 25]


def test_day_before_horizon_spills_into_first_day(tiny):
    s = with_rules(tiny, [("H1", "", "sun", "20:00", "03:00", 1), ("H2", "", "sun", "08:00", "20:00", 1)])
    d = expand_demand(s)
    assert hours(d[0]) == [0, 1, 2]  # Sunday 2026-11-29 is the day before the horizon
    assert hours(d[1]) == []  # a Sunday rule not past midnight never reaches the horizon


def test_day_before_horizon_by_iso_date(tiny):
    s = with_rules(tiny, [("H1", "", "2026-11-29", "23:00", "01:00", 3)])
    d = expand_demand(s)
    assert hours(d[0]) == [0] and d[0, 0] == 3


def test_rule_past_the_horizon_is_clipped(tiny):
    s = with_rules(tiny, [("H1", "", "tue", "22:00", "06:00", 1)])
    assert hours(expand_demand(s)[0]) == [46, 47]


def test_end_equal_to_start_is_a_whole_day(tiny):
    s = with_rules(tiny, [("H1", "", "mon", "06:00", "06:00", 1)])
    assert hours(expand_demand(s)[0]) == list(range(6, 30))


def test_end_24_00(tiny):
    s = with_rules(tiny, [("H1", "", "tue", "18:00", "24:00", 1)])
    assert hours(expand_demand(s)[0]) == list(range(42, 48))


def test_overlapping_rules_take_the_largest(tiny):
    s = with_rules(
        tiny,
        [
            ("H1", "", "mon-sun", "08:00", "12:00", 1),
            ("H1", "", "mon", "10:00", "14:00", 3),
            ("", "Z1", "mon", "11:00", "13:00", 2),
        ],
    )
    d = expand_demand(s)
    assert d[0, 8:15].tolist() == [1, 1, 3, 3, 3, 3, 0]
    assert d[0, 32:36].tolist() == [1, 1, 1, 1]  # Tuesday: only the daily rule
    assert d[1, 10:14].tolist() == [0, 2, 2, 0]  # H2 only through the zone row


def test_a_zero_rule_overrides_the_default(tiny):
    s = with_rules(tiny, [("H1", "", "mon", "00:00", "06:00", 0), ("H1", "", "mon", "05:00", "07:00", 2)], default_demand=1)
    d = expand_demand(s)
    assert d[0, :8].tolist() == [0, 0, 0, 0, 0, 2, 2, 1]
    assert (d[1] == 1).all()  # no rule names H2: the default everywhere


def test_no_demand_table_means_default_everywhere(tiny):
    s = with_rules(tiny, None, default_demand=1)
    assert (expand_demand(s) == 1).all()
    s = with_rules(tiny, [], default_demand=2)
    assert (expand_demand(s) == 2).all()


def test_zone_rows_apply_to_each_hotspot_of_the_zone(tiny):
    s = with_rules(tiny, [("", "Z2", "tue", "08:00", "09:00", 1)])
    d = expand_demand(s)
    assert [hours(r) for r in d] == [[], [], [32], [32]]


def test_rows_follow_the_hotspot_order(tiny):
    s = with_rules(tiny, [("H4", "", "mon", "08:00", "09:00", 1)])
    shuffled = s.replace(hotspots=s.hotspots.iloc[[3, 1, 2, 0]].reset_index(drop=True))
    assert hours(expand_demand(shuffled)[0]) == [8]
    assert hours(expand_demand(shuffled)[3]) == []


@pytest.mark.parametrize(
    "slot, expected",
    [
        (60, ["08:00", "09:00"]),
        (30, ["08:00", "08:30", "09:00"]),
        (15, ["08:00", "08:15", "08:30", "08:45", "09:00", "09:15"]),
    ],
)
def test_partial_overlap_at_each_slot_length(tiny, slot, expected):
    s = with_rules(tiny, [("H1", "", "mon", "08:10", "09:20", 1)], slot_minutes=slot)
    d = expand_demand(s)
    starts = slot_starts(s)
    assert d.shape == (4, 2 * 24 * 60 // slot)
    assert [starts[k].strftime("%H:%M") for k in np.flatnonzero(d[0])] == expected


@pytest.mark.parametrize("slot", [15, 30, 60])
def test_touching_a_slot_boundary_is_no_overlap(tiny, slot):
    s = with_rules(tiny, [("H1", "", "mon", "08:00", "09:00", 1)], slot_minutes=slot)
    d = expand_demand(s)
    assert d[0].sum() == 60 // slot
    assert np.flatnonzero(d[0])[0] == 8 * 60 // slot


def test_slot_starts(tiny):
    starts = slot_starts(tiny.replace(config=tiny.config.replace(slot_minutes=30)))
    assert len(starts) == 96
    assert starts[0] == dt.datetime(2026, 11, 30, 0, 0)
    assert starts[1] == dt.datetime(2026, 11, 30, 0, 30)
    assert starts[-1] == dt.datetime(2026, 12, 1, 23, 30)


def test_example_week(example_config_path):
    s = load_scenario(example_config_path)
    d = expand_demand(s)
    row = {h: i for i, h in enumerate(s.hotspots["hotspot_id"])}
    assert d.shape == (6, 168)
    # H5: night 1 team, market mornings (Tue, Fri 06:00-12:00) 2 teams
    tuesday = 24
    assert d[row["H5"], tuesday + 6 : tuesday + 12].tolist() == [2] * 6
    assert d[row["H5"], tuesday + 20] == 1 and d[row["H5"], tuesday + 12] == 0
    # H3: the one-off event on Friday 2026-12-04 14:00-18:00
    friday = 4 * 24
    assert d[row["H3"], friday + 13 : friday + 19].tolist() == [1, 2, 2, 2, 2, 1]
    # Z1 night, spilling from the Sunday before the horizon into Monday 00:00-02:00
    assert d[row["H1"], :3].tolist() == [2, 2, 0]


def test_agrees_with_the_independent_checker(tiny, example_config_path):
    """check.py expands demand on its own; both readings of the contract must agree."""
    from patrolplan import check
    for scenario in (tiny, load_scenario(example_config_path)):
        assert (expand_demand(scenario) == check.expand_demand(scenario)).all()


# --- property: agrees with a minute-by-minute reading of the contract ----------------------

_DAY_SPECS = ["mon-sun", "mon", "sun", "fri-mon", "sat,sun", "tue,thu", "2026-11-29", "2026-12-01", "2026-12-02"]


def _reference(rules, *, slot, days, default):
    """Minute by minute: the teams a slot takes, straight from the contract's words."""
    n_slots = days * 1440 // slot
    out = np.full(n_slots, -1)
    for spec, start, end, teams in rules:
        matcher = parse_days(spec)
        a = clock_minutes(start)
        b = clock_minutes(end, end=True)
        if b <= a:
            b += 1440
        for d in range(-1, days):
            if not matcher.matches(MON + dt.timedelta(days=d)):
                continue
            covered = set(range(d * 1440 + a, d * 1440 + b))
            for k in range(n_slots):
                if covered & set(range(k * slot, (k + 1) * slot)):
                    out[k] = max(out[k], teams)
    return np.where(out < 0, default, out)


@functools.cache
def _tiny_once():
    return load_scenario(Path(__file__).parent / "data" / "tiny" / "config.yaml")


_times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 10, 15, 30, 45]))
_rules = st.lists(
    st.tuples(st.sampled_from(_DAY_SPECS), _times, st.one_of(_times, st.just("24:00")), st.integers(0, 3)),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(rules=_rules, slot=st.sampled_from([15, 30, 60]), default=st.integers(0, 2))
def test_matches_a_minute_by_minute_reference(rules, slot, default):
    scenario = _tiny_once()
    s = with_rules(scenario, [("H1", "", *r) for r in rules], slot_minutes=slot, default_demand=default)
    assert expand_demand(s)[0].tolist() == _reference(rules, slot=slot, days=2, default=default).tolist()
