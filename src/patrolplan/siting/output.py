"""The siting run folder and its map.

Files (written through :class:`patrolplan.outputs.runfolder.atomic_folder`, marker kind
``site``; an output path holding anything patrolplan did not write is refused before any work):

``site.json``        the ``--json`` figures
``sites.csv``        one row per chosen site: ``facility_id``, ``fixed``, ``n_clients`` (clients
                     whose nearest site it is), ``weight`` (their weight), ``n_covered`` (clients
                     within the radius), ``lon``/``lat``/``tier``/``name`` from a config
``assignment.csv``   one row per client: ``client_id``, ``weight``, ``facility_id`` (its nearest
                     site; empty when no site reaches it), ``cost``, ``sites_within`` and
                     ``covered`` (with a radius)
from a config also
``sites.geojson``    the sites as points (EPSG:4326) with the sites.csv columns
``hotspots_add.csv``, ``zones_add.csv``, ``demand_add.csv``
                     rows to append to the week's tables (see
                     :func:`patrolplan.siting.network.checkpoint_tables`)
``sites.png``        the map: borders, roads, stations, candidates, hotspots (covered or not),
                     the chosen sites and the roads each reaches within the radius
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.outputs.runfolder import atomic_folder
from patrolplan.siting.core import SitingResult

__all__ = ["site_tables", "write_site_folder", "plot_sites"]


def site_tables(result: SitingResult, *, fixed: tuple[str, ...] = (), candidates=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """sites.csv and assignment.csv as tables."""
    pr, f = result.problem, result.figures
    nearest = f.nearest_site
    within = None
    if result.radius is not None:
        within = pr.within(result.radius)[:, result.sites].tocsc()
    rows = []
    for k, j in enumerate(result.sites):
        mine = nearest == j
        row = {"facility_id": pr.facility_ids[j], "fixed": pr.facility_ids[j] in fixed,
               "n_clients": int(mine.sum()), "weight": float(pr.weights[mine].sum())}
        if within is not None:
            row["n_covered"] = int(within[:, k].sum())
        rows.append(row)
    sites = pd.DataFrame(rows, columns=["facility_id", "fixed", "n_clients", "weight"]
                         + (["n_covered"] if within is not None else []))
    if candidates is not None:
        extra = candidates.table.set_index("facility_id")
        for col in ("lon", "lat", "tier", "name", "names", "kind"):
            if col in extra.columns:
                sites[col] = [extra.at[s, col] for s in sites["facility_id"]]
    assign = pd.DataFrame({
        "client_id": pr.client_ids,
        "weight": pr.weights,
        "facility_id": [pr.facility_ids[j] if j >= 0 else "" for j in nearest],
        "cost": [c if math.isfinite(c) else None for c in f.nearest_cost],
    })
    if f.n_within is not None:
        assign["sites_within"] = f.n_within
        assign["covered"] = np.where(f.n_within >= 1, "true", "false")
    return sites, assign


def write_site_folder(out: Path, result: SitingResult, figures_json: dict, *, fixed: tuple[str, ...] = (),
                      scenario=None, candidates=None, graph=None, add_tables=None) -> Path:
    """Write the run folder atomically (see the module docstring)."""
    sites, assign = site_tables(result, fixed=fixed, candidates=candidates)
    with atomic_folder(out, kind="site") as tmp:
        (tmp / "site.json").write_text(json.dumps(figures_json, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        sites.to_csv(tmp / "sites.csv", index=False)
        assign.to_csv(tmp / "assignment.csv", index=False)
        if candidates is not None:
            import geopandas as gpd

            gdf = gpd.GeoDataFrame(sites.copy(), geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326)
            gdf["fixed"] = gdf["fixed"].astype(bool)
            gdf.to_file(tmp / "sites.geojson", driver="GeoJSON")
        if add_tables is not None:
            for name, table in zip(("hotspots_add.csv", "zones_add.csv", "demand_add.csv"), add_tables):
                table.to_csv(tmp / name, index=False)
        if scenario is not None and candidates is not None:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ax = plot_sites(result, scenario, candidates, graph=graph)
                ax.figure.savefig(tmp / "sites.png", dpi=130, bbox_inches="tight")
                plt.close(ax.figure)
    return out


# --- the map ---------------------------------------------------------------------------------


def _reach_segments(result: SitingResult, scenario, site_ll: np.ndarray, graph) -> np.ndarray:
    """Road edges a site reaches within the radius (both ends within radius minus the off-road
    leg from the site to its road vertex), as line segments [n, 2, 2] in lon/lat."""
    from scipy.sparse.csgraph import dijkstra

    radius = float(result.radius)
    offroad_m_per_min = scenario.config.travel.offroad_kmh * 1000 / 60
    vertex, dist_m = graph.snap(site_ll[:, 0], site_ll[:, 1])
    limit = radius - dist_m / offroad_m_per_min
    ok = limit > 0
    if not ok.any():
        return np.zeros((0, 2, 2))
    reached = np.zeros(graph.n_vertices, dtype=bool)
    for v, lim in zip(vertex[ok], limit[ok]):
        d = dijkstra(graph.matrix, directed=True, indices=int(v), limit=float(lim))
        reached |= np.isfinite(d)
    m = graph.matrix.tocoo()
    keep = reached[m.row] & reached[m.col] & (m.row < m.col)
    ll = graph.vertex_lonlat
    return np.stack([ll[m.row[keep]], ll[m.col[keep]]], axis=1)


def plot_sites(result: SitingResult, scenario, candidates, *, graph=None, ax=None):
    """Draw the siting result on the border map and return the axes (never saves).

    Layers: county and prefecture borders, roads, stations (black triangles), candidates
    (small grey dots), hotspots (green: within the radius of a site; red: not; size by
    risk), a thin line from each hotspot to its nearest site, the roads each site reaches
    within the radius (blue; a circle of radius x default speed / detour without roads),
    and the sites (stars, tier colours). Artists carry gids ``reach``, ``candidates``,
    ``clients-covered``, ``clients-uncovered``, ``sites``, ``assignment``.
    """
    import matplotlib.pyplot as plt

    from patrolplan.outputs.plotting._fonts import font_family
    from patrolplan.outputs.plotting._style import CREDITS
    from patrolplan.outputs.plotting.map import (
        draw_boundaries, draw_county_labels, draw_credits, draw_north_arrow, draw_roads, draw_scale_bar, draw_stations,
    )

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 10))
    fam = font_family()
    table = candidates.table.set_index("facility_id")
    site_ll = table.loc[result.site_ids, ["lon", "lat"]].to_numpy(float).reshape(-1, 2)
    hs = scenario.hotspots.set_index(scenario.hotspots["hotspot_id"].astype(str)).loc[list(result.problem.client_ids)]
    h_ll = hs[["lon", "lat"]].to_numpy(float).reshape(-1, 2)
    draw_boundaries(ax, scenario)
    draw_roads(ax, scenario)
    if result.radius is not None:
        _draw_reach(ax, result, scenario, site_ll, graph)
    c_ll = candidates.table[["lon", "lat"]].to_numpy(float)
    ax.scatter(c_ll[:, 0], c_ll[:, 1], s=6, c="#8c8c8c", zorder=3, gid="candidates")
    _draw_assignment(ax, result, h_ll, site_ll)
    draw_stations(ax, scenario)
    _draw_hotspots(ax, result, h_ll)
    tiers = table.loc[result.site_ids, "tier"].replace("", "county").to_numpy()
    _draw_sites(ax, site_ll, tiers)
    stations_ll = scenario.stations[["lon", "lat"]].to_numpy(float).reshape(-1, 2)
    _frame_and_title(ax, result, scenario, np.vstack([h_ll, site_ll, stations_ll]), fam)
    draw_county_labels(ax, scenario, fontfamily=fam, placed=[])
    draw_scale_bar(ax, fam)
    draw_north_arrow(ax)
    legend = ax.legend(handles=_legend_handles(result), loc="upper right", prop={"family": fam, "size": 7},
                       framealpha=0.9)
    legend.set_zorder(20)
    draw_credits(ax, CREDITS, fontfamily=fam)
    return ax


def _draw_reach(ax, result: SitingResult, scenario, site_ll: np.ndarray, graph) -> None:
    """The roads each site reaches within the radius (blue lines), or without a road graph a
    circle of radius x default speed / detour around each site."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle

    if graph is not None:
        segs = _reach_segments(result, scenario, site_ll, graph)
        if len(segs):
            ax.add_collection(LineCollection(segs, colors="#1f5fbf", linewidths=1.8, alpha=0.55, zorder=2.5,
                                             gid="reach"), autolim=False)
        return
    cfg = scenario.config.travel
    km = result.radius * float(cfg.speeds_kmh.get("default", 30.0)) / 60 / cfg.detour_factor
    for lon, lat in site_ll:
        ax.add_patch(Circle((lon, lat), km / 111.0, facecolor="#1f5fbf", alpha=0.12, edgecolor="#1f5fbf",
                            zorder=2.5, gid="reach"))


