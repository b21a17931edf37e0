r"""Column generation for the rendezvous model of visits (``visits.rendezvous``).

The restricted master is the aggregated model (:func:`~patrolplan.model.build.build_model`)
over the loop columns found so far, as an LP on HiGHS with a priced slack on every window
and coverage row (so it is feasible from the first round; the slacks' price dominates every
other term). It is kept warm: each round's new columns are added to the live model
(``addCols``) and the next solve starts from the last basis (dual simplex).

Each round prices every station's frames (:func:`~patrolplan.model.pricing.price_all`, an
exact shortest path) with duals smoothed towards the previous round's (Wentges: ``pi =
alpha pi_before + (1 - alpha) pi_LP``); when the smoothed duals find no column of negative
reduced cost, the LP's own duals are tried before stopping (a mis-price only costs a round).

**The bound.** When the LP's own duals price no column below ``-EPS`` hours, the LP over the
columns found is the LP over *every* column the model allows (pricing is exact over them), so
its value is a lower bound on every roster of the model: it is reported as ``best_bound``, and
only then (with no slack left positive; under ``solver.allow_gaps`` the slacks are part of the
objective). Otherwise no bound is claimed and :attr:`PricingReport.reason` says why.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from patrolplan.model import pricing
from patrolplan.model.build import LinearModel, build_model
from patrolplan.model.problem import Problem
from patrolplan.model.rules import staggered
from patrolplan.solver.engines import _highs_model, _run_highs

__all__ = ["PricingReport", "generate_columns"]

#: reduced cost (hours) below which a column enters; above -EPS the LP is taken as priced out
EPS = 1e-5
#: weight of the previous round's duals in the smoothed duals
ALPHA = 0.5
#: most columns added per station and shift length in one round
PER_FRAME_GROUP = 40
#: share of column generation's time the first master LP may take: a master that does not
#: solve once in it (at Jining scale: 200 k rows over the first 130 k loops) will not run rounds
#: in the rest either, and the week falls back to the enumerated loops with that time left
FIRST_LP_SHARE = 0.25
#: the master's LP method: "dual" (simplex), "primal" (simplex, presolve off) or "ipm"
MASTER = "dual"
#: say every round (not every tenth)
DEBUG = False


@dataclass(frozen=True)
class PricingReport:
    """What column generation did (summary.json ``stats.column_generation``)."""

    rounds: int
    seed_columns: int
    generated_columns: int
    lp_seconds: float
    pricing_seconds: float
    seconds: float
    lp_value: float | None  # the last master LP (hours, the usual objective)
    bound: float | None  # the LP value, when pricing proved no column is left
    reason: str | None  # why no bound, when there is none
    warm_rounds: int = 0  # rounds whose LP started from the last basis
    slack: float = 0.0  # sum of the master's slacks (gaps) at the end
    priced_out: bool = False  # pricing found no loop below zero: the loops found hold the LP over all

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def applicable(p: Problem) -> str | None:
    """None when column generation may run on ``p``, else why not."""
    if p.windows is None:
        return "no visit demand in the rendezvous model"
    rows = pricing.master_rows(p)
    if rows > pricing.MASTER_MAX_ROWS:
        return (f"the master LP would have {rows:,} window and link rows, above the {pricing.MASTER_MAX_ROWS:,} at which "
                "it was measured not to solve in time: column generation is not tried")
    return None


def _cut(p: Problem) -> int | None:
    """A re-plan's cut (minutes): no new shift starts before it (rules/published.py), so no
    frame before it is priced."""
    return p.published.cut_min if p.published is not None else None


def generate_columns(problem: Problem, *, time_limit_s: float, workers: int = 1, say=None) -> Problem:
    """``problem`` with the loop columns that column generation found and its report in
    ``Problem.pricing`` (see the module docstring). Never raises for a hard week: the master
    has slacks."""
    t_start = time.perf_counter()
    why = applicable(problem)
    seeds = int((problem.shift_loop >= 0).sum())
    if why is not None:
        return problem.replace(pricing=PricingReport(0, seeds, 0, 0.0, 0.0, 0.0, None, None, why))
    g = _Generation(problem, workers)
    deadline = t_start + time_limit_s
    close = problem.config.solver.gap_tolerance_pct / 100 / 4  # a quarter of the MIP's gap tolerance
    g.reason = f"visits.pricing_rounds ({problem.config.visits.pricing_rounds}) reached before pricing proved the LP"
    while True:
        if time.perf_counter() > deadline:
            g.reason = f"the time for column generation ({time_limit_s:.0f} s) ran out before pricing proved the LP"
            break
        first = g.rounds == 0
        if not g.solve_master(min(deadline, t_start + FIRST_LP_SHARE * time_limit_s) if first else deadline):
            g.reason = (f"the first master LP did not reach its optimum in {FIRST_LP_SHARE:.0%} of the time for "
                        f"column generation ({FIRST_LP_SHARE * time_limit_s:.0f} s)" if first
                        else "the master LP did not reach its optimum in time")
            break
        found = g.price()
        if not found:
            g.proven = not g.relaxed_any
            if g.relaxed_any:
                g.reason = ("pricing (which counts a loop's return to a stop within one window twice) found only "
                            "loops that do not improve the LP")
            break
        if g.lp_value - g.lagrange <= close * max(abs(g.lp_value), 1.0):
            g.reason = None
            break
        if g.rounds >= problem.config.visits.pricing_rounds:
            break
        if say is not None and (g.rounds % 10 == 0 or DEBUG):
            say(f"column generation: round {g.rounds}, LP {g.lp_value:,.1f} h, Lagrangian bound {g.lagrange:,.1f} h, "
                f"{int((g.p.shift_loop >= 0).sum())} loops")
        g.add(found)
    return g.p.replace(pricing=g.report(seeds, time.perf_counter() - t_start))


class _Generation:
    """Column generation in progress: the problem with the loops found so far, its master on
    HiGHS (kept warm) and what the rounds found."""

    def __init__(self, problem: Problem, workers: int) -> None:
        self.p, self.workers = problem, workers
        self.nets = pricing.station_nets(problem)
        self.model = build_model(problem, allow_gaps=True)
        self.h, self.live = _master(self.model, workers), _Live(self.model)
        self.have = {problem._loop_key(j) for j in np.nonzero(problem.shift_loop >= 0)[0]}
        self.rounds = self.warm = 0
        self.lp_s = self.price_s = 0.0
        self.center = None  # the last duals that priced a column (the smoothing's centre)
        self.lp_value: float | None = None
        self.y: np.ndarray | None = None
        self.slack, self.lagrange = 0.0, -np.inf
        self.proven, self.reason = False, None
        self.relaxed_any = False  # the last pricing found loops below zero by its relaxed count only

    def solve_master(self, deadline: float) -> bool:
        """Solve the master LP from the last basis; False when it is not optimal in time."""
        h, t = self.h, time.perf_counter()
        # HiGHS's clock runs from the model's creation, over every run
        h.setOptionValue("time_limit", float(h.getRunTime() + max(deadline - time.perf_counter(), 0.5)))
        _run_highs(h)
        self.lp_s += time.perf_counter() - t
        if not _optimal(h):
            return False
        self.rounds += 1
        self.lp_value = float(h.getInfo().objective_function_value)
        self.slack = self.live.slack(h)
        self.y = _valid_signs(self.model, np.asarray(h.getSolution().row_dual, dtype=float))
        return True

    def price(self) -> list:
        """The new loops of negative reduced cost: for the smoothed duals, else the LP's own."""
        t = time.perf_counter()
        y = self.y
        tries = [y] if self.center is None else [ALPHA * self.center + (1 - ALPHA) * y, y]
        found, self.relaxed_any = [], False
        for duals in tries:
            least: dict = {}
            found, self.relaxed_any = _price(self.p, self.model, duals, self.nets, least, self.have)
            self.lagrange = max(self.lagrange, lagrangian_bound(self.p, self.model, duals, least))
            if found:
                self.center = duals
                break
        self.price_s += time.perf_counter() - t
        return found

    def add(self, found: list) -> None:
        """The loops ``found`` as columns of the problem and of the live master."""
        before = self.p.n_shifts
        self.p = self.p.with_loop_columns(found)
        self.have.update((c.station, c.start, c.length, c.visits) for c in found)
        new_model = build_model(self.p, allow_gaps=True)
        if self.live.add(self.h, new_model, before):
            self.warm += 1
        else:  # the rows changed (a re-plan's busy rows follow the columns' starts): a new master
            self.h, self.live = _master(new_model, self.workers), _Live(new_model)
            self.center = None
        self.model = new_model

    def report(self, seeds: int, seconds: float) -> PricingReport:
        """The report, with the bound only where it is proven (see the module docstring)."""
        bound, reason, lagrange = None, self.reason, self.lagrange
        if self.slack > 1e-6 and not self.p.config.solver.allow_gaps:
            reason = (f"the LP over every loop still needs gaps ({self.slack:.2f} slack): no roster keeps every visit"
                      if self.proven else
                      f"the LP over the loops found so far still needs gaps ({self.slack:.2f} slack) after {reason}")
        elif self.proven:
            # the Lagrangian bound of the last duals: the LP value up to the solver's tolerance
            bound, reason = (min(self.lp_value, lagrange) if np.isfinite(lagrange) else self.lp_value), None
        elif np.isfinite(lagrange) and lagrange > 0:
            bound = lagrange  # proven by the Lagrangian argument (lagrangian_bound), not priced out
            reason = (reason or "stopped within the gap tolerance") + "; best_bound is the Lagrangian bound"
        return PricingReport(self.rounds, seeds, int((self.p.shift_loop >= 0).sum()) - seeds, self.lp_s, self.price_s,
                             seconds, self.lp_value, bound, reason, self.warm, self.slack, self.proven)


