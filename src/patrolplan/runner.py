"""One config, end to end: load, validate, solve, re-check, write the run folder.

``run_config`` is what ``patrolplan solve`` and each ``patrolplan batch`` worker call. It raises
:class:`~patrolplan.errors.PatrolPlanError` for bad input and returns the summary otherwise.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from patrolplan.check import check_roster
from patrolplan.check.published import read_text_roster
from patrolplan.errors import UsageError
from patrolplan.inputs.io import load_scenario
from patrolplan.inputs.network import road_graph, travel_times
from patrolplan.inputs.travel_cache import stored_notes
from patrolplan.model.build import build_model
from patrolplan.outputs.runfolder import prepare_output, write_run_folder
from patrolplan.response.table import hotspot_minutes, response_summary, response_table
from patrolplan.solver.export import read_counts, with_model_loops, write_model
from patrolplan.solver.solve import config_sha256, prepare, solve
from patrolplan.weeks import PreviousWeek, PublishedWeek, attach_published, previous_week, refuse_same_folder

__all__ = ["run_config", "run_scenario", "RunOutcome", "default_run_dir", "Run", "start_run", "plan", "verify",
           "publish"]


@dataclass(frozen=True)
class RunOutcome:
    result: object  # solve.Result
    report: object | None  # check.Report of the written roster
    run_dir: Path
    exit_code: int


def default_run_dir(config_name: str) -> Path:
    return Path("runs") / config_name


@dataclass(frozen=True, eq=False)
class Run:
    """A run under way, as :func:`start_run` set it up: what the later steps share."""

    scenario: object  # inputs.scenario.Scenario
    run_dir: Path
    extra_files: dict[str, Path]
    keep: tuple[str, ...]
    graph: object  # inputs.network.RoadGraph | None
    travel: object  # inputs.travel.Travel
    warnings: tuple[str, ...]
    published: PublishedWeek | None = None
    previous: PreviousWeek | None = None


def run_scenario(
    scenario,
    out_dir: str | Path | None = None,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    workers: int | None = None,
    quiet: bool = True,
    pictures: bool = True,
    extra_files: dict[str, Path] | None = None,
    counts_path: str | Path | None = None,
    model_path: str | Path | None = None,
    previous: PreviousWeek | tuple | None = None,
    warnings: list[str] | tuple[str, ...] = (),
) -> RunOutcome:
    """Solve a loaded scenario and write its run folder atomically: :func:`start_run`,
    :func:`plan`, :func:`verify`, :func:`publish`. ``counts_path``: stage 1's answer from
    another solver (see ``export.py``) instead of solving it here; ``model_path``: the model it
    answers (a rendezvous week: its priced loops become columns again). ``previous``: last week
    (:class:`~patrolplan.weeks.PreviousWeek`, or the tuple ``(prev_dir, table)``), whose teams
    stay busy into this week. ``warnings``: lines for stderr and summary.json's
    ``input_warnings``. A re-plan composes the same steps: :func:`patrolplan.replan.replan_scenario`.

    The run folder ``previous`` reads is never the one written (``--out``):
    :class:`~patrolplan.errors.UsageError` before anything is touched."""
    run = start_run(scenario, out_dir, extra_files=extra_files, previous=previous, warnings=warnings)
    _, result = plan(run, time_limit_s=time_limit_s, seed=seed, workers=workers, quiet=quiet,
                     counts_path=counts_path, model_path=model_path)
    return publish(run, *verify(run, result), pictures=pictures)


def start_run(scenario, out_dir: str | Path | None = None, *, extra_files: dict[str, Path] | None = None,
              published: PublishedWeek | None = None, previous: PreviousWeek | tuple | None = None,
              warnings: list[str] | tuple[str, ...] = ()) -> Run:
    """Step 1: refuse an ``--out`` that is the folder ``published`` or ``previous`` reads, claim
    the run folder (:func:`~patrolplan.outputs.runfolder.prepare_output`: refusals and the lock
    before any work), build the road graph and the travel minutes, print the warnings."""
    previous = previous_week(previous)
    cfg = scenario.config
    run_dir = Path(out_dir) if out_dir is not None else default_run_dir(cfg.name)
    for week in (published, previous):
        if week is not None:
            refuse_same_folder(run_dir, week.run_dir, week.option)
    warnings = list(warnings)
    extra_files = dict(extra_files or {})
    kept = _scenario_inside(scenario, run_dir)
    if kept is not None and kept.name not in extra_files:
        # solving the scenario a run folder keeps (as `patrolplan demo` suggests) must not
        # delete it when the new run folder replaces the old one
        extra_files[kept.name] = kept
    keep = (kept.name,) if kept is not None else ()  # carried over, so not lost
    prepare_output(run_dir, keep=keep, say=lambda line: print(line, file=sys.stderr))
    graph = road_graph(scenario)
    stored = [run_dir] + [w.run_dir for w in (published, previous) if w is not None]
    travel, notes = _travel(scenario, graph, stored)
    warnings += notes
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    return Run(scenario, run_dir, extra_files, keep, graph, travel, tuple(warnings), published, previous)


def plan(run: Run, *, time_limit_s: float | None = None, seed: int | None = None, workers: int | None = None,
         quiet: bool = True, counts_path: str | Path | None = None, model_path: str | Path | None = None):
    """Step 2: the problem (with the published and previous weeks attached) and its solved
    :class:`~patrolplan.solver.result.Result`, as ``(problem, result)``."""
    scenario = run.scenario
    problem, params = prepare(scenario, travel=run.travel, time_limit_s=time_limit_s, seed=seed, workers=workers,
                              quiet=quiet)
    if run.published is not None or run.previous is not None:
        problem = attach_published(problem, run.published, run.previous)
    counts = None
    if counts_path is not None:
        if model_path is not None and problem.windows is not None:
            problem = with_model_loops(problem, model_path, config_sha256=config_sha256(scenario))
        counts = read_counts(counts_path, build_model(problem, allow_gaps=params.allow_gaps), problem=problem)
    return problem, solve(problem, params, config_sha256=config_sha256(scenario), counts=counts)


def verify(run: Run, result):
    """Step 3: the run's own summary entries and the independent check of the roster, as
    ``(result, report, exit_code)``; the check disagreeing with the solver makes the exit code 1."""
    scenario = run.scenario
    summary = dict(result.summary)
    if run.previous is not None:
        summary["previous"] = str(run.previous.run_dir)
    if scenario.warnings or run.warnings:
        summary["input_warnings"] = list(scenario.warnings) + list(run.warnings)
    summary["config_name"] = scenario.config.name
    summary["week_start"] = scenario.config.week_start.isoformat()
    report = None
    exit_code = result.exit_code
    if len(result.roster):
        report = check_roster(scenario, result.roster, travel=run.travel, visits=result.visits,
                              **_published_check(run.published, run.previous))
        summary["check"] = {
            "ok": report.ok,
            "rule_violations": len(report.rule_violations),
            "uncovered_slots": report.uncovered_slots,
            "notes": len(report.notes),
        }
        if report.rule_violations or (result.status in ("optimal", "feasible") and not report.ok):
            # the independent check disagrees with the solver: never publish it as clean
            exit_code = 1
            summary["status_note"] = "the independent check found broken rules: " + "; ".join(
                v.message for v in report.violations[:5]
            )
    return replace(result, summary=summary), report, exit_code


def publish(run: Run, result, report, exit_code: int, *, pictures: bool = True) -> RunOutcome:
    """Step 4: the response table, then the run folder written atomically."""
    if len(result.roster):
        result = _with_response(run.scenario, result, run.travel, run.graph)
    write_run_folder(result, run.run_dir, scenario=run.scenario, pictures=pictures, graph=run.graph,
                     extra_files=run.extra_files, keep=run.keep, travel=run.travel)
    return RunOutcome(result, report, run.run_dir, exit_code)


def _travel(scenario, graph, stored: list[Path]):
    """The run's travel minutes, computed from the roads (``network.travel_times``), the same
    minutes ``patrolplan check`` computes: the solve and the in-solve check both use them, so
    the check never trusts a file. The matrix carries its ``inputs_sha256`` and is stored as
    travel.npz. Stored travel.npz files among ``stored`` (this run folder, ``--from``,
    ``--previous``) are compared with it: one of these inputs whose minutes differ, or that is
    damaged, foreign, oversized or a symlink, gives a warning line (a file of other inputs is
    silent: stale by design)."""
    travel = travel_times(scenario, graph=graph, cache=[])  # [] reads nothing; the key is attached
    return travel, stored_notes(stored, travel, scenario)


def _published_check(published: PublishedWeek | None, previous: PreviousWeek | None) -> dict:
    """The check's view of a re-plan and a roll-over: the published and previous rosters as
    the checker reads them (its own code), and the cut."""
    out = {}
    if published is not None:
        out.update(published=read_text_roster(published.run_dir, option="--from"), at=published.at)
    if previous is not None:
        out.update(previous=read_text_roster(previous.run_dir, option="--previous"))
    return out


def _with_response(scenario, result, travel, graph):
    """The result with ``response.csv`` and summary.json's ``response`` (patrolplan.response)."""
    t0 = time.perf_counter()
    hop = hotspot_minutes(scenario, graph, travel)
    table = response_table(scenario, result.roster, result.coverage, result.visits, hop)
    summary = dict(result.summary, response=response_summary(table, scenario.config))
    summary.setdefault("stats", {})["response_seconds"] = round(time.perf_counter() - t0, 3)
    return replace(result, response=table, summary=summary)


