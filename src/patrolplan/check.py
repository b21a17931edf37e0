"""Re-check a roster against the inputs, independently of the solver.

``check_roster(scenario, roster) -> Report`` re-reads the contract's "What a correct roster
is" from scratch. It shares no logic with the model: it never imports ``model``, ``problem``,
``solve``, ``assign`` or ``demand``, and expands the demand table itself (``expand_demand``
below), plainly and slot by slot. The only shared input interpretation is the travel-time
matrix (``network.travel_times``), which can be injected with ``travel=``.

Times are minutes since ``week_start`` 00:00 (minute 0); slot ``k`` is
``[k * slot_minutes, (k + 1) * slot_minutes)``. Roster times are ISO 8601 local times; an
offset after a time (``+08:00``) is accepted and dropped: the wall-clock time is used as is.

Rules checked, each reported under its ``Violation.rule`` name:

Coverage (every hotspot ``h`` and slot ``[t, t + slot)`` with demand ``d > 0``)
    ``gap``
        fewer than ``d`` rows of ``h`` with ``on_site_start <= t`` and ``on_site_end >= t + slot``.
        Every such row counts, whatever else is wrong with it (other rules report that).
    ``synchronized_stations``
        synchronized zone, at least one team present: the present rows come from fewer
        distinct stations than the zone's ``min_stations``.
    ``synchronized_jurisdictions``
        synchronized zone whose member stations span two or more jurisdictions of the zone's
        tier (non-empty values of the station column named by the tier), at least one team
        present: the present rows' stations span fewer than two of them.
    An empty slot is reported as ``gap`` only. Consecutive slots of one hotspot with the same
    shortfall and the same teams on site are reported as one violation.

Every row
    ``unknown_id``   its station or hotspot is not in the inputs (or its hotspot's zone is not).
    ``member``       its station is not a member of its hotspot's zone, or its ``zone_id``
                     (when given) is not its hotspot's zone.
    ``times``        not ``start <= on_site_start <= on_site_end <= end`` with ``start < end``,
                     or the shift starts at or after the horizon's end.
    ``travel_out``   ``on_site_start - start`` < travel time station -> hotspot (minutes).
    ``travel_back``  ``end - on_site_end`` < travel time hotspot -> station (minutes).
    ``shift_length`` ``end - start`` is not one of ``rules.shift_hours``.
    ``start_grid``   ``start`` (minutes since the horizon start) is not a multiple of
                     ``rules.shift_start_every_minutes``.
    ``start_before_horizon`` the shift starts before the horizon by its length or more (it
                     ends at or before the horizon starts).
    Rows that break ``times`` are not checked for travel or length.

Every team (``team_id``)
    ``overlap``      two of its shifts overlap in time.
    ``rest``         less than ``rules.min_rest_hours`` between one shift's end and the next
                     one's start.
    ``max_shifts``   more than ``rules.max_shifts_per_team`` shifts.
    ``team_station`` its rows name more than one station.

Every station
    ``team_count``   more distinct ``team_id``s than ``floor((officers - reserve) / team_size)``.
    ``availability`` on a date with availability ``a`` officers, more distinct teams start a
                     shift (date of ``start``) than ``floor((a - reserve) / team_size)``.

Staggered zones, ``modes.handover_minutes`` = ``H`` > 0
    ``handover``     for each row ``r`` at a hotspot of a staggered zone, let ``e`` be its
                     ``on_site_end``, with ``0 < e <`` the horizon's end and demand > 0 in the
                     slot containing minute ``e`` (the slot starting at ``e`` when ``e`` is on
                     the slot grid). The rows taking over are those of the same hotspot and
                     another team on site just after ``e`` (``on_site_start <= e <
                     on_site_end``). If there are any, at least one of them must have arrived
                     ``H`` minutes before ``r`` leaves (``on_site_start <= e - H``), so someone
                     who stays has been there with ``r`` for the handover. If none has, ``r``
                     and the late arrivals are reported. If nobody is on site after ``e`` the
                     hotspot is empty, which ``gap`` reports.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from .columns import ROSTER_COLUMNS
from .errors import DataError
from .scenario import Scenario

__all__ = [
    "RULES",
    "ROSTER_COLUMNS",
    "Violation",
    "Report",
    "read_roster",
    "check_roster",
    "check_run",
    "expand_demand",
]

#: Every rule name a Violation can carry, in report order, with a one-line description.
RULES: dict[str, str] = {
    "gap": "fewer teams on site than demanded",
    "synchronized_stations": "synchronized zone: too few distinct stations on site",
    "synchronized_jurisdictions": "synchronized zone: teams on site from a single jurisdiction",
    "unknown_id": "station, hotspot or zone not in the inputs",
    "member": "station not a member of the hotspot's zone, or zone_id not the hotspot's zone",
    "times": "times out of order or outside the horizon",
    "travel_out": "on site before the team can have arrived",
    "travel_back": "on site too late to travel back before the shift ends",
    "shift_length": "shift length not one of rules.shift_hours",
    "start_grid": "shift start not on the shift-start grid",
    "start_before_horizon": "shift ends at or before the horizon starts",
    "overlap": "two shifts of one team overlap",
    "rest": "too little rest between two shifts of one team",
    "max_shifts": "team works more than rules.max_shifts_per_team shifts",
    "team_station": "team's rows name more than one station",
    "team_count": "station uses more teams than it has",
    "availability": "more teams start on a date than the officers available allow",
    "handover": "staggered zone: arriving team overlaps the leaving team too briefly",
}
_COVERAGE_RULES = ("gap", "synchronized_stations", "synchronized_jurisdictions")

#: The columns :func:`check_roster` needs (``zone_id`` is checked when present).
_CHECK_COLUMNS = (
    "shift_id",
    "team_id",
    "station_id",
    "hotspot_id",
    "start",
    "end",
    "on_site_start",
    "on_site_end",
)
_ID_COLUMNS = ("shift_id", "team_id", "station_id", "zone_id", "hotspot_id")
_TIME_COLUMNS = ("start", "end", "on_site_start", "on_site_end")
_TRAVEL_COLUMNS = ("travel_out_min", "travel_back_min")
_DAY_MINUTES = 24 * 60


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``rule`` is a key of :data:`RULES`; ``message`` names the shifts,
    teams, stations, hotspots and times involved; ``shift_ids`` lists the shifts concerned."""

    rule: str
    message: str
    shift_ids: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Report:
    """The outcome of :func:`check_roster`.

    ``coverage`` has one row per hotspot and slot with demand > 0: ``hotspot_id``,
    ``slot_start`` (ISO text), ``demand``, ``present`` (rows on site for the whole slot),
    ``stations`` (their stations, ``;``-separated, sorted), ``gap`` (bool).
    """

    violations: tuple[Violation, ...]
    coverage: pd.DataFrame
    slot_minutes: int = 60

    @property
    def ok(self) -> bool:
        """No gap and no broken rule."""
        return not self.violations

    @property
    def rule_violations(self) -> tuple[Violation, ...]:
        """Everything but coverage (``gap`` and ``synchronized_*``)."""
        return tuple(v for v in self.violations if v.rule not in _COVERAGE_RULES)

    @property
    def coverage_violations(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.rule in _COVERAGE_RULES)

    @property
    def uncovered_slots(self) -> int:
        """Hotspot-slots with fewer teams present than demanded."""
        cov = self.coverage
        return int((cov["present"] < cov["demand"]).sum()) if len(cov) else 0

    @property
    def uncovered_team_hours(self) -> float:
        """Sum over hotspot-slots of max(0, demand - present) x slot length in hours."""
        cov = self.coverage
        if not len(cov):
            return 0.0
        short = (cov["demand"] - cov["present"]).clip(lower=0).sum()
        return float(short) * self.slot_minutes / 60

    def counts(self) -> dict[str, int]:
        """Number of violations per rule, in report order."""
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return out

    def to_text(self, max_examples: int = 5) -> str:
        """A planner-readable summary: one block per rule with its count and first examples."""
        demanded = len(self.coverage)
        if self.ok:
            return (
                f"Roster OK: all {demanded} demanded hotspot-slots covered, no rule broken."
            )
        n_cov = len(self.coverage_violations)
        n_rule = len(self.rule_violations)
        lines = [
            f"Roster NOT OK: {n_cov} coverage problem(s), {n_rule} broken rule(s). "
            f"Uncovered: {self.uncovered_slots} of {demanded} demanded hotspot-slots "
            f"({self.uncovered_team_hours:g} team-hours)."
        ]
        for rule, n in self.counts().items():
            lines.append("")
            lines.append(f"{rule} ({n}): {RULES.get(rule, '')}")
            examples = [v for v in self.violations if v.rule == rule][:max_examples]
            lines += [f"  - {v.message}" for v in examples]
            if n > len(examples):
                lines.append(f"  ... and {n - len(examples)} more")
        return "\n".join(lines)


