"""The command line: a thin layer over the library (read, solve, write).

``main(argv) -> int`` is the only place that turns errors into messages and exit codes:
0 = a clean roster, 1 = no gap-free roster (or a check found gaps or broken rules),
2 = bad input or bad usage. A traceback means a bug.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from patrolplan import __version__
from patrolplan.errors import PatrolPlanError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: exit 2 with the usage line, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"give a finite number > 0, got {text}")
    return v


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return v


def _nonneg_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"give a finite number >= 0, got {text}")
    return v


def _positive_int(text: str) -> int:
    v = _nonneg_int(text)
    if v == 0:
        raise argparse.ArgumentTypeError("must be >= 1")
    return v


def _solve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path,
                   help="run folder (default: runs/<config name>); replaces only an empty folder or one patrolplan wrote")
    p.add_argument("--time-limit", type=_positive_float, metavar="S", help="solver time limit in seconds")
    p.add_argument("--seed", type=_nonneg_int, metavar="N", help="random seed (same seed, same roster)")
    p.add_argument("--workers", type=_positive_int, metavar="N", help="solver threads (default: solver.workers)")
    p.add_argument("--quiet", action="store_true", help="no progress lines while solving")
    p.add_argument("--no-pictures", action="store_true", help="skip maps, report, xlsx and gpkg")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="patrolplan", description="Weekly joint-patrol rosters at jurisdiction borders.")
    parser.add_argument("--version", action="version", version=f"patrolplan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("demo", help="plan one week for the Jining border region (no files needed)")
    _solve_options(p)

    p = sub.add_parser("solve", help="load, validate, solve and write a run folder")
    p.add_argument("config", type=Path, help="the week's YAML config")
    _solve_options(p)
    p.add_argument("--write-model", type=Path, metavar="FILE.mps",
                   help="write the aggregated stage-1 model (MPS, with FILE.json naming its columns) for another "
                        "MIP solver, and stop")
    p.add_argument("--counts", type=Path, metavar="VALUES.csv",
                   help="take stage 1's shift counts from another solver's answer (CSV name,value) instead of "
                        "solving it; named teams, run folder and check as usual")
    p.add_argument("--model", type=Path, metavar="FILE.mps",
                   help="with --counts: the model (from --write-model) the counts answer; a week planned by "
                        "rendezvous needs it, for the loops its column generation priced")

    p.add_argument("--previous", type=Path, metavar="RUN_DIR",
                   help="last week's run folder: its shifts that end after this week starts, or whose rest "
                        "reaches into it, keep their teams busy until the rest ends")

    p = sub.add_parser("replan", help="re-plan a published week from a time on, changing as few shifts as possible")
    p.add_argument("config", type=Path, help="the week's YAML config with its current inputs (e.g. lowered availability)")
    p.add_argument("--from", dest="from_dir", type=Path, required=True, metavar="RUN_DIR",
                   help="the published week's run folder (its roster.csv; rows with pinned=true are kept)")
    p.add_argument("--at", required=True, metavar="DATETIME",
                   help="re-plan from this local time (ISO 8601, e.g. 2026-12-02T12:00); shifts starting before it "
                        "are kept as history")
    _solve_options(p)

    p = sub.add_parser("validate", help="load and validate every input; list every problem")
    p.add_argument("config", type=Path, help="the week's YAML config")

    p = sub.add_parser("check", help="re-check a roster against the inputs, independently of the solver")
    p.add_argument("config", type=Path, help="the week's YAML config (its current inputs)")
    p.add_argument("run_dir", type=Path, help="a run folder (its roster.csv, written by patrolplan or edited by hand)")
    p.add_argument("--from", dest="from_dir", type=Path, metavar="RUN_DIR",
                   help="the published run folder a re-plan started from: its history and pinned rows must be unchanged")
    p.add_argument("--at", metavar="DATETIME", help="the re-plan's time (with --from): rows before it are history")
    p.add_argument("--previous", type=Path, metavar="RUN_DIR",
                   help="last week's run folder: check the rest across the week boundary")

    p = sub.add_parser("batch", help="solve many configs, one run folder each, and a batch summary")
    p.add_argument("configs", type=Path, nargs="+", help="YAML configs, one run folder each")
    p.add_argument("--workers", type=_positive_int, default=1, help="configs solved at once (local processes)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster (dask.distributed scheduler address)")
    p.add_argument("--out-root", type=Path, help="folder for the run folders (default: runs/)")
    p.add_argument("--time-limit", type=_positive_float, metavar="S",
                   help="solver time limit per config in seconds (default: each config's solver.time_limit_seconds)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("map", help="redraw the pictures of a run folder")
    p.add_argument("run_dir", type=Path, help="a run folder patrolplan wrote")
    p.add_argument("--day", help="draw one day: mon..sun or a date (YYYY-MM-DD)")
    p.add_argument("--config", type=Path, help="the config (default: the one recorded in summary.json)")

    p = sub.add_parser("respond", help="who answers an incident there and then: the response tiers from a run folder")
    p.add_argument("run_dir", type=Path, help="a run folder patrolplan wrote (its roster.csv and the config it records)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--at", metavar="LON,LAT", help="the incident's place, WGS84 degrees")
    where.add_argument("--hotspot", metavar="ID", help="the incident at a hotspot (its hotspot_id)")
    p.add_argument("--time", required=True, metavar="DATETIME", help="the incident's local time, e.g. 2026-12-04T22:30")
    p.add_argument("--json", action="store_true", help="the answer as JSON (for scripts) instead of a table")
    p.add_argument("--config", type=Path, help="the config (default: the one recorded in summary.json)")

    p = sub.add_parser("junctions", help="border-junction hotspots from admin polygons")
    p.add_argument("boundaries", type=Path, help="admin polygons (GeoJSON, GPKG, Shapefile), one per unit")
    p.add_argument("--roads", type=Path, help="road lines: also find the points where roads cross a border")
    p.add_argument("--out", type=Path, required=True, help="the hotspots file to write (GeoJSON or CSV)")
    p.add_argument("--unit-column", default=None, help="column naming each unit (default: district_name)")
    p.add_argument("--city-column", default=None, help="column naming its city/prefecture (default: city_name)")
    p.add_argument("--province-column", default=None, help="column naming its province (default: province_name)")
    p.add_argument("--tolerance-m", type=_positive_float, default=None, help="snapping tolerance in metres")

    p = sub.add_parser("generate", help="write a synthetic scenario in the contract's formats")
    p.add_argument("--stations", type=_positive_int, required=True, help="how many police stations (>= 2)")
    p.add_argument("--hotspots", type=_positive_int, required=True, help="how many border hotspots (>= 1)")
    p.add_argument("--days", type=_positive_int, default=7, help="horizon in days, 1-31 (default 7)")
    p.add_argument("--seed", type=_nonneg_int, default=0, help="random seed: the same seed, the same files (default 0)")
    p.add_argument("--coverage", type=float, default=0.25,
                   help="share of each day needing presence at every hotspot, 0-1 (1 = 24/7; default 0.25)")
    p.add_argument("--out", type=Path, required=True,
                   help="the scenario folder to write (new, empty, or one patrolplan generate wrote)")

    p = sub.add_parser("site", help="where to put joint checkpoints: coverage siting (lscp, mclp, lscpb, pmedian, "
                                    "pcenter) from a config and candidate points, or from a cost matrix")
    p.add_argument("config", type=Path, nargs="?", help="the week's YAML config: its hotspots are the clients "
                                                         "(weighted by risk), its roads give the cost")
    p.add_argument("--candidates", type=Path, metavar="FILE",
                   help="candidate checkpoints: points (CSV lon/lat or a vector file), e.g. patrolplan junctions output")
    p.add_argument("--costs", type=Path, metavar="COSTS.csv", help="matrix way: long costs client_id,facility_id,cost")
    p.add_argument("--clients", type=Path, metavar="CLIENTS.csv", help="matrix way: client_id and the weight column")
    p.add_argument("--model", required=True, choices=("lscp", "mclp", "lscpb", "pmedian", "pcenter"),
                   help="lscp: fewest sites covering all; mclp: p sites, most weight covered; lscpb: lscp's count, "
                        "most clients covered twice; pmedian: p sites, least weighted mean cost; pcenter: p sites, "
                        "least worst cost")
    p.add_argument("--p", type=_positive_int, metavar="N", help="how many sites (mclp, pmedian, pcenter)")
    p.add_argument("--radius-min", type=_positive_float, metavar="R", help="config way: service radius in road minutes")
    p.add_argument("--radius", type=_positive_float, metavar="R", help="matrix way: service radius in cost units")
    p.add_argument("--weight", default="weight", metavar="COLUMN", help="matrix way: CLIENTS weight column (default weight)")
    p.add_argument("--fixed", metavar="IDS", help="facility ids already sited (existing checkpoints), comma-separated")
    p.add_argument("--candidate-id", metavar="COLUMN",
                   help="id column of --candidates (default: the first of facility_id, candidate_id, junction_id, "
                        "hotspot_id, id)")
    p.add_argument("--client-tiers", metavar="TIERS",
                   help="config way: only hotspots of zones at these tiers are clients, e.g. county,city,province")
    p.add_argument("--direction", default="site-to-client", choices=("site-to-client", "client-to-site"),
                   help="road minutes from the checkpoint to the hotspot (default) or back")
    p.add_argument("--days", default="fri,sat",
                   help="config way: days of the joint checkpoint operations in demand_add.csv (default fri,sat)")
    p.add_argument("--hours", default="20:00-02:00",
                   help="config way: hours of those operations, HH:MM-HH:MM (default 20:00-02:00)")
    p.add_argument("--out", type=Path, help="run folder for sites.csv, sites.geojson, assignment.csv, the map and the "
                                            "rows to append (new, empty, or one patrolplan site wrote)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--time-limit", type=_positive_float, default=60.0, metavar="S",
                   help="solver time limit in seconds (default 60)")
    p.add_argument("--workers", type=_positive_int, default=2, metavar="N", help="HiGHS threads (default 2)")

    # --- incidents (issue 24): hotspots from incident records, and how a roster met them ---
    p = sub.add_parser("hotspots", help="border hotspots, their zones and hours from incident records: a scenario folder")
    p.add_argument("config", type=Path, help="the week's YAML config: its stations, roads, boundaries, rules and zones")
    p.add_argument("--incidents", type=Path, required=True, metavar="FILE",
                   help="incident records: incident_id, time (ISO 8601), lon/lat (CSV) or point geometry, "
                        "optional type and weight")
    p.add_argument("--since", metavar="DATE", help="use only incidents on or after this date (e.g. 2026-10-05)")
    p.add_argument("--out", type=Path, help="the scenario folder to write (default: runs/<config name>-hotspots; "
                                            "new, empty, or one patrolplan hotspots wrote)")

    p = sub.add_parser("evaluate", help="how a run folder's roster met the incidents of its week")
    p.add_argument("run_dir", type=Path, help="a run folder patrolplan wrote (its roster and the config it records)")
    p.add_argument("--incidents", type=Path, required=True, metavar="FILE",
                   help="incident records (as for hotspots); those of the run's week are evaluated")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--config", type=Path, help="the config (default: the one recorded in summary.json)")
    return parser


def main(argv: list[str] | None = None) -> int:
    from patrolplan import interrupts

    # the handlers come first, before argparse and before any heavy import (CP-SAT, HiGHS,
    # geopandas): a signal at any moment after this gives the one interrupt line and 130/143
    with interrupts.handled():
        try:
            code = _main(argv)
        except KeyboardInterrupt as err:  # also a signal landing outside the command itself
            code = _interrupted(err, "patrolplan")
    _leave_abandoned_solvers(code)
    return code


def _leave_abandoned_solvers(code: int) -> None:
    """An interrupted HiGHS run left in a helper thread (``siting.models._responsive``) cannot
    be joined before it reaches a callback, and the C++ runtime aborts a process that exits
    with its threads still running: end the process here, the output flushed, with ``code``."""
    import os
    import threading

    if not any(t.name == "patrolplan-highs" and t.is_alive() for t in threading.enumerate()):
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _main(argv: list[str] | None) -> int:
    from patrolplan import interrupts
    from patrolplan.outputs.runfolder import release_locks

    parser = build_parser()
    args = parser.parse_args(argv)
    name = f"patrolplan {args.command}"
    try:
        code = _COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except PatrolPlanError as err:
        _tell(f"{name}: {err}")
        _flush_stdout()
        return 2
    except KeyboardInterrupt as err:
        return _interrupted(err, name)
    except BrokenPipeError:
        return _broken_pipe()
    except Exception as err:
        if interrupts.signalled() is None:
            raise
        # a signal inside a native import or extension call can surface as another error
        # (ImportError, SystemError ...): it is still the interrupt, not a bug
        return _interrupted(interrupts.Interrupted(interrupts.signalled()), name, cause=err)
    finally:
        release_locks()


def _interrupted(err: KeyboardInterrupt, name: str, *, cause: BaseException | None = None) -> int:
    """The one line of an interrupted command: what was published before the signal (a run
    folder is swapped in with signals held, so it is either complete or untouched), and
    128 + signal as exit code."""
    from patrolplan import interrupts

    signum = err.signum if isinstance(err, interrupts.Interrupted) else interrupts.signalled()
    code = 128 + signum if signum else 130
    why = err.args[0] if isinstance(err, interrupts.Interrupted) else "interrupted"
    done = interrupts.published()
    if done:
        _tell(f"{name}: {why}: stopped after publishing {', '.join(done)} (complete: written whole "
              "before the signal was acted on); nothing else was written")
    else:
        _tell(f"{name}: {why}: stopped, nothing published (an earlier run folder is left as it was)")
    return code


def _tell(line: str) -> None:
    """``line`` to stderr. A stderr whose reader went away (``2>&1 | head -1``) is let go
    quietly: pointed at /dev/null, so that neither this print nor the interpreter's last flush
    turns the command's own exit code into a traceback's 1 (or 120)."""
    try:
        print(line, file=sys.stderr)
        sys.stderr.flush()
    except (BrokenPipeError, OSError, ValueError):
        _to_devnull(sys.stderr)


def _flush_stdout() -> None:
    """Flush stdout before an input error's exit 2; a closed reader is let go quietly."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, OSError, ValueError):
        _to_devnull(sys.stdout)


