"""``solve(problem, params) -> Result``: the staged solve.

1. **Pre-check** (``explain.precheck``): demanded slots no candidate shift can cover, and the LP
   relaxation of the aggregated model (HiGHS, milliseconds to seconds). In a week of posts only,
   infeasible here means no roster exists (the model is a relaxation of the team-level rules);
   in a week with visits the model's visit rows are a restriction, and only the visit
   relaxation (``model.relaxed``) may prove it (``Result.summary["proof"]``).
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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from patrolplan import __version__
from patrolplan.model import beats
from patrolplan.model.assign import assign_teams
from patrolplan.model.build import build_model
from patrolplan.model.greedy import greedy_counts
from patrolplan.model.pricing import master_rows, with_seed_loops
from patrolplan.model.rules.published import fixed_counts, with_kept_columns
from patrolplan.model.rules.published import hint as published_hint
from patrolplan.model.rules.visits import LoopColumn, check_step, trim_visits
from patrolplan.solver import beat_design, colgen
from patrolplan.solver.bounds import model_free_bounds
from patrolplan.solver.colgen import generate_columns
from patrolplan.solver.engines import EngineResult, complete_columns, lp_dive, solve_cpsat, solve_highs
from patrolplan.solver.explain import PrecheckResult, explain_gaps, explain_infeasible, precheck, visit_verdict
from patrolplan.model.problem import Problem
from patrolplan.solver.result import Result, coverage_table, roster_table, station_loads, visits_table

__all__ = ["SolveParams", "solve", "solve_scenario", "planned_problem"]


@dataclass(frozen=True)
class SolveParams:
    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    allow_gaps: bool = False
    engine: str = "auto"  # auto | highs | cpsat
    gap_tolerance_pct: float = 0.5  # stop within this % of the bound (config solver.gap_tolerance_pct)
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
            gap_tolerance_pct=s.gap_tolerance_pct,
            progress=s.progress,
        )
        return replace(params, **{k: v for k, v in overrides.items() if v is not None})


class _Progress:
    """Prints objective, bound, gap and elapsed time to stderr, at most every few seconds."""

    def __init__(self, every_s: float = 3.0, *, t0: float | None = None, scope: str = "") -> None:
        self.every_s = every_s
        self.scope = scope  # what the bound bounds, where not the week's model (:func:`_bound_scope`)
        self.last = -1e9
        self.t0 = time.perf_counter() if t0 is None else t0

    def __call__(self, _engine_elapsed: float, objective: float, bound: float) -> None:
        elapsed = time.perf_counter() - self.t0  # time since the solve started, as the stage lines
        if elapsed - self.last < self.every_s or not np.isfinite(objective) or objective > 1e20 or not np.isfinite(bound):
            return
        self.last = elapsed
        gap = 100 * (objective - bound) / max(abs(objective), 1e-9) if np.isfinite(bound) else float("nan")
        print(
            f"  [{elapsed:6.1f} s] roster {objective:,.1f} h   bound {bound:,.1f} h   gap {gap:5.2f} %{self.scope}",
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


@dataclass
class _Run:
    """What the stages of one solve share: the problem, the settings, the clock, the log and the
    figures that go into ``summary.json``'s ``stats``."""

    problem: Problem
    params: SolveParams
    config_sha256: str | None
    t0: float = field(default_factory=time.perf_counter)
    log: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    start: np.ndarray | None = None  # a first roster made before the model (the beat plan's counts)

    @property
    def deadline(self) -> float:
        return self.t0 + self.params.time_limit_s

    def remaining_s(self, at_least: float = 1.0) -> float:
        return max(self.deadline - time.perf_counter(), at_least)

    def elapsed_s(self) -> float:
        return time.perf_counter() - self.t0

    def say(self, message: str) -> None:
        self.log.append(message)
        if self.params.progress:
            print(f"  [{self.elapsed_s():6.1f} s] {message}", file=sys.stderr, flush=True)

    def result(self, status: str, *, counts: EngineResult | None = None, assignment=None,
               explanation: str | None = None) -> Result:
        p = self.problem
        if assignment is not None:
            full = roster_table(p, assignment.shift_col, assignment.team, keep_columns=True)
            roster = full.drop(columns="_col")
            coverage = coverage_table(p, assignment.shift_col)
        else:
            full = roster_table(p, np.zeros(0, int), np.zeros(0, int), keep_columns=True)
            roster, coverage = full.drop(columns="_col"), coverage_table(p, np.zeros(0, int))
        visits = visits_table(p, full) if p.has_visits else None
        outcome = _Outcome(status, counts, roster if assignment is not None else None,
                           coverage if assignment is not None else None, self.elapsed_s(), visits)
        return Result(status, roster, coverage, _summary(self, outcome), explanation, self.log, visits)


@dataclass(frozen=True)
class _Outcome:
    """The end of a solve, for the summary: status, stage-1 result, roster and coverage (None
    when no roster was made) and the seconds it took."""

    status: str
    counts: EngineResult | None
    roster: object | None
    coverage: object | None
    elapsed_s: float
    visits: object | None = None


