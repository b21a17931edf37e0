"""Border-junction hotspots from administrative polygons, for any region.

``find_junctions(boundaries, roads, unit_column=...)`` returns the points where patrols at
jurisdiction borders are wanted:

``tripoint``
    a point where three or more units meet (the end of a shared border that touches a third
    unit; four units meeting at one point give one tripoint listing all four).
``road_crossing``
    a point where a road line crosses the shared border of two units.

How the geometry is read (all lengths in metres, in the local UTM zone of the data):

1. Every unit is snapped to a grid of ``tolerance_m`` (``shapely.set_precision``), and the
   vertices of a unit within ``tolerance_m`` of a neighbour are snapped onto it
   (``shapely.snap``), so gaps and overlaps narrower than the tolerance vanish and shared
   borders become exact.
2. Two units whose snapped polygons overlap by more than ``(10 * tolerance_m) ** 2`` m² are an
   error, and so are two units that do not touch but run alongside each other closer than
   ``10 * tolerance_m`` for more than ``100 * tolerance_m`` (a sliver gap that would hide
   their shared border). Both raise one :class:`DataError` naming every such pair; raise
   ``tolerance_m`` to absorb them (e.g. 5–20 m for boundaries digitised by different
   agencies). Units that only come close at a corner (e.g. 莘县 and 台前县, 2 m apart in the
   天地图 counties) are not neighbours and raise nothing.
3. Shared borders are the intersections of neighbouring units' boundaries. A border end (or a
   single touching point) that lies within ``tolerance_m`` of three or more units is a tripoint.
4. Road crossings are the intersections of road lines with each shared border (a road running
   along a border contributes the middle of that stretch). Crossings of one border closer than
   ``merge_m`` (default 300 m) are merged into one, and a crossing closer than ``merge_m`` to a
   tripoint of the same two units is dropped (the tripoint stands for it).

Tier of a junction (``scenario.TIERS``): ``county`` when all its units are in one city,
``city`` when they span two or more cities of one province, ``province`` when they span
provinces. Without a ``city_column`` all units count as one city, without a
``province_column`` as one province; so county polygons without parent columns give
``county`` junctions only, and prefecture polygons given as units *and* as ``city_column``
give ``city`` (or ``province``) junctions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import linemerge

from patrolplan.errors import DataError

__all__ = ["find_junctions", "junctions_command", "JUNCTION_COLUMNS"]

JUNCTION_COLUMNS = (
    "junction_id",
    "kind",
    "tier",
    "units",
    "names",
    "n_units",
    "cities",
    "provinces",
    "lon",
    "lat",
)

_SEP = ";"


# --- input preparation -------------------------------------------------------------------


def _require_columns(gdf: gpd.GeoDataFrame, columns: dict[str, str | None], source: str) -> None:
    missing = [f"{opt}='{col}'" for opt, col in columns.items() if col is not None and col not in gdf.columns]
    if missing:
        have = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
        raise DataError(
            f"{source}: no column {' / '.join(missing)} — name one of the columns it has: {have}"
        )


def _as_lonlat(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            return gdf.set_crs(4326)
        raise DataError(
            f"{source}: the layer has no CRS and its coordinates are not lon/lat degrees — "
            "save it with a CRS (e.g. as GeoPackage) or reproject it to EPSG:4326"
        )
    return gdf.to_crs(4326)


def _units(
    boundaries: gpd.GeoDataFrame,
    *,
    unit_column: str,
    city_column: str | None,
    province_column: str | None,
    name_column: str | None,
    source: str,
) -> gpd.GeoDataFrame:
    """One row per unit (rows with the same unit id are dissolved), lon/lat, valid polygons."""
    _require_columns(
        boundaries,
        {"unit_column": unit_column, "city_column": city_column,
         "province_column": province_column, "name_column": name_column},
        source,
    )
    gdf = _as_lonlat(boundaries, source)
    problems = []
    geom = gdf.geometry
    bad = geom.isna() | geom.is_empty | ~geom.geom_type.isin(["Polygon", "MultiPolygon"])
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(
            f"{source}: feature {i + 1} ({unit_column} '{gdf[unit_column].iloc[i]}'): "
            "empty or not a polygon — remove it or give it an area geometry"
        )
    ids = gdf[unit_column]
    for i in np.flatnonzero(ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()):
        problems.append(f"{source}: feature {i + 1}: empty {unit_column} — give every unit an id")
    if problems:
        raise DataError(problems)

    table = pd.DataFrame({
        "unit": ids.astype(str).str.strip(),
        "city": gdf[city_column].astype(str) if city_column else "",
        "province": gdf[province_column].astype(str) if province_column else "",
        "name": gdf[name_column].astype(str) if name_column else ids.astype(str).str.strip(),
    })
    for col, opt in (("city", city_column), ("province", province_column)):
        if opt is None:
            continue
        n_values = table.groupby("unit")[col].nunique()
        for unit in n_values.index[n_values > 1]:
            values = ", ".join(sorted(table.loc[table.unit == unit, col].unique()))
            problems.append(
                f"{source}: unit '{unit}' has rows with different {opt} ({values}) — "
                f"use a unit column that is unique across {opt}s (e.g. an admin code)"
            )
    if problems:
        raise DataError(problems)
    table["geometry"] = shapely.make_valid(gdf.geometry.to_numpy())
    first = table.groupby("unit", sort=False).first()
    merged = table.groupby("unit", sort=False)["geometry"].agg(lambda g: shapely.union_all(list(g)))
    out = gpd.GeoDataFrame(
        first.drop(columns="geometry").assign(geometry=merged).reset_index(), crs=4326
    )
    return out


def _snap(units_m: gpd.GeoDataFrame, tolerance_m: float) -> np.ndarray:
    geoms = shapely.set_precision(units_m.geometry.to_numpy(), grid_size=tolerance_m)
    geoms = shapely.make_valid(geoms)
    # make_valid may return collections with stray lines: keep the polygonal part
    return np.array([_polygonal(g) for g in geoms], dtype=object)


def _polygonal(geom: Any) -> Any:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _neighbour_pairs(geoms: np.ndarray, near_m: float) -> list[tuple[int, int]]:
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=near_m)
    keep = left < right
    return sorted(zip(left[keep].tolist(), right[keep].tolist()))


def _topology_problems(
    geoms: np.ndarray, units: list[str], pairs: list[tuple[int, int]], tolerance_m: float, source: str
) -> list[str]:
    problems = []
    max_overlap_m2 = (10 * tolerance_m) ** 2
    gap_m = 10 * tolerance_m
    min_stretch_m = 100 * tolerance_m
    for i, j in pairs:
        a, b = geoms[i], geoms[j]
        distance = shapely.distance(a, b)
        if distance > 0:
            # a corner that merely comes close is fine (the units do not touch); a border
            # stretch running along the other unit within gap_m hides a shared border
            stretch_m = shapely.length(shapely.intersection(shapely.boundary(a), shapely.buffer(b, gap_m)))
            if stretch_m > min_stretch_m:
                problems.append(
                    f"{source}: units '{units[i]}' and '{units[j]}' do not touch but run "
                    f"{stretch_m:,.0f} m within {gap_m:g} m of each other (a sliver gap hides "
                    f"their shared border) — fix the polygons or raise tolerance_m above {distance:.1f}"
                )
            continue
        overlap = shapely.area(shapely.intersection(a, b))
        if overlap > max_overlap_m2:
            problems.append(
                f"{source}: units '{units[i]}' and '{units[j]}' overlap by {overlap:,.0f} m² "
                f"(more than (10 x tolerance_m)² = {max_overlap_m2:,.0f} m²) — fix the polygons "
                "or raise tolerance_m"
            )
    return problems


def _lines(geom: Any) -> list[Any]:
    """The line parts of a geometry (merged), as a list of LineStrings."""
    if geom.is_empty:
        return []
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("LineString", "LinearRing")]
    if not parts:
        return []
    merged = linemerge(shapely.MultiLineString([shapely.LineString(p.coords) for p in parts]))
    return list(shapely.get_parts(merged))


def _points(geom: Any) -> list[Any]:
    if geom.is_empty:
        return []
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Point"]


def _greedy_merge(points: np.ndarray, merge_m: float) -> np.ndarray:
    """Indices of points kept: in order, a point closer than ``merge_m`` to a kept one is dropped."""
    kept: list[int] = []
    for k, p in enumerate(points):
        if all(np.hypot(*(p - points[q])) >= merge_m for q in kept):
            kept.append(k)
    return np.array(kept, dtype=int)


# --- the detector ---------------------------------------------------------------------------


def _clean_geometries(
    units_m: gpd.GeoDataFrame, ids: list[Any], tolerance_m: float, source: str
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The units' polygons (metres) snapped to the grid, gaps and slivers up to ``tolerance_m``
    closed, and the pairs of units nearer than ``10 x tolerance_m``; raises ``DataError`` on
    overlapping or nearly-touching units that snapping did not join."""
    geoms = _snap(units_m, tolerance_m)
    pairs = _neighbour_pairs(geoms, 10 * tolerance_m)
    for i, j in pairs:  # close gaps and slivers up to tolerance_m: j's vertices onto i's
        if 0 < shapely.distance(geoms[i], geoms[j]) <= tolerance_m or shapely.overlaps(geoms[i], geoms[j]):
            geoms[j] = _polygonal(shapely.make_valid(shapely.snap(geoms[j], geoms[i], tolerance_m)))
    problems = _topology_problems(geoms, ids, pairs, tolerance_m, source)
    if problems:
        raise DataError(problems)
    return geoms, pairs


