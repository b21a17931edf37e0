r"""A true relaxation of a week with visits: conditions every roster keeping the contract's
rules meets, in the aggregated model's terms. Its LP being infeasible proves that no roster
exists; the model's visit rows cannot (loop columns are a chosen subset and a guard asks more
than the rule, ``rules/visits.py``).

**Columns.** The post columns of the aggregated model (a roster's post shifts are among them)
and *roaming* shifts ``r[s, t, L]``: a team of station ``s`` on duty from ``t`` (the shift
grid) for an allowed length ``L``, anywhere in ``s``'s zones (every loop shift and every post
that covers no post slot is one). Both take part in the families' rows of the aggregated
model: capacity and rest, the shift cap, availability (``build_model``), so at every moment a
station has at most its teams on duty, each at most ``max_shifts_per_team`` times.

**Visits.** ``v[s, w]`` (0..1): a team of member station ``s`` makes a counted visit in window
``w`` = ``(h, w0, w1)`` (``visits.relaxation_windows``: each window must hold a counted visit
start, and no visit serves two). Rows:

* *visits*: ``sum_s v[s, w] >= 1``; in a synchronized zone, for every member ``q``
  ``sum_{s != q} v[s, w] >= 1`` (teams of two stations) and, where the members span two
  jurisdictions, for every jurisdiction ``J`` ``sum_{s not in J, not blank} v[s, w] >= 1``;
* *serve*: ``v[s, w] <= sum`` of ``s``'s shifts that can make a visit starting in
  ``[w0, w1]``: out by ``w1`` (``t + out(s, h) <= w1``) and back by their end
  (``t + L - back(h, s) - dwell >= w0``), road minutes without the planning margin;
* *budget*: a visit at ``h`` starting at ``v`` keeps its team at ``h`` or on the road into
  ``h`` over ``[v - R, v + dwell]`` with ``R`` the least road time into ``h`` (from ``s`` or any
  other hotspot), capped at ``every + 2 - dwell`` so that the stretches of windows two apart
  never overlap; each minute of a team is at one hotspot or on a road into one. So per station,
  per parity class of windows and per block (the week, each day), the visits' minutes
  ``(dwell + R) v`` are at most the minutes its shifts are on duty in the block.

Where several visit rows name one hotspot, its strictest interval and longest dwell hold all
week (as the model plans them); post coverage uses the planned travel minutes (road time plus
``travel.margin_min`` per leg), as the aggregated model does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from patrolplan.inputs.network import UNREACHABLE_MIN
from patrolplan.model.build import LinearModel, build_model
from patrolplan.model.problem import Problem
from patrolplan.model.rules import visits as visit_rule
from patrolplan.model.rules.coverage import GAP_PRICE_PER_TEAM_HOUR
from patrolplan.model.rules.shifts import shift_starts

__all__ = ["VisitRelaxation", "visit_relaxation"]

NAME = "visits_relaxed"
_DAY_MIN = 24 * 60


@dataclass(frozen=True)
class VisitRelaxation:
    """The relaxation's model and its windows (``window_h``, ``window_w0``, ``window_w1``);
    ``slack``: with gaps allowed, the column of each window's shortfall (else empty)."""

    model: LinearModel
    window_h: np.ndarray
    window_w0: np.ndarray
    window_w1: np.ndarray
    slack: np.ndarray
    n_roaming: int


def road_minutes(planned: np.ndarray, margin_min: int) -> np.ndarray:
    """Planned minutes less the planning margin (``problem.planned_travel`` added it to every
    non-zero, reachable leg)."""
    planned = np.asarray(planned, dtype=np.int64)
    spare = (planned > 0) & (planned < UNREACHABLE_MIN)
    return np.where(spare, np.maximum(planned - int(margin_min), 0), planned)


def _members_with_teams(p: Problem, h: int) -> list[int]:
    return [int(s) for s in p.zone_members[int(p.hotspot_zone[h])] if p.teams[s] > 0]


def _excluded_sets(p: Problem, h: int, members: list[int]) -> list[set[int]]:
    """The station sets a window's visit row asks someone outside of: none but the empty set
    in a staggered zone; each member and each jurisdiction in a synchronized one."""
    z = int(p.hotspot_zone[h])
    if p.zone_mode[z] != "synchronized":
        return [set()]
    all_members = set(int(m) for m in p.zone_members[z])
    sets = [{q} for q in sorted(all_members)]
    groups = p.zone_jurisdiction_groups[z]
    if len(groups) >= 2:
        blank = all_members - {int(s) for g in groups for s in g}
        sets += [set(int(s) for s in g) | blank for g in groups]
    return sets