def _to_devnull(stream) -> None:
    """Point ``stream``'s file descriptor at /dev/null (what is still buffered goes there)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _broken_pipe() -> int:
    """stdout's (or stderr's) reader went away (``| head -1``): stop quietly with 141, as Unix
    tools do. The closed stream is pointed at /dev/null (stdout always: the pipe it failed on)
    so that the interpreter's final flush does not fail again."""
    try:
        sys.stderr.flush()
    except (BrokenPipeError, OSError, ValueError):
        _to_devnull(sys.stderr)
    _to_devnull(sys.stdout)
    return 128 + 13  # as a Unix tool killed by SIGPIPE (`yes | head -1`)


# --- commands -------------------------------------------------------------------------------


def _solve_and_report(scenario, args, *, extra_files=None) -> int:
    from patrolplan.runner import print_outcome, run_scenario

    out = args.out
    outcome = run_scenario(
        scenario,
        out,
        time_limit_s=args.time_limit,
        seed=args.seed,
        workers=args.workers,
        quiet=args.quiet,
        pictures=not args.no_pictures,
        extra_files=extra_files,
        counts_path=getattr(args, "counts", None),
        model_path=getattr(args, "model", None),
        previous=_previous(args, scenario),
    )
    print_outcome(outcome)
    return outcome.exit_code


