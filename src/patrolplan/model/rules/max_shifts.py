"""Max shifts: a team works at most ``rules.max_shifts_per_team`` shifts in the horizon (hard).

On counts: a station's shifts number at most ``teams(s) x max_shifts`` (the named-team step then
spreads them; a station whose split fails gets a tighter cap, ``extra_caps``, and stage 1 runs
again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules._types import PinnedBreach, Relaxation

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "max_shifts"
HARD = True


def team_cap(p: Problem) -> int:
    """The most shifts one team may work in the horizon (``rules.max_shifts_per_team``)."""
    return int(p.config.rules.max_shifts_per_team)


def station_cap(p: Problem, s: int, teams=None) -> int:
    """The most shifts station ``s`` may work in the horizon."""
    teams = p.teams if teams is None else teams
    return int(teams[s]) * team_cap(p)


def add_rows(ctx: FamilyContext) -> None:
    b, p, x, extra_caps = ctx.builder, ctx.problem, ctx.x, ctx.extra_caps
    base_teams, extra = ctx.base_teams, ctx.extra
    m = team_cap(p)
    stations = np.unique(p.shift_station)
    caps = np.array([min(station_cap(p, s, base_teams), extra_caps.get(int(s), 1 << 40)) for s in stations],
                    dtype=float)
    row_of_station = -np.ones(len(p.station_ids), dtype=np.int64)
    row_of_station[stations] = np.arange(stations.size)
    rows, cols, vals = row_of_station[p.shift_station], x, np.ones(p.n_shifts)
    if extra is not None:
        rows = np.concatenate([rows, np.arange(stations.size)])
        cols = np.concatenate([cols, extra[stations]])
        vals = np.concatenate([vals, -float(m) * np.ones(stations.size)])
    b.add_rows(NAME, rows, cols, vals, -np.inf, caps, stations.size)


#: shifts per team allowed when the binding-cause search relaxes the cap
RELAXED_MAX_SHIFTS = 14


def relaxations(p: Problem) -> list[Relaxation]:
    """The cap of shifts per team raised to :data:`RELAXED_MAX_SHIFTS` (one a day in a fortnight)."""
    rules = p.config.rules
    if rules.max_shifts_per_team >= RELAXED_MAX_SHIFTS:
        return []
    return [Relaxation("max_shifts", f"the cap of {rules.max_shifts_per_team} shifts per team",
                       f"raise `rules.max_shifts_per_team` (to {RELAXED_MAX_SHIFTS} removes every gap)",
                       lambda: p.rebuilt(config=p.config.replace(
                           rules=rules.model_copy(update={"max_shifts_per_team": RELAXED_MAX_SHIFTS}))))]


def precheck(p: Problem) -> list[str]:
    """Each zone's demanded team-hours against the most its members could give if they served
    nothing else (max shifts x the longest on-site time): a necessary condition."""
    out = []
    zone_of_row = p.hotspot_zone[p.cover_hotspot]
    need = np.bincount(zone_of_row, weights=p.required[p.cover_hotspot, p.cover_slot], minlength=len(p.zone_ids))
    for z in range(len(p.zone_ids)):
        if need[z] == 0:
            continue
        js = np.nonzero(p.hotspot_zone[p.shift_hotspot] == z)[0]
        give = 0.0
        for s in p.zone_members[z]:
            mine = js[p.shift_station[js] == s]
            if mine.size:
                give += station_cap(p, s) * int((p.shift_k1[mine] - p.shift_k0[mine]).max())
        if give < need[z]:
            members = ", ".join(p.station_ids[s] for s in p.zone_members[z])
            out.append(
                f"zone {p.zone_ids[z]} needs {need[z] * p.slot_min / 60:.0f} team-hours on site this week, but its "
                f"member stations ({members}) could give at most {give * p.slot_min / 60:.0f} even serving nothing "
                f"else: short by {(need[z] - give) * p.slot_min / 60:.0f} team-hours. Fix: more officers at its "
                "member stations or more members."
            )
    return out


def pinned_problems(p: Problem, fixed, cut_min: int) -> list[PinnedBreach]:
    """A team whose kept rows of a re-plan (``fixed``: history and pinned) number more than
    :func:`team_cap`, where one of them is pinned (named on its first pinned row), per team in
    (station, team) order. ``cut_min`` is not needed: every kept row is one of the team's
    shifts."""
    by_team: dict[tuple[int, int], list] = {}
    for r in fixed:
        by_team.setdefault((r.station, r.team), []).append(r)
    cap = team_cap(p)
    out = []
    for (s, k), rows in sorted(by_team.items()):
        pinned = [r for r in sorted(rows, key=lambda r: r.start_min) if r.pinned]
        if len(rows) > cap and pinned:
            out.append(PinnedBreach(pinned[0], "max_shifts", f"team {p.station_ids[s]}-T{k + 1:02d} keeps {len(rows)} "
                                    f"rows, at most {cap} allowed", "unpin a row of the team"))
    return out
