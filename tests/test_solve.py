"""The staged solve around the engines: warm start fallback, repair, reporting."""

from __future__ import annotations

import numpy as np

from builders import make_scenario, solve_case
from patrolplan.solver import solve as solve_module
from patrolplan.check import check_roster
from patrolplan.solver.engines import EngineResult


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
    import patrolplan.model.greedy

    monkeypatch.setattr(patrolplan.model.greedy, "greedy_counts", lambda *a, **k: None)
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])])
    result, _, _, _ = solve_case(sc, {"H1": [(8, 12, 1)]})
    assert result.status == "unknown" and result.exit_code == 1
    assert "time limit" in result.explanation


def test_warm_start_never_makes_a_wrong_optimum():
    """HiGHS 1.16 mis-valued this warm start (112 h) and called it optimal below the true
    optimum (88.67 h); the engine must notice and solve again."""
    from builders import demand_matrix, travel, with_demand
    from patrolplan.solver.engines import solve_highs
    from patrolplan.model.greedy import greedy_counts
    from patrolplan.model.build import build_model
    from patrolplan.model.problem import Problem

    sc = make_scenario([("A", 6, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                       rules={"min_rest_hours": 12, "shift_start_every_minutes": 60}, modes={"handover_minutes": 30})
    sc = with_demand(sc, {"H1": [(0, 16, 1)]})
    tr = travel(sc, 0)
    problem = Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=demand_matrix(sc))
    model = build_model(problem)
    hint = greedy_counts(problem, model, rule="nearest")
    assert hint is not None and model.objective(np.r_[hint, np.zeros(model.n_cols - hint.size)]) > 0
    result = solve_highs(model, time_limit_s=20, gap_tolerance_pct=0.0, hint=hint, lp_guided=False)
    assert result.status == "optimal"
    assert abs(result.objective - 88.6667) < 1e-3


def test_a_mip_stopped_before_it_has_a_bound_claims_none():
    """HiGHS stopped by the time limit before its root (presolve still running) has the warm
    start as its incumbent and no dual bound. The engine said the incumbent was the bound, so a
    beat design stopped so early claimed that no beat plan had fewer beats than its start, while
    a better plan existed. A bound is a bound: none, or at most the optimum."""
    import scipy.sparse as sp

    from patrolplan.model.build import LinearModel
    from patrolplan.solver.engines import solve_highs

    rng = np.random.default_rng(0)
    n, m = 3000, 800
    A = sp.random(m, n, density=0.01, random_state=1, data_rvs=np.ones).tocsr()
    A = (A + sp.csr_matrix((np.ones(m), (np.arange(m), rng.integers(0, n, m))), shape=(m, n))).tocsr()
    A.data[:] = 1  # set covering: every row has a column
    model = LinearModel(n_shifts=n, col_lower=np.zeros(n), col_upper=np.ones(n),
                        col_cost=rng.integers(1, 100, n).astype(float), col_integer=np.ones(n, dtype=bool), A=A,
                        row_lower=np.ones(m), row_upper=np.full(m, np.inf), row_family=np.zeros(m, dtype=np.int64),
                        families=["cover"])
    best = solve_highs(model, time_limit_s=60, workers=1, lp_guided=False)
    assert best.status == "optimal"
    early = solve_highs(model, time_limit_s=0.01, workers=1, lp_guided=False, hint=np.ones(n))
    assert early.x is not None and early.objective > best.objective  # the warm start, not improved
    assert early.bound is None or early.bound <= best.objective + 1e-6
