"""Validation of the input tables: every problem of a table is collected, then one
:class:`DataError` lists them all.

Each ``validate_*`` takes a table as read (every cell text, stripped; ``""`` where empty),
returns it normalised (the columns documented in :mod:`patrolplan.inputs.scenario`, extra columns
carried along) and raises :class:`DataError` on bad input. Messages read::

    <file>: row <n> (station_id 'S1'), column 'officers': <what is wrong> — <how to fix>

with rows numbered as a spreadsheet shows them (header = row 1, first data row = row 2). A
table read from a vector file (GeoJSON, GPKG, ...) counts features from 1: pass
``first_row=1``. Row numbers come from the table's index (0 = first data row), so drop rows
without resetting the index and the numbers stay right.

Cross-references (a zone's stations, a hotspot's zone, ...) are checked against the id sets
passed in; ``None`` skips that check (the other table could not be read).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from patrolplan.inputs.demand import clock_minutes, parse_days, rule_interval_min
from patrolplan.errors import DataError
from patrolplan.inputs.scenario import MODES, TIERS

__all__ = [
    "display_path",
    "parse_lonlat",
    "validate_stations",
    "validate_hotspots",
    "validate_zones",
    "validate_demand",
    "validate_availability",
]

JURISDICTIONS = TIERS  # optional station columns: the jurisdiction at each tier


def display_path(path: str | Path) -> str:
    """A path as messages show it: relative to the working directory when under it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


# --- collecting problems -----------------------------------------------------------------


class _Problems:
    """Problems of one table, each located by row, id and column."""

    def __init__(self, df: pd.DataFrame, *, source: str, id_column: str | None, first_row: int):
        self.df = df
        self.source = source
        self.id_column = id_column
        self.first_row = first_row
        self.items: list[str] = []

    def row(self, idx) -> int:
        return int(idx) + self.first_row

    def at(self, idx, column: str | None = None) -> str:
        where = f"{self.source}: row {self.row(idx)}"
        if self.id_column and self.id_column in self.df.columns:
            ident = self.df.at[idx, self.id_column]
            if ident:
                where += f" ({self.id_column} '{ident}')"
        if column:
            where += f", column '{column}'"
        return where

    def add(self, idx, column: str | None, what: str, fix: str) -> None:
        self.items.append(f"{self.at(idx, column)}: {what} — {fix}")

    def table(self, what: str, fix: str) -> None:
        self.items.append(f"{self.source}: {what} — {fix}")

    def raise_if_any(self) -> None:
        if self.items:
            raise DataError(self.items)


def _require_columns(
    df: pd.DataFrame, required: Iterable[str], problems: _Problems
) -> bool:
    """Report each missing column (with a did-you-mean); True when all are present."""
    present = [str(c) for c in df.columns]
    ok = True
    for col in required:
        if col in present:
            continue
        ok = False
        by_case = [c for c in present if c.lower() == col.lower()]
        close = by_case or difflib.get_close_matches(col, present, n=1, cutoff=0.7)
        hint = (
            f"rename column '{close[0]}' to '{col}' (column names are case-sensitive)"
            if close
            else f"add a column '{col}' (columns found: {', '.join(present) or 'none'})"
        )
        problems.table(f"missing column '{col}'", hint)
    return ok


def _text(df: pd.DataFrame, column: str) -> pd.Series:
    """A column as stripped text, ``""`` where empty or absent."""
    if column not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    return df[column].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip())


#: the largest count (officers, teams) a table may give: far above any real station, far below
#: what overflows the solver's integers
MAX_COUNT = 100_000


