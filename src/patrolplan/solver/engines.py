"""Solve a :class:`~patrolplan.model.build.LinearModel` with HiGHS (MIP) or CP-SAT.

Both take the same matrix model and return the same :class:`EngineResult`, so the stage-1
engine is a setting (``solver.engine``), measured in ``benchmarks/``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from patrolplan.model.build import LinearModel

__all__ = ["EngineResult", "LpSolution", "solve_highs", "solve_cpsat", "solve_lp_relaxation", "lp_solution",
           "complete_columns", "lp_dive"]

ProgressFn = Callable[[float, float, float], None]  # (elapsed_s, objective, bound)


@dataclass(frozen=True)
class EngineResult:
    status: str  # optimal | feasible | infeasible | unknown
    x: np.ndarray | None  # column values (rounded for integer columns)
    objective: float | None
    bound: float | None
    seconds: float
    engine: str


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints a banner from C++ when constructed; hide it (fd level)."""
    fd = 1
    try:
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):
        pass
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)



def _run_highs(h, *, on_mip=None) -> None:
    """``h.run()``, stoppable by Ctrl-C or SIGTERM: the signal only sets a flag while HiGHS runs
    (:func:`interrupts.deferred`), HiGHS's interrupt callbacks see it and stop the search, and
    :class:`~patrolplan.interrupts.Interrupted` is raised once HiGHS has returned. ``on_mip``
    ``(data_out, data_in)`` is called at each MIP interrupt check (progress, early stop)."""
    import highspy

    from patrolplan import interrupts

    def _cb(callback_type, message, data_out, data_in, user):  # noqa: ARG001
        if interrupts.requested():
            data_in.user_interrupt = True
            return
        if on_mip is not None and callback_type == highspy.cb.HighsCallbackType.kCallbackMipInterrupt:
            try:
                on_mip(data_out, data_in)
            except Exception:  # progress must never break a solve
                pass

    h.setCallback(_cb, None)
    for kind in ("kCallbackSimplexInterrupt", "kCallbackIpmInterrupt", "kCallbackMipInterrupt"):
        h.startCallback(getattr(highspy.cb.HighsCallbackType, kind))
    with interrupts.deferred():
        h.run()

def _highs_model(model: LinearModel, *, relax: bool, workers: int = 2):
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    _set_threads(h, workers)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = model.n_rows
    lp.col_cost_ = model.col_cost
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = np.where(np.isinf(model.col_upper), inf, model.col_upper)
    lp.row_lower_ = np.where(np.isinf(model.row_lower), -inf, model.row_lower)
    lp.row_upper_ = np.where(np.isinf(model.row_upper), inf, model.row_upper)
    lp.offset_ = model.objective_offset
    A = model.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.a_matrix_.num_col_ = model.n_cols
    lp.a_matrix_.num_row_ = model.n_rows
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in model.col_integer
        ]
    h.passModel(lp)
    return h


def _set_threads(h, workers: int) -> None:
    """HiGHS keeps one thread scheduler per process, made at the first run: a run asking for
    another thread count fails unless it is reset. Resetting it before every model costs
    microseconds and keeps no state here between calls."""
    import highspy

    highspy.Highs.resetGlobalScheduler(True)
    h.setOptionValue("threads", int(workers))


#: Models with at least this many shift columns are solved LP-guided (see :func:`solve_highs`).
LP_GUIDED_MIN_SHIFTS = 2_000


