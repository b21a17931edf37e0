"""``solve(problem, params) -> Result``: the staged solve.

1. **Pre-check** (``explain.precheck``): demanded slots no candidate shift can cover, and the LP
   relaxation of the aggregated model (HiGHS, milliseconds to seconds). Infeasible here means
   no roster exists: the model is a relaxation of the team-level rules.
2. **Counts** (``model.build_model`` + ``engines``): the aggregated MIP — teams per (station,
   start, length, hotspot) — with HiGHS (default) or CP-SAT, warm-started from the greedy
   planner's roster when it has no gap.
3. **Named teams** (``assign.assign_teams``): each station's shifts split onto its teams; a
   station whose split fails gets a repair cut and stage 2 runs again (at most 3 rounds).
4. **Tables**: roster, coverage (counted from the roster rows) and summary.
"""

from __future__ import annotations

import hashlib
import platform
import sys
import time
from dataclasses import dataclass, replace

import numpy as np

from . import __version__
from .assign import assign_teams
from .engines import EngineResult, solve_cpsat, solve_highs
from .model import build_model
from .problem import Problem
from .result import Result, coverage_table, roster_table, station_loads

__all__ = ["SolveParams", "solve", "solve_scenario"]


@dataclass(frozen=True)
class SolveParams:
    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    allow_gaps: bool = False
    engine: str = "auto"  # auto | highs | cpsat
    gap_pct: float = 0.5
    progress: bool = False
    use_greedy_hint: bool = True

    @classmethod
    def from_config(cls, config, **overrides) -> "SolveParams":
        s = config.solver
        params = cls(
            time_limit_s=s.time_limit_seconds,
            workers=s.workers,
            seed=s.seed,
            allow_gaps=s.allow_gaps,
            engine=s.engine,
            gap_pct=s.gap_tolerance_pct,
            progress=s.progress,
        )
        return replace(params, **{k: v for k, v in overrides.items() if v is not None})