def _master(model: LinearModel, workers: int):
    """The master LP on HiGHS, by dual simplex from the last basis (measured on the example
    week and the Jining demo against a warm primal simplex and interior point without
    crossover: 87 / 12 rounds in 30 / 60 s against 17-37 / 2-5; ``MASTER`` picks another)."""
    h = _highs_model(model, relax=True, workers=workers)
    if MASTER == "ipm":
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
    elif MASTER == "dual":
        h.setOptionValue("simplex_strategy", 1)
    else:
        h.setOptionValue("simplex_strategy", 4)
        h.setOptionValue("presolve", "off")
    return h


def _optimal(h) -> bool:
    import highspy

    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _valid_signs(model: LinearModel, y: np.ndarray) -> np.ndarray:
    """Row duals with the signs of a minimum (>= 0 on a row bounded below only, <= 0 on one
    bounded above only): an interior-point solution's tiny wrong-signed values set to 0, so
    that the Lagrangian bound holds for them exactly."""
    y = y.copy()
    y[np.isinf(model.row_upper) & (y < 0)] = 0.0
    y[np.isinf(model.row_lower) & (y > 0)] = 0.0
    return y


def _price(p: Problem, model: LinearModel, y: np.ndarray, nets, least: dict | None = None,
           have: set | None = None) -> tuple[list, bool]:
    """Loop columns of reduced cost below ``-EPS`` for the duals ``y`` of ``model``'s rows and
    not in ``have`` (smoothed duals may price a column the master has below zero), and
    whether pricing's relaxed reduced cost found any below ``-EPS``."""
    y_window = _family_duals(model, y, "visits")
    y_link = _family_duals(model, y, "visits_meet")
    own, joint = pricing.value_of_duals(p, y_window, y_link)
    shares = staggered.stop_values(p, _family_duals(model, y, staggered.NAME))
    frame = _frame_costs(p, model, y)

    cut = _cut(p)

    def frame_cost(s, L, starts):
        return np.array([frame.get((s, int(L), int(t)), np.inf) if cut is None or t >= cut else np.inf
                         for t in starts])

    found = pricing.price_all(p, own, joint, frame_cost=frame_cost, keep=PER_FRAME_GROUP, below=-EPS, nets=nets,
                              least=least, stop_value=shares)
    if not found:
        return [], False
    true = _true_reduced_costs(p, found, y_window, y_link, frame, shares)
    have = have or set()
    new = [c for c, rc in zip(found, true) if rc < -EPS and (c.station, c.start, c.length, c.visits) not in have]
    return new, True


