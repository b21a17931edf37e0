r"""Beats: every station's loop repeats one cycle of the visit interval, partners meeting on it
(visits.rendezvous, at a scale where column generation's master LP does not solve in time).

A **beat plan** gives every visit hotspot ``h`` a phase ``phi_h`` (a multiple of the check step
``c`` in ``[0, e)``, ``e`` the interval) and one station (two of a joint hotspot, partners:
stations that make its visit joint, :attr:`~patrolplan.model.rules.visits.Windows.partners`);
each station runs up to a few **beats**: sets of its hotspots, each driven by one team at a time
in shifts of length ``L`` (the longest allowed multiple of ``e``) starting at each multiple of
``L`` that overlaps visit hours, visiting ``h`` at every minute ``phi_h + n e`` of the shift. A joint hotspot's two
stations arrive at the same minutes, so they meet at every visit.

Why the visits keep the rule. Visit hours start at a multiple of ``c`` (slots of whole
quarter-hours), and the window rows (rules/visits.py :class:`Windows`) ask for a visit start in
``[a + c (i + 1), a + e + c i]``: ``e / c`` consecutive multiples of ``c``, one of each residue
modulo ``e``, so one of them is ``phi_h`` modulo ``e``. A shift is ``L / e`` whole cycles, so the
next team takes over on the same minutes: the phase must leave time to drive out before the
first visit (``phi_h >= out``) and to stay the dwell and drive back after the last
(``phi_h + dwell + back <= e``). Within a beat, two hotspots' phases lie at least the dwell and
the road minutes apart (on the grid), both ways round the cycle.

The plan is a small CP-SAT model (:func:`design`): per hotspot its phase, per station and beat
which hotspots it holds, the beats' orders as pairwise disjunctions; each beat costs its
shifts' hours, each hotspot held the road minutes to it from the station and back, and a beat
whose one stop is a joint hotspot a little more (:data:`LONE_JOINT`). A station
runs at most as many beats as its teams keep going all week (shift cap, rest, availability).
The columns (:func:`beat_columns`) are loop columns of the rendezvous model like any other: the
model, the MIP and named teams take them from there, and ``patrolplan check`` measures the
visits. Nothing here proves a bound; a hotspot that no station can hold on a beat (a phase range
left empty by long roads, stations without the teams) makes the plan None.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from patrolplan.model.pricing import station_nets
from patrolplan.model.rules import availability, max_shifts
from patrolplan.model.rules.capacity import occupied
from patrolplan.model.rules.shifts import shift_starts
from patrolplan.model.rules.visits import LoopColumn, check_step

__all__ = ["BeatPlan", "design", "beat_columns", "turn_columns"]

#: most beats one station runs at once
MAX_BEATS = 3
#: CP-SAT weight of one beat's hour against one road minute out and back
_HOUR = 60
#: extra cost of a beat whose one stop is a joint hotspot, as a share of a beat's
LONE_JOINT = 0.05


@dataclass(frozen=True)
class BeatPlan:
    """A beat plan (see the module docstring): ``beats`` per station, each ``((h, phase), ...)``
    in phase order; ``length`` the shifts' minutes; ``starts`` the shift starts."""

    interval: int
    length: int
    starts: tuple[int, ...]
    beats: dict[int, tuple[tuple[tuple[int, int], ...], ...]]
    status: str
    seconds: float
    objective: float = 0.0  # CP-SAT's: 60 per beat-hour, road minutes out and back, LONE_JOINT

    @property
    def n_beats(self) -> int:
        return sum(len(b) for b in self.beats.values())


def applicable(p) -> str | None:
    """None when a beat plan may be made for ``p``, else why not."""
    w = p.windows
    if w is None:
        return "no visit demand in the rendezvous model"
    wanted = np.nonzero(p.visit_need.any(axis=1))[0]
    every = np.unique(p.visit_every_min[wanted])
    if every.size != 1:
        return "visit intervals differ between hotspots"
    e = int(every[0])
    c = check_step(p.config, e)
    if e % c or c % w.grid:
        return f"the interval ({e} min) is no whole number of check steps ({c} min) on the grid"
    if p.published is not None:
        return "a re-plan keeps published loops"
    if (p.required > 0).any():
        return "the week asks for posts too, and a beat plan is a roster of visits only"
    if _length(p, e) is None:
        return f"no shift length is a whole number of intervals ({e} min) starting on the shift grid"
    return None


