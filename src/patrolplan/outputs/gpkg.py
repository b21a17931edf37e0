"""``result.gpkg``: the plan as GIS layers (EPSG:4326), from a run folder's tables
(:class:`~patrolplan.outputs.tables.RunTables`) and the Scenario.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.outputs.atomic import atomic_file
from patrolplan.outputs.plotting import hotspot_tiers, loop_shift_routes, station_hotspot_links
from patrolplan.outputs.tables import TIME_FMT, RunTables, named_roster, station_load

__all__ = ["write_geopackage", "GPKG_NAME"]

GPKG_NAME = "result.gpkg"
_CRS = "EPSG:4326"


def write_geopackage(scenario, run_dir: Path, tables: RunTables, *, graph=None) -> Path:
    """Write ``result.gpkg`` (EPSG:4326) with layers

    ``stations``
        points, the stations' columns plus ``teams``, ``shifts``, ``team_hours``, ``travel_hours``;
    ``hotspots``
        points, plus the zone's ``tier`` and ``mode``, ``shifts``, ``uncovered_slots``;
    ``zones``
        one line per zone, member station and hotspot of the zone (``zone_id``, ``tier``,
        ``mode``, ``station_id``, ``hotspot_id``, ``shifts``);
    ``roster``
        one line per roster row along its road path (``graph.path_lonlat`` when a
        ``network.RoadGraph`` is given, else the straight line) from station to hotspot;
        times as ISO text, ``path`` = ``road`` or ``straight``;
    ``visits``
        in a week with visits (visits.csv): one line per loop shift along its road path, out to
        the first stop, one cycle of the stops, back (see :func:`_visits_layer`).

    ``tables``: the run folder's tables (:func:`patrolplan.outputs.tables.read_run`).
    """
    roster = tables.roster
    layers = [("stations", _stations_layer(scenario, roster), "Point"),
              ("hotspots", _hotspots_layer(scenario, roster, tables.coverage), "Point"),
              ("zones", _zones_layer(scenario, roster), "LineString"),
              ("roster", _roster_layer(scenario, roster, graph), "LineString")]
    if tables.visits is not None:
        layers.append(("visits", _visits_layer(scenario, roster, tables.visits, graph), "LineString"))

    def write(tmp: Path) -> None:
        for layer, gdf, gtype in layers:
            gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio", geometry_type=gtype)

    return atomic_file(Path(run_dir) / GPKG_NAME, write)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Columns a GeoPackage can hold: tuples/lists/dicts as text, datetimes as ISO text."""
    out = df.copy()
    for col in out.columns:
        if col == "geometry":
            continue
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime(TIME_FMT)
        elif s.dtype == object:
            out[col] = [";".join(map(str, v)) if isinstance(v, (tuple, list)) else
                        (json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v) for v in s]
            if all(v is None or isinstance(v, str) for v in out[col]):
                out[col] = out[col].astype(object)
            else:
                out[col] = out[col].astype(str)
    return out


def _points(df: pd.DataFrame):
    """``df`` made GIS-plain, as points at its ``lon`` / ``lat``."""
    import geopandas as gpd

    return gpd.GeoDataFrame(_plain(df), geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=_CRS)


def _lines(df: pd.DataFrame, geoms):
    """``df`` with one line (or None) per row."""
    import geopandas as gpd

    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=_CRS), crs=_CRS)


def _stations_layer(scenario, roster: pd.DataFrame):
    """The stations with their load: ``teams``, ``shifts``, ``team_hours``, ``travel_hours``."""
    load = station_load(scenario, roster).set_index("station_id")
    st = scenario.stations.copy()
    sid = st["station_id"].astype(str)
    for col in ("teams", "shifts", "team_hours", "travel_hours"):
        st[col] = sid.map(load[col]).to_numpy()
    return _points(st)


