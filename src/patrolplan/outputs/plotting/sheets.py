"""A printable week sheet per station (teams as rows, days as columns), for the wall.

:func:`plot_station_week` draws one on an axes (``ax=None``: a new A4 landscape figure) and
returns it; ``outputs.sheets.write_sheets`` saves them as ``stations/<station_id>.pdf``.
"""

from __future__ import annotations

import datetime as dt

from matplotlib.patches import Rectangle

from patrolplan.outputs.plotting._fonts import bold, font_family
from patrolplan.outputs.plotting._style import MODE_STYLES
from patrolplan.outputs.plotting.week import DAY_FORMAT, StationWeek, station_week

__all__ = ["plot_station_week", "draw_week_sheet", "A4_LANDSCAPE_IN"]

A4_LANDSCAPE_IN = (11.69, 8.27)
_MODE_TEXT = {"synchronized": "#8b1a1a", "staggered": "#0b5f66"}
_LINE_SPACING = 1.2
_MAX_FS, _MIN_FS = 9.0, 4.0


def _width_units(text: str) -> float:
    """Width of ``text`` in font-size units (CJK characters are square, others about 0.6)."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.6 for c in text)


def _fit(text: str, max_units: float) -> str:
    """``text`` cut with an ellipsis to at most ``max_units`` wide."""
    if _width_units(text) <= max_units:
        return text
    out = ""
    for c in text:
        if _width_units(out + c + "…") > max_units:
            break
        out += c
    return out + "…"


def plot_station_week(scenario, roster, station_id: str, *, ax=None):
    """Draw ``station_id``'s week sheet from the run folder's roster and return the axes:
    the station's name and the week as heading, its teams as rows, the days as columns, each
    shift with its times, hotspot name, zone and, in synchronized zones, the partner stations
    on site with it. Without ``ax``, a new A4 landscape figure (pyplot)."""
    return draw_week_sheet(station_week(scenario, roster, station_id), ax=ax)


def draw_week_sheet(week: StationWeek, *, ax=None):
    """Draw an already built :class:`StationWeek` (see :func:`plot_station_week`).

    Artists carry a ``gid``: ``sheet-title``, ``sheet-day`` (one per day), ``sheet-team`` (one
    per team), ``sheet-shift`` (one text per shift), ``sheet-grid``.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=A4_LANDSCAPE_IN)
        ax.set_position((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fam = font_family()
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    w_pt, h_pt = box.width * fig_w * 72, box.height * fig_h * 72

    _draw_heading(ax, week, fam)
    left, right, top, bottom = 0.025, 0.975, 0.865, 0.075
    team_w = 0.085
    header_h = 0.045
    n_days = max(len(week.days), 1)
    day_w = (right - left - team_w) / n_days
    n_rows = max(len(week.teams), 1)
    row_h = (top - header_h - bottom) / n_rows
    _draw_grid(ax, week, left, right, top, bottom, team_w, day_w, header_h, row_h, fam)
    if not week.teams:
        ax.text(0.5, (top - header_h + bottom) / 2, "No shifts this week.", ha="center", va="center",
                fontsize=14, color="#555555", fontfamily=fam, gid="sheet-empty")
    else:
        fs = _font_size(week, day_w * w_pt, row_h * h_pt)
        _draw_shifts(ax, week, left + team_w, top - header_h, day_w, row_h, fs, day_w * w_pt, fam)
    _draw_footer(ax, week, fam)
    return ax


def _draw_heading(ax, week: StationWeek, fam) -> None:
    weight = bold()
    ax.text(0.025, 0.965, f"{week.title} — week {week.week}", ha="left", va="top", fontsize=15,
            fontweight=weight, fontfamily=fam, gid="sheet-title")
    ax.text(0.025, 0.915, f"{week.config_name} · {week.summary()}", ha="left", va="top", fontsize=8.5,
            color="#333333", fontfamily=fam, gid="sheet-subtitle")


def _draw_grid(ax, week, left, right, top, bottom, team_w, day_w, header_h, row_h, fam) -> None:
    """Header row (days, weekends shaded), team column, zebra rows, cell lines."""
    weight = bold()
    ax.add_patch(Rectangle((left, top - header_h), right - left, header_h, facecolor="#e8e8e8",
                           edgecolor="none", zorder=0, gid="sheet-grid"))
    ax.text(left + 0.006, top - header_h / 2, "team", ha="left", va="center", fontsize=9, fontweight=weight,
            fontfamily=fam)
    for k, day in enumerate(week.days):
        x = left + team_w + k * day_w
        if day.weekday() >= 5:
            ax.add_patch(Rectangle((x, bottom), day_w, top - bottom, facecolor="#f4f1e6", edgecolor="none",
                                   zorder=0))
        ax.text(x + day_w / 2, top - header_h / 2, f"{day:{DAY_FORMAT}}", ha="center", va="center", fontsize=9.5,
                fontweight=weight, fontfamily=fam, gid="sheet-day")
    for i, team in enumerate(week.teams):
        y = top - header_h - (i + 1) * row_h
        if i % 2:
            ax.add_patch(Rectangle((left, y), right - left, row_h, facecolor="#000000", alpha=0.035,
                                   edgecolor="none", zorder=0))
        ax.text(left + 0.006, y + row_h - 0.008, team, ha="left", va="top", fontsize=8.5, fontweight=weight,
                fontfamily=fam, gid="sheet-team")
    n_rows = max(len(week.teams), 1)
    ys = [top, top - header_h] + [top - header_h - (i + 1) * row_h for i in range(n_rows)]
    for y in ys:
        ax.plot([left, right], [y, y], color="#888888", linewidth=0.6, zorder=1)
    xs = [left, left + team_w] + [left + team_w + (k + 1) * day_w for k in range(len(week.days))]
    for x in xs:
        ax.plot([x, x], [bottom + (top - header_h - bottom) - n_rows * row_h, top], color="#888888",
                linewidth=0.6, zorder=1)


def _font_size(week: StationWeek, cell_w_pt: float, cell_h_pt: float) -> float:
    """One font size for every cell: the busiest cell's lines fit its height, the longest
    line (cut at 28 character widths) its width."""
    fs = _MAX_FS
    for (_, k), shifts in week.cells.items():
        day = week.days[k]
        n_lines = sum(len(s.lines(day)) for s in shifts) + 0.6 * (len(shifts) - 1)
        fs = min(fs, (cell_h_pt - 6) / (n_lines * _LINE_SPACING + 0.4))
        widest = max(min(_width_units(line), 28) for s in shifts for line in s.lines(day))
        fs = min(fs, (cell_w_pt - 6) / max(widest, 1))
    return max(fs, _MIN_FS)


def _draw_shifts(ax, week, x0, y_top, day_w, row_h, fs, cell_w_pt, fam) -> None:
    fig_h_pt = ax.get_position().height * ax.figure.get_size_inches()[1] * 72
    line_h = fs * _LINE_SPACING / fig_h_pt  # one text line in axes units
    max_units = (cell_w_pt - 6) / fs
    weight = bold()
    for i, team in enumerate(week.teams):
        for k, day in enumerate(week.days):
            shifts = week.cells.get((team, k), [])
            y = y_top - i * row_h - 0.006
            for s in shifts:
                lines = [_fit(line, max_units) for line in s.lines(day)]
                ax.text(x0 + k * day_w + 0.004, y, lines[0], ha="left", va="top", fontsize=fs, fontweight=weight,
                        fontfamily=fam, gid="sheet-shift-time")
                ax.text(x0 + k * day_w + 0.004, y - line_h, "\n".join(lines[1:]), ha="left", va="top",
                        fontsize=fs, linespacing=_LINE_SPACING, color=_MODE_TEXT.get(s.mode, "#222222"),
                        fontfamily=fam, gid="sheet-shift")
                y -= line_h * (len(lines) + 0.6)


def _draw_footer(ax, week: StationWeek, fam) -> None:
    sync, relay = MODE_STYLES["synchronized"]["label"], MODE_STYLES["staggered"]["label"]
    ax.text(0.025, 0.035,
            f"sync: {sync}, teams of two stations on site together ('with': the partner stations on site) · "
            f"relay: {relay}, stations take turns with no gap · bold: shift start–end, travel included",
            ha="left", va="bottom", fontsize=6.5, color="#444444", fontfamily=fam, gid="sheet-legend")
    ax.text(0.975, 0.012, f"patrolplan · drawn from roster.csv on {dt.date.today():%Y-%m-%d}", ha="right",
            va="bottom", fontsize=6, color="#777777", fontfamily=fam)
