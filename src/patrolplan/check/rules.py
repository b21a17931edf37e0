"""The checker's rules: one function per rule family, named like the solver's families.

Each ``check_<family>(facts)`` re-reads one family of the contract's "What a correct roster
is" from the roster rows and the inputs (:class:`~patrolplan.check.facts.Facts`) and returns
its violations; its docstring is the rule in words. :data:`FAMILY_CHECKS` lists them (the
checker calls them through it), :data:`RULE_FAMILY` maps each violation rule to its family:

``check_shifts``        unknown_id, member (and the roster's mode column), times, travel_out,
                        travel_back, shift_length, start_grid, start_before_horizon
``check_coverage``      gap
``check_synchronized``  synchronized_stations, synchronized_jurisdictions
``check_capacity``      capacity and rest: overlap, rest, team_station, team_count
``check_max_shifts``    max_shifts
``check_availability``  availability
``check_handover``      handover
``check_backup``        backup (with ``response.backup: hard``)

Two families are also written as pure tests on a hand-made presence (:func:`coverage_short`,
:func:`synchronized_ok`); the family functions use them, and the differential tests compare
them with the solver side's. Nothing here is shared with the solver side (``patrolplan.model.rules``,
``model``, ``greedy``, ``result``, ``explain``): the family names are the only thing in common,
and a test holds the two lists equal.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any, Callable, Iterable

import pandas as pd

from patrolplan.check.facts import Facts, Shift
from patrolplan.check.report import Violation

# --- the rules on a given presence (pure; the differential tests drive these) -------------------


def coverage_short(present: int, demand: int) -> bool:
    """A gap: fewer rows on site for the whole slot than demanded."""
    return int(present) < int(demand)


def synchronized_ok(
    stations_present: Iterable[str],
    min_stations: int,
    jurisdiction_of: dict[str, str],
    member_jurisdictions: Iterable[str],
) -> tuple[bool, bool]:
    """``(enough stations, enough jurisdictions)`` for the stations on site together.

    ``jurisdiction_of`` maps each present station to its jurisdiction at the zone's tier ("" =
    none); ``member_jurisdictions`` are the jurisdictions of all the zone's members. At least
    ``min_stations`` distinct stations; and two distinct non-blank jurisdictions wherever the
    members span two or more non-blank ones. A blank jurisdiction is no jurisdiction: such a
    station adds a station, never a jurisdiction."""
    present = set(stations_present)
    enough_stations = len(present) >= int(min_stations)
    spans = {j for j in member_jurisdictions if j}
    there = {jurisdiction_of.get(s, "") for s in present} - {""}
    return enough_stations, len(spans) < 2 or len(there) >= 2


# --- the families ------------------------------------------------------------------------------


def check_shifts(facts: Facts) -> list[Violation]:
    """Every roster row on its own.

    ``unknown_id``   its station or hotspot is not in the inputs (or its hotspot's zone is not).
    ``member``       its station is not a member of its hotspot's zone, its ``zone_id`` (when
                     given) is not its hotspot's zone, or its ``mode`` (when given) is not the
                     zone's mode.
    ``times``        not ``start <= on_site_start <= on_site_end <= end`` with ``start < end``,
                     or the shift starts at or after the horizon's end.
    ``travel_out``   ``on_site_start - start`` < travel time station -> hotspot (minutes).
    ``travel_back``  ``end - on_site_end`` < travel time hotspot -> station (minutes).
    ``shift_length`` ``end - start`` is not one of ``rules.shift_hours``.
    ``start_grid``   ``start`` (minutes since the horizon start) is not a multiple of
                     ``rules.shift_start_every_minutes``.
    ``start_before_horizon`` the shift starts before the horizon by its length or more (it
                     ends at or before the horizon starts).

    Rows whose times are out of order are not checked for travel, length or grid. In a
    re-plan's check (``--from``/``--at``) a history row (starting before the cut) happened: its
    travel against today's minutes is a note, not a broken rule (the ``history`` rule keeps it
    as published).
    """
    out: list[Violation] = []
    for s in facts.shifts:
        out += _row_ids(facts, s) + _row_times(facts, s)
        if s.in_order:
            travel = _row_travel(facts, s)
            if travel and facts.is_history(s):
                facts.notes += [f"history (before --at), not judged against today's roads: {v.message}"
                                for v in travel]
                travel = []
            out += travel + _row_shape(facts, s)
    return out


def check_coverage(facts: Facts) -> list[Violation]:
    """``gap``: for every hotspot ``h`` and slot ``[t, t + slot)`` with demand ``d > 0``, fewer
    than ``d`` rows of ``h`` with ``on_site_start <= t`` and ``on_site_end >= t + slot``. Every
    such row counts, whatever else is wrong with it (other rules report that). Consecutive
    slots of one hotspot with the same demand and the same rows on site are one violation."""
    short = []
    for i in range(len(facts.hotspot_ids)):
        for k in facts.demanded(i):
            d = int(facts.demand[i, k])
            rows = facts.on_site.get((i, k), ())
            if coverage_short(len(rows), d):
                short.append((i, k, (d, tuple(s.shift_id for s in rows))))
    return [_gap(facts, i, k0, k1, key) for i, k0, k1, key in _runs(short)]


def check_synchronized(facts: Facts) -> list[Violation]:
    """Synchronized zones, in every slot with demand > 0 and at least one team on site (an
    empty slot is a ``gap`` only):

    ``synchronized_stations``       the rows on site come from fewer distinct stations than
                                    the zone's ``min_stations`` (else
                                    ``modes.synchronized_min_stations``).
    ``synchronized_jurisdictions``  the zone's member stations span two or more jurisdictions
                                    of the zone's tier (non-blank values of the station column
                                    named by the tier), but the stations on site span fewer
                                    than two. A blank jurisdiction is no jurisdiction.

    Consecutive slots with the same demand and the same rows on site are one violation."""
    few_stations, one_jurisdiction = [], []
    for i, h in enumerate(facts.hotspot_ids):
        zone = facts.hotspot_zone[h]
        if facts.zone_mode(zone) != "synchronized":
            continue
        tier, min_st = facts.zone_tier(zone), facts.min_stations(zone)
        member_juris = {facts.jurisdiction(m, tier) for m in facts.members(zone)} - {""}
        for k in facts.demanded(i):
            rows = facts.on_site.get((i, k), ())
            if not rows:
                continue
            stations = {s.station_id for s in rows}
            key = (int(facts.demand[i, k]), tuple(s.shift_id for s in rows))
            juris = {sid: facts.jurisdiction(sid, tier) for sid in stations}
            enough_stations, enough_juris = synchronized_ok(stations, min_st, juris, member_juris)
            if not enough_stations:
                few_stations.append((i, k, key + (min_st,)))
            if not enough_juris:
                one_jurisdiction.append((i, k, key + (tier, tuple(sorted(member_juris)))))
    out = [_few_stations(facts, i, k0, k1, key) for i, k0, k1, key in _runs(few_stations)]
    return out + [_one_jurisdiction(facts, i, k0, k1, key) for i, k0, k1, key in _runs(one_jurisdiction)]


def check_capacity(facts: Facts) -> list[Violation]:
    """Capacity and rest, for every team (``team_id``) and station:

    ``team_station`` a team's rows name more than one station.
    ``overlap``      two shifts of one team overlap in time.
    ``rest``         less than ``rules.min_rest_hours`` between the end of one of a team's
                     shifts and the start of its next.
    ``team_count``   a station's rows use more distinct ``team_id``s than its
                     ``floor((officers - reserve) / team_size)`` teams.
    """
    out: list[Violation] = []
    for team, shifts in facts.by_team.items():
        out += _team_station(facts, team, shifts) + _overlap_and_rest(facts, team, shifts)
    return out + _team_count(facts)


def check_max_shifts(facts: Facts) -> list[Violation]:
    """``max_shifts``: a team works more than ``rules.max_shifts_per_team`` shifts in the
    horizon."""
    limit = facts.cfg.rules.max_shifts_per_team
    out = []
    for team, shifts in facts.by_team.items():
        if len(shifts) > limit:
            ids = tuple(s.shift_id for s in shifts)
            out.append(Violation(
                "max_shifts", f"team {team} works {len(shifts)} shifts, at most {limit} allowed: {', '.join(ids)}", ids,
            ))
    return out


def check_availability(facts: Facts) -> list[Violation]:
    """``availability``: on a date for which the availability table gives a station ``a``
    officers (the smallest, if given twice), more of its distinct teams start a shift (the
    date of ``start``) than ``floor((a - reserve) / team_size)``."""
    avail = facts.scenario.availability
    if avail is None or not len(avail):
        return []
    limits: dict[tuple[str, dt.date], int] = {}
    for sid, day, officers in zip(avail["station_id"], avail["date"], avail["officers"]):
        key = (str(sid), pd.Timestamp(day).date())
        limits[key] = min(int(officers), limits.get(key, int(officers)))
    out = []
    size = facts.cfg.rules.team_size
    for (sid, day), officers in sorted(limits.items()):
        if sid not in facts.by_station:
            continue
        allowed = facts.teams_allowed(sid, officers)
        starting = [s for s in facts.by_station[sid] if facts.date_of(s.start) == day
                    and (facts.cut_min is None or s.start >= facts.cut_min)]
        teams = sorted({s.team_id for s in starting})
        if len(teams) > allowed:
            ids = tuple(s.shift_id for s in sorted(starting, key=lambda s: (s.start, s.shift_id)))
            detail = ", ".join(
                f"{team} ({', '.join(s.shift_id for s in starting if s.team_id == team)})" for team in teams
            )
            out.append(Violation(
                "availability",
                f"station {sid} on {day.isoformat()}: {officers} officers available allow "
                f"{allowed} team(s) (reserve {facts.reserve(sid)}, team size {size}), but "
                f"{len(teams)} teams start a shift: {detail}",
                ids,
            ))
    return out


def check_handover(facts: Facts) -> list[Violation]:
    """``handover``, staggered zones with ``modes.handover_minutes`` = ``H`` > 0.

    For each row ``r`` at a hotspot of a staggered zone, let ``e`` be its ``on_site_end``, with
    ``0 < e <`` the horizon's end and demand > 0 in the slot containing minute ``e`` (the slot
    starting at ``e`` when ``e`` is on the slot grid). The rows taking over are those of the
    same hotspot and another team on site just after ``e`` (``on_site_start <= e <
    on_site_end``). If there are any, at least one of them must have arrived ``H`` minutes
    before ``r`` leaves (``on_site_start <= e - H``), so someone who stays has been there with
    ``r`` for the handover. If none has, ``r`` and the late arrivals are reported. If nobody is
    on site after ``e`` the hotspot is empty, which ``gap`` reports.
    """
    overlap = facts.cfg.modes.handover_minutes
    if overlap <= 0:
        return []
    out = []
    for h, shifts in facts.by_hotspot.items():
        i = facts.hotspot_index.get(h)
        if i is None or facts.zone_mode(facts.hotspot_zone[h]) != "staggered":
            continue
        for r in sorted(shifts, key=lambda s: (s.on_end, s.shift_id)):
            e = r.on_end
            if not (0 < e < facts.horizon_end) or facts.demand[i, e // facts.slot] <= 0:
                continue
            takers = [s for s in shifts if s.team_id != r.team_id and s.on_start <= e < s.on_end]
            if not takers or any(s.on_start <= e - overlap for s in takers):
                continue
            takers.sort(key=lambda s: (s.on_start, s.shift_id))
            detail = ", ".join(f"{facts.who(s)} arrives {facts.ts(s.on_start)}" for s in takers)
            out.append(Violation(
                "handover",
                f"{facts.hotspot(h)} (staggered zone {facts.hotspot_zone[h]}): {facts.who(r)} leaves "
                f"at {facts.ts(e)}; taking over: {detail} — the arriving team must be on site "
                f"{overlap} min before ({facts.ts(e - overlap)})",
                (r.shift_id,) + tuple(s.shift_id for s in takers),
            ))
    return out


def check_visits(facts: Facts) -> list[Violation]:
    """Visits (visits.csv), measured on their own:

    - ``visit_shift``: a visit names a shift that is not in the roster, or another team or
      station than its shift, or a hotspot outside the zones of the shift's station; it lies
      outside its shift's on-site time; two visits of one shift overlap;
    - ``visit_road``: less time between two consecutive stops of a shift than the road time
      between them;
    - ``visit_dwell``: a visit during visit hours shorter than their ``dwell_min``;
    - ``visit_joint``: in a synchronized zone, a visit that no team of another member station
      (of another jurisdiction, where the members span two) shares for the dwell;
    - ``visit_interval``: during the visit hours ``[a, b)`` of a hotspot, some moment ``t`` in
      ``[a + every_min, b]`` has no visit start in ``[t - every_min, t]`` (the first visit is
      late, two visits are too far apart, or the last is too early). A visit counts when it lasts
      the dwell (joint in a synchronized zone); a team on site at the hotspot (a post) counts
      as visits all along.
    """
    out: list[Violation] = []
    by_shift: dict[str, list] = {}
    for v in facts.visits:
        by_shift.setdefault(v.shift_id, []).append(v)
    for shift_id, vs in by_shift.items():
        vs.sort(key=lambda v: (v.arrive, v.visit_id))
        s = facts.by_id.get(shift_id)
        if s is None:
            out.append(Violation("visit_shift", f"visit {vs[0].visit_id}: shift {shift_id} is not in the roster",
                                 (shift_id,)))
            continue
        for v in vs:
            zone = facts.hotspot_zone.get(v.hotspot_id)
            members = set(facts.members(zone)) if zone else set()
            if v.team_id != s.team_id or v.station_id != s.station_id:
                out.append(Violation("visit_shift", f"visit {v.visit_id}: names {v.team_id} of {v.station_id}, but its "
                                     f"shift {shift_id} is {s.team_id} of {s.station_id}", (shift_id,)))
            if zone is None or s.station_id not in members:
                out.append(Violation("visit_shift", f"visit {v.visit_id}: {facts.hotspot(v.hotspot_id)} is not in a zone "
                                     f"of {s.station_id}", (shift_id,)))
            if v.arrive < s.on_start or v.depart > s.on_end or v.depart < v.arrive:
                out.append(Violation("visit_shift", f"visit {v.visit_id} ({facts.ts(v.arrive)}-{facts.ts(v.depart)}) lies "
                                     f"outside the on-site time {facts.ts(s.on_start)}-{facts.ts(s.on_end)} of shift "
                                     f"{shift_id}", (shift_id,)))
        for a, b in zip(vs, vs[1:]):
            if b.arrive < a.depart:
                out.append(Violation("visit_shift", f"visits {a.visit_id} and {b.visit_id} of shift {shift_id} overlap",
                                     (shift_id,)))
            elif a.hotspot_id in facts.hotspot_index and b.hotspot_id in facts.hotspot_index:
                need = _hop(facts, a.hotspot_id, b.hotspot_id)
                if b.arrive - a.depart < need and facts.is_history(s):
                    facts.notes.append(
                        f"history (before --at), not judged against today's roads: {facts.who(s)}: "
                        f"{b.arrive - a.depart} min from {facts.hotspot(a.hotspot_id)} to "
                        f"{facts.hotspot(b.hotspot_id)}, the road takes {need} min")
                elif b.arrive - a.depart < need:
                    out.append(Violation(
                        "visit_road", f"{facts.who(s)}: leaves {facts.hotspot(a.hotspot_id)} at {facts.ts(a.depart)} and "
                        f"is at {facts.hotspot(b.hotspot_id)} at {facts.ts(b.arrive)}, {b.arrive - a.depart} min later, "
                        f"but the road takes {need} min", (shift_id,)))
    visits_at: dict[str, list] = {}
    for v in facts.visits:
        visits_at.setdefault(v.hotspot_id, []).append(v)
    for i, windows in sorted(facts.visit_windows.items()):
        h = facts.hotspot_ids[i]
        out += _visit_hours(facts, h, windows, visits_at.get(h, []))
    return out


def _hop(facts: Facts, a: str, b: str) -> int:
    hop = getattr(facts.travel, "hop_min", None)
    if hop is None or a == b:
        return 0
    return int(hop[facts.travel.hotspot_index(a), facts.travel.hotspot_index(b)])


def _visit_hours(facts: Facts, h: str, windows, visits_here: list) -> list[Violation]:
    """dwell, joint and interval for one hotspot's visit hours (``visits_here``: its visits)."""
    out: list[Violation] = []
    zone = facts.zones.get(facts.hotspot_zone[h], {})
    joint = str(zone.get("mode", "")) == "synchronized"
    # presences at h: (from, to, station, shift_id, visit_id or ""), by start: a partner of a
    # joint visit is sought among those starting before it ends (a sweep, not every pair)
    here = [(v.arrive, v.depart, v.station_id, v.shift_id, v.visit_id) for v in visits_here]
    here += [(s.on_start, s.on_end, s.station_id, s.shift_id, "") for s in facts.by_hotspot.get(h, [])]
    here.sort(key=lambda x: (x[0], x[1]))
    first_at = [x[0] for x in here]
    longest = max((x[1] - x[0] for x in here), default=0)
    tier = str(zone.get("tier", ""))
    member_j = [facts.jurisdiction(m, tier) for m in facts.members(facts.hotspot_zone[h])]
    for a, b, dwell, every in windows:
        starts: list[tuple[int, int]] = []  # intervals of moments a counted visit may start
        for p0, p1, st, sid, vid in here:
            if p1 <= a or p0 >= b:
                continue
            if vid and p1 - p0 < dwell:
                out.append(Violation("visit_dwell", f"visit {vid} at {facts.hotspot(h)} lasts {p1 - p0} min "
                                     f"({facts.ts(p0)}-{facts.ts(p1)}), less than the dwell of {dwell} min", (sid,)))
                continue
            if not joint:
                if p1 - p0 >= dwell:
                    starts.append((p0, p1 - dwell))
                continue
            best = None
            # partners overlap [p0, p1): they start before p1 and no earlier than p0 - longest
            for q0, q1, st2, sid2, _ in here[bisect.bisect_left(first_at, p0 - longest):
                                              bisect.bisect_left(first_at, p1)]:
                if st2 == st:
                    continue
                lo, hi = max(p0, q0), min(p1, q1)
                ok_st, ok_j = synchronized_ok(
                    {st, st2}, 2, {x: facts.jurisdiction(x, tier) for x in (st, st2)}, member_j)
                if hi - lo >= dwell and ok_st and ok_j:
                    best = (lo, hi - dwell) if best is None else (min(best[0], lo), max(best[1], hi - dwell))
            if best is None:
                if vid:
                    out.append(Violation("visit_joint", f"visit {vid} at {facts.hotspot(h)} ({facts.ts(p0)}-"
                                         f"{facts.ts(p1)}) in synchronized zone {zone.get('zone_id', '')}: no team of "
                                         "another member station (another jurisdiction) is there with it for the dwell",
                                         (sid,)))
                continue
            starts.append(best)
        late = _unguarded(starts, a, b, every)
        if late is not None:
            t0, t1 = late
            out.append(Violation("visit_interval", f"{facts.hotspot(h)}: visit hours {facts.ts(a)}-{facts.ts(b)} ask "
                                 f"for a visit at least every {every} min, but none starts between {facts.ts(max(a, t0 - every))} "
                                 f"and {facts.ts(t1)}", ()))
    return out


