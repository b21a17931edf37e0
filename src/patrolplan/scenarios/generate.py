"""Synthetic scenarios in the contract's formats: ``generate_scenario(out_dir, stations=..., hotspots=...)``.

A generated scenario has the structure of a real one, at any size from a handful of stations
to a province (1,500 stations, 1,300 hotspots in a few seconds):

Region
    A square in a transverse-Mercator plane centred near lon 116.5, lat 35.4, sized so that
    stations sit on a jittered lattice about 9 km apart (``STATION_SPACING_CELLS`` road cells
    of ``ROAD_SPACING_M``).
Jurisdictions
    Each station has its own town: its Voronoi cell, clipped to the region. Counties are the
    Voronoi cells of county seeds (k-means centres of the stations, about
    ``STATIONS_PER_COUNTY`` stations each), so a county is a union of town cells; cities group
    counties (about ``COUNTIES_PER_CITY``) and provinces group cities (about
    ``CITIES_PER_PROVINCE``) the same way. Large instances get at least two of each, so every
    tier has borders.
Roads
    A jittered grid (one line every ``ROAD_SPACING_M``) of OSM-like ``highway`` classes: a
    trunk every 24th line, a primary every 8th, a secondary every 4th, tertiary on the other
    even lines and unclassified on the odd ones; trunks carry ``maxspeed`` 80 and every other
    primary ``maxspeed`` 70. About ``MISSING_LINK_SHARE`` of the grid links are missing, never
    a trunk or primary link and never one of a random spanning tree, so the graph stays
    connected. Stations sit on road vertices.
Hotspots
    Border junctions: the point where a road link crosses the border between two town cells
    (the point becomes a road vertex) or a point where three town cells meet (reached by a
    short ``track`` spur from the nearest grid vertex). Junctions on county, city or province
    borders come first; town-level ones only when more hotspots are asked for than those
    give. Hotspots keep at least 2 km apart where they can. The hotspot's tier is the highest
    tier at which the cells it touches differ.
Zones
    One or two nearby hotspots of one tier; 2-4 member stations, the nearest by straight-line
    distance, always including the nearest station of a second jurisdiction of the zone's tier.
    City and province zones are ``synchronized`` (``min_stations`` 2), county and town zones
    ``staggered``; if that leaves one mode unused, a quarter of the zones switch, so both modes
    appear whenever there are two zones.
Demand
    ``coverage`` is the share of each day needing presence: ``n = round(24 * coverage)``
    hours. ``n = 24`` is round-the-clock (``default_demand: 1``). Otherwise
    ``default_demand: 0`` and one zone rule per zone: the night key period, ``n`` hours centred
    on 23:00 while ``n <= 6`` (20:00-02:00 at the default 0.25), extended back in the day from
    02:00 beyond that; about 40% of zones add market-day mornings (07:00-10:00 on two weekdays)
    at their first hotspot. Synchronized zones ask for 2 teams (teams of two stations), the
    others for 1.
Manpower (the rule that keeps the week feasible)
    Officers are drawn uniformly from ``officers_range``, then raised where the demand needs
    more. A demand window of ``w`` hours takes about ``ceil((w + 4) / 7)`` shifts per team
    asked for (shifts start on a 2-hour grid, last at most 8 h and include travel). A
    staggered zone's shifts are shared equally by its members; in a synchronized zone each
    jurisdiction of the tier carries an equal part, shared by its member stations. A station
    with ``S`` shifts of work gets at least ``ceil(1.25 * S / max_shifts_per_team) + 1`` teams
    (25% slack for the shift grid and rest rules, plus a spare team), i.e. ``team_size`` times
    that many officers.

Everything is drawn from ``numpy.random.SeedSequence(seed)``: one seed gives the same files,
byte for byte.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Voronoi, cKDTree

from patrolplan.errors import UsageError
from patrolplan.inputs.config import Modes, Objective, Rules, SolverSettings, TravelSettings
from patrolplan.outputs.runfolder import atomic_folder, prepare_output

__all__ = ["generate_scenario", "generate_command"]

LON0, LAT0 = 116.5, 35.4
ROAD_SPACING_M = 3000.0
STATION_SPACING_CELLS = 3
VERTEX_JITTER_SHARE = 0.25
MISSING_LINK_SHARE = 0.10
STATIONS_PER_COUNTY = 12
COUNTIES_PER_CITY = 8
CITIES_PER_PROVINCE = 8
HOTSPOT_SPACING_M = (2000.0, 1000.0, 300.0)
PAIR_WITHIN_M = 6000.0
PAIR_SHARE = 0.4
MARKET_SHARE = 0.4
MARKET_DAYS = ("mon,thu", "tue,fri", "wed,sat", "thu,sun", "fri,mon")
WEEK_START = "2026-11-30"  # a Monday
TIER_NAMES = ("town", "county", "city", "province")


# --- small helpers --------------------------------------------------------------------------


def _kmeans(xy: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 10) -> np.ndarray:
    """Labels 0..k'-1 (k' <= k, empty clusters dropped) of a seeded Lloyd k-means on ``xy``."""
    k = max(1, min(k, len(xy)))
    centres = xy[rng.choice(len(xy), size=k, replace=False)]
    labels = np.zeros(len(xy), dtype=int)
    for _ in range(iterations):
        labels = cKDTree(centres).query(xy)[1]
        for c in range(k):
            members = labels == c
            if members.any():
                centres[c] = xy[members].mean(axis=0)
    labels = cKDTree(centres).query(xy)[1]
    return _relabel_reading_order(labels, xy)


def _relabel_reading_order(labels: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Relabel groups 0.. in reading order of their centroids (north to south, west to east)."""
    groups = np.unique(labels)
    centroids = np.array([xy[labels == g].mean(axis=0) for g in groups])
    band = np.round(-centroids[:, 1] / 10_000.0)
    order = np.lexsort((centroids[:, 0], band))
    new = np.empty(groups.max() + 1, dtype=int)
    new[groups[order]] = np.arange(len(groups))
    return new[labels]


