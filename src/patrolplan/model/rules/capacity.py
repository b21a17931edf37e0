"""Capacity and rest: a station's teams, each on one shift at a time with rest between (hard).

A shift occupies its team over ``[start, end + rest)`` (:func:`occupied`), ``rest`` being
``rules.min_rest_hours``. At every instant the shifts of station ``s`` occupying a team number
at most ``teams(s)`` — one row per distinct start time of the station's candidate shifts.
Interval graphs are perfect, so this is exactly the condition for the shifts to be split onto
``teams(s)`` named teams with no overlap and the rest rule kept (Golumbic 1980, ch. 8): the
named-team step (``assign.py``) and the greedy planner use :func:`occupied` for the same rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules._types import PinnedBreach, Relaxation

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "capacity"
HARD = True

#: teams added to every station when the binding-cause search relaxes manpower
RELAXED_EXTRA_TEAMS = 50


def occupied(start_min, length_min, min_rest_min: int):
    """``(from, until)`` minutes during which a shift keeps its team: the shift and its rest."""
    start_min = np.asarray(start_min)
    return start_min, start_min + np.asarray(length_min) + int(min_rest_min)


def occupancy_rows(starts: np.ndarray, until: np.ndarray):
    """For the shifts given, the sets occupying one instant: a row at each distinct start time
    ``t`` holding the shifts with ``start <= t < until``. Returns ``(row, shift, n_rows)``."""
    taus = np.unique(starts)
    active = (starts[None, :] <= taus[:, None]) & (taus[:, None] < until[None, :])
    r, c = np.nonzero(active)
    return r, c, taus.size


def add_rows(ctx: FamilyContext) -> None:
    """Per station and start time: shifts occupying a team <= its teams (``base_teams`` plus the
    ``extra`` columns in the explanation's fewest-extra-teams model)."""
    b, p, x, base_teams, extra = ctx.builder, ctx.problem, ctx.x, ctx.base_teams, ctx.extra
    teams = p.teams if base_teams is None else base_teams
    order = np.argsort(p.shift_station, kind="stable")
    bounds = np.searchsorted(p.shift_station[order], np.arange(len(p.station_ids) + 1))
    for s in range(len(p.station_ids)):
        js = order[bounds[s]: bounds[s + 1]]
        if js.size == 0:
            continue
        r, c, n = occupancy_rows(*occupied(p.shift_start_min[js], p.shift_len_min[js], p.min_rest_min))
        cols, vals = x[js[c]], np.ones(r.size)
        if extra is not None:
            r = np.concatenate([r, np.arange(n)])
            cols = np.concatenate([cols, np.full(n, extra[s])])
            vals = np.concatenate([vals, -np.ones(n)])
        b.add_rows(NAME, r, cols, vals, -np.inf, float(teams[s]), n)


class GridOccupancy:
    """Teams each station has busy on the shift-start grid, for planners that add shifts one
    at a time (the greedy planner): :meth:`fits` asks the rule, :meth:`take` books a shift."""

    def __init__(self, p: Problem) -> None:
        g = p.config.rules.shift_start_every_minutes
        lo, hi = occupied(p.shift_start_min, p.shift_len_min, p.min_rest_min)
        first = int(lo.min()) // g if lo.size else 0
        last = int(hi.max()) // g + 1 if hi.size else 1
        self.busy = np.zeros((len(p.station_ids), last - first + 1), dtype=np.int64)
        self.lo = lo // g - first
        self.hi = -(-hi // g) - first  # exclusive
        self.teams = p.teams
        self.station = p.shift_station

    def fits(self, j: int) -> bool:
        s = self.station[j]
        return not (self.busy[s, self.lo[j]:self.hi[j]] >= self.teams[s]).any()

    def take(self, j: int) -> None:
        self.busy[self.station[j], self.lo[j]:self.hi[j]] += 1


def relaxations(p: Problem) -> list[Relaxation]:
    """Manpower (many more teams at every station) and the rest rule (no rest)."""
    cfg, rules = p.config, p.config.rules
    return [
        Relaxation("manpower", "the member stations' manpower", "", lambda: p.rebuilt(teams=p.teams + RELAXED_EXTRA_TEAMS)),
        Relaxation("rest", "the rest rule", "shorten `rules.min_rest_hours`",
                   lambda: p.rebuilt(config=cfg.replace(rules=rules.model_copy(update={"min_rest_hours": 0})))),
    ]


def precheck(p: Problem) -> list[str]:
    """None of its own: the LP relaxation holds these rows (the zone count is max_shifts')."""
    return []


def pinned_problems(p: Problem, fixed, cut_min: int) -> list[PinnedBreach]:
    """The pinned rows of a re-plan (``fixed``: its kept rows, history and pinned) that break
    this family's rule against the new inputs: ``team_count`` (the row names a team its station
    no longer has), then per team (station, team order) ``overlap`` and ``rest``: each row, in
    start order, against the earlier kept row of its team that keeps the team longest
    (:func:`occupied`), where one of the two is pinned (two history rows happened as they
    did). ``cut_min`` is not needed here."""
    out = [PinnedBreach(r, "team_count", f"station {p.station_ids[r.station]} has {int(p.teams[r.station])} teams "
                        f"now, the row names team {r.team + 1}", "unpin the row or give it one of the station's teams")
           for r in fixed if r.pinned and r.team >= int(p.teams[r.station])]
    by_team: dict[tuple[int, int], list] = {}
    for r in fixed:
        by_team.setdefault((r.station, r.team), []).append(r)
    for _, rows in sorted(by_team.items()):
        out += _team_rest_breaches(p, sorted(rows, key=lambda r: r.start_min))
    return out


def _team_rest_breaches(p: Problem, rows) -> list[PinnedBreach]:
    """``overlap`` / ``rest`` among one team's kept rows (in start order)."""
    out = []
    prev = None
    for r in rows:
        if prev is not None and (prev.pinned or r.pinned):
            end = prev.start_min + prev.len_min
            _, until = occupied(prev.start_min, prev.len_min, p.min_rest_min)
            pinned, other = (r, prev) if r.pinned else (prev, r)
            if r.start_min < end:
                out.append(PinnedBreach(pinned, "overlap", f"it overlaps shift {other.shift_id} of the same team",
                                        "unpin one of them or move it"))
            elif r.start_min < until:
                out.append(PinnedBreach(pinned, "rest", f"only {r.start_min - end} minutes of rest next to shift "
                                        f"{other.shift_id} of the same team, at least {p.min_rest_min} needed",
                                        "unpin the row or move it"))
        if prev is None or r.start_min + r.len_min > prev.start_min + prev.len_min:
            prev = r
    return out
