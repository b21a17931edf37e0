r"""Published: re-planning a published week, and rolling into the next one (hard, with a soft part).

Three things a published roster asks of the new one, all here so that the re-plan's rule has
one solver-side home:

**Fixed shifts** (history and pinned rows). A row of the published roster that starts before
the cut (``--at``; *history*) or carries ``pinned = true`` is kept exactly, team included. Where
it matches a candidate column ``j`` of the new problem (same station, hotspot or loop, start,
length and planned travel), ``x[j] >= fixed[j]``. A kept row at member stations that matches
none (the roads changed, so the new columns plan other travel minutes; a length or start off
today's grid) becomes a column of its own with its own times (:func:`with_kept_columns`): it
happened, so it covers the slots its on-site hours cover (a post) or guards the slots its
published visits guard (a loop, both halves of a joint loop linked), whatever today's travel
minutes are. What still matches nothing (a loop without its visits.csv rows, a zone that lost
the station) is kept outside the model as an interval that keeps its team busy
(``[start, end + rest)``) and one of the team's shifts, covering nothing. No new shift starts before the cut: ``x[j] <= fixed[j]`` for every column
starting before it.

**Busy teams** (``solve --previous``, and fixed shifts outside the model). A team ``k`` busy
until minute ``u`` (last week's shift plus its rest) takes one of its station's teams at every
instant before ``u``: at each start time ``t`` of the station's columns,
``sum(x[j] occupying t) <= teams(s) - busy(s, t)``. The busy intervals start before every
column they meet (or are pre-placed), so the interval-colouring argument of the capacity family
still gives named teams (``assign.py`` starts each team from its own busy intervals).

**Fewest changes** (soft, priced above every other goal). With ``P`` published rows after the
cut (not pinned) and ``K`` of them kept (``y[j] <= min(published[j], x[j] - fixed[j])``), the
roster changes ``R + A = (P - K) + (N - K)`` shifts, ``N`` being the new shifts after the cut.
The objective adds ``CHANGE_PRICE_H`` x that count (``+W`` on each ``x[j]`` after the cut,
``-2W`` on each ``y[j]``, offset ``W (P - fixed after the cut)``), so with gaps forbidden (a
hard rule) the solver minimises changes first, then the usual objective.

**Availability after the cut.** The availability table of the new inputs binds the shifts that
start at or after the cut; history is what happened (``binds_availability``).

The family acts only when a problem carries a published roster (``Problem.published``, set by
:mod:`patrolplan.replan`), so it is not in ``rules.FAMILIES`` (whose members shape every week);
``build_model`` calls it after availability. Under ``solver.allow_gaps`` a missing team-hour
(10,000 h x risk) still outweighs a changed shift (1,000 h), but a short, low-risk gap may not.
The checker's version is :mod:`patrolplan.check.published` (rules ``history``, ``pinned``,
``previous_rest``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules import max_shifts
from patrolplan.model.rules.capacity import occupancy_rows, occupied

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "published"
HARD = True

#: hours of objective per changed shift: far above what one shift adds to the usual objective
#: (its team-hours, travel, over-coverage and a fairness term of at most ``fairness`` x its
#: length), so the solver never trades a change for a cheaper roster
CHANGE_PRICE_H = 1000.0


@dataclass(frozen=True)
class PublishedShift:
    """One row of a published roster, in the new problem's indices (minutes from week_start)."""

    row: int  # the row's number in roster.csv (1 = first data row), for messages
    shift_id: str
    station: int
    team: int  # 0-based team index (team_id <station>-T01 is 0)
    hotspot: int
    loop: tuple[int, ...]  # hotspots of its loop, () for a post
    start_min: int
    len_min: int
    out_min: int
    back_min: int
    pinned: bool = False
    partner_station: int = -1  # a joint loop's other station (its row alike in loop and times), -1 alone
    visits: tuple[tuple[int, int], ...] = ()  # a loop's visits as published: (hotspot, arrive minute)