def _unguarded(starts: list[tuple[int, int]], a: int, b: int, every: int) -> tuple[int, int] | None:
    """The first stretch of ``[a + every, b]`` with no start in ``[t - every, t]`` (starts are
    intervals of moments; only those within ``[a, b)`` count), or None."""
    guards = sorted((max(s0, a), min(s1, b - 1) + every) for s0, s1 in starts if max(s0, a) <= min(s1, b - 1))
    t = a + every
    if t > b:
        t = b
    for g0, g1 in guards:
        if g0 > t:
            return (t, g0)
        t = max(t, g1)
        if t >= b:
            return None
    return (t, b) if t < b or not guards else None


def backup_ok(teams_within_reach: int) -> bool:
    """Backed: at least two teams (the first and a second) within reach of the hotspot."""
    return int(teams_within_reach) >= 2


def check_backup(facts: Facts) -> list[Violation]:
    """``backup`` (only with ``response.backup: hard``): in every slot with demand > 0 and no
    gap at hotspot ``h``, fewer than two rows are on site for the whole slot at ``h`` or at a
    hotspot ``g`` with road time ``g -> h`` at most ``response.backup_minutes``. A loop shift
    (rows in visits.csv) counts from its first arrival to its last departure when every stop
    it visits is within reach. Teams of any station count. Consecutive slots of one hotspot
    with the same rows within reach are one violation."""
    response = getattr(facts.cfg, "response", None)
    if response is None or response.backup != "hard":
        return []
    limit = int(response.backup_minutes)
    n = len(facts.hotspot_ids)
    hop = getattr(facts.travel, "hop_min", None)
    near = [[g for g in range(n) if g == i or (hop is not None and int(hop[g, i]) <= limit)] for i in range(n)]
    loops: dict[str, list] = {}
    for v in facts.visits:
        loops.setdefault(v.shift_id, []).append(v)
    loop_span = []  # (first arrive, last depart, hotspot indices, shift)
    for shift_id, vs in loops.items():
        s = facts.by_id.get(shift_id)
        idx = {facts.hotspot_index.get(v.hotspot_id) for v in vs}
        if s is None or None in idx:
            continue
        loop_span.append((min(v.arrive for v in vs), max(v.depart for v in vs), idx, s))
    short = []
    for i in range(n):
        for k in facts.demanded(i):
            if len(facts.on_site.get((i, k), ())) < int(facts.demand[i, k]):
                continue  # a gap: check_coverage reports it
            rows = [s for g in near[i] for s in facts.on_site.get((g, k), ())]
            t0, t1 = k * facts.slot, (k + 1) * facts.slot
            rows += [s for a, b, idx, s in loop_span if a <= t0 and b >= t1 and idx <= set(near[i])]
            if not backup_ok(len(rows)):
                short.append((i, k, tuple(sorted(s.shift_id for s in rows))))
    out = []
    for i, k0, k1, ids in _runs(short):
        h = facts.hotspot_ids[i]
        out.append(Violation(
            "backup",
            f"{facts.hotspot(h)} {facts.span(k0, k1)}: within {limit} min by road only "
            f"{facts.on_site_text(ids)} — response.backup is hard: a second team must be on site there or at a "
            f"hotspot within {limit} min",
            ids,
        ))
    return out


