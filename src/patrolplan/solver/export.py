"""The aggregated model for other MIP solvers, and their answers back into a roster.

``patrolplan solve CONFIG --write-model FILE.mps`` writes the stage-1 model (the same one the
staged solve uses) as free MPS through HiGHS, with ``FILE.json`` beside it naming every column:
its family and, for a shift column ``x…``, the station, hotspot, start and length it counts
teams for. Gurobi, CPLEX, SCIP or CBC can solve the file as it is.

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

__all__ = ["column_names", "write_model", "read_counts", "MODEL_FORMAT"]

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
        else:
            rows.append({"name": name, "family": str(model.col_family[j]) if len(model.col_family) else "aux"})
    return rows


def write_model(problem, model, path: str | Path, *, config_sha256: str | None = None) -> tuple[Path, Path]:
    """Write ``path`` (MPS) and ``path`` with ``.json`` (column meanings); return both paths."""
    from patrolplan.solver.engines import _highs_model

    path = Path(path)
    if path.suffix.lower() != ".mps":
        raise UsageError(f"--write-model {path}: give a file name ending in .mps")
    if path.exists() and not path.is_file():
        raise UsageError(f"--write-model {path}: a folder is there — give a file name")
    meta_path = path.with_suffix(".json")
    for existing in (path, meta_path):
        if os.path.lexists(existing) and not _written_by_us(meta_path):
            raise UsageError(f"--write-model {path}: {existing} exists and patrolplan did not write it — "
                             "give another file name, or move it away")
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


def read_counts(path: str | Path, model) -> np.ndarray:
    """The shift counts of a solution file (CSV ``name,value``), checked against ``model``:
    every name must be one of its columns and every shift count a whole number within its
    bounds. Raises :class:`DataError` naming the rows."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such counts file — give the CSV of column values (name,value)")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(f"{path}: cannot read as CSV ({err}) — give a CSV with the columns name,value") from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in ("name", "value") if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} — the counts file needs name,value")
    index = {name: j for j, name in enumerate(column_names(model))}
    counts = np.zeros(model.n_shifts)
    problems = []
    for i, (name, text) in enumerate(zip(table["name"], table["value"]), start=2):
        name = name.strip()
        if not name:
            continue
        j = index.get(name)
        if j is None:
            problems.append(f"{path}: row {i}, column 'name': '{name}' is not a column of this model — "
                            "was the model written from the same config and inputs?")
            continue
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
    return counts