def solve(problem: Problem, params: SolveParams | None = None, *, config_sha256: str | None = None,
          counts: np.ndarray | None = None) -> Result:
    """Solve ``problem``; never raises for an infeasible week (the Result says why).

    Stages: the model; the greedy roster (a warm start); the pre-check (a proof that no roster
    exists, or the LP bound); stage-1 counts and named teams, with repair rounds; the tables.
    ``counts``: stage 1's shift counts from elsewhere (another solver, ``export.read_counts``):
    only the named teams and the tables are made.
    """
    run = _Run(problem, params or SolveParams.from_config(problem.config), config_sha256)
    if problem.windows is not None and counts is None:
        _price_loops(run)
        problem = run.problem
    run.stats.update(n_candidate_shifts=problem.n_shifts, demand_team_hours=problem.demand_team_hours())
    run.say(f"{problem.n_shifts} candidate shifts, {problem.demand_team_hours():g} demanded team-hours")
    if _nothing_demanded(problem) and counts is None:
        run.say("nothing is demanded this week: the empty roster keeps every rule")
        return run.result("optimal", counts=EngineResult("optimal", np.zeros(0), 0.0, 0.0, 0.0, "none"))
    model = _build(run)
    if counts is not None:
        return _from_counts(run, model, counts)
    hint = _greedy_start(run, model)
    pre = None
    if not run.params.allow_gaps:
        pre = _precheck(run, model)
        if not pre.feasible and _pool_only(run):
            return _pool_only_result(run)
        if not pre.feasible:
            return _infeasible(run, pre)
    if _priced(run.stats) is not None and "fallback" not in run.stats["column_generation"]:  # priced loops
        hint = _dive(run, model, hint)
    counts, assignment = _counts_and_teams(run, model, hint, lp=pre.lp if pre is not None else None)
    if counts is None or counts.x is None or assignment is None or assignment.failed:
        return _no_roster(run, counts)
    return _with_roster(run, counts, assignment)


def _nothing_demanded(problem: Problem) -> bool:
    """No post and no visit is asked (every demand row has ``teams`` 0), and no published
    roster is kept: the empty roster is gap-free and breaks no rule."""
    return not (problem.required > 0).any() and not problem.has_visits and problem.published is None


#: share of the time limit column generation may take (the rest: the MIP on its columns)
PRICING_SHARE = 0.5


def _price_loops(run: _Run) -> None:
    """visits.rendezvous: loop columns priced by column generation (solver/colgen.py) before
    the model is built; the problem of the run becomes the one with every loop found.

    Where a beat plan applies (model/beats.py), it is designed and improved first
    (:func:`_first_beats`, :func:`_improved`): a gap-free plan before column generation runs (on
    the Jining-scale weeks of night visits at 10 s; it came at 70 s, after column generation's
    time ran out with gaps). Its loops (and their turns) then join the loops column generation
    found, and its roster competes with the LP dive as the MIP's warm start, so the plan is
    never worse than the beats: where column generation leaves gaps (the week is planned from
    beats, as before, now with those loops too), and where it ends without a proven bound. Where
    it proves one, the MIP keeps to the loops pricing can find, which that bound covers. (As
    column generation's first columns, the beats led it to loops that planned the example week
    worse: objective 424-430 against 409.) A re-plan starts from the published roster instead:
    its beats (model/beats.py ``scope``) are designed only where column generation does not
    plan it."""
    p = run.problem
    first: _FirstBeats | str | None = None
    if p.pricing is None:
        if not (p.shift_loop >= 0).any():  # a Problem made by hand, not by prepare: its first loops
            p = with_seed_loops(p)
        if (colgen.applicable(p) is None and beats.cut_of(p) is None
                and isinstance(first := _first_beats(run, p), _FirstBeats)):
            first = _improved(run, p, first)
        p = generate_columns(p, time_limit_s=run.remaining_s() * PRICING_SHARE, workers=run.params.workers,
                             say=run.say)
    untried = colgen.applicable(p) is not None  # too large for column generation: no first loops
    if untried:
        p = _on_the_grid(run, p)
    r = p.pricing
    if untried or ((r.lp_value is None or r.slack > 1e-6) and not r.priced_out and not run.params.allow_gaps):
        # the master LP did not finish, or the loops found cannot keep every visit yet: plan the
        # week from beats (model/beats.py), else with the enumerated loops (a roster, if not the
        # rendezvous one, beats none)
        run.say(f"column generation: {r.reason}")
        if first is None:
            first = _first_beats(run, p)
        if isinstance(first, _FirstBeats):
            _beat_plan(run, p, first, pool=p if r.rounds else None)
            return
        run.say(f"beat plan: {first}")
        run.say("the week is planned with the enumerated loops instead (visits.rendezvous off)")
        cfg = p.config
        p = p.rebuilt(config=cfg.replace(visits=cfg.visits.model_copy(update={"rendezvous": False})))
        run.stats["column_generation"] = {**r.as_dict(), "fallback": ENUMERATED, "no_beat_plan": first}
        run.problem = p
        return
    beats_too = isinstance(first, _FirstBeats) and r.bound is None
    if beats_too:  # not where a bound is proven: it bounds the loops pricing can find, which may not hold a beat
        p = p.with_loop_columns(_loops_of(first.problem))
    run.problem = p
    run.stats["column_generation"] = r.as_dict()
    if beats_too:
        run.start = _carried(first.problem, first.start, p)
        run.stats["column_generation"]["beat_plan"] = _beat_stats(p, first.plan)
    if r.rounds:
        bound = "" if r.bound is None else f", bound {r.bound:,.1f} h"
        run.say(f"column generation: {r.rounds} rounds, {r.seed_columns + r.generated_columns} loops "
                f"({r.generated_columns} priced) in {r.seconds:.1f} s{bound}"
                + ("" if r.reason is None else f" ({r.reason})"))


