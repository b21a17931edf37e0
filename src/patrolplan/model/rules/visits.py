r"""Visits: loops of short visits keep every visit-demanded hotspot within its interval (hard).

A demand row with ``presence: visit`` asks, during its hours, for visits of at least
``dwell_min`` on site with no more than ``every_min`` between the starts of two visits (the
contract's Extensions). The model meets it with **loop columns**: a shift that travels out,
visits a sequence of hotspots of its station's zones over and over (each stop ``dwell``
minutes, road time between stops), and travels back. A loop of one hotspot is a post that
stays. In a synchronized zone a loop is *joint*: a team of each of two member stations (two
jurisdictions where the members span two) drive it together; the model holds the pair as two
columns, one per station, with ``x[a] = x[b]`` (so capacity, rest, availability and the shift
cap stay each station's own rows).

**Guard.** A loop column's visits of hotspot ``h`` start at ``v_1 < ... < v_n``, never more
than ``every`` apart (by construction). Then every moment ``t`` in ``[v_1, v_n + every]`` has
a visit start in ``[t - every, t]``: the column *guards* that interval. The contract's rule for
hours ``[a, b)`` is exactly "every ``t`` in ``[a + every, b]`` has a visit start in
``[t - every, t]``". So the rows ask, for every visit-demanded slot ``k`` of ``h`` that ends
after ``a + every`` (``a``: the start of the run of visit slots it belongs to; after a post, the
post's end less the dwell; a run no longer than the interval, such as a night cut by the week's
start or short hours right after a post, still asks for one visit, so its last slot is guarded;
only visits starting inside the run's hours count, as the checker counts them):

    sum_{j guards all of slot k at h} x_j >= 1

A slot guarded by one column as a whole is sufficient, not necessary (two loops handing over
inside a slot are not counted), so the rows are a restriction: every roster they accept keeps
the contract's rule, which the checker measures on visits.csv with its own code.

**Columns.** For each station, loops start at each of its visit hotspots and grow by the
nearest next hotspot (road time) while one cycle (dwells and legs, the leg back to the first
stop included) stays within the interval; every such prefix up to ``visits.max_loop_hotspots``
hotspots is a loop. Each loop becomes columns on the shift grid like posts; a column is kept
when it guards at least one demanded slot. With ``visits.randomize`` each column visits its
hotspots in an order drawn per cycle and after a pause drawn within the interval's slack
(seeded by ``solver.seed``, the loop and the start), each kept only where every gap stays
within the interval, so the order and the phase of the visits differ from cycle to cycle and
from day to day.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from patrolplan.model.rules import synchronized
from patrolplan.model.rules._types import FamilyRows
from patrolplan.model.rules.coverage import GAP_PRICE_PER_TEAM_HOUR

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "visits"
HARD = True
#: the pre-check's findings are about the loop columns (a restriction), not a proof
PRECHECK_IS_PROOF = False


@dataclass(frozen=True)
class Loops:
    """Loop columns, as arrays named like the Problem's ``shift_*`` fields, plus the loops."""

    columns: dict
    hotspots: tuple[tuple[int, ...], ...]  # per loop: its hotspots, in first-cycle order
    partner: np.ndarray  # per column: the other half of a joint loop (column index within these), or -1
    loop: np.ndarray  # per column: loop index
    visit_ptr: np.ndarray  # per column: its visits are visit_*[ptr[j]:ptr[j+1]]
    visit_hotspot: np.ndarray
    visit_arrive_min: np.ndarray  # minutes from week_start


def interval_per_hotspot(need: np.ndarray, every: np.ndarray) -> np.ndarray:
    """The strictest interval asked of each hotspot (0 where no visits are asked)."""
    e = np.where(need > 0, every, np.iinfo(np.int64).max).min(axis=1)
    return np.where(need.any(axis=1), e, 0).astype(np.int64)


def dwell_per_hotspot(need: np.ndarray, dwell: np.ndarray) -> np.ndarray:
    return np.where(need > 0, dwell, 0).max(axis=1).astype(np.int64)


def visit_runs(need: np.ndarray, posts: np.ndarray, dwell_h: np.ndarray, slot: int):
    """The runs of visit-demanded slots of each hotspot: ``(h, first slot, end slot, a)`` with
    ``a`` the minute the run's interval clock starts (its first slot's start; right after a
    post, the post's end less the dwell, since where the visit hours run on under the post its
    presence counts as visits up to then). Visits count only from the first slot's start."""
    for h in np.nonzero(need.any(axis=1))[0]:
        row = need[h] > 0
        k, n = 0, row.size
        while k < n:
            if not row[k]:
                k += 1
                continue
            first = k
            while k < n and row[k]:
                k += 1
            a = first * slot - (int(dwell_h[h]) if first > 0 and posts[h, first - 1] > 0 else 0)
            yield int(h), first, k, a


def guard_from(need: np.ndarray, posts: np.ndarray, dwell_h: np.ndarray, slot: int) -> np.ndarray:
    """Int ``[2, H, K]``: for each visit-demanded slot, ``[0]`` the minute its run's interval
    clock starts (``a`` of :func:`visit_runs`: after a post, the post's end less the dwell) and
    ``[1]`` the minute its hours start (its first slot's start): only visits starting then or
    later count for the slot (the checker counts no visit before the hours, and a post that
    leaves as they start only where the visit hours run on under it)."""
    out = np.zeros((2, *need.shape), dtype=np.int64)
    for h, first, end, a in visit_runs(need, posts, dwell_h, slot):
        out[0, h, first:end] = a
        out[1, h, first:end] = first * slot
    return out


def guard_slots(need: np.ndarray, posts: np.ndarray, every_h: np.ndarray, dwell_h: np.ndarray,
                slot: int) -> np.ndarray:
    """Bool ``[H, K]``: the visit-demanded slots that must be guarded (those ending after the
    start of their run plus the interval)."""
    out = np.zeros(need.shape, dtype=bool)
    for h, first, k, start in visit_runs(need, posts, dwell_h, slot):
        ends = (np.arange(first, k) + 1) * slot
        out[h, first:k] = ends > start + every_h[h]
        if not out[h, first:k].any():
            # hours no longer than the interval (a night cut by the week's start or end)
            # still ask for one visit: guard their last slot (``_guards`` then asks for a visit
            # starting within the hours, not only one whose interval reaches into them)
            out[h, k - 1] = True
    return out


