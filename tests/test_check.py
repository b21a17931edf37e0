"""check_roster: the independent re-check. One hand-sized scenario, a clean roster, one
breakage per rule.

The scenario (Monday 2026-11-30 and Tuesday, 60-minute slots, shifts of 4 or 8 h on a
2-hour grid, 12 h rest, team size 2):

- stations S1 (county A, 6 officers = 3 teams), S2 (county B, 4 = 2), S3 (county A, 2 = 1);
- H1 in staggered zone Z1 (members S1, S2), demand 1 team Monday 08:00-16:00;
- H2 in synchronized zone Z2 (members S1, S2, S3, tier county), demand 2 teams Monday
  10:00-12:00 (a zone row);
- travel (both ways) S*-H1 30 min, S1-H2 20, S2-H2 40, S3-H2 20.

The clean roster: S1-T01 covers H1 until 13:30, S2-T01 takes over from 12:30; S1-T02 and
S2-T02 stand together at H2 09:00-13:00.
"""

from __future__ import annotations

import ast
import datetime as dt
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

import patrolplan.check as check_module
from patrolplan.check import (
    RULES,
    Report,
    check_roster,
    check_run,
    expand_demand,
    read_roster,
)
from patrolplan.inputs.config import config_from_dict
from patrolplan.errors import DataError
from patrolplan.inputs.scenario import Scenario

# --- the tiny scenario ---------------------------------------------------------------------


class FakeTravel:
    """Travel minutes from a dict keyed (station_id, hotspot_id), the same both ways."""

    def __init__(self, minutes: dict[tuple[str, str], int]):
        self.minutes = minutes

    def out(self, station_id: str, hotspot_id: str) -> int:
        return self.minutes[station_id, hotspot_id]

    def back(self, hotspot_id: str, station_id: str) -> int:
        return self.minutes[station_id, hotspot_id]


TRAVEL = FakeTravel(
    {
        ("S1", "H1"): 30,
        ("S2", "H1"): 30,
        ("S3", "H1"): 30,
        ("S1", "H2"): 20,
        ("S2", "H2"): 40,
        ("S3", "H2"): 20,
    }
)


def make_config(tmp_path: Path, **overrides):
    raw = {
        "name": "tiny",
        "week_start": "2026-11-30",
        "horizon_days": 2,
        "slot_minutes": 60,
        "data": {"stations": "s.csv", "hotspots": "h.csv", "zones": "z.csv"},
        "rules": {
            "team_size": 2,
            "shift_hours": [4, 8],
            "shift_start_every_minutes": 120,
            "min_rest_hours": 12,
            "max_shifts_per_team": 5,
            "reserve_officers": 0,
        },
        "default_demand": 0,
        "modes": {"handover_minutes": 0, "synchronized_min_stations": 2},
    }
    for key, value in overrides.items():
        if isinstance(value, dict):
            raw[key] = {**raw.get(key, {}), **value}
        else:
            raw[key] = value
    return config_from_dict(raw, base_dir=tmp_path)


def make_scenario(tmp_path: Path, *, counties=("A", "B", "A"), availability=None, demand=None, **config):
    stations = pd.DataFrame(
        {
            "station_id": ["S1", "S2", "S3"],
            "name": ["One", "Two", "Three"],
            "officers": [6, 4, 2],
            "lon": [116.0, 116.1, 116.2],
            "lat": [35.0, 35.1, 35.2],
            "town": ["t1", "t2", "t3"],
            "county": list(counties),
            "city": ["Jining"] * 3,
            "province": ["Shandong"] * 3,
            "reserve_officers": [0, 0, 0],
        }
    )
    hotspots = pd.DataFrame(
        {
            "hotspot_id": ["H1", "H2"],
            "name": ["Bridge", "Crossroads"],
            "zone_id": ["Z1", "Z2"],
            "lon": [116.05, 116.15],
            "lat": [35.05, 35.15],
            "risk": [1.0, 1.0],
        }
    )
    zones = pd.DataFrame(
        {
            "zone_id": ["Z1", "Z2"],
            "tier": ["county", "county"],
            "mode": ["staggered", "synchronized"],
            "stations": ["S1;S2", "S1;S2;S3"],
            "members": [("S1", "S2"), ("S1", "S2", "S3")],
            "min_stations": [2, 2],
        }
    )
    if demand is None:
        demand = pd.DataFrame(
            {
                "hotspot_id": ["H1", ""],
                "zone_id": ["", "Z2"],
                "days": ["mon", "mon"],
                "start": ["08:00", "10:00"],
                "end": ["16:00", "12:00"],
                "teams": [1, 2],
            }
        )
    return Scenario(
        config=make_config(tmp_path, **config),
        config_path=None,
        stations=stations,
        hotspots=hotspots,
        zones=zones,
        demand=demand,
        availability=availability,
    )