#: family name -> its check, in the solver's family order (the report sorts by rule)
FAMILY_CHECKS: dict[str, Callable[[Facts], list[Violation]]] = {
    "shifts": check_shifts,
    "coverage": check_coverage,
    "synchronized": check_synchronized,
    "visits": check_visits,
    "capacity": check_capacity,
    "max_shifts": check_max_shifts,
    "availability": check_availability,
    "handover": check_handover,
    "backup": check_backup,
}

#: violation rule -> the family whose check reports it
RULE_FAMILY: dict[str, str] = {
    "unknown_id": "shifts",
    "member": "shifts",
    "times": "shifts",
    "travel_out": "shifts",
    "travel_back": "shifts",
    "shift_length": "shifts",
    "start_grid": "shifts",
    "start_before_horizon": "shifts",
    "gap": "coverage",
    "synchronized_stations": "synchronized",
    "synchronized_jurisdictions": "synchronized",
    "visit_shift": "visits",
    "visit_road": "visits",
    "visit_dwell": "visits",
    "visit_joint": "visits",
    "visit_interval": "visits",
    "overlap": "capacity",
    "rest": "capacity",
    "team_station": "capacity",
    "team_count": "capacity",
    "max_shifts": "max_shifts",
    "availability": "availability",
    "handover": "handover",
    "history": "published",
    "pinned": "published",
    "previous_rest": "published",
    "backup": "backup",
}