@dataclass(frozen=True)
class Published:
    """What a published roster asks of a re-plan. ``cut_min``: minutes from week_start of
    ``--at`` (None: no cut, as when only rolling over from last week)."""

    cut_min: int | None = None
    fixed: tuple[PublishedShift, ...] = ()  # history and pinned rows: kept as they are
    reuse: tuple[PublishedShift, ...] = ()  # published rows after the cut: kept where possible
    busy: tuple[tuple[int, int, int, int], ...] = ()  # (station, team, from, until) minutes: team not free
    _cache: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary, compare=False, repr=False)

    def is_empty(self) -> bool:
        return not (self.fixed or self.reuse or self.busy) and self.cut_min is None


def _key(station, hotspot, loop, start, length, out, back, partner_station, visits=()) -> tuple:
    return (int(station), int(hotspot), tuple(int(h) for h in loop), int(start), int(length), int(out), int(back),
            int(partner_station), tuple((int(h), int(t)) for h, t in visits))


def _column_index(p: Problem) -> dict[tuple, int]:
    """Column of each (station, hotspot, loop, start, length, travel, joint partner's station;
    with visits.rendezvous also a loop's visits: a frame holds many loops through the same
    stops at other times)."""
    loops = p.loop_hotspots
    index: dict[tuple, int] = {}
    partner_station = np.where(p.shift_partner >= 0, p.shift_station[np.maximum(p.shift_partner, 0)], -1)
    timed = p.windows is not None
    for j, (s, h, li, a, n, o, b, q) in enumerate(zip(p.shift_station, p.shift_hotspot, p.shift_loop,
                                                   p.shift_start_min, p.shift_len_min, p.shift_out_min,
                                                   p.shift_back_min, partner_station)):
        loop = tuple(loops[li]) if li >= 0 else ()
        visits = p._loop_key(j)[3] if timed and li >= 0 else ()
        index.setdefault(_key(s, h, loop, a, n, o, b, q, visits), j)
    return index


def column_of(p: Problem, shifts) -> np.ndarray:
    """The candidate column of each published shift (-1: none matches)."""
    cache = p.published._cache if p.published is not None else weakref.WeakKeyDictionary()
    index = cache.get(p)
    if index is None:
        index = _column_index(p)
        cache[p] = index
    timed = p.windows is not None
    return np.array([index.get(_key(r.station, r.hotspot, r.loop, r.start_min, r.len_min, r.out_min, r.back_min,
                                     r.partner_station, r.visits if timed and r.loop else ()), -1)
                     for r in shifts], dtype=np.int64)


def fixed_counts(p: Problem) -> tuple[np.ndarray, list[PublishedShift]]:
    """``fixed[j]`` rows kept on column ``j``, and the fixed rows no column matches."""
    fixed = np.zeros(p.n_shifts, dtype=np.int64)
    pub = p.published
    if pub is None or not pub.fixed:
        return fixed, []
    cols = column_of(p, pub.fixed)
    np.add.at(fixed, cols[cols >= 0], 1)
    return fixed, [r for r, j in zip(pub.fixed, cols) if j < 0]


