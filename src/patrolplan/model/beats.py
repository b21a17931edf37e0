r"""Beats: every station's loop repeats one cycle of the visit interval, partners meeting on it
(visits.rendezvous, at a scale where column generation's master LP does not solve in time).

A **beat plan** gives every visit hotspot ``h`` a phase ``phi_h`` (a multiple of the check step
``c`` in ``[0, e_h)``, ``e_h`` its interval; the cycle ``e`` is the longest interval, and every
other divides it) and one station (two of a joint hotspot, partners:
stations that make its visit joint, :attr:`~patrolplan.model.rules.visits.Windows.partners`);
each station runs up to a few **beats**: sets of its hotspots, each driven by one team at a time
in the same shifts (:func:`frames`: whole cycles starting on multiples of ``e``, end to end over
the cycles that touch visit hours, the fewest team-minutes), visiting ``h`` at every minute
``phi_h + n e_h`` of the shift (``e / e_h`` times a cycle). A joint hotspot's two stations
arrive at the same minutes, so they meet at every visit. In a week that also asks for posts,
the posts are staffed around the beats (solver/solve.py).

Why the visits keep the rule. Visit hours start at a multiple of ``c`` (slots of whole
quarter-hours), and the window rows (rules/visits.py :class:`Windows`) ask for a visit start in
``[a + c (i + 1), a + e_h + c i]``: ``e_h / c`` consecutive multiples of ``c``, one of each
residue modulo ``e_h``, so one of them is ``phi_h`` modulo ``e_h``, in a cycle that touches the
visit hours (``phi_h > 0``: never at a cycle's first minute), which a shift drives. A shift is
whole cycles starting on a multiple of ``e``, so the next team takes over on the same minutes:
the phase must leave time to drive out before the first visit (``phi_h >= out``) and to stay
the dwell and drive back after the last (``phi_h + dwell + back <= e_h``). Within a beat, two hotspots' visits lie at least the dwell and
the road minutes apart (on the grid), both ways round the cycle: their phases, modulo the gcd of
their intervals.

The first plan is a small CP-SAT model (:class:`_BeatModel`, solved by
:func:`patrolplan.solver.beat_design.design`): per hotspot its phase, per station and
beat which hotspots it holds, the beats' orders as pairwise disjunctions. The fewest beats come
first; then each hotspot held costs the road minutes to it from the station and back, and a
beat whose one stop is a joint hotspot a little more (:data:`LONE_JOINT`). A station runs at
most as many beats as its teams keep going all week (shift cap, rest, availability). The same
design is then solved from that plan as a set-partitioning MIP (:func:`set_model`: every beat
a station may run is a column), which finds better plans at scale and proves the fewest beats
any beat plan of the week needs (``least_beats``): a bound of beat plans, not of the rendezvous
model. The columns (:func:`beat_columns`) are loop columns of the rendezvous model like any
other: the model, the MIP and named teams take them from there, and ``patrolplan check``
measures the visits. A hotspot that no station can hold on a beat (a phase range left empty by
long roads, stations without the teams) makes the plan None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from patrolplan.model.build import LinearModel
from patrolplan.model.pricing import station_nets
from patrolplan.model.rules import availability, max_shifts, published
from patrolplan.model.rules.capacity import occupied
from patrolplan.model.rules.shifts import shift_starts
from patrolplan.model.rules.visits import LoopColumn, check_step

__all__ = ["BeatPlan", "Scope", "SetModel", "applicable", "beat_columns", "cut_of", "frames", "kept_phases", "open_windows",
           "published_beats", "replan_frames", "scope", "set_model", "turn_columns"]

#: most beats one station runs at once
MAX_BEATS = 3
#: extra cost of a beat whose one stop is a joint hotspot, as a share of a beat's
LONE_JOINT = 0.05
#: most partial beats the set design (:func:`set_model`) may meet in its search; above it the
#: design goes to CP-SAT alone
MAX_BEAT_NODES = 500_000


@dataclass(frozen=True)
class BeatPlan:
    """A beat plan (see the module docstring): ``beats`` per station, each ``((h, phase), ...)``
    in phase order; ``frames`` every beat's shifts, ``(start, minutes)``."""

    interval: int
    frames: tuple[tuple[int, int], ...]
    beats: dict[int, tuple[tuple[tuple[int, int], ...], ...]]
    status: str
    seconds: float
    objective: float = 0.0  # the design's (:meth:`_BeatModel.weights`): beats first, then road minutes, LONE_JOINT
    least_beats: int | None = None  # no beat plan of the week has fewer beats (:class:`SetModel`); None: not known
    #: hotspot -> its interval where shorter than ``interval`` (it divides it: the stop is
    #: visited ``interval // every`` times a cycle, at ``phase + n every``)
    every: dict[int, int] = field(default_factory=dict)

    @property
    def n_beats(self) -> int:
        return sum(len(b) for b in self.beats.values())

    @property
    def length(self) -> int:
        """The longest of a beat's shifts, minutes (0: none, a re-plan after the last started)."""
        return max((L for _, L in self.frames), default=0)

    @property
    def team_minutes(self) -> int:
        """The plan's team-minutes: every beat driven in every one of its shifts."""
        return self.n_beats * sum(L for _, L in self.frames)

    def every_of(self, h: int) -> int:
        """Hotspot ``h``'s interval: its visits come at ``phase + n every_of(h)``."""
        return self.every.get(h, self.interval)


