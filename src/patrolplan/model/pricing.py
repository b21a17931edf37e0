r"""Loops priced, not listed: each station's best loop shift for given row duals (visits.rendezvous).

A **loop column** of station ``s`` is a shift (a start on the shift grid, an allowed length
``L``) that drives out, makes a timed sequence of visits at hotspots of its zones
(:attr:`~patrolplan.model.rules.visits.Windows.stops`) and drives back:

* arrivals lie on the grid of ``g = visits.grid_minutes``; the first is at least the road
  minutes out after the start (rounded up to the grid); each visit lasts the hotspot's dwell;
  the next arrival is at least the dwell plus the road minutes between the two (rounded up
  to the grid) after the one before; between them the team waits (at the stop or on its way);
* every visit leaves time to drive back to the station from it before the shift ends, and the
  last one does;
* two visits in a row at one stop are at least ``every - check + grid`` minutes apart (longer
  than any window row, so the second is never the first's twin; a team that stays waits).

Its cost is the model's (:func:`~patrolplan.model.rules.shifts.cost_hours`: team-hours plus
``objective.travel`` x the road minutes out to the first stop and back from the last; a wait at
the station before or after is no travel, like a wait at a stop) plus
``visits.visit_cost_minutes`` per visit. Its reduced cost for row
duals ``y`` is a constant of its frame (station, start, length: the rows of capacity, rest,
shift cap, availability, fairness) plus, per visit at ``(h, tau)``, the visit cost less the
duals of the window rows (or, at a joint hotspot, the link rows) the visit enters.

A window row counts a column once however often it visits in it, so that value is not a sum
over visits when a loop comes back to a stop within one window by way of other stops. Pricing
counts every visit in full: it never values a loop below its worth, so the loop it finds is
one of least *relaxed* reduced cost, a lower bound on every loop's reduced cost (what the
proof of the bound needs); the master takes the loops whose true reduced cost is negative.

**Pricing** is therefore a shortest path on a time-expanded DAG per station and length: nodes
``(stop, arrival)`` on the grid, arcs "dwell, then drive to a stop and wait there until an
arrival", "dwell, then drive home", and "drive out and wait until the first arrival". Time
only increases, so one backward pass over the arrival steps finds, for every start at once
(numpy over the starts), the best loop exactly; repeated visits to one hotspot at different
times are wanted, so no elementarity is needed. The same pass with made-up values gives the
first columns (one per frame a loop fits, so that every frame has a column the master LP
prices it by).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from patrolplan.inputs.network import UNREACHABLE_MIN
from patrolplan.model.rules import visits as visit_rule
from patrolplan.model.rules.shifts import shift_starts
from patrolplan.model.rules.visits import LoopColumn, check_step

__all__ = ["StationNet", "LoopColumn", "station_nets", "best_loops", "value_of_duals", "seed_values", "horizon_grid",
           "price_all", "enumerated_loops", "with_seed_loops", "MASTER_MAX_ROWS", "master_rows"]


@dataclass(frozen=True)
class StationNet:
    """One station's stops and road minutes, on the grid."""

    station: int
    stops: np.ndarray  # [n] hotspot indices
    out_min: np.ndarray  # [n] road minutes from the station (planned)
    out_steps: np.ndarray  # [n] grid steps from the start to the earliest arrival
    back_min: np.ndarray  # [n] minutes from a stop back to the station
    step: np.ndarray  # [n, n] grid steps from an arrival at a to the earliest arrival at b (dwell + road)
    dwell_min: np.ndarray  # [n]