def _shared_borders(
    geoms: np.ndarray, touching: list[tuple[int, int]]
) -> tuple[dict[tuple[int, int], list[Any]], list[tuple[float, float]]]:
    """The border lines each touching pair shares, and the ends of those borders (where a third
    unit may meet them: the tripoint candidates), points shared at a corner included."""
    boundaries_m = shapely.boundary(geoms)
    borders: dict[tuple[int, int], list[Any]] = {}
    ends: list[tuple[float, float]] = []
    for i, j in touching:
        shared = shapely.intersection(boundaries_m[i], boundaries_m[j])
        lines = _lines(shared)
        borders[(i, j)] = lines
        for line in lines:
            if not line.is_closed:
                ends += [line.coords[0], line.coords[-1]]
        ends += [p.coords[0] for p in _points(shared)]
    return borders, ends


def _tripoints(
    geoms: np.ndarray, ends: list[tuple[float, float]], tolerance_m: float
) -> tuple[list[dict[str, Any]], dict[tuple[int, int], list[np.ndarray]]]:
    """The border ends where three or more units meet (within ``tolerance_m``), one row per
    point on the grid, west to east; and for each pair of units the tripoints on its border."""
    tree = shapely.STRtree(geoms)
    rows: list[dict[str, Any]] = []
    seen: set[tuple[float, float]] = set()
    tripoints_by_pair: dict[tuple[int, int], list[np.ndarray]] = {}
    for xy in sorted(set(ends)):
        key = (round(xy[0] / tolerance_m), round(xy[1] / tolerance_m))
        if key in seen:
            continue
        seen.add(key)
        members = sorted(tree.query(shapely.Point(xy), predicate="dwithin", distance=tolerance_m).tolist())
        if len(members) < 3:
            continue
        rows.append({"kind": "tripoint", "members": members, "x": xy[0], "y": xy[1]})
        for a in members:
            for b in members:
                if a < b:
                    tripoints_by_pair.setdefault((a, b), []).append(np.asarray(xy))
    return rows, tripoints_by_pair


