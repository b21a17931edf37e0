"""Demand: the teams each hotspot needs in each slot of the horizon.

The demand table holds rules (``hotspot_id`` or ``zone_id``, ``days``, ``start``, ``end``,
``teams``). :func:`expand_demand` turns them into an int array ``[n_hotspots, n_slots]``:

- a rule applies on each day that ``days`` matches, the day before the horizon included (its
  part past midnight falls on the first day of the horizon);
- on a day ``d`` it covers the interval ``[d + start, d + end)``; an ``end`` at or before
  ``start`` means it ends on the next day (``20:00``-``02:00``), ``24:00`` is midnight at the
  end of the day;
- a slot ``[t, t + slot_minutes)`` that overlaps that interval (by more than zero minutes)
  takes the rule's ``teams``; where several rules name a slot, the largest ``teams`` holds;
- slots no rule names get ``config.default_demand``;
- a zone row applies to each hotspot of the zone.

Times are minutes from ``week_start`` 00:00 (minute 0), as everywhere in patrolplan.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from patrolplan.errors import DataError

if TYPE_CHECKING:
    from patrolplan.inputs.scenario import Scenario

__all__ = [
    "WEEKDAYS",
    "DaySpec",
    "parse_days",
    "clock_minutes",
    "expand_demand",
    "expand_visits",
    "VisitDemand",
    "slot_starts",
]

MINUTES_PER_DAY = 24 * 60

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as ``days`` accepts them; index = ``date.weekday()``."""

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_DAYS_HELP = (
    "use weekdays like 'mon-sun', 'fri-mon', 'sat,sun' or 'fri', an ISO date like "
    "'2026-12-24', or a comma list of these"
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True)
class DaySpec:
    """The days a demand rule applies on: weekdays (0 = Monday) and ISO dates."""

    weekdays: frozenset[int] = frozenset()
    dates: frozenset[dt.date] = frozenset()

    def matches(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays or day in self.dates


def _weekday(token: str) -> int | None:
    """``mon`` / ``thurs`` / ``sunday`` (any prefix of 3+ letters) -> 0..6; None otherwise."""
    if len(token) < 3:
        return None
    for i, name in enumerate(_WEEKDAY_NAMES):
        if name.startswith(token):
            return i
    return None


def parse_days(spec: str, *, source: str = "demand", row: int | None = None) -> DaySpec:
    """Read a ``days`` spec: ``mon-sun``, ``fri-mon`` (wraps over the weekend), ``sat,sun``,
    ``fri``, ``2026-12-24``, or a comma list mixing them. Case and spaces are ignored.

    Raises :class:`DataError` naming ``source`` and ``row`` (spreadsheet numbering) when the
    spec cannot be read.
    """
    where = f"{source}: row {row}, column 'days'" if row is not None else f"{source}: column 'days'"
    text = re.sub(r"\s+", "", str(spec)).lower()
    if not text:
        raise DataError(f"{where}: empty — {_DAYS_HELP}")
    weekdays: set[int] = set()
    dates: set[dt.date] = set()
    for token in text.split(","):
        if not token:
            raise DataError(f"{where}: '{spec}' has an empty item between commas — {_DAYS_HELP}")
        if _ISO_DATE.match(token):
            try:
                dates.add(dt.date.fromisoformat(token))
            except ValueError:
                raise DataError(f"{where}: '{token}' is not a real date — {_DAYS_HELP}") from None
            continue
        if "-" in token:
            first, _, last = token.partition("-")
            a, b = _weekday(first), _weekday(last)
            if a is None or b is None or "-" in last:
                raise DataError(f"{where}: cannot read '{token}' in '{spec}' — {_DAYS_HELP}")
            k = a
            while True:  # a range wraps past Sunday: fri-mon = fri, sat, sun, mon
                weekdays.add(k)
                if k == b:
                    break
                k = (k + 1) % 7
            continue
        day = _weekday(token)
        if day is None:
            raise DataError(f"{where}: cannot read '{token}' in '{spec}' — {_DAYS_HELP}")
        weekdays.add(day)
    return DaySpec(frozenset(weekdays), frozenset(dates))


def clock_minutes(text: str, *, end: bool = False) -> int:
    """Minutes after midnight of a clock time ``HH:MM`` (``H:MM`` and ``HH:MM:00`` also read).

    ``00:00`` .. ``23:59``; with ``end=True`` also ``24:00`` (= 1440). Raises ``ValueError``
    with the reason otherwise.
    """
    m = _CLOCK.match(str(text).strip())
    if not m:
        raise ValueError(f"'{text}' is not a time HH:MM")
    hours, minutes, seconds = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if seconds:
        raise ValueError(f"'{text}' has seconds; times are whole minutes")
    if minutes > 59:
        raise ValueError(f"'{text}' has {minutes} minutes (at most 59)")
    if hours == 24 and minutes == 0 and end:
        return MINUTES_PER_DAY
    if hours > 23:
        allowed = "00:00..23:59, or 24:00 as an end" if end else "00:00..23:59"
        raise ValueError(f"'{text}' is outside {allowed}")
    return hours * 60 + minutes


def rule_interval_min(start: str, end: str) -> tuple[int, int]:
    """``[start, end)`` in minutes from the rule day's midnight; ``end > start`` always
    (an end at or before the start is on the next day)."""
    a = clock_minutes(start)
    b = clock_minutes(end, end=True)
    if b <= a:
        b += MINUTES_PER_DAY
    return a, b


def slot_starts(scenario: Scenario) -> list[dt.datetime]:
    """The start of every slot of the horizon, as naive local datetimes."""
    step = dt.timedelta(minutes=scenario.config.slot_minutes)
    return [scenario.horizon_start + k * step for k in range(scenario.n_slots)]


def expand_demand(scenario: Scenario) -> np.ndarray:
    """Teams needed on site (posts) at each hotspot in each slot: int array
    ``[n_hotspots, n_slots]``.

    Rows follow ``scenario.hotspots``; columns are slots of ``config.slot_minutes`` from
    ``week_start`` 00:00. See the module docstring for the rules. Visit rows
    (``presence: visit``) name their slots (so ``default_demand`` does not apply there) but ask
    for no post: see :func:`expand_visits`.
    """
    return _expand(scenario).posts


@dataclass(frozen=True)
class VisitDemand:
    """Visit demand per hotspot and slot (see the README, "Visits").

    ``need[h, k]``: 1 where a visit rule names the slot and no post is demanded there (a post
    satisfies visit demand); ``dwell_min[h, k]`` / ``every_min[h, k]``: the strictest of the rules naming the slot;
    ``asked_every_min[h, k]`` / ``asked_dwell_min[h, k]``: the strictest interval and dwell of
    the visit rules naming the slot, a post demanded there or not, 0 where none does (the visit
    hours the checker measures, which may run on under a post); None: ``need``'s."""

    need: np.ndarray
    dwell_min: np.ndarray
    every_min: np.ndarray
    asked_every_min: np.ndarray | None = None
    asked_dwell_min: np.ndarray | None = None

    @property
    def any(self) -> bool:
        return bool(self.need.any())


def expand_visits(scenario: Scenario) -> VisitDemand:
    """Visit demand per hotspot and slot (:class:`VisitDemand`), from the rules with
    ``presence: visit``."""
    return _expand(scenario).visits


@dataclass(frozen=True)
class _Expanded:
    posts: np.ndarray
    visits: VisitDemand


def _expand(scenario: Scenario) -> _Expanded:
    config = scenario.config
    slot = config.slot_minutes
    n_slots = scenario.n_slots
    hotspot_ids = [str(h) for h in scenario.hotspots["hotspot_id"]]
    row_of = {h: i for i, h in enumerate(hotspot_ids)}
    rows_of_zone: dict[str, list[int]] = {}
    for i, z in enumerate(scenario.hotspots["zone_id"]):
        rows_of_zone.setdefault(str(z), []).append(i)

    shape = (len(hotspot_ids), n_slots)
    teams = np.zeros(shape, dtype=int)
    named = np.zeros(shape, dtype=bool)
    visit = np.zeros(shape, dtype=bool)
    v_dwell = np.zeros(shape, dtype=np.int64)
    v_every = np.full(shape, np.iinfo(np.int64).max, dtype=np.int64)
    rules = scenario.demand
    source = "demand"
    if scenario.config.data.demand is not None:
        source = scenario.config.data.demand.name

    if rules is not None:
        for pos, rule in enumerate(rules.itertuples(index=False)):
            row = pos + 2
            hotspot = str(getattr(rule, "hotspot_id", "") or "")
            zone = str(getattr(rule, "zone_id", "") or "")
            if hotspot:
                if hotspot not in row_of:
                    raise DataError(
                        f"{source}: row {row}, column 'hotspot_id': unknown hotspot '{hotspot}'"
                        " — use a hotspot_id of the hotspots table"
                    )
                rows = [row_of[hotspot]]
            else:
                rows = rows_of_zone.get(zone, [])  # a zone without hotspots is just unused
            if not rows:
                continue
            days = parse_days(rule.days, source=source, row=row)
            try:
                start_min, end_min = rule_interval_min(rule.start, rule.end)
            except ValueError as err:
                raise DataError(f"{source}: row {row}, columns 'start'/'end': {err}") from None
            value = int(rule.teams)
            is_visit = str(getattr(rule, "presence", "post") or "post") == "visit"
            for d in range(-1, config.horizon_days):
                day = config.week_start + dt.timedelta(days=d)
                if not days.matches(day):
                    continue
                a = d * MINUTES_PER_DAY + start_min
                b = d * MINUTES_PER_DAY + end_min
                # slot k overlaps [a, b) iff k*slot < b and (k+1)*slot > a
                k0 = max(0, a // slot)
                k1 = min(n_slots, -(-b // slot))
                if k0 >= k1:
                    continue
                named[rows, k0:k1] = True
                if not is_visit:
                    teams[rows, k0:k1] = np.maximum(teams[rows, k0:k1], value)
                elif value > 0:
                    block = np.ix_(rows, range(k0, k1))
                    visit[block] = True
                    v_dwell[block] = np.maximum(v_dwell[block], int(rule.dwell_min))
                    v_every[block] = np.minimum(v_every[block], int(rule.every_min))

    posts = np.where(named, teams, int(config.default_demand)).astype(int)
    need = visit & (posts == 0)
    visits = VisitDemand(
        need=need.astype(np.int64),
        dwell_min=np.where(need, v_dwell, 0),
        every_min=np.where(need, v_every, 0),
        asked_every_min=np.where(visit, v_every, 0),
        asked_dwell_min=np.where(visit, v_dwell, 0),
    )
    return _Expanded(posts, visits)
