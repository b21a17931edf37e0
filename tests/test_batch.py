"""Batch runs: local processes, failures reported per config, the summary table, Dask.

The solver is replaced by ``fake_run_one`` (module level, so worker processes can import it):
it writes a small summary.json and behaves by the config's name: ``*boom*`` raises a bug,
``*badinput*`` raises a DataError, ``*crash*`` kills its worker process.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from patrolplan.batch import SUMMARY_COLUMNS, batch_exit_code, run_batch
from patrolplan.inputs.config import load_config
from patrolplan.errors import DataError


def fake_run_one(config_path: str, out_dir: str | None, time_limit_s: float | None = None) -> dict:
    name = load_config(config_path).name
    if "boom" in name:
        raise RuntimeError("solver exploded\nwith a second line")
    if "badinput" in name:
        raise DataError("stations.csv: row 2 (station_id 'S1'), column 'officers': not a number — fix it")
    if "crash" in name:
        os._exit(3)
    run_dir = Path(out_dir or Path("runs") / name)
    run_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "status": "optimal",
        "objective": float(len(name)),
        "best_bound": float(len(name)),
        "gap_pct": 0.0,
        "solve_seconds": 0.01,
        "uncovered_slots": 0,
        "team_hours": 10.0 * len(name),
        "time_limit_seconds": time_limit_s,
        "pid": os.getpid(),
    }
    (run_dir / "summary.json").write_text(json.dumps(summary))
    return {**summary, "run_dir": str(run_dir), "exit_code": 0}


def _config(folder: Path, name: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nweek_start: 2026-11-30\n"
        "data: {stations: s.csv, hotspots: h.csv, zones: z.csv}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def configs(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "configs"
    folder.mkdir()
    broken = folder / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    return [
        _config(folder, "alpha"),
        _config(folder, "boom"),
        broken,
        _config(folder, "badinput"),
        _config(folder, "beta"),
    ]


def test_local_processes_report_failures_and_go_on(tmp_path: Path, configs: list[Path]) -> None:
    out = tmp_path / "out"
    table = run_batch(configs, out_root=out, workers=2, run_one=fake_run_one, time_limit_s=7, progress=False)

    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert table["config"].tolist() == [str(c) for c in configs]
    rows = table.set_index(table["config"].map(lambda c: Path(c).stem))
    for ok in ("alpha", "beta"):
        assert rows.loc[ok, "exit_code"] == 0 and rows.loc[ok, "status"] == "optimal"
        assert rows.loc[ok, "error"] == ""
        assert rows.loc[ok, "run_dir"] == str((out / ok).resolve())
        summary = json.loads((out / ok / "summary.json").read_text())
        assert summary["time_limit_seconds"] == 7
        assert summary["pid"] != os.getpid()
    assert rows.loc["boom", "exit_code"] == 1
    assert rows.loc["boom", "error"].startswith("RuntimeError: solver exploded with a second line")
    assert rows.loc["badinput", "exit_code"] == 2 and "officers" in rows.loc["badinput", "error"]
    assert rows.loc["broken", "exit_code"] == 2 and "YAML" in rows.loc["broken", "error"]
    for bad in ("boom", "badinput", "broken"):
        assert rows.loc[bad, "status"] == "error" and "\n" not in rows.loc[bad, "error"]
    assert batch_exit_code(table) == 2

    written = pd.read_csv(out / "batch_summary.csv", keep_default_na=False)
    assert list(written.columns) == list(SUMMARY_COLUMNS)
    assert written["exit_code"].tolist() == table["exit_code"].tolist()


def test_crashed_worker_is_pinned_on_its_config(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    configs = [_config(folder, n) for n in ("one", "crash", "two")]
    table = run_batch(configs, out_root=tmp_path / "out", workers=2, run_one=fake_run_one, progress=False)
    codes = dict(zip(table["name"], table["exit_code"]))
    assert codes == {"one": 0, "crash": 1, "two": 0}
    assert "died" in table.set_index("name").loc["crash", "error"]


def test_default_out_dir_duplicate_names_and_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    a = _config(tmp_path, "same")
    (tmp_path / "copy").mkdir()
    b = _config(tmp_path / "copy", "same")
    table = run_batch([a, b], workers=1, run_one=fake_run_one, progress=True)
    assert table["run_dir"].tolist() == [str(tmp_path / "runs" / "same"), str(tmp_path / "runs" / "same-2")]
    assert (tmp_path / "runs" / "batch_summary.csv").is_file()
    assert batch_exit_code(table) == 0
    captured = capsys.readouterr()
    assert "batch" in captured.err and captured.out == ""


def test_dask_local_cluster(tmp_path: Path, configs: list[Path]) -> None:
    distributed = pytest.importorskip("dask.distributed")
    start = time.perf_counter()
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        table = run_batch(
            configs, out_root=tmp_path / "out", dask_address=cluster.scheduler_address,
            run_one=fake_run_one, progress=False,
        )
    codes = dict(zip(table["config"].map(lambda c: Path(c).stem), table["exit_code"]))
    assert codes == {"alpha": 0, "boom": 1, "broken": 2, "badinput": 2, "beta": 0}
    assert (tmp_path / "out" / "alpha" / "summary.json").is_file()
    assert (tmp_path / "out" / "batch_summary.csv").is_file()
    assert time.perf_counter() - start < 60
