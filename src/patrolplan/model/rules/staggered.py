"""Staggered share (soft, weight ``objective.fairness``): members of a staggered zone take turns
in proportion to their teams.

Each member's share of the zone's on-site hours stays close to its share of the members'
teams: within :func:`tolerance_h` (one longest shift) it is free; beyond that each hour costs
``fairness`` / 2 (every hour too many somewhere is an hour too few elsewhere). The greedy
planner prices a shift by the same :func:`deviation_cost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules.fairness import weight

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "staggered"
HARD = False


def tolerance_h(p: Problem) -> float:
    """Hours a member may be off its share for free: one longest shift."""
    return max(p.config.rules.shift_minutes) / 60


def sharing_members(p: Problem, z: int) -> tuple[int, ...]:
    """Members of staggered zone ``z`` that have teams (empty when fewer than two share it)."""
    if p.zone_mode[z] != "staggered":
        return ()
    members = tuple(m for m in p.zone_members[z] if p.teams[m] > 0)
    return members if len(members) >= 2 else ()


def deviation_cost(p: Problem, z: int, member_hours: dict[int, float]) -> float:
    """The objective's price of zone ``z``'s members' on-site hours ``member_hours``."""
    members = sharing_members(p, z)
    if not members:
        return 0.0
    k = float(sum(p.teams[m] for m in members))
    total_h = sum(member_hours.get(m, 0.0) for m in members)
    tol = tolerance_h(p)
    dev = sum(max(0.0, abs(member_hours.get(m, 0.0) - p.teams[m] / k * total_h) - tol) for m in members)
    return weight(p) / 2 * dev


def add_rows(ctx: FamilyContext) -> None:
    b, p, x = ctx.builder, ctx.problem, ctx.x
    w = weight(p)
    if w <= 0 or p.n_shifts == 0:
        return
    on_site_h = p.shift_on_site_min / 60
    zone_of_shift = p.hotspot_zone[p.shift_hotspot]
    for z in range(len(p.zone_ids)):
        members = sharing_members(p, z)
        if not members:
            continue
        js = np.nonzero(zone_of_shift == z)[0]
        if p.windows is not None:  # visits.rendezvous: a station's own loop spans zones; not shared here
            js = js[p.shift_loop[js] < 0]
        if js.size == 0:
            continue
        k_zone = float(sum(p.teams[m] for m in members))
        dev = b.add_cols(len(members), lower=0, upper=np.inf, cost=w / (2 * k_zone), integer=False, family=NAME)
        rows, cols, vals = [], [], []
        for i, s in enumerate(members):
            share = -p.teams[s] * on_site_h[js] + np.where(p.shift_station[js] == s, k_zone * on_site_h[js], 0.0)
            # +share - dev <= 0  and  -share - dev <= 0
            for sign, row in ((1.0, 2 * i), (-1.0, 2 * i + 1)):
                rows += [np.full(js.size, row), [row]]
                cols += [x[js], [dev[i]]]
                vals += [sign * share, [-1.0]]
        b.add_rows(NAME, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                   -np.inf, k_zone * tolerance_h(p), 2 * len(members))


def relaxations(p: Problem) -> list:
    """None: a soft goal never makes a week infeasible."""
    return []


def precheck(p: Problem) -> list[str]:
    return []
