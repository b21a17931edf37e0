"""Where each team is at a moment, and road minutes from there (from a run folder's tables).

A team is **on duty** from its shift's ``start`` to its ``end``. Where it is comes from
roster.csv and visits.csv only (never from the model):

``out``      on the road from its station to its first stop (``start`` .. ``on_site_start``);
``on_site``  at its post's hotspot (``on_site_start`` .. ``on_site_end``), or at a loop stop
             during a visit (``arrive`` .. ``depart`` in visits.csv);
``between``  on a loop, on the road from one stop to the next;
``back``     on the road from its last stop to its station (``on_site_end`` .. ``end``).

**Position rule for a team on the road.** Its road minutes to a point are the better of two
real routes: finish the leg and drive on from its end (minutes left on the leg + road minutes
from the leg's end), or turn round and drive from the leg's start (minutes driven so far + road
minutes from the leg's start). Both routes exist on the road network (the leg is a road path,
driven back the same way), so the figure never promises less than the road allows; it needs no
interpolation along a path. The leg's minutes are the planned ones of roster.csv (with the
spare travel minute), so a team is never placed further along than it can be.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj

from patrolplan.inputs.network import UNREACHABLE_MIN

__all__ = ["OnDuty", "on_duty", "point_minutes", "PointMinutes"]

_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class OnDuty:
    """One team on duty at a moment: what it does and the two ends of where it is.

    ``state``: ``out``, ``on_site``, ``between`` or ``back`` (module docstring); ``here`` and
    ``there``: ``("hotspot", id)`` or ``("station", id)``, the leg's start and end (equal when
    on site); ``done_min`` / ``left_min``: minutes driven on the leg so far / left on it."""

    team_id: str
    station_id: str
    shift_id: str
    loop_id: str
    state: str
    here: tuple[str, str]
    there: tuple[str, str]
    done_min: int = 0
    left_min: int = 0

    def minutes(self, minutes_from) -> float:
        """Road minutes to the point, ``minutes_from(kind, id)`` giving the road minutes from a
        station or hotspot to it (the position rule of the module docstring)."""
        if self.state == "on_site":
            return float(minutes_from(*self.there))
        return float(min(self.left_min + minutes_from(*self.there), self.done_min + minutes_from(*self.here)))

    def via(self, minutes_from) -> tuple[str, str]:
        """The leg end the team drives from to the point under the position rule."""
        if self.state == "on_site":
            return self.there
        ahead = self.left_min + minutes_from(*self.there)
        return self.there if ahead <= self.done_min + minutes_from(*self.here) else self.here

    def where(self, hotspot_name=lambda h: h) -> str:
        """In a planner's words."""
        kind, ident = self.there
        loop = f"on loop {self.loop_id}: " if self.loop_id else ""
        if self.state == "on_site":
            return f"{loop}on site at {ident} {hotspot_name(ident)}".rstrip()
        if self.state == "out":
            return f"on the road to {ident} {hotspot_name(ident)} ({self.left_min} min to go)".replace("  ", " ")
        if self.state == "back":
            return f"on the road back to the station from {self.here[1]} ({self.left_min} min to go)"
        return f"{loop}on the road from {self.here[1]} to {ident} ({self.left_min} min to go)"