# --- shifts: one row at a time -----------------------------------------------------------------


def _row_ids(facts: Facts, s: Shift) -> list[Violation]:
    """unknown_id: station, hotspot, hotspot's zone; member: station, zone_id and mode."""
    out = []
    one = (s.shift_id,)
    who = facts.who(s)
    known_station = s.station_id in facts.stations
    if not known_station:
        out.append(Violation("unknown_id", f"{who}: station {s.station_id} is not in the stations table", one))
    if s.hotspot_id not in facts.hotspot_index:
        out.append(Violation("unknown_id", f"{who}: hotspot {s.hotspot_id} is not in the hotspots table", one))
        return out
    where = facts.hotspot(s.hotspot_id)
    zone = facts.hotspot_zone[s.hotspot_id]
    if zone not in facts.zones:
        out.append(Violation("unknown_id", f"{who}: {where} belongs to zone {zone}, not in the zones table", one))
    elif known_station and s.station_id not in facts.members(zone):
        out.append(Violation(
            "member",
            f"{who} at {where}: station {s.station_id} is not a member of zone {zone} "
            f"(members: {', '.join(facts.members(zone))})",
            one,
        ))
    if s.zone_id and s.zone_id != zone:
        out.append(Violation("member", f"{who}: zone_id {s.zone_id}, but {where} belongs to zone {zone}", one))
    zone_mode = facts.zone_mode(zone)
    if s.mode and zone_mode and s.mode != zone_mode:
        out.append(Violation(
            "member",
            f"{who}: mode {s.mode}, but zone {zone} is {zone_mode} — "
            "the roster's mode column must say the zone's mode",
            one,
        ))
    return out


