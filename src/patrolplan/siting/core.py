"""The siting core: a plain cost matrix and client weights, no GIS.

Two layers, as in spopt's ``locate`` package: :func:`SitingProblem.from_cost_matrix` takes a
cost matrix (a dense numpy array or a scipy sparse matrix, clients x candidate facilities) and
the client weights; :mod:`patrolplan.siting.network` builds that matrix from a config (road
minutes on the roster's network) and :mod:`patrolplan.siting.tables` from a long CSV. The
models (:mod:`patrolplan.siting.models`) and the figures (:func:`evaluate`) see only this.

Unreachable pairs
    Dense input: ``inf`` (or ``nan``) marks a pair with no path. Sparse input: the stored
    entries are the pairs that have a cost (an explicitly stored 0 is a cost of 0); a pair
    not stored has no path. A facility never *covers* or *serves* a client it cannot reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from patrolplan.errors import DataError

__all__ = ["SitingProblem", "SitingResult", "Figures", "evaluate"]


def _ids(ids: Sequence[Any] | None, n: int, prefix: str, what: str) -> tuple[str, ...]:
    if ids is None:
        return tuple(f"{prefix}{k}" for k in range(n))
    out = tuple(str(i) for i in ids)
    if len(out) != n:
        raise DataError(f"{len(out)} {what} ids for {n} {what}s in the cost matrix — give one id per {what}")
    seen, dup = set(), []
    for i in out:
        if i in seen:
            dup.append(i)
        seen.add(i)
    if dup:
        raise DataError(f"{what} ids repeated: {', '.join(sorted(set(dup))[:10])} — give each {what} one id")
    return out


@dataclass(frozen=True)
class SitingProblem:
    """Clients, candidate facilities and the cost of serving each client from each facility.

    ``cost`` is a CSR matrix [n_clients, n_facilities] holding only the reachable pairs
    (stored entries; any value >= 0). ``weights`` (>= 0) weigh clients in the weighted
    figures (covered weight, mean cost). Build it with :meth:`from_cost_matrix`.
    """

    cost: sp.csr_matrix
    weights: np.ndarray
    client_ids: tuple[str, ...]
    facility_ids: tuple[str, ...]
    _facility_index: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_cost_matrix(
        cls,
        cost: Any,
        weights: Any = None,
        *,
        client_ids: Sequence[Any] | None = None,
        facility_ids: Sequence[Any] | None = None,
    ) -> "SitingProblem":
        """A problem from a cost matrix [clients, facilities] (numpy array or scipy sparse;
        see the module docstring for unreachable pairs) and client weights (default 1 each).

        Raises :class:`DataError` for negative costs or weights, a weight vector of the
        wrong length, and repeated ids.
        """
        if sp.issparse(cost):
            coo = sp.coo_matrix(cost)
            rows, cols, vals = coo.row, coo.col, np.asarray(coo.data, dtype=float)
            keep = np.isfinite(vals)
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
            shape = coo.shape
        else:
            dense = np.asarray(cost, dtype=float)
            if dense.ndim != 2:
                raise DataError(f"the cost matrix must be 2-D (clients x facilities), got shape {dense.shape}")
            rows, cols = np.nonzero(np.isfinite(dense))
            vals = dense[rows, cols]
            shape = dense.shape
        if (vals < 0).any():
            raise DataError(f"{int((vals < 0).sum())} negative costs in the cost matrix — costs must be >= 0")
        n_c, n_f = shape
        matrix = sp.csr_matrix((vals, (rows, cols)), shape=(n_c, n_f))
        matrix.sum_duplicates()
        matrix.sort_indices()
        w = np.ones(n_c) if weights is None else np.asarray(weights, dtype=float).ravel()
        if w.shape != (n_c,):
            raise DataError(f"{w.size} weights for {n_c} clients — give one weight per client")
        if not np.isfinite(w).all() or (w < 0).any():
            raise DataError("weights must be finite numbers >= 0")
        c_ids = _ids(client_ids, n_c, "c", "client")
        f_ids = _ids(facility_ids, n_f, "f", "facility")
        w.setflags(write=False)
        return cls(matrix, w, c_ids, f_ids, {f: k for k, f in enumerate(f_ids)})

    @property
    def n_clients(self) -> int:
        return self.cost.shape[0]

    @property
    def n_facilities(self) -> int:
        return self.cost.shape[1]

    def facility_index(self, ids: Sequence[str]) -> np.ndarray:
        """Indices of facility ids; :class:`DataError` naming every unknown id."""
        unknown = [str(i) for i in ids if str(i) not in self._facility_index]
        if unknown:
            raise DataError(f"--fixed: unknown facility ids {', '.join(unknown)} — give ids of the candidates "
                            f"(e.g. {', '.join(self.facility_ids[:3])})")
        return np.array([self._facility_index[str(i)] for i in ids], dtype=np.int64)

    def within(self, radius: float) -> sp.csr_matrix:
        """The coverage matrix a[i, j] = 1 where facility j reaches client i within ``radius``
        (cost <= radius, with a relative tolerance of 1e-9 against rounding)."""
        c = self.cost.tocoo()
        keep = c.data <= radius + 1e-9 * max(1.0, abs(radius))
        a = sp.csr_matrix((np.ones(int(keep.sum())), (c.row[keep], c.col[keep])), shape=c.shape)
        a.sort_indices()
        return a

    def dense_cost(self) -> np.ndarray:
        """The cost matrix with ``inf`` for unreachable pairs (small problems, figures)."""
        out = np.full(self.cost.shape, np.inf)
        c = self.cost.tocoo()
        out[c.row, c.col] = c.data
        return out

    def nearest(self, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each client: the index of its nearest site among ``sites`` (-1 if none reaches
        it) and the cost to it (inf if none). Ties go to the site listed first."""
        sites = np.asarray(sites, dtype=np.int64)
        sub = self.cost[:, sites].tocsr() if len(sites) else sp.csr_matrix((self.n_clients, 0))
        best = np.full(self.n_clients, -1, dtype=np.int64)
        cost = np.full(self.n_clients, np.inf)
        for i in range(self.n_clients):
            lo, hi = sub.indptr[i], sub.indptr[i + 1]
            if lo == hi:
                continue
            vals = sub.data[lo:hi]
            cols = sub.indices[lo:hi]
            k = np.lexsort((cols, vals))[0]
            best[i], cost[i] = sites[cols[k]], vals[k]
        return best, cost


