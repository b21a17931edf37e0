"""The roster as a timeline: one row per hotspot (or station), one bar per shift."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from patrolplan.outputs.plotting._fonts import font_family
from patrolplan.outputs.plotting._names import hotspot_names, station_names, zone_names
from patrolplan.outputs.plotting._style import GAP_COLOR, lighten, station_colors
from patrolplan.outputs.plotting._tables import coverage_frame, roster_frame, slot_minutes_of
from patrolplan.outputs.plotting.loops import visits_frame

__all__ = ["plot_gantt", "gantt_rows", "timeline_rows", "figure_height_in", "MAX_FIGURE_HEIGHT_IN"]

#: Figures drawn without an ``ax`` grow 0.22 in per row up to this height; beyond it
#: (about 250 rows) rows get thinner rather than the picture taller.
MAX_FIGURE_HEIGHT_IN = 56.0
_ROW_IN = 0.22


def figure_height_in(n_rows: int, lanes: int = 0) -> float:
    """Height for ``n_rows`` rows (plus ``lanes`` extra sub-rows), capped at MAX_FIGURE_HEIGHT_IN."""
    return float(min(MAX_FIGURE_HEIGHT_IN, max(3.0, 1.6 + _ROW_IN * n_rows + 0.06 * lanes)))


def _assign_lanes(starts: np.ndarray, ends: np.ndarray, *, relay: bool) -> np.ndarray:
    """Sub-row of each interval (already sorted by start) so that none overlap in a lane.

    Plain first fit stacks overlapping shifts (synchronized teams). With ``relay`` the search
    starts at the lane after the previous shift's, and there are at least two lanes, so the
    shifts of a staggered relay alternate lanes.
    """
    lane_end: list[float] = [-np.inf, -np.inf] if relay else []
    out = np.zeros(len(starts), dtype=int)
    last = -1
    for i, (s, e) in enumerate(zip(starts, ends)):
        n = len(lane_end)
        order = [(last + 1 + k) % n for k in range(n)] if relay else range(n)
        pick = next((lane for lane in order if lane_end[lane] <= s), None)
        if pick is None:
            lane_end.append(-np.inf)
            pick = len(lane_end) - 1
        lane_end[pick] = e
        out[i] = last = pick
    return out


def gantt_rows(roster: pd.DataFrame, coverage: pd.DataFrame | None = None, *, by: str = "hotspot",
               scenario=None) -> pd.DataFrame:
    """The rows of the timeline, top to bottom: ``key`` (id), ``label``, ``mode``.

    Hotspots are ordered by zone then id; stations by id. With a ``scenario``, rows are
    labelled by name (hotspot name, zone name, mode; station name), by id where a name is
    missing or shared, and every station gets a row (idle ones too); without one, by id.
    """
    if by == "hotspot":
        keys = set(roster["hotspot_id"])
        if coverage is not None:
            keys |= set(coverage["hotspot_id"])
        zone = dict(zip(roster["hotspot_id"], roster["zone_id"]))
        mode = dict(zip(roster["hotspot_id"], roster["mode"]))
        names, znames = {}, {}
        if scenario is not None:
            hs = scenario.hotspots
            zone.update(zip(hs["hotspot_id"].astype(str), hs["zone_id"].astype(str)))
            names, znames = hotspot_names(scenario), zone_names(scenario)
            zmode = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["mode"].astype(str)))
            mode.update({h: zmode[z] for h, z in zone.items() if z in zmode})
        order = sorted(keys, key=lambda h: (zone.get(h, ""), h))
        short = {"synchronized": "sync", "staggered": "relay"}
        labels = []
        for h in order:
            text = names.get(h, h)
            z = zone.get(h, "")
            ztext = znames.get(z, z)
            if ztext == text:  # zone named after its one hotspot: the id says more
                ztext = z
            labels.append(f"{text} · {ztext} {short.get(mode.get(h, ''), '')}".strip())
        return pd.DataFrame({"key": order, "label": labels, "mode": [mode.get(h, "") for h in order]})
    if by == "station":
        keys = set(roster["station_id"])
        names = {}
        if scenario is not None:
            keys |= set(scenario.stations["station_id"].astype(str))
            names = station_names(scenario)
        order = sorted(keys)
        return pd.DataFrame({"key": order, "label": [names.get(s, s) for s in order], "mode": ""})
    raise ValueError(f"by={by!r}: use 'hotspot' or 'station'")


def _rects(x0, x1, y0, h) -> np.ndarray:
    """Rectangles ``[x0, x1] x [y0, y0 + h]`` as an (n, 4, 2) array of corners (``h`` may be scalar)."""
    x0, x1, y0 = (np.asarray(a, float) for a in (x0, x1, y0))
    h = np.broadcast_to(np.asarray(h, float), x0.shape)
    return np.stack(
        [np.stack([x0, y0], 1), np.stack([x1, y0], 1), np.stack([x1, y0 + h], 1), np.stack([x0, y0 + h], 1)],
        axis=1,
    ).reshape(len(x0), 4, 2)


def _num(ts: pd.Series) -> np.ndarray:
    return mdates.date2num(ts.to_numpy(dtype="datetime64[ns]")) if len(ts) else np.zeros(0)


def plot_gantt(
    roster: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
    *,
    by: str = "hotspot",
    ax=None,
    scenario=None,
    window: tuple | None = None,
    visits: pd.DataFrame | None = None,
):
    """Draw the week as a timeline and return the axes.

    One row per hotspot (``by='hotspot'``) or per station (``by='station'``). Each roster row
    is one bar coloured by its station: the on-site part solid, the travel out and back
    lighter. In a hotspot row, overlapping shifts stack in sub-rows (synchronized teams side
    by side); in a staggered (relay) row consecutive shifts alternate between sub-rows, so a
    handover shows as a step. In a station row each team has its own sub-row. Coverage rows
    with ``gap`` true are red bands over the whole hotspot row (in the station view, on an
    extra top row "gaps"). Dotted lines mark midnights.

    scenario
        Optional: hotspot, zone and station names for the row labels and the legend, all
        stations as rows.
    window
        Optional ``(start, end)`` timestamps to show (e.g. one day); default: the whole roster.
    visits
        Optional visits.csv table: each visit is a tick from arrival to departure, in its
        hotspot's row (``by='hotspot'``) or in its team's sub-row (``by='station'``); a loop
        shift's bar sits in the row of its first stop.

    Artists carry a ``gid``: ``shifts`` (one rectangle per roster row, in roster order),
    ``travel``, ``gaps``, ``day-lines``, ``visits`` (one tick per visit drawn). Without ``ax``, the figure is 16 in wide and
    :func:`figure_height_in` tall (capped at :data:`MAX_FIGURE_HEIGHT_IN`).
    """
    r = roster_frame(roster).reset_index(drop=True)
    cov = coverage_frame(coverage) if coverage is not None else None
    gaps = cov[cov["gap"]] if cov is not None else None
    rows = timeline_rows(r, cov, by=by, scenario=scenario, gap_row=by == "station" and gaps is not None
                         and not gaps.empty)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(16, figure_height_in(len(rows), int((rows["lanes"] - 1).sum()))))
    fam = font_family()
    colors = station_colors(list(r["station_id"]) + (
        list(scenario.stations["station_id"].astype(str)) if scenario is not None else []))
    x = {c: _num(r[c]) for c in ("start", "on_site_start", "on_site_end", "end")}
    draw_shift_bars(ax, r, rows, by=by, colors=colors)
    draw_gaps(ax, gaps, rows, slot_minutes=slot_minutes_of(cov) if cov is not None else 60,
              on_gap_row=rows["key"].iloc[0] == _GAP_ROW if len(rows) else False)
    n_ticks = draw_visit_ticks(ax, r, rows, visits, by=by)
    lo, hi = _time_span(x, cov, window)
    draw_time_axis(ax, lo, hi, n_rows=len(rows))
    draw_row_labels(ax, rows, fontfamily=fam)
    ax.set_title(f"Roster by {by}: {len(r)} shifts" + (
        f", {int(gaps.shape[0])} uncovered slot(s)" if gaps is not None and len(gaps) else ""), fontsize=11)
    draw_gantt_legend(ax, r, colors, scenario=scenario, fontfamily=fam, visits=n_ticks > 0)
    return ax


def draw_visit_ticks(ax, r: pd.DataFrame, rows: pd.DataFrame, visits: pd.DataFrame | None, *, by: str) -> int:
    """Visits as black ticks (arrival to departure, a small bar): in the hotspot's row, or in
    the team's sub-row of its station. Returns how many were drawn."""
    if visits is None or len(visits) == 0:
        return 0

    v = visits_frame(visits)
    row_y = dict(zip(rows["key"], rows["y0"]))
    if by == "hotspot":
        y0 = v["hotspot_id"].map(row_y).to_numpy(float)
        y = y0 + 0.12
        h = np.full(len(v), 0.76)
    else:
        lanes = dict(zip(rows["key"], rows["lanes"]))
        lane = v["shift_id"].map(dict(zip(r["shift_id"], r["_lane"]))).to_numpy(float)
        n_l = v["station_id"].map(lanes).fillna(1).to_numpy(float)
        lane_h = 0.84 / n_l
        y = v["station_id"].map(row_y).to_numpy(float) + 0.08 + lane * lane_h
        h = lane_h * 0.88
    ok = np.isfinite(y)
    if not ok.any():
        return 0
    a, b = _num(v["arrive"])[ok], _num(v["depart"])[ok]
    ax.add_collection(PolyCollection(_rects(a, b, y[ok], np.asarray(h)[ok]), facecolors="black", edgecolors="black",
                                     linewidths=0.4, zorder=4, gid="visits"))
    return int(ok.sum())


