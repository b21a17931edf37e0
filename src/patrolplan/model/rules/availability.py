"""Availability: on a date with ``a`` officers, at most ``floor((a - reserve) / team_size)`` of a
station's teams start a shift (hard; the date of a shift is the date it starts).

On counts: among the station's shifts starting that date, the occupancy bound of the capacity
family with ``a`` teams; and at most ``a`` times the most shifts one team can start in a day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules._types import PinnedBreach
from patrolplan.model.rules.capacity import occupancy_rows, occupied
from patrolplan.model.rules.published import binds_availability

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "availability"
HARD = True
_MIN_PER_DAY = 24 * 60


def starts_per_team_day(p: Problem) -> int:
    """The most shifts one team can start within one calendar day (rest and length kept)."""
    g = p.config.rules.shift_start_every_minutes
    step = min(p.config.rules.shift_minutes) + p.min_rest_min
    step = -(-step // g) * g
    return -(-_MIN_PER_DAY // step)


def teams_on(p: Problem, s: int, day: int) -> int | None:
    """Teams station ``s`` may start on day ``day`` (None: all of them)."""
    return p.availability_teams.get((int(s), int(day)))


def day_of(start_min):
    """The day (0 = ``week_start``) of a shift starting at ``start_min`` (a number or an
    array): the date of a shift is the date it starts."""
    return start_min // _MIN_PER_DAY


def station_days(p: Problem, s: int) -> dict[int, int]:
    """Day -> teams station ``s`` may start that day, for the days the availability table
    limits (a day not named: all its teams)."""
    return {d: a for (st, d), a in p.availability_teams.items() if st == int(s)}


def add_rows(ctx: FamilyContext) -> None:
    b, p, x = ctx.builder, ctx.problem, ctx.x
    if not p.availability_teams:
        return
    day = p.shift_day
    per_team = starts_per_team_day(p)
    binds = binds_availability(p)  # a re-plan: shifts after the cut only (history is what happened)
    for (s, d), a in sorted(p.availability_teams.items()):
        if a >= p.teams[s]:
            continue
        js = np.nonzero((p.shift_station == s) & (day == d) & binds)[0]
        if js.size == 0:
            continue
        if a == 0:
            b.add_rows(NAME, np.zeros(js.size, dtype=np.int64), x[js], np.ones(js.size), -np.inf, 0.0, 1)
            continue
        r, c, n = occupancy_rows(*occupied(p.shift_start_min[js], p.shift_len_min[js], p.min_rest_min))
        b.add_rows(NAME, r, x[js[c]], np.ones(r.size), -np.inf, float(a), n)
        b.add_rows(NAME, np.zeros(js.size, dtype=np.int64), x[js], np.ones(js.size), -np.inf, float(a * per_team), 1)


class DayStarts:
    """Shifts each station has started per day, for the greedy planner (the count bound above)."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.per_team = starts_per_team_day(p)
        self.day = p.shift_day
        self.started: dict[tuple[int, int], int] = {}

    def fits(self, j: int) -> bool:
        key = (int(self.p.shift_station[j]), int(self.day[j]))
        a = self.p.availability_teams.get(key)
        return a is None or self.started.get(key, 0) < a * self.per_team

    def take(self, j: int) -> None:
        key = (int(self.p.shift_station[j]), int(self.day[j]))
        self.started[key] = self.started.get(key, 0) + 1


def relaxations(p: Problem) -> list:
    """None apart from manpower (the capacity family's)."""
    return []


def precheck(p: Problem) -> list[str]:
    """None: the LP relaxation holds these rows."""
    return []


def pinned_problems(p: Problem, fixed, cut_min: int) -> list[PinnedBreach]:
    """Per station and day (in that order), more distinct teams starting pinned rows of a
    re-plan than :func:`teams_on` allows, counting the rows the table binds: those starting at
    or after the cut ``cut_min`` (history is what happened). Named on the first such row."""
    starting: dict[tuple[int, int], list] = {}
    for r in fixed:
        if r.pinned and r.start_min >= cut_min:
            starting.setdefault((r.station, int(day_of(r.start_min))), []).append(r)
    out = []
    for (s, d), rows in sorted(starting.items()):
        a, teams = teams_on(p, s, d), {r.team for r in rows}
        if a is not None and len(teams) > a:
            out.append(PinnedBreach(rows[0], "availability", f"station {p.station_ids[s]} may start {a} team(s) on day "
                                    f"{d + 1} of the week, its pinned rows start {len(teams)}",
                                    "unpin rows of that day or raise the availability"))
    return out
