"""Synthetic incident histories with planted border hot spots, interior clusters and background.

``generate_incidents(boundaries, ...)`` returns an :class:`IncidentHistory`: the incident table
in the format ``patrolplan hotspots`` reads, and the planted truth to score a detector against.
Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed, the same history.

What is planted (all lengths in metres in the local UTM zone):

**border hot spots** (``border_spots``)
    at road vertices within ``border_band_m`` of a border between two units, at least one of
    them in ``units`` (the planned area) — or, without roads, at points on such borders —
    ``spot_gap_m`` apart; each has its own peak: ``2..4`` hours starting between 07:00 and
    23:00, on every day (half of them) or on two or three days of the week. Per week
    ``per_spot_week`` incidents (Poisson), ``peak_share`` of them in its peak hours on its peak
    days, the rest at any time; positions Gaussian around the spot (``spread_m``).
**interior clusters** (``interior_spots``)
    the same, at points farther than ``interior_gap_m`` from every border: a real detector finds
    them, and a border-hotspot detector must not take them for border hot spots.
**background** (``background_per_week``)
    uniform over the planned units, at hours drawn from a day profile (quiet 02:00-06:00,
    busier in the evening), so "above the background" means above this profile.

Weights are 1 (70 %), 2 (20 %) or 3 (10 %); types are drawn from a short list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from patrolplan.incidents.borders import Borders

__all__ = ["IncidentHistory", "generate_incidents", "DAY_PROFILE"]

#: relative incident rate by hour of the day for the background
DAY_PROFILE = np.array([0.8, 0.6, 0.4, 0.3, 0.3, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0,
                        1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.3, 1.4, 1.4, 1.3, 1.1, 1.0])
TYPES = ("theft", "fight", "traffic", "fraud", "dispute")


@dataclass(frozen=True)
class IncidentHistory:
    """``incidents``: ``incident_id``, ``time`` (ISO text), ``lon``, ``lat``, ``type``,
    ``weight``, ``truth`` (the planted spot id, or ``background``). ``planted``: one row per
    spot: ``spot_id``, ``kind`` (``border`` | ``interior``), ``lon``, ``lat``, ``border``
    (``tier:a/b`` or ""), ``start_h``, ``hours``, ``days`` (``;``-joined weekday numbers),
    ``incidents``."""

    incidents: pd.DataFrame
    planted: pd.DataFrame

    def week(self, start: dt.date, days: int = 7) -> pd.DataFrame:
        t = pd.to_datetime(self.incidents["time"])
        a = pd.Timestamp(start)
        return self.incidents[(t >= a) & (t < a + pd.Timedelta(days=days))].reset_index(drop=True)


def generate_incidents(boundaries, *, start: dt.date, weeks: int = 8, roads=None, units=None, seed: int = 0,
                       border_spots: int = 8, interior_spots: int = 4, background_per_week: int = 1500,
                       per_spot_week: float = 6.0, peak_share: float = 0.8, spread_m: float = 150.0,
                       border_band_m: float = 250.0, interior_gap_m: float = 5000.0, spot_gap_m: float = 8000.0,
                       unit_column: str | None = None) -> IncidentHistory:
    """An incident history over ``weeks`` weeks from ``start`` (module docstring).

    ``boundaries``: unit polygons (EPSG:4326); ``units``: the unit names of the planned area
    (default: all); ``roads``: road lines (border hot spots then sit at road vertices)."""
    rng = np.random.default_rng(seed)
    borders = Borders.from_boundaries(boundaries, unit_column=unit_column)
    units = set(borders.units["unit"]) if units is None else set(units)
    area = borders.geometry_m(units)
    shapely.prepare(area)
    pairs = borders.pairs
    in_area_pair = (pairs["a"].isin(units) | pairs["b"].isin(units)).to_numpy()

    cand = _candidates(borders, roads, area, rng)
    pair, dist = borders.nearest(cand[:, 0], cand[:, 1], within_m=max(border_band_m, interior_gap_m))
    is_border = (pair >= 0) & (dist <= border_band_m)
    is_border[is_border] &= in_area_pair[pair[is_border]]
    is_interior = (pair < 0) & shapely.contains_xy(area, cand[:, 0], cand[:, 1])
    b_xy = _spread_pick(cand[is_border], border_spots, spot_gap_m, rng)
    i_xy = _spread_pick(cand[is_interior], interior_spots, spot_gap_m, rng, avoid=b_xy)

    t0 = pd.Timestamp(start)
    n_days = 7 * weeks
    planted, chunks = [], []
    for kind, spots in (("border", b_xy), ("interior", i_xy)):
        for xy in spots:
            k = len(planted) + 1
            spot_id = f"P{k:02d}"
            start_h, hours = int(rng.integers(7, 24)), int(rng.integers(2, 5))
            days = tuple(range(7)) if rng.random() < 0.5 else tuple(sorted(rng.choice(7, int(rng.integers(2, 4)),
                                                                                      replace=False).tolist()))
            n = int(rng.poisson(per_spot_week * weeks))
            times = _spot_times(rng, t0, n_days, n, start_h, hours, days, peak_share)
            x = rng.normal(xy[0], spread_m, n)
            y = rng.normal(xy[1], spread_m, n)
            p, _ = borders.nearest([xy[0]], [xy[1]], within_m=border_band_m * 2)
            label = f"{pairs.iloc[p[0]]['tier']}:{pairs.iloc[p[0]]['a']}/{pairs.iloc[p[0]]['b']}" if p[0] >= 0 else ""
            lon, lat = borders.to_lonlat([xy[0]], [xy[1]])
            planted.append({"spot_id": spot_id, "kind": kind, "lon": round(float(lon[0]), 6),
                            "lat": round(float(lat[0]), 6), "border": label if kind == "border" else "",
                            "start_h": start_h, "hours": hours, "days": ";".join(map(str, days)), "incidents": n})
            chunks.append(pd.DataFrame({"x": x, "y": y, "time": times, "truth": spot_id}))
    n_bg = int(rng.poisson(background_per_week * weeks))
    bx, by = _uniform_in(area, n_bg, rng)
    hour = rng.choice(24, size=n_bg, p=DAY_PROFILE / DAY_PROFILE.sum())
    bg_t = t0 + pd.to_timedelta(rng.integers(0, n_days, n_bg) * 1440 + hour * 60 + rng.integers(0, 60, n_bg), unit="min")
    chunks.append(pd.DataFrame({"x": bx, "y": by, "time": bg_t, "truth": "background"}))
    table = pd.concat(chunks, ignore_index=True)
    lon, lat = borders.to_lonlat(table["x"].to_numpy(), table["y"].to_numpy())
    inside = np.zeros(len(table), dtype=bool)
    tree = shapely.STRtree(np.asarray(boundaries.geometry.values))
    hit, _ = tree.query(shapely.points(lon, lat), predicate="intersects")
    inside[hit] = True
    table = table[inside].assign(lon=np.round(lon[inside], 6), lat=np.round(lat[inside], 6))
    table = table.sort_values("time", kind="stable").reset_index(drop=True)
    out = pd.DataFrame({
        "incident_id": [f"I{k + 1:06d}" for k in range(len(table))],
        "time": table["time"].dt.strftime("%Y-%m-%dT%H:%M"),
        "lon": table["lon"], "lat": table["lat"],
        "type": rng.choice(TYPES, size=len(table)),
        "weight": rng.choice([1, 2, 3], size=len(table), p=[0.7, 0.2, 0.1]),
        "truth": table["truth"],
    })
    planted_df = pd.DataFrame(planted, columns=["spot_id", "kind", "lon", "lat", "border", "start_h", "hours", "days",
                                                "incidents"])
    return IncidentHistory(out, planted_df)


def _candidates(borders: Borders, roads, area, rng) -> np.ndarray:
    """Candidate spot positions (metres): road vertices, or random points in the area."""
    if roads is not None and len(roads):
        coords = shapely.get_coordinates(roads.to_crs(4326).geometry.to_numpy())
        x, y = borders.to_xy(coords[:, 0], coords[:, 1])
        xy = np.unique(np.round(np.column_stack([x, y]), 1), axis=0)
        return xy[rng.permutation(len(xy))]
    x, y = _uniform_in(area.buffer(500), 20000, rng)
    return np.column_stack([x, y])


def _spread_pick(cand: np.ndarray, n: int, gap_m: float, rng, avoid: np.ndarray | None = None) -> np.ndarray:
    """Up to ``n`` candidates in a random order, each ``gap_m`` from those picked (and ``avoid``)."""
    picked: list[np.ndarray] = [] if avoid is None else list(avoid)
    first = len(picked)
    for k in rng.permutation(len(cand)):
        if len(picked) - first >= n:
            break
        if all(np.hypot(*(cand[k] - p)) >= gap_m for p in picked):
            picked.append(cand[k])
    return np.array(picked[first:]).reshape(-1, 2)


def _spot_times(rng, t0, n_days: int, n: int, start_h: int, hours: int, days: tuple[int, ...],
                peak_share: float) -> pd.DatetimeIndex:
    in_peak = rng.random(n) < peak_share
    all_days = np.arange(n_days)
    peak_days = all_days[np.isin((t0.weekday() + all_days) % 7, days)]
    day = np.where(in_peak, rng.choice(peak_days, n), rng.integers(0, n_days, n))
    minute = np.where(in_peak, start_h * 60 + rng.integers(0, hours * 60, n), rng.integers(0, 1440, n))
    return t0 + pd.to_timedelta(day * 1440 + minute, unit="min")


def _uniform_in(area, n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = area.bounds
    xs, ys = [], []
    got = 0
    while got < n:
        m = max(1000, 2 * (n - got))
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        ok = shapely.contains_xy(area, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        got += int(ok.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]
