"""A visit week's run folder as a planner reads it: the map draws each loop, the timelines show
visits as ticks, the coverage picture the longest wait; roster.xlsx, result.gpkg and report.html
carry the visits. Drawn from the run folder's tables only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from builders import make_scenario, solve_visits
from patrolplan.outputs import report
from patrolplan.outputs.plotting import (
    coverage_grid,
    loop_routes,
    plot_coverage,
    plot_gantt,
    plot_map,
    read_run_tables,
    read_visits,
    wait_grid,
)
from patrolplan.outputs.runfolder import write_run_folder

NIGHT = ("", "Z1", "mon-sun", "20:00", "04:00", 1, "visit", 15, 120)
MARKET = ("H4", "", "tue", "07:00", "11:00", 1, "post", "", "")
REPO = Path(__file__).resolve().parents[1]


def _scenario():
    sc = make_scenario([("A", 4, "X"), ("B", 4, "X")],
                       [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1"), ("H4", "Z1")], [("Z1", "staggered", ["A", "B"])],
                       horizon_days=2)
    hs = sc.hotspots.assign(lon=[116.00, 116.01, 116.02, 116.03], lat=[35.01, 35.02, 35.01, 35.02])
    return sc.replace(hotspots=hs)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    result, tr, p, sc = solve_visits(_scenario(), [NIGHT, MARKET])
    assert result.status == "optimal"
    folder = tmp_path_factory.mktemp("visits-run") / "run"
    write_run_folder(result, folder, scenario=sc, pictures=True)
    return folder, sc, result


def _gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_the_run_folder_has_visits_and_the_pictures(run):
    folder, sc, result = run
    visits = read_visits(folder)
    assert len(visits) == len(result.visits) > 0
    for name in ("map.png", "gantt.png", "gantt_station.png", "coverage.png", "report.html", "roster.xlsx",
                 "result.gpkg"):
        assert (folder / name).stat().st_size > 1000, name


def test_the_map_draws_each_loop_once_per_station(run):
    folder, sc, _ = run
    roster, _, _ = read_run_tables(folder)
    ax = plot_map(sc, roster, ax=Figure().add_subplot())
    (loops,) = _gid(ax, "loops")
    pairs = roster[roster["loop_id"] != ""][["loop_id", "station_id"]].drop_duplicates()
    assert len(loops.get_segments()) == len(pairs) > 0
    # each line leaves the station, passes every stop of the loop and comes back
    routes = loop_routes(sc, roster)
    st = sc.stations.set_index("station_id")
    hs = sc.hotspots.set_index("hotspot_id")
    for r in routes.itertuples():
        c = np.asarray(r.coords)
        home = st.loc[r.station_id, ["lon", "lat"]].to_numpy(float)
        assert np.allclose(c[0], home) and np.allclose(c[-1], home)
        for h in r.loop_hotspots.split(";"):
            assert np.isclose(c, hs.loc[h, ["lon", "lat"]].to_numpy(float)).all(axis=1).any()
    # a week without loops draws none
    posts = roster[roster["loop_id"] == ""]
    assert _gid(plot_map(sc, posts, ax=Figure().add_subplot()), "loops") == []


def test_loops_follow_the_roads_with_a_road_graph():
    from patrolplan.inputs.io import load_scenario
    from patrolplan.inputs.network import road_graph

    sc = load_scenario(REPO / "configs" / "example.yaml")
    g = road_graph(sc)
    pts = list(zip(sc.hotspots["lon"].astype(float), sc.hotspots["lat"].astype(float)))
    pairs = [(a, b) for a in pts[:3] for b in pts[:4] if a != b]
    assert g.paths_lonlat(pairs) == [g.path_lonlat(a, b) for a, b in pairs]
    h = list(sc.hotspots["hotspot_id"].astype(str))
    roster = pd.DataFrame({"shift_id": ["SH1"], "station_id": [str(sc.stations["station_id"].iloc[0])],
                           "loop_id": ["L0001"], "loop_hotspots": [";".join(h[:3])]})
    (road,) = loop_routes(sc, roster, graph=g).itertuples()
    (straight,) = loop_routes(sc, roster).itertuples()
    assert road.path == "road" and straight.path == "straight"
    assert len(straight.coords) == 6  # station, three stops, the first again, station
    assert len(road.coords) > len(straight.coords)


@pytest.mark.parametrize("by", ["hotspot", "station"])
def test_the_timeline_shows_every_visit_as_a_tick(run, by):
    folder, sc, _ = run
    roster, coverage, _ = read_run_tables(folder)
    visits = read_visits(folder)
    ax = plot_gantt(roster, coverage, by=by, ax=Figure().add_subplot(), scenario=sc, visits=visits)
    (ticks,) = _gid(ax, "visits")
    assert len(ticks.get_paths()) == len(visits)
    # in the hotspot view each tick lies in its hotspot's row, from arrival to departure
    if by == "hotspot":
        from matplotlib import dates as mdates

        labels = [t.get_text() for t in ax.get_yticklabels()]
        row = {h: i for i, lab in enumerate(labels) for h in [lab.split(" ")[0]]}
        for path, v in zip(ticks.get_paths(), visits.itertuples()):
            xs, ys = path.vertices[:, 0], path.vertices[:, 1]
            assert row[v.hotspot_id] < ys.mean() < row[v.hotspot_id] + 1
            assert np.isclose(xs.min(), mdates.date2num(v.arrive)) and np.isclose(xs.max(), mdates.date2num(v.depart))
    assert _gid(plot_gantt(roster, coverage, by=by, ax=Figure().add_subplot()), "visits") == []


def test_the_coverage_picture_shows_the_longest_wait_per_hotspot_and_hour(run):
    folder, sc, _ = run
    _, coverage, _ = read_run_tables(folder)
    ids, hours, surplus, gap = coverage_grid(coverage, scenario=sc)
    wait = wait_grid(coverage, ids, hours)
    v = coverage[coverage["presence"] == "visit"].copy()
    v["hour"] = v["slot_start"].dt.floor("h")
    v["w"] = v["longest_wait_min"].astype(int)
    expect = v.groupby(["hotspot_id", "hour"])["w"].max()
    for (h, hour), w in expect.items():
        assert wait[ids.index(h), hours.get_loc(hour)] == w
    # hours without visit demand have no wait; visit hours are not counted as teams on site
    assert np.isnan(wait).sum() == wait.size - len(expect)
    assert np.isnan(surplus[~np.isnan(wait)]).all()
    ax = plot_coverage(coverage, ax=Figure().add_subplot(), scenario=sc)
    (mesh,) = _gid(ax, "visit-wait")
    assert np.ma.count(mesh.get_array()) == len(expect)


def test_workbook_geopackage_and_report_carry_the_visits(run):
    import geopandas as gpd
    import openpyxl

    folder, sc, result = run
    roster, _, summary = read_run_tables(folder)
    visits = read_visits(folder)
    wb = openpyxl.load_workbook(folder / "roster.xlsx")
    ws = wb["visits"]
    assert ws.max_row == len(visits) + 1
    header = [c.value for c in ws[1]]
    assert {"visit_id", "hotspot_name", "arrive", "depart", "dwell_min"} <= set(header)
    assert {ws.cell(row=i, column=header.index("dwell_min") + 1).value for i in range(2, ws.max_row + 1)} == {15}
    for sid in ("A", "B"):
        sheet = next(wb[n] for n in wb.sheetnames if n.startswith(sid + " "))
        texts = [c.value for col in sheet.iter_cols(max_col=1) for c in col]
        mine = visits[visits["station_id"] == sid]
        assert ("Visits of the loop shifts (one row each)" in texts) == (len(mine) > 0)

    layer = gpd.read_file(folder / "result.gpkg", layer="visits")
    loops = roster[roster["loop_id"] != ""]
    assert sorted(layer["shift_id"]) == sorted(loops["shift_id"])
    assert layer["visits"].sum() == len(visits)
    assert (layer.geometry.geom_type == "LineString").all()

    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "id='visits-s'" in page
    v = summary["visits"]
    assert f"<b>{v['as_posts_team_hours']:,.0f}</b>" in page and f"<b>{v['loop_team_hours']:,.0f}</b>" in page
    for lid in loops["loop_id"].unique():
        assert f"<td>{lid}</td>" in page


def test_a_week_without_visits_has_no_visits_outputs(tmp_path):
    import pyogrio

    result, tr, p, sc = solve_visits(_scenario(), [MARKET])
    folder = tmp_path / "run"
    write_run_folder(result, folder, scenario=sc, pictures=True)
    assert not (folder / "visits.csv").exists() and read_visits(folder) is None
    assert "id='visits-s'" not in (folder / "report.html").read_text(encoding="utf-8")
    assert "visits" not in {name for name, _ in pyogrio.list_layers(folder / "result.gpkg")}
    assert "visits" not in json.loads((folder / "summary.json").read_text())