def _on_the_grid(run: _Run, p: Problem) -> Problem:
    """``p`` with its window rows on the visit grid (``visits.check_minutes`` set to
    ``visits.grid_minutes``) where the check step is unset, the week is too large for column
    generation and beats plan it: a beat's phases are whole check steps, so on the default 15
    min every leg between its stops rounds up to a quarter-hour. On the grid a beat holds more
    stops where roads are short (`benchmarks/README.md`, "The visit grid for beat weeks": 6-8 %
    fewer team-hours on the Jining weeks and the province, at three times the window rows).
    Column generation is not tried on either, so the finer rows cost no master LP; weeks it is
    tried on keep 15 min."""
    v = p.config.visits
    if v.check_minutes is not None or v.grid_minutes >= v.check or beats.applicable(p) is not None:
        return p
    q = p.on_the_visit_grid()
    if beats.applicable(q) is not None:  # not expected: finer rows keep every phase a coarser step kept
        return p
    run.say(f"visits.check_minutes unset: the window rows of this beat-planned week are on the "
            f"{v.grid_minutes}-min visit grid ({master_rows(q):,} window and link rows), so that "
            f"the beats' legs round up to {v.grid_minutes} min, not {v.check}")
    return q.replace(pricing=p.pricing)


def _loops_of(p: Problem) -> list[LoopColumn]:
    """The loop columns of ``p``, to add to another problem of the same week."""
    return [LoopColumn(*p._loop_key(int(j))) for j in np.nonzero(p.shift_loop >= 0)[0]]


def _carried(q: Problem, counts: np.ndarray, p: Problem) -> np.ndarray:
    """``counts`` of ``q``'s columns as counts of ``p``'s, where ``p`` has ``q``'s posts first (the
    same week) and every loop of ``q`` among its loops, in any order (the beats come after the
    loops column generation found: the week's own columns stay first, as ``--write-model``'s
    reader expects)."""
    out = np.zeros(p.n_shifts)
    posts = np.nonzero(q.shift_loop < 0)[0]
    out[posts] = counts[posts]
    index = {p._loop_key(int(j)): int(j) for j in np.nonzero(p.shift_loop >= 0)[0]}
    for j in np.nonzero((q.shift_loop >= 0) & (counts > 0))[0]:
        out[index[q._loop_key(int(j))]] += counts[j]
    return out


#: ``stats.column_generation.fallback`` when the week is planned with the enumerated loops (a
#: model of its own: its bounds hold)
ENUMERATED = "enumerated loops"
#: share of the time left that the beat plan's CP-SAT model may take, and its most seconds (the
#: first plan; Jining scale gains no beat from more). Where it finds none in BEAT_MAX_S it runs
#: again to its first plan in the rest of the share (the province on the 5-min grid: about 40 s)
BEAT_SHARE, BEAT_MAX_S = 0.2, 10.0
#: share of the time left then that the design's search may take to improve on it, when that is
#: at least BEAT_MIN_MORE_S seconds (the province: 1,058 beats after 10 s, 857 after 30 s, 778
#: after 90 s), before column generation is tried (it gets half of the rest)
BEAT_MORE_SHARE, BEAT_MIN_MORE_S = 0.3, 5.0
#: the same share where the beats plan the week (column generation is not tried, or left gaps):
#: the MIP over their loops and the posts then ends in seconds (the Jining weeks, with posts or
#: without: 2-5 s), and the set design's MIP finds its better plans only after a root of 20-60 s
#: (benchmarks/README.md, "More time for the beat design")
BEAT_PLAN_SHARE = 0.6


def planned_problem(problem: Problem, params: SolveParams) -> Problem:
    """The Problem whose model :func:`solve` plans (``--write-model`` writes it): in a week
    planned by rendezvous, with the loops column generation priced in its share of the time,
    else the beat plan's, else the enumerated loops, as :func:`solve` falls back."""
    run = _Run(problem, params, None)
    if problem.windows is not None:
        _price_loops(run)
    return run.problem


@dataclass(frozen=True)
class _FirstBeats:
    """A beat plan of the week (model/beats.py) and the first roster it gives: ``problem`` holds
    the week's posts, the plan's loops and their turns (in that order), ``start`` its counts."""

    plan: object
    problem: Problem
    start: np.ndarray
    improved: bool = False  # by the design's search after the first plan (:func:`_improved`)


def _first_beats(run: _Run, p: Problem) -> _FirstBeats | str:
    """The week's beat plan from CP-SAT (at most :data:`BEAT_MAX_S`), with its first roster
    (:func:`_held`); else why there is none."""
    why = beats.applicable(p)
    if why is not None:
        return f"none ({why})"
    share, t0 = run.remaining_s() * BEAT_SHARE, time.perf_counter()
    box = min(BEAT_MAX_S, share)
    plan = beat_design.design(p, time_limit_s=box, workers=run.params.workers, seed=run.params.seed)
    if plan is None and time.perf_counter() - t0 >= 0.9 * box and share - box >= 1.0:
        # out of time, not proven without a plan: CP-SAT again, to its first plan, in the rest of its share
        plan = beat_design.design(p, time_limit_s=share - (time.perf_counter() - t0), workers=run.params.workers,
                                  seed=run.params.seed, first_only=True)
        if plan is not None:
            plan = replace(plan, seconds=time.perf_counter() - t0)
    if isinstance(plan, str):  # none exists
        return f"none ({plan})"
    if plan is None:
        return "none found in time"
    kept = _held(p, plan, run)
    if kept is None:
        return (f"none kept (its {plan.n_beats} beats break a row of the model: manpower, rest, "
                "visit windows" + (", or leave no team for a post)" if (p.required > 0).any() else ")"))
    run.say(f"beat plan: {plan.n_beats} beats ({plan.status}, {plan.seconds:.1f} s), "
            f"{plan.team_minutes / 60:,.0f} team-hours" + ("" if beats.cut_of(p) is None else " from the cut (--at) on"))
    return _FirstBeats(plan, *kept)


