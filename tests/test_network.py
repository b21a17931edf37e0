"""network.py: road graph, speeds, one-ways, snapping, travel minutes and their errors."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from shapely.geometry import LineString, MultiLineString, Point

from patrolplan.inputs.config import config_from_dict
from patrolplan.errors import DataError
from patrolplan.inputs.network import (
    UNREACHABLE_MIN,
    RoadGraph,
    Travel,
    _ceil_min,
    parse_maxspeed,
    road_graph,
    travel_times,
)
from patrolplan.inputs.scenario import Scenario

# the shared data beside the checkout, or the package's cut of the same roads
_SHARED_ROADS = Path(__file__).resolve().parents[2] / "shared" / "data" / "jining" / "roads.geojson"
_PACKAGE_ROADS = Path(__file__).resolve().parents[1] / "src" / "patrolplan" / "data" / "jining" / "roads.geojson"
JINING_ROADS = _SHARED_ROADS if _SHARED_ROADS.is_file() else _PACKAGE_ROADS
GEOD = pyproj.Geod(ellps="WGS84")
LON0, LAT0 = 116.5, 35.4
SPEEDS = {"motorway": 90, "primary": 60, "secondary": 50, "default": 30}


def P(dx: float, dy: float) -> tuple[float, float]:
    """A point offset from (LON0, LAT0) by degrees."""
    return (LON0 + dx, LAT0 + dy)


def geod_m(a, b) -> float:
    return abs(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def drive_min(a, b, speed_kmh: float) -> float:
    return geod_m(a, b) / (speed_kmh * 1000 / 60)


def roads(lines, **columns) -> gpd.GeoDataFrame:
    geoms = [LineString(ln) if not hasattr(ln, "geom_type") else ln for ln in lines]
    return gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:4326")


def road_min(graph: RoadGraph, a, b) -> float:
    """Road minutes between the vertices at points a and b."""
    (va,), _ = graph.snap(*a)
    (vb,), _ = graph.snap(*b)
    return float(graph.road_minutes([va], [vb])[0, 0])


def scenario(tmp_path, stations, hotspots, zones, roads_gdf=None, **travel) -> Scenario:
    cfg = config_from_dict(
        {
            "name": "t",
            "week_start": "2026-11-30",
            "data": {"stations": "stations.csv", "hotspots": "hotspots.csv", "zones": "zones.csv"},
            "travel": {"speeds_kmh": SPEEDS, **travel},
        },
        base_dir=tmp_path,
    )
    st = pd.DataFrame(
        [{"station_id": sid, "name": sid, "officers": 4, "lon": x, "lat": y} for sid, (x, y) in stations.items()]
    )
    hs = pd.DataFrame(
        [
            {"hotspot_id": hid, "name": hid, "zone_id": z, "lon": x, "lat": y, "risk": 1.0}
            for hid, (z, (x, y)) in hotspots.items()
        ]
    )
    zs = pd.DataFrame(
        [
            {"zone_id": z, "tier": "county", "mode": "staggered", "stations": ";".join(m), "members": tuple(m),
             "min_stations": 2}
            for z, m in zones.items()
        ]
    )
    return Scenario(config=cfg, config_path=None, stations=st, hotspots=hs, zones=zs, roads=roads_gdf)


# --- topology --------------------------------------------------------------------------------


def test_lines_sharing_a_mid_vertex_connect():
    # east-west line through P(0.01, 0) and a north-south line whose middle vertex is the same point
    g = RoadGraph.from_lines(
        roads([[P(0, 0), P(0.01, 0), P(0.02, 0)], [P(0.01, -0.01), P(0.01, 0), P(0.01, 0.01)]]),
        speeds_kmh=SPEEDS,
    )
    assert g.n_vertices == 5
    expected = drive_min(P(0, 0), P(0.01, 0), 30) + drive_min(P(0.01, 0), P(0.01, 0.01), 30)
    assert road_min(g, P(0, 0), P(0.01, 0.01)) == pytest.approx(expected, rel=1e-12)


def test_lines_crossing_without_shared_vertex_do_not_connect():
    g = RoadGraph.from_lines(
        roads([[P(0, 0), P(0.02, 0)], [P(0.01, -0.01), P(0.01, 0.01)]]), speeds_kmh=SPEEDS
    )
    assert g.n_vertices == 4
    assert road_min(g, P(0, 0), P(0.01, 0.01)) == math.inf


def test_vertices_identified_after_rounding_to_1e7_degrees():
    a = P(0.01, 0)
    nearly_a = (a[0] + 2e-9, a[1] - 2e-9)
    g = RoadGraph.from_lines(roads([[P(0, 0), a], [nearly_a, P(0.02, 0)]]), speeds_kmh=SPEEDS)
    assert g.n_vertices == 3
    assert np.isfinite(road_min(g, P(0, 0), P(0.02, 0)))


def test_multilinestring_parts_are_separate_lines():
    multi = MultiLineString([[P(0, 0), P(0.01, 0)], [P(0.02, 0), P(0.03, 0)]])
    g = RoadGraph.from_lines(roads([multi]), speeds_kmh=SPEEDS)
    assert g.n_vertices == 4
    assert np.isfinite(road_min(g, P(0, 0), P(0.01, 0)))
    assert road_min(g, P(0.01, 0), P(0.02, 0)) == math.inf  # no segment between the parts


def test_parallel_edges_keep_the_fastest():
    g = RoadGraph.from_lines(
        roads([[P(0, 0), P(0.01, 0)], [P(0, 0), P(0.01, 0)]], road_class=["default", "motorway"]),
        speeds_kmh=SPEEDS,
    )
    assert road_min(g, P(0, 0), P(0.01, 0)) == pytest.approx(drive_min(P(0, 0), P(0.01, 0), 90))


def test_roads_in_a_projected_crs_are_reprojected():
    gdf = roads([[P(0, 0), P(0.01, 0), P(0.01, 0.01)]])
    g4326 = RoadGraph.from_lines(gdf, speeds_kmh=SPEEDS)
    g3857 = RoadGraph.from_lines(gdf.to_crs(3857), speeds_kmh=SPEEDS)
    assert road_min(g3857, P(0, 0), P(0.01, 0.01)) == pytest.approx(road_min(g4326, P(0, 0), P(0.01, 0.01)))


# --- one-way ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "true", "1", 1, True, "YES", "['yes', 'no']"])
def test_oneway_only_in_the_drawn_direction(value):
    g = RoadGraph.from_lines(roads([[P(0, 0), P(0.01, 0), P(0.02, 0)]], oneway=[value]), speeds_kmh=SPEEDS)
    assert np.isfinite(road_min(g, P(0, 0), P(0.02, 0)))
    assert road_min(g, P(0.02, 0), P(0, 0)) == math.inf
    assert not g.is_symmetric


@pytest.mark.parametrize("value", ["-1", -1, "reverse"])
def test_oneway_minus_one_only_against_the_drawn_direction(value):
    g = RoadGraph.from_lines(roads([[P(0, 0), P(0.02, 0)]], oneway=[value]), speeds_kmh=SPEEDS)
    assert road_min(g, P(0, 0), P(0.02, 0)) == math.inf
    assert np.isfinite(road_min(g, P(0.02, 0), P(0, 0)))


@pytest.mark.parametrize("value", ["no", "false", 0, None, "alternating", ""])
def test_oneway_other_values_both_ways(value):
    g = RoadGraph.from_lines(roads([[P(0, 0), P(0.02, 0)]], oneway=[value]), speeds_kmh=SPEEDS)
    assert np.isfinite(road_min(g, P(0, 0), P(0.02, 0)))
    assert np.isfinite(road_min(g, P(0.02, 0), P(0, 0)))
    assert g.is_symmetric


# --- speeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, kmh",
    [
        ("60", 60.0),
        ("60 km/h", 60.0),
        ("60km/h", 60.0),
        ("50 kph", 50.0),
        ("30 mph", 30 * 1.609344),
        (80, 80.0),
        (72.5, 72.5),
        ("['50', '70']", 50.0),
        ("40;60", 40.0),
        (["30 mph", "50"], 30 * 1.609344),
        ("none", math.nan),
        ("signals", math.nan),
        ("RU:urban", math.nan),
        ("walk", math.nan),
        ("", math.nan),
        ("0", math.nan),
        (None, math.nan),
        (float("nan"), math.nan),
    ],
)
def test_parse_maxspeed(value, kmh):
    got = parse_maxspeed(value)
    if math.isnan(kmh):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(kmh)


def _single_edge_speed_kmh(**columns) -> float:
    """Build a one-segment road with these columns; return the speed the graph used."""
    a, b = P(0, 0), P(0.01, 0)
    g = RoadGraph.from_lines(roads([[a, b]], **{k: [v] for k, v in columns.items()}), speeds_kmh=SPEEDS)
    return geod_m(a, b) / road_min(g, a, b) * 60 / 1000


@pytest.mark.parametrize(
    "columns, kmh",
    [
        ({}, 30),  # nothing: default
        ({"highway": "primary"}, 60),
        ({"highway": "primary_link"}, 60),
        ({"highway": "['secondary', 'primary']"}, 50),
        ({"highway": "track"}, 30),  # unknown class: default
        ({"road_class": "motorway", "highway": "primary"}, 90),  # road_class wins
        ({"highway": "primary", "maxspeed": "80"}, 80),  # maxspeed beats class
        ({"highway": "primary", "maxspeed": "none"}, 60),  # unparseable maxspeed: class
        ({"highway": "primary", "maxspeed": "30 mph"}, 30 * 1.609344),
        ({"speed_kmh": 45, "maxspeed": "80", "highway": "primary"}, 45),  # speed_kmh beats all
        ({"speed_kmh": None, "maxspeed": "80"}, 80),  # empty speed_kmh: falls back
    ],
)
def test_speed_precedence(columns, kmh):
    assert _single_edge_speed_kmh(**columns) == pytest.approx(kmh, rel=1e-9)


def test_bad_speed_kmh_is_an_input_error_naming_the_row():
    gdf = roads([[P(0, 0), P(0.01, 0)], [P(0.01, 0), P(0.02, 0)]], speed_kmh=[50, -5])
    with pytest.raises(DataError, match=r"row 3, column 'speed_kmh'"):
        RoadGraph.from_lines(gdf, speeds_kmh=SPEEDS)


def test_non_line_geometry_is_an_input_error():
    gdf = gpd.GeoDataFrame(geometry=[LineString([P(0, 0), P(0.01, 0)]), Point(P(0, 0))], crs=4326)
    with pytest.raises(DataError, match=r"row 3, column 'geometry': a Point"):
        RoadGraph.from_lines(gdf, speeds_kmh=SPEEDS)


def test_roads_from_a_geopackage_keep_their_attributes(tmp_path):
    gdf = roads([[P(0, 0), P(0.01, 0)]], highway=["primary"], maxspeed=["30 mph"], oneway=["yes"])
    gdf.to_file(tmp_path / "roads.gpkg")
    g = RoadGraph.from_lines(gpd.read_file(tmp_path / "roads.gpkg"), speeds_kmh=SPEEDS)
    assert road_min(g, P(0, 0), P(0.01, 0)) == pytest.approx(drive_min(P(0, 0), P(0.01, 0), 30 * 1.609344))
    assert road_min(g, P(0.01, 0), P(0, 0)) == math.inf


# --- rounding, snapping, travel_times --------------------------------------------------------


def test_ceil_min_rounds_up_but_keeps_exact_minutes():
    got = _ceil_min(np.array([0.0, 1.0, 3.0000000000004, 1.0000001, 1.5, np.inf]))
    assert got.tolist() == [0, 1, 3, 2, 2, UNREACHABLE_MIN]
    assert got.dtype == np.int64


def test_snap_returns_vertex_and_geodesic_distance():
    g = RoadGraph.from_lines(roads([[P(0, 0), P(0.01, 0)]]), speeds_kmh=SPEEDS)
    v, d = g.snap([LON0 + 0.011, LON0 - 0.001], [LAT0, LAT0 + 0.002])
    assert tuple(g.vertex_lonlat[v[0]]) == pytest.approx(P(0.01, 0))
    assert tuple(g.vertex_lonlat[v[1]]) == pytest.approx(P(0, 0))
    assert d[0] == pytest.approx(geod_m(P(0.011, 0), P(0.01, 0)))
    assert d[1] == pytest.approx(geod_m(P(-0.001, 0.002), P(0, 0)))


def test_travel_adds_offroad_legs_and_rounds_up(tmp_path):
    line = [P(0, 0), P(0.05, 0)]
    s, h = P(0, -0.003), P(0.05, 0.004)  # ~333 m and ~444 m off the road ends
    sc = scenario(tmp_path, {"S1": s}, {"H1": ("Z1", h)}, {"Z1": ["S1"]}, roads([line]), offroad_kmh=15)
    t = travel_times(sc)
    exact = drive_min(s, line[0], 15) + drive_min(*line, 30) + drive_min(line[1], h, 15)
    assert t.out("S1", "H1") == math.ceil(exact) and t.back("H1", "S1") == math.ceil(exact)
    assert exact != math.ceil(exact)
    # the float version on the graph agrees before rounding
    g = road_graph(sc)
    assert g.minutes(np.array([s]), np.array([h]), offroad_kmh=15)[0, 0] == pytest.approx(exact)
    assert t.out_min.dtype == np.int64 and t.out_min.shape == (1, 1) and t.back_min.shape == (1, 1)


def test_oneways_make_out_and_back_differ(tmp_path):
    a, b, c = P(0, 0), P(0.02, 0), P(0.01, 0.02)
    gdf = roads([[a, b], [b, c, a]], oneway=["yes", "no"])  # a -> b direct; b -> a only via c
    sc = scenario(tmp_path, {"S1": a}, {"H1": ("Z1", b)}, {"Z1": ["S1"]}, gdf)
    t = travel_times(sc)
    assert t.out("S1", "H1") == math.ceil(drive_min(a, b, 30))
    assert t.back("H1", "S1") == math.ceil(drive_min(b, c, 30) + drive_min(c, a, 30))
    # many stations vs. few hotspots takes the search from the hotspot side: same answers
    sc2 = scenario(tmp_path, {"S1": a, "S2": c, "S3": P(0.001, 0.01)}, {"H1": ("Z1", b)}, {"Z1": ["S1"]}, gdf,
                   max_snap_m=5000)
    t2 = travel_times(sc2)
    assert t2.out("S1", "H1") == t.out("S1", "H1") and t2.back("H1", "S1") == t.back("H1", "S1")
    assert t2.back("H1", "S2") == math.ceil(drive_min(b, c, 30))
    assert t2.out("S2", "H1") == math.ceil(drive_min(c, b, 30))  # the two-way line c - b


def test_minutes_matches_both_search_directions():
    a, b, c = P(0, 0), P(0.02, 0), P(0.01, 0.02)
    g = RoadGraph.from_lines(roads([[a, b], [b, c, a]], oneway=["yes", "no"]), speeds_kmh=SPEEDS)
    few, many = np.array([a]), np.array([a, b, c, P(0.005, 0.01)])
    m1 = g.minutes(few, many, offroad_kmh=15)  # searched from `from`
    m2 = g.minutes(many, few, offroad_kmh=15)  # searched on the transposed graph from `to`
    assert m1[0, 1] == pytest.approx(drive_min(a, b, 30))
    assert m2[1, 0] == pytest.approx(drive_min(b, c, 30) + drive_min(c, a, 30))


def test_snap_distance_errors_name_every_far_point(tmp_path):
    line = [P(0, 0), P(0.05, 0)]
    sc = scenario(
        tmp_path,
        {"S1": P(0, 0), "S_far": P(0, 0.05)},  # ~5.5 km north
        {"H1": ("Z1", P(0.05, 0)), "H_far": ("Z1", P(0.05, -0.03))},
        {"Z1": ["S1", "S_far"]},
        roads([line]),
        max_snap_m=2000,
    )
    with pytest.raises(DataError) as err:
        travel_times(sc)
    problems = err.value.problems
    assert len(problems) == 2
    s_far = round(geod_m(P(0, 0.05), P(0, 0)))
    assert problems[0].startswith("stations (stations.csv): station_id 'S_far'")
    assert f"{s_far:,} m" in problems[0]
    assert "move it, add a road, or raise travel.max_snap_m" in problems[0]
    assert problems[1].startswith("hotspots (hotspots.csv): hotspot_id 'H_far'")


def test_hotspot_unreachable_from_its_members_is_an_error(tmp_path):
    gdf = roads([[P(0, 0), P(0.01, 0)], [P(0.03, 0), P(0.04, 0)]])  # two separate roads
    sc = scenario(
        tmp_path,
        {"S1": P(0, 0), "S2": P(0.01, 0), "S3": P(0.04, 0)},
        {"H1": ("Z1", P(0.03, 0)), "H2": ("Z2", P(0.03, 0))},
        {"Z1": ["S1", "S2"], "Z2": ["S3"]},
        gdf,
    )
    with pytest.raises(DataError) as err:
        travel_times(sc)
    (problem,) = err.value.problems
    assert "hotspot_id 'H1' (zone 'Z1')" in problem
    assert "tried S1, S2" in problem
    assert "connect the roads, or add a member station that can reach it" in problem


def test_unreachable_non_member_pairs_get_the_sentinel(tmp_path):
    gdf = roads([[P(0, 0), P(0.01, 0)], [P(0.03, 0), P(0.04, 0)]])
    sc = scenario(
        tmp_path,
        {"S1": P(0, 0), "S3": P(0.04, 0)},
        {"H1": ("Z1", P(0.01, 0)), "H2": ("Z2", P(0.03, 0))},
        {"Z1": ["S1"], "Z2": ["S3", "S1"]},  # S1 cannot reach H2, but S3 can
        gdf,
    )
    t = travel_times(sc)
    assert t.out("S1", "H2") == UNREACHABLE_MIN and t.back("H2", "S1") == UNREACHABLE_MIN
    assert t.out("S3", "H1") == UNREACHABLE_MIN
    assert t.out("S3", "H2") == math.ceil(drive_min(P(0.04, 0), P(0.03, 0), 30))


def test_without_roads_straight_line_times_detour_at_default_speed(tmp_path):
    s1, s2, h1 = P(0, 0), P(0.1, 0.05), P(0.03, 0.04)
    sc = scenario(tmp_path, {"S1": s1, "S2": s2}, {"H1": ("Z1", h1)}, {"Z1": ["S1"]}, None, detour_factor=1.3)
    assert road_graph(sc) is None
    t = travel_times(sc)
    for sid, s in (("S1", s1), ("S2", s2)):
        expected = math.ceil(geod_m(s, h1) * 1.3 / (30 * 1000 / 60))
        assert t.out(sid, "H1") == expected and t.back("H1", sid) == expected


def test_path_lonlat_draws_offroad_legs_and_road_vertices():
    a, m, b = P(0, 0), P(0.01, 0), P(0.01, 0.01)
    g = RoadGraph.from_lines(roads([[P(-0.01, 0), a, m, P(0.02, 0)], [P(0.01, -0.01), m, b]]), speeds_kmh=SPEEDS)
    start, end = P(0, -0.001), P(0.011, 0.01)
    path = g.path_lonlat(start, end)
    assert path == [pytest.approx(p) for p in (start, a, m, b, end)]
    assert RoadGraph.from_lines(roads([[a, m], [P(0.02, 0), P(0.03, 0)]]), speeds_kmh=SPEEDS).path_lonlat(
        a, P(0.03, 0)
    ) == []


def test_travel_accessors_and_immutability():
    t = Travel(("S1", "S2"), ("H1",), np.array([[3], [5]]), np.array([[4, 6]]))
    assert t.out("S2", "H1") == 5 and t.back("H1", "S1") == 4
    with pytest.raises(ValueError):
        t.out_min[0, 0] = 1
    with pytest.raises(KeyError, match="S9"):
        t.out("S9", "H1")
    with pytest.raises(ValueError, match="n_stations, n_hotspots"):
        Travel(("S1",), ("H1",), np.array([[1, 2]]), np.array([[1]]))


# --- the real Jining roads, cross-checked with networkx --------------------------------------


@pytest.fixture(scope="module")
def jining_roads() -> gpd.GeoDataFrame:
    if not JINING_ROADS.is_file():
        pytest.skip("shared Jining data not available")
    return gpd.read_file(JINING_ROADS)


def test_jining_shortest_paths_match_networkx(jining_roads):
    nx = pytest.importorskip("networkx")
    g = RoadGraph.from_lines(jining_roads, speeds_kmh=SPEEDS)
    # independent graph: the file's own node ids (u, v), both ways, geodesic length at 30 km/h
    G = nx.DiGraph()
    m_per_min = 30 * 1000 / 60
    for u, v, geom in zip(jining_roads["u"], jining_roads["v"], jining_roads.geometry):
        xs, ys = geom.xy
        length = sum(geod_m((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(len(xs) - 1))
        w = length / m_per_min
        for x, y in ((u, v), (v, u)):
            if not G.has_edge(x, y) or G[x][y]["w"] > w:
                G.add_edge(x, y, w=w)
            G.nodes[x]["xy"] = geom.coords[0] if x == u else geom.coords[-1]
            G.nodes[y]["xy"] = geom.coords[-1] if y == v else geom.coords[0]
    assert g.n_vertices == G.number_of_nodes()
    rng = np.random.default_rng(7)
    nodes = list(G.nodes)
    sources = [nodes[i] for i in rng.choice(len(nodes), 4, replace=False)]
    targets = [nodes[i] for i in rng.choice(len(nodes), 25, replace=False)]
    sv, _ = g.snap([G.nodes[n]["xy"][0] for n in sources], [G.nodes[n]["xy"][1] for n in sources])
    tv, td = g.snap([G.nodes[n]["xy"][0] for n in targets], [G.nodes[n]["xy"][1] for n in targets])
    assert np.allclose(td, 0)
    ours = g.road_minutes(sv, tv)
    checked = 0
    for i, s in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(G, s, weight="w")
        for j, t in enumerate(targets):
            if t in lengths:
                assert ours[i, j] == pytest.approx(lengths[t], rel=1e-9, abs=1e-9)
                checked += 1
            else:
                assert ours[i, j] == math.inf
    assert checked > 50


def test_jining_travel_times_on_random_vertices(jining_roads, tmp_path):
    g = RoadGraph.from_lines(jining_roads, speeds_kmh=SPEEDS)
    rng = np.random.default_rng(3)
    # points in the largest connected component, a little off their vertex
    from scipy.sparse.csgraph import connected_components

    _, label = connected_components(g.matrix, directed=True, connection="strong")
    big = np.flatnonzero(label == np.bincount(label).argmax())
    pick = rng.choice(big, 12, replace=False)
    pts = g.vertex_lonlat[pick] + rng.uniform(-2e-4, 2e-4, size=(12, 2))
    stations = {f"S{i}": tuple(p) for i, p in enumerate(pts[:6])}
    hotspots = {f"H{i}": ("Z1", tuple(p)) for i, p in enumerate(pts[6:])}
    sc = scenario(tmp_path, stations, hotspots, {"Z1": list(stations)}, jining_roads)
    t = travel_times(sc)
    assert (travel_times(sc, graph=g).out_min == t.out_min).all()
    exact = g.minutes(pts[:6], pts[6:], offroad_kmh=15)
    assert (t.out_min == np.ceil(exact - 1e-9)).all()
    assert (t.back_min == t.out_min.T).all()  # no one-way roads in this file
    assert (t.out_min < UNREACHABLE_MIN).all()


def test_snap_of_a_point_without_coordinates():
    g = RoadGraph.from_lines(roads([[P(0, 0), P(0.01, 0)]]), speeds_kmh=SPEEDS)
    v, d = g.snap([np.nan, LON0], [LAT0, LAT0])
    assert v.tolist() == [-1, 0] and d[0] == math.inf and d[1] == pytest.approx(0)
