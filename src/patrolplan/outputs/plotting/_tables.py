"""Read and normalise a run folder's tables (columns fixed by the contract).

Plots accept the tables either as read from disk (times as ISO text, ``gap`` as
``true``/``false``) or as the solver's DataFrames; :func:`roster_frame` and
:func:`coverage_frame` turn both into naive local ``Timestamp`` columns and a bool ``gap``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from patrolplan.columns import COVERAGE_COLUMNS, ROSTER_COLUMNS
from patrolplan.errors import DataError

__all__ = ["ROSTER_COLUMNS", "COVERAGE_COLUMNS", "read_run_tables", "roster_frame", "coverage_frame"]

_ROSTER_TIMES = ("start", "end", "on_site_start", "on_site_end")
_ID_COLUMNS = ("shift_id", "team_id", "station_id", "zone_id", "hotspot_id", "mode")
_TRUE = {"true", "1", "yes", "t", "y"}


def _times(series: pd.Series, *, what: str) -> pd.Series:
    """ISO 8601 local times (an offset may follow: the wall time is kept) -> naive Timestamps."""
    if pd.api.types.is_datetime64_any_dtype(series):
        out = series
    else:
        try:
            out = pd.to_datetime(series.astype(str), format="ISO8601")
        except (ValueError, TypeError):
            # Mixed offsets: parse one by one, keeping each wall time.
            out = pd.Series(
                [pd.Timestamp(str(v)).tz_localize(None) if str(v) else pd.NaT for v in series],
                index=series.index,
            )
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out.astype("datetime64[ns]")


def _missing(df: pd.DataFrame, columns, source: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)} — the run folder's tables must "
            "have the contract's columns"
        )


def roster_frame(roster: pd.DataFrame, *, source: str = "roster") -> pd.DataFrame:
    """A copy of ``roster`` with parsed times and text ids (columns as in the contract)."""
    _missing(roster, ROSTER_COLUMNS, source)
    df = roster.copy()
    for col in _ID_COLUMNS:
        df[col] = df[col].astype(str)
    for col in _ROSTER_TIMES:
        df[col] = _times(df[col], what=col)
    for col in ("travel_out_min", "travel_back_min"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype(int)
    return df


def coverage_frame(coverage: pd.DataFrame, *, source: str = "coverage") -> pd.DataFrame:
    """A copy of ``coverage`` with parsed ``slot_start``, int demand/present, bool ``gap``."""
    _missing(coverage, COVERAGE_COLUMNS, source)
    df = coverage.copy()
    df["hotspot_id"] = df["hotspot_id"].astype(str)
    df["slot_start"] = _times(df["slot_start"], what="slot_start")
    df["demand"] = pd.to_numeric(df["demand"], errors="coerce").fillna(0).astype(int)
    df["present"] = pd.to_numeric(df["present"], errors="coerce").fillna(0).astype(int)
    df["stations"] = df["stations"].fillna("").astype(str).replace("nan", "")
    if df["gap"].dtype != bool:
        df["gap"] = df["gap"].map(lambda v: str(v).strip().lower() in _TRUE).astype(bool)
    # patrolplan's own coverage.csv adds `required` (demand raised to a synchronized zone's
    # min_stations) and `sync_ok`; tables from elsewhere may lack them
    if "required" in df:
        df["required"] = pd.to_numeric(df["required"], errors="coerce").fillna(df["demand"]).astype(int)
    else:
        df["required"] = df["demand"]
    if "sync_ok" in df:
        if df["sync_ok"].dtype != bool:
            df["sync_ok"] = df["sync_ok"].map(lambda v: str(v).strip().lower() in _TRUE).astype(bool)
        df["gap"] = df["gap"] | ~df["sync_ok"]
    return df


def read_run_tables(run_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """``(roster, coverage, summary)`` of a run folder, normalised.

    A missing ``coverage.csv`` gives an empty coverage table; a missing ``summary.json`` an
    empty dict; a missing ``roster.csv`` is a :class:`DataError`.
    """
    run_dir = Path(run_dir)
    roster_path = run_dir / "roster.csv"
    if not roster_path.is_file():
        raise DataError(f"{roster_path}: no roster.csv in this run folder — solve first (patrolplan solve)")
    roster = pd.read_csv(roster_path, dtype=str, keep_default_na=False)
    roster = roster_frame(roster, source=str(roster_path))
    cov_path = run_dir / "coverage.csv"
    if cov_path.is_file():
        coverage = pd.read_csv(cov_path, dtype=str, keep_default_na=False)
        coverage = coverage_frame(coverage, source=str(cov_path))
    else:
        coverage = coverage_frame(pd.DataFrame({c: [] for c in COVERAGE_COLUMNS}))
    summary_path = run_dir / "summary.json"
    summary: dict = {}
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise DataError(f"{summary_path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    return roster, coverage, summary


def slot_minutes_of(coverage: pd.DataFrame, default: int = 60) -> int:
    """The slot length seen in ``coverage`` (smallest step between a hotspot's slots)."""
    if coverage.empty:
        return default
    steps = (
        coverage.sort_values("slot_start").groupby("hotspot_id")["slot_start"].diff().dropna()
    )
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        return default
    return max(1, int(steps.min() / pd.Timedelta(minutes=1)))
