"""The overview map: boundaries, roads, stations, hotspots and the zones linking them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ._fonts import font_family, has_cjk, label
from ._style import CREDITS, MODE_LABELS_ASCII, MODE_STYLES, TIER_COLORS, TIER_MARKERS, day_window, resolve_day
from ._tables import roster_frame

__all__ = ["plot_map", "hotspot_tiers", "station_hotspot_links"]

_UNKNOWN_TIER_COLOR = "#7f7f7f"


def _new_ax(figsize):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def hotspot_tiers(scenario) -> pd.Series:
    """Tier of each hotspot (its zone's tier), indexed by hotspot_id; '' where unknown."""
    tier_of_zone = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["tier"].astype(str)))
    hs = scenario.hotspots
    return pd.Series(
        [tier_of_zone.get(str(z), "") for z in hs["zone_id"]], index=hs["hotspot_id"].astype(str), name="tier"
    )


def station_hotspot_links(scenario) -> pd.DataFrame:
    """One row per (zone, member station, hotspot of the zone): ``zone_id``, ``tier``,
    ``mode``, ``station_id``, ``hotspot_id`` and both ends' ``*_lon``/``*_lat``."""
    st = scenario.stations.set_index(scenario.stations["station_id"].astype(str))
    hs = scenario.hotspots
    rows = []
    for z in scenario.zones.itertuples(index=False):
        members = getattr(z, "members", None)
        if members is None or (isinstance(members, float) and math.isnan(members)):
            members = tuple(s.strip() for s in str(z.stations).split(";") if s.strip())
        zone_hs = hs[hs["zone_id"].astype(str) == str(z.zone_id)]
        for sid in members:
            sid = str(sid)
            if sid not in st.index:
                continue
            for h in zone_hs.itertuples(index=False):
                rows.append(
                    (str(z.zone_id), str(z.tier), str(z.mode), sid, str(h.hotspot_id),
                     float(st.at[sid, "lon"]), float(st.at[sid, "lat"]), float(h.lon), float(h.lat))
                )
    return pd.DataFrame(
        rows,
        columns=["zone_id", "tier", "mode", "station_id", "hotspot_id",
                 "station_lon", "station_lat", "hotspot_lon", "hotspot_lat"],
    )


def _line_segments(gdf) -> list[np.ndarray]:
    """Every line of a GeoDataFrame's geometries (polygons give their rings) as (n, 2) arrays."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    if len(geoms) == 0:
        return []
    polys = shapely.get_type_id(geoms)
    geoms = np.where(np.isin(polys, (3, 6)), shapely.boundary(geoms), geoms)
    parts = shapely.get_parts(geoms)
    parts = shapely.get_parts(parts)  # MultiLineString boundaries -> LineStrings
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    if len(coords) == 0:
        return []
    splits = np.flatnonzero(np.diff(idx)) + 1
    return [c for c in np.split(coords, splits) if len(c) >= 2]


def _nice_length_km(span_km: float) -> float:
    target = max(span_km / 5.0, 1e-3)
    exp = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * exp <= target:
            return m * exp
    return exp


def _scale_bar(ax, fontfamily) -> None:
    """A two-part black/white bar in km at the lower left; km per degree from the latitude."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lat = (y0 + y1) / 2
    km_per_deg_lon = 111.320 * math.cos(math.radians(lat))
    length_km = _nice_length_km((x1 - x0) * km_per_deg_lon)
    length_deg = length_km / km_per_deg_lon
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.012 * (y1 - y0)
    half = length_deg / 2
    for i, color in enumerate(("black", "white")):
        ax.add_patch(Rectangle((bx + i * half, by), half, h, facecolor=color, edgecolor="black",
                               linewidth=0.8, zorder=10, gid="scalebar"))
    kw = dict(ha="center", va="bottom", fontsize=7, zorder=10, fontfamily=fontfamily)
    ax.text(bx, by + 1.4 * h, "0", **kw)
    ax.text(bx + length_deg, by + 1.4 * h, f"{length_km:g} km", gid="scalebar-label", **kw)


