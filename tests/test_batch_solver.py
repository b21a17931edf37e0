"""`patrolplan batch` with the real solver: one run folder per config, failures reported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from patrolplan.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_batch_solves_each_config_and_reports_the_bad_one(tmp_path, capsys):
    configs = [REPO / "tests" / "data" / "tiny" / "config.yaml",
               REPO / "tests" / "data" / "bad_inputs" / "DuplicateStationId" / "config.yaml"]
    code = main(["batch", *map(str, configs), "--workers", "2", "--out-root", str(tmp_path), "--quiet",
                 "--time-limit", "20"])
    assert code == 2  # one config was bad input
    table = pd.read_csv(tmp_path / "batch_summary.csv")
    assert list(table["exit_code"]) == [0, 2]
    assert "DuplicateStationId" in capsys.readouterr().out or "duplicate" in str(table["error"].iloc[1]).lower()
    run = Path(table["run_dir"].iloc[0])
    assert (run / "roster.csv").is_file() and (run / "summary.json").is_file()
    assert main(["check", str(configs[0]), str(run)]) == 0


def test_batch_on_a_dask_local_cluster_with_the_real_solver(tmp_path, capsys):
    distributed = __import__("pytest").importorskip("distributed")
    tiny = REPO / "tests" / "data" / "tiny" / "config.yaml"
    example = REPO / "configs" / "example.yaml"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code = main(["batch", str(tiny), str(example), "--dask", cluster.scheduler_address,
                     "--out-root", str(tmp_path), "--quiet", "--time-limit", "30"])
    assert code == 0
    table = pd.read_csv(tmp_path / "batch_summary.csv")
    assert list(table["exit_code"]) == [0, 0]
    for config, run in zip([tiny, example], table["run_dir"]):
        assert main(["check", str(config), str(run)]) == 0
