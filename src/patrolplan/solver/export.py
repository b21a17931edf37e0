"""The aggregated model for other MIP solvers, and their answers back into a roster.

``patrolplan solve CONFIG --write-model FILE.mps`` writes the stage-1 model (the same one the
staged solve uses) as free MPS through HiGHS, with ``FILE.json`` beside it naming every column:
its family and, for a shift column ``x…``, the station, hotspot, start and length it counts
teams for. Gurobi, CPLEX, SCIP or CBC can solve the file as it is.

A week planned by rendezvous (``visits.rendezvous``) runs column generation first: the file holds
every loop it found, and FILE.json each loop's visits. ``--counts VALUES.csv --model FILE.mps``
then rebuilds those loops as columns (:func:`with_model_loops`), so the names match.

``patrolplan solve CONFIG --counts VALUES.csv`` takes their answer instead of solving stage 1:
a CSV with the columns ``name`` and ``value`` (the MPS column names; absent columns count 0,
other columns than shift counts may be left out). The named-team step turns the shift counts
into a roster, and the run folder, its independent check and ``patrolplan check`` judge it as
any other.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.errors import DataError, UsageError

__all__ = ["column_names", "write_model", "read_counts", "with_model_loops", "MODEL_FORMAT", "check_model_path"]

MODEL_FORMAT = "patrolplan-aggregated-model/1"


def column_names(model) -> list[str]:
    """``x000001`` … for the shift counts, then ``<family>_000001`` … for the other columns."""
    width = max(6, len(str(model.n_cols)))
    names = [f"x{j:0{width}d}" for j in range(model.n_shifts)]
    fams = model.col_family if len(model.col_family) == model.n_cols else np.full(model.n_cols, "aux", dtype=object)
    names += [f"{fams[j] or 'aux'}_{j:0{width}d}" for j in range(model.n_shifts, model.n_cols)]
    return names


def _columns_json(problem, model, names: list[str]) -> list[dict]:
    p = problem
    start = pd.Timestamp(p.horizon_start)
    rows = []
    for j, name in enumerate(names):
        if j < model.n_shifts:
            rows.append({
                "name": name, "family": "shifts",
                "station_id": p.station_ids[p.shift_station[j]],
                "hotspot_id": p.hotspot_ids[p.shift_hotspot[j]],
                "start": (start + pd.Timedelta(minutes=int(p.shift_start_min[j]))).strftime("%Y-%m-%dT%H:%M"),
                "length_min": int(p.shift_len_min[j]),
                "travel_out_min": int(p.shift_out_min[j]),
                "travel_back_min": int(p.shift_back_min[j]),
            })
            if p.windows is not None and p.shift_loop[j] >= 0:  # a rendezvous loop: its visits make it
                rows[-1]["visits"] = [[p.hotspot_ids[h], (start + pd.Timedelta(minutes=int(t))).strftime("%Y-%m-%dT%H:%M")]
                                      for h, t in p._loop_key(j)[3]]
        else:
            rows.append({"name": name, "family": str(model.col_family[j]) if len(model.col_family) else "aux"})
    return rows


def check_model_path(path: str | Path) -> Path:
    """Refuse (:class:`UsageError`, exit 2) a ``--write-model`` path patrolplan may not write,
    before any work: not ending in ``.mps``; below a file; a folder; a symbolic link (the file
    or its ``.json``); a file (or ``.json``) that an earlier ``--write-model`` did not write."""
    path = Path(path)
    if path.suffix.lower() != ".mps":
        raise UsageError(f"--write-model {path}: give a file name ending in .mps")
    absolute = Path(os.path.abspath(path))
    for parent in absolute.parents:
        if os.path.lexists(parent) and not parent.is_dir():
            raise UsageError(f"--write-model {path}: {parent} is a file, not a folder — give a path in a folder")
    meta_path = path.with_suffix(".json")
    for existing in (path, meta_path):
        if os.path.islink(existing):
            raise UsageError(f"--write-model {path}: {existing} is a symbolic link; patrolplan replaces only "
                             "files it wrote itself — give another file name")
        if os.path.lexists(existing) and not os.path.isfile(existing):
            raise UsageError(f"--write-model {path}: {existing} is a folder — give a file name")
    ours = _written_by_us(meta_path) and (not os.path.lexists(path) or _looks_like_mps(path))
    for existing in (path, meta_path):
        if os.path.lexists(existing) and not ours:
            raise UsageError(f"--write-model {path}: {existing} exists and patrolplan did not write it — "
                             "give another file name, or move it away")
    return path


def _looks_like_mps(path: Path) -> bool:
    """An MPS file as HiGHS writes it (free MPS opens with a NAME or ROWS section)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("ascii", "replace")
    except OSError:
        return False
    return any(line.split()[:1] in (["NAME"], ["ROWS"], ["OBJSENSE"]) for line in head.splitlines()[:20])