def _road_crossings(
    road_lines: np.ndarray,
    borders: dict[tuple[int, int], list[Any]],
    tripoints_by_pair: dict[tuple[int, int], list[np.ndarray]],
    merge_m: float,
) -> list[dict[str, Any]]:
    """Where roads (lines in metres) cross each shared border: crossings closer than ``merge_m``
    count as one, and a crossing within ``merge_m`` of a tripoint on that border is left to it."""
    road_tree = shapely.STRtree(road_lines)
    rows: list[dict[str, Any]] = []
    for (i, j), lines in borders.items():
        if not lines:
            continue
        border = shapely.MultiLineString(lines) if len(lines) > 1 else lines[0]
        found = _crossing_points(road_lines, road_tree.query(border, predicate="intersects"), border)
        if not found:
            continue
        pts = np.array(sorted(set(found)))
        pts = pts[_greedy_merge(pts, merge_m)]
        near = tripoints_by_pair.get((i, j), [])
        for p in pts:
            if any(np.hypot(*(p - t)) < merge_m for t in near):
                continue
            rows.append({"kind": "road_crossing", "members": [i, j], "x": p[0], "y": p[1]})
    return rows


def _crossing_points(road_lines: np.ndarray, hits: np.ndarray, border: Any) -> list[tuple[float, float]]:
    """The points where the roads ``road_lines[hits]`` meet ``border``; a road running along the
    border counts at the middle of the stretch it shares."""
    found = []
    if len(hits) == 0:
        return found
    for geom in shapely.intersection(road_lines[hits], border):
        for part in shapely.get_parts(geom):
            if part.is_empty:
                continue
            if part.geom_type == "Point":
                found.append(part.coords[0])
            else:  # a road along the border: its middle
                found.append(shapely.line_interpolate_point(part, 0.5, normalized=True).coords[0])
    return found


