"""Re-planning a published week (`patrolplan replan`) and rolling into the next (`solve --previous`).

One published example week is solved once (module fixture, seed 0, short limits); every test
re-plans or checks against it. Kept rows are compared as the text of roster.csv.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from patrolplan.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "configs" / "example.yaml"
SICK = REPO / "configs" / "example-sick.yaml"
AT = "2026-12-02T12:00"
FLAGS = ["--time-limit", "20", "--quiet", "--no-pictures", "--seed", "0"]


def _config(tmp: Path, name: str, *, availability: list[str] | None = None, week_start: str | None = None) -> Path:
    """configs/example.yaml with absolute data paths, another name, and optionally another
    availability table (rows after the header) or week."""
    cfg = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    cfg["name"] = name
    cfg["data"] = {k: str((EXAMPLE.parent / v).resolve()) for k, v in cfg["data"].items()}
    if availability is not None:
        path = tmp / f"{name}-availability.csv"
        path.write_text("\n".join(["station_id,date,officers", *availability]) + "\n", encoding="utf-8")
        cfg["data"]["availability"] = str(path)
    if week_start is not None:
        cfg["week_start"] = week_start
        cfg["data"].pop("availability", None)
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def _rows(run: Path) -> list[dict]:
    with open(run / "roster.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _lines(run: Path) -> dict[str, str]:
    """roster.csv's data lines by shift_id, as written."""
    lines = (run / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",", 1)[0]: line for line in lines}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published") / "week"
    assert main(["solve", str(EXAMPLE), "--out", str(out), *FLAGS]) == 0
    return out


