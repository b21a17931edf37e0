"""Everything a planner reads after a solve, written into the run folder: the entry.

``report.html`` (one self-contained page), ``roster.xlsx`` (a summary sheet, the whole roster
and one printable week sheet per station), ``stations/<station_id>.pdf`` (the week sheet to
pin on the wall), ``result.gpkg`` (layers ``stations``, ``hotspots``, ``zones``, ``roster``, and ``visits``)
and, through :func:`patrolplan.outputs.plotting.write_pictures`, the PNG
pictures. Everything is drawn from the run folder's tables (``roster.csv``, ``coverage.csv``,
``summary.json``, ...) and the Scenario; nothing is solved again.

The folder's tables are read once (:func:`patrolplan.outputs.tables.read_run`) and handed to
one module per format: :mod:`.html`, :mod:`.sheets`, :mod:`.xlsx`, :mod:`.gpkg`; those
modules are the only ones deciding the file names. The names here are the ones the rest of
patrolplan, the tests and the notebook import.
"""

from __future__ import annotations

from pathlib import Path

from patrolplan.outputs.gpkg import GPKG_NAME, write_geopackage
from patrolplan.outputs.html import REPORT_NAME, visit_loops_table, write_report
from patrolplan.outputs.plotting import write_pictures
from patrolplan.outputs.sheets import STATIONS_DIR, station_sheet_names, write_sheets
from patrolplan.outputs.tables import CHANGES_NAME, RunTables, read_changes, read_run, station_load
from patrolplan.outputs.xlsx import XLSX_NAME, write_workbook
from patrolplan.outputs.xlsx import excel_sheet_names as _sheet_names  # noqa: F401  (tests/test_report.py)

__all__ = [
    "station_load",
    "write_report_html",
    "write_station_sheets",
    "station_sheet_names",
    "write_xlsx",
    "write_gpkg",
    "write_all",
    "read_run",
    "read_changes",
    "visit_loops_table",
    "RunTables",
    "REPORT_NAME",
    "XLSX_NAME",
    "GPKG_NAME",
    "STATIONS_DIR",
    "CHANGES_NAME",
]


def write_report_html(scenario, run_dir: str | Path) -> Path:
    """Write ``report.html`` from the run folder (see :func:`patrolplan.outputs.html.write_report`)."""
    return write_report(scenario, Path(run_dir), read_run(run_dir))


def write_station_sheets(scenario, run_dir: str | Path) -> list[Path]:
    """Write ``stations/<station_id>.pdf`` from the run folder's roster (see
    :func:`patrolplan.outputs.sheets.write_sheets`); the paths written."""
    return write_sheets(scenario, Path(run_dir), read_run(run_dir))


def write_xlsx(scenario, run_dir: str | Path) -> Path:
    """Write ``roster.xlsx`` from the run folder (see :func:`patrolplan.outputs.xlsx.write_workbook`)."""
    return write_workbook(scenario, Path(run_dir), read_run(run_dir))


def write_gpkg(scenario, run_dir: str | Path, *, graph=None) -> Path:
    """Write ``result.gpkg`` from the run folder, the roster along the roads of ``graph``
    where given (see :func:`patrolplan.outputs.gpkg.write_geopackage`)."""
    return write_geopackage(scenario, Path(run_dir), read_run(run_dir), graph=graph)


def write_all(scenario, run_dir: str | Path, *, graph=None) -> list[Path]:
    """Pictures, ``report.html``, ``roster.xlsx``, ``result.gpkg`` and the station sheets
    ``stations/<station_id>.pdf``, from the run folder's tables read once; the paths written
    (the sheets last; they are drawn first so that the report can link them)."""
    run_dir = Path(run_dir)
    tables = read_run(run_dir)
    sheets = write_sheets(scenario, run_dir, tables)
    paths = write_pictures(scenario, run_dir, graph=graph, tables=tables)
    paths.append(write_report(scenario, run_dir, tables))
    paths.append(write_workbook(scenario, run_dir, tables))
    paths.append(write_geopackage(scenario, run_dir, tables, graph=graph))
    return paths + sheets