@dataclass(frozen=True)
class Scope:
    """What a beat plan of a week is made of (:func:`scope`): the cycle ``e`` (the longest
    interval) and the check step ``c``; the beats' shifts ``frames`` (every shift of the week, or
    a re-plan's from the cut on); the ``wanted`` hotspots the beats hold and each one's ``kept``
    phases; and a re-plan's published beats, per station the stops of each with their phases
    (:func:`published_beats`; None where no roster is kept: a fresh week or a roll-over)."""

    e: int
    c: int
    frames: tuple[tuple[int, int], ...]
    wanted: tuple[int, ...]
    kept: dict[int, np.ndarray]
    published: dict[int, frozenset[frozenset[tuple[int, int]]]] | None = None


def applicable(p) -> str | None:
    """None when a beat plan may be made for ``p``, else why not."""
    found = scope(p)
    return found if isinstance(found, str) else None


def scope(p) -> Scope | str:
    """The :class:`Scope` of a beat plan of ``p``, or why there is none.

    A re-plan (``replan``: rows kept before the cut, published rows after it): its beats drive
    the shifts from the cut on (:func:`replan_frames`) and keep the window rows the kept rows
    leave open (:func:`open_windows`), so the visits go on where history leaves off; only
    hotspots with such a window are held, and the published beats are priced to stay
    (:meth:`_BeatModel.changed`)."""
    w = p.windows
    if w is None:
        return "no visit demand in the rendezvous model"
    wanted = np.nonzero(p.visit_need.any(axis=1))[0]
    every = np.unique(p.visit_every_min[wanted])
    e, listed = int(every.max()), ", ".join(str(int(x)) for x in every)
    if (e % every).any():
        return f"visit intervals ({listed} min) do not all divide the longest"
    steps = {check_step(p.config, int(x)) for x in every}
    if len(steps) != 1:
        return f"the visit intervals' check steps differ ({', '.join(str(x) for x in sorted(steps))} min)"
    c = steps.pop()
    if any(int(x) % c for x in every) or c % w.grid:
        return f"an interval ({listed} min) is no whole number of check steps ({c} min) on the grid"
    need = p.visit_need[wanted].astype(bool)
    opens = need & ~np.pad(need, ((0, 0), (1, 0)))[:, :-1]  # the first slot of each run of visit hours
    if (np.nonzero(opens)[1] * p.slot_min % c).any():
        return f"visit hours start off the check step ({c} min), where the window rows hold no phase of a beat"
    shifts = frames(p, e)
    if shifts is None:
        return f"no shift length is whole intervals ({e} min) starting on multiples of it on the shift grid"
    cut, published, rows = cut_of(p), None, None
    ours = shifts if cut is None else replan_frames(shifts, cut)
    if cut is not None:
        rows = open_windows(p, ours[0][0] if ours else int(p.config.horizon_minutes))
        wanted = wanted[[bool(rows[w.hotspot == h].any()) for h in wanted]]
        published = published_beats(p)
    kept = kept_phases(p, ours, e, c, rows=rows)
    lost = [p.hotspot_ids[h] for h in wanted if kept[int(h)].size == 0]
    if lost:
        return (f"no phase of a beat keeps every visit window of hotspot {lost[0]}"
                + (f" (and {len(lost) - 1} more)" if len(lost) > 1 else "")
                + ": visit hours shorter than the interval, or cut by a post or the week's end"
                + ("" if cut is None else ", or by the kept rows' last visits before the beats' first shift"))
    return Scope(e, c, ours, tuple(int(h) for h in wanted), kept, published)


def cut_of(p) -> int | None:
    """A re-plan's cut, minutes (0 where only pinned rows are kept); None where the week keeps
    no published row (a fresh week, or a roll-over: ``solve --previous`` gives busy teams only)."""
    pub = p.published
    if pub is None or not (pub.fixed or pub.reuse or pub.cut_min is not None):
        return None
    return int(pub.cut_min or 0)


