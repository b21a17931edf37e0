"""Reading and validating the inputs: io.load_scenario, io.read_*, validate.validate_*."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from patrolplan.inputs.config import load_config
from patrolplan.errors import DataError
from patrolplan.inputs.io import load_scenario, read_lines, read_points, read_polygons, read_table
from patrolplan.inputs.validate import (
    validate_availability,
    validate_demand,
    validate_hotspots,
    validate_stations,
    validate_zones,
)

BAD_INPUTS = Path(__file__).parent / "data" / "bad_inputs"
DEFECTS = sorted(p.name for p in BAD_INPUTS.iterdir() if p.is_dir())
TINY = Path(__file__).parent / "data" / "tiny"


def _expected(defect: str) -> list[str]:
    text = (BAD_INPUTS / defect / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


# --- one folder per defect -----------------------------------------------------------------


@pytest.mark.parametrize("defect", DEFECTS)
def test_bad_input_is_reported(defect):
    with pytest.raises(DataError) as info:
        load_scenario(BAD_INPUTS / defect / "config.yaml")
    message = str(info.value)
    for words in _expected(defect):
        assert words in message, f"{defect}: {words!r} not in:\n{message}"
    assert "Traceback" not in message


def _cli_main():
    return importlib.import_module("patrolplan.cli").main


@pytest.mark.parametrize("defect", DEFECTS)
def test_validate_command_exits_2(defect, capsys):
    main = _cli_main()
    assert main(["validate", str(BAD_INPUTS / defect / "config.yaml")]) == 2


def test_every_bad_input_folder_is_complete():
    assert len(DEFECTS) >= 15
    for defect in DEFECTS:
        assert (BAD_INPUTS / defect / "config.yaml").is_file(), defect
        assert _expected(defect), f"{defect}/expected.txt is empty"


# --- the bundled scenarios -----------------------------------------------------------------


def test_tiny_scenario_loads_with_normalised_columns(tiny_config_path):
    s = load_scenario(tiny_config_path)
    assert s.config_path == tiny_config_path.resolve()
    assert list(s.stations["station_id"]) == ["S1", "S2", "S3"]
    assert list(s.stations["officers"]) == [8, 8, 6]
    assert list(s.stations["reserve_officers"]) == [0, 0, 0]
    assert list(s.stations["county"]) == ["CountyA", "CountyB", "CountyB"]
    assert s.stations["lon"].dtype == float and s.stations["lat"].dtype == float
    assert list(s.hotspots["zone_id"]) == ["Z1", "Z1", "Z2", "Z2"]
    assert list(s.hotspots["risk"]) == [2.0, 1.0, 1.0, 1.0]
    zones = s.zones.set_index("zone_id")
    assert zones.loc["Z1", "members"] == ("S1", "S2")
    assert zones.loc["Z1", "mode"] == "synchronized"
    assert zones.loc["Z2", "mode"] == "staggered"
    assert list(s.zones["min_stations"]) == [2, 2]
    assert list(s.demand["zone_id"]) == ["", "", "Z2"]
    assert list(s.demand["hotspot_id"]) == ["H1", "H3", ""]
    assert list(s.demand["teams"]) == [2, 1, 1]
    assert s.availability is None and s.roads is None and s.boundaries is None
    assert s.teams_per_station() == {"S1": 4, "S2": 4, "S3": 3}
    assert list(s.stations.index) == [0, 1, 2]


def test_example_scenario_loads(example_config_path):
    s = load_scenario(example_config_path)
    assert len(s.stations) == 6 and set(s.stations["county"]) == {"嘉祥县", "任城区"}
    assert set(s.zones["mode"]) == {"synchronized", "staggered"}
    assert s.roads.crs.to_epsg() == 4326
    assert set(s.roads.geom_type) <= {"LineString", "MultiLineString"}
    assert "highway" in s.roads.columns
    assert s.boundaries is not None and len(s.boundaries) == 2
    assert s.availability.loc[0, "date"] == dt.date(2026, 12, 3)
    assert s.stations["lon"].between(116.3, 116.9).all()
    assert s.stations["lat"].between(35.2, 35.6).all()
    # every synchronized zone spans both counties
    county = dict(zip(s.stations["station_id"], s.stations["county"]))
    for _, zone in s.zones[s.zones["mode"] == "synchronized"].iterrows():
        assert len({county[m] for m in zone["members"]}) == 2


def test_example_points_are_near_a_road_vertex(example_config_path):
    s = load_scenario(example_config_path)
    vertices = gpd.GeoSeries(
        [Point(c) for g in s.roads.geometry for c in g.coords], crs=4326
    ).to_crs(32650)
    for table in (s.stations, s.hotspots):
        points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=4326).to_crs(32650)
        for p in points:
            assert vertices.distance(p).min() < 500


def test_load_scenario_accepts_a_config(tiny_config_path):
    config = load_config(tiny_config_path)
    s = load_scenario(config)
    assert s.config is config and s.config_path is None
    assert len(s.hotspots) == 4


# --- every problem is reported -------------------------------------------------------------


def _copy_tiny(tmp_path: Path) -> Path:
    for f in TINY.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / "config.yaml"


def test_several_problems_in_one_file_are_all_reported(tmp_path):
    config = _copy_tiny(tmp_path)
    (tmp_path / "stations.csv").write_text(
        "station_id,name,officers,lon,lat,county\n"
        "S1,West,-3,116.40,35.40,A\n"
        "S2,North,8.5,216.48,35.45,B\n"
        "S3,East,6,116.55,,B\n"
        "S1,Copy,6,116.55,35.39,B\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_scenario(config)
    problems = info.value.problems
    text = "\n".join(problems)
    assert "row 2 (station_id 'S1'), column 'officers': -3" in text
    assert "row 3 (station_id 'S2'), column 'officers': '8.5' is not a whole number" in text
    assert "row 3 (station_id 'S2'), column 'lon'" in text
    assert "row 4 (station_id 'S3'), column 'lat': empty" in text
    assert "row 5 (station_id 'S1'), column 'station_id': duplicate id 'S1', also on row 2" in text
    assert len(problems) == 5
    assert all("stations.csv: row " in p for p in problems)
    assert f"{len(problems)} problems" in str(info.value)


def test_problems_across_files_are_all_reported(tmp_path):
    config = _copy_tiny(tmp_path)
    (tmp_path / "zones.csv").write_text(
        "zone_id,tier,mode,stations\nZ1,county,sync,S1;S2\nZ2,town,staggered,S2;S9\n",
        encoding="utf-8",
    )
    (tmp_path / "demand.csv").write_text(
        "hotspot_id,zone_id,days,start,end,teams\nH1,,mon-sun,20:00,2am,2\nH8,,someday,20:00,02:00,1\n",
        encoding="utf-8",
    )
    text = config.read_text(encoding="utf-8").replace(
        "  demand: demand.csv", "  demand: demand.csv\n  availability: missing.csv"
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_scenario(config)
    text = str(info.value)
    for words in [
        "zones.csv: row 2 (zone_id 'Z1'), column 'mode': 'sync' is not a mode — did you mean 'synchronized'?",
        "zones.csv: row 3 (zone_id 'Z2'), column 'stations': unknown station 'S9'",
        "demand.csv: row 2, column 'end': '2am' is not a time HH:MM",
        "demand.csv: row 3, column 'hotspot_id': unknown hotspot 'H8'",
        "demand.csv: row 3, column 'days'",
        "data.availability: no such file",
        "missing.csv",
    ]:
        assert words in text
    assert len(info.value.problems) == 6


def test_message_form(tmp_path):
    df = pd.DataFrame({"station_id": ["S1"], "officers": ["x"], "lon": ["116"], "lat": ["35"]})
    with pytest.raises(DataError) as info:
        validate_stations(df, source="stations.csv")
    assert info.value.problems == [
        "stations.csv: row 2 (station_id 'S1'), column 'officers': 'x' is not a whole number"
        " — give the number of officers as a whole number, e.g. 2"
    ]


def test_blank_lines_keep_row_numbers(tmp_path):
    config = _copy_tiny(tmp_path)
    (tmp_path / "hotspots.csv").write_text(
        "hotspot_id,name,zone_id,lon,lat\n"
        "H1,a,Z1,116.44,35.43\n"
        "\n"
        ",,,,\n"
        "H2,b,Z1,116.45,north\n"
        "H3,c,Z2,116.52,35.42\n"
        "H4,d,Z2,116.52,35.39\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_scenario(config)
    assert "hotspots.csv: row 5 (hotspot_id 'H2'), column 'lat': 'north' is not a number" in str(info.value)


# --- readers -------------------------------------------------------------------------------


def test_read_points_csv_with_bom_and_extra_columns(tmp_path):
    path = tmp_path / "stations.csv"
    path.write_bytes("station_id,officers,lon,lat,备注\nS1,8,116.4,35.4,甲\n".encode("utf-8-sig"))
    df = read_points(path, kind="station", id_column="station_id")
    assert list(df.columns) == ["station_id", "officers", "lon", "lat", "备注"]
    assert df.loc[0, "lon"] == 116.4 and df.loc[0, "备注"] == "甲"
    assert df.loc[0, "officers"] == "8"  # text until validated


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_read_points_vector_files_are_reprojected(tmp_path, suffix):
    gdf = gpd.GeoDataFrame(
        {"station_id": ["S1", "S2"], "officers": [8, 6]},
        # a one-point MultiPoint counts as a point (Shapefiles hold one geometry type)
        geometry=[Point(116.4, 35.4), Point(116.5, 35.45) if suffix == ".shp" else MultiPoint([(116.5, 35.45)])],
        crs=4326,
    ).to_crs(3857)
    path = tmp_path / f"stations{suffix}"
    gdf.to_file(path, engine="pyogrio")
    df = read_points(path, kind="station", id_column="station_id")
    assert "geometry" not in df.columns
    assert df["lon"].tolist() == pytest.approx([116.4, 116.5])
    assert df["lat"].tolist() == pytest.approx([35.4, 35.45])
    assert df["officers"].tolist() == ["8", "6"]


def test_read_points_reports_non_point_geometry(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"hotspot_id": ["H1", "H2"]},
        geometry=[Point(116.4, 35.4), LineString([(116.4, 35.4), (116.5, 35.5)])],
        crs=4326,
    )
    path = tmp_path / "hotspots.gpkg"
    gdf.to_file(path, engine="pyogrio")
    with pytest.raises(DataError, match=r"hotspots.gpkg: row 2 \(hotspot_id 'H2'\): geometry is a LineString"):
        read_points(path, kind="hotspot", id_column="hotspot_id")


def test_read_points_reports_bad_lonlat(tmp_path):
    path = tmp_path / "hotspots.csv"
    path.write_text("hotspot_id,lon,lat\nH1,35.4,116.4\nH2,,35\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_points(path, kind="hotspot", id_column="hotspot_id")
    text = str(info.value)
    assert "row 2 (hotspot_id 'H1'), column 'lat': 116.4 is outside -90..90" in text
    assert "row 3 (hotspot_id 'H2'), column 'lon': empty" in text


def test_read_lines_reprojects_and_rejects_points(tmp_path):
    roads = gpd.GeoDataFrame(
        {"highway": ["primary"]}, geometry=[LineString([(116.4, 35.4), (116.5, 35.4)])], crs=4326
    ).to_crs(32650)
    path = tmp_path / "roads.gpkg"
    roads.to_file(path, engine="pyogrio")
    out = read_lines(path)
    assert out.crs.to_epsg() == 4326
    assert out.geometry[0].coords[0] == pytest.approx((116.4, 35.4))
    bad = tmp_path / "bad_roads.geojson"
    gpd.GeoDataFrame(geometry=[Point(0, 0), Point(1, 1)], crs=4326).to_file(bad, engine="pyogrio")
    with pytest.raises(DataError, match=r"bad_roads.geojson: row 1, 2: geometry is a Point"):
        read_lines(bad)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_read_lines_without_crs_in_metres_is_reported(tmp_path):
    path = tmp_path / "roads.shp"
    gpd.GeoDataFrame(geometry=[LineString([(500000, 3900000), (510000, 3900000)])]).to_file(path, engine="pyogrio")
    with pytest.raises(DataError, match="not WGS84 degrees"):
        read_lines(path)


def test_read_polygons(tmp_path):
    path = tmp_path / "counties.geojson"
    gpd.GeoDataFrame(
        {"county": ["A"]}, geometry=[Polygon([(116, 35), (117, 35), (117, 36)])], crs=4326
    ).to_file(path, engine="pyogrio")
    assert read_polygons(path)["county"].tolist() == ["A"]


def test_read_table_other_formats(tmp_path):
    path = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame(
        {"zone_id": ["Z1"], "tier": ["county"], "mode": ["staggered"], "stations": ["S1;S2"], "min_stations": [2]},
        geometry=[Polygon([(116, 35), (117, 35), (117, 36)])],
        crs=4326,
    ).to_file(path, engine="pyogrio")
    df = read_table(path)
    assert df.to_dict("records") == [
        {"zone_id": "Z1", "tier": "county", "mode": "staggered", "stations": "S1;S2", "min_stations": "2"}
    ]
    zones = validate_zones(df, source="zones.gpkg", first_row=1)
    assert zones.loc[0, "members"] == ("S1", "S2")


# --- validators on plain tables -------------------------------------------------------------


def test_validate_stations_defaults():
    df = pd.DataFrame(
        {"station_id": ["S1", "S2"], "officers": ["8", "6.0"], "lon": ["116.4", "116.5"], "lat": ["35.4", "35.5"],
         "reserve_officers": ["", "1"], "phone": ["110", ""]}
    )
    out = validate_stations(df, source="s.csv", reserve_officers=2)
    assert out["name"].tolist() == ["S1", "S2"]
    assert out["officers"].tolist() == [8, 6]
    assert out["reserve_officers"].tolist() == [2, 1]
    assert out["town"].tolist() == ["", ""]
    assert out["phone"].tolist() == ["110", ""]


def test_validate_zones_min_stations_default_and_tier_case():
    df = pd.DataFrame(
        {"zone_id": ["Z1", "Z2"], "tier": ["County", "town"], "mode": ["SYNCHRONIZED", "staggered"],
         "stations": ["S1; S2 ;S3;", "S3"]}
    )
    out = validate_zones(df, source="z.csv", station_ids={"S1", "S2", "S3"}, synchronized_min_stations=3)
    assert out["tier"].tolist() == ["county", "town"]
    assert out["mode"].tolist() == ["synchronized", "staggered"]
    assert out["members"].tolist() == [("S1", "S2", "S3"), ("S3",)]
    assert out["min_stations"].tolist() == [3, 3]  # a staggered zone of one member is fine


def test_validate_demand_normalises_times():
    df = pd.DataFrame(
        {"zone_id": ["Z1", "Z2"], "days": ["Mon - Fri", "2026-12-24"], "start": ["8:00", "20:00"],
         "end": ["24:00", "02:00:00"], "teams": ["1", "0"]}
    )
    out = validate_demand(df, source="d.csv", zone_ids={"Z1", "Z2"}, hotspot_ids=set())
    assert out["start"].tolist() == ["08:00", "20:00"]
    assert out["end"].tolist() == ["24:00", "02:00"]
    assert out["hotspot_id"].tolist() == ["", ""]
    assert out["teams"].tolist() == [1, 0]


def test_validate_hotspots_risk_default():
    df = pd.DataFrame({"hotspot_id": ["H1"], "zone_id": ["Z1"], "lon": ["116"], "lat": ["35"]})
    out = validate_hotspots(df, source="h.csv", zone_ids={"Z1"})
    assert out["risk"].tolist() == [1.0] and out["name"].tolist() == ["H1"]


def test_validate_availability_dates():
    df = pd.DataFrame({"station_id": ["S1"], "date": ["2026-12-03"], "officers": ["4"]})
    out = validate_availability(df, source="a.csv", station_ids={"S1"})
    assert out.loc[0, "date"] == dt.date(2026, 12, 3) and out.loc[0, "officers"] == 4
    with pytest.raises(DataError, match="'2026-12-3' is not a date YYYY-MM-DD"):
        validate_availability(df.assign(date=["2026-12-3"]), source="a.csv")


def test_unknown_reference_suggests_a_close_id():
    df = pd.DataFrame({"hotspot_id": ["H1"], "zone_id": ["Z01"], "lon": ["116"], "lat": ["35"]})
    with pytest.raises(DataError, match=r"unknown zone 'Z01' \(did you mean 'Z1'\?\)"):
        validate_hotspots(df, source="h.csv", zone_ids={"Z1", "Z2"})


def test_a_missing_column_does_not_hide_other_problems():
    df = pd.DataFrame({"station_id": ["S1", "S1"], "lon": ["116.4", "east"], "lat": ["35.4", "35.5"]})
    with pytest.raises(DataError) as info:
        validate_stations(df, source="stations.csv")
    assert [p.split(" — ")[0] for p in info.value.problems] == [
        "stations.csv: missing column 'officers'",
        "stations.csv: row 3 (station_id 'S1'), column 'station_id': duplicate id 'S1', also on row 2",
        "stations.csv: row 3 (station_id 'S1'), column 'lon': 'east' is not a number",
    ]
