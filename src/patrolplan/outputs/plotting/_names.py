"""Display names of stations, hotspots, zones and counties, shared by maps, timelines,
sheets and the report.

A thing is labelled by its ``name`` where the table has one, by its id where it has none,
where the name cannot be drawn (no font for it), or where two things of the same kind share
a name (the label would not tell them apart).
"""

from __future__ import annotations

import pandas as pd

from patrolplan.outputs.plotting._fonts import label

__all__ = ["names_of", "station_names", "hotspot_names", "zone_names", "county_labels"]


def _clean(value) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text in ("nan", "None", "NaN") else text


def names_of(table: pd.DataFrame | None, id_col: str, *, name_col: str = "name", drawable: bool = True) -> dict[str, str]:
    """``{id: label}`` for every row of ``table``: its name, or its id where the name is empty,
    shared with another row, or (``drawable``) not drawable with the fonts at hand."""
    if table is None or id_col not in getattr(table, "columns", ()):
        return {}
    ids = table[id_col].astype(str).tolist()
    raw = [_clean(v) for v in table[name_col]] if name_col in table.columns else [""] * len(ids)
    counts = pd.Series([n for n in raw if n]).value_counts().to_dict() if any(raw) else {}
    out = {}
    for i, n in zip(ids, raw):
        if not n or counts.get(n, 0) > 1:
            out[i] = i
        else:
            out[i] = label(n, i) if drawable else n
    return out


def station_names(scenario, *, drawable: bool = True) -> dict[str, str]:
    return names_of(scenario.stations if scenario is not None else None, "station_id", drawable=drawable)


def hotspot_names(scenario, *, drawable: bool = True) -> dict[str, str]:
    return names_of(scenario.hotspots if scenario is not None else None, "hotspot_id", drawable=drawable)


def zone_names(scenario, *, drawable: bool = True) -> dict[str, str]:
    return names_of(scenario.zones if scenario is not None else None, "zone_id", drawable=drawable)


#: Columns of a boundaries layer that may carry a county's name, in order of preference.
COUNTY_NAME_COLUMNS = ("name", "short_name", "district_name", "county", "NAME", "county_name")


def county_labels(boundaries) -> pd.DataFrame:
    """One row per boundary polygon with a name: ``name``, ``lon``, ``lat`` (a point inside
    the polygon: the layer's own ``lon``/``lat`` columns where given, else a representative
    point). Empty when the layer has no name column."""
    empty = pd.DataFrame({"name": [], "lon": [], "lat": []})
    if boundaries is None or len(boundaries) == 0:
        return empty
    col = next((c for c in COUNTY_NAME_COLUMNS if c in boundaries.columns), None)
    if col is None:
        return empty
    geoms = boundaries.geometry
    pts = geoms.representative_point()
    lon, lat = pts.x.to_numpy(float), pts.y.to_numpy(float)
    if "lon" in boundaries.columns and "lat" in boundaries.columns:
        given_lon = pd.to_numeric(boundaries["lon"], errors="coerce").to_numpy(float)
        given_lat = pd.to_numeric(boundaries["lat"], errors="coerce").to_numpy(float)
        ok = pd.notna(given_lon) & pd.notna(given_lat)
        lon = lon.copy()
        lat = lat.copy()
        lon[ok], lat[ok] = given_lon[ok], given_lat[ok]
    names = [_clean(v) for v in boundaries[col]]
    df = pd.DataFrame({"name": names, "lon": lon, "lat": lat})
    return df[(df["name"] != "") & df["lon"].notna() & df["lat"].notna()].reset_index(drop=True)