def replan_frames(shifts: tuple[tuple[int, int], ...], cut: int) -> tuple[tuple[int, int], ...]:
    """The beats' shifts of a re-plan: those starting at or after the cut (no new shift starts
    before it; the published beat shift under way at the cut is history and runs to its end,
    where the next starts)."""
    return tuple(f for f in shifts if f[0] >= cut)


def open_windows(p, since: int) -> np.ndarray:
    """A re-plan's window rows its beats must keep: those ending at or after ``since`` (the
    beats' first shift) that no visit of the kept rows (history and pinned) keeps. A kept visit
    at a joint hotspot counts where two stations' kept rows arrive at the same minute (a beat
    plan's meeting)."""
    w = p.windows
    arrive: dict[int, dict[int, set[int]]] = {}
    for r in p.published.fixed:
        for h, t in r.visits:
            arrive.setdefault(int(h), {}).setdefault(int(t), set()).add(int(r.station))
    rows = w.hi >= since
    for h, at in arrive.items():
        times = np.array(sorted(t for t, stations in at.items() if not w.sync[h] or len(stations) >= 2),
                         dtype=np.int64)
        mine = np.nonzero(rows & (w.hotspot == h))[0]
        if times.size and mine.size:
            first = np.searchsorted(times, w.lo[mine])  # the first kept visit at or after each window's start
            rows[mine] = ~((first < times.size) & (times[np.minimum(first, times.size - 1)] <= w.hi[mine]))
    return rows


def published_beats(p) -> dict[int, frozenset[frozenset[tuple[int, int]]]]:
    """Per station, its published beats after the cut: each published loop row's stops with
    their phases (``(h, minute modulo h's interval)``, as a beat plan's), leaving out those
    inside another of the station's (a loop trimmed of its stops beyond need at the visit
    hours' end)."""
    sets: dict[int, set[frozenset[tuple[int, int]]]] = {}
    for r in p.published.reuse:
        if r.visits:
            stops = frozenset((int(h), int(t) % int(p.visit_every_min[h])) for h, t in r.visits)
            sets.setdefault(int(r.station), set()).add(stops)
    return {s: frozenset(a for a in found if not any(a < b for b in found)) for s, found in sets.items()}


