"""A planner's files are sacred: output paths, interrupts, leftovers, and no traceback on any
input. Each class of the issue is tested with several variants; the console script is run as
a real subprocess where the behaviour depends on the process (signals, exit codes, stderr)."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patrolplan.cli import main
from patrolplan.outputs.runfolder import MARKER, atomic_folder, output_problem

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "data" / "tiny"
EXAMPLE = REPO / "configs" / "example.yaml"
CONSOLE = Path(sys.executable).parent / "patrolplan"


def _tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with the sha256 of its bytes (hidden files included)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _tiny(tmp_path: Path, name: str = "tiny", **edits) -> Path:
    """A copy of the tiny scenario in ``tmp_path/inputs``; ``edits`` replace top-level config lines."""
    folder = tmp_path / "inputs"
    if not folder.exists():
        shutil.copytree(TINY, folder)
    text = (folder / "config.yaml").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        key = line.split(":", 1)[0]
        if key == "name":
            line = f"name: {json.dumps(name)}"
        elif key in edits:
            line = f"{key}: {edits[key]}"
        lines.append(line)
    config = folder / f"{name.strip('./') or 'x'}-config.yaml".replace("/", "_")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _run(*args, cwd=None, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run([str(CONSOLE), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


def _solve(config, out, *extra) -> int:
    return main(["solve", str(config), "--out", str(out), "--time-limit", "20", "--quiet", "--no-pictures", *extra])


@pytest.fixture
def run_folder(tmp_path) -> Path:
    out = tmp_path / "run"
    assert _solve(TINY / "config.yaml", out) == 0
    return out


# --- 1. --out replaces only what patrolplan wrote -----------------------------------------------


def test_out_on_the_configs_own_data_folder_keeps_every_file(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    shutil.copytree(TINY, inputs)
    before = _tree(inputs)
    assert _solve(inputs / "config.yaml", inputs) == 2
    assert _tree(inputs) == before
    err = capsys.readouterr().err
    assert "the run would replace" in err or ("did not write" in err and "stations.csv" in err)


def test_out_on_the_example_data_folder_as_a_subprocess(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs", configs)
    before = _tree(configs)
    done = _run("solve", configs / "example.yaml", "--out", configs / "example", "--no-pictures", "--quiet")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert _tree(configs) == before


@pytest.mark.parametrize("contents", [{"notes.txt": "mine"}, {"a/b.csv": "x,y\n1,2\n"}, {".hidden": ""},
                                      {"summary.json": "{}"}])
def test_out_on_a_folder_of_foreign_files_is_refused(tmp_path, contents, capsys):
    target = tmp_path / "mine"
    for name, text in contents.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(text)
    before = _tree(target)
    assert _solve(TINY / "config.yaml", target) == 2
    assert _tree(target) == before
    assert "patrolplan did not write" in capsys.readouterr().err


def test_out_on_a_file_below_a_file_or_a_symlink_is_refused(tmp_path, capsys):
    afile = tmp_path / "roster.csv"
    afile.write_text("my own file")
    link = tmp_path / "link"
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "keep.txt").write_text("keep")
    link.symlink_to(tmp_path / "real")
    for target, says in ((afile, "is a file"), (afile / "sub", "is a file, not a folder"),
                         (link, "symbolic link")):
        assert _solve(TINY / "config.yaml", target) == 2
        assert says in capsys.readouterr().err
    assert afile.read_text() == "my own file"
    assert (tmp_path / "real" / "keep.txt").read_text() == "keep"


def test_out_on_the_working_directory_or_its_parent_is_refused(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "data.txt").write_text("x")
    for out in (".", "..", str(work)):
        done = _run("solve", TINY / "config.yaml", "--out", out, "--no-pictures", "--quiet", cwd=work)
        assert done.returncode == 2, done.stderr
        assert "working directory" in done.stderr and "Traceback" not in done.stderr
    assert (work / "data.txt").read_text() == "x"


def test_out_where_nothing_can_be_written_is_refused_before_solving(tmp_path):
    done = _run("solve", TINY / "config.yaml", "--out", "/proc/patrolplan-run", "--no-pictures")
    assert done.returncode == 2
    assert "cannot write" in done.stderr and "Traceback" not in done.stderr
    assert "pre-check" not in done.stdout + done.stderr  # refused before any work


def test_out_replaces_an_empty_folder_and_its_own_run_folder(tmp_path, capsys):
    target = tmp_path / "empty"
    target.mkdir()
    assert _solve(TINY / "config.yaml", target) == 0
    assert (target / MARKER).is_file()
    assert _solve(TINY / "config.yaml", target, "--seed", "1") == 0  # its own: replaced
    assert json.loads((target / "summary.json").read_text())["seed"] == 1


def test_a_run_folder_from_before_the_marker_is_still_replaced(run_folder):
    (run_folder / MARKER).unlink()
    assert output_problem(run_folder) is None
    (run_folder / "my-notes.docx").write_text("x")  # but not once it holds a planner's file
    assert "my-notes.docx" in output_problem(run_folder)


def test_batch_refuses_a_foreign_run_folder_and_runs_the_rest(tmp_path):
    a = _tiny(tmp_path, name="alpha")
    b = _tiny(tmp_path, name="beta")
    root = tmp_path / "runs"
    (root / "alpha").mkdir(parents=True)
    (root / "alpha" / "precious.xlsx").write_text("mine")
    table = None
    code = main(["batch", str(a), str(b), "--out-root", str(root), "--time-limit", "20", "--quiet"])
    assert code == 2
    import pandas as pd

    table = pd.read_csv(root / "batch_summary.csv", keep_default_na=False)
    by_name = dict(zip(table["name"], table["exit_code"]))
    assert by_name == {"alpha": 2, "beta": 0}
    assert "did not write" in table.loc[table["name"] == "alpha", "error"].item()
    assert (root / "alpha" / "precious.xlsx").read_text() == "mine"


def test_generate_refuses_a_foreign_folder_and_replaces_its_own(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "stations.csv").write_text("my stations")
    args = ["generate", "--stations", "6", "--hotspots", "6", "--days", "1", "--out"]
    assert main([*args, str(mine)]) == 2
    assert (mine / "stations.csv").read_text() == "my stations"
    out = tmp_path / "gen"
    assert main([*args, str(out)]) == 0
    first = (out / "stations.csv").read_bytes()
    assert main([*args, str(out), "--seed", "5"]) == 0  # a scenario folder it wrote: replaced
    assert (out / "stations.csv").read_bytes() != first
    assert main([*args, str(TINY.parent)]) == 2  # nor a run folder of another kind


# --- 2. a config's name is a plain folder name -------------------------------------------------


@pytest.mark.parametrize("name", [".", "..", "a/b", "a\\\\b", ".hidden", "", "c:d", "tab\there"])
def test_unsafe_names_are_config_errors(tmp_path, name, capsys):
    config = _tiny(tmp_path, name=name)
    assert main(["validate", str(config)]) == 2
    assert "name" in capsys.readouterr().err


def test_name_dot_in_a_batch_deletes_nothing(tmp_path):
    root = tmp_path / "runs"
    old = root / "earlier"
    with atomic_folder(old) as tmp:
        (tmp / "roster.csv").write_text("earlier run")
    before = _tree(root)
    bad = _tiny(tmp_path, name=".")
    good = _tiny(tmp_path, name="good")
    code = main(["batch", str(bad), str(good), "--out-root", str(root), "--time-limit", "20", "--quiet"])
    assert code == 2
    assert (old / "roster.csv").read_text() == "earlier run"
    assert {k: v for k, v in _tree(root).items() if k.startswith("earlier")} == before
    assert (root / "good" / "roster.csv").is_file()
    assert not [p for p in tmp_path.rglob(".*tmp-*")]


# --- 3. an interrupt publishes nothing ----------------------------------------------------------


@pytest.fixture(scope="module")
def slow_scenario(tmp_path_factory) -> Path:
    """A synthetic week whose MIP runs for many seconds (30 stations, 24/7 on 3 days)."""
    from patrolplan.scenarios.generate import generate_scenario

    return generate_scenario(tmp_path_factory.mktemp("slow") / "scenario", stations=30, hotspots=40,
                             days=3, seed=0, coverage=1.0)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_the_solve_leaves_the_previous_run_folder_byte_for_byte(tmp_path, run_folder,
                                                                                 slow_scenario, signum, code):
    before = _tree(run_folder)
    proc = subprocess.Popen([str(CONSOLE), "solve", str(slow_scenario), "--out", str(run_folder),
                             "--time-limit", "120", "--no-pictures"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 120
    for line in proc.stdout:  # wait until the solve is under way (past the pre-check)
        lines.append(line)
        if "pre-check" in line or time.monotonic() > deadline:
            break
    time.sleep(1.0)
    proc.send_signal(signum)
    rest, _ = proc.communicate(timeout=60)
    out = "".join(lines) + rest
    assert proc.returncode == code, out
    assert "interrupted" in out and "Traceback" not in out
    assert _tree(run_folder) == before
    assert [p.name for p in run_folder.parent.iterdir()] == ["run"]  # no temporary folder left


def test_an_interrupt_while_writing_keeps_the_old_folder(tmp_path):
    target = tmp_path / "run"
    with atomic_folder(target) as tmp:
        (tmp / "roster.csv").write_text("old")
    before = _tree(target)
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(target) as tmp:
            (tmp / "roster.csv").write_text("new")
            raise KeyboardInterrupt
    assert _tree(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_writer_failing_half_way_through_a_re_solve_leaves_the_old_folder(run_folder, monkeypatch, capsys):
    before = _tree(run_folder)
    import patrolplan.outputs.report

    def half_way(scenario, run_dir, **kwargs):
        (Path(run_dir) / "report.html").write_text("<html>half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(patrolplan.outputs.report, "write_all", half_way)
    with pytest.raises(OSError):
        main(["solve", str(TINY / "config.yaml"), "--out", str(run_folder), "--time-limit", "20", "--quiet",
              "--seed", "3"])
    assert _tree(run_folder) == before
    assert [p.name for p in run_folder.parent.iterdir()] == ["run"]


# --- 4. leftovers of a killed run are cleaned, and only those ----------------------------------


def test_stale_leftovers_of_the_same_folder_are_removed_and_said(run_folder, capsys):
    parent = run_folder.parent
    stale_tmp = parent / ".run.tmp-abc123"
    stale_tmp.mkdir()
    (stale_tmp / MARKER).write_text(json.dumps({"kind": "run", "state": "writing", "pid": 2**22 + 12345}))
    (stale_tmp / "roster.csv").write_text("half")
    stale_old = parent / f".run.old-{2**22 + 12346}"
    shutil.copytree(run_folder, stale_old)
    foreign = parent / ".run.tmp-mine"  # looks alike, but patrolplan did not make it
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    other = parent / ".other.tmp-xyz"  # another run folder's: not this run's business
    other.mkdir()
    (other / MARKER).write_text(json.dumps({"kind": "run", "pid": 2**22 + 1}))
    assert _solve(TINY / "config.yaml", run_folder) == 0
    err = capsys.readouterr().err
    assert not stale_tmp.exists() and not stale_old.exists()
    assert str(stale_tmp) in err and str(stale_old) in err
    assert (foreign / "notes.txt").read_text() == "mine"
    assert other.exists()


def test_a_sigkilled_solve_leaves_the_old_folder_and_the_next_run_cleans_up(tmp_path, run_folder, slow_scenario):
    before = _tree(run_folder)
    proc = subprocess.Popen([str(CONSOLE), "solve", str(slow_scenario), "--out", str(run_folder),
                             "--time-limit", "120", "--no-pictures"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "pre-check" in line:
            break
    proc.kill()
    proc.wait(timeout=30)
    assert _tree(run_folder) == before
    done = _run("solve", TINY / "config.yaml", "--out", run_folder, "--no-pictures", "--quiet")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in run_folder.parent.iterdir()] == ["run"]


# --- 5-7. tracebacks and wrong exit codes --------------------------------------------------------


@pytest.mark.parametrize("week_start", ["2026-02-30", "2026-13-01", "2026-11-31", "not-a-date"])
def test_impossible_dates_are_config_errors(tmp_path, week_start):
    config = _tiny(tmp_path, week_start=week_start)
    for command in (["validate", config], ["solve", config, "--out", tmp_path / "r", "--no-pictures"]):
        done = _run(*command)
        assert done.returncode == 2, done.stderr
        assert "week_start" in done.stderr and "Traceback" not in done.stderr


def test_a_bad_config_never_stops_a_batch(tmp_path):
    bad = _tiny(tmp_path, name="bad", week_start="2026-02-30")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    good = _tiny(tmp_path, name="good")
    root = tmp_path / "runs"
    done = _run("batch", bad, broken, good, "--out-root", root, "--time-limit", "20", "--quiet")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    import pandas as pd

    table = pd.read_csv(root / "batch_summary.csv", keep_default_na=False)
    assert list(table["exit_code"]) == [2, 2, 0]


@pytest.mark.parametrize("officers", ["1e20", "99999999999", "1e6"])
def test_huge_counts_are_input_errors(tmp_path, officers):
    config = _tiny(tmp_path)
    stations = tmp_path / "inputs" / "stations.csv"
    lines = stations.read_text().splitlines()
    cells = lines[1].split(",")
    cells[2] = officers
    lines[1] = ",".join(cells)
    stations.write_text("\n".join(lines) + "\n")
    done = _run("solve", config, "--out", tmp_path / "r", "--no-pictures")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "row 2" in done.stderr and "officers" in done.stderr and "too large" in done.stderr


def test_a_symlink_loop_under_data_is_an_input_error(tmp_path):
    config = _tiny(tmp_path)
    loop = tmp_path / "inputs" / "loop.csv"
    loop.symlink_to(loop)
    text = config.read_text().replace("stations: stations.csv", "stations: loop.csv")
    config.write_text(text)
    for command in ("validate", "solve"):
        done = _run(command, config)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "data.stations" in done.stderr


@pytest.mark.parametrize("limit", ["nan", "inf", "-inf", "-5", "0", "ten"])
def test_time_limits_must_be_finite_and_positive(limit):
    done = _run("solve", TINY / "config.yaml", "--time-limit", limit)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--time-limit" in done.stderr


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage\x81", b"shift_id,team_id\nX,Y\n",
                                     b"not,a\n\"roster", b"\n\n\n"])
def test_map_on_a_broken_roster_exits_2(run_folder, content):
    (run_folder / "roster.csv").write_bytes(content)
    done = _run("map", run_folder, "--config", TINY / "config.yaml")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "roster" in done.stderr


def test_map_on_a_broken_summary_exits_2(run_folder):
    for content in (b"", b"\xff\xfe", b"[1, 2]", b"{bad json"):
        (run_folder / "summary.json").write_bytes(content)
        done = _run("map", run_folder)
        assert done.returncode == 2 and "Traceback" not in done.stderr


# --- 8-9. silent wrong answers ------------------------------------------------------------------


def _edit_roster(run_folder: Path, edit) -> None:
    import pandas as pd

    roster = pd.read_csv(run_folder / "roster.csv", dtype=str, keep_default_na=False)
    roster = edit(roster)
    roster.to_csv(run_folder / "roster.csv", index=False)


def test_map_refuses_dates_the_checker_refuses(run_folder):
    import pandas as pd

    def retype(roster):
        for col in ("start", "end"):
            roster[col] = pd.to_datetime(roster[col]).dt.strftime("%d/%m/%Y %H:%M")
        return roster

    _edit_roster(run_folder, retype)
    check = _run("check", TINY / "config.yaml", run_folder)
    drawn = _run("map", run_folder, "--config", TINY / "config.yaml")
    assert check.returncode == 2 and drawn.returncode == 2
    assert "ISO 8601" in drawn.stderr and "Traceback" not in drawn.stderr


def test_check_catches_a_roster_whose_mode_was_edited(run_folder, capsys):
    def flip(roster):
        roster.loc[0, "mode"] = "staggered" if roster.loc[0, "mode"] == "synchronized" else "synchronized"
        return roster

    _edit_roster(run_folder, flip)
    assert main(["check", str(TINY / "config.yaml"), str(run_folder)]) == 1
    assert "mode column" in capsys.readouterr().out


def test_check_tolerates_trailing_blank_rows_as_a_spreadsheet_writes_them(run_folder, capsys):
    path = run_folder / "roster.csv"
    n_cols = path.read_text().splitlines()[0].count(",")
    path.write_text(path.read_text() + "," * n_cols + "\n" + "," * n_cols + "\n")
    assert main(["check", str(TINY / "config.yaml"), str(run_folder)]) == 0


def test_a_duplicated_roster_row_is_an_input_error_naming_both_rows(run_folder, capsys):
    """Decided: ``shift_id`` is the roster's key, so a copied row (same id) makes the file
    unusable as it stands: exit 2, naming both rows. A copied shift under a new id is a team
    working two shifts at once: a rule break (exit 1)."""
    path = run_folder / "roster.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    assert main(["check", str(TINY / "config.yaml"), str(run_folder)]) == 2
    assert f"rows 2, {len(lines) + 1}" in capsys.readouterr().err
    first_id = lines[1].split(",")[0]
    path.write_text("\n".join([*lines, lines[1].replace(first_id, first_id + "-copy", 1)]) + "\n")
    assert main(["check", str(TINY / "config.yaml"), str(run_folder)]) == 1


# --- 10-11. silently ignored input and unclear messages ------------------------------------------


def test_rows_dated_outside_the_horizon_are_warned_by_row(tmp_path):
    config = _tiny(tmp_path)
    demand = tmp_path / "inputs" / "demand.csv"
    row = len(demand.read_text().splitlines()) + 1
    demand.write_text(demand.read_text() + "H2,,2027-01-05,08:00,10:00,1\nH2,,2026-11-29,22:00,02:00,1\n")
    (tmp_path / "inputs" / "availability.csv").write_text(
        "station_id,date,officers\nS1,2026-11-30,6\nS2,2025-01-01,2\nS3,2026-12-25,4\n")
    config.write_text(config.read_text().replace("  demand: demand.csv",
                                                 "  demand: demand.csv\n  availability: availability.csv"))
    done = _run("validate", config)
    assert done.returncode == 0, done.stderr
    assert f"demand.csv: row {row} (2027-01-05)" in done.stderr  # the day before the horizon counts
    assert "(2026-11-29)" not in done.stderr
    assert "availability.csv: rows 3 (2025-01-01), 4 (2026-12-25)" in done.stderr


def test_duplicate_yaml_keys_are_refused_by_line(tmp_path):
    config = _tiny(tmp_path)
    nested = tmp_path / "inputs" / "nested.yaml"
    nested.write_text(config.read_text().replace("  team_size: 2", "  team_size: 2\n  team_size: 3"))
    config.write_text(config.read_text() + "slot_minutes: 30\n")
    for path, key in ((config, "slot_minutes"), (nested, "team_size")):
        done = _run("validate", path)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert f"duplicate key '{key}'" in done.stderr


@pytest.mark.parametrize("table, header", [
    ("stations.csv", "station_id,name,officers,lon,lat,town,county,officers,city,province"),
    ("zones.csv", "zone_id,name,tier,mode,stations,mode"),
])
def test_duplicate_csv_headers_are_refused_by_name(tmp_path, table, header):
    config = _tiny(tmp_path)
    path = tmp_path / "inputs" / table
    lines = path.read_text().splitlines()
    dup = header.split(",")[-1] if table == "zones.csv" else "officers"
    rows = [line + ",x" for line in lines[1:]] if table == "zones.csv" else [
        ",".join(c[:7] + ["8"] + c[7:]) for c in (line.split(",") for line in lines[1:])]
    path.write_text("\n".join([header, *rows]) + "\n")
    done = _run("validate", config)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"the column '{dup}' appears twice" in done.stderr


@pytest.mark.parametrize("sep, word", [(";", "semicolon"), ("\t", "tab")])
def test_a_csv_with_another_separator_gets_one_clear_message(tmp_path, sep, word):
    config = _tiny(tmp_path)
    path = tmp_path / "inputs" / "hotspots.csv"
    path.write_text(path.read_text().replace(",", sep))
    done = _run("validate", config)
    assert done.returncode == 2
    assert f"looks {word}-separated" in done.stderr
    assert "missing column" not in done.stderr


@pytest.mark.parametrize("handover", [240 * 2, 480, 600])
def test_a_handover_no_shift_can_hold_is_a_config_error(tmp_path, handover):
    config = _tiny(tmp_path)
    config.write_text(config.read_text().replace("handover_minutes: 0", f"handover_minutes: {handover}"))
    done = _run("validate", config)
    assert done.returncode == 2 and "handover_minutes" in done.stderr


# --- bad inputs reach solve and map as a real subprocess -----------------------------------------


BAD = sorted((REPO / "tests" / "data" / "bad_inputs").iterdir())


@pytest.mark.parametrize("case", BAD[::5], ids=lambda p: p.name)
def test_bad_inputs_reach_solve_as_exit_2_without_traceback(tmp_path, case):
    done = _run("solve", case / "config.yaml", "--out", tmp_path / "r", "--no-pictures", "--time-limit", "10")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("case", BAD[1::10], ids=lambda p: p.name)
def test_bad_inputs_reach_map_as_exit_2_without_traceback(run_folder, case):
    done = _run("map", run_folder, "--config", case / "config.yaml")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("value", [0, -5, "fast", "-1"])
def test_a_road_speed_of_zero_or_below_names_the_file_feature_and_column(tmp_path, value):
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs" / "example", configs / "example")
    shutil.copy(REPO / "configs" / "example.yaml", configs / "example.yaml")
    roads = configs / "example" / "roads.geojson"
    data = json.loads(roads.read_text())
    data["features"][1]["properties"]["speed_kmh"] = value
    roads.write_text(json.dumps(data))
    done = _run("validate", configs / "example.yaml")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "roads.geojson: row 3, column 'speed_kmh'" in done.stderr
    assert "np.float64" not in done.stderr and f"'{value}'" in done.stderr