def _scenario_inside(scenario, run_dir: Path) -> Path | None:
    """The top folder under ``run_dir`` that holds the scenario's config, if it is there."""
    if scenario.config_path is None or not Path(run_dir).exists():
        return None
    config = Path(scenario.config_path).resolve()
    root = Path(run_dir).resolve()
    try:
        rel = config.relative_to(root)
    except ValueError:
        return None
    if len(rel.parts) == 1:
        raise UsageError(
            f"the config {config} lies directly in the run folder {root} that the run would replace: "
            "pass another --out"
        )
    return root / rel.parts[0]


def write_model_file(scenario, path: str | Path, *, quiet: bool = True) -> tuple[Path, Path]:
    """``patrolplan solve --write-model``: the stage-1 model of ``scenario`` as MPS + JSON; a
    week planned by rendezvous over the loops column generation finds in its share of the time
    limit, or the beat plan's, or the enumerated loops (as ``solve`` would)."""
    from patrolplan.solver.solve import planned_problem

    problem, params = prepare(scenario, quiet=quiet)
    problem = planned_problem(problem, params)
    model = build_model(problem, allow_gaps=params.allow_gaps)
    return write_model(problem, model, path, config_sha256=config_sha256(scenario))


def run_config(
    config_path,
    out_dir=None,
    *,
    time_limit_s=None,
    seed=None,
    workers=None,
    quiet: bool = True,
    pictures: bool = True,
) -> dict:
    """Load ``config_path``, solve, write the run folder; the summary plus ``run_dir`` and
    ``exit_code``."""
    scenario = load_scenario(config_path)
    outcome = run_scenario(
        scenario, out_dir, time_limit_s=time_limit_s, seed=seed, workers=workers, quiet=quiet,
        pictures=pictures,
    )
    summary = dict(outcome.result.summary)
    summary["run_dir"] = str(outcome.run_dir)
    summary["exit_code"] = outcome.exit_code
    return summary