def visit_relaxation(p: Problem, *, allow_gaps: bool = False) -> VisitRelaxation | None:
    """The relaxation of ``p`` (None without visit demand, or in a re-plan: its kept rows are
    columns of the restricted model)."""
    if not p.has_visits or p.published is not None:
        return None
    cfg = p.config
    slot = p.slot_min
    margin = cfg.travel.margin_min
    out_road = road_minutes(p.out_min, margin)
    back_road = road_minutes(p.back_min, margin)
    hop = road_minutes(p.hop_min, margin) if p.hop_min is not None else np.zeros((len(p.hotspot_ids),) * 2, int)
    windows = visit_rule.relaxation_windows(p.visit_need, p.visit_every_min, slot)
    w_h = np.array([w[0] for w in windows], dtype=np.int64)
    w0 = np.array([w[1] for w in windows], dtype=np.int64)
    w1 = np.array([w[2] for w in windows], dtype=np.int64)

    # roaming shifts of the stations that may visit: (station, start, length)
    visitors = sorted({s for h in np.unique(w_h) for s in _members_with_teams(p, int(h))})
    grid = [(int(t), int(L)) for L in cfg.rules.shift_minutes for t in shift_starts(cfg, L)]
    g_t = np.array([t for t, _ in grid], dtype=np.int64)
    g_L = np.array([L for _, L in grid], dtype=np.int64)
    n_posts = int((p.shift_loop < 0).sum())
    post = np.arange(n_posts)
    post_st, post_h = p.shift_station[post], p.shift_hotspot[post]
    post_t, post_L = p.shift_start_min[post], p.shift_len_min[post]

    r_station, r_start, r_len, r_hotspot = [], [], [], []
    v_station, v_window, v_serve = [], [], []  # serve: (list of roaming grid idx, list of post cols)
    for s in visitors:
        mine = np.nonzero(np.isin(w_h, [h for h in np.unique(w_h) if s in _members_with_teams(p, int(h))]))[0]
        if mine.size == 0:
            continue
        hs = w_h[mine]
        dwell = p.visit_dwell_min[hs]
        # [windows, grid]: shift (t, L) can make a visit starting within the window
        ok = ((g_t[None, :] + out_road[s, hs][:, None] <= w1[mine][:, None])
              & (g_t[None, :] + g_L[None, :] - back_road[hs, s][:, None] - dwell[:, None] >= w0[mine][:, None])
              & (out_road[s, hs] < UNREACHABLE_MIN)[:, None])
        used = np.nonzero(ok.any(axis=0))[0]
        base = len(r_station)
        index = -np.ones(g_t.size, dtype=np.int64)
        index[used] = base + np.arange(used.size)
        r_station += [s] * used.size
        r_start += g_t[used].tolist()
        r_len += g_L[used].tolist()
        r_hotspot += [int(hs[0])] * used.size
        my_posts = np.nonzero(post_st == s)[0]
        for i, w in enumerate(mine):
            cols = index[np.nonzero(ok[i])[0]]
            h = int(hs[i])
            at_h = my_posts[post_h[my_posts] == h]
            at_h = at_h[(post_t[at_h] + out_road[s, h] <= w1[w])
                        & (post_t[at_h] + post_L[at_h] - back_road[h, s] - int(dwell[i]) >= w0[w])]
            if cols.size or at_h.size:
                v_station.append(s)
                v_window.append(int(w))
                v_serve.append((cols, at_h))
    n_r = len(r_station)
    relaxed = _with_roaming(p, n_posts, np.array(r_station, dtype=np.int64), np.array(r_start, dtype=np.int64),
                            np.array(r_len, dtype=np.int64), np.array(r_hotspot, dtype=np.int64))
    base_model = build_model(relaxed, allow_gaps=allow_gaps)
    return _with_visit_rows(p, relaxed, base_model, n_posts, n_r, w_h, w0, w1, v_station, v_window, v_serve, hop,
                            out_road, allow_gaps)


