"""Staggered share (soft, weight ``objective.fairness``): members of a staggered zone take turns
in proportion to their teams.

Each member's share of the zone's on-site hours stays close to its share of the members'
teams: within :func:`tolerance_h` (one longest shift) it is free; beyond that each hour costs
``fairness`` / 2 (every hour too many somewhere is an hour too few elsewhere). The greedy
planner prices a shift by the same :func:`deviation_cost`.

A shift's on-site hours in a zone (:func:`zone_hours`): a post's (and an enumerated loop's)
at the zone of its hotspot; with ``visits.rendezvous`` a station's own loop spans zones, and
each of its visits counts its dwell in the zone of its stop. Column generation prices those
visits by :func:`stop_values`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

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


def zone_hours(p: Problem) -> sp.csr_matrix:
    """``[zones, shifts]``: each shift's on-site hours in each zone (module docstring)."""
    n = p.n_shifts
    post = np.ones(n, dtype=bool) if p.windows is None else p.shift_loop < 0
    js = np.nonzero(post)[0]
    rows, cols, vals = [p.hotspot_zone[p.shift_hotspot[js]]], [js], [p.shift_on_site_min[js] / 60]
    if p.windows is not None:
        per_col = np.repeat(np.arange(n), np.diff(p.visit_ptr))
        vh = p.visit_hotspot[: per_col.size]
        rows.append(p.hotspot_zone[vh])
        cols.append(per_col)
        vals.append(p.visit_dwell_min[vh] / 60)
    m = sp.coo_matrix((np.concatenate(vals).astype(float), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(len(p.zone_ids), n)).tocsr()
    m.sum_duplicates()
    m.sort_indices()
    return m


def _shared(p: Problem, hours: sp.csr_matrix) -> Iterator[tuple[int, tuple[int, ...], float, np.ndarray, np.ndarray]]:
    """The zones with rows, in the rows' order: ``(zone, members, their teams, shifts, hours)``."""
    for z in range(len(p.zone_ids)):
        members = sharing_members(p, z)
        a, b = hours.indptr[z], hours.indptr[z + 1]
        if members and b > a:
            yield z, members, float(sum(p.teams[m] for m in members)), hours.indices[a:b], hours.data[a:b]


def add_rows(ctx: FamilyContext) -> None:
    b, p, x = ctx.builder, ctx.problem, ctx.x
    w = weight(p)
    if w <= 0 or p.n_shifts == 0:
        return
    for _z, members, k_zone, js, hours in _shared(p, zone_hours(p)):
        dev = b.add_cols(len(members), lower=0, upper=np.inf, cost=w / (2 * k_zone), integer=False, family=NAME)
        rows, cols, vals = [], [], []
        for i, s in enumerate(members):
            share = -p.teams[s] * hours + np.where(p.shift_station[js] == s, k_zone * hours, 0.0)
            # +share - dev <= 0  and  -share - dev <= 0
            for sign, row in ((1.0, 2 * i), (-1.0, 2 * i + 1)):
                rows += [np.full(js.size, row), [row]]
                cols += [x[js], [dev[i]]]
                vals += [sign * share, [-1.0]]
        b.add_rows(NAME, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                   -np.inf, k_zone * tolerance_h(p), 2 * len(members))


def stop_values(p: Problem, y: np.ndarray) -> dict[int, np.ndarray]:
    """Per station: the hours a visit at each hotspot earns from the duals ``y`` of the rows
    :func:`add_rows` makes (in their order). A shift of station ``s`` with ``h`` on-site hours
    in zone ``z`` enters member ``i``'s two rows with ``+-(k [s = i] - teams_i) h``; a visit
    adds its dwell to ``h``."""
    out: dict[int, np.ndarray] = {}
    if weight(p) <= 0 or not y.size:
        return out
    r = 0
    for z, members, k_zone, _js, _h in _shared(p, zone_hours(p)):
        d = y[r: r + 2 * len(members): 2] - y[r + 1: r + 2 * len(members): 2]  # per member: y(+) - y(-)
        r += 2 * len(members)
        at = p.hotspot_zone == z
        common = -float(np.dot([p.teams[m] for m in members], d))
        for i, s in enumerate(members):
            v = out.setdefault(s, np.zeros(len(p.hotspot_ids)))
            v[at] += (k_zone * d[i] + common) * p.visit_dwell_min[at] / 60
    return out


def relaxations(p: Problem) -> list:
    """None: a soft goal never makes a week infeasible."""
    return []


def precheck(p: Problem) -> list[str]:
    return []