def _beat_stats(p: Problem, plan) -> dict:
    """summary.json's figures of a beat plan."""
    return {"beats": plan.n_beats, "least_beats": plan.least_beats, "shift_minutes": plan.length,
            "shifts_per_beat": len(plan.frames), "phase_minutes": check_step(p.config, plan.interval),
            "status": plan.status, "seconds": round(plan.seconds, 3)}


def _improved(run: _Run, p: Problem, first: _FirstBeats, *, share: float = BEAT_MORE_SHARE) -> _FirstBeats:
    """``first`` improved by the design's search (set-partitioning MIP, then CP-SAT from the
    better plan) in ``share`` of the time left, unless proven optimal or that is under
    :data:`BEAT_MIN_MORE_S`; with the bound on the beats of every beat plan it found."""
    plan, kept = first.plan, (first.problem, first.start)
    more = run.remaining_s() * share
    if plan.status != "optimal" and more >= BEAT_MIN_MORE_S:
        better = beat_design.design(p, time_limit_s=more, workers=run.params.workers, seed=run.params.seed, hint=plan)
        better = better if isinstance(better, beats.BeatPlan) else None  # a plan exists: never a proof of none
        if better is not None and better.objective < plan.objective and (again := _held(p, better, run)) is not None:
            run.say(f"beat plan improved: {better.n_beats} beats ({better.status}, {better.seconds:.1f} s more)")
            plan, kept = replace(better, seconds=plan.seconds + better.seconds), again
        elif better is not None:  # the first plan stands, with the bound (and proof) the search found
            plan = replace(plan, least_beats=better.least_beats, seconds=plan.seconds + better.seconds,
                           status=better.status if better.objective >= plan.objective else plan.status)
        if plan.least_beats is not None:
            run.say(f"beat plan: no beat plan of this week has fewer than {plan.least_beats} beats")
    return _FirstBeats(plan, *kept, improved=True)


def _beat_plan(run: _Run, p: Problem, first: _FirstBeats, *, pool: Problem | None = None) -> None:
    """visits.rendezvous where column generation could not plan the week: the week planned
    from the beats of ``first`` (their loop columns and the posts' columns; the beat plan with
    the posts staffed around it the first roster), improved (:func:`_improved`, in
    :data:`BEAT_PLAN_SHARE` of the time left) unless it was.
    ``pool``: the loops column generation found, which the MIP may then take beside the beats
    (they are loops of the model; alone they left a gap)."""
    if not first.improved:
        first = _improved(run, p, first, share=BEAT_PLAN_SHARE)
    plan = first.plan
    step = check_step(p.config, plan.interval)  # the beats' phase step (every interval's, beats.applicable)
    _coarse_phases(run, step, p.windows.grid)
    r = p.pricing
    run.problem, run.start = first.problem, first.start
    if pool is not None:
        run.problem = pool.with_loop_columns(_loops_of(first.problem))
        run.start = _carried(first.problem, first.start, run.problem)
    run.stats["column_generation"] = {
        **r.as_dict(), "fallback": "beat plan", "bound": None,
        "reason": f"the week is planned from beats ({r.reason}): their loops are a part of the model's, so no bound "
                  "is proven",
        "beat_plan": _beat_stats(p, plan)}


def _coarse_phases(run: _Run, c: int, g: int) -> None:
    """Say so when the beats' phase step ``c`` is coarser than the visit grid ``g``: each phase is a whole check step
    (``visits.check_minutes``), so legs round up to it; a check step of the grid lets a beat hold
    more stops where legs are short (benchmarks/README.md: 9 % fewer team-hours at Jining scale,
    at three times the window rows)."""
    if c > g:
        run.say(f"beat plan: its phases are whole check steps of {c} min (visits.check_minutes), so legs round up "
                f"to them; visits.check_minutes: {g} can let beats hold more stops where legs are short, at more "
                "window rows (docs/visits.md)")


def _held(p: Problem, plan, run: _Run) -> tuple[Problem, np.ndarray] | None:
    """``p`` with the beat plan's loop columns, and the same beats driven by other stations that
    can (turns in staggered zones), and a first roster over them: the plan's counts, and in a
    week that also asks for posts, the posts staffed around the beats (:func:`_with_posts`);
    None when the plan breaks a row of the model (manpower, rest) or leaves some post no team.
    A re-plan keeps the published rows' columns (rules/published.py ``with_kept_columns``): its
    first roster is the kept rows, the published posts after the cut and the beats from it."""
    q = p.without_loop_columns()
    if p.published is not None:
        q = with_kept_columns(q)
    own = beats.beat_columns(plan)
    q = q.with_loop_columns(own + beats.turn_columns(p, plan))
    index = {q._loop_key(int(j)): int(j) for j in np.nonzero(q.shift_loop >= 0)[0][::-1]}  # the first of alike
    start = np.zeros(q.n_shifts)
    start[[index[(c.station, c.start, c.length, c.visits)] for c in own]] = 1
    if p.published is not None:
        posts = published_hint(q) * (q.shift_loop < 0)
        start = np.maximum(np.maximum(start, fixed_counts(q)[0]), posts)
    model = build_model(q)
    if (q.required > 0).any() and (p.published is None or complete_columns(model, start) is None):
        start = _with_posts(q, model, start, run)
        if start is None:
            return None
    return None if complete_columns(model, start) is None else (q, start)


