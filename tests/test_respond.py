"""``patrolplan respond`` and the response table on a hand-built world whose answers are known.

The world lies on one parallel (35.00 N); without roads the road time is the straight line
x 1.3 at 30 km/h (500 m a minute), so 0.01 degree of longitude (911 m) is about 2.4 minutes:

    county X: lon 115.90 .. 116.15        county Y: lon 116.15 .. 116.50
    stations  A 116.00 (X)   B 116.10 (X)   C 116.20 (Y)   D 116.40 (Y)
    hotspots  HT 116.05 (town zone ZT: A, B)   HC 116.15 (county zone ZC: A, C)
              HY 116.30 (town zone ZY: C, D)

Roster on Monday: B-T01 on site at HT 08:10-15:50; C-T01 drives out to HC 08:00-08:20 and
stays; D-T01 at HY.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from patrolplan.cli import main
from patrolplan.errors import DataError
from patrolplan.response import Responder
from patrolplan.response.table import hotspot_minutes, response_summary, response_table

BOX = "{{\"type\": \"Feature\", \"properties\": {{\"county\": \"{name}\"}}, \"geometry\": {{\"type\": \"Polygon\", " \
      "\"coordinates\": [[[{a}, 34.9], [{b}, 34.9], [{b}, 35.1], [{a}, 35.1], [{a}, 34.9]]]}}}}"


def _world(folder: Path, *, areas: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stations.csv").write_text(
        "station_id,name,officers,lon,lat,town,county\n"
        "A,A所,6,116.00,35.0,a,X\nB,B所,6,116.10,35.0,b,X\nC,C所,6,116.20,35.0,c,Y\nD,D所,6,116.40,35.0,d,Y\n",
        encoding="utf-8")
    (folder / "hotspots.csv").write_text(
        "hotspot_id,name,zone_id,lon,lat\nHT,town line,ZT,116.05,35.0\nHC,county line,ZC,116.15,35.0\n"
        "HY,town line Y,ZY,116.30,35.0\n", encoding="utf-8")
    (folder / "zones.csv").write_text(
        "zone_id,tier,mode,stations\nZT,town,staggered,A;B\nZC,county,staggered,A;C\nZY,town,staggered,C;D\n",
        encoding="utf-8")
    features = [BOX.format(name="X", a=115.9, b=116.15), BOX.format(name="Y", a=116.15, b=116.5)]
    (folder / "counties.geojson").write_text(
        '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}", encoding="utf-8")
    extra = ""
    if areas:  # D's station area: a box around lon 116.04-116.06 (an enclave, to see the layer win)
        box = BOX.format(name="", a=116.04, b=116.06).replace('"county": ""', '"station_id": "D"')
        (folder / "areas.geojson").write_text('{"type": "FeatureCollection", "features": [' + box + "]}",
                                              encoding="utf-8")
        extra = "  station_areas: areas.geojson\n"
    (folder / "config.yaml").write_text(
        "name: world\nweek_start: 2026-11-30\nhorizon_days: 1\ndefault_demand: 0\n"
        "data:\n  stations: stations.csv\n  hotspots: hotspots.csv\n  zones: zones.csv\n"
        "  boundaries: counties.geojson\n" + extra +
        "rules:\n  shift_start_every_minutes: 60\n", encoding="utf-8")
    run = folder / "run"
    run.mkdir()
    rows = [("SH0001", "B-T01", "B", "ZT", "HT", "2026-11-30T08:00", "2026-11-30T16:00", "2026-11-30T08:10",
             "2026-11-30T15:50", 10, 10),
            ("SH0002", "C-T01", "C", "ZC", "HC", "2026-11-30T08:00", "2026-11-30T16:00", "2026-11-30T08:20",
             "2026-11-30T15:40", 20, 20),
            ("SH0003", "D-T01", "D", "ZY", "HY", "2026-11-30T08:00", "2026-11-30T16:00", "2026-11-30T08:30",
             "2026-11-30T15:30", 30, 30)]
    pd.DataFrame(rows, columns=["shift_id", "team_id", "station_id", "zone_id", "hotspot_id", "start", "end",
                                "on_site_start", "on_site_end", "travel_out_min", "travel_back_min"]).assign(
        mode="staggered").to_csv(run / "roster.csv", index=False)
    (run / "summary.json").write_text(json.dumps({"status": "optimal", "config_path": str(folder / "config.yaml")}))
    return run


@pytest.fixture()
def world(tmp_path):
    return _world(tmp_path / "w")


def test_the_tiers_and_the_nearer_station_hand_off(world):
    """At lon 116.045 (county X) at 10:00: A is the nearest station of X (0.045 deg, 11 min);
    B's team on site at HT (0.005 deg, 2 min) is nearer: the hand-off puts it in tier 1.
    Tier 2: B (town zone ZT with A). Tier 3: C (county zone ZC with A): its team at HC."""
    answer = Responder.load(world).answer(lon=116.045, lat=35.0, time="2026-11-30T10:00")
    assert (answer.tier1_station, answer.county, answer.tier1_rule) == ("A", "X", "nearest_in_county")
    assert "nearest station by road within the point's county X" in answer.note
    df = answer.to_frame()
    got = [(r.tier, r.kind, r.team_id or r.station_id, r.handoff) for r in df.itertuples()]
    assert got == [(1, "team", "B-T01", True), (1, "station", "A", False), (2, "station", "B", False),
                   (3, "team", "C-T01", False), (3, "station", "C", False)]
    minutes = dict(zip(df["team_id"].where(df["kind"] == "team", df["station_id"]), df["minutes"]))
    assert minutes["B-T01"] == 2 and minutes["A"] == 11 and minutes["B"] == 14
    assert minutes["C-T01"] == 25  # on site at HC, 0.105 deg away
    assert df.loc[df["station_id"] == "B", "officers_on_call"].tolist() == [0, 4]  # 6 officers, one team out
    assert "D" not in set(df["station_id"])  # no zone with A, and not nearer


def test_a_team_on_the_road_takes_the_better_end_of_its_leg(world):
    """08:05: C-T01 has driven 5 of its 20 minutes from C to HC. Turning back costs 5 + C's
    minutes; driving on costs 15 + HC's: the smaller counts."""
    r = Responder.load(world)
    a = r.answer(lon=116.045, lat=35.0, time="2026-11-30T08:05").to_frame()
    row = a[a["team_id"] == "C-T01"].iloc[0]
    assert row["state"] == "out" and "on the road to HC" in row["where"]
    assert row["minutes"] == min(15 + 25, 5 + 37)


