"""The incident table: ``read_incidents(path, ...) -> Incidents``, every bad cell collected.

Columns (case-sensitive; more are carried along): ``incident_id`` (unique text), ``time``
(ISO 8601 local time, ``2026-11-03T21:40``; a trailing offset such as ``+08:00`` or ``Z`` is
dropped, the wall-clock time is kept), the location as ``lon``/``lat`` (WGS84 degrees) or a
point geometry (any vector file), optional ``type`` (text) and ``weight`` (a number >= 0, blank
= 1). Problems (unreadable times, missing coordinates, points outside every boundary, an empty
file, a ``--since`` after every record, ...) are collected over the whole file and raised as one
:class:`DataError`, each naming the file, the row, the incident and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from patrolplan.errors import DataError
from patrolplan.inputs.io import read_point_rows
from patrolplan.inputs.validate import parse_lonlat

__all__ = ["Incidents", "read_incidents", "parse_since", "INCIDENT_COLUMNS"]

INCIDENT_COLUMNS = ("incident_id", "time", "lon", "lat", "type", "weight")
#: rows named per kind of problem before "and N more rows" (a 100,000-row file stays readable)
_LIST_AT_MOST = 20
_OFFSET = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$")


@dataclass(frozen=True)
class Incidents:
    """Incidents as read: ``table`` has ``incident_id`` (str), ``time`` (datetime64, local),
    ``lon``, ``lat`` (float), ``type`` (str, "" where absent), ``weight`` (float), ``row`` (the
    row number a spreadsheet shows), plus the file's other columns. ``n_read``: rows in the
    file; ``n_before_since``: rows dropped by ``--since``."""

    table: pd.DataFrame
    source: str
    n_read: int
    n_before_since: int = 0
    since: dt.date | None = None
    n_from_until: int = 0
    until: dt.datetime | None = None

    def __len__(self) -> int:
        return len(self.table)


def parse_since(text: str | dt.date | None) -> dt.date | None:
    """``--since DATE`` (ISO date, ``2026-10-01``)."""
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise DataError(f"--since {text!r}: not a date — give an ISO date, e.g. 2026-10-05") from None


class _Found:
    """Problems of one kind (file, column, what), listing their rows up to a limit."""

    def __init__(self, source: str, ids: pd.Series, rows: np.ndarray):
        self.source, self.ids, self.rows = source, ids, rows
        self.items: list[str] = []

    def cells(self, mask: np.ndarray, column: str, what, fix: str) -> None:
        """One line per bad cell (``what(k)`` words the value of row position k)."""
        where = np.flatnonzero(mask)
        for k in where[:_LIST_AT_MOST]:
            ident = self.ids.iloc[k]
            named = f" (incident_id '{ident}')" if ident else ""
            self.items.append(f"{self.source}: row {self.rows[k]}{named}, column '{column}': {what(k)} — {fix}")
        if len(where) > _LIST_AT_MOST:
            self.items.append(f"{self.source}: column '{column}': {len(where) - _LIST_AT_MOST} more rows like these "
                              f"(rows {', '.join(str(r) for r in self.rows[where[_LIST_AT_MOST:_LIST_AT_MOST + 5]])}"
                              f"{' ...' if len(where) > _LIST_AT_MOST + 5 else ''}) — {fix}")


def _times(text: pd.Series) -> pd.Series:
    """ISO 8601 text to naive local datetimes (NaT where unreadable); an offset is dropped."""
    bare = text.str.replace(_OFFSET, "", regex=True).str.strip()
    return pd.to_datetime(bare, format="ISO8601", errors="coerce") if len(bare) else pd.Series([], dtype="datetime64[ns]")


def _times_safe(text: pd.Series) -> pd.Series:
    try:
        return _times(text)
    except (ValueError, TypeError, OverflowError):  # one odd cell can fail the vector parse: go cell by cell
        out = []
        for t in text.str.replace(_OFFSET, "", regex=True).str.strip():
            try:
                out.append(pd.to_datetime(t, format="ISO8601"))
            except (ValueError, TypeError, OverflowError):
                out.append(pd.NaT)
        return pd.Series(out, index=text.index, dtype="datetime64[ns]")


def read_incidents(path: str | Path, *, boundaries=None, since: dt.date | str | None = None,
                   until: dt.datetime | None = None) -> Incidents:
    """Read and check an incident table (see the module docstring).

    ``boundaries``: polygons (EPSG:4326); an incident outside every one is a problem (it lies
    outside the area the config plans). ``since``: keep incidents on or after this date;
    ``until``: keep those before this time (``hotspots`` learns from the weeks before the
    planned one)."""
    since = parse_since(since)
    df, source, first_row, problems = _read_rows(path)
    rows = df.index.to_numpy() + first_row
    ids = df["incident_id"].astype(str).str.strip()
    found = _Found(source, ids, rows)
    _check_ids(found)
    text = df["time"].astype(str).str.strip()
    times = _times_safe(text)
    found.cells(times.isna().to_numpy(), "time",
                lambda k: f"'{text.iloc[k]}' is not a date and time" if text.iloc[k] else "empty",
                "give ISO 8601 local time, e.g. 2026-11-03T21:40")
    weight = _weights(df, found)
    _check_inside(df, boundaries, found)
    problems += found.items
    if problems:
        raise DataError(problems)

    table = df.copy()
    table["incident_id"] = ids
    table["time"] = times
    table["weight"] = weight
    table["type"] = df["type"].astype(str).str.strip() if "type" in df.columns else ""
    table["row"] = rows
    n_read = len(table)
    table, n_before = _since(table, since, source)
    table, n_until = _until(table, until, since, source)
    first = ["incident_id", "time", "lon", "lat", "type", "weight", "row"]
    table = table[first + [c for c in table.columns if c not in first]].reset_index(drop=True)
    return Incidents(table, source, n_read, n_before, since, n_until, until)


def _read_rows(path: str | Path) -> tuple[pd.DataFrame, str, int, list[str]]:
    """The table as text with ``lon``/``lat`` parsed, its source, first row number and the
    problems so far; raises ``DataError`` when it is unreadable, empty or misses a column."""
    df, source, first_row, problems = read_point_rows(path, kind="incident", id_column="incident_id")
    if df is None:
        raise DataError(problems)
    if not len(df):
        raise DataError(problems + [f"{source}: no incidents — the file is empty: give a header row "
                                    "(incident_id,time,lon,lat) and one row per incident"])
    missing = [c for c in ("incident_id", "time") if c not in df.columns]
    for col in missing:
        close = [c for c in df.columns if c.lower() == col]
        fix = f"rename column '{close[0]}' to '{col}' (names are case-sensitive)" if close else \
            f"add a column '{col}' (columns found: {', '.join(map(str, df.columns))})"
        problems.append(f"{source}: missing column '{col}' — {fix}")
    df, more = parse_lonlat(df, source=source, id_column="incident_id", first_row=first_row)
    problems += more
    if missing or any("missing column" in p for p in more):
        raise DataError(problems)
    return df, source, first_row, problems


def _check_ids(found: _Found) -> None:
    """Every incident_id given, and given once."""
    ids, rows = found.ids, found.rows
    found.cells((ids == "").to_numpy(), "incident_id", lambda k: "empty id", "give every incident a unique incident_id")
    dup = ids.duplicated(keep="first").to_numpy() & (ids != "").to_numpy()
    first_of = dict(zip(ids[~ids.duplicated(keep="first")], rows[~ids.duplicated(keep="first").to_numpy()]))
    found.cells(dup, "incident_id", lambda k: f"duplicate id, also on row {first_of[ids.iloc[k]]}",
                "give each incident its own incident_id (or drop the repeated record)")


def _weights(df: pd.DataFrame, found: _Found) -> pd.Series:
    """The ``weight`` column as numbers >= 0 (1 where blank or without the column; 0 where bad,
    a problem in ``found``)."""
    if "weight" not in df.columns:
        return pd.Series(1.0, index=df.index)
    wtext = df["weight"].astype(str).str.strip()
    parsed = pd.to_numeric(wtext.where(wtext != "", "1"), errors="coerce")
    bad_w = (parsed.isna() | ~np.isfinite(parsed.fillna(0)) | (parsed < 0)).to_numpy()
    found.cells(bad_w, "weight", lambda k: f"'{wtext.iloc[k]}' is not a number >= 0",
                "give a weight >= 0 (e.g. 1 for an ordinary incident, 3 for a serious one) or leave it blank (= 1)")
    return parsed.where(~bad_w, 0.0).astype(float)


def _check_inside(df: pd.DataFrame, boundaries, found: _Found) -> None:
    """Every located incident inside one of ``boundaries`` (when given)."""
    lon, lat = df["lon"].to_numpy(float), df["lat"].to_numpy(float)
    located = np.isfinite(lon) & np.isfinite(lat)
    if boundaries is None or not len(boundaries) or not located.any():
        return
    outside = np.zeros(len(df), dtype=bool)
    outside[located] = ~_inside_any(boundaries, lon[located], lat[located])
    found.cells(outside, "lon", lambda k: f"({lon[k]:.6f}, {lat[k]:.6f}) lies outside every boundary of "
                                          "data.boundaries",
                "check the coordinates (swapped lon/lat? another CRS?) or drop incidents outside the planned area")


def _since(table: pd.DataFrame, since: dt.date | None, source: str) -> tuple[pd.DataFrame, int]:
    """The incidents on or after ``since`` and how many were before; refuses to keep none."""
    if since is None:
        return table, 0
    keep = (table["time"] >= pd.Timestamp(since)).to_numpy()
    if not keep.any():
        latest = table["time"].max()
        raise DataError(f"{source}: column 'time': no incident on or after --since {since} (the latest, row "
                        f"{int(table.loc[table['time'].idxmax(), 'row'])}, is at {latest:%Y-%m-%dT%H:%M}) — "
                        "give an earlier --since, or a file with newer records")
    return table[keep], int((~keep).sum())


def _until(table: pd.DataFrame, until: dt.datetime | None, since: dt.date | None,
           source: str) -> tuple[pd.DataFrame, int]:
    """The incidents before ``until`` (the planned week's start) and how many were not; refuses
    to keep none."""
    if until is None:
        return table, 0
    keep = (table["time"] < pd.Timestamp(until)).to_numpy()
    if not keep.any():
        earliest = table["time"].min()
        raise DataError(f"{source}: column 'time': no incident before the planned week starts ({until:%Y-%m-%d}; "
                        f"the earliest{' since ' + str(since) if since else ''} is at {earliest:%Y-%m-%dT%H:%M}) — "
                        "hotspots learns from the weeks before the config's week_start: give earlier records")
    return table[keep], int((~keep).sum())


def _inside_any(boundaries, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each point lies in (or on) one of the polygons."""
    geoms = np.asarray(boundaries.geometry.values)
    tree = shapely.STRtree(geoms)
    points = shapely.points(lon, lat)
    hit_point, _ = tree.query(points, predicate="intersects")
    inside = np.zeros(len(points), dtype=bool)
    inside[hit_point] = True
    return inside
