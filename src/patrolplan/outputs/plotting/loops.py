"""Visit loops as drawn: each loop's road path, and the visits.csv table read back.

Drawn only from the run folder's tables (roster.csv's ``loop_id`` / ``loop_hotspots``,
visits.csv) and the scenario's positions; the road path comes from a
:class:`patrolplan.inputs.network.RoadGraph` when one is given (the straight legs otherwise).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from patrolplan.columns import VISIT_COLUMNS
from patrolplan.errors import DataError
from patrolplan.outputs.plotting._tables import _times

__all__ = ["visits_frame", "read_visits", "loop_routes", "loop_shift_routes", "meetings"]


def visits_frame(visits: pd.DataFrame, *, source: str = "visits") -> pd.DataFrame:
    """A copy of ``visits`` (visits.csv's columns) with text ids and parsed ``arrive`` / ``depart``."""
    missing = [c for c in VISIT_COLUMNS if c not in visits.columns]
    if missing:
        raise DataError(f"{source}: missing column(s) {', '.join(missing)} — visits.csv must have the contract's "
                        "columns")
    df = visits.copy()
    for col in ("visit_id", "shift_id", "team_id", "station_id", "hotspot_id"):
        df[col] = df[col].astype(str)
    for col in ("arrive", "depart"):
        df[col] = _times(df[col], what=col)
    return df


def read_visits(run_dir: str | Path) -> pd.DataFrame | None:
    """The run folder's visits.csv, normalised; None where the run has none (no visit demand)."""
    path = Path(run_dir) / "visits.csv"
    if not path.is_file():
        return None
    return visits_frame(pd.read_csv(path, dtype=str, keep_default_na=False), source=str(path))


def _loop_rows(roster: pd.DataFrame) -> pd.DataFrame:
    if roster is None or "loop_id" not in roster or "loop_hotspots" not in roster:
        return pd.DataFrame(columns=["shift_id", "station_id", "loop_id", "loop_hotspots"])
    lid = roster["loop_id"].fillna("").astype(str)
    return roster[(lid != "") & (lid != "nan")]


def _stops(text: str) -> list[str]:
    return [h for h in str(text).split(";") if h]


def _route_points(scenario, station: str, stops: list[str]) -> list[tuple[float, float]] | None:
    """Station, the stops, back to the first stop (one closed cycle), and the station again."""
    st = scenario.stations.set_index(scenario.stations["station_id"].astype(str))
    hs = scenario.hotspots.set_index(scenario.hotspots["hotspot_id"].astype(str))
    if station not in st.index or not stops or any(h not in hs.index for h in stops):
        return None
    s = (float(st.at[station, "lon"]), float(st.at[station, "lat"]))
    cycle = [(float(hs.at[h, "lon"]), float(hs.at[h, "lat"])) for h in stops]
    if len(cycle) > 1:
        cycle.append(cycle[0])
    return [s, *cycle, s]


def _follow_roads(points: list[tuple[float, float]], graph, cache: dict) -> tuple[list[tuple[float, float]], str]:
    """The points joined along the roads (``graph``), else by straight legs."""
    legs = list(zip(points, points[1:]))
    if graph is not None:
        todo = [leg for leg in legs if leg not in cache and leg[0] != leg[1]]
        if todo:
            try:
                found = graph.paths_lonlat(todo)
            except Exception:  # a snapping failure: those legs stay straight
                found = [[] for _ in todo]
            cache.update(zip(todo, found))
    line: list[tuple[float, float]] = [points[0]]
    kind = "road" if graph is not None else "straight"
    for leg in legs:
        path = cache.get(leg, []) if graph is not None else []
        if len(path) < 2:
            path = list(leg)
            if leg[0] != leg[1]:
                kind = "straight"
        line.extend(path[1:])
    return [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]], kind