def _parse_int(text: str) -> int | None:
    """A whole number from text (``8``, ``+8``, ``8.0``); None when it is not one."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def _int_column(
    df: pd.DataFrame,
    column: str,
    problems: _Problems,
    *,
    what: str,
    default: int | None = None,
    minimum: int = 0,
) -> pd.Series:
    """Whole numbers >= ``minimum``; empty cells take ``default`` (a problem when None).

    An absent column gives ``default`` (or 0) silently: it was reported as missing.
    """
    if column not in df.columns:
        return pd.Series(default or 0, index=df.index, dtype=int)
    values = []
    for idx, text in _text(df, column).items():
        if text == "":
            if default is None:
                problems.add(idx, column, "empty", f"give the number of {what} as a whole number")
            values.append(default if default is not None else 0)
            continue
        value = _parse_int(text)
        if value is None:
            problems.add(idx, column, f"'{text}' is not a whole number", f"give the number of {what} as a whole number, e.g. 2")
            values.append(0)
        elif value < minimum:
            problems.add(idx, column, f"{value} is below {minimum}", f"give {minimum} or more {what}")
            values.append(0)
        elif value > MAX_COUNT:
            problems.add(idx, column, f"'{text}' is too large (at most {MAX_COUNT:,})",
                         f"give the real number of {what}")
            values.append(0)
        else:
            values.append(value)
    return pd.Series(values, index=df.index, dtype=int)


def _ids(df: pd.DataFrame, column: str, problems: _Problems, *, kind: str) -> pd.Series:
    """The id column as text; empty and duplicate ids are problems (naming both rows)."""
    ids = _text(df, column)
    if column not in df.columns:
        return ids
    first_row_of: dict[str, int] = {}
    for idx, ident in ids.items():
        if ident == "":
            problems.add(idx, column, "empty id", f"give every {kind} a unique {column}")
            continue
        if ident in first_row_of:
            problems.add(
                idx,
                column,
                f"duplicate id '{ident}', also on row {first_row_of[ident]}",
                f"give each {kind} its own {column}",
            )
        else:
            first_row_of[ident] = problems.row(idx)
    return ids


def _choice(text: str, allowed: tuple[str, ...]) -> str | None:
    t = text.strip().lower()
    return t if t in allowed else None


def _did_you_mean(text: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(text.strip().lower(), allowed, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'? " if close else ""


def _unknown_ref(ident: str, known: set[str], kind: str) -> str:
    close = difflib.get_close_matches(ident, sorted(known), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {kind} '{ident}'{hint}"


def _ordered(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """Documented columns first, then the file's other columns; index reset."""
    rest = [c for c in df.columns if c not in first]
    return df[first + rest].reset_index(drop=True)


# --- locations ---------------------------------------------------------------------------


def parse_lonlat(
    df: pd.DataFrame, *, source: str, id_column: str, first_row: int = 2
) -> tuple[pd.DataFrame, list[str]]:
    """Convert text ``lon``/``lat`` columns to floats (WGS84 degrees).

    Returns the converted table and the problems found (missing columns, empty, non-numeric
    or out-of-range values); does not raise, so callers can gather more problems first.
    """
    problems = _Problems(df, source=source, id_column=id_column, first_row=first_row)
    df = df.copy()
    if not _require_columns(df, ["lon", "lat"], problems):
        problems.items = [p + ", or give point geometries in a GeoJSON/GPKG/Shapefile" for p in problems.items]
        return df, problems.items
    for column, low, high in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
        values = []
        for idx, text in _text(df, column).items():
            if text == "":
                problems.add(idx, column, "empty", f"give the {column} in WGS84 degrees")
                values.append(math.nan)
                continue
            try:
                value = float(text)
            except ValueError:
                problems.add(idx, column, f"'{text}' is not a number", f"give the {column} in WGS84 decimal degrees, e.g. {116.5 if column == 'lon' else 35.4}")
                values.append(math.nan)
                continue
            if not (low <= value <= high):
                problems.add(
                    idx,
                    column,
                    f"{value} is outside {low:g}..{high:g}",
                    "give WGS84 degrees (EPSG:4326); swapped lon/lat or projected coordinates?",
                )
                values.append(math.nan)
                continue
            values.append(value)
        df[column] = pd.Series(values, index=df.index, dtype=float)
    return df, problems.items


def _add_lonlat(out: pd.DataFrame, df: pd.DataFrame, problems: _Problems, *, id_column: str) -> None:
    """Set float ``lon``/``lat`` on ``out`` from the text table ``df``, adding its problems."""
    converted, more = parse_lonlat(df, source=problems.source, id_column=id_column, first_row=problems.first_row)
    problems.items += more
    for column in ("lon", "lat"):
        if column in df.columns:
            out[column] = converted[column]
        else:
            out[column] = pd.Series(math.nan, index=df.index, dtype=float)


# --- the tables --------------------------------------------------------------------------


