"""A small world for the incident tests, written as files: four square counties in two cities
(2 x 2, each 0.2 degrees), two stations per county, one existing county zone on the A|B
border. No roads: travel is the straight line x detour at the default speed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

LON0, LAT0, SIDE = 116.0, 35.0, 0.2
#: county -> (column, row, city)
UNITS = {"A": (0, 1, "C1"), "B": (1, 1, "C1"), "C": (0, 0, "C2"), "D": (1, 0, "C2")}
WEEK = dt.date(2026, 11, 30)


def boundaries() -> gpd.GeoDataFrame:
    rows = []
    for name, (i, j, city) in UNITS.items():
        x, y = LON0 + i * SIDE, LAT0 + j * SIDE
        rows.append({"district_name": name, "city_name": city, "province_name": "P",
                     "geometry": shapely.box(x, y, x + SIDE, y + SIDE)})
    return gpd.GeoDataFrame(rows, crs=4326)


def stations() -> pd.DataFrame:
    rows = []
    for name, (i, j, city) in UNITS.items():
        for k, (fx, fy) in enumerate(((0.3, 0.5), (0.7, 0.5))):
            rows.append({"station_id": f"S{name}{k + 1}", "name": f"station {name}{k + 1}", "officers": 16,
                         "lon": round(LON0 + (i + fx) * SIDE, 6), "lat": round(LAT0 + (j + fy) * SIDE, 6),
                         "county": name, "city": city, "province": "P"})
    return pd.DataFrame(rows)


#: the existing zone's hotspot: on the A|B border (lon 116.2), a third of the way up A
H1 = (LON0 + SIDE, LAT0 + SIDE + SIDE / 3)


def write_world(folder: Path, *, extra_config: str = "", horizon_days: int = 7) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    boundaries().to_file(folder / "counties.geojson", driver="GeoJSON")
    stations().to_csv(folder / "stations.csv", index=False)
    pd.DataFrame([{"hotspot_id": "H1", "name": "A/B crossing", "zone_id": "Z1", "lon": H1[0], "lat": H1[1]}]).to_csv(
        folder / "hotspots.csv", index=False)
    pd.DataFrame([{"zone_id": "Z1", "tier": "county", "mode": "staggered", "stations": "SA2;SB1"}]).to_csv(
        folder / "zones.csv", index=False)
    (folder / "config.yaml").write_text(f"""name: world
week_start: {WEEK.isoformat()}
horizon_days: {horizon_days}
slot_minutes: 60
data:
  stations: stations.csv
  hotspots: hotspots.csv
  zones: zones.csv
  boundaries: counties.geojson
default_demand: 0
solver:
  time_limit_seconds: 10
  workers: 1
  progress: false
{extra_config}""", encoding="utf-8")
    return folder / "config.yaml"