def station_nets(p) -> list[StationNet]:
    """The pricing network of every station with visit stops (``p``: a Problem with windows)."""
    g = p.windows.grid
    out = []
    for s, stops in enumerate(p.windows.stops):
        if not stops:
            continue
        st = np.asarray(stops, dtype=np.int64)
        o = p.out_min[s, st].astype(np.int64)
        dwell = p.visit_dwell_min[st].astype(np.int64)
        hop = p.hop_min[np.ix_(st, st)].astype(np.int64)
        np.fill_diagonal(hop, 0)
        far = (o >= UNREACHABLE_MIN) | (p.back_min[st, s] >= UNREACHABLE_MIN)
        out_steps = np.where(far, 1 << 30, -(-o // g))
        step = -(-(dwell[:, None] + hop) // g)
        # a visit again at the same stop right after waits longer than any window (see the docstring)
        again = -(-(p.visit_every_min[st] - np.array([check_step(p.config, int(e)) for e in p.visit_every_min[st]]) + g) // g)
        step[np.arange(st.size), np.arange(st.size)] = np.maximum(np.diag(step), again)
        step = np.where(hop >= UNREACHABLE_MIN, 1 << 30, np.maximum(step, 1))
        out.append(StationNet(s, st, o, out_steps.astype(np.int64), p.back_min[st, s].astype(np.int64),
                              step.astype(np.int64), dwell))
    return out


def horizon_grid(p) -> tuple[int, int]:
    """``(t0, n)``: the grid minutes ``t0 + i g`` (``i < n``) any loop column may visit at."""
    g = p.windows.grid
    longest = max(p.config.rules.shift_minutes)
    first = -((longest - 1) // p.config.rules.shift_start_every_minutes) * p.config.rules.shift_start_every_minutes
    return int(first), int((p.config.horizon_minutes + longest - first) // g + 1)


def value_of_duals(p, y_window: np.ndarray, y_link: np.ndarray) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Hours a visit earns from the duals: ``own[h, i]`` (window rows of hotspots without
    meetings) on the grid of :func:`horizon_grid`, and per station ``joint[s][h, i]`` (link
    rows whose set holds ``s``), the visit cost not yet taken off."""
    w = p.windows
    g = w.grid
    t0, n = horizon_grid(p)
    n_h = len(p.hotspot_ids)
    diff = np.zeros((n_h, n + 1))
    own = ~w.sync[w.hotspot]
    np.add.at(diff, (w.hotspot[own], (w.lo[own] - t0) // g), y_window[own])
    np.add.at(diff, (w.hotspot[own], (w.hi[own] - t0) // g + 1), -y_window[own])
    own_value = np.cumsum(diff, axis=1)[:, :n]
    joint: dict[int, np.ndarray] = {}
    if w.link_meet.size:
        member = np.zeros((len(w.allowed), len(p.station_ids)), dtype=bool)
        for q, sset in enumerate(w.allowed):
            member[q, list(sset)] = True
        for s in range(len(p.station_ids)):
            if not any(w.sync[h] for h in w.stops[s]):
                continue
            per_meet = np.bincount(w.link_meet, weights=y_link * member[w.link_set, s], minlength=w.meet_hotspot.size)
            v = np.zeros((n_h, n))
            v[w.meet_hotspot, (w.meet_time - t0) // g] = per_meet
            joint[s] = v
    return own_value, joint


def seed_values(p) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Made-up values for the first columns: at every visit hotspot one hour per window for a
    visit at the minutes of a common beat (every interval less the check step, plus the grid:
    one visit per window), so that the first loops pause between visits like the ones
    pricing finds later, and partners' first loops meet."""
    w = p.windows
    t0, n = horizon_grid(p)
    minutes = t0 + w.grid * np.arange(n)
    check = np.array([check_step(p.config, int(e)) if e > 0 else w.grid for e in p.visit_every_min])
    beat = np.maximum((p.visit_every_min - check + w.grid) // w.grid * w.grid, w.grid)
    own, _ = value_of_duals(p, np.ones(w.n_windows), np.zeros(w.link_meet.size))
    own = own * ((minutes[None, :] % beat[:, None]) == 0)
    y_link = np.zeros(w.link_meet.size)
    if w.link_meet.size:
        y_link = ((w.meet_time % beat[w.meet_hotspot]) == 0)[w.link_meet].astype(float)
    _, joint = value_of_duals(p, np.zeros(w.n_windows), y_link)
    return own, joint


def best_loops(net: StationNet, *, grid: int, length: int, starts: np.ndarray, value: np.ndarray, t0: int,
               travel_per_min: float, frame_cost: np.ndarray) -> list[LoopColumn | None]:
    """The loop of least reduced cost for each start (None where no loop fits): ``value[i, t]``
    hours a visit at stop ``i`` (local index) arriving at grid minute ``t0 + t g`` earns (the
    visit cost taken off), ``frame_cost`` the frame's constant per start, ``travel_per_min``
    the objective's hours per minute out or back."""
    n, n_s, R = net.stops.size, starts.size, length // grid
    if n == 0 or n_s == 0 or R == 0:
        return [None] * n_s
    r = np.arange(R)
    base = (starts - t0) // grid
    vals = value[:, base[:, None] + r[None, :]].transpose(1, 0, 2)  # [n_s, n, R]
    feas = (r[None, :] >= net.out_steps[:, None]) & (
        r[None, :] * grid + net.dwell_min[:, None] + net.back_min[:, None] <= length)  # [n, R]
    home = np.where(feas, travel_per_min * net.back_min[:, None] * np.ones((1, R)), np.inf)
    V = np.full((n_s, n, R), np.inf)
    M = np.full((n_s, n, R + 1), np.inf)
    arg = np.full((n_s, n, R + 1), R, dtype=np.int64)
    nxt = np.full((n_s, n, R), -1, dtype=np.int64)
    cols = np.broadcast_to(np.arange(n)[None, :], (n, n))
    for rr in range(R - 1, -1, -1):
        if not feas[:, rr].any():
            M[:, :, rr] = M[:, :, rr + 1]
            arg[:, :, rr] = arg[:, :, rr + 1]
            continue
        tgt = np.minimum(rr + net.step, R)
        cand = M[:, cols, tgt]  # [n_s, n, n]
        k = cand.argmin(axis=2)
        best = np.take_along_axis(cand, k[..., None], axis=2)[..., 0]
        go_home = home[None, :, rr] <= best
        v = np.where(feas[None, :, rr], np.where(go_home, home[None, :, rr], best) - vals[:, :, rr], np.inf)
        V[:, :, rr] = v
        nxt[:, :, rr] = np.where(go_home, -1, k)
        earlier = v <= M[:, :, rr + 1]
        M[:, :, rr] = np.where(earlier, v, M[:, :, rr + 1])
        arg[:, :, rr] = np.where(earlier, rr, arg[:, :, rr + 1])
    total = (V + travel_per_min * net.out_min[None, :, None]).reshape(n_s, -1)
    pos = total.argmin(axis=1)
    best = total[np.arange(n_s), pos]
    out: list[LoopColumn | None] = []
    for i in range(n_s):
        if not np.isfinite(best[i]):
            out.append(None)
            continue
        h, t = divmod(int(pos[i]), R)
        visits = []
        while True:
            visits.append((int(net.stops[h]), int(starts[i]) + t * grid))
            k = int(nxt[i, h, t])
            if k < 0:
                break
            t = int(arg[i, k, min(t + int(net.step[h, k]), R)])
            h = k
        out.append(LoopColumn(net.station, int(starts[i]), int(length), tuple(visits),
                              float(frame_cost[i] + best[i])))
    return out


def price_all(p, own: np.ndarray, joint: dict[int, np.ndarray], *, frame_cost, keep: int | None = None,
              below: float | None = None, nets: list[StationNet] | None = None,
              least: dict | None = None, stop_value: dict[int, np.ndarray] | None = None) -> list[LoopColumn]:
    """The best loop of every frame (station, start on the grid, allowed length) from the
    visit values ``own``/``joint`` (:func:`value_of_duals`; the visit cost is taken off here).
    ``frame_cost(s, L, starts)``: the frames' constants (None: 0, for the first columns);
    ``below``: keep only loops of reduced cost below it; ``keep``: at most that many per
    station and length, the most negative first. ``least``: filled with each station's least
    reduced cost over all its frames (the Lagrangian bound's term). ``stop_value``: per station,
    hours a visit at each hotspot earns whenever it comes (the staggered share's duals:
    ``rules/staggered.py`` ``stop_values``)."""
    g = p.windows.grid
    t0, _ = horizon_grid(p)
    cost_h = p.config.visits.visit_cost_minutes / 60
    travel = p.config.objective.travel / 60
    out: list[LoopColumn] = []
    for net in nets if nets is not None else station_nets(p):
        value = own[net.stops].copy()
        if net.station in joint:
            sync = p.windows.sync[net.stops]
            value[sync] = joint[net.station][net.stops[sync]]
        value -= cost_h
        if stop_value is not None and net.station in stop_value:
            value += stop_value[net.station][net.stops][:, None]
        for L in p.config.rules.shift_minutes:
            starts = shift_starts(p.config, L)
            fc = np.zeros(starts.size) if frame_cost is None else frame_cost(net.station, L, starts)
            ok = np.isfinite(fc)
            found = best_loops(net, grid=g, length=int(L), starts=starts[ok], value=value, t0=t0,
                               travel_per_min=travel, frame_cost=fc[ok])
            found = [c for c in found if c is not None]
            if least is not None and found:
                least[net.station] = min(least.get(net.station, np.inf), min(c.reduced_cost for c in found))
            if below is not None:
                found = sorted((c for c in found if c.reduced_cost < below), key=lambda c: c.reduced_cost)[:keep]
            out.extend(found)
    return out


def enumerated_loops(p) -> list[LoopColumn]:
    """The loop columns of the enumerated model (rules/visits.py ``candidate_loops``: a joint
    loop's two halves alike), each visit moved to the grid: an arrival no earlier than its own
    nor than the last one's grid step allows; a visit that would break the column definition
    (a repeat too soon, no time to drive back) is left out. The first columns then hold a plan
    of the enumerated model (up to the grid), so rendezvous starts from it."""
    w = p.windows
    g = w.grid
    need = p.visit_need
    guard = visit_rule.guard_slots(need, p.demand, p.visit_every_min, p.visit_dwell_min, p.slot_min)
    loops, _ = visit_rule.candidate_loops(
        p.config, teams=p.teams, hotspot_zone=p.hotspot_zone, zone_mode=p.zone_mode, zone_members=p.zone_members,
        zone_jurisdiction_groups=p.zone_jurisdiction_groups, need=need, guard=guard, dwell_h=p.visit_dwell_min,
        every_h=p.visit_every_min, out_min=p.out_min, back_min=p.back_min, hop_min=p.hop_min,
        starts_by_len={L: shift_starts(p.config, L) for L in p.config.rules.shift_minutes})
    nets = {net.station: net for net in station_nets(p)}
    out = []
    c = loops.columns
    for j in range(loops.loop.size):
        net = nets.get(int(c["station"][j]))
        if net is None:
            continue
        local = {int(h): i for i, h in enumerate(net.stops)}
        start, length = int(c["start"][j]), int(c["len"][j])
        a, b = int(loops.visit_ptr[j]), int(loops.visit_ptr[j + 1])
        visits: list[tuple[int, int]] = []
        prev = None
        for h, t in zip(loops.visit_hotspot[a:b], loops.visit_arrive_min[a:b]):
            i = local.get(int(h))
            if i is None:
                break
            r = max(-(-(int(t) - start) // g), int(net.out_steps[i]) if prev is None else prev[1] + int(net.step[prev[0], i]))
            if r * g + int(net.dwell_min[i]) + int(net.back_min[i]) > length:
                break
            visits.append((int(h), start + r * g))
            prev = (i, r)
        if visits:
            out.append(LoopColumn(int(c["station"][j]), start, length, tuple(visits)))
    return out


#: rows of the master LP (window and link rows) above which column generation is not tried and
#: no first loops are made: the week is planned from beats (model/beats.py). Measured on 2
#: cores: the Jining demo's master (38 k rows) solves in seconds and runs its rounds; at Jining
#: scale (154 k and 197 k rows, over 130 k first loops) the first master LP did not solve in 15 s
#: (nor in 60 s), and the province's (1.5 M rows) not in 75 s, while its first loops took most of
#: a 150 s build and 20 GB
MASTER_MAX_ROWS = 100_000


def master_rows(p) -> int:
    """Rows of the master LP's visit families: window rows and link rows."""
    return int(p.windows.n_windows + p.windows.link_meet.size)


def with_seed_loops(p):
    """``p`` with its first loop columns (visits.rendezvous): one per frame (station, start,
    length) a loop fits (:func:`seed_values`), and the enumerated loops on the grid
    (:func:`enumerated_loops`); ``p`` itself without windows, or when its master would be too
    large for column generation (:data:`MASTER_MAX_ROWS`). Whoever makes a week's Problem to
    plan it applies this (``solver.solve.prepare``; ``solve`` for a Problem made by hand, the
    explanation for its relaxed weeks): ``Problem`` knows nothing of pricing."""
    if p.windows is None or master_rows(p) > MASTER_MAX_ROWS:
        return p
    own, joint = seed_values(p)
    first = price_all(p, own, joint, frame_cost=None, keep=1)
    return p.with_loop_columns(first + enumerated_loops(p))