def _north_arrow(ax) -> None:
    ax.annotate(
        "N", xy=(0.05, 0.95), xytext=(0.05, 0.85), xycoords="axes fraction", textcoords="axes fraction",
        ha="center", va="center", fontsize=12, fontweight="bold", zorder=10, gid="north-arrow",
        arrowprops=dict(facecolor="black", edgecolor="black", width=3, headwidth=10, headlength=10),
    )


def _extent(scenario, pad_frac: float = 0.08) -> tuple[float, float, float, float]:
    lon = pd.concat([scenario.stations["lon"], scenario.hotspots["lon"]]).astype(float)
    lat = pd.concat([scenario.stations["lat"], scenario.hotspots["lat"]]).astype(float)
    lon, lat = lon[np.isfinite(lon)], lat[np.isfinite(lat)]
    if lon.empty:
        return 115.5, 117.5, 34.5, 36.0
    w, h = lon.max() - lon.min(), lat.max() - lat.min()
    px, py = max(w * pad_frac, 0.03), max(h * pad_frac, 0.03)
    return lon.min() - px, lon.max() + px, lat.min() - py, lat.max() + py


def _used_links(roster, day, scenario) -> pd.DataFrame | None:
    if roster is None:
        return None
    r = roster_frame(roster)
    if day is not None:
        date = resolve_day(day, scenario.config.week_start, scenario.config.horizon_days)
        lo, hi = day_window(date)
        r = r[(r["start"] < hi) & (r["end"] > lo)]
    return r.groupby(["station_id", "hotspot_id", "mode"], as_index=False).size()


