"""The overview map: boundaries, roads, stations, hotspots and the zones linking them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import offset_copy

from patrolplan.outputs.plotting._fonts import font_family, has_cjk, label
from patrolplan.outputs.plotting._names import county_labels, hotspot_names, station_names
from patrolplan.outputs.plotting._style import (
    CREDITS,
    MODE_LABELS_ASCII,
    MODE_STYLES,
    TIER_COLORS,
    TIER_MARKERS,
    day_window,
    resolve_day,
    station_colors,
)
from patrolplan.outputs.plotting._tables import roster_frame
from patrolplan.outputs.plotting.loops import loop_routes, meetings, visits_frame

__all__ = ["plot_map", "map_links", "hotspot_tiers", "station_hotspot_links", "draw_meetings"]

_UNKNOWN_TIER_COLOR = "#7f7f7f"
_BOUNDARY_COLOR = "#9e9e9e"
_PREFECTURE_COLOR = "#424242"
_ROAD_COLOR = "#e0b060"
_LOOP_COLOR = "#6a3d9a"
_MEETING_COLOR = "#111111"


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


def draw_scale_bar(ax, fontfamily=None) -> None:
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


def draw_north_arrow(ax) -> None:
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
    """Shifts per (station, hotspot, mode) in the roster (that day's only, with ``day``)."""
    if roster is None:
        return None
    r = roster_frame(roster)
    if day is not None:
        date = resolve_day(day, scenario.config.week_start, scenario.config.horizon_days)
        lo, hi = day_window(date)
        r = r[(r["start"] < hi) & (r["end"] > lo)]
    return r.groupby(["station_id", "hotspot_id", "mode"], as_index=False).size()


def map_links(scenario, roster=None, *, day=None) -> pd.DataFrame:
    """The links to draw: :func:`station_hotspot_links` plus any roster pair outside the zone's
    members (a hand-edited roster is still drawn), with ``shifts`` = the roster's shifts on it."""
    links = station_hotspot_links(scenario)
    used = _used_links(roster, day, scenario)
    if used is None or used.empty:
        return links.assign(shifts=0)
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
    return links


def plot_map(
    scenario,
    roster: pd.DataFrame | None = None,
    *,
    day=None,
    ax=None,
    credits: str | None = CREDITS,
    labels: str | None = "auto",
    max_labels: int = 30,
    hotspot_labels: str | None = "auto",
    graph=None,
    visits: pd.DataFrame | None = None,
):
    """Draw the scenario on a lon/lat map and return the axes.

    Layers (bottom to top): county ``boundaries`` and ``prefectures`` (thicker), ``roads``,
    links from each zone's member stations to its hotspots (synchronized: solid red,
    staggered: dashed cyan), hotspots coloured and shaped by tier, stations as black
    triangles sized by officers, then the labels: county names (grey, in the background),
    station names and hotspot names. A scale bar (km, from the latitude), a north arrow, a
    legend and the data ``credits`` (default :data:`CREDITS`; None to leave out) complete it.

    roster
        The run folder's roster (optional). Member links that carry shifts are drawn bold
        (width growing with the number of shifts), the others faint.
    day
        ``'mon'``..``'sun'``, a date or an ISO date text: only that day's shifts count as used.
    labels
        Station labels: ``'auto'`` (up to ``max_labels`` stations, busiest and largest first,
        each by its name, or by its id where the name would overlap a label already placed;
        a station whose id would overlap too is left unlabelled), ``'names'`` (every station,
        by name), ``'ids'`` (every station, by id) or None.
    hotspot_labels
        ``'auto'`` (hotspot names, by the same rule, when the map has at most 15 hotspots),
        ``'names'``, ``'ids'`` or None.
    graph
        A :class:`patrolplan.inputs.network.RoadGraph` (optional): the roster's visit loops
        (``loop_id``, ``loop_hotspots``) are drawn along their road path, station -> stops ->
        first stop -> station (purple, wider with more shifts); without it, by straight legs.
    visits
        The run folder's visits.csv (optional): where two teams of different stations are on
        site together at a synchronized zone's hotspot (a joint visit, a row per team), their
        stations' loops through it are drawn in the stations' colours (side by side where they
        share a road) and the hotspot gets a ring labelled with the number of meetings.

    Artists carry a ``gid`` for tests and post-processing: ``stations``,
    ``hotspots-<tier>``, ``links-<mode>`` (used or, without roster, all),
    ``links-<mode>-idle``, ``loops``, ``loops-meeting``, ``meetings``, ``meeting-label``, ``roads``,
    ``boundaries``, ``prefectures``, ``county-label``, ``station-label``, ``hotspot-label``, ``scalebar``, ``north-arrow``, ``credits``.
    """
    if ax is None:
        ax = _new_ax((11, 10))
    fam = font_family()
    links = map_links(scenario, roster, day=day)
    have_roster = roster is not None
    draw_boundaries(ax, scenario)
    draw_roads(ax, scenario)
    draw_links(ax, links, have_roster=have_roster)
    loops = _day_loops(scenario, roster, day, graph)
    met = meetings(scenario, _day_visits(scenario, visits, day))
    loops, meeting_loops = _split_meeting_loops(loops, met)
    draw_loops(ax, loops)
    draw_meeting_loops(ax, meeting_loops, station_colors(scenario.stations["station_id"]))
    draw_hotspots(ax, scenario)
    draw_stations(ax, scenario)
    draw_frame(ax, scenario, roster=roster, day=day, fontfamily=fam)
    placed: list = []
    draw_county_labels(ax, scenario, fontfamily=fam, placed=placed)
    draw_station_labels(ax, scenario, links, mode=labels, max_labels=max_labels, fontfamily=fam, placed=placed)
    draw_hotspot_labels(ax, scenario, mode=hotspot_labels, fontfamily=fam, placed=placed)
    draw_scale_bar(ax, fam)
    draw_north_arrow(ax)
    draw_meetings(ax, met, fontfamily=fam)
    draw_legend(ax, scenario, links, have_roster=have_roster, fontfamily=fam, loops=len(loops) > 0,
                meetings=len(met) > 0)
    draw_credits(ax, credits, fontfamily=fam)
    return ax


def _day_visits(scenario, visits, day):
    if visits is None or day is None or not len(visits):
        return visits
    v = visits if pd.api.types.is_datetime64_any_dtype(visits["arrive"]) else visits_frame(visits)
    lo, hi = day_window(resolve_day(day, scenario.config.week_start, scenario.config.horizon_days))
    return v[(v["arrive"] < hi) & (v["depart"] > lo)]


def _split_meeting_loops(loops: pd.DataFrame, met: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The loops (rows of :func:`loop_routes`) of a station that meets a partner at one of the
    loop's stops, apart from the others."""
    if met.empty or loops.empty:
        return loops, loops.iloc[0:0]
    where = {(a, h) for h, a, b in zip(met["hotspot_id"], met["station_a"], met["station_b"])}
    where |= {(b, h) for h, a, b in zip(met["hotspot_id"], met["station_a"], met["station_b"])}
    hit = np.asarray([any((str(s), h) in where for h in str(stops).split(";"))
                      for s, stops in zip(loops["station_id"], loops["loop_hotspots"])], dtype=bool)
    return loops[~hit], loops[hit]


def draw_meeting_loops(ax, loops: pd.DataFrame, colours: dict[str, str]) -> None:
    """Loops that meet a partner's, each in its station's colour (``colours``: station id ->
    colour, :func:`station_colors` as the timelines use it); the stations' lines shifted a
    little apart so two loops on one road both show."""
    if loops.empty:
        return
    for k, sid in enumerate(sorted(set(loops["station_id"].astype(str)))):
        sub = loops[loops["station_id"].astype(str) == sid]
        segs = [np.asarray(c, float) for c in sub["coords"] if len(c) >= 2]
        if not segs:
            continue
        shift = 1.6 * ((k % 3) - 1)  # points: -1.6, 0, 1.6
        moved = offset_copy(ax.transData, fig=ax.figure, x=shift, y=-shift, units="points")
        ax.add_collection(LineCollection(segs, colors=colours.get(sid, _LOOP_COLOR), linewidths=2.2, alpha=0.9,
                                         zorder=4.6, gid="loops-meeting", transform=moved), autolim=False)


def draw_meetings(ax, met: pd.DataFrame, *, fontfamily=None) -> None:
    """A ring at each hotspot where loops meet, labelled with the number of meetings there."""
    if met.empty:
        return
    per = met.groupby("hotspot_id", sort=True).agg(meetings=("meetings", "sum"), lon=("lon", "first"),
                                                   lat=("lat", "first"))
    ax.scatter(per["lon"].to_numpy(float), per["lat"].to_numpy(float), s=230, facecolors="none",
               edgecolors=_MEETING_COLOR, linewidths=1.8, zorder=6.5, gid="meetings")
    for h, r in per.iterrows():
        ax.annotate(f"{int(r.meetings)}×", (float(r.lon), float(r.lat)), xytext=(9, 7), textcoords="offset points",
                    fontsize=7.5, fontfamily=fontfamily, color=_MEETING_COLOR, zorder=12,
                    gid="meeting-label", bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=0.8))


def _day_loops(scenario, roster, day, graph) -> pd.DataFrame:
    """:func:`loop_routes` of the roster's loop shifts (that day's only, with ``day``)."""
    if roster is None or "loop_id" not in roster:
        return loop_routes(scenario, None)
    r = roster_frame(roster)
    if day is not None:
        date = resolve_day(day, scenario.config.week_start, scenario.config.horizon_days)
        lo, hi = day_window(date)
        r = r[(r["start"] < hi) & (r["end"] > lo)]
    return loop_routes(scenario, r, graph=graph)


def draw_loops(ax, loops: pd.DataFrame) -> None:
    """Each visit loop along its path (``loops`` from :func:`loop_routes`), wider with more shifts."""
    segs = [np.asarray(c, float) for c in loops["coords"] if len(c) >= 2] if len(loops) else []
    if not segs:
        return
    shifts = loops.loc[[len(c) >= 2 for c in loops["coords"]], "shifts"].to_numpy(float)
    ax.add_collection(LineCollection(segs, colors=_LOOP_COLOR, linewidths=np.minimum(1.0 + 0.4 * np.sqrt(shifts), 3.5),
                                     alpha=0.8, zorder=4.5, gid="loops"), autolim=False)


# --- layers -------------------------------------------------------------------------------


def _lines(ax, gdf, *, gid: str, **style) -> None:
    if gdf is None or not len(gdf):
        return
    ax.add_collection(LineCollection(_line_segments(gdf), gid=gid, **style), autolim=False)


def draw_boundaries(ax, scenario) -> None:
    """County boundaries (thin grey) and prefecture boundaries (thick dark grey)."""
    _lines(ax, scenario.boundaries, gid="boundaries", colors=_BOUNDARY_COLOR, linewidths=0.6, zorder=1)
    _lines(ax, scenario.prefectures, gid="prefectures", colors=_PREFECTURE_COLOR, linewidths=1.4, zorder=1.5)


def draw_roads(ax, scenario) -> None:
    _lines(ax, scenario.roads, gid="roads", colors=_ROAD_COLOR, linewidths=0.5, alpha=0.7, zorder=2)


def draw_links(ax, links: pd.DataFrame, *, have_roster: bool) -> None:
    """Station -> hotspot links by mode; with a roster, bold where shifts run, faint where not."""
    for mode, style in MODE_STYLES.items():
        sub = links[links["mode"] == mode]
        if sub.empty:
            continue
        segs = np.stack([sub[["station_lon", "station_lat"]].to_numpy(float),
                         sub[["hotspot_lon", "hotspot_lat"]].to_numpy(float)], axis=1)
        kw = dict(colors=style["color"], linestyles=style["linestyle"])
        if not have_roster:
            ax.add_collection(LineCollection(segs, linewidths=1.0, alpha=0.7, zorder=3, gid=f"links-{mode}", **kw),
                              autolim=False)
            continue
        shifts = sub["shifts"].to_numpy()
        busy = shifts > 0
        if (~busy).any():
            ax.add_collection(LineCollection(segs[~busy], linewidths=0.5, alpha=0.25, zorder=3,
                                             gid=f"links-{mode}-idle", **kw), autolim=False)
        if busy.any():
            widths = np.minimum(1.0 + 0.6 * np.sqrt(shifts[busy]), 4.0)
            ax.add_collection(LineCollection(segs[busy], linewidths=widths, alpha=1.0, zorder=4,
                                             gid=f"links-{mode}", **kw), autolim=False)


def draw_hotspots(ax, scenario) -> None:
    """Hotspots coloured and shaped by their zone's tier."""
    hs = scenario.hotspots
    tiers = hotspot_tiers(scenario).to_numpy()
    for tier in (*TIER_COLORS, ""):
        sel = tiers == tier
        if not sel.any():
            continue
        ax.scatter(hs["lon"].to_numpy(float)[sel], hs["lat"].to_numpy(float)[sel], s=46,
                   c=TIER_COLORS.get(tier, _UNKNOWN_TIER_COLOR), marker=TIER_MARKERS.get(tier, "o"),
                   edgecolors="black", linewidths=0.5, zorder=6, gid=f"hotspots-{tier or 'unknown'}")


def _officers(scenario) -> np.ndarray:
    return pd.to_numeric(scenario.stations["officers"], errors="coerce").fillna(0).to_numpy(float)


def _marker_size(officers, top) -> np.ndarray:
    return 12 + 110 * np.asarray(officers, float) / max(top, 1.0)


def draw_stations(ax, scenario) -> None:
    """Stations as black triangles, area growing with officers."""
    st = scenario.stations
    officers = _officers(scenario)
    sizes = _marker_size(officers, officers.max(initial=0.0))
    ax.scatter(st["lon"].to_numpy(float), st["lat"].to_numpy(float), s=sizes, c="black", marker="^",
               edgecolors="white", linewidths=0.6, zorder=7, gid="stations")


def draw_frame(ax, scenario, *, roster=None, day=None, fontfamily=None) -> None:
    """Extent (stations and hotspots, padded), true-scale aspect, axis labels and title."""
    x0, x1, y0, y1 = _extent(scenario)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
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
    ax.set_title(title, fontsize=11, fontfamily=fontfamily)


def draw_county_labels(ax, scenario, *, fontfamily=None, placed: list | None = None) -> None:
    """County names (from the boundaries layer) at a point inside each county on the map;
    their boxes go into ``placed`` so that station and hotspot labels keep clear of them."""
    if scenario.boundaries is None:
        return
    counties = county_labels(scenario.boundaries)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    inside = counties[(counties["lon"] > x0) & (counties["lon"] < x1) & (counties["lat"] > y0) & (counties["lat"] < y1)]
    for row in inside.itertuples(index=False):
        text = label(row.name, "")
        if not text:
            continue
        ax.text(row.lon, row.lat, text, ha="center", va="center", fontsize=11, color="#8a8a8a", alpha=0.8,
                fontfamily=fontfamily, zorder=1.8, gid="county-label", clip_on=True)
        if placed is not None:
            ax.apply_aspect()
            x, y = ax.transData.transform((row.lon, row.lat))
            w, h = _text_extent_px(ax, text, 11)
            placed.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))