def _draw_assignment(ax, result: SitingResult, h_ll: np.ndarray, site_ll: np.ndarray) -> None:
    """A thin grey line from each hotspot to its nearest site."""
    from matplotlib.collections import LineCollection

    pr, site_ids = result.problem, result.site_ids
    links = [(h_ll[i], site_ll[site_ids.index(pr.facility_ids[j])])
             for i, j in enumerate(result.figures.nearest_site) if j >= 0]
    if links:
        ax.add_collection(LineCollection(np.array(links), colors="#555555", linewidths=0.5, alpha=0.5, zorder=3.5,
                                         gid="assignment"), autolim=False)


def _draw_hotspots(ax, result: SitingResult, h_ll: np.ndarray) -> None:
    """The hotspots sized by risk: green within the radius of a site, red not."""
    f = result.figures
    covered = f.n_within >= 1 if f.n_within is not None else np.ones(len(h_ll), dtype=bool)
    size = 18 + 18 * np.sqrt(result.problem.weights)
    for sel, color, gid in ((covered, "#2ca02c", "clients-covered"), (~covered, "#d62728", "clients-uncovered")):
        if sel.any():
            ax.scatter(h_ll[sel, 0], h_ll[sel, 1], s=size[sel], c=color, edgecolors="black", linewidths=0.4,
                       zorder=6, gid=gid)


