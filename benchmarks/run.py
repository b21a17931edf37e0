"""Benchmarks: patrolplan's staged solve against two baselines, size by size.

    .venv/bin/python benchmarks/run.py [--sizes small,jining,jining-key,4x,province]
                                       [--time-limit S] [--naive-time-limit S] [--out FILE]

Each size is a synthetic week (``patrolplan.scenarios.generate``, seed 0, cached in a temporary
folder, never in the repo). Each part runs in a subprocess of its own, so that the peak
memory reported (``ru_maxrss``) is that part's alone:

``main``
    the staged solve, stage by stage as ``patrolplan.solver.solve.solve`` runs them (Problem and
    model build, pre-check LP, greedy hint, HiGHS MIP (LP-guided), named teams), with the
    time of every improving roster; then ``solve()`` end to end (its summary: best_bound,
    gap_pct); and the greedy planner alone under both rules (``nearest``: the planner's rule
    of thumb; ``cheapest``: the default hint). Every roster is re-checked by
    ``patrolplan.check.check_roster``.
``naive``
    one CP-SAT boolean per (team, candidate shift) (``benchmarks/naive_model.py``), skipped
    above ``--naive-max-booleans``.

Results go to ``--out`` (JSON, default: the temporary folder) and a Markdown table on stdout.
Benchmark numbers, never timed tests: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIZES = {
    # name: (stations, hotspots, coverage share of each day)
    "small": (20, 16, 1.0),
    "jining": (146, 160, 1.0),
    "jining-key": (146, 160, 0.25),
    "4x": (584, 640, 1.0),
    "province": (1500, 1300, 1.0),
}
#: Time limit per size (seconds) unless --time-limit is given: the issue's targets.
TIME_LIMITS = {"small": 60, "jining": 60, "jining-key": 30, "4x": 300, "province": 300}
CACHE = Path(tempfile.gettempdir()) / "patrolplan-bench"


def scenario_path(size: str) -> Path:
    from patrolplan.scenarios.generate import generate_scenario

    folder = CACHE / size
    config = folder / "config.yaml"
    if not config.is_file():
        stations, hotspots, coverage = SIZES[size]
        generate_scenario(folder, stations=stations, hotspots=hotspots, days=7, seed=0, coverage=coverage,
                          name=f"bench-{size}")
    return config


def _check(scenario, roster) -> dict:
    from patrolplan.check import check_roster

    t = time.perf_counter()
    report = check_roster(scenario, roster)
    return {"check_ok": bool(report.ok), "check_violations": len(report.violations),
            "check_seconds": round(time.perf_counter() - t, 2)}


def _peak_mb() -> float:
    """Peak resident memory of this process so far (MB): after each stage, the peak up to it."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _pct(obj, bound):
    if obj is None or bound is None:
        return None
    return round(100 * (obj - bound) / max(abs(obj), 1e-9), 3)