COLUMNS = [
    "shift_id", "team_id", "station_id", "zone_id", "hotspot_id", "mode",
    "start", "end", "on_site_start", "on_site_end", "travel_out_min", "travel_back_min",
]  # fmt: skip


def shift(shift_id, team, hotspot, start, end, on_start, on_end, *, day="2026-11-30", station=None):
    """One roster row; times 'HH:MM' on ``day`` or full ISO text."""
    station = station or team.split("-")[0]
    zone, mode = {"H1": ("Z1", "staggered"), "H2": ("Z2", "synchronized")}.get(hotspot, ("Z9", "staggered"))

    def iso(t):
        return t if "T" in t else f"{day}T{t}"

    return {
        "shift_id": shift_id,
        "team_id": team,
        "station_id": station,
        "zone_id": zone,
        "hotspot_id": hotspot,
        "mode": mode,
        "start": iso(start),
        "end": iso(end),
        "on_site_start": iso(on_start),
        "on_site_end": iso(on_end),
        "travel_out_min": 30,
        "travel_back_min": 30,
    }


def clean_rows():
    return [
        shift("SH0001", "S1-T01", "H1", "06:00", "14:00", "06:30", "13:30"),
        shift("SH0002", "S2-T01", "H1", "12:00", "20:00", "12:30", "16:30"),
        shift("SH0003", "S1-T02", "H2", "08:00", "16:00", "09:00", "13:00"),
        shift("SH0004", "S2-T02", "H2", "08:00", "16:00", "09:00", "13:00"),
    ]