def _group_count(n_items: int, per_group: int, min_items_for_two: int) -> int:
    k = max(1, round(n_items / per_group))
    return max(2, k) if n_items >= min_items_for_two else k


def _line_class(k: int) -> str:
    if k % 24 == 12:
        return "trunk"
    if k % 8 == 4:
        return "primary"
    if k % 4 == 2:
        return "secondary"
    if k % 2 == 0:
        return "tertiary"
    return "unclassified"


def _line_maxspeed(k: int) -> int | None:
    cls = _line_class(k)
    if cls == "trunk":
        return 80
    if cls == "primary" and k % 16 == 4:
        return 70
    return None


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), 6) for v in obj]
        return [_round_coords(o) for o in obj]
    return obj


def _write_geojson(path: Path, features: list[dict]) -> None:
    lines = ['{"type":"FeatureCollection","features":[']
    body = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in features]
    lines.append(",\n".join(body))
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    def cell(v: Any) -> str:
        s = "" if v is None else str(v)
        if any(c in s for c in ',"\n'):
            s = '"' + s.replace('"', '""') + '"'
        return s

    text = "\n".join([",".join(header)] + [",".join(cell(v) for v in r) for r in rows]) + "\n"
    path.write_text(text, encoding="utf-8")


def _hhmm(hour: int) -> str:
    return f"{hour % 24:02d}:00"


def _shifts_per_occurrence(window_hours: float) -> int:
    """Shifts one team-demand window of ``window_hours`` takes (grid and travel included)."""
    return math.ceil((window_hours + 4) / 7)


def _occurrences(days: str, horizon_days: int) -> int:
    """How many of the horizon's days (starting on a Monday) a ``days`` spec names."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    if days == "mon-sun":
        wanted = set(range(7))
    else:
        wanted = {names.index(d) for d in days.split(",")}
    return sum(1 for d in range(horizon_days) if d % 7 in wanted)


# --- the pieces -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    nx: int  # vertices per row
    ny: int  # rows
    xy: np.ndarray  # (nx*ny, 2) metres
    edges: np.ndarray  # (E, 2) vertex ids; horizontal edges first
    edge_line: np.ndarray  # (E,) line index along which the edge runs
    edge_horizontal: np.ndarray  # (E,) bool
    present: np.ndarray  # (E,) bool

    def vid(self, i: int | np.ndarray, j: int | np.ndarray) -> Any:
        return j * self.nx + i


def _road_grid(nx: int, ny: int, rng: np.random.Generator) -> _Grid:
    """A jittered grid with ~10% of links missing, kept connected by a random spanning tree."""
    g = ROAD_SPACING_M
    ii, jj = np.meshgrid(np.arange(nx), np.arange(ny))
    xy = np.column_stack([ii.ravel() * g, jj.ravel() * g]).astype(float)
    xy += rng.uniform(-VERTEX_JITTER_SHARE * g, VERTEX_JITTER_SHARE * g, size=xy.shape)
    xy -= np.array([(nx - 1) * g / 2, (ny - 1) * g / 2])

    h_i, h_j = np.meshgrid(np.arange(nx - 1), np.arange(ny))
    h = np.column_stack([(h_j * nx + h_i).ravel(), (h_j * nx + h_i + 1).ravel()])
    v_i, v_j = np.meshgrid(np.arange(nx), np.arange(ny - 1))
    v = np.column_stack([(v_j * nx + v_i).ravel(), ((v_j + 1) * nx + v_i).ravel()])
    edges = np.vstack([h, v])
    edge_line = np.concatenate([h_j.ravel(), v_i.ravel()])
    horizontal = np.concatenate([np.ones(len(h), bool), np.zeros(len(v), bool)])

    n = nx * ny
    weights = rng.uniform(1.0, 2.0, size=len(edges))
    mst = minimum_spanning_tree(coo_matrix((weights, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()).tocoo()
    tree = {(min(a, b), max(a, b)) for a, b in zip(mst.row.tolist(), mst.col.tolist())}
    in_tree = np.array([(int(a), int(b)) in tree for a, b in edges])  # edges are stored a < b
    major = np.array([_line_class(int(k)) in ("trunk", "primary") for k in edge_line])
    removable = np.flatnonzero(~in_tree & ~major)
    n_remove = min(len(removable), round(MISSING_LINK_SHARE * len(edges)))
    present = np.ones(len(edges), bool)
    present[rng.choice(removable, size=n_remove, replace=False)] = False
    return _Grid(nx, ny, xy, edges, edge_line, horizontal, present)


@dataclass(frozen=True)
class _Candidate:
    x: float
    y: float
    kind: str  # "road_crossing" | "tri_junction"
    tier: int  # index into TIER_NAMES
    touching: tuple[int, ...]  # station indices whose town cells meet here
    edge: int  # road edge the crossing lies on, -1 for junctions
    vertex: int  # nearest grid vertex (spur start) for junctions, -1 for crossings


def _tier_of(stations: list[int], juris: np.ndarray) -> int:
    """Highest tier at which the given stations' jurisdictions differ (0 = town)."""
    for tier in (3, 2, 1):
        if len(set(juris[stations, tier].tolist())) > 1:
            return tier
    return 0


