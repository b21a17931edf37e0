"""The backup rule (``response.backup``) on hand-sized weeks whose answers are known by hand.

Two hotspots H1 and H2, one team asked at each 08-12 on Monday, stations 10 minutes from both;
4- and 8-hour shifts on the hourly grid, so each hotspot takes two shifts (a 4-hour shift is on
site 3 h 38 min). With the hotspots 20 road minutes apart each backs the other (4 shifts);
40 minutes apart, a backup within 30 minutes asks a second team at each (8 shifts).
"""

from __future__ import annotations

import numpy as np
import pytest

from builders import make_scenario, problem_with_hop, solve_with_hop, with_demand
from patrolplan.check import check_roster
from patrolplan.model.build import build_model
from patrolplan.model.rules import backup
from patrolplan.solver.explain import precheck

SPANS = {"H1": [(8, 12, 1)], "H2": [(8, 12, 1)]}


def _world(mode="off", **response):
    return make_scenario([("A", 8, "X"), ("B", 8, "Y")], [("H1", "Z1"), ("H2", "Z2")],
                         [("Z1", "staggered", ["A", "B"]), ("Z2", "staggered", ["A", "B"])],
                         response={"backup": mode, "backup_minutes": 30, **response})


@pytest.mark.parametrize("hop, mode, shifts", [
    (20, "off", 4), (20, "hard", 4), (20, "soft", 4),
    (40, "off", 4), (40, "hard", 8),
    (40, "soft", 4),  # at 2 h per unbacked hour, a second team (16 team-hours) costs more
])
def test_shifts_needed_known_by_hand(hop, mode, shifts):
    result, tr, p, sc = solve_with_hop(_world(mode), SPANS, hop=hop)
    assert result.status == "optimal"
    assert len(result.roster) == shifts
    report = check_roster(sc, result.roster, travel=tr)
    assert report.ok, report.to_text()


def test_a_high_soft_weight_buys_the_backup():
    result, tr, p, sc = solve_with_hop(_world("soft", backup_weight=50), SPANS, hop=40)
    assert len(result.roster) == 8
    hard = sc.replace(config=sc.config.replace(response=sc.config.response.model_copy(update={"backup": "hard"})))
    assert check_roster(hard, result.roster, travel=tr).ok


def test_the_counts_of_teams_within_reach():
    """Hard at 40 minutes: each hotspot-slot has its two teams at the hotspot itself; at 20
    minutes the other hotspot's team counts too."""
    for hop, hard_counts in ((40, {2}), (20, {2})):
        result, tr, p, sc = solve_with_hop(_world("hard"), SPANS, hop=hop)

        cols = _columns(p, result.roster)
        counts = backup.teams_within_reach(p, cols)
        assert set(counts.tolist()) == hard_counts
    # the roster without the rule at 40 minutes: one team within reach of each
    result, tr, p, sc = solve_with_hop(_world("off"), SPANS, hop=40)
    p_hard = problem_with_hop(with_demand(_world("hard"), SPANS), hop=40)
    counts = backup.teams_within_reach(p_hard, _columns(p_hard, result.roster))
    assert counts.tolist() == [1] * 8 and not any(backup.backed(c) for c in counts)


