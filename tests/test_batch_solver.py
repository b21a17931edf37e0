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
