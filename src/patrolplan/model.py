r"""The aggregated roster model: how many teams of each station work each candidate shift.

Teams of one station are identical, so the model counts them instead of naming them
(``x[j]`` = teams of station ``s(j)`` working candidate shift ``j``); named teams are assigned
afterwards (``assign.py``). This removes the symmetry between identical teams entirely and keeps
the LP relaxation tight. Every constraint below is implied by the contract's rules, so the model
is a *relaxation* of the team-level problem: if it is infeasible, no roster exists.

Rule families (one ``_add_<rule>`` each), with ``C(h,k)`` the shifts on site at hotspot ``h``
for all of slot ``k`` and ``R(h,k)`` the teams required there:

* coverage:            :math:`\sum_{j \in C(h,k)} x_j \ge R(h,k)`
* synchronized:        for every set ``Q`` of ``m - 1`` members,
  :math:`\sum_{j \in C(h,k),\, s(j) \notin Q} x_j \ge 1` (so at least ``m`` distinct
  stations are present), and for every jurisdiction ``J`` of the zone's tier, when the members
  span two or more, :math:`\sum_{j \in C(h,k),\, s(j) \notin J} x_j \ge 1`.
* station capacity:    a shift occupies its team over ``[start, end + rest)``; at every grid
  time the shifts of station ``s`` occupying it number at most ``teams(s)``. Interval graphs
  are perfect, so this is exactly the condition for the shifts to be split onto ``teams(s)``
  teams with no overlap and the rest rule kept (Golumbic 1980, ch. 8).
* max shifts:          :math:`\sum_{j \in s} x_j \le teams(s) \cdot max\_shifts`.
* availability:        on a date with ``a`` teams available, the same occupancy bound with
  ``a`` among the shifts starting that date, and at most ``a`` times the most shifts one
  team can start in a day.
* fairness (soft):     ``load_max`` ≥ each station's team-hours per team; in staggered zones
  each member's on-site hours deviate as little as possible from its share of the members'
  teams.

Objective (hours): team-hours + ``travel`` x travel hours + ``fairness`` x (``load_max`` +
staggered deviation) + ``overcoverage`` x team-hours on site beyond what is required.
With ``allow_gaps`` each coverage row gets a slack whose price (risk-weighted) dominates every
other term, so the least risk-weighted shortfall is found first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .problem import Problem, subsets_leaving

__all__ = ["LinearModel", "build_model", "GAP_PRICE_PER_TEAM_HOUR"]

#: Price of one uncovered team-hour (x risk) under allow_gaps: far above any roster cost.
GAP_PRICE_PER_TEAM_HOUR = 10_000.0
_MIN_PER_DAY = 24 * 60


@dataclass
class LinearModel:
    """A mixed-integer linear model in matrix form, solver-neutral.

    Columns ``0 .. n_shifts-1`` are the shift counts ``x``; then come auxiliary columns.
    """

    n_shifts: int
    col_lower: np.ndarray
    col_upper: np.ndarray
    col_cost: np.ndarray  # hours
    col_integer: np.ndarray  # bool
    A: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_family: np.ndarray  # index into families
    families: list[str]
    objective_offset: float = 0.0
    gap_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    gap_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # cover row of each gap col

    @property
    def n_cols(self) -> int:
        return int(self.col_cost.size)

    @property
    def n_rows(self) -> int:
        return int(self.row_lower.size)

    def family_counts(self) -> dict[str, int]:
        counts = np.bincount(self.row_family, minlength=len(self.families))
        return {f: int(c) for f, c in zip(self.families, counts)}

    def objective(self, x: np.ndarray) -> float:
        return float(self.col_cost @ x) + self.objective_offset


class _Builder:
    """Collects columns and row blocks; ``finish`` stacks them into one CSR matrix."""

    def __init__(self) -> None:
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.n_cols = 0
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, col, val) local rows
        self.row_lo: list[np.ndarray] = []
        self.row_hi: list[np.ndarray] = []
        self.row_fam: list[np.ndarray] = []
        self.families: list[str] = []
        self.n_rows = 0
        self.offset = 0.0

    def add_cols(self, n: int, *, lower, upper, cost, integer: bool) -> np.ndarray:
        idx = np.arange(self.n_cols, self.n_cols + n)
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), n).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), n).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), n).copy())
        self.integer.append(np.full(n, integer))
        self.n_cols += n
        return idx

    def add_rows(self, family: str, rows, cols, vals, lower, upper, n_rows: int) -> np.ndarray:
        """Rows numbered 0..n_rows-1 locally; returns their global indices."""
        if n_rows == 0:
            return np.zeros(0, dtype=np.int64)
        if family not in self.families:
            self.families.append(family)
        fam = self.families.index(family)
        self.blocks.append((np.asarray(rows) + self.n_rows, np.asarray(cols), np.asarray(vals, dtype=float)))
        self.row_lo.append(np.broadcast_to(np.asarray(lower, dtype=float), n_rows).copy())
        self.row_hi.append(np.broadcast_to(np.asarray(upper, dtype=float), n_rows).copy())
        self.row_fam.append(np.full(n_rows, fam))
        idx = np.arange(self.n_rows, self.n_rows + n_rows)
        self.n_rows += n_rows
        return idx

    def finish(self, n_shifts: int) -> LinearModel:
        if self.blocks:
            r = np.concatenate([b[0] for b in self.blocks])
            c = np.concatenate([b[1] for b in self.blocks])
            v = np.concatenate([b[2] for b in self.blocks])
        else:
            r = c = np.zeros(0, dtype=np.int64)
            v = np.zeros(0)
        A = sp.csr_matrix((v, (r, c)), shape=(self.n_rows, self.n_cols))
        A.sum_duplicates()
        cat = lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)  # noqa: E731
        return LinearModel(
            n_shifts=n_shifts,
            col_lower=cat(self.lower, float),
            col_upper=cat(self.upper, float),
            col_cost=cat(self.cost, float),
            col_integer=cat(self.integer, bool),
            A=A,
            row_lower=cat(self.row_lo, float),
            row_upper=cat(self.row_hi, float),
            row_family=cat(self.row_fam, np.int64),
            families=list(self.families),
            objective_offset=self.offset,
        )


def build_model(
    problem: Problem,
    *,
    allow_gaps: bool = False,
    extra_station_caps: dict[int, int] | None = None,
    base_teams: np.ndarray | None = None,
) -> LinearModel:
    """The aggregated model of ``problem`` (see the module docstring for the mathematics).

    ``extra_station_caps`` (station -> most shifts) holds repair cuts added when named teams
    could not be assigned. ``base_teams`` turns the model into "fewest extra teams": the
    station bounds use ``base_teams`` plus an integer column ``extra[s]`` (up to
    ``problem.teams - base_teams``) costing 1 each; the model's other costs are kept tiny.
    """
    b = _Builder()
    x = _add_shift_counts(b, problem)
    gap = _add_coverage(b, problem, x, allow_gaps=allow_gaps)
    _add_synchronized(b, problem, x, gap)
    extra = None
    if base_teams is not None:
        b.cost = [c * 1e-4 for c in b.cost]
        b.offset *= 1e-4
        room = np.maximum(problem.teams - base_teams, 0)
        extra = b.add_cols(len(problem.station_ids), lower=0, upper=room, cost=1.0, integer=True)
    _add_station_capacity(b, problem, x, base_teams=base_teams, extra=extra)
    _add_max_shifts(b, problem, x, extra_station_caps or {}, base_teams=base_teams, extra=extra)
    _add_availability(b, problem, x)
    if base_teams is None:
        _add_fairness(b, problem, x)
        _add_staggered_share(b, problem, x)
    model = b.finish(problem.n_shifts)
    if gap is not None:
        model.gap_cols, model.gap_rows = gap
    return model


# --- rule families --------------------------------------------------------------------------


def _add_shift_counts(b: _Builder, p: Problem) -> np.ndarray:
    """x[j] >= 0 integer: teams working shift j. Costs team-hours, travel and over-coverage."""
    w = p.config.objective
    slot = p.slot_min
    n_k = p.n_slots
    on_site_end = p.shift_start_min + p.shift_len_min - p.shift_back_min
    k1_all = np.clip(on_site_end // slot, 0, n_k)
    slots_on_site = np.maximum(0, k1_all - p.shift_k0)
    cost_min = (
        p.shift_len_min
        + w.travel * (p.shift_out_min + p.shift_back_min)
        + w.overcoverage * slots_on_site * slot
    )
    # more teams on one shift than the most any covered slot requires never helps
    upper = np.minimum(p.teams[p.shift_station], _max_required(p)).astype(float)
    b.offset -= w.overcoverage * float(p.required.sum()) * slot / 60
    return b.add_cols(p.n_shifts, lower=0, upper=upper, cost=cost_min / 60, integer=True)


def _max_required(p: Problem) -> np.ndarray:
    if p.n_shifts == 0:
        return np.zeros(0)
    req = p.cover.multiply(p.required[p.cover_hotspot, p.cover_slot][:, None]).tocsc()
    return np.asarray(req.max(axis=0).todense()).ravel()


def _add_coverage(b: _Builder, p: Problem, x: np.ndarray, *, allow_gaps: bool):
    """Every demanded hotspot-slot has at least R(h, k) teams on site for the whole slot."""
    cover = p.cover.tocoo()
    n_rows = cover.shape[0]
    # R(h,k) = demand, raised to min_stations in synchronized zones: implied by the
    # synchronized rows, stated here too for a tighter LP. With gaps allowed, the contract's
    # gap (fewer teams than demand) is priced here and the synchronized shortfall apart.
    source = p.demand if allow_gaps else p.required
    required = source[p.cover_hotspot, p.cover_slot].astype(float)
    rows, cols, vals = [cover.row], [x[cover.col]], [cover.data]
    gap = None
    if allow_gaps:
        price = GAP_PRICE_PER_TEAM_HOUR * p.hotspot_risk[p.cover_hotspot] * p.slot_min / 60
        price = np.maximum(price, GAP_PRICE_PER_TEAM_HOUR * 1e-3)  # a zero-risk gap still costs
        g = b.add_cols(n_rows, lower=0, upper=required, cost=price, integer=True)
        rows.append(np.arange(n_rows))
        cols.append(g)
        vals.append(np.ones(n_rows))
        gap = (g, np.arange(n_rows))
    b.add_rows("coverage", np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), required, np.inf, n_rows)
    return gap


def _add_synchronized(b: _Builder, p: Problem, x: np.ndarray, gap) -> None:
    """Synchronized zones: >= m distinct member stations, and >= 2 jurisdictions of the tier."""
    cover = p.cover.tocsr()
    station_of_col = p.shift_station
    zone_of_row = p.hotspot_zone[p.cover_hotspot]
    for z, mode in enumerate(p.zone_mode):
        if mode != "synchronized":
            continue
        rows_z = np.nonzero(zone_of_row == z)[0]
        if rows_z.size == 0:
            continue
        sub = cover[rows_z].tocoo()
        col_station = station_of_col[sub.col]
        excluded_sets = [set(q) for q in subsets_leaving(p.zone_members[z], int(p.zone_min_stations[z]))]
        groups = p.zone_jurisdiction_groups[z]
        if len(groups) >= 2:
            excluded_sets += [set(g) for g in groups]
        short = None
        if gap is not None:  # one slack per hotspot-slot: the synchronized rule unmet there
            price = GAP_PRICE_PER_TEAM_HOUR * p.hotspot_risk[p.cover_hotspot[rows_z]] * p.slot_min / 60
            short = b.add_cols(rows_z.size, lower=0, upper=1, cost=np.maximum(price, GAP_PRICE_PER_TEAM_HOUR * 1e-3),
                               integer=True)
        for excluded in (q for q in excluded_sets if q):
            keep = ~np.isin(col_station, list(excluded))
            r, c = sub.row[keep], x[sub.col[keep]]
            v = np.ones(r.size)
            if short is not None:
                r = np.concatenate([r, np.arange(rows_z.size)])
                c = np.concatenate([c, short])
                v = np.concatenate([v, np.ones(rows_z.size)])
            b.add_rows("synchronized", r, c, v, 1.0, np.inf, rows_z.size)


def _occupancy_rows(starts: np.ndarray, ends_with_rest: np.ndarray):
    """For the shifts given, the maximal sets occupying one instant: rows at each distinct
    start time ``t`` holding the shifts with ``start <= t < end + rest``."""
    taus = np.unique(starts)
    active = (starts[None, :] <= taus[:, None]) & (taus[:, None] < ends_with_rest[None, :])
    # drop rows whose set is contained in the next row's (same start set, nothing left)
    r, c = np.nonzero(active)
    return r, c, taus.size


def _add_station_capacity(b: _Builder, p: Problem, x: np.ndarray, *, base_teams=None, extra=None) -> None:
    """At every instant a station has at most teams(s) shifts occupying a team (rest included)."""
    rest = p.rest_min
    teams = p.teams if base_teams is None else base_teams
    order = np.argsort(p.shift_station, kind="stable")
    bounds = np.searchsorted(p.shift_station[order], np.arange(len(p.station_ids) + 1))
    for s in range(len(p.station_ids)):
        js = order[bounds[s] : bounds[s + 1]]
        if js.size == 0:
            continue
        starts = p.shift_start_min[js]
        r, c, n = _occupancy_rows(starts, starts + p.shift_len_min[js] + rest)
        cols, vals = x[js[c]], np.ones(r.size)
        if extra is not None:
            r = np.concatenate([r, np.arange(n)])
            cols = np.concatenate([cols, np.full(n, extra[s])])
            vals = np.concatenate([vals, -np.ones(n)])
        b.add_rows("station_capacity", r, cols, vals, -np.inf, float(teams[s]), n)


def _add_max_shifts(b: _Builder, p: Problem, x: np.ndarray, extra_caps: dict[int, int], *, base_teams=None,
                    extra=None) -> None:
    """A station's shifts number at most teams(s) x max_shifts_per_team."""
    m = p.config.rules.max_shifts_per_team
    teams = p.teams if base_teams is None else base_teams
    stations = np.unique(p.shift_station)
    caps = np.array([min(teams[s] * m, extra_caps.get(int(s), 1 << 40)) for s in stations], dtype=float)
    row_of_station = -np.ones(len(p.station_ids), dtype=np.int64)
    row_of_station[stations] = np.arange(stations.size)
    rows, cols, vals = row_of_station[p.shift_station], x, np.ones(p.n_shifts)
    if extra is not None:
        rows = np.concatenate([rows, np.arange(stations.size)])
        cols = np.concatenate([cols, extra[stations]])
        vals = np.concatenate([vals, -float(m) * np.ones(stations.size)])
    b.add_rows("max_shifts", rows, cols, vals, -np.inf, caps, stations.size)


