"""The greedy planner: what a planner does by hand.

Walk through the week slot by slot; wherever a demanded hotspot-slot is short, send a member
station that still has a free team (rest kept, shift cap kept, availability kept), on one of the
candidate shifts that cover the slot. Synchronized zones first take stations (and jurisdictions)
not yet on site. Which shift is the rule:

``"nearest"``
    the nearest station, on the shift that stays longest from that slot on (the planner's
    rule of thumb; the baseline in ``benchmarks/``);
``"cheapest"`` (default)
    the least cost per demanded slot it covers from this slot on, the cost being the model's
    objective terms for that shift: its team-hours, travel and over-coverage, plus what it adds
    to the fairness terms (the highest load per team; in staggered zones the member's distance
    from its share of the zone's on-site hours). Stations far below their share are chosen
    first, and a small charge per hour a station's teams have already worked spreads the
    work, so no station is worn out early in the week and no zone is left to one member.

Visit demand comes after the posts (:func:`_guard_loops`): the guarded hotspot-slots in time
order, each by the loop column that guards the most slots not yet guarded per team-hour; in
the rendezvous model (``visits.rendezvous``) the window rows likewise, and a joint hotspot's
window by loops of partner stations that meet at one of its minutes (:func:`_meet_loops`).

It serves three times: as a baseline in ``benchmarks/``, as a complete warm start for the stage-1
MIP (in a visit week, the first plan before any LP), and to staff a week's posts around a beat
plan's loops (``fixed``: solver/solve.py). It is a heuristic: it may fail where a roster exists (then it returns None).
"""

from __future__ import annotations

import numpy as np

from patrolplan.model.problem import Problem
from patrolplan.model.rules import (
    availability,
    capacity,
    coverage,
    fairness,
    max_shifts,
    shifts,
    staggered,
    synchronized,
)

__all__ = ["greedy_counts", "GREEDY_RULES"]

GREEDY_RULES = ("cheapest", "nearest")

#: "cheapest": hours of cost added per team-hour a station's teams have worked on average so
#: far. Small against a shift's cost, it spreads the work so that no station is worn out
#: (resting, or at its shift cap) before the week ends. Measured on the synthetic Jining-scale
#: week (24/7): 0 fails at 2 of 26,880 hotspot-slots on the last day; 0.05 succeeds, 0.2 %
#: above the LP bound; 0.2 and 0.5 succeed 0.3 % and 0.4 % above it.
SPREAD_WEIGHT = 0.05
#: visit hours: a loop shift's cost is its team-hours plus this many longest shifts per station
#: times the share of its shift cap used so far; spreads the loops so that no station is
#: at its cap before the week ends. Measured on the synthetic Jining-scale visit week (24/7,
#: benchmarks/visits.py): 0 leaves 3 slots unguarded on the last day (a small member station
#: of a synchronized zone at its cap); 0.5, 1 and 2 guard every slot (16,748, 16,704 and
#: 16,756 team-hours).
LOOP_SPREAD_WEIGHT = 1.0


def greedy_counts(problem: Problem, model=None, *, allow_gaps: bool = False, rule: str = "cheapest",
                  fixed: np.ndarray | None = None) -> np.ndarray | None:
    """Shift counts ``x`` (length ``problem.n_shifts``), or None if a demanded slot stays
    short (unless ``allow_gaps``). ``rule``: one of ``GREEDY_RULES`` (see the module
    docstring). ``fixed``: counts taken before anything else (a beat plan's loops: the posts
    and any window they leave are then staffed around them). Every rule is asked of its family
    in ``rules/``."""
    if rule not in GREEDY_RULES:
        raise ValueError(f"rule={rule!r}: use one of {', '.join(GREEDY_RULES)}")
    p = problem
    if p.n_shifts == 0:
        x = np.zeros(0, dtype=np.int64)
        return x if (allow_gaps or p.cover.shape[0] == 0) else None
    plan = _Plan(p, model, rule)
    booked = [] if fixed is None else [int(j) for j in np.nonzero(np.asarray(fixed)[:p.n_shifts] > 0.5)[0]]
    for j in booked:
        for _ in range(int(round(float(fixed[j])))):
            plan.add(j)
    for r in np.lexsort((p.cover_hotspot, p.cover_slot)):
        plan.staff(r)
        if not plan.satisfied(r) and not allow_gaps:
            return None
    guard = _meet_loops if p.windows is not None else _guard_loops
    if not guard(p, plan.fits, plan.take, plan.n_station_shifts, booked) and not allow_gaps:
        return None
    return plan.x