def _text_extent_px(ax, text: str, fontsize: float) -> tuple[float, float]:
    """Approximate width and height of a one-line label in pixels (CJK characters are square)."""
    wide = sum(1 for c in text if ord(c) > 0x2E80)
    width_pt = fontsize * (wide + 0.6 * (len(text) - wide)) + 2.4
    px = ax.figure.dpi / 72.0
    return width_pt * px, fontsize * 1.35 * px


class _Placer:
    """Places labels next to points, refusing one that would overlap a label already placed."""

    def __init__(self, ax, placed: list):
        ax.apply_aspect()  # the axes' final box, so data -> pixels is what will be drawn
        self.ax, self.placed = ax, placed
        self.x_mid = sum(ax.get_xlim()) / 2

    def box(self, lon: float, lat: float, text: str, fontsize: float, right_side: bool):
        x, y = self.ax.transData.transform((lon, lat))
        w, h = _text_extent_px(self.ax, text, fontsize)
        off = 3 * self.ax.figure.dpi / 72.0
        x0 = x + off if right_side else x - off - w
        return (x0, y + off, x0 + w, y + off + h)

    def free(self, box) -> bool:
        return not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in self.placed)

    def place(self, lon: float, lat: float, candidates: list[str], fontsize: float, **kw) -> str | None:
        """Draw the first candidate text that fits (right of the point, else left); its text."""
        right_first = lon < self.x_mid + 0.3 * (self.ax.get_xlim()[1] - self.ax.get_xlim()[0])
        for text in candidates:
            for right in (right_first, not right_first):
                b = self.box(lon, lat, text, fontsize, right)
                if self.free(b):
                    self.placed.append(b)
                    self.ax.annotate(text, (lon, lat), xytext=(3 if right else -3, 3), textcoords="offset points",
                                     ha="left" if right else "right", fontsize=fontsize, clip_on=True,
                                     bbox=dict(facecolor="white", edgecolor="none", alpha=0.6, pad=0.6), **kw)
                    return text
        return None