def _row_times(facts: Facts, s: Shift) -> list[Violation]:
    """times: start < end, start <= on_site_start <= on_site_end <= end, start in the horizon."""
    if not s.in_order:
        return [Violation(
            "times",
            f"{facts.who(s)}: times out of order ({facts.ts(s.start)}–{facts.ts(s.end)}, on site "
            f"{facts.ts(s.on_start)}–{facts.ts(s.on_end)}) — need start < end and "
            "start <= on_site_start <= on_site_end <= end",
            (s.shift_id,),
        )]
    if s.start >= facts.horizon_end:
        return [Violation(
            "times",
            f"{facts.who(s)}: starts {facts.ts(s.start)}, at or after the horizon's end {facts.ts(facts.horizon_end)}",
            (s.shift_id,),
        )]
    return []


def _row_travel(facts: Facts, s: Shift) -> list[Violation]:
    """travel_out / travel_back: the time from the shift's start to arrival, and from departure
    to its end, against the road time (rows of unknown stations or hotspots are skipped)."""
    if s.station_id not in facts.stations or s.hotspot_id not in facts.hotspot_index:
        return []
    out = []
    need_out = int(facts.travel.out(s.station_id, s.hotspot_id))
    last = facts.last_stop.get(s.shift_id, s.hotspot_id)  # a loop drives back from its last stop
    if last not in facts.hotspot_index:
        return out
    need_back = int(facts.travel.back(last, s.station_id))
    if s.on_start - s.start < need_out:
        out.append(Violation(
            "travel_out",
            f"{facts.who(s)} -> {facts.hotspot(s.hotspot_id)}: on site at {facts.ts(s.on_start)}, "
            f"{s.on_start - s.start} min after the shift starts at {facts.ts(s.start)}, "
            f"but travel out takes {need_out} min",
            (s.shift_id,),
        ))
    if s.end - s.on_end < need_back:
        out.append(Violation(
            "travel_back",
            f"{facts.who(s)} <- {facts.hotspot(last)}: leaves at {facts.ts(s.on_end)}, "
            f"{s.end - s.on_end} min before the shift ends at {facts.ts(s.end)}, "
            f"but travel back takes {need_back} min",
            (s.shift_id,),
        ))
    return out


