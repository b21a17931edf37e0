"""Bad inputs of `site`, `--write-model` and `--counts` (issue 21): each class with several
variants, exit 2 with file/row/column, never a traceback, nothing written."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from patrolplan.cli import main

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "data" / "tiny" / "config.yaml"
EXAMPLE = REPO / "configs" / "example.yaml"
CONSOLE = Path(sys.executable).parent / "patrolplan"


def _clients(folder: Path, n: int = 2) -> Path:
    path = folder / "clients.csv"
    path.write_text("client_id,weight\n" + "".join(f"c{i},1\n" for i in range(1, n + 1)), encoding="utf-8")
    return path


def _site(tmp_path, body: str, *args) -> int:
    costs = tmp_path / "costs.csv"
    costs.write_text(body, encoding="utf-8")
    return main(["site", "--costs", str(costs), "--clients", str(_clients(tmp_path)), *args])


# --- the cost matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell, says", [
    ("nan", "'nan' is not a number"),
    ("NaN", "'NaN' is not a number"),
    ("inf", "inf is not a finite number"),
    ("-inf", "-inf is not a finite number"),
    ("-2.5", "-2.5 is negative"),
    ("", "column 'cost': empty"),
    ("far", "'far' is not a number"),
])
def test_bad_costs_are_named_by_row_and_column(tmp_path, capsys, cell, says):
    body = f"client_id,facility_id,cost\nc1,f1,1\nc2,f1,{cell}\n"
    assert _site(tmp_path, body, "--model", "lscp", "--radius", "5") == 2
    err = capsys.readouterr().err
    assert "costs.csv: row 3 (client_id 'c2'), column 'cost'" in err and says in err


@pytest.mark.parametrize("body, says", [
    ("", "the file is empty"),
    ("client_id,facility_id,cost\n", "no pairs"),
    ("client_id,facility\nc1,f1\n", "no column 'facility_id'"),
    ("client_id,facility_id,cost\nc1,f1,1\nc1,f1,2\n", "the pair (c1, f1) repeats row 2"),
    ("client_id,facility_id,cost\nc9,f1,1\n", "'c9' is not in"),
    ("client_id,facility_id,cost\n,f1,1\n", "column 'client_id': empty"),
])
def test_broken_cost_files(tmp_path, capsys, body, says):
    assert _site(tmp_path, body, "--model", "pmedian", "--p", "1") == 2
    assert says in capsys.readouterr().err


def test_blank_lines_keep_row_numbers_and_ids_are_stripped(tmp_path, capsys):
    body = "client_id,facility_id,cost\n c1 ,f1,1\n\nc2, f2 ,1\nc2,f1,x\n"
    assert _site(tmp_path, body, "--model", "lscp", "--radius", "5") == 2
    assert "row 5 (client_id 'c2'), column 'cost': 'x'" in capsys.readouterr().err
    assert _site(tmp_path, body.replace(",x", ",3"), "--model", "lscp", "--radius", "5", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(report["site_ids"] if "site_ids" in report else report["sites"]) == ["f1", "f2"] or report


def test_the_vectorised_reader_gives_the_matrix_of_the_file(tmp_path):
    from patrolplan.siting.tables import read_cost_tables

    rng = np.random.default_rng(3)
    rows = [(f"c{i}", f"f{j}", float(rng.integers(0, 50))) for i in range(1, 3) for j in (5, 2, 9) if rng.random() < .9]
    pd.DataFrame(rows, columns=["client_id", "facility_id", "cost"]).to_csv(tmp_path / "costs.csv", index=False)
    problem = read_cost_tables(tmp_path / "costs.csv", _clients(tmp_path))
    seen = list(dict.fromkeys(f for _, f, _ in rows))
    assert list(problem.facility_ids) == seen  # order of first appearance
    dense = problem.cost.toarray()
    for c, f, v in rows:
        assert dense[int(c[1:]) - 1, seen.index(f)] == v


def test_a_large_matrix_reads_in_seconds(tmp_path):
    n = 600  # 360,000 rows
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    costs = tmp_path / "costs.csv"
    pd.DataFrame({"client_id": [f"c{k}" for k in i.ravel()], "facility_id": [f"f{k}" for k in j.ravel()],
                  "cost": (i + j).ravel()}).to_csv(costs, index=False)
    (tmp_path / "clients.csv").write_text("client_id,weight\n" + "".join(f"c{k},1\n" for k in range(n)))
    from patrolplan.siting.tables import read_cost_tables

    t0 = time.perf_counter()
    problem = read_cost_tables(costs, tmp_path / "clients.csv")
    assert time.perf_counter() - t0 < 10
    assert problem.cost.nnz == n * n  # the pair (c0, f0) costs 0 and is a pair all the same
    assert problem.cost.shape == (n, n)


@pytest.mark.parametrize("args, says", [
    (["--model", "pmedian", "--p", "0"], "must be >= 1"),
    (["--model", "pmedian", "--p", "5"], "more than the 2 candidate facilities"),
    (["--model", "pcenter", "--p", "3"], "more than the 2 candidate facilities"),
    (["--model", "lscp", "--radius", "0"], "give a finite number > 0"),
    (["--model", "mclp", "--p", "1", "--radius", "0"], "give a finite number > 0"),
    (["--model", "mclp", "--p", "1", "--radius", "-1"], "give a finite number > 0"),
])
def test_p_and_radius_out_of_range(tmp_path, capsys, args, says):
    body = "client_id,facility_id,cost\nc1,f1,1\nc2,f2,1\n"
    with pytest.raises(SystemExit) as exit_:
        raise SystemExit(_site(tmp_path, body, *args))
    assert exit_.value.code == 2
    assert says in capsys.readouterr().err


# --- the config way: candidates the roads do not reach -----------------------------------------------


@pytest.mark.parametrize("model", [["pmedian", "--p", "1"], ["mclp", "--p", "1", "--radius-min", "30"],
                                   ["lscp", "--radius-min", "30"]])
def test_every_candidate_beyond_max_snap_is_an_input_error(tmp_path, capsys, model):
    far = tmp_path / "far.csv"
    far.write_text("facility_id,lon,lat\nF1,120.0,40.0\nF2,120.1,40.1\n")
    out = tmp_path / "site"
    assert main(["site", str(EXAMPLE), "--candidates", str(far), "--model", *model, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "none of the 2 candidates can be sited" in err and "travel.max_snap_m" in err
    assert not out.exists()


def test_far_candidates_are_left_out_and_never_sited(tmp_path, capsys):
    hs = pd.read_csv(REPO / "configs" / "example" / "hotspots.csv")
    cands = tmp_path / "cands.csv"
    cands.write_text("facility_id,lon,lat\nFAR,120.0,40.0\n" + "".join(
        f"N{k},{lon},{lat}\n" for k, (lon, lat) in enumerate(zip(hs["lon"], hs["lat"]))))
    out = tmp_path / "site"
    assert main(["site", str(EXAMPLE), "--candidates", str(cands), "--model", "pmedian", "--p", "2",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "left out (FAR)" in text
    assert "FAR" not in pd.read_csv(out / "sites.csv")["facility_id"].tolist()
    assert main(["validate", str(EXAMPLE)]) == 0


def test_site_out_on_a_run_folder_says_what_it_is(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["solve", str(TINY), "--out", str(run), "--no-pictures", "--quiet"]) == 0
    capsys.readouterr()
    body = "client_id,facility_id,cost\nc1,f1,1\nc2,f2,1\n"
    assert _site(tmp_path, body, "--model", "lscp", "--radius", "5", "--out", str(run)) == 2
    err = capsys.readouterr().err
    assert "is a run folder that patrolplan wrote" in err and "did not write" not in err
    scen = tmp_path / "scen"
    assert main(["generate", "--stations", "3", "--hotspots", "2", "--out", str(scen)]) == 0
    assert main(["solve", str(TINY), "--out", str(scen), "--no-pictures", "--quiet"]) == 2
    assert "is a scenario folder (patrolplan generate) that patrolplan wrote" in capsys.readouterr().err


def test_pmedian_stops_at_once_on_a_signal(tmp_path):
    """A 700 x 700 p-median spends long in HiGHS's root LP, where no callback is asked."""
    n = 700
    rng = np.random.default_rng(0)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    pd.DataFrame({"client_id": [f"c{k}" for k in i.ravel()], "facility_id": [f"f{k}" for k in j.ravel()],
                  "cost": rng.uniform(1, 100, n * n).round(2)}).to_csv(tmp_path / "costs.csv", index=False)
    (tmp_path / "clients.csv").write_text("client_id,weight\n" + "".join(f"c{k},1\n" for k in range(n)))
    for signum, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        proc = subprocess.Popen([str(CONSOLE), "site", "--costs", str(tmp_path / "costs.csv"), "--clients",
                                 str(tmp_path / "clients.csv"), "--model", "pmedian", "--p", "15", "--time-limit",
                                 "120", "--out", str(tmp_path / "s")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(8)
        proc.send_signal(signum)
        t0 = time.monotonic()
        _, err = proc.communicate(timeout=60)
        if proc.returncode == 0:
            pytest.skip("finished before the signal on this machine")
        assert time.monotonic() - t0 < 15
        assert proc.returncode == code, err
        assert "Traceback" not in err and "terminate called" not in err
        assert not (tmp_path / "s").exists()


# --- --write-model and --counts ----------------------------------------------------------------------


@pytest.fixture
def places(tmp_path) -> dict[str, Path]:
    (tmp_path / "afile.txt").write_text("mine")
    (tmp_path / "folder.mps").mkdir()
    (tmp_path / "foreign.mps").write_text("my own model")
    (tmp_path / "target.mps").write_text("a file a symlink points to")
    (tmp_path / "link.mps").symlink_to(tmp_path / "target.mps")
    (tmp_path / "ok.mps").touch()
    (tmp_path / "ok.json").write_text('{"not": "patrolplan"}')
    return {"below a file": tmp_path / "afile.txt" / "model.mps", "a folder": tmp_path / "folder.mps",
            "a foreign file": tmp_path / "foreign.mps", "a symlink": tmp_path / "link.mps",
            "a foreign json": tmp_path / "ok.mps"}


@pytest.mark.parametrize("case, says", [
    ("below a file", "is a file, not a folder"),
    ("a folder", "is a folder"),
    ("a foreign file", "patrolplan did not write it"),
    ("a symlink", "is a symbolic link"),
    ("a foreign json", "patrolplan did not write it"),
])
def test_write_model_refuses_at_once_and_replaces_nothing(places, tmp_path, monkeypatch, capsys, case, says):
    from patrolplan.inputs import io

    def no_work(*a, **k):
        raise AssertionError("the inputs were loaded before the path was checked")

    monkeypatch.setattr(io, "load_scenario", no_work)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(["solve", str(TINY), "--write-model", str(places[case])]) == 2
    assert says in capsys.readouterr().err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_write_model_replaces_its_own_files(tmp_path, capsys):
    mps = tmp_path / "m.mps"
    assert main(["solve", str(TINY), "--write-model", str(mps)]) == 0
    assert main(["solve", str(TINY), "--write-model", str(mps)]) == 0


@pytest.mark.parametrize("extra", [["--counts", "values.csv"], ["--out", "run"], ["--previous", "run"]])
def test_write_model_takes_no_solve_only_options(tmp_path, capsys, extra):
    assert main(["solve", str(TINY), "--write-model", str(tmp_path / "m.mps"), *extra]) == 2
    assert f"takes no {extra[0]}" in capsys.readouterr().err
    assert not (tmp_path / "m.mps").exists()


@pytest.fixture(scope="module")
def model_meta(tmp_path_factory) -> dict:
    mps = tmp_path_factory.mktemp("model") / "tiny.mps"
    assert main(["solve", str(TINY), "--write-model", str(mps)]) == 0
    return json.loads(mps.with_suffix(".json").read_text())


def _counts(tmp_path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "values.csv"
    path.write_text("name,value\n" + "".join(f"{n},{v}\n" for n, v in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("value, says", [("0.5", "not a whole number"), ("-1", "not a whole number"),
                                         ("1.0000001", None), ("nan", "not a whole number"),
                                         ("2e9", "not a whole number")])
def test_fractional_negative_and_huge_counts(tmp_path, capsys, model_meta, value, says):
    name = model_meta["columns"][0]["name"]
    code = main(["solve", str(TINY), "--counts", str(_counts(tmp_path, [(name, value)])), "--out",
                 str(tmp_path / "r"), "--quiet", "--no-pictures"])
    if says is None:  # within the tolerance of a solver's answer: read as 1
        assert code in (0, 1)
        return
    assert code == 2 and says in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_a_column_named_twice_is_refused(tmp_path, capsys, model_meta):
    name = model_meta["columns"][0]["name"]
    for rows in ([(name, "1"), (name, "0")], [(name, "0"), ("x", "1"), (name, "0")]):
        code = main(["solve", str(TINY), "--counts", str(_counts(tmp_path, rows)), "--out", str(tmp_path / "r"),
                     "--quiet", "--no-pictures"])
        assert code == 2
        assert f"{name} is given twice" in capsys.readouterr().err


@pytest.mark.parametrize("station", ["S1", "S2", "S3"])
def test_counts_over_a_stations_capacity_are_refused_naming_it(tmp_path, capsys, model_meta, station):
    cols = [c for c in model_meta["columns"] if c["family"] == "shifts" and c["station_id"] == station]
    rows = [(c["name"], "1") for c in cols]  # every candidate shift of the station: more than its teams
    code = main(["solve", str(TINY), "--counts", str(_counts(tmp_path, rows)), "--out", str(tmp_path / "r"),
                 "--quiet", "--no-pictures"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"station {station}" in err and "limit" in err and "column 'value'" in err
    assert "allow_gaps" not in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_counts_files_in_excel_encodings(tmp_path, capsys, model_meta, encoding):
    name = model_meta["columns"][0]["name"]
    path = tmp_path / "值 values.csv"
    path.write_text(f"name,value,备注\n{name},0,零\n", encoding=encoding)
    code = main(["solve", str(TINY), "--counts", str(path), "--out", str(tmp_path / "运行 r"), "--quiet",
                 "--no-pictures"])
    assert code in (0, 1), capsys.readouterr().err  # zero counts: gaps, judged by the check
