"""The command line end to end: exit codes, the run folder, check catching broken rosters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from patrolplan.cli import main
from patrolplan.outputs.runfolder import atomic_folder

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "configs" / "example.yaml"
BAD = sorted((REPO / "tests" / "data" / "bad_inputs").iterdir())


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "example"
    code = main(["solve", str(EXAMPLE), "--out", str(out), "--time-limit", "40", "--quiet", "--no-pictures"])
    return code, out


def test_solve_example_is_clean_and_check_agrees(solved, capsys):
    code, out = solved
    assert code == 0
    for name in ("roster.csv", "coverage.csv", "summary.json"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] in ("optimal", "feasible")
    assert summary["uncovered_slots"] == 0 and summary["seed"] == 0
    for key in ("objective", "best_bound", "gap_pct", "solve_seconds", "uncovered_team_hours", "team_hours",
                "travel_hours", "stations", "versions", "config_sha256"):
        assert key in summary
    roster = pd.read_csv(out / "roster.csv")
    assert list(roster.columns[:12]) == ["shift_id", "team_id", "station_id", "zone_id", "hotspot_id", "mode",
                                         "start", "end", "on_site_start", "on_site_end", "travel_out_min",
                                         "travel_back_min"]
    cov = pd.read_csv(out / "coverage.csv")
    assert {"hotspot_id", "slot_start", "demand", "present", "stations", "gap"} <= set(cov.columns)
    assert not cov["gap"].any()
    capsys.readouterr()
    assert main(["check", str(EXAMPLE), str(out)]) == 0
    assert "OK" in capsys.readouterr().out


def _broken(solved, tmp_path, edit) -> Path:
    _, out = solved
    run = tmp_path / "edited"
    shutil.copytree(out, run)
    roster = pd.read_csv(run / "roster.csv", dtype=str)
    roster = edit(roster)
    roster.to_csv(run / "roster.csv", index=False)
    return run


def _drop_first(r):
    return r.iloc[1:]


def _ignore_travel(r):
    i = r.index[r["travel_out_min"].astype(int) > 0][0]
    r.loc[i, "on_site_start"] = r.loc[i, "start"]
    return r


def _non_member(r):
    zones = pd.read_csv(REPO / "configs" / "example" / "zones.csv")
    members = dict(zip(zones["zone_id"], zones["stations"].str.split(";")))
    i = r.index[0]
    outsider = next(s for s in ["J1", "J2", "J3", "R1", "R2", "R3"] if s not in members[r.loc[i, "zone_id"]])
    r.loc[i, "station_id"] = outsider
    r.loc[i, "team_id"] = outsider + "-T01"
    return r


def _break_rest(r):
    """Give one team's shift to another team of the same station that works right before."""
    r = r.copy()
    start, end = pd.to_datetime(r["start"]), pd.to_datetime(r["end"])
    for a in r.index:
        for b in r.index:
            gap_h = (start[b] - end[a]).total_seconds() / 3600
            same_station = r.loc[a, "station_id"] == r.loc[b, "station_id"]
            if same_station and r.loc[a, "team_id"] != r.loc[b, "team_id"] and 0 <= gap_h < 12:
                r.loc[b, "team_id"] = r.loc[a, "team_id"]
                return r
    raise AssertionError("no pair to break")


def _too_many_teams(r):
    i = r.index[0]
    r.loc[i, "team_id"] = r.loc[i, "station_id"] + "-T99"
    return r


@pytest.mark.parametrize(
    "edit, rule",
    [
        (_drop_first, "gap"),
        (_ignore_travel, "travel_out"),
        (_non_member, "member"),
        (_break_rest, "rest"),
        (_too_many_teams, "team_count"),
    ],
    ids=["dropped_shift", "travel_ignored", "non_member", "rest_broken", "too_many_teams"],
)
def test_check_catches_a_broken_roster(solved, tmp_path, capsys, edit, rule):
    run = _broken(solved, tmp_path, edit)
    capsys.readouterr()
    assert main(["check", str(EXAMPLE), str(run)]) == 1
    assert rule in capsys.readouterr().out


def test_check_unreadable_roster_exits_2(solved, tmp_path, capsys):
    def bad_time(r):
        r.loc[r.index[0], "start"] = "next tuesday"
        return r

    run = _broken(solved, tmp_path, bad_time)
    assert main(["check", str(EXAMPLE), str(run)]) == 2
    err = capsys.readouterr().err
    assert "roster.csv" in err and "start" in err and "row 2" in err


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_every_bad_input_exits_2_with_a_message(case, capsys):
    code = main(["validate", str(case / "config.yaml")])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    for words in filter(None, (w.strip() for w in expected)):
        assert words in captured.err, f"{case.name}: {words!r} not in {captured.err!r}"


def test_solve_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["solve", str(BAD[0] / "config.yaml"), "--out", str(out)]) == 2
    assert not out.exists()


def _short_week(tmp_path: Path) -> Path:
    scenario = tmp_path / "short"
    shutil.copytree(REPO / "configs", scenario)
    st = pd.read_csv(scenario / "example" / "stations.csv")
    st.loc[st["station_id"].isin(["J2", "R2"]), "officers"] = 4  # one team each after the reserve
    st.to_csv(scenario / "example" / "stations.csv", index=False)
    return scenario / "example.yaml"


