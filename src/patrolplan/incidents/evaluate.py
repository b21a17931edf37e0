"""``patrolplan evaluate RUN_DIR --incidents FILE``: how a roster met the incidents of its week.

For the incidents whose time falls in the run's week (``week_start`` .. ``+ horizon_days``):

``incidents``
    how many there are in the planned area (the units of ``data.boundaries`` that hold a
    station of the config — the area PAI divides by; all of them without boundaries);
``at_hotspots``
    of those, how many lie within ``incidents.radius_m`` (default 400 m, the radius the
    detector counts a hot spot's incidents in) of one of the week's hotspots — each counts for
    the nearest;
``covered``
    of those, how many found, at that minute, a team on site at that hotspot or a team on duty
    within ``response.first_minutes`` road minutes of the incident's own point. Where a team
    is and its road minutes follow :mod:`patrolplan.response.positions` (on site, on a loop
    stop, or on the road with the better of driving on and turning back), on the road network
    and formula of the roster's travel; ``covered_share`` = covered / at_hotspots;
``pai``
    the Predictive Accuracy Index (Chainey, Tompson and Uhlig 2008): (at_hotspots /
    incidents) / (hotspot area / planned area), the hotspot area being the union of the discs
    of ``radius_m`` around the hotspots, clipped to the planned area. 1 = no better than
    chance; a map that puts 20 % of incidents on 1 % of the area scores 20;
``by_hotspot``
    per hotspot: ``incidents``, ``covered``, ``covered_share``.

Files: ``evaluation.json`` (the figures, marked ``"written_by": "patrolplan evaluate"``),
``evaluation.csv`` (one row per incident of the week: ``hotspot_id``, ``distance_m``,
``covered``, ``how``, ``team_id``, ``minutes``) and ``evaluation.png`` (the map), written
beside their place first and renamed into it together (signals held), so the three always
belong to one evaluation. These three names are evaluate's own: it refuses to replace an
``evaluation.*`` file that an ``evaluation.json`` of its own does not vouch for, and writes
nothing else there; the next solve into the folder replaces them with the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from patrolplan.check import read_roster, read_visits
from patrolplan.errors import DataError, UsageError
from patrolplan.incidents.borders import Borders
from patrolplan.incidents.read import read_incidents
from patrolplan.inputs.io import load_scenario
from patrolplan.inputs.network import road_graph
from patrolplan.interrupts import masked
from patrolplan.outputs.runfolder import read_summary, recorded_config
from patrolplan.response.positions import on_duty, point_minutes

__all__ = ["Evaluation", "evaluate_week", "evaluate_command", "EVALUATION_FILES"]

EVALUATION_FILES = ("evaluation.json", "evaluation.csv", "evaluation.png")
WRITTEN_BY = "patrolplan evaluate"


@dataclass(frozen=True)
class Evaluation:
    """The figures (``figures``: the ``--json`` keys and more) and one row per incident (``table``)."""

    figures: dict
    table: pd.DataFrame

    def to_text(self) -> str:
        f = self.figures
        share = "n/a" if f["covered_share"] is None else f"{100 * f['covered_share']:.0f} %"
        pai = "n/a" if f["pai"] is None else f"{f['pai']:.1f}"
        lines = [f"week {f['week_start']} .. {f['week_end']}: {f['incidents']} incidents in the planned area, "
                 f"{f['at_hotspots']} within {f['radius_m']:g} m of a hotspot, {f['covered']} of those covered "
                 f"({share}: a team on site or within {f['first_minutes']} road minutes at that minute)",
                 f"PAI {pai}: {f['hit_rate_pct']:.1f} % of the incidents on {f['area_pct']:.2f} % of the area"]
        for h, r in f["by_hotspot"].items():
            s = "n/a" if r["covered_share"] is None else f"{100 * r['covered_share']:.0f} %"
            lines.append(f"  {h}: {r['incidents']} incidents, {r['covered']} covered ({s})")
        return "\n".join(lines)


def _metric(scenario):
    import geopandas as gpd

    pts = gpd.GeoSeries(gpd.points_from_xy(scenario.hotspots["lon"], scenario.hotspots["lat"]), crs=4326)
    return pts.estimate_utm_crs()


def _planned_area(scenario, crs):
    """(polygon of the planned area in metres, or None without boundaries)."""
    if scenario.boundaries is None or not len(scenario.boundaries):
        return None

    try:
        borders = Borders.from_boundaries(scenario.boundaries, unit_column=scenario.config.incidents.unit_column)
    except DataError:
        return shapely.union_all(scenario.boundaries.to_crs(crs).geometry.to_numpy())
    col = borders.unit_tier
    named = set(scenario.stations[col].astype(str)) - {""} if col in scenario.stations.columns else set()
    units = named & set(borders.units["unit"]) or set(borders.units["unit"])
    area = borders.geometry_m(units)
    if borders.crs != crs:
        import geopandas as gpd

        area = gpd.GeoSeries([area], crs=borders.crs).to_crs(crs).iloc[0]
    return area


def evaluate_week(scenario, roster: pd.DataFrame, visits: pd.DataFrame | None, incidents: pd.DataFrame, *,
                  graph=None, source: str = "incidents") -> Evaluation:
    """The evaluation (module docstring) of ``incidents`` (``read_incidents(...).table``)
    against the roster of ``scenario``'s week."""
    import pyproj

    cfg = scenario.config
    radius_m = float(cfg.incidents.radius_m)
    first_min = int(cfg.response.first_minutes)
    h0 = scenario.horizon_start
    h1 = h0 + dt.timedelta(minutes=cfg.horizon_minutes)
    week = incidents[(incidents["time"] >= pd.Timestamp(h0)) & (incidents["time"] < pd.Timestamp(h1))]
    if week.empty:
        t = incidents["time"]
        raise DataError(f"{source}: column 'time': no incident in the run's week {h0:%Y-%m-%d} .. {h1:%Y-%m-%d} "
                        f"(the file runs {t.min():%Y-%m-%dT%H:%M} .. {t.max():%Y-%m-%dT%H:%M}) — give the incidents "
                        "of the week the roster planned")
    crs = _metric(scenario)
    to_m = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    area = _planned_area(scenario, crs)
    ix, iy = to_m.transform(week["lon"].to_numpy(float), week["lat"].to_numpy(float))
    inside = shapely.contains_xy(area, ix, iy) | shapely.intersects_xy(area, ix, iy) if area is not None else \
        np.ones(len(week), dtype=bool)
    week = week[inside].reset_index(drop=True)
    ix, iy = ix[inside], iy[inside]
    hs = scenario.hotspots
    hx, hy = to_m.transform(hs["lon"].to_numpy(float), hs["lat"].to_numpy(float))
    hotspot_ids = hs["hotspot_id"].astype(str).to_numpy()
    dist, k = cKDTree(np.column_stack([hx, hy])).query(np.column_stack([ix, iy]), distance_upper_bound=radius_m)
    at = np.isfinite(dist)

    rows = []
    for n, r in enumerate(week.itertuples(index=False)):
        h = hotspot_ids[k[n]] if at[n] else ""
        row = {"incident_id": r.incident_id, "time": f"{r.time:%Y-%m-%dT%H:%M}", "lon": r.lon, "lat": r.lat,
               "hotspot_id": h, "distance_m": round(float(dist[n]), 1) if at[n] else None,
               "covered": False, "how": "", "team_id": "", "minutes": None}
        if at[n]:
            row.update(_cover(scenario, graph, roster, visits, r, h, h0, first_min))
        rows.append(row)
    table = pd.DataFrame(rows, columns=["incident_id", "time", "lon", "lat", "hotspot_id", "distance_m", "covered",
                                        "how", "team_id", "minutes"])
    figures = _figures(scenario, table, hotspot_ids, hx, hy, area, radius_m, first_min, h0, h1)
    return Evaluation(figures, table)