#: share of the time left, and most seconds, that the MIP may take to find a first roster of
#: beats and posts where the greedy planner finds none
POSTS_MIP_SHARE, POSTS_MIP_MAX_S = 0.15, 30.0


def _with_posts(q: Problem, model, beat_counts: np.ndarray, run: _Run) -> np.ndarray | None:
    """A first roster of the beats and the week's posts: the greedy planner staffing the posts
    around the beats' shifts; else the greedy planner posts first, the visits then by the beats'
    loops and their turns; else the model's MIP over the same columns, stopped at its first
    roster. (On the Jining-shaped week with every sixth zone a post, the beats-first order ran
    a station with a beat and a synchronized post out of shifts at the week's end in four of
    six beat plans, CP-SAT seeds 0-5; the posts-first order staffed both it was tried on.)
    None: none of them found one."""
    for fixed in (beat_counts, None):  # the second only where the first fails
        start = greedy_counts(q, model, fixed=fixed)
        # the greedy planner knows no kept rows nor a re-plan's cut: its roster must keep the rows
        if start is not None and (q.published is None or complete_columns(model, start) is not None):
            return start
    limit = min(POSTS_MIP_MAX_S, run.remaining_s() * POSTS_MIP_SHARE)
    res = solve_highs(model, time_limit_s=limit, workers=run.params.workers, seed=run.params.seed,
                      gap_tolerance_pct=100.0)
    if res.x is None or res.status not in ("optimal", "feasible"):
        return None
    run.say(f"beat plan: posts staffed around the beats by the MIP ({res.seconds:.1f} s)")
    return np.asarray(res.x[:q.n_shifts])


def _build(run: _Run, *, caps: dict[int, int] | None = None):
    t = time.perf_counter()
    model = build_model(run.problem, allow_gaps=run.params.allow_gaps, extra_station_caps=caps)
    if caps is None:
        run.stats["model_build_seconds"] = round(time.perf_counter() - t, 3)
        run.stats["model_columns"], run.stats["model_rows"] = model.n_cols, model.n_rows
    return model


def _greedy_start(run: _Run, model) -> np.ndarray | None:
    """The greedy roster first: a complete roster within seconds, and the MIP's warm start."""
    if run.start is not None:
        run.say("warm start: the beat plan")
        return run.start
    if not run.params.use_greedy_hint:
        return None
    if run.problem.published is not None:  # a re-plan or a roll-over: the greedy knows no kept rows
        run.say("warm start: the published roster")
        return published_hint(run.problem)
    g = greedy_counts(run.problem, model, allow_gaps=run.params.allow_gaps)
    if g is not None:
        run.stats["greedy_team_hours"] = round(float(g @ run.problem.shift_len_min) / 60, 3)
        run.say(f"greedy roster: {run.stats['greedy_team_hours']:,.0f} team-hours (warm start)")
    return g


#: share of the time left that the LP dive may take (visits.rendezvous)
DIVE_SHARE = 0.3


def _dive(run: _Run, model, hint):
    """visits.rendezvous: an LP dive over the loops found (engines.lp_dive), the MIP's warm
    start where it beats the one at hand: the greedy roster (partner loops meet in the LP; the
    greedy planner pairs them one window at a time), or the beat plan's (:func:`_price_loops`)."""
    t = time.perf_counter()
    x = lp_dive(model, time_limit_s=run.remaining_s() * DIVE_SHARE, workers=run.params.workers)
    run.stats["dive_seconds"] = round(time.perf_counter() - t, 3)
    full = None if x is None else complete_columns(model, x)
    if full is None:
        run.say("LP dive: no roster")
        return hint
    dive_h = float(x @ run.problem.shift_len_min) / 60
    run.stats["dive_team_hours"] = round(dive_h, 3)
    greedy = None if hint is None else complete_columns(model, hint)
    if greedy is not None and model.objective(greedy) <= model.objective(full):
        run.say(f"LP dive: {dive_h:,.0f} team-hours, not better than the "
                + ("beat plan" if run.start is not None else "greedy roster"))
        return hint
    run.say(f"LP dive: {dive_h:,.0f} team-hours (warm start)")
    return x


def _precheck(run: _Run, model):
    pre = precheck(run.problem, model=model, time_limit_s=run.remaining_s())
    run.stats["precheck_seconds"] = round(pre.seconds, 3)
    run.stats["lp_bound"] = pre.lp_bound
    if not pre.feasible and pre.proof:
        run.say(f"pre-check: no roster exists (proven by the {pre.source})")
    elif not pre.feasible:
        run.say("pre-check: the model cannot cover the week (no proof that no roster exists)")
    elif pre.lp_bound is None:
        run.say("pre-check: passed (the LP bound was not reached in time)")
    else:
        run.say(f"pre-check: passed, LP bound {pre.lp_bound:,.1f} h{_bound_scope(run.stats)}")
    return pre


