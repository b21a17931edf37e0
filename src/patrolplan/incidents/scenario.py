"""``patrolplan hotspots``: incidents -> border hotspots, zones, demand -> a scenario folder.

:func:`derive` does the work on a loaded scenario and its incidents (no files written);
:func:`write_hotspot_folder` writes the folder atomically (marker kind ``scenario``: an output
path holding anything patrolplan did not write is refused before any work);
:func:`hotspots_command` is the command. The steps of :func:`derive`:

1. every incident gets its nearest border within ``incidents.border_m`` (:mod:`.borders`);
   those with none are **far from borders**: counted in hotspots.json and listed in
   ``far_from_borders.csv``, never silently dropped;
(Only incidents before the config's ``week_start`` are used: the history of the weeks before
the planned one; later ones are counted in hotspots.json and left for ``patrolplan evaluate``.)

2. hot spots are found among *all* incidents (:mod:`.detect`), so a cluster inside a county
   keeps its peak where it is and is not cut in half by the border band; a hot spot whose peak
   lies within ``border_m`` of a border is a **border hotspot**, the others are reported as
   interior hot spots; so are border hot spots on borders with no station of the config on
   either side (outside the planned area) and, with roads, those farther than
   ``travel.max_snap_m`` from every road vertex (no team could be routed there);
3. each incident within ``radius_m`` of a border hotspot belongs to the nearest one; its
   **risk** is the sum of their weights, each halved every ``half_life_days`` before the week
   (or the latest record, if later), divided by the median hotspot's (1 = typical); the
   ``max_hotspots`` of highest risk are kept;
4. hours (:mod:`.hours`), zones (:mod:`.zones`) and the demand rows follow.

The folder's ``config.yaml`` is the CONFIG's own (rules, travel, solver, visits, response, the
``incidents:`` block ...) with ``name: <name>-hotspots``, ``default_demand: 0`` (only the derived
hours are demanded) and ``data:`` naming copies of its stations, roads, boundaries,
prefectures, availability and station areas beside the derived tables.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.spatial import cKDTree

from patrolplan.errors import DataError
from patrolplan.incidents.borders import Borders
from patrolplan.incidents.detect import Density, find_hot_spots
from patrolplan.incidents.hours import Hours, hourly_share, peak_hours, days_text
from patrolplan.incidents.read import Incidents, read_incidents
from patrolplan.incidents.zones import assign_zones
from patrolplan.inputs.io import load_scenario
from patrolplan.inputs.network import road_graph
from patrolplan.outputs.runfolder import _clean, atomic_folder, prepare_output

__all__ = ["Derived", "derive", "write_hotspot_folder", "hotspots_command", "HOTSPOT_COLUMNS", "risk_scores"]

HOTSPOT_COLUMNS = ["hotspot_id", "name", "zone_id", "lon", "lat", "risk", "incidents", "border", "peak_hours",
                   "tier", "units", "border_m"]
DEMAND_COLUMNS = ["hotspot_id", "zone_id", "days", "start", "end", "teams", "presence", "dwell_min", "every_min",
                  "why"]
_COPIED = ("stations", "roads", "boundaries", "prefectures", "availability", "station_areas")
_WRITTEN = {"config.yaml", "hotspots.csv", "zones.csv", "demand.csv", "hotspots.json", "hotspots.png",
            "far_from_borders.csv"}


@dataclass(frozen=True)
class Derived:
    """What :func:`derive` found: the three tables, the figures (hotspots.json), the incidents
    with their border and hotspot (``x``/``y`` metres, ``border_m``, ``border``, ``hotspot_id``),
    the far ones, the other hot spots (``interior``: not at a border, outside the planned
    area, or off the roads, each with ``why``), the density grid and the borders."""

    hotspots: pd.DataFrame
    zones: pd.DataFrame
    demand: pd.DataFrame
    figures: dict
    incidents: pd.DataFrame
    far: pd.DataFrame
    others: pd.DataFrame
    density: Density
    borders: Borders
    hours: dict


def risk_scores(times: pd.Series, weights: np.ndarray, groups: np.ndarray, n_groups: int, *, reference: dt.datetime,
                half_life_days: float) -> np.ndarray:
    """Recency-weighted incident weight per group, over the median group (1 = typical)."""
    age_days = np.clip((pd.Timestamp(reference) - pd.DatetimeIndex(times)).total_seconds() / 86400, 0, None)
    score = np.bincount(groups, weights=np.asarray(weights, float) * 0.5 ** (np.asarray(age_days) / half_life_days),
                        minlength=n_groups)
    median = float(np.median(score)) if n_groups else 1.0
    return np.round(score / median, 3) if median > 0 else np.round(score, 3)


def derive(scenario, incidents: Incidents, *, graph=None) -> Derived:
    """Border hotspots, zones and demand from ``incidents`` (module docstring)."""
    cfg = scenario.config.incidents
    borders = Borders.from_boundaries(scenario.boundaries, unit_column=cfg.unit_column,
                                      source=_source(scenario, "boundaries"))
    table = incidents.table.copy()
    x, y = borders.to_xy(table["lon"].to_numpy(), table["lat"].to_numpy())
    table["x"], table["y"] = x, y
    pair, dist = borders.nearest(x, y, within_m=cfg.border_m)
    table["border_m"] = np.where(np.isfinite(dist), np.round(dist, 1), np.nan)
    labels = np.array([borders.label(k) for k in range(len(borders.pairs))] + [""], dtype=object)
    table["border"] = labels[pair]  # pair -1 -> the last entry, ""
    near = pair >= 0

    units_hit = set(borders.unit_of(x, y)) - {""}
    area_m2 = borders.area_m2(units_hit)
    spots, density = find_hot_spots(x, y, area_m2=area_m2, cell_m=cfg.cell_m, bandwidth_m=cfg.bandwidth_m,
                                    radius_m=cfg.radius_m, min_incidents=cfg.min_incidents,
                                    significance=cfg.significance)
    spots = _classify(spots, borders, scenario, graph, cfg.border_m)
    border_spots = spots[spots["why"] == ""].reset_index(drop=True)
    others = spots[spots["why"] != ""].reset_index(drop=True)
    if border_spots.empty:
        raise DataError(_none_found(incidents, len(table), int(near.sum()), spots))

    # incidents -> nearest border hot spot within radius_m, risk, the strongest max_hotspots
    reference = max(pd.Timestamp(scenario.horizon_start), table["time"].max())
    border_spots, owner = _rank(table, border_spots, cfg, reference)
    if len(border_spots) > cfg.max_hotspots:
        dropped = border_spots.iloc[cfg.max_hotspots:]
        others = pd.concat([others, dropped.assign(why=f"below the {cfg.max_hotspots} of highest risk "
                                                       "(incidents.max_hotspots)")], ignore_index=True)
        border_spots, owner = _rank(table, border_spots.iloc[:cfg.max_hotspots], cfg, reference)
    mine = owner >= 0
    ids = [f"HI{k + 1:03d}" for k in range(len(border_spots))]
    border_spots["hotspot_id"] = ids
    table["hotspot_id"] = np.where(mine, np.array(ids + [""], dtype=object)[owner], "")

    share = hourly_share(table["time"])
    hours = {h: peak_hours(table.loc[table["hotspot_id"] == h, "time"], share, hour_ratio=cfg.hour_ratio,
                           post_ratio=cfg.post_ratio, min_hour_incidents=cfg.min_hour_incidents,
                           day_ratio=cfg.day_ratio, significance=cfg.significance) for h in ids}

    zones = _zones(scenario, borders, border_spots, cfg.zone_join_m)
    border_spots["zone_id"] = list(zones.zone_id)
    hotspots = _hotspot_table(border_spots, borders, hours, cfg.border_m)
    mode_of = dict(zip(zones.zones["zone_id"], zones.zones["mode"]))
    demand = _demand(hotspots, hours, mode_of, scenario.config)
    far = table.loc[~near].drop(columns=["x", "y", "border", "border_m", "hotspot_id"])  # the file's columns + row
    figures = _figures(incidents, table, near, hotspots, zones, others, hours, scenario, area_m2)
    return Derived(hotspots, zones.zones, demand, figures, table, far, others, density, borders, hours)


def _rank(table: pd.DataFrame, spots: pd.DataFrame, cfg, reference) -> tuple[pd.DataFrame, np.ndarray]:
    """Spots with ``risk`` and ``count`` (their incidents), highest risk first, and each
    incident's spot (row of the returned table, -1 for none)."""
    spots = spots.reset_index(drop=True)
    owner = _owner(table, spots, cfg.radius_m)
    mine = owner >= 0
    spots["risk"] = risk_scores(table.loc[mine, "time"], table.loc[mine, "weight"].to_numpy(), owner[mine],
                                len(spots), reference=reference, half_life_days=cfg.half_life_days)
    spots["count"] = np.bincount(owner[mine], minlength=len(spots))
    order = np.lexsort((-spots["count"].to_numpy(), -spots["risk"].to_numpy()))
    spots = spots.iloc[order].reset_index(drop=True)
    return spots, _owner(table, spots, cfg.radius_m)