def solve_highs(
    model: LinearModel,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 2,
    gap_tolerance_pct: float = 0.0,
    hint: np.ndarray | None = None,
    progress: ProgressFn | None = None,
    lp_guided: bool | None = None,
    lp: LpSolution | None = None,
) -> EngineResult:
    """Branch and bound with HiGHS. ``hint``: values of the first columns (the shift counts)
    of a feasible solution to start from.

    ``lp_guided`` (default: for models of ``LP_GUIDED_MIN_SHIFTS`` shift columns or more): the
    aggregated model's LP relaxation is tight and its optimal vertex uses few columns (on a
    24/7 week at Jining scale: 6,400 of 78,000, 1,500 of them fractional), so the MIP is
    solved first over the columns the LP uses (plus the hint's), where HiGHS finds a roster
    within about 1 % of the LP bound in a second or two; then over those plus the columns of
    lowest reduced cost; then, with the best roster as a start, over all columns. The LP
    bound (and the full MIP's bound, once it runs) is the bound reported: the restricted
    models' own bounds are not valid for the whole model and are never used. A restricted
    model that fails moves on to the next; only the full model or its LP can prove that no
    roster exists. ``lp``: that LP relaxation, when the pre-check has already solved it.
    """
    if lp_guided is None:
        lp_guided = model.n_shifts >= LP_GUIDED_MIN_SHIFTS
    if not lp_guided:
        return _solve_highs_mip(model, time_limit_s=time_limit_s, seed=seed, workers=workers,
                                gap_tolerance_pct=gap_tolerance_pct, hint=hint, progress=progress)
    return _solve_lp_guided(model, time_limit_s=time_limit_s, seed=seed, workers=workers,
                            gap_tolerance_pct=gap_tolerance_pct, hint=hint, progress=progress, lp=lp)


def _solve_lp_guided(model: LinearModel, *, time_limit_s, seed, workers, gap_tolerance_pct, hint, progress,
                     lp=None) -> EngineResult:
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    if lp is None:
        lp = lp_solution(model, time_limit_s=max(0.8 * time_limit_s, 1.0))
    if lp.status == "infeasible":
        return EngineResult("infeasible", None, None, None, time.perf_counter() - t0, "highs")
    n = model.n_shifts
    if lp.status != "optimal":
        start = None if hint is None else complete_columns(model, np.asarray(hint, dtype=float)[:n])
        if start is not None:  # no time left for a MIP whose root is that LP: the hint is the answer
            return EngineResult("feasible", start, model.objective(start), None, time.perf_counter() - t0, "highs")
        return _solve_highs_mip(model, time_limit_s=max(deadline - time.perf_counter(), 0.01), seed=seed,
                                workers=workers, gap_tolerance_pct=gap_tolerance_pct, hint=hint, progress=progress)
    bound = float(lp.objective)
    tol = max(float(gap_tolerance_pct), 0.0) / 100

    def close_enough(obj: float) -> bool:
        return obj - bound <= max(tol * abs(obj), 1e-6 * max(1.0, abs(obj)))

    support = np.zeros(model.n_cols, dtype=bool)
    support[n:] = True  # auxiliary columns (load, deviations, slacks) always stay
    support[:n] = lp.x[:n] > 1e-6
    if hint is not None:
        h = np.asarray(hint, dtype=float)[:n]
        support[: h.size] |= h > 0.5
    wider = support.copy()
    n_low = min(n, 3 * int(support[:n].sum()))
    wider[np.argsort(lp.reduced_cost[:n], kind="stable")[:n_low]] = True
    stages: list[tuple[np.ndarray | None, float]] = [(support, 0.6), (wider, 0.5), (None, 1.0)]

    best_x: np.ndarray | None = None
    best_obj = np.inf
    if hint is not None:
        start = complete_columns(model, np.asarray(hint, dtype=float)[:n])
        if start is not None:
            best_x, best_obj = start, model.objective(start)
    full_status = None

    def report(elapsed_offset: float):
        if progress is None:
            return None

        def _p(elapsed: float, objective: float, _bound: float) -> None:
            progress(elapsed_offset + elapsed, min(objective, best_obj), bound)

        return _p

    for cols, share in stages:
        if best_x is not None and close_enough(best_obj):
            break
        remaining = deadline - time.perf_counter()
        if remaining <= 0.05 or (cols is None and remaining < 2 * lp.seconds):
            break  # the full MIP's root LP alone would overrun the time left
        sub = model if cols is None else _restrict(model, cols)
        sub_hint = None
        if best_x is not None:
            sub_hint = best_x if cols is None else best_x[cols]
        stop_below = bound + tol * abs(bound) / max(1 - tol, 1e-9)  # obj - bound <= tol * obj
        r = _solve_highs_mip(sub, time_limit_s=remaining * share, seed=seed, workers=workers,
                             gap_tolerance_pct=gap_tolerance_pct, hint=sub_hint, progress=report(time.perf_counter() - t0), stop_below=stop_below)
        if cols is None:
            full_status = r.status
            if r.status == "infeasible":
                return EngineResult("infeasible", None, None, None, time.perf_counter() - t0, "highs")
            if r.bound is not None:
                bound = max(bound, r.bound)
        if r.x is not None and r.objective < best_obj - 1e-9:
            x = r.x
            if cols is not None:
                x = np.zeros(model.n_cols)
                x[cols] = r.x
            best_x, best_obj = x, model.objective(x)
    seconds = time.perf_counter() - t0
    if best_x is None:
        return EngineResult("unknown", None, None, bound, seconds, "highs")
    optimal = close_enough(best_obj) or full_status == "optimal"
    return EngineResult("optimal" if optimal else "feasible", best_x, best_obj, min(bound, best_obj), seconds,
                        "highs")