def _counts_and_teams(run: _Run, model, hint, *, lp=None, max_rounds: int = 4):
    """Stage 1 (counts) and stage 2 (named teams); a station whose split fails gets a repair
    cut and stage 1 runs again."""
    p, params = run.problem, run.params
    engine = params.engine if params.engine != "auto" else "highs"
    run.stats["engine"] = engine
    progress = _Progress(t0=run.t0, scope=_bound_scope(run.stats)) if params.progress else None
    caps: dict[int, int] = {}
    res = assignment = None
    for round_ in range(max_rounds):
        kwargs = dict(time_limit_s=run.remaining_s() * 0.9, seed=params.seed, gap_tolerance_pct=params.gap_tolerance_pct,
                      hint=hint, progress=progress, workers=params.workers)
        res = solve_highs(model, lp=lp, **kwargs) if engine == "highs" else solve_cpsat(model, **kwargs)
        run.say(f"counts ({engine}, round {round_ + 1}): {res.status} in {res.seconds:.1f} s")
        if res.x is None and res.status == "unknown" and hint is not None:
            # the solver found nothing better in time: the greedy roster is still a roster
            fallback = _complete(model, hint, bound=res.bound if res.bound is not None else run.stats.get("lp_bound"))
            if fallback is not None:
                res = fallback
                run.say("no solver roster in time: keeping the greedy roster")
        if res.x is None:
            break
        if p.windows is not None:
            res, model = _trim_visits(run, res, model, caps)
            p = run.problem
        assignment = assign_teams(p, res.x, time_limit_s=max(1.0, min(10.0, run.remaining_s(0.0))),
                                  seed=params.seed)
        if not assignment.failed:
            break
        run.say(f"named teams failed at stations {sorted(p.station_ids[s] for s in assignment.failed)}; "
                "adding repair cuts")
        for s, most in assignment.failed.items():
            caps[s] = min(caps.get(s, most), most)
        run.stats["repair_cuts"] = len(caps)  # a restriction: the model then proves nothing
        model, hint, lp = _build(run, caps=caps), None, None
    return res, assignment


def _trim_visits(run: _Run, res: EngineResult, model, caps: dict[int, int]):
    """visits.rendezvous: the roster's stops at joint hotspots that no partner meets and its
    visits beyond need taken out of its loops (rules/visits.trim_visits); the run's problem
    and the objective follow."""
    p = run.problem
    keep = None
    if p.published is not None:  # a re-plan's kept rows stay as published
        keep = fixed_counts(p)[0] > 0
    q, counts = trim_visits(p, res.x, keep)
    if q is p and np.array_equal(counts, np.rint(res.x[: p.n_shifts])):
        return res, model
    new_model = build_model(q, allow_gaps=run.params.allow_gaps, extra_station_caps=caps or None)
    x = complete_columns(new_model, counts)
    if x is None:  # cannot happen (a trimmed loop keeps every row); keep the untrimmed roster
        run.say("trimming the loops' stops broke a row: the roster keeps them")
        return res, model
    run.problem = q
    trimmed = int((counts[: p.n_shifts] < np.rint(res.x[: p.n_shifts])).sum())
    run.say(f"{trimmed} loop shift(s) lose stops that keep nothing (unmet at a joint hotspot, or beyond need)")
    objective = new_model.objective(x)
    bound = None if res.bound is None else min(res.bound, objective)
    return replace(res, x=x, objective=objective, bound=bound), new_model


def _from_counts(run: _Run, model, counts: np.ndarray) -> Result:
    """Counts given: named teams and tables; the objective where the counts keep every row."""
    run.stats["engine"] = "counts file"
    x = complete_columns(model, counts)
    objective = model.objective(x) if x is not None else None
    res = EngineResult("feasible", counts, objective, None, 0.0, "counts file")
    if run.problem.windows is not None and x is not None:  # stops no partner meets leave the loops, as in solve
        res, model = _trim_visits(run, replace(res, x=x), model, {})
        counts = np.rint(res.x[: run.problem.n_shifts])
    assignment = assign_teams(run.problem, counts, time_limit_s=max(1.0, min(10.0, run.remaining_s(0.0))),
                              seed=run.params.seed)
    if assignment.failed:
        run.say(f"named teams failed at stations {sorted(run.problem.station_ids[s] for s in assignment.failed)}: "
                "their shifts are left out")
        assignment = replace(assignment, failed={})
    return _with_roster(run, res, assignment)


def _pool_only(run: _Run) -> bool:
    """Whether the run's model holds only the loops column generation found, without the proof
    that they hold the LP over all loops: then "no roster" is no proof that none exists."""
    priced = run.problem.pricing
    return priced is not None and not priced.priced_out


def _pool_only_result(run: _Run) -> Result:
    """Unknown, not infeasible: the loops found are no proof (summary.json ``proof: false``)."""
    result = run.result("unknown", explanation=_pool_only_text(run))
    reason = run.problem.pricing.reason or "pricing did not prove that no better loops exist"
    return replace(result, summary=dict(result.summary, proof=False,
                                        no_plan_reason=f"only the loops column generation found were planned: {reason}"))


def _pool_only_text(run: _Run) -> str:
    why = run.problem.pricing.reason or "pricing did not prove that no better loops exist"
    return ("# No roster found\n\nThe model holds only the loops column generation found (visits.rendezvous), "
            f"and those cannot keep every visit: {why}. This is no proof that no roster exists. Raise "
            "`solver.time_limit_seconds` (or `--time-limit`), or plan the week without `visits.rendezvous`.\n")


def _infeasible(run: _Run, pre) -> Result:
    """No gap-free roster: proven (``pre.proof``) or only not found by the model; summary.json
    says which (``proof``, and ``no_plan_reason`` where it is not proven)."""
    result = run.result("infeasible", explanation=explain_infeasible(run.problem, pre))
    extra = {"proof": bool(pre.proof)}
    if not pre.proof:
        extra["no_plan_reason"] = pre.reason
    return replace(result, summary=dict(result.summary, **extra))