# --- reading a roster ---------------------------------------------------------------------


def read_roster(run_dir_or_csv: str | Path) -> pd.DataFrame:
    """Read ``roster.csv`` from a run folder (or a CSV path) and check its form.

    Returns the table with ids as text, the four time columns as naive local datetimes
    (``datetime64``; an offset in the file is dropped, the wall-clock time kept) and the
    travel columns as ints; other columns are carried as text. Raises :class:`DataError`
    listing every missing column, empty id, unreadable time and non-integer travel minutes,
    each with the file, the row (the header is row 1) and the column.
    """
    path = Path(run_dir_or_csv)
    if path.is_dir():
        path = path / "roster.csv"
    if not path.is_file():
        raise DataError(f"{path}: no such roster file — give a run folder or a roster.csv path")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{path}: the file is empty — a roster needs a header row ({', '.join(ROSTER_COLUMNS)})"
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text — save the roster as UTF-8 CSV") from None
    except pd.errors.ParserError as err:
        raise DataError(f"{path}: unreadable CSV ({err}) — check quotes and separators") from None
    table.columns = [str(c).strip() for c in table.columns]
    # rows with every cell empty (a spreadsheet's trailing blank rows) are no shifts; the
    # index keeps each row's place so messages name the right line
    blank = (table.apply(lambda col: col.str.strip()) == "").all(axis=1) if len(table.columns) else None
    if blank is not None and blank.any():
        table = table[~blank]
    return _parse_table(table, source=str(path), required=ROSTER_COLUMNS)