def _family_duals(model: LinearModel, y: np.ndarray, family: str) -> np.ndarray:
    """The duals of one family's rows, in their order (empty when it has none)."""
    if family not in model.families:
        return np.zeros(0)
    return y[np.asarray(model.row_family) == model.families.index(family)]


def _true_reduced_costs(p: Problem, cols: list, y_window: np.ndarray, y_link: np.ndarray, frame: dict,
                        shares: dict | None = None) -> np.ndarray:
    """The reduced cost of each loop of ``cols`` with a window counted once however often
    the loop visits in it (pricing counts every visit); ``shares``: the staggered share's
    value of each visit (``staggered.stop_values``)."""
    from patrolplan.model.rules.visits import window_matrices

    station = np.array([c.station for c in cols], dtype=np.int64)
    counts = np.array([len(c.visits) for c in cols], dtype=np.int64)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    vh = np.array([h for c in cols for h, _ in c.visits], dtype=np.int64)
    vt = np.array([t for c in cols for _, t in c.visits], dtype=np.int64)
    g, link = window_matrices(p.windows, station, ptr, vh, vt)
    earned = g.T @ y_window + (link.T @ y_link if y_link.size else 0.0)
    travel = p.config.objective.travel / 60
    out = np.empty(len(cols))
    for i, c in enumerate(cols):
        away = int(p.out_min[c.station, c.visits[0][0]]) + int(p.back_min[c.visits[-1][0], c.station])
        share = sum(shares[c.station][h] for h, _ in c.visits) if shares and c.station in shares else 0.0
        out[i] = (frame[(c.station, c.length, c.start)] + travel * away
                  + counts[i] * p.config.visits.visit_cost_minutes / 60 - earned[i] - share)
    return out


