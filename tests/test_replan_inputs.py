"""Bad inputs around re-planning and rolling over (issue 21): the folders `replan --from`,
`solve --previous` and `check --from/--previous` read, and `--at` (travel.npz and a re-plan
after the roads changed: tests/test_replan_travel.py).

One example week is published once (module fixture, seed 0, short limits); each test works on
a copy of it. Every refusal is exit 2 with a message naming the file, row and column, and
leaves nothing written.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from patrolplan.cli import main

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"
EXAMPLE = CONFIGS / "example.yaml"
NEXT = CONFIGS / "example-next.yaml"
SICK = CONFIGS / "example-sick.yaml"
AT = "2026-12-02T12:00"
FLAGS = ["--time-limit", "10", "--quiet", "--no-pictures", "--seed", "0"]


# --- helpers ----------------------------------------------------------------------------------


def _rows(run: Path) -> list[dict]:
    with open(run / "roster.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write_rows(run: Path, rows: list[dict], fieldnames: list[str] | None = None) -> None:
    fieldnames = fieldnames or list(rows[0].keys())
    with open(run / "roster.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _replan(config: Path, from_dir: Path, out: Path, at: str = AT) -> int:
    return main(["replan", str(config), "--from", str(from_dir), "--at", at, "--out", str(out), *FLAGS])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _scenario_copy(tmp: Path, name: str = "example") -> Path:
    """configs/example.yaml and its data in ``tmp`` (to edit the data)."""
    shutil.copytree(CONFIGS / "example", tmp / "example")
    cfg = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    cfg["name"] = name
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def _slow_roads(config: Path, speeds: dict[int, str]) -> None:
    """Lower the maxspeed of some road lines of a copied scenario (feature index -> km/h)."""
    path = config.parent / "example" / "roads.geojson"
    roads = json.loads(path.read_text(encoding="utf-8"))
    for i, kmh in speeds.items():
        roads["features"][i]["properties"]["maxspeed"] = kmh
    path.write_text(json.dumps(roads, ensure_ascii=False), encoding="utf-8")


def _fake_travel(src: Path, dst: Path, change) -> None:
    """A travel.npz with ``src``'s key and ids and minutes ``change(minutes)``."""
    from patrolplan.inputs.network import Travel
    from patrolplan.inputs.travel_cache import save_travel

    with np.load(src) as z:
        arrays = {k: z[k] for k in z.files}
    hop = arrays.get("hop_min")
    travel = Travel(tuple(arrays["station_ids"]), tuple(arrays["hotspot_ids"]),
                    change(arrays["out_min"]).astype(np.int64), change(arrays["back_min"]).astype(np.int64),
                    None if hop is None else change(hop).astype(np.int64),
                    inputs_sha256=str(arrays["inputs_sha256"][()]))
    if dst.exists() or dst.is_symlink():
        dst.unlink()
    save_travel(travel, dst)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published") / "week"
    assert main(["solve", str(EXAMPLE), "--out", str(out), *FLAGS]) == 0
    return out


@pytest.fixture(scope="module")
def later(published, tmp_path_factory) -> Path:
    """The week after, rolled on from the published one."""
    out = tmp_path_factory.mktemp("later") / "week"
    assert main(["solve", str(NEXT), "--previous", str(published), "--out", str(out), *FLAGS]) == 0
    return out


@pytest.fixture(scope="module")
def visits_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("visits") / "week"
    assert main(["solve", str(CONFIGS / "example-visits.yaml"), "--out", str(out), *FLAGS]) == 0
    return out


# --- --out is never the folder read -------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["same", "slash", "absolute", "dotdot", "symlink"])
@pytest.mark.parametrize("command", ["previous", "replan"])
def test_out_is_never_the_folder_read(published, tmp_path, monkeypatch, capsys, spelling, command):
    week = _copy(published, tmp_path / "week")
    before = _snapshot(week)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    os.symlink(week, tmp_path / "link")
    out = {"same": "week", "slash": "week/", "absolute": str(week), "dotdot": "sub/../week", "symlink": "link"}[spelling]
    if command == "previous":
        argv = ["solve", str(NEXT), "--previous", "week", "--out", out, *FLAGS]
        words = "--previous reads"
    else:
        argv = ["replan", str(EXAMPLE), "--from", "week", "--at", AT, "--out", out, *FLAGS]
        words = "--from reads"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "give another --out" in err and "Traceback" not in err
    assert _snapshot(week) == before


