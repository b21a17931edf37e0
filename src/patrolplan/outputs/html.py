"""``report.html``: one self-contained page in a planner's order, from a run folder's tables.

:func:`write_report` takes the tables read once (:class:`~patrolplan.outputs.tables.RunTables`)
and the Scenario; it embeds the pictures (drawn first if missing), the CSS, the JavaScript and
the CJK characters the page uses, so nothing is fetched from anywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.outputs.atomic import atomic_file
from patrolplan.outputs.plotting import (
    CREDITS,
    hotspot_names,
    picture_names,
    shipped_font_path,
    slot_minutes_of,
    station_weeks,
    week_label,
    write_pictures,
)
from patrolplan.outputs.sheets import STATIONS_DIR, station_sheet_names
from patrolplan.outputs.tables import TIME_FMT, RunTables, hours, named_roster, station_load

__all__ = ["write_report", "visit_loops_table", "REPORT_NAME"]

REPORT_NAME = "report.html"

_CSS = """
body { font-family: "patrolplan CJK", "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC",
       sans-serif; margin: 1.5em auto; max-width: 1500px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h3 { margin: 1.2em 0 .3em; }
.lead { font-size: 1.15em; line-height: 1.5; }
.status { display: inline-block; padding: .15em .6em; border-radius: .3em; color: white; font-weight: bold; }
.status-optimal { background: #2e7d32; } .status-feasible { background: #558b2f; }
.status-gaps { background: #c62828; } .status-infeasible { background: #6a1b9a; }
ul.attention li { margin: .25em 0; } li.warn::marker { color: #c62828; } li.ok::marker { color: #2e7d32; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0; }
th, td { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; position: sticky; top: 0; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort=ascending]::after { content: " \\25B2"; font-size: .7em; }
table.sortable th[aria-sort=descending]::after { content: " \\25BC"; font-size: .7em; }
tr:nth-child(even) td { background: #fafafa; }
td.num, th.num { text-align: right; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9em; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; font-size: .8em; }
nav a { margin-right: 1em; }
.filter { margin: .5em 0; } .filter input { font-size: 1em; padding: .2em .4em; width: 24em; }
table.week { table-layout: fixed; width: 100%; }
table.week th.team { width: 7em; }
table.week td { font-size: .95em; }
table.week .shift { margin-bottom: .35em; } table.week .shift .l { overflow: hidden; text-overflow: ellipsis; }
table.week .sync { color: #8b1a1a; } table.week .relay { color: #0b5f66; }
table.week th.weekend, table.week td.weekend { background: #f7f4ea; }
.station-page { margin-bottom: 1.5em; }
details.technical summary { cursor: pointer; font-weight: bold; }
footer { margin-top: 2em; font-size: .8em; color: #666; }
@media print {
  @page { size: A4 landscape; margin: 9mm; }
  body { margin: 0; padding: 0; max-width: none; font-size: 9pt; }
  body > *:not(#week), #week > *:not(.station-page), .no-print { display: none !important; }
  .station-page { break-inside: avoid; page-break-inside: avoid; margin: 0; }
  .station-page + .station-page { break-before: page; page-break-before: always; }
  .station-page h3 { margin: 0 0 .2em; font-size: 14pt; }
  .station-page p { margin: 0 0 .4em; font-size: 8pt; }
  table.week { font-size: var(--print-fs, 7pt); margin: 0; }
  table.week td, table.week th { padding: .1em .25em; }
  table.week .shift .l { white-space: nowrap; }
  th { position: static; }
}
"""

_SCRIPT = """
(function () {
  "use strict";
  function cellText(row, i) { var c = row.cells[i]; return c ? c.textContent.trim() : ""; }
  function sortBy(table, col, th) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var numeric = rows.every(function (r) { var v = cellText(r, col); return v === "" || !isNaN(Number(v)); });
    rows.sort(function (a, b) {
      var x = cellText(a, col), y = cellText(b, col);
      if (numeric) { return ((x === "" ? -Infinity : Number(x)) - (y === "" ? -Infinity : Number(y))) * dir || 0; }
      return x.localeCompare(y, "zh-CN", {numeric: true}) * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = "click to sort";
      th.addEventListener("click", function () { sortBy(table, i, th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(table, i, th); } });
    });
  });
  function applyFilter(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    if (!table || !table.tBodies.length) { return; }
    var terms = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var text = Array.prototype.map.call(rows[i].cells, function (c) { return c.textContent; }).join("\\t").toLowerCase();
      var ok = terms.every(function (t) { return text.indexOf(t) >= 0; });
      rows[i].hidden = !ok;
      if (ok) { shown++; }
    }
    var count = document.getElementById(input.getAttribute("data-count"));
    if (count) { count.textContent = shown + " of " + rows.length + " shown"; }
  }
  Array.prototype.forEach.call(document.querySelectorAll("input.table-filter"), function (input) {
    input.addEventListener("input", function () { applyFilter(input); });
  });
  // report.html?filter=TEXT opens the page with the roster filtered (links, tests).
  var wanted = new URLSearchParams(window.location.search).get("filter");
  var box = document.getElementById("roster-filter");
  if (box && wanted !== null) { box.value = wanted; }
  Array.prototype.forEach.call(document.querySelectorAll("input.table-filter"), applyFilter);
})();
"""

_CAPTIONS = {
    "map": "Stations (size: officers), hotspots (colour: tier) and the links of each cooperation zone; "
           "bold links carry shifts. County names in grey.",
    "gantt": "The roster by hotspot: one bar per shift (solid: on site, light: travel), red: uncovered slots.",
    "gantt_station": "The roster by station: one sub-row per team.",
    "coverage": "Teams present minus demand per hotspot and hour; red: gap.",
}


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _img_tag(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img id="img-{html.escape(path.stem)}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _value_html(value) -> str:
    """A summary value: nested dicts as small tables, lists and scalars as text."""
    if isinstance(value, dict):
        rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_value_html(v)}</td></tr>" for k, v in value.items())
        return f"<table class='kv'>{rows}</table>"
    if isinstance(value, list):
        return f"<pre>{html.escape(json.dumps(value, ensure_ascii=False, indent=1))}</pre>"
    return _esc(value)


def _kv_table(summary: dict, *, skip=("stations",)) -> str:
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_value_html(v)}</td></tr>"
                   for k, v in summary.items() if k not in skip)
    return f"<table class='summary' id='summary-json'>{rows}</table>"


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


def _frame_html(df: pd.DataFrame, table_id: str, *, sortable: bool = False) -> str:
    return df.to_html(index=False, escape=True, border=0, table_id=table_id, na_rep="",
                      classes="sortable" if sortable else None, float_format=lambda x: f"{x:g}")


def _num(summary: dict, key: str, default: float) -> float:
    try:
        value = float(summary.get(key))
    except (TypeError, ValueError):
        return float(default)
    return value if np.isfinite(value) else float(default)


def _gap_runs(scenario, coverage: pd.DataFrame) -> pd.DataFrame:
    """Uncovered slots merged into runs per hotspot: ``hotspot``, ``hotspot_id``, ``from``,
    ``to``, ``slots``, ``required``, ``present``, ``stations present``, ``why``."""
    cols = ["hotspot", "hotspot_id", "from", "to", "slots", "required", "present", "stations present", "why"]
    gaps = coverage[coverage["gap"]].sort_values(["hotspot_id", "slot_start"])
    if gaps.empty:
        return pd.DataFrame(columns=cols)
    slot = pd.Timedelta(minutes=slot_minutes_of(coverage, scenario.config.slot_minutes))
    names = hotspot_names(scenario, drawable=False)
    sync_ok = gaps["sync_ok"] if "sync_ok" in gaps else pd.Series(True, index=gaps.index)
    why = np.where(gaps["present"] < gaps["demand"], "too few teams",
                   np.where(~sync_ok.astype(bool), "synchronized: partner station missing", "too few teams"))
    if "presence" in gaps:
        why = np.where(gaps["presence"] == "visit", "visits: none within the interval", why)
    gaps = gaps.assign(_why=why)
    new_run = ((gaps["hotspot_id"] != gaps["hotspot_id"].shift()) |
               (gaps["slot_start"] != gaps["slot_start"].shift() + slot) | (gaps["_why"] != gaps["_why"].shift()))
    gaps = gaps.assign(_run=new_run.cumsum())
    rows = []
    for _, g in gaps.groupby("_run", sort=False):
        h = g["hotspot_id"].iloc[0]
        rows.append([names.get(h, h), h, g["slot_start"].iloc[0].strftime(TIME_FMT),
                     (g["slot_start"].iloc[-1] + slot).strftime(TIME_FMT), len(g), int(g["required"].max()),
                     int(g["present"].min()), ";".join(sorted({s for v in g["stations"] for s in str(v).split(";") if s})),
                     g["_why"].iloc[0]])
    return pd.DataFrame(rows, columns=cols)


def _status_sentence(summary: dict, roster: pd.DataFrame, coverage: pd.DataFrame) -> str:
    """The run in one sentence: gap-free or not, shifts and team-hours, distance to the bound."""
    status = str(summary.get("status", "unknown"))
    is_visit = (coverage["presence"] == "visit") if "presence" in coverage else pd.Series(False, index=coverage.index)
    n_gap = int((coverage["gap"] & ~is_visit).sum())
    n_visit = int((coverage["gap"] & is_visit).sum())
    shift_hours = float((roster["end"] - roster["start"]).dt.total_seconds().sum() / 3600.0)
    team_hours = _num(summary, "team_hours", shift_hours)
    travel = _num(summary, "travel_hours", (roster["travel_out_min"] + roster["travel_back_min"]).sum() / 60.0)
    work = f"{len(roster):,} shifts, {team_hours:,.0f} team-hours ({travel:,.0f} h of it travel)"
    gap_pct = summary.get("gap_pct")
    if status == "optimal":
        best = "proven the best possible roster"
    elif isinstance(gap_pct, (int, float)) and np.isfinite(gap_pct):
        best = f"at most {gap_pct:.2g} % from the best possible (bound {_num(summary, 'best_bound', 0):,.1f})"
    else:
        best = "its distance from the best possible is unknown"
    if status == "infeasible" and not len(roster):
        return "No roster could be made for this week: see what needs attention below."
    if n_gap == 0 and n_visit == 0 and status in ("optimal", "feasible"):
        return f"Gap-free: every slot with demand is covered, with {work}; {best}."
    parts = []
    if n_gap or not n_visit:
        short = _num(summary, "uncovered_team_hours", n_gap * slot_minutes_of(coverage) / 60.0)
        n_h = coverage.loc[coverage["gap"] & ~is_visit, "hotspot_id"].nunique()
        parts.append(f"{n_gap} slot{'s' if n_gap != 1 else ''} with demand at {n_h} "
                     f"hotspot{'s' if n_h != 1 else ''} uncovered ({short:g} team-hours short)")
    if n_visit:
        visit_hours = _num(summary, "uncovered_visit_hours", n_visit * slot_minutes_of(coverage) / 60.0)
        n_hv = coverage.loc[coverage["gap"] & is_visit, "hotspot_id"].nunique()
        parts.append(f"{visit_hours:g} visit-demanded hotspot-hours at {n_hv} hotspot{'s' if n_hv != 1 else ''} without a "
                     "visit within the interval")
    return (f"Not gap-free: {'; '.join(parts)}, with {work}; "
            f"{best}.")


def _load_ranking(load: pd.DataFrame) -> pd.DataFrame:
    """Stations with teams, by hours per available team (most loaded first)."""
    df = load[load["teams"] > 0].copy()
    df["hours_per_team"] = (df["team_hours"] / df["teams"]).round(1)
    return df.sort_values(["hours_per_team", "team_hours", "station_id"], ascending=[False, False, True])


def _station_link(sid: str, name: str) -> str:
    text = name if name and name != sid else sid
    return f"<a href='#station-{_esc(_anchor(sid))}'>{_esc(text)}</a>"


def _anchor(sid: str) -> str:
    return re.sub(r"[^\w-]", "_", str(sid))


def _attention_html(scenario, summary, coverage, load, gap_runs, explanation: str | None) -> str:
    """What needs the planner's attention, each item linking to the details."""
    items: list[tuple[str, str]] = []
    n_gap = int(coverage["gap"].sum())
    if n_gap:
        worst = gap_runs.groupby(["hotspot", "hotspot_id"])["slots"].sum().sort_values(ascending=False)
        where = ", ".join(f"{_esc(h)} ({n})" for (h, _), n in worst.head(5).items())
        more = f" and {len(worst) - 5} more" if len(worst) > 5 else ""
        items.append(("warn", f"<a href='#gaps'>{n_gap} uncovered slot{'s' if n_gap != 1 else ''}</a> "
                              f"at {where}{more}."))
    else:
        items.append(("ok", "No gaps: every slot with demand is covered."))
    if "sync_ok" in coverage:
        short = coverage[~coverage["sync_ok"].astype(bool)]
        if len(short):
            hs = short["hotspot_id"].nunique()
            items.append(("warn", f"<a href='#gaps'>{len(short)} synchronized slot{'s' if len(short) != 1 else ''}"
                                  f"</a> at {hs} hotspot{'s' if hs != 1 else ''} short of partner stations "
                                  "(teams of too few stations or jurisdictions on site)."))
        else:
            sync = coverage.merge(scenario.hotspots[["hotspot_id", "zone_id"]].astype(str), on="hotspot_id", how="left")
            zmode = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["mode"].astype(str)))
            if (sync["zone_id"].map(zmode) == "synchronized").any():
                items.append(("ok", "Every synchronized slot has teams of enough stations on site together."))
    ranking = _load_ranking(load)
    if len(ranking) and ranking["hours_per_team"].max() == ranking["hours_per_team"].min():
        items.append(("info", f"Load is even: every station with teams works "
                              f"{ranking['hours_per_team'].iloc[0]:g} h per team "
                              "(<a href='#week'>week per station</a>)."))
    elif len(ranking):
        fmt = lambda r: f"{_station_link(r.station_id, r.name)} ({r.hours_per_team:g} h per team, {r.shifts} shifts)"
        top = "; ".join(fmt(r) for r in ranking.head(3).itertuples(index=False))
        low = "; ".join(fmt(r) for r in ranking.tail(3).iloc[::-1].itertuples(index=False))
        items.append(("info", f"Loaded most: {top}."))
        items.append(("info", f"Loaded least: {low}."))
    check = summary.get("check")
    if isinstance(check, dict) and check.get("rule_violations"):
        items.append(("warn", f"The independent check found {int(check['rule_violations'])} broken rule(s): "
                              "run <code>patrolplan check</code> on this run folder."))
    for w in summary.get("warnings") or []:
        items.append(("warn", f"Input: {_esc(w)}"))
    lis = "".join(f"<li class='{cls}'>{text}</li>" for cls, text in items)
    out = f"<ul class='attention'>{lis}</ul>"
    if explanation:
        out += ("<details id='explanation' open><summary>Why there is no gap-free roster (explanation.md)</summary>"
                f"<pre>{_esc(explanation)}</pre></details>")
    if len(gap_runs):
        out += "<h3 id='gaps'>Uncovered slots</h3>" + _frame_html(gap_runs, "gaps", sortable=True)
    return out


def _week_table_html(week) -> str:
    """A station's week as an HTML table (teams x days), the same cells as the PDF sheet."""
    days = "".join(f"<th class='{'weekend' if d.weekday() >= 5 else ''}'>{d:%a %m-%d}</th>" for d in week.days)
    body = []
    for team in week.teams:
        cells = []
        for k, day in enumerate(week.days):
            blocks = []
            for s in week.cells.get((team, k), []):
                lines = s.lines(day)
                cls = {"synchronized": "sync", "staggered": "relay"}.get(s.mode, "")
                inner = f"<div class='l'><b>{_esc(lines[0])}</b></div>" + "".join(
                    f"<div class='l'>{_esc(line)}</div>" for line in lines[1:])
                blocks.append(f"<div class='shift {cls}' title='{_esc(s.shift_id)}'>{inner}</div>")
            cells.append(f"<td class='{'weekend' if day.weekday() >= 5 else ''}'>{''.join(blocks)}</td>")
        body.append(f"<tr><th class='team'>{_esc(team)}</th>{''.join(cells)}</tr>")
    if not body:
        body.append(f"<tr><td colspan='{len(week.days) + 1}'>No shifts this week.</td></tr>")
    return (f"<table class='week'><thead><tr><th class='team'>team</th>{days}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _print_font_pt(week) -> float:
    """A font size that fits the station's week on one A4 landscape page (about 480 pt of rows)."""
    lines = 0.0
    for team in week.teams:
        per_day = [sum(len(s.lines(d)) + 0.4 for s in week.cells.get((team, k), []))
                   for k, d in enumerate(week.days)]
        lines += max(per_day + [1.0]) + 0.5
    return round(max(3.5, min(8.0, 380.0 / max(lines * 1.25, 1.0))), 1)


def _week_section_html(scenario, run_dir: Path, roster, load: pd.DataFrame) -> str:
    weeks = station_weeks(scenario, roster, drawable=False)
    pdfs = station_sheet_names(scenario, roster)
    table = load.copy()
    table.insert(1, "station", [name or sid for sid, name in zip(load["station_id"], load["name"])])
    table = table.drop(columns=["name"])
    parts = ["<section id='week'><h2>Week per station</h2>",
             "<p class='no-print'>Load per station (click a column to sort); each station's week follows, "
             "one page per station when printed. Station sheets as PDF: <code>stations/</code>.</p>",
             _frame_html(table, "station-load", sortable=True)]
    for week in weeks:
        pdf = pdfs.get(week.station_id)
        link = (f" <a class='no-print' href='stations/{_esc(pdf)}'>PDF</a>"
                if pdf and (run_dir / STATIONS_DIR / pdf).is_file() else "")
        parts.append(
            f"<section class='station-page' id='station-{_esc(_anchor(week.station_id))}' "
            f"style='--print-fs: {_print_font_pt(week)}pt'>"
            f"<h3>{_esc(week.title)} — week {_esc(week.week)}{link}</h3>"
            f"<p>{_esc(week.config_name)} · {_esc(week.summary())}</p>{_week_table_html(week)}</section>")
    parts.append("</section>")
    return "".join(parts)


def _roster_section_html(scenario, roster: pd.DataFrame) -> str:
    named = named_roster(scenario, roster)
    for c in ("start", "end", "on_site_start", "on_site_end"):
        named[c] = named[c].dt.strftime(TIME_FMT)
    return ("<h2 id='roster-h'>Roster (roster.csv)</h2>"
            "<div class='filter'><label for='roster-filter'>Filter: </label>"
            "<input id='roster-filter' class='table-filter' type='search' data-table='roster' "
            "data-count='roster-count' placeholder='station, hotspot, team, date… (all words must match)'> "
            f"<span id='roster-count'>{len(named)} of {len(named)} shown</span></div>"
            + _frame_html(named, "roster", sortable=True))


def visit_loops_table(scenario, roster: pd.DataFrame, visits: pd.DataFrame | None) -> pd.DataFrame:
    """One row per visit loop of the roster: ``loop_id``, ``stations`` (names), ``hotspots``
    (names, in first-cycle order), ``shifts``, ``team_hours`` (travel included) and ``visits``."""
    if "loop_id" not in roster or visits is None:
        return pd.DataFrame(columns=["loop_id", "stations", "hotspots", "shifts", "team_hours", "visits"])
    loops = roster[roster["loop_id"].fillna("").astype(str) != ""]
    if loops.empty:
        return pd.DataFrame(columns=["loop_id", "stations", "hotspots", "shifts", "team_hours", "visits"])
    st_names = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["name"]))
    hs_names = hotspot_names(scenario, drawable=False)
    n_visits = visits.groupby("shift_id").size()
    rows = []
    for lid, g in loops.groupby("loop_id", sort=True):
        stops = [h for h in str(g["loop_hotspots"].iloc[0]).split(";") if h]
        rows.append({
            "loop_id": lid,
            "stations": "、".join(st_names.get(x, x) for x in sorted(set(g["station_id"]))),
            "hotspots": " → ".join(hs_names.get(h, h) for h in stops),
            "shifts": int(len(g)),
            "team_hours": round(float(hours(g["end"] - g["start"]).sum()), 1),
            "visits": int(g["shift_id"].map(n_visits).fillna(0).sum()),
        })
    return pd.DataFrame(rows)


def _visits_section_html(scenario, summary: dict, roster: pd.DataFrame, visits: pd.DataFrame | None) -> str:
    """The visits section: what loops replace (team-hours against posts), how spread the visit
    times are, and the loops. Empty in a week without visit demand."""
    v = summary.get("visits")
    if not isinstance(v, dict):
        return ""
    loop_h = float(v.get("loop_team_hours") or 0.0)
    posts_h = float(v.get("as_posts_team_hours") or 0.0)
    saving = (f"The same coverage as posts (a team standing at each hotspot through every visit hour) would "
              f"take <b>{posts_h:,.0f}</b> team-hours; the loops take <b>{loop_h:,.0f}</b>"
              + (f" ({100 * loop_h / posts_h:.0f} %), a saving of {posts_h - loop_h:,.0f} team-hours."
                 if posts_h > 0 else "."))
    spread = v.get("minute_of_hour_std")
    spread_text = ("Visit times: " + ("randomised per cycle (seeded); " if v.get("randomize") else "a fixed order; ")
                   + (f"the spread of each hotspot's visit minute within the hour is {spread:g} min (median over "
                      "hotspots; 0 = always the same minute, about 17 = spread evenly)." if spread is not None
                      else "no visits planned."))
    table = visit_loops_table(scenario, roster, visits)
    return "".join([
        "<section id='visits-s'><h2 id='visits'>Visits (loops)</h2>",
        f"<p id='visits-saving'>{v.get('visits', 0):,} visits by {v.get('loop_shifts', 0):,} loop shifts over "
        f"{float(v.get('visit_demanded_hotspot_hours') or 0):,.0f} visit-demanded hotspot-hours. {saving}</p>",
        f"<p id='visits-spread'>{html.escape(spread_text)}</p>",
        "<p>Each loop drives out, stops at its hotspots in turn (the order varies per cycle when randomised), "
        "and drives back; the map draws it along the roads, the timelines show each visit as a tick, and "
        "<a href='visits.csv'>visits.csv</a> lists every visit.</p>",
        _frame_html(table, "visit-loops", sortable=True) if len(table) else "<p>No loop shifts.</p>",
        "</section>",
    ])


def _technical_html(summary: dict) -> str:
    extra = _summary_station_table(summary)
    keys = ("status", "objective", "best_bound", "gap_pct", "solve_seconds", "seed", "workers",
            "time_limit_seconds", "config_sha256", "config_path")
    first = {k: summary[k] for k in keys if k in summary}
    rest = {k: v for k, v in summary.items() if k not in first}
    out = ["<details class='technical' id='technical'><summary>Technical details: solver, bound, versions, "
           "statistics (summary.json)</summary>", _kv_table({**first, **rest})]
    if extra is not None:
        out += ["<h3>summary.json: stations</h3>", _frame_html(extra, "summary-stations", sortable=True)]
    out.append("</details>")
    return "".join(out)


def _page_font_css(text: str) -> str:
    """An @font-face with just the page's CJK characters, cut from the shipped font, so the
    page shows Chinese on a machine with no CJK font. Empty when that cannot be done."""
    chars = sorted({c for c in text if ord(c) > 0x2E7F})
    font = shipped_font_path()
    if not chars or not font.is_file():
        return ""
    try:
        import io

        from fontTools import subset as ft_subset  # a dependency of matplotlib
        from fontTools.ttLib import TTFont
    except ImportError:
        return ""
    try:
        tt = TTFont(str(font))
        options = ft_subset.Options()
        options.layout_features = []
        options.hinting = False
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
        sub = ft_subset.Subsetter(options=options)
        sub.populate(unicodes=[ord(c) for c in chars])
        sub.subset(tt)
        buf = io.BytesIO()
        tt.save(buf)
    except Exception:  # a font the subsetter cannot cut: the page falls back to system fonts
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return ("@font-face { font-family: 'patrolplan CJK'; font-weight: 100 900; "
            f"src: url(data:font/otf;base64,{data}) format('opentype'); }}\n")


def _changes_html(summary: dict, changes: pd.DataFrame | None) -> str:
    """The "Changes" section of a re-plan: what moved against the published roster, per station."""
    if changes is None:
        return ""
    info = summary.get("replan") or {}
    kinds = ", ".join(f"{n} {k}" for k, n in sorted((info.get("changes") or {}).items())) or "none"
    head = (f"<p>Re-planned from {_esc(info.get('at', ''))} against the published roster "
            f"{_esc(info.get('from', ''))}: {len(changes)} shift(s) changed ({_esc(kinds)}); "
            f"{_esc(info.get('history_rows', 0))} history and {_esc(info.get('pinned_rows', 0))} pinned row(s) "
            "kept as they were. <a href='changes.csv'>changes.csv</a></p>")
    if not len(changes):
        return "<section id='changes-s'><h2 id='changes'>Changes</h2>" + head + "</section>"
    per = changes.groupby("station_id")["change"].value_counts().unstack(fill_value=0).reset_index()
    return ("<section id='changes-s'><h2 id='changes'>Changes</h2>" + head
            + _frame_html(per, "changes-per-station") + _frame_html(changes, "changes-table", sortable=True)
            + "</section>")


def _response_section_html(scenario, run_dir: Path, summary: dict) -> str:
    """Tiered response: the shares of demanded hotspot-hours with help in reach (summary.json
    ``response``), the worst hours (response.png) and how to ask ``patrolplan respond``."""
    r = summary.get("response")
    if not r:
        return ""
    pct = lambda v: "—" if v is None else f"{100 * float(v):.1f} %"  # noqa: E731
    rows = [
        f"<li>first team within {r['first_minutes']} min: <b>{pct(r.get('first_within_share'))}</b> of "
        f"{r.get('demanded_hotspot_hours', 0):g} demanded hotspot-hours</li>",
        f"<li>backup of another station within {r['backup_minutes']} min: <b>{pct(r.get('backup_within_share'))}"
        "</b></li>",
        f"<li>a second team (any station) within {r['backup_minutes']} min: <b>{pct(r.get('second_within_share'))}"
        f"</b> (the backup rule, response.backup: {html.escape(str(r.get('backup')))}; "
        f"{r.get('hotspot_hours_without_second', 0):g} hotspot-hours without)</li>",
    ]
    picture = run_dir / "response.png"
    fig = (f"<figure id='fig-response'>{_img_tag(picture, 'response')}<figcaption>The worst hotspot-hours: road "
           "minutes of the first team, the second team and the backup of another station "
           "(response.csv)</figcaption></figure>") if picture.is_file() else ""
    return ("<section id='response-s'><h2 id='response'>Tiered response</h2><ul>" + "".join(rows) + "</ul>" + fig
            + "<p>Who answers an incident at a place and time: <code>patrolplan respond RUN_DIR --at LON,LAT "
            "--time 2026-12-04T22:30</code> (see <a href='response.csv'>response.csv</a>).</p></section>")


def write_report(scenario, run_dir: Path, tables: RunTables) -> Path:
    """Write ``report.html``, one self-contained page in a planner's order: the status in one
    sentence; what needs attention (gaps, the stations loaded most and least, synchronized
    slots short of partners) with links; the pictures (drawn first if missing); the week per
    station (load table, then each station's teams x days, one printed page per station);
    the roster (sortable, filterable: type in the box, or open ``report.html?filter=TEXT``);
    the technical details (solver, bound, versions, statistics) folded away at the end.

    Pictures are embedded as base64 PNG, CSS and JavaScript inline, and the CJK characters
    the page uses as an embedded font cut from the shipped one: nothing is fetched from
    anywhere, the page reads offline and prints one clean A4 landscape page per station.
    ``tables``: the run folder's tables (:func:`patrolplan.outputs.tables.read_run`).
    """
    run_dir = Path(run_dir)
    roster, coverage, summary = tables.roster, tables.coverage, tables.summary
    names = picture_names()
    if not all((run_dir / n).is_file() for n in names.values()):
        write_pictures(scenario, run_dir, tables=tables)
    cfg = scenario.config
    status = str(summary.get("status", "unknown"))
    title = f"patrolplan — {cfg.name}"
    load = station_load(scenario, roster)
    figures = "".join(
        f"<figure id='fig-{key}'>{_img_tag(run_dir / fname, key)}<figcaption>{html.escape(_CAPTIONS[key])}"
        f"</figcaption></figure>"
        for key, fname in names.items()
        if (run_dir / fname).is_file()
    )
    week_label_text = week_label([cfg.week_start + dt.timedelta(days=i) for i in range(cfg.horizon_days)])
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Week {html.escape(week_label_text)}, {cfg.horizon_days} days, slots of {cfg.slot_minutes} min, "
        f"teams of {cfg.rules.team_size}. Status: <span class='status status-{html.escape(status)}'>"
        f"{html.escape(status)}</span></p>",
        f"<p class='lead' id='status'>{html.escape(_status_sentence(summary, roster, coverage))}</p>",
        "<nav><a href='#attention'>Needs attention</a><a href='#pictures'>Pictures</a>"
        "<a href='#week'>Week per station</a><a href='#roster-h'>Roster</a>"
        "<a href='#technical'>Technical details</a></nav>",
        "<section id='attention-s'><h2 id='attention'>Needs attention</h2>",
        _attention_html(scenario, summary, coverage, load, _gap_runs(scenario, coverage), tables.explanation),
        "</section>",
        _changes_html(summary, tables.changes),
        "<section id='pictures-s'><h2 id='pictures'>Pictures</h2>", figures, "</section>",
        _visits_section_html(scenario, summary, roster, tables.visits),
        _response_section_html(scenario, run_dir, summary),
        _week_section_html(scenario, run_dir, roster, load),
        "<section id='roster-s'>", _roster_section_html(scenario, roster), "</section>",
        "<section id='technical-s'><h2>Technical details</h2>", _technical_html(summary), "</section>",
        f"<footer>{html.escape(CREDITS)}. Generated by patrolplan on {dt.datetime.now():%Y-%m-%d %H:%M} "
        "from the run folder's roster.csv, coverage.csv and summary.json. Files: "
        "<a href='roster.csv'>roster.csv</a>, <a href='roster.xlsx'>roster.xlsx</a>, "
        "<a href='result.gpkg'>result.gpkg</a>.</footer>",
    ]
    body_html = "\n".join(body)
    parts = [
        "<!DOCTYPE html>",
        "<html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title><style>{_page_font_css(body_html + title)}{_CSS}</style></head><body>",
        body_html,
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    path = run_dir / REPORT_NAME
    return atomic_file(path, lambda p: p.write_text("\n".join(parts), encoding="utf-8"))