def _columns(p, roster) -> np.ndarray:
    """The candidate column of each roster row (station, hotspot, start, length)."""
    import pandas as pd

    h0 = pd.Timestamp(p.horizon_start)
    out = []
    for s, h, a, b in zip(roster["station_id"], roster["hotspot_id"], roster["start"], roster["end"]):
        start = int((pd.Timestamp(a) - h0).total_seconds() // 60)
        length = int((pd.Timestamp(b) - pd.Timestamp(a)).total_seconds() // 60)
        j = np.nonzero((p.shift_station == p.station_ids.index(s)) & (p.shift_hotspot == p.hotspot_ids.index(h))
                       & (p.shift_start_min == start) & (p.shift_len_min == length))[0]
        out.append(int(j[0]))
    return np.asarray(out)


def test_off_leaves_the_roster_byte_for_byte():
    """response.backup: off (and any response settings) adds nothing: the same model, the
    same roster bytes as a config without a response section."""
    plain = make_scenario([("A", 8, "X"), ("B", 8, "Y")], [("H1", "Z1"), ("H2", "Z2")],
                          [("Z1", "staggered", ["A", "B"]), ("Z2", "staggered", ["A", "B"])])
    off = _world("off", first_minutes=5, backup_weight=100)
    a, _, pa, _ = solve_with_hop(plain, SPANS, hop=40)
    b, _, pb, _ = solve_with_hop(off, SPANS, hop=40)
    assert a.roster.to_csv(index=False) == b.roster.to_csv(index=False)
    ma, mb = build_model(pa), build_model(pb)
    assert "backup" not in ma.families and ma.families == mb.families
    assert (ma.A != mb.A).nnz == 0 and np.array_equal(ma.col_cost, mb.col_cost)


def test_hard_backup_that_cannot_be_had_is_named_before_the_solve():
    """One station, one team: no second team can ever be within reach."""
    sc = make_scenario([("A", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])], response={"backup": "hard"})
    p = problem_with_hop(with_demand(sc, {"H1": [(8, 11, 1)]}), out=0, hop=0)
    pre = precheck(p, time_limit_s=10)
    assert not pre.feasible
    assert any("response.backup is hard" in m and "H1" in m for m in pre.problems)


def test_a_gap_waives_the_backup_with_gaps_allowed():
    """One team only and backup hard: with gaps allowed the hotspot is left as a gap rather
    than the model failing; the checker reports the gap, not a broken backup."""
    sc = make_scenario([("A", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                       response={"backup": "hard"}, solver={"allow_gaps": True})
    result, tr, p, sc = solve_with_hop(sc, {"H1": [(8, 11, 1)]}, out=0, hop=0, allow_gaps=True)
    assert result.status == "gaps"
    rules = {v.rule for v in check_roster(sc, result.roster, travel=tr).violations}
    assert "backup" not in rules


@pytest.mark.parametrize("mode", ["hard", "off"])
def test_the_example_week_end_to_end(tmp_path, mode):
    """configs/example.yaml on its roads, backup hard: a clean roster the independent check
    passes on the files written, with response.csv and summary.json's response; off: the
    same files as before this rule existed (no backup rows)."""
    from pathlib import Path

    import pandas as pd

    from patrolplan.check import read_roster, read_visits
    from patrolplan.inputs.config import load_config
    from patrolplan.inputs.io import load_scenario
    from patrolplan.runner import run_scenario

    cfg = load_config(Path(__file__).resolve().parents[1] / "configs" / "example.yaml")
    cfg = cfg.replace(response=cfg.response.model_copy(update={"backup": mode}),
                      solver=cfg.solver.model_copy(update={"time_limit_seconds": 30, "progress": False}))
    scenario = load_scenario(cfg)
    outcome = run_scenario(scenario, tmp_path / "run", pictures=False)
    assert outcome.exit_code == 0
    run = tmp_path / "run"
    report = check_roster(scenario, read_roster(run), visits=read_visits(run))
    assert report.ok, report.to_text()
    response = pd.read_csv(run / "response.csv")
    coverage = pd.read_csv(run / "coverage.csv")
    assert len(response) == len(coverage)
    s = outcome.result.summary["response"]
    assert s["backup"] == mode and s["first_within_share"] is not None
    if mode == "hard":
        assert s["hotspot_hours_without_second"] == 0 and s["second_within_share"] == 1.0


@pytest.mark.parametrize("mode", ["hard", "soft"])
def test_cpsat_keeps_the_rule_too(mode):
    """The stage-1 engine CP-SAT on the same rows (the auxiliary columns in minutes)."""
    result, tr, p, sc = solve_with_hop(_world(mode, backup_weight=50), SPANS, hop=40, engine="cpsat")
    assert result.status == "optimal" and len(result.roster) == 8
    assert check_roster(sc, result.roster, travel=tr).ok