def validate_stations(
    df: pd.DataFrame,
    *,
    source: str,
    reserve_officers: int = 0,
    first_row: int = 2,
) -> pd.DataFrame:
    """Stations: ``station_id`` (unique), ``officers`` (int >= 0), ``lon``/``lat``; optional
    ``name`` (the id where absent), ``town``/``county``/``city``/``province``,
    ``reserve_officers`` (int >= 0; ``reserve_officers`` of the config where absent).
    """
    problems = _Problems(df, source=source, id_column="station_id", first_row=first_row)
    out = df.copy()
    _require_columns(df, ["station_id", "officers"], problems)
    if len(df) == 0:
        problems.table("no stations", "add one row per police station")
    out["station_id"] = _ids(df, "station_id", problems, kind="station")
    names = _text(df, "name")
    out["name"] = names.where(names != "", out["station_id"])
    out["officers"] = _int_column(df, "officers", problems, what="officers")
    out["reserve_officers"] = _int_column(
        df, "reserve_officers", problems, what="reserve officers", default=reserve_officers
    )
    for tier in JURISDICTIONS:
        out[tier] = _text(df, tier)
    _add_lonlat(out, df, problems, id_column="station_id")
    problems.raise_if_any()
    first = ["station_id", "name", "officers", "lon", "lat", *JURISDICTIONS, "reserve_officers"]
    return _ordered(out, first)


def validate_hotspots(
    df: pd.DataFrame,
    *,
    source: str,
    zone_ids: set[str] | None = None,
    first_row: int = 2,
) -> pd.DataFrame:
    """Hotspots: ``hotspot_id`` (unique), ``zone_id`` (a zone of the zones table),
    ``lon``/``lat``; optional ``name`` (the id where absent), ``risk`` (float >= 0, 1 where
    absent)."""
    problems = _Problems(df, source=source, id_column="hotspot_id", first_row=first_row)
    out = df.copy()
    _require_columns(df, ["hotspot_id", "zone_id"], problems)
    if len(df) == 0:
        problems.table("no hotspots", "add one row per hotspot to patrol")
    out["hotspot_id"] = _ids(df, "hotspot_id", problems, kind="hotspot")
    names = _text(df, "name")
    out["name"] = names.where(names != "", out["hotspot_id"])
    zones = _text(df, "zone_id")
    for idx, zone in zones.items() if "zone_id" in df.columns else ():
        if zone == "":
            problems.add(idx, "zone_id", "empty", "name the zone (zone_id of the zones table) this hotspot belongs to")
        elif zone_ids is not None and zone not in zone_ids:
            problems.add(idx, "zone_id", _unknown_ref(zone, zone_ids, "zone"), "use a zone_id of the zones table")
    out["zone_id"] = zones
    risks = []
    for idx, text in _text(df, "risk").items():
        if text == "":
            risks.append(1.0)
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            problems.add(idx, "risk", f"'{text}' is not a number >= 0", "give a risk weight such as 1 or 2.5 (or leave it empty for 1)")
            value = 1.0
        risks.append(value)
    out["risk"] = pd.Series(risks, index=df.index, dtype=float)
    _add_lonlat(out, df, problems, id_column="hotspot_id")
    problems.raise_if_any()
    return _ordered(out, ["hotspot_id", "name", "zone_id", "lon", "lat", "risk"])


