"""The synthetic-scenario generator: determinism, counts, structure, and that it loads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.spatial import cKDTree

from patrolplan.errors import UsageError
from patrolplan.scenarios.generate import generate_command, generate_scenario

FILES = (
    "config.yaml",
    "stations.csv",
    "hotspots.csv",
    "zones.csv",
    "demand.csv",
    "roads.geojson",
    "boundaries.geojson",
)
SIZE = dict(stations=60, hotspots=50)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return generate_scenario(tmp_path_factory.mktemp("gen") / "a", **SIZE, seed=3)


def _tables(config: Path):
    d = config.parent
    return (
        pd.read_csv(d / "stations.csv", dtype=str),
        pd.read_csv(d / "hotspots.csv", dtype=str),
        pd.read_csv(d / "zones.csv", dtype=str, keep_default_na=False),
    )


def _metres(lonlat: np.ndarray) -> np.ndarray:
    """Local equirectangular metres around lat 35.4 (good to <0.5% over the test region)."""
    lat0 = np.radians(35.4)
    return np.column_stack([lonlat[:, 0] * 111_320 * np.cos(lat0), lonlat[:, 1] * 110_574])


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path, scenario: Path) -> None:
    again = generate_scenario(tmp_path / "b", **SIZE, seed=3)
    other = generate_scenario(tmp_path / "c", **SIZE, seed=4)
    for name in FILES:
        assert (again.parent / name).read_bytes() == (scenario.parent / name).read_bytes(), name
    assert (other.parent / "stations.csv").read_bytes() != (scenario.parent / "stations.csv").read_bytes()
    assert (other.parent / "hotspots.csv").read_bytes() != (scenario.parent / "hotspots.csv").read_bytes()


def test_counts_and_files(scenario: Path) -> None:
    stations, hotspots, zones = _tables(scenario)
    for name in FILES:
        assert (scenario.parent / name).is_file(), name
    assert len(stations) == 60 and stations["station_id"].is_unique
    assert len(hotspots) == 50 and hotspots["hotspot_id"].is_unique
    assert set(hotspots["zone_id"]) == set(zones["zone_id"])
    assert hotspots["zone_id"].value_counts().between(1, 2).all()
    for tier in ("town", "county", "city", "province"):
        assert stations[tier].notna().all()
    assert stations["county"].nunique() >= 2 and stations["city"].nunique() >= 1
    # towns are one per station; every county sits in one city, every city in one province
    assert stations["town"].is_unique
    assert (stations.groupby("county")["city"].nunique() == 1).all()
    assert (stations.groupby("city")["province"].nunique() == 1).all()


def test_zones_span_two_jurisdictions_of_their_tier(scenario: Path) -> None:
    stations, _, zones = _tables(scenario)
    juris = stations.set_index("station_id")
    for zone in zones.itertuples():
        members = zone.stations.split(";")
        assert 2 <= len(members) <= 4 and len(set(members)) == len(members), zone.zone_id
        assert juris.loc[members, zone.tier].nunique() >= 2, zone.zone_id
        if zone.mode == "synchronized":
            assert zone.min_stations == "2"
    assert set(zones["mode"]) == {"synchronized", "staggered"}


def test_every_point_near_a_road_vertex(scenario: Path) -> None:
    stations, hotspots, _ = _tables(scenario)
    roads = json.loads((scenario.parent / "roads.geojson").read_text())
    vertices = np.array([c for f in roads["features"] for c in f["geometry"]["coordinates"]], float)
    assert {f["properties"]["highway"] for f in roads["features"]} >= {"primary", "secondary", "tertiary"}
    assert any("maxspeed" in f["properties"] for f in roads["features"])
    tree = cKDTree(_metres(vertices))
    for table in (stations, hotspots):
        points = _metres(table[["lon", "lat"]].astype(float).to_numpy())
        assert tree.query(points)[0].max() <= 500


def test_road_graph_connected(scenario: Path) -> None:
    import networkx as nx

    roads = json.loads((scenario.parent / "roads.geojson").read_text())
    g = nx.Graph()
    for f in roads["features"]:
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        g.add_edges_from(zip(coords, coords[1:]))
    assert nx.is_connected(g)


def test_coverage_sets_default_demand(tmp_path: Path) -> None:
    full = yaml.safe_load(generate_scenario(tmp_path / "full", stations=12, hotspots=8, coverage=1.0).read_text())
    part = generate_scenario(tmp_path / "part", stations=12, hotspots=8, coverage=0.25)
    assert full["default_demand"] == 1
    assert yaml.safe_load(part.read_text())["default_demand"] == 0
    demand = pd.read_csv(part.parent / "demand.csv", dtype=str, keep_default_na=False)
    nights = demand[demand["zone_id"] != ""]
    assert set(zip(nights["start"], nights["end"])) == {("20:00", "02:00")}


def test_config_rules_and_paths(scenario: Path) -> None:
    config = yaml.safe_load(scenario.read_text())
    assert config["rules"] == {
        "team_size": 2,
        "shift_hours": [4, 8],
        "shift_start_every_minutes": 120,
        "min_rest_hours": 12,
        "max_shifts_per_team": 5,
        "reserve_officers": 0,
    }
    assert config["solver"]["time_limit_seconds"] == 60
    for path in config["data"].values():
        assert (scenario.parent / path).is_file()


def test_officers_cover_the_estimated_load(scenario: Path) -> None:
    stations, _, zones = _tables(scenario)
    officers = stations.set_index("station_id")["officers"].astype(int)
    members = {s for z in zones["stations"] for s in z.split(";")}
    # every zone member has at least two teams (the estimate's + 1 spare)
    assert (officers.loc[sorted(members)] >= 4).all()
    assert officers.min() >= 8


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="coverage"):
        generate_command(tmp_path, stations=10, hotspots=5, days=7, seed=0, coverage=1.5)
    with pytest.raises(UsageError, match="hotspots"):
        generate_command(tmp_path, stations=4, hotspots=500, days=7, seed=0, coverage=0.25)


def test_generated_scenario_loads(scenario: Path) -> None:
    from patrolplan.inputs import io
    loaded = io.load_scenario(scenario)
    assert len(loaded.stations) == 60 and len(loaded.hotspots) == 50
    assert loaded.config.default_demand == 0