def test_the_library_refuses_it_too(published, tmp_path):
    from patrolplan.errors import UsageError
    from patrolplan.inputs.io import load_scenario
    from patrolplan.replan import read_published, replan_scenario
    from patrolplan.runner import run_scenario

    week = _copy(published, tmp_path / "week")
    before = _snapshot(week)
    scenario = load_scenario(NEXT)
    with pytest.raises(UsageError, match="--previous reads"):
        run_scenario(scenario, week, previous=(week, read_published(week, option="--previous")), pictures=False)
    with pytest.raises(UsageError, match="--from reads"):
        replan_scenario(load_scenario(EXAMPLE), week, AT, tmp_path / "week" / ".." / "week", pictures=False)
    assert _snapshot(week) == before


# --- folders that are no published week ------------------------------------------------------------


@pytest.mark.parametrize("column", ["travel_back_min", "zone_id", "on_site_end", "mode"])
def test_a_roster_without_a_contract_column_is_refused(published, tmp_path, capsys, column):
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    _write_rows(week, rows, [c for c in rows[0] if c != column])
    out = tmp_path / "replan"
    assert _replan(EXAMPLE, week, out) == 2
    err = capsys.readouterr().err
    assert str(week / "roster.csv") in err and f"'{column}'" in err and "missing column" in err
    assert not out.exists()


@pytest.mark.parametrize("cell", ["travel_back_min", "team_id", "hotspot_id"])
def test_a_blank_cell_the_kept_rows_need_is_refused(published, tmp_path, capsys, cell):
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    rows[4][cell] = ""
    _write_rows(week, rows)
    assert _replan(EXAMPLE, week, tmp_path / "replan") == 2
    err = capsys.readouterr().err
    assert str(week / "roster.csv") in err and "row 6" in err and f"column '{cell}'" in err


