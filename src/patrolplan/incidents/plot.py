"""Pictures of incidents and hotspots (each ``plot_*`` takes ``ax=None`` and returns the axes;
it never shows or saves).

``plot_hotspots``: the border map of ``patrolplan hotspots`` — unit borders, the incident
density (kernel density of every incident), incidents near a border (dark) and far from every
border (light), the border hotspots (tier colours, size by risk, labelled with their id and
peak hours) and the other hot spots (hollow grey: interior, outside the planned area, off the
roads). ``plot_evaluation``: the week's incidents at the hotspots, covered (green) or not
(red), on the same map, with the hotspot discs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from patrolplan.outputs.plotting import CREDITS, TIER_COLORS, font_family
from patrolplan.outputs.plotting._fonts import label

__all__ = ["plot_hotspots", "plot_evaluation"]

_MAX_DOTS = 30_000
_DENSITY_CELLS = 250  # the density drawn on at most this many cells a side (summed, smoothed once more)


def _new_ax(ax, size=(10, 9)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size)
    return ax


def _extent(lon: np.ndarray, lat: np.ndarray, pad: float = 0.05):
    x0, x1, y0, y1 = np.nanmin(lon), np.nanmax(lon), np.nanmin(lat), np.nanmax(lat)
    dx, dy = max(x1 - x0, 0.01) * pad, max(y1 - y0, 0.01) * pad
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def _frame(ax, boundaries, extent, lat_mid: float, title: str) -> None:
    if boundaries is not None and len(boundaries):
        boundaries.boundary.plot(ax=ax, color="#9e9e9e", linewidth=0.6, zorder=1, gid="boundaries")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1 / np.cos(np.radians(lat_mid)))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title, fontsize=11)
    ax.annotate(CREDITS, (0.0, -0.08), xycoords="axes fraction", fontsize=6, color="#666666",
                fontfamily=font_family())


def _density_lonlat(derived):
    """The density grid coarsened to at most ``_DENSITY_CELLS`` a side, with lon/lat corners."""
    d = derived.density
    values = d.values
    f = max(1, int(np.ceil(max(values.shape) / _DENSITY_CELLS)))
    nx, ny = values.shape[0] // f, values.shape[1] // f
    if nx == 0 or ny == 0:
        return None
    from scipy import ndimage

    coarse = ndimage.gaussian_filter(values[:nx * f, :ny * f].reshape(nx, f, ny, f).sum(axis=(1, 3)), sigma=1.0)
    xs = d.x0 + np.arange(nx + 1) * d.cell_m * f
    ys = d.y0 + np.arange(ny + 1) * d.cell_m * f
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    lon, lat = derived.borders.to_lonlat(gx.ravel(), gy.ravel())
    return lon.reshape(gx.shape), lat.reshape(gx.shape), coarse


def plot_hotspots(derived, *, boundaries=None, stations=None, ax=None):
    """The border map of :class:`patrolplan.incidents.scenario.Derived` (module docstring)."""
    ax = _new_ax(ax)
    inc = derived.incidents
    hs = derived.hotspots
    lon_all = np.r_[hs["lon"].to_numpy(float), stations["lon"].to_numpy(float) if stations is not None else []]
    lat_all = np.r_[hs["lat"].to_numpy(float), stations["lat"].to_numpy(float) if stations is not None else []]
    extent = _extent(lon_all, lat_all, pad=0.12)
    grid = _density_lonlat(derived)
    if grid is not None:
        glon, glat, values = grid
        top = float(values.max()) if values.size and values.max() > 0 else 1.0
        ax.pcolormesh(glon, glat, np.ma.masked_less_equal(values, top * 0.2), cmap="YlOrRd", alpha=0.85,
                      vmin=0, vmax=top, shading="flat", zorder=2.8, gid="density")
    shown = inc if len(inc) <= _MAX_DOTS else inc.sample(_MAX_DOTS, random_state=0)
    near = shown["border"] != ""
    ax.scatter(shown.loc[~near, "lon"], shown.loc[~near, "lat"], s=0.4, color="#9e9e9e", alpha=0.5, zorder=2,
               label=f"incidents far from borders ({int((derived.incidents['border'] == '').sum())})", gid="far")
    ax.scatter(shown.loc[near, "lon"], shown.loc[near, "lat"], s=0.8, color="#212121", alpha=0.7, zorder=2.5,
               label=f"incidents near a border ({int((derived.incidents['border'] != '').sum())})", gid="near")
    if stations is not None:
        ax.scatter(stations["lon"], stations["lat"], marker="^", s=14, color="black", zorder=3, label="stations",
                   gid="stations")
    others = derived.others
    if len(others):
        ax.scatter(others["lon"], others["lat"], s=90, facecolors="none", edgecolors="#616161", linewidths=1.2,
                   zorder=4, label="other hot spots (interior, outside, off roads)", gid="others")
    fam = font_family()
    for tier, part in hs.groupby("tier"):
        ax.scatter(part["lon"], part["lat"], s=60 + 60 * np.clip(part["risk"].to_numpy(float), 0, 4),
                   color=TIER_COLORS.get(tier, "#7f7f7f"), edgecolors="black", linewidths=0.8, zorder=5, alpha=0.6,
                   label=f"{tier}-border hotspots", gid=f"hotspots-{tier}")
    for r in hs.itertuples(index=False):
        hours = str(r.peak_hours).split("; ")
        text = f"{r.hotspot_id} {hours[0]}" + (f" +{len(hours) - 1}" if len(hours) > 1 else "")
        ax.annotate(label(text, text), (r.lon, r.lat), xytext=(5, 4), textcoords="offset points", fontsize=6.5,
                    fontfamily=fam, zorder=6)
    f = derived.figures
    _frame(ax, boundaries, extent, float(np.mean(extent[2:])),
           f"Incidents {f['first'][:10]} .. {f['last'][:10]}: {len(hs)} border hotspots and their hours")
    ax.legend(loc="lower left", fontsize=7, markerscale=1.0, framealpha=0.9)
    return ax


def plot_evaluation(table: pd.DataFrame, hotspots: pd.DataFrame, *, radius_m: float, boundaries=None, ax=None,
                    title: str = ""):
    """The week's incidents: at a hotspot and covered (green), at a hotspot and not (red),
    elsewhere (grey); hotspot discs of ``radius_m``. ``table``: evaluation.csv's rows."""
    ax = _new_ax(ax)
    lon_all = np.r_[hotspots["lon"].to_numpy(float), table["lon"].to_numpy(float)]
    lat_all = np.r_[hotspots["lat"].to_numpy(float), table["lat"].to_numpy(float)]
    extent = _extent(lon_all, lat_all)
    lat_mid = float(np.mean(extent[2:]))
    deg_lat = radius_m / 111_320.0
    from matplotlib.patches import Ellipse

    for r in hotspots.itertuples(index=False):
        ax.add_patch(Ellipse((r.lon, r.lat), 2 * deg_lat / np.cos(np.radians(r.lat)), 2 * deg_lat, fill=False,
                             edgecolor="#1f77b4", linewidth=1.0, zorder=3, gid="discs"))
        ax.annotate(r.hotspot_id, (r.lon, r.lat), xytext=(5, 4), textcoords="offset points", fontsize=6.5)
    at = table["hotspot_id"].astype(str) != ""
    cov = table["covered"].astype(bool)
    ax.scatter(table.loc[~at, "lon"], table.loc[~at, "lat"], s=2, color="#bdbdbd", zorder=2,
               label=f"elsewhere ({int((~at).sum())})", gid="elsewhere")
    ax.scatter(table.loc[at & cov, "lon"], table.loc[at & cov, "lat"], s=14, color="#2ca02c", zorder=4,
               label=f"at a hotspot, covered ({int((at & cov).sum())})", gid="covered")
    ax.scatter(table.loc[at & ~cov, "lon"], table.loc[at & ~cov, "lat"], s=14, color="#d62728", zorder=4,
               label=f"at a hotspot, not covered ({int((at & ~cov).sum())})", gid="uncovered")
    _frame(ax, boundaries, extent, lat_mid, title)
    ax.legend(loc="lower left", fontsize=7)
    return ax
