"""patrolplan site: every model against brute force and against spopt (PySAL), the two ways in,
bad inputs (exit 2), the run folder, and the config path feeding a roster."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from patrolplan.cli import main
from patrolplan.errors import DataError
from patrolplan.siting import LSCP, LSCPB, MCLP, PCenter, PMedian, SitingProblem, evaluate, make_model

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "configs" / "example.yaml"


# --- brute force ---------------------------------------------------------------------------------


def _sets(n_f, sizes, fixed=()):
    for k in sizes:
        for s in itertools.combinations(range(n_f), k):
            if set(fixed) <= set(s):
                yield s


def brute(C, w, model, *, p=None, R=None, fixed=()):
    """The optimal objective by trying every set of sites (C dense, inf = unreachable)."""
    n_f = C.shape[1]
    within = (C <= R) if R is not None else None
    if model in ("lscp", "lscpb"):
        for k in range(len(fixed), n_f + 1):
            covers = [s for s in _sets(n_f, [k], fixed) if within[:, list(s)].any(axis=1).all()]
            if covers:
                if model == "lscp":
                    return k
                return max(int((within[:, list(s)].sum(axis=1) >= 2).sum()) for s in covers)
        return None
    best = None
    for s in _sets(n_f, [p], fixed):
        s = list(s)
        near = C[:, s].min(axis=1)
        if model == "mclp":
            v = -float(w[within[:, s].any(axis=1)].sum())
        elif model == "pmedian":
            v = float((w * near).sum()) if np.isfinite(near).all() else np.inf
        else:
            v = float(near.max())
        best = v if best is None else min(best, v)
    return -best if model == "mclp" else best


def _instance(rng, n_c, n_f, *, holes=0.0):
    C = np.round(rng.uniform(0, 30, (n_c, n_f)), 1)
    if holes:
        C[rng.random(C.shape) < holes] = np.inf
        C[np.arange(n_c), rng.integers(0, n_f, n_c)] = np.round(rng.uniform(0, 30, n_c), 1)  # each reachable
    w = rng.integers(0, 6, n_c).astype(float)
    return C, w


@pytest.mark.parametrize("seed", range(12))
def test_every_model_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_c, n_f = int(rng.integers(4, 10)), int(rng.integers(3, 7))
    C, w = _instance(rng, n_c, n_f, holes=0.3 if seed % 3 == 0 else 0.0)
    problem = SitingProblem.from_cost_matrix(C, w)
    p = int(rng.integers(1, n_f + 1))
    fixed_idx = (int(rng.integers(0, n_f)),) if seed % 2 else ()
    fixed = tuple(problem.facility_ids[j] for j in fixed_idx)
    p = max(p, len(fixed))
    R = float(np.quantile(C[np.isfinite(C)], 0.5))
    for name in ("mclp", "pmedian", "pcenter"):
        want = brute(C, w, name, p=p, R=R, fixed=fixed_idx)
        if name != "mclp" and not np.isfinite(want):
            with pytest.raises(DataError, match="no .* sites reach every client"):
                make_model(name, p=p, radius=R, fixed=fixed).solve(problem, time_limit_s=20)
            continue
        r = make_model(name, p=p, radius=R, fixed=fixed).solve(problem, time_limit_s=20)
        assert r.status == "optimal"
        assert r.objective == pytest.approx(want, abs=1e-6), name
        assert len(r.sites) == p and set(fixed) <= set(r.site_ids)
    R_cover = float(np.max(np.min(C, axis=1)))  # every client has a candidate within it
    for name in ("lscp", "lscpb"):
        r = make_model(name, radius=R_cover, fixed=fixed).solve(problem, time_limit_s=20)
        assert r.status == "optimal"
        assert r.objective == brute(C, w, name, R=R_cover, fixed=fixed_idx), name
        assert r.figures.coverage_pct == 100.0 and set(fixed) <= set(r.site_ids)
    assert len(make_model("lscpb", radius=R_cover, fixed=fixed).solve(problem).sites) == \
        brute(C, w, "lscp", R=R_cover, fixed=fixed_idx)


def test_hand_case_figures():
    # 3 clients, 3 candidates; radius 5: A covers c0,c1; B covers c1,c2; C covers c2 only
    C = np.array([[1.0, 9.0, 9.0],
                  [4.0, 5.0, np.inf],
                  [9.0, 2.0, 3.0]])
    problem = SitingProblem.from_cost_matrix(C, [1.0, 2.0, 3.0], facility_ids=["A", "B", "C"],
                                             client_ids=["c0", "c1", "c2"])
    r = LSCP(radius=5).solve(problem)
    assert r.site_ids == ["A", "B"] and r.objective == 2
    f = r.figures
    assert f.uncovered == () and f.coverage_pct == 100.0 and f.covered_weight == 6.0
    assert f.backup_pct == pytest.approx(100 / 3)  # c1 has A and B within 5
    assert f.mean_cost == pytest.approx((1 * 1 + 2 * 4 + 3 * 2) / 6) and f.max_cost == 4.0
    r = MCLP(radius=5, p=1).solve(problem)
    assert r.site_ids == ["B"] and r.objective == 5.0 and r.figures.uncovered == ("c0",)
    r = PMedian(p=1).solve(problem)
    assert r.site_ids == ["B"] and r.objective == pytest.approx(9 + 10 + 6)  # A: 1 + 8 + 27; C misses c1
    r = PCenter(p=1).solve(problem)
    assert r.site_ids in (["A"], ["B"]) and r.objective == 9.0  # A and B both have 9 as the worst
    r = LSCPB(radius=5, fixed=("C",)).solve(problem)
    assert set(r.site_ids) == {"A", "C"} or set(r.site_ids) == {"B", "C"} or len(r.sites) == 2
    assert r.objective == int((r.figures.n_within >= 2).sum())


def test_sparse_matrix_is_read_as_reachable_pairs():
    dense = np.array([[0.0, np.inf], [np.inf, 3.0]])
    sparse = sp.csr_matrix(([0.0, 3.0], ([0, 1], [0, 1])), shape=(2, 2))
    a = SitingProblem.from_cost_matrix(dense)
    b = SitingProblem.from_cost_matrix(sparse)
    assert a.cost.nnz == b.cost.nnz == 2  # the stored 0 is a cost of 0, not a missing pair
    r = MCLP(radius=0, p=1).solve(b)
    assert r.site_ids == ["f0"] and r.figures.uncovered == ("c1",)
    assert LSCP(radius=3).solve(b).objective == 2 == LSCP(radius=3).solve(a).objective


def test_infeasible_requests_are_data_errors_naming_the_clients():
    C = np.array([[1.0, 2.0], [50.0, 60.0], [3.0, np.inf]])
    problem = SitingProblem.from_cost_matrix(C, client_ids=["near", "far", "half"], facility_ids=["A", "B"])
    with pytest.raises(DataError, match=r"no candidate within the radius 10: far"):
        LSCP(radius=10).solve(problem)
    with pytest.raises(DataError, match="more than the 2 candidate"):
        PMedian(p=3).solve(problem)
    with pytest.raises(DataError, match="unknown facility ids Z"):
        MCLP(radius=10, p=1, fixed=("Z",)).solve(problem)
    with pytest.raises(DataError, match="fewer than the 2 fixed"):
        MCLP(radius=10, p=1, fixed=("A", "B")).solve(problem)
    lonely = SitingProblem.from_cost_matrix(np.array([[1.0, np.inf], [np.inf, np.inf]]), client_ids=["x", "y"])
    with pytest.raises(DataError, match="cannot be reached from any candidate: y"):
        PCenter(p=1).solve(lonely)


# --- spopt, the reference ------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP 3 announces its 4.0 API
@pytest.mark.parametrize("seed", range(4))
def test_every_model_matches_spopt(seed):
    """Same instances, both tools. Where the figure is defined alike the numbers must agree:
    LSCP's site count, MCLP's covered weight, p-median's weighted total, p-center's worst cost.
    Backup: spopt's LSCPB counts a client with fewer than two candidates within the radius as
    backed up (its constraint drops the backup variable there, which the objective then sets to
    1); patrolplan counts only clients with two or more *sited* facilities within the radius.
    So spopt's objective = ours + the clients with fewer than two candidates in range."""
    spopt = pytest.importorskip("spopt.locate")
    import pulp

    rng = np.random.default_rng(100 + seed)
    n_c, n_f = 25, 12
    C, w = _instance(rng, n_c, n_f)
    w = w + 1
    problem = SitingProblem.from_cost_matrix(C, w)
    R = float(max(np.quantile(C, 0.3), C.min(axis=1).max()))
    p = 3
    solver = pulp.PULP_CBC_CMD(msg=False)

    ours = LSCP(radius=R).solve(problem)
    theirs = spopt.LSCP.from_cost_matrix(C, R).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value())

    ours = MCLP(radius=R, p=p).solve(problem)
    theirs = spopt.MCLP.from_cost_matrix(C, w, R, p_facilities=p).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value())

    ours = PMedian(p=p).solve(problem)
    theirs = spopt.PMedian.from_cost_matrix(C, w, p_facilities=p).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value())
    assert ours.figures.mean_cost == pytest.approx(theirs.mean_dist)

    ours = PCenter(p=p).solve(problem)
    theirs = spopt.PCenter.from_cost_matrix(C, p_facilities=p).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value())

    ours = LSCPB(radius=R).solve(problem)
    theirs = spopt.LSCPB.from_cost_matrix(C, R, solver).solve()
    fewer_than_two = int(((C <= R).sum(axis=1) < 2).sum())
    assert ours.objective + fewer_than_two == pytest.approx(theirs.problem.objective.value())
    assert ours.figures.backup_pct == pytest.approx(100 * ours.objective / n_c)


