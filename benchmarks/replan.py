"""Benchmark: re-planning a published week after officers fall sick (issue 12).

    .venv/bin/python benchmarks/replan.py [--weeks demo,jining] [--time-limit S] [--repeat N]

For each week (``demo``: the ``patrolplan demo`` scenario, ``patrolplan.scenarios.jining``;
``jining``: the Jining-scale synthetic week of ``benchmarks/run.py``, 146 stations, 160
hotspots, 24/7 demand; ``jining-visits`` and ``jining-zones-visits``: the 24/7 visit weeks of
``benchmarks/visits.py --rendezvous``, planned from beats, a re-plan of them too):

1. the week is solved and published (a run folder, no pictures);
2. a re-plan from Wednesday 12:00 with no input change: its changed shifts (target 0);
3. 2 officers are removed at each of 3 stations from Wednesday 12:00 (availability rows for
   Wednesday to the end of the week, ``officers - 2``; the 3 stations that the lost team hurts
   most: those whose published roster starts the largest share of their teams on one day after
   the cut, then the most shifts after it), and the week is re-planned from then: the seconds to
   a gap-free roster (the whole re-plan, travel times and writing included, and the solve
   alone), the shifts changed (rows of changes.csv), the shifts the lost teams held after the
   cut, and their ratio (targets: <= 20 s, ratio <= 2).

A third (``called away`` rows): one station has no officers from Wednesday to the week's end,
the one with the most published shifts after the cut among those whose every hotspot after it
has another member station to take it (at a synchronized zone's, two of two jurisdictions where
its members span two); "lost teams held" is then its shifts after the cut.

A stricter variant (``on duty`` rows) makes the loss bind where the published roster has slack:
the 2 officers are among those on duty, so on each date from the cut the station may start one
team fewer than its published roster started after the cut that date; the lost team held, per
date, one team's share of that date's shifts.

"The shifts the lost teams held": 2 officers are one team (team size 2), so each station
loses one of its ``t`` teams; the lost team's share of the station's published shifts after
the cut is ``shifts / t`` (teams are interchangeable; no team is singled out), summed over
the 3 stations. The re-plan is checked by ``patrolplan.check`` (history unchanged included).

Numbers are whole-process wall-clock figures on a shared machine; medians over ``--repeat``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

AT = "2026-12-02T12:00"  # Wednesday of the week of 2026-11-30 (both weeks start then)
LOST_OFFICERS = 2
N_STATIONS = 3


def week_config(week: str, tmp: Path) -> Path:
    if week == "demo":
        from patrolplan.scenarios.jining import write_scenario

        return write_scenario(tmp / "demo")
    if week.endswith("-visits"):  # issue 22: the 24/7 visit week by rendezvous, planned from beats at this scale
        from visits import variant

        return variant(week.removesuffix("-visits"), "visits", rendezvous=True)
    from run import scenario_path

    return scenario_path(week)


def _availability(scenario) -> pd.DataFrame:
    table = scenario.availability
    if table is None or not len(table):
        return pd.DataFrame({"station_id": pd.Series(dtype=str), "date": pd.Series(dtype=object),
                             "officers": pd.Series(dtype=int)})
    return table


def sick(scenario, published: pd.DataFrame, at: dt.datetime):
    """The scenario with ``LOST_OFFICERS`` fewer officers from ``at``'s date to the week's end at
    the ``N_STATIONS`` stations holding the most published shifts after ``at``."""
    after = published[published["_start"] >= at]
    teams = scenario.teams_per_station()
    per_day = after.assign(day=after["_start"].map(lambda t: t.date())).groupby(["station_id", "day"])["team_id"].nunique()
    fullest = (per_day.groupby(level=0).max() / pd.Series(teams)).dropna()
    shifts = after["station_id"].value_counts()
    rank = pd.DataFrame({"full": fullest, "shifts": shifts}).fillna(0)
    chosen = list(rank.sort_values(["full", "shifts"], ascending=False, kind="stable").index[:N_STATIONS])
    cfg = scenario.config
    officers = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["officers"].astype(int)))
    old = _availability(scenario)
    rows = []
    for d in range((at.date() - cfg.week_start).days, cfg.horizon_days):
        date = cfg.week_start + dt.timedelta(days=d)
        for s in chosen:
            had = old[(old["station_id"].astype(str) == s) & (pd.to_datetime(old["date"]).dt.date == date)]
            base = int(had["officers"].min()) if len(had) else officers[s]
            rows.append({"station_id": s, "date": date, "officers": max(0, base - LOST_OFFICERS)})
    taken = {(r["station_id"], r["date"]) for r in rows}
    keep = old.loc[np.array([(str(a), pd.Timestamp(b).date()) not in taken
                             for a, b in zip(old["station_id"], old["date"])], dtype=bool)]
    table = pd.concat([keep[["station_id", "date", "officers"]], pd.DataFrame(rows)], ignore_index=True)
    table["date"] = pd.to_datetime(table["date"]).dt.date
    return scenario.replace(availability=table), chosen


def sick_on_duty(scenario, published: pd.DataFrame, at: dt.datetime, chosen: list[str]):
    """The stricter variant: the 2 officers are on duty, so on each date from ``at`` on the
    station may start one team fewer than its published roster started after ``at`` that date
    (availability ``reserve + team_size x (teams started - 1)``). Returns the scenario and the
    shifts the lost team held: per date, one team's share of the station's shifts."""
    cfg = scenario.config
    after = published[published["_start"] >= at]
    reserve = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["reserve_officers"].astype(int)))
    rows, held = [], 0.0
    for s in chosen:
        mine = after[after["station_id"] == s]
        for date, day in mine.groupby(mine["_start"].map(lambda t: t.date())):
            used = day["team_id"].nunique()
            rows.append({"station_id": s, "date": date,
                         "officers": reserve[s] + cfg.rules.team_size * (used - 1)})
            held += len(day) / used
    old = _availability(scenario)
    taken = {(r["station_id"], r["date"]) for r in rows}
    keep = old.loc[np.array([(str(a), pd.Timestamp(b).date()) not in taken
                             for a, b in zip(old["station_id"], old["date"])], dtype=bool)]
    table = pd.concat([keep[["station_id", "date", "officers"]], pd.DataFrame(rows)], ignore_index=True)
    table["date"] = pd.to_datetime(table["date"]).dt.date
    return scenario.replace(availability=table), held


def called_away(scenario, published: pd.DataFrame, at: dt.datetime):
    """The scenario with one station called away from ``at``'s date to the week's end (no
    officers): of the stations whose every published hotspot after ``at`` has another member
    station to take it (two of two jurisdictions at a synchronized zone's), the one with the most
    published shifts after ``at``. Returns the scenario, the station and its shifts after ``at``."""
    after = published[published["_start"] >= at]
    zones = scenario.zones.set_index("zone_id")
    members = {z: set(m) for z, m in zones["members"].items()}
    mode = zones["mode"].to_dict()
    zone_of = dict(zip(scenario.hotspots["hotspot_id"].astype(str), scenario.hotspots["zone_id"].astype(str)))

    where = scenario.stations.set_index(scenario.stations["station_id"].astype(str))

    def takers(z: str, s: str) -> bool:
        """Zone ``z`` keeps its visits without ``s``: another member, or for a synchronized
        zone two of two jurisdictions (at the zone's tier) where its members span two."""
        rest = members[z] - {s}
        if mode[z] != "synchronized":
            return bool(rest)
        tier = str(zones.loc[z, "tier"])
        of = {m: str(where.loc[m, tier]).strip() if tier in where.columns else "" for m in members[z]}
        if len({v for v in of.values() if v}) < 2:
            return len(rest) >= 2
        return len({of[m] for m in rest if of[m]}) >= 2

    def replaceable(s: str) -> bool:
        mine = after[after["station_id"] == s]
        stops = {h for cell in mine["loop_hotspots"].fillna("") for h in str(cell).split(";") if h}
        stops |= {h for h in mine["hotspot_id"].astype(str) if h}
        return all(takers(zone_of[h], s) for h in stops)

    shifts = after["station_id"].value_counts()
    station = next(s for s in shifts.index if replaceable(str(s)))
    cfg = scenario.config
    rows = [{"station_id": station, "date": cfg.week_start + dt.timedelta(days=d), "officers": 0}
            for d in range((at.date() - cfg.week_start).days, cfg.horizon_days)]
    old = _availability(scenario)
    keep = old[old["station_id"].astype(str) != station]
    table = pd.concat([keep[["station_id", "date", "officers"]], pd.DataFrame(rows)], ignore_index=True)
    table["date"] = pd.to_datetime(table["date"]).dt.date
    return scenario.replace(availability=table), station, int(shifts[station])


def lost_share(scenario, published: pd.DataFrame, at: dt.datetime, chosen: list[str]) -> float:
    teams = scenario.teams_per_station()
    after = published[published["_start"] >= at]
    return sum(int((after["station_id"] == s).sum()) / teams[s] for s in chosen)


def run_week(week: str, *, time_limit_s: float, repeat: int) -> dict:
    from patrolplan.inputs.io import load_scenario
    from patrolplan.replan import parse_at, read_published, replan_scenario
    from patrolplan.runner import run_scenario

    tmp = Path(tempfile.mkdtemp(prefix=f"patrolplan-replan-{week}-"))
    scenario = load_scenario(week_config(week, tmp))
    t = time.perf_counter()
    base = run_scenario(scenario, tmp / "published", time_limit_s=time_limit_s, pictures=False)
    publish_s = time.perf_counter() - t
    at = parse_at(AT, scenario.config)
    table = read_published(tmp / "published")
    out = {"week": week, "stations": len(scenario.stations), "hotspots": len(scenario.hotspots),
           "published_status": base.result.status, "published_shifts": len(table),
           "publish_seconds": round(publish_s, 1), "shifts_after_cut": int((table["_start"] >= at).sum())}

    same = replan_scenario(scenario, tmp / "published", AT, tmp / "same", time_limit_s=time_limit_s, pictures=False)
    out["no_change_changed"] = same.result.summary["replan"]["changed_shifts"]
    out["no_change_status"] = same.result.status

    def replans(new_scenario, name: str) -> float:
        """``repeat`` re-plans of ``new_scenario`` against the published week; the median
        whole-process and solve seconds and changed shifts into ``out`` under ``name``_*."""
        walls, solves, changed = [], [], []
        for n in range(repeat):
            t = time.perf_counter()
            res = replan_scenario(new_scenario, tmp / "published", AT, tmp / f"{name}{n}", time_limit_s=time_limit_s,
                                  pictures=False)
            walls.append(time.perf_counter() - t)
            solves.append(res.result.summary["solve_seconds"])
            changed.append(res.result.summary["replan"]["changed_shifts"] or 0)
            out[f"{name}_status"] = res.result.status
            out[f"{name}_check_ok"] = bool(res.report is not None and res.report.ok)
            out[f"{name}_changes"] = res.result.summary["replan"].get("changes")
        out.update({f"{name}_wall_seconds": round(statistics.median(walls), 1),
                    f"{name}_solve_seconds": round(statistics.median(solves), 1),
                    f"{name}_changed": int(statistics.median(changed))})
        return statistics.median(changed)

    sick_scenario, chosen = sick(scenario, table, at)
    changed = replans(sick_scenario, "sick")
    held = lost_share(scenario, table, at, chosen)
    out.update(sick_stations=chosen, lost_teams_held=round(held, 1), ratio=round(changed / held, 2) if held else None)

    duty_scenario, held = sick_on_duty(scenario, table, at, chosen)
    changed = replans(duty_scenario, "duty")
    out.update(duty_held=round(held, 1), duty_ratio=round(changed / held, 2) if held else None)

    away_scenario, station, held = called_away(scenario, table, at)
    changed = replans(away_scenario, "away")
    out.update(away_station=station, away_held=held, away_ratio=round(changed / held, 2) if held else None)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", default="demo,jining",
                    help="comma list of: demo, jining, jining-key, small, jining-visits, jining-zones-visits")
    ap.add_argument("--time-limit", type=float, default=60.0, help="solver time limit per solve (s)")
    ap.add_argument("--repeat", type=int, default=1, help="sick re-plans per week (median reported)")
    args = ap.parse_args(argv)
    rows = [run_week(w, time_limit_s=args.time_limit, repeat=args.repeat) for w in args.weeks.split(",")]
    print("| week | stations | shifts (after cut) | no-change re-plan: changed | sick re-plan: status, check | "
          "to gap-free (whole / solve) | changed | lost teams held | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['week']} | {r['stations']} | {r['published_shifts']} ({r['shifts_after_cut']}) | "
              f"{r['no_change_changed']} | {r['sick_status']}, {'ok' if r['sick_check_ok'] else 'NOT ok'} | "
              f"{r['sick_wall_seconds']} s / {r['sick_solve_seconds']} s | {r['sick_changed']} "
              f"{r['sick_changes']} | {r['lost_teams_held']} | {r['ratio']} |")
        print(f"| {r['week']} (on duty) | {r['stations']} | {r['published_shifts']} ({r['shifts_after_cut']}) | "
              f"— | {r['duty_status']}, {'ok' if r['duty_check_ok'] else 'NOT ok'} | "
              f"{r['duty_wall_seconds']} s / {r['duty_solve_seconds']} s | {r['duty_changed']} "
              f"{r['duty_changes']} | {r['duty_held']} | {r['duty_ratio']} |")
        print(f"| {r['week']} (called away) | {r['stations']} | {r['published_shifts']} ({r['shifts_after_cut']}) | "
              f"— | {r['away_status']}, {'ok' if r['away_check_ok'] else 'NOT ok'} | "
              f"{r['away_wall_seconds']} s / {r['away_solve_seconds']} s | {r['away_changed']} "
              f"{r['away_changes']} | {r['away_held']} | {r['away_ratio']} |")
    for r in rows:
        print(f"{r['week']}: called away {r['away_station']}; sick stations {', '.join(r['sick_stations'])}; published in {r['publish_seconds']} s "
              f"({r['published_status']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
