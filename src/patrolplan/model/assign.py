"""Named teams from shift counts: split each station's shifts onto its teams.

Stage 2 of the solve. The counts already respect the station's occupancy bound, which makes a
split with no overlap and the rest rule kept always possible (interval colouring); the greedy
below finds one in one pass, balancing shifts between teams. The shift cap per team and
availability by date are not implied by the counts in every case, so when the greedy breaks one
of them a small CP-SAT model per station decides exactly, with the identical teams' symmetry
broken (shift ``i`` in start order may only go to teams ``0..i``). Each rule is asked of its
family: rest (``capacity.occupied``), the shift cap (``max_shifts.team_cap``), the teams per
day (``availability.station_days``, ``availability.day_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from patrolplan.model.problem import Problem
from patrolplan.model.rules import availability, capacity, max_shifts

__all__ = ["Assignment", "assign_teams"]


@dataclass(frozen=True)
class Assignment:
    shift_col: np.ndarray  # candidate shift column of each rostered shift
    team: np.ndarray  # team index within its station (0-based)
    failed: dict[int, int]  # station -> most shifts that could be assigned (repair cut)


def assign_teams(problem: Problem, counts: np.ndarray, *, time_limit_s: float = 10.0, seed: int = 0) -> Assignment:
    counts = np.rint(counts[: problem.n_shifts]).astype(np.int64)
    if problem.published is not None:
        return _assign_published(problem, counts, time_limit_s=time_limit_s, seed=seed)
    cols = np.repeat(np.arange(problem.n_shifts), counts)

    def split(s: int, idx: np.ndarray):
        starts = problem.shift_start_min[cols[idx]]
        ends = starts + problem.shift_len_min[cols[idx]]
        team = _greedy(problem, s, starts, ends)
        if team is not None:
            return team, idx.size
        return _exact(problem, s, starts, ends, time_limit_s=time_limit_s, seed=seed)

    return _per_station(problem, cols, split)


def _per_station(problem: Problem, cols: np.ndarray, split) -> Assignment:
    """Each station's shifts (columns ``cols``, one entry per team) in start order, longer first,
    then by column (deterministic), split onto its teams by ``split(s, idx) -> (team per shift
    or None, how many fit)``; a station whose split fails is left out and named in ``failed``."""
    teams_out = np.zeros(cols.size, dtype=np.int64)
    failed: dict[int, int] = {}
    station = problem.shift_station[cols]
    for s in np.unique(station):
        idx = np.nonzero(station == s)[0]
        order = np.lexsort((cols[idx], -problem.shift_len_min[cols[idx]], problem.shift_start_min[cols[idx]]))
        idx = idx[order]
        team, best = split(int(s), idx)
        if team is None:
            failed[int(s)] = best
            continue
        teams_out[idx] = team
    keep = ~np.isin(station, list(failed))
    return Assignment(shift_col=cols[keep], team=teams_out[keep], failed=failed)


def _greedy(problem: Problem, s: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """Shifts in start order, each to a free team: one already out that day if the date's
    availability is tight, else the team with the fewest shifts so far."""
    n_teams = int(problem.teams[s])
    _, until = capacity.occupied(starts, ends - starts, problem.min_rest_min)
    cap = max_shifts.team_cap(problem)
    avail = availability.station_days(problem, s)
    free_at = np.full(n_teams, np.iinfo(np.int64).min // 4)
    n_shifts = np.zeros(n_teams, dtype=np.int64)
    days_used: dict[int, set[int]] = {}
    out = np.empty(starts.size, dtype=np.int64)
    for i, (a, busy_until) in enumerate(zip(starts, until)):
        day = int(availability.day_of(a))
        used = days_used.setdefault(day, set())
        limit = avail.get(day, n_teams)
        best = None
        for k in range(n_teams):
            if free_at[k] > a or n_shifts[k] >= cap:
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
    _, until = capacity.occupied(starts, ends - starts, problem.min_rest_min)
    cap = max_shifts.team_cap(problem)

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
            m.add(sum(a[i, kk] for (i, kk) in a if kk == k) <= cap)
        days = availability.day_of(starts)
        for d, limit in availability.station_days(problem, s).items():
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

    return _solve_split(build, n, n_teams, time_limit_s=time_limit_s, seed=seed)


def _solve_split(build, n: int, n_teams: int, *, time_limit_s: float, seed: int):
    """Solve a station's split model ``build(maximise=False)``: every shift gets a team
    (``(team per shift, n)``); failing that, ``build(maximise=True)`` measures how many shifts
    can get one (``(None, that many)``, below n), for the repair cut."""
    from ortools.sat.python import cp_model

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
    return None, min(best, max(n - 1, 0))


# --- re-planning: kept rows keep their teams, busy teams start busy --------------------------


def _assign_published(problem: Problem, counts: np.ndarray, *, time_limit_s: float, seed: int) -> Assignment:
    """Named teams when a published roster is kept (``rules/published.py``): each fixed row on
    its own team, each team free only outside its busy intervals (last week's shifts and rest,
    fixed rows outside the model), published rows after the cut on their published team where
    that team is free; availability binds the shifts the family says it binds."""
    from patrolplan.model.rules import published

    p = problem
    cols = np.repeat(np.arange(p.n_shifts), counts)
    forced = -np.ones(cols.size, dtype=np.int64)
    for j, r in zip(published.column_of(p, p.published.fixed), p.published.fixed):
        if j < 0:
            continue
        free = np.nonzero((cols == j) & (forced < 0))[0]
        if free.size:
            forced[free[0]] = r.team
    binds = published.binds_availability(p)[cols] if cols.size else np.zeros(0, dtype=bool)
    busy = published.busy_intervals(p)
    prefer = published.team_preferences(p)

    def split(s: int, idx: np.ndarray):
        case = _StationCase(p, s, p.shift_start_min[cols[idx]], p.shift_len_min[cols[idx]], forced[idx],
                            binds[idx], [(k, lo, hi, is_shift) for st, k, lo, hi, is_shift in busy if st == s],
                            [prefer.get(int(j), []) for j in cols[idx]])
        team = case.greedy()
        if team is not None:
            return team, idx.size
        return case.exact(time_limit_s=time_limit_s, seed=seed)

    return _per_station(p, cols, split)


class _StationCase:
    """One station's shifts (start order) with pre-placed teams, busy intervals and preferred teams."""

    def __init__(self, p: Problem, s: int, starts, lengths, forced, binds, busy, prefer) -> None:
        self.p, self.s = p, s
        self.n_teams = int(p.teams[s])
        self.starts = np.asarray(starts)
        self.until = capacity.occupied(starts, lengths, p.min_rest_min)[1]
        self.forced, self.binds, self.busy, self.prefer = forced, binds, busy, prefer
        self.max_shifts = max_shifts.team_cap(p)
        self.avail = availability.station_days(p, s)
        self.days = availability.day_of(self.starts)

    def _base(self):
        intervals: list[list[tuple[int, int]]] = [[] for _ in range(self.n_teams)]
        n_shifts = np.zeros(self.n_teams, dtype=np.int64)
        for k, lo, hi, is_shift in self.busy:
            if 0 <= k < self.n_teams:
                intervals[k].append((lo, hi))
                n_shifts[k] += int(is_shift)
        return intervals, n_shifts

    def _fits(self, k: int, i: int, free, n_shifts, used) -> bool:
        if k >= self.n_teams or n_shifts[k] >= self.max_shifts or not free(k, i):
            return False
        if not self.binds[i]:
            return True
        on_day = used.get(int(self.days[i]), set())
        return k in on_day or len(on_day) < self.avail.get(int(self.days[i]), self.n_teams)

    def greedy(self) -> np.ndarray | None:
        """Pre-placed shifts first, then published shifts on their published team where it is
        free, then the others in start order, each to a free team: one already out that day if
        availability is tight, else the team with the fewest shifts."""
        intervals, n_shifts = self._base()
        used: dict[int, set[int]] = {}
        out = -np.ones(self.starts.size, dtype=np.int64)

        def free(k: int, i: int) -> bool:
            a, b = self.starts[i], self.until[i]
            return all(hi <= a or lo >= b for lo, hi in intervals[k])

        def book(k: int, i: int) -> None:
            intervals[k].append((int(self.starts[i]), int(self.until[i])))
            n_shifts[k] += 1
            if self.binds[i]:
                used.setdefault(int(self.days[i]), set()).add(k)
            out[i] = k

        for i in np.nonzero(self.forced >= 0)[0]:
            k = int(self.forced[i])
            if k >= self.n_teams or not free(k, i):
                return None
            book(k, i)
        prefer = [list(x) for x in self.prefer]
        rest = []
        for i in np.nonzero(self.forced < 0)[0]:  # published teams first, where still free
            k = next((k for k in prefer[i] if self._fits(k, i, free, n_shifts, used)), None)
            if k is None:
                rest.append(i)
            else:
                prefer[i].remove(k)
                book(k, i)
        for i in rest:
            day = int(self.days[i])
            on_day = used.setdefault(day, set())
            limit = self.avail.get(day, self.n_teams) if self.binds[i] else self.n_teams
            best = None
            for k in range(self.n_teams):
                if not self._fits(k, i, free, n_shifts, used):
                    continue
                key = (0 if k in on_day and limit < self.n_teams else 1, n_shifts[k], k)
                if best is None or key < best[0]:
                    best = (key, k)
            if best is None:
                return None
            book(best[1], i)
        if (n_shifts > self.max_shifts).any():
            return None
        return out

    def exact(self, *, time_limit_s: float, seed: int):
        """CP-SAT with the pre-placed teams and busy intervals (no symmetry to break: teams
        differ by their history); keeps as many published teams as it can."""
        from ortools.sat.python import cp_model

        n = self.starts.size
        intervals, n_shifts = self._base()

        def allowed(i: int, k: int) -> bool:
            if self.forced[i] >= 0 and self.forced[i] != k:
                return False
            return all(hi <= self.starts[i] or lo >= self.until[i] for lo, hi in intervals[k])

        def build(maximise: bool):
            m = cp_model.CpModel()
            a = {(i, k): m.new_bool_var(f"a[{i},{k}]") for i in range(n) for k in range(self.n_teams) if allowed(i, k)}
            for i in range(n):
                lits = [a[i, k] for k in range(self.n_teams) if (i, k) in a]
                (m.add_at_most_one if maximise else m.add_exactly_one)(lits)
            for t in np.unique(self.starts):
                active = [i for i in range(n) if self.starts[i] <= t < self.until[i]]
                for k in range(self.n_teams):
                    lits = [a[i, k] for i in active if (i, k) in a]
                    if len(lits) > 1:
                        m.add_at_most_one(lits)
            for k in range(self.n_teams):
                m.add(sum(a[i, kk] for (i, kk) in a if kk == k) <= self.max_shifts - int(n_shifts[k]))
            for d, limit in self.avail.items():
                on_day = [i for i in range(n) if self.days[i] == d and self.binds[i]]
                if limit >= self.n_teams or not on_day:
                    continue
                used = [m.new_bool_var(f"u[{k},{d}]") for k in range(self.n_teams)]
                for i in on_day:
                    for k in range(self.n_teams):
                        if (i, k) in a:
                            m.add_implication(a[i, k], used[k])
                m.add(sum(used) <= limit)
            if maximise:
                m.maximize(sum(a.values()))
            else:
                m.maximize(sum(v for (i, k), v in a.items() if k in self.prefer[i]))
            return m, a

        return _solve_split(build, n, self.n_teams, time_limit_s=time_limit_s, seed=seed)
