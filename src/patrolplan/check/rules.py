"""The rules, one function per rule family, named like the solver's families.

Each ``check_<family>(facts)`` re-reads one family of the contract's "What a correct roster
is" from the roster rows and the inputs, and returns its violations:

``check_shifts``        unknown_id, member (and the roster's mode column), times, travel_out,
                        travel_back, shift_length, start_grid, start_before_horizon
``check_coverage``      gap
``check_synchronized``  synchronized_stations, synchronized_jurisdictions
``check_capacity``      capacity and rest: overlap, rest, team_station, team_count
``check_max_shifts``    max_shifts
``check_availability``  availability
``check_handover``      handover

It shares no code with the solver side (``patrolplan.model``, ``patrolplan.solver``): the
family names are the only thing in common, and a test holds the two lists equal.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

import numpy as np
import pandas as pd

from patrolplan.check.parse import _parse_time, _text
from patrolplan.check.report import Violation
from patrolplan.scenario import Scenario

@dataclass(frozen=True)
class _Shift:
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


def _in_order(s: _Shift) -> bool:
    return s.start < s.end and s.start <= s.on_start <= s.on_end <= s.end


class _Checker:
    """Holds the scenario facts the rule functions share; each ``_check_*`` returns its
    violations."""

    def __init__(self, scenario: Scenario, shifts: list[_Shift], travel: Any, demand: np.ndarray):
        self.scenario = scenario
        self.demand = demand
        self.cfg = scenario.config
        self.shifts = shifts
        self._travel = travel
        self.h0 = dt.datetime.combine(self.cfg.week_start, dt.time(0, 0))
        self.slot = self.cfg.slot_minutes
        self.horizon_end = self.cfg.horizon_minutes
        self.n_slots = self.horizon_end // self.slot

        st = scenario.stations
        self.station_ids = [str(s) for s in st["station_id"]]
        self.stations = {sid: rec for sid, rec in zip(self.station_ids, st.to_dict("records"))}
        hs = scenario.hotspots
        self.hotspot_ids = [str(h) for h in hs["hotspot_id"]]
        self.hotspot_index = {h: i for i, h in enumerate(self.hotspot_ids)}
        self.hotspot_zone = {h: str(z) for h, z in zip(self.hotspot_ids, hs["zone_id"])}
        self.hotspot_name = {
            h: _text(n) for h, n in zip(self.hotspot_ids, hs["name"] if "name" in hs else [""] * len(hs))
        }
        self.zones = {str(rec["zone_id"]): rec for rec in scenario.zones.to_dict("records")}
        self.by_id = {s.shift_id: s for s in shifts}
        self.by_hotspot: dict[str, list[_Shift]] = defaultdict(list)
        for s in shifts:
            self.by_hotspot[s.hotspot_id].append(s)

    # helpers -------------------------------------------------------------------------------

    @property
    def travel(self) -> Any:
        if self._travel is None:
            from patrolplan.network import travel_times

            self._travel = travel_times(self.scenario)
        return self._travel

    def ts(self, minute: int) -> str:
        return (self.h0 + dt.timedelta(minutes=int(minute))).strftime("%Y-%m-%dT%H:%M")

    def date_of(self, minute: int) -> dt.date:
        return (self.h0 + dt.timedelta(minutes=int(minute))).date()

    @staticmethod
    def who(s: _Shift) -> str:
        return f"{s.shift_id} (team {s.team_id}, station {s.station_id})"

    def hotspot(self, h: str) -> str:
        name = self.hotspot_name.get(h, "")
        return f"hotspot {h}" + (f" '{name}'" if name and name != h else "")

    def members(self, zone_id: str) -> tuple[str, ...]:
        rec = self.zones.get(zone_id)
        if rec is None:
            return ()
        members = rec.get("members")
        if members is None or (isinstance(members, float) and math.isnan(members)):
            members = _text(rec.get("stations")).split(";")
        return tuple(m.strip() for m in members if str(m).strip())

    def reserve(self, station_id: str) -> int:
        rec = self.stations[station_id]
        r = rec.get("reserve_officers")
        if r is None or (isinstance(r, float) and math.isnan(r)):
            return self.cfg.rules.reserve_officers
        return int(r)

    def teams_allowed(self, station_id: str, officers: int) -> int:
        return max(0, (int(officers) - self.reserve(station_id)) // self.cfg.rules.team_size)

    def jurisdiction(self, station_id: str, tier: str) -> str:
        rec = self.stations.get(station_id)
        return "" if rec is None else _text(rec.get(tier))

    # rows ----------------------------------------------------------------------------------

    def rows(self) -> list[Violation]:
        """Every row on its own: ids and membership, time order, travel, length and grid.
        Rows whose times are out of order are not checked for travel, length or grid."""
        out: list[Violation] = []
        for s in self.shifts:
            out += self._row_ids(s) + self._row_times(s)
            if _in_order(s):
                out += self._row_travel(s) + self._row_shape(s)
        return out

    def _row_ids(self, s: _Shift) -> list[Violation]:
        """unknown_id: station, hotspot, hotspot's zone; member: station and zone_id."""
        out = []
        one = (s.shift_id,)
        known_station = s.station_id in self.stations
        if not known_station:
            out.append(Violation(
                "unknown_id", f"{self.who(s)}: station {s.station_id} is not in the stations table", one
            ))
        if s.hotspot_id not in self.hotspot_index:
            out.append(Violation(
                "unknown_id", f"{self.who(s)}: hotspot {s.hotspot_id} is not in the hotspots table", one
            ))
            return out
        where = self.hotspot(s.hotspot_id)
        zone = self.hotspot_zone[s.hotspot_id]
        if zone not in self.zones:
            out.append(Violation(
                "unknown_id", f"{self.who(s)}: {where} belongs to zone {zone}, not in the zones table", one
            ))
        elif known_station and s.station_id not in self.members(zone):
            out.append(Violation(
                "member",
                f"{self.who(s)} at {where}: station {s.station_id} is not a member of zone {zone} "
                f"(members: {', '.join(self.members(zone))})",
                one,
            ))
        if s.zone_id and s.zone_id != zone:
            out.append(Violation(
                "member", f"{self.who(s)}: zone_id {s.zone_id}, but {where} belongs to zone {zone}", one
            ))
        zone_mode = _text(self.zones[zone].get("mode")).lower() if zone in self.zones else ""
        if s.mode and zone_mode and s.mode != zone_mode:
            out.append(Violation(
                "member", f"{self.who(s)}: mode {s.mode}, but zone {zone} is {zone_mode} — "
                f"the roster's mode column must say the zone's mode", one
            ))
        return out

    def _row_times(self, s: _Shift) -> list[Violation]:
        """times: start < end, start <= on_site_start <= on_site_end <= end, start in horizon."""
        if not _in_order(s):
            return [Violation(
                "times",
                f"{self.who(s)}: times out of order ({self.ts(s.start)}–{self.ts(s.end)}, on site "
                f"{self.ts(s.on_start)}–{self.ts(s.on_end)}) — need start < end and "
                "start <= on_site_start <= on_site_end <= end",
                (s.shift_id,),
            )]
        if s.start >= self.horizon_end:
            return [Violation(
                "times",
                f"{self.who(s)}: starts {self.ts(s.start)}, at or after the horizon's end "
                f"{self.ts(self.horizon_end)}",
                (s.shift_id,),
            )]
        return []

    def _row_travel(self, s: _Shift) -> list[Violation]:
        """travel_out / travel_back: time between shift start and arrival, departure and end."""
        if s.station_id not in self.stations or s.hotspot_id not in self.hotspot_index:
            return []
        out = []
        need_out = int(self.travel.out(s.station_id, s.hotspot_id))
        need_back = int(self.travel.back(s.hotspot_id, s.station_id))
        if s.on_start - s.start < need_out:
            out.append(Violation(
                "travel_out",
                f"{self.who(s)} -> {self.hotspot(s.hotspot_id)}: on site at {self.ts(s.on_start)}, "
                f"{s.on_start - s.start} min after the shift starts at {self.ts(s.start)}, "
                f"but travel out takes {need_out} min",
                (s.shift_id,),
            ))
        if s.end - s.on_end < need_back:
            out.append(Violation(
                "travel_back",
                f"{self.who(s)} <- {self.hotspot(s.hotspot_id)}: leaves at {self.ts(s.on_end)}, "
                f"{s.end - s.on_end} min before the shift ends at {self.ts(s.end)}, "
                f"but travel back takes {need_back} min",
                (s.shift_id,),
            ))
        return out

    def _row_shape(self, s: _Shift) -> list[Violation]:
        """shift_length, start_grid, start_before_horizon."""
        out = []
        rules = self.cfg.rules
        span = f"{self.ts(s.start)}–{self.ts(s.end)}"
        length = s.end - s.start
        if length not in rules.shift_minutes:
            allowed = ", ".join(f"{m / 60:g}" for m in rules.shift_minutes)
            out.append(Violation(
                "shift_length",
                f"{self.who(s)}: {span} lasts {length / 60:g} h; allowed: {allowed} h",
                (s.shift_id,),
            ))
        grid = rules.shift_start_every_minutes
        if s.start % grid:
            out.append(Violation(
                "start_grid",
                f"{self.who(s)}: starts at {self.ts(s.start)}, not on the {grid}-minute shift-start grid",
                (s.shift_id,),
            ))
        if s.end <= 0:
            out.append(Violation(
                "start_before_horizon",
                f"{self.who(s)}: {span} ends at or before the horizon starts ({self.ts(0)}); "
                "a shift may start before the horizon only by less than its length",
                (s.shift_id,),
            ))
        return out

    # teams and stations --------------------------------------------------------------------

    @cached_property
    def by_team(self) -> dict[str, list["_Shift"]]:
        by_team: dict[str, list[_Shift]] = defaultdict(list)
        for s in self.shifts:
            by_team[s.team_id].append(s)
        return {team: sorted(shifts, key=lambda s: (s.start, s.end, s.shift_id)) for team, shifts in by_team.items()}

    def max_shifts(self) -> list[Violation]:
        """A team works at most rules.max_shifts_per_team shifts."""
        rules = self.cfg.rules
        out = []
        for team, shifts in self.by_team.items():
            ids = tuple(s.shift_id for s in shifts)
            if len(shifts) > rules.max_shifts_per_team:
                out.append(Violation(
                    "max_shifts",
                    f"team {team} works {len(shifts)} shifts, at most {rules.max_shifts_per_team} "
                    f"allowed: {', '.join(ids)}",
                    ids,
                ))
        return out

    def team_rules(self) -> list[Violation]:
        """A team names one station; its shifts do not overlap and are min_rest_hours apart."""
        out: list[Violation] = []
        rules = self.cfg.rules
        rest = rules.min_rest_minutes
        for team, shifts in self.by_team.items():
            ids = tuple(s.shift_id for s in shifts)
            stations = sorted({s.station_id for s in shifts})
            if len(stations) > 1:
                detail = "; ".join(f"{s.shift_id}: {s.station_id}" for s in shifts)
                out.append(Violation(
                    "team_station",
                    f"team {team} names {len(stations)} stations ({', '.join(stations)}): {detail}",
                    ids,
                ))
            # compare each shift with the earlier shift that ends last
            prev = None
            for s in shifts:
                if prev is not None:
                    if s.start < prev.end:
                        out.append(Violation(
                            "overlap",
                            f"team {team}: {prev.shift_id} ({self.ts(prev.start)}–{self.ts(prev.end)}) and "
                            f"{s.shift_id} ({self.ts(s.start)}–{self.ts(s.end)}) overlap",
                            (prev.shift_id, s.shift_id),
                        ))
                    elif s.start - prev.end < rest:
                        out.append(Violation(
                            "rest",
                            f"team {team}: {(s.start - prev.end) / 60:g} h rest between {prev.shift_id} "
                            f"(ends {self.ts(prev.end)}) and {s.shift_id} (starts {self.ts(s.start)}); "
                            f"at least {rules.min_rest_hours:g} h required",
                            (prev.shift_id, s.shift_id),
                        ))
                if prev is None or s.end > prev.end:
                    prev = s
        return out

    @cached_property
    def by_station(self) -> dict[str, list["_Shift"]]:
        by_station: dict[str, list[_Shift]] = defaultdict(list)
        for s in self.shifts:
            if s.station_id in self.stations:
                by_station[s.station_id].append(s)
        return dict(by_station)

    def team_count(self) -> list[Violation]:
        """A station uses at most floor((officers - reserve) / team_size) distinct teams."""
        out: list[Violation] = []
        size = self.cfg.rules.team_size
        for sid, shifts in self.by_station.items():
            officers = int(self.stations[sid]["officers"])
            allowed = self.teams_allowed(sid, officers)
            teams = sorted({s.team_id for s in shifts})
            if len(teams) > allowed:
                extra = teams[allowed:]
                extra_ids = tuple(s.shift_id for s in shifts if s.team_id in extra)
                out.append(Violation(
                    "team_count",
                    f"station {sid} has {allowed} team(s) (floor(({officers} officers - "
                    f"{self.reserve(sid)} reserve) / {size})) but the roster uses {len(teams)}: "
                    f"{', '.join(teams)}; beyond its teams: {', '.join(extra)} "
                    f"(shifts {', '.join(extra_ids)})",
                    extra_ids,
                ))
        return out

    def availability(self) -> list[Violation]:
        """On a date with a officers, at most floor((a - reserve) / team_size) teams start."""
        out: list[Violation] = []
        size = self.cfg.rules.team_size
        by_station = self.by_station
        avail = self.scenario.availability
        if avail is None or not len(avail):
            return out
        limits: dict[tuple[str, dt.date], int] = {}
        for sid, day, officers in zip(avail["station_id"], avail["date"], avail["officers"]):
            key = (str(sid), pd.Timestamp(day).date())
            limits[key] = min(int(officers), limits.get(key, int(officers)))
        for (sid, day), officers in sorted(limits.items()):
            if sid not in by_station:
                continue
            allowed = self.teams_allowed(sid, officers)
            starting = [s for s in by_station[sid] if self.date_of(s.start) == day]
            teams = sorted({s.team_id for s in starting})
            if len(teams) > allowed:
                ids = tuple(s.shift_id for s in sorted(starting, key=lambda s: (s.start, s.shift_id)))
                detail = ", ".join(
                    f"{team} ({', '.join(s.shift_id for s in starting if s.team_id == team)})" for team in teams
                )
                out.append(Violation(
                    "availability",
                    f"station {sid} on {day.isoformat()}: {officers} officers available allow "
                    f"{allowed} team(s) (reserve {self.reserve(sid)}, team size {size}), but "
                    f"{len(teams)} teams start a shift: {detail}",
                    ids,
                ))
        return out

    # coverage ------------------------------------------------------------------------------

    @cached_property
    def coverage(self) -> tuple[pd.DataFrame, list, list, list]:
        """The coverage table and the slots short of teams, of stations, of jurisdictions (each
        ``(hotspot, slot, key)``, the key telling who was there)."""
        demand = self.demand
        slot = self.slot
        present: dict[tuple[int, int], list[_Shift]] = defaultdict(list)
        for s in self.shifts:
            i = self.hotspot_index.get(s.hotspot_id)
            if i is None:
                continue
            # whole slots inside [on_start, on_end]
            first = max(0, -(-s.on_start // slot))
            last = min(self.n_slots, s.on_end // slot)
            for k in range(first, last):
                present[i, k].append(s)

        labels = [self.ts(k * slot) for k in range(self.n_slots)]
        records = []
        gaps: list[tuple[int, int, Any]] = []
        sync_st: list[tuple[int, int, Any]] = []
        sync_ju: list[tuple[int, int, Any]] = []
        for i, h in enumerate(self.hotspot_ids):
            zone = self.zones.get(self.hotspot_zone[h], {})
            synchronized = zone.get("mode") == "synchronized"
            if synchronized:
                tier = str(zone.get("tier"))
                min_st = zone.get("min_stations")
                if min_st is None or (isinstance(min_st, float) and math.isnan(min_st)):
                    min_st = self.cfg.modes.synchronized_min_stations
                min_st = int(min_st)
                members = self.members(self.hotspot_zone[h])
                member_juris = {self.jurisdiction(m, tier) for m in members} - {""}
            for k in np.flatnonzero(demand[i] > 0).tolist():
                d = int(demand[i, k])
                rows = sorted(present.get((i, k), ()), key=lambda s: s.shift_id)
                stations = sorted({s.station_id for s in rows})
                records.append((h, labels[k], d, len(rows), ";".join(stations), len(rows) < d))
                key = (d, tuple(s.shift_id for s in rows))
                if coverage_short(len(rows), d):
                    gaps.append((i, k, key))
                if synchronized and rows:
                    juris = {sid: self.jurisdiction(sid, tier) for sid in stations}
                    enough_stations, enough_juris = synchronized_ok(stations, min_st, juris, member_juris)
                    if not enough_stations:
                        sync_st.append((i, k, key + (min_st,)))
                    if not enough_juris:
                        sync_ju.append((i, k, key + (tier, tuple(sorted(member_juris)))))
        coverage = pd.DataFrame.from_records(
            records, columns=["hotspot_id", "slot_start", "demand", "present", "stations", "gap"]
        ).astype({"demand": "int64", "present": "int64", "gap": "bool"})

        return coverage, gaps, sync_st, sync_ju

    def gaps(self) -> list[Violation]:
        _, gaps, _, _ = self.coverage
        return [self._gap_violation(i, k0, k1, key) for i, k0, k1, key in _runs(gaps)]

    def synchronized(self) -> list[Violation]:
        _, _, sync_st, sync_ju = self.coverage
        out = [self._sync_station_violation(i, k0, k1, key) for i, k0, k1, key in _runs(sync_st)]
        return out + [self._sync_juris_violation(i, k0, k1, key) for i, k0, k1, key in _runs(sync_ju)]

    def _span(self, k0: int, k1: int) -> str:
        n = k1 - k0 + 1
        return f"{self.ts(k0 * self.slot)}–{self.ts((k1 + 1) * self.slot)} ({n} slot{'s' if n > 1 else ''})"

    def _on_site(self, ids: tuple[str, ...]) -> str:
        return ", ".join(self.who(self.by_id[x]) for x in ids) if ids else "nobody"

    def _gap_violation(self, i: int, k0: int, k1: int, key: Any) -> Violation:
        d, ids = key
        h = self.hotspot_ids[i]
        t0, t1 = k0 * self.slot, (k1 + 1) * self.slot
        others = [s for s in self.by_hotspot[h] if s.shift_id not in ids]
        before = [s for s in others if s.on_end <= t1 and s.on_start < t0]
        after = [s for s in others if s.on_start >= t0 and s.on_end > t1]
        context = []
        related = list(ids)
        if before:
            b = max(before, key=lambda s: (s.on_end, s.shift_id))
            context.append(f"last to leave before: {self.who(b)} at {self.ts(b.on_end)}")
            related.append(b.shift_id)
        if after:
            a = min(after, key=lambda s: (s.on_start, s.shift_id))
            context.append(f"next to arrive: {self.who(a)} at {self.ts(a.on_start)}")
            related.append(a.shift_id)
        message = (
            f"{self.hotspot(h)} (zone {self.hotspot_zone[h]}) {self._span(k0, k1)}: "
            f"{len(ids)} of {d} team(s) on site ({self._on_site(ids)})"
        )
        if context:
            message += "; " + "; ".join(context)
        return Violation("gap", message, tuple(dict.fromkeys(related)))

    def _sync_station_violation(self, i: int, k0: int, k1: int, key: Any) -> Violation:
        _d, ids, min_st = key
        h = self.hotspot_ids[i]
        return Violation(
            "synchronized_stations",
            f"{self.hotspot(h)} (synchronized zone {self.hotspot_zone[h]}) {self._span(k0, k1)}: "
            f"on site {self._on_site(ids)} — fewer than {min_st} distinct stations",
            ids,
        )

    def _sync_juris_violation(self, i: int, k0: int, k1: int, key: Any) -> Violation:
        _d, ids, tier, member_juris = key
        h = self.hotspot_ids[i]
        return Violation(
            "synchronized_jurisdictions",
            f"{self.hotspot(h)} (synchronized {tier} zone {self.hotspot_zone[h]}) {self._span(k0, k1)}: "
            f"on site {self._on_site(ids)} — all from one {tier}, but the members span "
            f"{', '.join(member_juris)}",
            ids,
        )

    def handover(self) -> list[Violation]:
        """Staggered zones: a team taking over overlaps the leaving one by handover_minutes."""
        overlap = self.cfg.modes.handover_minutes
        demand = self.demand
        if overlap <= 0:
            return []
        out = []
        for h, shifts in self.by_hotspot.items():
            i = self.hotspot_index.get(h)
            if i is None or self.zones.get(self.hotspot_zone[h], {}).get("mode") != "staggered":
                continue
            for r in sorted(shifts, key=lambda s: (s.on_end, s.shift_id)):
                e = r.on_end
                if not (0 < e < self.horizon_end) or demand[i, e // self.slot] <= 0:
                    continue
                takers = [s for s in shifts if s.team_id != r.team_id and s.on_start <= e < s.on_end]
                if not takers or any(s.on_start <= e - overlap for s in takers):
                    continue
                takers.sort(key=lambda s: (s.on_start, s.shift_id))
                detail = ", ".join(f"{self.who(s)} arrives {self.ts(s.on_start)}" for s in takers)
                out.append(Violation(
                    "handover",
                    f"{self.hotspot(h)} (staggered zone {self.hotspot_zone[h]}): {self.who(r)} leaves "
                    f"at {self.ts(e)}; taking over: {detail} — the arriving team must be on site "
                    f"{overlap} min before ({self.ts(e - overlap)})",
                    (r.shift_id,) + tuple(s.shift_id for s in takers),
                ))
        return out


def _runs(items: list[tuple[int, int, Any]]) -> list[tuple[int, int, int, Any]]:
    """Merge (hotspot, slot, key) items, in order, into runs of consecutive slots with one key."""
    runs: list[list[Any]] = []
    for i, k, key in items:
        if runs and runs[-1][0] == i and runs[-1][2] == k - 1 and runs[-1][3] == key:
            runs[-1][2] = k
        else:
            runs.append([i, k, k, key])
    return [tuple(r) for r in runs]  # type: ignore[misc]


def _shifts(table: pd.DataFrame, h0: dt.datetime) -> list[_Shift]:
    def minutes(t: Any) -> int:
        return int((_parse_time(t) - h0).total_seconds() // 60)

    zone = table["zone_id"] if "zone_id" in table else [""] * len(table)
    mode = table["mode"] if "mode" in table else [""] * len(table)
    return [
        _Shift(
            index=n,
            shift_id=sid,
            team_id=team,
            station_id=station,
            zone_id=_text(z),
            hotspot_id=hotspot,
            start=minutes(a),
            end=minutes(b),
            on_start=minutes(c),
            on_end=minutes(d),
            mode=_text(m).lower(),
        )
        for n, (sid, team, station, z, hotspot, a, b, c, d, m) in enumerate(
            zip(
                table["shift_id"], table["team_id"], table["station_id"], zone, table["hotspot_id"],
                table["start"], table["end"], table["on_site_start"], table["on_site_end"], mode,
            )
        )
    ]




# --- the rule on a given presence (pure; the differential tests drive these) -------------------


def coverage_short(present: int, demand: int) -> bool:
    """A gap: fewer rows on site for the whole slot than demanded."""
    return int(present) < int(demand)


def synchronized_ok(stations_present, min_stations: int, jurisdiction_of: dict, member_jurisdictions) -> tuple[bool, bool]:
    """(enough distinct stations, enough jurisdictions) for the stations on site together.

    ``jurisdiction_of`` maps each present station to its jurisdiction at the zone's tier ("" =
    none); ``member_jurisdictions`` are the non-blank ones of all members. Two are needed
    wherever the members span two or more, and a blank one never counts."""
    present = set(stations_present)
    enough_stations = len(present) >= int(min_stations)
    spans = {j for j in member_jurisdictions if j}
    there = {jurisdiction_of.get(s, "") for s in present} - {""}
    return enough_stations, len(spans) < 2 or len(there) >= 2


# --- the families ------------------------------------------------------------------------------


def check_shifts(facts: _Checker) -> list[Violation]:
    """Every row: known ids, a member of its hotspot's zone with the zone's mode, times in
    order, travel out and back at least the road time, an allowed length on the start grid."""
    return facts.rows()


def check_coverage(facts: _Checker) -> list[Violation]:
    """Every demanded hotspot-slot has its teams on site for the whole slot."""
    return facts.gaps()


def check_synchronized(facts: _Checker) -> list[Violation]:
    """Synchronized zones: min_stations distinct stations on site together, from two non-blank
    jurisdictions of the tier wherever the members span two."""
    return facts.synchronized()


def check_capacity(facts: _Checker) -> list[Violation]:
    """Capacity and rest: one station per team, no overlap, min_rest_hours between shifts, at
    most the station's teams in use."""
    return facts.team_rules() + facts.team_count()


def check_max_shifts(facts: _Checker) -> list[Violation]:
    """A team works at most rules.max_shifts_per_team shifts in the horizon."""
    return facts.max_shifts()


def check_availability(facts: _Checker) -> list[Violation]:
    """On a date with availability a, at most floor((a - reserve) / team_size) teams start."""
    return facts.availability()


def check_handover(facts: _Checker) -> list[Violation]:
    """Staggered zones: a team taking over was on site handover_minutes before the leaving one left."""
    return facts.handover()


#: family name -> its check, in report order
FAMILY_CHECKS: dict[str, Callable[[_Checker], list[Violation]]] = {
    "coverage": check_coverage,
    "synchronized": check_synchronized,
    "shifts": check_shifts,
    "capacity": check_capacity,
    "max_shifts": check_max_shifts,
    "availability": check_availability,
    "handover": check_handover,
}

#: violation rule -> the family it belongs to
RULE_FAMILY: dict[str, str] = {
    "gap": "coverage",
    "synchronized_stations": "synchronized", "synchronized_jurisdictions": "synchronized",
    "unknown_id": "shifts", "member": "shifts", "times": "shifts", "travel_out": "shifts",
    "travel_back": "shifts", "shift_length": "shifts", "start_grid": "shifts", "start_before_horizon": "shifts",
    "overlap": "capacity", "rest": "capacity", "team_station": "capacity", "team_count": "capacity",
    "max_shifts": "max_shifts",
    "availability": "availability",
    "handover": "handover",
}