def roster(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


def replaced(rows, which, /, **changes):
    """The rows with shift ``which`` changed (station/team/times/...)."""
    out = []
    for row in rows:
        if row["shift_id"] == which:
            row = {**row, **changes}
        out.append(row)
    return out


def check(tmp_path, rows, **scenario_kw):
    return check_roster(make_scenario(tmp_path, **scenario_kw), roster(rows), travel=TRAVEL)


def only(report: Report, rule: str):
    """The violations of ``rule``, after asserting no other rule fired."""
    assert {v.rule for v in report.violations} == {rule}, report.to_text()
    return [v for v in report.violations if v.rule == rule]


# --- the clean roster ----------------------------------------------------------------------


def test_clean_roster_passes(tmp_path):
    report = check(tmp_path, clean_rows())
    assert report.ok, report.to_text()
    assert report.violations == ()
    assert report.uncovered_slots == 0
    assert report.uncovered_team_hours == 0.0
    cov = report.coverage
    assert list(cov.columns) == ["hotspot_id", "slot_start", "demand", "present", "stations", "gap"]
    assert len(cov) == 8 + 2  # H1 08-16, H2 10-12
    h2 = cov[cov.hotspot_id == "H2"]
    assert list(h2.slot_start) == ["2026-11-30T10:00", "2026-11-30T11:00"]
    assert list(h2.stations) == ["S1;S2", "S1;S2"]
    assert not cov.gap.any()
    assert "Roster OK" in report.to_text()


def test_clean_roster_passes_with_handover_covered(tmp_path):
    # SH0002 arrives 12:30, SH0001 leaves 13:30: 60 minutes together
    assert check(tmp_path, clean_rows(), modes={"handover_minutes": 60}).ok


def test_datetime_columns_are_accepted(tmp_path):
    table = roster(clean_rows())
    for col in ("start", "end", "on_site_start", "on_site_end"):
        table[col] = pd.to_datetime(table[col])
    assert check_roster(make_scenario(tmp_path), table, travel=TRAVEL).ok


# --- one breakage per rule -----------------------------------------------------------------


def test_dropped_shift_leaves_a_gap(tmp_path):
    rows = [r for r in clean_rows() if r["shift_id"] != "SH0002"]
    report = check(tmp_path, rows)
    (v,) = only(report, "gap")
    assert "hotspot H1" in v.message
    assert "2026-11-30T13:00–2026-11-30T16:00 (3 slots)" in v.message
    assert "0 of 1" in v.message
    assert "SH0001" in v.message and "SH0001" in v.shift_ids  # the last team to leave
    assert report.rule_violations == ()
    assert report.uncovered_slots == 3
    assert report.uncovered_team_hours == 3.0


def test_uncovered_counts_agree_with_coverage_table(tmp_path):
    # only S1-T02 at H2: 1 of 2 teams in two slots; H1 loses 13:00-16:00
    rows = [r for r in clean_rows() if r["shift_id"] not in ("SH0002", "SH0004")]
    report = check(tmp_path, rows)
    cov = report.coverage
    assert report.uncovered_slots == int(cov.gap.sum()) == int((cov.present < cov.demand).sum()) == 5
    shortfall = (cov.demand - cov.present).clip(lower=0).sum()
    assert report.uncovered_team_hours == float(shortfall) == 5.0
    h2_gap = [v for v in report.violations if v.rule == "gap" and "H2" in v.message]
    assert len(h2_gap) == 1 and "1 of 2" in h2_gap[0].message and "SH0003" in h2_gap[0].message


def test_travel_ignored_on_site_too_early(tmp_path):
    rows = replaced(clean_rows(), "SH0003", on_site_start="2026-11-30T08:10")
    (v,) = only(check(tmp_path, rows), "travel_out")
    assert "SH0003" in v.message and v.shift_ids == ("SH0003",)
    assert "10 min" in v.message and "20 min" in v.message


def test_travel_back_too_short(tmp_path):
    rows = replaced(clean_rows(), "SH0004", on_site_end="2026-11-30T15:30")  # 30 of 40 min
    (v,) = only(check(tmp_path, rows), "travel_back")
    assert "SH0004" in v.message and "40 min" in v.message


def test_non_member_station(tmp_path):
    rows = replaced(clean_rows(), "SH0002", station_id="S3", team_id="S3-T01")
    (v,) = only(check(tmp_path, rows), "member")
    assert "SH0002" in v.message and "S3" in v.message and "Z1" in v.message


def test_zone_id_must_match_the_hotspot(tmp_path):
    rows = replaced(clean_rows(), "SH0001", zone_id="Z2")
    (v,) = only(check(tmp_path, rows), "member")
    assert "SH0001" in v.message and "Z2" in v.message


def test_unknown_hotspot(tmp_path):
    rows = clean_rows() + [shift("SH0005", "S1-T03", "H9", "06:00", "10:00", "06:30", "09:30", day="2026-12-01")]
    report = check(tmp_path, rows)
    (v,) = only(report, "unknown_id")
    assert "SH0005" in v.message and "H9" in v.message


def test_rest_broken(tmp_path):
    rows = clean_rows() + [shift("SH0005", "S1-T01", "H1", "20:00", "2026-12-01T00:00", "20:30", "23:30")]
    (v,) = only(check(tmp_path, rows), "rest")
    assert "SH0001" in v.message and "SH0005" in v.message and "6 h" in v.message
    assert v.shift_ids == ("SH0001", "SH0005")


def test_overlap(tmp_path):
    rows = clean_rows() + [shift("SH0005", "S1-T01", "H1", "12:00", "16:00", "12:30", "15:30")]
    (v,) = only(check(tmp_path, rows), "overlap")
    assert "SH0001" in v.message and "SH0005" in v.message and "S1-T01" in v.message


def test_too_many_shifts(tmp_path):
    rows = clean_rows() + [shift("SH0005", "S1-T01", "H1", "06:00", "10:00", "06:30", "09:30", day="2026-12-01")]
    (v,) = only(check(tmp_path, rows, rules={"max_shifts_per_team": 1}), "max_shifts")
    assert "S1-T01" in v.message and "SH0005" in v.message and "2 shifts" in v.message


def test_more_teams_than_the_station_has(tmp_path):
    rows = clean_rows() + [
        shift("SH0005", "S3-T01", "H2", "08:00", "16:00", "09:00", "13:00", day="2026-12-01"),
        shift("SH0006", "S3-T02", "H2", "08:00", "16:00", "09:00", "13:00", day="2026-12-01"),
    ]
    (v,) = only(check(tmp_path, rows), "team_count")
    assert "station S3" in v.message and "S3-T02" in v.message and "SH0006" in v.message
    assert v.shift_ids == ("SH0006",)


def test_availability_exceeded(tmp_path):
    availability = pd.DataFrame(
        {
            "station_id": ["S1", "S2"],
            "date": [dt.date(2026, 11, 30), dt.date(2026, 12, 1)],
            "officers": [3, 0],  # S1: one team on Monday; S2 has no shift on Tuesday
        }
    )
    (v,) = only(check(tmp_path, clean_rows(), availability=availability), "availability")
    assert "station S1" in v.message and "2026-11-30" in v.message
    assert "SH0001" in v.message and "SH0003" in v.message
    assert set(v.shift_ids) == {"SH0001", "SH0003"}


def test_off_grid_start(tmp_path):
    rows = replaced(clean_rows(), "SH0001", start="2026-11-30T07:00", end="2026-11-30T15:00", on_site_start="2026-11-30T07:30")
    (v,) = only(check(tmp_path, rows), "start_grid")
    assert "SH0001" in v.message and "07:00" in v.message


def test_wrong_length(tmp_path):
    rows = replaced(clean_rows(), "SH0002", end="2026-11-30T18:00")  # 6 h
    (v,) = only(check(tmp_path, rows), "shift_length")
    assert "SH0002" in v.message and "6 h" in v.message


def test_synchronized_with_one_station_only(tmp_path):
    rows = replaced(clean_rows(), "SH0004", station_id="S1", team_id="S1-T03")
    report = check(tmp_path, rows)
    assert {v.rule for v in report.violations} == {"synchronized_stations", "synchronized_jurisdictions"}
    (v,) = [v for v in report.violations if v.rule == "synchronized_stations"]
    assert "H2" in v.message and "SH0003" in v.message and "SH0004" in v.message
    assert "2026-11-30T10:00–2026-11-30T12:00" in v.message
    assert report.uncovered_slots == 0  # not a gap: two teams are there


def test_synchronized_from_one_jurisdiction_when_members_span_two(tmp_path):
    rows = replaced(clean_rows(), "SH0004", station_id="S3", team_id="S3-T01")
    (v,) = only(check(tmp_path, rows), "synchronized_jurisdictions")
    assert "SH0003" in v.message and "SH0004" in v.message and "county" in v.message


def test_one_jurisdiction_is_fine_when_members_span_one(tmp_path):
    rows = replaced(clean_rows(), "SH0004", station_id="S3", team_id="S3-T01")
    assert check(tmp_path, rows, counties=("A", "A", "A")).ok
    # unknown jurisdictions ("") do not count as a second one
    assert check(tmp_path, rows, counties=("A", "", "A")).ok


def test_handover_too_short(tmp_path):
    (v,) = only(check(tmp_path, clean_rows(), modes={"handover_minutes": 90}), "handover")
    assert "SH0001" in v.message and "SH0002" in v.message and "90 min" in v.message
    assert v.shift_ids == ("SH0001", "SH0002")


def test_handover_checked_only_while_demanded(tmp_path):
    # SH0002 arrives 10:30, 3 h before SH0001 leaves; SH0005 arrives as SH0002 leaves at
    # 16:30, but demand ended at 16:00: nothing to hand over
    rows = replaced(clean_rows(), "SH0002", start="2026-11-30T10:00", end="2026-11-30T18:00", on_site_start="2026-11-30T10:30")
    rows.append(shift("SH0005", "S1-T03", "H1", "16:00", "20:00", "16:30", "19:30"))
    assert check(tmp_path, rows, modes={"handover_minutes": 90}).ok


def test_times_out_of_order(tmp_path):
    rows = replaced(clean_rows(), "SH0003", on_site_end="2026-11-30T17:00")
    (v,) = only(check(tmp_path, rows), "times")
    assert "SH0003" in v.message


def test_start_before_horizon(tmp_path):
    ok_early = shift("SH0005", "S3-T01", "H2", "2026-11-29T22:00", "06:00", "2026-11-29T22:20", "05:40")
    assert check(tmp_path, clean_rows() + [ok_early]).ok
    too_early = shift("SH0005", "S3-T01", "H2", "2026-11-29T20:00", "2026-11-30T00:00", "2026-11-29T20:20", "2026-11-29T23:40")
    (v,) = only(check(tmp_path, clean_rows() + [too_early]), "start_before_horizon")
    assert "SH0005" in v.message


def test_start_at_horizon_end(tmp_path):
    late = shift("SH0005", "S3-T01", "H2", "00:00", "04:00", "00:20", "03:40", day="2026-12-02")
    (v,) = only(check(tmp_path, clean_rows() + [late]), "times")
    assert "SH0005" in v.message and "horizon" in v.message


def test_team_names_two_stations(tmp_path):
    rows = clean_rows() + [
        shift("SH0005", "S1-T01", "H1", "06:00", "10:00", "06:30", "09:30", day="2026-12-01", station="S2")
    ]
    report = check(tmp_path, rows)
    (v,) = [v for v in report.violations if v.rule == "team_station"]
    assert "S1-T01" in v.message and "SH0005" in v.message


def test_to_text_groups_by_rule(tmp_path):
    rows = [r for r in clean_rows() if r["shift_id"] != "SH0002"]
    rows = replaced(rows, "SH0003", on_site_start="2026-11-30T08:10")
    text = check(tmp_path, rows).to_text()
    assert "NOT OK" in text
    assert "gap (1)" in text and "travel_out (1)" in text
    assert text.index("gap (1)") < text.index("travel_out (1)")
    assert set(RULES) >= {"gap", "handover", "availability"}


# --- demand expansion ----------------------------------------------------------------------


def demand_of(tmp_path, rows, default=0):
    table = pd.DataFrame(rows, columns=["hotspot_id", "zone_id", "days", "start", "end", "teams"])
    scenario = make_scenario(tmp_path, demand=table, default_demand=default)
    return expand_demand(scenario)  # [hotspot, slot], 48 hourly slots


def test_demand_rule_from_the_day_before_runs_past_midnight(tmp_path):
    d = demand_of(tmp_path, [("H1", "", "sun", "22:00", "02:00", 3)])  # horizon starts Monday
    assert list(d[0, :3]) == [3, 3, 0]
    assert d[0].sum() == 6 and d[1].sum() == 0


def test_demand_day_specs(tmp_path):
    assert demand_of(tmp_path, [("H1", "", "fri-mon", "08:00", "09:00", 1)])[0].nonzero()[0].tolist() == [8]
    assert demand_of(tmp_path, [("H1", "", "sat,sun", "08:00", "09:00", 1)])[0].sum() == 0
    assert demand_of(tmp_path, [("H1", "", "2026-12-01", "08:00", "09:00", 1)])[0].nonzero()[0].tolist() == [32]
    assert demand_of(tmp_path, [("H1", "", "mon-sun", "00:00", "00:00", 1)])[0].sum() == 48
    assert demand_of(tmp_path, [("H1", "", "tue,2026-11-30", "08:00", "09:00", 1)])[0].nonzero()[0].tolist() == [8, 32]


def test_demand_overlap_takes_the_largest_and_partial_slots_count(tmp_path):
    d = demand_of(
        tmp_path,
        [
            ("H1", "", "mon", "08:00", "12:00", 1),
            ("H1", "", "mon", "10:10", "10:20", 3),  # overlaps slot 10 only partly
            ("", "Z2", "mon", "08:00", "09:00", 2),  # zone row
        ],
    )
    assert list(d[0, 8:13]) == [1, 1, 3, 1, 0]
    assert d[1].nonzero()[0].tolist() == [8] and d[1, 8] == 2


def test_default_demand_and_zero_rules(tmp_path):
    d = demand_of(tmp_path, [("H1", "", "mon", "08:00", "10:00", 0)], default=1)
    assert d[0, 7] == 1 and d[0, 8] == 0 and d[0, 9] == 0 and d[0, 10] == 1
    assert (d[1] == 1).all()


# --- reading roster.csv --------------------------------------------------------------------


def write_roster(tmp_path, rows) -> Path:
    table = roster(rows)
    folder = tmp_path / "run"
    folder.mkdir(exist_ok=True)
    table.to_csv(folder / "roster.csv", index=False)
    return folder


def test_read_roster_round_trip(tmp_path):
    rows = replaced(clean_rows(), "SH0001", start="2026-11-30T06:00+08:00")  # offset: wall time kept
    folder = write_roster(tmp_path, rows)
    table = read_roster(folder)
    assert str(table["start"].dtype).startswith("datetime64")
    assert table["start"][0] == pd.Timestamp("2026-11-30T06:00")
    assert table["travel_out_min"].dtype == "int64"
    assert read_roster(folder / "roster.csv").shape == table.shape
    assert check_roster(make_scenario(tmp_path), table, travel=TRAVEL).ok


def test_read_roster_missing_column(tmp_path):
    folder = write_roster(tmp_path, clean_rows())
    path = folder / "roster.csv"
    pd.read_csv(path).drop(columns=["on_site_end"]).to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        read_roster(folder)
    assert str(path) in str(err.value) and "'on_site_end'" in str(err.value)


def test_read_roster_bad_cells_name_file_row_column(tmp_path):
    rows = replaced(clean_rows(), "SH0002", start="30/11/2026 12:00")
    rows = replaced(rows, "SH0003", travel_out_min="12.5")
    rows = replaced(rows, "SH0004", team_id="")
    folder = write_roster(tmp_path, rows)
    with pytest.raises(DataError) as err:
        read_roster(folder)
    problems = err.value.problems
    assert len(problems) == 3
    path = str(folder / "roster.csv")
    assert all(p.startswith(path) for p in problems)
    assert any("row 3 (shift_id 'SH0002'), column 'start'" in p and "30/11/2026 12:00" in p for p in problems)
    assert any("row 4 (shift_id 'SH0003'), column 'travel_out_min'" in p for p in problems)
    assert any("row 5 (shift_id 'SH0004'), column 'team_id'" in p for p in problems)


def test_read_roster_duplicate_ids_and_missing_file(tmp_path):
    rows = replaced(clean_rows(), "SH0004", shift_id="SH0003")
    folder = write_roster(tmp_path, rows)
    with pytest.raises(DataError, match=r"rows 4, 5, column 'shift_id'"):
        read_roster(folder)
    with pytest.raises(DataError, match="no such roster file"):
        read_roster(tmp_path / "nowhere")


def test_check_roster_rejects_an_unusable_table(tmp_path):
    table = roster(clean_rows()).drop(columns=["hotspot_id"])
    with pytest.raises(DataError, match="missing column 'hotspot_id'"):
        check_roster(make_scenario(tmp_path), table, travel=TRAVEL)


# --- check_run and independence ------------------------------------------------------------


def test_check_run_loads_scenario_and_travel(tmp_path, monkeypatch):
    scenario = make_scenario(tmp_path)
    fake_io = types.ModuleType("patrolplan.inputs.io")
    fake_io.load_scenario = lambda path: scenario
    fake_network = types.ModuleType("patrolplan.inputs.network")
    fake_network.travel_times = lambda sc: TRAVEL
    monkeypatch.setitem(sys.modules, "patrolplan.inputs.io", fake_io)
    monkeypatch.setitem(sys.modules, "patrolplan.inputs.network", fake_network)
    folder = write_roster(tmp_path, [r for r in clean_rows() if r["shift_id"] != "SH0002"])
    report = check_run(tmp_path / "tiny.yaml", folder)
    assert [v.rule for v in report.violations] == ["gap"]


def test_check_does_not_import_the_model():
    imported = set()
    package = Path(check_module.__file__).parent
    nodes = [n for path in package.glob("*.py") for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))]
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[-1])
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[-1] for alias in node.names)
    assert not imported & {"model", "problem", "solve", "assign", "demand"}


