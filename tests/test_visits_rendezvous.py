"""Joint visits by rendezvous (visits.rendezvous, issue 22): each station's own loop, joint
stops met by a partner's loop, loops priced by column generation; hand-sized weeks."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from builders import make_scenario, solve_visits
from patrolplan.check import check_roster
from patrolplan.model import pricing

RENDEZVOUS = {"rendezvous": True}
#: visits at the three hotspots all Monday's day shift: 15 min at least every 2 h
DAY = [(h, "", "mon", "08:00", "16:00", 1, "visit", 15, 120) for h in ("HA", "HB", "HJ")]


def _two_stations(**visits):
    """Stations A (county X) and B (county Y), two teams each; HA in A's zone, HB in B's, HJ in
    their synchronized zone; 8-hour shifts only."""
    return make_scenario([("A", 4, "X"), ("B", 4, "Y")], [("HA", "ZA"), ("HB", "ZB"), ("HJ", "ZJ")],
                         [("ZA", "staggered", ["A"]), ("ZB", "staggered", ["B"]), ("ZJ", "synchronized", ["A", "B"])],
                         rules={"shift_hours": [8]}, visits=visits)


def _tiny_rendezvous_week(tmp_path, *, time_limit_s: int):
    """The tiny test week in ``tmp_path/week`` asking for visits at H1 and H3 on Monday night,
    planned by rendezvous; returns its config path."""
    import shutil
    from pathlib import Path

    import yaml

    tiny = Path(__file__).resolve().parent / "data" / "tiny"
    folder = tmp_path / "week"
    shutil.copytree(tiny, folder)
    (folder / "demand.csv").write_text(
        "hotspot_id,zone_id,days,start,end,teams,presence,dwell_min,every_min\n"
        "H1,,mon,20:00,02:00,1,visit,15,120\nH3,,mon,20:00,02:00,1,visit,15,120\n", encoding="utf-8")
    cfg = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
    cfg["visits"] = {"rendezvous": True}
    cfg["solver"]["time_limit_seconds"] = time_limit_s
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return config


def _broken(result, sc, tr, visits=None):
    report = check_roster(sc, result.roster, travel=tr, visits=result.visits if visits is None else visits)
    return [(v.rule, v.message) for v in report.violations]


def test_rendezvous_beats_a_shared_loop_by_the_hours_worked_out_by_hand():
    """By hand: every hotspot needs a visit all day (08:00-16:00), HA only from A and HB only
    from B, HJ from A and B together.

    * A shared (joint) loop holds only hotspots of zones both stations belong to: HJ alone. So
      A drives a loop for HA (one 8 h shift), B one for HB (8 h), and the joint loop at HJ takes
      a team of each (2 x 8 h): 4 x 8 = 32 team-hours.
    * By rendezvous A's loop is HA <-> HJ and B's is HB <-> HJ, the two meeting at HJ: 2 x 8 = 16
      team-hours, and no roster does with less (each station must have a team out all day).

    Rendezvous saves 32 - 16 = 16 team-hours: the two teams standing at HJ."""
    shared, tr0, _, sc0 = solve_visits(_two_stations(), DAY, out=10, hop=10)
    met, tr1, p, sc1 = solve_visits(_two_stations(**RENDEZVOUS), DAY, out=10, hop=10)
    assert _broken(shared, sc0, tr0) == [] and _broken(met, sc1, tr1) == []
    assert shared.summary["team_hours"] == 4 * 8
    assert met.summary["team_hours"] == 2 * 8
    assert shared.summary["team_hours"] - met.summary["team_hours"] == 16
    # one shift per station, each a loop through its own hotspot and the joint one
    assert sorted(met.roster["station_id"]) == ["A", "B"]
    stops = {st: set(hs.split(";")) for st, hs in zip(met.roster["station_id"], met.roster["loop_hotspots"])}
    assert stops == {"A": {"HA", "HJ"}, "B": {"HB", "HJ"}}
    # every joint visit is two rows, one per station, arriving together
    joint = met.visits[met.visits["hotspot_id"] == "HJ"]
    by_time = joint.groupby("arrive")["station_id"].apply(lambda s: tuple(sorted(s)))
    assert len(by_time) >= 3 and set(by_time) == {("A", "B")}
    # a bound only with its proof; else none, and why
    cg = met.summary["stats"]["column_generation"]
    assert cg["rounds"] >= 1 and cg["generated_columns"] > 0
    if met.summary["best_bound"] is None:
        assert met.summary["best_bound_reason"] == cg["reason"] and cg["reason"]
        assert met.status == "feasible"
    else:
        assert met.summary["best_bound"] <= met.summary["objective"] + 1e-6


def test_a_meeting_missed_by_five_minutes_is_caught_by_the_checker():
    result, tr, _, sc = solve_visits(_two_stations(**RENDEZVOUS), DAY, out=10, hop=10)
    assert _broken(result, sc, tr) == []
    visits = result.visits.copy()
    i = visits.index[(visits["hotspot_id"] == "HJ") & (visits["station_id"] == "B")][1]
    for col in ("arrive", "depart"):
        visits.loc[i, col] = (pd.Timestamp(visits.loc[i, col]) + pd.Timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    rules = {rule for rule, _ in _broken(result, sc, tr, visits)}
    assert "visit_joint" in rules


def test_the_pause_keeps_visits_near_the_interval():
    """Three hotspots 12 min apart all day: a loop could pass each one every hour (a cycle of
    3 x 15 + 3 x 12 = 81 min); pricing charges each visit, so the loops pause and each hotspot
    gets about one visit per interval: at most 1.5 x the 4 the 8 hours need."""
    sc = make_scenario([("A", 4, "X"), ("B", 4, "X")], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z1")],
                       [("Z1", "staggered", ["A", "B"])], rules={"shift_hours": [8]}, visits=RENDEZVOUS)
    rows = [("", "Z1", "mon", "08:00", "16:00", 1, "visit", 15, 120)]
    result, tr, _, sc = solve_visits(sc, rows, out=10, hop=12)
    assert _broken(result, sc, tr) == []
    per_hotspot = result.visits.groupby("hotspot_id").size()
    need = 8 * 60 / 120
    assert len(per_hotspot) == 3 and (per_hotspot <= 1.5 * need).all()


def _brute_force(net: pricing.StationNet, *, grid: int, length: int, start: int, value: np.ndarray, t0: int,
                 travel_per_min: float) -> float:
    """The least reduced cost of any loop of the frame, by listing every sequence of timed stops
    (the column definition of model/pricing.py, written out plainly; travel: road minutes out to
    the first stop and back from the last)."""
    R = length // grid
    best = np.inf

    def extend(path, cost_so_far):
        nonlocal best
        i, r = path[-1]
        if r * grid + int(net.dwell_min[i]) + int(net.back_min[i]) > length:
            return
        here = cost_so_far - value[i, (start - t0) // grid + r]
        best = min(best, here + travel_per_min * int(net.back_min[i]))
        for k, r2 in itertools.product(range(net.stops.size), range(R)):
            if r2 >= r + int(net.step[i, k]):
                extend(path + [(k, r2)], here)

    for i, r in itertools.product(range(net.stops.size), range(R)):
        if r >= net.out_steps[i]:
            extend([(i, r)], travel_per_min * int(net.out_min[i]))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_pricing_finds_the_best_loop_that_brute_force_finds(seed):
    rng = np.random.default_rng(seed)
    grid, length = 5, 60
    n = 3
    hop = rng.integers(3, 15, size=(n, n))
    np.fill_diagonal(hop, 0)
    dwell = np.array([10, 10, 15])
    step = -(-(dwell[:, None] + hop) // grid)
    step[np.arange(n), np.arange(n)] = np.maximum(np.diag(step), 5)  # a repeat waits 25 min
    out_min = rng.integers(3, 15, size=n)
    net = pricing.StationNet(0, np.arange(n), out_min=out_min, out_steps=-(-out_min // grid),
                             back_min=rng.integers(5, 15, size=n), step=step, dwell_min=dwell)
    starts = np.array([0, 60])
    value = rng.uniform(-0.2, 1.0, size=(n, 40))
    found = pricing.best_loops(net, grid=grid, length=length, starts=starts, value=value, t0=0,
                               travel_per_min=1 / 60, frame_cost=np.zeros(starts.size))
    for start, col in zip(starts, found):
        brute = _brute_force(net, grid=grid, length=length, start=int(start), value=value, t0=0, travel_per_min=1 / 60)
        assert col is not None
        assert col.reduced_cost == pytest.approx(brute)
        # the loop found is worth what it says
        worth = sum(value[int(h), (t - 0) // grid] for h, t in col.visits)
        away = int(out_min[col.visits[0][0]]) + int(net.back_min[col.visits[-1][0]])
        assert away / 60 - worth == pytest.approx(col.reduced_cost)


@pytest.mark.parametrize("seed", range(6))
def test_window_rows_are_a_restriction_of_the_rule_tight_to_the_check_step(seed):
    """Any visit starts that fill every window row keep the contract's rule (visits.satisfied);
    starts every interval less the check step plus the grid fill them all."""
    from builders import make_config
    from patrolplan.model.rules import visits as rule

    rng = np.random.default_rng(seed)
    cfg = make_config(slot_minutes=15, visits={"rendezvous": True})
    n_k = 96
    need = np.zeros((1, n_k), dtype=np.int64)
    k0, k1 = sorted(rng.choice(np.arange(1, n_k), size=2, replace=False))
    need[0, k0:k1 + 1] = 1
    every = int(rng.choice([60, 90, 120]))
    w = rule.windows_of(cfg, need=need, posts=np.zeros_like(need), every_h=np.array([every]),
                        dwell_h=np.array([15]), teams=np.array([1]), hotspot_zone=np.array([0]),
                        zone_mode=("staggered",), zone_members=((0,),), zone_jurisdiction_groups=((),))
    a, b = k0 * 15, (k1 + 1) * 15
    accepted = 0
    for _ in range(300):
        # a random walk of starts, gaps around the interval: some fill every row, some do not
        gaps = rng.integers(1, every // 5 + 1, size=60) * 5
        starts = a + int(rng.integers(0, every // 5 + 2)) * 5 + np.concatenate([[0], np.cumsum(gaps)])
        starts = starts[starts < b]
        first, last = w.window_range(np.zeros(starts.size, dtype=np.int64), starts)
        filled = np.zeros(w.n_windows, dtype=bool)
        for f, l_ in zip(first, last):
            filled[f:l_] = True
        if filled.all():
            accepted += 1
            assert rule.satisfied(starts.tolist(), every, a, b)
    assert accepted > 0
    beat = every - cfg.visits.check + cfg.visits.grid_minutes
    regular = np.arange(a + beat - 5, b, beat) if a + beat - 5 < b else np.array([a])
    first, last = w.window_range(np.zeros(regular.size, dtype=np.int64), regular)
    filled = np.zeros(w.n_windows, dtype=bool)
    for f, l_ in zip(first, last):
        filled[f:l_] = True
    assert filled.all()


def test_a_master_lp_out_of_time_falls_back_to_the_enumerated_loops(monkeypatch):
    """Column generation whose master LP does not finish in its share of the time (as at Jining
    scale) must not leave the week without a roster: with no beat plan (tests/test_beats.py)
    the week is planned with the enumerated loops, and summary.json says so."""
    from patrolplan.solver import beat_design
    from patrolplan.solver import solve as solve_module

    monkeypatch.setattr(solve_module, "PRICING_SHARE", 1e-7)
    monkeypatch.setattr(beat_design, "design", lambda *a, **k: None)
    sc = _two_stations(**RENDEZVOUS)
    result, tr, _, sc = solve_visits(sc, DAY)
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "enumerated loops" and cg["lp_value"] is None
    assert result.status in ("optimal", "feasible") and _broken(result, sc, tr) == []


def test_a_rendezvous_week_is_replanned_keeping_its_loops_and_visits(tmp_path):
    """A re-plan of a week planned by rendezvous (configs/example-visits.yaml) after R1 and
    J2 lose officers on Wednesday at noon: the published loops are columns of the re-plan (their
    visits' times included), history is kept byte for byte (roster and visits), column
    generation prices only frames after the cut, and `patrolplan check --from --at` accepts it."""
    import csv
    import json
    from pathlib import Path

    import yaml

    from patrolplan.cli import main

    repo = Path(__file__).resolve().parents[1]
    at = "2026-12-02T12:00"
    cfg = yaml.safe_load((repo / "configs" / "example-visits.yaml").read_text(encoding="utf-8"))
    cfg["data"] = {k: str((repo / "configs" / v).resolve()) for k, v in cfg["data"].items()}
    week = tmp_path / "week.yaml"
    week.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    cfg["data"]["availability"] = str(repo / "configs" / "example" / "availability-sick.csv")
    sick = tmp_path / "sick.yaml"
    sick.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    base, again = tmp_path / "base", tmp_path / "again"
    flags = ["--time-limit", "12", "--quiet", "--no-pictures", "--seed", "0"]
    assert main(["solve", str(week), "--out", str(base), *flags]) == 0
    assert main(["replan", str(sick), "--from", str(base), "--at", at, "--out", str(again), *flags]) == 0
    assert main(["check", str(sick), str(again), "--from", str(base), "--at", at]) == 0

    def rows(run, name):
        with open(run / name, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    old = {r["shift_id"]: r for r in rows(base, "roster.csv")}
    new = {r["shift_id"]: r for r in rows(again, "roster.csv")}
    history = [sid for sid, r in old.items() if r["start"] < at]
    assert history and all(new[sid] == old[sid] for sid in history)
    assert any(old[sid]["loop_id"] for sid in history)
    visits = lambda run: sorted((r["shift_id"], r["hotspot_id"], r["arrive"], r["depart"])  # noqa: E731
                                for r in rows(run, "visits.csv") if r["shift_id"] in history)
    assert visits(again) == visits(base)
    summary = json.loads((again / "summary.json").read_text(encoding="utf-8"))
    cg = summary["stats"]["column_generation"]
    assert "fallback" not in cg and cg["rounds"] >= 1
    assert summary["status"] in ("optimal", "feasible") and summary["check"]["ok"]


def test_write_model_holds_the_priced_loops_and_counts_come_back_with_model(tmp_path, capsys):
    """--write-model on a rendezvous week writes the model over the loops column generation
    priced (FILE.json: each loop's visits); another solver's counts come back with --counts
    VALUES.csv --model FILE.mps, and the roster passes the independent check. Without --model
    the priced loops' names are no columns, and the message says to give it."""
    import json

    import highspy

    from patrolplan.cli import main

    config = _tiny_rendezvous_week(tmp_path, time_limit_s=8)
    mps = tmp_path / "model.mps"
    assert main(["solve", str(config), "--write-model", str(mps)]) == 0
    meta = json.loads(mps.with_suffix(".json").read_text(encoding="utf-8"))
    loops = [c for c in meta["columns"] if c.get("visits")]
    assert loops and all(len(v) == 2 for c in loops for v in c["visits"])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", 30.0)
    h.readModel(str(mps))
    h.run()
    values = dict(zip(h.getLp().col_names_, h.getSolution().col_value))
    counts = tmp_path / "values.csv"
    counts.write_text("name,value\n" + "".join(f"{k},{v:.6f}\n" for k, v in values.items() if abs(v) > 1e-9),
                      encoding="utf-8")
    used = {k for k, v in values.items() if k.startswith("x") and v > 0.5}
    out = tmp_path / "run"
    assert main(["solve", str(config), "--counts", str(counts), "--model", str(mps), "--out", str(out), "--quiet",
                 "--no-pictures"]) == 0
    assert main(["check", str(config), str(out)]) == 0
    capsys.readouterr()
    assert used
    # without --model: a priced loop's name is no column of the first model
    priced = [c["name"] for c in loops][-1]
    lone = tmp_path / "lone.csv"
    lone.write_text(f"name,value\n{priced},1\n", encoding="utf-8")
    assert main(["solve", str(config), "--counts", str(lone), "--out", str(tmp_path / "r2"), "--quiet",
                 "--no-pictures"]) == 2
    assert "--model FILE.mps" in capsys.readouterr().err


def test_a_first_master_lp_out_of_its_share_falls_back_at_once(monkeypatch):
    """The first master LP gets a quarter of column generation's time: when it does not solve in
    it, the week falls back at once (here, with no beat plan, to the enumerated loops), with the
    rest of the time left, and the reason names the first LP."""
    from patrolplan.solver import beat_design, colgen

    monkeypatch.setattr(colgen, "_optimal", lambda h: False)
    monkeypatch.setattr(beat_design, "design", lambda *a, **k: None)
    result, tr, _, sc = solve_visits(_two_stations(**RENDEZVOUS), DAY)
    cg = result.summary["stats"]["column_generation"]
    assert cg["fallback"] == "enumerated loops" and cg["rounds"] == 0
    assert cg["reason"].startswith("the first master LP did not reach its optimum in 25% of the time")
    assert result.status in ("optimal", "feasible") and _broken(result, sc, tr) == []


def test_a_model_file_of_other_columns_is_refused(tmp_path, capsys):
    """--model whose column list does not match this week's columns (one shift moved in the
    file) is refused, exit 2, naming the file: counts would land on other shifts."""
    import json

    from patrolplan.cli import main

    config = _tiny_rendezvous_week(tmp_path, time_limit_s=4)
    mps = tmp_path / "model.mps"
    assert main(["solve", str(config), "--write-model", str(mps)]) == 0
    meta_path = mps.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["columns"][0]["length_min"] += 60
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    counts = tmp_path / "values.csv"
    counts.write_text("name,value\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["solve", str(config), "--counts", str(counts), "--model", str(mps), "--out", str(tmp_path / "r"),
                 "--quiet", "--no-pictures"]) == 2
    err = capsys.readouterr().err
    assert "model.json" in err and "not this week's" in err and "Traceback" not in err


@pytest.mark.parametrize("seed", range(3))
def test_pricing_prices_a_loop_at_the_models_reduced_cost_staggered_share_included(seed):
    """For any duals of the master's rows, the reduced cost pricing gives a loop (its frame's
    constant, its stops' windows, meetings and staggered share) is the one the model gives its
    column. The example week has two staggered zones with visits (Z2, Z3), so a loop's visits
    there enter the share rows (rules/staggered.py)."""
    from pathlib import Path

    from patrolplan.inputs.io import load_scenario
    from patrolplan.model.build import build_model
    from patrolplan.model.rules import staggered
    from patrolplan.solver import colgen
    from patrolplan.solver.solve import prepare

    p, _ = prepare(load_scenario(Path(__file__).parents[1] / "configs" / "example-visits.yaml"))
    model = build_model(p, allow_gaps=True)
    assert model.family_counts().get("staggered", 0) > 0
    rng = np.random.default_rng(seed)
    y = rng.uniform(0.0, 3.0, model.n_rows) * np.where(np.isfinite(model.row_lower), 1.0, -1.0)
    y = colgen._valid_signs(model, y)
    fam = np.asarray(model.row_family)
    y_window = y[fam == model.families.index("visits")]
    y_link = y[fam == model.families.index("visits_meet")]
    own, joint = pricing.value_of_duals(p, y_window, y_link)
    shares = staggered.stop_values(p, colgen._family_duals(model, y, "staggered"))
    assert any(np.abs(v).sum() > 0 for v in shares.values())
    frame = colgen._frame_costs(p, model, y)

    def frame_cost(s, L, starts):
        return np.array([frame.get((s, int(L), int(t)), np.inf) for t in starts])

    found = pricing.price_all(p, own, joint, frame_cost=frame_cost, keep=3, below=0.0, stop_value=shares)
    have = {p._loop_key(j) for j in np.nonzero(p.shift_loop >= 0)[0]}
    found = [c for c in found if (c.station, c.start, c.length, c.visits) not in have][:60]
    assert found
    priced = colgen._true_reduced_costs(p, found, y_window, y_link, frame, shares)
    q = p.with_loop_columns(found)
    wider = build_model(q, allow_gaps=True)
    assert wider.n_rows == model.n_rows and np.array_equal(wider.row_family, model.row_family)
    index = {q._loop_key(j): j for j in range(p.n_shifts, q.n_shifts)}
    js = np.array([index[(c.station, c.start, c.length, c.visits)] for c in found])
    in_model = wider.col_cost[js] - wider.A[:, js].T @ y
    np.testing.assert_allclose(priced, in_model, rtol=1e-9, atol=1e-7)
    # and the staggered part is not nothing for the loops that stop in a shared zone
    in_shared = [i for i, c in enumerate(found) if any(staggered.sharing_members(p, int(p.hotspot_zone[h]))
                                                       for h, _ in c.visits)]
    assert in_shared


@pytest.mark.parametrize("fairness", [0.0, 10.0])
def test_a_staggered_zone_shares_its_rendezvous_visits_by_teams(fairness):
    """Stations A (5 min away) and B (40 min away) share the staggered zone Z of hotspot H,
    visited 30 min every hour all day (12 on-site hours); B also keeps its own hotspot HB the
    same way, so the load per team pulls work away from B. 4-hour shifts: each member may be
    one shift (4 h) off its share (6 h, equal teams) for free. Without the share A, the nearer,
    does every visit at H; with it (``objective.fairness`` 10) B takes its turn at H."""
    from dataclasses import replace

    from builders import VISIT_COLUMNS, visit_travel
    from patrolplan.inputs.demand import expand_demand, expand_visits
    from patrolplan.model.problem import Problem
    from patrolplan.solver.solve import SolveParams, solve

    sc = make_scenario([("A", 16, "X"), ("B", 16, "Y")], [("H", "Z"), ("HB", "ZB")],
                       [("Z", "staggered", ["A", "B"]), ("ZB", "staggered", ["B"])],
                       rules={"shift_hours": [4]}, visits=RENDEZVOUS, objective={"fairness": fairness})
    rows = [(h, "", "mon", "00:00", "00:00", 1, "visit", 30, 60) for h in ("H", "HB")]
    sc = sc.replace(demand=pd.DataFrame(rows, columns=VISIT_COLUMNS))
    tr = visit_travel(sc, 5, 30)
    out = tr.out_min.copy()
    out[1, 0] = 40  # B -> H
    tr = replace(tr, out_min=out, back_min=out.T.copy())
    p = Problem.from_tables(sc, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(sc),
                            visits=expand_visits(sc), hop_min=tr.hop_min)
    result = solve(p, replace(SolveParams.from_config(sc.config), gap_tolerance_pct=0.0, time_limit_s=30))
    assert result.status in ("optimal", "feasible")
    assert _broken(result, sc, tr) == []
    v = result.visits[result.visits["hotspot_id"] == "H"]
    hours = ((pd.to_datetime(v["depart"]) - pd.to_datetime(v["arrive"])).dt.total_seconds() / 3600).groupby(
        v["station_id"]).sum()
    total = float(hours.sum())
    assert total >= 12.0 - 1e-9
    if fairness == 0:
        assert hours.get("B", 0.0) == 0.0
    else:
        for station in ("A", "B"):
            assert abs(hours.get(station, 0.0) - total / 2) <= 4.0 + 1e-6, (station, dict(hours))


def test_the_log_says_a_bound_over_the_loops_found_holds_for_those_only(capsys):
    """The pre-check's LP and the MIP's progress run over the loops found, so their bounds in
    the log hold for those loops only, and say so; summary.json's best_bound is column
    generation's proven one or null. A week of the enumerated loops (a model of its own) says
    nothing more."""
    met, *_ = solve_visits(_two_stations(**RENDEZVOUS), DAY, out=10, hop=10, progress=True)
    err = capsys.readouterr().err
    lines = [ln for ln in met.log if ln.startswith("pre-check: passed, LP bound")]
    assert lines and all(ln.endswith("(over the loops found only)") for ln in lines), met.log
    progress = [ln for ln in err.splitlines() if "] roster " in ln and " bound " in ln]
    assert all(ln.endswith("(over the loops found only)") for ln in progress), progress
    shared, *_ = solve_visits(_two_stations(), DAY, out=10, hop=10)
    lines = [ln for ln in shared.log if ln.startswith("pre-check: passed, LP bound")]
    assert lines and not any("loops found" in ln for ln in lines), shared.log
