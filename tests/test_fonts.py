"""Chinese renders without any system CJK font: the shipped subset takes over."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

from patrolplan.outputs.plotting import _fonts, plot_gantt, plot_map, read_run_tables  # noqa: E402
from patrolplan.outputs.plotting.sheets import draw_week_sheet  # noqa: E402
from patrolplan.outputs.plotting.week import station_weeks  # noqa: E402
from test_plotting import RUN_DIR, tiny_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "src" / "patrolplan" / "fonts"


@pytest.fixture
def no_system_fonts(monkeypatch):
    """Hide every system font from patrolplan's lookup (as on a pip-only install)."""
    monkeypatch.delenv("PATROLPLAN_CJK_FONT", raising=False)
    monkeypatch.setattr(_fonts, "_system_font_files", lambda: [])
    monkeypatch.setattr(_fonts, "_registered_fonts", lambda: [])
    _fonts.reset_font_cache()
    yield
    _fonts.reset_font_cache()


def test_the_subset_and_its_licence_ship_in_the_package():
    font = _fonts.shipped_font_path()
    assert font.parent == FONTS and font.is_file()
    assert font.stat().st_size < 4_000_000  # "a few MB at most"
    licence = (FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    assert FT2Font(str(font)).family_name == _fonts.SHIPPED_FAMILY


def test_subset_covers_gb2312_level1_and_all_bundled_data():
    charmap = FT2Font(str(_fonts.shipped_font_path())).get_charmap()
    level1 = {bytes((hi, lo)).decode("gb2312") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)
              if not (hi == 0xD7 and lo > 0xF9)}
    assert len(level1) == 3755
    assert all(ord(c) in charmap for c in level1)
    data = "".join(p.read_bytes().decode("utf-8", errors="ignore")  # a few test files are GBK on purpose
                   for folder in ("src/patrolplan/data", "configs", "tests/data")
                   for p in (ROOT / folder).rglob("*") if p.suffix in (".csv", ".geojson"))
    cjk = {c for c in data if re.match(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", c)}
    assert cjk and not [c for c in cjk if ord(c) not in charmap]


def test_without_system_fonts_the_shipped_font_is_used(no_system_fonts):
    assert _fonts.cjk_family() == _fonts.SHIPPED_FAMILY
    assert _fonts.cjk_font_path() == str(_fonts.shipped_font_path())
    assert _fonts.label("嘉祥镇派出所", "S1") == "嘉祥镇派出所"
    assert _fonts.can_draw("金乡鱼台交界 · Z1")


def test_a_system_noto_font_is_preferred(monkeypatch):
    known = [p for p in _fonts._KNOWN_FILES if Path(p).is_file() and "NotoSansCJK" in p]
    if not known:
        pytest.skip("no system Noto CJK font here (apt-get install fonts-noto-cjk)")
    _fonts.reset_font_cache()
    assert _fonts.cjk_family() == "Noto Sans CJK SC"


def _glyphs_drawable(texts, font_path):
    charmap = FT2Font(font_path).get_charmap()
    return [c for t in texts for c in t if ord(c) > 0x2E80 and ord(c) not in charmap]


def test_map_timeline_and_sheet_render_chinese_without_system_fonts(no_system_fonts):
    scenario = tiny_scenario()
    roster, coverage, _ = read_run_tables(RUN_DIR)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no CJK font" warning, no fallback to ids
        ax = plot_map(scenario, roster)
        gantt = plot_gantt(roster, coverage, by="station", scenario=scenario)
        fig = Figure(figsize=(11.69, 8.27))
        sheet = draw_week_sheet(station_weeks(scenario, roster)[0], ax=fig.add_axes((0, 0, 1, 1)))
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "station-label"]
    assert sorted(labels) == sorted(["嘉祥镇派出所", "金乡镇派出所", "谷亭派出所"])
    counties = [t.get_text() for t in ax.texts if t.get_gid() == "county-label"]
    assert "嘉祥县" in counties
    assert all(_fonts.SHIPPED_FAMILY in t.get_fontfamily() for t in ax.texts if t.get_gid() == "station-label")
    ticks = [t.get_text() for t in gantt.get_yticklabels()]
    assert "嘉祥镇派出所" in ticks
    title = next(t.get_text() for t in sheet.texts if t.get_gid() == "sheet-title")
    assert title.startswith("嘉祥镇派出所")
    # Every Chinese character drawn has a glyph in the font used: no tofu.
    drawn = labels + counties + ticks + [t.get_text() for t in sheet.texts]
    assert not _glyphs_drawable(drawn, str(_fonts.shipped_font_path()))
    # And the glyphs are really drawn: the label renders ink, not an empty box.
    fig = Figure(figsize=(2, 1), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.05, 0.3, "嘉祥镇", fontsize=30, fontfamily=_fonts.font_family())
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    tofu = Figure(figsize=(2, 1), dpi=100)
    FigureCanvasAgg(tofu)
    tofu.text(0.05, 0.3, "嘉祥镇", fontsize=30, fontfamily=["DejaVu Sans"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tofu.canvas.draw()
    tofu_img = np.asarray(tofu.canvas.buffer_rgba())[..., :3]
    assert (img < 128).sum() > 200 and np.abs(img.astype(int) - tofu_img.astype(int)).sum() > 0


def test_a_character_outside_the_subset_falls_back_to_the_id(no_system_fonts):
    rare = "\u9f98"  # 龘, not in GB 2312 level 1 nor in the data
    assert ord(rare) not in FT2Font(str(_fonts.shipped_font_path())).get_charmap()
    with pytest.warns(UserWarning, match="lacks some characters"):
        assert _fonts.label(f"{rare}派出所", "S9") == "S9"
