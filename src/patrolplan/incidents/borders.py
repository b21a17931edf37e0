"""Borders between the units of ``data.boundaries``, with their tier, and distances to them.

The units are the boundary polygons, named by ``incidents.unit_column`` or the first column
found among the known names of a tier (town: ``town``, ``town_name``, ``township``,
``township_name``; county: ``county``, ``county_name``, ``district_name``, ``district``). Their
parents are the columns of the tiers above (city: ``city``, ``city_name``, ``prefecture``;
province: ``province``, ``province_name``). As in :mod:`patrolplan.scenarios.junctions`, a
border's tier is the highest tier whose jurisdictions differ on its two sides: ``province``
when the provinces differ, ``city`` when the cities do, ``county`` when the counties do (town
units), else the units' own tier.

A border is the stretch of one unit's outline that lies within ``_TOUCH_M`` (30 m) of its
neighbour's (boundaries digitised by different agencies rarely share every vertex). Distances
are in metres in the local UTM zone; the borders are cut into their segments and indexed in an
STR-tree, so the nearest border of 100,000 points takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import shapely

from patrolplan.errors import DataError

__all__ = ["Borders", "TIER_COLUMNS", "UNIT_TIERS"]

TIER_COLUMNS = {
    "town": ("town", "town_name", "township", "township_name"),
    "county": ("county", "county_name", "district_name", "district"),
    "city": ("city", "city_name", "prefecture"),
    "province": ("province", "province_name"),
}
UNIT_TIERS = ("town", "county", "city", "province")
_TOUCH_M = 30.0


@dataclass(frozen=True)
class Borders:
    """Units, the borders between them and a nearest-border query.

    ``units``: one row per unit: ``unit`` (name), and ``town``/``county``/``city``/``province``
    (its jurisdiction at each tier, "" where the boundaries do not say). ``pairs``: one row per
    border: ``a``, ``b`` (unit names, a < b), ``tier``. ``unit_tier``: the units' own tier."""

    units: pd.DataFrame
    pairs: pd.DataFrame
    unit_tier: str
    crs: pyproj.CRS
    _segments: np.ndarray  # LineStrings in metres
    _segment_pair: np.ndarray  # int: row of ``pairs``
    _tree: shapely.STRtree
    _to_m: pyproj.Transformer
    _to_ll: pyproj.Transformer
    _unit_geoms: np.ndarray  # polygons in metres

    # --- building --------------------------------------------------------------------------
    @classmethod
    def from_boundaries(cls, boundaries, *, unit_column: str | None = None, source: str = "data.boundaries") -> "Borders":
        """Borders of a polygon layer (EPSG:4326, as ``load_scenario`` reads it)."""
        if boundaries is None or not len(boundaries):
            raise DataError(f"{source}: no boundaries — `patrolplan hotspots` needs data.boundaries in the config "
                            "(polygons of the units whose borders the hotspots lie on)")
        unit_tier, unit_col = _unit_column(boundaries, unit_column, source)
        table = pd.DataFrame({"unit": boundaries[unit_col].astype(str).str.strip()})
        for tier in UNIT_TIERS:
            col = unit_col if tier == unit_tier else _first_present(boundaries, TIER_COLUMNS[tier])
            higher = UNIT_TIERS.index(tier) > UNIT_TIERS.index(unit_tier)
            table[tier] = boundaries[col].astype(str).str.strip() if (col and (higher or tier == unit_tier)) else ""
        crs = boundaries.estimate_utm_crs()
        metric = boundaries.to_crs(crs)
        table["geometry"] = shapely.make_valid(metric.geometry.to_numpy())
        grouped = table.groupby("unit", sort=True)
        units = grouped[list(UNIT_TIERS)].first().reset_index()
        geoms = np.array([shapely.union_all(list(g)) for _, g in grouped["geometry"]], dtype=object)
        pairs, segments, seg_pair = _shared_borders(units, geoms, unit_tier)
        return cls(
            units=units, pairs=pairs, unit_tier=unit_tier, crs=crs, _segments=segments, _segment_pair=seg_pair,
            _tree=shapely.STRtree(segments), _to_m=pyproj.Transformer.from_crs(4326, crs, always_xy=True),
            _to_ll=pyproj.Transformer.from_crs(crs, 4326, always_xy=True), _unit_geoms=geoms,
        )

    # --- queries ---------------------------------------------------------------------------
    def to_xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 degrees to metres in the local UTM zone."""
        return self._to_m.transform(np.asarray(lon, float), np.asarray(lat, float))

    def to_lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return self._to_ll.transform(np.asarray(x, float), np.asarray(y, float))

    def nearest(self, x, y, *, within_m: float) -> tuple[np.ndarray, np.ndarray]:
        """The nearest border of each point (metres) within ``within_m``: (row of ``pairs``, -1
        where none is that near; distance in metres, inf where none)."""
        x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
        pair = np.full(len(x), -1, dtype=np.int64)
        dist = np.full(len(x), np.inf)
        if not len(x) or not len(self._segments):
            return pair, dist
        (pt, seg), d = self._tree.query_nearest(shapely.points(x, y), max_distance=within_m, return_distance=True,
                                                all_matches=False)
        pair[pt] = self._segment_pair[seg]
        dist[pt] = d
        return pair, dist

    def unit_of(self, x, y) -> np.ndarray:
        """The unit holding each point (metres), "" where none does."""
        x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
        tree = shapely.STRtree(self._unit_geoms)
        pt, poly = tree.query(shapely.points(x, y), predicate="intersects")
        out = np.full(len(x), "", dtype=object)
        names = self.units["unit"].to_numpy()
        out[pt[::-1]] = names[poly[::-1]]  # the first unit listed wins on a shared edge
        return out

    def area_m2(self, units) -> float:
        """Area of the named units, square metres."""
        keep = self.units["unit"].isin(list(units)).to_numpy()
        return float(shapely.area(self._unit_geoms[keep]).sum())

    def geometry_m(self, units):
        """The union of the named units (metres)."""
        keep = self.units["unit"].isin(list(units)).to_numpy()
        return shapely.union_all(self._unit_geoms[keep])

    def label(self, k: int) -> str:
        """A border in words: ``county 任城区/兖州区``."""
        r = self.pairs.iloc[int(k)]
        return f"{r['tier']} {r['a']}/{r['b']}"


def _first_present(gdf, names) -> str | None:
    return next((c for c in names if c in gdf.columns), None)


def _unit_column(gdf, given: str | None, source: str) -> tuple[str, str]:
    """(the units' tier, the column naming them)."""
    if given:
        if given not in gdf.columns:
            have = ", ".join(str(c) for c in gdf.columns if c != "geometry")
            raise DataError(f"{source}: no column '{given}' (incidents.unit_column) — name one of its columns: {have}")
        for tier in ("town", "county", "city", "province"):
            if given in TIER_COLUMNS[tier]:
                return tier, given
        parents = [t for t in ("county", "city", "province") if _first_present(gdf, TIER_COLUMNS[t])]
        return (UNIT_TIERS[UNIT_TIERS.index(parents[0]) - 1] if parents else "county"), given
    for tier in ("town", "county"):
        col = _first_present(gdf, TIER_COLUMNS[tier])
        if col is not None:
            return tier, col
    have = ", ".join(str(c) for c in gdf.columns if c != "geometry")
    raise DataError(f"{source}: no column naming the units (one of {', '.join(TIER_COLUMNS['town'] + TIER_COLUMNS['county'])}) "
                    f"— set incidents.unit_column in the config to one of its columns: {have}")


def _border_tier(u: pd.Series, v: pd.Series, unit_tier: str) -> str:
    for tier in ("province", "city", "county"):
        if UNIT_TIERS.index(tier) <= UNIT_TIERS.index(unit_tier):
            break
        if u[tier] and v[tier] and u[tier] != v[tier]:
            return tier
    return unit_tier


def _shared_borders(units: pd.DataFrame, geoms: np.ndarray, unit_tier: str):
    """(pairs table, border segments in metres, the pair of each segment)."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=_TOUCH_M)
    keep = left < right
    outlines = shapely.boundary(geoms)
    rows, segments, seg_pair = [], [], []
    for i, j in zip(left[keep].tolist(), right[keep].tolist()):
        shared = shapely.intersection(outlines[i], shapely.buffer(geoms[j], _TOUCH_M))
        coords_parts = [np.asarray(p.coords) for p in shapely.get_parts(shared)
                        if p.geom_type in ("LineString", "LinearRing") and len(p.coords) >= 2]
        length = sum(float(np.hypot(*np.diff(c, axis=0).T).sum()) for c in coords_parts)
        if length < 2 * _TOUCH_M:  # a corner touch, not a border
            continue
        k = len(rows)
        a, b = sorted((units.iloc[i]["unit"], units.iloc[j]["unit"]))
        rows.append({"a": a, "b": b, "tier": _border_tier(units.iloc[i], units.iloc[j], unit_tier),
                     "length_m": round(length, 1)})
        for c in coords_parts:
            segs = np.stack([c[:-1], c[1:]], axis=1)
            segments.append(shapely.linestrings(segs))
            seg_pair.append(np.full(len(segs), k, dtype=np.int64))
    pairs = pd.DataFrame(rows, columns=["a", "b", "tier", "length_m"])
    if not segments:
        return pairs, np.array([], dtype=object), np.array([], dtype=np.int64)
    return pairs, np.concatenate(segments), np.concatenate(seg_pair)
