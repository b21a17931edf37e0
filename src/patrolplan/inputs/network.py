"""Road graph, snapping and the travel-time matrix (minutes).

Two layers, as in spopt: :meth:`RoadGraph.from_lines` reduces road geometries to a directed
edge list (vertex coordinates, tail, head, minutes) and hands it to
:meth:`RoadGraph.from_edges`, which needs no GIS and is what the shortest-path code runs on.

Travel between a point ``a`` and a point ``b`` (minutes)::

    t(a, b) = d(a, v_a) / offroad + T(v_a, v_b) + d(v_b, b) / offroad

where ``v_x`` is the road vertex nearest to ``x``, ``d`` the geodesic distance and ``T`` the
fastest directed road path (Dijkstra). ``travel_times`` rounds every value up to the whole
minute. Without roads, ``t(a, b) = d(a, b) * detour_factor / speeds_kmh['default']``.

``travel_times`` searches the graph reduced to the snapped vertices (:mod:`.shortcuts`) and
gives exactly the minutes of the plain per-vertex Dijkstra on the whole graph
(:func:`terminal_minutes`); with ``cache=`` it reads a matrix stored by an earlier run
(:mod:`.travel_cache`).

Units: lengths in metres (``_m``), speeds in km/h (``_kmh``), times in minutes (``_min``).
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from patrolplan.errors import DataError
from patrolplan.inputs.scenario import Scenario
from patrolplan.inputs.shortcuts import many_to_many, reduce_graph, relative_error_bound
from patrolplan.inputs.travel import UNREACHABLE_MIN, Travel, needs_hotspot_hops
from patrolplan.inputs.travel_cache import read_cached, travel_key
from patrolplan.inputs.validate import display_path

__all__ = ["UNREACHABLE_MIN", "Travel", "RoadGraph", "travel_times", "terminal_minutes", "road_graph",
           "parse_maxspeed"]

_GEOD = pyproj.Geod(ellps="WGS84")
_COORD_SCALE = 10**7  # vertices are identified by coordinates rounded to 1e-7 degrees (~1 cm)
_CHUNK_FLOATS = 8_000_000  # a Dijkstra chunk holds at most this many float64 (64 MB)
_MPH_KMH = 1.609344
_KNOT_KMH = 1.852
_EPS_MIN = 1e-9


def _ceil_min(x: np.ndarray) -> np.ndarray:
    """Float minutes -> int64 minutes rounded up (ceil(x - 1e-9)); inf -> UNREACHABLE_MIN."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, UNREACHABLE_MIN, dtype=np.int64)
    ok = np.isfinite(x)
    out[ok] = np.minimum(np.ceil(x[ok] - _EPS_MIN), UNREACHABLE_MIN).astype(np.int64)
    return np.maximum(out, 0)


def _m_per_min(speed_kmh: float | np.ndarray) -> Any:
    return np.asarray(speed_kmh, dtype=float) * (1000.0 / 60.0)


# --- attribute parsing -----------------------------------------------------------------------

_SPEED_RE = re.compile(
    r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|km|mph|knots|kn)?\s*$", re.IGNORECASE
)


