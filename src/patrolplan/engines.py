"""Solve a :class:`~patrolplan.model.LinearModel` with HiGHS (MIP) or CP-SAT.

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

from .model import LinearModel

__all__ = ["EngineResult", "solve_highs", "solve_cpsat", "solve_lp_relaxation"]

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


def _highs_model(model: LinearModel, *, relax: bool, threads: int | None = None):
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    _set_threads(h, threads if threads is not None else (_highs_threads[-1] if _highs_threads else 2))
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


_highs_threads: list[int] = []


def _set_threads(h, threads: int) -> None:
    """HiGHS keeps one global thread scheduler per process: a run asking for another thread
    count than the first one fails unless the scheduler is reset first."""
    import highspy

    threads = int(threads)
    if _highs_threads and _highs_threads[-1] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _highs_threads[:] = [threads]
    h.setOptionValue("threads", threads)


def solve_highs(
    model: LinearModel,
    *,
    time_limit_s: float,
    seed: int = 0,
    threads: int = 2,
    gap_pct: float = 0.0,
    hint: np.ndarray | None = None,
    progress: ProgressFn | None = None,
) -> EngineResult:
    """Branch and bound with HiGHS. ``hint``: values of the first columns (the shift counts)
    of a feasible solution to start from."""
    import highspy

    t0 = time.perf_counter()
    h = _highs_model(model, relax=False, threads=threads)
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("random_seed", int(seed) % 2147483647)
    h.setOptionValue("mip_rel_gap", float(gap_pct) / 100)
    h.setOptionValue("mip_abs_gap", 1e-6)
    if hint is not None:
        # partial (the shift counts only): HiGHS completes the other columns by an LP
        hint = np.asarray(hint, dtype=float)
        h.setSolution(int(hint.size), np.arange(hint.size, dtype=np.int32), hint)
    if progress is not None:
        def _cb(callback_type, message, data_out, data_in, user):  # noqa: ARG001
            try:
                progress(time.perf_counter() - t0, data_out.mip_primal_bound, data_out.mip_dual_bound)
            except Exception:  # progress must never break a solve
                pass

        h.setCallback(_cb, None)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
    h.run()
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
        return solve_highs(model, time_limit_s=max(time_limit_s - seconds, 1.0), seed=seed, threads=threads,
                           gap_pct=gap_pct, hint=None, progress=progress)
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else obj
    optimal = status == S.kOptimal
    return EngineResult("optimal" if optimal else "feasible", x, obj, min(bound, obj), seconds, "highs")


def solve_lp_relaxation(model: LinearModel, *, time_limit_s: float = 60) -> EngineResult:
    """The LP relaxation: a lower bound, and a proof of infeasibility in milliseconds."""
    import highspy

    t0 = time.perf_counter()
    h = _highs_model(model, relax=True)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.run()
    status = h.getModelStatus()
    seconds = time.perf_counter() - t0
    S = highspy.HighsModelStatus
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return EngineResult("infeasible", None, None, None, seconds, "highs-lp")
    if status != S.kOptimal:
        return EngineResult("unknown", None, None, None, seconds, "highs-lp")
    x = np.asarray(h.getSolution().col_value, dtype=float)
    obj = float(h.getInfo().objective_function_value)
    return EngineResult("optimal", x, obj, obj, seconds, "highs-lp")


def solve_cpsat(
    model: LinearModel,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 2,
    gap_pct: float = 0.0,
    hint: np.ndarray | None = None,
    progress: ProgressFn | None = None,
) -> EngineResult:
    """The same matrix model with CP-SAT. Continuous columns (load, deviations) become integer
    columns in 1/60 h (minutes), so that every row keeps integer coefficients."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    scale = np.where(model.col_integer, 1.0, 60.0)  # variable units: continuous cols in minutes
    A = model.A.tocsr()
    cp = cp_model.CpModel()
    big = 10**9
    xs = []
    for j in range(model.n_cols):
        lo = int(np.floor(model.col_lower[j] * scale[j]))
        hi = model.col_upper[j]
        hi = big if not np.isfinite(hi) else int(np.floor(hi * scale[j] + 1e-9))
        xs.append(cp.new_int_var(lo, hi, f"c{j}"))
    # row coefficients in variable units; rows are scaled to integers by their lcm
    for r in range(model.n_rows):
        a, b = A.indptr[r], A.indptr[r + 1]
        cols = A.indices[a:b]
        coef = A.data[a:b] / scale[cols]
        mult = _integer_multiplier(coef)
        coefs = np.round(coef * mult).astype(np.int64)
        lo, hi = model.row_lower[r], model.row_upper[r]
        lo_i = -big * 1000 if not np.isfinite(lo) else int(np.ceil(lo * mult - 1e-9))
        hi_i = big * 1000 if not np.isfinite(hi) else int(np.floor(hi * mult + 1e-9))
        expr = cp_model.LinearExpr.weighted_sum([xs[c] for c in cols], coefs.tolist())
        cp.add_linear_constraint(expr, lo_i, hi_i)
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
    solver.parameters.relative_gap_limit = float(gap_pct) / 100
    if progress is not None:

        class _Printer(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                progress(time.perf_counter() - t0, self.objective_value + model.objective_offset,
                         self.best_objective_bound + model.objective_offset)

        status = solver.solve(cp, _Printer())
    else:
        status = solver.solve(cp)
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