class _Plan:
    """The posts planned so far: shift counts ``x``, each station's shifts, the occupancy of
    its teams (rest, availability, day starts), and for each demanded hotspot-slot (a row of
    ``p.cover``) the teams present and their stations. Each rule is asked of its family."""

    def __init__(self, p: Problem, model, rule: str) -> None:
        self.p = p
        self.x = np.zeros(p.n_shifts, dtype=np.int64)
        self.cover_csr, self.cover_csc = p.cover.tocsr(), p.cover.tocsc()
        self.occupancy = capacity.GridOccupancy(p)
        self.day_starts = availability.DayStarts(p)
        self.n_station_shifts = np.zeros(len(p.station_ids), dtype=np.int64)
        self.required = p.required[p.cover_hotspot, p.cover_slot]
        self.upper = model.col_upper[:p.n_shifts] if model is not None else shifts.upper_bound(p)
        n_rows = self.cover_csr.shape[0]
        self.present = np.zeros(n_rows, dtype=np.int64)
        self.present_stations: list[set[int]] = [set() for _ in range(n_rows)]
        self.travel = p.shift_out_min + p.shift_back_min
        self.zone_of_row = p.hotspot_zone[p.cover_hotspot]
        self.sync = np.array([p.zone_mode[z] == "synchronized" for z in self.zone_of_row])
        self.score = _Scorer(p) if rule == "cheapest" else None

    def satisfied(self, r: int) -> bool:
        """Row ``r`` has its teams (coverage) and, in a synchronized zone, its stations."""
        return coverage.satisfied(self.present[r], self.required[r]) and synchronized.satisfied(
            self.p, int(self.zone_of_row[r]), self.present_stations[r])

    def fits(self, j: int) -> bool:
        """One more team on shift ``j`` keeps its bound, the station's shift cap, rest and availability."""
        if self.x[j] + 1 > self.upper[j]:  # more teams on one shift than any of its slots needs
            return False
        s = self.p.shift_station[j]
        if self.n_station_shifts[s] >= max_shifts.station_cap(self.p, s):
            return False
        return self.occupancy.fits(j) and self.day_starts.fits(j)

    def take(self, j: int) -> None:
        """One more team on shift ``j``."""
        self.x[j] += 1
        self.n_station_shifts[self.p.shift_station[j]] += 1
        self.occupancy.take(j)
        self.day_starts.take(j)
        if self.score is not None:
            self.score.take(j)

    def staff(self, r: int) -> None:
        """Send teams to row ``r`` until it is satisfied or no shift that fits helps (at most 64)."""
        for _ in range(64):
            if self.satisfied(r):
                return
            cols = self._candidates(r)
            if not cols:
                return
            self.add(self._best(np.array(cols), r))

    def add(self, j: int) -> None:
        """One more team on shift ``j``, present at the rows it covers."""
        self.take(j)
        rows = self.cover_csc.indices[self.cover_csc.indptr[j]:self.cover_csc.indptr[j + 1]]
        self.present[rows] += 1
        for rr in rows:
            self.present_stations[rr].add(int(self.p.shift_station[j]))

    def _candidates(self, r: int) -> list[int]:
        """The shifts covering row ``r`` that fit; in a synchronized zone still short of teams
        or stations, only those of stations not yet on site (of a jurisdiction not yet on site
        when there is one): another team of a station already there does not make it joint."""
        p = self.p
        cols = self.cover_csr.indices[self.cover_csr.indptr[r]:self.cover_csr.indptr[r + 1]]
        cols = [j for j in cols if self.fits(j)]
        z = int(self.zone_of_row[r])
        st = self.present_stations[r]
        if cols and self.sync[r] and (coverage.satisfied(self.present[r], self.required[r])
                                      or len(st) < p.zone_min_stations[z]):
            fresh = [j for j in cols if p.shift_station[j] not in st]
            if fresh and len(p.zone_jurisdiction_groups[z]) >= 2:
                # a station of a jurisdiction not yet on site, if there is one
                fresh = [j for j in fresh if synchronized.adds_jurisdiction(p, z, st, p.shift_station[j])] or fresh
            return fresh
        return cols

    def _best(self, cols: np.ndarray, r: int) -> int:
        """The rule's choice among ``cols`` for row ``r``."""
        p = self.p
        if self.score is None:
            # nearest station first, then the shift that stays longest, then the shortest
            return cols[np.lexsort((p.shift_len_min[cols], -p.shift_k1[cols], self.travel[cols]))[0]]
        return cols[int(np.argmin(self.score(cols, int(p.cover_slot[r]))))]


