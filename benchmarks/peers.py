"""Peers on the same aggregated model: the staged solve against other MIP solvers.

    .venv/bin/pip install -e ".[bench]"      # pyscipopt (SCIP) and pulp (its bundled CBC binary)
    .venv/bin/python benchmarks/peers.py [--sizes small,jining] [--time-limit 120]

Every peer gets the model ``patrolplan solve --write-model`` writes (the stage-1 aggregated
model of the synthetic week of ``benchmarks/run.py``, same seed) and the same time limit:

``staged``   patrolplan's own solve of stage 1 (greedy start, LP, LP-guided HiGHS MIP);
``highs``    the plain HiGHS branch and bound on the whole model, no start;
``scip``     SCIP (pyscipopt) reading the MPS file;
``cbc``      CBC (the binary PuLP ships) reading the MPS file;
``cpsat``    OR-Tools CP-SAT on the same rows (continuous columns in minutes).

Each row: seconds to the first feasible solution of the model (a set of shift counts with no
gap; the named-team step is not timed here), the objective at the limit and its gap to the
model's LP bound. Each peer runs in a subprocess of its own. Numbers, not tests: nothing here
is collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import scenario_path  # noqa: E402

PEERS = ("staged", "highs", "scip", "cbc", "cpsat")


def _model(size: str):
    from patrolplan.inputs.io import load_scenario
    from patrolplan.model.build import build_model
    from patrolplan.solver.solve import prepare

    scenario = load_scenario(scenario_path(size))
    problem, _ = prepare(scenario)
    return problem, build_model(problem)


def _mps(size: str) -> Path:
    from patrolplan.solver.export import write_model

    path = Path(tempfile.gettempdir()) / "patrolplan-bench" / f"{size}.mps"
    if not path.is_file():
        problem, model = _model(size)
        write_model(problem, model, path)
    return path


def run_peer(size: str, peer: str, limit: float, workers: int) -> dict:
    from patrolplan.solver import engines

    problem, model = _model(size)
    lp = engines.lp_solution(model, time_limit_s=limit)
    out = {"size": size, "peer": peer, "lp_bound": lp.objective, "columns": model.n_cols, "rows": model.n_rows}
    firsts: list[float] = []
    t0 = time.perf_counter()
    if peer in ("staged", "highs"):
        from patrolplan.model.greedy import greedy_counts

        def progress(elapsed, objective, bound):
            if objective < 1e20 and not firsts:
                firsts.append(time.perf_counter() - t0)

        hint = None
        if peer == "staged":
            hint = greedy_counts(problem, model)
            if hint is not None:
                firsts.append(time.perf_counter() - t0)
            res = engines.solve_highs(model, time_limit_s=limit - (time.perf_counter() - t0), workers=workers,
                                      gap_tolerance_pct=0.0, hint=hint, progress=progress, lp=lp)
        else:
            res = engines.solve_highs(model, time_limit_s=limit, workers=workers, gap_tolerance_pct=0.0,
                                      progress=progress, lp_guided=False)
        out.update(objective=res.objective, status=res.status)
    elif peer == "cpsat":
        def progress(elapsed, objective, bound):
            if not firsts:
                firsts.append(time.perf_counter() - t0)

        res = engines.solve_cpsat(model, time_limit_s=limit, workers=workers, gap_tolerance_pct=0.0, progress=progress)
        out.update(objective=res.objective, status=res.status)
    elif peer == "scip":
        import pyscipopt

        m = pyscipopt.Model()
        m.hideOutput()
        m.readProblem(str(_mps(size)))
        m.setParam("limits/time", limit)
        m.setParam("parallel/maxnthreads", workers)
        t0 = time.perf_counter()
        m.optimize()
        sols = m.getSols()
        if sols:
            firsts.append(min(m.getSolTime(s) for s in sols))
            out.update(objective=m.getObjVal(), status=m.getStatus())  # the MPS carries the offset
        else:
            out.update(objective=None, status=m.getStatus())
    elif peer == "cbc":
        import pulp

        cbc = pulp.PULP_CBC_CMD().path
        sol = Path(tempfile.mkdtemp()) / "cbc.sol"
        t0 = time.perf_counter()
        done = subprocess.run([cbc, str(_mps(size)), "sec", str(limit), "threads", str(workers), "solve",
                               "solu", str(sol)], capture_output=True, text=True, timeout=limit * 3 + 60)
        found = re.findall(r"Integer solution of ([-\d.e+]+) found .*?after .*?\(([\d.]+) seconds\)", done.stdout)
        if found:
            firsts.append(float(found[0][1]))
        obj = re.search(r"Objective value:\s+([-\d.e+]+)", done.stdout)
        out.update(objective=float(obj.group(1)) if obj and found else None,  # the MPS carries the offset
                   status="solution" if found else "none")
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["first_seconds"] = round(firsts[0], 2) if firsts else None
    if out.get("objective") is not None and lp.objective:
        out["gap_to_lp_pct"] = round(100 * (out["objective"] - lp.objective) / abs(out["objective"]), 3)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="small,jining")
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_peer(args.one[0], args.one[1], args.time_limit, args.workers)))
        return 0
    rows = []
    for size in args.sizes.split(","):
        _mps(size)
        for peer in args.peers.split(","):
            done = subprocess.run([sys.executable, __file__, "--one", size, peer, "--time-limit", str(args.time_limit),
                                   "--workers", str(args.workers)], capture_output=True, text=True)
            try:
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            except (IndexError, ValueError):
                rows.append({"size": size, "peer": peer, "status": "crashed: " + done.stderr.strip()[-200:]})
            print(json.dumps(rows[-1]), file=sys.stderr)
    print(f"| size | peer | first solution s | objective at {args.time_limit:g} s | gap to LP bound % | status |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        obj = f"{r['objective']:,.1f}" if r.get("objective") is not None else "none"
        first = r.get("first_seconds")
        gap = r.get("gap_to_lp_pct")
        print(f"| {r['size']} | {r['peer']} | {first if first is not None else 'none'} | {obj} | "
              f"{gap if gap is not None else '–'} | {r.get('status')} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
