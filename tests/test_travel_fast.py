"""Fast travel times (issue 14): the reduced-graph search gives exactly the minutes of the plain
Dijkstra it replaced, and the run folder's travel.npz is read back only when it fits."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from patrolplan.errors import DataError
from patrolplan.inputs import network
from patrolplan.inputs.config import config_from_dict
from patrolplan.inputs.network import UNREACHABLE_MIN, RoadGraph, road_graph, terminal_minutes, travel_times
from patrolplan.inputs.scenario import Scenario
from patrolplan.inputs.shortcuts import reduce_graph
from patrolplan.inputs.travel_cache import TRAVEL_FILE, load_travel, save_travel, travel_key

ROOT = Path(__file__).resolve().parents[1]
SPEEDS = {"motorway": 90, "primary": 60, "secondary": 50, "default": 30}
LON0, LAT0 = 116.5, 35.4


# --- the reference: travel_times' road part as it was before the reduced graph -------------------


def _ceil(x: np.ndarray) -> np.ndarray:
    out = np.full(x.shape, UNREACHABLE_MIN, dtype=np.int64)
    ok = np.isfinite(x)
    out[ok] = np.minimum(np.ceil(x[ok] - 1e-9), UNREACHABLE_MIN).astype(np.int64)
    return np.maximum(out, 0)


def reference_minutes(graph: RoadGraph, sv, hv, s_leg, h_leg, hop=False):
    """One plain Dijkstra per distinct vertex of the smaller side on the whole graph, forward and
    on the transposed graph, legs added as before (a copy of the earlier travel_times)."""
    fwd = graph.matrix
    rev = fwd if graph.is_symmetric else fwd.T.tocsr()

    def search(g, src, tgt):
        usrc, inv = np.unique(src, return_inverse=True)
        return dijkstra(g, directed=True, indices=usrc)[:, tgt][inv.ravel()]

    if len(np.unique(sv)) <= len(np.unique(hv)):
        road_out = search(fwd, sv, hv)
        road_back = (road_out if graph.is_symmetric else search(rev, sv, hv)).T
    else:
        road_back = search(fwd, hv, sv)
        road_out = (road_back if graph.is_symmetric else search(rev, hv, sv)).T
    out = _ceil(road_out + s_leg[:, None] + h_leg[None, :])
    back = _ceil(road_back + h_leg[:, None] + s_leg[None, :])
    hop_min = None
    if hop:
        hop_min = _ceil(search(fwd, hv, hv) + h_leg[:, None] + h_leg[None, :])
        np.fill_diagonal(hop_min, 0)
    return out, back, hop_min


def assert_same(graph, sv, hv, s_leg, h_leg, hop=False):
    got = terminal_minutes(graph, sv, hv, s_leg, h_leg, hop=hop)
    want = reference_minutes(graph, np.asarray(sv), np.asarray(hv), np.asarray(s_leg, float),
                             np.asarray(h_leg, float), hop=hop)
    for g, w in zip(got, want):
        if w is None:
            assert g is None
        else:
            np.testing.assert_array_equal(g, w)
    return got


# --- generated road networks ---------------------------------------------------------------------


def grid_roads(seed: int, nx: int = 9, ny: int = 8, *, oneway_share: float = 0.25, shape_points: int = 3,
               second_part: bool = True) -> gpd.GeoDataFrame:
    """A jittered grid of road lines with shape points, missing links, one-way lines (both drawn
    directions), mixed speeds, and (``second_part``) a small grid far away, not connected."""
    rng = np.random.default_rng(seed)
    step = 0.01
    xy = np.stack(np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij"), -1) * step
    xy = xy + rng.uniform(-0.002, 0.002, xy.shape) + (LON0, LAT0)
    lines, cls, oneway = [], [], []

    def add(a, b, dx, dy):
        pts = [a]
        for f in np.sort(rng.uniform(0, 1, shape_points)):
            pts.append(a + f * (b - a) + rng.normal(0, 5e-4, 2))
        pts.append(b)
        pts = [tuple(p) for p in pts]
        ow = rng.random() < oneway_share
        if ow and rng.random() < 0.5:
            pts = pts[::-1]
        lines.append(LineString(pts))
        cls.append(rng.choice(["motorway", "primary", "secondary", "residential"]))
        oneway.append("yes" if ow else "no")

    for i in range(nx):
        for j in range(ny):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < nx and j + dj < ny and rng.random() > 0.1:
                    add(xy[i, j], xy[i + di, j + dj], di, dj)
    if second_part:
        far = xy[:3, :3] + 0.5
        for i in range(3):
            for j in range(2):
                add(far[i, j], far[i, j + 1], 0, 1)
        add(far[0, 0], far[1, 0], 1, 0)
    return gpd.GeoDataFrame({"highway": cls, "oneway": oneway}, geometry=lines, crs="EPSG:4326")


def points_on(graph: RoadGraph, rng, n: int, *, jitter: float = 3e-4) -> np.ndarray:
    """Points near random vertices; some repeated, some pairs snapping to one vertex."""
    pick = rng.choice(graph.n_vertices, n)
    pick[: n // 4] = pick[n // 4 : 2 * (n // 4)]  # several points share a vertex
    pts = graph.vertex_lonlat[pick] + rng.uniform(-jitter, jitter, (n, 2))
    pts[-1] = graph.vertex_lonlat[pick[-1]]  # one exactly on its vertex
    return pts


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("hop", [False, True])
def test_generated_grids_match_the_plain_search_entry_for_entry(seed, hop):
    graph = RoadGraph.from_lines(grid_roads(seed), speeds_kmh=SPEEDS)
    assert not graph.is_symmetric
    rng = np.random.default_rng(100 + seed)
    s_pts, h_pts = points_on(graph, rng, 40), points_on(graph, rng, 30 + 10 * seed)
    sv, sd = graph.snap(s_pts[:, 0], s_pts[:, 1])
    hv, hd = graph.snap(h_pts[:, 0], h_pts[:, 1])
    out, back, _ = assert_same(graph, sv, hv, sd / 250.0, hd / 250.0, hop=hop)
    assert (out == UNREACHABLE_MIN).any() and (out < UNREACHABLE_MIN).any()  # both parts were hit
    assert (out != back.T).any()  # one-way roads make the directions differ


def test_symmetric_graph_and_more_hotspots_than_stations():
    graph = RoadGraph.from_lines(grid_roads(7, oneway_share=0.0), speeds_kmh=SPEEDS)
    assert graph.is_symmetric
    rng = np.random.default_rng(7)
    for n_s, n_h in ((10, 40), (40, 10)):  # the plain search starts from either side
        s_pts, h_pts = points_on(graph, rng, n_s), points_on(graph, rng, n_h)
        sv, sd = graph.snap(s_pts[:, 0], s_pts[:, 1])
        hv, hd = graph.snap(h_pts[:, 0], h_pts[:, 1])
        out, back, _ = assert_same(graph, sv, hv, sd / 250.0, hd / 250.0, hop=True)
        np.testing.assert_array_equal(out, back.T)


def test_reduction_keeps_terminals_and_drops_shape_points():
    graph = RoadGraph.from_lines(grid_roads(3, shape_points=5), speeds_kmh=SPEEDS)
    terminal = np.zeros(graph.n_vertices, dtype=bool)
    terminal[::17] = True
    reduced, kept = reduce_graph(graph.matrix, terminal)
    assert set(np.flatnonzero(terminal)) <= set(kept.tolist())
    assert reduced.shape[0] < graph.n_vertices / 3
    # distances between kept vertices are those of the whole graph (up to float rounding)
    src = np.flatnonzero(terminal)[:10]
    pos = np.searchsorted(kept, src)
    whole = dijkstra(graph.matrix, indices=src)[:, kept]
    small = dijkstra(reduced, indices=pos)
    np.testing.assert_allclose(small, whole, rtol=1e-12)


def _straddling_weights() -> tuple[float, float, float]:
    """Three edge weights whose two summation orders round up to different whole minutes."""
    rng = np.random.default_rng(0)
    for _ in range(200_000):
        w1, w2 = rng.uniform(0.05, 0.5, 2)
        w3 = (1 + 1e-9) - w1 - w2
        for k in range(-3, 4):
            w3k = w3 + k * np.spacing(w3)
            left, right = (w1 + w2) + w3k, w1 + (w2 + w3k)
            if np.ceil(left - 1e-9) != np.ceil(right - 1e-9):
                return float(w1), float(w2), float(w3k)
    raise AssertionError("no straddling weights found")


def test_a_path_on_a_whole_minute_boundary_takes_the_plain_search_sum(monkeypatch):
    """s -> a -> b -> h: the reduced graph sums the chain in another order than the plain
    search, and here the two orders round to different minutes; the plain one must win."""
    w1, w2, w3 = _straddling_weights()
    lonlat = np.array([[LON0, LAT0], [LON0 + 0.01, LAT0], [LON0 + 0.02, LAT0], [LON0 + 0.03, LAT0]])
    lonlat = np.vstack([lonlat, [LON0, LAT0 + 0.5]])  # vertex 4: a second station, unconnected
    settled: list[int] = []
    original = network._settle_near_boundaries
    monkeypatch.setattr(network, "_settle_near_boundaries", lambda *a: settled.append(original(*a)) or settled[-1])
    for ws in ((w1, w2, w3), (w3, w2, w1)):
        graph = RoadGraph.from_edges(lonlat, [0, 1, 2], [1, 2, 3], list(ws))
        # one station: the plain search runs forward from it and sums s -> h left to right;
        # two stations: it runs backward from the hotspot and sums right to left
        for sv in ([0], [0, 4]):
            assert_same(graph, sv, [3], np.zeros(len(sv)), np.zeros(1))
            assert settled[-1] >= 1  # the near-boundary entry was searched again


def test_integer_minutes_everywhere_are_settled_exactly():
    """Whole-minute edges and no off-road legs: every entry sits on a boundary."""
    rng = np.random.default_rng(5)
    n = 30
    lonlat = np.column_stack([LON0 + np.arange(n) * 0.01, np.full(n, LAT0)])
    tail = np.concatenate([np.arange(n - 1), np.arange(1, n), rng.integers(0, n, 20)])
    head = np.concatenate([np.arange(1, n), np.arange(n - 1), rng.integers(0, n, 20)])
    w = rng.integers(1, 5, len(tail)).astype(float)
    graph = RoadGraph.from_edges(lonlat, tail, head, w)
    assert_same(graph, np.arange(0, n, 3), np.arange(1, n, 4), np.zeros(10), np.zeros(8), hop=True)


@st.composite
def small_graphs(draw):
    n = draw(st.integers(2, 18))
    m = draw(st.integers(1, 3 * n))
    tail = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    head = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    weight = draw(st.lists(st.floats(0.01, 30.0), min_size=m, max_size=m))
    both = draw(st.lists(st.booleans(), min_size=m, max_size=m))
    t = tail + [h for h, b in zip(head, both) if b]
    h = head + [t_ for t_, b in zip(tail, both) if b]
    w = weight + [x for x, b in zip(weight, both) if b]
    sv = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8))
    hv = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8))
    s_leg = draw(st.lists(st.floats(0, 5), min_size=len(sv), max_size=len(sv)))
    h_leg = draw(st.lists(st.floats(0, 5), min_size=len(hv), max_size=len(hv)))
    return n, t, h, w, sv, hv, s_leg, h_leg


@settings(max_examples=150, deadline=None)
@given(small_graphs(), st.booleans())
def test_random_small_graphs_match_the_plain_search(case, hop):
    n, t, h, w, sv, hv, s_leg, h_leg = case
    lonlat = np.column_stack([LON0 + np.arange(n) * 0.001, np.full(n, LAT0)])
    graph = RoadGraph.from_edges(lonlat, t, h, w)
    assert_same(graph, np.array(sv), np.array(hv), np.array(s_leg), np.array(h_leg), hop=hop)


# --- travel_times end to end, and the cache --------------------------------------------------------


def make_scenario(tmp_path, roads_gdf, *, n_s=12, n_h=10, seed=0, offroad_kmh=15, demand=None) -> Scenario:
    cfg = config_from_dict(
        {"name": "t", "week_start": "2026-11-30",
         "data": {"stations": "stations.csv", "hotspots": "hotspots.csv", "zones": "zones.csv"},
         "travel": {"speeds_kmh": SPEEDS, "offroad_kmh": offroad_kmh}},
        base_dir=tmp_path,
    )
    graph = RoadGraph.from_lines(roads_gdf, speeds_kmh=SPEEDS)
    from scipy.sparse.csgraph import connected_components

    _, label = connected_components(graph.matrix, directed=True, connection="strong")
    big = np.flatnonzero(label == np.bincount(label).argmax())
    rng = np.random.default_rng(seed)
    pts = graph.vertex_lonlat[rng.choice(big, n_s + n_h)] + rng.uniform(-3e-4, 3e-4, (n_s + n_h, 2))
    st_ = pd.DataFrame([{"station_id": f"S{i}", "name": f"S{i}", "officers": 4, "lon": x, "lat": y}
                        for i, (x, y) in enumerate(pts[:n_s])])
    hs = pd.DataFrame([{"hotspot_id": f"H{i}", "name": f"H{i}", "zone_id": "Z1", "lon": x, "lat": y, "risk": 1.0}
                       for i, (x, y) in enumerate(pts[n_s:])])
    members = tuple(st_["station_id"])
    zs = pd.DataFrame([{"zone_id": "Z1", "tier": "county", "mode": "staggered", "stations": ";".join(members),
                        "members": members, "min_stations": 2}])
    return Scenario(config=cfg, config_path=None, stations=st_, hotspots=hs, zones=zs, roads=roads_gdf,
                    demand=demand)


def test_travel_times_equal_the_plain_search(tmp_path):
    sc = make_scenario(tmp_path, grid_roads(11))
    travel = travel_times(sc)
    graph = road_graph(sc)
    s_ll, h_ll = sc.stations[["lon", "lat"]].to_numpy(), sc.hotspots[["lon", "lat"]].to_numpy()
    sv, sd = graph.snap(s_ll[:, 0], s_ll[:, 1])
    hv, hd = graph.snap(h_ll[:, 0], h_ll[:, 1])
    speed = 15 * 1000 / 60
    out, back, _ = reference_minutes(graph, sv, hv, sd / speed, hd / speed)
    np.testing.assert_array_equal(travel.out_min, out)
    np.testing.assert_array_equal(travel.back_min, back)
    assert travel.inputs_sha256 is None and travel.read_from is None  # no cache asked for


def _count_computations(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = network._computed_travel_times
    monkeypatch.setattr(network, "_computed_travel_times", lambda *a: calls.append(1) or original(*a))
    return calls


def test_cache_is_read_when_the_inputs_match(tmp_path, monkeypatch):
    sc = make_scenario(tmp_path, grid_roads(12))
    calls = _count_computations(monkeypatch)
    first = travel_times(sc, cache=tmp_path / "run")
    assert calls == [1] and first.inputs_sha256 == travel_key(sc) and first.read_from is None
    (tmp_path / "run").mkdir()
    save_travel(first, tmp_path / "run" / TRAVEL_FILE)
    save_travel(first, tmp_path / "again.npz")
    assert (tmp_path / "again.npz").read_bytes() == (tmp_path / "run" / TRAVEL_FILE).read_bytes()  # same bytes
    again = travel_times(sc, cache=[tmp_path / "elsewhere", tmp_path / "run"])
    assert calls == [1]  # not computed again
    assert again.read_from == str(tmp_path / "run" / TRAVEL_FILE)
    np.testing.assert_array_equal(again.out_min, first.out_min)
    np.testing.assert_array_equal(again.back_min, first.back_min)
    assert again.out_min.dtype == np.int64 and not again.out_min.flags.writeable


@pytest.mark.parametrize("change", ["hotspot moved", "station renamed", "offroad speed", "road speed", "road one-way",
                                    "visits asked"])
def test_a_changed_input_invalidates_the_cache(tmp_path, monkeypatch, change):
    roads_gdf = grid_roads(13)
    sc = make_scenario(tmp_path, roads_gdf)
    first = travel_times(sc, cache=tmp_path)
    save_travel(first, tmp_path / TRAVEL_FILE)
    if change == "hotspot moved":
        hs = sc.hotspots.copy()
        hs.loc[0, "lon"] += 1e-6
        sc2 = Scenario(**{**sc.__dict__, "hotspots": hs})
    elif change == "station renamed":
        st_ = sc.stations.copy()
        st_.loc[0, "station_id"] = "S99"
        zs = sc.zones.copy()
        zs.at[0, "members"] = tuple(st_["station_id"])
        sc2 = Scenario(**{**sc.__dict__, "stations": st_, "zones": zs})
    elif change == "offroad speed":
        sc2 = make_scenario(tmp_path, roads_gdf, offroad_kmh=14)
    elif change == "road speed":
        r = roads_gdf.copy()
        r.loc[0, "highway"] = "motorway" if r.loc[0, "highway"] != "motorway" else "secondary"
        sc2 = Scenario(**{**sc.__dict__, "roads": r})
    elif change == "road one-way":
        r = roads_gdf.copy()
        r.loc[0, "oneway"] = "no" if r.loc[0, "oneway"] == "yes" else "yes"
        sc2 = Scenario(**{**sc.__dict__, "roads": r})
    else:
        demand = pd.DataFrame([{"hotspot_id": "H0", "zone_id": "", "days": "mon-sun", "start": "08:00",
                                "end": "12:00", "teams": 1, "presence": "visit"}])
        sc2 = Scenario(**{**sc.__dict__, "demand": demand})
    assert travel_key(sc2) != travel_key(sc)
    calls = _count_computations(monkeypatch)
    second = travel_times(sc2, cache=tmp_path)
    assert calls == [1] and second.read_from is None
    if change == "visits asked":
        assert second.hop_min is not None


def _write_npz(path: Path, **arrays) -> None:
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.mark.parametrize("kind", ["garbage", "empty", "foreign npz", "wrong key", "wrong shape", "pickled objects",
                                  "negative minutes", "a folder"])
def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path, monkeypatch, kind):
    sc = make_scenario(tmp_path, grid_roads(14))
    good = travel_times(sc, cache=())
    path = tmp_path / TRAVEL_FILE
    key = travel_key(sc)
    base = dict(format=np.array("patrolplan-travel-1"), inputs_sha256=np.array(key),
                station_ids=np.array(good.station_ids), hotspot_ids=np.array(good.hotspot_ids),
                out_min=good.out_min.astype(np.int32), back_min=good.back_min.astype(np.int32))
    if kind == "garbage":
        path.write_bytes(b"PK\x03\x04 not really a zip" * 50)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "foreign npz":
        _write_npz(path, a=np.arange(5))
    elif kind == "wrong key":
        _write_npz(path, **{**base, "inputs_sha256": np.array("0" * 64)})
    elif kind == "wrong shape":
        _write_npz(path, **{**base, "out_min": good.out_min[:, :-1]})
    elif kind == "pickled objects":
        _write_npz(path, **{**base, "out_min": np.array([object()] * 3, dtype=object)})
    elif kind == "negative minutes":
        _write_npz(path, **{**base, "out_min": -np.ones_like(good.out_min)})
    else:
        path.mkdir()
    assert load_travel(path, key) is None
    calls = _count_computations(monkeypatch)
    travel = travel_times(sc, cache=tmp_path)
    assert calls == [1] and travel.read_from is None
    np.testing.assert_array_equal(travel.out_min, good.out_min)


def test_a_cached_matrix_still_reports_unreachable_hotspots(tmp_path):
    """The zones are not part of the key: a zone whose members cannot reach its hotspot is
    still an input error when the minutes come from the cache."""
    roads_gdf = grid_roads(15)
    sc = make_scenario(tmp_path, roads_gdf)
    graph = road_graph(sc)
    far = graph.vertex_lonlat[graph.n_vertices - 1]  # a vertex of the far, unconnected part
    st_ = sc.stations.copy()
    st_.loc[0, ["lon", "lat"]] = far
    sc = Scenario(**{**sc.__dict__, "stations": st_})
    save_travel(travel_times(sc, cache=()), tmp_path / TRAVEL_FILE)
    zs = sc.zones.copy()
    zs.at[0, "members"] = ("S0",)
    zs.at[0, "stations"] = "S0"
    with pytest.raises(DataError, match="no road path there and back"):
        travel_times(Scenario(**{**sc.__dict__, "zones": zs}), cache=tmp_path)


def test_a_rerun_into_the_run_folder_computes_its_minutes_and_stores_them(tmp_path, monkeypatch):
    """A run computes its travel minutes from the roads (the in-solve check trusts no file,
    issue 21) and stores them as travel.npz; a re-run into the folder computes them again and
    stores the same bytes."""
    from patrolplan.inputs.io import load_scenario
    from patrolplan.runner import run_scenario

    shutil.copytree(ROOT / "configs" / "example", tmp_path / "example")
    shutil.copy(ROOT / "configs" / "example.yaml", tmp_path / "example.yaml")
    scenario = load_scenario(tmp_path / "example.yaml")
    calls = _count_computations(monkeypatch)
    run_dir = tmp_path / "run"
    run_scenario(scenario, run_dir, time_limit_s=10, pictures=False)
    assert calls == [1] and (run_dir / TRAVEL_FILE).is_file()
    stored = load_travel(run_dir / TRAVEL_FILE, travel_key(scenario))
    assert stored is not None
    first = (run_dir / TRAVEL_FILE).read_bytes()
    run_scenario(scenario, run_dir, time_limit_s=10, pictures=False)
    assert calls == [1, 1]  # computed again, never read from the file
    assert (run_dir / TRAVEL_FILE).read_bytes() == first  # and stored again, the same bytes
    roster = pd.read_csv(run_dir / "roster.csv")
    for row in roster.itertuples():
        assert row.travel_out_min >= stored.out(row.station_id, row.hotspot_id)


def test_a_replan_computes_the_minutes_its_from_folder_stored(tmp_path, monkeypatch):
    """`patrolplan replan --from RUN_DIR --out NEW`: the minutes are computed (once), equal to
    those the published folder stored, and the new folder stores the same file."""
    from patrolplan.cli import main

    example = ROOT / "configs" / "example.yaml"
    flags = ["--time-limit", "10", "--quiet", "--no-pictures", "--seed", "0"]
    published = tmp_path / "week"
    assert main(["solve", str(example), "--out", str(published), *flags]) == 0
    calls = _count_computations(monkeypatch)
    out = tmp_path / "replan"
    assert main(["replan", str(example), "--from", str(published), "--at", "2026-12-02T12:00", "--out", str(out),
                 *flags]) == 0
    assert calls == [1]
    assert (out / TRAVEL_FILE).read_bytes() == (published / TRAVEL_FILE).read_bytes()
