"""patrolplan hotspots / evaluate (issue 24): detection on planted data, hours, zones, bad input,
evaluate's counts on a hand-sized week, and the command line on a small world."""

from __future__ import annotations

import datetime as dt
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from incident_world import H1, LON0, LAT0, SIDE, WEEK, boundaries, write_world
from patrolplan.cli import main
from patrolplan.incidents.borders import Borders
from patrolplan.incidents.hours import hourly_share, peak_hours
from patrolplan.incidents.read import read_incidents
from patrolplan.incidents.scenario import derive
from patrolplan.incidents.zones import assign_zones
from patrolplan.inputs.io import load_scenario
from patrolplan.scenarios.incidents import generate_incidents


def _near(a: pd.DataFrame, b: pd.DataFrame, metres: float, borders: Borders) -> np.ndarray:
    """For each row of ``a``: a row of ``b`` within ``metres``."""
    ax, ay = borders.to_xy(a["lon"].to_numpy(), a["lat"].to_numpy())
    bx, by = borders.to_xy(b["lon"].to_numpy(), b["lat"].to_numpy())
    if not len(b):
        return np.zeros(len(a), dtype=bool)
    d = np.hypot(ax[:, None] - bx[None, :], ay[:, None] - by[None, :])
    return (d <= metres).any(axis=1)


# --- the world's borders ---------------------------------------------------------------------


def test_border_tiers_from_the_units_parents():
    b = Borders.from_boundaries(boundaries())
    tiers = {(r.a, r.b): r.tier for r in b.pairs.itertuples()}
    assert b.unit_tier == "county"
    assert tiers == {("A", "B"): "county", ("C", "D"): "county", ("A", "C"): "city", ("B", "D"): "city"}


# --- detection on a planted week -------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    config = write_world(folder)
    history = generate_incidents(boundaries(), start=WEEK - dt.timedelta(days=7), weeks=1, seed=3, border_spots=4,
                                 interior_spots=2, background_per_week=400, per_spot_week=30, spot_gap_m=6000)
    path = folder / "incidents.csv"
    history.incidents.to_csv(path, index=False)
    scenario = load_scenario(config)
    incidents = read_incidents(path, boundaries=scenario.boundaries, until=scenario.horizon_start)
    return scenario, history, derive(scenario, incidents), path, config


def test_planted_border_hot_spots_found_within_500_m(planted):
    scenario, history, derived, _, _ = planted
    truth = history.planted
    border, interior = truth[truth["kind"] == "border"], truth[truth["kind"] == "interior"]
    assert len(border) == 4 and len(interior) == 2
    found = derived.hotspots
    recall = _near(border, found, 500, derived.borders).mean()
    precision = _near(found, border, 500, derived.borders).mean()
    assert recall == 1.0, (border, found)
    assert precision == 1.0, (border, found)
    # interior clusters are found as hot spots but never taken for border hotspots
    assert not _near(interior, found, 500, derived.borders).any()
    assert _near(interior, derived.others, 500, derived.borders).all()
    assert all("not at a border" in w for w in derived.others["why"])


def test_hotspot_table_and_figures(planted):
    _, history, derived, _, _ = planted
    hs = derived.hotspots
    assert list(hs.columns[:9]) == ["hotspot_id", "name", "zone_id", "lon", "lat", "risk", "incidents", "border",
                                    "peak_hours"]
    assert set(hs["border"].str.split(":").str[0]) <= {"county", "city"}
    f = derived.figures
    # every incident is accounted for: near a border or far (listed apart), none dropped
    assert f["near_borders"] + f["far_from_borders"] == f["incidents_used"] == len(history.incidents)
    assert len(derived.far) == f["far_from_borders"] > 0
    assert f["at_hotspots"] == int(hs["incidents"].sum())
    assert np.median(hs["risk"]) == pytest.approx(1.0)


def test_found_hours_hold_the_planted_peak_without_running_all_day(planted):
    _, history, derived, _, _ = planted
    truth = history.planted[history.planted["kind"] == "border"]
    bx, by = derived.borders.to_xy(truth["lon"].to_numpy(), truth["lat"].to_numpy())
    for h in derived.hotspots.itertuples():
        x, y = derived.borders.to_xy([h.lon], [h.lat])
        p = truth.iloc[int(np.argmin(np.hypot(bx - x[0], by - y[0])))]
        hours = derived.hours[h.hotspot_id]
        peak = {(p.start_h + k) % 24 for k in range(p.hours)}
        assert len(peak & set(hours.active)) >= p.hours - 1, (h.hotspot_id, p.start_h, p.hours, hours.text)
        assert len(hours.active) <= p.hours + 3, hours.text


