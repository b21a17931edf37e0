"""The config way in: hotspots as clients, candidate points as facilities, road minutes.

- **Clients** are the config's hotspots (``hotspot_id``), weighted by ``risk``.
- **Candidates** are points from a file (CSV with ``lon``/``lat`` or any vector file, read with
  :func:`patrolplan.inputs.io.read_points`), for example the road–border crossings that
  ``patrolplan junctions --roads`` writes. Their id column is ``--candidate-id`` or the first of
  ``facility_id``, ``candidate_id``, ``junction_id``, ``hotspot_id``, ``id`` that the file has.
- **Cost** is road minutes on the network the roster uses (the config's roads at its
  ``travel.speeds_kmh``, off-road legs at ``offroad_kmh``; without roads, straight-line distance
  x ``detour_factor`` at ``speeds_kmh.default``), rounded up to the whole minute as the roster's
  travel times are. **Direction**: by default from the checkpoint to the hotspot
  (``site-to-client``: a team at the checkpoint reaches the hotspot within the radius);
  ``client-to-site`` measures the way from the hotspot to the checkpoint (the road a vehicle
  leaving the hotspot drives to meet the checkpoint). Both are the same without one-way roads.
- A candidate farther than ``travel.max_snap_m`` from every road is left out (it reaches no
  hotspot), with a note; a hotspot that far is an input error, as in ``patrolplan validate``.

:func:`checkpoint_tables` turns the chosen checkpoints into rows to append to the week's
hotspots, zones and demand tables: each checkpoint a ``synchronized`` zone of the nearest
stations on both sides of the border it sits on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj

from patrolplan.errors import DataError, UsageError
from patrolplan.inputs.demand import clock_minutes, parse_days
from patrolplan.inputs.io import csv_encoding, read_points
from patrolplan.inputs.network import RoadGraph, road_graph
from patrolplan.inputs.scenario import TIERS, Scenario
from patrolplan.inputs.validate import display_path
from patrolplan.siting.core import SitingProblem, SitingResult

__all__ = ["Candidates", "read_candidates", "problem_from_scenario", "checkpoint_tables", "DIRECTIONS",
           "ID_COLUMNS"]

DIRECTIONS = ("site-to-client", "client-to-site")
ID_COLUMNS = ("facility_id", "candidate_id", "junction_id", "hotspot_id", "id")
#: the candidate column naming the units on each side, by tier (as ``patrolplan junctions`` writes)
_SIDE_COLUMNS = {"county": "units", "city": "cities", "province": "provinces"}
_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class Candidates:
    """Candidate points: ``facility_id``, ``lon``, ``lat``, ``tier`` (a tier, or ``""``), and the
    file's other columns; ``id_column`` is the file's own name for the id."""

    table: pd.DataFrame
    id_column: str
    source: str


def read_candidates(path: str | Path, *, id_column: str | None = None) -> Candidates:
    """Read candidate points; :class:`DataError` for a missing id column, empty or repeated ids,
    and every bad point (via ``read_points``)."""
    path = Path(path)
    source = display_path(path)
    df = read_points(path, kind="candidate", id_column=id_column or "facility_id")
    if id_column is None:
        id_column = next((c for c in ID_COLUMNS if c in df.columns), None)
        if id_column is None:
            raise DataError(f"{source}: no id column (one of {', '.join(ID_COLUMNS)}; columns: "
                            f"{', '.join(map(str, df.columns))}) — add one or pass --candidate-id COLUMN")
    elif id_column not in df.columns:
        raise DataError(f"{source}: no column '{id_column}' (--candidate-id) — columns: {', '.join(map(str, df.columns))}")
    first_row = 2 if path.suffix.lower() in (".csv", ".tsv") else 1
    problems, seen = [], {}
    ids = df[id_column].astype(str).str.strip()
    for pos, cid in zip(df.index, ids):
        row = int(pos) + first_row
        if not cid:
            problems.append(f"{source}: row {row}, column '{id_column}': empty — give every candidate an id")
        elif cid in seen:
            problems.append(f"{source}: row {row} ({id_column} '{cid}'), column '{id_column}': repeats row "
                            f"{seen[cid]} — give each candidate its own id")
        else:
            seen[cid] = row
    if problems:
        raise DataError(problems)
    if not len(df):
        raise DataError(f"{source}: no candidates — add points")
    table = df.copy()
    table["facility_id"] = ids
    tier = table["tier"].astype(str).str.strip() if "tier" in table.columns else pd.Series("", index=table.index)
    table["tier"] = tier.where(tier.isin(TIERS), "")
    return Candidates(table.reset_index(drop=True), id_column, source)


def _ceil_minutes(x: np.ndarray) -> np.ndarray:
    # the roster's rounding (inputs.network rounds travel up to the whole minute, 1e-9 slack);
    # inf (no road path) stays inf here: the siting core reads it as "unreachable"
    return np.where(np.isfinite(x), np.ceil(np.asarray(x, dtype=float) - 1e-9).clip(min=0), np.inf)


def _minutes(scenario: Scenario, graph: RoadGraph | None, a_ll: np.ndarray, b_ll: np.ndarray) -> np.ndarray:
    """Whole travel minutes [len(a), len(b)] from a to b, as the roster measures travel."""
    cfg = scenario.config.travel
    if graph is None:
        lon_a, lon_b = np.meshgrid(a_ll[:, 0], b_ll[:, 0], indexing="ij")
        lat_a, lat_b = np.meshgrid(a_ll[:, 1], b_ll[:, 1], indexing="ij")
        _, _, d = _GEOD.inv(lon_a, lat_a, lon_b, lat_b)
        m_per_min = float(cfg.speeds_kmh.get("default", 30.0)) * 1000 / 60
        return _ceil_minutes(np.abs(np.asarray(d, dtype=float)) * cfg.detour_factor / m_per_min)
    return _ceil_minutes(graph.minutes(a_ll, b_ll, offroad_kmh=cfg.offroad_kmh))


def _snapped(scenario: Scenario, graph: RoadGraph | None, ll: np.ndarray) -> np.ndarray:
    if graph is None:
        return np.zeros(len(ll))
    _, d = graph.snap(ll[:, 0], ll[:, 1])
    return d


def problem_from_scenario(scenario: Scenario, candidates: Candidates, *, direction: str = "site-to-client",
                          graph: RoadGraph | None = None, client_tiers: tuple[str, ...] | None = None,
                          ) -> tuple[SitingProblem, list[str]]:
    """The siting problem of a config and candidate points, and notes for the user.

    ``client_tiers``: only the hotspots of zones at these tiers are clients (e.g. the border
    hotspots, ``("county", "city", "province")``, leaving out town-tier ones); None: all."""
    if direction not in DIRECTIONS:
        raise UsageError(f"--direction {direction}: use one of {', '.join(DIRECTIONS)}")
    if graph is None:
        graph = road_graph(scenario)
    hs = scenario.hotspots
    if client_tiers is not None:
        bad = [t for t in client_tiers if t not in TIERS]
        if bad:
            raise UsageError(f"--client-tiers: unknown tier(s) {', '.join(bad)} — use {', '.join(TIERS)}")
        tier_of = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["tier"].astype(str)))
        keep = hs["zone_id"].astype(str).map(tier_of).isin(client_tiers)
        if not keep.any():
            raise DataError(f"--client-tiers {','.join(client_tiers)}: no hotspot of the config is in a zone of "
                            "those tiers")
        hs = hs[keep].reset_index(drop=True)
    h_ll = hs[["lon", "lat"]].to_numpy(dtype=float).reshape(-1, 2)
    c_ll = candidates.table[["lon", "lat"]].to_numpy(dtype=float).reshape(-1, 2)
    max_snap = scenario.config.travel.max_snap_m
    far_h = np.flatnonzero(_snapped(scenario, graph, h_ll) > max_snap)
    if len(far_h):
        raise DataError([f"hotspots: hotspot_id '{hs['hotspot_id'].iloc[i]}' is farther than travel.max_snap_m = "
                         f"{max_snap:g} m from every road — move it, add a road, or raise travel.max_snap_m"
                         for i in far_h])
    if direction == "site-to-client":
        cost = _minutes(scenario, graph, c_ll, h_ll).T
    else:
        cost = _minutes(scenario, graph, h_ll, c_ll)
    notes = []
    ids = candidates.table["facility_id"]
    left_out = np.zeros(len(c_ll), dtype=bool)
    far_c = np.flatnonzero(_snapped(scenario, graph, c_ll) > max_snap)
    if len(far_c):
        left_out[far_c] = True
        shown = ", ".join(ids.iloc[far_c[:8]])
        notes.append(f"{len(far_c)} of {len(c_ll)} candidates lie farther than travel.max_snap_m = {max_snap:g} m "
                     f"from the roads and are left out ({shown}{' ...' if len(far_c) > 8 else ''})")
    foreign = _foreign_candidates(scenario, candidates)
    if len(foreign):
        left_out[foreign] = True
        shown = ", ".join(ids.iloc[foreign[:8]])
        notes.append(f"{len(foreign)} candidates lie on borders between units none of which has a station in the "
                     f"inputs (the units their units/cities/provinces column names) and are left out "
                     f"({shown}{' ...' if len(foreign) > 8 else ''})")
    if left_out.all():
        raise DataError(f"{candidates.source}: none of the {len(c_ll)} candidates can be sited — "
                        + "; ".join(notes) + " — give candidates near the roads of the config, or raise "
                        "travel.max_snap_m")
    keep = np.flatnonzero(~left_out)
    cost = cost[:, keep]
    problem = SitingProblem.from_cost_matrix(cost, hs["risk"].to_numpy(dtype=float),
                                             client_ids=hs["hotspot_id"].astype(str).tolist(),
                                             facility_ids=ids.iloc[keep].tolist())
    return problem, notes


def _foreign_candidates(scenario: Scenario, candidates: Candidates) -> np.ndarray:
    """Candidates whose named units (at their tier) include no jurisdiction of any station."""
    st = scenario.stations
    out = []
    for k, cand in candidates.table.iterrows():
        col = _SIDE_COLUMNS.get(cand["tier"])
        if not col or col not in cand.index or not str(cand[col]).strip() or cand["tier"] not in st.columns:
            continue
        units = {u.strip() for u in str(cand[col]).split(";") if u.strip()}
        if not units & set(st[cand["tier"]].astype(str)):
            out.append(k)
    return np.array(out, dtype=np.int64)


# --- the checkpoints as rows of the week's tables ------------------------------------------------


def _header(path: Path | None, default: list[str]) -> list[str]:
    """The columns of the config's own CSV table (so rows append as they are), else ``default``."""
    if path is None or Path(path).suffix.lower() != ".csv":
        return default
    try:
        return [str(c) for c in pd.read_csv(path, nrows=0, encoding=csv_encoding(path)).columns]
    except (OSError, ValueError, DataError):
        return default