_GAP_ROW = "__gaps__"


def timeline_rows(r: pd.DataFrame, cov: pd.DataFrame | None, *, by: str, scenario=None,
                  gap_row: bool = False) -> pd.DataFrame:
    """:func:`gantt_rows` with ``lanes`` (sub-rows) and ``y0``; sets ``r['_lane']`` (the
    sub-row of each roster row: stacked or relay lanes per hotspot, one per team per station)."""
    rows = gantt_rows(r, cov, by=by, scenario=scenario)
    if gap_row:
        rows = pd.concat([pd.DataFrame({"key": [_GAP_ROW], "label": ["gaps (uncovered)"], "mode": [""]}), rows],
                         ignore_index=True)
    key_col = "hotspot_id" if by == "hotspot" else "station_id"
    r["_lane"] = 0
    lanes = {}
    for key, idx in r.groupby(key_col).groups.items():
        if by == "hotspot":
            sub = r.loc[idx].sort_values(["start", "end", "station_id", "team_id"])
            lane = _assign_lanes(_num(sub["start"]), _num(sub["end"]), relay=(sub["mode"] == "staggered").any())
            r.loc[sub.index, "_lane"] = lane
            lanes[key] = int(lane.max()) + 1
        else:
            teams = sorted(r.loc[idx, "team_id"].unique())
            pos = {t: i for i, t in enumerate(teams)}
            r.loc[idx, "_lane"] = r.loc[idx, "team_id"].map(pos).to_numpy()
            lanes[key] = len(teams)
    rows["lanes"] = [max(1, lanes.get(k, 1)) for k in rows["key"]]
    rows["y0"] = np.arange(len(rows), dtype=float)
    return rows


