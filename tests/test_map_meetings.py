"""The map shows two loops meeting: from a hand-made roster and visits.csv (one row per team)
on the tiny scenario of tests/data/runfolder, where a team of S1 and a team of S2 meet twice at
H1 (synchronized zone Z1), each on its own loop."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from patrolplan.columns import ROSTER_COLUMNS
from patrolplan.outputs.plotting import folium_map, plot_map
from patrolplan.outputs.plotting._style import station_colors
from patrolplan.outputs.plotting.loops import meetings
from test_plotting import tiny_scenario


def _roster() -> pd.DataFrame:
    rows = [
        # S1 drives H1 -> H4 (zones Z1 and Z3), S2 drives H1 -> H2 (zones Z1 and Z2), S3 stays at H2
        ("SH0001", "S1-T01", "S1", "Z1", "H1", "synchronized", "2026-11-30T06:00", "2026-11-30T14:00",
         "2026-11-30T06:25", "2026-11-30T13:35", 25, 25, "L1", "H1;H4"),
        ("SH0002", "S2-T01", "S2", "Z1", "H1", "synchronized", "2026-11-30T06:00", "2026-11-30T14:00",
         "2026-11-30T06:25", "2026-11-30T13:35", 25, 25, "L2", "H1;H2"),
        ("SH0003", "S3-T01", "S3", "Z2", "H2", "staggered", "2026-11-30T06:00", "2026-11-30T14:00",
         "2026-11-30T06:20", "2026-11-30T13:40", 20, 20, "", ""),
    ]
    return pd.DataFrame(rows, columns=[*ROSTER_COLUMNS, "loop_id", "loop_hotspots"])


def _visits() -> pd.DataFrame:
    rows = [
        # two meetings at H1: 08:00-08:15 with 08:05-08:20, and 10:00-10:15 with 10:00-10:15
        ("V1", "SH0001", "S1-T01", "S1", "H1", "2026-11-30T08:00", "2026-11-30T08:15"),
        ("V2", "SH0002", "S2-T01", "S2", "H1", "2026-11-30T08:05", "2026-11-30T08:20"),
        ("V3", "SH0001", "S1-T01", "S1", "H1", "2026-11-30T10:00", "2026-11-30T10:15"),
        ("V4", "SH0002", "S2-T01", "S2", "H1", "2026-11-30T10:00", "2026-11-30T10:15"),
        # no meeting: S1 at H1 again at noon alone; one ends as the other arrives (no overlap)
        ("V5", "SH0001", "S1-T01", "S1", "H1", "2026-11-30T12:00", "2026-11-30T12:15"),
        ("V6", "SH0002", "S2-T01", "S2", "H1", "2026-11-30T12:15", "2026-11-30T12:30"),
        # own stops; S2 at H2 beside S3's post there is a staggered zone: no meeting drawn
        ("V7", "SH0001", "S1-T01", "S1", "H4", "2026-11-30T09:00", "2026-11-30T09:15"),
        ("V8", "SH0002", "S2-T01", "S2", "H2", "2026-11-30T09:00", "2026-11-30T09:15"),
    ]
    return pd.DataFrame(rows, columns=["visit_id", "shift_id", "team_id", "station_id", "hotspot_id", "arrive",
                                       "depart"])


@pytest.fixture(scope="module")
def scenario():
    return tiny_scenario()


def _gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_meetings_are_overlapping_rows_of_two_stations_at_a_joint_hotspot(scenario):
    met = meetings(scenario, _visits())
    assert met[["hotspot_id", "station_a", "station_b", "meetings"]].values.tolist() == [["H1", "S1", "S2", 2]]
    assert (met["lon"].iloc[0], met["lat"].iloc[0]) == (116.33, 35.25)
    assert meetings(scenario, None).empty


def test_the_map_draws_both_loops_in_their_colours_and_rings_the_meeting(scenario):
    ax = plot_map(scenario, _roster(), ax=Figure().add_subplot(), visits=_visits())
    colours = station_colors(scenario.stations["station_id"])
    drawn = _gid(ax, "loops-meeting")
    assert sorted(to_hex(c.get_colors()[0]) for c in drawn) == sorted([colours["S1"], colours["S2"]])
    assert _gid(ax, "loops") == []  # both loops meet: none is left in the plain loop colour
    (ring,) = _gid(ax, "meetings")
    assert ring.get_offsets().tolist() == [[116.33, 35.25]]
    assert [t.get_text() for t in _gid(ax, "meeting-label")] == ["2×"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("meet" in t for t in labels)


def test_without_visits_the_map_draws_plain_loops_and_no_ring(scenario):
    ax = plot_map(scenario, _roster(), ax=Figure().add_subplot())
    (loops,) = _gid(ax, "loops")
    assert len(loops.get_segments()) == 2
    assert _gid(ax, "meetings") == [] and _gid(ax, "loops-meeting") == []


def test_a_day_without_meetings_draws_no_ring(scenario):
    ax = plot_map(scenario, _roster(), day="tue", ax=Figure().add_subplot(), visits=_visits())
    assert _gid(ax, "meetings") == []


def test_the_folium_map_has_the_meeting_layers(scenario):
    html = folium_map(scenario, _roster(), visits=_visits()).get_root().render()
    assert "loops that meet" in html and "meetings" in html
    assert "H1: 2 meetings" in html and "S1 × S2: 2" in html