def _fresh(base: str, taken: set[str]) -> str:
    name, k = base, 2
    while name in taken:
        name, k = f"{base}-{k}", k + 1
    taken.add(name)
    return name


def _hours(text: str) -> tuple[str, str]:
    try:
        start, end = (t.strip() for t in text.split("-"))
        clock_minutes(start)
        clock_minutes(end, end=True)
    except (ValueError, TypeError):
        raise UsageError(f"--hours {text!r}: give HH:MM-HH:MM, e.g. 20:00-02:00") from None
    return start, end


def _members(times: np.ndarray, juris: np.ndarray, allowed: set[str] | None, teams_ok: np.ndarray,
             least: int) -> tuple[list[int], str]:
    """The nearest station of each of the two nearest sides (jurisdictions), then the nearest
    others up to ``least``; and a note when only one side has stations."""
    order = [s for s in np.argsort(times, kind="stable") if np.isfinite(times[s]) and teams_ok[s]]
    sides: dict[str, int] = {}
    for pool in ([s for s in order if juris[s] in allowed] if allowed else None, order):
        if pool is None:
            continue
        sides = {}
        for s in pool:
            j = juris[s]
            if j and j not in sides:
                sides[j] = s
            if len(sides) == 2:
                break
        if len(sides) == 2:
            break
    members = sorted(sides.values(), key=lambda s: times[s])
    note = ""
    if len(sides) < 2:
        note = "one side only: no station of a second jurisdiction reaches it"
    for s in order:
        if len(members) >= least:
            break
        if s not in members:
            members.append(s)
    return members, note