# --- hours -----------------------------------------------------------------------------------


def test_peak_hours_finds_a_planted_evening_peak_and_its_days():
    rng = np.random.default_rng(7)
    base = pd.Timestamp("2026-10-05")  # a Monday
    background = base + pd.to_timedelta(rng.uniform(0, 56 * 1440, 20_000), unit="min")
    share = hourly_share(pd.Series(background))
    # 40 incidents on Friday and Saturday nights 22:00-01:00 (past midnight), 8 at any time
    fri_sat = np.flatnonzero(np.isin(np.arange(56) % 7, [4, 5]))
    days = rng.choice(fri_sat, 40)
    peak = base + pd.to_timedelta(days * 1440 + 22 * 60 + rng.integers(0, 180, 40), unit="min")
    other = base + pd.to_timedelta(rng.integers(0, 56 * 1440, 8), unit="min")
    hours = peak_hours(pd.Series(peak.append(other)), share)
    assert not hours.fallback
    assert set(hours.active) == {22, 23, 0}
    assert [(r.start, r.end, r.presence) for r in hours.rules] == [("22:00", "01:00", "post")]
    assert hours.rules[0].days == (4, 5)  # the 00:xx incidents count for the evening before
    assert hours.text == "fri,sat 22:00-01:00 post"


def test_peak_hours_without_a_peak_visits_the_busiest_three_hours():
    rng = np.random.default_rng(8)
    base = pd.Timestamp("2026-10-05")
    spread = base + pd.to_timedelta(rng.uniform(0, 56 * 1440, 30), unit="min")
    share = np.full(24, 1 / 24)
    hours = peak_hours(pd.Series(spread), share)
    assert hours.fallback
    assert len(hours.active) == 3
    assert all(r.presence == "visit" for r in hours.rules)


# --- zones -----------------------------------------------------------------------------------


def test_zone_assignment_joins_the_near_zone_else_pairs_the_nearest_station_each_side(tmp_path):
    scenario = load_scenario(write_world(tmp_path))
    borders = Borders.from_boundaries(scenario.boundaries)
    sx, sy = borders.to_xy(scenario.stations["lon"].to_numpy(), scenario.stations["lat"].to_numpy())
    hx, hy = borders.to_xy([H1[0]], [H1[1]])
    near_h1 = (hx[0] + 30, hy[0] + 1500)  # 1.5 km up the A|B border: joins Z1
    far_ab = (hx[0] + 30, hy[0] + 9000)  # 9 km up: a new county zone
    ax, ay = borders.to_xy([LON0 + SIDE / 4], [LAT0 + SIDE])  # the A|C (city) border, a quarter in
    spots = pd.DataFrame([
        {"x": near_h1[0], "y": near_h1[1], "tier": "county", "a": "A", "b": "B"},
        {"x": far_ab[0], "y": far_ab[1], "tier": "county", "a": "A", "b": "B"},
        {"x": ax[0], "y": ay[0] - 50, "tier": "city", "a": "A", "b": "C"},
    ])
    zone_xy = pd.DataFrame({"zone_id": ["Z1"], "x": hx, "y": hy})
    choice = assign_zones(spots, stations=scenario.stations, station_xy=np.column_stack([sx, sy]),
                          zones=scenario.zones, zone_hotspot_xy=zone_xy, unit_tier="county", join_m=3000)
    assert choice.zone_id == ("Z1", "ZI01", "ZI02")
    assert choice.joined == (True, False, False)
    z = choice.zones.set_index("zone_id")
    assert z.loc["Z1", "stations"] == "SA2;SB1" and z.loc["Z1", "source"] == "config"
    # the nearest station of A to a point on the A|B border high up is SA2 (east half of A), of B SB1
    assert z.loc["ZI01", "stations"] == "SA2;SB1"
    assert (z.loc["ZI01", "tier"], z.loc["ZI01", "mode"]) == ("county", "staggered")
    # A|C a quarter of the way east: of A's stations (at 0.3 and 0.7 of the width) SA1 is nearer,
    # of C's likewise SC1
    assert z.loc["ZI02", "stations"] == "SA1;SC1"
    assert (z.loc["ZI02", "tier"], z.loc["ZI02", "mode"]) == ("city", "synchronized")


# --- bad input ---------------------------------------------------------------------------------

GOOD = "incident_id,time,lon,lat\nI1,2026-11-02T21:00,116.2,35.3\n"