def draw_shift_bars(ax, r: pd.DataFrame, rows: pd.DataFrame, *, by: str, colors: dict) -> None:
    """One bar per roster row in its row's lane: on site solid (``shifts``), travel light (``travel``)."""
    key_col = "hotspot_id" if by == "hotspot" else "station_id"
    pad, inner = 0.08, 0.84
    n_l = r[key_col].map(dict(zip(rows["key"], rows["lanes"]))).fillna(1).to_numpy(float)
    lane_h = inner / n_l
    y = r[key_col].map(dict(zip(rows["key"], rows["y0"]))).to_numpy(float) + pad + r["_lane"].to_numpy(float) * lane_h
    h = lane_h * 0.88
    s, oss, ose, e = (_num(r[c]) for c in ("start", "on_site_start", "on_site_end", "end"))
    face = [colors[sid] for sid in r["station_id"]]
    ax.add_collection(PolyCollection(_rects(oss, ose, y, h), facecolors=face, edgecolors="black",
                                     linewidths=0.3, zorder=3, gid="shifts"))
    light = [lighten(c) for c in face]
    travel = np.concatenate([_rects(s, oss, y, h), _rects(ose, e, y, h)])
    ax.add_collection(PolyCollection(travel, facecolors=light + light, edgecolors="none", zorder=2.5,
                                     gid="travel"))


