"""Every picture for the solved example config, with real content counted."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from patrolplan.inputs.io import load_scenario  # noqa: E402
from patrolplan.outputs.plotting import plot_coverage, plot_gantt, plot_map  # noqa: E402
from patrolplan.solver.solve import solve_scenario  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "configs" / "example.yaml"


@pytest.fixture(scope="module")
def solved():
    scenario = load_scenario(EXAMPLE)
    result = solve_scenario(scenario, time_limit_s=30, quiet=True)
    assert result.status in ("optimal", "feasible")
    return scenario, result


def _one(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def test_map_of_the_example(solved):
    scenario, result = solved
    ax = plot_map(scenario, result.roster)
    assert len(_one(ax, "stations").get_offsets()) == len(scenario.stations) == 6
    hotspots = sum(len(a.get_offsets()) for a in ax.get_children() if str(a.get_gid()).startswith("hotspots-"))
    assert hotspots == len(scenario.hotspots)
    modes = {a.get_gid() for a in ax.get_children() if str(a.get_gid()).startswith("links-")}
    assert any("synchronized" in m for m in modes) and any("staggered" in m for m in modes)


def test_gantt_of_the_example(solved):
    scenario, result = solved
    for by in ("hotspot", "station"):
        ax = plot_gantt(result.roster, result.coverage, by=by, scenario=scenario)
        assert len(_one(ax, "shifts").get_paths()) == len(result.roster)


def test_coverage_of_the_example(solved):
    scenario, result = solved
    ax = plot_coverage(result.coverage, scenario=scenario)
    surplus = np.ma.masked_invalid(_one(ax, "surplus").get_array())
    assert surplus.count() == len(result.coverage)  # one cell per demanded hour (60-minute slots)
    assert surplus.min() >= 0  # no gaps: every demanded hour at least met
    gaps = _one(ax, "gaps").get_array()
    assert np.ma.getmaskarray(gaps).all()