def _source(scenario, key: str) -> str:
    path = getattr(scenario.config.data, key, None)
    return str(path) if path is not None else f"data.{key}"


def _classify(spots: pd.DataFrame, borders: Borders, scenario, graph, border_m: float) -> pd.DataFrame:
    """Each hot spot's border (tier, units) and ``why`` it is not a border hotspot ("" if it is)."""
    spots = spots.copy()
    pair, dist = borders.nearest(spots["x"].to_numpy(), spots["y"].to_numpy(), within_m=border_m)
    lon, lat = borders.to_lonlat(spots["x"].to_numpy(), spots["y"].to_numpy())
    spots["lon"], spots["lat"] = np.round(lon, 6), np.round(lat, 6)
    spots["pair"] = pair
    spots["border_m"] = np.round(dist, 1)
    pairs = borders.pairs
    spots["tier"] = [pairs.iloc[p]["tier"] if p >= 0 else "" for p in pair]
    spots["a"] = [pairs.iloc[p]["a"] if p >= 0 else "" for p in pair]
    spots["b"] = [pairs.iloc[p]["b"] if p >= 0 else "" for p in pair]
    planned = _planned_units(scenario, borders)
    why = []
    snap_m = None
    if graph is not None and len(spots):
        _, snap_m = graph.snap(spots["lon"].to_numpy(), spots["lat"].to_numpy())
    max_snap = scenario.config.travel.max_snap_m
    for k, s in enumerate(spots.itertuples(index=False)):
        if s.pair < 0:
            why.append(f"not at a border (farther than incidents.border_m = {border_m:g} m)")
        elif s.a not in planned and s.b not in planned:
            why.append(f"on the border {s.a}/{s.b}, where no station of the config lies on either side")
        elif snap_m is not None and snap_m[k] > max_snap:
            why.append(f"{snap_m[k]:,.0f} m from the nearest road vertex (travel.max_snap_m = {max_snap:g}): no team "
                       "can be routed there — add the roads near it")
        else:
            why.append("")
    spots["why"] = why
    return spots