def _with_roaming(p: Problem, n_posts: int, station, start, length, hotspot) -> Problem:
    """``p`` with its loop columns replaced by the roaming shifts (no visit rows of its own)."""
    n = n_posts + station.size
    zeros = np.zeros(station.size, dtype=np.int64)
    cat = lambda a, b: np.concatenate([np.asarray(a)[:n_posts], b]).astype(np.int64)  # noqa: E731
    cover = sp.hstack([p.cover.tocsc()[:, :n_posts], sp.csc_matrix((p.cover.shape[0], station.size))]).tocsr()
    # the relaxation's own visit rows replace the model's, the rendezvous windows and meetings too
    config = p.config.replace(response=p.config.response.model_copy(update={"backup": "off"}),
                              visits=p.config.visits.model_copy(update={"rendezvous": False}))
    return dataclasses.replace(
        p, config=config, windows=None, meet_window=None, meet_link=None, pricing=None,
        shift_station=cat(p.shift_station, station), shift_hotspot=cat(p.shift_hotspot, hotspot),
        shift_start_min=cat(p.shift_start_min, start), shift_len_min=cat(p.shift_len_min, length),
        shift_out_min=cat(p.shift_out_min, zeros), shift_back_min=cat(p.shift_back_min, zeros),
        shift_k0=cat(p.shift_k0, zeros), shift_k1=cat(p.shift_k1, zeros), cover=cover,
        visit_need=np.zeros_like(p.visit_need), visit_asked_every_min=np.zeros_like(p.visit_need),
        visit_asked_dwell_min=np.zeros_like(p.visit_need), loop_hotspots=(),
        shift_loop=np.full(n, -1, dtype=np.int64), shift_partner=np.full(n, -1, dtype=np.int64),
        visit_ptr=np.zeros(n + 1, dtype=np.int64), visit_hotspot=np.zeros(0, dtype=np.int64),
        visit_arrive_min=np.zeros(0, dtype=np.int64), guard=sp.csr_matrix((0, n)),
        guard_hotspot=np.zeros(0, dtype=np.int64), guard_slot=np.zeros(0, dtype=np.int64),
    )