def _previous(args, scenario):
    """``solve --previous``: the :class:`~patrolplan.weeks.PreviousWeek` (run folder, its roster),
    read and checked before any work."""
    if getattr(args, "previous", None) is None:
        return None
    from patrolplan.replan import check_known_stations, check_week_before, read_published, refuse_same_folder
    from patrolplan.runner import default_run_dir
    from patrolplan.weeks import PreviousWeek

    config = scenario.config
    refuse_same_folder(args.out if args.out is not None else default_run_dir(config.name), args.previous,
                       "--previous")
    table = read_published(args.previous, option="--previous")
    check_known_stations(scenario, table, args.previous, option="--previous")
    check_week_before(config, table, args.previous)
    return PreviousWeek(Path(args.previous), table)


def _load(config):
    """The scenario of ``config``; its input warnings go to stderr."""
    from patrolplan.inputs.io import load_scenario

    scenario = load_scenario(config)
    for line in scenario.warnings:
        print(f"warning: {line}", file=sys.stderr)
    return scenario


def _cmd_solve(args) -> int:
    if args.write_model is not None:
        from patrolplan.errors import UsageError
        from patrolplan.solver.export import check_model_path

        for option in ("counts", "model", "previous", "out"):
            if getattr(args, option) is not None:
                raise UsageError(f"--write-model writes the model and stops: it takes no --{option} (write the "
                                 f"model first, then run `patrolplan solve --counts VALUES.csv` with your options)")
        check_model_path(args.write_model)  # before any work
    if getattr(args, "model", None) is not None and args.counts is None:
        from patrolplan.errors import UsageError

        raise UsageError("--model names the model the --counts answer: give it with --counts VALUES.csv")
    scenario = _load(args.config)
    if args.write_model is not None:
        from patrolplan.runner import write_model_file

        for path in write_model_file(scenario, args.write_model, quiet=args.quiet):
            print(path)
        return 0
    return _solve_and_report(scenario, args)