def _planned_units(scenario, borders: Borders) -> set[str]:
    """Units holding a station of the config (all units when the stations do not name them)."""
    col = borders.unit_tier
    named = set(scenario.stations[col].astype(str)) - {""} if col in scenario.stations.columns else set()
    hit = named & set(borders.units["unit"])
    return hit or set(borders.units["unit"])


def _owner(table: pd.DataFrame, spots: pd.DataFrame, radius_m: float) -> np.ndarray:
    """The nearest hot spot within ``radius_m`` of each incident (row of ``spots``), -1 if none."""
    if spots.empty:
        return np.full(len(table), -1, dtype=np.int64)
    d, k = cKDTree(spots[["x", "y"]].to_numpy(float)).query(table[["x", "y"]].to_numpy(float),
                                                             distance_upper_bound=radius_m)
    return np.where(np.isfinite(d), k, -1).astype(np.int64)


def _zones(scenario, borders: Borders, spots: pd.DataFrame, join_m: float):
    sx, sy = borders.to_xy(scenario.stations["lon"].to_numpy(), scenario.stations["lat"].to_numpy())
    hs = scenario.hotspots
    hx, hy = borders.to_xy(hs["lon"].to_numpy(), hs["lat"].to_numpy())
    zone_xy = pd.DataFrame({"zone_id": hs["zone_id"].astype(str), "x": hx, "y": hy})
    return assign_zones(spots, stations=scenario.stations, station_xy=np.column_stack([sx, sy]),
                        zones=scenario.zones, zone_hotspot_xy=zone_xy, unit_tier=borders.unit_tier, join_m=join_m)


def _hotspot_table(spots: pd.DataFrame, borders: Borders, hours: dict[str, Hours], border_m: float) -> pd.DataFrame:
    rows = []
    for s in spots.itertuples(index=False):
        rows.append({
            "hotspot_id": s.hotspot_id, "name": f"{s.a}/{s.b} 警情热点", "zone_id": s.zone_id,
            "lon": s.lon, "lat": s.lat, "risk": s.risk, "incidents": int(s.count),
            "border": f"{s.tier}:{s.a}/{s.b}", "peak_hours": hours[s.hotspot_id].text,
            "tier": s.tier, "units": f"{s.a};{s.b}", "border_m": s.border_m,
        })
    return pd.DataFrame(rows, columns=HOTSPOT_COLUMNS)