def validate_zones(
    df: pd.DataFrame,
    *,
    source: str,
    station_ids: set[str] | None = None,
    synchronized_min_stations: int = 2,
    first_row: int = 2,
) -> pd.DataFrame:
    """Zones: ``zone_id`` (unique), ``tier`` (one of town, county, city, province), ``mode``
    (synchronized or staggered), ``stations`` (member station ids separated by ``;``, each
    once); optional ``min_stations`` (int in [1, members]; ``synchronized_min_stations``
    where absent). A synchronized zone needs at least ``min_stations`` members.

    Adds ``members`` (tuple of station ids, in file order) and ``min_stations`` (int).
    """
    problems = _Problems(df, source=source, id_column="zone_id", first_row=first_row)
    out = df.copy()
    missing = not _require_columns(df, ["zone_id", "tier", "mode", "stations"], problems)
    if len(df) == 0:
        problems.table("no zones", "add one row per cooperation zone")
    out["zone_id"] = _ids(df, "zone_id", problems, kind="zone")
    tiers = _one_of(df, "tier", TIERS, problems)
    modes = _one_of(df, "mode", MODES, problems)
    out["tier"] = pd.Series(tiers, index=df.index, dtype=object)
    out["mode"] = pd.Series(modes, index=df.index, dtype=object)
    members_col = _zone_members(df, station_ids, problems)
    out["members"] = pd.Series(members_col, index=df.index, dtype=object)
    out["stations"] = _text(df, "stations")
    mins = [
        _zone_min_stations(idx, text, members, mode, synchronized_min_stations, problems, check_sync=not missing)
        for (idx, text), members, mode in zip(_text(df, "min_stations").items(), members_col, modes)
    ]
    out["min_stations"] = pd.Series(mins, index=df.index, dtype=int)
    problems.raise_if_any()
    return _ordered(out, ["zone_id", "tier", "mode", "stations", "members", "min_stations"])


def _one_of(df: pd.DataFrame, column: str, allowed, problems: _Problems) -> list[str]:
    """Each row's ``column`` as one of ``allowed`` (case and spacing forgiven); the text as
    given where it is none of them (a problem)."""
    values = []
    for idx, text in _text(df, column).items():
        value = _choice(text, allowed)
        if value is None and column in df.columns:
            problems.add(idx, column, f"'{text}' is not a {column}",
                         f"{_did_you_mean(text, allowed)}use one of: {', '.join(allowed)}")
        values.append(value or text)
    return values


def _zone_members(df: pd.DataFrame, station_ids: set[str] | None, problems: _Problems) -> list[tuple[str, ...]]:
    """Each zone's member stations (``stations``, ``;``-separated, in file order): at least one,
    each once, each a known station when ``station_ids`` is given."""
    members_col = []
    for idx, text in _text(df, "stations").items():
        members = [m.strip() for m in text.split(";") if m.strip()]
        if not members and "stations" in df.columns:
            problems.add(idx, "stations", "no member stations", "list the member station ids separated by ';', e.g. S1;S2")
        seen = set()
        for m in members:
            if m in seen:
                problems.add(idx, "stations", f"station '{m}' is listed twice", "list each member station once")
            seen.add(m)
            if station_ids is not None and m not in station_ids:
                fix = "use station_id values of the stations table"
                if "," in m or " " in m:
                    fix = "separate the station ids with ';', e.g. S1;S2"
                problems.add(idx, "stations", _unknown_ref(m, station_ids, "station"), fix)
        members_col.append(tuple(dict.fromkeys(members)))
    return members_col


def _zone_min_stations(idx, text: str, members: tuple[str, ...], mode: str, default: int, problems: _Problems,
                       *, check_sync: bool) -> int:
    """One zone's ``min_stations``: the cell (a whole number in [1, members]) or ``default``
    (``modes.synchronized_min_stations``) when empty; with ``check_sync`` (every column
    there), a synchronized zone must have that many members, and more than one."""
    n = len(members)
    if text == "":
        value = default
        if mode == "synchronized" and n and n < value and check_sync:
            problems.add(
                idx,
                "stations",
                f"a synchronized zone with {n} member station(s), fewer than min_stations={value} (modes.synchronized_min_stations)",
                "add member stations, set a smaller min_stations for this zone, or make it staggered",
            )
    else:
        value = _parse_int(text)
        if value is None or value < 1 or (n and value > n):
            problems.add(
                idx,
                "min_stations",
                f"'{text}' is not a whole number in [1, {max(n, 1)}] (the zone has {n} member station(s))",
                "give how many distinct member stations must be on site together, or leave it empty",
            )
            value = value if value is not None and value >= 1 else default
    if mode == "synchronized" and n == 1 and value == 1 and check_sync:
        # min_stations 1 (the zone's, or modes.synchronized_min_stations) lets it pass the
        # count above, but a joint patrol of one station is none
        problems.add(idx, "stations", f"a synchronized zone with 1 member station ({members[0]}): a joint "
                     "patrol needs teams of two or more stations on site together",
                     "add the other member station(s), or make the zone staggered")
    return value


