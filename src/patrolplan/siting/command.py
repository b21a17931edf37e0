"""``patrolplan site``: read, solve, print, write — the command's logic (cli.py only parses)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from patrolplan.errors import UsageError
from patrolplan.inputs.io import load_scenario
from patrolplan.inputs.network import road_graph
from patrolplan.outputs.runfolder import prepare_output
from patrolplan.siting.core import SitingResult
from patrolplan.siting.models import make_model
from patrolplan.siting.network import checkpoint_tables, problem_from_scenario, read_candidates
from patrolplan.siting.output import write_site_folder
from patrolplan.siting.tables import read_cost_tables

__all__ = ["site_command"]


def _fixed(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


def _check_usage(args) -> None:
    from_config = args.config is not None
    from_matrix = args.costs is not None or args.clients is not None
    if from_config == from_matrix:
        raise UsageError("give either CONFIG --candidates FILE, or --costs COSTS.csv --clients CLIENTS.csv")
    if from_config:
        if args.candidates is None:
            raise UsageError("from a config, --candidates FILE is needed (points: CSV lon/lat or a vector file)")
        if args.radius is not None:
            raise UsageError("from a config the radius is in road minutes: use --radius-min, not --radius")
    else:
        if args.costs is None or args.clients is None:
            raise UsageError("the matrix way needs both --costs COSTS.csv and --clients CLIENTS.csv")
        for opt in ("candidates", "radius_min", "client_tiers"):
            if getattr(args, opt) is not None:
                raise UsageError(f"--{opt.replace('_', '-')} belongs to the config way (CONFIG --candidates FILE)")
    if args.model in ("lscp", "lscpb") and args.p is not None:
        raise UsageError(f"{args.model} finds the number of sites itself: leave out --p")


def _say(lines, *, to_stderr: bool) -> None:
    for line in lines:
        print(line, file=sys.stderr if to_stderr else sys.stdout)


def _summary_lines(result: SitingResult) -> list[str]:
    f = result.figures
    gap = f" (gap {result.gap_pct:.3g} %)" if result.status != "optimal" and result.gap_pct is not None else ""
    lines = [f"{result.model}: {result.status}{gap}, {len(result.sites)} sites, objective {result.objective:g}, "
             f"{result.seconds:.1f} s",
             f"sites: {', '.join(result.site_ids)}"]
    if f.coverage_pct is not None:
        lines.append(f"covered: {f.coverage_pct:.1f} % of clients ({f.covered_weight:g} weight), "
                     f"backup (2+ sites within the radius): {f.backup_pct:.1f} %")
    if f.mean_cost is not None:
        lines.append(f"cost to the nearest site: weighted mean {f.mean_cost:.2f}, max {f.max_cost:g}")
    if f.uncovered:
        lines.append(f"not covered: {', '.join(f.uncovered[:20])}{' ...' if len(f.uncovered) > 20 else ''}")
    return lines


def site_command(args) -> int:
    """Run ``patrolplan site`` for parsed ``args`` (see cli.py); returns the exit code."""
    _check_usage(args)
    fixed = _fixed(args.fixed)
    out = Path(args.out) if args.out is not None else None
    if out is not None:
        prepare_output(out, kind="site", say=lambda m: print(m, file=sys.stderr))
    radius = args.radius_min if args.config is not None else args.radius
    model = make_model(args.model, p=args.p, radius=radius, fixed=fixed)
    scenario = candidates = graph = None
    notes: list[str] = []
    if args.config is not None:
        scenario = load_scenario(args.config)
        candidates = read_candidates(args.candidates, id_column=args.candidate_id)
        graph = road_graph(scenario)
        tiers = tuple(t.strip() for t in args.client_tiers.split(",") if t.strip()) if args.client_tiers else None
        problem, notes = problem_from_scenario(scenario, candidates, direction=args.direction, graph=graph,
                                               client_tiers=tiers)
    else:
        problem = read_cost_tables(args.costs, args.clients, weight_column=args.weight)
    result = model.solve(problem, time_limit_s=args.time_limit, workers=args.workers)
    report = result.to_json()
    report["notes"] = notes + report["notes"]
    if args.config is not None:
        report["cost"] = f"road minutes, {args.direction}"
    add_tables = None
    if scenario is not None and out is not None:
        add_tables = checkpoint_tables(scenario, candidates, result, graph=graph, days=args.days, hours=args.hours)
    if out is not None:
        write_site_folder(out, result, report, fixed=fixed, scenario=scenario, candidates=candidates, graph=graph,
                          add_tables=add_tables)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        _say([f"note: {n}" for n in report["notes"]], to_stderr=True)
    else:
        _say(_summary_lines(result) + [f"note: {n}" for n in report["notes"]], to_stderr=False)
    if out is not None:
        print(f"run folder: {out}", file=sys.stderr if args.json else sys.stdout)
    return 0