def _demand(hotspots: pd.DataFrame, hours: dict[str, Hours], mode_of: dict, config) -> pd.DataFrame:
    """One row per hotspot and hour rule: posts (2 teams in a synchronized zone), visits of
    ``visits.dwell_minutes`` at least every ``incidents.visit_every_min`` (at most the rule's hours)."""
    rows = []
    for h, z in zip(hotspots["hotspot_id"], hotspots["zone_id"]):
        sync = mode_of.get(z) == "synchronized"
        for r in hours[h].rules:
            why = "incident peak" if not hours[h].fallback else "no hour above the background: its busiest hours"
            if r.presence == "post":
                rows.append({"hotspot_id": h, "zone_id": "", "days": days_text(r.days), "start": r.start,
                             "end": r.end, "teams": 2 if sync else 1, "presence": "post", "dwell_min": "",
                             "every_min": "", "why": why})
            else:
                every = min(config.incidents.visit_every_min, r.hours * 60)
                dwell = min(config.visits.dwell_minutes, every - 1)
                rows.append({"hotspot_id": h, "zone_id": "", "days": days_text(r.days), "start": r.start,
                             "end": r.end, "teams": 1, "presence": "visit", "dwell_min": dwell,
                             "every_min": every, "why": why})
    return pd.DataFrame(rows, columns=DEMAND_COLUMNS)


def _none_found(incidents: Incidents, n: int, n_near: int, spots: pd.DataFrame) -> str:
    other = "; ".join(f"({s.lon:.4f}, {s.lat:.4f}) {s.why}" for s in spots.head(5).itertuples())
    return (f"{incidents.source}: no border hotspot found among {n} incidents ({n_near} within incidents.border_m "
            f"of a border; {len(spots)} hot spots elsewhere{': ' + other if other else ''}) — give a longer record, "
            "or lower incidents.min_incidents / raise incidents.significance in the config")


def _figures(incidents: Incidents, table: pd.DataFrame, near: np.ndarray, hotspots: pd.DataFrame, zones, others,
             hours: dict[str, Hours], scenario, area_m2: float) -> dict:
    cfg = scenario.config.incidents
    zone_rows = {z: r for z, r in zip(zones.zones["zone_id"], zones.zones.to_dict("records"))}
    per = []
    for h, row in zip(hotspots["hotspot_id"], hotspots.to_dict("records")):
        z = zone_rows[row["zone_id"]]
        per.append({**{k: row[k] for k in ("hotspot_id", "name", "zone_id", "lon", "lat", "risk", "incidents",
                                            "border", "peak_hours", "border_m")},
                    "zone": {"tier": z["tier"], "mode": z["mode"], "stations": z["stations"],
                             "joined_existing": z["source"] == "config"},
                    "fallback_hours": hours[h].fallback,
                    "by_hour": [int(c) for c in hours[h].counts]})
    return {
        "source": incidents.source,
        "incidents_read": incidents.n_read,
        "since": incidents.since.isoformat() if incidents.since else None,
        "before_since": incidents.n_before_since,
        "from_week_start": incidents.n_from_until,
        "incidents_used": int(len(table)),
        "first": f"{table['time'].min():%Y-%m-%dT%H:%M}",
        "last": f"{table['time'].max():%Y-%m-%dT%H:%M}",
        "near_borders": int(near.sum()),
        "kept": int(near.sum()),
        "far_from_borders": int((~near).sum()),
        "far_from_borders_file": "far_from_borders.csv",
        "at_hotspots": int((table["hotspot_id"] != "").sum()),
        "study_area_km2": round(area_m2 / 1e6, 1),
        "hotspots": len(hotspots),
        "new_zones": int((zones.zones["source"] == "incidents").sum()),
        "joined_zones": int((zones.zones["source"] == "config").sum()),
        "other_hot_spots": [{"lon": float(s.lon), "lat": float(s.lat), "incidents": int(s.incidents), "why": s.why}
                            for s in others.itertuples(index=False)],
        "settings": cfg.model_dump(),
        "by_hotspot": per,
    }


# --- the folder ------------------------------------------------------------------------------


