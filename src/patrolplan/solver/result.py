"""Result: what a solve returns — status, roster table, coverage table, summary.

The coverage table is counted from the roster rows (not from the model's variables), with the
contract's definition of "on site for the whole slot".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from patrolplan.columns import COVERAGE_COLUMNS as _CONTRACT_COVERAGE
from patrolplan.columns import (
    COVERAGE_EXTRA_COLUMNS,
    COVERAGE_VISIT_COLUMNS,
    ROSTER_COLUMNS,
    VISIT_COLUMNS,
)
from patrolplan.model.problem import Problem
from patrolplan.model.rules import coverage, synchronized

__all__ = ["Result", "ROSTER_COLUMNS", "COVERAGE_COLUMNS", "roster_table", "coverage_table", "iso", "station_load",
           "station_loads"]

COVERAGE_COLUMNS = [*_CONTRACT_COVERAGE, *COVERAGE_EXTRA_COLUMNS]


@dataclass(frozen=True)
class Result:
    """``status``: optimal | feasible | infeasible | gaps | unknown (no roster in time)."""

    status: str
    roster: pd.DataFrame
    coverage: pd.DataFrame
    summary: dict
    explanation: str | None = None
    log: list[str] = field(default_factory=list)
    visits: pd.DataFrame | None = None  # visits.csv, in a week with visit demand
    changes: pd.DataFrame | None = None  # changes.csv, in a re-plan (patrolplan.replan)

    @property
    def exit_code(self) -> int:
        """0 = gap-free roster; 1 = no gap-free roster (infeasible, gaps, or none found)."""
        return 0 if self.status in ("optimal", "feasible") else 1


def iso(start: dt.datetime, minutes) -> list[str]:
    return [(start + dt.timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%M") for m in minutes]


def team_id(station_id: str, k: int) -> str:
    return f"{station_id}-T{k + 1:02d}"


def roster_table(problem: Problem, shift_col: np.ndarray, team: np.ndarray, *, keep_columns: bool = False) -> pd.DataFrame:
    """One row per rostered shift, in start order (station, team as tie-breaks); in a week with
    visit demand also ``loop_id`` and ``loop_hotspots``. ``keep_columns``: keep ``_col``, the
    candidate shift of each row."""
    p = problem
    s = p.shift_station[shift_col]
    h = p.shift_hotspot[shift_col]
    start = p.shift_start_min[shift_col]
    end = start + p.shift_len_min[shift_col]
    out = p.shift_out_min[shift_col]
    back = p.shift_back_min[shift_col]
    z = p.hotspot_zone[h]
    df = pd.DataFrame(
        {
            "_start": start,
            "team_id": [team_id(p.station_ids[a], int(k)) for a, k in zip(s, team)],
            "station_id": [p.station_ids[a] for a in s],
            "zone_id": [p.zone_ids[a] for a in z],
            "hotspot_id": [p.hotspot_ids[a] for a in h],
            "mode": [p.zone_mode[a] for a in z],
            "start": iso(p.horizon_start, start),
            "end": iso(p.horizon_start, end),
            "on_site_start": iso(p.horizon_start, start + out),
            "on_site_end": iso(p.horizon_start, end - back),
            "travel_out_min": out.astype(int),
            "travel_back_min": back.astype(int),
        }
    )
    if p.has_visits:
        loop = p.shift_loop[shift_col]
        df["loop_id"] = [f"L{li + 1:04d}" if li >= 0 else "" for li in loop]
        df["loop_hotspots"] = [";".join(p.hotspot_ids[h] for h in p.loop_hotspots[li]) if li >= 0 else ""
                               for li in loop]
    df["_col"] = np.asarray(shift_col, dtype=np.int64)
    df = df.sort_values(["_start", "station_id", "team_id", "hotspot_id"], kind="stable").drop(columns="_start")
    df.insert(0, "shift_id", [f"SH{i + 1:04d}" for i in range(len(df))])
    df = df.reset_index(drop=True)
    return df if keep_columns else df.drop(columns="_col")


def visits_table(problem: Problem, roster: pd.DataFrame) -> pd.DataFrame:
    """visits.csv: one row per visit of each loop shift of ``roster`` (from
    :func:`roster_table` with ``keep_columns=True``), in roster order."""
    p = problem
    rows = []
    for shift_id, team, station, j in zip(roster["shift_id"], roster["team_id"], roster["station_id"], roster["_col"]):
        for h, a, b in p.visits_of(int(j)):
            rows.append((shift_id, team, station, p.hotspot_ids[h], a, b))
    df = pd.DataFrame(rows, columns=["shift_id", "team_id", "station_id", "hotspot_id", "_a", "_b"])
    df.insert(0, "visit_id", [f"V{i + 1:05d}" for i in range(len(df))])
    df["arrive"] = iso(p.horizon_start, df["_a"])
    df["depart"] = iso(p.horizon_start, df["_b"])
    return df[list(VISIT_COLUMNS)]


def visit_starts(problem: Problem, shift_col: np.ndarray) -> dict[int, list[tuple[int, int]]]:
    """Per hotspot: the moments a visit may be counted from, as ``(first, last)`` start
    intervals: each loop visit's arrival, and each post's on-site time less the dwell."""
    p = problem
    out: dict[int, list[tuple[int, int]]] = {}
    for j in np.asarray(shift_col, dtype=np.int64):
        if p.shift_loop[j] >= 0:
            for h, a, _ in p.visits_of(int(j)):
                out.setdefault(h, []).append((a, a))
        else:
            h = int(p.shift_hotspot[j])
            a = int(p.shift_start_min[j] + p.shift_out_min[j])
            b = int(p.shift_start_min[j] + p.shift_len_min[j] - p.shift_back_min[j]) - int(p.visit_dwell[h])
            if b >= a:
                out.setdefault(h, []).append((a, b))
    return out


def coverage_table(problem: Problem, shift_col: np.ndarray) -> pd.DataFrame:
    """Every hotspot-slot with demand > 0: demand, teams present all slot, their stations,
    whether it is a gap (fewer teams than demand) and whether the synchronized rule holds."""
    p = problem
    slot = p.slot_min
    hs, ks = np.nonzero(p.required > 0)
    a = p.shift_start_min[shift_col] + p.shift_out_min[shift_col]
    b = p.shift_start_min[shift_col] + p.shift_len_min[shift_col] - p.shift_back_min[shift_col]
    k0 = np.clip(-(-a // slot), 0, p.n_slots)
    k1 = np.clip(b // slot, 0, p.n_slots)
    present: dict[tuple[int, int], list[int]] = {}
    for j, (h, lo, hi) in enumerate(zip(p.shift_hotspot[shift_col], k0, k1)):
        if p.shift_loop[shift_col[j]] >= 0:
            continue  # a loop is at each stop only for its visits (the visit rows below)
        for k in range(lo, hi):
            present.setdefault((int(h), k), []).append(int(p.shift_station[shift_col[j]]))
    rows = []
    for h, k in zip(hs, ks):
        st = present.get((int(h), int(k)), [])
        sync_ok = synchronized.satisfied(p, int(p.hotspot_zone[h]), st)
        rows.append(
            (
                p.hotspot_ids[h],
                int(k),
                int(p.demand[h, k]),
                len(st),
                ";".join(sorted({p.station_ids[x] for x in st})),
                coverage.is_gap(len(st), p.demand[h, k]),
                int(p.required[h, k]),
                bool(sync_ok),
            )
        )
    df = pd.DataFrame(rows, columns=["hotspot_id", "_k", "demand", "present", "stations", "gap", "required",
                                     "sync_ok"])
    df.insert(1, "slot_start", iso(p.horizon_start, df["_k"].to_numpy() * slot))
    df = df.drop(columns="_k")[COVERAGE_COLUMNS]
    if not p.has_visits:
        return df
    df["presence"] = "post"
    df["visits"] = 0
    df["longest_wait_min"] = 0
    out = pd.concat([df, _visit_coverage(p, shift_col)], ignore_index=True)
    return out.astype({"gap": bool, "sync_ok": bool})


def _visit_coverage(p: Problem, shift_col: np.ndarray) -> pd.DataFrame:
    """A row per visit-demanded hotspot-slot: the visit starts in it, the longest wait in it
    since the last visit start, and a gap where a guarded slot waits longer than the interval."""
    slot = p.slot_min
    starts = visit_starts(p, shift_col)
    guarded = np.zeros(p.visit_need.shape, dtype=bool)
    guarded[p.guard_hotspot, p.guard_slot] = True
    stations_at: dict[int, list[tuple[int, int, str]]] = {}
    for j in np.asarray(shift_col, dtype=np.int64):
        for h, a, _ in p.visits_of(int(j)):
            stations_at.setdefault(h, []).append((a, a, p.station_ids[p.shift_station[j]]))
    rows = []
    hs, ks = np.nonzero(p.visit_need > 0)
    since: dict[int, int] = {}  # per hotspot: the start of the run of visit slots being walked
    for h, k in zip(hs, ks):
        h, k = int(h), int(k)
        if not (k > 0 and p.visit_need[h, k - 1] > 0):
            since[h] = k * slot
        lo, hi = k * slot, (k + 1) * slot
        iv = sorted(starts.get(h, []))
        seen = [x for x in iv if x[1] >= lo and x[0] < hi]
        wait = _longest_wait(iv, lo, hi, since[h])
        names = sorted({st for a, _, st in stations_at.get(h, []) if lo <= a < hi})
        gap = bool(guarded[h, k] and wait > p.visit_every[h])
        rows.append((p.hotspot_ids[h], k, 1, len(seen), ";".join(names), gap, 1, True, "visit", len(seen), wait))
    df = pd.DataFrame(rows, columns=["hotspot_id", "_k", "demand", "present", "stations", "gap", "required", "sync_ok",
                                     "presence", "visits", "longest_wait_min"])
    df.insert(1, "slot_start", iso(p.horizon_start, df["_k"].to_numpy() * slot))
    return df.drop(columns="_k")[[*COVERAGE_COLUMNS, *COVERAGE_VISIT_COLUMNS]].astype(
        {"gap": bool, "sync_ok": bool, "demand": int, "present": int, "required": int, "visits": int,
         "longest_wait_min": int})


def _longest_wait(intervals: list[tuple[int, int]], lo: int, hi: int, since: int) -> int:
    """Longest time within ``[lo, hi]`` since the last moment a visit could start (``intervals``
    of possible starts, sorted by start), counting from ``since`` (the start of the visit
    hours) where no visit started since then; measured just before each start and at ``hi``."""
    def wait(t: int, strictly_before: bool) -> int:
        ends = [min(b, t) for a, b in intervals if (a < t if strictly_before else a <= t) and b >= since]
        return t - max([since, *ends])

    worst = wait(hi, False)
    for a, _ in intervals:
        if lo < a <= hi:
            worst = max(worst, wait(a, True))
    return int(worst)


def station_load(stations: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """The one station-load calculation (summary.json, the report, the workbook and the sheets).

    ``stations``: ``station_id`` and ``teams`` (available), optionally ``name``, ``county``,
    ``officers``; any other station the roster names is appended. ``roster``: roster rows with
    ``start``/``end``/``on_site_start``/``on_site_end`` (text or datetimes) and the travel minutes.
    One row per station: ``teams``, ``teams_used``, ``shifts``, ``team_hours`` (travel included),
    ``on_site_hours``, ``travel_hours``, ``max_team_hours`` (the busiest team's hours),
    ``max_team_shifts`` and ``hours_per_team`` (team-hours over available teams)."""

    def hours(a, b):
        return (pd.to_datetime(roster[b]) - pd.to_datetime(roster[a])).dt.total_seconds() / 3600.0

    r = roster.assign(_h=hours("start", "end"), _on=hours("on_site_start", "on_site_end"),
                      _tr=(roster["travel_out_min"] + roster["travel_back_min"]) / 60.0)
    r["station_id"] = r["station_id"].astype(str)
    g = r.groupby("station_id")
    per_team = r.groupby(["station_id", "team_id"]).agg(h=("_h", "sum"), n=("_h", "size"))
    known = stations["station_id"].astype(str)
    out = pd.DataFrame({"station_id": list(known) + sorted(set(r["station_id"]) - set(known))})
    for column, blank in (("name", ""), ("county", ""), ("officers", 0)):
        if column in stations:
            out[column] = out["station_id"].map(dict(zip(known, stations[column]))).fillna(blank)
    if "officers" in out:
        out["officers"] = out["officers"].astype(int)
    out["teams"] = out["station_id"].map(dict(zip(known, stations["teams"]))).fillna(0).astype(int)
    sid = out["station_id"]
    out["teams_used"] = sid.map(g["team_id"].nunique()).fillna(0).astype(int)
    out["shifts"] = sid.map(g.size()).fillna(0).astype(int)
    team_hours = sid.map(g["_h"].sum()).fillna(0.0)
    out["team_hours"] = team_hours.round(2)
    out["on_site_hours"] = sid.map(g["_on"].sum()).fillna(0.0).round(2)
    out["travel_hours"] = sid.map(g["_tr"].sum()).fillna(0.0).round(2)
    out["max_team_hours"] = sid.map(per_team["h"].groupby(level=0).max()).fillna(0.0).round(2)
    out["max_team_shifts"] = sid.map(per_team["n"].groupby(level=0).max()).fillna(0).astype(int)
    out["hours_per_team"] = (team_hours / out["teams"].where(out["teams"] > 0)).fillna(0.0).round(2)
    return out


def station_loads(problem: Problem, roster: pd.DataFrame) -> dict[str, dict]:
    """summary.json's ``stations``: per station of the problem, teams, shifts, team-hours,
    travel hours, hours per team (from :func:`station_load`)."""
    stations = pd.DataFrame({"station_id": list(problem.station_ids), "teams": np.asarray(problem.teams, int)})
    table = station_load(stations, roster).set_index("station_id")
    keys = ["teams", "teams_used", "shifts", "team_hours", "travel_hours", "hours_per_team"]
    return {sid: {k: table.at[sid, k].item() for k in keys} for sid in problem.station_ids}