def starts_per_team_day(p: Problem) -> int:
    """The most shifts one team can start within one calendar day (rest and length kept)."""
    g = p.config.rules.shift_start_every_minutes
    step = min(p.config.rules.shift_minutes) + p.rest_min
    step = -(-step // g) * g
    return -(-_MIN_PER_DAY // step)


def _add_availability(b: _Builder, p: Problem, x: np.ndarray) -> None:
    """On a date with ``a`` available teams, at most ``a`` teams start shifts that day."""
    if not p.availability_teams:
        return
    day = p.shift_day
    per_team = starts_per_team_day(p)
    for (s, d), a in sorted(p.availability_teams.items()):
        if a >= p.teams[s]:
            continue
        js = np.nonzero((p.shift_station == s) & (day == d))[0]
        if js.size == 0:
            continue
        if a == 0:
            b.add_rows("availability", np.zeros(js.size, dtype=np.int64), x[js], np.ones(js.size), -np.inf, 0.0, 1)
            continue
        starts = p.shift_start_min[js]
        r, c, n = _occupancy_rows(starts, starts + p.shift_len_min[js] + p.rest_min)
        b.add_rows("availability", r, x[js[c]], np.ones(r.size), -np.inf, float(a), n)
        b.add_rows(
            "availability", np.zeros(js.size, dtype=np.int64), x[js], np.ones(js.size), -np.inf, float(a * per_team), 1
        )


def _add_fairness(b: _Builder, p: Problem, x: np.ndarray) -> None:
    """load_max >= team-hours of each station divided by its teams (soft, weight fairness)."""
    w = p.config.objective.fairness
    if w <= 0 or p.n_shifts == 0:
        return
    load = b.add_cols(1, lower=0, upper=np.inf, cost=w, integer=False)
    stations = np.unique(p.shift_station)
    row_of_station = -np.ones(len(p.station_ids), dtype=np.int64)
    row_of_station[stations] = np.arange(stations.size)
    rows = np.concatenate([row_of_station[p.shift_station], np.arange(stations.size)])
    cols = np.concatenate([x, np.full(stations.size, load[0])])
    vals = np.concatenate([p.shift_len_min / 60, -p.teams[stations].astype(float)])
    b.add_rows("fairness", rows, cols, vals, -np.inf, 0.0, stations.size)


def _add_staggered_share(b: _Builder, p: Problem, x: np.ndarray) -> None:
    """Staggered zones: each member's share of the zone's on-site hours stays close to its
    share of the members' teams: within one longest shift it is free, beyond that each hour
    costs ``fairness`` (halved, since every hour too many somewhere is an hour too few
    elsewhere)."""
    w = p.config.objective.fairness
    if w <= 0 or p.n_shifts == 0:
        return
    on_site_h = p.shift_on_site_min / 60
    tolerance_h = max(p.config.rules.shift_minutes) / 60  # within one shift of the share is close enough
    zone_of_shift = p.hotspot_zone[p.shift_hotspot]
    for z, mode in enumerate(p.zone_mode):
        if mode != "staggered":
            continue
        members = [m for m in p.zone_members[z] if p.teams[m] > 0]
        if len(members) < 2:
            continue
        js = np.nonzero(zone_of_shift == z)[0]
        if js.size == 0:
            continue
        k_zone = float(sum(p.teams[m] for m in members))
        dev = b.add_cols(len(members), lower=0, upper=np.inf, cost=w / (2 * k_zone), integer=False)
        rows, cols, vals = [], [], []
        for i, s in enumerate(members):
            share = -p.teams[s] * on_site_h[js] + np.where(p.shift_station[js] == s, k_zone * on_site_h[js], 0.0)
            # +share - dev <= 0  and  -share - dev <= 0
            for sign, row in ((1.0, 2 * i), (-1.0, 2 * i + 1)):
                rows += [np.full(js.size, row), [row]]
                cols += [x[js], [dev[i]]]
                vals += [sign * share, [-1.0]]
        b.add_rows(
            "staggered_share",
            np.concatenate(rows),
            np.concatenate(cols),
            np.concatenate(vals),
            -np.inf,
            k_zone * tolerance_h,
            2 * len(members),
        )
