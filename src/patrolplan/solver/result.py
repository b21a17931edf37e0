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

__all__ = ["Result", "ROSTER_COLUMNS", "COVERAGE_COLUMNS", "roster_table", "coverage_table", "iso"]

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


def station_loads(problem: Problem, roster: pd.DataFrame) -> dict[str, dict]:
    """Per station: teams, shifts, team-hours, travel hours, hours per team."""
    p = problem
    out: dict[str, dict] = {}
    start = pd.to_datetime(roster["start"])
    end = pd.to_datetime(roster["end"])
    hours = (end - start).dt.total_seconds() / 3600
    travel = (roster["travel_out_min"] + roster["travel_back_min"]) / 60
    for i, sid in enumerate(p.station_ids):
        mask = (roster["station_id"] == sid).to_numpy()
        teams = int(p.teams[i])
        th = float(hours[mask].sum())
        out[sid] = {
            "teams": teams,
            "teams_used": int(roster.loc[mask, "team_id"].nunique()),
            "shifts": int(mask.sum()),
            "team_hours": round(th, 2),
            "travel_hours": round(float(travel[mask].sum()), 2),
            "hours_per_team": round(th / teams, 2) if teams else 0.0,
        }
    return out