def draw_gaps(ax, gaps: pd.DataFrame | None, rows: pd.DataFrame, *, slot_minutes: int, on_gap_row: bool) -> None:
    """Uncovered slots as red bands over their hotspot's row (or on the top "gaps" row)."""
    if gaps is None or gaps.empty:
        return
    slot = pd.Timedelta(minutes=slot_minutes)
    row_y = dict(zip(rows["key"], rows["y0"]))
    gy = np.zeros(len(gaps)) if on_gap_row else gaps["hotspot_id"].map(row_y).to_numpy(float)
    ok = np.isfinite(gy)
    g0 = _num(gaps["slot_start"])[ok]
    g1 = _num(gaps["slot_start"] + slot)[ok]
    ax.add_collection(PolyCollection(_rects(g0, g1, gy[ok] + 0.02, 0.96), facecolors=GAP_COLOR,
                                     edgecolors=GAP_COLOR, alpha=0.75, zorder=2, gid="gaps"))


def _time_span(x: dict, cov: pd.DataFrame | None, window) -> tuple[float, float]:
    """The x range: the window, else the roster and coverage rounded out to 6 hours."""
    if window is not None:
        lo, hi = (mdates.date2num(pd.Timestamp(t).to_datetime64()) for t in window)
        return lo, hi
    spans = [a for a in (x["start"], x["end"]) if len(a)]
    if cov is not None and len(cov):
        spans.append(_num(cov["slot_start"]))
    if not spans:
        return 0.0, 1.0
    allx = np.concatenate(spans)
    return np.floor(allx.min() * 4) / 4, np.ceil(allx.max() * 4) / 4


def draw_time_axis(ax, lo: float, hi: float, *, n_rows: int) -> None:
    """Limits, dotted midnights (``day-lines``), day ticks (6-hourly for two days or less)."""
    ax.set_xlim(lo, hi)
    ax.set_ylim(n_rows, 0)
    midnights = np.arange(np.ceil(lo), np.floor(hi) + 1)
    ax.vlines(midnights, 0, n_rows, colors="#555555", linestyles=":", linewidths=0.8, zorder=1, gid="day-lines")
    span_days = hi - lo
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d"))
    ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=range(0, 24, 2 if span_days <= 2 else 6)))
    if span_days <= 2:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d %H:%M"))
        ax.xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, 6)))
    ax.grid(axis="x", which="minor", color="#eeeeee", linewidth=0.5, zorder=0)
    ax.tick_params(axis="x", labelsize=8)
    if n_rows > 25:  # tall figure: dates on top as well
        ax.tick_params(axis="x", which="both", top=True, labeltop=True)


def draw_row_labels(ax, rows: pd.DataFrame, *, fontfamily=None) -> None:
    ax.set_yticks(rows["y0"] + 0.5)
    fs = 8 if len(rows) <= 40 else 6 if len(rows) <= 150 else 4.5
    ax.set_yticklabels(rows["label"], fontsize=fs, fontfamily=fontfamily)


def draw_gantt_legend(ax, r: pd.DataFrame, colors: dict, *, scenario=None, fontfamily=None,
                      visits: bool = False) -> None:
    """On site / travel / gap (/ visit), and the stations' colours (by name) when at most 20 stations work."""
    handles = [Patch(facecolor="#555555", label="on site"), Patch(facecolor=lighten("#555555"), label="travel"),
               Patch(facecolor=GAP_COLOR, alpha=0.75, label="gap (present < demand)")]
    if visits:
        handles.append(Line2D([], [], color="black", linewidth=0, marker="|", markersize=8, markeredgewidth=2,
                              label="visit (arrive to depart)"))
    used_stations = sorted(set(r["station_id"]))
    if len(used_stations) <= 20:
        names = station_names(scenario) if scenario is not None else {}
        handles += [Patch(facecolor=colors[sid], label=names.get(sid, sid)) for sid in used_stations]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), prop={"family": fontfamily, "size": 7},
              frameon=False, borderaxespad=0)
