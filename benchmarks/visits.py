"""Visit weeks: loops at Jining scale and province size against the posts-only plan and the
model-free bounds.

    .venv/bin/python benchmarks/visits.py [--sizes jining,jining-zones,province] [--repeat N]
    .venv/bin/python benchmarks/visits.py --sizes small,small-zones --repeat 1 --time-limit 20   # a quick try
    .venv/bin/python benchmarks/visits.py --render results.json

Each size is the synthetic week of ``run.py`` (``patrolplan.generate``, seed 0, 24/7) in two
versions that ask for the same hotspots and hours:

* **visits**: every zone ``mon-sun 00:00-00:00``, ``presence: visit``, 15 min at least every
  120 min (joint visits in synchronized zones), ``default_demand: 0``;
* **posts**: the same hours as posts, one team (two stations in synchronized zones).

``--rendezvous`` plans the visit weeks with ``visits.rendezvous: true`` (each station its own
loop, joint visits by meeting, loops priced by column generation; issue 22); without it, the
enumerated loops. ``--check-minutes N`` sets the visit weeks' ``visits.check_minutes`` (unset:
15, or the visit grid of 5 where a week too large for column generation is planned from beats). ``--posts-every N`` makes every Nth zone's row of the visit weeks a
post instead (points and loops in one week: 20 of 120 zones at Jining scale with 6).
``--hours HH:MM-HH:MM`` asks the visit weeks' visits at those hours every day instead of all
day (key hours: ``20:00-04:00`` for nights).

A size ending in ``-zones`` (``jining-zones``, ``small-zones``, ``province-zones``) is that week
with its zones shaped like Jining's (issue 22's held-out week: 160 hotspots in 128 zones, 55 of
them synchronized): zones of two hotspots are split until there are 0.8 zones per hotspot, and
43 % of the zones (seeded draw) are synchronized.

Each version runs in a subprocess of its own (peak memory = that process's ``ru_maxrss``):
travel, Problem, the three model-free bounds (``patrolplan.solver.bounds.model_free_bounds``),
then ``patrolplan.solver.solve.solve`` end to end as ``patrolplan solve`` runs it (whatever it
does inside: listed loops or column generation), its progress lines recorded to time the first
gap-free plan and the first plan within 2 % of the final bound; the roster (and its visits) is
re-checked by ``patrolplan.check.check_roster``; its team-hours are split into on site, driving
and waiting (:func:`where_the_hours_go`). ``--repeat N`` runs each N times and reports
the medians. Plain Python timing.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import CACHE, _pct, scenario_path  # noqa: E402

#: seconds for the solve per size and version (the issue's targets: Jining first gap-free plan
#: <= 30 s and within 2 % <= 120 s; province gap-free <= 10 min); other sizes: DEFAULT_LIMIT
TIME_LIMITS = {("jining", "visits"): 120, ("jining", "posts"): 60, ("province", "visits"): 600,
               ("province", "posts"): 300}
DEFAULT_LIMIT = 60
#: Jining's zones (issue 22): 128 zones for 160 hotspots, 55 of them synchronized
ZONES_PER_HOTSPOT = 128 / 160
SYNCHRONIZED_SHARE = 55 / 128


def _limit(size: str, kind: str) -> float:
    return TIME_LIMITS.get((size.removesuffix("-zones"), kind), DEFAULT_LIMIT)


def variant(size: str, kind: str, rendezvous: bool = False, check_minutes: int | None = None,
            posts_every: int | None = None, hours: str | None = None) -> Path:
    """The 24/7 week of ``size`` asking for visits (``kind='visits'``) or one-team posts; a size
    ending in ``-zones``: with Jining-shaped zones (:func:`shape_zones`); ``check_minutes``: the
    visit weeks' ``visits.check_minutes`` (None: the config's default); ``posts_every``: every
    Nth zone's row of a visit week (the first, the N+1st, ...) a one-team post instead;
    ``hours``: ``"HH:MM-HH:MM"``, a visit week's hours every day (None: all day)."""
    base_size = size.removesuffix("-zones")
    base = scenario_path(base_size).parent
    visits = kind == "visits"
    folder = CACHE / (f"{size}-{kind}" + ("-rendezvous" if rendezvous and visits else "")
                      + (f"-check{check_minutes}" if check_minutes is not None and visits else "")
                      + (f"-posts{posts_every}" if posts_every is not None and visits else "")
                      + (f"-hours{hours.replace(':', '')}" if hours is not None and visits else ""))
    config = folder / "config.yaml"
    if config.is_file():
        return config
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(base, folder)
    demand = pd.read_csv(base / "demand.csv", dtype=str, keep_default_na=False)
    zones = pd.read_csv(base / "zones.csv", dtype=str, keep_default_na=False)
    text = (base / "config.yaml").read_text(encoding="utf-8")
    name = _name(text)
    if size != base_size:
        hotspots = pd.read_csv(base / "hotspots.csv", dtype=str, keep_default_na=False)
        zones, hotspots = shape_zones(zones, hotspots)
        zones.to_csv(folder / "zones.csv", index=False)
        hotspots.to_csv(folder / "hotspots.csv", index=False)
        name = f"{name}-zones"
    if kind == "visits":
        start, end = ("00:00", "00:00") if hours is None else hours.split("-")
        rows = pd.DataFrame({"hotspot_id": "", "zone_id": zones["zone_id"], "days": "mon-sun", "start": start,
                             "end": end, "teams": 1, "presence": "visit", "dwell_min": 15, "every_min": 120})
        if posts_every is not None:  # points and loops: every Nth zone a post
            post = np.arange(len(rows)) % int(posts_every) == 0
            rows["presence"] = np.where(post, "post", "visit")
            rows["dwell_min"] = np.where(post, "", "15")
            rows["every_min"] = np.where(post, "", "120")
        rows.to_csv(folder / "demand.csv", index=False)
        text = text.replace("default_demand: 1", "default_demand: 0")
        text = text.replace(f'name: "{_name(text)}"', f'name: "{name}-visits"')
        text += "visits:\n  dwell_minutes: 15\n  max_interval_minutes: 120\n  randomize: true\n"
        if rendezvous:  # issue 22: each station its own loop, priced by column generation
            text += "  rendezvous: true\n"
        if check_minutes is not None:
            text += f"  check_minutes: {int(check_minutes)}\n"
    else:
        if size != base_size:  # the same zones' hours as posts: one team (two in synchronized zones)
            demand = pd.DataFrame({"hotspot_id": "", "zone_id": zones["zone_id"], "days": "mon-sun",
                                   "start": "00:00", "end": "00:00", "teams": 1})
        demand.assign(teams="1").to_csv(folder / "demand.csv", index=False)
        text = text.replace(f'name: "{_name(text)}"', f'name: "{name}-posts"')
    config.write_text(text, encoding="utf-8")
    return config


