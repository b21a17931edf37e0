"""Result: what a solve returns — status, roster table, coverage table, summary.

The coverage table is counted from the roster rows (not from the model's variables), with the
contract's definition of "on site for the whole slot".
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
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
    response: pd.DataFrame | None = None  # response.csv (patrolplan.response.table), added by the runner

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
            b = int(p.shift_start_min[j] + p.shift_len_min[j] - p.shift_back_min[j]) - int(p.visit_dwell_min[h])
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
    since the last visit start, and a gap where the contract's rule fails in it, measured as
    the checker measures it (:func:`visit_short_slots`)."""
    slot = p.slot_min
    starts = visit_starts(p, shift_col)
    short = visit_short_slots(p, shift_col)
    stations_at: dict[int, list[tuple[int, str]]] = {}
    for j in np.asarray(shift_col, dtype=np.int64):
        for h, a, _ in p.visits_of(int(j)):
            stations_at.setdefault(h, []).append((a, p.station_ids[p.shift_station[j]]))
    waits = {h: _Waits(iv) for h, iv in starts.items()}
    named = {h: sorted(v) for h, v in stations_at.items()}
    empty = _Waits([])
    rows = []
    hs, ks = np.nonzero(p.visit_need > 0)
    since = np.zeros(p.visit_need.shape, dtype=np.int64)  # the start of each slot's visit hours
    for h, first, end, _, _ in visit_hours(p):
        since[h, first:end] = first * slot
    for h, k in zip(hs, ks):
        h, k = int(h), int(k)
        lo, hi = k * slot, (k + 1) * slot
        w = waits.get(h, empty)
        seen = w.seen(lo, hi)
        wait = w.longest(lo, hi, int(since[h, k]))
        at = named.get(h, [])
        names = sorted({st for _, st in at[bisect.bisect_left(at, (lo, "")):bisect.bisect_left(at, (hi, ""))]})
        gap = bool(short[h, k])
        rows.append((p.hotspot_ids[h], k, 1, seen, ";".join(names), gap, 1, True, "visit", seen, wait))
    df = pd.DataFrame(rows, columns=["hotspot_id", "_k", "demand", "present", "stations", "gap", "required", "sync_ok",
                                     "presence", "visits", "longest_wait_min"])
    df.insert(1, "slot_start", iso(p.horizon_start, df["_k"].to_numpy() * slot))
    return df.drop(columns="_k")[[*COVERAGE_COLUMNS, *COVERAGE_VISIT_COLUMNS]].astype(
        {"gap": bool, "sync_ok": bool, "demand": int, "present": int, "required": int, "visits": int,
         "longest_wait_min": int})


def _presences(p: Problem, shift_col: np.ndarray) -> dict[int, list[tuple[int, int, int]]]:
    """Per hotspot: ``(on from, on until, station)`` of each loop visit and each post there."""
    presences: dict[int, list[tuple[int, int, int]]] = {}
    for j in np.asarray(shift_col, dtype=np.int64):
        s = int(p.shift_station[j])
        if p.shift_loop[j] >= 0:
            for h, a, b in p.visits_of(int(j)):
                presences.setdefault(h, []).append((a, b, s))
        else:
            h = int(p.shift_hotspot[j])
            a = int(p.shift_start_min[j] + p.shift_out_min[j])
            b = int(p.shift_start_min[j] + p.shift_len_min[j] - p.shift_back_min[j])
            presences.setdefault(h, []).append((a, b, s))
    return presences


def _counted_starts(p: Problem, h: int, here: list[tuple[int, int, int]], dwell: int) -> list[tuple[int, int]]:
    """The moments a counted visit of ``dwell`` minutes may start at ``h``, from its presences."""
    from patrolplan.model.rules.synchronized import meets

    z = int(p.hotspot_zone[h])
    if p.zone_mode[z] != "synchronized":
        return [(a, b - dwell) for a, b, _ in here if b - a >= dwell]
    here = sorted(here)
    groups = p.zone_jurisdiction_groups[z]
    found = []
    for i, (a, b, s) in enumerate(here):
        for a2, b2, s2 in here[i + 1:]:
            if a2 > b - dwell:
                break
            lo, hi = max(a, a2), min(b, b2)
            if s2 != s and hi - lo >= dwell and meets({s, s2}, 2, groups):
                found.append((lo, hi - dwell))
    return found


