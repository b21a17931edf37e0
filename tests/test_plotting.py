"""Pictures drawn from the hand-made run folder tests/data/runfolder (3 stations, 4 hotspots,
2 days, one gap: H4 on Tue 13:00) and a tiny Scenario built here from tests/data/runfolder/inputs."""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib import dates as mdates
from matplotlib.colors import to_hex

from patrolplan.inputs.config import config_from_dict
from patrolplan.errors import UsageError
from patrolplan.outputs.plotting import (
    CREDITS,
    MAX_FIGURE_HEIGHT_IN,
    TIER_COLORS,
    plot_coverage,
    plot_gantt,
    plot_map,
    read_run_tables,
    resolve_day,
    roster_frame,
    write_pictures,
)
from patrolplan.outputs.plotting import _fonts
from patrolplan.outputs.plotting._style import station_colors
from patrolplan.inputs.scenario import Scenario

RUN_DIR = Path(__file__).parent / "data" / "runfolder"
INPUTS = RUN_DIR / "inputs"


def tiny_scenario() -> Scenario:
    """The fixture's Scenario, normalised by hand (independent of io.load_scenario)."""
    cfg_path = INPUTS / "config.yaml"
    config = config_from_dict(yaml.safe_load(cfg_path.read_text(encoding="utf-8")), base_dir=INPUTS)
    st = pd.read_csv(config.data.stations, dtype={"station_id": str})
    st["reserve_officers"] = config.rules.reserve_officers
    hs = pd.read_csv(config.data.hotspots, dtype={"hotspot_id": str, "zone_id": str})
    hs["risk"] = 1.0
    zn = pd.read_csv(config.data.zones, dtype=str)
    zn["members"] = [tuple(s.split(";")) for s in zn["stations"]]
    zn["min_stations"] = config.modes.synchronized_min_stations
    return Scenario(
        config=config, config_path=cfg_path, stations=st, hotspots=hs, zones=zn,
        roads=gpd.read_file(config.data.roads), boundaries=gpd.read_file(config.data.boundaries),
        prefectures=gpd.read_file(config.data.prefectures),
    )


def copy_run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(RUN_DIR, run, ignore=shutil.ignore_patterns("inputs"))
    return run


@pytest.fixture(scope="module")
def scenario():
    return tiny_scenario()


