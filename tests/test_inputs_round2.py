"""Config and table inputs, round 2 (issue 21): did-you-mean in every nested block, numbers
that YAML read as yes/no, allowed ranges, where a blank visit cell's value comes from, a
synchronized zone of one member, and CSVs as Excel and WPS save them (BOM, GBK, GB18030,
UTF-16) in folders whose names hold spaces and Chinese."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from patrolplan.cli import main
from patrolplan.errors import DataError
from patrolplan.inputs.config import Config, load_config
from patrolplan.inputs.io import csv_encoding, load_scenario

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "data" / "tiny"


def _tiny(tmp_path: Path, folder: str = "inputs") -> Path:
    target = tmp_path / folder
    shutil.copytree(TINY, target)
    return target / "config.yaml"


def _with(config: Path, block: str, line: str) -> Path:
    """The config with ``line`` added inside ``block:`` (the block made when absent)."""
    text = config.read_text(encoding="utf-8")
    if f"\n{block}:\n" in text:
        text = text.replace(f"\n{block}:\n", f"\n{block}:\n  {line}\n", 1)
    else:
        text += f"{block}:\n  {line}\n"
    config.write_text(text, encoding="utf-8")
    return config


# --- did you mean, in every block ------------------------------------------------------------------


@pytest.mark.parametrize("block, typo, meant", [
    ("data", "hotspot: h.csv", "hotspots"),
    ("rules", "team_sise: 2", "team_size"),
    ("travel", "max_snap: 100", "max_snap_m"),
    ("modes", "handover_minute: 0", "handover_minutes"),
    ("objective", "fairnes: 1", "fairness"),
    ("solver", "alow_gaps: true", "allow_gaps"),
    ("visits", "max_loop_hotspot: 3", "max_loop_hotspots"),
    ("visits", "dwel_minutes: 10", "dwell_minutes"),
    ("response", "backup_minute: 20", "backup_minutes"),
])
def test_a_misspelt_key_in_any_block_gets_did_you_mean(tmp_path, capsys, block, typo, meant):
    config = _with(_tiny(tmp_path), block, typo)
    assert main(["validate", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"unknown key '{block}.{typo.split(':')[0]}' — did you mean '{meant}'?" in err
    assert "Extra inputs are not permitted" not in err


def test_every_block_of_the_config_is_walked():
    """The walk finds the blocks from the models: a new block needs no list kept by hand."""
    from patrolplan.inputs.config import _nested_model

    blocks = {k for k in Config.model_fields if _nested_model(Config, k) is not None}
    assert {"data", "rules", "travel", "modes", "objective", "solver", "visits", "response"} <= blocks


# --- numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("block, line", [
    ("visits", "max_loop_hotspots: true"),
    ("visits", "dwell_minutes: yes"),
    ("rules", "max_shifts_per_team: on"),
    ("travel", "max_snap_m: true"),
    ("objective", "fairness: false"),
    ("incidents", "min_incidents: yes"),
    ("incidents", "border_m: true"),
    ("visits", "grid_minutes: true"),
    ("visits", "check_minutes: true"),
])
def test_a_yes_no_is_not_a_number(tmp_path, capsys, block, line):
    key = line.split(":")[0]
    text = _tiny(tmp_path).read_text(encoding="utf-8")
    config = _tiny(tmp_path, "other")
    # replace an existing key of the block, or add it
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith(f"{key}:")]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _with(config, block, line)
    assert main(["validate", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"key '{block}.{key}'" in err and "is a yes/no, not a number" in err


@pytest.mark.parametrize("value, says", [
    ("0", "allowed: at least 1 and at most 8"),
    ("-2", "allowed: at least 1 and at most 8"),
    ("2.5", "fractional part"),
])
def test_max_loop_hotspots_out_of_range(tmp_path, capsys, value, says):
    config = _with(_tiny(tmp_path), "visits", f"max_loop_hotspots: {value}")
    assert main(["validate", str(config)]) == 2
    assert says in capsys.readouterr().err


@pytest.mark.parametrize("value, used", [(1, 1), (8, 8), (9, 8), (100, 8)])
def test_max_loop_hotspots_above_eight_is_capped_and_said(tmp_path, capsys, value, used):
    config = _with(_tiny(tmp_path), "visits", f"max_loop_hotspots: {value}")
    scenario = load_scenario(config)
    assert scenario.config.visits.max_loop_hotspots == used
    capped = [w for w in scenario.warnings if "capped at 8" in w]
    assert bool(capped) == (value > 8)
    assert main(["validate", str(config)]) == 0
    assert ("capped at 8" in capsys.readouterr().err) == (value > 8)


def test_other_ranges_are_named_too(tmp_path, capsys):
    config = _with(_tiny(tmp_path), "response", "backup_weight: -1")
    assert main(["validate", str(config)]) == 2
    assert "allowed: at least 0" in capsys.readouterr().err
    with pytest.raises(DataError, match="allowed: at least 1 and at most 31"):
        text = (TINY / "config.yaml").read_text().replace("horizon_days: 2", "horizon_days: 40")
        (tmp_path / "inputs" / "h.yaml").write_text(text)
        load_config(tmp_path / "inputs" / "h.yaml")


# --- visit cells left blank ------------------------------------------------------------------------------


@pytest.mark.parametrize("row, says", [
    ("H1,,mon-sun,20:00,21:00,1,visit,,", "every_min: 120 (blank: visits.max_interval_minutes) is longer than"),
    ("H1,,mon-sun,20:00,21:00,1,visit,15,", "every_min: 120 (blank: visits.max_interval_minutes) is longer than"),
    ("H1,,mon-sun,20:00,02:00,1,visit,,10", "dwell_min: 15 (blank: visits.dwell_minutes) is not below every_min 10"),
    ("H1,,mon-sun,20:00,02:00,1,visit,30,", "dwell_min: 30 is not below every_min 20 (blank: "
                                            "visits.max_interval_minutes)"),
])
def test_a_blank_visit_cell_says_where_its_value_comes_from(tmp_path, capsys, row, says):
    config = _tiny(tmp_path)
    if "30," in row:
        _with(config, "visits", "max_interval_minutes: 20")
        _with(config, "visits", "dwell_minutes: 5")
    (config.parent / "demand.csv").write_text("hotspot_id,zone_id,days,start,end,teams,presence,dwell_min,every_min\n"
                                              + row + "\n", encoding="utf-8")
    assert main(["validate", str(config)]) == 2
    err = capsys.readouterr().err
    assert "demand.csv: row 2" in err
    assert says.replace("every_min: ", "column 'every_min': ").replace("dwell_min: ", "column 'dwell_min': ") in err


# --- synchronized zones of one member --------------------------------------------------------------------


@pytest.mark.parametrize("zones, sync_min", [
    ("Z1,x,county,synchronized,S1,1\nZ2,y,town,staggered,S2;S3,\n", 2),    # min_stations 1 on the row
    ("Z1,x,county,synchronized,S1,\nZ2,y,town,staggered,S2;S3,\n", 1),     # modes.synchronized_min_stations 1
    ("Z2,y,town,staggered,S2;S3,\nZ1,x,county,synchronized,S1,\n", 1),     # on another row
])
def test_a_synchronized_zone_of_one_member_is_refused(tmp_path, capsys, zones, sync_min):
    config = _tiny(tmp_path)
    config.write_text(config.read_text().replace("synchronized_min_stations: 2",
                                                 f"synchronized_min_stations: {sync_min}"))
    (config.parent / "zones.csv").write_text("zone_id,name,tier,mode,stations,min_stations\n" + zones)
    assert main(["validate", str(config)]) == 2
    err = capsys.readouterr().err
    row = 2 if zones.startswith("Z1") else 3
    assert f"zones.csv: row {row} (zone_id 'Z1'), column 'stations': a synchronized zone with 1 member station (S1)" \
        in err


def test_a_staggered_zone_of_one_member_is_fine(tmp_path, capsys):
    config = _tiny(tmp_path)
    zones = config.parent / "zones.csv"
    zones.write_text(zones.read_text().replace("staggered,S2;S3", "staggered,S3"))
    assert main(["validate", str(config)]) == 0, capsys.readouterr().err


# --- encodings and paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
@pytest.mark.parametrize("folder", ["数据 输入", "my inputs", "济宁 week 49"])
def test_excel_and_wps_encodings_in_odd_folders(tmp_path, capsys, encoding, folder):
    config = _tiny(tmp_path, folder)
    for name in ("stations.csv", "hotspots.csv"):
        path = config.parent / name
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table["name"] = table["name"] + " 派出所"
        table.to_csv(path, index=False, encoding=encoding)
    assert csv_encoding(config.parent / "stations.csv") in ({"utf-8": "utf-8-sig", "gbk": "gb18030"}.get(encoding,
                                                                                                          encoding),)
    scenario = load_scenario(config)
    assert scenario.stations["name"].str.endswith(" 派出所").all()
    assert list(scenario.stations.columns)[0] == "station_id"  # no BOM glued to the first header
    assert main(["validate", str(config)]) == 0


def test_a_file_no_encoding_decodes_is_named_with_the_fix(tmp_path, capsys):
    config = _tiny(tmp_path, "输入 x")
    path = config.parent / "hotspots.csv"
    path.write_bytes(path.read_bytes().replace(b"A-B junction north", b"\x80\xff junction"))
    assert main(["validate", str(config)]) == 2
    err = capsys.readouterr().err
    assert "hotspots.csv: not UTF-8 text (nor GBK/GB18030)" in err and "CSV UTF-8" in err


def test_a_gbk_cost_matrix_in_a_chinese_folder(tmp_path, capsys):
    folder = tmp_path / "选址 矩阵"
    folder.mkdir()
    (folder / "costs.csv").write_text("client_id,facility_id,cost\n热点1,卡口A,3\n热点2,卡口B,4\n热点2,卡口A,9\n",
                                      encoding="gbk")
    (folder / "clients.csv").write_text("client_id,weight\n热点1,1\n热点2,2\n", encoding="utf-8-sig")
    assert main(["site", "--costs", str(folder / "costs.csv"), "--clients", str(folder / "clients.csv"),
                 "--model", "pmedian", "--p", "1"]) == 0
    assert "卡口A" in capsys.readouterr().out


def test_every_csv_reader_decodes_through_one_function():
    """No reader of a planner's CSV opens it with a fixed encoding of its own (read_text_csv,
    _read_csv and the COSTS reader all ask csv_encoding)."""
    import re

    offenders = []
    for path in (REPO / "src" / "patrolplan").rglob("*.py"):
        rel = path.relative_to(REPO / "src" / "patrolplan").as_posix()
        if rel.startswith(("check/published.py", "outputs/", "replan.py", "weeks.py")):  # files patrolplan wrote (UTF-8)
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"read_csv\(.*encoding=[\"']", line):  # a fixed encoding, not csv_encoding's
                offenders.append(f"{rel}:{n}")
    assert offenders == []