def _parse_table(table: pd.DataFrame, *, source: str, required: Iterable[str]) -> pd.DataFrame:
    """Type the roster columns named in ``required`` (and ``zone_id``); raise one DataError."""
    required = tuple(required)
    problems: list[str] = []
    columns = [str(c) for c in table.columns]
    for col in required:
        if col not in columns:
            close = difflib.get_close_matches(col, columns, n=1, cutoff=0.6)
            hint = f" (found '{close[0]}'; column names are case-sensitive)" if close else ""
            problems.append(
                f"{source}: missing column '{col}'{hint} — the roster needs the columns "
                f"{', '.join(required)}"
            )

    line_of = [int(i) + 2 if isinstance(i, (int, np.integer)) else n + 2 for n, i in enumerate(table.index)]
    out = table.copy().reset_index(drop=True)
    shift_ids = [_text(v) for v in out["shift_id"]] if "shift_id" in out else [""] * len(out)

    def where(i: int, col: str) -> str:
        sid = f" (shift_id '{shift_ids[i]}')" if shift_ids[i] else ""
        return f"{source}: row {line_of[i]}{sid}, column '{col}'"

    for col in _ID_COLUMNS:
        if col not in out:
            continue
        values = [_text(v) for v in out[col]]
        if col in required:
            for i, v in enumerate(values):
                if not v:
                    problems.append(f"{where(i, col)}: empty — give the {col.removesuffix('_id')} id")
        out[col] = values

    for col in _TIME_COLUMNS:
        if col not in required or col not in out:
            continue
        parsed: list[Any] = []
        for i, value in enumerate(out[col]):
            try:
                parsed.append(_parse_time(value))
            except ValueError as err:
                parsed.append(pd.NaT)
                problems.append(
                    f"{where(i, col)}: {err} — write an ISO 8601 local time like "
                    "2026-11-30T08:00 (an offset such as +08:00 may follow)"
                )
        out[col] = pd.to_datetime(pd.Series(parsed, dtype="object"))

    for col in _TRAVEL_COLUMNS:
        if col not in required or col not in out:
            continue
        minutes: list[int] = []
        for i, value in enumerate(out[col]):
            try:
                minutes.append(_parse_minutes(value))
            except ValueError as err:
                minutes.append(0)
                problems.append(f"{where(i, col)}: {err} — give whole minutes >= 0, e.g. 35")
        out[col] = np.array(minutes, dtype=np.int64)

    if "shift_id" in out:
        rows_of: dict[str, list[int]] = defaultdict(list)
        for i, sid in enumerate(shift_ids):
            if sid:
                rows_of[sid].append(line_of[i])
        for sid, rows in rows_of.items():
            if len(rows) > 1:
                problems.append(
                    f"{source}: rows {', '.join(map(str, rows))}, column 'shift_id': "
                    f"'{sid}' appears {len(rows)} times — give each shift its own id"
                )
    if problems:
        raise DataError(problems)
    return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


_ISO_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)


def _parse_time(value: Any) -> dt.datetime:
    """A roster time as a naive local datetime, whole minutes; ValueError says why not."""
    if isinstance(value, (pd.Timestamp, dt.datetime, np.datetime64)):
        if pd.isna(value):
            raise ValueError("empty")
        t = pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
        if t.second or t.microsecond:
            raise ValueError(f"'{value}' is not a whole minute")
        return t
    text = _text(value)
    if not text:
        raise ValueError("empty")
    m = _ISO_TIME.fullmatch(text)
    if not m:
        raise ValueError(f"'{text}' is not a time")
    day, hour, minute, second, _offset = m.groups()
    try:
        t = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(int(hour), int(minute)))
    except ValueError:
        raise ValueError(f"'{text}' is not a valid date and time") from None
    if second and float(second) != 0:
        raise ValueError(f"'{text}' is not a whole minute")
    return t