def with_kept_columns(p: Problem) -> Problem:
    """``p`` with one more column per fixed row that no column matches, at member stations: the
    row's own station, hotspot (a loop: its stops and published visits), start, length and
    travel. A post covers the slots inside its on-site hours (with the handover trim, as
    :func:`~patrolplan.model.rules.shifts.candidate_shifts` does); a loop guards the visit slots
    its visits guard (:func:`~patrolplan.model.rules.visits.guards_of`), the two halves of a joint
    loop linked as the loop columns are. History happened: its coverage counts whatever the
    roads give today. ``p`` itself when nothing is to add."""
    if p.windows is not None:
        p = _with_published_loops(p)
    _, outside = fixed_counts(p)
    posts = [r for r in outside if not r.loop and _member(p, r.station, (r.hotspot,))]
    loops = [] if p.windows is not None else _kept_loops(p, [r for r in outside if r.loop])
    if not posts and not loops:
        return p
    cols = {k: [] for k in ("station", "hotspot", "start", "len", "out", "back", "k0", "k1", "loop", "partner")}
    seen = set()
    for r in posts:
        key = (r.station, r.hotspot, r.start_min, r.len_min, r.out_min, r.back_min)
        if key in seen:  # two kept rows alike share one column (fixed counts 2)
            continue
        seen.add(key)
        k0, k1 = _post_slots(p, r)
        _append(cols, r, k0, k1, -1, -1)
    n0, n_k = p.n_shifts, p.n_slots
    loop_hotspots = list(p.loop_hotspots)
    v_h, v_a, v_n = [], [], []
    guard_rows, guard_cols = [], []
    row_of = {(int(h), int(k)): i for i, (h, k) in enumerate(zip(p.guard_hotspot, p.guard_slot))}
    need_guard = np.zeros((len(p.hotspot_ids), n_k), dtype=bool)
    need_guard[p.guard_hotspot, p.guard_slot] = True
    from patrolplan.model.rules.visits import guard_from, guards_of

    run_from = guard_from(p.visit_need, p.demand, p.visit_dwell_min, p.slot_min)
    for group in loops:
        j0 = n0 + len(cols["station"])
        li = len(loop_hotspots)
        loop_hotspots.append(tuple(group[0].loop))
        end = min(n_k, max(0, (group[0].start_min + group[0].len_min - group[0].back_min) // p.slot_min))
        for i, r in enumerate(group):
            _append(cols, r, end, end, li, j0 + 1 - i if len(group) > 1 else -1)
            v_h.extend(h for h, _ in r.visits)
            v_a.extend(a for _, a in r.visits)
            v_n.append(len(r.visits))
        # the guard counts the first half of a joint loop; the link row brings the second
        for h, k in guards_of(list(group[0].visits), need_guard, p.visit_every_min, p.slot_min, n_k, run_from):
            guard_rows.append(row_of[(h, k)])
            guard_cols.append(j0)
    return _with_columns(p, cols, loop_hotspots, v_h, v_a, v_n, guard_rows, guard_cols)


def _with_published_loops(p: Problem) -> Problem:
    """visits.rendezvous: every published loop row with its visits (kept or after the cut), at
    member stations, as a loop column of its own (``Problem.with_loop_columns``: its window and
    meeting rows follow from its visits' times), so the re-plan can keep it. A kept row keeps its
    published travel (it was planned on the roads of its day: history happened, and its visits
    count whatever the roads give today); a row after the cut is a column with today's travel
    where its visits still fit today's roads, and none otherwise."""
    from patrolplan.model.rules.visits import LoopColumn

    def usable(r, kept):
        return r.loop and r.visits and _member(p, r.station, r.loop) and (kept or _fits_today(p, r))

    rows = [r for r in p.published.fixed if usable(r, True)]
    later = [r for r in p.published.reuse if usable(r, False)]
    p = p.with_loop_columns([LoopColumn(r.station, r.start_min, r.len_min, tuple(r.visits)) for r in rows],
                            travel=[(r.out_min, r.back_min) for r in rows])
    return p.with_loop_columns([LoopColumn(r.station, r.start_min, r.len_min, tuple(r.visits)) for r in later])


def _fits_today(p: Problem, r: PublishedShift) -> bool:
    """Whether a published loop's visits fit today's road minutes: out to the first, between
    stops (after each dwell), and back from the last before the shift ends."""
    s, v = r.station, r.visits
    if v[0][1] - r.start_min < p.out_min[s, v[0][0]]:
        return False
    for (h, t), (h2, t2) in zip(v, v[1:]):
        if t2 - t < int(p.visit_dwell_min[h]) + (int(p.hop_min[h, h2]) if h != h2 else 0):
            return False
    h, t = v[-1]
    return t + int(p.visit_dwell_min[h]) + int(p.back_min[h, s]) <= r.start_min + r.len_min


def _member(p: Problem, station: int, hotspots) -> bool:
    return all(station in p.zone_members[int(p.hotspot_zone[h])] for h in hotspots)


def _post_slots(p: Problem, r: PublishedShift) -> tuple[int, int]:
    from patrolplan.model.rules import handover

    slot, n_k = p.slot_min, p.n_slots
    a, b = r.start_min + r.out_min, r.start_min + r.len_min - r.back_min
    k0 = np.clip(np.array([-(-a // slot)]), 0, n_k)
    k1 = np.clip(np.array([b // slot]), 0, n_k)
    overlap = handover.overlap_min(p.config, p.zone_mode[int(p.hotspot_zone[r.hotspot])])
    if overlap:
        k1 = handover.trim_tail(k0, k1, np.array([b]), slot, overlap, p.required[r.hotspot] > 0, n_k)
    return int(k0[0]), int(max(k1[0], k0[0]))


def _kept_loops(p: Problem, rows: list[PublishedShift]) -> list[tuple[PublishedShift, ...]]:
    """Kept loop rows with their published visits at member stations, alone (no synchronized
    zone on the loop) or as the two halves of a joint loop (each naming the other's station);
    a half without its partner stays outside."""
    if not p.has_visits:
        return []
    ok = [r for r in rows if r.visits and _member(p, r.station, r.loop)]
    out, used = [], set()
    for i, r in enumerate(ok):
        if i in used:
            continue
        if r.partner_station < 0:
            if not any(p.zone_mode[int(p.hotspot_zone[h])] == "synchronized" for h in r.loop):
                out.append((r,))  # a lone half of a joint loop guards nothing: it stays outside
            used.add(i)
            continue
        j = next((j for j, q in enumerate(ok) if j not in used and j != i and q.station == r.partner_station
                  and q.partner_station == r.station and (q.loop, q.start_min, q.len_min) ==
                  (r.loop, r.start_min, r.len_min)), None)
        if j is not None:
            out.append((r, ok[j]))
            used.update((i, j))
    return out


def _append(cols: dict, r: PublishedShift, k0: int, k1: int, loop: int, partner: int) -> None:
    for name, v in zip(cols, (r.station, r.hotspot, r.start_min, r.len_min, r.out_min, r.back_min, k0, k1, loop,
                              partner)):
        cols[name].append(int(v))


def _with_columns(p: Problem, cols: dict, loop_hotspots, v_h, v_a, v_n, guard_rows, guard_cols) -> Problem:
    """``p`` with the columns ``cols`` appended: the cover matrix (demanded slots inside each
    post's ``[k0, k1)``), the guard matrix (``guard_rows`` x ``guard_cols``), the loops and
    their visits (``v_n`` visits per column in order, 0 for a post: posts come first)."""
    import scipy.sparse as sp

    n_new = len(cols["station"])
    n_all = p.n_shifts + n_new
    k0, k1, hs = (np.array(cols[k], dtype=np.int64) for k in ("k0", "k1", "hotspot"))
    row_of = {(int(h), int(k)): i for i, (h, k) in enumerate(zip(p.cover_hotspot, p.cover_slot))}
    entries = [(row_of[(int(h), k)], p.n_shifts + c) for c, (h, a, b) in enumerate(zip(hs, k0, k1))
               for k in range(int(a), int(b)) if (int(h), k) in row_of]
    cover = p.cover.tocsr().copy()
    cover.resize((cover.shape[0], n_all))
    if entries:
        r, c = np.array(entries, dtype=np.int64).T
        cover = (cover + sp.csr_matrix((np.ones(r.size, dtype=cover.dtype), (r, c)), shape=cover.shape)).tocsr()
    guard = p.guard.tocsr().copy()
    guard.resize((guard.shape[0], n_all))
    if guard_rows:
        g = sp.csr_matrix((np.ones(len(guard_rows)), (guard_rows, guard_cols)), shape=guard.shape)
        guard = (guard + g).tocsr()
        guard.data[:] = 1.0
    n_posts_new = n_new - len(v_n)
    counts = np.concatenate([np.zeros(n_posts_new, dtype=np.int64), np.asarray(v_n, dtype=np.int64)])
    visit_ptr = np.concatenate([p.visit_ptr, p.visit_ptr[-1] + np.cumsum(counts)]).astype(np.int64)

    def more(values, name):
        return np.concatenate([values, np.asarray(cols[name], dtype=np.int64)]).astype(np.int64)

    return p.replace(
        shift_station=more(p.shift_station, "station"), shift_hotspot=more(p.shift_hotspot, "hotspot"),
        shift_start_min=more(p.shift_start_min, "start"), shift_len_min=more(p.shift_len_min, "len"),
        shift_out_min=more(p.shift_out_min, "out"), shift_back_min=more(p.shift_back_min, "back"),
        shift_k0=more(p.shift_k0, "k0"), shift_k1=more(p.shift_k1, "k1"),
        shift_loop=more(p.shift_loop, "loop"), shift_partner=more(p.shift_partner, "partner"),
        visit_ptr=visit_ptr, loop_hotspots=tuple(loop_hotspots),
        visit_hotspot=np.concatenate([p.visit_hotspot, np.asarray(v_h, dtype=np.int64)]).astype(np.int64),
        visit_arrive_min=np.concatenate([p.visit_arrive_min, np.asarray(v_a, dtype=np.int64)]).astype(np.int64),
        cover=cover, guard=guard)


def busy_intervals(p: Problem) -> list[tuple[int, int, int, int, bool]]:
    """``(station, team, from, until, is_shift)``: last week's busy teams (``is_shift`` False:
    last week's shifts count against last week's cap) and the fixed rows kept outside the model
    (their shift and rest; one of the team's shifts)."""
    pub = p.published
    if pub is None:
        return []
    _, outside = fixed_counts(p)
    return ([(s, k, lo, hi, False) for s, k, lo, hi in pub.busy]
            + [(r.station, r.team, r.start_min, r.start_min + r.len_min + p.min_rest_min, True) for r in outside])


def binds_availability(p: Problem) -> np.ndarray:
    """Columns the availability table binds: all, or those starting at or after the cut."""
    pub = p.published
    if pub is None or pub.cut_min is None:
        return np.ones(p.n_shifts, dtype=bool)
    return p.shift_start_min >= pub.cut_min


def add_rows(ctx: FamilyContext) -> None:
    """Fixed columns, no new shift before the cut, busy teams, and the price of each change."""
    b, p, x = ctx.builder, ctx.problem, ctx.x
    pub = p.published
    if pub is None:
        return
    fixed, outside = fixed_counts(p)
    upper = np.full(p.n_shifts, np.inf)
    if pub.cut_min is not None:
        past = p.shift_start_min < pub.cut_min
        upper[past] = fixed[past]
    b.tighten(x, lower=fixed, upper=upper)
    _busy_rows(b, p, x)
    _outside_shift_caps(b, p, x, outside)
    if pub.cut_min is not None:
        _change_price(b, p, x, fixed)


def _busy_rows(b, p: Problem, x: np.ndarray) -> None:
    by_station: dict[int, list[tuple[int, int]]] = {}
    for s, _k, lo, hi, _ in busy_intervals(p):
        by_station.setdefault(int(s), []).append((lo, hi))
    for s, spans in sorted(by_station.items()):
        js = np.nonzero(p.shift_station == s)[0]
        if js.size == 0:
            continue
        starts, until = occupied(p.shift_start_min[js], p.shift_len_min[js], p.min_rest_min)
        r, c, n = occupancy_rows(starts, until)
        taus = np.unique(starts)
        busy = np.zeros(n, dtype=np.int64)
        for lo, hi in spans:
            busy += (lo <= taus) & (taus < hi)
        keep_row = busy > 0
        if not keep_row.any():
            continue
        new_row = -np.ones(n, dtype=np.int64)
        new_row[keep_row] = np.arange(int(keep_row.sum()))
        sel = keep_row[r]
        b.add_rows(NAME, new_row[r[sel]], x[js[c[sel]]], np.ones(int(sel.sum())), -np.inf,
                   (p.teams[s] - busy[keep_row]).astype(float), int(keep_row.sum()))


def _outside_shift_caps(b, p: Problem, x: np.ndarray, outside: list[PublishedShift]) -> None:
    """A fixed row outside the model is one of its station's ``teams x max_shifts`` shifts."""
    cap = max_shifts.team_cap(p)
    for s in sorted({r.station for r in outside}):
        js = np.nonzero(p.shift_station == s)[0]
        n_out = sum(1 for r in outside if r.station == s)
        b.add_rows(NAME, np.zeros(js.size, dtype=np.int64), x[js], np.ones(js.size), -np.inf,
                   float(int(p.teams[s]) * cap - n_out), 1)


def _change_price(b, p: Problem, x: np.ndarray, fixed: np.ndarray) -> None:
    future = p.shift_start_min >= p.published.cut_min
    b.add_cost(x[future], CHANGE_PRICE_H)
    reuse_cols = column_of(p, p.published.reuse)
    reuse_cols = reuse_cols[reuse_cols >= 0]
    b.offset += CHANGE_PRICE_H * (len(p.published.reuse) - float(fixed[future].sum()))
    if reuse_cols.size == 0:
        return
    cols, published = np.unique(reuse_cols, return_counts=True)
    y = b.add_cols(cols.size, lower=0, upper=published, cost=-2 * CHANGE_PRICE_H, integer=False, family=NAME)
    n = cols.size
    rows = np.concatenate([np.arange(n), np.arange(n)])
    b.add_rows(NAME, rows, np.concatenate([y, x[cols]]), np.concatenate([np.ones(n), -np.ones(n)]), -np.inf,
               -fixed[cols].astype(float), n)


def changed_shifts(p: Problem, x: np.ndarray) -> int:
    """Published rows after the cut not kept plus new rows after the cut, counted on columns
    (before named teams; :mod:`patrolplan.replan` counts the written roster)."""
    pub = p.published
    if pub is None or pub.cut_min is None:
        return 0
    fixed, _ = fixed_counts(p)
    x = np.rint(np.asarray(x)[: p.n_shifts]).astype(np.int64)
    future = p.shift_start_min >= pub.cut_min
    published = np.zeros(p.n_shifts, dtype=np.int64)
    cols = column_of(p, pub.reuse)
    np.add.at(published, cols[cols >= 0], 1)
    kept = np.minimum(published, np.maximum(x - fixed, 0))
    return int(len(pub.reuse) + (x[future] - fixed[future]).sum() - 2 * kept.sum())


def hint(p: Problem) -> np.ndarray:
    """The published roster as shift counts (fixed rows and published rows after the cut): the
    re-plan's warm start, the optimum itself when nothing changed."""
    pub = p.published
    x = np.zeros(p.n_shifts, dtype=np.int64)
    for shifts in (pub.fixed, pub.reuse):
        cols = column_of(p, shifts)
        np.add.at(x, cols[cols >= 0], 1)
    return x


def team_preferences(p: Problem) -> dict[int, list[int]]:
    """Column -> the published teams on it after the cut (the named-team step keeps them)."""
    out: dict[int, list[int]] = {}
    pub = p.published
    if pub is None:
        return out
    for r, j in zip(pub.reuse, column_of(p, pub.reuse)):
        if j >= 0:
            out.setdefault(int(j), []).append(r.team)
    return out


def relaxations(p: Problem) -> list:
    """None: the published roster is not relaxed (the explanation compares old and new inputs)."""
    return []


def precheck(p: Problem) -> list[str]:
    """None: the LP relaxation holds these rows (pinned rows are validated when read)."""
    return []
