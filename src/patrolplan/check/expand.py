"""Demand, expanded by the checker on its own (plainly, slot by slot): it never imports
:mod:`patrolplan.inputs.demand`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

import numpy as np

from patrolplan.check.parse import _text
from patrolplan.errors import DataError
from patrolplan.inputs.scenario import Scenario

_DAY_MINUTES = 24 * 60

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(token: str) -> int:
    """'mon' / 'monday' / 'Thurs' -> 0..6."""
    t = token.strip().lower()
    for i, name in enumerate(_WEEKDAYS):
        if len(t) >= 3 and name.startswith(t):
            return i
    raise ValueError(token)


def _day_matcher(spec: str) -> Callable[[dt.date], bool]:
    """``mon-sun``, ``fri-mon`` (wraps), ``sat,sun``, ``fri``, ``2026-12-01``, comma lists."""
    weekdays: set[int] = set()
    dates: set[dt.date] = set()
    tokens = [t.strip() for t in str(spec).split(",") if t.strip()]
    if not tokens:
        raise ValueError(spec)
    for token in tokens:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", token):
            dates.add(dt.date.fromisoformat(token))
        elif "-" in token:
            first, last = (_weekday(p) for p in token.split("-", 1))
            day = first
            weekdays.add(day)
            while day != last:
                day = (day + 1) % 7
                weekdays.add(day)
        else:
            weekdays.add(_weekday(token))
    return lambda d: d.weekday() in weekdays or d in dates


def _clock_minutes(text: str) -> int:
    """'HH:MM' (or 'HH:MM:SS') -> minutes after midnight, 0..1440."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", str(text).strip())
    if not m:
        raise ValueError(text)
    minutes = int(m.group(1)) * 60 + int(m.group(2))
    if int(m.group(2)) >= 60 or minutes > _DAY_MINUTES:
        raise ValueError(text)
    return minutes


def expand_demand(scenario: Scenario) -> np.ndarray:
    """Teams needed per hotspot and slot: int array ``[n_hotspots, n_slots]``, rows in the
    order of ``scenario.hotspots``.

    Each demand row applies on every matching day from the day before the horizon to its
    last day, over ``[day + start, day + end)`` (``end <= start``: ``end`` is on the next
    day). A slot that overlaps a row's interval takes the row's ``teams``, the largest where
    several rows overlap it; slots no row overlaps get ``config.default_demand``. A row naming
    a hotspot applies to it alone; a row naming only a zone applies to every hotspot of that
    zone. ``days``: ``mon-sun``, ``fri-mon`` (wraps), ``sat,sun``, ``fri``, ``2026-12-01``,
    or a comma list of these (day names may be spelled out, any case).
    """
    cfg = scenario.config
    slot = cfg.slot_minutes
    n_slots = cfg.horizon_minutes // slot
    hotspot_ids = [str(h) for h in scenario.hotspots["hotspot_id"]]
    zone_of = [str(z) for z in scenario.hotspots["zone_id"]]
    demand = np.full((len(hotspot_ids), n_slots), -1, dtype=np.int64)
    table = scenario.demand
    rows = [] if table is None else table.to_dict("records")
    problems = []
    days = [cfg.week_start + dt.timedelta(days=i) for i in range(-1, cfg.horizon_days)]
    for n, row in enumerate(rows, start=2):
        hotspot, zone = _text(row.get("hotspot_id")), _text(row.get("zone_id"))
        if hotspot:
            targets = [i for i, h in enumerate(hotspot_ids) if h == hotspot]
        else:
            targets = [i for i, z in enumerate(zone_of) if z == zone]
        try:
            matches = _day_matcher(row["days"])
            start, end = _clock_minutes(row["start"]), _clock_minutes(row["end"])
            teams = int(row["teams"])
        except (ValueError, KeyError, TypeError) as err:
            problems.append(f"demand: row {n}: cannot read days/start/end/teams ({err})")
            continue
        if _is_visit(row):
            teams = 0  # names its slots (no default demand there); its visits are checked apart
        if end <= start:
            end += _DAY_MINUTES
        for day in days:
            if not matches(day):
                continue
            offset = (day - cfg.week_start).days * _DAY_MINUTES
            a, b = offset + start, offset + end
            # slots k with k*slot < b and (k+1)*slot > a
            for k in range(max(0, a // slot), min(n_slots, -(-b // slot))):
                for i in targets:
                    demand[i, k] = max(demand[i, k], teams)
    if problems:
        raise DataError(problems)
    demand[demand < 0] = cfg.default_demand
    return demand


def _is_visit(row: dict) -> bool:
    return _text(row.get("presence")).lower() == "visit"


def visit_windows(scenario: Scenario) -> dict[int, list[tuple[int, int, int, int]]]:
    """Visit hours per hotspot (index): ``(a, b, dwell, every)`` in minutes from the horizon's
    start, the hours of all visit rows joined where they touch or overlap (the strictest dwell
    and interval of the joined rows); clipped to the horizon. Where a post is also demanded the
    post's presence counts as visits (the contract: a post satisfies visit demand)."""
    cfg = scenario.config
    defaults = cfg.visits
    hotspot_ids = [str(h) for h in scenario.hotspots["hotspot_id"]]
    zone_of = [str(z) for z in scenario.hotspots["zone_id"]]
    table = scenario.demand
    pieces: dict[int, list[tuple[int, int, int, int]]] = {}
    days = [cfg.week_start + dt.timedelta(days=i) for i in range(-1, cfg.horizon_days)]
    for row in ([] if table is None else table.to_dict("records")):
        if not _is_visit(row) or int(row.get("teams") or 0) <= 0:
            continue
        hotspot, zone = _text(row.get("hotspot_id")), _text(row.get("zone_id"))
        targets = [i for i, h in enumerate(hotspot_ids) if h == hotspot] if hotspot else \
            [i for i, z in enumerate(zone_of) if z == zone]
        matches = _day_matcher(row["days"])
        start, end = _clock_minutes(row["start"]), _clock_minutes(row["end"])
        if end <= start:
            end += _DAY_MINUTES
        dwell = int(_text(row.get("dwell_min")) or defaults.dwell_minutes)
        every = int(_text(row.get("every_min")) or defaults.max_interval_minutes)
        for day in days:
            if matches(day):
                offset = (day - cfg.week_start).days * _DAY_MINUTES
                a, b = max(0, offset + start), min(cfg.horizon_minutes, offset + end)
                if a < b:
                    for i in targets:
                        pieces.setdefault(i, []).append((a, b, dwell, every))
    out: dict[int, list[tuple[int, int, int, int]]] = {}
    for i, items in pieces.items():
        merged: list[list[int]] = []
        for a, b, d, e in sorted(items):
            if merged and a <= merged[-1][1]:
                m = merged[-1]
                m[1], m[2], m[3] = max(m[1], b), max(m[2], d), min(m[3], e)
            else:
                merged.append([a, b, d, e])
        out[i] = [tuple(m) for m in merged]
    return out
