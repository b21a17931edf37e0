"""An interactive (folium/Leaflet) map of zones and shifts, for notebooks.

Drawn with ``tiles=None`` and with Leaflet itself embedded in the page (from the PyPI package
``django-js-lib-leaflet``, a plain repackaging of Leaflet 1.9 with no Django needed to read its
files), so the map works with no internet at all: folium's own page links Leaflet, jQuery and
Bootstrap from CDNs, which a police station's offline network cannot reach.
"""

from __future__ import annotations

import html

import pandas as pd

from patrolplan.outputs.plotting._style import (
    CREDITS,
    MODE_STYLES,
    TIER_COLORS,
    day_window,
    resolve_day,
    station_colors,
)
from patrolplan.outputs.plotting._tables import roster_frame
from patrolplan.outputs.plotting.loops import loop_routes, meetings, visits_frame
from patrolplan.outputs.plotting.map import hotspot_tiers, station_hotspot_links

__all__ = ["folium_map", "offline_leaflet"]


def _data_url(path, mime: str) -> str:
    import base64

    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def offline_leaflet(m):
    """Point a folium map's scripts and styles at an embedded copy of Leaflet (and nothing
    else: the elements drawn here need no other library). Returns the map."""
    from importlib.resources import files

    static = files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    m.default_js = [("leaflet", _data_url(static / "leaflet.js", "text/javascript"))]
    m.default_css = [("leaflet_css", _data_url(static / "leaflet.css", "text/css"))]
    return m


def folium_map(scenario, roster: pd.DataFrame | None = None, *, day=None, graph=None, credits: str = CREDITS,
               visits: pd.DataFrame | None = None):
    """A ``folium.Map`` with layers: boundaries, zone links (synchronized solid red,
    staggered dashed cyan), shifts (one line per station -> hotspot pair used, along the road
    path when a ``graph`` (``network.RoadGraph``) is given, tooltip with its shifts), hotspots
    coloured by tier, stations. ``day`` keeps only that day's shifts. With ``visits`` (the run
    folder's visits.csv): where teams of two stations meet at a synchronized zone's hotspot,
    their stations' loops through it (station colours) and a ring with the number of meetings."""
    import folium

    st, hs = scenario.stations, scenario.hotspots
    center = [float(pd.concat([st["lat"], hs["lat"]]).mean()), float(pd.concat([st["lon"], hs["lon"]]).mean())]
    m = folium.Map(location=center, zoom_start=9, tiles=None, control_scale=True, attr=credits)
    _add_boundaries(m, scenario)
    _add_zone_links(m, scenario)
    if roster is not None:
        r = _day_roster(scenario, roster_frame(roster), day)
        _add_shifts(m, scenario, r, day=day, graph=graph)
        if visits is not None and len(visits):
            _add_meetings(m, scenario, r, visits, day=day, graph=graph)
    _add_hotspots(m, scenario)
    _add_stations(m, scenario)
    folium.LayerControl(collapsed=False).add_to(m)
    lats = pd.concat([st["lat"], hs["lat"]]).astype(float)
    lons = pd.concat([st["lon"], hs["lon"]]).astype(float)
    m.fit_bounds([[lats.min(), lons.min()], [lats.max(), lons.max()]])
    return offline_leaflet(m)


def _add_boundaries(m, scenario) -> None:
    """The layers "county boundaries" and "prefecture boundaries", where the scenario has them."""
    import folium

    if scenario.boundaries is not None:
        folium.GeoJson(
            scenario.boundaries[["geometry"]].to_json(), name="county boundaries",
            style_function=lambda _: {"color": "#777777", "weight": 1, "fill": False},
        ).add_to(m)
    if scenario.prefectures is not None:
        folium.GeoJson(
            scenario.prefectures[["geometry"]].to_json(), name="prefecture boundaries",
            style_function=lambda _: {"color": "#333333", "weight": 2.5, "fill": False},
        ).add_to(m)


def _add_zone_links(m, scenario) -> None:
    """The layer "zones (member links)": a thin line from each member station to each hotspot
    of its zone (synchronized solid, staggered dashed)."""
    import folium

    zones_fg = folium.FeatureGroup(name="zones (member links)")
    for lk in station_hotspot_links(scenario).itertuples(index=False):
        style = MODE_STYLES.get(lk.mode, MODE_STYLES["synchronized"])
        folium.PolyLine(
            [(lk.station_lat, lk.station_lon), (lk.hotspot_lat, lk.hotspot_lon)], color=style["color"], weight=1.5,
            opacity=0.5, dash_array=None if lk.mode == "synchronized" else "6 4",
            tooltip=html.escape(f"zone {lk.zone_id} ({lk.tier}, {lk.mode}): {lk.station_id} → {lk.hotspot_id}"),
        ).add_to(zones_fg)
    zones_fg.add_to(m)


def _day_roster(scenario, r: pd.DataFrame, day) -> pd.DataFrame:
    """The shifts of ``r`` that overlap ``day`` (all of them without a day)."""
    if day is None:
        return r
    lo, hi = day_window(resolve_day(day, scenario.config.week_start, scenario.config.horizon_days))
    return r[(r["start"] < hi) & (r["end"] > lo)]


