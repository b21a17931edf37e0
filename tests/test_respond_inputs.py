"""Bad inputs of `respond` (issue 21): a time without a date, overlapping station areas, broken
run folders, swapped or NaN coordinates. Each class with several variants; exit 2 naming the
file (or option) and the fix, never an answer from a broken folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from patrolplan.cli import main

from test_respond import BOX, _world

REPO = Path(__file__).resolve().parents[1]
VISITS = REPO / "configs" / "example-visits.yaml"


def _ask(run, *args) -> int:
    return main(["respond", str(run), *args])


# --- the time needs its date ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["22:30", "22:30:00", "12-01T22:30", "T22:30", " 22:30"])
def test_a_time_without_a_date_is_refused_naming_the_week(tmp_path, capsys, text):
    run = _world(tmp_path / "w")
    assert _ask(run, "--hotspot", "HT", "--time", text) == 2
    err = capsys.readouterr().err
    assert "give the date too" in err and "the week runs 2026-11-30 to 2026-11-30" in err


def test_a_full_time_still_answers(tmp_path, capsys):
    run = _world(tmp_path / "w")
    assert _ask(run, "--hotspot", "HT", "--time", "2026-11-30T10:00") == 0
    assert _ask(run, "--hotspot", "HT", "--time", "2026-11-30 10:00+08:00") == 0


# --- station areas: one station per place ----------------------------------------------------------


def _areas(folder: Path, boxes: list[tuple[str, float, float]]) -> None:
    features = [BOX.format(name="", a=a, b=b).replace('"county": ""', f'"station_id": "{sid}"')
                for sid, a, b in boxes]
    (folder / "areas.geojson").write_text('{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}",
                                          encoding="utf-8")


@pytest.mark.parametrize("boxes, pair", [
    ([("A", 116.00, 116.10), ("B", 116.05, 116.15)], ("A", "B")),        # half over each other
    ([("A", 116.00, 116.20), ("B", 116.05, 116.10)], ("A", "B")),        # B inside A
    ([("C", 116.20, 116.30), ("A", 116.00, 116.10), ("D", 116.25, 116.40)], ("C", "D")),
])
def test_overlapping_station_areas_are_refused_by_validate_and_respond(tmp_path, capsys, boxes, pair):
    run = _world(tmp_path / "w", areas=True)
    _areas(tmp_path / "w", boxes)
    assert main(["validate", str(tmp_path / "w" / "config.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"the areas of stations {pair[0]} and {pair[1]} overlap" in err and "km²" in err
    assert _ask(run, "--at", "116.07,35.0", "--time", "2026-11-30T10:00") == 2
    assert "overlap" in capsys.readouterr().err


@pytest.mark.parametrize("boxes", [
    [("A", 116.00, 116.10), ("B", 116.10, 116.20)],          # touching
    [("A", 116.00, 116.10), ("B", 116.09999, 116.20)],       # a digitising sliver (~0.01 %)
    [("A", 116.00, 116.05), ("D", 116.30, 116.40)],          # apart
])
def test_touching_or_sliver_areas_pass(tmp_path, capsys, boxes):
    _world(tmp_path / "w", areas=True)
    _areas(tmp_path / "w", boxes)
    assert main(["validate", str(tmp_path / "w" / "config.yaml")]) == 0, capsys.readouterr().err


# --- places -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("at, says", [
    ("35.0,116.05", "longitude comes first: did you mean --at 116.05,35"),
    ("nan,35", "not a place (NaN or infinite)"),
    ("116.05,inf", "not a place (NaN or infinite)"),
    ("200,35", "longitude must lie in -180..180"),
    ("117.5,35.0", "outside every boundary"),
    ("0,0", "outside every boundary"),
])
def test_bad_places(tmp_path, capsys, at, says):
    run = _world(tmp_path / "w")
    assert _ask(run, "--at", at, "--time", "2026-11-30T10:00") == 2
    assert says in capsys.readouterr().err


# --- broken run folders -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def visit_week(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("v") / "run"
    assert main(["solve", str(VISITS), "--out", str(out), "--no-pictures", "--quiet", "--time-limit", "20"]) == 0
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert (roster["loop_id"] != "").any()
    return out


@pytest.fixture
def copy(visit_week, tmp_path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(visit_week, run)
    return run


def _loop_hotspot_time(run: Path) -> tuple[str, str]:
    roster = pd.read_csv(run / "roster.csv", dtype=str, keep_default_na=False)
    row = roster[roster["loop_id"] != ""].iloc[0]
    return row["hotspot_id"], row["on_site_start"]


def test_the_intact_visit_week_answers(copy, capsys):
    hotspot, at = _loop_hotspot_time(copy)
    assert _ask(copy, "--hotspot", hotspot, "--time", at) == 0


@pytest.mark.parametrize("breakage, says", [
    ("missing", "visits.csv: missing, but roster.csv has"),
    ("header only", "visits.csv: has no rows, though roster.csv has"),
    ("one shift dropped", "visits.csv: has no visits of the loop shift(s)"),
])
def test_a_visit_week_without_its_visits_is_refused(copy, capsys, breakage, says):
    hotspot, at = _loop_hotspot_time(copy)
    visits = copy / "visits.csv"
    if breakage == "missing":
        visits.unlink()
    elif breakage == "header only":
        visits.write_text(visits.read_text().splitlines()[0] + "\n")
    else:
        table = pd.read_csv(visits, dtype=str, keep_default_na=False)
        table[table["shift_id"] != table["shift_id"].iloc[0]].to_csv(visits, index=False)
    assert _ask(copy, "--hotspot", hotspot, "--time", at) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


@pytest.mark.parametrize("folder", ["visit", "posts"])
def test_a_roster_of_its_header_only_is_refused(copy, tmp_path, capsys, folder):
    run = copy
    if folder == "posts":
        run = tmp_path / "posts"
        assert main(["solve", str(REPO / "configs" / "example.yaml"), "--out", str(run), "--no-pictures", "--quiet",
                     "--time-limit", "10"]) == 0
    (run / "roster.csv").write_text((run / "roster.csv").read_text().splitlines()[0] + "\n")
    (run / "visits.csv").unlink(missing_ok=True)
    shifts = json.loads((run / "summary.json").read_text())["shifts"]
    assert _ask(run, "--hotspot", "H1", "--time", "2026-12-01T10:00") == 2
    assert f"roster.csv: only a header, but summary.json records {shifts} shifts" in capsys.readouterr().err


# --- the config summary.json records is gone --------------------------------------------------------


@pytest.mark.parametrize("recorded", ["moved", "relative-gone", "none", "a-folder"])
@pytest.mark.parametrize("command", ["respond", "map", "evaluate"])
def test_a_recorded_config_that_is_gone_says_where_the_path_comes_from(tmp_path, capsys, recorded, command):
    """The config path comes from the run folder's summary.json: when it holds no file (the
    scenario moved) the message says so and offers --config, rather than "check the path"."""
    run = _world(tmp_path / "w")
    summary = json.loads((run / "summary.json").read_text())
    value = {"moved": str(tmp_path / "gone" / "config.yaml"), "relative-gone": "../old/config.yaml",
             "none": None, "a-folder": str(tmp_path / "w")}[recorded]
    if value is None:
        summary.pop("config_path")
    else:
        summary["config_path"] = value
    (run / "summary.json").write_text(json.dumps(summary))
    before = sorted(p.name for p in run.iterdir())
    argv = {"respond": ["respond", str(run), "--hotspot", "HT", "--time", "2026-11-30T10:00"],
            "map": ["map", str(run)],
            "evaluate": ["evaluate", str(run), "--incidents", str(tmp_path / "incidents.csv")]}[command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(run / "summary.json") in err and "--config" in err and "Traceback" not in err
    assert ("'config_path'" in err) and (value is None or value in err)
    assert sorted(p.name for p in run.iterdir()) == before
    if command == "respond":  # with --config the same folder answers
        assert main([*argv, "--config", str(tmp_path / "w" / "config.yaml")]) == 0


# --- station areas: one area per station -------------------------------------------------------------


@pytest.mark.parametrize("boxes, says", [
    ([("A", 116.00, 116.05), ("A", 116.30, 116.40)], ["rows 2 and 3", "station 'A' is named 2 times"]),
    ([("B", 116.00, 116.05), ("C", 116.10, 116.15), ("B", 116.30, 116.40), ("B", 116.45, 116.50)],
     ["rows 2, 4 and 5", "station 'B' is named 3 times"]),
    ([("A", 116.00, 116.05), ("X9", 116.10, 116.15), ("A", 116.30, 116.40)],
     ["rows 2 and 4", "station 'A' is named 2 times", "row 3 (station_id 'X9')"]),
])
@pytest.mark.parametrize("command", ["validate", "respond"])
def test_a_station_named_twice_in_station_areas_is_refused(tmp_path, capsys, boxes, says, command):
    """Apart or not, two areas of one station are refused (which one answers for it?), naming
    the file, both rows and the column; every problem of the layer in one message."""
    run = _world(tmp_path / "w", areas=True)
    _areas(tmp_path / "w", boxes)
    if command == "validate":
        assert main(["validate", str(tmp_path / "w" / "config.yaml")]) == 2
    else:
        assert _ask(run, "--at", "116.02,35.0", "--time", "2026-11-30T10:00") == 2
    err = capsys.readouterr().err
    assert "areas.geojson" in err and "column 'station_id'" in err and "Traceback" not in err
    for words in says:
        assert words in err, words