def draw_station_labels(ax, scenario, links=None, *, mode="auto", max_labels: int = 30, fontfamily=None,
                        placed: list | None = None) -> None:
    """Station labels (gid ``station-label``); see :func:`plot_map`'s ``labels``."""
    if not mode:
        return
    if mode not in ("auto", "names", "ids"):
        raise ValueError(f"labels={mode!r}: use 'auto', 'names', 'ids' or None")
    st = scenario.stations.reset_index(drop=True)
    ids = st["station_id"].astype(str)
    names = station_names(scenario)
    kw = dict(fontfamily=fontfamily, zorder=8, gid="station-label")
    if mode in ("names", "ids"):
        for i, row in st.iterrows():
            text = names.get(ids[i], ids[i]) if mode == "names" else ids[i]
            right = float(row["lon"]) <= ax.get_xlim()[0] + 0.8 * (ax.get_xlim()[1] - ax.get_xlim()[0])
            ax.annotate(text, (float(row["lon"]), float(row["lat"])), xytext=(3 if right else -3, 3),
                        textcoords="offset points", ha="left" if right else "right", fontsize=6.5, clip_on=True,
                        bbox=dict(facecolor="white", edgecolor="none", alpha=0.6, pad=0.6), **kw)
        return
    load = pd.Series(0.0, index=ids.to_numpy())
    if links is not None and len(links) and "shifts" in links:
        load = load.add(links.groupby("station_id")["shifts"].sum(), fill_value=0).reindex(ids.to_numpy())
    key = load.to_numpy(float) * 1000 + _officers(scenario)
    placer = _Placer(ax, placed if placed is not None else [])
    shown = 0
    for i in np.argsort(-key, kind="stable"):
        if shown >= max_labels:
            break
        sid = ids[i]
        name = names.get(sid, sid)
        if placer.place(float(st.at[i, "lon"]), float(st.at[i, "lat"]), list(dict.fromkeys([name, sid])), 6.5, **kw):
            shown += 1