def _frame_costs(p: Problem, model: LinearModel, y: np.ndarray) -> dict:
    """Per frame (station, length, start) of the loop columns: their reduced cost less its
    stop-dependent part (travel out and back, the visit cost, the visit rows' and the
    staggered share's duals)."""
    loops = np.nonzero(p.shift_loop >= 0)[0]
    fam = np.asarray(model.row_family)
    # the rows whose duals a loop earns by its stops (priced per visit, not per frame)
    visit_rows = np.isin(fam, [model.families.index(f) for f in ("visits", "visits_meet", staggered.NAME)
                               if f in model.families])
    y_frame = np.where(visit_rows, 0.0, y)
    # a re-plan's rows of kept published shifts (rules/published.py, "fewest changes") hold those
    # columns alone, not their frames: they are no part of a frame's constant
    own_rows = model.A[:, np.nonzero(np.asarray(model.col_family) == "published")[0]].tocsr()
    y_frame[np.unique(own_rows.nonzero()[0])] = 0.0
    ay = model.A[:, loops].T @ y_frame
    stop_cost = (p.config.objective.travel * (p.shift_out_min[loops] + p.shift_back_min[loops]) / 60
                 + np.diff(p.visit_ptr)[loops] * p.config.visits.visit_cost_minutes / 60)
    f = model.col_cost[loops] - stop_cost - ay
    out: dict = {}
    for s, L, t, v in zip(p.shift_station[loops], p.shift_len_min[loops], p.shift_start_min[loops], f):
        out.setdefault((int(s), int(L), int(t)), float(v))
    return out