def checkpoint_tables(scenario: Scenario, candidates: Candidates, result: SitingResult, *,
                      graph: RoadGraph | None = None, days: str = "fri,sat", hours: str = "20:00-02:00",
                      ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rows to append to the week's hotspots, zones and demand tables (in the columns and order
    of the config's own CSV files, so ``tail -n +2 X_add.csv >> X.csv`` appends them).

    Each chosen checkpoint becomes a hotspot (``CP-<candidate id>``, risk = the highest risk of
    the hotspots it serves, 1 if none) in a zone of its own (``ZCP-<candidate id>``),
    ``synchronized``, at the tier of the border it sits on (the candidate's ``tier``;
    ``county`` when the file has none), whose members are the nearest station (road minutes
    there and back) of each of the two nearest jurisdictions of that tier — restricted to the
    units the candidate names (``units``/``cities``/``provinces``, as ``patrolplan junctions``
    writes them) when two of those have stations — then the nearest others up to
    ``modes.synchronized_min_stations``. Stations without a team are passed over. The demand
    row asks ``synchronized_min_stations`` teams on ``days`` during ``hours`` (a joint
    checkpoint operation).
    """
    parse_days(days, source="--days")  # a DataError naming the option on a bad spec
    start, end = _hours(hours)
    if graph is None:
        graph = road_graph(scenario)
    cfg = scenario.config
    least = int(cfg.modes.synchronized_min_stations)
    st = scenario.stations
    s_ll = st[["lon", "lat"]].to_numpy(dtype=float).reshape(-1, 2)
    table = candidates.table.set_index("facility_id")
    chosen = table.loc[result.site_ids]
    c_ll = chosen[["lon", "lat"]].to_numpy(dtype=float).reshape(-1, 2)
    there = _minutes(scenario, graph, s_ll, c_ll)  # [s, c]
    back = _minutes(scenario, graph, c_ll, s_ll).T
    round_trip = there + back
    teams = scenario.teams_per_station()
    teams_ok = np.array([teams.get(str(s), 0) > 0 for s in st["station_id"]])
    taken_h = set(scenario.hotspots["hotspot_id"].astype(str))
    taken_z = set(scenario.zones["zone_id"].astype(str))
    served = pd.Series(result.figures.nearest_site, index=result.problem.client_ids)
    risk = scenario.hotspots.set_index(scenario.hotspots["hotspot_id"].astype(str))["risk"]
    h_rows, z_rows, d_rows = [], [], []
    for k, (fid, cand) in enumerate(chosen.iterrows()):
        tier = cand["tier"] or "county"
        side_col = _SIDE_COLUMNS.get(tier)
        allowed = None
        if side_col and side_col in cand.index and str(cand[side_col]).strip():
            allowed = {u.strip() for u in str(cand[side_col]).split(";") if u.strip()}
        juris = st[tier].astype(str).to_numpy() if tier in st.columns else np.array([""] * len(st))
        members, note = _members(round_trip[:, k], juris, allowed, teams_ok, least)
        if len(members) < least:
            raise DataError(f"checkpoint {fid}: only {len(members)} station(s) with teams reach it by road — "
                            f"a synchronized zone needs {least}; choose other candidates or add stations")
        j = result.problem.facility_ids.index(fid)
        mine = [c for c, s in served.items() if s == j]
        hid = _fresh(f"CP-{fid}", taken_h)
        zid = _fresh(f"ZCP-{fid}", taken_z)
        names = str(cand.get("names", "") or "").strip()
        name = str(cand.get("name", "") or "").strip() or (f"联合查缉点 {names.replace(';', '/')}" if names
                                                          else f"checkpoint {fid}")
        why = f"sited by patrolplan site ({result.model})" + (f"; tier not given: county" if not cand["tier"] else "")
        h_rows.append({"hotspot_id": hid, "name": name, "zone_id": zid, "lon": float(cand["lon"]),
                       "lat": float(cand["lat"]), "risk": float(max([risk[c] for c in mine], default=1.0)),
                       "tier": tier, "kind": "checkpoint", "candidate_id": fid, "note": why})
        z_rows.append({"zone_id": zid, "name": name, "tier": tier, "mode": "synchronized",
                       "stations": ";".join(str(st["station_id"].iloc[s]) for s in members),
                       "min_stations": least, "candidate_id": fid,
                       "note": "; ".join(x for x in (why, note) if x)})
        d_rows.append({"hotspot_id": "", "zone_id": zid, "days": days, "start": start, "end": end, "teams": least,
                       "note": "joint checkpoint operation (联合查缉)"})
    data = cfg.data
    hot = _shape(pd.DataFrame(h_rows), _header(data.hotspots, ["hotspot_id", "name", "zone_id", "lon", "lat", "risk",
                                                                "tier", "candidate_id", "note"]))
    zon = _shape(pd.DataFrame(z_rows), _header(data.zones, ["zone_id", "name", "tier", "mode", "stations",
                                                             "min_stations", "candidate_id", "note"]))
    dem = _shape(pd.DataFrame(d_rows), _header(getattr(data, "demand", None),
                                               ["hotspot_id", "zone_id", "days", "start", "end", "teams", "note"]))
    return hot, zon, dem


def _shape(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``rows`` in exactly ``columns`` (blank where it has no value); a free-text column of the
    file (``note``, ``why``, ``comment``) takes the note."""
    out = pd.DataFrame(index=rows.index)
    for c in columns:
        if c in rows.columns:
            out[c] = rows[c]
        elif c in ("why", "comment", "remark") and "note" in rows.columns:
            out[c] = rows["note"]
        else:
            out[c] = ""
    return out