@dataclass(frozen=True)
class Figures:
    """What a set of sites achieves (the ``--json`` figures).

    Coverage figures need a radius; without one they are None. ``covered`` counts clients
    with a site within the radius, ``backup`` clients with **two or more** sites within it.
    ``mean_cost`` is weighted by client weight over the clients some site reaches
    (``unreached`` lists the others), ``max_cost`` the largest of those costs.
    """

    nearest_site: np.ndarray
    nearest_cost: np.ndarray
    n_within: np.ndarray | None
    uncovered: tuple[str, ...] | None
    coverage_pct: float | None
    covered_weight: float | None
    backup_pct: float | None
    mean_cost: float | None
    max_cost: float | None
    unreached: tuple[str, ...]


def evaluate(problem: SitingProblem, sites: np.ndarray, radius: float | None) -> Figures:
    """The figures of ``sites`` (facility indices) — measured on the matrix, not taken from a
    model, so every model is reported the same way."""
    sites = np.asarray(sites, dtype=np.int64)
    best, cost = problem.nearest(sites)
    reached = np.isfinite(cost)
    unreached = tuple(problem.client_ids[i] for i in np.flatnonzero(~reached))
    w = problem.weights
    mean = max_c = None
    if reached.any():
        wr = w[reached]
        mean = float(np.average(cost[reached], weights=wr)) if wr.sum() > 0 else float(cost[reached].mean())
        max_c = float(cost[reached].max())
    n_within = uncovered = cov_pct = cov_w = back_pct = None
    if radius is not None:
        a = problem.within(radius)[:, sites] if len(sites) else sp.csr_matrix((problem.n_clients, 0))
        n_within = np.asarray(a.sum(axis=1)).ravel().astype(np.int64)
        covered = n_within >= 1
        n = max(problem.n_clients, 1)
        uncovered = tuple(problem.client_ids[i] for i in np.flatnonzero(~covered))
        cov_pct = 100.0 * covered.sum() / n
        cov_w = float(w[covered].sum())
        back_pct = 100.0 * (n_within >= 2).sum() / n
    return Figures(best, cost, n_within, uncovered, cov_pct, cov_w, back_pct, mean, max_c, unreached)


@dataclass(frozen=True)
class SitingResult:
    """A solved siting model: the chosen sites, what they achieve, and how sure we are.

    ``status``: ``optimal`` (proven within the tolerance) or ``feasible`` (stopped by the time
    limit; ``bound`` and ``gap_pct`` say how far from optimal it can be). ``objective`` is the
    model's own objective (see each model); ``bound`` the best proven bound on it.
    """

    model: str
    status: str
    sites: np.ndarray
    objective: float
    bound: float | None
    seconds: float
    figures: Figures
    problem: SitingProblem
    radius: float | None = None
    p: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def site_ids(self) -> list[str]:
        return [self.problem.facility_ids[j] for j in self.sites]

    @property
    def gap_pct(self) -> float | None:
        if self.bound is None:
            return None
        return 100.0 * abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` keys (contract), then extras: radius, p, bound, gap_pct,
        solve_seconds, unreached_clients, total_weight, notes."""
        f = self.figures

        def num(v):
            return None if v is None or not np.isfinite(v) else round(float(v), 6)

        return {
            "model": self.model,
            "status": self.status,
            "sites": self.site_ids,
            "n_sites": len(self.sites),
            "uncovered_clients": None if f.uncovered is None else list(f.uncovered),
            "coverage_pct": num(f.coverage_pct),
            "covered_weight": num(f.covered_weight),
            "backup_pct": num(f.backup_pct),
            "mean_cost": num(f.mean_cost),
            "max_cost": num(f.max_cost),
            "objective": num(self.objective),
            "radius": self.radius,
            "p": self.p,
            "bound": num(self.bound),
            "gap_pct": num(self.gap_pct),
            "solve_seconds": round(self.seconds, 3),
            "unreached_clients": list(f.unreached),
            "total_weight": float(self.problem.weights.sum()),
            "notes": list(self.notes),
        }