def shape_zones(zones: pd.DataFrame, hotspots: pd.DataFrame, *, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Jining-shaped zones: zones of two hotspots split (the second hotspot gets a zone of its
    own with the same tier and members) until there are ``ZONES_PER_HOTSPOT`` zones per hotspot,
    then ``SYNCHRONIZED_SHARE`` of the zones synchronized (the rest staggered), drawn with
    ``seed``. Members of every generated zone span two jurisdictions of its tier."""
    zones, hotspots = zones.copy(), hotspots.copy()
    target = round(ZONES_PER_HOTSPOT * len(hotspots))
    pairs = [z for z, n in hotspots.groupby("zone_id", sort=True).size().items() if n >= 2]
    new_rows = []
    for z in pairs[: max(0, target - len(zones))]:
        second = hotspots.index[hotspots["zone_id"] == z][-1]
        zid = f"{z}b"
        hotspots.loc[second, "zone_id"] = zid
        row = zones.loc[zones["zone_id"] == z].iloc[0].copy()
        row["zone_id"] = zid
        new_rows.append(row)
    if new_rows:
        zones = pd.concat([zones, pd.DataFrame(new_rows)], ignore_index=True)
    rng = np.random.default_rng(seed)
    n_sync = round(SYNCHRONIZED_SHARE * len(zones))
    sync = set(rng.choice(len(zones), size=n_sync, replace=False).tolist())
    zones["mode"] = ["synchronized" if i in sync else "staggered" for i in range(len(zones))]
    if "min_stations" in zones:
        zones["min_stations"] = ["2" if i in sync else "" for i in range(len(zones))]
    return zones, hotspots


def _name(text: str) -> str:
    line = next(ln for ln in text.splitlines() if ln.startswith("name:"))
    return line.split(":", 1)[1].strip().strip('"')


class _Lines(io.TextIOBase):
    """stderr, passed through, with each line's arrival kept: the solve's progress lines."""

    def __init__(self, through) -> None:
        self.through, self.lines, self._part = through, [], ""

    def write(self, text: str) -> int:
        self.through.write(text)
        self._part += text
        *done, self._part = self._part.split("\n")
        self.lines.extend(done)
        return len(text)

    def flush(self) -> None:
        self.through.flush()


_STAMP = re.compile(r"^\s*\[\s*([0-9.]+) s\] (.*)$")
_ROSTER = re.compile(r"roster ([0-9,.]+) h\s+bound")
_BEATS = re.compile(r"beat plan: [0-9]+ beats")  # a beat plan that keeps every row: a first roster


def _timeline(lines: list[str]) -> tuple[float | None, list[tuple[float, float]]]:
    """From the solve's progress lines: when the greedy roster (or a beat plan) was ready (None: no line), and
    ``(seconds, objective)`` of every roster the solver reported, improving ones only."""
    greedy, rosters = None, []
    for line in lines:
        m = _STAMP.match(line)
        if not m:
            continue
        t, text = float(m.group(1)), m.group(2)
        if (text.startswith("greedy roster:") or _BEATS.match(text)) and greedy is None:
            greedy = t
        r = _ROSTER.search(text)
        if r:
            obj = float(r.group(1).replace(",", ""))
            if not rosters or obj < rosters[-1][1] - 1e-6:
                rosters.append((t, obj))
    return greedy, rosters


def visits_per_hotspot(visits: pd.DataFrame | None, hotspot_ids) -> dict[str, int]:
    """Visits at each hotspot: rows at one hotspot whose on-site times overlap are one visit (a
    joint visit is a row per team)."""
    out = {h: 0 for h in hotspot_ids}
    if visits is None or not len(visits):
        return out
    v = visits.assign(_a=pd.to_datetime(visits["arrive"]), _d=pd.to_datetime(visits["depart"]))
    for h, g in v.sort_values(["hotspot_id", "_a"]).groupby("hotspot_id", sort=False):
        n, until = 0, None
        for a, d in zip(g["_a"], g["_d"]):
            if until is None or a >= until:
                n += 1
                until = d
            else:
                until = max(until, d)
        out[str(h)] = n
    return out


def single_stop_joint_share(roster: pd.DataFrame, joint_hotspots: set[str]) -> float | None:
    """Of the team-hours of joint shifts (a shift with a stop at one of ``joint_hotspots``: a
    synchronized zone's hotspot asking for visits), the share in shifts of one stop (two teams
    standing at one hotspot). None: no joint shift."""
    if roster is None or not len(roster):
        return None
    stops = roster["loop_hotspots"] if "loop_hotspots" in roster else pd.Series("", index=roster.index)
    stops = [set(str(s).split(";")) - {""} if str(s) not in ("", "nan") else {str(h)}
             for s, h in zip(stops.fillna(""), roster["hotspot_id"])]
    hours = (pd.to_datetime(roster["end"]) - pd.to_datetime(roster["start"])).dt.total_seconds().to_numpy() / 3600
    joint = np.asarray([bool(s & joint_hotspots) for s in stops])
    single = np.asarray([len(s) == 1 for s in stops])
    total = float(hours[joint].sum())
    return None if total <= 0 else round(float(hours[joint & single].sum()) / total, 4)


def where_the_hours_go(roster: pd.DataFrame, visits: pd.DataFrame | None, problem) -> dict[str, float]:
    """The roster's team-hours split three ways, from the roster, its visits and the road
    minutes alone: **on site** (each visit's arrive to depart, each post's on-site time),
    **driving** (out to the first stop, between consecutive stops, back), **waiting** (the
    rest of the shift); and of the waiting, the hours in shifts of stations whose visits
    already reach every visit hotspot of every zone they belong to (nothing else they may
    visit). The whole-teams bound counts on-site time only (in whole teams), so the driving
    and the waiting are what it leaves out."""
    hours = (pd.to_datetime(roster["end"]) - pd.to_datetime(roster["start"])).dt.total_seconds() / 3600
    on_site = ((pd.to_datetime(roster["on_site_end"]) - pd.to_datetime(roster["on_site_start"]))
               .dt.total_seconds() / 3600)
    driving = (roster["travel_out_min"] + roster["travel_back_min"]) / 60
    on_site, driving = dict(zip(roster["shift_id"], on_site)), dict(zip(roster["shift_id"], driving))
    reached: dict[str, set[str]] = {}
    if visits is not None and len(visits):
        at = {h: i for i, h in enumerate(problem.hotspot_ids)}
        v = visits.assign(_a=pd.to_datetime(visits["arrive"]), _d=pd.to_datetime(visits["depart"]))
        for (shift, station), g in v.sort_values(["shift_id", "_a"]).groupby(["shift_id", "station_id"], sort=False):
            stops = [at[h] for h in g["hotspot_id"]]
            on_site[shift] = float((g["_d"] - g["_a"]).dt.total_seconds().sum() / 3600)
            driving[shift] += float(sum(problem.hop_min[a, b] for a, b in zip(stops, stops[1:]) if a != b)) / 60
            reached.setdefault(station, set()).update(g["hotspot_id"])
    wanted = problem.visit_need.any(axis=1)
    may: dict[str, set[str]] = {}
    for h in np.nonzero(wanted)[0]:
        for s in problem.zone_members[int(problem.hotspot_zone[h])]:
            may.setdefault(problem.station_ids[s], set()).add(problem.hotspot_ids[h])
    waiting = {shift: h - on_site[shift] - driving[shift] for shift, h in zip(roster["shift_id"], hours)}
    alone = sum(waiting[shift] for shift, station in zip(roster["shift_id"], roster["station_id"])
                if station in reached and may.get(station, set()) <= reached[station])
    return {"on_site_hours": round(sum(on_site.values()), 1), "driving_hours": round(sum(driving.values()), 1),
            "waiting_hours": round(sum(waiting.values()), 1), "waiting_nothing_else_hours": round(alone, 1)}


def run_one(size: str, kind: str, time_limit: float, gap_pct: float, workers: int, rendezvous: bool = False,
            check_minutes: int | None = None, posts_every: int | None = None, hours: str | None = None) -> dict:
    from dataclasses import replace

    from patrolplan.check import check_roster
    from patrolplan.inputs.io import load_scenario
    from patrolplan.inputs.network import road_graph, travel_times
    from patrolplan.model.pricing import with_seed_loops
    from patrolplan.model.problem import Problem
    from patrolplan.solver.bounds import model_free_bounds, road_minutes, visit_time_bound
    from patrolplan.solver.solve import SolveParams, solve

    T = time.perf_counter
    out: dict = {"size": size, "kind": kind, "time_limit": time_limit}
    scenario = load_scenario(variant(size, kind, rendezvous, check_minutes, posts_every, hours))
    t0 = T()
    travel = travel_times(scenario, graph=road_graph(scenario))
    out["travel_seconds"] = round(T() - t0, 2)
    t0 = T()
    problem = with_seed_loops(Problem.from_scenario(scenario, travel))
    out["problem_seconds"] = round(T() - t0, 2)
    out.update(stations=len(problem.station_ids), hotspots=len(problem.hotspot_ids),
               candidate_shifts=int(problem.n_shifts), loop_columns=int((problem.shift_loop >= 0).sum()),
               loops=len(problem.loop_hotspots),
               visit_hotspot_hours=float(problem.visit_need.sum() * problem.slot_min / 60))
    t0 = T()
    out["lower_bounds"] = model_free_bounds(problem)
    need = visit_time_bound(problem, road_minutes(problem)).visits_needed
    out["bounds_seconds"] = round(T() - t0, 2)

    lines = _Lines(sys.stderr)
    params = replace(SolveParams.from_config(scenario.config), time_limit_s=time_limit, workers=workers,
                     gap_tolerance_pct=gap_pct, progress=True)
    sys.stderr = lines
    try:
        t0 = T()
        result = solve(problem, params)
        solve_seconds = T() - t0
    finally:
        sys.stderr = lines.through
    summary = result.summary
    stats = summary.get("stats", {})
    cg = summary.get("column_generation") or stats.get("column_generation")
    out.update(status=result.status, solve_seconds=round(solve_seconds, 2),
               build_seconds=round(out["problem_seconds"] + float(stats.get("model_build_seconds") or 0), 2),
               model_columns=stats.get("model_columns"), model_rows=stats.get("model_rows"),
               lp_seconds=stats.get("precheck_seconds"), objective=summary.get("objective"),
               best_bound=summary.get("best_bound"), gap_pct=summary.get("gap_pct"),
               team_hours=summary.get("team_hours"), column_generation=cg,
               cg_rounds=None if not cg else cg.get("rounds"), cg_columns=None if not cg else cg.get("columns"))
    greedy, rosters = _timeline(lines.lines)
    ok = result.status in ("optimal", "feasible")
    firsts = [t for t in (greedy, rosters[0][0] if rosters else None) if t is not None]
    out["first_plan_seconds"] = (min(firsts) if firsts else round(solve_seconds, 2)) if ok else None
    out["timeline"] = rosters
    bound = out["best_bound"]
    for target in (2.0, 1.0):
        hit = [t for t, o in rosters if bound is not None and _pct(o, bound) <= target]
        if not hit and ok and out["gap_pct"] is not None and out["gap_pct"] <= target:
            hit = [round(solve_seconds, 2)]  # reached at the end, after the last progress line
        out[f"within_{target:g}pct_seconds"] = round(hit[0], 2) if hit else None
    if ok:
        roster, visits = result.roster, result.visits
        out.update(shifts=int(len(roster)), visits=0 if visits is None else int(len(visits)))
        t = T()
        report = check_roster(scenario, roster, travel=travel, visits=visits)
        out.update(check_ok=bool(report.ok), check_violations=len(report.violations),
                   check_seconds=round(T() - t, 2))
        wanted = [i for i in range(len(problem.hotspot_ids)) if need[i] > 0]
        if wanted:
            seen = visits_per_hotspot(visits, problem.hotspot_ids)
            counts = np.asarray([seen[problem.hotspot_ids[i]] for i in wanted], dtype=float)
            out["visits_per_hotspot"] = {"median": float(np.median(counts)), "max": float(counts.max()),
                                         "need_median": float(np.median(need[wanted])),
                                         "median_ratio": float(np.median(counts / need[wanted]))}
        # joint visits only: a synchronized post (a week with --posts-every) is two teams standing by design
        joint = {problem.hotspot_ids[h] for h in range(len(problem.hotspot_ids))
                 if problem.zone_mode[int(problem.hotspot_zone[h])] == "synchronized" and need[h] > 0}
        out["single_stop_joint_share"] = single_stop_joint_share(roster, joint)
        out.update(where_the_hours_go(roster, visits, problem))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def _spawn(size: str, kind: str, args) -> dict:
    limit = args.time_limit if args.time_limit is not None else _limit(size, kind)
    cmd = [sys.executable, __file__, "--one", size, "--kind", kind, "--time-limit", str(limit), "--gap-pct",
           str(args.gap_pct), "--workers", str(args.workers)] + (["--rendezvous"] if args.rendezvous else [])
    if args.check_minutes is not None:
        cmd += ["--check-minutes", str(args.check_minutes)]
    if args.posts_every is not None:
        cmd += ["--posts-every", str(args.posts_every)]
    if args.hours is not None:
        cmd += ["--hours", args.hours]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout)[-2000:]}


def median_of(runs: list[dict]) -> dict:
    """One result from ``--repeat`` runs: the median of every number (nested dicts too), the
    first run's other values; ``runs``: how many."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]

    def merge(values: list):
        first = values[0]
        if isinstance(first, bool) or not isinstance(first, (int, float, dict)):
            return first
        if isinstance(first, dict):
            return {k: merge([v.get(k) for v in values if isinstance(v, dict)]) for k in first}
        nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return statistics.median(nums) if nums else None

    out = {k: merge([r.get(k) for r in ok]) for k in ok[0]}
    out["runs"] = len(ok)
    return out


def _check(r: dict) -> str:
    """The checker's verdict on a version's roster; "–" for a version not run."""
    if not r:
        return "–"
    return "no roster" if "check_ok" not in r else "ok" if r["check_ok"] else "FAIL"


def _f(v, spec="{:,.1f}"):
    return "–" if v is None else spec.format(v)


def table(results: list[dict]) -> str:
    rows = ["| size | loops / loop columns / all columns | build s | LP s | first gap-free plan s | ≤ 2 % s "
            "| gap % at stop (limit) | team-h visits / posts-only (ratio) | visits | check | peak MB visits / posts |",
            "|" + "---|" * 11]
    for r in results:
        v, p = r["visits"], r["posts"]
        if "error" in v:
            rows.append(f"| {r['size']} | error: {v['error'][-200:]!r} |")
            continue
        ratio = (v["team_hours"] / p["team_hours"]) if v.get("team_hours") and p.get("team_hours") else None
        rows.append(
            f"| {r['size']} | {v['loops']:,} / {v['loop_columns']:,} / {_f(v.get('model_columns'), '{:,.0f}')} "
            f"| {v['build_seconds']} | {_f(v.get('lp_seconds'), '{:g}')} | {_f(v['first_plan_seconds'])} "
            f"| {_f(v['within_2pct_seconds'])} | {_f(v.get('gap_pct'), '{:.2f}')} ({v['time_limit']:g} s) "
            f"| {_f(v.get('team_hours'), '{:,.0f}')} / {_f(p.get('team_hours'), '{:,.0f}')} ({_f(ratio, '{:.2f}')}) "
            f"| {v.get('visits', 0):,} | {_check(v)} / "
            f"{_check(p)} | {v['peak_rss_mb']:,} / {_f(p.get('peak_rss_mb'), '{:,}')} |")
    return "\n".join(rows)


def _ratio(a, b):
    return None if a is None or not b else a / b


def issue_table(results: list[dict]) -> str:
    """Issue 22's figures per size (the visits week; medians of the runs)."""
    rows = ["| size | runs | loops generated | CG rounds | first gap-free plan s | gap % to the bound "
            "| team-h | / posts-only | / visit-time bound | / whole-teams bound | / path-teams bound "
            "| visits per hotspot median / max (need) "
            "| team-h on site / driving / waiting (of it: nothing else to visit) | single-stop joint share | peak MB |",
            "|" + "---|" * 15]
    for r in results:
        v, p = r["visits"], r.get("posts", {})
        if "error" in v:
            rows.append(f"| {r['size']} | error: {v['error'][-200:]!r} |")
            continue
        lb = v.get("lower_bounds") or {}
        vph = v.get("visits_per_hotspot") or {}
        loops = v.get("cg_columns") if v.get("cg_columns") is not None else v.get("loop_columns")
        beat = (v.get("column_generation") or {}).get("beat_plan") or {}
        planned_by = ""
        if beat:
            least = beat.get("least_beats")
            planned_by = (f" (beat plan: {_f(beat.get('beats'), '{:,.0f}')} beats"
                          + ("" if least is None else f", no beat plan has fewer than {least:,.0f}") + ")")
        th = v.get("team_hours")
        share = v.get("single_stop_joint_share")
        rows.append(
            f"| {r['size']} | {v.get('runs', 1)} | {_f(loops, '{:,.0f}')}{planned_by} "
            f"| {_f(v.get('cg_rounds'), '{:,.0f}') if v.get('cg_rounds') is not None else 'n/a'} "
            f"| {_f(v.get('first_plan_seconds'))} | {_f(v.get('gap_pct'), '{:.2f}')} | {_f(th, '{:,.0f}')} "
            f"| {_f(_ratio(th, p.get('team_hours')), '{:.2f}')} "
            f"| {_f(_ratio(th, lb.get('visit_time_team_hours')), '{:.2f}')} "
            f"({_f(lb.get('visit_time_team_hours'), '{:,.0f}')} h) "
            f"| {_f(_ratio(th, lb.get('whole_teams_team_hours')), '{:.2f}')} "
            f"({_f(lb.get('whole_teams'), '{:,.0f}')} teams, {_f(lb.get('whole_teams_team_hours'), '{:,.0f}')} h) "
            f"| {_f(_ratio(th, lb.get('path_teams_team_hours')), '{:.2f}')} "
            f"({_f(lb.get('path_teams'), '{:,.0f}')} teams, {_f(lb.get('path_teams_team_hours'), '{:,.0f}')} h) "
            f"| {_f(vph.get('median'), '{:,.0f}')} / {_f(vph.get('max'), '{:,.0f}')} "
            f"({_f(vph.get('need_median'), '{:,.0f}')}) "
            f"| {_f(v.get('on_site_hours'), '{:,.0f}')} / {_f(v.get('driving_hours'), '{:,.0f}')} "
            f"/ {_f(v.get('waiting_hours'), '{:,.0f}')} ({_f(v.get('waiting_nothing_else_hours'), '{:,.0f}')}) "
            f"| {_f(None if share is None else 100 * share, '{:.0f} %')} | {_f(v.get('peak_rss_mb'), '{:,.0f}')} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="jining,jining-zones,province",
                    help="comma-separated: a size of run.py (small, jining, province, ...), optionally with "
                         "-zones (Jining-shaped zones); default jining,jining-zones,province")
    ap.add_argument("--time-limit", type=float, default=None,
                    help=f"solve, seconds (default: jining 120 visits / 60 posts, province 600 / 300, "
                         f"others {DEFAULT_LIMIT})")
    ap.add_argument("--gap-pct", type=float, default=0.5, help="stop within this gap (default 0.5, as the config)")
    ap.add_argument("--workers", type=int, default=2, help="solver threads")
    ap.add_argument("--kinds", default="visits,posts", help="which versions to run (default both)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size and version; medians reported (default 3)")
    ap.add_argument("--out", type=Path, default=None, help="results JSON (default: in the temporary folder)")
    ap.add_argument("--rendezvous", action="store_true",
                    help="the visit weeks with visits.rendezvous: true (loops priced by column generation)")
    ap.add_argument("--check-minutes", type=int, default=None,
                    help="the visit weeks' visits.check_minutes (default unset: 15, or the grid of 5 where a week too "
                         "large for column generation is planned from beats); 5 lets beats' phases and legs "
                         "round to 5 min instead of 15, at three times the window rows")
    ap.add_argument("--posts-every", type=int, default=None,
                    help="every Nth zone's row of the visit weeks a one-team post instead (points and loops in "
                         "one week; default: none)")
    ap.add_argument("--hours", default=None,
                    help="HH:MM-HH:MM: the visit weeks' visits at those hours every day (key hours, e.g. 20:00-04:00); "
                         "default: all day")
    ap.add_argument("--render", type=Path, default=None, help="print the tables of a results JSON and stop")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--kind", choices=("visits", "posts"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        out = run_one(args.one, args.kind, args.time_limit, args.gap_pct, args.workers, args.rendezvous,
                      args.check_minutes, args.posts_every, args.hours)
        print("RESULT " + json.dumps(out, default=float), flush=True)
        return 0
    if args.render:
        results = json.loads(args.render.read_text())
        print(table(results) + "\n\n" + issue_table(results))
        return 0
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.posts_every is not None and args.posts_every < 1:
        ap.error("--posts-every must be at least 1")
    if args.hours is not None and not re.fullmatch(r"[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]", args.hours):
        ap.error(f"--hours {args.hours!r}: give HH:MM-HH:MM, e.g. 20:00-04:00")
    CACHE.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes.split(","):
        label = [] if args.check_minutes is None else [f"check_minutes {args.check_minutes}"]
        label += [] if args.posts_every is None else [f"every {args.posts_every}th zone a post"]
        label += [] if args.hours is None else [f"visits {args.hours}"]
        entry = {"size": size + (f" ({', '.join(label)})" if label else "")}
        for kind in args.kinds.split(","):
            runs = []
            for i in range(args.repeat):
                print(f"{size} {kind} run {i + 1}/{args.repeat} ...", file=sys.stderr, flush=True)
                runs.append(_spawn(size, kind, args))
                print(json.dumps({k: v for k, v in runs[-1].items() if k != "timeline"}, default=float),
                      file=sys.stderr, flush=True)
            entry[kind] = median_of(runs)
            entry[f"{kind}_runs"] = runs
        entry.setdefault("posts", {})
        results.append(entry)
    path = args.out or CACHE / "visits-results.json"
    path.write_text(json.dumps(results, indent=1, default=float))
    print(table(results) + "\n\n" + issue_table(results))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
