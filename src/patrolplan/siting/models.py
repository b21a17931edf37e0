"""The five siting models, each a mixed-integer program solved with HiGHS.

Why HiGHS and not spopt at run time: spopt (PySAL) builds its models with PuLP and solves them
with CBC by default, and brings libpysal, spaghetti, scikit-learn and their dependencies with
it; HiGHS (``highspy``) is already patrolplan's MIP engine, is markedly faster than CBC on these
covering and assignment models, stops on Ctrl-C through the same callbacks as the roster solve
(:func:`patrolplan.solver.engines.solve_highs`), and lets the large models be formulated
sparsely (p-median over each client's nearest candidates, p-center as a sequence of set
covers) instead of with one variable per client-facility pair. spopt stays the reference: the
tests compare every model with it (test extra) and with brute force.

Notation (all models): clients ``i`` with weights ``w_i >= 0``, candidate facilities ``j``, cost
``c_ij >= 0`` (only reachable pairs have one), service radius ``R``, coverage sets
``N_i = {j : c_ij <= R}``, binary ``y_j = 1`` when ``j`` is sited, ``F`` the pre-sited (fixed)
facilities (``y_j = 1`` for ``j`` in ``F``).

Every model returns a :class:`~patrolplan.siting.core.SitingResult`; its figures (coverage,
backup, mean and max cost) are measured on the matrix by :func:`~patrolplan.siting.core.evaluate`,
the same way for every model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from patrolplan import interrupts
from patrolplan.errors import DataError
from patrolplan.model.build import LinearModel
from patrolplan.siting.core import SitingProblem, SitingResult, evaluate
from patrolplan.solver.engines import solve_highs

__all__ = ["LSCP", "MCLP", "LSCPB", "PMedian", "PCenter", "MODELS", "make_model"]

_TOL = 1e-6


# --- the HiGHS call ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mip:
    """A MIP in matrix form: y (the facility columns, binary) first, then continuous columns."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    A: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    n_y: int
    constant: float = 0.0

    def solve(self, *, time_limit_s: float, workers: int, gap_tolerance_pct: float = 0.0,
              hint: np.ndarray | None = None, maximize: bool = False):
        sign = -1.0 if maximize else 1.0
        model = LinearModel(
            n_shifts=self.n_y,
            col_lower=self.lower.astype(float),
            col_upper=self.upper.astype(float),
            col_cost=sign * self.cost.astype(float),
            col_integer=self.integer.astype(bool),
            A=self.A.tocsr(),
            row_lower=self.row_lower.astype(float),
            row_upper=self.row_upper.astype(float),
            row_family=np.zeros(self.A.shape[0], dtype=np.int64),
            families=["siting"],
            objective_offset=sign * self.constant,
        )
        r = _responsive(lambda: solve_highs(
            model, time_limit_s=max(time_limit_s, 0.05), workers=workers, gap_tolerance_pct=gap_tolerance_pct,
            hint=None if hint is None else np.asarray(hint, dtype=float)[: self.n_y], lp_guided=False))
        obj = None if r.objective is None else sign * r.objective
        bound = None if r.bound is None else sign * r.bound
        return r.status, r.x, obj, bound


def _responsive(run):
    """``run()`` so that Ctrl-C and SIGTERM stop the command at once
    (:func:`~patrolplan.interrupts.responsive`). HiGHS checks its interrupt callback in the
    simplex and at MIP nodes, but not while a MIP solves its root LP: on a large p-median that
    phase alone can last the whole time limit, so the main thread raises as soon as the signal
    comes and the helper ends with the process."""
    return interrupts.responsive(run)