def _guard_loops(p: Problem, fits, take, n_station_shifts: np.ndarray, booked=()) -> bool:
    """Visit demand (rules/visits.py): walk the guarded hotspot-slots in time order; wherever one
    is not yet guarded, send the loop column (both halves of a joint loop) that guards the most
    slots not yet guarded per team-hour (less a charge for the share of the shift cap its
    stations have used, :data:`LOOP_SPREAD_WEIGHT`), among those that fit (rest, shift cap,
    availability). ``booked``: loop columns already taken; the slots they guard are guarded.
    False when some slot finds none."""
    n_rows = p.guard.shape[0]
    if n_rows == 0:
        return True
    g_csr, g_csc = p.guard.tocsr(), p.guard.tocsc()
    guarded = np.zeros(n_rows, dtype=bool)
    for j in booked:
        guarded[g_csc.indices[g_csc.indptr[j]:g_csc.indptr[j + 1]]] = True
    hours = p.shift_len_min / 60
    partner = p.shift_partner
    LONGEST_H = float(p.shift_len_min.max()) / 60 if p.n_shifts else 0.0
    cap = np.array([max(max_shifts.station_cap(p, s), 1) for s in range(len(p.station_ids))], dtype=float)
    complete = True
    for r in np.lexsort((p.guard_hotspot, p.guard_slot)):
        if guarded[r]:
            continue
        cols = g_csr.indices[g_csr.indptr[r]:g_csr.indptr[r + 1]]
        best, best_score = -1, -np.inf
        for j in cols:
            if not fits(j) or (partner[j] >= 0 and not fits(int(partner[j]))):
                continue
            rows = g_csc.indices[g_csc.indptr[j]:g_csc.indptr[j + 1]]
            new = int((~guarded[rows]).sum())
            both = hours[j] * (2 if partner[j] >= 0 else 1)
            stations = [int(p.shift_station[j])] + ([int(p.shift_station[partner[j]])] if partner[j] >= 0 else [])
            # a shift costs its hours plus, per station, a charge growing with the share of its
            # shift cap used: a station near its cap takes the long shifts that guard most
            worn = sum(n_station_shifts[s] / cap[s] for s in stations) * LONGEST_H
            value = new / (both + LOOP_SPREAD_WEIGHT * worn) - 1e-6 * (p.shift_out_min[j] + p.shift_back_min[j])
            if value > best_score:
                best, best_score = int(j), value
        if best < 0:
            complete = False
            continue
        for j in (best, int(partner[best])) if partner[best] >= 0 else (best,):
            take(j)
        guarded[g_csc.indices[g_csc.indptr[best]:g_csc.indptr[best + 1]]] = True
    return complete