def kept_phases(p, shifts: tuple[tuple[int, int], ...], e: int, c: int, *, rows: np.ndarray | None = None
                ) -> dict[int, np.ndarray]:
    """Per visit hotspot ``h``: the phases (multiples of ``c`` in ``[0, e_h)``) whose visits in
    the beats' ``shifts`` (at every minute ``phase + n e_h`` of a driven cycle) fall into every
    window row of ``h``. Most windows hold one minute of every phase; a window of visit hours
    shorter than the interval (cut by a post or the week's end too) or whose clock starts a
    dwell before them (after a post) holds fewer, and a beat's phase must be one of those.
    ``rows``: the window rows that count (a re-plan's :func:`open_windows`; None: all)."""
    w = p.windows
    n_c = -(-int(p.config.horizon_minutes) // e)
    driven = np.zeros(n_c + 2, dtype=bool)
    for t, L in shifts:
        driven[max(0, t // e): max(0, min(n_c + 2, (t + L) // e))] = True
    out: dict[int, np.ndarray] = {}
    for h in np.nonzero(p.visit_need.any(axis=1))[0]:
        h, e_h = int(h), int(p.visit_every_min[h])
        ph = np.arange(0, e_h, c, dtype=np.int64)
        mine = w.hotspot == h
        if rows is not None:
            mine &= rows
        lo, hi = w.lo[mine][:, None], w.hi[mine][:, None]
        first = lo + (ph[None, :] - lo) % e_h  # the first minute from lo of each phase
        ok = np.zeros(first.shape, dtype=bool)
        for v in (first, first + e_h):
            cyc = np.clip(v // e, 0, n_c + 1)
            ok |= (v <= hi) & (v >= 0) & driven[cyc]
        out[h] = ph[ok.all(axis=0)]
    return out


def frames(p, e: int) -> tuple[tuple[int, int], ...] | None:
    """Every beat's shifts ``(start, minutes)``: whole cycles of ``e`` starting on a multiple of
    ``e`` (and on the shift-start grid), laid end to end over the cycles ``[n e, (n + 1) e)``
    that overlap visit hours, the fewest team-minutes and then the fewest shifts: a shortest
    path over the cycles, a cycle no visit hour touches skipped for nothing. A 24/7 week gets
    the longest such shift end to end from midnight (8 h: 00:00, 08:00, 16:00); visits from
    20:00 to 02:00 one 8-hour shift a night instead of 16:00-24:00 and 00:00-08:00. None when
    no allowed shift length is whole cycles. Why by hand: a shortest path over at most a few
    hundred cycles and two or three lengths is a dozen lines; a graph library adds nothing."""
    lengths = sorted({int(L) for L in p.config.rules.shift_minutes if int(L) % e == 0}, reverse=True)
    if not lengths:
        return None
    n_c = -(-int(p.config.horizon_minutes) // e)
    asked = np.nonzero(p.visit_need.any(axis=0))[0] * p.slot_min  # slot starts
    cyc = np.arange(n_c, dtype=np.int64) * e
    touched = ((asked[None, :] < cyc[:, None] + e) & (asked[None, :] + p.slot_min > cyc[:, None])).any(axis=1)
    grid = {L: set(shift_starts(p.config, L).tolist()) for L in lengths}
    best: list[tuple[float, float]] = [(math.inf, math.inf)] * (n_c + 1)
    came: list[tuple[int, int] | None] = [None] * (n_c + 1)  # (from cycle, shift minutes or 0: skipped)
    best[0] = (0, 0)
    for k in range(n_c):
        if best[k][0] == math.inf:
            continue
        steps = [] if touched[k] else [(k + 1, 0)]
        steps += [(min(n_c, k + L // e), L) for L in lengths if k * e in grid[L]]
        for j, L in steps:
            cand = (best[k][0] + L, best[k][1] + (L > 0))
            if cand < best[j]:
                best[j], came[j] = cand, (k, L)
    if best[n_c][0] == math.inf:
        return None
    out, j = [], n_c
    while j > 0:
        k, L = came[j]
        if L:
            out.append((k * e, L))
        j = k
    return tuple(reversed(out))


def _max_beats(p, s: int, shifts: tuple[tuple[int, int], ...]) -> int:
    """Beats station ``s`` can keep in all the beats' ``shifts``: the shift cap, the teams its
    shifts and their rest keep at once beside teams already busy (last week's, ``solve
    --previous``: a night shift and its rest into Monday; a re-plan's history rows before the
    cut and their rest), and each day's available teams, as the availability rule counts them
    (a team may start two of a day's shifts where the rest between them allows)."""
    starts = np.asarray([t for t, _ in shifts], dtype=np.int64)
    n = int(starts.size)
    spans = [(lo, hi) for s2, _, lo, hi, _ in published.busy_intervals(p) if s2 == s]
    cut, history = cut_of(p), 0
    if cut is not None:  # history happened: its teams rest, its shifts count against the cap
        _, outside = published.fixed_counts(p)  # already among busy_intervals
        kept = [r for r in p.published.fixed if r.station == s and r.start_min < cut]
        history = len(kept)
        spans += [(r.start_min, r.start_min + r.len_min + p.min_rest_min) for r in kept
                  if not any(r is o for o in outside)]
    by_cap = max(0, max_shifts.station_cap(p, s) - history) // max(n, 1)
    frm, until = occupied(starts, np.asarray([L for _, L in shifts], dtype=np.int64), p.min_rest_min)
    at_once = ((frm[None, :] <= frm[:, None]) & (frm[:, None] < until[None, :])).sum(axis=1)
    busy = np.zeros(n, dtype=np.int64)
    for lo, hi in spans:
        busy += (lo <= frm) & (frm < hi)
    by_teams = max(0, int(((int(p.teams[s]) - busy) // np.maximum(at_once, 1)).min())) if n else 0
    day, by_day = starts // (24 * 60), 1 << 30
    for d in np.unique(day):  # the availability rule's two rows (rules/availability.py) on each day's shifts
        a = availability.teams_on(p, s, int(d))
        if a is None:
            continue
        mine = day == d
        occupancy = int(((frm[None, mine] <= frm[mine, None]) & (frm[mine, None] < until[None, mine])).sum(axis=1).max())
        by_day = min(by_day, int(a) // occupancy, int(a) * availability.starts_per_team_day(p) // int(mine.sum()))
    return int(min(MAX_BEATS, by_cap, by_teams, by_day))


@dataclass(frozen=True)
class SetModel:
    """The beat design as a set-partitioning MIP (:func:`set_model`; solved by
    :func:`patrolplan.solver.beat_design.set_design`). ``model``: the MIP, None when some wanted
    hotspot is on no beat (then no beat plan exists); ``found``: each beat column's station and
    ``((h, phase), ...)``, the first ``len(found)`` variables; ``beat``: the cost of one beat
    (:meth:`_BeatModel.weights`); ``start``: the values of a plan to start from, or None;
    ``changes``: the costs price the published beats a re-plan changes
    (:meth:`_BeatModel.changed`), so they count no beats."""

    model: LinearModel | None
    found: list[tuple[int, tuple[tuple[int, int], ...]]]
    beat: int
    start: np.ndarray | None
    changes: bool = False

    def beats(self, x) -> dict[int, tuple[tuple[tuple[int, int], ...], ...]]:
        """The beats of the MIP's solution ``x``, per station."""
        out: dict[int, list] = {}
        for j in np.nonzero(np.asarray(x[:len(self.found)]) > 0.5)[0]:
            s, beat = self.found[int(j)]
            out.setdefault(s, []).append(beat)
        return {s: tuple(b) for s, b in sorted(out.items())}

    def least_beats(self, bound: float | None) -> int | None:
        """The fewest beats of any beat plan, from a lower bound of the MIP's objective: beats
        times ``beat`` plus the rest, where ``0 <= rest < beat``. None where the bound (or its
        absence) shows no beat: true of every week (a visit week needs one), so it says nothing
        (the MIP stopped before its bound rose), and in a re-plan, whose costs put changes first."""
        least = None if bound is None or self.changes else math.ceil((bound * (1 - 1e-9) - self.beat + 1) / self.beat)
        return least if least is not None and least > 0 else None


def set_model(bm: "_BeatModel", nets, start: BeatPlan | None = None) -> SetModel | None:
    """The beat design as a set-partitioning MIP, exact. A column is a beat a station may run:
    a set of its hotspots with phases that keep each stop's range and lie the dwell and road
    apart both ways round the cycle (every such beat, :func:`_beats_of`; beats alike but for the
    phases of their stops that are not joint are one column). Rows: each station at most its
    beats; each hotspot held once, a joint one by two partner stations at one phase (a binary per
    joint hotspot and phase); costs as CP-SAT's (:meth:`_BeatModel.weights`). None when the
    search meets more than :data:`MAX_BEAT_NODES` partial beats."""
    columns = _set_columns(bm, nets)
    if columns is None:
        return None
    found = list(columns.values())
    beat, lone = bm.weights()
    held = {h for _, stops in found for h, _ in stops}
    if any(h not in held for h in bm.wanted):
        return SetModel(None, found, beat, None)
    cost = [beat + sum(bm.road[s, h] for h, _ in stops) + (lone if len(stops) == 1 and bm.w.sync[stops[0][0]] else 0)
            + bm.changed(s, stops) for s, stops in found]
    model, y_of = _set_rows(bm, found, cost)
    return SetModel(model, found, beat, None if start is None else _set_start(bm, columns, y_of, model, start),
                    changes=bm.published is not None)


def _column_key(bm: "_BeatModel", s: int, stops) -> tuple:
    """One set design column per key: beats of station ``s`` alike but for the phases of their
    stops that are not joint; a re-plan's published beat is a column of its own (its phases are
    what the price of changes keeps, :meth:`_BeatModel.changed`)."""
    stops = tuple(stops)
    if bm.changed(s, stops) < 0:
        return s, stops
    return s, frozenset(h for h, _ in stops), tuple((h, ph) for h, ph in stops if bm.w.sync[h])


def _set_columns(bm: "_BeatModel", nets) -> dict[tuple, tuple[int, tuple[tuple[int, int], ...]]] | None:
    """Every beat column of the set design (:func:`set_model`), by :func:`_column_key`."""
    columns: dict[tuple, tuple[int, tuple[tuple[int, int], ...]]] = {}
    nodes = 0
    for net in nets:
        if (net.station, 0) not in bm.used:
            continue
        ok, first, last = bm.window(net)
        kept = {i: set(bm.kept[int(net.stops[i])].tolist()) for i in ok}
        for beat in _beats_of(net, ok, first, last, c=bm.c, g=bm.g, every=bm.every_of(net), kept=kept):
            nodes += 1
            if nodes > MAX_BEAT_NODES:
                return None
            stops = tuple((int(net.stops[i]), ph) for i, ph in beat)
            columns.setdefault(_column_key(bm, net.station, stops), (net.station, stops))
    return columns


def _set_rows(bm: "_BeatModel", found, cost: list[int]) -> tuple[LinearModel, dict[tuple[int, int], int]]:
    """The set design's MIP over the beat columns ``found`` (:func:`set_model`), and the
    variable of each joint hotspot's phase."""
    import scipy.sparse as sp

    w = bm.w
    by_s: dict[int, list[int]] = {}
    by_h: dict[int, list[int]] = {}
    by_hs: dict[tuple[int, int], list[int]] = {}
    by_phase: dict[tuple[int, int], list[int]] = {}
    for j, (s, beat) in enumerate(found):
        by_s.setdefault(s, []).append(j)
        for h, ph in beat:
            by_h.setdefault(h, []).append(j)
            by_hs.setdefault((h, s), []).append(j)
            if w.sync[h]:
                by_phase.setdefault((h, ph), []).append(j)
    n_x = len(found)
    y_of = {hp: n_x + i for i, hp in enumerate(sorted(by_phase))}  # the joint hotspot's phase
    n = n_x + len(y_of)
    rows, lo_r, hi_r = [], [], []

    def row(cols: dict, a: float, b: float) -> None:
        rows.append(cols), lo_r.append(a), hi_r.append(b)

    for s, js in by_s.items():
        row(dict.fromkeys(js, 1.0), 0.0, float(sum(1 for key in bm.used if key[0] == s)))
    for h in bm.wanted:
        row(dict.fromkeys(by_h[h], 1.0) if not w.sync[h] else {y: 1.0 for (h2, _), y in y_of.items() if h2 == h},
            1.0, 1.0)
    for (h, ph), js in by_phase.items():
        row({**dict.fromkeys(js, 1.0), y_of[h, ph]: -2.0}, 0.0, 0.0)
    for (h, s), js in by_hs.items():
        row(dict.fromkeys(js, 1.0), 0.0, 1.0)
        if w.sync[h]:
            mates = [j for s2 in w.partners.get((int(bm.p.hotspot_zone[h]), s), ()) for j in by_hs.get((h, s2), [])]
            row({**dict.fromkeys(js, 1.0), **dict.fromkeys(mates, -1.0)}, -np.inf, 0.0)
    r_idx = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    c_idx = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=r_idx.size)
    vals = np.fromiter((v for r in rows for v in r.values()), dtype=float, count=r_idx.size)
    A = sp.csr_matrix((vals, (r_idx, c_idx)), shape=(len(rows), n))
    model = LinearModel(n_shifts=n_x, col_lower=np.zeros(n), col_upper=np.ones(n),
                        col_cost=np.concatenate([np.asarray(cost, dtype=float), np.zeros(len(y_of))]),
                        col_integer=np.ones(n, dtype=bool), A=A,
                        row_lower=np.asarray(lo_r), row_upper=np.asarray(hi_r),
                        row_family=np.zeros(len(rows), dtype=np.int64), families=["beats"])
    return model, y_of


def _set_start(bm: "_BeatModel", columns, y_of, model: LinearModel, start: BeatPlan) -> np.ndarray | None:
    """The set design's values of ``start``: its beats' columns (by :func:`_column_key`) and
    each joint hotspot's phase; None when one of its beats is not a column of this week."""
    index = {key: j for j, key in enumerate(columns)}
    x = np.zeros(model.col_cost.size)
    for s, beats in start.beats.items():
        for beat in beats:
            j = index.get(_column_key(bm, s, beat))
            if j is None:
                return None
            x[j] = 1
            for h, ph in beat:
                if bm.w.sync[h]:
                    x[y_of[h, ph]] = 1
    return x


def _beats_of(net, ok: list[int], first, last, *, c: int, g: int, every, kept=None):
    """Every beat of ``net``'s stops ``ok``: ``((i, phase), ...)`` in phase order, phases on the
    check step ``c`` within each stop's range (``first``, ``last``) and among its ``kept``
    phases (:func:`kept_phases`, per stop index; None: all), every two stops the dwell
    and road apart both ways round the cycle (as :meth:`_BeatModel._apart`; ``every``: each
    stop's interval: two stops' visits lie apart modulo the gcd of theirs). Depth first over
    increasing phases, so each beat comes once."""
    lo = {i: -(-int(first[i]) // c) * c for i in ok}
    step = net.step
    period = {(i, j): math.gcd(int(every[i]), int(every[j])) for i in ok for j in ok}

    def apart(i: int, ph: int, j: int, pj: int) -> bool:
        d = (ph - pj) % period[i, j]  # ph >= pj; with one interval, d = ph - pj
        return d >= int(step[j, i]) * g and period[i, j] - d >= int(step[i, j]) * g

    def grow(beat):
        after = beat[-1][1] + c if beat else 0  # phases are whole check steps
        for i in ok:
            if any(i == j for j, _ in beat):
                continue
            for ph in range(max(lo[i], after), int(last[i]) + 1, c):
                if kept is not None and ph not in kept[i]:
                    continue
                if all(apart(i, ph, j, pj) for j, pj in beat):
                    more = (*beat, (i, ph))
                    yield more
                    yield from grow(more)

    yield from grow(())


class _BeatModel:
    """The CP-SAT model of a beat plan: ``phase[h]`` (minutes), ``used[s, k]`` (station ``s``
    runs beat ``k``), ``hold[h, s, k]`` (beat ``k`` of ``s`` holds ``h``), and its costs
    (:meth:`weights`)."""

    def __init__(self, p, sc: Scope | None = None) -> None:
        from ortools.sat.python import cp_model

        self.p, self.w, self.m = p, p.windows, cp_model.CpModel()
        sc = scope(p) if sc is None else sc  # a Scope (``p``'s, the caller's if given): callers ask applicable() first
        self.wanted = list(sc.wanted)
        self.every = {h: int(p.visit_every_min[h]) for h in self.wanted}  # each divides the cycle
        self.e, self.c, self.g = sc.e, sc.c, self.w.grid  # the cycle: the longest interval
        self.frames, self.kept, self.published = sc.frames, sc.kept, sc.published  # every hotspot some phase
        self.phase = {h: self.m.NewIntVarFromDomain(cp_model.Domain.FromValues(self.kept[h].tolist()), f"phase[{h}]")
                      for h in self.wanted}
        self.hold: dict[tuple[int, int, int], object] = {}
        self.used: dict[tuple[int, int], object] = {}
        self.road: dict[tuple[int, int], int] = {}  # (station, hotspot) -> road minutes out and back
        self.lone: list = []  # per beat that may hold a joint hotspot: its one stop is joint
        self._change: int | None = None  # a re-plan's price of a changed beat (:meth:`changed`)

    def add_station(self, net) -> None:
        """Station ``net.station``'s beats: each holds hotspots whose phase leaves the road out
        before it and the dwell and the road back after it within the cycle; two hotspots of
        one beat lie the dwell and the road minutes apart both ways round the cycle."""
        s, m = net.station, self.m
        ok, first, last = self.window(net)
        if not ok:
            return
        for k in range(_max_beats(self.p, s, self.frames)):
            used = self.used[s, k] = m.NewBoolVar(f"used[{s},{k}]")
            if k:
                m.AddImplication(used, self.used[s, k - 1])
            for i in ok:
                h = int(net.stops[i])
                x = self.hold[h, s, k] = m.NewBoolVar(f"hold[{h},{s},{k}]")
                m.AddImplication(x, used)
                m.Add(self.phase[h] >= int(first[i])).OnlyEnforceIf(x)
                m.Add(self.phase[h] <= int(last[i])).OnlyEnforceIf(x)
                self.road[s, h] = int(net.out_min[i] + net.back_min[i])
            for n_a, a in enumerate(ok):
                for b in ok[n_a + 1:]:
                    self._apart(net, s, k, a, b)
            self._lone_joint(s, k, [int(net.stops[i]) for i in ok])

    def every_of(self, net) -> np.ndarray:
        """Each of ``net``'s stops' interval (the cycle for a stop not wanted)."""
        return np.array([self.every.get(int(h), self.e) for h in net.stops], dtype=np.int64)

    def window(self, net) -> tuple[list[int], np.ndarray, np.ndarray]:
        """Station ``net.station``'s stops a beat may hold (indices into ``net.stops``: wanted
        hotspots whose phase range is not empty) and each stop's least and most phase. A stop
        asking for a shorter interval than the cycle is visited at ``phase + n every``: its last
        visit of the cycle leaves the dwell and the road back before the cycle's end."""
        # never phase 0, even from a station on the spot: a visit at a cycle's first minute may
        # be the one a window ending with the visit hours asks for, in a cycle no shift drives
        first = np.maximum(net.out_steps * self.g, 1)
        last = self.every_of(net) - net.dwell_min - net.back_min
        ok = [i for i in range(net.stops.size)
              if -(-int(first[i]) // self.c) * self.c <= last[i] and int(net.stops[i]) in self.phase]
        return ok, first, last

    def weights(self) -> tuple[int, int]:
        """The design's costs (one rule for CP-SAT and :func:`set_model`): fewest beats
        first (so a beat weighs more than every road minute and lone joint beat of a plan
        together), then the road minutes out and back of each hold, a beat whose one stop is
        joint counting as :data:`LONE_JOINT` of a beat's hours in minutes. Returns ``(beat,
        lone)``; call once every station is added."""
        lone = int(LONE_JOINT * sum(L for _, L in self.frames))
        most: dict[int, int] = {}
        for (s, h), minutes in self.road.items():
            most[h] = max(most.get(h, 0), minutes)
        beat = 1 + sum((2 if self.w.sync[h] else 1) * most.get(h, 0) for h in self.wanted) + lone * len(self.used)
        return beat, lone

    def changed(self, s: int, stops) -> int:
        """A re-plan's price of station ``s`` running a beat of ``stops`` (``(h, phase), ...``),
        above every other cost of the design: ``-change`` where it is one of the station's
        published beats (its phases are the published ones), ``+change`` where it is new. So the
        set design keeps the most published beats and adds the fewest, as the re-plan's model
        changes the fewest shifts (rules/published.py), and only then the fewest beats. 0 in a
        week that keeps no roster. CP-SAT's model does not price it: the set design plans a
        re-plan (CP-SAT only where its beats are too many to list)."""
        if self.published is None:
            return 0
        if self._change is None:
            self._change = self.weights()[0] * (len(self.used) + 1)
        change = self._change
        return -change if frozenset(stops) in self.published.get(s, ()) else change

    def objective(self):
        """CP-SAT's objective (:meth:`weights`)."""
        beat, lone = self.weights()
        return (beat * sum(self.used.values()) + sum(self.road[s, h] * x for (h, s, _), x in self.hold.items())
                + lone * sum(self.lone))

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
        self.lone.append(lone)

    def _apart(self, net, s: int, k: int, a: int, b: int) -> None:
        """Hotspots ``a`` and ``b`` (indices into ``net.stops``) on one beat lie the dwell and
        road apart both ways round the cycle. With intervals ``ea``, ``eb`` their visits differ
        by ``pb - pa`` modulo ``gcd(ea, eb)`` (the cycle itself when both ask for it)."""
        m, g = self.m, self.g
        ha, hb = int(net.stops[a]), int(net.stops[b])
        xa, xb = self.hold[ha, s, k], self.hold[hb, s, k]
        pa, pb = self.phase[ha], self.phase[hb]
        ab, ba = int(net.step[a, b]) * g, int(net.step[b, a]) * g
        e = math.gcd(self.every[ha], self.every[hb])
        if ab + ba > e:  # no cycle of the interval holds both
            m.AddBoolOr([xa.Not(), xb.Not()])
            return
        if e < self.e:  # pb - pa = d + n e with d in [ab, e - ba]
            n = m.NewIntVar(-(self.every[ha] // e), self.every[hb] // e, f"turns[{ha},{hb},{s},{k}]")
            m.Add(pb - pa - e * n >= ab).OnlyEnforceIf([xa, xb])
            m.Add(pb - pa - e * n <= e - ba).OnlyEnforceIf([xa, xb])
            return
        before = m.NewBoolVar(f"before[{ha},{hb},{s},{k}]")
        m.Add(pb - pa >= ab).OnlyEnforceIf([xa, xb, before])
        m.Add(pa + e - pb >= ba).OnlyEnforceIf([xa, xb, before])
        m.Add(pa - pb >= ba).OnlyEnforceIf([xa, xb, before.Not()])
        m.Add(pb + e - pa >= ab).OnlyEnforceIf([xa, xb, before.Not()])

    def add_hotspots(self) -> list[int]:
        """Each hotspot held by one beat of one station, a joint one by two partners. Returns
        the hotspots no station can hold on a beat (a joint one: no two partners; the
        stations' roads, zones and teams), none when every one can."""
        by_h: dict[int, dict[int, list]] = {}
        for (h, s, _), x in self.hold.items():
            by_h.setdefault(h, {}).setdefault(s, []).append(x)
        unheld = []
        for h in self.wanted:
            stations = by_h.get(h, {})
            z = int(self.p.hotspot_zone[h])
            if not stations or (self.w.sync[h] and not any(set(self.w.partners.get((z, s), ())) & set(stations)
                                                           for s in stations)):
                unheld.append(h)
                continue
            for xs in stations.values():
                self.m.Add(sum(xs) <= 1)
            every = [x for xs in stations.values() for x in xs]
            if not self.w.sync[h]:
                self.m.Add(sum(every) == 1)
                continue
            self.m.Add(sum(every) == 2)
            for s, xs in stations.items():
                mates = [x for s2 in self.w.partners.get((z, s), ()) for x in stations.get(s2, [])]
                self.m.Add(sum(xs) <= sum(mates))
        return unheld

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
    for s, beats in sorted(plan.beats.items()):
        for beat in beats:
            for t, length in plan.frames:
                visits = tuple(sorted(((h, t + ph + n * plan.every_of(h)) for h, ph in beat
                                       for n in range(length // plan.every_of(h))), key=lambda v: v[1]))
                out.append(LoopColumn(s, int(t), int(length), visits))
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
            if (i is None or ph < net.out_steps[i] * w.grid
                    or ph + net.dwell_min[i] + net.back_min[i] > plan.every_of(h)):
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
                one = BeatPlan(plan.interval, plan.frames, {s2: (beat,)}, plan.status, 0.0,
                               every=plan.every)
                out.extend(beat_columns(one))
    return out