def test_short_week_exits_1_with_an_explanation_naming_the_zone(tmp_path, capsys):
    config = _short_week(tmp_path)
    out = tmp_path / "run"
    code = main(["solve", str(config), "--out", str(out), "--time-limit", "30", "--quiet", "--no-pictures"])
    assert code == 1
    text = (out / "explanation.md").read_text()
    assert "Z3" in text and ("J2" in text or "R2" in text)
    assert json.loads((out / "summary.json").read_text())["status"] == "infeasible"


def test_atomic_folder_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(target) as tmp:
            (tmp / "roster.csv").write_text("half")
            raise KeyboardInterrupt
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_keeps_the_old_run_until_the_new_one_is_complete(tmp_path):
    target = tmp_path / "run"
    with atomic_folder(target) as tmp:  # a run folder patrolplan wrote (it carries the marker)
        (tmp / "roster.csv").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_folder(target) as tmp:
            (tmp / "roster.csv").write_text("new")
            raise RuntimeError("crash")
    assert (target / "roster.csv").read_text() == "old"
    with atomic_folder(target) as tmp:
        (tmp / "roster.csv").write_text("new")
    assert (target / "roster.csv").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["solve"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["solve", str(EXAMPLE), "--time-limit", "-3"])
    assert exc.value.code == 2


def test_allow_gaps_writes_the_least_short_roster(tmp_path, capsys):
    config = _short_week(tmp_path)
    text = config.read_text().replace("allow_gaps: false", "allow_gaps: true")
    assert "allow_gaps: true" in text
    config.write_text(text)
    out = tmp_path / "gaps"
    code = main(["solve", str(config), "--out", str(out), "--time-limit", "30", "--quiet"])
    assert code == 1
    summary = json.loads((out / "summary.json").read_text())
    cov = pd.read_csv(out / "coverage.csv")
    assert summary["status"] == "gaps"
    assert summary["uncovered_slots"] == int(cov["gap"].sum()) > 0
    short = (cov["demand"] - cov["present"]).clip(lower=0).sum()
    assert summary["uncovered_team_hours"] == pytest.approx(short)
    assert (out / "explanation.md").is_file() and (out / "coverage.png").is_file()
    # the independent check: coverage problems only, and the same count of gaps
    from patrolplan.check import check_run

    report = check_run(config, out)
    assert not report.rule_violations, report.to_text()
    assert report.uncovered_slots == summary["uncovered_slots"]
    capsys.readouterr()
    assert main(["check", str(config), str(out)]) == 1


def test_map_redraws_one_day_from_the_run_folder(solved, tmp_path, capsys):
    _, out = solved
    run = tmp_path / "run"
    shutil.copytree(out, run)
    assert main(["map", str(run), "--day", "fri"]) == 0
    printed = capsys.readouterr().out
    assert "fri" in printed
    assert any(p.name.startswith("map_") and p.suffix == ".png" for p in run.iterdir())
    assert main(["map", str(run), "--day", "someday"]) == 2


def test_junctions_command_on_the_real_counties(tmp_path, capsys):
    data = REPO / "src" / "patrolplan" / "data" / "jining"
    out = tmp_path / "junctions.geojson"
    assert main(["junctions", str(data / "counties.geojson"), "--roads", str(data / "roads.geojson"),
                 "--out", str(out)]) == 0
    import geopandas as gpd

    points = gpd.read_file(out)
    assert len(points) > 100
    assert {"tripoint", "road_crossing"} <= set(points["kind"])
    assert {"county", "city", "province"} <= set(points["tier"])
    assert main(["junctions", str(data / "counties.geojson"), "--unit-column", "nope", "--out",
                 str(tmp_path / "x.geojson")]) == 2
    assert "nope" in capsys.readouterr().err


def test_generate_then_solve_and_check(tmp_path, capsys):
    out = tmp_path / "synthetic"
    assert main(["generate", "--stations", "12", "--hotspots", "10", "--days", "2", "--seed", "3",
                 "--out", str(out)]) == 0
    config = next(out.glob("*.yaml"))
    run = tmp_path / "run"
    assert main(["solve", str(config), "--out", str(run), "--time-limit", "30", "--quiet", "--no-pictures"]) == 0
    assert main(["check", str(config), str(run)]) == 0


def test_solving_the_scenario_a_run_folder_keeps_does_not_delete_it(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    shutil.copytree(REPO / "configs" / "example", run / "scenario" / "example")
    shutil.copy(EXAMPLE, run / "scenario" / "example.yaml")
    config = run / "scenario" / "example.yaml"
    assert main(["solve", str(config), "--out", str(run), "--time-limit", "20", "--quiet", "--no-pictures"]) == 0
    assert config.is_file() and (run / "scenario" / "example" / "stations.csv").is_file()
    assert (run / "roster.csv").is_file()
    # twice: the kept scenario survives every replacement
    assert main(["solve", str(config), "--out", str(run), "--time-limit", "20", "--quiet", "--no-pictures"]) == 0
    assert config.is_file()
    assert main(["check", str(config), str(run)]) == 0
    summary = json.loads((run / "summary.json").read_text())
    assert summary["config_path"] == "scenario/example.yaml"


def test_every_option_of_every_subcommand_has_a_help_text():
    import argparse

    from patrolplan.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    bare = [f"{name} {action.dest}" for name, p in sub.choices.items() for action in p._actions
            if not isinstance(action, argparse._HelpAction) and not action.help]
    assert bare == []


def test_version(capsys):
    from patrolplan import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"patrolplan {__version__}"
