"""The shipped Jining scenario: sizes, tiers, members, road access, and that it loads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
import geopandas as gpd

from patrolplan.scenarios import jining

DATA = jining.data_path()


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(DATA / f"{name}.csv", dtype={"hotspot_id": str, "zone_id": str})
            for name in ("stations", "hotspots", "zones", "demand")}


def test_all_files_are_shipped_and_small():
    for name in jining.DATA_FILES:
        assert (DATA / name).is_file(), name
    assert sum((DATA / n).stat().st_size for n in jining.DATA_FILES) < 3_000_000


def test_sizes(tables):
    st, hs, zones = tables["stations"], tables["hotspots"], tables["zones"]
    assert len(st) >= 140 and st["station_id"].is_unique
    assert len(hs) >= 100 and hs["hotspot_id"].is_unique
    tiers = set(zones["tier"])
    assert {"town", "county"} <= tiers and tiers & {"city", "province"}
    assert st["note"].str.contains("ILLUSTRATIVE").all()
    assert (st["city"] == "济宁市").all() and (st["province"] == "山东省").all()
    assert st["name"].str.endswith("派出所").all()


def test_zones_members_and_hotspots(tables):
    st, hs, zones = tables["stations"], tables["hotspots"], tables["zones"]
    ids = set(st["station_id"])
    for _, z in zones.iterrows():
        members = z["stations"].split(";")
        assert 2 <= len(members) <= 4 and set(members) <= ids, z["zone_id"]
        assert z["max_travel_min"] <= 60, z["zone_id"]
        assert z["mode"] == ("synchronized" if z["tier"] in ("city", "province") else "staggered")
    per_zone = hs.groupby("zone_id").size()
    assert set(per_zone.index) == set(zones["zone_id"])
    assert per_zone.between(1, 3).all()
    assert set(tables["demand"]["zone_id"]) <= set(zones["zone_id"])


def test_county_zones_span_two_counties(tables):
    county = dict(zip(tables["stations"]["station_id"], tables["stations"]["county"]))
    for members in tables["zones"].loc[tables["zones"]["tier"] == "county", "stations"]:
        assert len({county[s] for s in members.split(";")}) >= 2


def test_every_point_is_within_2km_of_a_road_vertex(tables):
    roads = gpd.read_file(DATA / "roads.geojson").to_crs(jining.METRIC_CRS)
    vertices = shapely.points(np.unique(shapely.get_coordinates(roads.geometry.to_numpy()), axis=0))
    tree = shapely.STRtree(vertices)
    for name in ("stations", "hotspots"):
        t = tables[name]
        pts = gpd.GeoSeries(gpd.points_from_xy(t["lon"], t["lat"]), crs=4326).to_crs(jining.METRIC_CRS)
        _, dist = tree.query_nearest(pts.to_numpy(), return_distance=True)
        assert dist.max() <= 2_000, name


def test_manpower_covers_the_demand_twice(tables):
    """Team-hours available (5 shifts x 8 h) against a generous need: 14 team-hours per
    demand team and night (covering 20:00-02:00 takes an 8 h and a 4 h shift, plus slack)."""
    st, zones = tables["stations"], tables["zones"]
    capacity_h = (st["officers"] // 2).sum() * 5 * 8
    n_hot = tables["hotspots"].groupby("zone_id").size()
    need_h = 0.0
    for _, z in zones.iterrows():
        teams = 2 if z["mode"] == "synchronized" else 1
        need_h += n_hot[z["zone_id"]] * teams * 7 * 14
    assert capacity_h >= 2 * need_h


def test_written_scenario_loads(tmp_path):
    config_path = jining.write_scenario(tmp_path, time_limit_s=5)
    assert config_path == tmp_path / "config.yaml"
    for name in jining.DATA_FILES:
        assert (tmp_path / name).is_file()
    from patrolplan.inputs.config import load_config

    config = load_config(config_path)
    assert config.name == "jining-demo" and str(config.week_start) == "2026-11-30"
    assert config.data.prefectures == (tmp_path / "prefectures.geojson").resolve()
    assert config.solver.time_limit_seconds == 5
    from patrolplan.inputs import io

    scenario = io.load_scenario(config_path)
    assert len(scenario.stations) >= 140 and len(scenario.hotspots) >= 100


def test_build_is_deterministic_and_matches_the_shipped_tables(tables):
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "shared" / "data" / "jining"  # beside the checkout
    if not source.is_dir():
        pytest.skip("shared source data not available")
    built = jining.build_tables(
        gpd.read_file(DATA / "counties.geojson"),
        gpd.read_file(DATA / "prefectures.geojson"),
        gpd.read_file(source / "roads.geojson"),
        pd.read_csv(source / "townships.csv", dtype=str),
    )
    assert list(built.stations["station_id"]) == list(tables["stations"]["station_id"])
    assert list(built.zones["stations"]) == list(tables["zones"]["stations"])