def _raw_config(path: Path) -> dict:
    """The CONFIG as written (it has been loaded and validated already)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def write_hotspot_folder(out: str | Path, scenario, derived: Derived, *, pictures: bool = True) -> Path:
    """The scenario folder (module docstring), written atomically; returns its config path."""
    out = Path(out)
    raw = _raw_config(scenario.config_path) if scenario.config_path is not None else {}
    raw = dict(raw)
    raw["name"] = f"{scenario.config.name}-hotspots"
    raw["default_demand"] = 0
    with atomic_folder(out, kind="scenario") as tmp:
        data: dict[str, str] = {}
        taken = set(_WRITTEN)
        for key in _COPIED:
            src = getattr(scenario.config.data, key, None)
            if src is None:
                continue
            name = Path(src).name
            if name in taken:
                name = f"{key}-{name}"
            taken.add(name)
            shutil.copyfile(src, tmp / name)
            data[key] = name
        data.update(hotspots="hotspots.csv", zones="zones.csv", demand="demand.csv")
        raw["data"] = {k: data[k] for k in ("stations", "hotspots", "zones", "demand", *_COPIED[1:]) if k in data}
        head = (f"# Derived by `patrolplan hotspots` from {derived.figures['source']} "
                f"({derived.figures['incidents_used']} incidents, {derived.figures['first']} .. "
                f"{derived.figures['last']}).\n# hotspots.csv, zones.csv and demand.csv come from the incidents; "
                "the rest is the original config's.\n")
        (tmp / "config.yaml").write_text(head + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
        derived.hotspots.to_csv(tmp / "hotspots.csv", index=False)
        derived.zones.to_csv(tmp / "zones.csv", index=False)
        derived.demand.to_csv(tmp / "demand.csv", index=False)
        far = derived.far.copy()
        far["time"] = far["time"].dt.strftime("%Y-%m-%dT%H:%M")
        far.to_csv(tmp / "far_from_borders.csv", index=False)
        (tmp / "hotspots.json").write_text(json.dumps(_json_safe(derived.figures), indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
        if pictures:
            _write_picture(tmp / "hotspots.png", scenario, derived)
    return out / "config.yaml"


def _json_safe(obj):
    return _clean(obj)


def _write_picture(path: Path, scenario, derived: Derived) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from patrolplan.incidents.plot import plot_hotspots

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = plot_hotspots(derived, boundaries=scenario.boundaries, stations=scenario.stations)
        ax.figure.savefig(path, dpi=130, bbox_inches="tight")
        plt.close(ax.figure)


def hotspots_command(config: str | Path, incidents_path: str | Path, *, since=None, out=None,
                     say=print) -> Path:
    """``patrolplan hotspots CONFIG --incidents FILE [--since DATE] [--out DIR]``: returns the
    written config path. ``--out`` defaults to ``runs/<config name>-hotspots``."""
    scenario = load_scenario(config)
    for line in scenario.warnings:
        print(f"warning: {line}", file=sys.stderr)
    out = Path(out) if out is not None else Path("runs") / f"{scenario.config.name}-hotspots"
    prepare_output(out, kind="scenario", say=lambda m: print(m, file=sys.stderr))
    if scenario.boundaries is None:
        raise DataError(f"{config}: the config names no data.boundaries — `patrolplan hotspots` finds hotspots at "
                        "the borders between its units: add data.boundaries (polygons, one per unit)")
    incidents = read_incidents(incidents_path, boundaries=scenario.boundaries, since=since,
                               until=scenario.horizon_start)
    derived = derive(scenario, incidents, graph=road_graph(scenario))
    path = write_hotspot_folder(out, scenario, derived)
    for line in summary_lines(derived):
        say(line)
    say(f"scenario: {path} — solve it with `patrolplan solve {path}`")
    return path


def summary_lines(derived: Derived) -> list[str]:
    f = derived.figures
    since = f" (since {f['since']}; {f['before_since']} earlier left out)" if f["since"] else ""
    if f["from_week_start"]:
        since += f" ({f['from_week_start']} from the planned week on left out)"
    lines = [f"{f['incidents_used']} incidents{since}, {f['first']} .. {f['last']}: {f['near_borders']} within "
             f"{f['settings']['border_m']:g} m of a border, {f['far_from_borders']} farther (far_from_borders.csv)",
             f"{f['hotspots']} border hotspots ({f['at_hotspots']} incidents at them), {f['joined_zones']} existing "
             f"zones joined, {f['new_zones']} new; {len(f['other_hot_spots'])} other hot spots (hotspots.json)"]
    for h in f["by_hotspot"]:
        lines.append(f"  {h['hotspot_id']} {h['border']:<28} {h['incidents']:4d} incidents, risk {h['risk']:.2f}, "
                     f"zone {h['zone_id']}: {h['peak_hours']}")
    return lines