@pytest.fixture(scope="module")
def tables():
    return read_run_tables(RUN_DIR)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def by_gid(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    return found


def one(ax, gid):
    found = by_gid(ax, gid)
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


# --- run folder tables -------------------------------------------------------------------


def test_fixture_follows_the_contract(tables):
    roster, coverage, summary = tables
    assert len(roster) == 18 and roster["start"].dtype.kind == "M"
    assert coverage["gap"].dtype == bool and coverage["gap"].sum() == 1
    for key in ("status", "objective", "best_bound", "gap_pct", "solve_seconds", "uncovered_slots",
                "uncovered_team_hours", "team_hours", "travel_hours", "stations", "seed", "versions",
                "config_sha256"):
        assert key in summary


def test_times_with_offset_keep_the_local_wall_time(tables):
    roster = tables[0].copy()
    raw = roster.assign(**{c: roster[c].dt.strftime("%Y-%m-%dT%H:%M") + "+08:00"
                           for c in ("start", "end", "on_site_start", "on_site_end")})
    parsed = roster_frame(raw)
    assert parsed["start"].iloc[0] == pd.Timestamp("2026-11-30T06:00")


def test_resolve_day():
    ws = dt.date(2026, 11, 30)  # a Monday
    assert resolve_day("mon", ws, 7) == ws
    assert resolve_day("Sunday", ws, 7) == dt.date(2026, 12, 6)
    assert resolve_day("2026-12-01", ws, 7) == dt.date(2026, 12, 1)
    assert resolve_day(dt.date(2026, 12, 2), ws, 7) == dt.date(2026, 12, 2)
    for bad in ("fri", "2026-12-25", "someday"):
        with pytest.raises(UsageError):
            resolve_day(bad, ws, 2)


# --- map ---------------------------------------------------------------------------------


def test_map_draws_one_marker_per_station_sized_by_officers(scenario, tables):
    ax = plot_map(scenario, tables[0])
    stations = one(ax, "stations")
    offsets = stations.get_offsets()
    assert len(offsets) == len(scenario.stations) == 3
    np.testing.assert_allclose(offsets, scenario.stations[["lon", "lat"]].to_numpy(float))
    sizes = stations.get_sizes()
    assert np.argmax(sizes) == int(np.argmax(scenario.stations["officers"]))  # S2, 8 officers


def test_map_colours_hotspots_by_tier(scenario):
    ax = plot_map(scenario)
    tiers = {"H1": "county", "H2": "city", "H3": "province", "H4": "town"}
    hs = scenario.hotspots.set_index("hotspot_id")
    for hid, tier in tiers.items():
        coll = one(ax, f"hotspots-{tier}")
        assert to_hex(coll.get_facecolor()[0]) == to_hex(TIER_COLORS[tier])
        np.testing.assert_allclose(coll.get_offsets(), [hs.loc[hid, ["lon", "lat"]].to_numpy(float)])


def test_map_links_differ_by_mode_and_show_use(scenario, tables):
    ax = plot_map(scenario)  # no roster: every member link
    sync, stag = one(ax, "links-synchronized"), one(ax, "links-staggered")
    assert len(sync.get_segments()) == 4 and len(stag.get_segments()) == 4
    assert to_hex(sync.get_color()[0]) != to_hex(stag.get_color()[0])
    assert sync.get_linestyle()[0][1] is None  # solid
    assert stag.get_linestyle()[0][1] is not None  # dashed
    ax = plot_map(scenario, tables[0])
    # S3 is a member of Z3 (H4) but never patrols there.
    assert len(one(ax, "links-staggered").get_segments()) == 3
    assert len(one(ax, "links-staggered-idle").get_segments()) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("synchronized" in t for t in legend) and any("staggered" in t for t in legend)
    assert all(any(f"{tier} tier" in t for t in legend) for tier in TIER_COLORS)


def test_map_day_highlights_only_that_days_shifts(scenario, tables):
    roster = tables[0]
    # Keep S1's H4 shift only on Tuesday.
    roster = roster[~((roster["hotspot_id"] == "H4") & (roster["start"] < pd.Timestamp("2026-12-01")))]
    idle = lambda ax: [tuple(map(tuple, s)) for c in by_gid(ax, "links-staggered-idle") for s in c.get_segments()]
    s1, h4 = (116.34, 35.41), (116.55, 35.22)
    assert (s1, h4) in idle(plot_map(scenario, roster, day="mon"))
    assert (s1, h4) not in idle(plot_map(scenario, roster, day="tue"))
    assert "2026-12-01" in plot_map(scenario, roster, day="2026-12-01").get_title()


def test_map_has_scale_bar_north_arrow_and_credits(scenario):
    ax = plot_map(scenario)
    assert len(by_gid(ax, "scalebar")) == 2
    label = one(ax, "scalebar-label").get_text()
    assert label.endswith(" km")
    # The bar's length in degrees matches its label at this latitude.
    bar = by_gid(ax, "scalebar")
    width_deg = sum(p.get_width() for p in bar)
    km = width_deg * 111.32 * np.cos(np.radians(np.mean(ax.get_ylim())))
    assert km == pytest.approx(float(label.split()[0]), rel=1e-6)
    assert one(ax, "north-arrow").get_text() == "N"
    assert one(ax, "credits").get_text() == CREDITS
    assert by_gid(ax, "boundaries") and by_gid(ax, "prefectures") and by_gid(ax, "roads")
    assert one(ax, "credits").get_text() != one(plot_map(scenario, credits="me"), "credits").get_text()


@pytest.mark.skipif(_fonts.cjk_family() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)")
def test_map_labels_stations_with_chinese_names(scenario):
    ax = plot_map(scenario)
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "station-label"]
    assert "嘉祥镇派出所" in labels
    assert _fonts.cjk_family() in [t for t in ax.texts if t.get_gid() == "station-label"][0].get_fontfamily()


