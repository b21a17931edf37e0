"""The staged solve around the engines: warm start fallback, repair, reporting."""

from __future__ import annotations

from builders import make_scenario, solve_case
from patrolplan import solve as solve_module
from patrolplan.check import check_roster
from patrolplan.engines import EngineResult


def test_greedy_roster_is_kept_when_the_engine_finds_nothing_in_time(monkeypatch):
    def nothing(model, **kwargs):
        return EngineResult("unknown", None, None, None, 0.0, "highs")

    monkeypatch.setattr(solve_module, "solve_highs", nothing)
    sc = make_scenario([("A", 4, "X"), ("B", 4, "Y")], [("H1", "Z1")], [("Z1", "synchronized", ["A", "B"])])
    result, tr, _, sc = solve_case(sc, {"H1": [(8, 16, 1)]}, minutes=10)
    assert result.status == "feasible" and len(result.roster)
    assert result.summary["stats"]["engine"] == "highs"
    assert any("greedy" in line for line in result.log)
    assert check_roster(sc, result.roster, travel=tr).ok


def test_no_roster_in_time_and_no_greedy_says_so(monkeypatch):
    monkeypatch.setattr(solve_module, "solve_highs", lambda model, **kw: EngineResult("unknown", None, None, None,
                                                                                        0.0, "highs"))
    monkeypatch.setattr(solve_module, "greedy_counts", lambda *a, **k: None, raising=False)
    import patrolplan.greedy

    monkeypatch.setattr(patrolplan.greedy, "greedy_counts", lambda *a, **k: None)
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])])
    result, _, _, _ = solve_case(sc, {"H1": [(8, 12, 1)]})
    assert result.status == "unknown" and result.exit_code == 1
    assert "time limit" in result.explanation
