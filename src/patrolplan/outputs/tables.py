"""A run folder's tables, read once for every writer of ``outputs/``.

:func:`read_run` reads ``roster.csv``, ``coverage.csv``, ``summary.json`` and, where the run
wrote them, ``visits.csv``, ``changes.csv`` (a re-plan), ``explanation.md`` (no gap-free
roster) and ``response.csv`` into one frozen :class:`RunTables`; the writers (``html``,
``sheets``, ``xlsx``, ``gpkg`` and the pictures) take it and read nothing else of the folder's
tables. The tables the writers share, drawn from it and the Scenario (the load per station,
the roster and visits with names beside the ids), live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from patrolplan.outputs.plotting import hotspot_names, read_response, read_run_tables, read_visits
from patrolplan.solver.result import station_load as _station_load

__all__ = [
    "RunTables",
    "read_run",
    "read_changes",
    "station_load",
    "named_roster",
    "named_visits",
    "hours",
    "CHANGES_NAME",
    "EXPLANATION_NAME",
    "TIME_FMT",
]

CHANGES_NAME = "changes.csv"
EXPLANATION_NAME = "explanation.md"
#: times written as text (report.html's roster, result.gpkg): ISO 8601 without seconds
TIME_FMT = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True, eq=False)
class RunTables:
    """What the writers read of a run folder, read once (:func:`read_run`).

    ``roster`` and ``coverage`` as :func:`patrolplan.outputs.plotting.read_run_tables` gives
    them (local times parsed, ``gap`` a bool); ``summary`` summary.json (read-only; empty
    without the file); ``visits`` visits.csv parsed, None in a week without visits;
    ``changes`` changes.csv as text, None for a fresh week; ``explanation`` explanation.md,
    None where the week has a gap-free roster; ``response`` response.csv, None without it.
    The writers never change the frames.
    """

    roster: pd.DataFrame
    coverage: pd.DataFrame
    summary: Mapping[str, object]
    visits: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    explanation: str | None = None
    response: pd.DataFrame | None = None


def read_run(run_dir: str | Path) -> RunTables:
    """The run folder's tables (see :class:`RunTables`). A missing ``roster.csv`` is a
    :class:`~patrolplan.errors.DataError` that says to solve first."""
    run_dir = Path(run_dir)
    roster, coverage, summary = read_run_tables(run_dir)
    explanation = run_dir / EXPLANATION_NAME
    return RunTables(
        roster=roster,
        coverage=coverage,
        summary=MappingProxyType(summary),
        visits=read_visits(run_dir),
        changes=read_changes(run_dir),
        explanation=explanation.read_text(encoding="utf-8") if explanation.is_file() else None,
        response=read_response(run_dir),
    )


def read_changes(run_dir: str | Path) -> pd.DataFrame | None:
    """changes.csv of a re-plan (text), or None for a run folder of a fresh week."""
    path = Path(run_dir) / CHANGES_NAME
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def hours(td: pd.Series) -> pd.Series:
    """Timedeltas as hours (float)."""
    return td.dt.total_seconds() / 3600.0


def station_load(scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """Load per station of the scenario (:func:`patrolplan.solver.result.station_load`, with the
    stations' names, counties and officers)."""
    teams = scenario.teams_per_station()
    stations = scenario.stations.assign(
        station_id=scenario.stations["station_id"].astype(str),
        teams=scenario.stations["station_id"].map(teams).fillna(0).astype(int))
    return _station_load(stations, roster).drop(columns="hours_per_team")


def named_roster(scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """A copy of the roster with ``station_name`` and ``hotspot_name`` next to the ids."""
    st_names = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["name"]))
    hs_names = dict(zip(scenario.hotspots["hotspot_id"].astype(str), scenario.hotspots["name"]))
    r = roster.copy()
    r.insert(r.columns.get_loc("station_id") + 1, "station_name", r["station_id"].map(st_names).fillna(""))
    r.insert(r.columns.get_loc("hotspot_id") + 1, "hotspot_name", r["hotspot_id"].map(hs_names).fillna(""))
    return r


def named_visits(scenario, visits: pd.DataFrame | None) -> pd.DataFrame | None:
    """A copy of visits.csv with ``station_name`` / ``hotspot_name`` and ``dwell_min``; None
    without visits."""
    if visits is None:
        return None
    st_names = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["name"]))
    v = visits.copy()
    v.insert(v.columns.get_loc("station_id") + 1, "station_name", v["station_id"].map(st_names).fillna(""))
    v.insert(v.columns.get_loc("hotspot_id") + 1, "hotspot_name",
             v["hotspot_id"].map(hotspot_names(scenario, drawable=False)).fillna(""))
    v["dwell_min"] = ((v["depart"] - v["arrive"]).dt.total_seconds() // 60).astype(int)
    return v