# --- the matrix way on the command line ------------------------------------------------------------


def _write_matrix(folder: Path, C, w):
    rows = [(f"c{i}", f"f{j}", C[i, j]) for i in range(C.shape[0]) for j in range(C.shape[1]) if np.isfinite(C[i, j])]
    pd.DataFrame(rows, columns=["client_id", "facility_id", "cost"]).to_csv(folder / "costs.csv", index=False)
    pd.DataFrame({"client_id": [f"c{i}" for i in range(C.shape[0])], "risk": w}).to_csv(folder / "clients.csv",
                                                                                       index=False)
    return folder / "costs.csv", folder / "clients.csv"


def test_matrix_way_json(tmp_path, capsys):
    rng = np.random.default_rng(7)
    C, w = _instance(rng, 8, 5)
    costs, clients = _write_matrix(tmp_path, C, w)
    code = main(["site", "--costs", str(costs), "--clients", str(clients), "--weight", "risk", "--model", "pmedian",
                 "--p", "2", "--radius", "10", "--fixed", "f1", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("model", "status", "sites", "n_sites", "uncovered_clients", "coverage_pct", "covered_weight",
                "backup_pct", "mean_cost", "max_cost", "objective"):
        assert key in out
    assert out["model"] == "pmedian" and out["status"] == "optimal" and out["n_sites"] == 2 and "f1" in out["sites"]
    sites = [int(s[1:]) for s in out["sites"]]
    assert out["objective"] == pytest.approx(brute(C, w, "pmedian", p=2, fixed=(1,)))
    figures = evaluate(SitingProblem.from_cost_matrix(C, w), np.array(sites), 10.0)
    assert out["coverage_pct"] == pytest.approx(figures.coverage_pct)
    assert out["uncovered_clients"] == list(figures.uncovered)


@pytest.mark.parametrize(
    "costs_text, clients_text, args, words",
    [
        ("client_id,facility,cost\nc0,f0,1\n", "client_id,weight\nc0,1\n", [], ["costs.csv", "no column 'facility_id'"]),
        ("client_id,facility_id,cost\nc0,f0,-1\nc0,f1,abc\nc1,f0,\n", "client_id,weight\nc0,1\nc1,1\n", [],
         ["row 2 (client_id 'c0'), column 'cost': -1 is negative", "row 3 (client_id 'c0'), column 'cost': 'abc' is not",
          "row 4 (client_id 'c1'), column 'cost': empty"]),
        ("client_id,facility_id,cost\nc0,f0,1\nc0,f0,2\nzz,f0,1\n", "client_id,weight\nc0,1\n", [],
         ["row 3 (client_id 'c0'), column 'facility_id': the pair (c0, f0) repeats row 2",
          "row 4 (client_id 'zz'), column 'client_id': 'zz' is not in"]),
        ("client_id,facility_id,cost\nc0,f0,1\n", "client_id,weight\nc0,x\nc0,1\n", [],
         ["clients.csv: row 2 (client_id 'c0'), column 'weight': 'x' is not a number", "row 3 (client_id 'c0'), "
          "column 'client_id': 'c0' repeats row 2"]),
        ("client_id,facility_id,cost\nc0,f0,1\nc1,f0,50\n", "client_id,weight\nc0,1\nc1,1\n",
         ["--model", "lscp", "--radius", "10"], ["no candidate within the radius 10: c1"]),
        ("client_id,facility_id,cost\nc0,f0,1\n", "client_id,weight\nc0,1\n", ["--model", "pmedian", "--p", "2"],
         ["--p 2 is more than the 1 candidate"]),
        ("client_id,facility_id,cost\nc0,f0,1\nc0,f1,2\n", "client_id,weight\nc0,1\n",
         ["--model", "pmedian", "--p", "1", "--fixed", "f0,f1"], ["--p 1 is fewer than the 2 fixed"]),
        ("client_id,facility_id,cost\nc0,f0,1\n", "client_id,weight\nc0,1\n",
         ["--model", "mclp", "--p", "1", "--radius", "3", "--fixed", "nope"], ["unknown facility ids nope"]),
        ("client_id,facility_id,cost\nc0,f0,1\n", "client_id,weight\nc0,1\n", ["--model", "mclp", "--p", "1"],
         ["needs a service radius"]),
    ],
    ids=["MissingColumn", "BadCosts", "DuplicatePairUnknownClient", "BadClients", "LscpUncoverable", "PTooLarge",
         "PBelowFixed", "UnknownFixed", "NoRadius"],
)
def test_bad_matrix_inputs_exit_2(tmp_path, capsys, costs_text, clients_text, args, words):
    (tmp_path / "costs.csv").write_text(costs_text, encoding="utf-8")
    (tmp_path / "clients.csv").write_text(clients_text, encoding="utf-8")
    args = args or ["--model", "pmedian", "--p", "1"]
    code = main(["site", "--costs", str(tmp_path / "costs.csv"), "--clients", str(tmp_path / "clients.csv"), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["site", "--model", "lscp", "--radius", "3"]) == 2
    assert main(["site", str(EXAMPLE), "--model", "lscp", "--radius-min", "3"]) == 2  # no --candidates
    assert "--candidates FILE is needed" in capsys.readouterr().err


# --- the config way ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crossings(tmp_path_factory) -> Path:
    """The road–border crossings of configs/example (patrolplan junctions)."""
    out = tmp_path_factory.mktemp("junctions") / "crossings.csv"
    assert main(["junctions", str(ROOT / "configs/example/counties.geojson"), "--roads",
                 str(ROOT / "configs/example/roads.geojson"), "--out", str(out), "--unit-column", "county",
                 "--city-column", "", "--province-column", ""]) == 0
    return out


def test_out_refuses_a_foreign_folder(tmp_path, crossings, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("a planner's file", encoding="utf-8")
    code = main(["site", str(EXAMPLE), "--candidates", str(crossings), "--model", "lscp", "--radius-min", "10",
                 "--out", str(out)])
    assert code == 2
    assert "patrolplan did not write" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_config_way_feeds_a_roster(tmp_path, crossings, capsys):
    """Site one checkpoint on the example's county border, append the rows it writes to a copy of
    the example's inputs, solve, and hold the roster to the independent checker."""
    from patrolplan.check import check_run

    run = tmp_path / "site"
    code = main(["site", str(EXAMPLE), "--candidates", str(crossings), "--model", "mclp", "--p", "1",
                 "--radius-min", "10", "--out", str(run), "--json"])
    assert code == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    assert report["n_sites"] == 1 and report["status"] == "optimal"
    for name in ("sites.csv", "sites.geojson", "assignment.csv", "hotspots_add.csv", "zones_add.csv",
                 "demand_add.csv", "sites.png", "site.json"):
        assert (run / name).is_file(), name
    zones_add = pd.read_csv(run / "zones_add.csv")
    assert list(zones_add["mode"]) == ["synchronized"] and list(zones_add["tier"]) == ["county"]
    members = zones_add["stations"].iloc[0].split(";")
    stations = pd.read_csv(ROOT / "configs/example/stations.csv").set_index("station_id")
    assert len({stations.at[m, "county"] for m in members}) == 2  # both sides of the border
    for table in ("hotspots", "zones", "demand"):  # the week's own columns, in its order
        head = (ROOT / "configs/example" / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert (run / f"{table}_add.csv").read_text(encoding="utf-8").splitlines()[0] == head
    assign = pd.read_csv(run / "assignment.csv")
    assert set(assign["facility_id"]) == set(report["sites"])

    week = tmp_path / "week"
    shutil.copytree(ROOT / "configs/example", week / "example")
    shutil.copy(EXAMPLE, week / "example.yaml")
    for table in ("hotspots", "zones", "demand"):  # appended as docs/site.md says: the rows, no header
        rows = (run / f"{table}_add.csv").read_text(encoding="utf-8").splitlines()[1:]
        with open(week / "example" / f"{table}.csv", "a", encoding="utf-8") as fh:
            fh.write("\n".join(rows) + "\n")
    solved = tmp_path / "solved"
    code = main(["solve", str(week / "example.yaml"), "--out", str(solved), "--time-limit", "30", "--quiet",
                 "--no-pictures"])
    assert code == 0, capsys.readouterr().err
    roster = pd.read_csv(solved / "roster.csv")
    hid = pd.read_csv(run / "hotspots_add.csv")["hotspot_id"].iloc[0]
    at_checkpoint = roster[roster["hotspot_id"] == hid]
    assert at_checkpoint["station_id"].nunique() >= 2  # staffed jointly
    assert set(at_checkpoint["station_id"]) <= set(members)
    assert check_run(week / "example.yaml", solved).ok


@pytest.mark.parametrize(
    "text, words",
    [
        ("facility_id,lon,lat\nA,116.48,35.47\nA,116.48,35.33\n", ["row 3 (facility_id 'A')", "repeats row 2"]),
        ("facility_id,lon,lat\nA,east,35.47\n", ["row 2", "'lon'"]),
        ("name,lon,lat\nx,116.48,35.47\n", ["no id column", "--candidate-id"]),
    ],
    ids=["DuplicateCandidate", "BadLon", "NoIdColumn"],
)
def test_bad_candidates_exit_2(tmp_path, capsys, text, words):
    path = tmp_path / "candidates.csv"
    path.write_text(text, encoding="utf-8")
    code = main(["site", str(EXAMPLE), "--candidates", str(path), "--model", "lscp", "--radius-min", "10"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_both_directions_agree_without_one_way_roads(crossings, capsys):
    outs = []
    for direction in ("site-to-client", "client-to-site"):
        assert main(["site", str(EXAMPLE), "--candidates", str(crossings), "--model", "pmedian", "--p", "2",
                     "--direction", direction, "--json"]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert outs[0]["objective"] == outs[1]["objective"] and outs[0]["sites"] == outs[1]["sites"]
    assert outs[0]["coverage_pct"] is None  # no radius given: no coverage figures


def test_map_draws_sites_reach_and_clients(crossings):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from patrolplan.inputs.io import load_scenario
    from patrolplan.inputs.network import road_graph
    from patrolplan.siting.network import problem_from_scenario, read_candidates
    from patrolplan.siting.output import plot_sites

    scenario = load_scenario(EXAMPLE)
    candidates = read_candidates(crossings)
    graph = road_graph(scenario)
    problem, _ = problem_from_scenario(scenario, candidates, graph=graph)
    result = MCLP(radius=10, p=1).solve(problem)
    ax = plot_sites(result, scenario, candidates, graph=graph)
    gids = {a.get_gid() for a in ax.get_children()}
    assert {"sites", "reach", "candidates", "clients-covered", "clients-uncovered", "assignment"} <= gids
    plt.close(ax.figure)