def _cover(scenario, graph, roster, visits, incident, hotspot: str, h0: dt.datetime, first_min: int) -> dict:
    """Whether a team is on site at ``hotspot`` or within ``first_min`` road minutes, and which."""
    minute = int((incident.time.to_pydatetime() - h0).total_seconds() // 60)
    teams = on_duty(roster, visits, minute, h0)
    for t in teams:
        if t.state == "on_site" and t.there == ("hotspot", hotspot):
            return {"covered": True, "how": "on site", "team_id": t.team_id, "minutes": 0}
    if not teams:
        return {}
    pm = point_minutes(scenario, graph, float(incident.lon), float(incident.lat))
    best = min(teams, key=lambda t: (t.minutes(pm), t.team_id))
    m = int(best.minutes(pm))
    if m <= first_min:
        return {"covered": True, "how": f"{best.state}, {m} min", "team_id": best.team_id, "minutes": m}
    return {"covered": False, "how": f"nearest team {m} min", "team_id": best.team_id, "minutes": m}


def _figures(scenario, table, hotspot_ids, hx, hy, area, radius_m, first_min, h0, h1) -> dict:
    n = len(table)
    at = table["hotspot_id"] != ""
    n_at, n_cov = int(at.sum()), int((at & table["covered"]).sum())
    discs = shapely.union_all(shapely.buffer(shapely.points(hx, hy), radius_m, quad_segs=32))
    if area is not None:
        hot_m2, area_m2 = float(shapely.area(shapely.intersection(discs, area))), float(shapely.area(area))
    else:
        hot_m2, area_m2 = float(shapely.area(discs)), math.nan
    hit = n_at / n if n else 0.0
    share_area = hot_m2 / area_m2 if area_m2 and math.isfinite(area_m2) else math.nan
    pai = hit / share_area if share_area and math.isfinite(share_area) and share_area > 0 else None
    by = {}
    for h in hotspot_ids:
        mine = table["hotspot_id"] == h
        c, m = int(mine.sum()), int((mine & table["covered"]).sum())
        by[str(h)] = {"incidents": c, "covered": m, "covered_share": round(m / c, 4) if c else None}
    return {
        "written_by": WRITTEN_BY,
        "week_start": f"{h0:%Y-%m-%d}", "week_end": f"{h1:%Y-%m-%d}",
        "incidents": n, "at_hotspots": n_at, "covered": n_cov,
        "covered_share": round(n_cov / n_at, 4) if n_at else None,
        "pai": round(pai, 3) if pai is not None else None,
        "hit_rate_pct": round(100 * hit, 2),
        "area_pct": round(100 * share_area, 4) if math.isfinite(share_area) else None,
        "hotspot_area_km2": round(hot_m2 / 1e6, 3),
        "planned_area_km2": round(area_m2 / 1e6, 1) if math.isfinite(area_m2) else None,
        "radius_m": radius_m, "first_minutes": first_min,
        "by_hotspot": by,
    }


# --- the command -------------------------------------------------------------------------------


def _check_owned(run_dir: Path) -> None:
    """Refuse to replace evaluation.* files that patrolplan evaluate did not write."""
    present = [name for name in EVALUATION_FILES if (run_dir / name).exists()]
    if not present:
        return
    ours = False
    try:
        ours = json.loads((run_dir / "evaluation.json").read_text(encoding="utf-8")).get("written_by") == WRITTEN_BY
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        raise UsageError(f"{run_dir}: {', '.join(present)} exist but patrolplan evaluate did not write them — move "
                         "them away first (evaluate replaces only its own evaluation.json/.csv/.png)")


def evaluate_command(run_dir: str | Path, incidents_path: str | Path, *, as_json: bool = False,
                     config: str | Path | None = None) -> int:
    """``patrolplan evaluate``: read, evaluate, write the three files, print; returns 0."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise DataError(f"{run_dir}: no such run folder — give a folder patrolplan solve wrote")
    summary = read_summary(run_dir)
    if config is None:
        config = recorded_config(run_dir, summary)
    _check_owned(run_dir)
    scenario = load_scenario(config)
    roster = read_roster(run_dir)
    visits = read_visits(run_dir)
    incidents = read_incidents(incidents_path, boundaries=scenario.boundaries)
    result = evaluate_week(scenario, roster, visits, incidents.table, graph=road_graph(scenario),
                           source=incidents.source)
    figures = {**result.figures, "source": incidents.source}
    _write_files(run_dir, {
        "evaluation.csv": lambda p: result.table.to_csv(p, index=False),
        "evaluation.png": lambda p: _picture(p, scenario, result),
        "evaluation.json": lambda p: p.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8"),
    })
    if as_json:
        keys = ("incidents", "at_hotspots", "covered", "covered_share", "pai", "by_hotspot")
        print(json.dumps({k: figures[k] for k in keys} | {k: v for k, v in figures.items() if k not in keys},
                         indent=2, ensure_ascii=False))
    else:
        print(result.to_text())
    print(f"written: {', '.join(str(run_dir / n) for n in EVALUATION_FILES)}", file=sys.stderr if as_json else sys.stdout)
    return 0


def _write_files(run_dir: Path, writers: dict) -> None:
    """Each file written to a hidden temporary beside it first; then all renamed into place
    with SIGINT/SIGTERM held, so the three always come from one evaluation (or all stay as they
    were)."""
    tmp = {name: run_dir / f".{name}.tmp-{os.getpid()}" for name in writers}
    try:
        for name, write in writers.items():
            write(tmp[name])
        with masked():
            for name in writers:
                os.replace(tmp[name], run_dir / name)
    finally:
        for path in tmp.values():
            if path.exists():
                path.unlink()


def _picture(path: Path, scenario, result: Evaluation) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from patrolplan.incidents.plot import plot_evaluation

    f = result.figures
    share = "n/a" if f["covered_share"] is None else f"{100 * f['covered_share']:.0f} %"
    pai = "n/a" if f["pai"] is None else f"{f['pai']:.1f}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = plot_evaluation(result.table, scenario.hotspots, radius_m=f["radius_m"], boundaries=scenario.boundaries,
                             title=f"Week {f['week_start']}: {f['at_hotspots']} of {f['incidents']} incidents at "
                                   f"hotspots, {share} covered, PAI {pai}")
        ax.figure.savefig(path, dpi=130, bbox_inches="tight", format="png")
        plt.close(ax.figure)