def write_model(problem, model, path: str | Path, *, config_sha256: str | None = None) -> tuple[Path, Path]:
    """Write ``path`` (MPS) and ``path`` with ``.json`` (column meanings); return both paths."""
    from patrolplan.solver.engines import _highs_model

    path = check_model_path(path)  # again: the place may have changed while the model was built
    meta_path = path.with_suffix(".json")
    names = column_names(model)
    h = _highs_model(model, relax=False)
    lp = h.getLp()
    lp.col_names_ = names
    lp.row_names_ = [f"{model.families[f]}_{i:0{max(6, len(str(model.n_rows)))}d}"
                     for i, f in enumerate(model.row_family)]
    h.passModel(lp)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.mps")  # HiGHS picks the format by the ending
    h.writeModel(str(tmp))
    tmp.replace(path)
    meta = {
        "format": MODEL_FORMAT,
        "config_sha256": config_sha256,
        "objective": "minimise; hours (team-hours, travel and fairness as weighted in the config)",
        "objective_offset": float(model.objective_offset),
        "n_cols": model.n_cols,
        "n_rows": model.n_rows,
        "n_shift_columns": model.n_shifts,
        "row_families": model.family_counts(),
        "columns": _columns_json(problem, model, names),
    }
    tmp = meta_path.with_name(f".{meta_path.name}.tmp")
    tmp.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(meta_path)
    return path, meta_path


def _written_by_us(meta_path: Path) -> bool:
    try:
        return json.loads(meta_path.read_text(encoding="utf-8")).get("format") == MODEL_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


#: row families whose bounds the counts alone must keep: a station's teams at each instant,
#: its shifts in the horizon, its starts on a date of lowered availability. Counts that break
#: them cannot become named teams (the named-team step would drop the station's shifts), so
#: they are bad input, not a shortfall.
_STATION_LIMITS = {
    "capacity": "more shifts at once than the station has teams (counting each shift's rest)",
    "max_shifts": "more shifts in the week than its teams may work (rules.max_shifts_per_team)",
    "availability": "more shifts on that date than its available officers allow (data.availability)",
}


def with_model_loops(problem, model_path: str | Path, *, config_sha256: str | None = None):
    """visits.rendezvous: ``problem`` with the loop columns of the model ``--write-model`` wrote
    (``FILE.json`` beside ``model_path``: the loops column generation found), in its order, so
    that the counts of another solver name the same columns. Raises :class:`DataError` when the
    file is not such a model of this week (another config, other inputs)."""
    from patrolplan.model.rules.visits import LoopColumn

    path = Path(model_path)
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DataError(f"{meta_path}: cannot be read as the model's column list ({err}) — give the FILE.mps "
                        "`patrolplan solve --write-model FILE.mps` wrote, with its FILE.json beside it") from None
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT or not isinstance(meta.get("columns"), list):
        raise DataError(f"{meta_path}: not a column list of `patrolplan solve --write-model` ({MODEL_FORMAT})")
    if config_sha256 is not None and meta.get("config_sha256") != config_sha256:
        raise DataError(f"{meta_path}: the model was written from another config (config_sha256 differs) — write it "
                        "again from this config with --write-model")
    p = problem
    h_index = {h: i for i, h in enumerate(p.hotspot_ids)}
    s_index = {s: i for i, s in enumerate(p.station_ids)}
    start = pd.Timestamp(p.horizon_start)
    shifts = [c for c in meta["columns"] if isinstance(c, dict) and c.get("family") == "shifts"]
    loops = []
    try:
        for c in shifts[p.n_shifts:]:
            minutes = [int((pd.Timestamp(t) - start) / pd.Timedelta(minutes=1)) for _, t in c["visits"]]
            loops.append(LoopColumn(s_index[c["station_id"]], int((pd.Timestamp(c["start"]) - start)
                                                                  / pd.Timedelta(minutes=1)),
                                    int(c["length_min"]), tuple(zip((h_index[h] for h, _ in c["visits"]), minutes))))
    except (KeyError, TypeError, ValueError):
        loops = None
    q = p.with_loop_columns(loops) if loops else p
    if loops is not None and q.n_shifts == len(shifts):
        minute = [(start + pd.Timedelta(minutes=int(t))).strftime("%Y-%m-%dT%H:%M") for t in q.shift_start_min]
        here = [(p.station_ids[s_], minute[j], int(n), int(o), int(b)) for j, (s_, n, o, b) in enumerate(
            zip(q.shift_station, q.shift_len_min, q.shift_out_min, q.shift_back_min))]
        there = [(c.get("station_id"), c.get("start"), c.get("length_min"), c.get("travel_out_min"),
                  c.get("travel_back_min")) for c in shifts]
        if here != there:  # the same count, other columns: other inputs behind the same config
            loops = None
    if loops is None or q.n_shifts != len(shifts) or int(meta.get("n_shift_columns", -1)) != q.n_shifts:
        raise DataError(f"{meta_path}: its shift columns are not this week's ({len(shifts)} in the file, "
                        f"{p.n_shifts} before column generation here) — write the model again from these inputs")
    return q


