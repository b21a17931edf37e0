"""``roster.xlsx``: a summary sheet, the whole roster, the visits and one printable week
sheet per station, from a run folder's tables (:class:`~patrolplan.outputs.tables.RunTables`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.outputs.atomic import atomic_file
from patrolplan.outputs.plotting import CREDITS, StationWeek, station_weeks
from patrolplan.outputs.tables import RunTables, hours, named_roster, named_visits, station_load

__all__ = ["write_workbook", "excel_sheet_names", "XLSX_NAME"]

XLSX_NAME = "roster.xlsx"

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def excel_sheet_names(wanted: list[str], reserved: tuple[str, ...]) -> list[str]:
    """Excel-safe sheet names: no ``[]:*?/\\``, at most 31 characters, unique ignoring case."""
    taken = {r.casefold() for r in reserved}
    out = []
    for w in wanted:
        base = _BAD_SHEET_CHARS.sub("_", str(w)).strip().strip("'") or "station"
        name, k = base[:31], 2
        while name.casefold() in taken:
            suffix = f"~{k}"
            name, k = base[: 31 - len(suffix)] + suffix, k + 1
        taken.add(name.casefold())
        out.append(name)
    return out


def _write_table(ws, df: pd.DataFrame, first_row: int) -> int:
    """Write a header and rows from ``first_row``; datetimes as Excel times. Returns the last row."""
    from openpyxl.styles import Font, PatternFill

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for j, col in enumerate(df.columns, start=1):
        c = ws.cell(row=first_row, column=j, value=str(col))
        c.font, c.fill = bold, fill
    for i, row in enumerate(df.itertuples(index=False), start=first_row + 1):
        for j, value in enumerate(row, start=1):
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            elif isinstance(value, np.generic):
                value = value.item()
            elif isinstance(value, (dict, list, tuple)):
                value = json.dumps(value, ensure_ascii=False)
            elif value is not None and not isinstance(value, (str, int, float, bool, dt.datetime, dt.date)):
                value = str(value)
            if isinstance(value, float) and not np.isfinite(value):
                value = None
            c = ws.cell(row=i, column=j, value=value)
            if isinstance(value, dt.datetime):
                c.number_format = "yyyy-mm-dd hh:mm"
    return first_row + len(df)


def _widths(ws, df: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    for j, col in enumerate(df.columns, start=1):
        sample = [str(col)] + [str(v) for v in df[col].head(200)]
        width = max(len(s) + sum(1 for ch in s if ord(ch) > 0x2E80) for s in sample)  # CJK is double width
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 40)


def _printable(ws, n_cols: int, last_row: int, header_row: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.print_area = f"A1:{get_column_letter(max(n_cols, 1))}{max(last_row, header_row)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _station_sheet_frame(named: pd.DataFrame, week) -> pd.DataFrame:
    """The station's shifts, one row each (the list under the week grid)."""
    r = named.sort_values(["team_id", "start"])
    by_id = {sh.shift_id: sh for sh in week.shifts}
    return pd.DataFrame({
        "team_id": r["team_id"],
        "shift_id": r["shift_id"],
        "day": r["start"].dt.strftime("%a %m-%d"),
        "start": r["start"],
        "on_site_start": r["on_site_start"],
        "on_site_end": r["on_site_end"],
        "end": r["end"],
        "hours": (hours(r["end"] - r["start"])).round(2),
        "hotspot_id": r["hotspot_id"],
        "hotspot_name": r["hotspot_name"],
        "zone_id": r["zone_id"],
        "zone_name": [by_id[s].zone if s in by_id else "" for s in r["shift_id"]],
        "mode": r["mode"],
        "partners": ["、".join(by_id[s].partners) if s in by_id else "" for s in r["shift_id"]],
        "partner_ids": [";".join(by_id[s].partner_ids) if s in by_id else "" for s in r["shift_id"]],
        "travel_out_min": r["travel_out_min"],
        "travel_back_min": r["travel_back_min"],
    })


