"""Named teams from shift counts: split each station's shifts onto its teams.

Stage 2 of the solve. The counts already respect the station's occupancy bound, which makes a
split with no overlap and the rest rule kept always possible (interval colouring); the greedy
below finds one in one pass, balancing shifts between teams. ``max_shifts_per_team`` and
availability by date are not implied by the counts in every case, so when the greedy breaks one
of them a small CP-SAT model per station decides exactly, with the identical teams' symmetry
broken (shift ``i`` in start order may only go to teams ``0..i``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from patrolplan.model.problem import Problem
from patrolplan.model.rules import capacity

__all__ = ["Assignment", "assign_teams"]

_MIN_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Assignment:
    shift_col: np.ndarray  # candidate shift column of each rostered shift
    team: np.ndarray  # team index within its station (0-based)
    failed: dict[int, int]  # station -> most shifts that could be assigned (repair cut)


def assign_teams(problem: Problem, counts: np.ndarray, *, time_limit_s: float = 10.0, seed: int = 0) -> Assignment:
    counts = np.rint(counts[: problem.n_shifts]).astype(np.int64)
    cols = np.repeat(np.arange(problem.n_shifts), counts)
    teams_out = np.zeros(cols.size, dtype=np.int64)
    failed: dict[int, int] = {}
    station = problem.shift_station[cols]
    for s in np.unique(station):
        idx = np.nonzero(station == s)[0]
        # start order, then longer first, then column: deterministic
        order = np.lexsort((cols[idx], -problem.shift_len_min[cols[idx]], problem.shift_start_min[cols[idx]]))
        idx = idx[order]
        starts = problem.shift_start_min[cols[idx]]
        ends = starts + problem.shift_len_min[cols[idx]]
        team = _greedy(problem, int(s), starts, ends)
        if team is None:
            team, best = _exact(problem, int(s), starts, ends, time_limit_s=time_limit_s, seed=seed)
            if team is None:
                failed[int(s)] = best
                continue
        teams_out[idx] = team
    keep = ~np.isin(station, list(failed))
    return Assignment(shift_col=cols[keep], team=teams_out[keep], failed=failed)


def _availability(problem: Problem, s: int) -> dict[int, int]:
    return {d: a for (st, d), a in problem.availability_teams.items() if st == s}


def _greedy(problem: Problem, s: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """Shifts in start order, each to a free team: one already out that day if the date's
    availability is tight, else the team with the fewest shifts so far."""
    n_teams = int(problem.teams[s])
    _, until = capacity.occupied(starts, ends - starts, problem.rest_min)
    max_shifts = problem.config.rules.max_shifts_per_team
    avail = _availability(problem, s)
    free_at = np.full(n_teams, np.iinfo(np.int64).min // 4)
    n_shifts = np.zeros(n_teams, dtype=np.int64)
    days_used: dict[int, set[int]] = {}
    out = np.empty(starts.size, dtype=np.int64)
    for i, (a, busy_until) in enumerate(zip(starts, until)):
        day = int(a // _MIN_PER_DAY)
        used = days_used.setdefault(day, set())
        limit = avail.get(day, n_teams)
        best = None
        for k in range(n_teams):
            if free_at[k] > a or n_shifts[k] >= max_shifts:
                continue
            if k not in used and len(used) >= limit:
                continue
            key = (0 if k in used and limit < n_teams else 1, n_shifts[k], k)
            if best is None or key < best[0]:
                best = (key, k)
        if best is None:
            return None
        k = best[1]
        out[i] = k
        free_at[k] = busy_until
        n_shifts[k] += 1
        used.add(k)
    return out


def _exact(problem: Problem, s: int, starts, ends, *, time_limit_s: float, seed: int):
    """CP-SAT: assign every shift (or, if impossible, as many as possible)."""
    from ortools.sat.python import cp_model

    n, n_teams = starts.size, int(problem.teams[s])
    _, until = capacity.occupied(starts, ends - starts, problem.rest_min)
    max_shifts = problem.config.rules.max_shifts_per_team

    def build(maximise: bool):
        m = cp_model.CpModel()
        a = {(i, k): m.new_bool_var(f"a[{i},{k}]") for i in range(n) for k in range(min(i + 1, n_teams))}
        for i in range(n):
            lits = [a[i, k] for k in range(min(i + 1, n_teams))]
            (m.add_at_most_one if maximise else m.add_exactly_one)(lits)
        for t in np.unique(starts):
            active = [i for i in range(n) if starts[i] <= t < until[i]]
            for k in range(n_teams):
                lits = [a[i, k] for i in active if (i, k) in a]
                if len(lits) > 1:
                    m.add_at_most_one(lits)
        for k in range(n_teams):
            m.add(sum(a[i, kk] for (i, kk) in a if kk == k) <= max_shifts)
        days = starts // _MIN_PER_DAY
        for d, limit in _availability(problem, s).items():
            on_day = [i for i in range(n) if days[i] == d]
            if limit >= n_teams or not on_day:
                continue
            used = [m.new_bool_var(f"u[{k},{d}]") for k in range(n_teams)]
            for i in on_day:
                for k in range(min(i + 1, n_teams)):
                    m.add_implication(a[i, k], used[k])
            m.add(sum(used) <= limit)
        if maximise:
            m.maximize(sum(a.values()))
        return m, a

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False  # Ctrl-C is patrolplan's (see interrupts.py)
    m, a = build(maximise=False)
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        team = np.array([next(k for k in range(n_teams) if (i, k) in a and solver.value(a[i, k])) for i in range(n)])
        return team, n
    m, a = build(maximise=True)
    status = solver.solve(m)
    best = int(solver.objective_value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0
    return None, min(best, n - 1)
