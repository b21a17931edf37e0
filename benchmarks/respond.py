"""Benchmarks of tiered response (issue 13) on the Jining week.

    .venv/bin/python benchmarks/respond.py [--hard-time-limit S] [--questions N] [--out FILE]

1. **response table overhead**: the Jining demo week solved as the demo has it (no pictures);
   ``summary.json``'s ``stats.response_seconds`` (hotspot -> hotspot road minutes and
   ``response.csv``) against ``solve_seconds``;
2. **respond latency**: ``Responder.load`` on that run folder, then ``answer`` at every
   hotspot at a night hour and at random points inside Jining (seeded): median and worst;
3. **backup hard**: the same week with ``response.backup: hard`` and
   ``solver.gap_tolerance_pct: 2``, time limit ``--hard-time-limit`` (120 s): status, gap to
   the bound, seconds, the independent check; and with ``soft`` (the demo) for comparison;
4. with ``--synthetic``: the synthetic Jining-scale week of ``benchmarks/run.py`` (146
   stations, 160 hotspots, 24/7 demand, seed 0) with backup off and hard, same settings.

Scenarios are written to a temporary folder, never into the repo. Numbers, not tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml


def _scenario(folder: Path, **response) -> Path:
    from patrolplan.scenarios.jining import write_scenario

    config = write_scenario(folder)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw.setdefault("response", {}).update(response)
    config.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config


def _solve(config: Path, out: Path, *, time_limit_s: float | None = None, gap_pct: float | None = None) -> dict:
    from patrolplan.inputs.io import load_scenario
    from patrolplan.runner import run_scenario

    scenario = load_scenario(config)
    if gap_pct is not None:
        cfg = scenario.config
        scenario = scenario.replace(config=cfg.replace(solver=cfg.solver.model_copy(update={"gap_tolerance_pct": gap_pct})))
    t0 = time.perf_counter()
    outcome = run_scenario(scenario, out, time_limit_s=time_limit_s, pictures=False)
    s = outcome.result.summary
    return {"status": s["status"], "gap_pct": s.get("gap_pct"), "solve_seconds": s["solve_seconds"],
            "run_seconds": round(time.perf_counter() - t0, 2), "response_seconds": s["stats"].get("response_seconds"),
            "check_ok": s.get("check", {}).get("ok"), "shifts": s["shifts"], "team_hours": s["team_hours"],
            "response": s.get("response"), "model_rows": s["stats"].get("model_rows")}


def _latency(run_dir: Path, questions: int) -> dict:
    from patrolplan.response import Responder

    t0 = time.perf_counter()
    responder = Responder.load(run_dir)
    load_s = time.perf_counter() - t0
    times = []
    for hid in responder.hotspot_ll:
        t = time.perf_counter()
        responder.answer(hotspot=hid, time="2026-12-04T22:30")
        times.append(time.perf_counter() - t)
    rng = np.random.default_rng(0)
    names, polys = responder.counties
    inside = [g for n, g in zip(names, polys) if n in set(responder.county_of.values())]
    asked = 0
    while asked < questions:
        g = inside[int(rng.integers(len(inside)))]
        x0, y0, x1, y1 = g.bounds
        lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        import shapely

        if not g.covers(shapely.Point(lon, lat)):
            continue
        t = time.perf_counter()
        responder.answer(lon=lon, lat=lat, time=f"2026-12-0{1 + asked % 6}T{asked % 24:02d}:15")
        times.append(time.perf_counter() - t)
        asked += 1
    return {"load_seconds": round(load_s, 2), "questions": len(times),
            "median_seconds": round(statistics.median(times), 3), "max_seconds": round(max(times), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hard-time-limit", type=float, default=120.0, help="time limit of the backup-hard solve (s)")
    parser.add_argument("--questions", type=int, default=50, help="random incident points asked (besides the hotspots)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--synthetic", action="store_true", help="also the synthetic 24/7 Jining-scale week")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="patrolplan-respond-bench-"))
    results: dict = {}

    off = _scenario(tmp / "off", backup="off")
    results["off"] = _solve(off, tmp / "run-off")
    r = results["off"]
    r["response_share_pct"] = round(100 * r["response_seconds"] / r["solve_seconds"], 1)
    print(f"off:  {r['status']} {r['gap_pct']} % gap, solve {r['solve_seconds']} s, response table "
          f"{r['response_seconds']} s ({r['response_share_pct']} % of the solve)", flush=True)

    results["respond"] = _latency(tmp / "run-off", args.questions)
    print(f"respond: load {results['respond']['load_seconds']} s; {results['respond']['questions']} answers, "
          f"median {results['respond']['median_seconds']} s, worst {results['respond']['max_seconds']} s", flush=True)

    soft = _scenario(tmp / "soft", backup="soft")
    results["soft"] = _solve(soft, tmp / "run-soft")
    hard = _scenario(tmp / "hard", backup="hard")
    results["hard"] = _solve(hard, tmp / "run-hard", time_limit_s=args.hard_time_limit, gap_pct=2.0)
    for key in ("soft", "hard"):
        r = results[key]
        resp = r["response"] or {}
        print(f"{key}: {r['status']} {r['gap_pct']} % gap, solve {r['solve_seconds']} s, {r['team_hours']} team-hours, "
              f"check ok {r['check_ok']}, second team within {resp.get('backup_minutes')} min: "
              f"{resp.get('second_within_share')}, backup of another station: {resp.get('backup_within_share')}",
              flush=True)
    if args.synthetic:
        from patrolplan.scenarios.generate import generate_scenario

        for key in ("off", "hard"):
            config = generate_scenario(tmp / f"synthetic-{key}", stations=146, hotspots=160, coverage=1.0, seed=0)
            raw = yaml.safe_load(config.read_text(encoding="utf-8"))
            raw["response"] = {"backup": key}
            config.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
            r = results[f"synthetic-{key}"] = _solve(config, tmp / f"run-synthetic-{key}",
                                                     time_limit_s=args.hard_time_limit, gap_pct=2.0)
            resp = r["response"] or {}
            print(f"synthetic {key}: {r['status']} {r['gap_pct']} % gap, solve {r['solve_seconds']} s, "
                  f"{r['team_hours']} team-hours, {r['model_rows']} rows, check ok {r['check_ok']}, response table "
                  f"{r['response_seconds']} s, second team within {resp.get('backup_minutes')} min: "
                  f"{resp.get('second_within_share')}", flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