def _first(value: Any) -> Any:
    """First element of list-like values: lists, "['a', 'b']" (OSMnx), "a;b" (OSM)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return value[0] if len(value) else None
    if isinstance(value, str):
        s = value.strip()
        if s.startswith("[") and s.endswith("]"):
            try:
                parsed = ast.literal_eval(s)
            except (ValueError, SyntaxError):
                parsed = [p.strip(" '\"") for p in s[1:-1].split(",")]
            if isinstance(parsed, (list, tuple)):
                return parsed[0] if parsed else None
        if ";" in s:
            return s.split(";")[0].strip()
        return s
    return value


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_maxspeed(value: Any) -> float:
    """An OSM ``maxspeed`` value in km/h, or NaN when it gives no number.

    Accepts numbers, ``"60"``, ``"60 km/h"``, ``"30 mph"``, ``"10 knots"`` and lists
    (the first entry counts). ``"none"``, ``"signals"``, ``"RU:urban"``, empty or 0 -> NaN.
    """
    value = _first(value)
    if _is_missing(value) or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return v if math.isfinite(v) and v > 0 else math.nan
    m = _SPEED_RE.match(str(value))
    if not m:
        return math.nan
    v = float(m.group(1).replace(",", "."))
    unit = (m.group(2) or "").lower()
    if unit == "mph":
        v *= _MPH_KMH
    elif unit in ("knots", "kn"):
        v *= _KNOT_KMH
    return v if v > 0 else math.nan


def _road_class(value: Any) -> str | None:
    """Normalised road class: first of a list, lower case, ``primary_link`` -> ``primary``."""
    value = _first(value)
    if _is_missing(value):
        return None
    s = str(value).strip().lower()
    if s.endswith("_link"):
        s = s[: -len("_link")]
    return s or None


def _oneway_code(value: Any) -> int:
    """+1: only in the drawn direction (yes/true/1); -1: only against it (-1); 0: both."""
    value = _first(value)
    if _is_missing(value):
        return 0
    if isinstance(value, (bool, np.bool_)):
        return 1 if value else 0
    if isinstance(value, (int, float, np.integer, np.floating)):
        return 1 if value == 1 else (-1 if value == -1 else 0)
    s = str(value).strip().lower()
    if s in ("yes", "true", "1", "1.0"):
        return 1
    if s in ("-1", "-1.0", "reverse"):
        return -1
    return 0


def _map_unique(series: pd.Series, fn) -> np.ndarray:
    """Apply ``fn`` once per distinct value (values may be unhashable lists)."""
    keys = series.map(lambda v: repr(v) if isinstance(v, (list, tuple, np.ndarray)) else v)
    cache: dict[Any, Any] = {}
    out = []
    for key, value in zip(keys, series):
        try:
            out.append(cache[key])
        except KeyError:
            cache[key] = r = fn(value)
            out.append(r)
        except TypeError:  # unhashable oddity
            out.append(fn(value))
    return np.asarray(out, dtype=object)


def _plain(value: Any) -> str:
    """A cell as a planner wrote it (numpy scalars as plain numbers)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _line_speeds_kmh(roads: pd.DataFrame, speeds_kmh: dict[str, float], problems: list[str],
                     source: str = "roads") -> np.ndarray:
    """Speed of each road row: ``speed_kmh``, else ``maxspeed``, else class speed, else default.
    A given speed of 0 or below (or not a number) is a problem naming ``source``, the row (as
    the other road messages number them: the first feature is row 2) and the column."""
    n = len(roads)
    default = float(speeds_kmh.get("default", 30.0))
    speed = np.full(n, np.nan)

    def bad_rows(column: str, bad: np.ndarray, raw: pd.Series, fix: str) -> None:
        for i in np.flatnonzero(bad)[:20]:
            problems.append(f"{source}: row {i + 2}, column '{column}': '{_plain(raw.iloc[i])}' is not a "
                            f"speed above 0 km/h — {fix}")
        if bad.sum() > 20:
            problems.append(f"{source}: column '{column}': {int(bad.sum()) - 20} more rows like these")

    if "speed_kmh" in roads.columns:
        raw = roads["speed_kmh"]
        given = ~raw.map(_is_missing).to_numpy(dtype=bool)
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = given & ~(np.isfinite(num) & (num > 0))
        bad_rows("speed_kmh", bad, raw,
                 "give a positive number or leave it empty to use maxspeed or the class speed")
        speed = np.where(given & ~bad, num, np.nan)
    if "maxspeed" in roads.columns:
        parsed_all = _map_unique(roads["maxspeed"], parse_maxspeed).astype(float)
        bad = np.isfinite(parsed_all) & (parsed_all <= 0) & np.isnan(speed)
        bad_rows("maxspeed", bad, roads["maxspeed"],
                 "give the posted limit (e.g. 60 or '60 mph') or leave it empty to use the class speed")
        speed = np.where(bad, default, speed)
    if "maxspeed" in roads.columns:
        fill = np.isnan(speed)
        if fill.any():
            parsed = _map_unique(roads["maxspeed"], parse_maxspeed).astype(float)
            speed = np.where(fill, parsed, speed)
    fill = np.isnan(speed)
    if fill.any():
        cls = np.full(n, None, dtype=object)
        for col in ("highway", "road_class"):  # road_class wins where both are given
            if col in roads.columns:
                c = _map_unique(roads[col], _road_class)
                cls = np.where(pd.isna(c), cls, c)
        class_speed = np.array(
            [float(speeds_kmh.get(c, default)) if c is not None else default for c in cls], dtype=float
        )
        speed = np.where(fill, class_speed, speed)
    return speed


# --- the graph -------------------------------------------------------------------------------