class _Live:
    """The live HiGHS master's columns: those of the model it was built from, then the shift
    columns added since (in the order of the problem's columns)."""

    def __init__(self, model: LinearModel):
        self.n_rows = model.n_rows
        self.row_lower, self.row_upper = model.row_lower.copy(), model.row_upper.copy()
        self.families = list(model.families)
        self.slack_cols = np.concatenate([model.gap_cols, model.visit_gap_cols]).astype(np.int64)

    def add(self, h, new: LinearModel, n_before: int) -> bool:
        """Add ``new``'s shift columns ``n_before..`` to ``h``; False when the rows differ (the
        caller rebuilds the master)."""
        if (new.n_rows != self.n_rows or new.families != self.families
                or not np.array_equal(new.row_lower, self.row_lower) or not np.array_equal(new.row_upper, self.row_upper)):
            return False
        idx = np.arange(n_before, new.n_shifts)
        A = new.A.tocsc()[:, idx]
        import highspy

        upper = np.where(np.isinf(new.col_upper[idx]), highspy.kHighsInf, new.col_upper[idx])
        h.addCols(int(idx.size), new.col_cost[idx].astype(float), new.col_lower[idx].astype(float), upper.astype(float),
                  int(A.nnz), A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32), A.data.astype(float))
        return True

    def slack(self, h) -> float:
        x = np.asarray(h.getSolution().col_value, dtype=float)
        return float(x[self.slack_cols].sum()) if self.slack_cols.size else 0.0


def lagrangian_bound(p: Problem, model: LinearModel, y: np.ndarray, least: dict) -> float:
    r"""A lower bound on the LP over every column, from any duals ``y`` of the master's rows.

    For every ``x`` the full model allows, ``c x = y A x + d x`` with ``d = c - A^T y``. Each
    row ``r`` keeps ``y_r (A x)_r >= y_r L_r`` when ``y_r >= 0`` (its lower bound ``L_r``) and
    ``>= y_r U_r`` when ``y_r <= 0``; each auxiliary column keeps ``d_j x_j >= min(d_j l_j,
    d_j u_j)``; and the shift columns of station ``s`` number at most its shift cap ``n_s``
    (the max_shifts row), so theirs sum to at least ``n_s min(0, least d_j)``, the least over
    the station's post columns and over all its loops (``least[s]``, exact from pricing).
    Stations without a cap row give no bound (-inf), nor does a re-plan (its columns before the
    cut are held to the kept rows, which the argument does not count)."""
    if p.published is not None:
        return -np.inf
    from patrolplan.model.rules.max_shifts import station_cap

    lo, hi = model.row_lower, model.row_upper
    with np.errstate(invalid="ignore"):
        term = np.where(y > 0, y * lo, np.where(y < 0, y * hi, 0.0))
    if not np.all(np.isfinite(term)):
        bad = ~np.isfinite(term)
        if np.abs(y[bad]).max() > 1e-9:
            return -np.inf
        term[bad] = 0.0
    d = model.col_cost - model.A.T @ y
    n = model.n_shifts
    aux = np.arange(n, model.n_cols)
    with np.errstate(invalid="ignore"):
        aux_term = np.where(d[aux] >= 0, d[aux] * model.col_lower[aux], d[aux] * model.col_upper[aux])
    if not np.all(np.isfinite(aux_term)):
        return -np.inf
    bound = float(term.sum()) + float(aux_term.sum()) + model.objective_offset
    for s in range(len(p.station_ids)):
        js = np.nonzero(p.shift_station == s)[0]
        m = min(float(d[js].min()) if js.size else np.inf, least.get(s, np.inf))
        if m < 0:
            bound += station_cap(p, s) * m
    return bound