def _y_bounds(n_f: int, fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lower = np.zeros(n_f)
    lower[fixed] = 1.0
    return lower, np.ones(n_f)


def _sites(x: np.ndarray, n_f: int) -> np.ndarray:
    return np.flatnonzero(np.asarray(x[:n_f]) > 0.5).astype(np.int64)


def _cardinality_row(n_f: int, n_other: int) -> sp.csr_matrix:
    return sp.csr_matrix(np.concatenate([np.ones(n_f), np.zeros(n_other)])[None, :])


def _name_clients(problem: SitingProblem, rows: np.ndarray, limit: int = 20) -> str:
    ids = [problem.client_ids[i] for i in rows]
    more = len(ids) - limit
    return ", ".join(ids[:limit]) + (f" and {more} more" if more > 0 else "")


def _check_p(problem: SitingProblem, p: int | None, fixed: np.ndarray, model: str) -> int:
    if p is None:
        raise DataError(f"{model} needs --p N (how many sites)")
    problems = []
    if p < 1:
        problems.append(f"--p {p}: give at least 1 site")
    if p > problem.n_facilities:
        problems.append(f"--p {p} is more than the {problem.n_facilities} candidate facilities — "
                        "give a smaller p or more candidates")
    if p < len(fixed):
        problems.append(f"--p {p} is fewer than the {len(fixed)} fixed facilities — raise --p or fix fewer")
    if problems:
        raise DataError(problems)
    return int(p)


def _check_radius(radius: float | None, model: str) -> float:
    if radius is None:
        raise DataError(f"{model} needs a service radius (--radius, or --radius-min from a config)")
    if not (math.isfinite(radius) and radius >= 0):
        raise DataError(f"radius {radius}: give a finite number >= 0")
    return float(radius)


def _require_coverable(problem: SitingProblem, a: sp.csr_matrix, radius: float, model: str) -> None:
    bare = np.flatnonzero(np.diff(a.indptr) == 0)
    if len(bare):
        raise DataError(
            f"{model}: {len(bare)} client(s) have no candidate within the radius {radius:g}: "
            f"{_name_clients(problem, bare)} — raise the radius, add candidates near them, or use mclp "
            "(most weight covered by p sites)")


def _require_reachable(problem: SitingProblem, model: str) -> None:
    bare = np.flatnonzero(np.diff(problem.cost.indptr) == 0)
    if len(bare):
        raise DataError(f"{model}: {len(bare)} client(s) cannot be reached from any candidate: "
                        f"{_name_clients(problem, bare)} — add candidates (or roads) that reach them, "
                        "or leave those clients out")


def _result(model: str, problem: SitingProblem, status: str, sites: np.ndarray, objective: float,
            bound: float | None, t0: float, radius: float | None, p: int | None, notes=()) -> SitingResult:
    sites = np.sort(np.asarray(sites, dtype=np.int64))
    return SitingResult(model=model, status=status, sites=sites, objective=float(objective),
                        bound=None if bound is None else float(bound), seconds=time.perf_counter() - t0,
                        figures=evaluate(problem, sites, radius), problem=problem, radius=radius, p=p,
                        notes=tuple(notes))


def _status(status: str) -> str:
    if status in ("optimal", "feasible"):
        return status
    raise DataError("the solver found no sites within the time limit — raise --time-limit")


# --- set covering -----------------------------------------------------------------------------


def _greedy_cover(a: sp.csr_matrix, w: np.ndarray, fixed: np.ndarray, p: int | None) -> np.ndarray:
    """Greedy start for the covering models: from the fixed sites, add the site covering the
    most uncovered weight (ties: the most uncovered clients) until ``p`` sites, or, without
    ``p``, until no uncovered client can be covered (Chvátal's greedy set cover)."""
    at = a.T.tocsr()
    sites = [int(j) for j in fixed]
    uncovered = np.ones(a.shape[0], dtype=bool)
    if sites:
        uncovered[np.asarray(a[:, sites].sum(axis=1)).ravel() > 0] = False
    while p is None or len(sites) < p:
        gain = at @ (uncovered * (w + 1e-6))
        gain[sites] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            if p is None:
                break
            free = np.setdiff1d(np.arange(a.shape[1]), sites)
            if not len(free):
                break
            j = int(free[0])
        sites.append(j)
        uncovered[at.indices[at.indptr[j]:at.indptr[j + 1]]] = False
    return np.array(sites, dtype=np.int64)



def _set_cover(problem: SitingProblem, a: sp.csr_matrix, fixed: np.ndarray, *, time_limit_s: float, workers: int,
               max_sites: int | None = None, first_found: bool = False):
    """min sum y  s.t.  sum_{j in N_i} y_j >= 1 (every client), y_F = 1 [, sum y <= max_sites]."""
    n_f = problem.n_facilities
    lower, upper = _y_bounds(n_f, fixed)
    A, rl, ru = a, np.ones(a.shape[0]), np.full(a.shape[0], np.inf)
    if max_sites is not None:
        A = sp.vstack([a, _cardinality_row(n_f, 0)]).tocsr()
        rl, ru = np.append(rl, 0.0), np.append(ru, float(max_sites))
    mip = _Mip(np.ones(n_f), lower, upper, np.ones(n_f, dtype=bool), A, rl, ru, n_f)
    hint = None
    if max_sites is None:
        hint = np.zeros(n_f)
        hint[_greedy_cover(a, np.ones(a.shape[0]), fixed, None)] = 1.0
    return mip.solve(time_limit_s=time_limit_s, workers=workers, gap_tolerance_pct=100.0 if first_found else 0.0,
                     hint=hint)


@dataclass(frozen=True)
class LSCP:
    r"""Location set covering problem (Toregas, Swain, ReVelle & Bergman 1971): the fewest
    sites such that every client has a site within the radius.

    .. math::

        \min \sum_j y_j \quad\text{s.t.}\quad \sum_{j \in N_i} y_j \ge 1 \;\forall i,\qquad
        y_j = 1 \;\forall j \in F,\qquad y_j \in \{0, 1\}

    A client with no candidate within the radius makes the request infeasible
    (:class:`DataError` naming the clients). HiGHS starts from Chvátal's greedy cover.
    ``objective`` = the number of sites.

    Toregas, C., Swain, R., ReVelle, C., Bergman, L. (1971). The location of emergency service
    facilities. *Operations Research* 19(6), 1363-1373.
    """

    radius: float
    fixed: tuple[str, ...] = ()
    name = "lscp"

    def solve(self, problem: SitingProblem, *, time_limit_s: float = 60.0, workers: int = 2) -> SitingResult:
        t0 = time.perf_counter()
        radius = _check_radius(self.radius, self.name)
        fixed = problem.facility_index(self.fixed)
        a = problem.within(radius)
        _require_coverable(problem, a, radius, self.name)
        status, x, obj, bound = _set_cover(problem, a, fixed, time_limit_s=time_limit_s, workers=workers)
        status = _status(status)
        sites = _sites(x, problem.n_facilities)
        return _result(self.name, problem, status, sites, len(sites), bound, t0, radius, None)


@dataclass(frozen=True)
class MCLP:
    r"""Maximal covering location problem (Church & ReVelle 1974): ``p`` sites covering the most
    client weight within the radius.

    .. math::

        \max \sum_i w_i z_i \quad\text{s.t.}\quad z_i \le \sum_{j \in N_i} y_j \;\forall i,\qquad
        \sum_j y_j = p,\qquad y_j = 1 \;\forall j \in F,\qquad y_j \in \{0,1\},\; 0 \le z_i \le 1

    ``z`` may be continuous: with ``y`` integral the right-hand side is an integer, so an optimal
    ``z_i`` is 0 or 1. HiGHS starts from the greedy cover (each next site the one covering the
    most uncovered weight). ``objective`` = the covered weight.

    Church, R., ReVelle, C. (1974). The maximal covering location problem. *Papers of the
    Regional Science Association* 32, 101-118.
    """

    radius: float
    p: int
    fixed: tuple[str, ...] = ()
    name = "mclp"

    def solve(self, problem: SitingProblem, *, time_limit_s: float = 60.0, workers: int = 2) -> SitingResult:
        t0 = time.perf_counter()
        radius = _check_radius(self.radius, self.name)
        fixed = problem.facility_index(self.fixed)
        p = _check_p(problem, self.p, fixed, self.name)
        n_f, n_c = problem.n_facilities, problem.n_clients
        a = problem.within(radius)
        lower, upper = _y_bounds(n_f, fixed)
        z_upper = (np.diff(a.indptr) > 0).astype(float)  # a client no candidate covers stays 0
        A = sp.vstack([sp.hstack([-a, sp.identity(n_c, format="csr")]), _cardinality_row(n_f, n_c)]).tocsr()
        rl = np.append(np.full(n_c, -np.inf), float(p))
        ru = np.append(np.zeros(n_c), float(p))
        mip = _Mip(np.concatenate([np.zeros(n_f), problem.weights]), np.concatenate([lower, np.zeros(n_c)]),
                   np.concatenate([upper, z_upper]), np.concatenate([np.ones(n_f, bool), np.zeros(n_c, bool)]),
                   A, rl, ru, n_f)
        hint = np.zeros(n_f)
        hint[_greedy_cover(a, problem.weights, fixed, p)] = 1.0
        status, x, obj, bound = mip.solve(time_limit_s=time_limit_s, workers=workers, hint=hint, maximize=True)
        status = _status(status)
        sites = _sites(x, n_f)
        covered = evaluate(problem, sites, radius).covered_weight
        return _result(self.name, problem, status, sites, covered, bound, t0, radius, p)


@dataclass(frozen=True)
class LSCPB:
    r"""Backup coverage (Hogan & ReVelle 1986, the LSCP-B form of spopt): first the LSCP's
    fewest sites ``p*``; then, with exactly ``p*`` sites still covering every client, the most
    clients covered **twice**.

    .. math::

        \max \sum_i u_i \quad\text{s.t.}\quad \sum_{j \in N_i} y_j \ge 1 + u_i \;\forall i,\qquad
        \sum_j y_j = p^*,\qquad y_j = 1 \;\forall j \in F,\qquad y_j \in \{0,1\},\; 0 \le u_i \le 1

    Clients count one each (as in Hogan & ReVelle's second objective with unit weights and as
    in spopt). ``objective`` = the number of clients with two or more sites within the radius.

    Hogan, K., ReVelle, C. (1986). Concepts and applications of backup coverage. *Management
    Science* 32(11), 1434-1444.
    """

    radius: float
    fixed: tuple[str, ...] = ()
    name = "lscpb"

    def solve(self, problem: SitingProblem, *, time_limit_s: float = 60.0, workers: int = 2) -> SitingResult:
        t0 = time.perf_counter()
        radius = _check_radius(self.radius, self.name)
        fixed = problem.facility_index(self.fixed)
        n_f, n_c = problem.n_facilities, problem.n_clients
        a = problem.within(radius)
        _require_coverable(problem, a, radius, self.name)
        status1, x1, _, _ = _set_cover(problem, a, fixed, time_limit_s=0.5 * time_limit_s, workers=workers)
        status1 = _status(status1)
        p_star = len(_sites(x1, n_f))
        lower, upper = _y_bounds(n_f, fixed)
        A = sp.vstack([sp.hstack([a, -sp.identity(n_c, format="csr")]), _cardinality_row(n_f, n_c)]).tocsr()
        rl = np.append(np.ones(n_c), float(p_star))
        ru = np.append(np.full(n_c, np.inf), float(p_star))
        mip = _Mip(np.concatenate([np.zeros(n_f), np.ones(n_c)]), np.concatenate([lower, np.zeros(n_c)]),
                   np.concatenate([upper, np.ones(n_c)]), np.concatenate([np.ones(n_f, bool), np.zeros(n_c, bool)]),
                   A, rl, ru, n_f)
        remaining = time_limit_s - (time.perf_counter() - t0)
        status2, x, obj, bound = mip.solve(time_limit_s=remaining, workers=workers, hint=x1[:n_f], maximize=True)
        status2 = _status(status2)
        sites = _sites(x, n_f)
        twice = int((evaluate(problem, sites, radius).n_within >= 2).sum())
        status = "optimal" if status1 == status2 == "optimal" else "feasible"
        notes = [] if status1 == "optimal" else [f"the site count {p_star} is not proven the least (time limit)"]
        return _result(self.name, problem, status, sites, twice, bound, t0, radius, p_star, notes)


# --- p-median and p-center ---------------------------------------------------------------------


def _greedy_add(C: np.ndarray, w: np.ndarray, start: np.ndarray, p: int, *, worst: bool) -> np.ndarray:
    """Add sites one at a time, each the one that lowers the weighted total cost (``worst``:
    the largest cost) the most. ``C`` is dense with inf for unreachable pairs."""
    sites = list(int(j) for j in start)
    current = C[:, sites].min(axis=1) if sites else np.full(C.shape[0], np.inf)
    free = np.ones(C.shape[1], dtype=bool)
    free[sites] = False
    while len(sites) < p and free.any():
        cand = np.flatnonzero(free)
        new = np.minimum(current[:, None], C[:, cand])
        if worst:
            score = new.max(axis=0)
        else:
            reached = np.isfinite(new)
            score = (np.where(reached, new, 0.0) * w[:, None]).sum(axis=0) + 1e12 * (~reached).sum(axis=0)
        j = int(cand[np.argmin(score)])
        sites.append(j)
        free[j] = False
        current = np.minimum(current, C[:, j])
    return np.array(sites, dtype=np.int64)


@dataclass(frozen=True)
class PMedian:
    r"""p-median (Hakimi 1964, 1965; ReVelle & Swain 1970): ``p`` sites with the least weighted
    total cost from each client to its nearest site.

    .. math::

        \min \sum_i \sum_j w_i c_{ij} x_{ij} \quad\text{s.t.}\quad \sum_j x_{ij} = 1 \;\forall i,\qquad
        x_{ij} \le y_j,\qquad \sum_j y_j = p,\qquad y_j = 1 \;\forall j \in F

    Solved exactly, but sparsely (the radius idea of García, Labbé & Marín 2011): client ``i``
    may be assigned only to its candidates ``K_i`` cheaper than a threshold ``T_i``, or to a
    slack ``f_i`` that costs ``T_i``:
    ``sum_{j in K_i} x_ij + f_i = 1``, objective ``sum_i w_i (sum_j c_ij x_ij + T_i f_i)``.
    For any sites a client whose nearest site lies outside ``K_i`` costs at least ``T_i``, so
    this is a relaxation: its optimum is a lower bound, and the true cost of its sites an upper
    bound. Where they differ, the clients that used the slack get ``K_i`` widened to every
    candidate up to their true cost, and the model is solved again (warm-started) until the
    bounds meet (``optimal``) or the time runs out (``feasible``, with the gap). ``K_i`` starts
    at the ``ceil(n / p) + 2`` nearest candidates (``n`` candidates, at least 5). (Widening on the LP
    relaxation alone first, as García et al. do, was slower here: HiGHS's MIP presolve shrinks
    this model far more than its LP presolve does.) ``objective`` = the weighted total cost
    (spopt's p-median objective); ``mean_cost`` divides it by the total weight.

    Hakimi, S. L. (1964). Optimum locations of switching centers and the absolute centers and
    medians of a graph. *Operations Research* 12(3), 450-459. Hakimi, S. L. (1965). Optimum
    distribution of switching centers in a communication network and some related graph
    theoretic problems. *Operations Research* 13(3), 462-475. García, S., Labbé, M., Marín, A.
    (2011). Solving large p-median problems with a radius formulation. *INFORMS Journal on
    Computing* 23(4), 546-556.
    """

    p: int
    fixed: tuple[str, ...] = ()
    radius: float | None = None  # only for the coverage figures
    name = "pmedian"

    def solve(self, problem: SitingProblem, *, time_limit_s: float = 60.0, workers: int = 2) -> SitingResult:
        t0 = time.perf_counter()
        fixed = problem.facility_index(self.fixed)
        p = _check_p(problem, self.p, fixed, self.name)
        _require_reachable(problem, self.name)
        n_f, n_c = problem.n_facilities, problem.n_clients
        w = problem.weights
        C = problem.dense_cost()
        order = np.argsort(C, axis=1, kind="stable")  # per client, candidates by cost (inf last)
        degree = np.diff(problem.cost.indptr)
        k = np.minimum(degree, max(5, math.ceil(n_f / p) + 2))
        best = _greedy_add(C, w, fixed, p, worst=False)
        best_cost = _total(C, w, best)
        bound = -np.inf
        rounds = 0
        while True:
            rounds += 1
            mip, last_z, _ = self._relaxation(C, w, order, k, degree, fixed, p)
            remaining = time_limit_s - (time.perf_counter() - t0)
            hint = np.zeros(n_f)
            hint[best] = 1.0
            status, x, obj, mip_bound = mip.solve(time_limit_s=remaining, workers=workers, hint=hint)
            if status == "infeasible":
                raise DataError(self._unreachable_message(problem, fixed, p, time_limit_s, workers))
            if x is None:
                break
            sites = _sites(x, n_f)
            cost = _total(C, w, sites)
            if cost < best_cost:
                best, best_cost = sites, cost
            if status == "optimal":
                bound = max(bound, obj)
            elif mip_bound is not None:
                bound = max(bound, mip_bound)
            if best_cost - bound <= _TOL * max(1.0, abs(best_cost)) or status != "optimal":
                break
            # widen K_i of the clients that paid their slack: to every candidate up to their true cost
            beyond = last_z >= 0
            widen = np.flatnonzero(beyond)[np.asarray(x)[last_z[beyond]] > 0.5]
            if len(widen) == 0 or time.perf_counter() - t0 >= time_limit_s:
                break
            near = C[:, sites].min(axis=1)
            for i in widen:
                reach = int(np.searchsorted(C[i, order[i]], near[i], side="right"))
                k[i] = min(degree[i], max(reach, 2 * k[i]))
        status = "optimal" if best_cost - bound <= _TOL * max(1.0, abs(best_cost)) else "feasible"
        if not np.isfinite(best_cost):
            raise DataError(self._unreachable_message(problem, fixed, p, time_limit_s, workers))
        notes = [f"{rounds} round(s) of the sparse p-median model, "
                 f"{int(k.sum())} client-candidate pairs of {int(degree.sum())}"]
        return _result(self.name, problem, status, best, best_cost, bound if np.isfinite(bound) else None, t0,
                       self.radius, p, notes)

    @staticmethod
    def _relaxation(C, w, order, k, degree, fixed, p):
        """The radius model for the current K_i (García, Labbé & Marín 2011, in its chained
        form). For client i with the distinct costs ``D_1 < ... < D_L`` of K_i and the next
        cost ``T`` (inf when K_i holds every candidate that reaches i), ``z_ik`` = 1 when i's
        nearest site costs more than ``D_k``::

            z_i1 + sum_{j: c_ij = D_1} y_j >= 1,    z_ik + sum_{j: c_ij = D_k} y_j - z_i,k-1 >= 0
            cost  w_i (D_1 + sum_k (D_k+1 - D_k) z_ik),   D_L+1 = T,   z_iL = 0 when T = inf

        Returns the model, the column of each client's last ``z`` (-1 without a threshold),
        and the number of z columns."""
        n_c, n_f = C.shape
        z_cost, z_upper = [], []
        r_rows, r_cols, r_vals = [], [], []
        row_lower = []
        last_z = np.full(n_c, -1, dtype=np.int64)
        constant = 0.0
        n_z = 0
        n_rows = 0
        for i in range(n_c):
            ki = int(k[i])
            costs_i = C[i, order[i]]
            if ki < degree[i]:  # ties with the last one join K_i
                ki = int(np.searchsorted(costs_i, costs_i[ki - 1], side="right"))
            js, ci = order[i, :ki], costs_i[:ki]
            threshold = costs_i[ki] if ki < degree[i] else np.inf
            levels, start = np.unique(ci, return_index=True)
            L = len(levels)
            constant += w[i] * levels[0]
            nxt = np.append(levels[1:], threshold)
            z_cols = n_f + n_z + np.arange(L)
            for lev in range(L):
                lo = start[lev]
                hi = start[lev + 1] if lev + 1 < L else ki
                row = n_rows + lev
                r_rows.append(np.full(hi - lo + 1, row))
                r_cols.append(np.append(js[lo:hi], z_cols[lev]))
                r_vals.append(np.ones(hi - lo + 1))
                if lev > 0:
                    r_rows.append(np.array([row]))
                    r_cols.append(np.array([z_cols[lev - 1]]))
                    r_vals.append(np.array([-1.0]))
            row_lower.append(np.append(1.0, np.zeros(L - 1)))
            gaps = nxt - levels
            z_upper.append(np.ones(L))
            if np.isfinite(threshold):
                last_z[i] = z_cols[-1]
            else:
                gaps[-1] = 0.0
                z_upper[-1][-1] = 0.0
            z_cost.append(w[i] * gaps)
            n_z += L
            n_rows += L
        A = sp.csr_matrix((np.concatenate(r_vals), (np.concatenate(r_rows), np.concatenate(r_cols))),
                          shape=(n_rows, n_f + n_z))
        A = sp.vstack([A, _cardinality_row(n_f, n_z)]).tocsr()
        rl = np.append(np.concatenate(row_lower), float(p))
        ru = np.append(np.full(n_rows, np.inf), float(p))
        lower_y, upper_y = _y_bounds(n_f, fixed)
        cost = np.concatenate([np.zeros(n_f), np.concatenate(z_cost)])
        lower = np.concatenate([lower_y, np.zeros(n_z)])
        upper = np.concatenate([upper_y, np.concatenate(z_upper)])
        integer = np.concatenate([np.ones(n_f, bool), np.zeros(n_z, bool)])
        return _Mip(cost, lower, upper, integer, A, rl, ru, n_f, constant), last_z, n_z

    @staticmethod
    def _unreachable_message(problem, fixed, p, time_limit_s, workers) -> str:
        a = problem.cost.copy()
        a.data[:] = 1.0
        status, x, _, _ = _set_cover(problem, a, fixed, time_limit_s=time_limit_s, workers=workers)
        least = len(_sites(x, problem.n_facilities)) if x is not None else None
        return (f"--p {p}: no {p} sites reach every client by a path"
                + (f"; the fewest sites that do are {least}" if least is not None else "")
                + " — raise --p, or add candidates")


def _total(C: np.ndarray, w: np.ndarray, sites: np.ndarray) -> float:
    if len(sites) == 0:
        return np.inf
    near = C[:, sites].min(axis=1)
    if not np.isfinite(near[w > 0]).all() or not np.isfinite(near).all():
        return np.inf
    return float((w * near).sum())


@dataclass(frozen=True)
class PCenter:
    r"""p-center (Hakimi 1964, 1965, vertex form): ``p`` sites with the least worst cost from a
    client to its nearest site (weights play no part, as in spopt).

    .. math::

        \min W \quad\text{s.t.}\quad \sum_j x_{ij} = 1,\quad x_{ij} \le y_j,\quad
        \sum_j c_{ij} x_{ij} \le W \;\forall i,\qquad \sum_j y_j = p,\qquad y_j = 1 \;\forall j \in F

    Solved as a sequence of set-covering MIPs (Minieka 1970): the optimal ``W`` is one of the
    costs ``c_ij``, and ``W`` is achievable exactly when the sites needed to cover every client
    within ``W`` number at most ``p``. A binary search over the distinct costs between a lower
    bound (every client's cheapest candidate) and the greedy solution's worst cost decides it
    with about ``log2`` of their number covering MIPs, each stopped at its first cover of at
    most ``p`` sites. The sites of the optimal cover are topped up to ``p`` greedily by weighted
    total cost. ``objective`` = the worst cost.

    Hakimi (1964, 1965) as for :class:`PMedian`. Minieka, E. (1970). The m-center problem.
    *SIAM Review* 12(1), 138-139.
    """

    p: int
    fixed: tuple[str, ...] = ()
    radius: float | None = None  # only for the coverage figures
    name = "pcenter"

    def solve(self, problem: SitingProblem, *, time_limit_s: float = 60.0, workers: int = 2) -> SitingResult:
        t0 = time.perf_counter()
        fixed = problem.facility_index(self.fixed)
        p = _check_p(problem, self.p, fixed, self.name)
        _require_reachable(problem, self.name)
        C = problem.dense_cost()
        w = problem.weights
        greedy = _greedy_add(C, w, fixed, p, worst=True)
        ub = C[:, greedy].min(axis=1).max()
        values = np.unique(problem.cost.data)
        lb = float(C.min(axis=1).max())
        lo = int(np.searchsorted(values, lb, side="left"))
        best_sites = greedy if np.isfinite(ub) else None
        hi = int(np.searchsorted(values, ub, side="left")) if np.isfinite(ub) else len(values) - 1
        if best_sites is None:  # the greedy left a client unreached: is any p-set enough at all?
            r = values[-1]
            found = self._cover(problem, r, fixed, p, t0, time_limit_s, workers)
            if found is None:
                raise DataError(PMedian._unreachable_message(problem, fixed, p, time_limit_s, workers))
            best_sites = found
        proven = True
        while lo < hi:
            mid = (lo + hi) // 2
            found = self._cover(problem, values[mid], fixed, p, t0, time_limit_s, workers)
            if found is _TIMEOUT:
                proven = False
                break
            if found is None:
                lo = mid + 1
            else:
                hi = mid
                best_sites = found
        sites = _greedy_add(C, w, best_sites, p, worst=False)
        worst = float(C[:, sites].min(axis=1).max())
        status = "optimal" if proven else "feasible"
        return _result(self.name, problem, status, sites, worst, float(values[lo]), t0, self.radius, p)

    @staticmethod
    def _cover(problem, radius, fixed, p, t0, time_limit_s, workers):
        a = problem.within(float(radius))
        if (np.diff(a.indptr) == 0).any():
            return None
        # a greedy cover within p sites answers the step without a MIP (most steps of the search,
        # where the radius is large and HiGHS' presolve of a dense cover would outlast the limit)
        greedy = _greedy_cover(a, np.ones(a.shape[0]), fixed, p)
        if (np.asarray(a[:, greedy].sum(axis=1)).ravel() > 0).all():
            return np.sort(greedy)
        remaining = time_limit_s - (time.perf_counter() - t0)
        if remaining <= 0.05:
            return _TIMEOUT
        status, x, _, _ = _set_cover(problem, a, fixed, time_limit_s=remaining, workers=workers, max_sites=p,
                                     first_found=True)
        if status == "infeasible":
            return None
        if x is None:
            return _TIMEOUT
        return _sites(x, problem.n_facilities)


_TIMEOUT = np.zeros(0, dtype=np.int64)  # a sentinel: the cover check ran out of time

MODELS = {"lscp": LSCP, "mclp": MCLP, "lscpb": LSCPB, "pmedian": PMedian, "pcenter": PCenter}


def make_model(name: str, *, p: int | None = None, radius: float | None = None, fixed: Sequence[str] = ()):
    """The model called ``name`` (one of :data:`MODELS`) with its parameters; a parameter the
    model needs and lacks is a :class:`DataError`."""
    fixed = tuple(str(f) for f in fixed)
    if name not in MODELS:
        raise DataError(f"unknown model '{name}' — use one of {', '.join(MODELS)}")
    if name in ("lscp", "lscpb"):
        return MODELS[name](radius=_check_radius(radius, name), fixed=fixed)
    if name == "mclp":
        if p is None:
            raise DataError("mclp needs --p N (how many sites)")
        return MCLP(radius=_check_radius(radius, name), p=p, fixed=fixed)
    if p is None:
        raise DataError(f"{name} needs --p N (how many sites)")
    return MODELS[name](p=p, fixed=fixed, radius=radius)
