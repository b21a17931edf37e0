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
busy teams), ``backup`` (a second team within reach, when ``response.backup`` is on), and the soft
``fairness`` and ``staggered`` share.

Every family has one entry, ``add_rows(ctx: FamilyContext) -> FamilyRows | None``: the context
holds the problem, the builder, ``allow_gaps``, the repair caps, ``base_teams`` and what the
families before it returned (``ctx.x``, the shift columns; ``ctx.gap``, the coverage slacks);
:func:`build_model` calls them in the order :data:`ORDER` (the model's row order) and builds
the :class:`LinearModel` whole at the end.

Objective (hours): team-hours + ``travel`` x travel hours + ``fairness`` x (``load_max`` +
staggered deviation) + ``overcoverage`` x team-hours on site beyond what is required.
With ``allow_gaps`` each coverage row gets a slack whose price (risk-weighted) dominates every
other term, so the least risk-weighted shortfall is found first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from patrolplan.model.problem import Problem
from patrolplan.model.rules import (
    availability,
    backup,
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
from patrolplan.model.rules._types import FamilyContext, FamilyRows
from patrolplan.model.rules.coverage import GAP_PRICE_PER_TEAM_HOUR

__all__ = ["LinearModel", "Builder", "build_model", "GAP_PRICE_PER_TEAM_HOUR", "ORDER"]


@dataclass(frozen=True)
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


class Builder:
    """Collects columns and row blocks; ``finish`` stacks them into one CSR matrix. A family
    adds through ``add_cols``, ``add_rows``, ``tighten``, ``add_cost`` and ``offset`` (hours
    added to the objective), never through the lists."""

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

    def scale_costs(self, factor: float) -> None:
        """Multiply the cost of every column added so far (with what ``add_cost`` added to it)
        and the objective offset by ``factor``."""
        self.cost = [c * factor for c in self.cost]
        self.extra_cost = [(cols, hours * factor) for cols, hours in self.extra_cost]
        self.offset *= factor

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

    def finish(self, n_shifts: int, *, gap: FamilyRows | None = None, visit_gap: FamilyRows | None = None
               ) -> LinearModel:
        """The model: every block stacked; ``gap`` and ``visit_gap``, the slacks (and their rows)
        that ``coverage`` and ``visits`` returned under ``allow_gaps``."""
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
            **_slack_fields(gap, visit_gap),
        )


def _slack_fields(gap: FamilyRows | None, visit_gap: FamilyRows | None) -> dict:
    out = {}
    if gap is not None and gap.slack is not None:
        out.update(gap_cols=gap.slack, gap_rows=gap.slack_rows)
    if visit_gap is not None and visit_gap.slack is not None:
        out.update(visit_gap_cols=visit_gap.slack)
    return out


@dataclass(frozen=True)
class _Step:
    """A step of the model that is no rule family, called like one."""

    NAME: str
    HARD: bool
    add_rows: Callable[[FamilyContext], FamilyRows | None]


def _extra_teams_rows(ctx: FamilyContext) -> FamilyRows | None:
    """The explanation's fewest-extra-teams model (``base_teams``): the costs so far made tiny,
    and one integer column ``extra[s]`` per station (up to ``teams - base_teams``) costing 1."""
    if ctx.base_teams is None:
        return None
    p = ctx.problem
    ctx.builder.scale_costs(1e-4)
    room = np.maximum(p.teams - ctx.base_teams, 0)
    return FamilyRows(cols=ctx.builder.add_cols(len(p.station_ids), lower=0, upper=room, cost=1.0, integer=True,
                                                family="extra_teams"))


EXTRA_TEAMS = _Step("extra_teams", True, _extra_teams_rows)

#: the families (and the extra-teams step) in the order they add columns and rows: the model's
#: column and row order. ``shifts`` comes first (every other family reads its columns,
#: ``ctx.x``); ``coverage`` before ``synchronized`` and ``backup`` (they read its slacks);
#: ``extra_teams`` before ``capacity`` and ``max_shifts`` (their rows hold those columns).
ORDER = (shifts, coverage, synchronized, visits, backup, EXTRA_TEAMS, capacity, max_shifts, availability, published,
         fairness, staggered)


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
    b = Builder()
    ctx = FamilyContext(problem, b, allow_gaps=allow_gaps, extra_caps=dict(extra_station_caps or {}),
                        base_teams=base_teams)
    for family in ORDER:
        if base_teams is not None and not family.HARD:
            continue  # the fewest-extra-teams model prices extra teams only, no soft goal
        got = family.add_rows(ctx)
        if got is not None:
            ctx.added[family.NAME] = got
    return b.finish(problem.n_shifts, gap=ctx.added.get(coverage.NAME), visit_gap=ctx.added.get(visits.NAME))