def loop_shift_routes(scenario, roster: pd.DataFrame, *, graph=None) -> pd.DataFrame:
    """One row per loop shift of ``roster``: ``shift_id``, ``station_id``, ``loop_id``,
    ``loop_hotspots`` and ``coords`` (lon/lat points: out to the first stop, one cycle of the
    stops, back to the station, along the roads when ``graph`` is given), ``path``
    (``road`` or ``straight``). Shifts of one station on one loop share their path."""
    rows = _loop_rows(roster)
    cache: dict = {}
    by_key: dict[tuple[str, str], tuple[list, str]] = {}
    out = []
    for r in rows.itertuples(index=False):
        key = (str(r.station_id), str(r.loop_hotspots))
        if key not in by_key:
            pts = _route_points(scenario, key[0], _stops(key[1]))
            by_key[key] = _follow_roads(pts, graph, cache) if pts else ([], "unknown")
        coords, kind = by_key[key]
        out.append({"shift_id": r.shift_id, "station_id": key[0], "loop_id": str(r.loop_id),
                    "loop_hotspots": key[1], "coords": coords, "path": kind})
    return pd.DataFrame(out, columns=["shift_id", "station_id", "loop_id", "loop_hotspots", "coords", "path"])


def loop_routes(scenario, roster: pd.DataFrame, *, graph=None) -> pd.DataFrame:
    """One row per (loop, station) of ``roster``: ``loop_id``, ``station_id``, ``loop_hotspots``,
    ``shifts`` (how many shifts drive it), ``coords`` and ``path`` as in :func:`loop_shift_routes`."""
    per_shift = loop_shift_routes(scenario, roster, graph=graph)
    if per_shift.empty:
        return pd.DataFrame(columns=["loop_id", "station_id", "loop_hotspots", "shifts", "coords", "path"])
    g = per_shift.groupby(["loop_id", "station_id"], sort=True)
    first = g.first().reset_index()
    first["shifts"] = g.size().to_numpy()
    return first[["loop_id", "station_id", "loop_hotspots", "shifts", "coords", "path"]]


def meetings(scenario, visits: pd.DataFrame | None) -> pd.DataFrame:
    """Where two teams' loops meet: one row per (hotspot of a synchronized zone, pair of
    stations) with ``hotspot_id``, ``station_a``, ``station_b`` (ids, a < b), ``meetings`` (how
    many pairs of their visits.csv rows at the hotspot overlap in time: one joint visit, a row
    per team), ``lon``, ``lat``. Read from visits.csv only (never recomputed from the model);
    empty without visits."""
    columns = ["hotspot_id", "station_a", "station_b", "meetings", "lon", "lat"]
    if visits is None or not len(visits):
        return pd.DataFrame(columns=columns)
    v = visits if pd.api.types.is_datetime64_any_dtype(visits["arrive"]) else visits_frame(visits)
    mode_of = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["mode"].astype(str)))
    hs = scenario.hotspots
    joint = {str(h) for h, z in zip(hs["hotspot_id"], hs["zone_id"]) if mode_of.get(str(z)) == "synchronized"}
    where = dict(zip(hs["hotspot_id"].astype(str), zip(hs["lon"].astype(float), hs["lat"].astype(float))))
    counts: dict[tuple[str, str, str], int] = {}
    v = v[v["hotspot_id"].astype(str).isin(joint)].sort_values(["hotspot_id", "arrive"])
    for h, g in v.groupby("hotspot_id", sort=True):
        rows = list(zip(g["arrive"], g["depart"], g["station_id"].astype(str)))
        for i, (a0, d0, s0) in enumerate(rows):
            for a1, d1, s1 in rows[i + 1:]:
                if a1 >= d0:
                    break  # sorted by arrival: no later row overlaps this one
                if s1 != s0 and min(d0, d1) > a1:
                    key = (str(h), *sorted((s0, s1)))
                    counts[key] = counts.get(key, 0) + 1
    out = [(h, a, b, n, *where.get(h, (float("nan"), float("nan")))) for (h, a, b), n in sorted(counts.items())]
    return pd.DataFrame(out, columns=columns)