def _row_shape(facts: Facts, s: Shift) -> list[Violation]:
    """shift_length, start_grid, start_before_horizon."""
    out = []
    rules = facts.cfg.rules
    span = f"{facts.ts(s.start)}–{facts.ts(s.end)}"
    length = s.end - s.start
    if length not in rules.shift_minutes:
        allowed = ", ".join(f"{m / 60:g}" for m in rules.shift_minutes)
        out.append(Violation(
            "shift_length", f"{facts.who(s)}: {span} lasts {length / 60:g} h; allowed: {allowed} h", (s.shift_id,),
        ))
    grid = rules.shift_start_every_minutes
    if s.start % grid:
        out.append(Violation(
            "start_grid",
            f"{facts.who(s)}: starts at {facts.ts(s.start)}, not on the {grid}-minute shift-start grid",
            (s.shift_id,),
        ))
    if s.end <= 0:
        out.append(Violation(
            "start_before_horizon",
            f"{facts.who(s)}: {span} ends at or before the horizon starts ({facts.ts(0)}); "
            "a shift may start before the horizon only by less than its length",
            (s.shift_id,),
        ))
    return out


# --- coverage and synchronized: runs of slots --------------------------------------------------


def _runs(items: list[tuple[int, int, Any]]) -> list[tuple[int, int, int, Any]]:
    """Merge (hotspot, slot, key) items, in order, into runs of consecutive slots with one key."""
    runs: list[list[Any]] = []
    for i, k, key in items:
        if runs and runs[-1][0] == i and runs[-1][2] == k - 1 and runs[-1][3] == key:
            runs[-1][2] = k
        else:
            runs.append([i, k, k, key])
    return [tuple(r) for r in runs]  # type: ignore[misc]