def _restrict(model: LinearModel, cols: np.ndarray) -> LinearModel:
    """The model over the columns ``cols`` (bool mask) only; shift columns stay first."""
    return LinearModel(
        n_shifts=int(cols[: model.n_shifts].sum()),
        col_lower=model.col_lower[cols],
        col_upper=model.col_upper[cols],
        col_cost=model.col_cost[cols],
        col_integer=model.col_integer[cols],
        A=model.A.tocsc()[:, np.nonzero(cols)[0]].tocsr(),
        row_lower=model.row_lower,
        row_upper=model.row_upper,
        row_family=model.row_family,
        families=model.families,
        objective_offset=model.objective_offset,
    )


def _solve_highs_mip(
    model: LinearModel,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 2,
    gap_tolerance_pct: float = 0.0,
    hint: np.ndarray | None = None,
    progress: ProgressFn | None = None,
    stop_below: float | None = None,
) -> EngineResult:
    """One HiGHS branch and bound. ``stop_below``: stop as soon as a solution of at most this
    objective is found (the caller's gap is reached against a bound HiGHS does not know)."""
    import highspy

    t0 = time.perf_counter()
    h = _highs_model(model, relax=False, workers=workers)
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("random_seed", int(seed) % 2147483647)
    h.setOptionValue("mip_rel_gap", float(gap_tolerance_pct) / 100)
    h.setOptionValue("mip_abs_gap", 1e-6)
    if hint is not None:
        # partial (the shift counts only): HiGHS completes the other columns by an LP
        hint = np.asarray(hint, dtype=float)
        h.setSolution(int(hint.size), np.arange(hint.size, dtype=np.int32), hint)
    def _on_mip(data_out, data_in) -> None:
        if progress is not None:
            progress(time.perf_counter() - t0, data_out.mip_primal_bound, data_out.mip_dual_bound)
        if stop_below is not None and data_out.mip_primal_bound <= stop_below:
            data_in.user_interrupt = True

    _run_highs(h, on_mip=_on_mip)
    status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.perf_counter() - t0
    S = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status == S.kInfeasible:
        return EngineResult("infeasible", None, None, None, seconds, "highs")
    if status == S.kUnboundedOrInfeasible:
        return EngineResult("infeasible", None, None, None, seconds, "highs")
    if not has_solution:
        bound = info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else None
        return EngineResult("unknown", None, None, bound, seconds, "highs")
    x = np.asarray(h.getSolution().col_value, dtype=float)
    x = np.where(model.col_integer, np.round(x), x)
    obj = model.objective(x)
    if hint is not None and abs(info.objective_function_value - obj) > 1e-6 * max(1.0, abs(obj)):
        # HiGHS 1.16 with presolve can mis-value a user solution and prune the whole tree
        # (seen on small models: "optimal" below the true optimum). Never trust such a run:
        # solve again without the hint.
        return _solve_highs_mip(model, time_limit_s=max(time_limit_s - seconds, 1.0), seed=seed, workers=workers,
                                gap_tolerance_pct=gap_tolerance_pct, hint=None, progress=progress, stop_below=stop_below)
    optimal = status == S.kOptimal
    if np.isfinite(info.mip_dual_bound):
        bound = min(float(info.mip_dual_bound), obj)
    else:  # stopped before HiGHS had a bound (time out in presolve or at the root): none, not the incumbent
        bound = obj if optimal else None
    return EngineResult("optimal" if optimal else "feasible", x, obj, bound, seconds, "highs")