def _cycle_min(order, dwell_h, hop) -> int:
    legs = sum(int(hop[a, b]) for a, b in zip(order, order[1:] + order[:1])) if len(order) > 1 else 0
    return int(sum(int(dwell_h[h]) for h in order)) + legs


def loops_of(hotspots: list[int], start_cost: dict[int, int], dwell_h, every_h, hop, cap: int) -> list[tuple[int, ...]]:
    """Nearest-neighbour chains from each hotspot, every prefix whose cycle keeps the interval."""
    found: dict[frozenset, tuple[int, ...]] = {}
    for h0 in sorted(hotspots, key=lambda h: (start_cost[h], h)):
        chain = [h0]
        while True:
            key = frozenset(chain)
            if key not in found:
                found[key] = tuple(chain)
            if len(chain) >= cap:
                break
            rest = [h for h in hotspots if h not in chain]
            if not rest:
                break
            nxt = min(rest, key=lambda h: (int(hop[chain[-1], h]), h))
            longer = chain + [nxt]
            if _cycle_min(longer, dwell_h, hop) > min(int(every_h[h]) for h in longer):
                break
            chain = longer
    return list(found.values())


def schedule(order: tuple[int, ...], start: int, length: int, out: int, back: np.ndarray, dwell_h, every_h, hop,
             rng: "_Draws | None") -> list[tuple[int, int]]:
    """Visits ``(hotspot, arrive)`` of one loop shift: out to the first stop, cycles of stops
    until the last visit that still leaves time to drive back (``back[h]``) before the end.
    With ``rng`` each cycle after the first takes an order drawn anew, kept only where no gap
    exceeds the interval (and the order's own cycle keeps it, should the next draw fail), and
    a pause (the team patrols on between two stops) drawn within the interval's slack over the
    cycle, halved until no gap exceeds the interval: the phase of the visits moves from cycle
    to cycle too."""
    end = start + length
    tightest = min(int(every_h[h]) for h in order)
    visits: list[tuple[int, int]] = []
    last: dict[int, int] = {}
    cycle = list(order)
    at, depart = None, start + out  # "departed" so that the first arrival is start + out
    while True:
        if rng is not None and len(order) > 1 and at is not None:  # a loop of one stays on site
            trial = [int(h) for h in rng.permutation(order)]
            if trial[0] == at:  # no second stop in a row at one place
                trial = trial[1:] + trial[:1]
            if _cycle_min(trial, dwell_h, hop) <= tightest and _keeps(trial, at, depart, last, dwell_h, every_h, hop):
                cycle = trial
            pause = int(rng.integers(0, max(tightest - _cycle_min(cycle, dwell_h, hop), 0) + 1))
            while pause > 0 and not _keeps(cycle, at, depart + pause, last, dwell_h, every_h, hop):
                pause //= 2
            depart += pause
        for h in cycle:
            arrive = depart + (int(hop[at, h]) if at is not None else 0)
            leave = arrive + int(dwell_h[h])
            if leave + int(back[h]) > end or (h in last and arrive - last[h] > every_h[h]):
                return visits
            visits.append((h, arrive))
            last[h] = arrive
            at, depart = h, leave


class _Draws:
    """The random draws of one loop column (``random.Random``, seeded by the solver's seed, the
    loop, the start and the length: the same seed gives the same plan in any process; a
    numpy Generator per column costs more than the column's whole schedule)."""

    def __init__(self, seed: int, loop: int, start: int, length: int):
        self._r = random.Random(((int(seed) * 1_000_003 + loop) * 1_000_003 + start + 10**6) * 1_000_003 + length)

    def permutation(self, items) -> list:
        out = list(items)
        self._r.shuffle(out)
        return out

    def integers(self, lo: int, hi: int) -> int:
        """A whole number in ``[lo, hi)``."""
        return self._r.randrange(lo, hi)


def _keeps(trial, at, depart, last, dwell_h, every_h, hop) -> bool:
    t, here = depart, at
    for h in trial:
        t += int(hop[here, h])
        if h in last and t - last[h] > every_h[h]:
            return False
        t += int(dwell_h[h])
        here = h
    return True


