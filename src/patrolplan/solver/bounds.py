r"""Two model-free lower bounds on a week's team-hours: how close the roads and the manpower let
any gap-free roster come, whatever loops or columns the model generates.

Both read only the Problem's demand, zones, teams, shift grid and travel minutes (the model's
candidate shifts and loop columns are never looked at), and both hold for **every gap-free
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
margin under them).

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

Why not round each station's visit work up to whole teams (the first sketch of this bound, in
issue 22)? Because teams on duty vary over the week: a station with 1.5 teams' worth of visits
can keep 1 team on duty for four hours and 2 for the next four and keep every interval (a
visit cannot be done early, but the 2 teams catch up within the interval). The number of teams
on duty at once is an integer; its average over the week is not, so only the covering part
(someone must be there) is whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from patrolplan.model.build import LinearModel

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem

__all__ = ["VisitTimeBound", "WholeTeamsBound", "RoadMinutes", "road_minutes", "least_road_in", "least_road_out",
           "least_visits", "run_team_minutes", "visit_time_bound", "whole_teams_bound", "model_free_bounds"]


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
    needs)."""

    teams: int | None
    team_hours: float | None
    per_slot: np.ndarray | None = field(repr=False)
    covered_hotspots: tuple[int, ...] = ()


# --- travel ---------------------------------------------------------------------------------


def road_minutes(p: Problem) -> RoadMinutes:
    """The Problem's planned minutes less ``travel.margin_min`` on every non-zero, reachable leg
    (undoes :func:`~patrolplan.model.problem.planned_travel`; never more than the road's own)."""
    from patrolplan.inputs.network import UNREACHABLE_MIN

    margin = int(p.config.travel.margin_min)

    def unplan(m):
        m = np.asarray(m, dtype=np.int64)
        spare = (m > 0) & (m < UNREACHABLE_MIN)
        return np.where(spare, np.maximum(m - margin, 0), m)

    return RoadMinutes(unplan(p.out_min), unplan(p.back_min), None if p.hop_min is None else unplan(p.hop_min))


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
    need = np.asarray(p.visit_need) > 0
    post = (np.asarray(p.required) > 0) & ~need
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
    need = np.asarray(p.visit_need) > 0
    post = (np.asarray(p.required) > 0) & ~need
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


# --- both, for summary.json -----------------------------------------------------------------


def model_free_bounds(p: Problem, *, time_limit_s: float = 10.0, workers: int = 1) -> dict:
    """Both bounds as ``summary.json``'s ``lower_bounds``: ``visit_time_team_hours``,
    ``whole_teams`` (the most teams on duty at once), ``whole_teams_team_hours`` and
    ``team_hours`` (the larger of the two, the one to compare a plan with); a figure is None
    where no gap-free roster exists. Bounds of gap-free rosters: a roster with gaps may come
    under them."""
    road = road_minutes(p)
    vt = visit_time_bound(p, road)
    wt = whole_teams_bound(p, road, time_limit_s=time_limit_s, workers=workers)
    best = vt.team_hours if wt.team_hours is None else max(vt.team_hours, wt.team_hours)
    return {
        "visit_time_team_hours": round(vt.team_hours, 2),
        "whole_teams": wt.teams,
        "whole_teams_team_hours": None if wt.team_hours is None else round(wt.team_hours, 2),
        "team_hours": round(best, 2),
    }
