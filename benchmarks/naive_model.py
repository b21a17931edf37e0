"""The straightforward model, as a baseline: one CP-SAT boolean per (team, candidate shift).

``y[k, j] = 1`` when team ``k`` of station ``s(j)`` works candidate shift ``j`` (a station,
hotspot, start and length). The rules on the teams are stated team by team: a team's shifts,
rest included, do not overlap (one optional interval per boolean, one ``NoOverlap`` per team)
and it works at most ``max_shifts_per_team`` of them. Coverage, synchronized zones,
availability, fairness and the objective are the aggregated model's rows over
``x[j] = sum_k y[k, j]``, so both models have the same optimum and the same objective scale;
what differs is the symmetry between a station's identical teams, which this model leaves in.

Not a test: run by ``benchmarks/run.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from patrolplan.solver.engines import add_cpsat_columns, add_cpsat_rows
from patrolplan.model.build import LinearModel
from patrolplan.model.problem import Problem


@dataclass
class NaiveResult:
    status: str  # optimal | feasible | infeasible | unknown | skipped
    n_booleans: int
    build_seconds: float
    solve_seconds: float
    first_solution_seconds: float | None  # after the build
    objective: float | None
    bound: float | None
    counts: np.ndarray | None  # x[j], for checking
    team: dict | None  # j -> list of team indices


def n_booleans(problem: Problem) -> int:
    return int(problem.teams[problem.shift_station].sum())


def solve_naive(problem: Problem, model: LinearModel, *, time_limit_s: float, workers: int = 2,
                seed: int = 0) -> NaiveResult:
    from ortools.sat.python import cp_model

    p = problem
    t0 = time.perf_counter()
    cp = cp_model.CpModel()
    rest = p.min_rest_min
    y: dict[tuple[int, int], object] = {}
    per_team: dict[tuple[int, int], list] = {}
    xs = []
    for j in range(p.n_shifts):
        s = int(p.shift_station[j])
        start = int(p.shift_start_min[j])
        size = int(p.shift_len_min[j]) + rest
        lits = []
        for k in range(int(p.teams[s])):
            b = cp.new_bool_var(f"y[{s},{k},{j}]")
            y[k, j] = b
            lits.append(b)
            per_team.setdefault((s, k), []).append((cp.new_optional_fixed_size_interval_var(start, size, b, ""), b))
        xj = cp.new_int_var(0, len(lits), f"x[{j}]")
        cp.add(xj == sum(lits))
        xs.append(xj)
    max_shifts = p.config.rules.max_shifts_per_team
    for items in per_team.values():
        cp.add_no_overlap([iv for iv, _ in items])
        cp.add(sum(b for _, b in items) <= max_shifts)
    # the aggregated model's other columns (load, deviations) and rows, over x
    scale = np.where(model.col_integer, 1.0, 60.0)
    cols = list(xs) + add_cpsat_columns(cp, model, scale, range(model.n_shifts, model.n_cols))
    # station_capacity and max_shifts are implied by the team-level rules above
    add_cpsat_rows(cp, model, scale, cols, skip_families=("station_capacity", "max_shifts"))
    cost = model.col_cost / scale
    nz = np.nonzero(cost)[0]
    cp.minimize(cp_model.LinearExpr.weighted_sum([cols[j] for j in nz], cost[nz].tolist()))
    build = time.perf_counter() - t0

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    first: list[float] = []
    t1 = time.perf_counter()

    class _First(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if not first:
                first.append(time.perf_counter() - t1)

    status = solver.solve(cp, _First())
    solve_s = time.perf_counter() - t1
    name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible"}.get(
        status, "unknown")
    if name not in ("optimal", "feasible"):
        return NaiveResult(name, len(y), build, solve_s, None, None, None, None, None)
    counts = np.array([solver.value(v) for v in xs], dtype=np.int64)
    team: dict[int, list[int]] = {}
    for (k, j), b in y.items():
        if solver.value(b):
            team.setdefault(j, []).append(k)
    obj = solver.objective_value + model.objective_offset
    bound = solver.best_objective_bound + model.objective_offset
    return NaiveResult(name, len(y), build, solve_s, first[0] if first else None, obj, bound, counts, team)
