"""Reading a roster by the checker's own rules: CSV, ids, ISO 8601 times, travel minutes.

Every problem of the file is collected, then one :class:`~patrolplan.errors.DataError` names
the file, the row (the header is row 1) and the column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from patrolplan.columns import ROSTER_COLUMNS
from patrolplan.errors import DataError
from patrolplan.inputs.encoding import csv_encoding

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

def _encoding(path: Path) -> str:
    """A roster or visits table edited in Excel may come back as GBK: decoded as every input is
    (``inputs.encoding.csv_encoding``); DataError when nothing decodes it."""
    return csv_encoding(path)


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
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=_encoding(path))
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


_VISIT_COLUMNS = ("visit_id", "shift_id", "team_id", "station_id", "hotspot_id", "arrive", "depart")


def read_visits(run_dir_or_csv: str | Path) -> pd.DataFrame | None:
    """``visits.csv`` of a run folder (or a CSV path) with ids as text and ``arrive``/``depart``
    as datetimes; None when the run folder has none (a week of posts only). Raises
    :class:`DataError` naming the file, the row and the column of every unreadable cell."""
    path = Path(run_dir_or_csv)
    if path.is_dir():
        path = path / "visits.csv"
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=_encoding(path))
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty — visits.csv needs a header row ({', '.join(_VISIT_COLUMNS)})") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as err:
        raise DataError(f"{path}: cannot be read as UTF-8 CSV ({err}) — save it as UTF-8 CSV") from None
    return parse_visits(table, source=str(path))


def parse_visits(table: pd.DataFrame, *, source: str = "visits") -> pd.DataFrame:
    """Type a visits table (see :func:`read_visits`); every problem in one DataError."""
    problems = [f"{source}: missing column '{c}' — visits.csv needs the columns {', '.join(_VISIT_COLUMNS)}"
                for c in _VISIT_COLUMNS if c not in table.columns]
    if problems:
        raise DataError(problems)
    out = table.copy().reset_index(drop=True)
    for col in ("visit_id", "shift_id", "team_id", "station_id", "hotspot_id"):
        out[col] = [_text(v) for v in out[col]]
        for i, v in enumerate(out[col]):
            if not v:
                problems.append(f"{source}: row {i + 2} (visit_id '{out.at[i, 'visit_id']}'), column '{col}': empty "
                                f"— give the {col.removesuffix('_id')} id")
    for col in ("arrive", "depart"):
        parsed = []
        for i, value in enumerate(out[col]):
            try:
                parsed.append(_parse_time(value))
            except ValueError as err:
                problems.append(f"{source}: row {i + 2} (visit_id '{out.at[i, 'visit_id']}'), column '{col}': {err} "
                                "— write an ISO 8601 time like 2026-11-30T20:15")
                parsed.append(pd.NaT)
        out[col] = parsed
    if problems:
        raise DataError(problems)
    return out
