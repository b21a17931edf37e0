"""The response picture of a roster: ``response.csv`` and summary.json's ``response``.

For every demanded hotspot-slot (coverage.csv's rows): road minutes to the hotspot from

``first_min``    the nearest team on duty (0 when one is on site there),
``second_min``   the second-nearest team, of any station (what the backup rule counts),
``backup_min``   the nearest team of another station than the nearest team's (the issue's
                 "backup": help from a neighbouring station),

with their team ids. A team counts in a slot when it is on site for the whole slot — a post at
its hotspot, or a loop from its first arrival to its last departure, placed at its stop farthest
from the hotspot — so the figures are what the roster keeps all hour; a team on the road in
that slot is left out. Road minutes are hotspot -> hotspot on the roads the roster used
(bare road time, no planning margin). Blank where no such team is on site anywhere.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyproj

from patrolplan.inputs.network import UNREACHABLE_MIN

__all__ = ["RESPONSE_COLUMNS", "hotspot_minutes", "response_table", "response_summary"]

RESPONSE_COLUMNS = ("hotspot_id", "slot_start", "presence", "first_min", "first_team", "second_min", "second_team",
                    "backup_min", "backup_team", "backup_station")

_GEOD = pyproj.Geod(ellps="WGS84")


def hotspot_minutes(scenario, graph=None, travel=None) -> np.ndarray:
    """``[H, H]`` whole road minutes hotspot -> hotspot: ``travel.hop_min`` when the travel
    already has it, else from ``graph`` (``RoadGraph.minutes``, rounded up), else the straight
    line x ``travel.detour_factor`` at the default speed (the roster's travel formula)."""
    if travel is not None and getattr(travel, "hop_min", None) is not None:
        return np.asarray(travel.hop_min, dtype=np.int64)
    cfg = scenario.config.travel
    ll = scenario.hotspots[["lon", "lat"]].to_numpy(float).reshape(-1, 2)
    if graph is not None:
        minutes = graph.minutes(ll, ll, offroad_kmh=cfg.offroad_kmh)
    else:
        a, b = np.meshgrid(np.arange(len(ll)), np.arange(len(ll)), indexing="ij")
        _, _, d = _GEOD.inv(ll[a, 0], ll[a, 1], ll[b, 0], ll[b, 1])
        minutes = np.abs(np.asarray(d, float)) * cfg.detour_factor / (float(cfg.speeds_kmh.get("default", 30)) * 1000 / 60)
    out = np.where(np.isfinite(minutes), np.ceil(np.nan_to_num(minutes, posinf=0) - 1e-9), UNREACHABLE_MIN)
    out = np.clip(out, 0, UNREACHABLE_MIN).astype(np.int64)
    np.fill_diagonal(out, 0)
    return out


def _minutes_since(values, h0: dt.datetime) -> np.ndarray:
    t = pd.to_datetime(pd.Series(values), format="ISO8601") if len(values) else pd.Series([], dtype="datetime64[ns]")
    return ((t - pd.Timestamp(h0)).dt.total_seconds() // 60).to_numpy(dtype=np.int64)


def response_table(scenario, roster: pd.DataFrame, coverage: pd.DataFrame, visits: pd.DataFrame | None,
                   hop_min: np.ndarray) -> pd.DataFrame:
    """``response.csv`` (module docstring) for the demanded hotspot-slots of ``coverage``."""
    h0 = scenario.horizon_start
    slot = scenario.config.slot_minutes
    hids = scenario.hotspots["hotspot_id"].astype(str).tolist()
    h_index = {h: i for i, h in enumerate(hids)}
    hop = np.asarray(hop_min, dtype=np.int64)
    # each shift's presence: (from, to, hotspot indices it may be at)
    stops: dict[str, list[int]] = {}
    span: dict[str, tuple[int, int]] = {}
    if visits is not None and len(visits):
        a = _minutes_since(visits["arrive"], h0)
        b = _minutes_since(visits["depart"], h0)
        for sid, h, x, y in zip(visits["shift_id"].astype(str), visits["hotspot_id"].astype(str), a, b):
            stops.setdefault(sid, []).append(h_index[h])
            lo, hi = span.get(sid, (x, y))
            span[sid] = (min(lo, x), max(hi, y))
    on_a = _minutes_since(roster["on_site_start"], h0)
    on_b = _minutes_since(roster["on_site_end"], h0)
    team_from, team_to, team_id, team_station, team_far = [], [], [], [], []
    for n, (sid, team, station, h) in enumerate(zip(roster["shift_id"].astype(str), roster["team_id"].astype(str),
                                                    roster["station_id"].astype(str),
                                                    roster["hotspot_id"].astype(str))):
        if sid in stops:
            lo, hi = span[sid]
            far = hop[sorted(set(stops[sid]))].max(axis=0)  # its stop farthest from each hotspot
        else:
            lo, hi = on_a[n], on_b[n]
            far = hop[h_index[h]]
        team_from.append(lo)
        team_to.append(hi)
        team_id.append(team)
        team_station.append(station)
        team_far.append(far)
    team_from, team_to = np.asarray(team_from, np.int64), np.asarray(team_to, np.int64)
    team_id, team_station = np.asarray(team_id, object), np.asarray(team_station, object)
    far = np.vstack(team_far) if team_far else np.zeros((0, len(hids)), np.int64)

    cov_h = coverage["hotspot_id"].astype(str).map(h_index).to_numpy()
    cov_k = _minutes_since(coverage["slot_start"], h0) // slot
    n = len(coverage)
    first_m, second_m, backup_m = (np.full(n, -1, np.int64) for _ in range(3))
    first_t, second_t, backup_t, backup_s = (np.full(n, "", object) for _ in range(4))
    rank = np.argsort(np.argsort(team_id.astype(str), kind="stable"), kind="stable") if len(team_id) else team_id
    station_code = pd.factorize(team_station)[0] if len(team_station) else np.zeros(0, np.int64)
    for k in np.unique(cov_k):
        rows = np.nonzero(cov_k == k)[0]
        here = np.nonzero((team_from <= k * slot) & (team_to >= (k + 1) * slot))[0]
        if here.size == 0:
            continue
        minutes = far[here][:, cov_h[rows]]  # [teams here, rows]
        key = np.where(minutes < UNREACHABLE_MIN, minutes * (len(team_id) + 1) + rank[here][:, None], np.iinfo(np.int64).max)
        order = np.argsort(key, axis=0, kind="stable")
        cols = np.arange(rows.size)
        _pick(first_m, first_t, rows, minutes, key, here, order[0], cols, team_id)
        if here.size > 1:
            _pick(second_m, second_t, rows, minutes, key, here, order[1], cols, team_id)
        st = station_code[here]
        other = np.where(st[:, None] != st[order[0]][None, :], key, np.iinfo(np.int64).max)
        best = other.argmin(axis=0)
        ok = _pick(backup_m, backup_t, rows, minutes, other, here, best, cols, team_id)
        backup_s[rows[ok]] = team_station[here[best[ok]]]
    presence = coverage["presence"].astype(str).to_numpy() if "presence" in coverage else np.full(n, "post")
    out = pd.DataFrame({"hotspot_id": coverage["hotspot_id"].astype(str).to_numpy(),
                        "slot_start": coverage["slot_start"].astype(str).to_numpy(), "presence": presence,
                        "first_min": first_m, "first_team": first_t, "second_min": second_m, "second_team": second_t,
                        "backup_min": backup_m, "backup_team": backup_t, "backup_station": backup_s})
    for col in ("first_min", "second_min", "backup_min"):
        out[col] = out[col].astype("Int64").mask(out[col] < 0)
    return out[list(RESPONSE_COLUMNS)]


def _pick(minutes_out, team_out, rows, minutes, key, here, which, cols, team_id) -> np.ndarray:
    """Write the team ``which[c]`` (index into ``here``) of each row ``c``, where it is
    reachable (its ``key`` not the sentinel); returns the rows written."""
    ok = key[which, cols] < np.iinfo(np.int64).max
    minutes_out[rows[ok]] = minutes[which[ok], cols[ok]]
    team_out[rows[ok]] = team_id[here[which[ok]]]
    return ok


def response_summary(table: pd.DataFrame, config) -> dict:
    """summary.json's ``response``: shares of the demanded hotspot-hours whose first team is
    within ``response.first_minutes``, whose backup (another station) and whose second team
    are within ``response.backup_minutes``, and the worst minutes."""
    r = config.response
    n = len(table)
    hours = n * config.slot_minutes / 60

    def share(col: str, limit: int) -> float | None:
        if not n:
            return None
        v = table[col]
        return round(float((v.notna() & (v.fillna(UNREACHABLE_MIN) <= limit)).mean()), 4)

    def worst(col: str):
        v = table[col].dropna()
        return int(v.max()) if len(v) and len(v) == n else None

    return {
        "first_minutes": r.first_minutes,
        "backup_minutes": r.backup_minutes,
        "backup": r.backup,
        "demanded_hotspot_hours": round(hours, 2),
        "first_within_share": share("first_min", r.first_minutes),
        "backup_within_share": share("backup_min", r.backup_minutes),
        "second_within_share": share("second_min", r.backup_minutes),
        "hotspot_hours_without_second": round(float((~(table["second_min"].fillna(UNREACHABLE_MIN)
                                                        <= r.backup_minutes)).sum()) * config.slot_minutes / 60, 2)
        if n else 0.0,
        "worst_first_min": worst("first_min"),
        "worst_backup_min": worst("backup_min"),
    }