def _parse_minutes(value: Any) -> int:
    text = _text(value)
    if not text:
        raise ValueError("empty")
    try:
        x = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if not math.isfinite(x) or x != int(x) or x < 0:
        raise ValueError(f"'{text}' is not a whole number of minutes >= 0")
    return int(x)


# --- demand, expanded independently of demand.py -----------------------------------------

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


# --- checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shift:
    """One roster row, times in minutes since the horizon start."""

    index: int
    shift_id: str
    team_id: str
    station_id: str
    zone_id: str
    hotspot_id: str
    start: int
    end: int
    on_start: int
    on_end: int
    mode: str = ""


def _in_order(s: _Shift) -> bool:
    return s.start < s.end and s.start <= s.on_start <= s.on_end <= s.end


class _Checker:
    """Holds the scenario facts the rule functions share; each ``_check_*`` returns its
    violations."""

    def __init__(self, scenario: Scenario, shifts: list[_Shift], travel: Any):
        self.scenario = scenario
        self.cfg = scenario.config
        self.shifts = shifts
        self._travel = travel
        self.h0 = dt.datetime.combine(self.cfg.week_start, dt.time(0, 0))
        self.slot = self.cfg.slot_minutes
        self.horizon_end = self.cfg.horizon_minutes
        self.n_slots = self.horizon_end // self.slot

        st = scenario.stations
        self.station_ids = [str(s) for s in st["station_id"]]
        self.stations = {sid: rec for sid, rec in zip(self.station_ids, st.to_dict("records"))}
        hs = scenario.hotspots
        self.hotspot_ids = [str(h) for h in hs["hotspot_id"]]
        self.hotspot_index = {h: i for i, h in enumerate(self.hotspot_ids)}
        self.hotspot_zone = {h: str(z) for h, z in zip(self.hotspot_ids, hs["zone_id"])}
        self.hotspot_name = {
            h: _text(n) for h, n in zip(self.hotspot_ids, hs["name"] if "name" in hs else [""] * len(hs))
        }
        self.zones = {str(rec["zone_id"]): rec for rec in scenario.zones.to_dict("records")}
        self.by_id = {s.shift_id: s for s in shifts}
        self.by_hotspot: dict[str, list[_Shift]] = defaultdict(list)
        for s in shifts:
            self.by_hotspot[s.hotspot_id].append(s)

    # helpers -------------------------------------------------------------------------------

    @property
    def travel(self) -> Any:
        if self._travel is None:
            from .network import travel_times

            self._travel = travel_times(self.scenario)
        return self._travel

    def ts(self, minute: int) -> str:
        return (self.h0 + dt.timedelta(minutes=int(minute))).strftime("%Y-%m-%dT%H:%M")

    def date_of(self, minute: int) -> dt.date:
        return (self.h0 + dt.timedelta(minutes=int(minute))).date()

    @staticmethod
    def who(s: _Shift) -> str:
        return f"{s.shift_id} (team {s.team_id}, station {s.station_id})"

    def hotspot(self, h: str) -> str:
        name = self.hotspot_name.get(h, "")
        return f"hotspot {h}" + (f" '{name}'" if name and name != h else "")

    def members(self, zone_id: str) -> tuple[str, ...]:
        rec = self.zones.get(zone_id)
        if rec is None:
            return ()
        members = rec.get("members")
        if members is None or (isinstance(members, float) and math.isnan(members)):
            members = _text(rec.get("stations")).split(";")
        return tuple(m.strip() for m in members if str(m).strip())

    def reserve(self, station_id: str) -> int:
        rec = self.stations[station_id]
        r = rec.get("reserve_officers")
        if r is None or (isinstance(r, float) and math.isnan(r)):
            return self.cfg.rules.reserve_officers
        return int(r)

    def teams_allowed(self, station_id: str, officers: int) -> int:
        return max(0, (int(officers) - self.reserve(station_id)) // self.cfg.rules.team_size)

    def jurisdiction(self, station_id: str, tier: str) -> str:
        rec = self.stations.get(station_id)
        return "" if rec is None else _text(rec.get(tier))

    # rows ----------------------------------------------------------------------------------

    def check_rows(self) -> list[Violation]:
        """Every row on its own: ids and membership, time order, travel, length and grid.
        Rows whose times are out of order are not checked for travel, length or grid."""
        out: list[Violation] = []
        for s in self.shifts:
            out += self._row_ids(s) + self._row_times(s)
            if _in_order(s):
                out += self._row_travel(s) + self._row_shape(s)
        return out

    def _row_ids(self, s: _Shift) -> list[Violation]:
        """unknown_id: station, hotspot, hotspot's zone; member: station and zone_id."""
        out = []
        one = (s.shift_id,)
        known_station = s.station_id in self.stations
        if not known_station:
            out.append(Violation(
                "unknown_id", f"{self.who(s)}: station {s.station_id} is not in the stations table", one
            ))
        if s.hotspot_id not in self.hotspot_index:
            out.append(Violation(
                "unknown_id", f"{self.who(s)}: hotspot {s.hotspot_id} is not in the hotspots table", one
            ))
            return out
        where = self.hotspot(s.hotspot_id)
        zone = self.hotspot_zone[s.hotspot_id]
        if zone not in self.zones:
            out.append(Violation(
                "unknown_id", f"{self.who(s)}: {where} belongs to zone {zone}, not in the zones table", one
            ))
        elif known_station and s.station_id not in self.members(zone):
            out.append(Violation(
                "member",
                f"{self.who(s)} at {where}: station {s.station_id} is not a member of zone {zone} "
                f"(members: {', '.join(self.members(zone))})",
                one,
            ))
        if s.zone_id and s.zone_id != zone:
            out.append(Violation(
                "member", f"{self.who(s)}: zone_id {s.zone_id}, but {where} belongs to zone {zone}", one
            ))
        zone_mode = _text(self.zones[zone].get("mode")).lower() if zone in self.zones else ""
        if s.mode and zone_mode and s.mode != zone_mode:
            out.append(Violation(
                "member", f"{self.who(s)}: mode {s.mode}, but zone {zone} is {zone_mode} — "
                f"the roster's mode column must say the zone's mode", one
            ))
        return out

    def _row_times(self, s: _Shift) -> list[Violation]:
        """times: start < end, start <= on_site_start <= on_site_end <= end, start in horizon."""
        if not _in_order(s):
            return [Violation(
                "times",
                f"{self.who(s)}: times out of order ({self.ts(s.start)}–{self.ts(s.end)}, on site "
                f"{self.ts(s.on_start)}–{self.ts(s.on_end)}) — need start < end and "
                "start <= on_site_start <= on_site_end <= end",
                (s.shift_id,),
            )]
        if s.start >= self.horizon_end:
            return [Violation(
                "times",
                f"{self.who(s)}: starts {self.ts(s.start)}, at or after the horizon's end "
                f"{self.ts(self.horizon_end)}",
                (s.shift_id,),
            )]
        return []

    def _row_travel(self, s: _Shift) -> list[Violation]:
        """travel_out / travel_back: time between shift start and arrival, departure and end."""
        if s.station_id not in self.stations or s.hotspot_id not in self.hotspot_index:
            return []
        out = []
        need_out = int(self.travel.out(s.station_id, s.hotspot_id))
        need_back = int(self.travel.back(s.hotspot_id, s.station_id))
        if s.on_start - s.start < need_out:
            out.append(Violation(
                "travel_out",
                f"{self.who(s)} -> {self.hotspot(s.hotspot_id)}: on site at {self.ts(s.on_start)}, "
                f"{s.on_start - s.start} min after the shift starts at {self.ts(s.start)}, "
                f"but travel out takes {need_out} min",
                (s.shift_id,),
            ))
        if s.end - s.on_end < need_back:
            out.append(Violation(
                "travel_back",
                f"{self.who(s)} <- {self.hotspot(s.hotspot_id)}: leaves at {self.ts(s.on_end)}, "
                f"{s.end - s.on_end} min before the shift ends at {self.ts(s.end)}, "
                f"but travel back takes {need_back} min",
                (s.shift_id,),
            ))
        return out

    def _row_shape(self, s: _Shift) -> list[Violation]:
        """shift_length, start_grid, start_before_horizon."""
        out = []
        rules = self.cfg.rules
        span = f"{self.ts(s.start)}–{self.ts(s.end)}"
        length = s.end - s.start
        if length not in rules.shift_minutes:
            allowed = ", ".join(f"{m / 60:g}" for m in rules.shift_minutes)
            out.append(Violation(
                "shift_length",
                f"{self.who(s)}: {span} lasts {length / 60:g} h; allowed: {allowed} h",
                (s.shift_id,),
            ))
        grid = rules.shift_start_every_minutes
        if s.start % grid:
            out.append(Violation(
                "start_grid",
                f"{self.who(s)}: starts at {self.ts(s.start)}, not on the {grid}-minute shift-start grid",
                (s.shift_id,),
            ))
        if s.end <= 0:
            out.append(Violation(
                "start_before_horizon",
                f"{self.who(s)}: {span} ends at or before the horizon starts ({self.ts(0)}); "
                "a shift may start before the horizon only by less than its length",
                (s.shift_id,),
            ))
        return out

    # teams and stations --------------------------------------------------------------------

    def check_teams(self) -> list[Violation]:
        """overlap, rest, max_shifts, team_station."""
        out: list[Violation] = []
        rules = self.cfg.rules
        rest = rules.min_rest_minutes
        by_team: dict[str, list[_Shift]] = defaultdict(list)
        for s in self.shifts:
            by_team[s.team_id].append(s)
        for team, shifts in by_team.items():
            shifts = sorted(shifts, key=lambda s: (s.start, s.end, s.shift_id))
            ids = tuple(s.shift_id for s in shifts)
            stations = sorted({s.station_id for s in shifts})
            if len(stations) > 1:
                detail = "; ".join(f"{s.shift_id}: {s.station_id}" for s in shifts)
                out.append(Violation(
                    "team_station",
                    f"team {team} names {len(stations)} stations ({', '.join(stations)}): {detail}",
                    ids,
                ))
            if len(shifts) > rules.max_shifts_per_team:
                out.append(Violation(
                    "max_shifts",
                    f"team {team} works {len(shifts)} shifts, at most {rules.max_shifts_per_team} "
                    f"allowed: {', '.join(ids)}",
                    ids,
                ))
            # compare each shift with the earlier shift that ends last
            prev = None
            for s in shifts:
                if prev is not None:
                    if s.start < prev.end:
                        out.append(Violation(
                            "overlap",
                            f"team {team}: {prev.shift_id} ({self.ts(prev.start)}–{self.ts(prev.end)}) and "
                            f"{s.shift_id} ({self.ts(s.start)}–{self.ts(s.end)}) overlap",
                            (prev.shift_id, s.shift_id),
                        ))
                    elif s.start - prev.end < rest:
                        out.append(Violation(
                            "rest",
                            f"team {team}: {(s.start - prev.end) / 60:g} h rest between {prev.shift_id} "
                            f"(ends {self.ts(prev.end)}) and {s.shift_id} (starts {self.ts(s.start)}); "
                            f"at least {rules.min_rest_hours:g} h required",
                            (prev.shift_id, s.shift_id),
                        ))
                if prev is None or s.end > prev.end:
                    prev = s
        return out

    def check_stations(self) -> list[Violation]:
        """team_count, availability."""
        out: list[Violation] = []
        by_station: dict[str, list[_Shift]] = defaultdict(list)
        for s in self.shifts:
            if s.station_id in self.stations:
                by_station[s.station_id].append(s)
        size = self.cfg.rules.team_size
        for sid, shifts in by_station.items():
            officers = int(self.stations[sid]["officers"])
            allowed = self.teams_allowed(sid, officers)
            teams = sorted({s.team_id for s in shifts})
            if len(teams) > allowed:
                extra = teams[allowed:]
                extra_ids = tuple(s.shift_id for s in shifts if s.team_id in extra)
                out.append(Violation(
                    "team_count",
                    f"station {sid} has {allowed} team(s) (floor(({officers} officers - "
                    f"{self.reserve(sid)} reserve) / {size})) but the roster uses {len(teams)}: "
                    f"{', '.join(teams)}; beyond its teams: {', '.join(extra)} "
                    f"(shifts {', '.join(extra_ids)})",
                    extra_ids,
                ))
        avail = self.scenario.availability
        if avail is None or not len(avail):
            return out
        limits: dict[tuple[str, dt.date], int] = {}
        for sid, day, officers in zip(avail["station_id"], avail["date"], avail["officers"]):
            key = (str(sid), pd.Timestamp(day).date())
            limits[key] = min(int(officers), limits.get(key, int(officers)))
        for (sid, day), officers in sorted(limits.items()):
            if sid not in by_station:
                continue
            allowed = self.teams_allowed(sid, officers)
            starting = [s for s in by_station[sid] if self.date_of(s.start) == day]
            teams = sorted({s.team_id for s in starting})
            if len(teams) > allowed:
                ids = tuple(s.shift_id for s in sorted(starting, key=lambda s: (s.start, s.shift_id)))
                detail = ", ".join(
                    f"{team} ({', '.join(s.shift_id for s in starting if s.team_id == team)})" for team in teams
                )
                out.append(Violation(
                    "availability",
                    f"station {sid} on {day.isoformat()}: {officers} officers available allow "
                    f"{allowed} team(s) (reserve {self.reserve(sid)}, team size {size}), but "
                    f"{len(teams)} teams start a shift: {detail}",
                    ids,
                ))
        return out

    # coverage ------------------------------------------------------------------------------

    def check_coverage(self, demand: np.ndarray) -> tuple[pd.DataFrame, list[Violation]]:
        """The coverage table and gap / synchronized violations (consecutive slots merged)."""
        slot = self.slot
        present: dict[tuple[int, int], list[_Shift]] = defaultdict(list)
        for s in self.shifts:
            i = self.hotspot_index.get(s.hotspot_id)
            if i is None:
                continue
            # whole slots inside [on_start, on_end]
            first = max(0, -(-s.on_start // slot))
            last = min(self.n_slots, s.on_end // slot)
            for k in range(first, last):
                present[i, k].append(s)

        labels = [self.ts(k * slot) for k in range(self.n_slots)]
        records = []
        gaps: list[tuple[int, int, Any]] = []
        sync_st: list[tuple[int, int, Any]] = []
        sync_ju: list[tuple[int, int, Any]] = []
        for i, h in enumerate(self.hotspot_ids):
            zone = self.zones.get(self.hotspot_zone[h], {})
            synchronized = zone.get("mode") == "synchronized"
            if synchronized:
                tier = str(zone.get("tier"))
                min_st = zone.get("min_stations")
                if min_st is None or (isinstance(min_st, float) and math.isnan(min_st)):
                    min_st = self.cfg.modes.synchronized_min_stations
                min_st = int(min_st)
                members = self.members(self.hotspot_zone[h])
                member_juris = {self.jurisdiction(m, tier) for m in members} - {""}
            for k in np.flatnonzero(demand[i] > 0).tolist():
                d = int(demand[i, k])
                rows = sorted(present.get((i, k), ()), key=lambda s: s.shift_id)
                stations = sorted({s.station_id for s in rows})
                records.append((h, labels[k], d, len(rows), ";".join(stations), len(rows) < d))
                key = (d, tuple(s.shift_id for s in rows))
                if len(rows) < d:
                    gaps.append((i, k, key))
                if synchronized and rows:
                    if len(stations) < min_st:
                        sync_st.append((i, k, key + (min_st,)))
                    if len(member_juris) >= 2:
                        juris = {self.jurisdiction(sid, tier) for sid in stations} - {""}
                        if len(juris) < 2:
                            sync_ju.append((i, k, key + (tier, tuple(sorted(member_juris)))))
        coverage = pd.DataFrame.from_records(
            records, columns=["hotspot_id", "slot_start", "demand", "present", "stations", "gap"]
        ).astype({"demand": "int64", "present": "int64", "gap": "bool"})

        out = [self._gap_violation(i, k0, k1, key) for i, k0, k1, key in _runs(gaps)]
        out += [self._sync_station_violation(i, k0, k1, key) for i, k0, k1, key in _runs(sync_st)]
        out += [self._sync_juris_violation(i, k0, k1, key) for i, k0, k1, key in _runs(sync_ju)]
        return coverage, out

    def _span(self, k0: int, k1: int) -> str:
        n = k1 - k0 + 1
        return f"{self.ts(k0 * self.slot)}–{self.ts((k1 + 1) * self.slot)} ({n} slot{'s' if n > 1 else ''})"

    def _on_site(self, ids: tuple[str, ...]) -> str:
        return ", ".join(self.who(self.by_id[x]) for x in ids) if ids else "nobody"

    def _gap_violation(self, i: int, k0: int, k1: int, key: Any) -> Violation:
        d, ids = key
        h = self.hotspot_ids[i]
        t0, t1 = k0 * self.slot, (k1 + 1) * self.slot
        others = [s for s in self.by_hotspot[h] if s.shift_id not in ids]
        before = [s for s in others if s.on_end <= t1 and s.on_start < t0]
        after = [s for s in others if s.on_start >= t0 and s.on_end > t1]
        context = []
        related = list(ids)
        if before:
            b = max(before, key=lambda s: (s.on_end, s.shift_id))
            context.append(f"last to leave before: {self.who(b)} at {self.ts(b.on_end)}")
            related.append(b.shift_id)
        if after:
            a = min(after, key=lambda s: (s.on_start, s.shift_id))
            context.append(f"next to arrive: {self.who(a)} at {self.ts(a.on_start)}")
            related.append(a.shift_id)
        message = (
            f"{self.hotspot(h)} (zone {self.hotspot_zone[h]}) {self._span(k0, k1)}: "
            f"{len(ids)} of {d} team(s) on site ({self._on_site(ids)})"
        )
        if context:
            message += "; " + "; ".join(context)
        return Violation("gap", message, tuple(dict.fromkeys(related)))

    def _sync_station_violation(self, i: int, k0: int, k1: int, key: Any) -> Violation:
        _d, ids, min_st = key
        h = self.hotspot_ids[i]
        return Violation(
            "synchronized_stations",
            f"{self.hotspot(h)} (synchronized zone {self.hotspot_zone[h]}) {self._span(k0, k1)}: "
            f"on site {self._on_site(ids)} — fewer than {min_st} distinct stations",
            ids,
        )

    def _sync_juris_violation(self, i: int, k0: int, k1: int, key: Any) -> Violation:
        _d, ids, tier, member_juris = key
        h = self.hotspot_ids[i]
        return Violation(
            "synchronized_jurisdictions",
            f"{self.hotspot(h)} (synchronized {tier} zone {self.hotspot_zone[h]}) {self._span(k0, k1)}: "
            f"on site {self._on_site(ids)} — all from one {tier}, but the members span "
            f"{', '.join(member_juris)}",
            ids,
        )

    def check_handover(self, demand: np.ndarray) -> list[Violation]:
        """Staggered zones: a team taking over overlaps the leaving one by handover_minutes."""
        overlap = self.cfg.modes.handover_minutes
        if overlap <= 0:
            return []
        out = []
        for h, shifts in self.by_hotspot.items():
            i = self.hotspot_index.get(h)
            if i is None or self.zones.get(self.hotspot_zone[h], {}).get("mode") != "staggered":
                continue
            for r in sorted(shifts, key=lambda s: (s.on_end, s.shift_id)):
                e = r.on_end
                if not (0 < e < self.horizon_end) or demand[i, e // self.slot] <= 0:
                    continue
                takers = [s for s in shifts if s.team_id != r.team_id and s.on_start <= e < s.on_end]
                if not takers or any(s.on_start <= e - overlap for s in takers):
                    continue
                takers.sort(key=lambda s: (s.on_start, s.shift_id))
                detail = ", ".join(f"{self.who(s)} arrives {self.ts(s.on_start)}" for s in takers)
                out.append(Violation(
                    "handover",
                    f"{self.hotspot(h)} (staggered zone {self.hotspot_zone[h]}): {self.who(r)} leaves "
                    f"at {self.ts(e)}; taking over: {detail} — the arriving team must be on site "
                    f"{overlap} min before ({self.ts(e - overlap)})",
                    (r.shift_id,) + tuple(s.shift_id for s in takers),
                ))
        return out


def _runs(items: list[tuple[int, int, Any]]) -> list[tuple[int, int, int, Any]]:
    """Merge (hotspot, slot, key) items, in order, into runs of consecutive slots with one key."""
    runs: list[list[Any]] = []
    for i, k, key in items:
        if runs and runs[-1][0] == i and runs[-1][2] == k - 1 and runs[-1][3] == key:
            runs[-1][2] = k
        else:
            runs.append([i, k, k, key])
    return [tuple(r) for r in runs]  # type: ignore[misc]


def _shifts(table: pd.DataFrame, h0: dt.datetime) -> list[_Shift]:
    def minutes(t: Any) -> int:
        return int((_parse_time(t) - h0).total_seconds() // 60)

    zone = table["zone_id"] if "zone_id" in table else [""] * len(table)
    mode = table["mode"] if "mode" in table else [""] * len(table)
    return [
        _Shift(
            index=n,
            shift_id=sid,
            team_id=team,
            station_id=station,
            zone_id=_text(z),
            hotspot_id=hotspot,
            start=minutes(a),
            end=minutes(b),
            on_start=minutes(c),
            on_end=minutes(d),
            mode=_text(m).lower(),
        )
        for n, (sid, team, station, z, hotspot, a, b, c, d, m) in enumerate(
            zip(
                table["shift_id"], table["team_id"], table["station_id"], zone, table["hotspot_id"],
                table["start"], table["end"], table["on_site_start"], table["on_site_end"], mode,
            )
        )
    ]


def check_roster(scenario: Scenario, roster: pd.DataFrame, *, travel: Any = None) -> Report:
    """Check ``roster`` (one row per shift, the run folder's roster.csv columns; only
    ``shift_id, team_id, station_id, hotspot_id, start, end, on_site_start, on_site_end``
    are required, ``zone_id`` is checked when present) against every rule of a correct roster.

    ``travel`` gives ``.out(station_id, hotspot_id)`` and ``.back(hotspot_id, station_id)`` in
    whole minutes; by default ``network.travel_times(scenario)``, computed only if needed.
    Times may be text (ISO 8601) or datetimes. Raises :class:`DataError` if the table itself
    is unusable (missing columns, empty ids, unreadable times, duplicate shift ids); returns
    a :class:`Report` listing every broken rule otherwise. See the module docstring for the
    rules.
    """
    table = _parse_table(roster, source="roster", required=_CHECK_COLUMNS)
    shifts = _shifts(table, scenario.horizon_start)
    checker = _Checker(scenario, shifts, travel)
    demand = expand_demand(scenario)
    coverage, coverage_violations = checker.check_coverage(demand)
    violations = (
        coverage_violations
        + checker.check_rows()
        + checker.check_teams()
        + checker.check_stations()
        + checker.check_handover(demand)
    )
    order = {rule: n for n, rule in enumerate(RULES)}
    violations.sort(key=lambda v: order.get(v.rule, len(order)))  # stable within a rule
    return Report(tuple(violations), coverage, scenario.config.slot_minutes)


def check_run(config_path: str | Path, run_dir: str | Path) -> Report:
    """Load the scenario of ``config_path`` and check the roster in ``run_dir``."""
    from .io import load_scenario

    scenario = load_scenario(config_path)
    roster = read_roster(run_dir)
    return check_roster(scenario, roster)