def draw_hotspot_labels(ax, scenario, *, mode="auto", max_auto: int = 15, fontfamily=None,
                        placed: list | None = None) -> None:
    """Hotspot labels (gid ``hotspot-label``); see :func:`plot_map`'s ``hotspot_labels``."""
    hs = scenario.hotspots.reset_index(drop=True)
    if not mode or (mode == "auto" and len(hs) > max_auto):
        return
    if mode not in ("auto", "names", "ids"):
        raise ValueError(f"hotspot_labels={mode!r}: use 'auto', 'names', 'ids' or None")
    names = hotspot_names(scenario)
    placer = _Placer(ax, placed if placed is not None else [])
    kw = dict(fontfamily=fontfamily, zorder=8, gid="hotspot-label", color="#333333", style="italic")
    for i, row in hs.iterrows():
        hid = str(row["hotspot_id"])
        candidates = [hid] if mode == "ids" else list(dict.fromkeys([names.get(hid, hid), hid]))
        placer.place(float(row["lon"]), float(row["lat"]), candidates, 6.0, **kw)


def draw_legend(ax, scenario, links, *, have_roster: bool, fontfamily=None, loops: bool = False,
                meetings: bool = False) -> None:
    """Tiers present, modes present, two station sizes, and the background layers drawn."""
    tiers = hotspot_tiers(scenario).to_numpy()
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
    if loops:
        handles.append(Line2D([], [], color=_LOOP_COLOR, linewidth=2, label="visit loop (along the roads)"))
    if meetings:
        handles.append(Line2D([], [], color="#1f77b4", linewidth=2.2,
                              label="loops that meet a partner (station colours)"))
        handles.append(Line2D([], [], linestyle="", marker="o", markerfacecolor="none", markeredgecolor=_MEETING_COLOR,
                              markeredgewidth=1.8, markersize=10, label="teams meet (joint visit): n× meetings"))
    officers = _officers(scenario)
    if len(officers):
        top = max(officers.max(), 1.0)
        for n in sorted({int(round(top / 4)), int(round(top))} - {0}):
            size = float(_marker_size(n, top))
            handles.append(Line2D([], [], linestyle="", marker="^", color="black",
                                  markersize=min(math.sqrt(size), 9.0), label=f"station, {n} officers"))
    if scenario.roads is not None:
        handles.append(Line2D([], [], color=_ROAD_COLOR, linewidth=1, label="road"))
    if scenario.boundaries is not None:
        handles.append(Line2D([], [], color=_BOUNDARY_COLOR, linewidth=0.8, label="county boundary"))
    if scenario.prefectures is not None:
        handles.append(Line2D([], [], color=_PREFECTURE_COLOR, linewidth=1.4, label="prefecture boundary"))
    legend = ax.legend(handles=handles, loc="upper right", prop={"family": fontfamily, "size": 7}, framealpha=0.9)
    legend.set_zorder(20)  # above the markers


def draw_credits(ax, credits: str | None, *, fontfamily=None) -> None:
    if credits:
        ax.text(0.995, 0.005, credits, transform=ax.transAxes, ha="right", va="bottom", fontsize=6,
                fontfamily=fontfamily, color="#333333", zorder=11, gid="credits",
                bbox=dict(facecolor="white", edgecolor="none", alpha=0.75, pad=1.5))