def _no_roster(run: _Run, counts: EngineResult | None) -> Result:
    """Infeasible (the full model: proven in a posts-only week, else decided by the visit
    relaxation) or unknown (no roster in time, or only the loops column generation found)."""
    if counts is not None and counts.status == "infeasible" and _pool_only(run):
        return _pool_only_result(run)
    if counts is not None and counts.status == "infeasible":
        if run.stats.get("repair_cuts"):
            pre = PrecheckResult(False, None, 0.0, [], "the model with repair cuts", proof=False, reason=(
                "named teams could not be split at some stations, and the cuts added for them (a station's most "
                "shifts) are a restriction, not a rule"))
        elif run.problem.has_visits:
            pre = visit_verdict(run.problem, ["the model (its loop columns and visit guards) has no solution"],
                                time_limit_s=run.remaining_s(10.0))
        else:
            pre = PrecheckResult(False, None, 0.0, [], "the full model")
        return _infeasible(run, pre)
    result = _unknown(run)
    return replace(result, summary=dict(result.summary, proof=False,
                                        no_plan_reason="no gap-free roster was found within the time limit"))


def _unknown(run: _Run) -> Result:
    return run.result("unknown", explanation=(
        "# No roster found\n\nNo gap-free roster was found within the time limit "
        f"({run.params.time_limit_s:.0f} s), and none was proven impossible. Raise "
        "`solver.time_limit_seconds` (or `--time-limit`), or set `solver.allow_gaps: true` to get the "
        "roster with the fewest gaps.\n"))


def _with_roster(run: _Run, counts: EngineResult, assignment) -> Result:
    status = _status(counts)
    priced = _priced(run.stats)
    if priced is not None and status == "optimal":
        # optimal over the loops found; over every loop only within the gap to the proven bound
        tol = max(run.params.gap_tolerance_pct / 100 * abs(counts.objective), 1e-6 * max(1.0, abs(counts.objective)))
        if priced["bound"] is None or counts.objective - priced["bound"] > tol:
            status = "feasible"
    result = run.result(status, counts=counts, assignment=assignment)
    gaps = int(result.coverage["gap"].sum()) + int((~result.coverage["sync_ok"]).sum())
    if not gaps:
        return result

    summary = dict(result.summary, status="gaps")
    return replace(result, status="gaps", summary=summary, explanation=explain_gaps(run.problem, result.coverage,
                                                                                   allow_gaps=run.params.allow_gaps))


def _priced(stats: dict) -> dict | None:
    """The column generation figures when the roster's model holds a part of the rendezvous
    model's loops: those it found, or a beat plan's (not after a fall back to the enumerated
    loops, a model of their own). The MIP's and the LP's bounds then hold for those loops only."""
    priced = stats.get("column_generation")
    return None if priced is None or priced.get("fallback") == ENUMERATED else priced


def _bound_scope(stats: dict) -> str:
    """What the LP's and the MIP's bounds in the log bound: "" for the week's model, else a
    note that they hold over the loops at hand only (:func:`_priced`; summary.json's
    ``best_bound`` is then column generation's proven one, or null)."""
    return "" if _priced(stats) is None else " (over the loops found only)"


def _status(res: EngineResult) -> str:
    if res.status == "optimal" and res.bound is not None and res.objective - res.bound > 1e-4 * max(abs(res.objective), 1):
        return "feasible"  # stopped within solver.gap_tolerance_pct, not proven optimal
    return res.status


def _complete(model, x_shifts: np.ndarray, *, bound: float | None) -> EngineResult | None:
    """The greedy counts as an engine result (other columns at their cheapest), or None if
    those counts break a row of ``model``."""
    x = complete_columns(model, x_shifts)
    if x is None:
        return None
    obj = model.objective(x)
    return EngineResult("feasible", x, obj, min(bound, obj) if bound is not None else None, 0.0, "greedy")