def _hotspots_layer(scenario, roster: pd.DataFrame, coverage: pd.DataFrame):
    """The hotspots with their zone's ``tier`` and ``mode``, ``shifts`` and ``uncovered_slots``."""
    hs = scenario.hotspots.copy()
    hid = hs["hotspot_id"].astype(str)
    zmode = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["mode"].astype(str)))
    hs["tier"] = hid.map(hotspot_tiers(scenario)).to_numpy()
    hs["mode"] = hs["zone_id"].astype(str).map(zmode).fillna("").to_numpy()
    hs["shifts"] = hid.map(roster.groupby("hotspot_id").size()).fillna(0).astype(int).to_numpy()
    hs["uncovered_slots"] = hid.map(coverage.groupby("hotspot_id")["gap"].sum()).fillna(0).astype(int).to_numpy()
    return _points(hs)


def _zones_layer(scenario, roster: pd.DataFrame):
    """One straight line per zone, member station and hotspot, with the pair's ``shifts``."""
    import shapely

    links = station_hotspot_links(scenario)
    n_shifts = roster.groupby(["station_id", "hotspot_id"]).size()
    links["shifts"] = [int(n_shifts.get((s, h), 0)) for s, h in zip(links["station_id"], links["hotspot_id"])]
    z_geom = shapely.linestrings(
        np.stack([links[["station_lon", "station_lat"]].to_numpy(float),
                  links[["hotspot_lon", "hotspot_lat"]].to_numpy(float)], axis=1).reshape(-1, 2, 2)
    ) if len(links) else []
    return _lines(links[["zone_id", "tier", "mode", "station_id", "hotspot_id", "shifts"]], z_geom)


def _shift_path(graph, a: tuple[float, float], b: tuple[float, float]) -> tuple[list[tuple[float, float]], str]:
    """The road path from ``a`` to ``b`` and ``'road'``, else the straight line and ``'straight'``."""
    if graph is not None:
        try:
            path = [(float(x), float(y)) for x, y in graph.path_lonlat(a, b)]
        except Exception:  # unreachable or snapping failure: fall back to the straight line
            path = []
        if len(path) >= 2:
            return path, "road"
    return [a, b], "straight"


def _roster_layer(scenario, roster: pd.DataFrame, graph):
    """One line per roster row from its station to its hotspot (the road path where ``graph``
    finds one), the roster's columns with names, times as text and ``path``."""
    import shapely

    st, hs = scenario.stations, scenario.hotspots
    sxy = dict(zip(st["station_id"].astype(str), zip(st["lon"].astype(float), st["lat"].astype(float))))
    hxy = dict(zip(hs["hotspot_id"].astype(str), zip(hs["lon"].astype(float), hs["lat"].astype(float))))
    cache: dict[tuple[str, str], tuple[object, str]] = {}
    geoms, kinds = [], []
    for key in zip(roster["station_id"], roster["hotspot_id"]):
        if key not in cache:
            s_id, h_id = key
            if s_id in sxy and h_id in hxy:
                path, kind = _shift_path(graph, sxy[s_id], hxy[h_id])
                cache[key] = (shapely.LineString(path), kind)
            else:
                cache[key] = (None, "unknown")
        geoms.append(cache[key][0])
        kinds.append(cache[key][1])
    return _lines(_plain(named_roster(scenario, roster).assign(path=kinds)), geoms)


def _visits_layer(scenario, roster: pd.DataFrame, visits: pd.DataFrame, graph):
    """One line per loop shift along its road path (station, the stops, back to the first
    stop, the station): ``shift_id``, ``team_id``, ``station_id``, ``loop_id``,
    ``loop_hotspots``, ``visits``, ``first_arrive``, ``last_depart``, ``path``."""
    import shapely

    routes = loop_shift_routes(scenario, roster, graph=graph)
    per = visits.groupby("shift_id").agg(visits=("visit_id", "size"), first_arrive=("arrive", "min"),
                                         last_depart=("depart", "max"))
    team = dict(zip(roster["shift_id"], roster["team_id"]))
    df = routes.drop(columns="coords").assign(team_id=routes["shift_id"].map(team).fillna(""))
    df = df.join(per, on="shift_id")
    df["visits"] = df["visits"].fillna(0).astype(int)
    df = df[["shift_id", "team_id", "station_id", "loop_id", "loop_hotspots", "visits", "first_arrive",
             "last_depart", "path"]]
    geoms = [shapely.LineString(c) if len(c) >= 2 else None for c in routes["coords"]]
    return _lines(_plain(df), geoms)