def test_a_roster_of_only_its_header_is_refused(published, tmp_path, capsys):
    week = _copy(published, tmp_path / "week")
    header = (published / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    (week / "roster.csv").write_text(header + "\n", encoding="utf-8")
    assert _replan(EXAMPLE, week, tmp_path / "replan") == 2
    assert "has no shifts (only a header)" in capsys.readouterr().err
    assert not (tmp_path / "replan").exists()


def test_a_run_of_another_week_is_refused(published, later, tmp_path, capsys):
    # the next week's roster starts on the last evening of this one: still another week
    assert _replan(EXAMPLE, later, tmp_path / "replan") == 2
    err = capsys.readouterr().err
    assert "is not of the config's week" in err and "row " in err and "solve --previous" in err
    # one hand-edited row far outside the week is refused the same way, naming it
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    rows[10] = {**rows[10], **{c: rows[10][c].replace("2026-11-30", "2026-10-30") for c in
                               ("start", "end", "on_site_start", "on_site_end")}}
    _write_rows(week, rows)
    assert _replan(EXAMPLE, week, tmp_path / "replan2") == 2
    assert f"shift_id '{rows[10]['shift_id']}'" in capsys.readouterr().err


def test_a_run_of_another_config_is_recognised(published, visits_run, tmp_path, capsys):
    # its stations are unknown here
    assert _replan(CONFIGS / "jining.yaml", published, tmp_path / "a") == 2
    err = capsys.readouterr().err
    assert "none of its roster's stations" in err and "another config" in err and "example.yaml" in err
    # visit loops re-planned by a config without visits
    assert _replan(EXAMPLE, visits_run, tmp_path / "b") == 2
    err = capsys.readouterr().err
    assert "is a visit loop" in err and "example-visits" in err
    # another config name: a warning (re-planning with a renamed config is the sick-week way)
    assert _replan(SICK, published, tmp_path / "c") == 0
    err = capsys.readouterr().err
    assert "published by the config 'example', re-planned with 'example-sick'" in err
    summary = json.loads((tmp_path / "c" / "summary.json").read_text(encoding="utf-8"))
    assert summary["config_name"] == "example-sick" and summary["week_start"] == "2026-11-30"


@pytest.mark.parametrize("kind", ["later-week", "one-row-a-month-early", "visits-run", "other-stations", "header-only"])
def test_check_from_another_week_or_config_is_refused_as_replan_refuses_it(published, later, visits_run,
                                                                         tmp_path, capsys, kind):
    """`check --from` reads the folder with its own code and refuses what `replan --from` refuses
    (exit 2 naming --from and why), instead of reporting another week's history as broken rules."""
    config, frm = EXAMPLE, _copy(published, tmp_path / "from")
    words = {"later-week": "another week", "one-row-a-month-early": "another week", "visits-run": "is a visit loop",
             "other-stations": "none of its roster's stations", "header-only": "has no shifts"}[kind]
    rows = _rows(published)
    if kind == "later-week":
        frm = later
    elif kind == "one-row-a-month-early":
        rows[10] = {**rows[10], **{c: rows[10][c].replace("2026-11-30", "2026-10-30") for c in
                                   ("start", "end", "on_site_start", "on_site_end")}}
        _write_rows(frm, rows)
    elif kind == "visits-run":
        frm = visits_run
    elif kind == "other-stations":
        config = CONFIGS / "jining.yaml"
    else:
        (frm / "roster.csv").write_text(",".join(rows[0]) + "\n", encoding="utf-8")
    before = _snapshot(frm)
    assert main(["check", str(config), str(published), "--from", str(frm), "--at", AT]) == 2
    err = capsys.readouterr().err
    assert f"--from {frm}" in err and words in err and "Traceback" not in err
    assert _replan(config, frm, tmp_path / "replan") == 2  # the re-plan refuses the same folder
    assert _snapshot(frm) == before


# --- pinned: one reading on both sides --------------------------------------------------------------


WORDS = ["true", "TRUE", " yes ", "x", "Y", "1", "", "false", "No", "0", " n", "maybe", "2", "ja", "truee", "-"]


def test_replan_and_check_read_a_pinned_cell_alike():
    from patrolplan.check.published import pinned_cell
    from patrolplan.replan import pinned_word

    for word in WORDS:
        assert pinned_word(word) == pinned_cell(word), word
    assert pinned_word("maybe") is None and pinned_word(" TRUE ") is True and pinned_word("") is False


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=" \tTRUEYSNOFALtrueysnofalx01-2", max_size=8))
def test_replan_and_check_agree_on_any_pinned_cell(word):
    from patrolplan.check.published import pinned_cell
    from patrolplan.replan import pinned_word

    assert pinned_word(word) == pinned_cell(word)


@pytest.mark.parametrize("word", ["maybe", "2", "truee"])
def test_an_unreadable_pinned_cell_is_refused_by_replan_and_by_check(published, tmp_path, capsys, word):
    week = _copy(published, tmp_path / "week")
    rows = [{**r, "pinned": ""} for r in _rows(published)]
    rows[3]["pinned"] = word
    _write_rows(week, rows)
    assert _replan(EXAMPLE, week, tmp_path / "replan") == 2
    replan_err = capsys.readouterr().err
    assert main(["check", str(EXAMPLE), str(published), "--from", str(week), "--at", AT]) == 2
    check_err = capsys.readouterr().err
    for err in (replan_err, check_err):
        assert "row 5" in err and "column 'pinned'" in err and repr(word) in err


@pytest.fixture(scope="module")
def moved_by_sick(published, tmp_path_factory) -> list[str]:
    """Published shift ids after the cut that the sick-week re-plan moves or drops."""
    out = tmp_path_factory.mktemp("sick") / "replan"
    assert _replan(SICK, published, out) == 0
    with open(out / "changes.csv", encoding="utf-8", newline="") as f:
        ids = [r["old_shift_id"] for r in csv.DictReader(f) if r["old_shift_id"]]
    assert ids
    return ids[:2]