class RoadGraph:
    """A directed road graph with edge weights in minutes, and nearest-vertex snapping.

    Build it with :meth:`from_lines` (road geometries) or :meth:`from_edges` (an edge list).
    Edge lengths are geodesic metres on the WGS84 ellipsoid (``pyproj.Geod``); snapping finds
    the nearest vertex with a k-d tree in a local UTM projection and reports the geodesic
    distance to it. Shortest paths are ``scipy.sparse.csgraph.dijkstra``, one search per source
    vertex, in chunks of bounded memory.
    """

    def __init__(self, vertex_lonlat: np.ndarray, matrix: csr_matrix, *, symmetric: bool):
        self._lonlat = np.asarray(vertex_lonlat, dtype=float)
        self._lonlat.setflags(write=False)
        self._matrix = matrix
        self._symmetric = symmetric
        self._transposed: csr_matrix | None = None
        lon0 = float(np.mean(self._lonlat[:, 0])) if len(self._lonlat) else 0.0
        lat0 = float(np.mean(self._lonlat[:, 1])) if len(self._lonlat) else 0.0
        zone = int((lon0 + 180) // 6) % 60 + 1
        epsg = (32600 if lat0 >= 0 else 32700) + zone
        self._to_metric = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
        xy = np.column_stack(self._to_metric.transform(self._lonlat[:, 0], self._lonlat[:, 1]))
        self._tree = cKDTree(xy)

    # construction ------------------------------------------------------------------------

    @classmethod
    def from_edges(
        cls, vertex_lonlat: np.ndarray, tail: np.ndarray, head: np.ndarray, edge_min: np.ndarray
    ) -> "RoadGraph":
        """A graph from directed edges ``tail[i] -> head[i]`` taking ``edge_min[i]`` minutes.

        Parallel edges keep the fastest; self-loops are dropped; times must be > 0.
        """
        vertex_lonlat = np.asarray(vertex_lonlat, dtype=float).reshape(-1, 2)
        n = len(vertex_lonlat)
        tail = np.asarray(tail, dtype=np.int64)
        head = np.asarray(head, dtype=np.int64)
        w = np.asarray(edge_min, dtype=float)
        keep = (tail != head) & np.isfinite(w)
        tail, head, w = tail[keep], head[keep], w[keep]
        if (w <= 0).any():
            raise ValueError("edge times must be > 0 minutes")
        # fastest of parallel edges: sort by (tail, head, w) and keep the first of each pair
        order = np.lexsort((w, head, tail))
        tail, head, w = tail[order], head[order], w[order]
        first = np.ones(len(tail), dtype=bool)
        first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
        tail, head, w = tail[first], head[first], w[first]
        matrix = csr_matrix((w, (tail, head)), shape=(n, n))
        matrix.sort_indices()
        symmetric = (matrix != matrix.T).nnz == 0
        return cls(vertex_lonlat, matrix, symmetric=symmetric)

    @classmethod
    def from_lines(cls, roads: Any, *, speeds_kmh: dict[str, float], source: str = "roads") -> "RoadGraph":
        """A graph from road lines (a GeoDataFrame, reprojected to EPSG:4326 if needed).

        Every vertex of every line is a graph vertex, identified by its coordinates rounded to
        1e-7 degrees, so lines connect wherever they share a vertex (not only at their ends);
        lines that cross without a shared vertex do not connect. MultiLineStrings are split
        into their parts. Each pair of consecutive vertices is an edge of geodesic length
        (metres, WGS84 ellipsoid) travelled at the line's speed:

        1. ``speed_kmh`` column (> 0), else
        2. OSM ``maxspeed`` (``"60"``, ``"60 km/h"``, ``"30 mph"``; unparseable -> next), else
        3. ``speeds_kmh[road_class or highway]`` (``primary_link`` -> ``primary``; a list
           ``"['primary', 'secondary']"`` -> its first), else
        4. ``speeds_kmh['default']``.

        ``oneway`` ``yes``/``true``/``1``: only in the drawn direction; ``-1``: only against
        it; anything else: both ways. Null and empty geometries are skipped; other non-line
        geometries and bad ``speed_kmh`` values raise :class:`DataError`.
        """
        problems: list[str] = []
        if roads is None or len(roads) == 0:
            raise DataError("roads: the file has no features — add road lines or drop data.roads")
        geo = roads.geometry
        if getattr(roads, "crs", None) is not None and not roads.crs.equals("EPSG:4326"):
            geo = geo.to_crs(4326)
        geoms = np.asarray(geo.values, dtype=object)
        gtype = shapely.get_type_id(geoms)  # -1 missing, 1 LineString, 2 LinearRing, 5 MultiLineString
        empty = (gtype < 0) | shapely.is_empty(geoms)
        wrong = ~empty & ~np.isin(gtype, (1, 2, 5))
        for i in np.flatnonzero(wrong)[:20]:
            problems.append(
                f"roads: row {i + 2}, column 'geometry': a {geoms[i].geom_type}, "
                "not a line — keep only LineString/MultiLineString road features"
            )
        speed = _line_speeds_kmh(roads, speeds_kmh, problems, source)
        if problems:
            raise DataError(problems)
        oneway = (
            _map_unique(roads["oneway"], _oneway_code).astype(np.int64)
            if "oneway" in roads.columns
            else np.zeros(len(roads), dtype=np.int64)
        )
        rows = np.flatnonzero(~empty)
        if len(rows) == 0:
            raise DataError("roads: no line geometries — add road lines or drop data.roads")
        parts, part_row = shapely.get_parts(geoms[rows], return_index=True)
        part_row = rows[part_row]
        coords, coord_part = shapely.get_coordinates(parts, return_index=True)
        # vertex identity: coordinates rounded to 1e-7 degrees, packed into one uint64 key
        q = np.rint(coords * _COORD_SCALE).astype(np.int64)
        key = ((q[:, 0] + 2**31).astype(np.uint64) << np.uint64(32)) | (q[:, 1] + 2**31).astype(np.uint64)
        ukey, vid = np.unique(key, return_inverse=True)
        vid = vid.ravel()
        lonlat = np.column_stack(
            [
                ((ukey >> np.uint64(32)).astype(np.int64) - 2**31) / _COORD_SCALE,
                ((ukey & np.uint64(0xFFFFFFFF)).astype(np.int64) - 2**31) / _COORD_SCALE,
            ]
        )
        # segments between consecutive coordinates of the same part
        seg = np.flatnonzero(coord_part[1:] == coord_part[:-1])
        a, b = vid[seg], vid[seg + 1]
        row = part_row[coord_part[seg]]
        keep = a != b
        a, b, row = a[keep], b[keep], row[keep]
        _, _, length_m = _GEOD.inv(lonlat[a, 0], lonlat[a, 1], lonlat[b, 0], lonlat[b, 1])
        w = np.asarray(length_m, dtype=float) / _m_per_min(speed[row])
        w = np.maximum(w, 1e-9)  # distinct vertices 1e-7 degrees apart are still apart
        ow = oneway[row]
        fwd, bwd = ow >= 0, ow <= 0
        tail = np.concatenate([a[fwd], b[bwd]])
        head = np.concatenate([b[fwd], a[bwd]])
        wt = np.concatenate([w[fwd], w[bwd]])
        return cls.from_edges(lonlat, tail, head, wt)

    # facts -------------------------------------------------------------------------------

    @property
    def n_vertices(self) -> int:
        return len(self._lonlat)

    @property
    def n_edges(self) -> int:
        """Directed edges after merging parallel ones."""
        return int(self._matrix.nnz)

    @property
    def vertex_lonlat(self) -> np.ndarray:
        """Vertex coordinates [n_vertices, 2] (lon, lat), read-only."""
        return self._lonlat

    @property
    def is_symmetric(self) -> bool:
        """True when every edge runs both ways at the same time (no one-way roads)."""
        return self._symmetric

    @property
    def matrix(self) -> csr_matrix:
        """Sparse adjacency: ``matrix[u, v]`` = minutes of edge u -> v."""
        return self._matrix

    # snapping ----------------------------------------------------------------------------

    def snap(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """Nearest vertex of each point: (vertex index int64, geodesic distance in metres).

        A point without finite coordinates gets vertex -1 and distance inf.
        """
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if len(lon) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.full(len(lon), -1, dtype=np.int64)
        dist = np.full(len(lon), np.inf)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if ok.any() and self.n_vertices:
            x, y = self._to_metric.transform(lon[ok], lat[ok])
            _, near = self._tree.query(np.column_stack([x, y]), k=1)
            near = np.asarray(near, dtype=np.int64)
            _, _, d = _GEOD.inv(lon[ok], lat[ok], self._lonlat[near, 0], self._lonlat[near, 1])
            idx[ok], dist[ok] = near, np.abs(np.asarray(d, dtype=float))
        return idx, dist

    # shortest paths ----------------------------------------------------------------------

    def _reverse_matrix(self) -> csr_matrix:
        if self._symmetric:
            return self._matrix
        if self._transposed is None:
            self._transposed = self._matrix.T.tocsr()
        return self._transposed

    def road_minutes(self, sources: np.ndarray, targets: np.ndarray, *, reverse: bool = False) -> np.ndarray:
        """Fastest road minutes between vertices, [len(sources), len(targets)] (inf: no path).

        ``reverse=False``: sources -> targets; ``reverse=True``: targets -> sources (searched
        on the transposed graph). One Dijkstra per distinct source vertex, in chunks of at
        most ~64 MB, keeping only the target columns.
        """
        sources = np.asarray(sources, dtype=np.int64).ravel()
        targets = np.asarray(targets, dtype=np.int64).ravel()
        out = np.full((len(sources), len(targets)), np.inf)
        if len(sources) == 0 or len(targets) == 0:
            return out
        graph = self._reverse_matrix() if reverse else self._matrix
        usrc, inv = np.unique(sources, return_inverse=True)
        chunk = max(1, _CHUNK_FLOATS // max(1, self.n_vertices))
        result = np.empty((len(usrc), len(targets)))
        for start in range(0, len(usrc), chunk):
            idx = usrc[start : start + chunk]
            dist = dijkstra(graph, directed=True, indices=idx)
            result[start : start + len(idx)] = dist[:, targets]
        out[:] = result[inv.ravel()]
        return out

    def minutes(self, from_lonlat: Any, to_lonlat: Any, *, offroad_kmh: float) -> np.ndarray:
        """Travel minutes (float) [n_from, n_to]: off-road leg + fastest road path + off-road leg.

        Points are (lon, lat) rows. The searches run from whichever side has fewer distinct
        snapped vertices (forward from ``from``, or on the transposed graph from ``to``).
        No road path -> inf. No snap-distance limit is applied here (see :func:`travel_times`).
        """
        a = np.asarray(from_lonlat, dtype=float).reshape(-1, 2)
        b = np.asarray(to_lonlat, dtype=float).reshape(-1, 2)
        va, da = self.snap(a[:, 0], a[:, 1])
        vb, db = self.snap(b[:, 0], b[:, 1])
        if len(np.unique(va)) <= len(np.unique(vb)):
            road = self.road_minutes(va, vb)
        else:
            road = self.road_minutes(vb, va, reverse=True).T
        speed = _m_per_min(offroad_kmh)
        return road + (da / speed)[:, None] + (db / speed)[None, :]

    def path_lonlat(self, a_lonlat: Any, b_lonlat: Any) -> list[tuple[float, float]]:
        """The fastest path from point a to point b as (lon, lat) points, off-road legs included.

        Starts at ``a``, follows the road vertices, ends at ``b``. Empty list if no road path.
        """
        a = tuple(float(v) for v in np.asarray(a_lonlat, dtype=float).ravel()[:2])
        b = tuple(float(v) for v in np.asarray(b_lonlat, dtype=float).ravel()[:2])
        (va,), _ = self.snap(a[0], a[1])
        (vb,), _ = self.snap(b[0], b[1])
        dist, pred = dijkstra(self._matrix, directed=True, indices=int(va), return_predecessors=True)
        if not np.isfinite(dist[vb]):
            return []
        chain = [int(vb)]
        while chain[-1] != va:
            chain.append(int(pred[chain[-1]]))
        chain.reverse()
        pts = [a] + [(float(self._lonlat[v, 0]), float(self._lonlat[v, 1])) for v in chain] + [b]
        # drop repeated points (a point standing exactly on its vertex)
        return [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]

    def paths_lonlat(self, pairs: list[tuple[Any, Any]]) -> list[list[tuple[float, float]]]:
        """:meth:`path_lonlat` for many ``(a_lonlat, b_lonlat)`` pairs: one Dijkstra per distinct
        start vertex instead of one per pair (a loop's legs share their stops)."""
        if not pairs:
            return []
        a = np.asarray([np.asarray(p[0], dtype=float).ravel()[:2] for p in pairs])
        b = np.asarray([np.asarray(p[1], dtype=float).ravel()[:2] for p in pairs])
        va, _ = self.snap(a[:, 0], a[:, 1])
        vb, _ = self.snap(b[:, 0], b[:, 1])
        sources = np.unique(va[va >= 0])
        row = {int(v): i for i, v in enumerate(sources)}
        dist = pred = None
        if sources.size:
            dist, pred = dijkstra(self._matrix, directed=True, indices=sources, return_predecessors=True)
        out = []
        for k in range(len(pairs)):
            s, t = int(va[k]), int(vb[k])
            if s < 0 or t < 0 or not np.isfinite(dist[row[s], t]):
                out.append([])
                continue
            chain = [t]
            while chain[-1] != s:
                chain.append(int(pred[row[s], chain[-1]]))
            chain.reverse()
            pa, pb = (float(a[k, 0]), float(a[k, 1])), (float(b[k, 0]), float(b[k, 1]))
            pts = [pa] + [(float(self._lonlat[v, 0]), float(self._lonlat[v, 1])) for v in chain] + [pb]
            out.append([p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]])
        return out


# --- scenario-level --------------------------------------------------------------------------


def road_graph(scenario: Scenario) -> RoadGraph | None:
    """The scenario's road graph at its configured speeds, or None without roads."""
    if scenario.roads is None:
        return None
    return RoadGraph.from_lines(scenario.roads, speeds_kmh=dict(scenario.config.travel.speeds_kmh),
                                source=display_path(scenario.config.data.roads) if scenario.config.data.roads else "roads")


def _label(scenario: Scenario, kind: str) -> str:
    path = getattr(scenario.config.data, kind, None)
    return f"{kind} ({path.name})" if path is not None else kind


def _snap_problems(
    label: str, id_col: str, ids: Iterable[str], lonlat: np.ndarray, dist_m: np.ndarray, max_snap_m: float
) -> list[str]:
    problems = []
    for pid, (lon, lat), d in zip(ids, lonlat, dist_m):
        if not (np.isfinite(lon) and np.isfinite(lat)):
            problems.append(f"{label}: {id_col} '{pid}' has no valid lon/lat — give WGS84 degrees")
        elif d > max_snap_m:
            problems.append(
                f"{label}: {id_col} '{pid}' at ({lon:.6f}, {lat:.6f}) is {d:,.0f} m from the nearest "
                f"road vertex, more than travel.max_snap_m = {max_snap_m:g} m "
                "— move it, add a road, or raise travel.max_snap_m"
            )
    return problems


def _unreachable_problems(scenario: Scenario, out_min: np.ndarray, back_min: np.ndarray, label: str) -> list[str]:
    """Hotspots that no member station of their zone reaches there and back."""
    s_index = {s: i for i, s in enumerate(scenario.stations["station_id"].astype(str))}
    members = {
        str(z): tuple(str(m) for m in mem)
        for z, mem in zip(scenario.zones["zone_id"], scenario.zones["members"])
    }
    ok = (out_min.T < UNREACHABLE_MIN) & (back_min < UNREACHABLE_MIN)  # [h, s]
    problems = []
    for h, (hid, zid) in enumerate(zip(scenario.hotspots["hotspot_id"], scenario.hotspots["zone_id"])):
        tried = [m for m in members.get(str(zid), ()) if m in s_index]
        if not tried:
            continue  # unknown zone or no known members: the validator reports those
        if not any(ok[h, s_index[m]] for m in tried):
            problems.append(
                f"{label}: hotspot_id '{hid}' (zone '{zid}') has no road path there and back to any "
                f"member station (tried {', '.join(tried)}) "
                "— connect the roads, or add a member station that can reach it"
            )
    return problems


def travel_times(scenario: Scenario, *, graph: RoadGraph | None = None, cache: Any = None) -> Travel:
    """Whole-minute travel times between every station and every hotspot (rounded up).

    With roads: see :class:`RoadGraph` and :func:`terminal_minutes` (one Dijkstra per distinct
    vertex of the smaller side each way, once if no road is one-way, on the graph reduced to
    the snapped vertices; the minutes are those of the plain search on the whole graph).
    Without roads: geodesic distance x ``travel.detour_factor`` at ``speeds_kmh['default']``.

    Raises :class:`DataError` listing every station and hotspot farther than
    ``travel.max_snap_m`` from the roads, or else every hotspot that none of its zone's
    member stations can reach there and back. Other pairs without a road path get
    :data:`UNREACHABLE_MIN`.

    ``graph``: a prebuilt :func:`road_graph` of this scenario, to avoid building it twice.

    ``cache``: where a stored matrix may be (a run folder, a ``travel.npz``, or a list of
    them; missing ones are fine). The first one whose key matches this scenario's inputs
    (``travel_cache.travel_key``: station and hotspot ids and coordinates, the roads, the
    travel settings) is read instead of searching the roads; a stale, foreign or damaged file
    is ignored. With a ``cache`` the result carries ``inputs_sha256``, so that
    ``outputs.runfolder.write_run_folder`` stores it as ``travel.npz`` for the next run.
    """
    if cache is not None:
        key = travel_key(scenario)
        cached = read_cached(cache, key, scenario)
        if cached is not None:
            if scenario.roads is not None:  # the zones are not in the key: their check runs again
                problems = _unreachable_problems(scenario, cached.out_min, cached.back_min,
                                                 _label(scenario, "hotspots"))
                if problems:
                    raise DataError(problems)
            return cached
        travel = _computed_travel_times(scenario, graph)
        return Travel(travel.station_ids, travel.hotspot_ids, travel.out_min, travel.back_min, travel.hop_min,
                      inputs_sha256=key)
    return _computed_travel_times(scenario, graph)


def _computed_travel_times(scenario: Scenario, graph: RoadGraph | None) -> Travel:
    cfg = scenario.config.travel
    st, hs = scenario.stations, scenario.hotspots
    sids = tuple(st["station_id"].astype(str))
    hids = tuple(hs["hotspot_id"].astype(str))
    s_ll = st[["lon", "lat"]].to_numpy(dtype=float).reshape(-1, 2)
    h_ll = hs[["lon", "lat"]].to_numpy(dtype=float).reshape(-1, 2)
    if graph is None:
        graph = road_graph(scenario)
    if graph is None:
        default_kmh = float(cfg.speeds_kmh.get("default", 30.0))
        s_lon, h_lon = np.meshgrid(s_ll[:, 0], h_ll[:, 0], indexing="ij")
        s_lat, h_lat = np.meshgrid(s_ll[:, 1], h_ll[:, 1], indexing="ij")
        _, _, d = _GEOD.inv(s_lon, s_lat, h_lon, h_lat)
        d_m = np.abs(np.asarray(d, dtype=float)).reshape(len(sids), len(hids))
        out = _ceil_min(d_m * cfg.detour_factor / _m_per_min(default_kmh))
        hop = None
        if needs_hotspot_hops(scenario):
            h_lon, h_lon2 = np.meshgrid(h_ll[:, 0], h_ll[:, 0], indexing="ij")
            h_lat, h_lat2 = np.meshgrid(h_ll[:, 1], h_ll[:, 1], indexing="ij")
            _, _, dh = _GEOD.inv(h_lon, h_lat, h_lon2, h_lat2)
            hop = _ceil_min(np.abs(np.asarray(dh, dtype=float)).reshape(len(hids), len(hids)) * cfg.detour_factor
                            / _m_per_min(default_kmh))
        return Travel(sids, hids, out, out.T.copy(), hop)

    sv, sd = graph.snap(s_ll[:, 0], s_ll[:, 1])
    hv, hd = graph.snap(h_ll[:, 0], h_ll[:, 1])
    s_label, h_label = _label(scenario, "stations"), _label(scenario, "hotspots")
    problems = _snap_problems(s_label, "station_id", sids, s_ll, sd, cfg.max_snap_m)
    problems += _snap_problems(h_label, "hotspot_id", hids, h_ll, hd, cfg.max_snap_m)
    if problems:
        raise DataError(problems)

    speed = _m_per_min(cfg.offroad_kmh)
    out, back, hop = terminal_minutes(graph, sv, hv, sd / speed, hd / speed, hop=needs_hotspot_hops(scenario))
    problems = _unreachable_problems(scenario, out, back, h_label)
    if problems:
        raise DataError(problems)
    return Travel(sids, hids, out, back, hop)


# --- the road matrices: fast, and the plain reference they must equal --------------------


def terminal_minutes(graph: RoadGraph, sv: np.ndarray, hv: np.ndarray, s_leg_min: np.ndarray,
                     h_leg_min: np.ndarray, *, hop: bool = False):
    """Whole minutes (rounded up) between snapped stations and hotspots: ``out [S, H]``
    (station vertex ``sv[i]`` -> hotspot vertex ``hv[j]``), ``back [H, S]`` and, with ``hop``,
    ``hop [H, H]`` (zero diagonal), each road path plus the off-road legs ``s_leg_min[i]`` and
    ``h_leg_min[j]``; :data:`UNREACHABLE_MIN` where no road path exists.

    Searched on the graph reduced to the snapped vertices (:mod:`~patrolplan.inputs.shortcuts`),
    then every entry near a whole-minute boundary is searched again the plain way, so the
    minutes equal those of one plain Dijkstra per vertex on the whole graph."""
    sv = np.asarray(sv, dtype=np.int64).ravel()
    hv = np.asarray(hv, dtype=np.int64).ravel()
    s_leg = np.asarray(s_leg_min, dtype=float).ravel()
    h_leg = np.asarray(h_leg_min, dtype=float).ravel()
    road_out, road_back, road_hop = _fast_road_matrices(graph, sv, hv, hop=hop)
    out_f = road_out + s_leg[:, None] + h_leg[None, :]
    back_f = road_back + h_leg[:, None] + s_leg[None, :]
    hop_f = road_hop + h_leg[:, None] + h_leg[None, :] if hop else None
    _settle_near_boundaries(graph, sv, hv, s_leg, h_leg, out_f, back_f, hop_f)
    hop_min = None
    if hop:
        hop_min = _ceil_min(hop_f)
        np.fill_diagonal(hop_min, 0)
    return _ceil_min(out_f), _ceil_min(back_f), hop_min


def _plain_from_stations(sv: np.ndarray, hv: np.ndarray) -> bool:
    """The plain search's side: from the stations when they have no more distinct vertices."""
    return len(np.unique(sv)) <= len(np.unique(hv))


def _plain_road_matrices(graph: RoadGraph, sv: np.ndarray, hv: np.ndarray, *, hop: bool):
    """The reference: road minutes (float) out [S, H], back [H, S], hop [H, H] (or None) by one
    plain Dijkstra per distinct vertex of the smaller side on the whole graph, as patrolplan
    computed them before the reduced graph. :func:`_settle_near_boundaries` repeats exactly
    these searches for the entries it recomputes; benchmarks and tests compare against it."""
    if _plain_from_stations(sv, hv):
        road_out = graph.road_minutes(sv, hv)  # [s, h]: s -> h
        road_back = (road_out if graph.is_symmetric else graph.road_minutes(sv, hv, reverse=True)).T
    else:
        road_back = graph.road_minutes(hv, sv)  # [h, s]: h -> s
        road_out = (road_back if graph.is_symmetric else graph.road_minutes(hv, sv, reverse=True)).T
    return road_out, road_back, (graph.road_minutes(hv, hv) if hop else None)


def _fast_road_matrices(graph: RoadGraph, sv: np.ndarray, hv: np.ndarray, *, hop: bool):
    """Road minutes (float) out [S, H], back [H, S], hop [H, H] (or None) on the graph reduced
    to the snapped vertices (``shortcuts.reduce_graph``): equal to :func:`_plain_road_matrices`
    up to float rounding (see :func:`_settle_near_boundaries`), connectivity exactly."""
    terminal = np.zeros(graph.n_vertices, dtype=bool)
    terminal[sv] = True
    terminal[hv] = True
    reduced, kept = reduce_graph(graph.matrix, terminal)
    position = np.full(graph.n_vertices, -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    rs, rh = position[sv], position[hv]
    reverse = None if graph.is_symmetric else reduced.T.tocsr()
    fewer_stations = len(np.unique(rs)) < len(np.unique(rh))
    if hop or not fewer_stations:  # searches from the hotspots: h -> s (and h -> h)
        found = many_to_many(reduced, rh, np.concatenate([rs, rh]) if hop else rs)
        road_back, road_hop = found[:, : len(rs)], (found[:, len(rs) :] if hop else None)
        if reverse is None:
            road_out = road_back.T
        elif fewer_stations:
            road_out = many_to_many(reduced, rs, rh)
        else:
            road_out = many_to_many(reverse, rh, rs).T
    else:  # from the stations: s -> h, and h -> s on the reversed graph
        road_out, road_hop = many_to_many(reduced, rs, rh), None
        road_back = road_out.T if reverse is None else many_to_many(reverse, rs, rh).T
    return road_out, road_back, road_hop


def _settle_near_boundaries(graph: RoadGraph, sv: np.ndarray, hv: np.ndarray, s_leg: np.ndarray,
                            h_leg: np.ndarray, out_f: np.ndarray, back_f: np.ndarray,
                            hop_f: np.ndarray | None) -> int:
    """Recompute in place, with the plain searches of :func:`_plain_road_matrices`, every entry
    whose rounding up to whole minutes the float rounding of the reduced graph could change.

    A reduced-graph length and the plain Dijkstra's are float sums of the same edge weights in
    other orders, both within a relative :func:`~patrolplan.inputs.shortcuts.relative_error_bound`
    of the exact length; an entry further than that (plus a few ulps for the off-road legs)
    from a boundary of ``ceil(x - 1e-9)`` rounds to the same minute either way. The others
    (about one in ten million) are searched again the plain way and summed in the same order
    as before. Returns how many entries were recomputed."""
    rel = relative_error_bound(graph.n_edges)
    plain_s = _plain_from_stations(sv, hv)
    requests: dict[tuple[bool, int], list[tuple[str, int, int, int]]] = {}
    # each kind: (matrix, its rows' vertices, its columns' vertices, which plain search gives it)
    kinds = [("out", out_f), ("back", back_f)] + ([("hop", hop_f)] if hop_f is not None else [])
    for kind, x in kinds:
        finite = np.isfinite(x)
        y = np.where(finite, x, 0.0) - _EPS_MIN
        slack = rel * (np.abs(y) + 1.0) + 8 * np.spacing(np.abs(y) + 1.0)
        near = finite & (np.abs(y - np.rint(y)) <= slack)
        for i, j in zip(*np.nonzero(near)):
            if kind == "out":  # s -> h
                key, target = ((False, int(sv[i])), int(hv[j])) if plain_s else ((True, int(hv[j])), int(sv[i]))
            elif kind == "back":  # h -> s
                key, target = ((True, int(sv[j])), int(hv[i])) if plain_s else ((False, int(hv[i])), int(sv[j]))
            else:  # h -> h, always forward from the first hotspot
                key, target = (False, int(hv[i])), int(hv[j])
            requests.setdefault(key, []).append((kind, int(i), int(j), target))
    if not requests:
        return 0
    matrices = {"out": out_f, "back": back_f, "hop": hop_f}
    legs = {"out": (s_leg, h_leg), "back": (h_leg, s_leg), "hop": (h_leg, h_leg)}
    for (reverse, source), entries in requests.items():
        (road,) = graph.road_minutes(np.array([source]), np.array([t for *_, t in entries]), reverse=reverse)
        for (kind, i, j, _), r in zip(entries, road):
            first, second = legs[kind]
            matrices[kind][i, j] = (np.float64(r) + first[i]) + second[j]  # the plain order of sums
    return sum(len(e) for e in requests.values())