def _empty_roster(problem: Problem):
    return roster_table(problem, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _summary(run: _Run, outcome: _Outcome) -> dict:
    problem, params, stats = run.problem, run.params, run.stats
    status, res, roster, coverage = outcome.status, outcome.counts, outcome.roster, outcome.coverage
    slot_h = problem.slot_min / 60
    sync_short = 0
    visit_slots_demanded = int((problem.visit_need > 0).sum())
    if coverage is not None and len(coverage):
        posts = coverage[coverage["presence"] != "visit"] if "presence" in coverage else coverage
        short = (posts["demand"] - posts["present"]).clip(lower=0)
        uncovered_slots = int(posts["gap"].sum())
        uncovered_team_hours = float(short.sum() * slot_h)
        sync_short = int((~posts["sync_ok"]).sum())
        uncovered_visit_slots = int(coverage.loc[coverage["presence"] == "visit", "gap"].sum()) \
            if "presence" in coverage else 0
    elif status in ("infeasible", "unknown"):
        uncovered_slots = int((problem.required > 0).sum())
        uncovered_team_hours = float(problem.required.sum() * slot_h)
        uncovered_visit_slots = visit_slots_demanded
    else:
        uncovered_slots, uncovered_team_hours, uncovered_visit_slots = 0, 0.0, 0
    team_hours = travel_hours = 0.0
    stations = {}
    if roster is not None and len(roster):
        import pandas as pd

        hours = (pd.to_datetime(roster["end"]) - pd.to_datetime(roster["start"])).dt.total_seconds() / 3600
        team_hours = float(hours.sum())
        travel_hours = float((roster["travel_out_min"] + roster["travel_back_min"]).sum() / 60)
        stations = station_loads(problem, roster)
    objective = bound = gap_pct = None
    priced = _priced(stats)
    if res is not None and res.objective is not None:
        objective = round(res.objective, 4)
        lp = stats.get("lp_bound")
        bound_v = max(b for b in (res.bound, lp) if b is not None) if (res.bound is not None or lp) else None
        if priced is not None:
            # the MIP and the LP ran over the loops found: their bounds hold for those only
            bound_v = priced["bound"]
        if bound_v is not None:
            bound_v = min(bound_v, res.objective)
            bound = round(bound_v, 4)
            gap_pct = round(100 * (res.objective - bound_v) / max(abs(res.objective), 1e-9), 4)
    return {
        "status": status,
        "objective": objective,
        "best_bound": bound,
        **({"best_bound_reason": priced["reason"]} if priced is not None and priced["reason"] else {}),
        "gap_pct": gap_pct,
        "solve_seconds": round(outcome.elapsed_s, 3),
        "uncovered_slots": uncovered_slots,
        "uncovered_team_hours": round(uncovered_team_hours, 4),
        "synchronized_short_slots": sync_short,
        "uncovered_visit_slots": uncovered_visit_slots,
        "uncovered_visit_hours": round(uncovered_visit_slots * slot_h, 4),
        "team_hours": round(team_hours, 4),
        "travel_hours": round(travel_hours, 4),
        "demand_team_hours": round(problem.demand_team_hours(), 4),
        "demand_visit_hours": round(visit_slots_demanded * slot_h, 4),
        "shifts": 0 if roster is None else int(len(roster)),
        "stations": stations,
        "seed": params.seed,
        "time_limit_seconds": params.time_limit_s,
        "workers": params.workers,
        "versions": _versions(),
        "config_sha256": run.config_sha256,
        **({"visits": _visit_summary(problem, roster, outcome.visits),
            "lower_bounds": model_free_bounds(problem, workers=params.workers)} if problem.has_visits else {}),
        "stats": stats,
    }


def _visit_summary(problem: Problem, roster, visits) -> dict:
    """summary.json's ``visits``: how many, by how many loop shifts, what the same coverage
    would cost as posts, and how spread the visit times are (the standard deviation of each
    hotspot's visit minute-of-hour, its median over hotspots: 0 = always at the same minute,
    about 17 = spread evenly over the hour)."""
    import pandas as pd

    p = problem
    slot_h = p.slot_min / 60
    sync = np.array([p.zone_mode[z] == "synchronized" for z in p.hotspot_zone])
    teams = np.where(sync, np.maximum(p.zone_min_stations[p.hotspot_zone], 2), 1)
    as_posts = float((p.visit_need.sum(axis=1) * teams).sum() * slot_h)
    n_visits = 0 if visits is None else int(len(visits))
    loop_rows = roster[roster["loop_id"] != ""] if roster is not None and "loop_id" in roster else roster
    loop_hours = 0.0
    if loop_rows is not None and len(loop_rows):
        loop_hours = float(((pd.to_datetime(loop_rows["end"]) - pd.to_datetime(loop_rows["start"])).dt.total_seconds()
                            / 3600).sum())
    spread = None
    if n_visits:
        minute = pd.to_datetime(visits["arrive"]).dt.minute
        per_h = minute.groupby(visits["hotspot_id"]).std(ddof=0).dropna()
        spread = round(float(per_h.median()), 2) if len(per_h) else None
    return {
        "visits": n_visits,
        "loop_shifts": 0 if loop_rows is None else int(len(loop_rows)),
        "loop_team_hours": round(loop_hours, 2),
        "visit_demanded_hotspot_hours": round(float(p.visit_need.sum() * slot_h), 2),
        "as_posts_team_hours": round(as_posts, 2),
        "randomize": bool(p.config.visits.randomize),
        "minute_of_hour_std": spread,
        "loop_columns": int((p.shift_loop >= 0).sum()),
    }


def config_digest(config) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()


def config_sha256(scenario) -> str:
    """The sha256 of the config file's bytes (of its validated content when it has no file)."""
    path = scenario.config_path
    if path is not None and Path(path).is_file():
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return config_digest(scenario.config)


def prepare(scenario, *, travel=None, time_limit_s=None, seed=None, workers=None, allow_gaps=None, engine=None,
            quiet: bool = True) -> tuple[Problem, SolveParams]:
    """The one way from a loaded scenario to what :func:`solve` takes: the Problem (travel
    computed unless given; with visits.rendezvous its first loop columns,
    :func:`~patrolplan.model.pricing.with_seed_loops`) and the config's settings with the
    overrides that are not None."""
    problem = with_seed_loops(Problem.from_scenario(scenario, travel))
    params = SolveParams.from_config(scenario.config, time_limit_s=time_limit_s, seed=seed, workers=workers,
                                     allow_gaps=allow_gaps, engine=engine)
    return problem, replace(params, progress=params.progress and not quiet)


def solve_scenario(scenario, *, time_limit_s=None, seed=None, workers=None, quiet=True, allow_gaps=None,
                   engine=None) -> Result:
    """Travel and demand of ``scenario``, the Problem, and :func:`solve` with the config's settings."""
    problem, params = prepare(scenario, time_limit_s=time_limit_s, seed=seed, workers=workers,
                              allow_gaps=allow_gaps, engine=engine, quiet=quiet)
    return solve(problem, params, config_sha256=config_sha256(scenario))