def validate_demand(
    df: pd.DataFrame,
    *,
    source: str,
    hotspot_ids: set[str] | None = None,
    zone_ids: set[str] | None = None,
    first_row: int = 2,
    visits=None,
) -> pd.DataFrame:
    """Demand rules: ``hotspot_id`` or ``zone_id`` (exactly one per row; the other column
    may be absent), ``days`` (see :func:`patrolplan.inputs.demand.parse_days`), ``start``, ``end``
    (``HH:MM``; ``end`` may be ``24:00``), ``teams`` (int >= 0).
    Times are normalised to ``HH:MM``.
    """
    problems = _Problems(df, source=source, id_column=None, first_row=first_row)
    out = df.copy()
    _require_columns(df, ["days", "start", "end", "teams"], problems)
    has_target = "hotspot_id" in df.columns or "zone_id" in df.columns
    if not has_target:
        problems.table(
            "missing column 'hotspot_id' or 'zone_id'",
            "add a column 'hotspot_id' (one hotspot per rule) and/or 'zone_id' (all hotspots of a zone)",
        )

    hotspots, zones = _text(df, "hotspot_id"), _text(df, "zone_id")
    for idx in df.index if has_target else ():
        h, z = hotspots[idx], zones[idx]
        if h and z:
            problems.add(idx, "hotspot_id", f"names both hotspot '{h}' and zone '{z}'", "fill in only one of hotspot_id and zone_id (split the rule into two rows)")
        elif not h and not z:
            problems.add(idx, "hotspot_id", "names neither a hotspot nor a zone", "fill in hotspot_id or zone_id")
        elif h and hotspot_ids is not None and h not in hotspot_ids:
            problems.add(idx, "hotspot_id", _unknown_ref(h, hotspot_ids, "hotspot"), "use a hotspot_id of the hotspots table")
        elif z and zone_ids is not None and z not in zone_ids:
            problems.add(idx, "zone_id", _unknown_ref(z, zone_ids, "zone"), "use a zone_id of the zones table")
    out["hotspot_id"], out["zone_id"] = hotspots, zones

    days = _text(df, "days")
    for idx, spec in days.items() if "days" in df.columns else ():
        try:
            parse_days(spec, source=source, row=problems.row(idx))
        except DataError as err:
            problems.items += err.problems
    out["days"] = days

    for column, is_end in (("start", False), ("end", True)):
        if column not in df.columns:
            continue
        values = []
        for idx, text in _text(df, column).items():
            try:
                minutes = clock_minutes(text, end=is_end)
            except ValueError as err:
                allowed = "00:00..23:59, or 24:00" if is_end else "00:00..23:59"
                problems.add(idx, column, str(err) if text else "empty", f"give a time HH:MM in {allowed}, e.g. 20:00")
                values.append(text)
                continue
            values.append(f"{minutes // 60:02d}:{minutes % 60:02d}")
        out[column] = pd.Series(values, index=df.index, dtype=object)

    out["teams"] = _int_column(df, "teams", problems, what="teams")
    _visit_columns(df, out, problems, visits)
    problems.raise_if_any()
    return _ordered(out, ["hotspot_id", "zone_id", "days", "start", "end", "teams", "presence", "dwell_min",
                          "every_min"])


PRESENCES = ("post", "visit")


