"""Draw a run folder's pictures to PNG files (the only place naming them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from patrolplan.outputs.atomic import atomic_file
from patrolplan.outputs.plotting._style import day_tag, day_window, resolve_day
from patrolplan.outputs.plotting._tables import read_run_tables
from patrolplan.outputs.plotting.coverage import plot_coverage
from patrolplan.outputs.plotting.gantt import figure_height_in, gantt_rows, plot_gantt
from patrolplan.outputs.plotting.loops import read_visits
from patrolplan.outputs.plotting.map import plot_map
from patrolplan.outputs.plotting.response import plot_response, read_response

if TYPE_CHECKING:  # the type only: outputs.tables reads through this package
    from patrolplan.outputs.tables import RunTables

__all__ = ["write_pictures", "picture_names"]

DPI = 110


def picture_names(tag: str = "") -> dict[str, str]:
    """File names of the pictures; ``tag`` (e.g. ``'mon'``) gives ``map_mon.png`` etc."""
    suffix = f"_{tag}" if tag else ""
    return {
        "map": f"map{suffix}.png",
        "gantt": f"gantt{suffix}.png",
        "gantt_station": f"gantt_station{suffix}.png",
        "coverage": f"coverage{suffix}.png",
    }


def _save(fig: Figure, path: Path) -> Path:
    atomic_file(path, lambda tmp: fig.savefig(tmp, dpi=DPI, bbox_inches="tight", facecolor="white"))
    fig.clear()
    return path


def write_pictures(scenario, run_dir: str | Path, *, day=None, graph=None,
                   tables: RunTables | None = None) -> list[Path]:
    """Draw ``map.png``, ``gantt.png``, ``gantt_station.png`` and ``coverage.png`` into
    ``run_dir`` from its ``roster.csv`` / ``coverage.csv`` and the scenario; return the paths.

    With ``day`` (``'mon'``..``'sun'``, a date or ISO date text) only that day is drawn, into
    ``map_<day>.png``, ``gantt_<day>.png``, ... (``<day>`` as given, e.g. ``mon``, or the ISO
    date). Figures are built without pyplot and released after saving; files are replaced
    atomically. In a week with visits (``visits.csv``) the map draws the loops (along the roads
    with ``graph``, a :class:`patrolplan.inputs.network.RoadGraph`), the timelines show each
    visit as a tick and the coverage picture the longest wait between visits.

    ``tables``: the run folder's tables as the writers of ``outputs/`` read them once
    (:func:`patrolplan.outputs.tables.read_run`); without it they are read from ``run_dir``.
    """
    run_dir = Path(run_dir)
    if tables is None:
        (roster, coverage, _), visits = read_run_tables(run_dir), read_visits(run_dir)
        response = read_response(run_dir) if day is None else None
    else:
        roster, coverage, visits, response = tables.roster, tables.coverage, tables.visits, tables.response
    tag, window = "", None
    if day is not None:
        date = resolve_day(day, scenario.config.week_start, scenario.config.horizon_days)
        tag = day_tag(day, date)
        window = day_window(date)
        lo, hi = window
        roster = roster[(roster["start"] < hi) & (roster["end"] > lo)]
        coverage = coverage[(coverage["slot_start"] >= lo) & (coverage["slot_start"] < hi)]
        if visits is not None:
            visits = visits[(visits["arrive"] < hi) & (visits["depart"] > lo)]
    names = picture_names(tag)
    out = []

    fig = Figure(figsize=(11, 10))
    plot_map(scenario, roster, day=day, ax=fig.add_subplot(), graph=graph, visits=visits)
    out.append(_save(fig, run_dir / names["map"]))

    for by, key in (("hotspot", "gantt"), ("station", "gantt_station")):
        rows = gantt_rows(roster, coverage, by=by, scenario=scenario)
        extra_lanes = 2 * len(rows)  # room for stacked and relay sub-rows
        fig = Figure(figsize=(16, figure_height_in(len(rows) + 1, extra_lanes)))
        plot_gantt(roster, coverage, by=by, ax=fig.add_subplot(), scenario=scenario, window=window, visits=visits)
        out.append(_save(fig, run_dir / names[key]))

    n_rows = coverage["hotspot_id"].nunique()
    fig = Figure(figsize=(16, figure_height_in(n_rows)))
    plot_coverage(coverage, ax=fig.add_subplot(), scenario=scenario, window=window)
    out.append(_save(fig, run_dir / names["coverage"]))

    if day is None and response is not None:
        out.append(_save_response(scenario, run_dir, response))
    return out


def _save_response(scenario, run_dir: Path, response) -> Path:
    """``response.png``: the worst hotspot-hours of ``response.csv`` (patrolplan.response)."""
    r = scenario.config.response
    fig = Figure(figsize=(12, 9))
    plot_response(response, ax=fig.add_subplot(), first_minutes=r.first_minutes, backup_minutes=r.backup_minutes)
    return _save(fig, run_dir / "response.png")