def find_junctions(
    boundaries: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | None = None,
    *,
    unit_column: str,
    city_column: str | None = None,
    province_column: str | None = None,
    name_column: str | None = None,
    tolerance_m: float = 1.0,
    merge_m: float = 300.0,
    source: str = "boundaries",
) -> gpd.GeoDataFrame:
    """Tripoints and road-border crossings of a set of administrative units.

    Parameters
    ----------
    boundaries
        Polygons, one or more rows per unit (rows with the same ``unit_column`` value are
        dissolved). Any CRS; a layer without CRS must be in lon/lat degrees.
    roads
        Optional road lines; their crossings of shared borders become ``road_crossing``
        junctions.
    unit_column
        The unit id (unique per unit), e.g. ``district_name`` or ``district_adcode``.
    city_column, province_column
        Parent jurisdictions, used for the tier (see the module docstring).
    name_column
        Readable unit names for the ``names`` column (default: the unit ids).
    tolerance_m
        Snapping grid in metres; also sets the overlap (``(10 x tolerance_m)²`` m²) and sliver
        gap (closer than ``10 x tolerance_m`` along more than ``100 x tolerance_m``) limits
        above which the input is rejected. 1 m fits boundaries that share exact vertices.
    merge_m
        Road crossings of one border closer than this (metres) count as one.

    Returns
    -------
    GeoDataFrame (EPSG:4326) of points with the columns ``JUNCTION_COLUMNS``: ``junction_id``
    (``J0001`` ... tripoints first, then crossings, each from west to east), ``kind``
    (``tripoint`` | ``road_crossing``), ``tier`` (``county`` | ``city`` | ``province``),
    ``units`` / ``names`` (``;``-joined, sorted by unit id), ``n_units``, ``cities`` and
    ``provinces`` (``;``-joined distinct values, "" without the column), ``lon``, ``lat``.

    Raises
    ------
    DataError
        missing columns, non-polygon features, overlapping or nearly-touching units.
    """
    if tolerance_m <= 0 or merge_m < 0:
        raise DataError(f"{source}: tolerance_m must be > 0 and merge_m >= 0 (given {tolerance_m}, {merge_m})")
    units = _units(
        boundaries,
        unit_column=unit_column,
        city_column=city_column,
        province_column=province_column,
        name_column=name_column,
        source=source,
    )
    metric = units.estimate_utm_crs()
    geoms, pairs = _clean_geometries(units.to_crs(metric), units["unit"].tolist(), tolerance_m, source)
    touching = [(i, j) for i, j in pairs if shapely.distance(geoms[i], geoms[j]) == 0]
    borders, ends = _shared_borders(geoms, touching)
    rows, tripoints_by_pair = _tripoints(geoms, ends, tolerance_m)
    if roads is not None and len(roads):
        road_lines = _as_lonlat(roads, "roads").to_crs(metric).geometry.to_numpy()
        road_lines = road_lines[~shapely.is_empty(road_lines) & ~pd.isna(road_lines)]
        rows += _road_crossings(road_lines, borders, tripoints_by_pair, merge_m)
    return _junction_frame(rows, units, metric, has_city=bool(city_column), has_province=bool(province_column))


