"""The travel minutes of a run and of a re-plan (issue 21): travel.npz judged by its headers
before any array is read, never trusted (the in-solve check computes its own minutes, as
`patrolplan check` does), and a re-plan after the roads changed keeps history as coverage.
"""

from __future__ import annotations

import io
import json
import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from patrolplan.cli import main
from test_replan_inputs import AT, EXAMPLE, FLAGS, _copy, _fake_travel, _replan, _rows, _scenario_copy, _slow_roads


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published") / "week"
    assert main(["solve", str(EXAMPLE), "--out", str(out), *FLAGS]) == 0
    return out


# --- travel.npz: headers first, never trusted ------------------------------------------------------


def _npz_with(path: Path, src: Path, members: dict[str, tuple[str, tuple, int]]) -> None:
    """``src`` with some members replaced by a header declaring (descr, shape) over ``n_bytes``
    of zeros (streamed: nothing of the declared size is allocated)."""
    with np.load(src) as z, zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in z.files:
            if name in members:
                descr, shape, n_bytes = members[name]
                with zf.open(name + ".npy", "w", force_zip64=True) as f:
                    np.lib.format.write_array_header_1_0(f, {"descr": descr, "fortran_order": False, "shape": shape})
                    chunk = bytes(1 << 20)
                    left = n_bytes
                    while left > 0:
                        f.write(chunk[:min(left, len(chunk))])
                        left -= len(chunk)
            else:
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, z[name])
                zf.writestr(name + ".npy", buffer.getvalue())


BAD_TRAVEL = {
    # a 1.5 MB file declaring 3000 x 3000 minutes (36 MB as int32), size consistent with itself
    "huge": {"out_min": ("<i4", (3000, 3000), 3000 * 3000 * 4), "back_min": ("<i4", (3000, 3000), 3000 * 3000 * 4)},
    # the right shapes, but the bytes stored do not fill them
    "truncated": {"out_min": ("<i4", (6, 6), 10)},
    "floats": {"out_min": ("<f8", (6, 6), 6 * 6 * 8)},
    "transposed": {"back_min": ("<i4", (6, 7), 6 * 7 * 4)},
}


@pytest.mark.parametrize("kind", sorted(BAD_TRAVEL))
def test_a_travel_file_is_judged_by_its_headers_before_any_array_is_read(published, tmp_path, kind):
    from patrolplan.inputs.io import load_scenario
    from patrolplan.inputs.travel_cache import inspect_travel, read_cached, travel_key

    scenario = load_scenario(EXAMPLE)
    path = tmp_path / "travel.npz"
    _npz_with(path, published / "travel.npz", BAD_TRAVEL[kind])
    assert inspect_travel(path, 6, 6) is not None
    tracemalloc.start()
    t0 = time.perf_counter()
    assert read_cached(path, travel_key(scenario), scenario) is None
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 2 and peak < 4 * 2**20, (seconds, peak)


def test_the_published_travel_file_passes_its_headers(published):
    from patrolplan.inputs.io import load_scenario
    from patrolplan.inputs.travel_cache import inspect_travel, read_cached, travel_key

    scenario = load_scenario(EXAMPLE)
    assert inspect_travel(published / "travel.npz", 6, 6) is None
    assert inspect_travel(published / "travel.npz", 7, 6) is not None
    assert read_cached(published, travel_key(scenario), scenario) is not None


@pytest.mark.parametrize("kind", ["huge", "symlink", "garbage", "truncated-zip", "other-minutes"])
def test_a_bad_travel_file_in_the_from_folder_is_ignored_with_a_warning(published, tmp_path, capsys, kind):
    week = _copy(published, tmp_path / "week")
    travel = week / "travel.npz"
    if kind == "huge":
        _npz_with(travel, published / "travel.npz", BAD_TRAVEL["huge"])
    elif kind == "symlink":
        travel.unlink()
        os.symlink(published / "travel.npz", travel)  # even a good file is not read through a link
    elif kind == "garbage":
        travel.write_bytes(b"PK\x03\x04 not a zip at all")
    elif kind == "truncated-zip":
        travel.write_bytes((published / "travel.npz").read_bytes()[:600])
    else:
        _fake_travel(published / "travel.npz", travel, lambda a: a * 2 + 1)
    out = tmp_path / "replan"
    assert _replan(EXAMPLE, week, out) == 0
    err = capsys.readouterr().err
    assert f"{travel}:" in err and "ignored: the travel minutes were computed from the roads" in err
    assert (out / "roster.csv").read_bytes() == (published / "roster.csv").read_bytes()
    assert (out / "travel.npz").read_bytes() == (published / "travel.npz").read_bytes()
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["input_warnings"]