def _meet_loops(p: Problem, fits, take, n_station_shifts: np.ndarray, booked=()) -> bool:
    """Visit demand in the rendezvous model (rules/visits.py ``Windows``): walk the window rows
    by their check time; a window of a hotspot without meetings not yet kept takes the loop
    column visiting in it that keeps the most windows not yet kept per team-hour; a window of a
    joint hotspot takes, at its latest meeting point that can be completed, a loop of a station
    of each link set not yet present (the one keeping the most other windows per team-hour).
    ``booked``: loop columns already taken; the windows and meetings they keep are kept.
    False when some window finds none."""
    w = p.windows
    n_w = w.n_windows
    if n_w == 0:
        return True
    g_csr, g_csc = p.guard.tocsr(), p.guard.tocsc()
    mw_csr, mw_csc = p.meet_window.tocsr(), p.meet_window.tocsc()
    link_csr, link_csc = p.meet_link.tocsr(), p.meet_link.tocsc()
    kept = np.zeros(n_w, dtype=bool)
    present: dict[int, set[int]] = {}  # meeting point -> stations arriving then
    hours = p.shift_len_min / 60

    def value(j: int) -> float:
        rows = g_csc.indices[g_csc.indptr[j]:g_csc.indptr[j + 1]]
        return (1 + int((~kept[rows]).sum())) / hours[j]

    def met(m: int) -> bool:
        st = present.get(m, set())
        return all(w.allowed[w.link_set[r]] & st for r in range(int(w.link_ptr[m]), int(w.link_ptr[m + 1])))

    def book(j: int, *, taken: bool = False) -> None:
        if not taken:
            take(j)
        kept[g_csc.indices[g_csc.indptr[j]:g_csc.indptr[j + 1]]] = True
        meets = {int(w.link_meet[r]) for r in link_csc.indices[link_csc.indptr[j]:link_csc.indptr[j + 1]]}
        for m in meets:
            present.setdefault(m, set()).add(int(p.shift_station[j]))
            if met(m):
                kept[mw_csc.indices[mw_csc.indptr[m]:mw_csc.indptr[m + 1]]] = True

    for j in booked:
        book(j, taken=True)
    complete = True
    for r in np.lexsort((w.hotspot, w.hi)):
        if kept[r]:
            continue
        if not w.sync[w.hotspot[r]]:
            cols = [int(j) for j in g_csr.indices[g_csr.indptr[r]:g_csr.indptr[r + 1]] if fits(j)]
            if not cols:
                complete = False
                continue
            book(max(cols, key=value))
            continue
        done = False
        for m in sorted(mw_csr.indices[mw_csr.indptr[r]:mw_csr.indptr[r + 1]], reverse=True):
            plan, st = [], set(present.get(int(m), set()))
            for lr in range(int(w.link_ptr[m]), int(w.link_ptr[m + 1])):
                q = w.allowed[w.link_set[lr]]
                if q & st:
                    continue
                cols = [int(j) for j in link_csr.indices[link_csr.indptr[lr]:link_csr.indptr[lr + 1]]
                        if fits(j) and int(j) not in plan]
                if not cols:
                    break
                j = max(cols, key=value)
                plan.append(j)
                st.add(int(p.shift_station[j]))
            else:
                for j in plan:
                    book(j)
                done = True
                break
        if not done:
            complete = False
    return complete


class _Scorer:
    """Cost per demanded slot covered from slot ``k`` on, of each candidate shift, given the
    shifts taken so far: the model's objective terms (hours), each from its family."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.cost_h = shifts.cost_hours(p)
        self.len_h = p.shift_len_min / 60
        self.on_site_h = p.shift_on_site_min / 60
        self.teams = np.maximum(p.teams, 1).astype(float)
        self.load_h = np.zeros(len(p.station_ids))  # team-hours per station
        self.load_max = 0.0  # highest team-hours per team
        self.zone_of_shift = p.hotspot_zone[p.shift_hotspot]
        self.member_hours: list[dict[int, float]] = [{} for _ in p.zone_ids]
        self.staggered = [bool(staggered.sharing_members(p, z)) for z in range(len(p.zone_ids))]
        demanded = p.required > 0
        self.prefix = np.concatenate([np.zeros((demanded.shape[0], 1), dtype=np.int64),
                                      np.cumsum(demanded, axis=1)], axis=1)

    def _dev_cost(self, z: int, s: int, add: float) -> float:
        hours = dict(self.member_hours[z])
        if s >= 0:
            hours[s] = hours.get(s, 0.0) + add
        return staggered.deviation_cost(self.p, z, hours)

    def __call__(self, cols: np.ndarray, k: int) -> np.ndarray:
        p = self.p
        s = p.shift_station[cols]
        h = p.shift_hotspot[cols]
        new = self.prefix[h, np.maximum(p.shift_k1[cols], k)] - self.prefix[h, k]
        load = (self.load_h[s] + self.len_h[cols]) / self.teams[s]
        extra = self.cost_h[cols] + fairness.load_increase_cost(p, load, self.load_max)
        extra += SPREAD_WEIGHT * self.load_h[s] / self.teams[s]
        for i, j in enumerate(cols):
            z = int(self.zone_of_shift[j])
            if self.staggered[z]:
                extra[i] += self._dev_cost(z, int(s[i]), float(self.on_site_h[j])) - self._dev_cost(z, -1, 0.0)
        # ties: the shift that stays longest, then the nearest station
        return extra / np.maximum(new, 1) + 1e-6 * (-p.shift_k1[cols] + 1e-3 * (p.shift_out_min[cols]))

    def take(self, j: int) -> None:
        s = int(self.p.shift_station[j])
        self.load_h[s] += self.len_h[j]
        self.load_max = max(self.load_max, self.load_h[s] / self.teams[s])
        z = int(self.zone_of_shift[j])
        self.member_hours[z][s] = self.member_hours[z].get(s, 0.0) + float(self.on_site_h[j])