def _length(p, e: int) -> int | None:
    """The longest shift length that is whole cycles and can start at every multiple of itself."""
    for L in sorted(p.config.rules.shift_minutes, reverse=True):
        L = int(L)
        if L % e == 0 and np.isin(np.arange(0, p.config.horizon_minutes, L), shift_starts(p.config, L)).all():
            return L
    return None


def _starts(p, L: int) -> np.ndarray:
    """The shift starts of every beat: each multiple of ``L`` whose shift overlaps visit hours."""
    chain = np.arange(0, p.config.horizon_minutes, L, dtype=np.int64)
    asked = np.nonzero(p.visit_need.any(axis=0))[0] * p.slot_min  # slot starts
    return chain[((asked[None, :] < chain[:, None] + L) & (asked[None, :] + p.slot_min > chain[:, None])).any(axis=1)]


def _max_beats(p, s: int, L: int, starts: np.ndarray) -> int:
    """Beats station ``s`` can keep all week: the shift cap, the teams its shifts and their rest
    keep at once, and each day's available teams."""
    n = int(starts.size)
    by_cap = max_shifts.station_cap(p, s) // max(n, 1)
    frm, until = occupied(starts, np.full(n, L), p.min_rest_min)
    at_once = int(((frm[None, :] <= frm[:, None]) & (frm[:, None] < until[None, :])).sum(axis=1).max())
    by_teams = int(p.teams[s]) // max(at_once, 1)
    day = starts // (24 * 60)
    by_day = min([int(a) // int((day == d).sum()) for d in np.unique(day)
                  if (a := availability.teams_on(p, s, int(d))) is not None and (day == d).any()], default=1 << 30)
    return int(min(MAX_BEATS, by_cap, by_teams, by_day))