@pytest.mark.parametrize("change", [lambda a: np.ones_like(a), lambda a: a * 3], ids=["all-one", "tripled"])
def test_the_in_solve_check_agrees_with_patrolplan_check_whatever_travel_npz_says(published, tmp_path, capsys,
                                                                                   change):
    run = _copy(published, tmp_path / "run")
    _fake_travel(published / "travel.npz", run / "travel.npz", change)
    assert main(["solve", str(EXAMPLE), "--out", str(run), *FLAGS]) == 0
    assert "other minutes" in capsys.readouterr().err
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["check"]["ok"]
    assert main(["check", str(EXAMPLE), str(run)]) == 0  # the independent check finds what the solve's did
    with np.load(published / "travel.npz") as a, np.load(run / "travel.npz") as b:
        assert np.array_equal(a["out_min"], b["out_min"])  # the run stored the minutes of the roads


# --- a re-plan after the roads changed ---------------------------------------------------------------


@pytest.mark.parametrize("at", ["2026-12-01T08:00", AT, "2026-12-04T18:00"])
def test_a_replan_after_a_road_change_keeps_history_as_coverage(published, tmp_path, capsys, at):
    config = _scenario_copy(tmp_path)
    _slow_roads(config, {0: "60", 1: "50"})  # G105 70 -> 60 km/h, the northern provincial road 60 -> 50
    out = tmp_path / "replan"
    assert _replan(config, published, out, at) == 0
    old = {r["shift_id"]: r for r in _rows(published)}
    new = {r["shift_id"]: r for r in _rows(out)}
    history = [sid for sid, r in old.items() if r["start"] < at]
    assert history and all(new[sid] == old[sid] for sid in history)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["check"]["ok"]
    capsys.readouterr()
    # the re-plan's check notes history driven on yesterday's roads; a plain check judges it today
    assert main(["check", str(config), str(out), "--from", str(published), "--at", at]) == 0
    text = capsys.readouterr().out
    assert summary["check"]["notes"] == 0 or "history (before --at), not judged against today's roads" in text
    if at == AT:  # a fresh week on the slower roads is feasible too: nothing else changed
        assert main(["solve", str(config), "--out", str(tmp_path / "fresh"), *FLAGS]) == 0


def test_history_rows_off_todays_columns_become_columns_of_their_own(published, tmp_path):
    from patrolplan.inputs.io import load_scenario
    from patrolplan.model.rules import published as rule
    from patrolplan.replan import attach_published, parse_at, read_published
    from patrolplan.solver.solve import prepare

    config = _scenario_copy(tmp_path)
    _slow_roads(config, {0: "60", 1: "50"})
    scenario = load_scenario(config)
    problem, _ = prepare(scenario)
    at = parse_at(AT, scenario.config)
    p = attach_published(problem, (published, read_published(published), at))
    fixed, outside = rule.fixed_counts(p)
    assert not outside and fixed.sum() == len(p.published.fixed)
    added = np.arange(problem.n_shifts, p.n_shifts)
    assert added.size > 0 and (fixed[added] > 0).all()  # each new column is a kept row
    # a kept column covers the demanded slots inside its on-site hours
    assert p.cover.shape == (problem.cover.shape[0], p.n_shifts)
    assert np.asarray(p.cover[:, added].sum(axis=0)).ravel().sum() > 0




def test_a_visit_week_replan_after_a_road_change_keeps_its_history_loops(tmp_path, capsys):
    """Loops too: a kept loop whose travel no longer matches today's columns guards what its
    published visits guarded (joint loops as linked pairs); its visits are written as published."""
    import pandas as pd
    import yaml

    from test_replan_inputs import CONFIGS

    shutil_copy = __import__("shutil").copytree
    shutil_copy(CONFIGS / "example", tmp_path / "example")
    cfg = yaml.safe_load((CONFIGS / "example-visits.yaml").read_text(encoding="utf-8"))
    config = tmp_path / "example-visits.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    week = tmp_path / "week"
    assert main(["solve", str(config), "--out", str(week), *FLAGS]) == 0
    _slow_roads(config, {0: "60", 1: "50"})
    out = tmp_path / "replan"
    assert _replan(config, week, out) == 0
    history = {r["shift_id"] for r in _rows(week) if r["start"] < AT}
    assert any(r["loop_id"] for r in _rows(week) if r["shift_id"] in history)
    old = {r["shift_id"]: r for r in _rows(week)}
    new = {r["shift_id"]: r for r in _rows(out)}
    assert all(new[sid] == old[sid] for sid in history)
    a, b = (pd.read_csv(d / "visits.csv", dtype=str) for d in (week, out))
    a, b = (t[t["shift_id"].isin(history)].drop(columns="visit_id").reset_index(drop=True) for t in (a, b))
    assert len(a) and a.equals(b)
    capsys.readouterr()
    assert main(["check", str(config), str(out), "--from", str(week), "--at", AT]) == 0