def test_empty_roster_is_all_gaps_and_needs_no_travel(tmp_path):
    # travel=None and no rows: the travel matrix is never computed
    report = check_roster(make_scenario(tmp_path), roster([]))
    assert report.uncovered_slots == 10 and report.uncovered_team_hours == 8 + 2 * 2
    assert [v.rule for v in report.violations] == ["gap", "gap"]
    assert "0 of 2" in report.violations[1].message


def test_more_examples_are_counted_not_listed(tmp_path):
    rows = [
        shift(f"SH{n:04d}", f"S1-T0{n}", "H1", "2026-11-30T06:00", "2026-11-30T08:00", "06:30", "07:30")
        for n in range(1, 4)
    ]  # three 2-hour shifts: wrong length each, and gaps
    text = check(tmp_path, rows).to_text(max_examples=1)
    assert "shift_length (3)" in text and "... and 2 more" in text


@pytest.mark.parametrize(
    "text",
    ["2026-11-30T06:00", "2026-11-30 06:00", "2026-11-30T06:00:00", "2026-11-30T06:00+08:00", "2026-11-30T06:00Z"],
)
def test_time_forms_accepted(tmp_path, text):
    rows = replaced(clean_rows(), "SH0001", start=text)
    assert check(tmp_path, rows).ok


@pytest.mark.parametrize("text", ["2026-11-30T06:00:30", "2026-11-31T06:00", "06:00", "", "tomorrow"])
def test_time_forms_rejected(tmp_path, text):
    rows = replaced(clean_rows(), "SH0001", start=text)
    with pytest.raises(DataError, match=r"roster: row 2 \(shift_id 'SH0001'\), column 'start'"):
        check(tmp_path, rows)