def _visit_columns(df: pd.DataFrame, out: pd.DataFrame, problems: _Problems, visits) -> None:
    """``presence`` (``post``, the default, or ``visit``), ``dwell_min`` and ``every_min``
    (visit rows only; blank takes the config's ``visits`` defaults)."""
    dwell_default = visits.dwell_minutes if visits is not None else 15
    every_default = visits.max_interval_minutes if visits is not None else 120
    presence = _text(df, "presence").str.lower()
    dwell, every = [], []
    for idx in df.index:
        kind = presence[idx] or "post"
        if kind not in PRESENCES:
            problems.add(idx, "presence", f"'{presence[idx]}' is not a presence",
                         "write 'post' (a team on site the whole time) or 'visit' (short visits)")
            kind = "post"
        presence[idx] = kind
        d_text, e_text = _text(df, "dwell_min")[idx], _text(df, "every_min")[idx]
        if kind == "post":
            for column, text in (("dwell_min", d_text), ("every_min", e_text)):
                if text:
                    problems.add(idx, column, f"'{text}' on a post row (presence 'post' keeps a team on site the "
                                 "whole time)", f"clear {column}, or set presence to 'visit'")
            dwell.append(0)
            every.append(0)
            continue
        values = []
        # a blank cell takes the config's default: say so wherever the value is quoted
        said = {"dwell_min": str(d_text) if d_text else f"{dwell_default} (blank: visits.dwell_minutes)",
                "every_min": str(e_text) if e_text else f"{every_default} (blank: visits.max_interval_minutes)"}
        for column, text, default in (("dwell_min", d_text, dwell_default), ("every_min", e_text, every_default)):
            value = default if text == "" else _parse_int(text)
            if value is None or value <= 0:
                problems.add(idx, column, f"'{text}' is not a positive whole number of minutes",
                             "give minutes as a whole number above 0, e.g. 15 (dwell_min) or 120 (every_min)")
                value = 0
            values.append(value)
        d, e = values
        if d and e and d >= e:
            problems.add(idx, "dwell_min", f"{said['dwell_min']} is not below every_min {said['every_min']}",
                         "a visit must end before the next is due: give a dwell of about 15 and an interval of about 120")
        if "start" in out and "end" in out and e:
            try:
                a, b = rule_interval_min(out.at[idx, "start"], out.at[idx, "end"])
            except ValueError:
                a = b = None
            if a is not None and b - a < e:
                problems.add(idx, "every_min", f"{said['every_min']} is longer than the rule's hours ({out.at[idx, 'start']}-"
                             f"{out.at[idx, 'end']}, {b - a} min)",
                             "give an every_min no longer than the hours, or make the row a post")
        team = int(out.at[idx, "teams"]) if "teams" in out else 1
        if team > 1:
            problems.add(idx, "teams", f"{team} on a visit row (teams counts teams per visit)",
                         "give 1 (in a synchronized zone every visit is a joint patrol of two stations' teams by "
                         "itself), or make the row a post for more teams on site")
        dwell.append(d)
        every.append(e)
    out["presence"] = presence
    out["dwell_min"] = pd.Series(dwell, index=df.index, dtype=int)
    out["every_min"] = pd.Series(every, index=df.index, dtype=int)


def validate_availability(
    df: pd.DataFrame,
    *,
    source: str,
    station_ids: set[str] | None = None,
    first_row: int = 2,
) -> pd.DataFrame:
    """Availability: ``station_id`` (a station of the stations table), ``date``
    (``YYYY-MM-DD``), ``officers`` (int >= 0); one row per station and date."""
    problems = _Problems(df, source=source, id_column="station_id", first_row=first_row)
    out = df.copy()
    _require_columns(df, ["station_id", "date", "officers"], problems)
    stations = _text(df, "station_id")
    for idx, sid in stations.items() if "station_id" in df.columns else ():
        if sid == "":
            problems.add(idx, "station_id", "empty", "name the station (station_id of the stations table)")
        elif station_ids is not None and sid not in station_ids:
            problems.add(idx, "station_id", _unknown_ref(sid, station_ids, "station"), "use a station_id of the stations table")
    dates = []
    first_row_of: dict[tuple[str, dt.date], int] = {}
    for idx, text in _text(df, "date").items() if "date" in df.columns else ():
        try:
            if len(text) != 10:
                raise ValueError
            day = dt.date.fromisoformat(text)
        except ValueError:
            problems.add(idx, "date", f"'{text}' is not a date YYYY-MM-DD" if text else "empty", "give the date as YYYY-MM-DD, e.g. 2026-12-03")
            dates.append(None)
            continue
        dates.append(day)
        key = (stations[idx], day)
        if key in first_row_of and stations[idx]:
            problems.add(idx, "date", f"a second row for {day.isoformat()}, also on row {first_row_of[key]}", "keep one row per station and date")
        else:
            first_row_of[key] = problems.row(idx)
    out["station_id"] = stations
    if "date" not in df.columns:
        dates = [None] * len(df)
    out["date"] = pd.Series(dates, index=df.index, dtype=object)
    out["officers"] = _int_column(df, "officers", problems, what="officers")
    problems.raise_if_any()
    return _ordered(out, ["station_id", "date", "officers"])