def _cmd_replan(args) -> int:
    from patrolplan.replan import print_changes, replan_scenario
    from patrolplan.runner import print_outcome

    scenario = _load(args.config)
    out = args.out if args.out is not None else Path("runs") / f"{scenario.config.name}-replan"
    outcome = replan_scenario(scenario, args.from_dir, args.at, out, time_limit_s=args.time_limit, seed=args.seed,
                              workers=args.workers, quiet=args.quiet, pictures=not args.no_pictures)
    print_outcome(outcome)
    print_changes(outcome)
    return outcome.exit_code


def _cmd_demo(args) -> int:
    import tempfile

    from patrolplan.inputs.io import load_scenario
    from patrolplan.scenarios.jining import write_scenario

    if args.out is None:
        args.out = Path("runs") / "jining-demo"
    with tempfile.TemporaryDirectory(prefix="patrolplan-demo-") as tmp:
        config_path = write_scenario(Path(tmp) / "scenario")
        scenario = load_scenario(config_path)
        print(
            f"Jining demo: {len(scenario.stations)} stations (illustrative positions and manpower), "
            f"{len(scenario.hotspots)} hotspots, {len(scenario.zones)} zones "
            f"({', '.join(f'{n} {t}' for t, n in scenario.zones['tier'].value_counts().sort_index().items())})"
        )
        code = _solve_and_report(scenario, args, extra_files={"scenario": Path(tmp) / "scenario"})
    print(f"the scenario is in {args.out / 'scenario'}: edit it and run "
          f"`patrolplan solve {args.out / 'scenario' / 'config.yaml'}`")
    return code