class _Progress:
    """Prints objective, bound, gap and elapsed time to stderr, at most every few seconds."""

    def __init__(self, every_s: float = 3.0, *, t0: float | None = None) -> None:
        self.every_s = every_s
        self.last = -1e9
        self.t0 = time.perf_counter() if t0 is None else t0

    def __call__(self, _engine_elapsed: float, objective: float, bound: float) -> None:
        elapsed = time.perf_counter() - self.t0  # time since the solve started, as the stage lines
        if elapsed - self.last < self.every_s or not np.isfinite(objective) or objective > 1e20 or not np.isfinite(bound):
            return
        self.last = elapsed
        gap = 100 * (objective - bound) / max(abs(objective), 1e-9) if np.isfinite(bound) else float("nan")
        print(
            f"  [{elapsed:6.1f} s] roster {objective:,.1f} h   bound {bound:,.1f} h   gap {gap:5.2f} %",
            file=sys.stderr,
            flush=True,
        )


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"patrolplan": __version__, "python": platform.python_version()}
    for pkg in ("ortools", "highspy", "numpy", "pandas", "geopandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def solve(problem: Problem, params: SolveParams | None = None, *, config_sha256: str | None = None) -> Result:
    """Solve ``problem``; never raises for an infeasible week (the Result says why)."""
    from .explain import explain_infeasible, precheck
    from .greedy import greedy_counts

    params = params or SolveParams.from_config(problem.config)
    t0 = time.perf_counter()
    deadline = t0 + params.time_limit_s
    log: list[str] = []
    stats: dict = {"n_candidate_shifts": problem.n_shifts, "demand_team_hours": problem.demand_team_hours()}

    def say(message: str) -> None:
        log.append(message)
        if params.progress:
            print(f"  [{time.perf_counter() - t0:6.1f} s] {message}", file=sys.stderr, flush=True)

    say(f"{problem.n_shifts} candidate shifts, {problem.demand_team_hours():g} demanded team-hours")
    t_build = time.perf_counter()
    caps: dict[int, int] = {}
    model = build_model(problem, allow_gaps=params.allow_gaps)
    stats["model_build_seconds"] = round(time.perf_counter() - t_build, 3)
    stats["model_columns"], stats["model_rows"] = model.n_cols, model.n_rows

    # the greedy roster first: a complete roster within seconds, and the MIP's warm start
    hint = None
    if params.use_greedy_hint:
        g = greedy_counts(problem, model, allow_gaps=params.allow_gaps)
        if g is not None:
            hint = g
            stats["greedy_team_hours"] = round(float(g @ problem.shift_len_min) / 60, 3)
            say(f"greedy roster: {stats['greedy_team_hours']:,.0f} team-hours (warm start)")

    if not params.allow_gaps:
        pre = precheck(problem, model=model, time_limit_s=max(deadline - time.perf_counter(), 1.0))
        stats["precheck_seconds"] = round(pre.seconds, 3)
        stats["lp_bound"] = pre.lp_bound
        if not pre.feasible:
            say("pre-check: no roster exists")
        elif pre.lp_bound is None:
            say("pre-check: passed (the LP bound was not reached in time)")
        else:
            say(f"pre-check: passed, LP bound {pre.lp_bound:,.1f} h")
        if not pre.feasible:
            explanation = explain_infeasible(problem, pre)
            summary = _summary(problem, "infeasible", None, None, time.perf_counter() - t0, params, stats, None)
            return Result("infeasible", _empty_roster(problem), coverage_table(problem, np.zeros(0, int)),
                          summary, explanation, log)

    engine = params.engine if params.engine != "auto" else "highs"
    progress = _Progress(t0=t0) if params.progress else None
    assignment = None
    res: EngineResult | None = None
    for round_ in range(4):
        remaining = max(deadline - time.perf_counter(), 1.0)
        solve_fn = solve_highs if engine == "highs" else solve_cpsat
        kwargs = dict(time_limit_s=remaining * 0.9, seed=params.seed, gap_pct=params.gap_pct, hint=hint,
                      progress=progress)
        kwargs["threads" if engine == "highs" else "workers"] = params.workers
        res = solve_fn(model, **kwargs)
        say(f"counts ({engine}, round {round_ + 1}): {res.status} in {res.seconds:.1f} s")
        if res.x is None and res.status == "unknown" and hint is not None:
            # the solver found nothing better in time: the greedy roster is still a roster
            fallback = _complete(model, hint, bound=res.bound if res.bound is not None else stats.get("lp_bound"))
            if fallback is not None:
                res = fallback
                say("no solver roster in time: keeping the greedy roster")
        if res.x is None:
            break
        assignment = assign_teams(problem, res.x, time_limit_s=max(1.0, min(10.0, deadline - time.perf_counter())),
                                  seed=params.seed)
        if not assignment.failed:
            break
        say(f"named teams failed at stations {sorted(problem.station_ids[s] for s in assignment.failed)}; "
            "adding repair cuts")
        for s, most in assignment.failed.items():
            caps[s] = min(caps.get(s, most), most)
        model = build_model(problem, allow_gaps=params.allow_gaps, extra_station_caps=caps)
        hint = None
    elapsed = time.perf_counter() - t0
    stats["engine"] = engine

    if res is None or res.x is None or assignment is None or assignment.failed:
        status = "infeasible" if res is not None and res.status == "infeasible" else "unknown"
        explanation = None
        if status == "infeasible":
            from .explain import PrecheckResult

            explanation = explain_infeasible(problem, PrecheckResult(False, None, 0.0, [], "the full model"))
        else:
            explanation = (
                "# No roster found\n\nNo gap-free roster was found within the time limit "
                f"({params.time_limit_s:.0f} s), and none was proven impossible. Raise "
                "`solver.time_limit_seconds` (or `--time-limit`), or set `solver.allow_gaps: true` to get the "
                "roster with the fewest gaps.\n"
            )
        summary = _summary(problem, status, None, None, elapsed, params, stats, None, config_sha256)
        return Result(status, _empty_roster(problem), coverage_table(problem, np.zeros(0, int)), summary,
                      explanation, log)

    roster = roster_table(problem, assignment.shift_col, assignment.team)
    coverage = coverage_table(problem, assignment.shift_col)
    gaps = int(coverage["gap"].sum()) + int((~coverage["sync_ok"]).sum())
    status = res.status
    if status == "optimal" and res.bound is not None and res.objective - res.bound > 1e-4 * max(abs(res.objective), 1):
        status = "feasible"  # stopped within solver.gap_tolerance_pct, not proven optimal
    status = "gaps" if gaps else status
    summary = _summary(problem, status, res, roster, elapsed, params, stats, coverage, config_sha256)
    explanation = None
    if gaps:
        from .explain import explain_gaps

        explanation = explain_gaps(problem, coverage)
    return Result(status, roster, coverage, summary, explanation, log)


def _complete(model, x_shifts: np.ndarray, *, bound: float | None) -> EngineResult | None:
    """The greedy counts as an engine result (other columns at their cheapest), or None if
    those counts break a row of ``model``."""
    from .engines import complete_columns

    x = complete_columns(model, x_shifts)
    if x is None:
        return None
    obj = model.objective(x)
    return EngineResult("feasible", x, obj, min(bound, obj) if bound is not None else None, 0.0, "greedy")


def _empty_roster(problem: Problem):
    return roster_table(problem, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _summary(problem, status, res, roster, elapsed, params, stats, coverage, config_sha256=None) -> dict:
    slot_h = problem.slot_min / 60
    sync_short = 0
    if coverage is not None and len(coverage):
        short = (coverage["demand"] - coverage["present"]).clip(lower=0)
        uncovered_slots = int(coverage["gap"].sum())
        uncovered_team_hours = float(short.sum() * slot_h)
        sync_short = int((~coverage["sync_ok"]).sum())
    elif status in ("infeasible", "unknown"):
        uncovered_slots = int((problem.required > 0).sum())
        uncovered_team_hours = float(problem.required.sum() * slot_h)
    else:
        uncovered_slots, uncovered_team_hours = 0, 0.0
    team_hours = travel_hours = 0.0
    stations = {}
    if roster is not None and len(roster):
        import pandas as pd

        hours = (pd.to_datetime(roster["end"]) - pd.to_datetime(roster["start"])).dt.total_seconds() / 3600
        team_hours = float(hours.sum())
        travel_hours = float((roster["travel_out_min"] + roster["travel_back_min"]).sum() / 60)
        stations = station_loads(problem, roster)
    objective = bound = gap_pct = None
    if res is not None and res.objective is not None:
        objective = round(res.objective, 4)
        lp = stats.get("lp_bound")
        bound_v = max(b for b in (res.bound, lp) if b is not None) if (res.bound is not None or lp) else None
        if bound_v is not None:
            bound_v = min(bound_v, res.objective)
            bound = round(bound_v, 4)
            gap_pct = round(100 * (res.objective - bound_v) / max(abs(res.objective), 1e-9), 4)
    return {
        "status": status,
        "objective": objective,
        "best_bound": bound,
        "gap_pct": gap_pct,
        "solve_seconds": round(elapsed, 3),
        "uncovered_slots": uncovered_slots,
        "uncovered_team_hours": round(uncovered_team_hours, 4),
        "synchronized_short_slots": sync_short,
        "team_hours": round(team_hours, 4),
        "travel_hours": round(travel_hours, 4),
        "demand_team_hours": round(problem.demand_team_hours(), 4),
        "shifts": 0 if roster is None else int(len(roster)),
        "stations": stations,
        "seed": params.seed,
        "time_limit_seconds": params.time_limit_s,
        "workers": params.workers,
        "versions": _versions(),
        "config_sha256": config_sha256,
        "stats": stats,
    }


def config_digest(config) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()


def solve_scenario(scenario, *, time_limit_seconds=None, seed=None, workers=None, quiet=True,
                   allow_gaps=None, engine=None) -> Result:
    """Load travel and demand, build the Problem and solve with the config's settings."""
    problem = Problem.from_scenario(scenario)
    params = SolveParams.from_config(
        scenario.config, time_limit_s=time_limit_seconds, seed=seed, workers=workers, allow_gaps=allow_gaps,
        engine=engine,
    )
    params = replace(params, progress=params.progress and not quiet)
    sha = None
    if scenario.config_path is not None and scenario.config_path.is_file():
        sha = hashlib.sha256(scenario.config_path.read_bytes()).hexdigest()
    return solve(problem, params, config_sha256=sha or config_digest(scenario.config))
