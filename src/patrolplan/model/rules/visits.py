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
start, still asks for one visit, so its last slot is guarded):

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

from patrolplan.model.rules.coverage import GAP_PRICE_PER_TEAM_HOUR

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem

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
    visit_arrive: np.ndarray  # minutes from week_start


def interval_per_hotspot(need: np.ndarray, every: np.ndarray) -> np.ndarray:
    """The strictest interval asked of each hotspot (0 where no visits are asked)."""
    e = np.where(need > 0, every, np.iinfo(np.int64).max).min(axis=1)
    return np.where(need.any(axis=1), e, 0).astype(np.int64)


def dwell_per_hotspot(need: np.ndarray, dwell: np.ndarray) -> np.ndarray:
    return np.where(need > 0, dwell, 0).max(axis=1).astype(np.int64)


def visit_runs(need: np.ndarray, posts: np.ndarray, dwell_h: np.ndarray, slot: int):
    """The runs of visit-demanded slots of each hotspot: ``(h, first slot, end slot, a)`` with
    ``a`` the minute the run's hours start (its first slot's start; right after a post, the
    post's end less the dwell, since the post's presence counts as visits up to then)."""
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
    """Int ``[H, K]``: for each visit-demanded slot the minute its run's hours start (see
    :func:`visit_runs`); only visits starting then or later count for the slot."""
    out = np.zeros(need.shape, dtype=np.int64)
    for h, first, end, a in visit_runs(need, posts, dwell_h, slot):
        out[h, first:end] = a
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
    """(hotspot, slot) pairs this column guards. With ``a`` the start of the slot's run of
    visit hours (``run_from``, :func:`guard_from`; without it every visit counts and
    ``v_1 <= s``), only the column's visits
    starting at or after ``a`` count, ``v_1 < ... < v_n``; the slot ``[s, e]`` is guarded when
    ``v_n + every >= e``, ``v_1 < e`` and ``v_1 <= max(s, a + every)`` (capped at ``e``): every
    moment of the slot the contract asks about (``[a + every, b]``, or the hours' end ``b`` when
    they are no longer than the interval) then has a visit start within the interval before it,
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
                a = int(run_from[h, k])
                i = bisect.bisect_left(starts, a)
            if i == len(starts):
                continue
            first = starts[i]
            if first < e_min and first <= min(max(s_min, a + every), e_min):
                out.append((h, k))
    return out


def candidate_loops(config, *, teams, hotspot_zone, zone_mode, zone_members, zone_jurisdiction_groups, need,
                    guard, dwell_h, every_h, out_min, back_min, hop_min, starts_by_len, run_from=None) -> Loops:
    """Every loop column (see the module docstring)."""
    from patrolplan.model.rules import synchronized

    slot = config.slot_minutes
    n_k = need.shape[1]
    cap = config.visits.max_loop_hotspots
    seed = config.solver.seed
    visit_h = [h for h in range(need.shape[0]) if need[h].any()]
    cols = {k: [] for k in ("station", "hotspot", "start", "len", "out", "back")}
    loop_of, partner, hotspots_of_loop = [], [], []
    v_ptr, v_h, v_a = [0], [], []
    rows, cols_g = [], []

    def add_loops(stations: tuple[int, ...], orders: list[tuple[int, ...]]) -> None:
        """The columns of the loops ``orders`` driven by ``stations``, less the dominated ones."""
        found = []
        for order in orders:
            li = len(hotspots_of_loop)
            hotspots_of_loop.append(order)
            found += _draft(stations, order, li)
        for li, L, t, visits, g in _undominated(found):
            emit(stations, li, L, t, visits, g)

    def _draft(stations: tuple[int, ...], order: tuple[int, ...], li: int) -> list:
        # the loop's numbers as plain dicts: scheduling thousands of columns reads them per visit
        back = {h: max(int(back_min[h, s]) for s in stations) for h in order}
        hop = {(a, b): int(hop_min[a, b]) for a in order for b in order}
        dwell = {h: int(dwell_h[h]) for h in order}
        every = {h: int(every_h[h]) for h in order}
        out = max(int(out_min[s, order[0]]) for s in stations)
        template: dict[int, list[tuple[int, int]]] = {}  # without randomize, a start only shifts the visits
        # slots of the loop's hotspots to guard, as prefix sums: a start whose whole reach
        # (first arrival to the last departure plus the interval) holds none is skipped unscheduled
        wanted = np.concatenate([[0], np.cumsum(guard[list(order)].any(axis=0))])
        reach = int(max(every_h[h] for h in order))
        found = []
        for L, starts in starts_by_len.items():
            for t in starts:
                lo = min(n_k, max(0, -(-(int(t) + out) // slot)))
                hi = min(n_k, max(0, (int(t) + int(L) + reach) // slot))
                if hi <= lo or wanted[hi] == wanted[lo]:
                    continue
                if config.visits.randomize:
                    visits = schedule(order, int(t), int(L), out, back, dwell, every, hop, _Draws(seed, li, int(t), L))
                else:
                    if L not in template:
                        template[L] = schedule(order, 0, int(L), out, back, dwell, every, hop, None)
                    visits = [(h, a + int(t)) for h, a in template[L]]
                if not visits:
                    continue
                g = _guards(visits, guard, every, slot, n_k, run_from)
                if g:
                    found.append((li, int(L), int(t), visits, g))
        return found

    def emit(stations, li, L, t, visits, g) -> None:
        last_depart = visits[-1][1] + int(dwell_h[visits[-1][0]])
        first = visits[0][0]
        j0 = len(loop_of)
        for i, s in enumerate(stations):
            cols["station"].append(s)
            cols["hotspot"].append(first)
            cols["start"].append(int(t))
            cols["len"].append(int(L))
            cols["out"].append(visits[0][1] - int(t))
            cols["back"].append(int(t) + int(L) - last_depart)
            loop_of.append(li)
            partner.append(j0 + 1 - i if len(stations) > 1 else -1)
            v_h.extend(h for h, _ in visits)
            v_a.extend(a for _, a in visits)
            v_ptr.append(len(v_h))
        # the guard counts the first half of a joint loop; the link row brings the second
        rows.extend(g)
        cols_g.extend([j0] * len(g))

    for s in range(len(teams)):
        if teams[s] <= 0:
            continue
        mine = [h for h in visit_h if zone_mode[hotspot_zone[h]] != "synchronized"
                and s in zone_members[hotspot_zone[h]]]
        if not mine:
            continue
        add_loops((s,), loops_of(mine, {h: int(out_min[s, h]) for h in mine}, dwell_h, every_h, hop_min, cap))

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
    for (a, b), hs in sorted(pairs.items()):
        cost = {h: max(int(out_min[a, h]), int(out_min[b, h])) for h in hs}
        add_loops((a, b), loops_of(hs, cost, dwell_h, every_h, hop_min, cap))

    n = len(loop_of)
    arr = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
    g_rows = np.zeros(0, dtype=np.int64)
    if rows:
        g_rows = np.asarray([h * n_k + k for h, k in rows], dtype=np.int64)
    return Loops(
        columns=arr, hotspots=tuple(hotspots_of_loop), partner=np.asarray(partner, dtype=np.int64),
        loop=np.asarray(loop_of, dtype=np.int64), visit_ptr=np.asarray(v_ptr, dtype=np.int64),
        visit_hotspot=np.asarray(v_h, dtype=np.int64), visit_arrive=np.asarray(v_a, dtype=np.int64),
    ), (g_rows, np.asarray(cols_g, dtype=np.int64), n)


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


def add_rows(b, p: Problem, x: np.ndarray, *, allow_gaps: bool):
    """The guard rows (with ``allow_gaps`` a priced slack each) and the joint-loop links."""
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
    return gap


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
    longer = VisitDemand(need, p.visit_dwell[:, None] * need, p.visit_every[:, None] * factor * need)
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
    bare = np.nonzero(nnz == 0)[0]
    out = []
    for h in np.unique(p.guard_hotspot[bare]):
        h = int(h)
        ks = p.guard_slot[bare][p.guard_hotspot[bare] == h]
        z = p.hotspot_zone[h]
        joint = " (a joint loop of two member stations)" if p.zone_mode[z] == "synchronized" else ""
        out.append(
            f"hotspot {p.hotspot_ids[h]} (zone {p.zone_ids[z]}): no loop{joint} of the model visits it every "
            f"{int(p.visit_every[h])} min within one shift; short: {when(p, ks)}. Fix: add a nearer member station, "
            "allow longer shifts (rules.shift_hours), a longer every_min, or a shorter dwell_min."
        )
    return out
