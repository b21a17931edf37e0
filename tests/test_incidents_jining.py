"""The loop on the shipped Jining data: eight weeks of planted incidents -> ``patrolplan hotspots``
-> ``solve`` (small limit) -> ``check`` -> ``evaluate`` on the ninth week."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from patrolplan.cli import main
from patrolplan.inputs.io import load_scenario
from patrolplan.scenarios.incidents import generate_incidents

from conftest import REPO

CONFIG = REPO / "configs" / "jining.yaml"
WEEK = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    scenario = load_scenario(CONFIG)
    h = generate_incidents(scenario.boundaries, roads=scenario.roads, units=set(scenario.stations["county"]),
                           start=WEEK - dt.timedelta(weeks=8), weeks=9, seed=11)
    path = tmp_path_factory.mktemp("jn") / "incidents.csv"
    h.incidents.to_csv(path, index=False)
    return h, path


def test_jining_hotspots_solve_check_evaluate(history, tmp_path, capsys):
    h, path = history
    out, run = tmp_path / "derived", tmp_path / "run"
    assert main(["hotspots", str(CONFIG), "--incidents", str(path), "--out", str(out)]) == 0
    found = pd.read_csv(out / "hotspots.csv")
    planted = h.planted[h.planted["kind"] == "border"]
    # nearly every planted border hot spot within 500 m, few others (metres via a local scale)
    k = np.cos(np.radians(35.4))
    d = np.hypot((found["lon"].to_numpy()[:, None] - planted["lon"].to_numpy()[None, :]) * 111_320 * k,
                 (found["lat"].to_numpy()[:, None] - planted["lat"].to_numpy()[None, :]) * 110_574)
    recall = (d <= 500).any(axis=0).mean()
    precision = (d <= 500).any(axis=1).mean()
    assert recall >= 7 / 8 and precision >= 7 / 8, (recall, precision)
    figures = json.loads((out / "hotspots.json").read_text(encoding="utf-8"))
    assert figures["far_from_borders"] == len(pd.read_csv(out / "far_from_borders.csv")) > 0
    assert figures["from_week_start"] > 0  # the ninth week is left for evaluate
    assert main(["solve", str(out / "config.yaml"), "--out", str(run), "--time-limit", "10", "--quiet",
                 "--no-pictures", "--workers", "1"]) == 0
    assert main(["check", str(out / "config.yaml"), str(run)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(run), "--incidents", str(path), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["incidents"] > 1000 and got["at_hotspots"] > 20
    assert got["covered"] <= got["at_hotspots"]
    assert got["pai"] > 10  # the planted hot spots hold far more than their share of the area
    assert sum(v["incidents"] for v in got["by_hotspot"].values()) == got["at_hotspots"]