def guards_of(visits, need_guard: np.ndarray, every_h, slot: int, n_k: int,
              run_from: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(hotspot, slot) pairs a column with ``visits`` (``(hotspot, arrive minute)``) guards
    (also asked for a re-plan's kept loops, ``rules/published.py``)."""
    return _guards(visits, need_guard, every_h, slot, n_k, run_from)


def _guards(visits, need_guard: np.ndarray, every_h, slot: int, n_k: int,
            run_from: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(hotspot, slot) pairs this column guards. With ``a`` the start of the slot's run's
    interval clock and ``A >= a`` the start of its hours (``run_from``, :func:`guard_from`;
    without it every visit counts and ``v_1 <= s``), only the column's visits starting at or
    after ``A`` count, ``v_1 < ... < v_n``; the slot ``[s, e]`` is guarded when
    ``v_n + every >= e``, ``v_1 < e`` and ``v_1 <= max(s, a + every)`` (capped at ``e``): every
    moment of the slot the contract asks about (``[A + every, b]``, or the hours' end ``b`` when
    they are no longer than the interval; where the visit hours run on under a post, the post
    keeps them up to ``a + every``) then has a visit start within the interval before it,
    inside the hours."""
    by_h: dict[int, list[int]] = {}
    for h, a in visits:
        by_h.setdefault(h, []).append(a)
    out = []
    for h, starts in by_h.items():
        starts.sort()
        if any(b - a > every_h[h] for a, b in zip(starts, starts[1:])):
            continue  # cannot happen by construction; never guard on a broken interval
        every = int(every_h[h])
        hi = min(n_k, (starts[-1] + every) // slot)  # slots ending by the last visit's interval
        for k in range(max(0, starts[0] // slot), hi):
            if not need_guard[h, k]:
                continue
            s_min, e_min = k * slot, (k + 1) * slot
            if run_from is None:  # no run known: every visit counts, from the slot's start
                a, i = s_min - every, 0
            else:
                a = int(run_from[0, h, k])
                i = bisect.bisect_left(starts, int(run_from[1, h, k]))
            if i == len(starts):
                continue
            first = starts[i]
            if first < e_min and first <= min(max(s_min, a + every), e_min):
                out.append((h, k))
    return out


def candidate_loops(config, *, teams, hotspot_zone, zone_mode, zone_members, zone_jurisdiction_groups, need,
                    guard, dwell_h, every_h, out_min, back_min, hop_min, starts_by_len, run_from=None
                    ) -> tuple[Loops, tuple[np.ndarray, np.ndarray, int]]:
    """Every loop column (see the module docstring): each station's own loops through the
    visit hotspots of its zones that are not synchronized, then each pair of partner stations'
    joint loops through the synchronized visit hotspots both are members for. Returns the
    columns and the guard entries (:meth:`_LoopTable.loops`)."""
    table = _LoopTable(config, need=need, guard=guard, dwell_h=dwell_h, every_h=every_h, out_min=out_min,
                       back_min=back_min, hop_min=hop_min, starts_by_len=starts_by_len, run_from=run_from)
    cap = config.visits.max_loop_hotspots
    visit_h = [h for h in range(need.shape[0]) if need[h].any()]
    for s in range(len(teams)):
        if teams[s] <= 0:
            continue
        mine = [h for h in visit_h if zone_mode[hotspot_zone[h]] != "synchronized"
                and s in zone_members[hotspot_zone[h]]]
        if not mine:
            continue
        table.add((s,), loops_of(mine, {h: int(out_min[s, h]) for h in mine}, dwell_h, every_h, hop_min, cap))
    pairs = _partner_hotspots(visit_h, teams, hotspot_zone, zone_mode, zone_members, zone_jurisdiction_groups)
    for (a, b), hs in sorted(pairs.items()):
        cost = {h: max(int(out_min[a, h]), int(out_min[b, h])) for h in hs}
        table.add((a, b), loops_of(hs, cost, dwell_h, every_h, hop_min, cap))
    return table.loops()


def _partner_hotspots(visit_h, teams, hotspot_zone, zone_mode, zone_members, zone_jurisdiction_groups
                      ) -> dict[tuple[int, int], list[int]]:
    """Per pair of member stations with teams that meet their synchronized zone's rule together:
    the synchronized visit hotspots they may serve as a joint loop."""
    pairs: dict[tuple[int, int], list[int]] = {}
    for h in visit_h:
        z = hotspot_zone[h]
        if zone_mode[z] != "synchronized":
            continue
        ms = [m for m in zone_members[z] if teams[m] > 0]
        for i, a in enumerate(ms):
            for b in ms[i + 1:]:
                if synchronized.meets({a, b}, 2, zone_jurisdiction_groups[z]):
                    pairs.setdefault((min(a, b), max(a, b)), []).append(h)
    return pairs


class _LoopTable:
    """The loop columns :func:`candidate_loops` has found so far, as lists: ``add`` schedules
    the loops of one station (or pair) at every start and keeps the undominated columns;
    ``loops`` returns them as :class:`Loops` with the guard entries."""

    def __init__(self, config, *, need, guard, dwell_h, every_h, out_min, back_min, hop_min, starts_by_len,
                 run_from) -> None:
        self.config, self.need, self.guard, self.run_from = config, need, guard, run_from
        self.dwell_h, self.every_h, self.hop_min = dwell_h, every_h, hop_min
        self.out_min, self.back_min = out_min, back_min
        self.starts_by_len = starts_by_len
        self.slot, self.n_k = config.slot_minutes, need.shape[1]
        self.cols: dict[str, list[int]] = {k: [] for k in ("station", "hotspot", "start", "len", "out", "back")}
        self.loop_of: list[int] = []
        self.partner: list[int] = []
        self.hotspots_of_loop: list[tuple[int, ...]] = []
        self.v_ptr, self.v_h, self.v_a = [0], [], []
        self.rows: list[tuple[int, int]] = []  # guarded (hotspot, slot) of each entry
        self.cols_g: list[int] = []  # its column

    def add(self, stations: tuple[int, ...], orders: list[tuple[int, ...]]) -> None:
        """The columns of the loops ``orders`` driven by ``stations``, less the dominated ones."""
        found = []
        for order in orders:
            li = len(self.hotspots_of_loop)
            self.hotspots_of_loop.append(order)
            found += self._draft(stations, order, li)
        for li, L, t, visits, g in _undominated(found):
            self._emit(stations, li, L, t, visits, g)

    def _draft(self, stations: tuple[int, ...], order: tuple[int, ...], li: int) -> list:
        # the loop's numbers as plain dicts: scheduling thousands of columns reads them per visit
        slot, n_k, config = self.slot, self.n_k, self.config
        back = {h: max(int(self.back_min[h, s]) for s in stations) for h in order}
        hop = {(a, b): int(self.hop_min[a, b]) for a in order for b in order}
        dwell = {h: int(self.dwell_h[h]) for h in order}
        every = {h: int(self.every_h[h]) for h in order}
        out = max(int(self.out_min[s, order[0]]) for s in stations)
        template: dict[int, list[tuple[int, int]]] = {}  # without randomize, a start only shifts the visits
        # slots of the loop's hotspots to guard, as prefix sums: a start whose whole reach
        # (first arrival to the last departure plus the interval) holds none is skipped unscheduled
        wanted = np.concatenate([[0], np.cumsum(self.guard[list(order)].any(axis=0))])
        reach = int(max(self.every_h[h] for h in order))
        found = []
        for L, starts in self.starts_by_len.items():
            for t in starts:
                lo = min(n_k, max(0, -(-(int(t) + out) // slot)))
                hi = min(n_k, max(0, (int(t) + int(L) + reach) // slot))
                if hi <= lo or wanted[hi] == wanted[lo]:
                    continue
                if config.visits.randomize:
                    visits = schedule(order, int(t), int(L), out, back, dwell, every, hop,
                                      _Draws(config.solver.seed, li, int(t), L))
                else:
                    if L not in template:
                        template[L] = schedule(order, 0, int(L), out, back, dwell, every, hop, None)
                    visits = [(h, a + int(t)) for h, a in template[L]]
                if not visits:
                    continue
                g = _guards(visits, self.guard, every, slot, n_k, self.run_from)
                if g:
                    found.append((li, int(L), int(t), visits, g))
        return found

    def _emit(self, stations, li, L, t, visits, g) -> None:
        last_depart = visits[-1][1] + int(self.dwell_h[visits[-1][0]])
        first = visits[0][0]
        j0 = len(self.loop_of)
        for i, s in enumerate(stations):
            self.cols["station"].append(s)
            self.cols["hotspot"].append(first)
            self.cols["start"].append(int(t))
            self.cols["len"].append(int(L))
            self.cols["out"].append(visits[0][1] - int(t))
            self.cols["back"].append(int(t) + int(L) - last_depart)
            self.loop_of.append(li)
            self.partner.append(j0 + 1 - i if len(stations) > 1 else -1)
            self.v_h.extend(h for h, _ in visits)
            self.v_a.extend(a for _, a in visits)
            self.v_ptr.append(len(self.v_h))
        # the guard counts the first half of a joint loop; the link row brings the second
        self.rows.extend(g)
        self.cols_g.extend([j0] * len(g))

    def loops(self) -> tuple[Loops, tuple[np.ndarray, np.ndarray, int]]:
        """The columns as :class:`Loops`, and the guard entries ``(flat guarded rows h * K + k,
        columns, number of columns)``."""
        n = len(self.loop_of)
        g_rows = np.zeros(0, dtype=np.int64)
        if self.rows:
            g_rows = np.asarray([h * self.n_k + k for h, k in self.rows], dtype=np.int64)
        return Loops(
            columns={k: np.asarray(v, dtype=np.int64) for k, v in self.cols.items()},
            hotspots=tuple(self.hotspots_of_loop), partner=np.asarray(self.partner, dtype=np.int64),
            loop=np.asarray(self.loop_of, dtype=np.int64), visit_ptr=np.asarray(self.v_ptr, dtype=np.int64),
            visit_hotspot=np.asarray(self.v_h, dtype=np.int64), visit_arrive_min=np.asarray(self.v_a, dtype=np.int64),
        ), (g_rows, np.asarray(self.cols_g, dtype=np.int64), n)


def _undominated(found: list) -> list:
    """The columns ``(loop, length, start, visits, guarded)`` of one station's (or pair's) loops
    that no other dominates: a column whose guarded slots are a strict subset of those of a
    column of the same loop and length (another start), or of another loop of the same stations
    with the same start and length (a longer loop through the same stops), takes the same
    team-hours and guards less, so it is dropped. Columns guarding the same slots are all kept
    (other times matter for the rest rules)."""
    sets = [frozenset(g) for *_, g in found]
    groups: dict[tuple, list[int]] = {}
    for i, (li, L, t, _, _) in enumerate(found):
        groups.setdefault(("loop", li, L), []).append(i)
        groups.setdefault(("start", L, t), []).append(i)
    dropped = set()
    for idx in groups.values():
        idx = sorted(idx, key=lambda i: -len(sets[i]))
        for n, i in enumerate(idx):
            if any(len(sets[j]) > len(sets[i]) and sets[i] < sets[j] for j in idx[:n]):
                dropped.add(i)
    return [f for i, f in enumerate(found) if i not in dropped]


def guard_matrix(guard: np.ndarray, flat_rows: np.ndarray, cols: np.ndarray, offset: int, n_cols: int):
    """Rows: guarded hotspot-slots (``guard`` True); columns: all shifts (loops from ``offset``)."""
    n_k = guard.shape[1]
    hs, ks = np.nonzero(guard)
    row_of = np.full(guard.size, -1, dtype=np.int64)
    row_of[hs * n_k + ks] = np.arange(hs.size)
    r = row_of[flat_rows] if flat_rows.size else flat_rows
    m = sp.csr_matrix((np.ones(r.size), (r, cols + offset)), shape=(hs.size, n_cols))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m, hs.astype(np.int64), ks.astype(np.int64)


# --- the family's parts -----------------------------------------------------------------------


def gap_price(p: Problem, rows: np.ndarray) -> np.ndarray:
    price = GAP_PRICE_PER_TEAM_HOUR * p.hotspot_risk[p.guard_hotspot[rows]] * p.slot_min / 60
    return np.maximum(price, GAP_PRICE_PER_TEAM_HOUR * 1e-3)


def add_rows(ctx: FamilyContext) -> FamilyRows | None:
    """The guard rows (with ``allow_gaps`` a priced slack each) and the joint-loop links; with
    ``visits.rendezvous`` the window rows and the meeting links instead (:class:`Windows`).
    Returns the slacks and the guard row of each (None without ``allow_gaps``)."""
    b, p, x, allow_gaps = ctx.builder, ctx.problem, ctx.x, ctx.allow_gaps
    if p.windows is not None:
        return _slack_rows(_add_rendezvous_rows(b, p, x, allow_gaps=allow_gaps))
    g = p.guard.tocoo()
    n_rows = g.shape[0]
    gap = None
    if n_rows:
        rows, cols, vals = [g.row], [x[g.col]], [g.data]
        if allow_gaps:
            slack = b.add_cols(n_rows, lower=0, upper=1, cost=gap_price(p, np.arange(n_rows)), integer=True,
                               family=NAME)
            rows.append(np.arange(n_rows))
            cols.append(slack)
            vals.append(np.ones(n_rows))
            gap = (slack, np.arange(n_rows))
        b.add_rows(NAME, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), 1.0, np.inf, n_rows)
    first = np.nonzero((p.shift_partner >= 0) & (p.shift_partner > np.arange(p.n_shifts)))[0]
    if first.size:
        second = p.shift_partner[first]
        r = np.arange(first.size)
        b.add_rows(NAME + "_joint", np.concatenate([r, r]), np.concatenate([x[first], x[second]]),
                   np.concatenate([np.ones(first.size), -np.ones(first.size)]), 0.0, 0.0, first.size)
    return _slack_rows(gap)


def _slack_rows(gap) -> FamilyRows | None:
    return None if gap is None else FamilyRows(slack=gap[0], slack_rows=gap[1])


def satisfied(starts: list[int], every: int, a: int, b: int) -> bool:
    """The contract's rule on visit starts for hours ``[a, b)``: every ``t`` in ``[a + every, b]``
    has a start in ``[t - every, t]`` (the first within ``every`` of ``a``, no gap over
    ``every``, the last within ``every`` of ``b``)."""
    inside = sorted(v for v in starts if a <= v < b)
    if not inside:
        return False
    if inside[0] - a > every or b - inside[-1] > every:
        return False
    return all(q - p_ <= every for p_, q in zip(inside, inside[1:]))


def relaxation_windows(need: np.ndarray, every_h: np.ndarray, slot: int) -> list[tuple[int, int, int]]:
    """``(h, w0, w1)``: minute windows that every roster keeping the contract's rule must hold a
    counted visit start of ``h`` in (the true relaxation, ``model/relaxed.py``).

    A run of visit slots ``[A, B)`` holds the rule's hours ``[a, b)`` with ``a < A + slot`` and
    ``b > B - slot`` (the slots overlap the hours; where they meet the grid, more is held than
    counted here). With ``lo = A + slot - 1`` and ``hi = B - slot + 1`` every moment
    ``t`` of ``[lo + every, hi]`` is one the rule asks about, so a visit starts in
    ``[t - every, t]``; the moments ``t_i = lo + every + i (every + 1)`` give windows no visit
    can serve twice (the least number of visits the hours need). Hours too short for one such
    window still ask for a visit within the run: ``[A, B - 1]``. The interval is the strictest
    of the hotspot's rows (as the model plans)."""
    out = []
    for h, first, end, _ in visit_runs(need, np.zeros_like(need), np.zeros(need.shape[0], dtype=np.int64), slot):
        every = int(every_h[h])
        lo, hi = (first + 1) * slot - 1, (end - 1) * slot + 1
        if hi - lo >= every:
            t = lo + every
            while t <= hi:
                out.append((h, t - every, t))
                t += every + 1
        else:
            out.append((h, first * slot, end * slot - 1))
    return out


def interval_relaxed(p: Problem, factor: int = 2):
    """The week with every visit interval ``factor`` times longer (the binding-cause search)."""
    from patrolplan.inputs.demand import VisitDemand

    need = p.visit_need
    longer = VisitDemand(need, p.visit_dwell_min[:, None] * need, p.visit_every_min[:, None] * factor * need,
                         asked_every_min=p.visit_asked_every_min * factor, asked_dwell_min=p.visit_asked_dwell_min)
    return p.rebuilt(visits=longer)


def relaxations(p: Problem) -> list:
    """The interval: every visit interval twice as long (the shortfall of the week as it is is
    measured by the shortfall itself, gaps allowed)."""
    from patrolplan.model.rules._types import Relaxation

    if not p.has_visits:
        return []
    return [Relaxation("interval", "the visit interval (every_min)",
                       "a longer `every_min` at the short hotspots (twice as long removes every gap)",
                       lambda: interval_relaxed(p))]


def precheck(p: Problem) -> list[str]:
    """Guarded slots no loop column guards: no loop of the model (a member station, or a pair in
    a synchronized zone) keeps the interval there within one shift. The loop columns are a
    chosen subset and the guard asks more than the rule, so this is no proof
    (``PRECHECK_IS_PROOF``): the explanation says so, and the true relaxation decides."""
    from patrolplan.model.rules._words import when

    if p.guard.shape[0] == 0:
        return []
    nnz = np.diff(p.guard.tocsr().indptr)
    if p.windows is not None:
        nnz = _rendezvous_reach(p)
    bare = np.nonzero(nnz == 0)[0]
    out = []
    for h in np.unique(p.guard_hotspot[bare]):
        h = int(h)
        ks = p.guard_slot[bare][p.guard_hotspot[bare] == h]
        z = p.hotspot_zone[h]
        joint = " (a joint loop of two member stations)" if p.zone_mode[z] == "synchronized" else ""
        out.append(
            f"hotspot {p.hotspot_ids[h]} (zone {p.zone_ids[z]}): no loop{joint} of the model visits it every "
            f"{int(p.visit_every_min[h])} min within one shift; short: {when(p, ks)}. Fix: add a nearer member station, "
            "allow longer shifts (rules.shift_hours), a longer every_min, or a shorter dwell_min."
        )
    return out


# --- rendezvous: window rows, meeting rows, each station's own loops (visits.rendezvous) -------


@dataclass(frozen=True)
class LoopColumn:
    """One loop column of the rendezvous model: a station's shift and its timed stops."""

    station: int
    start: int
    length: int
    visits: tuple[tuple[int, int], ...]  # (hotspot, arrival minute)
    reduced_cost: float = 0.0


@dataclass(frozen=True)
class Windows:
    r"""The rows of the rendezvous model (``visits.rendezvous``), on a grid of ``grid`` minutes.

    **Windows.** For a run of visit hours ``[A, b)`` of hotspot ``h`` (its clock starting at
    ``a``: ``A`` less the dwell after a post, whose last moment on site starts a visit where the
    visit hours run on under it), interval ``e`` and
    check step ``c``, the check times are ``t_1 = a + e, a + e + c, ... < b`` (just ``b`` when
    ``a + e >= b``). A visit start in ``[t_{i+1} - e, t_i]`` keeps the contract's rule for
    every moment of ``[t_i, t_{i+1})`` (and one in ``[b - e, b)`` for ``b``), so the rows

        sum over visits v at h arriving in [max(A, t_{i+1} - e), t_i]  >=  1

    (only visits inside the hours count, as the checker counts them: a post that leaves as they
    start keeps nothing where the visit hours begin then, so hours no longer than the interval
    after a post still ask for one visit;
    the last check ``b`` with ``[max(A, b - e), b - 1]``, implied by the one before when there
    is one) are a restriction of the rule exact up to ``c``: visits of different loops hand
    over. A column's coefficient is 1 where it visits in the window (however often), so a loop
    that visits beyond need gains nothing in the LP either. Arrivals lie on the grid, so each
    window is rounded inwards to it.

    **Meetings.** At a hotspot of a synchronized zone a visit counts only where two teams meet:
    a meeting variable ``m[h, tau]`` (0..1) per minute ``tau`` of its windows on the grid of the
    check step (partners meet on that coarser grid: fewer rows) takes the
    place of the visits in its window rows, and for every set ``Q`` of :attr:`allowed` of the
    zone, ``m[h, tau] <= sum of x[j]`` over columns of stations in ``Q`` arriving at ``h`` at
    ``tau``. The sets say "a station of another jurisdiction than ``J``, for each jurisdiction
    ``J``" where the members span two, else "a station other than ``s``, for each member
    ``s``": together, two teams of two member stations (two jurisdictions) arrive at the same
    minute and stay the dwell. On integer ``x`` a positive ``m`` is a real meeting, so ``m`` may
    stay continuous.

    A loop's stop at a joint hotspot that no partner meets is no visit (the checker would call
    it one without a partner): :func:`trim_visits` takes such stops out of a roster's loops
    before the tables are written (the team waits there, or drives on), and visits that keep no
    window another does not.
    """

    grid: int
    hotspot: np.ndarray  # [W] window rows: hotspot
    lo: np.ndarray  # [W] earliest arrival that counts (minutes from week_start, on the grid)
    hi: np.ndarray  # [W] latest arrival that counts
    slot: np.ndarray  # [W] slot of the check time
    sync: np.ndarray  # [H] bool: visits at h are joint (meetings)
    meet_hotspot: np.ndarray  # [M] meeting points
    meet_time: np.ndarray  # [M]
    link_meet: np.ndarray  # [N] link rows: their meeting point
    link_set: np.ndarray  # [N] index into allowed
    link_ptr: np.ndarray  # [M + 1] link rows of meeting m: link_ptr[m]:link_ptr[m+1]
    allowed: tuple[frozenset, ...]  # station sets of the link rows
    stops: tuple[tuple[int, ...], ...]  # per station: the visit hotspots its loops may stop at
    partners: dict  # (zone, station) -> frozenset of the stations that make its visit joint

    @property
    def n_windows(self) -> int:
        return int(self.hotspot.size)

    def window_range(self, h: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Window rows ``[first, last)`` holding arrivals ``t`` at hotspots ``h`` (windows are
        sorted by hotspot, then by ``lo`` and ``hi`` alike)."""
        big = np.int64(1) << 32
        key = np.asarray(h, dtype=np.int64) * big + np.asarray(t, dtype=np.int64)
        first = np.searchsorted(self.hotspot * big + self.hi, key, side="left")
        last = np.searchsorted(self.hotspot * big + self.lo, key, side="right")
        return first, np.maximum(last, first)

    def meet_index(self, h: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Meeting point of arrivals ``(h, t)``, or -1."""
        big = np.int64(1) << 32
        keys = self.meet_hotspot * big + self.meet_time
        key = np.asarray(h, dtype=np.int64) * big + np.asarray(t, dtype=np.int64)
        i = np.searchsorted(keys, key)
        ok = (i < keys.size) & (keys[np.minimum(i, max(keys.size - 1, 0))] == key) if keys.size else np.zeros(key.shape,
                                                                                                             bool)
        return np.where(ok, i, -1)


def _joint_sets(members, groups) -> list[frozenset]:
    """The stations that count against each excluded jurisdiction (or station), see :class:`Windows`."""
    if len(groups) >= 2:
        return [frozenset(m for g2 in groups if g2 is not g for m in g2) for g in groups]
    return [frozenset(m for m in members if m != s) for s in members]


def check_step(config, every: int) -> int:
    """The check step for an interval: ``visits.check_minutes``, but short enough that a window
    (the interval less the step) keeps at least one grid minute."""
    g = config.visits.grid_minutes
    return max(g, min(config.visits.check, every - g))


def windows_of(config, *, need, posts, every_h, dwell_h, teams, hotspot_zone, zone_mode, zone_members,
               zone_jurisdiction_groups) -> Windows:
    """The window rows, meeting points and link rows of the visit demand ``need`` (see :class:`Windows`)."""
    slot, g = config.slot_minutes, config.visits.grid_minutes
    n_h, n_k = need.shape
    rows: list[tuple[int, int, int, int]] = []
    sync = np.array([zone_mode[hotspot_zone[h]] == "synchronized" for h in range(n_h)], dtype=bool)
    for h, first, end, a in visit_runs(need, posts, dwell_h, slot):
        e = int(every_h[h])
        c = check_step(config, e)
        b = end * slot
        checks = list(range(a + e, b, c)) + [b] if a + e < b else [b]
        for i, t in enumerate(checks):
            if i == len(checks) - 1 and i > 0:
                break  # implied by the row before
            lo = max(first * slot, (checks[i + 1] if i + 1 < len(checks) else b) - e)  # inside the hours
            hi = t if i + 1 < len(checks) else b - 1
            lo_g, hi_g = -(-lo // g) * g, (hi // g) * g
            rows.append((h, lo_g, hi_g, int(np.clip((t - 1) // slot, 0, n_k - 1))))
    rows.sort()
    arr = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
    hotspot, lo, hi, ks = arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]
    # meeting points: the minutes of the windows of joint hotspots on the check step's grid
    points: set[tuple[int, int]] = set()
    for h, a, b in zip(hotspot, lo, hi):
        if sync[h]:
            step = check_step(config, int(every_h[h]))
            points.update((int(h), int(t)) for t in range(-(-int(a) // step) * step, int(b) + 1, step))
    pts = sorted(points)
    meet_h = np.asarray([p_[0] for p_ in pts], dtype=np.int64)
    meet_t = np.asarray([p_[1] for p_ in pts], dtype=np.int64)
    allowed: list[frozenset] = []
    sets_of_zone: dict[int, list[int]] = {}
    partners: dict[tuple[int, int], frozenset] = {}

    def set_id(q: frozenset) -> int:
        if q not in allowed:
            allowed.append(q)
        return allowed.index(q)

    for z in sorted({int(hotspot_zone[h]) for h in np.nonzero(sync)[0]}):
        members = [m for m in zone_members[z] if teams[m] > 0]
        groups = [tuple(m for m in grp if teams[m] > 0) for grp in zone_jurisdiction_groups[z]]
        groups = [grp for grp in groups if grp] if len([grp for grp in groups if grp]) >= 2 else []
        sets = list(dict.fromkeys(_joint_sets(members, groups)))
        sets_of_zone[z] = [set_id(q) for q in sets]
        able = sorted(frozenset().union(*sets)) if sets else []
        for m in able:
            mine = [grp for grp in groups if m in grp]
            partners[(z, m)] = frozenset(x for x in able if x != m and not (mine and x in mine[0]))
    per_meet = [sets_of_zone[int(hotspot_zone[h])] for h in meet_h]
    link_ptr = np.concatenate([[0], np.cumsum([len(q) for q in per_meet])]).astype(np.int64)
    link_meet = np.repeat(np.arange(meet_h.size), [len(q) for q in per_meet]).astype(np.int64)
    link_set = np.asarray([q for qs in per_meet for q in qs], dtype=np.int64)
    stops = []
    visit_h = np.nonzero(need.any(axis=1))[0]
    for s in range(len(teams)):
        mine = []
        if teams[s] > 0:
            for h in visit_h:
                z = int(hotspot_zone[h])
                if s not in zone_members[z]:
                    continue
                if sync[h] and not any(s in allowed[q] for q in sets_of_zone[z]):
                    continue  # a station of no jurisdiction cannot make a joint visit count
                mine.append(int(h))
        stops.append(tuple(mine))
    return Windows(grid=g, hotspot=hotspot, lo=lo, hi=hi, slot=ks, sync=sync, meet_hotspot=meet_h, meet_time=meet_t,
                   link_meet=link_meet, link_set=link_set, link_ptr=link_ptr, allowed=tuple(allowed),
                   stops=tuple(stops), partners=partners)


def window_matrices(w: Windows, station: np.ndarray, ptr: np.ndarray, vh: np.ndarray, vt: np.ndarray, n_rows_off=0):
    """For loop columns (``station`` each, visits ``vh``/``vt`` at ``ptr``): the window rows'
    coefficients ``[W, n]`` (visits at hotspots without meetings) and the link rows' ``[N, n]``."""
    n = station.size
    col = np.repeat(np.arange(n), np.diff(ptr))
    vh, vt = np.asarray(vh, dtype=np.int64), np.asarray(vt, dtype=np.int64)
    own = ~w.sync[vh] if vh.size else np.zeros(0, dtype=bool)
    first, last = w.window_range(vh[own], vt[own])
    cnt = last - first
    rows = np.repeat(first, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    g = sp.csr_matrix((np.ones(rows.size), (rows, np.repeat(col[own], cnt))), shape=(w.n_windows, n))
    g.sum_duplicates()
    g.data[:] = 1.0  # a window counts a column once, however often it visits in it
    m = w.meet_index(vh[~own], vt[~own])
    lr, lc = [], []
    for mi, j in zip(m, col[~own]):
        if mi < 0:
            continue
        s = int(station[j])
        for r in range(int(w.link_ptr[mi]), int(w.link_ptr[mi + 1])):
            if s in w.allowed[w.link_set[r]]:
                lr.append(r)
                lc.append(int(j))
    link = sp.csr_matrix((np.ones(len(lr)), (lr, lc)), shape=(w.link_meet.size, n))
    link.sum_duplicates()
    return g.tocsr(), link.tocsr()


def meet_window_matrix(w: Windows) -> sp.csr_matrix:
    """``[W, M]``: 1 where meeting point ``m`` lies in window row ``r`` (joint hotspots)."""
    first, last = w.window_range(w.meet_hotspot, w.meet_time)
    cnt = last - first
    rows = np.repeat(first, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    return sp.csr_matrix((np.ones(rows.size), (rows, np.repeat(np.arange(w.meet_hotspot.size), cnt))),
                         shape=(w.n_windows, w.meet_hotspot.size))


def _add_rendezvous_rows(b, p: Problem, x: np.ndarray, *, allow_gaps: bool):
    """Window rows over the visits of the loop columns and the meeting variables; link rows."""
    w = p.windows
    n_rows = w.n_windows
    meet = b.add_cols(w.meet_hotspot.size, lower=0, upper=1, cost=0.0, integer=False, family=NAME)
    g = p.guard.tocoo()
    mw = p.meet_window.tocoo()
    rows, cols, vals = [g.row, mw.row], [x[g.col], meet[mw.col]], [g.data, mw.data]
    gap = None
    if allow_gaps and n_rows:
        slack = b.add_cols(n_rows, lower=0, upper=1, cost=gap_price(p, np.arange(n_rows)), integer=True, family=NAME)
        rows.append(np.arange(n_rows))
        cols.append(slack)
        vals.append(np.ones(n_rows))
        gap = (slack, np.arange(n_rows))
    b.add_rows(NAME, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), 1.0, np.inf, n_rows)
    lk = p.meet_link.tocoo()
    n_link = w.link_meet.size
    b.add_rows(NAME + "_meet", np.concatenate([lk.row, np.arange(n_link)]), np.concatenate([x[lk.col], meet[w.link_meet]]),
               np.concatenate([lk.data, -np.ones(n_link)]), 0.0, np.inf, n_link)
    loops = np.nonzero(p.shift_loop >= 0)[0]
    if loops.size and p.config.visits.visit_cost_minutes > 0:
        n_vis = np.diff(p.visit_ptr)[loops]
        for n in np.unique(n_vis):
            b.add_cost(x[loops[n_vis == n]], float(n) * p.config.visits.visit_cost_minutes / 60)
    return gap


def _rendezvous_reach(p: Problem) -> np.ndarray:
    """Per window row: 1 where some loop column (column generation may make others at other
    minutes) visits its hotspot at all and, at a joint hotspot, columns of every link set do."""
    w = p.windows
    loops = np.nonzero(p.shift_loop >= 0)[0]
    seen = np.zeros(len(p.hotspot_ids), dtype=bool)
    sets_seen: dict[int, set[int]] = {}
    for j in loops:
        s = int(p.shift_station[j])
        for h in set(p.visit_hotspot[p.visit_ptr[j]:p.visit_ptr[j + 1]].tolist()):
            seen[h] = True
            sets_seen.setdefault(h, set()).add(s)
    ok = seen.copy()
    for h in np.nonzero(w.sync & seen)[0]:
        m = np.nonzero(w.meet_hotspot == h)[0]
        if m.size:
            qs = w.link_set[w.link_ptr[m[0]]:w.link_ptr[m[0] + 1]]
            ok[h] = all(w.allowed[q] & sets_seen[int(h)] for q in qs)
    return ok[w.hotspot].astype(np.int64)


def trim_visits(p: Problem, counts: np.ndarray, keep: np.ndarray | None = None) -> tuple[Problem, np.ndarray]:
    """``(problem, counts)`` with the roster's loops (``counts`` over ``p``'s columns) rid of
    stops that keep nothing:

    * a stop at a joint hotspot that no partner meets (:class:`Windows`): it keeps no window,
      and the checker would call it a visit without a partner. A partner meets a stop when a
      team of one of its partner stations arrives at the same minute (both stay the dwell) or
      is on post there all the dwell;
    * a visit (a meeting, at a joint hotspot: all its stops) whose every window row holds
      another, in time order: the team waits instead (the pause), so each hotspot gets about
      one visit per window.

    A loop left without stops is dropped; a trimmed loop is a column of the model too (its
    arrivals, its way back and its repeats keep the rules), added to the problem. ``keep``:
    columns never trimmed (a re-plan's kept rows: history happened as published)."""
    w = p.windows
    counts = np.rint(np.asarray(counts, dtype=float)[: p.n_shifts]).astype(np.int64)
    if w is None:
        return p, counts

    chosen = np.nonzero(counts > 0)[0]
    arrive: dict[tuple[int, int], set[int]] = {}
    on_post: dict[int, list[tuple[int, int, int]]] = {}
    for j in chosen:
        s = int(p.shift_station[j])
        if p.shift_loop[j] >= 0:
            for h, t, _ in p.visits_of(int(j)):
                if w.sync[h]:
                    arrive.setdefault((h, t), set()).add(s)
        elif w.sync[p.shift_hotspot[j]]:
            a = int(p.shift_start_min[j] + p.shift_out_min[j])
            on_post.setdefault(int(p.shift_hotspot[j]), []).append((a, a + int(p.shift_on_site_min[j]), s))

    def met(s: int, h: int, t: int) -> bool:
        mates = w.partners.get((int(p.hotspot_zone[h]), s), frozenset())
        if arrive.get((h, t), set()) & mates:
            return True
        return any(st in mates and a <= t and t + int(p.visit_dwell_min[h]) <= b for a, b, st in on_post.get(h, []))

    stops = {int(j): [(h, t) for h, t, _ in p.visits_of(int(j))] for j in chosen if p.shift_loop[j] >= 0}
    for j, vs in stops.items():
        s = int(p.shift_station[j])
        stops[j] = [(h, t) for h, t in vs if not w.sync[h] or met(s, h, t)]
    _drop_surplus(w, stops, {j: int(p.shift_station[j]) for j in stops})
    trimmed: dict[int, LoopColumn | None] = {}
    frozen = set() if keep is None else {int(j) for j in np.nonzero(np.asarray(keep))[0]}
    for j, kept in stops.items():
        if j not in frozen and len(kept) < int(p.visit_ptr[j + 1] - p.visit_ptr[j]):
            trimmed[j] = LoopColumn(int(p.shift_station[j]), int(p.shift_start_min[j]), int(p.shift_len_min[j]),
                                    tuple(kept)) if kept else None
    if not trimmed:
        return p, counts
    q = p.with_loop_columns([c for c in trimmed.values() if c is not None])
    index = {q._loop_key(j): j for j in np.nonzero(q.shift_loop >= 0)[0]}
    out = np.zeros(q.n_shifts, dtype=np.int64)
    out[: p.n_shifts] = counts
    for j, c in trimmed.items():
        out[j] -= 1
        if c is not None:
            out[index[(c.station, c.start, c.length, c.visits)]] += 1
    return q, out


def _drop_surplus(w: Windows, stops: dict[int, list[tuple[int, int]]], station: dict[int, int]) -> None:
    """Take out of ``stops`` (per column: its kept ``(hotspot, arrival)``; ``station`` per
    column) each visit, or each meeting at a joint hotspot, whose window rows all hold another
    one, in time order."""
    at: dict[tuple[int, int], list[int]] = {}  # (hotspot, minute) -> columns stopping then
    for j, vs in stops.items():
        for h, t in vs:
            at.setdefault((h, t), []).append(j)
    # a joint hotspot's meeting is one visit, counted as the model counts it (a meeting point
    # whose link sets the loops there fill; one a post meets stays as it is); elsewhere each stop
    items = [(t, h, (j,)) for (h, t), js in at.items() if not w.sync[h] for j in js]
    for (h, t), js in at.items():
        if w.sync[h]:
            m = int(w.meet_index(np.array([h]), np.array([t]))[0])
            st = {station[j] for j in js}
            if m >= 0 and all(w.allowed[w.link_set[r]] & st for r in range(int(w.link_ptr[m]), int(w.link_ptr[m + 1]))):
                items.append((t, h, tuple(js)))
    items.sort()
    if not items:
        return
    hs = np.array([h for _, h, _ in items], dtype=np.int64)
    ts = np.array([t for t, _, _ in items], dtype=np.int64)
    first, last = w.window_range(hs, ts)
    held = np.zeros(w.n_windows, dtype=np.int64)
    for a, b in zip(first, last):
        held[a:b] += 1
    for (t, h, js), a, b in zip(items, first, last):
        if (held[a:b] >= 2).all():  # (a visit in no window keeps nothing either)
            held[a:b] -= 1
            for j in js:
                stops[j] = [v for v in stops[j] if v != (h, t)]