@pytest.mark.parametrize("name, text, since, expected", [
    ("UnparseableTime.csv", "incident_id,time,lon,lat\nI1,2026-11-02T21:00,116.2,35.3\nI2,yesterday night,116.2,35.3\n",
     None, ["row 3 (incident_id 'I2'), column 'time': 'yesterday night' is not a date and time"]),
    ("MissingCoordinates.csv", "incident_id,time,lon,lat\nI1,2026-11-02T21:00,,35.3\nI2,2026-11-02T22:00,116.2,\n",
     None, ["row 2 (incident_id 'I1'), column 'lon': empty", "row 3 (incident_id 'I2'), column 'lat': empty"]),
    ("OutsideEveryBoundary.csv", "incident_id,time,lon,lat\nI1,2026-11-02T21:00,117.5,35.3\n",
     None, ["row 2 (incident_id 'I1'), column 'lon': (117.500000, 35.300000) lies outside every boundary"]),
    ("Empty.csv", "", None, ["the file is empty"]),
    ("HeaderOnly.csv", "incident_id,time,lon,lat\n", None, ["no incidents"]),
    ("SinceAfterEveryRecord.csv", GOOD, "2026-11-20",
     ["column 'time': no incident on or after --since 2026-11-20 (the latest, row 2, is at 2026-11-02T21:00)"]),
    ("MissingTimeColumn.csv", "incident_id,Time,lon,lat\nI1,2026-11-02T21:00,116.2,35.3\n", None,
     ["missing column 'time' — rename column 'Time' to 'time'"]),
    ("SeveralProblems.csv", "incident_id,time,lon,lat,weight\nI1,2026-13-02T21:00,116.2,35.3,1\n"
                            "I1,2026-11-02T21:00,abc,35.3,-2\n",
     None, ["row 2 (incident_id 'I1'), column 'time'", "row 3 (incident_id 'I1'), column 'incident_id': duplicate id",
            "row 3 (incident_id 'I1'), column 'lon': 'abc' is not a number",
            "row 3 (incident_id 'I1'), column 'weight': '-2' is not a number >= 0"]),
])
def test_bad_incident_files_exit_2_naming_file_row_and_column(tmp_path, capsys, name, text, since, expected):
    config = write_world(tmp_path / "world")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    argv = ["hotspots", str(config), "--incidents", str(path), "--out", str(tmp_path / "out")]
    if since:
        argv += ["--since", since]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert name in err
    for part in expected:
        assert part in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_bad_since_and_a_config_without_boundaries_exit_2(tmp_path, capsys):
    config = write_world(tmp_path / "world")
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["hotspots", str(config), "--incidents", str(path), "--since", "2026-13-01",
                 "--out", str(tmp_path / "out")]) == 2
    assert "--since '2026-13-01': not a date" in capsys.readouterr().err
    text = config.read_text(encoding="utf-8").replace("  boundaries: counties.geojson\n", "")
    config.write_text(text, encoding="utf-8")
    assert main(["hotspots", str(config), "--incidents", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "names no data.boundaries" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_records_only_from_the_planned_week_on_are_refused(tmp_path, capsys):
    config = write_world(tmp_path / "world")
    path = tmp_path / "future.csv"
    path.write_text("incident_id,time,lon,lat\nI1,2026-12-01T21:00,116.2,35.3\n", encoding="utf-8")
    assert main(["hotspots", str(config), "--incidents", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "no incident before the planned week starts (2026-11-30" in capsys.readouterr().err


# --- the command: folder, solve, check ---------------------------------------------------------


def test_hotspots_writes_a_scenario_that_solves_and_checks(planted, tmp_path, capsys):
    _, _, _, incidents, config = planted
    out = tmp_path / "derived"
    assert main(["hotspots", str(config), "--incidents", str(incidents), "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"config.yaml", "hotspots.csv", "zones.csv", "demand.csv", "hotspots.json", "hotspots.png",
            "far_from_borders.csv", "stations.csv", "counties.geojson"} <= names
    figures = json.loads((out / "hotspots.json").read_text(encoding="utf-8"))
    assert figures["hotspots"] == len(pd.read_csv(out / "hotspots.csv"))
    assert main(["validate", str(out / "config.yaml")]) == 0
    run = tmp_path / "run"
    assert main(["solve", str(out / "config.yaml"), "--out", str(run), "--time-limit", "10", "--quiet",
                 "--no-pictures"]) == 0
    assert main(["check", str(out / "config.yaml"), str(run)]) == 0
    # again into its own folder: replaced; into a folder of someone else's: refused
    assert main(["hotspots", str(config), "--incidents", str(incidents), "--out", str(out)]) == 0
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep", encoding="utf-8")
    capsys.readouterr()
    assert main(["hotspots", str(config), "--incidents", str(incidents), "--out", str(foreign)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep"


# --- evaluate on a hand-sized week -------------------------------------------------------------


def test_evaluate_counts_on_a_hand_sized_week(tmp_path, capsys):
    """One team of SA2 on site at H1 08:00-12:00 on Monday (out 07:40, back by 12:20).

    incidents (all inside the four counties, the planned area):
      E1 Mon 09:00 at H1            -> at H1, a team on site              -> covered
      E2 Mon 12:05, 100 m from H1   -> at H1; the team drives back: 5 min driven, 15 left;
                                       turning back costs 5 + 1 (100 m x 1.3 at 30 km/h,
                                       rounded up) = 6 <= 15 -> covered
      E3 Mon 14:00 at H1            -> at H1, nobody on duty              -> not covered
      E4 Mon 09:00, 5 km from H1    -> not at a hotspot (radius 400 m)
      E5 Sun 23:00 the week before  -> not in the week
    incidents = 4, at_hotspots = 3, covered = 2, covered_share = 2/3 = 0.6667;
    PAI = (3 / 4) / (hotspot disc area / planned area) with the disc pi x 400^2 = 502,655 m^2."""
    config = write_world(tmp_path / "world", horizon_days=1)
    run = tmp_path / "run"
    run.mkdir()
    (run / "roster.csv").write_text(
        "shift_id,team_id,station_id,zone_id,hotspot_id,mode,start,end,on_site_start,on_site_end,travel_out_min,"
        "travel_back_min\nSH0001,SA2-T01,SA2,Z1,H1,staggered,2026-11-30T07:40,2026-11-30T12:20,2026-11-30T08:00,"
        "2026-11-30T12:00,20,20\n", encoding="utf-8")
    (run / "summary.json").write_text(json.dumps({"status": "optimal", "versions": {}, "config_path": str(config)}),
                                      encoding="utf-8")
    b = Borders.from_boundaries(boundaries())
    hx, hy = b.to_xy([H1[0]], [H1[1]])
    lon100, lat100 = b.to_lonlat([hx[0] - 100], [hy[0]])
    lon5k, lat5k = b.to_lonlat([hx[0] - 5000], [hy[0]])
    rows = [("E1", "2026-11-30T09:00", H1[0], H1[1]), ("E2", "2026-11-30T12:05", lon100[0], lat100[0]),
            ("E3", "2026-11-30T14:00", H1[0], H1[1]), ("E4", "2026-11-30T09:00", lon5k[0], lat5k[0]),
            ("E5", "2026-11-29T23:00", H1[0], H1[1])]
    path = tmp_path / "week.csv"
    pd.DataFrame(rows, columns=["incident_id", "time", "lon", "lat"]).to_csv(path, index=False)
    assert main(["evaluate", str(run), "--incidents", str(path), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert (got["incidents"], got["at_hotspots"], got["covered"]) == (4, 3, 2)
    assert got["covered_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert got["by_hotspot"] == {"H1": {"incidents": 3, "covered": 2, "covered_share": pytest.approx(0.6667, abs=1e-4)}}
    units = boundaries()
    area_m2 = float(units.to_crs(units.estimate_utm_crs()).area.sum())
    assert got["pai"] == pytest.approx((3 / 4) / (math.pi * 400 ** 2 / area_m2), rel=0.01)
    table = pd.read_csv(run / "evaluation.csv", keep_default_na=False)
    how = dict(zip(table["incident_id"], table["how"]))
    assert how["E1"] == "on site" and how["E2"] == "back, 6 min" and how["E3"] == "" and how["E4"] == ""
    assert {"evaluation.json", "evaluation.csv", "evaluation.png"} <= {p.name for p in run.iterdir()}
    # a second evaluate replaces its own files; a foreign evaluation.csv is never replaced
    assert main(["evaluate", str(run), "--incidents", str(path)]) == 0
    (run / "evaluation.json").unlink()
    assert main(["evaluate", str(run), "--incidents", str(path)]) == 2
    # no incident in the week: exit 2 naming the file and column
    other = tmp_path / "old.csv"
    other.write_text("incident_id,time,lon,lat\nX1,2026-10-01T10:00,116.1,35.1\n", encoding="utf-8")
    (run / "evaluation.csv").unlink()
    (run / "evaluation.png").unlink()
    capsys.readouterr()
    assert main(["evaluate", str(run), "--incidents", str(other)]) == 2
    assert "old.csv: column 'time': no incident in the run's week 2026-11-30" in capsys.readouterr().err