def _gap(facts: Facts, i: int, k0: int, k1: int, key: Any) -> Violation:
    """A gap over slots k0..k1, with the last team to leave before it and the next to arrive."""
    d, ids = key
    h = facts.hotspot_ids[i]
    t0, t1 = k0 * facts.slot, (k1 + 1) * facts.slot
    others = [s for s in facts.by_hotspot[h] if s.shift_id not in ids]
    before = [s for s in others if s.on_end <= t1 and s.on_start < t0]
    after = [s for s in others if s.on_start >= t0 and s.on_end > t1]
    context = []
    related = list(ids)
    if before:
        b = max(before, key=lambda s: (s.on_end, s.shift_id))
        context.append(f"last to leave before: {facts.who(b)} at {facts.ts(b.on_end)}")
        related.append(b.shift_id)
    if after:
        a = min(after, key=lambda s: (s.on_start, s.shift_id))
        context.append(f"next to arrive: {facts.who(a)} at {facts.ts(a.on_start)}")
        related.append(a.shift_id)
    message = (
        f"{facts.hotspot(h)} (zone {facts.hotspot_zone[h]}) {facts.span(k0, k1)}: "
        f"{len(ids)} of {d} team(s) on site ({facts.on_site_text(ids)})"
    )
    if context:
        message += "; " + "; ".join(context)
    return Violation("gap", message, tuple(dict.fromkeys(related)))