def _draw_sites(ax, site_ll: np.ndarray, tiers: np.ndarray) -> None:
    """The chosen sites: stars in their border tier's colour."""
    from patrolplan.outputs.plotting._style import TIER_COLORS

    ax.scatter(site_ll[:, 0], site_ll[:, 1], s=230, marker="*", c=[TIER_COLORS.get(t, "#1f5fbf") for t in tiers],
               edgecolors="black", linewidths=0.8, zorder=8, gid="sites")


def _frame_and_title(ax, result: SitingResult, scenario, pts: np.ndarray, fam) -> None:
    """Limits around ``pts`` (lon/lat) with a margin, the local aspect, axis labels and the title."""
    x0, x1 = pts[:, 0].min(), pts[:, 0].max()
    y0, y1 = pts[:, 1].min(), pts[:, 1].max()
    pad = 0.08 * max(x1 - x0, y1 - y0, 0.05)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)), adjustable="box")
    ax.tick_params(labelsize=7)
    ax.ticklabel_format(useOffset=False)
    ax.set_xlabel("longitude (°E)", fontsize=8)
    ax.set_ylabel("latitude (°N)", fontsize=8)
    f = result.figures
    radius = f", radius {result.radius:g} min" if result.radius is not None else ""
    cov = f", {f.coverage_pct:.0f} % of hotspots covered" if f.coverage_pct is not None else ""
    ax.set_title(f"{scenario.config.name}: {result.model}, {len(result.site_ids)} checkpoints{radius}{cov}",
                 fontsize=11, fontfamily=fam)


def _legend_handles(result: SitingResult) -> list:
    """The legend's entries; the reach line only with a radius."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], linestyle="", marker="*", markersize=13, markerfacecolor="#ffcc00", markeredgecolor="black",
               label="chosen checkpoint (colour: border tier)"),
        Line2D([], [], linestyle="", marker="o", markersize=4, color="#8c8c8c", label="candidate"),
        Line2D([], [], linestyle="", marker="o", markersize=7, markerfacecolor="#2ca02c", markeredgecolor="black",
               label="hotspot within the radius"),
        Line2D([], [], linestyle="", marker="o", markersize=7, markerfacecolor="#d62728", markeredgecolor="black",
               label="hotspot not covered"),
        Line2D([], [], linestyle="", marker="^", color="black", markersize=7, label="police station"),
        Line2D([], [], color="#555555", linewidth=0.8, label="hotspot → nearest checkpoint"),
    ]
    if result.radius is not None:
        handles.append(Line2D([], [], color="#1f5fbf", linewidth=2, alpha=0.6, label="roads within the radius"))
    return handles
