"""Junction detection: hand-made squares (exact effects) and the real Jining counties."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from patrolplan.errors import DataError
from patrolplan.scenarios.junctions import JUNCTION_COLUMNS, find_junctions, junctions_command

# a 2 x 2 grid of ~1 km squares near Jining (0.01 degree), ids A B / C D
D = 0.01
X0, Y0 = 116.5, 35.4


def square(i: int, j: int) -> shapely.Polygon:
    x, y = X0 + i * D, Y0 + j * D
    return shapely.box(x, y, x + D, y + D)


def grid(cities=("c1", "c1", "c1", "c1"), provinces=("p1", "p1", "p1", "p1")) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"unit": ["A", "B", "C", "D"], "city": list(cities), "province": list(provinces)},
        geometry=[square(0, 1), square(1, 1), square(0, 0), square(1, 0)],
        crs=4326,
    )


def test_grid_centre_is_one_tripoint_of_four_units():
    j = find_junctions(grid(), unit_column="unit", city_column="city", province_column="province")
    assert list(j.columns[: len(JUNCTION_COLUMNS)]) == list(JUNCTION_COLUMNS)
    assert len(j) == 1
    row = j.iloc[0]
    assert row.kind == "tripoint"
    assert row.units == "A;B;C;D" and row.n_units == 4
    assert row.lon == pytest.approx(X0 + D, abs=2e-5) and row.lat == pytest.approx(Y0 + D, abs=2e-5)  # 1 m grid
    assert row.tier == "county" and row.junction_id == "J0001"
    assert j.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("cities", "provinces", "tier", "cities_text"),
    [
        (("c1", "c1", "c1", "c1"), ("p1",) * 4, "county", "c1"),
        (("c1", "c1", "c2", "c2"), ("p1",) * 4, "city", "c1;c2"),
        (("c1", "c1", "c2", "c3"), ("p1", "p1", "p1", "p2"), "province", "c1;c2;c3"),
    ],
)
def test_tier_follows_the_parents_the_units_span(cities, provinces, tier, cities_text):
    j = find_junctions(grid(cities, provinces), unit_column="unit", city_column="city", province_column="province")
    assert j.iloc[0].tier == tier
    assert j.iloc[0].cities == cities_text


def test_without_parent_columns_all_units_count_as_one_city():
    j = find_junctions(grid(("c1", "c2", "c3", "c4")), unit_column="unit")
    assert j.iloc[0].tier == "county" and j.iloc[0].cities == ""


def test_road_across_a_shared_edge_is_a_road_crossing():
    # a road from A into B crossing their shared edge (x = X0 + D) at mid-height of the top row
    y = Y0 + 1.5 * D
    roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(X0 + 0.5 * D, y), (X0 + 1.5 * D, y)])], crs=4326)
    j = find_junctions(grid(), roads, unit_column="unit", city_column="city")
    crossing = j[j.kind == "road_crossing"]
    assert len(crossing) == 1
    row = crossing.iloc[0]
    assert row.units == "A;B" and row.n_units == 2
    assert row.lon == pytest.approx(X0 + D, abs=1e-5) and row.lat == pytest.approx(y, abs=1e-5)


def test_crossings_closer_than_merge_m_are_one():
    # two parallel roads 200 m apart (0.0018 degree of latitude) cross the A|B edge
    ys = (Y0 + 1.4 * D, Y0 + 1.4 * D + 0.0018)
    lines = [shapely.LineString([(X0 + 0.5 * D, y), (X0 + 1.5 * D, y)]) for y in ys]
    roads = gpd.GeoDataFrame(geometry=lines, crs=4326)
    assert (find_junctions(grid(), roads, unit_column="unit").kind == "road_crossing").sum() == 1
    assert (find_junctions(grid(), roads, unit_column="unit", merge_m=100).kind == "road_crossing").sum() == 2


def test_overlapping_units_raise_naming_both():
    g = grid()
    g.loc[1, "geometry"] = shapely.box(X0 + 0.5 * D, Y0 + D, X0 + 2 * D, Y0 + 2 * D)  # B reaches into A
    with pytest.raises(DataError, match="'A' and 'B' overlap"):
        find_junctions(g, unit_column="unit")


def test_sliver_gap_raises_and_a_larger_tolerance_absorbs_it():
    g = grid()
    gap = 0.00003  # ~2.7 m along the whole A|B edge
    g.loc[1, "geometry"] = shapely.box(X0 + D + gap, Y0 + D, X0 + 2 * D, Y0 + 2 * D)
    with pytest.raises(DataError, match="'A' and 'B' do not touch"):
        find_junctions(g, unit_column="unit")
    j = find_junctions(g, unit_column="unit", tolerance_m=5)
    assert set(j.units) == {"A;B;C;D"}


def test_missing_column_is_a_data_error():
    with pytest.raises(DataError, match="city_column='nope'"):
        find_junctions(grid(), unit_column="unit", city_column="nope")


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "jining"  # beside the checkout
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "patrolplan" / "data" / "jining"


def _counties_path() -> Path:
    for folder in (PACKAGE, SHARED):
        if (folder / "counties.geojson").is_file():
            return folder / "counties.geojson"
    pytest.skip("no counties.geojson")


@pytest.fixture(scope="module")
def real_junctions() -> gpd.GeoDataFrame:
    folder = _counties_path().parent
    return find_junctions(
        gpd.read_file(folder / "counties.geojson"),
        gpd.read_file(folder / "roads.geojson"),
        unit_column="district_name",
        city_column="city_name",
        province_column="province_name",
    )


def test_jining_meets_xuzhou_at_province_tier(real_junctions):
    j = real_junctions
    at_xuzhou = j[j.cities.str.contains("济宁市") & j.cities.str.contains("徐州市")]
    assert len(at_xuzhou) >= 3
    assert set(at_xuzhou.tier) == {"province"}
    assert (at_xuzhou.kind == "tripoint").any()
    # 丰县 / 金乡县 / 鱼台县 meet at one point
    assert "丰县;金乡县;鱼台县" in set(at_xuzhou.units)


def test_real_tiers(real_junctions):
    j = real_junctions
    inside = j[j.cities == "济宁市"]
    assert len(inside) > 10 and set(inside.tier) == {"county"}
    heze = j[j.cities == "济宁市;菏泽市"]
    assert len(heze) and set(heze.tier) == {"city"}
    assert not j[j.cities.str.contains("济宁市") & j.provinces.str.contains("安徽省")].shape[0]


def test_junctions_command_writes_by_extension(tmp_path):
    src = tmp_path / "grid.geojson"
    grid().rename(columns={"unit": "district_name", "city": "city_name", "province": "province_name"}).to_file(
        src, driver="GeoJSON"
    )
    for name in ("out.geojson", "out.gpkg", "out.csv"):
        assert junctions_command(src, tmp_path / name) == 1
        assert (tmp_path / name).is_file()
    assert len(gpd.read_file(tmp_path / "out.gpkg")) == 1
    with pytest.raises(DataError, match="unknown output format"):
        junctions_command(src, tmp_path / "out.txt")
    with pytest.raises(DataError, match="no such boundaries file"):
        junctions_command(tmp_path / "missing.geojson", tmp_path / "x.geojson")
