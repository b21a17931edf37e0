"""Hand-sized scenarios built in code: no files, no GIS, travel minutes given directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.inputs.config import config_from_dict
from patrolplan.inputs.network import Travel
from patrolplan.model.problem import Problem
from patrolplan.inputs.scenario import Scenario
from patrolplan.solver.solve import SolveParams, solve


def make_config(**overrides):
    raw = {
        "name": "t",
        "week_start": "2026-11-30",
        "horizon_days": 1,
        "slot_minutes": 60,
        "data": {"stations": "s.csv", "hotspots": "h.csv", "zones": "z.csv"},
        "rules": {"team_size": 2, "shift_hours": [4, 8], "shift_start_every_minutes": 60, "min_rest_hours": 12,
                  "max_shifts_per_team": 5, "reserve_officers": 0},
        "default_demand": 0,
        "solver": {"time_limit_seconds": 20, "workers": 1, "seed": 0, "progress": False},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
        else:
            raw[key] = value
    return config_from_dict(raw, base_dir=Path("."))


def make_scenario(stations, hotspots, zones, *, availability=None, **config):
    """stations: (id, officers, county); hotspots: (id, zone); zones: (id, mode, members, tier)."""
    cfg = make_config(**config)
    st = pd.DataFrame(
        {
            "station_id": [s[0] for s in stations],
            "name": [s[0] for s in stations],
            "officers": [s[1] for s in stations],
            "lon": [116.0 + 0.01 * i for i in range(len(stations))],
            "lat": [35.0] * len(stations),
            "town": [s[0] for s in stations],
            "county": [s[2] if len(s) > 2 else "" for s in stations],
            "city": ["c"] * len(stations),
            "province": ["p"] * len(stations),
            "reserve_officers": [cfg.rules.reserve_officers] * len(stations),
        }
    )
    hs = pd.DataFrame(
        {
            "hotspot_id": [h[0] for h in hotspots],
            "name": [h[0] for h in hotspots],
            "zone_id": [h[1] for h in hotspots],
            "lon": [116.0] * len(hotspots),
            "lat": [35.01] * len(hotspots),
            "risk": [1.0] * len(hotspots),
        }
    )
    zs = pd.DataFrame(
        {
            "zone_id": [z[0] for z in zones],
            "tier": [z[3] if len(z) > 3 else "county" for z in zones],
            "mode": [z[1] for z in zones],
            "stations": [";".join(z[2]) for z in zones],
            "members": [tuple(z[2]) for z in zones],
            "min_stations": [cfg.modes.synchronized_min_stations] * len(zones),
        }
    )
    av = None
    if availability:
        av = pd.DataFrame(availability, columns=["station_id", "date", "officers"])
        av["date"] = pd.to_datetime(av["date"]).dt.date
    return Scenario(config=cfg, config_path=None, stations=st, hotspots=hs, zones=zs, availability=av)


def with_demand(scenario, spans: dict[str, list[tuple[int, int, int]]]):
    """spans: hotspot id -> [(first slot, last slot exclusive, teams)], written as contract
    demand rows (one per day piece, days as ISO dates) so that the checker reads them too."""
    import datetime as dt

    slot = scenario.config.slot_minutes
    rows = []
    for hid, items in spans.items():
        for a, b, t in items:
            m, end = a * slot, b * slot
            while m < end:
                day, off = divmod(m, 1440)
                stop = min(end, (day + 1) * 1440)
                date = scenario.config.week_start + dt.timedelta(days=day)
                e = stop - day * 1440
                rows.append((hid, "", date.isoformat(), f"{off // 60:02d}:{off % 60:02d}",
                             "24:00" if e == 1440 else f"{e // 60:02d}:{e % 60:02d}", t))
                m = stop
    df = pd.DataFrame(rows, columns=["hotspot_id", "zone_id", "days", "start", "end", "teams"])
    return scenario.replace(demand=df)


def demand_matrix(scenario) -> np.ndarray:
    from patrolplan.inputs.demand import expand_demand

    return expand_demand(scenario)


def travel(scenario, minutes) -> Travel:
    """minutes: a number (all pairs, both ways) or {(station, hotspot): m}."""
    sids = tuple(scenario.stations["station_id"])
    hids = tuple(scenario.hotspots["hotspot_id"])
    out = np.zeros((len(sids), len(hids)), dtype=np.int64)
    if isinstance(minutes, dict):
        for (s, h), m in minutes.items():
            out[sids.index(s), hids.index(h)] = m
    else:
        out[:] = minutes
    return Travel(station_ids=sids, hotspot_ids=hids, out_min=out, back_min=out.T.copy())


def solve_case(scenario, spans, minutes=0, **params):
    """Solve with demand ``spans`` and travel ``minutes``; returns (result, travel, problem,
    scenario-with-demand)."""
    scenario = with_demand(scenario, spans)
    tr = travel(scenario, minutes)
    problem = Problem.from_tables(scenario, out_min=tr.out_min, back_min=tr.back_min,
                                  demand=demand_matrix(scenario))
    base = SolveParams.from_config(scenario.config)
    from dataclasses import replace

    params = {"gap_tolerance_pct": 0.0, **params}  # hand-sized cases: prove optimality
    result = solve(problem, replace(base, **params))
    return result, tr, problem, scenario


VISIT_COLUMNS = ["hotspot_id", "zone_id", "days", "start", "end", "teams", "presence", "dwell_min", "every_min"]


def visit_travel(scenario, out: int, hop: int) -> Travel:
    """Every station -> hotspot ``out`` minutes (both ways), every hotspot -> other hotspot ``hop``."""
    sids = tuple(scenario.stations["station_id"])
    hids = tuple(scenario.hotspots["hotspot_id"])
    o = np.full((len(sids), len(hids)), out, dtype=np.int64)
    h = np.full((len(hids), len(hids)), hop, dtype=np.int64)
    np.fill_diagonal(h, 0)
    return Travel(sids, hids, o, o.T.copy(), h)


def solve_visits(scenario, rows, *, out=10, hop=12, **params):
    """Solve with demand ``rows`` (tuples in VISIT_COLUMNS order); returns (result, travel,
    problem, scenario-with-demand)."""
    from dataclasses import replace

    from patrolplan.inputs.demand import expand_demand, expand_visits

    scenario = scenario.replace(demand=pd.DataFrame(rows, columns=VISIT_COLUMNS))
    tr = visit_travel(scenario, out, hop)
    problem = Problem.from_tables(scenario, out_min=tr.out_min, back_min=tr.back_min, demand=expand_demand(scenario),
                                  visits=expand_visits(scenario), hop_min=tr.hop_min)
    params = {"gap_tolerance_pct": 0.0, **params}
    result = solve(problem, replace(SolveParams.from_config(scenario.config), **params))
    return result, tr, problem, scenario


def problem_with_hop(scenario, *, out: int = 10, hop: int = 0):
    """The Problem of ``scenario`` (demand given) with every station -> hotspot ``out`` minutes
    (both ways) and every hotspot -> other hotspot ``hop``; returns the Problem."""
    tr = visit_travel(scenario, out, hop)
    return Problem.from_tables(scenario, out_min=tr.out_min, back_min=tr.back_min, demand=demand_matrix(scenario),
                               hop_min=tr.hop_min)


def solve_with_hop(scenario, spans, *, out: int = 10, hop: int = 0, **params):
    """Solve with demand ``spans`` (as :func:`solve_case`), station -> hotspot ``out`` minutes and
    hotspot -> hotspot ``hop`` (the backup rule measures it); returns (result, travel, problem,
    scenario-with-demand)."""
    from dataclasses import replace

    scenario = with_demand(scenario, spans)
    tr = visit_travel(scenario, out, hop)
    problem = problem_with_hop(scenario, out=out, hop=hop)
    params = {"gap_tolerance_pct": 0.0, **params}
    result = solve(problem, replace(SolveParams.from_config(scenario.config), **params))
    return result, tr, problem, scenario