def design(p, *, time_limit_s: float, workers: int = 1, seed: int = 0, hint: BeatPlan | None = None
           ) -> BeatPlan | None:
    """The beat plan of ``p`` of fewest beat-hours found by CP-SAT in ``time_limit_s``
    (starting from ``hint``, a plan of ``p`` found before); None when none applies
    (:func:`applicable`) or none is found."""
    import time

    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    if applicable(p) is not None:
        return None
    bm = _BeatModel(p)
    for net in station_nets(p):
        bm.add_station(net)
    if not bm.add_hotspots():
        return None
    bm.m.Minimize(sum(bm.cost))
    if hint is not None:
        bm.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, float(time_limit_s))
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    status = _solve(solver, bm.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return BeatPlan(interval=bm.e, length=bm.L, starts=tuple(int(t) for t in bm.starts), beats=bm.read(solver),
                    status=solver.StatusName(status).lower(), seconds=time.perf_counter() - t0,
                    objective=float(solver.ObjectiveValue()))


def _solve(solver, model) -> int:
    """CP-SAT's status for ``model``. Ctrl-C and SIGTERM stop the search and are raised when it
    has returned (:func:`patrolplan.interrupts.responsive`; CP-SAT's own catcher would return the
    plan found so far as if the time had run out, and the run would go on)."""
    from patrolplan import interrupts

    solver.parameters.catch_sigint_signal = False
    return interrupts.responsive(lambda: solver.Solve(model), stop=solver.stop_search)


class _BeatModel:
    """The CP-SAT model of a beat plan: ``phase[h]`` (minutes), ``used[s, k]`` (station ``s``
    runs beat ``k``), ``hold[h, s, k]`` (beat ``k`` of ``s`` holds ``h``), and the cost terms."""

    def __init__(self, p) -> None:
        from ortools.sat.python import cp_model

        self.p, self.w, self.m = p, p.windows, cp_model.CpModel()
        self.wanted = [int(h) for h in np.nonzero(p.visit_need.any(axis=1))[0]]
        self.e = int(p.visit_every_min[self.wanted[0]])
        self.c, self.g = check_step(p.config, self.e), self.w.grid
        self.L = _length(p, self.e)
        self.starts = _starts(p, self.L)
        values = cp_model.Domain.FromValues(list(range(0, self.e, self.c)))
        self.phase = {h: self.m.NewIntVarFromDomain(values, f"phase[{h}]") for h in self.wanted}
        self.hold: dict[tuple[int, int, int], object] = {}
        self.used: dict[tuple[int, int], object] = {}
        self.cost: list = []

    def add_station(self, net) -> None:
        """Station ``net.station``'s beats: each holds hotspots whose phase leaves the road out
        before it and the dwell and the road back after it within the cycle; two hotspots of
        one beat lie the dwell and the road minutes apart both ways round the cycle."""
        s, m, e, g = net.station, self.m, self.e, self.g
        first = net.out_steps * g
        last = e - net.dwell_min - net.back_min
        ok = [i for i in range(net.stops.size)
              if -(-int(first[i]) // self.c) * self.c <= last[i] and int(net.stops[i]) in self.phase]
        if not ok:
            return
        for k in range(_max_beats(self.p, s, self.L, self.starts)):
            used = self.used[s, k] = m.NewBoolVar(f"used[{s},{k}]")
            self.cost.append(_HOUR * (self.L // 60) * self.starts.size * used)
            if k:
                m.AddImplication(used, self.used[s, k - 1])
            for i in ok:
                h = int(net.stops[i])
                x = self.hold[h, s, k] = m.NewBoolVar(f"hold[{h},{s},{k}]")
                m.AddImplication(x, used)
                m.Add(self.phase[h] >= int(first[i])).OnlyEnforceIf(x)
                m.Add(self.phase[h] <= int(last[i])).OnlyEnforceIf(x)
                self.cost.append(int(net.out_min[i] + net.back_min[i]) * x)
            for n_a, a in enumerate(ok):
                for b in ok[n_a + 1:]:
                    self._apart(net, s, k, a, b)
            self._lone_joint(s, k, [int(net.stops[i]) for i in ok])

    def _lone_joint(self, s: int, k: int, stops: list[int]) -> None:
        """A beat whose one stop is a joint hotspot (a team that waits there between meetings)
        costs :data:`LONE_JOINT` of a beat more: among plans of as many beats, the one that
        lets teams patrol on between meetings. Used with stops: ``lone >= joint - 2 (n - 1)``."""
        joint = [self.hold[h, s, k] for h in stops if self.w.sync[h]]
        if not joint:
            return
        lone = self.m.NewBoolVar(f"lone[{s},{k}]")
        n = sum(self.hold[h, s, k] for h in stops)
        self.m.Add(lone >= sum(joint) - 2 * n + 2 * self.used[s, k])
        self.cost.append(int(LONE_JOINT * _HOUR * (self.L // 60) * self.starts.size) * lone)

    def _apart(self, net, s: int, k: int, a: int, b: int) -> None:
        m, e, g = self.m, self.e, self.g
        ha, hb = int(net.stops[a]), int(net.stops[b])
        xa, xb = self.hold[ha, s, k], self.hold[hb, s, k]
        pa, pb = self.phase[ha], self.phase[hb]
        ab, ba = int(net.step[a, b]) * g, int(net.step[b, a]) * g
        if ab + ba > e:  # no cycle of the interval holds both
            m.AddBoolOr([xa.Not(), xb.Not()])
            return
        before = m.NewBoolVar(f"before[{ha},{hb},{s},{k}]")
        m.Add(pb - pa >= ab).OnlyEnforceIf([xa, xb, before])
        m.Add(pa + e - pb >= ba).OnlyEnforceIf([xa, xb, before])
        m.Add(pa - pb >= ba).OnlyEnforceIf([xa, xb, before.Not()])
        m.Add(pb + e - pa >= ab).OnlyEnforceIf([xa, xb, before.Not()])

    def add_hotspots(self) -> bool:
        """Each hotspot held by one beat of one station, a joint one by two partners; False when
        some hotspot no station can hold."""
        by_h: dict[int, dict[int, list]] = {}
        for (h, s, _), x in self.hold.items():
            by_h.setdefault(h, {}).setdefault(s, []).append(x)
        for h in self.wanted:
            stations = by_h.get(h, {})
            if not stations:
                return False
            for xs in stations.values():
                self.m.Add(sum(xs) <= 1)
            every = [x for xs in stations.values() for x in xs]
            if not self.w.sync[h]:
                self.m.Add(sum(every) == 1)
                continue
            self.m.Add(sum(every) == 2)
            z = int(self.p.hotspot_zone[h])
            for s, xs in stations.items():
                mates = [x for s2 in self.w.partners.get((z, s), ()) for x in stations.get(s2, [])]
                self.m.Add(sum(xs) <= sum(mates))
        return True

    def hint(self, plan: BeatPlan) -> None:
        """Every variable hinted at its value in ``plan``."""
        held = {(h, s, k): ph for s, beats in plan.beats.items() for k, beat in enumerate(beats) for h, ph in beat}
        phase_of = {h: ph for (h, _, _), ph in held.items()}
        for h, var in self.phase.items():
            self.m.AddHint(var, phase_of.get(h, 0))
        for (s, k), var in self.used.items():
            self.m.AddHint(var, int(k < len(plan.beats.get(s, ()))))
        for key, var in self.hold.items():
            self.m.AddHint(var, int(key in held))

    def read(self, solver) -> dict[int, tuple[tuple[tuple[int, int], ...], ...]]:
        """The beats of a solution, per station, each its ``(h, phase)`` in phase order."""
        held: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for (h, s, k), x in self.hold.items():  # a held hotspot's beat is used (hold implies used)
            if solver.Value(x):
                held.setdefault((s, k), []).append((int(solver.Value(self.phase[h])), h))
        beats: dict[int, list] = {}
        for (s, k) in self.used:  # in the order of the stations and their beats
            if (s, k) in held:
                beats.setdefault(s, []).append(tuple((h, ph) for ph, h in sorted(held[s, k])))
        return {s: tuple(b) for s, b in beats.items()}


def beat_columns(plan: BeatPlan) -> list[LoopColumn]:
    """The loop columns of a beat plan: one per station, beat and shift start."""
    out = []
    cycles = plan.length // plan.interval
    for s, beats in sorted(plan.beats.items()):
        for beat in beats:
            for t in plan.starts:
                visits = tuple(sorted(((h, t + ph + n * plan.interval) for n in range(cycles) for h, ph in beat),
                                      key=lambda v: v[1]))
                out.append(LoopColumn(s, int(t), plan.length, visits))
    return out


def turn_columns(p, plan: BeatPlan) -> list[LoopColumn]:
    """Each beat's loop columns driven by another station that can drive it, so that the
    members of a staggered zone can take turns (the MIP chooses, shift by shift, under the
    staggered share): every stop in that station's zones, its phase leaving that station's road
    out and back within the cycle, and a joint stop's other holder one of its partners."""
    w = p.windows
    nets = {net.station: net for net in station_nets(p)}
    holders: dict[int, set[int]] = {}
    for s, beats in plan.beats.items():
        for beat in beats:
            for h, _ in beat:
                holders.setdefault(h, set()).add(s)

    def drives(s2: int, s: int, beat) -> bool:
        net = nets.get(s2)
        if net is None:
            return False
        local = {int(h): i for i, h in enumerate(net.stops)}
        for h, ph in beat:
            i = local.get(h)
            if i is None or ph < net.out_steps[i] * w.grid or ph + net.dwell_min[i] + net.back_min[i] > plan.interval:
                return False
            others = holders[h] - {s}
            if w.sync[h] and not (others and others <= w.partners.get((int(p.hotspot_zone[h]), s2), frozenset())):
                return False
        return True

    out = []
    for s, beats in sorted(plan.beats.items()):
        for beat in beats:
            zones = {int(p.hotspot_zone[h]) for h, _ in beat}
            able = set().union(*(p.zone_members[z] for z in zones)) - {s}
            for s2 in sorted(x for x in able if drives(x, s, beat)):
                one = BeatPlan(plan.interval, plan.length, plan.starts, {s2: (beat,)}, plan.status, 0.0)
                out.extend(beat_columns(one))
    return out