@dataclass(frozen=True)
class LpSolution:
    """The LP relaxation's optimal vertex: column values and reduced costs (``None`` unless
    ``status == "optimal"``)."""

    status: str  # optimal | infeasible | unknown
    x: np.ndarray | None
    reduced_cost: np.ndarray | None
    objective: float | None
    seconds: float


def lp_solution(model: LinearModel, *, time_limit_s: float = 60) -> LpSolution:
    """The LP relaxation by dual simplex (a vertex: few columns nonzero). The pre-check
    solves it once and hands it to :func:`solve_highs` (``lp=``), so a solve pays for one LP."""
    import highspy

    t0 = time.perf_counter()
    h = _highs_model(model, relax=True)
    h.setOptionValue("time_limit", float(time_limit_s))
    _run_highs(h)
    status = h.getModelStatus()
    seconds = time.perf_counter() - t0
    S = highspy.HighsModelStatus
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        out = LpSolution("infeasible", None, None, None, seconds)
    elif status != S.kOptimal:
        return LpSolution("unknown", None, None, None, seconds)
    else:
        sol = h.getSolution()
        out = LpSolution("optimal", np.asarray(sol.col_value, dtype=float), np.asarray(sol.col_dual, dtype=float),
                         float(h.getInfo().objective_function_value), seconds)
    return out


def solve_lp_relaxation(model: LinearModel, *, time_limit_s: float = 60) -> EngineResult:
    """The LP relaxation: a lower bound, and a proof of infeasibility in milliseconds."""
    t0 = time.perf_counter()
    lp = lp_solution(model, time_limit_s=time_limit_s)
    seconds = time.perf_counter() - t0
    if lp.status == "infeasible":
        return EngineResult("infeasible", None, None, None, seconds, "highs-lp")
    if lp.status != "optimal":
        return EngineResult("unknown", None, None, None, seconds, "highs-lp")
    return EngineResult("optimal", lp.x, lp.objective, lp.objective, seconds, "highs-lp")


def lp_interior(model: LinearModel, *, time_limit_s: float = 60, workers: int = 2) -> LpSolution:
    """The LP by interior point without crossover: an optimal point (not a vertex; no reduced
    costs), or a proof of infeasibility; where it ends undecided, :func:`lp_solution` (dual
    simplex) in the time left. Many times faster than simplex on the visit relaxation's
    covering rows (Jining scale: 12 s against 74 s)."""
    import highspy

    t0 = time.perf_counter()
    h = _highs_model(model, relax=True, workers=workers)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    _run_highs(h)
    status = h.getModelStatus()
    seconds = time.perf_counter() - t0
    S = highspy.HighsModelStatus
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return LpSolution("infeasible", None, None, None, seconds)
    if status != S.kOptimal:
        # interior point left undecided (degenerate, or stopped short): simplex in the time left
        rest = float(time_limit_s) - seconds
        if rest <= 1.0:
            return LpSolution("unknown", None, None, None, seconds)
        lp = lp_solution(model, time_limit_s=rest)
        return LpSolution(lp.status, lp.x, lp.reduced_cost, lp.objective, time.perf_counter() - t0)
    return LpSolution("optimal", np.asarray(h.getSolution().col_value, dtype=float), None,
                      float(h.getInfo().objective_function_value), seconds)


