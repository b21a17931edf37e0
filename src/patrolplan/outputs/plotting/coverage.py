"""Coverage by hotspot and hour: teams present versus demand, gaps in red."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from patrolplan.outputs.plotting._fonts import font_family, label
from patrolplan.outputs.plotting._style import GAP_COLOR
from patrolplan.outputs.plotting._tables import coverage_frame
from patrolplan.outputs.plotting.gantt import figure_height_in

__all__ = ["plot_coverage", "coverage_grid", "wait_grid"]

_NO_DEMAND = "#e6e6e6"


def coverage_grid(coverage: pd.DataFrame, *, scenario=None):
    """Hourly grid of a coverage table.

    Returns ``(hotspots, hours, surplus, gap)``: row ids (ordered by zone then id when a
    scenario is given, else by id), the hour starts (contiguous), ``surplus`` = the smallest
    ``present - required`` among the hour's slots (required: the demand, raised to a
    synchronized zone's min_stations) over post rows (NaN: no post demand in that hour; visit
    rows are drawn by :func:`wait_grid`) and ``gap`` =
    any slot of the hour has ``gap`` true.
    """
    cov = coverage_frame(coverage)
    ids = sorted(set(cov["hotspot_id"]))
    visit_rows = _is_visit(cov)
    if scenario is not None:
        zone = dict(zip(scenario.hotspots["hotspot_id"].astype(str), scenario.hotspots["zone_id"].astype(str)))
        ids = sorted(ids, key=lambda h: (zone.get(h, ""), h))
    if cov.empty:
        return ids, pd.DatetimeIndex([]), np.zeros((len(ids), 0)), np.zeros((len(ids), 0), bool)
    cov = cov.assign(hour=cov["slot_start"].dt.floor("h"), surplus=cov["present"] - cov["required"])
    first, last = cov["hour"].min().floor("D"), cov["hour"].max().floor("D") + pd.Timedelta(hours=23)
    hours = pd.date_range(first, last, freq="h")  # whole days, midnight to midnight
    agg = cov.groupby(["hotspot_id", "hour"]).agg(surplus=("surplus", "min"), gap=("gap", "any"))
    # visit rows count visit starts, not teams on site: their hours show the wait (wait_grid)
    posts = cov[~visit_rows].groupby(["hotspot_id", "hour"])["surplus"].min()
    surplus = posts.unstack("hour").reindex(index=ids, columns=hours).to_numpy(float) if len(posts) else \
        np.full((len(ids), len(hours)), np.nan)
    gap = agg["gap"].astype(float).unstack("hour").reindex(index=ids, columns=hours).fillna(0.0).to_numpy() > 0
    return ids, hours, surplus, gap


def _is_visit(cov: pd.DataFrame) -> pd.Series:
    if "presence" not in cov:
        return pd.Series(False, index=cov.index)
    return cov["presence"].astype(str).str.strip().str.lower() == "visit"


def wait_grid(coverage: pd.DataFrame, ids, hours) -> np.ndarray:
    """``[len(ids), len(hours)]``: the longest wait between visits (``longest_wait_min`` of
    coverage.csv's visit rows, the largest of the hour's slots) per hotspot and hour; NaN where
    the hour has no visit demand."""
    cov = coverage_frame(coverage)
    out = np.full((len(ids), len(hours)), np.nan)
    if cov.empty or "longest_wait_min" not in cov or not len(hours):
        return out
    v = cov[_is_visit(cov)]
    if v.empty:
        return out
    v = v.assign(hour=v["slot_start"].dt.floor("h"),
                 wait=pd.to_numeric(v["longest_wait_min"], errors="coerce").fillna(0.0))
    per = v.groupby(["hotspot_id", "hour"])["wait"].max()
    return per.unstack("hour").reindex(index=list(ids), columns=hours).to_numpy(float)


def plot_coverage(coverage: pd.DataFrame, ax=None, *, scenario=None, window: tuple | None = None,
                  colorbar: bool = True):
    """Draw a hotspot x hour heat map of ``present - demand`` and return the axes.

    Cells are white where the teams present exactly meet the demand and greener with each team
    beyond it; hours without demand are light grey; an hour with a gap (any slot with
    ``gap`` true) is red. Dotted lines mark midnights.

    scenario
        Optional: hotspot names for the row labels, rows ordered by zone.
    window
        Optional ``(start, end)`` timestamps to show (e.g. one day).
    colorbar
        Add a colour bar next to ``ax`` (it takes space from the axes' figure).

    Artists carry a ``gid``: ``surplus`` (the heat map) and ``gaps`` (a mesh whose unmasked
    cells are exactly the gap hours, drawn in :data:`GAP_COLOR`) and, in a week with visit
    demand, ``visit-wait``: the hours of visit rows coloured by the longest wait between visits
    (purple, darker the longer; the gap mesh stays on top where a wait breaks the interval).
    """
    ids, hours, surplus, gap = coverage_grid(coverage, scenario=scenario)
    wait = wait_grid(coverage, ids, hours)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(16, figure_height_in(len(ids))))
    fam = font_family()
    ax.set_facecolor(_NO_DEMAND)
    if len(hours):
        edges = mdates.date2num(np.append(hours.to_numpy(), (hours[-1] + pd.Timedelta(hours=1)).to_datetime64()))
        yedges = np.arange(len(ids) + 1)
        top = max(1.0, float(np.nanmax(np.where(np.isnan(surplus), 0, surplus))) if surplus.size else 1.0)
        mesh = ax.pcolormesh(edges, yedges, np.ma.masked_invalid(np.clip(surplus, 0, None)), cmap="Greens",
                             vmin=0, vmax=top + 0.5, shading="flat", gid="surplus")
        if np.isfinite(wait).any():
            top_wait = max(120.0, float(np.nanmax(wait)))
            wmesh = ax.pcolormesh(edges, yedges, np.ma.masked_invalid(wait), cmap="Purples", vmin=0, vmax=top_wait,
                                  shading="flat", gid="visit-wait")
            if colorbar:
                cbw = ax.figure.colorbar(wmesh, ax=ax, fraction=0.025, pad=0.03)
                cbw.set_label("visits: longest wait between visits (min)", fontsize=8)
                cbw.ax.tick_params(labelsize=7)
        ax.pcolormesh(edges, yedges, np.ma.masked_array(np.ones_like(surplus), mask=~gap),
                      cmap=ListedColormap([GAP_COLOR]), vmin=0, vmax=1, shading="flat", gid="gaps")
        if colorbar:
            cb = ax.figure.colorbar(mesh, ax=ax, fraction=0.025, pad=0.01)
            cb.set_label("teams on site beyond what is required", fontsize=8)
            cb.ax.tick_params(labelsize=7)
            cb.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        lo, hi = edges[0], edges[-1]
        if window is not None:
            lo, hi = (mdates.date2num(pd.Timestamp(t).to_datetime64()) for t in window)
        ax.set_xlim(lo, hi)
        midnights = np.arange(np.ceil(lo), np.floor(hi) + 1)
        ax.vlines(midnights, 0, len(ids), colors="#333333", linestyles=":", linewidths=0.8, gid="day-lines")
        ax.xaxis.set_major_locator(mdates.DayLocator() if hi - lo > 2 else mdates.HourLocator(byhour=range(0, 24, 6)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d" if hi - lo > 2 else "%a %m-%d %H:%M"))
    ax.set_ylim(len(ids), 0)
    names = dict(zip(scenario.hotspots["hotspot_id"].astype(str), scenario.hotspots["name"])) \
        if scenario is not None else {}
    ax.set_yticks(np.arange(len(ids)) + 0.5)
    fs = 8 if len(ids) <= 40 else 6 if len(ids) <= 150 else 4.5
    ax.set_yticklabels([f"{h} {label(names.get(h, ''), '')}".strip() for h in ids], fontsize=fs, fontfamily=fam)
    ax.tick_params(axis="x", labelsize=8)
    if len(ids) > 25:  # tall figure: dates on top as well
        ax.tick_params(axis="x", which="both", top=True, labeltop=True)
    n_gap = int(gap.sum())
    ax.set_title(
        f"Coverage by hotspot and hour: present − required ({n_gap} hour(s) with a gap)\n"
        "red: gap (too few teams, or a synchronized partner missing) · white: exactly as required · "
        "green: teams beyond · grey: no demand"
        + (" · purple: visit hours, by the longest wait between visits" if np.isfinite(wait).any() else ""),
        fontsize=10,
    )
    return ax
