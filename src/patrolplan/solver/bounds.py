r"""Three model-free lower bounds on a week's team-hours: how close the roads and the manpower let
any gap-free roster come, whatever loops or columns the model generates.

All read only the Problem's demand, zones, teams, shift grid and travel minutes (the model's
candidate shifts and loop columns are never looked at), and all hold for **every gap-free
roster the contract allows**, not only for the model's. Team-hours are shift lengths, travel
included, as ``summary.json`` counts them. The visit hours are the Problem's (whole slots, one
dwell and interval per hotspot: the strictest of its rows); where a demand row's hours fall off
the slot grid, or one hotspot's rows ask for different intervals, the Problem widens or
tightens them, and the figures then bound the rosters that keep the Problem's hours (every
plan of the model does).

**Visit time** (:func:`visit_time_bound`). Posts need their on-site team-hours (demand, raised
to the synchronized zone's ``min_stations``, times the post slots). A visit needs its dwell plus
the road time into the hotspot, from the nearest point a team could come from (``m``: a member
station, or another hotspot of a zone of a member station). Over a run of visit hours
``[a, b)`` of length ``D`` with interval ``E``, the contract asks that every moment of
``[a + E, b]`` (length ``L = D - E``) have a visit start in the ``E`` minutes before it; a
visit of ``d + x`` minutes on site starting at ``s`` serves the moments ``[s, s + x + E]``. So
``n`` arrivals (``r`` teams each: 2 in a synchronized zone) serve at most ``n E + sum x``
moment-teams of the ``r L`` needed, and cost at least ``n (m + d) + sum x`` team-minutes:

    team-minutes >= min over n >= r of  n (m + d) + max(0, r L - n E)

which is ``r (m + d) * max(1, ceil(L / E))`` when ``m + d <= E`` (the least number of visits
the rule allows: 83 for a week of visits every 120 min). Consecutive stops of one team at one
hotspot count as one stay (the minutes between are shift time). Where visit hours touch a post
or other visit hours of the same hotspot closer than the dwell, the run counts only its own
on-site minutes (``m = 0``, no least number), so nothing is counted twice. The road time is
the Problem's planned minutes less ``travel.margin_min`` (the road's own minutes; at worst a
margin under them); none in a re-plan with history rows, whose travel the checker does not
judge against today's roads (:func:`road_minutes`).

**Whole teams** (:func:`whole_teams_bound`). A team on a post stays at its post; so at every
moment of a post slot the posts hold ``sum demand`` whole teams. During visit hours, two
consecutive visit starts of a hotspot are at most ``E`` apart; the team of the first is on duty
until it has driven away (at least ``d + m_out`` after its start), the team of the second from
``m`` before its start. When no two shifts can leave a gap as short as ``E - d - m - m_out``
(starts on the ``shift_start_every_minutes`` grid and lengths that keep the ends on it), the
gap is zero: some team of a member station (``r`` distinct stations for a joint visit) is on
duty at every moment of ``[a + E, b - E]``. A station's one team on duty may serve every visit
hotspot of its zones, so the least number of teams on duty at a moment is the demand of the
posts plus the least set of stations meeting every visit hotspot's members (``r`` times): a
small set-multicover MIP (HiGHS), solved once per distinct set of hotspots. The team-hours are
those teams summed over the slots.

**Path teams** (:func:`path_teams_bound`): the whole teams again, with the roads. Cut the week
into windows ``[k W, (k + 1) W)`` that every shift is whole of (``W`` divides the start grid and
every shift length; by default starts every 120 min and shifts of 4 or 8 h, so ``W`` is 120 for
visits every 120 min, or every 60), so a team works every window it is on duty in from end to
end. A window inside the visit hours of a hotspot asking for a visit at least every ``W``
minutes, after their first minute, holds a visit start of it (one team, or two of two member
stations where joint): with none, the moment before the next start (or the hours' end) is more
than ``W`` after the start before (or the hours' start). One team's starts in a window are at
hotspots of its station's zones, each at least the dwell and the road minutes after the one
before (a repeated stop dropped: the least road between two places by any way the team may
drive, its station included): the stops of a **path** whose dwells (all but the last) and legs
take less than ``W``. So the teams on duty in a window are at least the fewest (station, path)
pairs, at most a station's teams each, meeting every such hotspot (``r`` of its members): a
set-multicover MIP over each station's largest paths (Held-Karp over the subsets of its
hotspots), once per distinct set of hotspots. The team-hours are those teams times the windows'
hours, plus the posts' on-site hours (a post's team stays at its post; hotspots that also ask
for posts are left out of the windows). A hotspot asking for visits more often than ``W``
counts once a window, one asking less often not at all; where none asks that often, the figures
are 0. It leaves out that a stop's next visit may fall in the next window's last minute (up to
``2 W`` apart), that partners meet at one minute, and the drives out and back at a shift's ends.

Why not round each station's visit work up to whole teams (the first sketch of this bound, in
issue 22)? Because teams on duty vary over the week: a station with 1.5 teams' worth of visits
can keep 1 team on duty for four hours and 2 for the next four and keep every interval (a
visit cannot be done early, but the 2 teams catch up within the interval). The number of teams
on duty at once is an integer; its average over the week is not, so only the covering part
(someone must be there) is whole. The path teams round up per window only where shifts are
whole windows: there the teams on duty stay the same through each window.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from patrolplan.model.build import LinearModel

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem

__all__ = ["VisitTimeBound", "WholeTeamsBound", "RoadMinutes", "road_minutes", "least_road_in", "least_road_out",
           "least_visits", "run_team_minutes", "visit_time_bound", "whole_teams_bound", "path_teams_bound",
           "largest_paths", "windows", "model_free_bounds"]


@dataclass(frozen=True)
class RoadMinutes:
    """Road minutes (no planning margin): ``out[s, h]``, ``back[h, s]``, ``hop[h, h']`` (None
    without visit demand)."""

    out: np.ndarray
    back: np.ndarray
    hop: np.ndarray | None


@dataclass(frozen=True)
class VisitTimeBound:
    """The visit-time bound. ``team_hours = post_team_hours + visit_team_hours``;
    ``visits_needed[h]``: the least number of visits the interval rule allows over the visit
    hours of hotspot ``h`` (0 where none are asked); ``road_in_min[h]``: the least road time in."""

    team_hours: float
    post_team_hours: float
    visit_team_hours: float
    visits_needed: np.ndarray = field(repr=False)
    road_in_min: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class WholeTeamsBound:
    """The whole-teams bound. ``teams``: the most teams that must be on duty at once (at the
    busiest slot); ``team_hours``: the teams on duty summed over the slots; ``per_slot``: those
    teams per slot; ``covered_hotspots``: visit hotspots whose members must keep a team on duty
    (the shift grid leaves no gap as short as their interval's slack); ``None`` figures: no
    gap-free roster exists (a visit hotspot has fewer member stations with teams than a visit
    needs). The path-teams bound (:func:`path_teams_bound`) gives the same figures, with
    ``per_slot`` the teams per window of the visit interval and the posts' hours in
    ``team_hours``."""

    teams: int | None
    team_hours: float | None
    per_slot: np.ndarray | None = field(repr=False)
    covered_hotspots: tuple[int, ...] = ()


# --- travel ---------------------------------------------------------------------------------


def road_minutes(p: Problem) -> RoadMinutes:
    """The Problem's planned minutes less ``travel.margin_min`` on every non-zero, reachable leg
    (undoes :func:`~patrolplan.model.problem.planned_travel`; never more than the road's own).
    All 0 in a re-plan with history rows: they happened on the roads of their day, which
    ``patrolplan check`` does not judge against today's (a note, not a broken rule), so no road
    minute is sure of every roster the contract allows."""
    from patrolplan.inputs.network import UNREACHABLE_MIN

    margin = int(p.config.travel.margin_min)
    history = _has_history(p)

    def unplan(m):
        m = np.asarray(m, dtype=np.int64)
        if history:
            return np.zeros_like(m)
        spare = (m > 0) & (m < UNREACHABLE_MIN)
        return np.where(spare, np.maximum(m - margin, 0), m)

    return RoadMinutes(unplan(p.out_min), unplan(p.back_min), None if p.hop_min is None else unplan(p.hop_min))


def _has_history(p: Problem) -> bool:
    """A re-plan's week holding rows that start before its cut (``--at``), kept as published."""
    pub = p.published
    return (pub is not None and pub.cut_min is not None
            and any(f.start_min < pub.cut_min for f in pub.fixed))


def _visits_and_posts(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """``(need, post)``: per hotspot and slot, visits asked; posts asked (demand that is no visit)."""
    need = np.asarray(p.visit_need) > 0
    return need, (np.asarray(p.required) > 0) & ~need


def _member_stations(p: Problem) -> list[list[int]]:
    """Per hotspot: the member stations of its zone that have teams."""
    return [[s for s in p.zone_members[int(z)] if p.teams[s] > 0] for z in p.hotspot_zone]


def _reachable_hotspots(p: Problem) -> list[np.ndarray]:
    """Per station: the hotspots of the zones it belongs to (where its teams may be)."""
    by_station: list[list[int]] = [[] for _ in p.station_ids]
    for h, z in enumerate(p.hotspot_zone):
        for s in p.zone_members[int(z)]:
            by_station[s].append(h)
    return [np.asarray(hs, dtype=np.int64) for hs in by_station]


def least_road_in(p: Problem, road: RoadMinutes) -> np.ndarray:
    """Per hotspot ``h``: the least road minutes into ``h`` from a point a team could come from
    (a member station with teams, or another hotspot of a zone of such a station)."""
    return _least_road(p, road, into=True)


def least_road_out(p: Problem, road: RoadMinutes) -> np.ndarray:
    """Per hotspot ``h``: the least road minutes out of ``h`` to a member station with teams or
    another hotspot of its zones."""
    return _least_road(p, road, into=False)


def _least_road(p: Problem, road: RoadMinutes, *, into: bool) -> np.ndarray:
    from patrolplan.inputs.network import UNREACHABLE_MIN

    reach = _reachable_hotspots(p)
    out = np.full(len(p.hotspot_ids), UNREACHABLE_MIN, dtype=np.int64)
    for h, members in enumerate(_member_stations(p)):
        best = UNREACHABLE_MIN
        for s in members:
            best = min(best, int(road.out[s, h] if into else road.back[h, s]))
            if road.hop is not None:
                others = reach[s][reach[s] != h]
                if others.size:
                    legs = road.hop[others, h] if into else road.hop[h, others]
                    best = min(best, int(legs.min()))
        out[h] = best
    return out


# --- the visit-time bound -------------------------------------------------------------------


def least_visits(duration_min: int, every_min: int) -> int:
    """The least number of visit starts the contract's interval rule allows over visit hours
    of ``duration_min``: every moment of ``[a + every, b]`` has a start in the ``every``
    minutes before it, so ``max(1, ceil((duration - every) / every))``."""
    if duration_min <= 0:
        return 0
    return max(1, -(-(int(duration_min) - int(every_min)) // int(every_min)))


def run_team_minutes(length_min: int, *, teams: int, dwell_min: int, road_in_min: int, every_min: int,
                     least: int) -> float:
    """The least team-minutes of one run of visit hours: ``min over n >= least`` of
    ``n (road_in + dwell) + max(0, teams (length - every) - n every)`` (see the module
    docstring). ``least``: the fewest arrivals the run needs (``teams``, or 0 where the run
    touches other demand and its visits may start there)."""
    need = teams * max(0, int(length_min) - int(every_min))
    c, e = int(road_in_min) + int(dwell_min), int(every_min)
    if need <= 0:
        return float(least * c)
    cands = {least, max(least, need // e), max(least, -(-need // e))}
    return float(min(n * c + max(0, need - n * e) for n in cands))


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs ``[k0, k1)`` of True slots."""
    out, k, n = [], 0, row.size
    while k < n:
        if not row[k]:
            k += 1
            continue
        k0 = k
        while k < n and row[k]:
            k += 1
        out.append((k0, k))
    return out


def _joint_teams(p: Problem, h: int) -> int:
    """Teams on site together for one counted visit: 2 in a synchronized zone (the contract's
    joint visit), else 1."""
    return 2 if p.zone_mode[int(p.hotspot_zone[h])] == "synchronized" else 1


def visit_time_bound(p: Problem, road: RoadMinutes | None = None) -> VisitTimeBound:
    """Posts' on-site team-hours plus, per run of visit hours, the least team-minutes of its
    visits (:func:`run_team_minutes`; module docstring)."""
    road = road if road is not None else road_minutes(p)
    slot = p.slot_min
    need, post = _visits_and_posts(p)
    post_minutes = float((np.asarray(p.required) * post).sum()) * slot
    m_in = least_road_in(p, road)
    visits_needed = np.zeros(len(p.hotspot_ids), dtype=np.int64)
    visit_minutes = 0.0
    for h in np.nonzero(need.any(axis=1))[0]:
        h = int(h)
        d, e, r = int(p.visit_dwell_min[h]), int(p.visit_every_min[h]), _joint_teams(p, h)
        busy = need[h] | post[h]
        for k0, k1 in _runs(need[h]):
            a, b = k0 * slot, k1 * slot
            visits_needed[h] += least_visits(b - a, e)
            after = range(k1, min(busy.size, -(-(b + d) // slot)))
            if any(busy[k] for k in after):
                # the run touches other demand within a dwell: only its own on-site minutes
                visit_minutes += run_team_minutes(b - a, teams=r, dwell_min=min(d, e), road_in_min=0, every_min=e,
                                                  least=0)
                continue
            before = np.nonzero(busy[:k0])[0]
            if before.size:
                k = int(before[-1])
                gap = a - ((k + 1) * slot + (d if need[h, k] else 0))
            else:
                gap = math.inf
            m = int(min(int(m_in[h]), e, max(gap, 0)))
            least = r if (k0 == 0 or not busy[k0 - 1]) else 0
            visit_minutes += run_team_minutes(b - a, teams=r, dwell_min=d, road_in_min=m, every_min=e, least=least)
    post_h, visit_h = post_minutes / 60, visit_minutes / 60
    return VisitTimeBound(team_hours=post_h + visit_h, post_team_hours=post_h, visit_team_hours=visit_h,
                          visits_needed=visits_needed, road_in_min=m_in)


# --- the whole-teams bound ------------------------------------------------------------------


def least_shift_gap_min(p: Problem) -> int:
    """The shortest positive time between one shift's end and another's start: starts lie on
    the ``shift_start_every_minutes`` grid, so a gap is ``-length`` modulo the grid."""
    g = int(p.config.rules.shift_start_every_minutes)
    return min((-int(L)) % g or g for L in p.config.rules.shift_minutes)


def whole_teams_bound(p: Problem, road: RoadMinutes | None = None, *, time_limit_s: float = 10.0,
                      workers: int = 1) -> WholeTeamsBound:
    """The least teams on duty per slot (module docstring): the posts' demand plus a least set
    of stations meeting, ``r`` times, the members of every visit hotspot whose shift grid
    leaves no gap, during ``[a + every, b - every]`` of its visit hours."""
    road = road if road is not None else road_minutes(p)
    slot, n_k = p.slot_min, p.n_slots
    need, post = _visits_and_posts(p)
    per_slot = (np.asarray(p.required) * post).sum(axis=0).astype(np.int64)
    members = _member_stations(p)
    m_in, m_out = least_road_in(p, road), least_road_out(p, road)
    gap = least_shift_gap_min(p)
    active: list[list[int]] = [[] for _ in range(n_k)]
    covered = []
    for h in np.nonzero(need.any(axis=1))[0]:
        h = int(h)
        d, e = int(p.visit_dwell_min[h]), int(p.visit_every_min[h])
        if gap <= e - d - int(m_in[h]) - int(m_out[h]):
            continue  # two shifts may leave a gap inside the interval: no one need be on duty throughout
        covered.append(h)
        for k0, k1 in _runs(need[h]):
            lo, hi = k0 * slot + e, k1 * slot - e
            for k in range(-(-lo // slot), hi // slot):  # slots inside [a + every, b - every]
                active[k].append(h)
    solved: dict[frozenset, int | None] = {}
    for k in range(n_k):
        if not active[k]:
            continue
        key = frozenset(active[k])
        if key not in solved:
            solved[key] = _least_cover([(tuple(members[h]), _joint_teams(p, h)) for h in sorted(key)],
                                       time_limit_s=time_limit_s, workers=workers)
        if solved[key] is None:
            return WholeTeamsBound(None, None, None, tuple(covered))
        per_slot[k] += solved[key]
    return WholeTeamsBound(teams=int(per_slot.max()) if per_slot.size else 0,
                           team_hours=float(per_slot.sum()) * slot / 60, per_slot=per_slot,
                           covered_hotspots=tuple(covered))


def _least_cover(sets: list[tuple[tuple[int, ...], int]], *, time_limit_s: float, workers: int) -> int | None:
    """The fewest stations such that each ``(members, r)`` has ``r`` of its members chosen
    (None: some set has fewer than ``r`` members). A MIP on HiGHS; where the time limit stops it
    short of optimal, its bound rounded up (still a lower bound)."""
    from patrolplan.solver.engines import solve_highs

    if any(len(ms) < r for ms, r in sets):
        return None
    rows = {}
    for ms, r in sets:  # one row per distinct member set, the largest r
        rows[ms] = max(r, rows.get(ms, 0))
    forced = set()
    for ms, r in rows.items():
        if len(ms) == r:
            forced.update(ms)
    open_rows = [(ms, r - len(forced.intersection(ms))) for ms, r in rows.items()]
    open_rows = [(tuple(s for s in ms if s not in forced), r) for ms, r in open_rows if r > 0]
    if not open_rows:
        return len(forced)
    stations = sorted({s for ms, _ in open_rows for s in ms})
    col = {s: i for i, s in enumerate(stations)}
    r_idx = np.repeat(np.arange(len(open_rows)), [len(ms) for ms, _ in open_rows])
    c_idx = np.asarray([col[s] for ms, _ in open_rows for s in ms], dtype=np.int64)
    n = len(stations)
    model = LinearModel(
        n_shifts=n, col_lower=np.zeros(n), col_upper=np.ones(n), col_cost=np.ones(n),
        col_integer=np.ones(n, dtype=bool),
        A=sp.csr_matrix((np.ones(c_idx.size), (r_idx, c_idx)), shape=(len(open_rows), n)),
        row_lower=np.asarray([r for _, r in open_rows], dtype=float), row_upper=np.full(len(open_rows), np.inf),
        row_family=np.zeros(len(open_rows), dtype=np.int64), families=["whole_teams"])
    res = solve_highs(model, time_limit_s=time_limit_s, workers=workers, lp_guided=False)
    if res.status == "optimal" and res.objective is not None:
        value = res.objective
    elif res.bound is not None:
        value = res.bound
    else:  # no answer in time: the LP of a cover is no more than it; the forced stations are sure
        value = 0.0
    return len(forced) + int(math.ceil(value - 1e-6))


# --- the path-teams bound -------------------------------------------------------------------


#: most stops of a station Held-Karp looks at; a station with more counts as able to take them
#: all in one window (a weaker column, still a bound)
MAX_PATH_STOPS = 12


def windows(p: Problem) -> tuple[int, list[tuple[int, ...]]] | None:
    """``(length, active)``: windows ``[k W, (k + 1) W)`` that every shift is whole of (``W``
    divides the start grid and every shift length: the least such length at least the longest
    visit interval that is no longer than their gcd), and per window the visit hotspots that
    must have a visit start in it (:func:`path_teams_bound`): those asking for a visit at least
    every ``W`` minutes (one asking more often counts once a window: a relaxation), whose visit
    hours hold the window and the minute before it. None where no hotspot asks that often."""
    need, posts = _visits_and_posts(p)
    wanted = np.nonzero(need.any(axis=1))[0]
    whole = math.gcd(int(p.config.rules.shift_start_every_minutes), *(int(L) for L in p.config.rules.shift_minutes))
    every = np.asarray(p.visit_every_min)[wanted]
    if wanted.size == 0 or not (every <= whole).any():
        return None
    longest = int(every[every <= whole].max())
    e = min(w for w in range(longest, whole + 1) if whole % w == 0)
    post = posts.any(axis=1)  # a post there may keep its visits: left out
    asks = np.zeros(len(need), dtype=bool)
    asks[wanted[every <= e]] = True
    minute = np.repeat(need & (asks & ~post)[:, None], p.slot_min, axis=1)
    out = []
    for k in range(minute.shape[1] // e):
        a, b = k * e, (k + 1) * e
        inside = minute[:, a:b].all(axis=1) & (minute[:, a - 1] if a else False)
        out.append(tuple(int(h) for h in np.nonzero(inside)[0]))
    return e, out


def largest_paths(stops: list[int], dwell: np.ndarray, legs: np.ndarray, every: int) -> list[frozenset]:
    """The largest sets of ``stops`` one team can start visits at within ``every`` minutes: some
    order whose dwells (all but the last) and ``legs[i, j]`` (indexed by position in ``stops``)
    sum to less than ``every``. Held-Karp over the subsets, ``2^n n^2`` (no library enumerates a
    path problem's feasible subsets; ``n`` is at most :data:`MAX_PATH_STOPS`)."""
    n = len(stops)
    d = np.asarray([float(dwell[h]) for h in stops])
    least = np.full((1 << n, n), np.inf)  # least minutes from the first start to the start at i
    least[1 << np.arange(n), np.arange(n)] = 0.0
    for subset in range(1, 1 << n):
        for i in np.nonzero(least[subset] < every)[0]:
            later = least[subset, i] + d[i] + legs[i]
            for j in range(n):
                if not subset >> j & 1 and later[j] < least[subset | (1 << j), j]:
                    least[subset | (1 << j), j] = later[j]
    fits = {s for s in range(1, 1 << n) if least[s].min() < every}
    largest = [s for s in fits if not any(s | (1 << j) in fits for j in range(n) if not s >> j & 1)]
    return [frozenset(stops[i] for i in range(n) if s >> i & 1) for s in largest]


def _station_legs(p: Problem, road: RoadMinutes, s: int, places: np.ndarray) -> np.ndarray:
    """Least road minutes between ``places`` (hotspots of station ``s``'s zones) by any way its
    teams may drive: through its other hotspots or its station (Floyd-Warshall by numpy on at
    most a few dozen places; scipy's csgraph reads a zero leg, co-located hotspots, as none)."""
    k = len(places)
    D = np.empty((k + 1, k + 1))
    D[:k, :k] = road.hop[np.ix_(places, places)]
    D[:k, k], D[k, :k], D[k, k] = road.back[places, s], road.out[s, places], 0.0
    for m in range(k + 1):
        D = np.minimum(D, D[:, m:m + 1] + D[m:m + 1, :])
    return D[:k, :k]


def path_teams_bound(p: Problem, road: RoadMinutes | None = None, *, time_limit_s: float = 10.0,
                     workers: int = 1) -> WholeTeamsBound:
    """The least teams on duty per window, roads counted (module docstring): per window the
    fewest (station, path) pairs meeting every hotspot that must have a visit start in it, plus
    the posts' on-site hours. All 0 where no hotspot is counted (:func:`windows`). ``time_limit_s``
    for all the windows' MIPs: windows it leaves no time for count no team."""
    road = road if road is not None else road_minutes(p)
    cut = windows(p) if road.hop is not None else None
    if cut is None:
        return WholeTeamsBound(0, 0.0, np.zeros(0, dtype=np.int64))
    e, active = cut
    slot = p.slot_min
    posts = (np.asarray(p.required) * _visits_and_posts(p)[1]).sum(axis=0).astype(np.int64)
    reach = _reachable_hotspots(p)
    legs = {s: _station_legs(p, road, s, reach[s]) for s in range(len(p.station_ids))
            if p.teams[s] > 0 and reach[s].size}
    solved: dict[tuple[int, ...], int | None] = {}
    paths: dict[tuple[int, tuple[int, ...]], list[frozenset]] = {}  # (station, its stops) -> its largest paths
    per_window = np.zeros(len(active), dtype=np.int64)
    deadline = time.perf_counter() + time_limit_s
    for k, hs in enumerate(active):
        if not hs:
            continue
        if hs not in solved:
            left = deadline - time.perf_counter()
            if left <= 0:  # the windows it had no time for count no team: still a bound
                continue
            solved[hs] = _least_paths(p, hs, reach, legs, e, paths, time_limit_s=left, workers=workers)
        if solved[hs] is None:
            return WholeTeamsBound(None, None, None)
        per_window[k] = solved[hs]
    in_window = np.repeat(per_window, e // slot) if e % slot == 0 else None
    at_once = posts[:in_window.size] + in_window if in_window is not None else per_window
    return WholeTeamsBound(teams=int(at_once.max()) if at_once.size else 0,
                           team_hours=float(per_window.sum()) * e / 60 + float(posts.sum()) * slot / 60,
                           per_slot=per_window)


def _least_paths(p: Problem, hs: tuple[int, ...], reach, legs, every: int, paths: dict, *,
                 time_limit_s: float, workers: int) -> int | None:
    """The fewest (station, path) pairs, at most a station's teams each, meeting every hotspot of
    ``hs`` (by two stations where joint); None: none do. A MIP on HiGHS; its bound rounded up
    where the time limit stops it short of optimal. ``paths``: the stations' largest paths by
    their stops, filled as they are found."""
    from patrolplan.solver.engines import solve_highs

    on = set(hs)
    cols: list[tuple[int, frozenset]] = []
    for s, D in legs.items():
        where = [i for i, h in enumerate(reach[s]) if int(h) in on]
        if not where:
            continue
        stops = tuple(int(reach[s][i]) for i in where)
        if (s, stops) not in paths:
            paths[s, stops] = ([frozenset(stops)] if len(stops) > MAX_PATH_STOPS else
                               largest_paths(list(stops), p.visit_dwell_min, D[np.ix_(where, where)], every))
        cols += [(s, path) for path in paths[s, stops]]
    rows: list[list[tuple[int, float]]] = []
    lo: list[float] = []
    hi: list[float] = []
    n = len(cols)
    for s in sorted({s for s, _ in cols}):
        rows.append([(j, 1.0) for j, (t, _) in enumerate(cols) if t == s])
        lo.append(-np.inf)
        hi.append(float(p.teams[s]))
    for h in hs:
        holding: dict[int, list[int]] = {}
        for j, (s, path) in enumerate(cols):
            if h in path:
                holding.setdefault(s, []).append(j)
        r = _joint_teams(p, h)
        if len(holding) < r:
            return None
        if r == 1:
            rows.append([(j, 1.0) for js in holding.values() for j in js])
        else:  # z_sh <= station s's paths through h, sum_s z_sh >= r: r distinct stations
            for js in holding.values():
                rows.append([(j, 1.0) for j in js] + [(n, -1.0)])
                lo.append(0.0)
                hi.append(np.inf)
                n += 1
            rows.append([(z, 1.0) for z in range(n - len(holding), n)])
        lo.append(float(r))
        hi.append(np.inf)
    z = n - len(cols)
    model = LinearModel(
        n_shifts=n, col_lower=np.zeros(n), col_upper=np.r_[np.full(len(cols), np.inf), np.ones(z)],
        col_cost=np.r_[np.ones(len(cols)), np.zeros(z)], col_integer=np.r_[np.ones(len(cols), dtype=bool),
                                                                            np.zeros(z, dtype=bool)],
        A=sp.csr_matrix((np.asarray([v for row in rows for _, v in row]),
                         (np.repeat(np.arange(len(rows)), [len(row) for row in rows]),
                          np.asarray([c for row in rows for c, _ in row], dtype=np.int64))), shape=(len(rows), n)),
        row_lower=np.asarray(lo), row_upper=np.asarray(hi), row_family=np.zeros(len(rows), dtype=np.int64),
        families=["path_teams"])
    res = solve_highs(model, time_limit_s=time_limit_s, workers=workers, lp_guided=False)
    if res.status == "infeasible":
        return None
    if res.status == "optimal" and res.objective is not None:
        value = res.objective
    else:  # stopped short: its bound (0 without one) is still a lower bound
        value = res.bound if res.bound is not None else 0.0
    return int(math.ceil(value - 1e-6))


# --- all three, for summary.json ------------------------------------------------------------


def model_free_bounds(p: Problem, *, time_limit_s: float = 10.0, workers: int = 1) -> dict:
    """The three bounds as ``summary.json``'s ``lower_bounds``: ``visit_time_team_hours``,
    ``whole_teams`` (the most teams on duty at once), ``whole_teams_team_hours``, ``path_teams``
    and ``path_teams_team_hours`` (roads counted; 0 where no hotspot asks for a visit as often as
    a window that every shift is whole of)
    and ``team_hours`` (the largest, the one to compare a plan with); a figure is None where no
    gap-free roster exists. Bounds of gap-free rosters: a roster with gaps may come under them."""
    road = road_minutes(p)
    vt = visit_time_bound(p, road)
    wt = whole_teams_bound(p, road, time_limit_s=time_limit_s, workers=workers)
    pt = path_teams_bound(p, road, time_limit_s=time_limit_s, workers=workers)
    known = [x for x in (vt.team_hours, wt.team_hours, pt.team_hours) if x is not None]
    return {
        "visit_time_team_hours": round(vt.team_hours, 2),
        "whole_teams": wt.teams,
        "whole_teams_team_hours": None if wt.team_hours is None else round(wt.team_hours, 2),
        "path_teams": pt.teams,
        "path_teams_team_hours": None if pt.team_hours is None else round(pt.team_hours, 2),
        "team_hours": round(max(known), 2),
    }