def run_main(size: str, time_limit: float, gap_pct: float, workers: int) -> dict:
    from patrolplan.solver import engines
    from patrolplan.model.assign import assign_teams
    from patrolplan.solver.explain import precheck
    from patrolplan.model.greedy import greedy_counts
    from patrolplan.inputs.io import load_scenario
    from patrolplan.model.build import build_model
    from patrolplan.model.problem import Problem
    from patrolplan.solver.result import roster_table
    from patrolplan.solver.solve import SolveParams, solve

    out: dict = {"size": size}
    scenario = load_scenario(scenario_path(size))
    T = time.perf_counter
    t0 = T()
    problem = Problem.from_scenario(scenario)
    t_problem = T() - t0
    model = build_model(problem)
    out.update(
        problem_seconds=round(t_problem, 2), model_build_seconds=round(T() - t0, 2),
        stations=len(problem.station_ids), hotspots=len(problem.hotspot_ids), teams=int(problem.teams.sum()),
        candidate_shifts=problem.n_shifts, model_columns=model.n_cols, model_rows=model.n_rows,
        demand_team_hours=problem.demand_team_hours(),
    )

    # --- the staged solve, as solve() runs it; times from the start of the solve ----------
    peak_mb = out.setdefault("peak_mb_after", {})
    peak_mb["build"] = _peak_mb()
    # as solve() runs them: the greedy roster first (published as the first roster, and the
    # MIP's warm start), then the pre-check LP (handed on to the MIP), then the MIP
    t1 = T()
    hint = greedy_counts(problem, model)
    out["greedy_hint_seconds"] = round(T() - t1, 2)
    out["greedy_hint_ok"] = hint is not None
    peak_mb["greedy"] = _peak_mb()
    timeline: list[tuple[float, float, float]] = []
    greedy_obj = None
    if hint is not None:
        full = engines.complete_columns(model, hint)
        if full is not None:
            greedy_obj = model.objective(full)
    t = T()
    pre = precheck(problem, model=model)
    out["lp_seconds"] = round(T() - t, 2)
    out["lp_bound"] = pre.lp_bound
    peak_mb["lp"] = _peak_mb()
    if greedy_obj is not None:  # the greedy's roster is the first one; its gap is known once the LP is
        timeline.append((out["greedy_hint_seconds"], greedy_obj, pre.lp_bound))

    def progress(elapsed, objective, bound):
        if objective < 1e20 and (not timeline or objective < timeline[-1][1] - 1e-6):
            timeline.append((round(T() - t1, 2), float(objective), float(bound)))

    t_mip = T()
    res = engines.solve_highs(model, time_limit_s=max(time_limit - (T() - t1), 1.0) * 0.9, workers=workers,
                              gap_tolerance_pct=gap_pct, hint=hint, progress=progress, lp=pre.lp)
    out["mip_seconds"] = round(T() - t_mip, 2)
    out["mip_status"] = res.status
    peak_mb["mip"] = _peak_mb()
    if res.x is not None:
        t = T()
        a = assign_teams(problem, res.x)
        out["assign_seconds"] = round(T() - t, 2)
        out["assign_failed_stations"] = len(a.failed)
        peak_mb["named_teams"] = _peak_mb()
        out["staged_seconds"] = round(T() - t1, 2)
        roster = roster_table(problem, a.shift_col, a.team)
        bound = max(b for b in (res.bound, pre.lp_bound) if b is not None)
        out.update(objective=res.objective, best_bound=min(bound, res.objective),
                   gap_pct=_pct(res.objective, min(bound, res.objective)),
                   rostered_team_hours=float(problem.shift_len_min[a.shift_col].sum() / 60),
                   **{f"staged_{k}": v for k, v in _check(scenario, roster).items()})
    out["timeline"] = timeline
    out["first_roster_seconds"] = timeline[0][0] if timeline else None
    out["first_roster_greedy_first_seconds"] = out["greedy_hint_seconds"] if hint is not None else None
    lp_known = out["greedy_hint_seconds"] + out["lp_seconds"]  # a gap is known once the LP bound is
    for target in (2.0, 1.0, 0.5):
        lb = out.get("best_bound") or pre.lp_bound
        hit = [max(t, lp_known) for t, o, _ in timeline if lb is not None and _pct(o, lb) <= target]
        out[f"within_{target:g}pct_seconds"] = round(hit[0], 2) if hit else None

    # --- solve() end to end: the summary.json numbers (skipped where the staged run was long)
    t = T()
    result = None if out.get("staged_seconds", 1e9) > 120 else solve(problem, SolveParams(time_limit_s=time_limit, workers=workers, gap_tolerance_pct=gap_pct))
    s = result.summary if result is not None else None
    out["solve"] = None if s is None else {"seconds": round(T() - t, 2), "status": s["status"], "objective": s["objective"],
                    "best_bound": s["best_bound"], "gap_pct": s["gap_pct"], "team_hours": s["team_hours"],
                    **_check(scenario, result.roster)}  # noqa: E501

    # --- the greedy planner alone, both rules -------------------------------------------------
    for rule in ("nearest", "cheapest"):
        t = T()
        g = greedy_counts(problem, model, rule=rule)
        sec = round(T() - t, 2)
        entry: dict = {"seconds": sec, "ok": g is not None}
        if g is None:
            gg = greedy_counts(problem, model, rule=rule, allow_gaps=True)
            present = problem.cover @ gg
            need = problem.required[problem.cover_hotspot, problem.cover_slot]
            entry["short_slots"] = int((present < need).sum())
        else:
            full = engines.complete_columns(model, g)
            entry["objective"] = model.objective(full) if full is not None else None
            entry["gap_pct_vs_bound"] = _pct(entry["objective"], out.get("best_bound") or pre.lp_bound)
            a = assign_teams(problem, g)
            entry["assign_failed_stations"] = len(a.failed)
            entry["team_hours"] = float(problem.shift_len_min[a.shift_col].sum() / 60)
            entry.update(_check(scenario, roster_table(problem, a.shift_col, a.team)))
        out[f"greedy_{rule}"] = entry
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def run_naive(size: str, time_limit: float, workers: int, max_booleans: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from naive_model import n_booleans, solve_naive

    from patrolplan.inputs.io import load_scenario
    from patrolplan.model.build import build_model
    from patrolplan.model.problem import Problem
    from patrolplan.solver.result import roster_table

    scenario = load_scenario(scenario_path(size))
    problem = Problem.from_scenario(scenario)
    model = build_model(problem)
    n = n_booleans(problem)
    out: dict = {"booleans": n}
    if n > max_booleans:
        out["status"] = f"skipped (> {max_booleans:,} booleans)"
        return out
    r = solve_naive(problem, model, time_limit_s=time_limit, workers=workers)
    out.update(status=r.status, build_seconds=round(r.build_seconds, 2), solve_seconds=round(r.solve_seconds, 2),
               first_solution_seconds=None if r.first_solution_seconds is None else round(r.first_solution_seconds, 2),
               objective=r.objective, bound=r.bound)
    if r.team is not None:
        cols = np.array([j for j, ks in sorted(r.team.items()) for _ in ks], dtype=np.int64)
        teams = np.array([k for _, ks in sorted(r.team.items()) for k in ks], dtype=np.int64)
        out.update(_check(scenario, roster_table(problem, cols, teams)))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def _child(args) -> int:
    if args.part == "main":
        out = run_main(args.one, args.time_limit, args.gap_pct, args.workers)
    else:
        out = run_naive(args.one, args.naive_time_limit, args.workers, args.naive_max_booleans)
    print("RESULT " + json.dumps(out, default=float), flush=True)
    return 0


def _spawn(size: str, part: str, args) -> dict:
    time_limit = args.time_limit if args.time_limit is not None else TIME_LIMITS[size]
    naive_limit = args.naive_time_limit if args.naive_time_limit is not None else time_limit
    cmd = [sys.executable, __file__, "--one", size, "--part", part, "--time-limit", str(time_limit),
           "--naive-time-limit", str(naive_limit), "--gap-pct", str(args.gap_pct), "--workers",
           str(args.workers), "--naive-max-booleans", str(args.naive_max_booleans)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout)[-2000:]}