def plot_map(
    scenario,
    roster: pd.DataFrame | None = None,
    *,
    day=None,
    ax=None,
    credits: str | None = CREDITS,
    labels: str | None = "auto",
    max_labels: int = 30,
):
    """Draw the scenario on a lon/lat map and return the axes.

    Layers (bottom to top): county ``boundaries`` and ``prefectures`` (thicker), ``roads``,
    links from each zone's member stations to its hotspots (synchronized: solid red,
    staggered: dashed cyan), hotspots coloured and shaped by tier, stations as black
    triangles sized by officers. A scale bar (km, from the latitude), a north arrow, a
    legend and the data ``credits`` (default :data:`CREDITS`; None to leave out) complete it.

    roster
        The run folder's roster (optional). Member links that carry shifts are drawn bold
        (width growing with the number of shifts), the others faint.
    day
        ``'mon'``..``'sun'``, a date or an ISO date text: only that day's shifts count as used.
    labels
        ``'auto'`` (station names when there are at most ``max_labels`` stations, else the
        ids of the ``max_labels`` busiest or largest stations), ``'names'``, ``'ids'`` or None.

    Artists carry a ``gid`` for tests and post-processing: ``stations``,
    ``hotspots-<tier>``, ``links-<mode>`` (used or, without roster, all),
    ``links-<mode>-idle``, ``roads``, ``boundaries``, ``prefectures``, ``scalebar``,
    ``north-arrow``, ``credits``.
    """
    if ax is None:
        ax = _new_ax((11, 10))
    fam = font_family()
    x0, x1, y0, y1 = _extent(scenario)

    # --- background -------------------------------------------------------------------
    if scenario.boundaries is not None and len(scenario.boundaries):
        segs = _line_segments(scenario.boundaries)
        ax.add_collection(LineCollection(segs, colors="#9e9e9e", linewidths=0.6, zorder=1, gid="boundaries"),
                          autolim=False)
    if scenario.prefectures is not None and len(scenario.prefectures):
        segs = _line_segments(scenario.prefectures)
        ax.add_collection(LineCollection(segs, colors="#424242", linewidths=1.4, zorder=1.5, gid="prefectures"),
                          autolim=False)
    if scenario.roads is not None and len(scenario.roads):
        segs = _line_segments(scenario.roads)
        ax.add_collection(LineCollection(segs, colors="#e0b060", linewidths=0.5, alpha=0.7, zorder=2,
                                         gid="roads"), autolim=False)

    # --- links ------------------------------------------------------------------------
    links = station_hotspot_links(scenario)
    used = _used_links(roster, day, scenario)
    if used is not None and not used.empty:
        # A roster row outside the zone's members (hand-edited roster) is still drawn.
        st = scenario.stations.set_index(scenario.stations["station_id"].astype(str))
        hs = scenario.hotspots.set_index(scenario.hotspots["hotspot_id"].astype(str))
        known = set(zip(links["station_id"], links["hotspot_id"]))
        extra = [
            dict(zone_id="", tier="", mode=u.mode, station_id=u.station_id, hotspot_id=u.hotspot_id,
                 station_lon=st.at[u.station_id, "lon"], station_lat=st.at[u.station_id, "lat"],
                 hotspot_lon=hs.at[u.hotspot_id, "lon"], hotspot_lat=hs.at[u.hotspot_id, "lat"])
            for u in used.itertuples(index=False)
            if (u.station_id, u.hotspot_id) not in known and u.station_id in st.index and u.hotspot_id in hs.index
        ]
        if extra:
            links = pd.concat([links, pd.DataFrame(extra)], ignore_index=True)
        n_shifts = used.groupby(["station_id", "hotspot_id"])["size"].sum()
        links["shifts"] = [int(n_shifts.get((s, h), 0)) for s, h in zip(links["station_id"], links["hotspot_id"])]
    else:
        links["shifts"] = 0
    have_roster = roster is not None
    for mode, style in MODE_STYLES.items():
        sub = links[links["mode"] == mode]
        if sub.empty:
            continue
        segs = np.stack(
            [sub[["station_lon", "station_lat"]].to_numpy(float), sub[["hotspot_lon", "hotspot_lat"]].to_numpy(float)],
            axis=1,
        )
        if have_roster:
            busy = sub["shifts"].to_numpy() > 0
            if (~busy).any():
                ax.add_collection(LineCollection(segs[~busy], colors=style["color"], linestyles=style["linestyle"],
                                                 linewidths=0.5, alpha=0.25, zorder=3, gid=f"links-{mode}-idle"),
                                  autolim=False)
            if busy.any():
                widths = 1.0 + 0.6 * np.sqrt(sub["shifts"].to_numpy()[busy])
                ax.add_collection(LineCollection(segs[busy], colors=style["color"], linestyles=style["linestyle"],
                                                 linewidths=np.minimum(widths, 4.0), alpha=1.0, zorder=4,
                                                 gid=f"links-{mode}"), autolim=False)
        else:
            ax.add_collection(LineCollection(segs, colors=style["color"], linestyles=style["linestyle"],
                                             linewidths=1.0, alpha=0.7, zorder=3, gid=f"links-{mode}"),
                              autolim=False)

    # --- hotspots by tier -------------------------------------------------------------
    hs = scenario.hotspots
    tiers = hotspot_tiers(scenario).to_numpy()
    for tier in (*TIER_COLORS, ""):
        sel = tiers == tier
        if not sel.any():
            continue
        ax.scatter(hs["lon"].to_numpy(float)[sel], hs["lat"].to_numpy(float)[sel], s=46,
                   c=TIER_COLORS.get(tier, _UNKNOWN_TIER_COLOR), marker=TIER_MARKERS.get(tier, "o"),
                   edgecolors="black", linewidths=0.5, zorder=6, gid=f"hotspots-{tier or 'unknown'}")

    # --- stations ---------------------------------------------------------------------
    st = scenario.stations
    officers = pd.to_numeric(st["officers"], errors="coerce").fillna(0).to_numpy(float)
    top = max(officers.max(initial=0.0), 1.0)
    sizes = 12 + 110 * officers / top
    ax.scatter(st["lon"].to_numpy(float), st["lat"].to_numpy(float), s=sizes, c="black", marker="^",
               edgecolors="white", linewidths=0.6, zorder=7, gid="stations")
    # --- frame, furniture -------------------------------------------------------------
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    _station_labels(ax, scenario, used, labels, max_labels, fam)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)), adjustable="box")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude (°E)", fontsize=8)
    ax.set_ylabel("latitude (°N)", fontsize=8)
    title = f"{scenario.config.name}: stations, hotspots, cooperation zones"
    if day is not None:
        date = resolve_day(day, scenario.config.week_start, scenario.config.horizon_days)
        title += f" — shifts on {date:%a %Y-%m-%d}"
    elif roster is not None:
        title += " — shifts of the week"
    ax.set_title(title, fontsize=11, fontfamily=fam)
    _scale_bar(ax, fam)
    _north_arrow(ax)
    _legend(ax, links, tiers, officers, have_roster, scenario, fam)
    if credits:
        ax.text(0.995, 0.005, credits, transform=ax.transAxes, ha="right", va="bottom", fontsize=6,
                fontfamily=fam, color="#333333", zorder=11, gid="credits",
                bbox=dict(facecolor="white", edgecolor="none", alpha=0.75, pad=1.5))
    return ax