def read_counts(path: str | Path, model, *, problem=None) -> np.ndarray:
    """The shift counts of a solution file (CSV ``name,value``), checked against ``model``:
    every name must be one of its columns, given once, and every shift count a whole number
    within its bounds; together the counts must keep each station's limits (teams at once,
    shifts per week, availability: the rows of :data:`_STATION_LIMITS`). ``problem`` (the
    model's) lets the messages name stations and times. Raises :class:`DataError` naming the
    rows."""
    from patrolplan.inputs.io import read_text_csv

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such counts file — give the CSV of column values (name,value)")
    table = read_text_csv(path, what="the counts file (CSV name,value)")
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in ("name", "value") if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} — the counts file needs name,value")
    names = column_names(model)
    index = {name: j for j, name in enumerate(names)}
    counts = np.zeros(model.n_shifts)
    problems = []
    first_row: dict[str, int] = {}
    for i, (name, text) in enumerate(zip(table["name"], table["value"]), start=2):
        name, text = str(name).strip(), str(text).strip()
        if not name:
            continue
        j = index.get(name)
        if j is None:
            problems.append(f"{path}: row {i}, column 'name': '{name}' is not a column of this model — "
                            "was the model written from the same config and inputs?"
                            + (" (a week planned by rendezvous: give --model FILE.mps, the model the counts "
                               "answer, so that its priced loops are columns too)"
                               if problem is not None and problem.windows is not None else ""))
            continue
        if name in first_row:
            problems.append(f"{path}: row {i}, column 'name': {name} is given twice (rows {first_row[name]} and "
                            f"{i}) — keep one row per column")
            continue
        first_row[name] = i
        try:
            v = float(text)
        except ValueError:
            problems.append(f"{path}: row {i}, column 'value': '{text}' is not a number")
            continue
        if j >= model.n_shifts:
            continue  # auxiliary columns follow from the counts
        if not np.isfinite(v) or abs(v - round(v)) > 1e-6 or v < -1e-6 or v > model.col_upper[j] + 1e-6:
            problems.append(f"{path}: row {i}, column 'value': {name} = {text} is not a whole number of teams "
                            f"in 0..{model.col_upper[j]:g}")
            continue
        counts[j] = round(v)
    if problems:
        raise DataError(problems)
    problems = _station_limits(path, model, counts, names, first_row, problem)
    if problems:
        raise DataError(problems)
    return counts


def _station_limits(path: Path, model, counts: np.ndarray, names: list[str], first_row: dict[str, int],
                    problem) -> list[str]:
    """One line per station limit the counts break (the first few rows of each family)."""
    A = model.A.tocsr()
    shift_part = A[:, : model.n_shifts]
    pure = np.asarray(abs(A[:, model.n_shifts:]).sum(axis=1)).ravel() == 0 if model.n_cols > model.n_shifts \
        else np.ones(model.n_rows, dtype=bool)
    value = shift_part @ counts
    lines: list[str] = []
    for fam, what in _STATION_LIMITS.items():
        if fam not in model.families:
            continue
        f = model.families.index(fam)
        bad = np.flatnonzero(pure & (model.row_family == f) & (value > model.row_upper + 1e-6))
        seen_stations: set = set()
        for r in bad:
            cols = shift_part[r].indices
            used = [j for j in cols if counts[j] > 0]
            station = at = None
            if problem is not None and used:
                station = problem.station_ids[problem.shift_station[used[0]]]
                start = pd.Timestamp(problem.horizon_start)
                at = min(start + pd.Timedelta(minutes=int(problem.shift_start_min[j])) for j in used)
            if station in seen_stations:
                continue  # one line per station and family is enough to act on
            seen_stations.add(station)
            rows = ", ".join(f"{names[j]} (row {first_row.get(names[j], '?')})" for j in used[:4])
            rows += f" and {len(used) - 4} more" if len(used) > 4 else ""
            who = f"station {station}" if station is not None else "a station"
            when = f" around {at:%Y-%m-%dT%H:%M}" if fam != "max_shifts" and at is not None else ""
            lines.append(f"{path}: column 'value': {who}{when} gets {value[r]:g} — {what}, limit "
                         f"{model.row_upper[r]:g}; the counts of {rows} break it — lower them (was the answer "
                         "solved from the model --write-model wrote for these inputs?)")
            if len(lines) >= 10:
                return lines
    return lines