def test_at_a_hotspot_and_the_json_answer(world, capsys):
    code = main(["respond", str(world), "--hotspot", "HC", "--time", "2026-11-30T12:00", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hotspot_id"] == "HC" and out["tier1_station"] in ("A", "B", "C")
    first = [r for r in out["responders"] if r["tier"] == 1]
    assert first[0]["team_id"] == "C-T01" and first[0]["minutes"] == 0
    assert main(["respond", str(world), "--at", "116.045,35.0", "--time", "2026-11-30T10:00"]) == 0
    text = capsys.readouterr().out
    assert "Tier 1" in text and "[nearer-station hand-off]" in text and "Tier 3" in text


def test_a_station_area_layer_decides_tier_one(tmp_path):
    run = _world(tmp_path / "w", areas=True)
    answer = Responder.load(run).answer(lon=116.045, lat=35.0, time="2026-11-30T10:00")
    assert (answer.tier1_station, answer.tier1_rule) == ("D", "station_area")
    # outside the areas: back to the nearest station of the county, and said so
    other = Responder.load(run).answer(lon=116.12, lat=35.0, time="2026-11-30T10:00")
    assert other.tier1_station == "B" and "no station area holds the point" in other.note


@pytest.mark.parametrize("args, words", [
    (["--at", "117.5,35.0", "--time", "2026-11-30T10:00"], "outside every boundary"),
    (["--at", "116.0,35.0", "--time", "2026-12-01T00:00"], "outside the planned week"),
    (["--at", "116.0,35.0", "--time", "yesterday"], "not a date and time"),
    (["--hotspot", "NOPE", "--time", "2026-11-30T10:00"], "no such hotspot"),
    (["--at", "116.0", "--time", "2026-11-30T10:00"], "LON,LAT"),
])
def test_bad_input_exits_2(world, capsys, args, words):
    assert main(["respond", str(world), *args]) == 2
    assert words in capsys.readouterr().err


def test_a_run_folder_without_roster_exits_2(world, capsys):
    (world / "roster.csv").unlink()
    assert main(["respond", str(world), "--hotspot", "HT", "--time", "2026-11-30T10:00"]) == 2
    assert "no roster.csv" in capsys.readouterr().err


def test_the_response_table_counts_first_second_and_backup(world):
    """At 10:00 HT has B-T01 on site (0); the second team is C-T01 at HC (0.10 deg: 24 min),
    of another station: also the backup. HY's team is D's; HC's C's."""
    r = Responder.load(world)
    sc = r.scenario
    coverage = pd.DataFrame({"hotspot_id": ["HT", "HY"], "slot_start": ["2026-11-30T10:00", "2026-11-30T10:00"]})
    hop = hotspot_minutes(sc)
    assert hop[1, 0] == 24 and hop[2, 0] == 60
    table = response_table(sc, r.roster.astype({"start": str}), coverage, None, hop)
    ht = table.iloc[0]
    assert (ht["first_min"], ht["first_team"], ht["second_min"], ht["second_team"]) == (0, "B-T01", 24, "C-T01")
    assert (ht["backup_min"], ht["backup_station"]) == (24, "C")
    hy = table.iloc[1]
    assert (hy["first_min"], hy["first_team"], hy["backup_team"]) == (0, "D-T01", "C-T01")
    s = response_summary(table, sc.config)
    assert s["first_within_share"] == 1.0 and s["backup_within_share"] == 0.5 and s["hotspot_hours_without_second"] == 1


def test_the_worst_hours_picture_orders_and_draws():
    from matplotlib.figure import Figure

    from patrolplan.outputs.plotting import plot_response, worst_response

    r = pd.DataFrame({"hotspot_id": ["H1", "H1", "H2", "H3"],
                      "slot_start": ["2026-11-30T01:00", "2026-11-30T02:00", "2026-11-30T01:00", "2026-11-30T01:00"],
                      "first_min": [0, 0, 0, 5], "second_min": [9, 9, None, 20], "backup_min": [40, 40, None, 20]})
    worst = worst_response(r)
    assert worst["hotspot_id"].tolist() == ["H2", "H1", "H3"]  # none in reach, then 40 min, then 20
    assert worst["hours"].tolist() == [1, 2, 1]
    ax = plot_response(r, ax=Figure().add_subplot(), first_minutes=15, backup_minutes=30)
    assert len(ax.patches) == 9 and len(ax.get_yticklabels()) == 3


def test_the_incident_map_draws_each_responder_and_its_route(world):
    from matplotlib.figure import Figure

    from patrolplan.outputs.plotting import plot_incident

    r = Responder.load(world)
    answer = r.answer(lon=116.045, lat=35.0, time="2026-11-30T08:05")
    df = answer.to_frame()
    # C-T01 drives on to HC (15 + 25 < 5 + 37): it is drawn from HC
    c = df[df["team_id"] == "C-T01"].iloc[0]
    assert (c["from_lon"], c["from_lat"]) == (116.15, 35.0)
    routes = r.routes(answer)
    assert len(routes) == len(df) and routes[0][-1] == (116.045, 35.0)
    ax = plot_incident(df, routes, point=(answer.lon, answer.lat), ax=Figure().add_subplot())
    assert len(ax.lines) == 2 * len(df) + 1


def test_a_station_area_layer_without_station_id_exits_2(tmp_path, capsys):
    run = _world(tmp_path / "w", areas=True)
    areas = tmp_path / "w" / "areas.geojson"
    areas.write_text(areas.read_text().replace("station_id", "sid"))
    assert main(["respond", str(run), "--hotspot", "HT", "--time", "2026-11-30T10:00"]) == 2
    assert "no column 'station_id'" in capsys.readouterr().err


def test_a_missing_station_area_file_exits_2(tmp_path, capsys):
    run = _world(tmp_path / "w", areas=True)
    (tmp_path / "w" / "areas.geojson").unlink()
    assert main(["respond", str(run), "--hotspot", "HT", "--time", "2026-11-30T10:00"]) == 2
    assert "data.station_areas: no such file" in capsys.readouterr().err


def test_validate_reads_the_station_area_layer_too(tmp_path, capsys):
    run = _world(tmp_path / "w", areas=True)
    config = str(tmp_path / "w" / "config.yaml")
    assert main(["validate", config]) == 0
    areas = tmp_path / "w" / "areas.geojson"
    areas.write_text(areas.read_text().replace('"station_id": "D"', '"station_id": "NOPE"'))
    assert main(["validate", config]) == 2
    err = capsys.readouterr().err
    assert "areas.geojson: row 2 (station_id 'NOPE'), column 'station_id'" in err
    assert run.is_dir()