def _station_labels(ax, scenario, used, labels, max_labels, fam) -> None:
    if not labels:
        return
    st = scenario.stations.reset_index(drop=True)
    ids = st["station_id"].astype(str)
    mode = labels
    chosen = np.arange(len(st))
    if labels == "auto":
        if len(st) <= max_labels:
            mode = "names"
        else:
            mode = "ids"
            load = pd.Series(0.0, index=ids.to_numpy())
            if used is not None and not used.empty:
                load = load.add(used.groupby("station_id")["size"].sum(), fill_value=0).reindex(ids)
            officers = pd.to_numeric(st["officers"], errors="coerce").fillna(0).to_numpy(float)
            key = load.to_numpy(float) * 1000 + officers
            chosen = np.sort(np.argsort(-key, kind="stable")[:max_labels])
    elif labels not in ("names", "ids"):
        raise ValueError(f"labels={labels!r}: use 'auto', 'names', 'ids' or None")
    x0, x1 = ax.get_xlim()
    for i in chosen:
        row = st.iloc[i]
        text = label(row.get("name", ""), row["station_id"]) if mode == "names" else str(row["station_id"])
        right = float(row["lon"]) > x0 + 0.8 * (x1 - x0)  # near the right edge: label to the left
        ax.annotate(text, (float(row["lon"]), float(row["lat"])), xytext=(-3 if right else 3, 3),
                    textcoords="offset points", ha="right" if right else "left",
                    fontsize=6.5, fontfamily=fam, zorder=8, gid="station-label", clip_on=True,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.6, pad=0.6))


def _legend(ax, links, tiers, officers, have_roster, scenario, fam) -> None:
    handles = []
    for tier, color in TIER_COLORS.items():
        if (tiers == tier).any():
            handles.append(Line2D([], [], linestyle="", marker=TIER_MARKERS[tier], markerfacecolor=color,
                                  markeredgecolor="black", markersize=7, label=f"hotspot, {tier} tier"))
    cjk = has_cjk()
    for mode, style in MODE_STYLES.items():
        if (links["mode"] == mode).any():
            text = style["label"] if cjk else MODE_LABELS_ASCII[mode]
            if have_roster:
                text += " (bold: with shifts)"
            handles.append(Line2D([], [], color=style["color"], linestyle=style["linestyle"], linewidth=1.6,
                                  label=text))
    if len(officers):
        top = max(officers.max(), 1.0)
        for n in sorted({int(round(top / 4)), int(round(top))} - {0}):
            size = 12 + 110 * n / top
            handles.append(Line2D([], [], linestyle="", marker="^", color="black",
                                  markersize=min(math.sqrt(size), 9.0), label=f"station, {n} officers"))
    if scenario.roads is not None:
        handles.append(Line2D([], [], color="#e0b060", linewidth=1, label="road"))
    if scenario.boundaries is not None:
        handles.append(Line2D([], [], color="#9e9e9e", linewidth=0.8, label="county boundary"))
    if scenario.prefectures is not None:
        handles.append(Line2D([], [], color="#424242", linewidth=1.4, label="prefecture boundary"))
    legend = ax.legend(handles=handles, loc="upper right", prop={"family": fam, "size": 7}, framealpha=0.9)
    legend.set_zorder(20)  # above the markers
