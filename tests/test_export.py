"""--write-model round-trips: write the aggregated model, solve the MPS with HiGHS from the file,
hand the values back with --counts, and the independent check accepts the roster."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from patrolplan.cli import main

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "data" / "tiny" / "config.yaml"


def _solve_mps(path: Path) -> dict[str, float]:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    lp = h.getLp()
    return dict(zip(lp.col_names_, h.getSolution().col_value))


def test_write_solve_elsewhere_read_back_check(tmp_path, capsys):
    mps = tmp_path / "model" / "tiny.mps"
    assert main(["solve", str(TINY), "--write-model", str(mps)]) == 0
    meta = json.loads(mps.with_suffix(".json").read_text())
    assert meta["n_cols"] == len(meta["columns"]) and meta["n_shift_columns"] > 0
    first = meta["columns"][0]
    assert first["family"] == "shifts" and {"station_id", "hotspot_id", "start", "length_min"} <= set(first)
    values = _solve_mps(mps)
    counts = tmp_path / "values.csv"
    pd.DataFrame({"name": list(values), "value": list(values.values())}).to_csv(counts, index=False)
    out = tmp_path / "run"
    assert main(["solve", str(TINY), "--counts", str(counts), "--out", str(out), "--quiet", "--no-pictures"]) == 0
    assert main(["check", str(TINY), str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    # the same model, solved to optimality elsewhere: the objective our solve proves optimal
    own = tmp_path / "own"
    assert main(["solve", str(TINY), "--out", str(own), "--quiet", "--no-pictures"]) == 0
    assert summary["objective"] == pytest.approx(json.loads((own / "summary.json").read_text())["objective"])


def test_counts_that_leave_gaps_are_judged_by_the_check(tmp_path, capsys):
    mps = tmp_path / "tiny.mps"
    assert main(["solve", str(TINY), "--write-model", str(mps)]) == 0
    values = _solve_mps(mps)
    kept = dict(list(values.items())[: len(values) // 3])  # drop most shifts: gaps
    counts = tmp_path / "values.csv"
    pd.DataFrame({"name": list(kept), "value": list(kept.values())}).to_csv(counts, index=False)
    out = tmp_path / "run"
    assert main(["solve", str(TINY), "--counts", str(counts), "--out", str(out), "--quiet", "--no-pictures"]) == 1
    assert main(["check", str(TINY), str(out)]) == 1


@pytest.mark.parametrize("rows, says", [
    ("name,value\nnot_a_column,1\n", "not a column of this model"),
    ("name,value\nx000000,0.5\n", "not a whole number"),
    ("name,value\nx000000,many\n", "not a number"),
    ("col,val\nx000000,1\n", "missing column"),
])
def test_bad_counts_files_are_input_errors(tmp_path, capsys, rows, says):
    counts = tmp_path / "values.csv"
    counts.write_text(rows)
    assert main(["solve", str(TINY), "--counts", str(counts), "--out", str(tmp_path / "r"), "--quiet"]) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_write_model_never_replaces_a_foreign_file(tmp_path, capsys):
    mine = tmp_path / "mine.mps"
    mine.write_text("my own model")
    assert main(["solve", str(TINY), "--write-model", str(mine)]) == 2
    assert mine.read_text() == "my own model"
    assert main(["solve", str(TINY), "--write-model", str(tmp_path / "m.lp")]) == 2