@pytest.mark.parametrize("name", ["Pinned", "PINNED", " Pinned"])
def test_a_pinned_column_in_another_case_is_refused_naming_it(published, moved_by_sick, tmp_path, capsys, name):
    week = _copy(published, tmp_path / "week")
    rows = [{**r, name: "true" if r["shift_id"] in moved_by_sick else ""} for r in _rows(published)]
    _write_rows(week, rows)
    assert _replan(SICK, week, tmp_path / "replan") == 2
    err = capsys.readouterr().err
    assert f"column {name!r}" in err and "rename it to 'pinned'" in err
    assert main(["check", str(SICK), str(published), "--from", str(week), "--at", AT]) == 2
    assert "rename it to 'pinned'" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["pinned ", " pinned", "pinned"])
def test_a_pinned_column_with_spaces_keeps_its_rows(published, moved_by_sick, tmp_path, name):
    week = _copy(published, tmp_path / "week")
    rows = [{**r, name: "true" if r["shift_id"] in moved_by_sick else ""} for r in _rows(published)]
    _write_rows(week, rows)
    out = tmp_path / "replan"
    assert _replan(SICK, week, out) == 0
    new = {r["shift_id"]: r for r in _rows(out)}
    for sid in moved_by_sick:
        old = next(r for r in rows if r["shift_id"] == sid)
        assert {k: new[sid][k] for k in ("team_id", "start", "end", "hotspot_id")} == \
            {k: old[k] for k in ("team_id", "start", "end", "hotspot_id")}
    assert main(["check", str(SICK), str(out), "--from", str(week), "--at", AT]) == 0


@pytest.mark.parametrize("how", ["--from", "--previous", "check --from"])
def test_a_blank_shift_id_names_the_file_and_row(published, tmp_path, capsys, how):
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    rows[5]["shift_id"] = "  "
    _write_rows(week, rows)
    if how == "--from":
        code = _replan(EXAMPLE, week, tmp_path / "replan")
    elif how == "--previous":
        code = main(["solve", str(NEXT), "--previous", str(week), "--out", str(tmp_path / "next"), *FLAGS])
    else:
        code = main(["check", str(EXAMPLE), str(published), "--from", str(week), "--at", AT])
    assert code == 2
    err = capsys.readouterr().err
    assert str(week / "roster.csv") in err and "row 7" in err and "column 'shift_id'" in err


# --- rows naming what the config does not know ------------------------------------------------------


def _first_after(rows: list[dict], at: str = AT) -> int:
    return next(i for i, r in enumerate(rows) if r["start"] >= at)


def _edits(rows: list[dict], kind: str) -> tuple[int, str, str]:
    """Edit one row of ``rows`` in place: (its index, the column the message must name, a word it must say)."""
    i = 0 if kind.startswith("history") else _first_after(rows) + 3
    r = rows[i]
    if kind.endswith("zone-unknown"):
        r["zone_id"] = "Z9"
        return i, "zone_id", "Z9"
    if kind.endswith("zone-other"):
        r["zone_id"] = "Z2" if r["zone_id"] != "Z2" else "Z1"
        return i, "zone_id", "belongs to zone"
    if kind.endswith("station"):
        r["station_id"] = "X9"
        return i, "station_id", "X9"
    if kind.endswith("team"):
        r["team_id"] = "X9-T01"
        return i, "team_id", "X9-T01"
    if kind.endswith("hotspot"):
        r["hotspot_id"] = "H99"
        return i, "hotspot_id", "H99"
    if kind.endswith("end-before-start"):
        r["end"], r["start"] = r["start"], r["end"]
        return i, "end", "not after the start"
    if kind.endswith("on-site-outside"):
        r["on_site_start"] = _minus(r["start"], 30)
        return i, "on_site_start", "out of order"
    raise AssertionError(kind)


def _zone_of(hotspot: str) -> str:
    with open(CONFIGS / "example" / "hotspots.csv", encoding="utf-8") as f:
        return next(r["zone_id"] for r in csv.DictReader(f) if r["hotspot_id"] == hotspot)