def _candidates(grid: _Grid, st_xy: np.ndarray, juris: np.ndarray, half: tuple[float, float]) -> list[_Candidate]:
    tree = cKDTree(st_xy)
    town = tree.query(grid.xy)[1]
    out: list[_Candidate] = []

    # road links crossing a town border: the crossing point is on the bisector of the two stations
    cross = np.flatnonzero(grid.present & (town[grid.edges[:, 0]] != town[grid.edges[:, 1]]))
    a = grid.xy[grid.edges[cross, 0]]
    b = grid.xy[grid.edges[cross, 1]]
    sa = st_xy[town[grid.edges[cross, 0]]]
    sb = st_xy[town[grid.edges[cross, 1]]]
    fa = ((a - sa) ** 2).sum(1) - ((a - sb) ** 2).sum(1)
    fb = ((b - sa) ** 2).sum(1) - ((b - sb) ** 2).sum(1)
    t = fa / (fa - fb)
    p = a + t[:, None] * (b - a)
    d_near = tree.query(p)[0]
    d_a = np.sqrt(((p - sa) ** 2).sum(1))
    on_border = d_near >= d_a - 1e-6
    for e, (px, py), ok in zip(cross.tolist(), p.tolist(), on_border.tolist()):
        if not ok:
            continue  # the link passes through a third cell at the bisector point
        pair = [int(town[grid.edges[e, 0]]), int(town[grid.edges[e, 1]])]
        out.append(_Candidate(px, py, "road_crossing", _tier_of(pair, juris), tuple(pair), e, -1))

    # points where three town cells meet
    if len(st_xy) < 4:
        return out
    vor = Voronoi(st_xy)
    touching: dict[int, set[int]] = {}
    for (p1, p2), verts in zip(vor.ridge_points.tolist(), vor.ridge_vertices):
        for v in verts:
            if v >= 0:
                touching.setdefault(v, set()).update((p1, p2))
    margin_x, margin_y = half[0] - ROAD_SPACING_M, half[1] - ROAD_SPACING_M
    vert_tree = cKDTree(grid.xy)
    for v in sorted(touching):
        x, y = vor.vertices[v]
        if abs(x) > margin_x or abs(y) > margin_y or len(touching[v]) < 3:
            continue
        stations = sorted(touching[v])
        nearest = int(vert_tree.query((x, y))[1])
        out.append(_Candidate(float(x), float(y), "tri_junction", _tier_of(stations, juris), tuple(stations), -1, nearest))
    return out


