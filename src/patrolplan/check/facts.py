"""The facts the checker's rule families share: the roster rows in minutes, the scenario's
lookups, travel, demand, and who is on site in each slot.

Times are minutes since ``week_start`` 00:00 (minute 0); slot ``k`` is
``[k * slot_minutes, (k + 1) * slot_minutes)``. Nothing here decides a rule: that is
:mod:`patrolplan.check.rules`, one function per family.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from patrolplan.check.parse import _parse_time, _text
from patrolplan.inputs.scenario import Scenario

COVERAGE_COLUMNS = ("hotspot_id", "slot_start", "demand", "present", "stations", "gap")


@dataclass(frozen=True)
class Shift:
    """One roster row, times in minutes since the horizon start."""

    index: int
    shift_id: str
    team_id: str
    station_id: str
    zone_id: str
    hotspot_id: str
    start: int
    end: int
    on_start: int
    on_end: int
    mode: str = ""

    @property
    def in_order(self) -> bool:
        """``start < end`` and ``start <= on_site_start <= on_site_end <= end``."""
        return self.start < self.end and self.start <= self.on_start <= self.on_end <= self.end


@dataclass(frozen=True)
class Visit:
    """One row of visits.csv, times in minutes since the horizon start."""

    index: int
    visit_id: str
    shift_id: str
    team_id: str
    station_id: str
    hotspot_id: str
    arrive: int
    depart: int


def visits_of(table: pd.DataFrame | None, h0: dt.datetime) -> list[Visit]:
    """The rows of a parsed visits table as :class:`Visit` (none for None)."""
    if table is None:
        return []
    out = []
    for i, r in enumerate(table.to_dict("records")):
        out.append(Visit(i, r["visit_id"], r["shift_id"], r["team_id"], r["station_id"], r["hotspot_id"],
                         int((r["arrive"] - h0).total_seconds() // 60), int((r["depart"] - h0).total_seconds() // 60)))
    return out


def shifts_of(table: pd.DataFrame, h0: dt.datetime) -> list[Shift]:
    """The rows of a parsed roster (:func:`~patrolplan.check.parse._parse_table`) as shifts,
    times in minutes since ``h0``; ``zone_id`` and ``mode`` are "" where the table has none."""

    def minutes(t: Any) -> int:
        return int((_parse_time(t) - h0).total_seconds() // 60)

    zone = table["zone_id"] if "zone_id" in table else [""] * len(table)
    mode = table["mode"] if "mode" in table else [""] * len(table)
    columns = (
        table["shift_id"], table["team_id"], table["station_id"], zone, table["hotspot_id"],
        table["start"], table["end"], table["on_site_start"], table["on_site_end"], mode,
    )
    return [
        Shift(
            index=n, shift_id=sid, team_id=team, station_id=station, zone_id=_text(z), hotspot_id=hotspot,
            start=minutes(a), end=minutes(b), on_start=minutes(c), on_end=minutes(d), mode=_text(m).lower(),
        )
        for n, (sid, team, station, z, hotspot, a, b, c, d, m) in enumerate(zip(*columns))
    ]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


class Facts:
    """What every rule family reads: the scenario (``stations``, ``hotspot_*``, ``zones``
    and the lookups below), the roster's ``shifts`` (grouped ``by_id``, ``by_hotspot``,
    ``by_team``, ``by_station``), ``travel`` (computed on first use when not given),
    ``demand`` (``[hotspot, slot]`` teams) and ``on_site`` (who is there for a whole slot)."""

    def __init__(self, scenario: Scenario, shifts: list[Shift], travel: Any, demand: np.ndarray,
                 visits: list[Visit] | None = None, visit_windows: dict | None = None, cut_min: int | None = None):
        self.scenario = scenario
        #: a re-plan's cut (minutes; ``check --at``): availability binds the rows from it on
        self.cut_min: int | None = cut_min
        #: what the report says without counting it broken: a history row's travel against
        #: today's minutes (a re-plan's check; the history rule keeps such rows unchanged)
        self.notes: list[str] = []
        self.visits = list(visits or [])
        self.visit_windows = dict(visit_windows or {})
        #: shifts that drive a loop: their presence is their visits, not a post at hotspot_id
        self.loop_ids = {v.shift_id for v in self.visits}
        self.cfg = scenario.config
        self.shifts = shifts
        self.demand = demand
        self._travel = travel
        self.h0 = dt.datetime.combine(self.cfg.week_start, dt.time(0, 0))
        self.slot = self.cfg.slot_minutes
        self.horizon_end = self.cfg.horizon_minutes
        self.n_slots = self.horizon_end // self.slot

        st = scenario.stations
        self.stations = {str(sid): rec for sid, rec in zip(st["station_id"], st.to_dict("records"))}
        hs = scenario.hotspots
        self.hotspot_ids = [str(h) for h in hs["hotspot_id"]]
        self.hotspot_index = {h: i for i, h in enumerate(self.hotspot_ids)}
        self.hotspot_zone = {h: str(z) for h, z in zip(self.hotspot_ids, hs["zone_id"])}
        names = hs["name"] if "name" in hs else [""] * len(hs)
        self.hotspot_name = {h: _text(n) for h, n in zip(self.hotspot_ids, names)}
        self.zones = {str(rec["zone_id"]): rec for rec in scenario.zones.to_dict("records")}
        self.by_id = {s.shift_id: s for s in shifts}
        self.by_hotspot: dict[str, list[Shift]] = defaultdict(list)
        for s in shifts:
            if s.shift_id not in self.loop_ids:
                self.by_hotspot[s.hotspot_id].append(s)

    def is_history(self, s) -> bool:
        """A row of a re-plan's history: it starts before the cut (``check --from --at``)."""
        return self.cut_min is not None and s.start < self.cut_min

    # the roster, grouped -------------------------------------------------------------------

    @property
    def travel(self) -> Any:
        """``.out(station_id, hotspot_id)`` and ``.back(hotspot_id, station_id)``, whole minutes."""
        if self._travel is None:
            # at call time: only when no travel was handed in (tests/test_check.py puts a stand-in
            # for patrolplan.inputs.network in sys.modules)
            from patrolplan.inputs.network import travel_times

            self._travel = travel_times(self.scenario)
        return self._travel

    @cached_property
    def last_stop(self) -> dict[str, str]:
        """Per loop shift: the hotspot of its last visit (it drives back from there)."""
        last: dict[str, tuple[int, str]] = {}
        for v in self.visits:
            if v.shift_id not in last or v.depart >= last[v.shift_id][0]:
                last[v.shift_id] = (v.depart, v.hotspot_id)
        return {k: h for k, (_, h) in last.items()}

    @cached_property
    def by_team(self) -> dict[str, list[Shift]]:
        """Each team's shifts by start (then end, then id)."""
        by_team: dict[str, list[Shift]] = defaultdict(list)
        for s in self.shifts:
            by_team[s.team_id].append(s)
        return {team: sorted(rows, key=lambda s: (s.start, s.end, s.shift_id)) for team, rows in by_team.items()}

    @cached_property
    def by_station(self) -> dict[str, list[Shift]]:
        """Each known station's shifts, in roster order."""
        by_station: dict[str, list[Shift]] = defaultdict(list)
        for s in self.shifts:
            if s.station_id in self.stations:
                by_station[s.station_id].append(s)
        return dict(by_station)

    @cached_property
    def on_site(self) -> dict[tuple[int, int], list[Shift]]:
        """``(hotspot index, slot) -> rows`` on site for the whole slot (``on_site_start <= t``
        and ``on_site_end >= t + slot``), sorted by shift id. Every row counts, whatever else
        is wrong with it."""
        slot = self.slot
        present: dict[tuple[int, int], list[Shift]] = defaultdict(list)
        for s in sorted(self.shifts, key=lambda s: s.shift_id):
            i = self.hotspot_index.get(s.hotspot_id)
            if i is None or s.shift_id in self.loop_ids:
                continue
            first = max(0, -(-s.on_start // slot))
            last = min(self.n_slots, s.on_end // slot)
            for k in range(first, last):
                present[i, k].append(s)
        return dict(present)

    def demanded(self, i: int) -> list[int]:
        """The slots with demand > 0 at hotspot index ``i``."""
        return np.flatnonzero(self.demand[i] > 0).tolist()

    # the scenario --------------------------------------------------------------------------

    def zone_mode(self, zone_id: str) -> str:
        """``synchronized``, ``staggered``, or "" for an unknown zone."""
        rec = self.zones.get(zone_id)
        return "" if rec is None else _text(rec.get("mode")).lower()

    def zone_tier(self, zone_id: str) -> str:
        rec = self.zones.get(zone_id)
        return "" if rec is None else _text(rec.get("tier")).lower()

    def members(self, zone_id: str) -> tuple[str, ...]:
        rec = self.zones.get(zone_id)
        if rec is None:
            return ()
        members = rec.get("members")
        if _missing(members):
            members = _text(rec.get("stations")).split(";")
        return tuple(str(m).strip() for m in members if str(m).strip())

    def min_stations(self, zone_id: str) -> int:
        """The zone's ``min_stations``, else ``modes.synchronized_min_stations``."""
        value = self.zones.get(zone_id, {}).get("min_stations")
        if _missing(value) or _text(value) == "":
            return int(self.cfg.modes.synchronized_min_stations)
        return int(value)

    def jurisdiction(self, station_id: str, tier: str) -> str:
        """The station's jurisdiction at ``tier``; "" (none) when blank or unknown."""
        rec = self.stations.get(station_id)
        return "" if rec is None or not tier else _text(rec.get(tier))

    def reserve(self, station_id: str) -> int:
        r = self.stations[station_id].get("reserve_officers")
        return int(self.cfg.rules.reserve_officers) if _missing(r) or _text(r) == "" else int(r)

    def teams_allowed(self, station_id: str, officers: int) -> int:
        """``floor((officers - reserve) / team_size)``, at least 0."""
        return max(0, (int(officers) - self.reserve(station_id)) // self.cfg.rules.team_size)

    # text ----------------------------------------------------------------------------------

    def ts(self, minute: int) -> str:
        return (self.h0 + dt.timedelta(minutes=int(minute))).strftime("%Y-%m-%dT%H:%M")

    def date_of(self, minute: int) -> dt.date:
        return (self.h0 + dt.timedelta(minutes=int(minute))).date()

    @staticmethod
    def who(s: Shift) -> str:
        return f"{s.shift_id} (team {s.team_id}, station {s.station_id})"

    def hotspot(self, h: str) -> str:
        name = self.hotspot_name.get(h, "")
        return f"hotspot {h}" + (f" '{name}'" if name and name != h else "")

    def span(self, k0: int, k1: int) -> str:
        """Slots ``k0..k1`` as a time range with their count."""
        n = k1 - k0 + 1
        return f"{self.ts(k0 * self.slot)}–{self.ts((k1 + 1) * self.slot)} ({n} slot{'s' if n > 1 else ''})"

    def on_site_text(self, ids: tuple[str, ...]) -> str:
        return ", ".join(self.who(self.by_id[x]) for x in ids) if ids else "nobody"

    # the coverage table --------------------------------------------------------------------

    def coverage_table(self, short) -> pd.DataFrame:
        """One row per hotspot and slot with demand > 0 (:class:`~patrolplan.check.report.Report`'s
        ``coverage``); ``short(present, demand)`` decides the ``gap`` column."""
        labels = [self.ts(k * self.slot) for k in range(self.n_slots)]
        records = []
        for i, h in enumerate(self.hotspot_ids):
            for k in self.demanded(i):
                d = int(self.demand[i, k])
                rows = self.on_site.get((i, k), ())
                stations = ";".join(sorted({s.station_id for s in rows}))
                records.append((h, labels[k], d, len(rows), stations, short(len(rows), d)))
        return pd.DataFrame.from_records(records, columns=list(COVERAGE_COLUMNS)).astype(
            {"demand": "int64", "present": "int64", "gap": "bool"}
        )