def _minus(text: str, minutes: int) -> str:
    import datetime as dt

    return (dt.datetime.fromisoformat(text) - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


KINDS = [f"{when}-{what}" for when in ("history", "future") for what in
         ("zone-unknown", "zone-other", "station", "team", "hotspot", "end-before-start", "on-site-outside")]


@pytest.mark.parametrize("kind", KINDS)
def test_a_row_naming_what_the_config_does_not_know_is_refused(published, tmp_path, capsys, kind):
    """History, pinned and later rows alike: a typo must neither be published (the check would
    then refuse the kept row) nor lose the row silently (a later row was dropped unsaid)."""
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    i, column, word = _edits(rows, kind)
    _write_rows(week, rows)
    before = _snapshot(week)
    out = tmp_path / "replan"
    assert _replan(EXAMPLE, week, out) == 2
    err = capsys.readouterr().err
    assert str(week / "roster.csv") in err and f"row {i + 2} (shift_id '{rows[i]['shift_id']}')" in err
    assert f"column '{column}'" in err and word in err and "Traceback" not in err
    if kind.endswith("zone-other"):
        assert f"write {_zone_of(rows[i]['hotspot_id'])}" in err  # the fix is the hotspot's zone
    else:
        assert ("delete the row" in err) == kind.startswith("future")
    assert not out.exists() and _snapshot(week) == before


def test_every_problem_of_the_roster_comes_in_one_message(published, tmp_path, capsys):
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    j = _first_after(rows)
    rows[1]["zone_id"] = "Z9"
    rows[2]["travel_out_min"] = "ten"
    rows[j]["station_id"] = "X9"
    rows[j + 1]["start"] = "yesterday"
    _write_rows(week, rows)
    assert _replan(EXAMPLE, week, tmp_path / "replan") == 2
    err = capsys.readouterr().err
    assert "4 problems" in err
    lines = [ln for ln in err.splitlines() if ln.strip().startswith("- row ")]
    assert [ln.split()[2] for ln in lines] == [str(n) for n in sorted((3, 4, j + 2, j + 3))]  # in file order


# --- a roster saved back by a spreadsheet -----------------------------------------------------------


def _spreadsheet_times(rows: list[dict], seconds: str = "00") -> list[dict]:
    cols = ("start", "end", "on_site_start", "on_site_end")
    return [{**r, **{c: r[c].replace("T", " ") + ":" + seconds for c in cols}} for r in rows]


def test_spreadsheet_times_keep_every_row_and_its_history(published, tmp_path, capsys):
    week = _copy(published, tmp_path / "week")
    _write_rows(week, _spreadsheet_times(_rows(published)))
    assert main(["check", str(EXAMPLE), str(week)]) == 0
    out = tmp_path / "replan"
    assert _replan(EXAMPLE, week, out) == 0
    assert "0 shifts changed" in capsys.readouterr().out
    assert [r["shift_id"] for r in _rows(out)] == [r["shift_id"] for r in _rows(week)]
    assert main(["check", str(EXAMPLE), str(out), "--from", str(week), "--at", AT]) == 0
    # and a re-plan of the re-plan still matches its own history
    assert _replan(EXAMPLE, out, tmp_path / "again", "2026-12-03T12:00") == 0
    assert [r["shift_id"] for r in _rows(tmp_path / "again")] == [r["shift_id"] for r in _rows(week)]


def test_times_off_the_minute_are_refused_by_both(published, tmp_path, capsys):
    week = _copy(published, tmp_path / "week")
    _write_rows(week, _spreadsheet_times(_rows(published), seconds="30"))
    assert _replan(EXAMPLE, week, tmp_path / "replan") == 2
    assert "whole minutes" in capsys.readouterr().err
    assert main(["check", str(EXAMPLE), str(published), "--from", str(week), "--at", AT]) == 2
    assert "whole minutes" in capsys.readouterr().err


# --- check --previous of this week or a later one ---------------------------------------------------


def test_check_previous_of_the_same_or_a_later_week_is_refused(published, later, tmp_path, capsys):
    for prev in (published, later):
        assert main(["check", str(EXAMPLE), str(published), "--previous", str(prev)]) == 2
        err = capsys.readouterr().err
        assert "give the run folder of the week before" in err and "row " in err
    assert main(["check", str(NEXT), str(later), "--previous", str(published)]) == 0


# --- a gap in history ---------------------------------------------------------------------------------


def test_a_deleted_history_row_is_named_as_the_gap(published, tmp_path, capsys):
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    gone = next(r for r in rows if r["station_id"] == "J1" and "2026-11-30T06:00" < r["start"] < "2026-12-01")
    _write_rows(week, [r for r in rows if r is not gone])
    out = tmp_path / "replan"
    assert _replan(EXAMPLE, week, out) == 1
    text = (out / "explanation.md").read_text(encoding="utf-8")
    assert "The gap lies in history (before --at)" in text
    assert f"hotspot {gone['hotspot_id']}" in text and gone["shift_id"] in text and "J1" in text
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replan"]["history_gaps"]


def test_a_deleted_row_after_the_cut_is_no_history_gap(published, tmp_path):
    week = _copy(published, tmp_path / "week")
    rows = _rows(published)
    gone = next(r for r in rows if r["start"] > "2026-12-05")
    _write_rows(week, [r for r in rows if r is not gone])
    assert _replan(EXAMPLE, week, tmp_path / "replan") == 0


# --- --at ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("at, words", [
    ("2026-12-08T12:00", "outside the week"),
    ("2026-11-29T23:59", "outside the week"),
    ("2026-12-02", "a date without a time"),
    ("2026-12-02T12:00:30", "whole minutes"),
    ("2026-12-02T25:00", "not a date and time"),
    ("noon", "not a date and time"),
])
@pytest.mark.parametrize("command", ["replan", "check"])
def test_bad_at_is_a_clear_usage_error(published, tmp_path, capsys, at, words, command):
    if command == "replan":
        code = _replan(EXAMPLE, published, tmp_path / "replan", at)
    else:
        code = main(["check", str(EXAMPLE), str(published), "--from", str(published), "--at", at])
    assert code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "replan").exists()


