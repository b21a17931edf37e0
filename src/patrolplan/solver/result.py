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
from patrolplan.columns import COVERAGE_EXTRA_COLUMNS, ROSTER_COLUMNS
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

    @property
    def exit_code(self) -> int:
        """0 = gap-free roster; 1 = no gap-free roster (infeasible, gaps, or none found)."""
        return 0 if self.status in ("optimal", "feasible") else 1


def iso(start: dt.datetime, minutes) -> list[str]:
    return [(start + dt.timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%M") for m in minutes]


def team_id(station_id: str, k: int) -> str:
    return f"{station_id}-T{k + 1:02d}"


def roster_table(problem: Problem, shift_col: np.ndarray, team: np.ndarray) -> pd.DataFrame:
    """One row per rostered shift, in start order (station, team as tie-breaks)."""
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
    df = df.sort_values(["_start", "station_id", "team_id", "hotspot_id"], kind="stable").drop(columns="_start")
    df.insert(0, "shift_id", [f"SH{i + 1:04d}" for i in range(len(df))])
    return df.reset_index(drop=True)


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
    return df.drop(columns="_k")[COVERAGE_COLUMNS]


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
