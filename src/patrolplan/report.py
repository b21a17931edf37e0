"""Everything a planner reads after a solve, written into the run folder.

``report.html`` (one self-contained page), ``roster.xlsx`` (a summary sheet, the whole roster
and one printable sheet per station), ``result.gpkg`` (layers ``stations``, ``hotspots``,
``zones``, ``roster``) and, through :func:`patrolplan.plotting.write_pictures`, the PNG
pictures. Everything is drawn from the run folder's tables (``roster.csv``, ``coverage.csv``,
``summary.json``) and the Scenario; nothing is solved again. These functions are the only
ones deciding the file names.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .plotting import CREDITS, picture_names, read_run_tables, write_pictures
from .plotting.map import hotspot_tiers, station_hotspot_links

__all__ = [
    "station_load",
    "write_report_html",
    "write_xlsx",
    "write_gpkg",
    "write_all",
    "REPORT_NAME",
    "XLSX_NAME",
    "GPKG_NAME",
]

REPORT_NAME = "report.html"
XLSX_NAME = "roster.xlsx"
GPKG_NAME = "result.gpkg"
_TIME_FMT = "%Y-%m-%dT%H:%M"


# --- tables shared by the outputs ------------------------------------------------------


def _hours(td: pd.Series) -> pd.Series:
    return td.dt.total_seconds() / 3600.0


def station_load(scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """Load per station (every scenario station, plus any other station the roster names):
    ``station_id``, ``name``, ``county``, ``officers``, ``teams`` (available), ``teams_used``,
    ``shifts``, ``team_hours`` (travel included), ``on_site_hours``, ``travel_hours``,
    ``max_team_hours`` (the busiest team's hours) and ``max_team_shifts``.
    ``roster`` is a normalised roster (:func:`patrolplan.plotting.roster_frame`)."""
    st = scenario.stations
    teams = scenario.teams_per_station()
    r = roster.assign(
        _h=_hours(roster["end"] - roster["start"]),
        _on=_hours(roster["on_site_end"] - roster["on_site_start"]),
        _tr=(roster["travel_out_min"] + roster["travel_back_min"]) / 60.0,
    )
    g = r.groupby("station_id")
    per_team = r.groupby(["station_id", "team_id"]).agg(h=("_h", "sum"), n=("_h", "size"))
    ids = list(st["station_id"].astype(str)) + sorted(set(r["station_id"]) - set(st["station_id"].astype(str)))
    out = pd.DataFrame({"station_id": ids})
    names = dict(zip(st["station_id"].astype(str), st["name"]))
    county = dict(zip(st["station_id"].astype(str), st["county"])) if "county" in st else {}
    officers = dict(zip(st["station_id"].astype(str), st["officers"]))
    out["name"] = out["station_id"].map(names).fillna("")
    out["county"] = out["station_id"].map(county).fillna("") if county else ""
    out["officers"] = out["station_id"].map(officers).fillna(0).astype(int)
    out["teams"] = out["station_id"].map(teams).fillna(0).astype(int)
    out["teams_used"] = out["station_id"].map(g["team_id"].nunique()).fillna(0).astype(int)
    out["shifts"] = out["station_id"].map(g.size()).fillna(0).astype(int)
    out["team_hours"] = out["station_id"].map(g["_h"].sum()).fillna(0.0).round(2)
    out["on_site_hours"] = out["station_id"].map(g["_on"].sum()).fillna(0.0).round(2)
    out["travel_hours"] = out["station_id"].map(g["_tr"].sum()).fillna(0.0).round(2)
    out["max_team_hours"] = out["station_id"].map(per_team["h"].groupby(level=0).max()).fillna(0.0).round(2)
    out["max_team_shifts"] = out["station_id"].map(per_team["n"].groupby(level=0).max()).fillna(0).astype(int)
    return out


def _named_roster(scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """The roster with ``station_name`` and ``hotspot_name`` next to the ids."""
    st_names = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["name"]))
    hs_names = dict(zip(scenario.hotspots["hotspot_id"].astype(str), scenario.hotspots["name"]))
    r = roster.copy()
    r.insert(r.columns.get_loc("station_id") + 1, "station_name", r["station_id"].map(st_names).fillna(""))
    r.insert(r.columns.get_loc("hotspot_id") + 1, "hotspot_name", r["hotspot_id"].map(hs_names).fillna(""))
    return r


def _atomic(path: Path, write) -> Path:
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    if tmp.exists():
        tmp.unlink()
    write(tmp)
    os.replace(tmp, path)
    return path


# --- report.html -----------------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 1.5em auto; max-width: 1500px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.status { display: inline-block; padding: .15em .6em; border-radius: .3em; color: white; font-weight: bold; }
.status-optimal { background: #2e7d32; } .status-feasible { background: #558b2f; }
.status-gaps { background: #c62828; } .status-infeasible { background: #6a1b9a; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0; }
th, td { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; position: sticky; top: 0; }
tr:nth-child(even) td { background: #fafafa; }
td.num, th.num { text-align: right; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9em; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; font-size: .8em; }
nav a { margin-right: 1em; }
footer { margin-top: 2em; font-size: .8em; color: #666; }
"""


def _img_tag(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img id="img-{html.escape(path.stem)}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _kv_table(summary: dict) -> str:
    rows = []
    for key, value in summary.items():
        if key == "stations":
            continue  # shown as the load table
        if isinstance(value, (dict, list)):
            cell = f"<pre>{html.escape(json.dumps(value, ensure_ascii=False, indent=1))}</pre>"
        else:
            cell = html.escape("" if value is None else str(value))
        rows.append(f"<tr><th>{html.escape(str(key))}</th><td>{cell}</td></tr>")
    return "<table class='summary'>" + "".join(rows) + "</table>"


def _summary_station_table(summary: dict) -> pd.DataFrame | None:
    """summary.json's ``stations`` (load per station) as a table, whatever its exact shape."""
    st = summary.get("stations")
    if isinstance(st, dict) and st:
        if all(isinstance(v, dict) for v in st.values()):
            return pd.DataFrame.from_dict(st, orient="index").rename_axis("station_id").reset_index()
        return pd.DataFrame({"station_id": list(st), "load": list(st.values())})
    if isinstance(st, list) and st and all(isinstance(v, dict) for v in st):
        return pd.DataFrame(st)
    return None


def _frame_html(df: pd.DataFrame, table_id: str) -> str:
    return df.to_html(index=False, escape=True, border=0, table_id=table_id, na_rep="", float_format=lambda x: f"{x:g}")


def write_report_html(scenario, run_dir: str | Path) -> Path:
    """Write ``report.html``: one self-contained page (pictures embedded as base64 PNG, CSS
    inline, no scripts or external links; readable offline) with the summary, the pictures
    (drawn first if missing), the uncovered slots, a per-station load table and the roster.
    """
    run_dir = Path(run_dir)
    roster, coverage, summary = read_run_tables(run_dir)
    names = picture_names()
    if not all((run_dir / n).is_file() for n in names.values()):
        write_pictures(scenario, run_dir)
    cfg = scenario.config
    status = str(summary.get("status", "unknown"))
    title = f"patrolplan — {cfg.name}"
    captions = {
        "map": "Stations (size: officers), hotspots (colour: tier) and the links of each cooperation zone; "
               "bold links carry shifts.",
        "gantt": "The roster by hotspot: one bar per shift (solid: on site, light: travel), red: uncovered slots.",
        "gantt_station": "The roster by station: one sub-row per team.",
        "coverage": "Teams present minus demand per hotspot and hour; red: gap.",
    }
    figures = "".join(
        f"<figure id='fig-{key}'>{_img_tag(run_dir / fname, key)}<figcaption>{html.escape(captions[key])}"
        f"</figcaption></figure>"
        for key, fname in names.items()
        if (run_dir / fname).is_file()
    )
    load = station_load(scenario, roster)
    extra = _summary_station_table(summary)
    gaps = coverage[coverage["gap"]]
    gap_html = (
        _frame_html(gaps.assign(slot_start=gaps["slot_start"].dt.strftime(_TIME_FMT)), "gaps")
        if len(gaps) else "<p>None: every slot with demand is covered.</p>"
    )
    named = _named_roster(scenario, roster)
    for c in ("start", "end", "on_site_start", "on_site_end"):
        named[c] = named[c].dt.strftime(_TIME_FMT)
    parts = [
        "<!DOCTYPE html>",
        "<html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Week from {cfg.week_start:%Y-%m-%d} ({cfg.horizon_days} days), slots of {cfg.slot_minutes} min, "
        f"teams of {cfg.rules.team_size}. Status: <span class='status status-{html.escape(status)}'>"
        f"{html.escape(status)}</span> — {len(roster)} shifts, {int(gaps.shape[0])} uncovered slot(s).</p>",
        "<nav><a href='#summary'>Summary</a><a href='#pictures'>Pictures</a><a href='#gaps-h'>Gaps</a>"
        "<a href='#load'>Load per station</a><a href='#roster-h'>Roster</a></nav>",
        "<h2 id='summary'>Summary (summary.json)</h2>",
        _kv_table(summary),
        "<h2 id='pictures'>Pictures</h2>",
        figures,
        "<h2 id='gaps-h'>Uncovered slots</h2>",
        gap_html,
        "<h2 id='load'>Load per station</h2>",
        _frame_html(load, "station-load"),
    ]
    if extra is not None:
        parts += ["<details><summary>summary.json: stations</summary>", _frame_html(extra, "summary-stations"),
                  "</details>"]
    parts += [
        "<h2 id='roster-h'>Roster (roster.csv)</h2>",
        _frame_html(named, "roster"),
        f"<footer>{html.escape(CREDITS)}. Generated by patrolplan on {dt.datetime.now():%Y-%m-%d %H:%M} "
        "from the run folder's roster.csv, coverage.csv and summary.json.</footer>",
        "</body></html>",
    ]
    path = run_dir / REPORT_NAME
    return _atomic(path, lambda p: p.write_text("\n".join(parts), encoding="utf-8"))


# --- roster.xlsx -----------------------------------------------------------------------

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(wanted: list[str], reserved: tuple[str, ...]) -> list[str]:
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


def _station_sheet_frame(named: pd.DataFrame) -> pd.DataFrame:
    r = named.sort_values(["team_id", "start"])
    return pd.DataFrame({
        "team_id": r["team_id"],
        "shift_id": r["shift_id"],
        "day": r["start"].dt.strftime("%a %m-%d"),
        "start": r["start"],
        "on_site_start": r["on_site_start"],
        "on_site_end": r["on_site_end"],
        "end": r["end"],
        "hours": (_hours(r["end"] - r["start"])).round(2),
        "hotspot_id": r["hotspot_id"],
        "hotspot_name": r["hotspot_name"],
        "zone_id": r["zone_id"],
        "mode": r["mode"],
        "travel_out_min": r["travel_out_min"],
        "travel_back_min": r["travel_back_min"],
    })


def write_xlsx(scenario, run_dir: str | Path) -> Path:
    """Write ``roster.xlsx``: sheet ``summary`` (summary.json and the load per station),
    sheet ``roster`` (every shift) and one printable sheet per station (every scenario
    station and any other the roster names), named ``<station_id> <name>`` cut to 31
    characters and made unique, listing its teams' shifts in local time. Each sheet prints
    landscape on A4, fitted to the page width, the header row repeated on every page.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    run_dir = Path(run_dir)
    roster, coverage, summary = read_run_tables(run_dir)
    cfg = scenario.config
    named = _named_roster(scenario, roster)
    load = station_load(scenario, roster)

    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    ws["A1"] = f"{cfg.name}: week from {cfg.week_start:%Y-%m-%d}, {cfg.horizon_days} days"
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    for key, value in summary.items():
        if key == "stations":
            continue
        ws.cell(row=row, column=1, value=str(key)).font = Font(bold=True)
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        ws.cell(row=row, column=2, value=value)
        row += 1
    ws.cell(row=row, column=1, value="uncovered slots (coverage.csv)").font = Font(bold=True)
    ws.cell(row=row, column=2, value=int(coverage["gap"].sum()))
    row += 2
    ws.cell(row=row, column=1, value="Load per station").font = Font(bold=True, size=12)
    last = _write_table(ws, load, row + 1)
    _widths(ws, load)
    ws.cell(row=last + 2, column=1, value=CREDITS).font = Font(italic=True, size=8)
    _printable(ws, len(load.columns), last + 2, row + 1)
    ws.freeze_panes = None

    full = named.copy()
    ws = wb.create_sheet("roster")
    last = _write_table(ws, full, 1)
    _widths(ws, full)
    _printable(ws, len(full.columns), last, 1)

    sheet_names = _sheet_names([f"{s} {n}".strip() for s, n in zip(load["station_id"], load["name"])],
                               reserved=("summary", "roster"))
    for sid, name, sheet in zip(load["station_id"], load["name"], sheet_names):
        ws = wb.create_sheet(sheet)
        info = load[load["station_id"] == sid].iloc[0]
        ws["A1"] = f"{sid} {name} — {cfg.name}, week from {cfg.week_start:%Y-%m-%d}"
        ws["A1"].font = Font(bold=True, size=13)
        ws["A2"] = (f"{int(info['officers'])} officers, {int(info['teams'])} teams of {cfg.rules.team_size}; "
                    f"{int(info['shifts'])} shifts, {info['team_hours']:g} team-hours "
                    f"({info['travel_hours']:g} h travel). Times are local.")
        df = _station_sheet_frame(named[named["station_id"] == sid])
        if df.empty:
            df = pd.DataFrame(columns=df.columns)
        last = _write_table(ws, df, 3)
        if len(df) == 0:
            ws.cell(row=4, column=1, value="no shifts this week")
            last = 4
        _widths(ws, df)
        _printable(ws, len(df.columns), last, 3)

    path = run_dir / XLSX_NAME
    return _atomic(path, lambda p: wb.save(p))


# --- result.gpkg -----------------------------------------------------------------------


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Columns a GeoPackage can hold: tuples/lists/dicts as text, datetimes as ISO text."""
    out = df.copy()
    for col in out.columns:
        if col == "geometry":
            continue
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime(_TIME_FMT)
        elif s.dtype == object:
            out[col] = [";".join(map(str, v)) if isinstance(v, (tuple, list)) else
                        (json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v) for v in s]
            if all(v is None or isinstance(v, str) for v in out[col]):
                out[col] = out[col].astype(object)
            else:
                out[col] = out[col].astype(str)
    return out


def _shift_path(graph, a: tuple[float, float], b: tuple[float, float]) -> tuple[list[tuple[float, float]], str]:
    """The road path from ``a`` to ``b`` and ``'road'``, else the straight line and ``'straight'``."""
    if graph is not None:
        try:
            path = [(float(x), float(y)) for x, y in graph.path_lonlat(a, b)]
        except Exception:  # unreachable or snapping failure: fall back to the straight line
            path = []
        if len(path) >= 2:
            return path, "road"
    return [a, b], "straight"


def write_gpkg(scenario, run_dir: str | Path, *, graph=None) -> Path:
    """Write ``result.gpkg`` (EPSG:4326) with layers

    ``stations``
        points, the stations' columns plus ``teams``, ``shifts``, ``team_hours``, ``travel_hours``;
    ``hotspots``
        points, plus the zone's ``tier`` and ``mode``, ``shifts``, ``uncovered_slots``;
    ``zones``
        one line per zone, member station and hotspot of the zone (``zone_id``, ``tier``,
        ``mode``, ``station_id``, ``hotspot_id``, ``shifts``);
    ``roster``
        one line per roster row along its road path (``graph.path_lonlat`` when a
        ``network.RoadGraph`` is given, else the straight line) from station to hotspot;
        times as ISO text, ``path`` = ``road`` or ``straight``.
    """
    import geopandas as gpd
    import shapely

    run_dir = Path(run_dir)
    roster, coverage, _ = read_run_tables(run_dir)
    load = station_load(scenario, roster).set_index("station_id")

    st = scenario.stations.copy()
    sid = st["station_id"].astype(str)
    for col in ("teams", "shifts", "team_hours", "travel_hours"):
        st[col] = sid.map(load[col]).to_numpy()
    st_g = gpd.GeoDataFrame(_plain(st), geometry=gpd.points_from_xy(st["lon"], st["lat"]), crs="EPSG:4326")

    hs = scenario.hotspots.copy()
    hid = hs["hotspot_id"].astype(str)
    zmode = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["mode"].astype(str)))
    hs["tier"] = hid.map(hotspot_tiers(scenario)).to_numpy()
    hs["mode"] = hs["zone_id"].astype(str).map(zmode).fillna("").to_numpy()
    hs["shifts"] = hid.map(roster.groupby("hotspot_id").size()).fillna(0).astype(int).to_numpy()
    hs["uncovered_slots"] = hid.map(coverage.groupby("hotspot_id")["gap"].sum()).fillna(0).astype(int).to_numpy()
    hs_g = gpd.GeoDataFrame(_plain(hs), geometry=gpd.points_from_xy(hs["lon"], hs["lat"]), crs="EPSG:4326")

    links = station_hotspot_links(scenario)
    n_shifts = roster.groupby(["station_id", "hotspot_id"]).size()
    links["shifts"] = [int(n_shifts.get((s, h), 0)) for s, h in zip(links["station_id"], links["hotspot_id"])]
    z_geom = shapely.linestrings(
        np.stack([links[["station_lon", "station_lat"]].to_numpy(float),
                  links[["hotspot_lon", "hotspot_lat"]].to_numpy(float)], axis=1).reshape(-1, 2, 2)
    ) if len(links) else []
    z_g = gpd.GeoDataFrame(links[["zone_id", "tier", "mode", "station_id", "hotspot_id", "shifts"]],
                           geometry=gpd.GeoSeries(z_geom, crs="EPSG:4326"), crs="EPSG:4326")

    sxy = dict(zip(sid, zip(st["lon"].astype(float), st["lat"].astype(float))))
    hxy = dict(zip(hid, zip(hs["lon"].astype(float), hs["lat"].astype(float))))
    cache: dict[tuple[str, str], tuple[list, str]] = {}
    geoms, kinds = [], []
    for s_id, h_id in zip(roster["station_id"], roster["hotspot_id"]):
        key = (s_id, h_id)
        if key not in cache:
            if s_id in sxy and h_id in hxy:
                path, kind = _shift_path(graph, sxy[s_id], hxy[h_id])
                cache[key] = (shapely.LineString(path), kind)
            else:
                cache[key] = (None, "unknown")
        g, kind = cache[key]
        geoms.append(g)
        kinds.append(kind)
    named = _named_roster(scenario, roster).assign(path=kinds)
    r_g = gpd.GeoDataFrame(_plain(named), geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")

    def write(tmp: Path) -> None:
        for layer, gdf, gtype in (("stations", st_g, "Point"), ("hotspots", hs_g, "Point"),
                                  ("zones", z_g, "LineString"), ("roster", r_g, "LineString")):
            gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio", geometry_type=gtype)

    return _atomic(run_dir / GPKG_NAME, write)


# --- all -------------------------------------------------------------------------------


def write_all(scenario, run_dir: str | Path, *, graph=None) -> list[Path]:
    """Pictures, ``report.html``, ``roster.xlsx`` and ``result.gpkg``; the paths written."""
    paths = write_pictures(scenario, run_dir)
    paths.append(write_report_html(scenario, run_dir))
    paths.append(write_xlsx(scenario, run_dir))
    paths.append(write_gpkg(scenario, run_dir, graph=graph))
    return paths