@pytest.fixture(scope="module")
def sick_replan(published, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sick") / "replan"
    flags = [f for f in FLAGS if f != "--no-pictures"]  # the report and the workbook too
    assert main(["replan", str(SICK), "--from", str(published), "--at", AT, "--out", str(out), *flags]) == 0
    return out


def test_a_no_change_replan_changes_nothing(published, tmp_path, capsys):
    out = tmp_path / "same"
    assert main(["replan", str(EXAMPLE), "--from", str(published), "--at", AT, "--out", str(out), *FLAGS]) == 0
    assert "0 shifts changed" in capsys.readouterr().out
    assert (out / "roster.csv").read_bytes() == (published / "roster.csv").read_bytes()
    assert (out / "changes.csv").read_text(encoding="utf-8").splitlines()[1:] == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replan"]["changed_shifts"] == 0 and summary["check"]["ok"]


def test_the_sick_officer_replan_keeps_history_byte_for_byte_and_changes_few_shifts(published, sick_replan):
    old, new = _lines(published), _lines(sick_replan)
    history = [r["shift_id"] for r in _rows(published) if r["start"] < AT]
    assert history
    for sid in history:
        assert new[sid] == old[sid]
    assert all(r["start"] >= AT or r["shift_id"] in history for r in _rows(sick_replan))
    summary = json.loads((sick_replan / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("optimal", "feasible") and summary["uncovered_slots"] == 0
    assert summary["check"]["ok"]
    changes = list(csv.DictReader(open(sick_replan / "changes.csv", encoding="utf-8")))
    assert summary["replan"]["changed_shifts"] == len(changes) > 0
    # the lost teams at R1 and J2 held these shifts after the cut: at most twice as many change
    after = [r for r in _rows(published) if r["start"] >= AT]
    teams = {"R1": 7, "J2": 7}
    lost = {"R1": 3, "J2": 4}
    held = sum(sum(1 for r in after if r["station_id"] == s) * lost[s] / teams[s] for s in teams)
    assert len(changes) <= 2 * held
    assert {c["change"] for c in changes} <= {"added", "removed", "moved"}
    # an unchanged published row keeps its id: every published id after the cut is either
    # still there unchanged or named in changes.csv
    named = {c["old_shift_id"] for c in changes}
    for r in after:
        assert r["shift_id"] in named or new.get(r["shift_id"]) == old[r["shift_id"]]


def test_report_and_station_sheets_show_the_changes(sick_replan):
    from openpyxl import load_workbook

    changes = list(csv.DictReader(open(sick_replan / "changes.csv", encoding="utf-8")))
    page = (sick_replan / "report.html").read_text(encoding="utf-8")
    assert "<h2 id='changes'>Changes</h2>" in page and f"{len(changes)} shift(s) changed" in page
    wb = load_workbook(sick_replan / "roster.xlsx")
    for station in ("J2", "R1", "J3"):
        sheet = next(wb[n] for n in wb.sheetnames if n.startswith(station + " "))
        cells = [str(r[0]) for r in sheet.iter_rows(values_only=True) if r and r[0]]
        n = sum(1 for c in changes if c["station_id"] == station)
        assert f"Changes ({n})" in cells


def test_check_from_at_passes_the_replan_and_catches_an_edited_history_row(published, sick_replan, tmp_path, capsys):
    assert main(["check", str(SICK), str(sick_replan), "--from", str(published), "--at", AT]) == 0
    edited = tmp_path / "edited"
    shutil.copytree(sick_replan, edited)
    lines = (edited / "roster.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("team_id")] = first[header.index("team_id")][:-1] + "9"  # another team, same station
    lines[1] = ",".join(first)
    (edited / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(SICK), str(edited), "--from", str(published), "--at", AT]) == 1
    text = capsys.readouterr().out
    assert "history" in text and f"history row {first[0]}" in text


def test_pinned_rows_are_kept_wherever_they_lie(published, tmp_path):
    pinned_run = tmp_path / "pinned"
    shutil.copytree(published, pinned_run)
    rows = _rows(published)
    # pin the published rows of R1 after the cut that the sick re-plan would move or drop
    chosen = [r["shift_id"] for r in rows if r["station_id"] == "J1" and r["start"] >= AT][:2]
    with open(pinned_run / "roster.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[*rows[0].keys(), "pinned"], lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "pinned": "true" if r["shift_id"] in chosen else ""})
    out = tmp_path / "replan"
    assert main(["replan", str(SICK), "--from", str(pinned_run), "--at", AT, "--out", str(out), *FLAGS]) == 0
    old, new = _lines(pinned_run), _lines(out)
    for sid in chosen:
        assert new[sid] == old[sid] and new[sid].endswith(",true")
    assert main(["check", str(SICK), str(out), "--from", str(pinned_run), "--at", AT]) == 0


def test_a_pinned_row_breaking_a_rule_is_refused_naming_row_and_rule(published, tmp_path, capsys):
    pinned_run = tmp_path / "pinned"
    shutil.copytree(published, pinned_run)
    rows = _rows(published)
    target = next(r for r in rows if r["station_id"] == "J2" and r["start"] >= "2026-12-05")
    with open(pinned_run / "roster.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[*rows[0].keys(), "pinned"], lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "pinned": "true" if r is target else "",
                        **({"hotspot_id": "H1", "zone_id": "Z1"} if r is target else {})})
    out = tmp_path / "replan"
    assert main(["replan", str(SICK), "--from", str(pinned_run), "--at", AT, "--out", str(out), *FLAGS]) == 2
    err = capsys.readouterr().err
    assert f"shift_id '{target['shift_id']}'" in err and "'member'" in err and "J2" in err
    assert not out.exists()


def test_a_change_that_cannot_be_absorbed_exits_1_naming_the_lost_officers(published, tmp_path, capsys):
    days = ["2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]
    rows = [f"{s},{d},2" for d in days for s in ("J1", "J2", "J3", "R1", "R2", "R3")]
    config = _config(tmp_path, "gone", availability=rows)
    out = tmp_path / "replan"
    assert main(["replan", str(config), "--from", str(published), "--at", AT, "--out", str(out), *FLAGS]) == 1
    text = (out / "explanation.md").read_text(encoding="utf-8")
    assert "What made the re-plan short" in text
    assert "station R1 on 2026-12-02 from 12:00" in text and "team(s) lost" in text


def test_rest_across_the_week_boundary_is_kept_and_checked(published, tmp_path, capsys):
    config = _config(tmp_path, "next", week_start="2026-12-07")
    # last week's night shifts end on Monday 2026-12-07 early: their teams rest into the new week
    late = [r for r in _rows(published) if r["end"] > "2026-12-07T00:00"]
    assert late
    free = tmp_path / "free"
    assert main(["solve", str(config), "--out", str(free), *FLAGS]) == 0
    rolled = tmp_path / "rolled"
    assert main(["solve", str(config), "--previous", str(published), "--out", str(rolled), *FLAGS]) == 0
    assert main(["check", str(config), str(rolled), "--previous", str(published)]) == 0
    summary = json.loads((rolled / "summary.json").read_text(encoding="utf-8"))
    assert summary["check"]["ok"]
    last_end = {}
    for r in _rows(published):
        last_end[r["team_id"]] = max(last_end.get(r["team_id"], ""), r["end"])
    for r in _rows(rolled):
        if r["team_id"] in last_end:
            gap_h = (np.datetime64(r["start"]) - np.datetime64(last_end[r["team_id"]])) / np.timedelta64(1, "h")
            assert gap_h >= 12
    # a week planned without --previous (or edited by hand) that breaks the rest is caught
    capsys.readouterr()
    assert main(["check", str(config), str(free), "--previous", str(published)]) == 1
    assert "previous_rest" in capsys.readouterr().out
    hand = tmp_path / "hand"
    shutil.copytree(rolled, hand)
    rows = _rows(rolled)
    team = next(r["team_id"] for r in late if any(x["team_id"] == r["team_id"] for x in rows))
    mine = next(r for r in rows if r["team_id"] == team)
    edge = max(r["end"] for r in late if r["team_id"] == team)
    # move the team's first shift to start right at last week's end (same length, travel kept)
    shift = np.datetime64(edge) - np.datetime64(mine["start"])
    for col in ("start", "end", "on_site_start", "on_site_end"):
        mine[col] = str(np.datetime64(mine[col]) + shift)[:16]
    with open(hand / "roster.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    capsys.readouterr()
    assert main(["check", str(config), str(hand), "--previous", str(published)]) == 1
    assert f"team {team}" in capsys.readouterr().out


@pytest.mark.parametrize("args, words", [
    (["--at", "2026-12-22T12:00"], "outside the week"),
    (["--at", "wednesday noon"], "not a date and time"),
    (["--from", "{tmp}/nothing"], "not a run folder"),
    (["--out", "{published}"], "give another --out"),
])
def test_bad_replan_input_exits_2_with_a_clear_message(published, tmp_path, capsys, args, words):
    base = {"--from": str(published), "--at": AT, "--out": str(tmp_path / "out")}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value.format(tmp=tmp_path, published=published)
    argv = ["replan", str(SICK)] + [x for kv in base.items() for x in kv] + FLAGS
    assert main(argv) == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unreadable_pinned_cell_is_an_input_error(published, tmp_path, capsys):
    run = tmp_path / "pinned"
    shutil.copytree(published, run)
    rows = _rows(published)
    with open(run / "roster.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[*rows[0].keys(), "pinned"], lineterminator="\n")
        w.writeheader()
        for n, r in enumerate(rows):
            w.writerow({**r, "pinned": "maybe" if n == 3 else ""})
    assert main(["replan", str(SICK), "--from", str(run), "--at", AT, "--out", str(tmp_path / "o"), *FLAGS]) == 2
    err = capsys.readouterr().err
    assert "row 5" in err and "column 'pinned'" in err and "'maybe'" in err


def test_check_from_needs_at(published, capsys):
    assert main(["check", str(EXAMPLE), str(published), "--from", str(published)]) == 2
    assert "--from and --at go together" in capsys.readouterr().err


def test_the_model_fixes_history_columns_and_forbids_new_shifts_before_the_cut(published):
    from patrolplan.inputs.io import load_scenario
    from patrolplan.model.build import build_model
    from patrolplan.model.rules import published as rule
    from patrolplan.replan import attach_published, parse_at, read_published
    from patrolplan.solver.solve import prepare

    scenario = load_scenario(EXAMPLE)
    problem, _ = prepare(scenario)
    at = parse_at(AT, scenario.config)
    p = attach_published(problem, (published, read_published(published), at))
    model = build_model(p)
    fixed, outside = rule.fixed_counts(p)
    assert not outside and fixed.sum() == len(p.published.fixed) > 0
    n = p.n_shifts
    assert np.array_equal(model.col_lower[:n], fixed)
    past = p.shift_start_min < p.published.cut_min
    assert np.array_equal(model.col_upper[:n][past], fixed[past])
    # the published roster is the optimum's change count 0
    assert rule.changed_shifts(p, rule.hint(p)) == 0


def test_loops_are_kept_with_their_visits(tmp_path):
    """Visit loops (configs/example-visits.yaml): a kept loop shift keeps its visits, joint
    loops of two stations included."""
    config = REPO / "configs" / "example-visits.yaml"
    base, again = tmp_path / "week", tmp_path / "replan"
    flags = ["--time-limit", "6", "--quiet", "--no-pictures", "--seed", "0"]
    assert main(["solve", str(config), "--out", str(base), *flags]) == 0
    assert any(r["loop_id"] for r in _rows(base))
    assert main(["replan", str(config), "--from", str(base), "--at", "2026-12-03T08:00", "--out", str(again),
                 *flags]) == 0
    assert (again / "roster.csv").read_bytes() == (base / "roster.csv").read_bytes()
    assert (again / "visits.csv").read_bytes() == (base / "visits.csv").read_bytes()
    assert main(["check", str(config), str(again), "--from", str(base), "--at", "2026-12-03T08:00"]) == 0