@pytest.mark.parametrize("at", ["2026-12-02T12:00+08:00", "2026-12-02T12:00Z", "2026-12-02 12:00"])
def test_an_offset_or_a_space_keeps_the_wall_clock_time(published, tmp_path, capsys, at):
    out = tmp_path / "replan"
    assert _replan(EXAMPLE, published, out, at) == 0
    assert ("the offset" in capsys.readouterr().err) == (not at.endswith("12:00"))
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["replan"]["at"] == "2026-12-02T12:00"
    assert main(["check", str(EXAMPLE), str(out), "--from", str(published), "--at", at]) == 0


def test_a_deleted_half_of_a_joint_history_loop_is_named_as_the_gap(visits_run, tmp_path):
    """The other half alone is no joint visit: it guards nothing, and the explanation names the
    visit hours before --at and the missing id."""
    week = _copy(visits_run, tmp_path / "week")
    rows = _rows(visits_run)
    halves = {}
    for r in rows:
        if r["loop_id"] and r["start"] < AT and r["zone_id"] == "Z1":
            halves.setdefault((r["loop_hotspots"], r["start"]), []).append(r)
    pairs = [v for v in halves.values() if len(v) == 2]
    # a half whose shift ids before and after are history rows too: one missing between two of
    # them (ids follow start times, so the last history row has a kept row after it)
    start_of = {int(r["shift_id"][2:]): r["start"] for r in rows}
    between = [r for pair in pairs for r in pair
               if all(start_of.get(int(r["shift_id"][2:]) + d, AT) < AT for d in (-1, 1))]
    assert between, "the example week has no joint history loop between two history rows"
    gone = between[len(between) // 2]
    _write_rows(week, [r for r in rows if r is not gone])
    out = tmp_path / "replan"
    assert _replan(CONFIGS / "example-visits.yaml", week, out) == 1
    text = (out / "explanation.md").read_text(encoding="utf-8")
    assert "The gap lies in history (before --at)" in text and "visit hours" in text and gone["shift_id"] in text


def test_a_previous_week_of_another_config_is_refused(published, tmp_path, capsys):
    out = tmp_path / "next"
    assert main(["solve", str(CONFIGS / "jining.yaml"), "--previous", str(published), "--out", str(out), *FLAGS]) == 2
    err = capsys.readouterr().err
    assert "--previous" in err and "none of its roster's stations" in err and "'example'" in err
    assert not out.exists()
