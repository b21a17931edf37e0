"""Benchmarks of incidents -> border hotspots (issue 24) on Jining's real counties.

    .venv/bin/python benchmarks/incidents.py [--seeds 3] [--timing-incidents 100000] [--no-solve] [--out FILE]

1. **detection**: for each seed, eight weeks of synthetic incidents over Jining's 11 real
   counties (``scenarios/incidents.py``: 12 planted border hot spots with their own peak hours,
   6 interior clusters, 1,500 background incidents a week, 6 incidents a week per spot) and a
   ninth week; ``patrolplan hotspots`` with ``configs/jining.yaml`` on the eight weeks.
   Reported: **recall** (planted border hot spots with a found hotspot within 500 m),
   **precision** (found hotspots within 500 m of a planted border hot spot), interior clusters
   taken for border hotspots, **hours** (found hotspots whose active hours hold all but at most
   one of the planted peak hours, and whose active hours are at most the peak + 3), and the
   **PAI** of the found hotspots on the ninth week (``evaluate``'s definition);
2. **loop** (first seed, unless ``--no-solve``): the derived scenario solved (time limit 20 s),
   checked, and evaluated on the ninth week: ``covered_share``;
3. **timing**: ``patrolplan hotspots`` end to end (load, read, borders, detection, hours,
   zones, the folder with its map) on ``--timing-incidents`` incidents (background scaled up),
   wall and CPU seconds. Target: 100,000 incidents <= 10 s.

Scenarios and incident files are written to a temporary folder. Numbers, not tests.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "jining.yaml"
WEEK = dt.date(2026, 11, 30)


def _history(scenario, seed: int, **kw):
    from patrolplan.scenarios.incidents import generate_incidents

    return generate_incidents(scenario.boundaries, roads=scenario.roads, units=set(scenario.stations["county"]),
                              start=WEEK - dt.timedelta(weeks=8), weeks=9, seed=seed, **kw)


def _metres(a: pd.DataFrame, b: pd.DataFrame, borders) -> np.ndarray:
    ax, ay = borders.to_xy(a["lon"].to_numpy(), a["lat"].to_numpy())
    bx, by = borders.to_xy(b["lon"].to_numpy(), b["lat"].to_numpy())
    return np.hypot(ax[:, None] - bx[None, :], ay[:, None] - by[None, :])


def detection(scenario, seed: int, folder: Path, *, solve: bool) -> dict:
    from patrolplan.check import read_roster, read_visits
    from patrolplan.cli import main
    from patrolplan.incidents.evaluate import evaluate_week
    from patrolplan.incidents.read import read_incidents
    from patrolplan.incidents.scenario import derive
    from patrolplan.inputs.network import road_graph

    h = _history(scenario, seed, border_spots=12, interior_spots=6, spot_gap_m=5000)
    path = folder / f"incidents-{seed}.csv"
    h.incidents.to_csv(path, index=False)
    incidents = read_incidents(path, boundaries=scenario.boundaries, until=scenario.horizon_start)
    derived = derive(scenario, incidents, graph=road_graph(scenario))
    planted = h.planted
    border, interior = planted[planted["kind"] == "border"], planted[planted["kind"] == "interior"]
    found = derived.hotspots
    d = _metres(border, found, derived.borders)
    recall = float((d <= 500).any(axis=1).mean())
    precision = float((d <= 500).any(axis=0).mean()) if len(found) else 0.0
    interior_taken = int((_metres(interior, found, derived.borders) <= 500).any(axis=1).sum()) if len(found) else 0
    hours_ok = 0
    for k, hrow in enumerate(found.itertuples()):
        j = int(np.argmin(d[:, k]))
        p = border.iloc[j]
        active = set(derived.hours[hrow.hotspot_id].active)
        peak = {(int(p.start_h) + i) % 24 for i in range(int(p.hours))}
        hours_ok += int(len(peak & active) >= int(p.hours) - 1 and len(active) <= int(p.hours) + 3)
    week = read_incidents(path, boundaries=scenario.boundaries).table
    sc2 = scenario.replace(hotspots=found.assign(risk=found["risk"]))
    empty = pd.DataFrame(columns=["shift_id", "team_id", "station_id", "hotspot_id", "start", "end", "on_site_start",
                                  "on_site_end"])
    pai = evaluate_week(sc2, empty, None, week, graph=None).figures["pai"]
    out = {"seed": seed, "incidents": len(h.incidents), "planted_border": len(border), "found": len(found),
           "recall": round(recall, 3), "precision": round(precision, 3), "interior_taken": interior_taken,
           "hours_hold_peak": f"{hours_ok}/{len(found)}", "pai_week9": pai}
    if solve:
        scen_dir, run = folder / f"derived-{seed}", folder / f"run-{seed}"
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["hotspots", str(CONFIG), "--incidents", str(path), "--out", str(scen_dir)]) == 0
            t0 = time.perf_counter()
            code = main(["solve", str(scen_dir / "config.yaml"), "--out", str(run), "--time-limit", "20", "--quiet",
                         "--no-pictures"])
            solve_s = time.perf_counter() - t0
            check = main(["check", str(scen_dir / "config.yaml"), str(run)])
            buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            main(["evaluate", str(run), "--incidents", str(path), "--json"])
        ev = json.loads(buf.getvalue())
        summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
        out.update(solve_exit=code, solve_status=summary["status"], solve_seconds=round(solve_s, 1), check_exit=check,
                   covered=ev["covered"], at_hotspots=ev["at_hotspots"], covered_share=ev["covered_share"],
                   pai_evaluate=ev["pai"])
    return out


def timing(scenario, n: int, folder: Path) -> dict:
    import resource

    from patrolplan.cli import main

    per_week = max(100, int(n / 8) - 12 * 6 - 6 * 6)
    h = _history(scenario, 99, border_spots=12, interior_spots=6, spot_gap_m=5000, background_per_week=per_week)
    hist = h.incidents[pd.to_datetime(h.incidents["time"]) < pd.Timestamp(WEEK)]
    path = folder / "timing.csv"
    hist.to_csv(path, index=False)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["hotspots", str(CONFIG), "--incidents", str(path), "--out", str(folder / "timing-out")])
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    figures = json.loads((folder / "timing-out" / "hotspots.json").read_text(encoding="utf-8"))
    return {"incidents": len(hist), "exit": code, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "hotspots": figures["hotspots"], "target_s": 10}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--timing-incidents", type=int, default=100_000)
    ap.add_argument("--no-solve", action="store_true")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    from patrolplan.inputs.io import load_scenario

    scenario = load_scenario(CONFIG)
    result = {"detection": [], "timing": None}
    with tempfile.TemporaryDirectory(prefix="patrolplan-incidents-") as tmp:
        folder = Path(tmp)
        for k, seed in enumerate(range(1, args.seeds + 1)):
            row = detection(scenario, seed, folder, solve=(k == 0 and not args.no_solve))
            print(json.dumps(row, ensure_ascii=False), flush=True)
            result["detection"].append(row)
        if args.timing_incidents:
            result["timing"] = timing(scenario, args.timing_incidents, folder)
            print(json.dumps(result["timing"]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
