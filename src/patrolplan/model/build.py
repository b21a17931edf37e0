r"""The aggregated roster model: how many teams of each station work each candidate shift.

Teams of one station are identical, so the model counts them instead of naming them
(``x[j]`` = teams of station ``s(j)`` working candidate shift ``j``); named teams are assigned
afterwards (``assign.py``). This removes the symmetry between identical teams entirely and keeps
the LP relaxation tight. Every constraint is implied by the contract's rules, so the model is a
*relaxation* of the team-level problem: if it is infeasible, no roster exists.

The rows come from the rule families, one module each under ``rules/`` (the mathematics is in
each module's docstring): ``shifts`` (the columns and their cost), ``coverage``,
``synchronized``, ``capacity`` (capacity and rest), ``handover`` (in the candidate shifts),
``max_shifts``, ``availability``, ``visits`` (loops of short visits), ``published`` (a re-plan's kept rows and
busy teams), and the soft ``fairness`` and ``staggered`` share.

Objective (hours): team-hours + ``travel`` x travel hours + ``fairness`` x (``load_max`` +
staggered deviation) + ``overcoverage`` x team-hours on site beyond what is required.
With ``allow_gaps`` each coverage row gets a slack whose price (risk-weighted) dominates every
other term, so the least risk-weighted shortfall is found first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from patrolplan.model.problem import Problem
from patrolplan.model.rules import (
    availability,
    capacity,
    coverage,
    fairness,
    max_shifts,
    shifts,
    published,
    staggered,
    synchronized,
    visits,
)
from patrolplan.model.rules.coverage import GAP_PRICE_PER_TEAM_HOUR

__all__ = ["LinearModel", "build_model", "GAP_PRICE_PER_TEAM_HOUR"]


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
    col_family: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))  # the family adding each column
    visit_gap_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # slack of each guard row

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
        self.col_fam: list[np.ndarray] = []
        self.n_cols = 0
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, col, val) local rows
        self.row_lo: list[np.ndarray] = []
        self.row_hi: list[np.ndarray] = []
        self.row_fam: list[np.ndarray] = []
        self.families: list[str] = []
        self.n_rows = 0
        self.offset = 0.0
        self.bounds: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (cols, lower, upper) tightened
        self.extra_cost: list[tuple[np.ndarray, float]] = []  # (cols, hours added to their cost)

    def tighten(self, cols, *, lower, upper) -> None:
        """Raise the lower and lower the upper bounds of columns already added."""
        self.bounds.append((np.asarray(cols), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)))

    def add_cost(self, cols, hours: float) -> None:
        """Add ``hours`` to the cost of columns already added."""
        self.extra_cost.append((np.asarray(cols), float(hours)))

    def add_cols(self, n: int, *, lower, upper, cost, integer: bool, family: str = "") -> np.ndarray:
        idx = np.arange(self.n_cols, self.n_cols + n)
        self.col_fam.append(np.full(n, family, dtype=object))
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
        col_lower, col_upper, col_cost = cat(self.lower, float), cat(self.upper, float), cat(self.cost, float)
        for cols, lower, upper in self.bounds:
            col_lower[cols] = np.maximum(col_lower[cols], lower)
            col_upper[cols] = np.minimum(col_upper[cols], upper)
        for cols, hours in self.extra_cost:
            col_cost[cols] += hours
        return LinearModel(
            n_shifts=n_shifts,
            col_lower=col_lower,
            col_upper=col_upper,
            col_cost=col_cost,
            col_integer=cat(self.integer, bool),
            A=A,
            row_lower=cat(self.row_lo, float),
            row_upper=cat(self.row_hi, float),
            row_family=cat(self.row_fam, np.int64),
            families=list(self.families),
            objective_offset=self.offset,
            col_family=np.concatenate(self.col_fam) if self.col_fam else np.zeros(0, dtype=object),
        )


def build_model(
    problem: Problem,
    *,
    allow_gaps: bool = False,
    extra_station_caps: dict[int, int] | None = None,
    base_teams: np.ndarray | None = None,
) -> LinearModel:
    """The aggregated model of ``problem``: each rule family adds its rows.

    ``extra_station_caps`` (station -> most shifts) holds repair cuts added when named teams
    could not be assigned. ``base_teams`` turns the model into "fewest extra teams": the
    station bounds use ``base_teams`` plus an integer column ``extra[s]`` (up to
    ``problem.teams - base_teams``) costing 1 each; the model's other costs are kept tiny.
    """
    b = _Builder()
    x = shifts.add_rows(b, problem)
    gap = coverage.add_rows(b, problem, x, allow_gaps=allow_gaps)
    synchronized.add_rows(b, problem, x, gap)
    visit_gap = visits.add_rows(b, problem, x, allow_gaps=allow_gaps)
    extra = None
    if base_teams is not None:
        b.cost = [c * 1e-4 for c in b.cost]
        b.offset *= 1e-4
        room = np.maximum(problem.teams - base_teams, 0)
        extra = b.add_cols(len(problem.station_ids), lower=0, upper=room, cost=1.0, integer=True,
                           family="extra_teams")
    capacity.add_rows(b, problem, x, base_teams=base_teams, extra=extra)
    max_shifts.add_rows(b, problem, x, extra_station_caps or {}, base_teams=base_teams, extra=extra)
    availability.add_rows(b, problem, x)
    published.add_rows(b, problem, x)
    if base_teams is None:
        fairness.add_rows(b, problem, x)
        staggered.add_rows(b, problem, x)
    model = b.finish(problem.n_shifts)
    if gap is not None:
        model.gap_cols, model.gap_rows = gap
    if visit_gap is not None:
        model.visit_gap_cols = visit_gap[0]
    return model