def unguarded_moments(starts: list[tuple[int, int]], a: int, b: int, every: int) -> list[tuple[int, int]]:
    """The stretches of visit hours ``[a, b)`` the contract asks about (``[a + every, b]``, or
    ``b`` alone when the hours are no longer than the interval) with no counted visit start in
    ``[max(t - every, a), t]`` before ``b``, as ``(from, to)`` in minutes (continuous time,
    as the checker counts: the moments just after ``from``, or ``from`` itself where the
    asking starts, up to ``to``). ``starts``: the moments a counted visit may start, as
    ``(first, last)`` intervals."""
    t = min(a + every, b)
    guards = sorted((max(s0, a), min(s1, b - 1) + every) for s0, s1 in starts if max(s0, a) <= min(s1, b - 1))
    holes = []
    for g0, g1 in guards:
        if g0 > t:
            holes.append((t, g0))
        t = max(t, g1)
        if t >= b:
            return holes
    if t < b or not guards:
        holes.append((t, b))
    return holes


def visit_hours(p: Problem):
    """The visit hours the checker measures: per hotspot, ``(h, first, end, every, dwell)``, the
    runs of slots a visit rule names (``Problem.visit_asked_every_min``: under a post too,
    whose presence then counts as visits), each holding a visit-demanded slot, with the
    strictest interval and dwell of the rules naming them. Hours wholly under posts are post
    hours: a post short there is counted among the posts' gaps."""
    need, every, dwell = p.visit_need > 0, p.visit_asked_every_min, p.visit_asked_dwell_min
    asked = every > 0  # every demanded slot among them (Problem._visit_parts)
    for h in np.nonzero(need.any(axis=1))[0]:
        edges = np.flatnonzero(np.diff(np.concatenate([[0], asked[h].astype(np.int8), [0]])))
        for first, end in zip(edges[::2], edges[1::2]):
            if need[h, first:end].any():
                run = every[h, first:end]
                yield int(h), int(first), int(end), int(run[run > 0].min()), int(dwell[h, first:end].max())


def visit_short_slots(p: Problem, shift_col: np.ndarray) -> np.ndarray:
    """Bool ``[H, K]``: the visit-demanded hotspot-slots where the contract's rule fails, as the
    checker measures it: in each run of visit hours ``[a, b)`` (:func:`visit_hours`, with its
    interval and dwell) every moment ``t`` of ``[a + every, b]`` (only ``b`` when the hours are
    no longer than the interval) needs a counted visit starting in ``[max(t - every, a), t]``
    and before ``b``; a slot is short when such a moment without one falls in it (``b`` itself
    in the run's last slot)."""
    slot = p.slot_min
    short = np.zeros(p.visit_need.shape, dtype=bool)
    if not p.has_visits:
        return short
    here = _presences(p, shift_col)
    counted: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (hotspot, dwell): most runs share one
    for h, first, end, every, dwell in visit_hours(p):
        if (h, dwell) not in counted:
            counted[h, dwell] = _counted_starts(p, h, here.get(h, []), dwell)
        starts = counted[h, dwell]
        for u0, u1 in unguarded_moments(starts, first * slot, end * slot, every):
            k0 = min(u0 // slot, end - 1)
            k1 = max(k0, min(-(-u1 // slot) - 1, end - 1))
            short[h, k0:k1 + 1] = True
    return short & (p.visit_need > 0)


class _Waits:
    """One hotspot's possible visit starts (``(first, last)`` intervals), sorted once, so that
    each slot's questions are bisections, not a pass over every visit of the week."""

    def __init__(self, intervals: list[tuple[int, int]]):
        iv = sorted(intervals)
        self.a = [a for a, _ in iv]
        self.b_sorted = sorted(b for _, b in iv)
        self.prefix_max_b = list(itertools.accumulate((b for _, b in iv), max))

    def seen(self, lo: int, hi: int) -> int:
        """Intervals meeting the slot: starting before ``hi`` and not ending before ``lo``."""
        return bisect.bisect_left(self.a, hi) - bisect.bisect_left(self.b_sorted, lo)

    def _wait(self, t: int, since: int, strictly_before: bool) -> int:
        n = bisect.bisect_left(self.a, t) if strictly_before else bisect.bisect_right(self.a, t)
        last = min(self.prefix_max_b[n - 1], t) if n else since
        return t - max(since, last)

    def longest(self, lo: int, hi: int, since: int) -> int:
        """Longest time within ``[lo, hi]`` since the last moment a visit could start, counting
        from ``since`` (the start of the visit hours) where none started since; measured just
        before each start and at ``hi``."""
        worst = self._wait(hi, since, False)
        for i in range(bisect.bisect_right(self.a, lo), bisect.bisect_right(self.a, hi)):
            worst = max(worst, self._wait(self.a[i], since, True))
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
