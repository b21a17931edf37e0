"""report.html, roster.xlsx, result.gpkg from the hand-made run folder (see test_plotting)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import numpy as np
import openpyxl
import pyogrio
import pytest
from PIL import Image

from patrolplan.outputs import report
from patrolplan.outputs.plotting import CREDITS
from test_plotting import copy_run, tiny_scenario

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def scenario():
    return tiny_scenario()


@pytest.fixture(scope="module")
def written(tmp_path_factory, scenario):
    """A copy of the fixture run folder with everything written (once for the module)."""
    run = copy_run(tmp_path_factory.mktemp("report"))
    paths = report.write_all(scenario, run)
    return run, paths


def test_write_all_names_the_files(written):
    run, paths = written
    assert [p.name for p in paths] == [
        "map.png", "gantt.png", "gantt_station.png", "coverage.png", "report.html", "roster.xlsx", "result.gpkg",
        "S1.pdf", "S2.pdf", "S3.pdf",  # issue 15: a week sheet per station, stations/<station_id>.pdf
    ]
    assert all(p.parent == run and p.is_file() for p in paths[:7])
    assert all(p.parent == run / "stations" and p.is_file() for p in paths[7:])


# --- html --------------------------------------------------------------------------------


def test_report_html_is_self_contained_and_complete(written):
    run, _ = written
    page = (run / "report.html").read_text(encoding="utf-8")
    # Nothing fetched from anywhere: no script files, stylesheets, remote or relative sources
    # (issue 15 asks for embedded JavaScript: inline scripts only).
    assert not re.search(r"<script[^>]*\bsrc=", page) and "<link" not in page
    assert page.count("<script>") == 1
    assert not re.search(r"url\((?!data:)", page)  # the embedded font is a data: URL
    srcs = re.findall(r'src="([^"]*)"', page)
    assert len(srcs) == 4 and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert not re.search(r"(src|href)=['\"](https?:|//|file:)", page)
    # The embedded map is the map.png of the run folder.
    map_src = re.search(r'id="img-map"[^>]*src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(map_src) == (run / "map.png").read_bytes()
    # summary.json, per-station load, the roster, the gap, the credits.
    assert "config_sha256" in page and "status-gaps" in page
    # In a planner's order: status sentence, needs attention, pictures, week, roster, technical.
    order = [page.index(k) for k in ("id='status'", "id='attention'", "id='pictures'", "id='week'",
                                     "id='roster-h'", "id='technical'")]
    assert order == sorted(order)
    assert "Not gap-free: 1 slot" in page and "<details class='technical'" in page
    assert 'id="station-load"' in page and "嘉祥镇派出所" in page
    for k in range(1, 19):
        assert f"SH{k:04d}" in page
    assert "2026-12-01T13:00" in page  # the uncovered slot
    assert CREDITS.split(";")[0] in page


def _chromium_screenshot(html: Path, out: Path, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp / 'chromium-profile'}", f"--screenshot={out}", "--window-size=1400,3000",
         html.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )


def _colour_count(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 6) -> int:
    return int((np.abs(img[..., :3].astype(int) - np.array(rgb)).max(axis=-1) <= tol).sum())


def test_report_renders_the_map_in_chromium(written, tmp_path):
    if not Path(CHROMIUM).is_file() and not shutil.which("chromium"):
        reason = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    run, _ = written
    shot = tmp_path / "shot.png"
    proc = _chromium_screenshot(run / "report.html", shot, tmp_path)
    assert shot.is_file(), f"chromium wrote no screenshot:\n{proc.stderr[-2000:]}"
    page = np.asarray(Image.open(shot).convert("RGB"))
    mapimg = np.asarray(Image.open(run / "map.png").convert("RGB"))
    assert page.shape[:2] == (3000, 1400)
    # Colours only the map uses (zone links, tier markers) show up in the screenshot about as
    # often as in map.png itself: the map is rendered, at full size.
    for rgb in ((0x17, 0xBE, 0xCF), (0xD6, 0x27, 0x28)):  # staggered, synchronized links
        in_map, on_page = _colour_count(mapimg, rgb), _colour_count(page, rgb)
        assert in_map > 50
        assert on_page >= 0.6 * in_map, (rgb, in_map, on_page)
    # The part of the page spanned by those colours looks like the same part of map.png.
    def span(img):
        ys, xs = np.nonzero(np.abs(img.astype(int) - (0x17, 0xBE, 0xCF)).max(axis=-1) <= 6)
        return img[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]

    on_page, in_map = span(page), span(mapimg)
    inked = lambda img: (img.min(axis=-1) < 235).mean()
    assert inked(on_page) >= 0.8 * inked(in_map) > 0
    if on_page.shape == in_map.shape:  # drawn 1:1, as at this window size
        assert np.abs(on_page.astype(int) - in_map.astype(int)).mean() < 12


# --- xlsx --------------------------------------------------------------------------------


def test_xlsx_has_a_summary_and_one_printable_sheet_per_station(written, scenario):
    run, _ = written
    wb = openpyxl.load_workbook(run / "roster.xlsx")
    names = wb.sheetnames
    assert names[:2] == ["summary", "roster"]
    station_sheets = names[2:]
    assert len(station_sheets) == len(scenario.stations) == 3
    assert all(len(n) <= 31 for n in names) and len({n.casefold() for n in names}) == len(names)

    summary = wb["summary"]
    keys = [summary.cell(row=r, column=1).value for r in range(1, summary.max_row + 1)]
    assert "status" in keys and "objective" in keys
    assert summary.cell(row=keys.index("status") + 1, column=2).value == "gaps"

    roster_ws = wb["roster"]
    assert roster_ws.max_row == 1 + 18

    expected = {"S1": 6, "S2": 8, "S3": 4}
    for sheet in station_sheets:
        ws = wb[sheet]
        sid = sheet.split()[0]
        # Issue 15: the week grid (teams x days) comes first, the list of shifts below it.
        header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "team_id")
        header = [c.value for c in ws[header_row]]
        assert header[:7] == ["team_id", "shift_id", "day", "start", "on_site_start", "on_site_end", "end"]
        rows = [r for r in ws.iter_rows(min_row=header_row + 1, values_only=True) if r[0]]
        assert len(rows) == expected[sid]
        assert all(r[0].startswith(sid + "-T") for r in rows)
        assert rows[0][3].hour in (6, 8, 12)  # a local datetime, not text
        assert ws.print_area is not None and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "S1 嘉祥镇派出所" in station_sheets


def test_sheet_names_are_excel_safe():
    names = report._sheet_names(
        ["S1 a/b", "S1 a:b", "summary", "X" * 40, "X" * 40, "Roster"], reserved=("summary", "roster")
    )
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert len({n.casefold() for n in names + ["summary", "roster"]}) == len(names) + 2


# --- gpkg --------------------------------------------------------------------------------


def test_gpkg_layers_and_rows(written, scenario):
    run, _ = written
    path = run / "result.gpkg"
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"stations": "Point", "hotspots": "Point", "zones": "LineString", "roster": "LineString"}
    st = gpd.read_file(path, layer="stations")
    hs = gpd.read_file(path, layer="hotspots")
    zones = gpd.read_file(path, layer="zones")
    roster = gpd.read_file(path, layer="roster")
    assert len(st) == 3 and len(hs) == 4 and len(roster) == 18
    assert len(zones) == 8  # 4 zones x 2 members x 1 hotspot
    assert st.crs.to_epsg() == 4326
    assert dict(zip(hs["hotspot_id"], hs["tier"])) == {"H1": "county", "H2": "city", "H3": "province", "H4": "town"}
    assert dict(zip(hs["hotspot_id"], hs["uncovered_slots"]))["H4"] == 1
    assert set(roster["path"]) == {"straight"}
    assert (roster.geometry.apply(lambda g: len(g.coords)) == 2).all()
    assert roster["start"].iloc[0] == "2026-11-30T06:00"
    assert dict(zip(st["station_id"], st["shifts"])) == {"S1": 6, "S2": 8, "S3": 4}


class _FakeGraph:
    """Stands in for network.RoadGraph: a detour through a fixed point, except to H2."""

    def path_lonlat(self, a, b):
        if b == (116.48, 35.04):
            raise ValueError("unreachable")
        return [a, (116.40, 35.30), b]


def test_gpkg_roster_follows_road_paths(tmp_path, scenario):
    run = copy_run(tmp_path)
    report.write_gpkg(scenario, run, graph=_FakeGraph())
    roster = gpd.read_file(run / "result.gpkg", layer="roster")
    road = roster[roster["hotspot_id"] != "H2"]
    assert (road["path"] == "road").all()
    assert (road.geometry.apply(lambda g: len(g.coords)) == 3).all()
    assert (roster.loc[roster["hotspot_id"] == "H2", "path"] == "straight").all()


def test_writers_need_a_roster(tmp_path, scenario):
    from patrolplan.errors import DataError

    with pytest.raises(DataError, match="roster.csv"):
        report.write_xlsx(scenario, tmp_path)


def test_write_all_on_an_infeasible_run_folder(tmp_path, scenario):
    """Header-only roster.csv: every file is still written; station sheets say 'no shifts'."""
    run = copy_run(tmp_path)
    header = (run / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    (run / "roster.csv").write_text(header + "\n", encoding="utf-8")
    paths = report.write_all(scenario, run)
    assert all(p.is_file() for p in paths)
    wb = openpyxl.load_workbook(run / "roster.xlsx")
    assert wb[wb.sheetnames[2]]["A4"].value == "no shifts this week"
    assert len(gpd.read_file(run / "result.gpkg", layer="roster")) == 0
    assert len(gpd.read_file(run / "result.gpkg", layer="zones")) == 8