def _junction_frame(
    rows: list[dict[str, Any]], units: gpd.GeoDataFrame, metric: Any, *, has_city: bool, has_province: bool
) -> gpd.GeoDataFrame:
    if not rows:
        empty = {c: pd.Series(dtype=float if c in ("lon", "lat") else object) for c in JUNCTION_COLUMNS}
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    pts = gpd.GeoSeries(shapely.points([r["x"] for r in rows], [r["y"] for r in rows]), crs=metric).to_crs(4326)
    ids = units["unit"].to_numpy()
    names = units["name"].to_numpy()
    cities = units["city"].to_numpy()
    provinces = units["province"].to_numpy()
    out = []
    for r, p in zip(rows, pts):
        m = sorted(r["members"], key=lambda k: ids[k])
        city_set = sorted(set(cities[m])) if has_city else []
        province_set = sorted(set(provinces[m])) if has_province else []
        if len(province_set) > 1:
            tier = "province"
        elif len(city_set) > 1:
            tier = "city"
        else:
            tier = "county"
        out.append({
            "kind": r["kind"],
            "tier": tier,
            "units": _SEP.join(ids[m]),
            "names": _SEP.join(names[m]),
            "n_units": len(m),
            "cities": _SEP.join(city_set),
            "provinces": _SEP.join(province_set),
            "lon": round(p.x, 6),
            "lat": round(p.y, 6),
        })
    frame = pd.DataFrame(out)
    frame["_order"] = frame["kind"].map({"tripoint": 0, "road_crossing": 1})
    frame = frame.sort_values(["_order", "lon", "lat"], kind="stable").drop(columns="_order").reset_index(drop=True)
    frame.insert(0, "junction_id", [f"J{k + 1:04d}" for k in range(len(frame))])
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)


# --- the command ----------------------------------------------------------------------------

_DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}


def _read_layer(path: Path, what: str) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise DataError(f"{path}: no such {what} file — check the path")
    try:
        return gpd.read_file(path)
    except Exception as err:  # pyogrio raises several types for unreadable files
        raise DataError(f"{path}: cannot read the {what} layer ({err}) — give a GeoJSON, GPKG or Shapefile") from None


def junctions_command(
    boundaries_path: str | Path,
    out_path: str | Path,
    *,
    roads_path: str | Path | None = None,
    unit_column: str = "district_name",
    city_column: str | None = "city_name",
    province_column: str | None = "province_name",
    name_column: str | None = None,
    tolerance_m: float = 1.0,
    merge_m: float = 300.0,
) -> int:
    """Read boundaries (and roads), find the junctions, write them; return how many.

    The output format follows ``out_path``'s extension: ``.geojson``/``.json`` (GeoJSON),
    ``.gpkg`` (GeoPackage, layer ``junctions``) or ``.csv`` (lon/lat columns, no geometry —
    usable as a hotspots table once ``hotspot_id``/``zone_id`` are added). A city or province
    column that the boundaries file does not have is an error, so pass ``None`` (or ``""``, handy
    on the command line) to go without.
    """
    boundaries_path, out_path = Path(boundaries_path), Path(out_path)
    city_column, province_column, name_column = (c or None for c in (city_column, province_column, name_column))
    suffix = out_path.suffix.lower()
    if suffix not in (*_DRIVERS, ".csv"):
        raise DataError(f"{out_path}: unknown output format '{suffix}' — use .geojson, .gpkg or .csv")
    boundaries = _read_layer(boundaries_path, "boundaries")
    roads = _read_layer(Path(roads_path), "roads") if roads_path is not None else None
    found = find_junctions(
        boundaries,
        roads,
        unit_column=unit_column,
        city_column=city_column,
        province_column=province_column,
        name_column=name_column,
        tolerance_m=tolerance_m,
        merge_m=merge_m,
        source=str(boundaries_path),
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp" + suffix)
    if suffix == ".csv":
        pd.DataFrame(found.drop(columns="geometry")).to_csv(tmp, index=False)
    elif suffix == ".gpkg":
        found.to_file(tmp, driver="GPKG", layer="junctions")
    else:
        found.to_file(tmp, driver="GeoJSON")
    tmp.replace(out_path)
    return len(found)