def complete_columns(model: LinearModel, counts: np.ndarray) -> np.ndarray | None:
    """All column values for the shift counts ``counts`` (the auxiliary columns at their
    cheapest, by an LP with the counts fixed), or None if the counts break a row."""
    import highspy

    n = model.n_shifts
    counts = np.asarray(counts, dtype=float)[:n]
    lower, upper = model.col_lower.copy(), model.col_upper.copy()
    if np.any(counts < lower[:n] - 1e-9) or np.any(counts > upper[:n] + 1e-9):
        return None
    lower[:n] = upper[:n] = counts
    fixed = LinearModel(n_shifts=n, col_lower=lower, col_upper=upper, col_cost=model.col_cost,
                        col_integer=np.zeros(model.n_cols, dtype=bool), A=model.A, row_lower=model.row_lower,
                        row_upper=model.row_upper, row_family=model.row_family, families=model.families,
                        objective_offset=model.objective_offset)
    h = _highs_model(fixed, relax=True)
    _run_highs(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.asarray(h.getSolution().col_value, dtype=float)
    x[:n] = counts
    return x


_CPSAT_BIG = 10**9


def add_cpsat_columns(cp, model: LinearModel, scale: np.ndarray, columns) -> list:
    """Integer CP-SAT variables for ``columns`` of ``model``, in units of 1/``scale``."""
    out = []
    for j in columns:
        lo = int(np.floor(model.col_lower[j] * scale[j]))
        hi = model.col_upper[j]
        hi = _CPSAT_BIG if not np.isfinite(hi) else int(np.floor(hi * scale[j] + 1e-9))
        out.append(cp.new_int_var(lo, hi, f"c{j}"))
    return out


def add_cpsat_rows(cp, model: LinearModel, scale: np.ndarray, xs: list, *, skip_families=()) -> None:
    """The rows of ``model`` over the CP-SAT variables ``xs`` (one per column), each scaled
    to integer coefficients by the smallest multiplier that makes them integral."""
    from ortools.sat.python import cp_model

    A = model.A.tocsr()
    skip = {model.families.index(f) for f in skip_families if f in model.families}
    big = _CPSAT_BIG * 1000
    for r in range(model.n_rows):
        if model.row_family[r] in skip:
            continue
        a, b = A.indptr[r], A.indptr[r + 1]
        cols = A.indices[a:b]
        coef = A.data[a:b] / scale[cols]
        mult = _integer_multiplier(coef)
        coefs = np.round(coef * mult).astype(np.int64)
        lo, hi = model.row_lower[r], model.row_upper[r]
        lo_i = -big if not np.isfinite(lo) else int(np.ceil(lo * mult - 1e-9))
        hi_i = big if not np.isfinite(hi) else int(np.floor(hi * mult + 1e-9))
        cp.add_linear_constraint(cp_model.LinearExpr.weighted_sum([xs[c] for c in cols], coefs.tolist()), lo_i, hi_i)


def solve_cpsat(
    model: LinearModel,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 2,
    gap_tolerance_pct: float = 0.0,
    hint: np.ndarray | None = None,
    progress: ProgressFn | None = None,
) -> EngineResult:
    """The same matrix model with CP-SAT. Continuous columns (load, deviations) become integer
    columns in 1/60 h (minutes), so that every row keeps integer coefficients."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    scale = np.where(model.col_integer, 1.0, 60.0)  # variable units: continuous cols in minutes
    cp = cp_model.CpModel()
    xs = add_cpsat_columns(cp, model, scale, range(model.n_cols))
    add_cpsat_rows(cp, model, scale, xs)
    cost = model.col_cost / scale
    nz = np.nonzero(cost)[0]
    cp.minimize(cp_model.LinearExpr.weighted_sum([xs[j] for j in nz], cost[nz].tolist()))
    if hint is not None:
        for j, v in enumerate(np.asarray(hint)):
            cp.add_hint(xs[j], int(round(v * scale[j])))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(max(time_limit_s - (time.perf_counter() - t0), 0.5))
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.relative_gap_limit = float(gap_tolerance_pct) / 100
    if progress is not None:

        class _Printer(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                progress(time.perf_counter() - t0, self.objective_value + model.objective_offset,
                         self.best_objective_bound + model.objective_offset)

        callback = _Printer()
    else:
        callback = None
    from patrolplan import interrupts

    # CP-SAT's own SIGINT catcher would swallow Ctrl-C and return the best roster as if the
    # time had run out; let the signal reach patrolplan instead (raised when the solve returns)
    solver.parameters.catch_sigint_signal = False
    with interrupts.deferred():
        status = solver.solve(cp, callback)
    seconds = time.perf_counter() - t0
    if status == cp_model.INFEASIBLE:
        return EngineResult("infeasible", None, None, None, seconds, "cpsat")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return EngineResult("unknown", None, None, None, seconds, "cpsat")
    x = np.array([solver.value(v) for v in xs], dtype=float) / scale
    obj = model.objective(x)
    bound = solver.best_objective_bound + model.objective_offset
    return EngineResult(
        "optimal" if status == cp_model.OPTIMAL else "feasible", x, obj, min(bound, obj), seconds, "cpsat"
    )


def _integer_multiplier(coef: np.ndarray, max_mult: int = 3600) -> int:
    """Smallest multiplier (up to max_mult) making every coefficient integral."""
    if np.allclose(coef, np.round(coef)):
        return 1
    for m in (2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 600, 3600):
        if m <= max_mult and np.allclose(coef * m, np.round(coef * m), atol=1e-7):
            return m
    return max_mult



def lp_dive(model: LinearModel, *, time_limit_s: float, workers: int = 2, batch_at: float = 0.6) -> np.ndarray | None:
    """An integer solution by diving on the LP relaxation: solve the LP, raise the lower bound
    of every shift column at ``batch_at`` or more above its floor to its ceiling (the most
    fractional twentieth when none is), solve again from the last basis, until the shift
    columns are whole. A batch that makes the LP infeasible is undone and only its largest
    column is raised; None when that fails too, or time runs out. Returns the shift counts."""
    import highspy

    t_end = time.perf_counter() + time_limit_s
    n = model.n_shifts
    h = _highs_model(model, relax=True, workers=workers)
    h.setOptionValue("simplex_strategy", 1)
    lower = model.col_lower[:n].astype(float).copy()
    last: np.ndarray | None = None
    while True:
        remaining = t_end - time.perf_counter()
        if remaining <= 0:
            return None
        h.setOptionValue("time_limit", float(h.getRunTime() + remaining))
        _run_highs(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            if last is None or last.size <= 1:
                return None
            top = last[:1]  # undo the batch, raise only its largest column
            undo = last[1:]
            lower[undo] = np.floor(lower[undo] - 1e-9)
            h.changeColsBounds(int(undo.size), undo.astype(np.int32), lower[undo], model.col_upper[undo])
            last = top
            continue
        x = np.asarray(h.getSolution().col_value, dtype=float)[:n]
        frac = x - np.floor(x + 1e-9)
        open_ = np.nonzero(frac > 1e-6)[0]
        if open_.size == 0:
            return np.rint(x)
        pick = open_[frac[open_] >= batch_at]
        if pick.size == 0:  # the most fractional twentieth (at least one)
            pick = open_[np.argsort(-frac[open_], kind="stable")[:max(1, open_.size // 20)]]
        pick = pick[np.argsort(-frac[pick], kind="stable")]
        lower[pick] = np.ceil(x[pick] - 1e-9)
        h.changeColsBounds(int(pick.size), pick.astype(np.int32), lower[pick], model.col_upper[pick])
        last = pick