def _add_shifts(m, scenario, r: pd.DataFrame, *, day, graph) -> None:
    """The layer "shifts": one line per station -> hotspot pair and mode used, along the road
    path where ``graph`` finds one, its tooltip listing the pair's shifts."""
    import folium

    st, hs = scenario.stations, scenario.hotspots
    sxy = dict(zip(st["station_id"].astype(str), zip(st["lon"].astype(float), st["lat"].astype(float))))
    hxy = dict(zip(hs["hotspot_id"].astype(str), zip(hs["lon"].astype(float), hs["lat"].astype(float))))
    shifts_fg = folium.FeatureGroup(name="shifts" + (f" ({day})" if day is not None else ""))
    for (sid, hid, mode), grp in r.groupby(["station_id", "hotspot_id", "mode"]):
        if sid not in sxy or hid not in hxy:
            continue
        path = _road_path(graph, sxy[sid], hxy[hid])
        lines = "<br>".join(
            html.escape(f"{x.shift_id} {x.team_id} {x.start:%a %H:%M}–{x.end:%a %H:%M}")
            for x in grp.sort_values("start").itertuples(index=False)
        )
        style = MODE_STYLES.get(mode, MODE_STYLES["synchronized"])
        folium.PolyLine([(lat, lon) for lon, lat in path], color=style["color"], weight=3 + min(len(grp), 6) / 2,
                        opacity=0.85, tooltip=f"<b>{html.escape(sid)} → {html.escape(hid)}</b><br>{lines}",
                        ).add_to(shifts_fg)
    shifts_fg.add_to(m)


def _road_path(graph, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """``graph.path_lonlat(a, b)`` where it gives a path, else the straight line."""
    path = None
    if graph is not None:
        try:
            path = graph.path_lonlat(a, b)
        except Exception:  # unreachable or snapping failure: the straight line
            path = None
    if not path or len(path) < 2:
        path = [a, b]
    return path


def _add_hotspots(m, scenario) -> None:
    """The layer "hotspots": a dot per hotspot, coloured by its zone's tier."""
    import folium

    tiers = hotspot_tiers(scenario)
    hs_fg = folium.FeatureGroup(name="hotspots")
    for h in scenario.hotspots.itertuples(index=False):
        tier = tiers.get(str(h.hotspot_id), "")
        folium.CircleMarker(
            (float(h.lat), float(h.lon)), radius=6, color="black", weight=1, fill=True, fill_opacity=0.9,
            fill_color=TIER_COLORS.get(tier, "#7f7f7f"),
            tooltip=html.escape(f"{h.hotspot_id} {h.name} — zone {h.zone_id} ({tier})"),
        ).add_to(hs_fg)
    hs_fg.add_to(m)


def _add_stations(m, scenario) -> None:
    """The layer "stations": a black dot per station, sized by its officers."""
    import folium

    st_fg = folium.FeatureGroup(name="stations")
    for s in scenario.stations.itertuples(index=False):
        folium.CircleMarker(
            (float(s.lat), float(s.lon)), radius=3 + int(s.officers) ** 0.5,
            color="black", weight=1, fill=True, fill_color="black", fill_opacity=0.9,
            tooltip=html.escape(f"{s.station_id} {s.name} — {int(s.officers)} officers"),
        ).add_to(st_fg)
    st_fg.add_to(m)


def _add_meetings(m, scenario, roster: pd.DataFrame, visits: pd.DataFrame, *, day, graph) -> None:
    """The layers "loops that meet" (each station's loops through a meeting hotspot, in its
    colour) and "meetings" (a ring per hotspot, tooltip: how many times which stations meet)."""
    import folium

    v = visits if pd.api.types.is_datetime64_any_dtype(visits["arrive"]) else visits_frame(visits)
    if day is not None:
        lo, hi = day_window(resolve_day(day, scenario.config.week_start, scenario.config.horizon_days))
        v = v[(v["arrive"] < hi) & (v["depart"] > lo)]
    met = meetings(scenario, v)
    if met.empty:
        return
    where = {(str(s), str(h)) for h, a, b in zip(met["hotspot_id"], met["station_a"], met["station_b"])
             for s in (a, b)}
    loops = loop_routes(scenario, roster, graph=graph)
    colours = station_colors(scenario.stations["station_id"])
    loops_fg = folium.FeatureGroup(name="loops that meet")
    for lp in loops.itertuples(index=False):
        if len(lp.coords) < 2 or not any((str(lp.station_id), h) in where for h in str(lp.loop_hotspots).split(";")):
            continue
        folium.PolyLine([(lat, lon) for lon, lat in lp.coords], color=colours.get(str(lp.station_id), "#6a3d9a"),
                        weight=4, opacity=0.85,
                        tooltip=html.escape(f"{lp.station_id}: loop {lp.loop_id} ({lp.loop_hotspots}), "
                                            f"{lp.shifts} shift(s)")).add_to(loops_fg)
    loops_fg.add_to(m)
    meet_fg = folium.FeatureGroup(name="meetings")
    for h, g in met.groupby("hotspot_id", sort=True):
        n = int(g["meetings"].sum())
        pairs = "<br>".join(html.escape(f"{a} × {b}: {k}") for a, b, k in zip(g["station_a"], g["station_b"],
                                                                             g["meetings"]))
        folium.CircleMarker((float(g["lat"].iloc[0]), float(g["lon"].iloc[0])), radius=12, color="#111111",
                            weight=2.5, fill=False,
                            tooltip=f"<b>{html.escape(str(h))}: {n} meetings</b><br>{pairs}").add_to(meet_fg)
    meet_fg.add_to(m)