def _minute(value, h0: dt.datetime) -> int:
    return int((pd.Timestamp(value).to_pydatetime() - h0).total_seconds() // 60)


def on_duty(roster: pd.DataFrame, visits: pd.DataFrame | None, minute: int, h0: dt.datetime) -> list[OnDuty]:
    """The teams on duty at ``minute`` (since ``h0``, the horizon start), one each, in roster
    order. ``roster`` / ``visits``: the run folder's tables (times as text or datetimes)."""
    stops: dict[str, list[tuple[int, int, str]]] = {}
    if visits is not None and len(visits):
        for sid, h, a, b in zip(visits["shift_id"], visits["hotspot_id"], visits["arrive"], visits["depart"]):
            stops.setdefault(str(sid), []).append((_minute(a, h0), _minute(b, h0), str(h)))
    out = []
    loop_col = roster["loop_id"] if "loop_id" in roster else [""] * len(roster)
    for sid, team, station, hotspot, a, b, c, d, loop in zip(
            roster["shift_id"], roster["team_id"], roster["station_id"], roster["hotspot_id"], roster["start"],
            roster["end"], roster["on_site_start"], roster["on_site_end"], loop_col):
        start, end = _minute(a, h0), _minute(b, h0)
        if not start <= minute < end:
            continue
        on_start, on_end = _minute(c, h0), _minute(d, h0)
        sid, loop = str(sid), "" if pd.isna(loop) else str(loop)
        visit_rows = sorted(stops.get(sid, []))
        first = visit_rows[0][2] if visit_rows else str(hotspot)
        last = visit_rows[-1][2] if visit_rows else str(hotspot)
        station_end = ("station", str(station))
        common = dict(team_id=str(team), station_id=str(station), shift_id=sid, loop_id=loop)
        if minute < on_start:
            out.append(OnDuty(**common, state="out", here=station_end, there=("hotspot", first),
                              done_min=minute - start, left_min=on_start - minute))
        elif minute >= on_end:
            out.append(OnDuty(**common, state="back", here=("hotspot", last), there=station_end,
                              done_min=minute - on_end, left_min=end - minute))
        elif not visit_rows:
            out.append(OnDuty(**common, state="on_site", here=("hotspot", str(hotspot)), there=("hotspot", str(hotspot))))
        else:
            out.append(_on_loop(common, visit_rows, minute))
    return out


def _on_loop(common: dict, visit_rows: list[tuple[int, int, str]], minute: int) -> OnDuty:
    """At a stop during a visit, else on the road between the last stop left and the next."""
    prev = None
    for arrive, depart, h in visit_rows:
        if arrive <= minute < depart:
            return OnDuty(**common, state="on_site", here=("hotspot", h), there=("hotspot", h))
        if arrive > minute:
            if prev is None:  # on site before the first visit: at the first stop
                return OnDuty(**common, state="on_site", here=("hotspot", h), there=("hotspot", h))
            return OnDuty(**common, state="between", here=("hotspot", prev[2]), there=("hotspot", h),
                          done_min=minute - prev[1], left_min=arrive - minute)
        prev = (arrive, depart, h)
    h = visit_rows[-1][2]  # after the last visit, still on site: at the last stop
    return OnDuty(**common, state="on_site", here=("hotspot", h), there=("hotspot", h))


@dataclass(frozen=True)
class PointMinutes:
    """Road minutes from every station and hotspot to one point (whole minutes, rounded up)."""

    station: dict[str, int]
    hotspot: dict[str, int]

    def __call__(self, kind: str, ident: str) -> int:
        return (self.station if kind == "station" else self.hotspot).get(ident, UNREACHABLE_MIN)


def point_minutes(scenario, graph, lon: float, lat: float) -> PointMinutes:
    """Road minutes from each station and hotspot of ``scenario`` to ``(lon, lat)``, by the same
    road network and formula as the roster's travel (``network.RoadGraph.minutes``: off-road
    leg, fastest road path, off-road leg, rounded up); without roads the straight line x
    ``travel.detour_factor`` at the default speed."""
    st, hs = scenario.stations, scenario.hotspots
    pts = np.vstack([st[["lon", "lat"]].to_numpy(float), hs[["lon", "lat"]].to_numpy(float)])
    cfg = scenario.config.travel
    if graph is not None:
        minutes = graph.minutes(pts, [(lon, lat)], offroad_kmh=cfg.offroad_kmh)[:, 0]
    else:
        _, _, d = _GEOD.inv(pts[:, 0], pts[:, 1], np.full(len(pts), lon), np.full(len(pts), lat))
        minutes = np.abs(np.asarray(d, float)) * cfg.detour_factor / (float(cfg.speeds_kmh.get("default", 30)) * 1000 / 60)
    whole = np.where(np.isfinite(minutes), np.ceil(np.nan_to_num(minutes, posinf=0) - 1e-9), UNREACHABLE_MIN)
    whole = np.clip(whole, 0, UNREACHABLE_MIN).astype(np.int64)
    n = len(st)
    return PointMinutes(dict(zip(st["station_id"].astype(str), whole[:n].tolist())),
                        dict(zip(hs["hotspot_id"].astype(str), whole[n:].tolist())))