def _write_week_grid(ws, week, first_row: int) -> int:
    """The week grid (teams x days, the same cells as the PDF sheet) from ``first_row``;
    returns its last row."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill, weekend = PatternFill("solid", fgColor="DDDDDD"), PatternFill("solid", fgColor="F4F1E6")
    top_left = Alignment(wrap_text=True, vertical="top")
    c = ws.cell(row=first_row, column=1, value="team")
    c.font, c.fill, c.border = Font(bold=True), head_fill, border
    for k, day in enumerate(week.days, start=2):
        c = ws.cell(row=first_row, column=k, value=f"{day:%a %m-%d}")
        c.font, c.fill, c.border = Font(bold=True), head_fill, border
        c.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(k)].width = 26
    ws.column_dimensions["A"].width = 12
    row = first_row
    for team in week.teams:
        row += 1
        c = ws.cell(row=row, column=1, value=team)
        c.font, c.border, c.alignment = Font(bold=True), border, top_left
        n_lines = 1
        for k, day in enumerate(week.days):
            blocks = ["\n".join(s.lines(day)) for s in week.cells.get((team, k), [])]
            text = "\n\n".join(blocks)
            c = ws.cell(row=row, column=k + 2, value=text or None)
            c.alignment, c.border = top_left, border
            if day.weekday() >= 5:
                c.fill = weekend
            n_lines = max(n_lines, text.count("\n") + 1)
        ws.row_dimensions[row].height = 13.5 * n_lines + 2
    return row



def write_workbook(scenario, run_dir: Path, tables: RunTables) -> Path:
    """Write ``roster.xlsx``: sheet ``summary`` (summary.json and the load per station),
    sheet ``roster`` (every shift) and one sheet per station (every scenario station and any
    other the roster names), named ``<station_id> <name>`` cut to 31 characters and made
    unique. A station's sheet holds the same content as its PDF week sheet: the station's name
    and the week as heading, its teams as rows and the days as columns, each shift with times,
    hotspot, zone and synchronized partners (printed: one A4 landscape page), and below it
    the list of its shifts in local time (``team_id``, ``shift_id``, ``day``, times, hotspot,
    zone, ``partners``, travel), in a re-plan the station's rows of changes.csv and, in a week
    with visits, the list of its loop shifts' visits. With visits.csv a sheet ``visits`` lists
    every visit (names beside the ids, the dwell in minutes). Sheets print landscape on A4,
    fitted to the page width. ``tables``: the run folder's tables
    (:func:`patrolplan.outputs.tables.read_run`).
    """
    from openpyxl import Workbook

    named = named_roster(scenario, tables.roster)
    load = station_load(scenario, tables.roster)
    visits = named_visits(scenario, tables.visits)
    wb = Workbook()
    _summary_sheet(wb.active, scenario.config, tables, load)
    _table_sheet(wb.create_sheet("roster"), named)
    if visits is not None:
        _table_sheet(wb.create_sheet("visits"), visits)
    weeks = {w.station_id: w for w in station_weeks(scenario, tables.roster, drawable=False)}
    titles = excel_sheet_names([f"{s} {n}".strip() for s, n in zip(load["station_id"], load["name"])],
                               reserved=("summary", "roster", "visits"))
    for sid, title in zip(load["station_id"], titles):
        _station_sheet(wb.create_sheet(title), weeks[sid], _rows_of(named, sid),
                       changes=_rows_of(tables.changes, sid), visits=_rows_of(visits, sid))
    return atomic_file(Path(run_dir) / XLSX_NAME, lambda p: wb.save(p))


def _rows_of(df: pd.DataFrame | None, station_id: str) -> pd.DataFrame | None:
    """The rows of ``df`` of one station; None without a table."""
    return None if df is None else df[df["station_id"] == station_id]


def _summary_sheet(ws, cfg, tables: RunTables, load: pd.DataFrame) -> None:
    """Sheet ``summary``: the week as heading, summary.json's entries (nested ones as JSON
    text), the uncovered slots, the load per station and the credits."""
    from openpyxl.styles import Font

    ws.title = "summary"
    ws["A1"] = f"{cfg.name}: week from {cfg.week_start:%Y-%m-%d}, {cfg.horizon_days} days"
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    for key, value in tables.summary.items():
        if key == "stations":
            continue
        ws.cell(row=row, column=1, value=str(key)).font = Font(bold=True)
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        ws.cell(row=row, column=2, value=value)
        row += 1
    ws.cell(row=row, column=1, value="uncovered slots (coverage.csv)").font = Font(bold=True)
    ws.cell(row=row, column=2, value=int(tables.coverage["gap"].sum()))
    row += 2
    ws.cell(row=row, column=1, value="Load per station").font = Font(bold=True, size=12)
    last = _write_table(ws, load, row + 1)
    _widths(ws, load)
    ws.cell(row=last + 2, column=1, value=CREDITS).font = Font(italic=True, size=8)
    _printable(ws, len(load.columns), last + 2, row + 1)
    ws.freeze_panes = None


def _table_sheet(ws, df: pd.DataFrame) -> None:
    """A sheet holding one table (``roster``, ``visits``), printable."""
    last = _write_table(ws, df, 1)
    _widths(ws, df)
    _printable(ws, len(df.columns), last, 1)


def _station_sheet(ws, week: StationWeek, named: pd.DataFrame, *, changes: pd.DataFrame | None,
                   visits: pd.DataFrame | None) -> None:
    """A station's sheet: heading, the week grid (one printed page), its shifts one row
    each, in a re-plan its changes, in a week with visits its loop shifts' visits."""
    from openpyxl.styles import Font

    ws["A1"] = f"{week.title} — week {week.week}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"{week.config_name} · {week.summary()}"
    if not week.teams:
        ws["A4"] = "no shifts this week"
        _printable(ws, len(week.days) + 1, 4, 3)
        return
    last = _write_week_grid(ws, week, 4)
    _printable(ws, len(week.days) + 1, last, 4)
    ws.page_setup.fitToHeight = 1  # the grid on one page, as the PDF sheet
    ws.cell(row=last + 2, column=1, value="Shifts (one row each)").font = Font(bold=True, size=12)
    last = _write_table(ws, _station_sheet_frame(named, week), last + 3)
    if changes is not None:  # a re-plan: what changed for this station
        ws.cell(row=last + 2, column=1, value=f"Changes ({len(changes)})").font = Font(bold=True, size=12)
        if len(changes):
            last = _write_table(ws, changes, last + 3)
        else:
            ws.cell(row=last + 3, column=1, value="no shift of this station changed")
            last += 3
    if visits is not None and len(visits):
        ws.cell(row=last + 2, column=1, value="Visits of the loop shifts (one row each)").font = Font(
            bold=True, size=12)
        _write_table(ws, visits.drop(columns=["station_id", "station_name"]), last + 3)