def test_without_cjk_font_labels_fall_back_to_ids_with_one_warning(scenario, monkeypatch):
    monkeypatch.setattr(_fonts, "cjk_family", lambda: None)
    monkeypatch.setattr(_fonts, "_warned", False)
    with pytest.warns(UserWarning, match="no CJK font"):
        ax = plot_map(scenario)
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() == "station-label")
    assert labels == ["S1", "S2", "S3"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_map(scenario)  # no second warning


def test_map_labels_only_some_of_many_stations(scenario):
    n = 146
    rng = np.random.default_rng(0)
    st = pd.DataFrame({
        "station_id": [f"P{i:03d}" for i in range(n)], "name": [f"第{i}派出所" for i in range(n)],
        "officers": rng.integers(2, 20, n), "lon": rng.uniform(116, 117, n), "lat": rng.uniform(35, 36, n),
        "reserve_officers": 0,
    })
    ax = plot_map(scenario.replace(stations=st), max_labels=30)
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "station-label"]
    assert len(one(ax, "stations").get_offsets()) == n
    # At most max_labels labels, each a station's name, or its id where the name would
    # overlap a label already placed (issue 15: names where the tables have them).
    by_station = {**dict(zip(st["name"], st["station_id"])), **dict(zip(st["station_id"], st["station_id"]))}
    assert len(labels) == 30 and all(t in by_station for t in labels)
    assert len({by_station[t] for t in labels}) == 30
    assert any(t.startswith("第") for t in labels)
    # Drawn labels do not overlap one another (a few pixels of slack for the estimate).
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "station-label"]
    overlaps = sum(a.overlaps(b) and a.intersection(a, b).width > 4 and a.intersection(a, b).height > 4
                   for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert overlaps == 0


# --- gantt -------------------------------------------------------------------------------


def test_gantt_one_bar_per_roster_row_coloured_by_station(scenario, tables):
    roster, coverage, _ = tables
    for by in ("hotspot", "station"):
        ax = plot_gantt(roster, coverage, by=by, scenario=scenario)
        bars = one(ax, "shifts")
        assert len(bars.get_paths()) == len(roster) == 18
        assert len(one(ax, "travel").get_paths()) == 2 * len(roster)
        colors = station_colors(scenario.stations["station_id"])
        got = [to_hex(c) for c in bars.get_facecolor()]
        assert got == [colors[s] for s in roster["station_id"]]
    # Bars span exactly the on-site part.
    ax = plot_gantt(roster, coverage)
    v = one(ax, "shifts").get_paths()[0].vertices
    assert v[:, 0].min() == pytest.approx(mdates.date2num(roster["on_site_start"].iloc[0]))
    assert v[:, 0].max() == pytest.approx(mdates.date2num(roster["on_site_end"].iloc[0]))


def _bars(ax, roster, hotspot):
    paths = one(ax, "shifts").get_paths()
    idx = np.flatnonzero(roster["hotspot_id"].to_numpy() == hotspot)
    return [(roster["start"].iloc[i], paths[i].vertices[:, 1].min()) for i in idx]


def test_gantt_stacks_synchronized_teams_and_alternates_relays(tables):
    roster, coverage, _ = tables
    ax = plot_gantt(roster, coverage)
    h1 = _bars(ax, roster, "H1")  # synchronized: two teams at 06:00 side by side
    at6 = [y for t, y in h1 if t == pd.Timestamp("2026-11-30T06:00")]
    assert len(at6) == 2 and at6[0] != at6[1]
    h2 = sorted(_bars(ax, roster, "H2"))  # staggered relay S2 06:00 -> S3 12:00, each day
    ys = [y for _, y in h2]
    assert all(a != b for a, b in zip(ys, ys[1:]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 4 and any("relay" in t for t in labels) and any("sync" in t for t in labels)


def test_gantt_marks_gaps_red_and_day_boundaries(tables):
    roster, coverage, _ = tables
    ax = plot_gantt(roster, coverage)
    gaps = one(ax, "gaps")
    assert len(gaps.get_paths()) == 1
    assert to_hex(gaps.get_facecolor()[0]) == "#ff0000"
    v = gaps.get_paths()[0].vertices
    assert v[:, 0].min() == pytest.approx(mdates.date2num(pd.Timestamp("2026-12-01T13:00")))
    assert v[:, 0].max() == pytest.approx(mdates.date2num(pd.Timestamp("2026-12-01T14:00")))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    row = next(i for i, t in enumerate(labels) if t.startswith("H4"))
    assert row <= v[:, 1].mean() <= row + 1
    midnights = one(ax, "day-lines").get_segments()
    xs = sorted(s[0][0] for s in midnights)
    assert mdates.date2num(pd.Timestamp("2026-12-01")) in xs
    # Station view: one extra row for the gaps.
    ax = plot_gantt(roster, coverage, by="station")
    assert len(one(ax, "gaps").get_paths()) == 1
    assert ax.get_yticklabels()[0].get_text().startswith("gaps")


def test_gantt_stays_legible_for_many_hotspots():
    n = 130
    start = pd.Timestamp("2026-11-30T06:00")
    roster = pd.DataFrame({
        "shift_id": [f"SH{i:04d}" for i in range(n)], "team_id": [f"S{i % 40:03d}-T01" for i in range(n)],
        "station_id": [f"S{i % 40:03d}" for i in range(n)], "zone_id": [f"Z{i // 2:03d}" for i in range(n)],
        "hotspot_id": [f"H{i:03d}" for i in range(n)], "mode": "staggered",
        "start": start, "end": start + pd.Timedelta(hours=8),
        "on_site_start": start + pd.Timedelta(minutes=20), "on_site_end": start + pd.Timedelta(hours=7, minutes=40),
        "travel_out_min": 20, "travel_back_min": 20,
    })
    ax = plot_gantt(roster)
    assert len(ax.get_yticklabels()) == n
    h = ax.figure.get_figheight()
    assert 20 < h <= MAX_FIGURE_HEIGHT_IN
    assert len(one(ax, "shifts").get_paths()) == n


def test_gantt_rejects_unknown_view(tables):
    with pytest.raises(ValueError, match="by="):
        plot_gantt(tables[0], by="team")


# --- coverage ----------------------------------------------------------------------------


def test_coverage_heat_map_marks_gap_cells_red(scenario, tables):
    coverage = tables[1]
    ax = plot_coverage(coverage, scenario=scenario)
    gaps = one(ax, "gaps")
    mask = np.ma.getmaskarray(gaps.get_array()).reshape(4, -1)
    assert (~mask).sum() == 1
    row, col = np.argwhere(~mask)[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[row].startswith("H4")
    assert col == 24 + 13  # Tue 13:00, hours counted from Mon 00:00
    assert to_hex(gaps.cmap(gaps.norm(1.0))) == "#ff0000"
    surplus = one(ax, "surplus")
    values = np.ma.masked_invalid(surplus.get_array()).reshape(4, -1)
    assert values.count() == len(coverage)  # one cell per hour with demand (slots of 60 min)
    assert mask.shape[1] == 48  # two whole days


def test_plots_draw_on_a_given_axes(scenario, tables):
    fig, axes = plt.subplots(1, 3)
    assert plot_map(scenario, ax=axes[0]) is axes[0]
    assert plot_gantt(tables[0], ax=axes[1]) is axes[1]
    assert plot_coverage(tables[1], ax=axes[2], colorbar=False) is axes[2]


# --- files -------------------------------------------------------------------------------


def test_write_pictures(scenario, tmp_path):
    run = copy_run(tmp_path)
    paths = write_pictures(scenario, run)
    assert [p.name for p in paths] == ["map.png", "gantt.png", "gantt_station.png", "coverage.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000
    paths = write_pictures(scenario, run, day="tue")
    assert [p.name for p in paths] == ["map_tue.png", "gantt_tue.png", "gantt_station_tue.png", "coverage_tue.png"]
    assert not list(run.glob(".*tmp*"))
    assert plt.get_fignums() == []  # nothing left open in pyplot
    with pytest.raises(UsageError):
        write_pictures(scenario, run, day="sat")


def test_empty_roster_still_draws(scenario, tables, tmp_path):
    """An infeasible run folder: header-only roster.csv, every demanded slot a gap."""
    run = copy_run(tmp_path)
    header = (run / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    (run / "roster.csv").write_text(header + "\n", encoding="utf-8")
    coverage = tables[1].assign(present=0, stations="", gap=True)
    coverage.assign(slot_start=coverage["slot_start"].dt.strftime("%Y-%m-%dT%H:%M"),
                    gap="true").to_csv(run / "coverage.csv", index=False)
    paths = write_pictures(scenario, run)
    assert all(p.is_file() for p in paths)
    roster = read_run_tables(run)[0]
    ax = plot_gantt(roster, coverage)
    assert len(one(ax, "shifts").get_paths()) == 0
    assert len(one(ax, "gaps").get_paths()) == len(coverage)


def test_folium_map_has_zones_shifts_and_no_tiles(scenario, tables):
    from patrolplan.outputs.plotting import folium_map

    m = folium_map(scenario, tables[0], day="mon")
    page = m.get_root().render()
    assert "tile.openstreetmap" not in page and "tileLayer" not in page
    assert "S1 → H1" in page and "SH0001" in page and "H4" in page


def test_interactive_map_needs_no_internet():
    """Leaflet is embedded in the page: no script or stylesheet is fetched from anywhere."""
    import re

    from patrolplan.inputs.io import load_scenario
    from patrolplan.outputs.plotting import folium_map

    repo = Path(__file__).resolve().parents[1]
    scenario = load_scenario(repo / "configs" / "example.yaml")
    page = folium_map(scenario).get_root().render()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)
    assert "L.map(" in page and "data:text/javascript;base64," in page
