"""Fairness (soft, weight ``objective.fairness``): no station's teams carry much more than others'.

``load_max`` >= each station's team-hours divided by its teams; ``load_max`` costs ``fairness``
per hour. Never traded against a hard rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "fairness"
HARD = False


def weight(p: Problem) -> float:
    return float(p.config.objective.fairness)


def load_increase_cost(p: Problem, load_after: np.ndarray, load_max: float) -> np.ndarray:
    """What raising stations' hours per team to ``load_after`` adds to the objective."""
    return weight(p) * np.maximum(0.0, load_after - load_max)


def add_rows(ctx: FamilyContext) -> None:
    b, p, x = ctx.builder, ctx.problem, ctx.x
    w = weight(p)
    if w <= 0 or p.n_shifts == 0:
        return
    load = b.add_cols(1, lower=0, upper=np.inf, cost=w, integer=False, family=NAME)
    stations = np.unique(p.shift_station)
    row_of_station = -np.ones(len(p.station_ids), dtype=np.int64)
    row_of_station[stations] = np.arange(stations.size)
    rows = np.concatenate([row_of_station[p.shift_station], np.arange(stations.size)])
    cols = np.concatenate([x, np.full(stations.size, load[0])])
    vals = np.concatenate([p.shift_len_min / 60, -p.teams[stations].astype(float)])
    b.add_rows(NAME, rows, cols, vals, -np.inf, 0.0, stations.size)


def relaxations(p: Problem) -> list:
    """None: a soft goal never makes a week infeasible."""
    return []


def precheck(p: Problem) -> list[str]:
    return []