def _fmt(v, spec="{:,.1f}"):
    return "–" if v is None else spec.format(v)


def table(results: list[dict]) -> str:
    """Two Markdown tables: the staged solve, then the baselines beside it."""
    head = ["| size | candidate shifts / model cols / rows | build s | LP s | first roster s | ≤ 2 % s | ≤ 1 % s "
            "| objective | best bound | gap % | rostered / demanded team-h | check | peak MB | `solve()`: s, status, gap % |",
            "|" + "---|" * 14]
    base = ["| size | greedy nearest (baseline) | greedy cheapest (hint) | one boolean per team (CP-SAT) |",
            "|---|---|---|---|"]
    for r in results:
        m, nv = r["main"], r["naive"]
        if "error" in m:
            head.append(f"| {r['size']} | error: {m['error'][-160:]!r} |")
            continue
        s = m.get("solve")
        solve_cell = "skipped (staged run > 120 s)" if s is None else (
            f"{s['seconds']} s, {s['status']}, {_fmt(s['gap_pct'], '{:.2f}')} %, check {'ok' if s['check_ok'] else 'FAIL'}")
        head.append(
            f"| {r['size']} | {m['candidate_shifts']:,} / {m['model_columns']:,} / {m['model_rows']:,} "
            f"| {m['model_build_seconds']} | {m['lp_seconds']} | {_fmt(m['first_roster_seconds'])} "
            f"| {_fmt(m['within_2pct_seconds'])} | {_fmt(m['within_1pct_seconds'])} | {_fmt(m.get('objective'))} "
            f"| {_fmt(m.get('best_bound'))} | {_fmt(m.get('gap_pct'), '{:.2f}')} "
            f"| {_fmt(m.get('rostered_team_hours'), '{:,.0f}')} / {m['demand_team_hours']:,.0f} "
            f"| {'ok' if m.get('staged_check_ok') else 'FAIL'} | {m['peak_rss_mb']:,} | {solve_cell} |")

        def fmt_g(g):
            if not g["ok"]:
                return f"{g['seconds']} s: fails, {g['short_slots']} hotspot-slots short"
            return (f"{g['seconds']} s: {_fmt(g['objective'])}, {g['gap_pct_vs_bound']} % over the bound, "
                    f"check {'ok' if g['check_ok'] else 'FAIL'}")

        if nv.get("objective") is not None:
            naive = (f"{nv['booleans']:,} booleans, build {nv['build_seconds']} s, first roster at "
                     f"{nv['first_solution_seconds']} s, {_pct(nv['objective'], m.get('best_bound'))} % over the bound, "
                     f"check {'ok' if nv.get('check_ok') else 'FAIL'}, {nv['peak_rss_mb']:,} MB")
        elif "build_seconds" in nv:
            naive = (f"{nv['booleans']:,} booleans, build {nv['build_seconds']} s, no roster in "
                     f"{nv['solve_seconds']} s ({nv['status']}), {nv['peak_rss_mb']:,} MB")
        else:
            naive = f"{nv.get('booleans', 0):,} booleans: {nv.get('status', nv.get('error', '?'))[:80]}"
        base.append(f"| {r['size']} | {fmt_g(m['greedy_nearest'])} | {fmt_g(m['greedy_cheapest'])} | {naive} |")
    return "\n".join(head) + "\n\n" + "\n".join(base)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="small,jining,jining-key,4x,province")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="staged solve, seconds (default per size: 60; jining-key 30; 4x and province 300)")
    ap.add_argument("--naive-time-limit", type=float, default=None,
                    help="naive model, seconds (default: the staged solve's)")
    ap.add_argument("--gap-pct", type=float, default=0.5, help="stop within this gap (default 0.5, as the config)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--naive-max-booleans", type=int, default=1_500_000)
    ap.add_argument("--out", type=Path, default=None, help="results JSON (default: in the temporary folder)")
    ap.add_argument("--render", type=Path, default=None, help="print the tables of a results JSON and stop")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--part", choices=("main", "naive"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        return _child(args)
    if args.render:
        data = json.loads(args.render.read_text())
        print(json.dumps(data["meta"]))
        print(table(data["results"]))
        return 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size(s) {unknown}: use {', '.join(SIZES)}")
    CACHE.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        scenario_path(size)
        r = {"size": size}
        for part in ("main", "naive"):
            t = time.perf_counter()
            r[part] = _spawn(size, part, args)
            print(f"{size} {part}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
        results.append(r)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.platform()}", "python": platform.python_version(),
            "gap_pct": args.gap_pct, "time_limits_s": {s: args.time_limit or TIME_LIMITS[s] for s in sizes}}
    out_path = args.out or CACHE / "results.json"
    out_path.write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=float))
    print(json.dumps(meta))
    print(table(results))
    print(f"results: {out_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