def _cmd_validate(args) -> int:
    from patrolplan.inputs.network import travel_times

    from patrolplan.response.respond import read_station_areas

    scenario = _load(args.config)
    travel_times(scenario)  # snapping and reachability are input errors too
    read_station_areas(scenario)  # the layer `respond` reads (data.station_areas)
    print(
        f"{args.config}: ok — {len(scenario.stations)} stations, {len(scenario.hotspots)} hotspots, "
        f"{len(scenario.zones)} zones"
    )
    return 0


def _cmd_check(args) -> int:
    from patrolplan.check import check_run

    report = check_run(args.config, args.run_dir, from_dir=args.from_dir, at=args.at, previous=args.previous)
    print(report.to_text())
    return 0 if report.ok else 1


def _cmd_batch(args) -> int:
    from patrolplan.batch import batch_exit_code, run_batch

    table = run_batch(
        [Path(c) for c in args.configs],
        out_root=args.out_root,
        workers=args.workers,
        dask_address=args.dask,
        time_limit_s=args.time_limit,
        progress=not args.quiet,
    )
    with_cols = [c for c in ("name", "status", "exit_code", "objective", "gap_pct", "solve_seconds", "error")
                 if c in table.columns]
    print(table[with_cols].to_string(index=False))
    return batch_exit_code(table)