def _select_hotspots(cands: list[_Candidate], m: int, rng: np.random.Generator, n_stations: int) -> list[_Candidate]:
    """``m`` candidates, higher-tier first, kept apart by the largest spacing that gives enough."""
    order = rng.permutation(len(cands))
    order = sorted(order.tolist(), key=lambda c: 0 if cands[c].tier >= 1 else 1)
    chosen: list[int] = []
    taken = np.zeros(len(cands), bool)
    for spacing in HOTSPOT_SPACING_M:
        cells: dict[tuple[int, int], list[int]] = {}
        for c in chosen:
            cells.setdefault((int(cands[c].x // spacing), int(cands[c].y // spacing)), []).append(c)
        for c in order:
            if len(chosen) >= m:
                break
            if taken[c]:
                continue
            cx, cy = int(cands[c].x // spacing), int(cands[c].y // spacing)
            close = any(
                math.hypot(cands[o].x - cands[c].x, cands[o].y - cands[c].y) < spacing
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for o in cells.get((cx + dx, cy + dy), ())
            )
            if close:
                continue
            taken[c] = True
            chosen.append(c)
            cells.setdefault((cx, cy), []).append(c)
        if len(chosen) >= m:
            break
    if len(chosen) < m:
        raise UsageError(
            f"cannot place {m} hotspots at the borders of {n_stations} stations (at most "
            f"{len(chosen)} fit): ask for fewer hotspots or more stations"
        )
    return [cands[c] for c in chosen]


# --- the generator --------------------------------------------------------------------------


def generate_scenario(
    out_dir: str | Path,
    *,
    stations: int,
    hotspots: int,
    days: int = 7,
    seed: int = 0,
    coverage: float = 0.25,
    slot_minutes: int = 60,
    name: str | None = None,
    officers_range: tuple[int, int] = (8, 16),
) -> Path:
    """Write a synthetic scenario into ``out_dir`` and return the path of its ``config.yaml``.

    Writes ``config.yaml``, ``stations.csv``, ``hotspots.csv``, ``zones.csv``, ``demand.csv``,
    ``roads.geojson``, ``boundaries.geojson`` (counties) and ``prefectures.geojson`` (cities).
    See the module docstring for the structure and the manpower rule.

    Parameters
    ----------
    stations, hotspots
        How many (``stations >= 2``, ``hotspots >= 1``).
    days
        Horizon in days (1-31); the week starts on Monday 2026-11-30.
    seed
        Everything random derives from it: one seed, the same files byte for byte.
    coverage
        Share of each day in [0, 1] needing presence at every hotspot; 1.0 is round the clock.
    slot_minutes
        15, 30 or 60.
    name
        The config's name (names the run folder); default
        ``synthetic-<stations>s-<hotspots>h-<days>d-seed<seed>``.
    officers_range
        (low, high) officers per station before manpower is raised where demand needs it.
    """
    n_st, n_hs, days, seed = _checked_arguments(stations, hotspots, days, coverage, slot_minutes,
                                                officers_range, seed)
    name = name or f"synthetic-{n_st}s-{n_hs}h-{days}d-seed{seed}"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng_grid, rng_st, rng_juris, rng_hs, rng_zone, rng_off = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)
    )
    grid, st_xy, half = _place_stations(n_st, rng_grid, rng_st)
    juris, labels = _jurisdictions(st_xy, rng_juris)
    chosen, hs_xy = _place_hotspots(grid, st_xy, juris, half, n_hs, rng_hs)
    zone_of, zone_rows = _group_zones(chosen, hs_xy, st_xy, juris, rng_zone)
    ids = _Ids.of(n_st, n_hs, len(zone_rows))
    demand_rows, shifts = _demand(zone_rows, juris, ids, float(coverage), days, rng_zone)
    officers = _manpower(shifts, officers_range, rng_off)
    lonlat = _to_lonlat()
    _write_tables(out, ids, labels, juris, st_xy, officers, chosen, hs_xy, zone_of, zone_rows, demand_rows,
                  lonlat, rng_hs)
    _write_roads(out / "roads.geojson", grid, chosen, lonlat)
    _write_boundaries(out, st_xy, juris, labels, half, lonlat)
    default_demand = 1 if round(24 * float(coverage)) >= 24 else 0
    (out / "config.yaml").write_text(
        _config_text(name, days, slot_minutes, default_demand, has_demand=bool(demand_rows), seed=seed,
                     stations=n_st, hotspots=n_hs, coverage=float(coverage)),
        encoding="utf-8",
    )
    return out / "config.yaml"


# --- the steps ------------------------------------------------------------------------------


def _checked_arguments(stations, hotspots, days, coverage, slot_minutes, officers_range, seed):
    """Every wrong argument in one UsageError; the counts as ints."""
    problems = []
    if int(stations) < 2:
        problems.append(f"stations={stations}: give at least 2 stations")
    if int(hotspots) < 1:
        problems.append(f"hotspots={hotspots}: give at least 1 hotspot")
    if not 1 <= int(days) <= 31:
        problems.append(f"days={days}: give a horizon of 1 to 31 days")
    if not 0.0 <= float(coverage) <= 1.0:
        problems.append(f"coverage={coverage}: give a share in [0, 1] (1 = round the clock)")
    if slot_minutes not in (15, 30, 60):
        problems.append(f"slot_minutes={slot_minutes}: use 15, 30 or 60")
    lo, hi = (int(v) for v in officers_range)
    if not 0 <= lo <= hi:
        problems.append(f"officers_range={officers_range}: give (low, high) with 0 <= low <= high")
    if int(seed) < 0:
        problems.append(f"seed={seed}: give a seed >= 0")
    if problems:
        raise UsageError("; ".join(problems))
    return int(stations), int(hotspots), int(days), int(seed)


def _place_stations(n_st: int, rng_grid, rng_st) -> tuple[_Grid, np.ndarray, tuple[float, float]]:
    """The road grid and the stations on a jittered lattice of its vertices, 3 road cells
    (~9 km) apart, in reading order (north to south, west to east); the region's half sizes."""
    cols = math.ceil(math.sqrt(n_st))
    rows = math.ceil(n_st / cols)
    step = STATION_SPACING_CELLS
    grid = _road_grid(step * cols + 2, step * rows + 2, rng_grid)
    lattice = [(c, r) for r in range(rows) for c in range(cols)]
    keep = np.sort(rng_st.choice(len(lattice), size=n_st, replace=False))
    jitter = rng_st.choice([-1, 0, 1], size=(n_st, 2), p=[0.2, 0.6, 0.2])
    st_vertex = np.array(
        [grid.vid(step * lattice[k][0] + 1 + jx, step * lattice[k][1] + 1 + jy) for k, (jx, jy) in zip(keep, jitter)]
    )
    st_xy0 = grid.xy[st_vertex]
    order = np.lexsort((st_xy0[:, 0], -np.round(st_xy0[:, 1] / ROAD_SPACING_M)))
    st_xy = grid.xy[st_vertex[order]]
    half = (grid.nx * ROAD_SPACING_M / 2, grid.ny * ROAD_SPACING_M / 2)  # region: the grid plus a margin
    return grid, st_xy, half


def _jurisdictions(st_xy: np.ndarray, rng_juris) -> tuple[np.ndarray, list[list[str]]]:
    """``juris[s, tier]``: the index of station s's jurisdiction at each tier (town, county,
    city, province), and the jurisdictions' labels per tier."""
    n_st = len(st_xy)
    county = _kmeans(st_xy, _group_count(n_st, STATIONS_PER_COUNTY, 6), rng_juris)
    n_county = county.max() + 1
    county_xy = np.array([st_xy[county == c].mean(axis=0) for c in range(n_county)])
    city_of_county = _kmeans(county_xy, _group_count(n_county, COUNTIES_PER_CITY, 6), rng_juris)
    n_city = city_of_county.max() + 1
    city_xy = np.array([county_xy[city_of_county == c].mean(axis=0) for c in range(n_city)])
    prov_of_city = _kmeans(city_xy, _group_count(n_city, CITIES_PER_PROVINCE, 4), rng_juris)
    juris = np.column_stack(
        [np.arange(n_st), county, city_of_county[county], prov_of_city[city_of_county[county]]]
    )
    w = len(str(n_st))
    labels = [
        [f"Town-{i + 1:0{max(4, w)}d}" for i in range(n_st)],
        [f"County-{i + 1:03d}" for i in range(n_county)],
        [f"City-{i + 1:02d}" for i in range(n_city)],
        [f"Province-{i + 1}" for i in range(prov_of_city.max() + 1)],
    ]
    return juris, labels


def _place_hotspots(grid, st_xy, juris, half, n_hs: int, rng_hs) -> tuple[list[_Candidate], np.ndarray]:
    """Hotspots at border junctions, in reading order."""
    chosen = _select_hotspots(_candidates(grid, st_xy, juris, half), n_hs, rng_hs, len(st_xy))
    hs_xy = np.array([(c.x, c.y) for c in chosen]).reshape(-1, 2)
    hs_order = np.lexsort((hs_xy[:, 0], -np.round(hs_xy[:, 1] / ROAD_SPACING_M)))
    return [chosen[k] for k in hs_order], hs_xy[hs_order]


def _group_zones(chosen, hs_xy, st_xy, juris, rng_zone) -> tuple[np.ndarray, list[dict]]:
    """Zones of one or two hotspots of one tier with their 2-4 nearest member stations,
    spanning two jurisdictions; both modes appear whenever there are two zones."""
    n_hs, n_st = len(chosen), len(st_xy)
    st_tree = cKDTree(st_xy)
    hs_tree = cKDTree(hs_xy)
    zone_of = np.full(n_hs, -1)
    zones: list[list[int]] = []
    for h in range(n_hs):
        if zone_of[h] >= 0:
            continue
        group = [h]
        if rng_zone.random() < PAIR_SHARE:
            near = [
                o
                for o in sorted(hs_tree.query_ball_point(hs_xy[h], PAIR_WITHIN_M))
                if o != h and zone_of[o] < 0 and chosen[o].tier == chosen[h].tier
            ]
            if near:
                group.append(min(near, key=lambda o: (np.hypot(*(hs_xy[o] - hs_xy[h])), o)))
        for o in group:
            zone_of[o] = len(zones)
        zones.append(group)

    zone_rows = []
    for group in zones:
        tier = chosen[group[0]].tier
        centre = hs_xy[group].mean(axis=0)
        k = int(rng_zone.choice([2, 3, 4], p=[0.35, 0.4, 0.25]))
        _, near = st_tree.query(centre, k=min(n_st, 16))
        near = np.atleast_1d(near).tolist()
        if len(set(juris[near, tier].tolist())) < 2:
            near = np.argsort(np.hypot(*(st_xy - centre).T), kind="stable").tolist()
        first = near[0]
        second = next(s for s in near if juris[s, tier] != juris[first, tier])
        members = [first, second] + [s for s in near if s not in (first, second)][: k - 2]
        members.sort(key=near.index)
        mode = "synchronized" if tier >= 2 else "staggered"
        zone_rows.append({"hotspots": group, "tier": tier, "members": members, "mode": mode})
    modes = {z["mode"] for z in zone_rows}
    if len(zone_rows) >= 2 and len(modes) == 1:
        other = "staggered" if modes == {"synchronized"} else "synchronized"
        flip = rng_zone.choice(len(zone_rows), size=max(1, len(zone_rows) // 4), replace=False)
        for z in sorted(flip.tolist()):
            zone_rows[z]["mode"] = other
    return zone_of, zone_rows


@dataclass(frozen=True)
class _Ids:
    stations: list[str]
    hotspots: list[str]
    zones: list[str]

    @classmethod
    def of(cls, n_st: int, n_hs: int, n_zones: int) -> "_Ids":
        w = len(str(n_st))
        return cls([f"S{i + 1:0{max(4, w)}d}" for i in range(n_st)], [f"H{i + 1:04d}" for i in range(n_hs)],
                   [f"Z{i + 1:04d}" for i in range(n_zones)])


def _demand(zone_rows, juris, ids: _Ids, coverage: float, days: int, rng_zone) -> tuple[list[list[Any]], np.ndarray]:
    """The demand rules, and the shifts they take at each station (the manpower rule's input)."""
    n_hours = round(24 * coverage)
    demand_rows: list[list[Any]] = []
    shifts = np.zeros(len(ids.stations))
    for zid, z in zip(ids.zones, zone_rows):
        teams = 2 if z["mode"] == "synchronized" else 1
        windows: list[tuple[str, str, int, float, int]] = []  # (hotspot_id, days, start_h, hours, teams)
        if n_hours >= 24:
            if teams > 1:
                demand_rows.append(["", zid, "mon-sun", "00:00", "00:00", teams])
            windows += [(ids.hotspots[h], "mon-sun", 0, 24, teams) for h in z["hotspots"]]
        elif n_hours > 0:
            start = 23 - math.ceil(n_hours / 2) if n_hours <= 6 else 26 - n_hours
            demand_rows.append(["", zid, "mon-sun", _hhmm(start), _hhmm(start + n_hours), teams])
            windows += [(ids.hotspots[h], "mon-sun", start, n_hours, teams) for h in z["hotspots"]]
            if rng_zone.random() < MARKET_SHARE:
                market = MARKET_DAYS[int(rng_zone.integers(len(MARKET_DAYS)))]
                hid = ids.hotspots[z["hotspots"][0]]
                demand_rows.append([hid, "", market, "07:00", "10:00", teams])
                windows.append((hid, market, 7, 3, teams))
        total = sum(_occurrences(d, days) * _shifts_per_occurrence(hrs) * t for _, d, _, hrs, t in windows)
        members = z["members"]
        if z["mode"] == "staggered":
            for s in members:
                shifts[s] += total / len(members)
        else:
            groups: dict[int, list[int]] = {}
            for s in members:
                groups.setdefault(int(juris[s, z["tier"]]), []).append(s)
            for g in groups.values():
                for s in g:
                    shifts[s] += total / len(groups) / len(g)
    return demand_rows, shifts


def _manpower(shifts: np.ndarray, officers_range, rng_off) -> np.ndarray:
    """Officers per station: drawn from ``officers_range``, raised where the demand needs more
    (the rules are the config's defaults, which the written config.yaml states)."""
    lo, hi = (int(v) for v in officers_range)
    rules = Rules()
    officers = rng_off.integers(lo, hi + 1, size=len(shifts))
    teams_needed = np.where(shifts > 0, np.ceil(1.25 * shifts / rules.max_shifts_per_team - 1e-9) + 1, 0).astype(int)
    return np.maximum(officers, rules.team_size * teams_needed)


def _to_lonlat():
    to_lonlat = Transformer.from_crs(
        f"+proj=tmerc +lat_0={LAT0} +lon_0={LON0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs",
        "EPSG:4326",
        always_xy=True,
    )

    def lonlat(xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, float).reshape(-1, 2)
        lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), 6)

    return lonlat


def _write_tables(out: Path, ids: _Ids, labels, juris, st_xy, officers, chosen, hs_xy, zone_of, zone_rows,
                  demand_rows, lonlat, rng_hs) -> None:
    """stations.csv, hotspots.csv, zones.csv and demand.csv."""
    n_st, n_hs = len(ids.stations), len(ids.hotspots)
    st_ll = lonlat(st_xy)
    _write_csv(
        out / "stations.csv",
        ["station_id", "name", "officers", "lon", "lat", "town", "county", "city", "province"],
        [
            [
                ids.stations[s],
                f"Station {ids.stations[s][1:]}",
                int(officers[s]),
                f"{st_ll[s, 0]:.6f}",
                f"{st_ll[s, 1]:.6f}",
                *(labels[t][juris[s, t]] for t in range(4)),
            ]
            for s in range(n_st)
        ],
    )
    hs_ll = lonlat(hs_xy)
    risk = np.round(rng_hs.uniform(0.5, 2.0, size=n_hs), 1)
    hs_rows = []
    for h, c in enumerate(chosen):
        borders = sorted({labels[c.tier][juris[s, c.tier]] for s in c.touching})
        what = "road crossing" if c.kind == "road_crossing" else "junction"
        hs_rows.append(
            [
                ids.hotspots[h],
                f"{' / '.join(borders)} {what}",
                ids.zones[zone_of[h]],
                f"{hs_ll[h, 0]:.6f}",
                f"{hs_ll[h, 1]:.6f}",
                f"{risk[h]:.1f}",
                c.kind,
                TIER_NAMES[c.tier],
                ";".join(borders),
            ]
        )
    _write_csv(
        out / "hotspots.csv",
        ["hotspot_id", "name", "zone_id", "lon", "lat", "risk", "kind", "tier", "borders"],
        hs_rows,
    )
    _write_csv(
        out / "zones.csv",
        ["zone_id", "tier", "mode", "stations", "min_stations"],
        [
            [zid, TIER_NAMES[z["tier"]], z["mode"], ";".join(ids.stations[s] for s in z["members"]),
             2 if z["mode"] == "synchronized" else ""]
            for zid, z in zip(ids.zones, zone_rows)
        ],
    )
    _write_csv(out / "demand.csv", ["hotspot_id", "zone_id", "days", "start", "end", "teams"], demand_rows)


def _write_roads(path: Path, grid: _Grid, chosen: list[_Candidate], lonlat) -> None:
    """Grid lines broken at missing links, crossing hotspots inserted, spurs to junctions."""
    ll = lonlat(grid.xy)
    inserted = {c.edge: lonlat([(c.x, c.y)])[0] for c in chosen if c.kind == "road_crossing"}
    features = []

    def emit(line: int, horizontal: bool, coords: list) -> None:
        props: dict[str, Any] = {"highway": _line_class(line)}
        speed = _line_maxspeed(line)
        if speed is not None:
            props["maxspeed"] = speed
        props["name"] = f"{'EW' if horizontal else 'NS'} road {line + 1}"
        features.append(
            {"type": "Feature", "properties": props,
             "geometry": {"type": "LineString", "coordinates": _round_coords(coords)}}
        )

    n_h = (grid.nx - 1) * grid.ny
    for horizontal, n_lines, per_line in ((True, grid.ny, grid.nx - 1), (False, grid.nx, grid.ny - 1)):
        for line in range(n_lines):
            run: list = []
            for k in range(per_line):
                e = line * per_line + k if horizontal else n_h + k * grid.nx + line
                if not grid.present[e]:
                    if len(run) >= 2:
                        emit(line, horizontal, run)
                    run = []
                    continue
                a, b = grid.edges[e]
                if not run:
                    run = [ll[a].tolist()]
                if e in inserted:
                    run.append(inserted[e].tolist())
                run.append(ll[b].tolist())
            if len(run) >= 2:
                emit(line, horizontal, run)
    for c in chosen:
        if c.kind == "tri_junction":
            coords = [ll[c.vertex].tolist(), lonlat([(c.x, c.y)])[0].tolist()]
            features.append(
                {"type": "Feature", "properties": {"highway": "track", "name": "border track"},
                 "geometry": {"type": "LineString", "coordinates": _round_coords(coords)}}
            )
    _write_geojson(path, features)


def _write_boundaries(
    out: Path, st_xy: np.ndarray, juris: np.ndarray, labels: list[list[str]], half: tuple[float, float], lonlat
) -> None:
    """County polygons (boundaries.geojson) and city polygons (prefectures.geojson)."""
    box = shapely.box(-half[0], -half[1], half[0], half[1])
    cells = shapely.voronoi_polygons(shapely.multipoints(st_xy), extend_to=box, ordered=True)
    towns = shapely.intersection(np.asarray(shapely.get_parts(cells)), box)

    def to_ll(geom):
        return shapely.transform(geom, lambda xy: lonlat(xy))

    for tier, filename, props_of in (
        (1, "boundaries.geojson", lambda s: {"county": labels[1][juris[s, 1]], "city": labels[2][juris[s, 2]],
                                            "province": labels[3][juris[s, 3]]}),
        (2, "prefectures.geojson", lambda s: {"city": labels[2][juris[s, 2]], "province": labels[3][juris[s, 3]]}),
    ):
        features = []
        for j in range(juris[:, tier].max() + 1):
            members = np.flatnonzero(juris[:, tier] == j)
            geom = to_ll(shapely.union_all(towns[members]))
            props = {"name": labels[tier][j], "level": TIER_NAMES[tier], **props_of(int(members[0]))}
            features.append(
                {"type": "Feature", "properties": props,
                 "geometry": _round_coords_geom(shapely.geometry.mapping(geom))}
            )
        _write_geojson(out / filename, features)


def _round_coords_geom(mapping: Any) -> dict:
    return {"type": mapping["type"], "coordinates": _round_coords(mapping["coordinates"])}


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _config_text(name: str, days: int, slot_minutes: int, default_demand: int, *, has_demand: bool,
                 seed: int, stations: int, hotspots: int, coverage: float) -> str:
    """config.yaml: the scenario's own values, and the rules, travel, modes, objective and
    solver settings stated as the config's defaults (taken from the config model, not copied)."""
    rules, travel, modes, objective, solver = Rules(), TravelSettings(), Modes(), Objective(), SolverSettings()
    speeds = ", ".join(f"{k}: {_num(v)}" for k, v in travel.speeds_kmh.items())
    shift_hours = ", ".join(_num(h) for h in rules.shift_hours)
    demand_line = "  demand: demand.csv\n" if has_demand else "  # demand: demand.csv   (no rules: coverage 0)\n"
    return f"""# Synthetic scenario: patrolplan generate --stations {stations} --hotspots {hotspots} --days {days} --seed {seed} --coverage {coverage:g}
name: {json.dumps(name, ensure_ascii=False)}
week_start: {WEEK_START}
horizon_days: {days}
slot_minutes: {slot_minutes}
data:
  stations: stations.csv
  hotspots: hotspots.csv
  zones: zones.csv
{demand_line}  roads: roads.geojson
  boundaries: boundaries.geojson
  prefectures: prefectures.geojson
rules:
  team_size: {rules.team_size}
  shift_hours: [{shift_hours}]
  shift_start_every_minutes: {rules.shift_start_every_minutes}
  min_rest_hours: {_num(rules.min_rest_hours)}
  max_shifts_per_team: {rules.max_shifts_per_team}
  reserve_officers: {rules.reserve_officers}
travel:
  speeds_kmh: {{{speeds}}}
  offroad_kmh: {_num(travel.offroad_kmh)}
  max_snap_m: {_num(travel.max_snap_m)}
  detour_factor: {_num(travel.detour_factor)}
default_demand: {default_demand}
modes:
  handover_minutes: {modes.handover_minutes}
  synchronized_min_stations: {modes.synchronized_min_stations}
objective:
  travel: {_num(objective.travel)}
  fairness: {_num(objective.fairness)}
  overcoverage: {_num(objective.overcoverage)}
solver:
  time_limit_seconds: {_num(solver.time_limit_seconds)}
  workers: {solver.workers}
  seed: {solver.seed}
  allow_gaps: {str(solver.allow_gaps).lower()}
"""


def generate_command(
    out_dir: str | Path,
    *,
    stations: int,
    hotspots: int,
    days: int = 7,
    seed: int = 0,
    coverage: float = 0.25,
) -> Path:
    """``patrolplan generate --stations N --hotspots M --days D --seed S [--coverage F] --out DIR``.

    Writes the scenario and returns its config path; raises :class:`UsageError` on bad numbers.
    """
    out_dir = prepare_output(out_dir, kind="scenario")
    with atomic_folder(out_dir, kind="scenario") as tmp:
        generate_scenario(tmp, stations=stations, hotspots=hotspots, days=days, seed=seed, coverage=coverage)
    return Path(out_dir) / "config.yaml"