def _few_stations(facts: Facts, i: int, k0: int, k1: int, key: Any) -> Violation:
    _d, ids, min_st = key
    h = facts.hotspot_ids[i]
    return Violation(
        "synchronized_stations",
        f"{facts.hotspot(h)} (synchronized zone {facts.hotspot_zone[h]}) {facts.span(k0, k1)}: "
        f"on site {facts.on_site_text(ids)} — fewer than {min_st} distinct stations",
        ids,
    )


def _one_jurisdiction(facts: Facts, i: int, k0: int, k1: int, key: Any) -> Violation:
    _d, ids, tier, member_juris = key
    h = facts.hotspot_ids[i]
    return Violation(
        "synchronized_jurisdictions",
        f"{facts.hotspot(h)} (synchronized {tier} zone {facts.hotspot_zone[h]}) {facts.span(k0, k1)}: "
        f"on site {facts.on_site_text(ids)} — all from one {tier}, but the members span "
        f"{', '.join(member_juris)}",
        ids,
    )


# --- capacity and rest -------------------------------------------------------------------------


def _team_station(facts: Facts, team: str, shifts: list[Shift]) -> list[Violation]:
    stations = sorted({s.station_id for s in shifts})
    if len(stations) <= 1:
        return []
    detail = "; ".join(f"{s.shift_id}: {s.station_id}" for s in shifts)
    return [Violation(
        "team_station",
        f"team {team} names {len(stations)} stations ({', '.join(stations)}): {detail}",
        tuple(s.shift_id for s in shifts),
    )]


def _overlap_and_rest(facts: Facts, team: str, shifts: list[Shift]) -> list[Violation]:
    """Each shift (by start) against the earlier shift of the team that ends last."""
    out = []
    rest_h = facts.cfg.rules.min_rest_hours
    rest = facts.cfg.rules.min_rest_min
    prev = None
    for s in shifts:
        if prev is not None:
            if s.start < prev.end:
                out.append(Violation(
                    "overlap",
                    f"team {team}: {prev.shift_id} ({facts.ts(prev.start)}–{facts.ts(prev.end)}) and "
                    f"{s.shift_id} ({facts.ts(s.start)}–{facts.ts(s.end)}) overlap",
                    (prev.shift_id, s.shift_id),
                ))
            elif s.start - prev.end < rest:
                out.append(Violation(
                    "rest",
                    f"team {team}: {(s.start - prev.end) / 60:g} h rest between {prev.shift_id} "
                    f"(ends {facts.ts(prev.end)}) and {s.shift_id} (starts {facts.ts(s.start)}); "
                    f"at least {rest_h:g} h required",
                    (prev.shift_id, s.shift_id),
                ))
        if prev is None or s.end > prev.end:
            prev = s
    return out


def _team_count(facts: Facts) -> list[Violation]:
    out = []
    size = facts.cfg.rules.team_size
    for sid, shifts in facts.by_station.items():
        officers = int(facts.stations[sid]["officers"])
        allowed = facts.teams_allowed(sid, officers)
        teams = sorted({s.team_id for s in shifts})
        if len(teams) > allowed:
            extra = teams[allowed:]
            extra_ids = tuple(s.shift_id for s in shifts if s.team_id in extra)
            out.append(Violation(
                "team_count",
                f"station {sid} has {allowed} team(s) (floor(({officers} officers - "
                f"{facts.reserve(sid)} reserve) / {size})) but the roster uses {len(teams)}: "
                f"{', '.join(teams)}; beyond its teams: {', '.join(extra)} "
                f"(shifts {', '.join(extra_ids)})",
                extra_ids,
            ))
    return out