def _least_team_hours(bounds: dict | None) -> str | None:
    """The largest model-free lower bound of summary.json's ``lower_bounds``, said with the
    bound it comes from (None: no bound above 0)."""
    if not bounds or not bounds.get("team_hours"):
        return None
    least = bounds["team_hours"]
    if least == bounds.get("path_teams_team_hours"):
        why = f"{bounds['path_teams']} teams on duty at once, roads counted"
    elif least == bounds.get("whole_teams_team_hours"):
        why = f"{bounds['whole_teams']} teams on duty at once"
    else:
        why = "each visit's dwell and least road in"
    return f"{least:,g} team-hours ({why}: lower_bounds in summary.json)"


def print_outcome(outcome: RunOutcome, *, file=None) -> None:
    file = file or sys.stdout
    s = outcome.result.summary
    status = s["status"]
    line = f"{status}: {s['shifts']} shifts, {s['team_hours']:g} team-hours"
    if s.get("gap_pct") is not None:
        line += f", {s['gap_pct']:.2f} % from the bound"
    line += f", {s['solve_seconds']:.1f} s -> {outcome.run_dir}"
    print(line, file=file)
    visits = s.get("visits")
    if isinstance(visits, dict) and visits.get("visits"):
        print(f"  visits: {visits['visits']} by {visits['loop_shifts']} loop shifts, {visits['loop_team_hours']:g} "
              f"team-hours; the same coverage as posts: {visits['as_posts_team_hours']:g} team-hours", file=file)
    if status in ("optimal", "feasible") and (least := _least_team_hours(s.get("lower_bounds"))) is not None:
        print(f"  any gap-free roster needs at least {least}; this one has {s['team_hours']:g}", file=file)
    if status == "gaps":
        visits = (f", {s['uncovered_visit_hours']:g} visit-demanded hotspot-hours without a visit within the interval"
                  if s.get("uncovered_visit_slots") else "")
        print(f"  {s['uncovered_slots']} hotspot-slots uncovered ({s['uncovered_team_hours']:g} team-hours){visits}; "
              f"see {outcome.run_dir / 'explanation.md'}", file=file)
    elif status in ("infeasible", "unknown"):
        what = "no gap-free roster exists (proven)" if s.get("proof") else "no plan found (not a proof that none exists)"
        print(f"  {what}: see {outcome.run_dir / 'explanation.md'}", file=file)
        expl = outcome.result.explanation or ""
        for ln in expl.splitlines()[:25]:
            print("  " + ln, file=file)
    if outcome.report is not None and outcome.report.rule_violations:
        print("  the independent check found broken rules:", file=file)
        print(outcome.report.to_text(), file=file)