class _Rows:
    """New constraint rows ``lower <= sum vals * x[cols] <= upper``, gathered as triplets."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, cs, vs, lower: float, upper: float) -> None:
        i = len(self.lower)
        self.rows.extend([i] * len(cs))
        self.cols.extend(cs)
        self.vals.extend(vs)
        self.lower.append(lower)
        self.upper.append(upper)

    def matrix(self, n_cols: int) -> sp.csr_matrix:
        return sp.csr_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lower), n_cols))


def _with_visit_rows(p, relaxed, m: LinearModel, n_posts, n_r, w_h, w0, w1, v_station, v_window, v_serve, hop,
                     out_road, allow_gaps) -> VisitRelaxation:
    """``m`` (the roaming week's model) with the ``v`` columns (from column ``v0`` on), one slack
    per window when ``allow_gaps``, and the visits, serve and budget rows (module docstring)."""
    n_w, n_v = w_h.size, len(v_station)
    v0 = m.n_cols  # first v column
    slack0 = v0 + n_v
    n_slack = n_w if allow_gaps else 0
    new = _Rows()
    _visits_rows(new, p, w_h, v_station, v_window, v0, slack0 if allow_gaps else None)
    for i, (roam, posts) in enumerate(v_serve):  # serve
        cs = [v0 + i] + [n_posts + int(c) for c in roam] + [int(c) for c in posts]
        new.add(cs, [1.0] + [-1.0] * (len(cs) - 1), -np.inf, 0.0)
    _budget_rows(new, p, relaxed, w_h, w0, w1, np.asarray(v_station, dtype=np.int64),
                 np.asarray(v_window, dtype=np.int64), v0, hop, out_road)
    model = _extended_model(p, relaxed, m, new, w_h, n_v, n_slack)
    return VisitRelaxation(model, w_h, w0, w1, np.arange(slack0, slack0 + n_slack), n_r)


def _visits_rows(new: _Rows, p, w_h, v_station, v_window, v0: int, slack0: int | None) -> None:
    """Each window holds a visit (of stations of other members, other jurisdictions, in a
    synchronized zone: ``_excluded_sets``); with ``slack0``, window ``w``'s slack column
    ``slack0 + w`` may stand in."""
    by_window: dict[int, list[int]] = {}
    for i, w in enumerate(v_window):
        by_window.setdefault(w, []).append(i)
    for w in range(w_h.size):
        vs = by_window.get(w, [])
        for excluded in _excluded_sets(p, int(w_h[w]), []):
            cs = [v0 + i for i in vs if v_station[i] not in excluded]
            vv = [1.0] * len(cs)
            if slack0 is not None:
                cs.append(slack0 + w)
                vv.append(1.0)
            new.add(cs, vv, 1.0, np.inf)


def _budget_rows(new: _Rows, p, relaxed, w_h, w0, w1, v_station: np.ndarray, v_window: np.ndarray, v0: int,
                 hop, out_road) -> None:
    """Per station, parity class of windows and block (the week, each day): the visits'
    minutes (dwell and the least road time in) at most its shifts' minutes on duty in the block."""
    every = p.visit_every_min[w_h]
    dwell = p.visit_dwell_min[w_h]
    parity = _parity(w_h, w0, w1, every)
    least_in = np.where(np.eye(len(p.hotspot_ids), dtype=bool), UNREACHABLE_MIN, hop).min(axis=0)
    s_all = relaxed.shift_station
    t_all, L_all = relaxed.shift_start_min, relaxed.shift_len_min
    blocks = [(-10**9, 10**9)] + [(d * _DAY_MIN, (d + 1) * _DAY_MIN) for d in range(p.config.horizon_days)]
    for s in np.unique(v_station):
        mine_v = np.nonzero(v_station == s)[0]
        ws = v_window[mine_v]
        hs = w_h[ws]
        r_in = np.minimum(out_road[s, hs], least_in[hs])
        cost = dwell[ws] + np.clip(np.minimum(r_in, every[ws] + 2 - dwell[ws]), 0, None)
        shifts_s = np.nonzero(s_all == s)[0]
        for b0, b1 in blocks:
            inside = (w0[ws] - (every[ws] + 2) >= b0) & (w1[ws] + dwell[ws] <= b1)
            on = np.clip(np.minimum(t_all[shifts_s] + L_all[shifts_s], b1) - np.maximum(t_all[shifts_s], b0), 0, None)
            for c in (0, 1):
                pick = np.nonzero(inside & (parity[ws] == c))[0]
                if pick.size == 0:
                    continue
                has = on > 0
                cs = [v0 + int(i) for i in mine_v[pick]] + shifts_s[has].tolist()
                vv = cost[pick].astype(float).tolist() + (-on[has].astype(float)).tolist()
                new.add(cs, vv, -np.inf, 0.0)


def _extended_model(p, relaxed, m: LinearModel, new: _Rows, w_h, n_v: int, n_slack: int) -> LinearModel:
    """``m`` with ``n_v`` visit columns (0..1, free), ``n_slack`` window slacks (priced as a
    gap of the window's hotspot) and the ``new`` rows (family :data:`NAME`)."""
    n_new = len(new.lower)
    extra = new.matrix(m.n_cols + n_v + n_slack)
    A = sp.vstack([sp.hstack([m.A, sp.csr_matrix((m.n_rows, n_v + n_slack))]), extra]).tocsr()
    families = list(m.families) + [NAME]
    # a shift column holds up to all its station's teams (the model's tighter bound, "more than
    # the post slots require never helps", does not hold where a shift may serve visits too)
    upper = m.col_upper.copy()
    upper[:relaxed.n_shifts] = relaxed.teams[relaxed.shift_station].astype(float)
    price = GAP_PRICE_PER_TEAM_HOUR * p.hotspot_risk[w_h] * p.visit_every_min[w_h] / 60
    return dataclasses.replace(
        m, A=A,
        col_lower=np.concatenate([m.col_lower, np.zeros(n_v + n_slack)]),
        col_upper=np.concatenate([upper, np.ones(n_v + n_slack)]),
        col_cost=np.concatenate([m.col_cost, np.zeros(n_v), price[:n_slack]]),
        col_integer=np.concatenate([m.col_integer, np.zeros(n_v + n_slack, dtype=bool)]),
        row_lower=np.concatenate([m.row_lower, np.asarray(new.lower, dtype=float)]),
        row_upper=np.concatenate([m.row_upper, np.asarray(new.upper, dtype=float)]),
        row_family=np.concatenate([m.row_family, np.full(n_new, len(families) - 1)]),
        families=families,
        col_family=np.concatenate([m.col_family, np.full(n_v + n_slack, NAME, dtype=object)]),
    )


def _parity(w_h, w0, w1, every) -> np.ndarray:
    """Two classes per hotspot in which no two windows lie closer than ``every + 2`` minutes
    (so the stretches the budget charges never overlap); -1: in neither."""
    out = np.full(w_h.size, -1, dtype=np.int64)
    for h in np.unique(w_h):
        idx = np.nonzero(w_h == h)[0]
        idx = idx[np.argsort(w0[idx], kind="stable")]
        last = [-(10**12), -(10**12)]
        for i in idx:
            for c in (0, 1):
                if w0[i] - last[c] >= every[i] + 2:
                    out[i] = c
                    last[c] = w1[i]
                    break
    return out