def _cmd_map(args) -> int:
    from patrolplan.errors import DataError
    from patrolplan.outputs.plotting import write_pictures
    from patrolplan.outputs.runfolder import read_summary, recorded_config

    from patrolplan.check import read_roster

    run_dir = args.run_dir
    summary = read_summary(run_dir)
    # the pictures read the roster by the checker's rules: a roster check would refuse is
    # refused here too, never drawn with rows silently dropped
    read_roster(run_dir)
    config = args.config
    if config is None:
        config = recorded_config(run_dir, summary)
    scenario = _load(config)
    for path in write_pictures(scenario, run_dir, day=args.day):
        print(path)
    return 0


def _cmd_respond(args) -> int:
    from patrolplan.response.respond import Responder, parse_lonlat

    lon = lat = None
    if args.at is not None:
        lon, lat = parse_lonlat(args.at)
    answer = Responder.load(args.run_dir, config=args.config).answer(time=args.time, lon=lon, lat=lat,
                                                                     hotspot=args.hotspot)
    print(answer.to_json() if args.json else answer.to_text())
    return 0


def _cmd_junctions(args) -> int:
    from patrolplan.scenarios.junctions import junctions_command

    opts = {
        k: v
        for k, v in dict(
            unit_column=args.unit_column,
            city_column=args.city_column,
            province_column=args.province_column,
            tolerance_m=args.tolerance_m,
        ).items()
        if v is not None
    }
    n = junctions_command(args.boundaries, args.out, roads_path=args.roads, **opts)
    print(f"{n} junction hotspots -> {args.out}")
    return 0


def _cmd_generate(args) -> int:
    from patrolplan.scenarios.generate import generate_command

    path = generate_command(
        args.out, stations=args.stations, hotspots=args.hotspots, days=args.days, seed=args.seed,
        coverage=args.coverage,
    )
    print(path)
    return 0


def _cmd_site(args) -> int:
    from patrolplan.siting.command import site_command

    return site_command(args)


def _cmd_hotspots(args) -> int:
    from patrolplan.incidents.scenario import hotspots_command

    hotspots_command(args.config, args.incidents, since=args.since, out=args.out)
    return 0


def _cmd_evaluate(args) -> int:
    from patrolplan.incidents.evaluate import evaluate_command

    return evaluate_command(args.run_dir, args.incidents, as_json=args.json, config=args.config)


_COMMANDS = {
    "demo": _cmd_demo,
    "solve": _cmd_solve,
    "replan": _cmd_replan,
    "validate": _cmd_validate,
    "check": _cmd_check,
    "batch": _cmd_batch,
    "map": _cmd_map,
    "respond": _cmd_respond,
    "junctions": _cmd_junctions,
    "generate": _cmd_generate,
    "site": _cmd_site,
    "hotspots": _cmd_hotspots,
    "evaluate": _cmd_evaluate,
}


if __name__ == "__main__":
    raise SystemExit(main())
