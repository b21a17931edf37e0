"""The matrix way in: a long COSTS table and a CLIENTS table (for research use).

COSTS (CSV): ``client_id``, ``facility_id``, ``cost`` — one row per pair that has a cost (a pair
without a row has no path: it never covers or serves). CLIENTS (CSV): ``client_id`` and the
weight column (default ``weight``; a blank weight counts 1). Facilities are the distinct
``facility_id`` values of COSTS, in order of first appearance; clients are the rows of CLIENTS.

Every problem of a file is collected before one :class:`DataError` is raised, each located as
``<file>: row <n> (client_id 'c1'), column 'cost': <what> — <fix>`` (header = row 1).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.errors import DataError
from patrolplan.inputs.io import read_table
from patrolplan.inputs.validate import display_path
from patrolplan.siting.core import SitingProblem

__all__ = ["read_cost_tables"]

_LIST_AT_MOST = 50


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _read(path: Path) -> tuple[pd.DataFrame, str]:
    source = display_path(path)
    if not path.is_file():
        raise DataError(f"{source}: no such file — check the path")
    return read_table(path), source


def _missing_columns(df: pd.DataFrame, source: str, needed: tuple[str, ...], fix: str) -> list[str]:
    return [f"{source}: no column '{c}' (columns: {', '.join(map(str, df.columns)) or 'none'}) — {fix}"
            for c in needed if c not in df.columns]


def _clients(path: Path, weight_column: str) -> tuple[list[str], np.ndarray]:
    df, source = _read(path)
    problems = _missing_columns(df, source, ("client_id", weight_column),
                                f"CLIENTS needs client_id and the weight column (--weight, default 'weight')")
    if problems:
        raise DataError(problems)
    ids: list[str] = []
    weights: list[float] = []
    first_row: dict[str, int] = {}
    for pos, cid, wtext in zip(df.index, df["client_id"], df[weight_column]):
        row = int(pos) + 2
        cid = str(cid).strip()
        where = f"{source}: row {row}" + (f" (client_id '{cid}')" if cid else "")
        if not cid:
            problems.append(f"{where}, column 'client_id': empty — give every client an id")
            continue
        if cid in first_row:
            problems.append(f"{where}, column 'client_id': '{cid}' repeats row {first_row[cid]} — give each "
                            "client one row")
            continue
        first_row[cid] = row
        wtext = str(wtext).strip()
        w = 1.0 if wtext == "" else _number(wtext)
        if w is None:
            problems.append(f"{where}, column '{weight_column}': '{wtext}' is not a number — give a number >= 0")
        elif w < 0:
            problems.append(f"{where}, column '{weight_column}': {wtext} is negative — give a number >= 0")
        ids.append(cid)
        weights.append(w if w is not None and w >= 0 else 0.0)
    if problems:
        raise DataError(problems[:_LIST_AT_MOST] + _more(problems))
    if not ids:
        raise DataError(f"{source}: no clients — add rows")
    return ids, np.array(weights)


def _more(problems: list[str]) -> list[str]:
    more = len(problems) - _LIST_AT_MOST
    return [f"... and {more} more problems"] if more > 0 else []


def read_cost_tables(costs_path: str | Path, clients_path: str | Path, *, weight_column: str = "weight") -> SitingProblem:
    """A :class:`SitingProblem` from the long COSTS table and the CLIENTS table.

    Problems reported (all of them, file, row and column named): a missing column; an empty
    id; a cost that is empty, not a number or negative; a (client, facility) pair given twice;
    a client in COSTS that CLIENTS lacks; a client in CLIENTS twice; a weight that is not a
    number or negative. A client of CLIENTS with no row in COSTS is legal (no candidate
    reaches it): the models say what that means for them.
    """
    client_ids, weights = _clients(Path(clients_path), weight_column)
    index = {c: i for i, c in enumerate(client_ids)}
    df, source = _read(Path(costs_path))
    problems = _missing_columns(df, source, ("client_id", "facility_id", "cost"),
                                "COSTS needs client_id, facility_id and cost (one row per pair)")
    if problems:
        raise DataError(problems)
    facilities: dict[str, int] = {}
    rows, cols, vals = [], [], []
    seen: dict[tuple[str, str], int] = {}
    for pos, cid, fid, ctext in zip(df.index, df["client_id"], df["facility_id"], df["cost"]):
        row = int(pos) + 2
        cid, fid, ctext = str(cid).strip(), str(fid).strip(), str(ctext).strip()
        where = f"{source}: row {row}" + (f" (client_id '{cid}')" if cid else "")
        bad = False
        if not cid:
            problems.append(f"{where}, column 'client_id': empty — name the client of every pair")
            bad = True
        elif cid not in index:
            problems.append(f"{where}, column 'client_id': '{cid}' is not in {display_path(clients_path)} — "
                            "add it there or fix the id")
            bad = True
        if not fid:
            problems.append(f"{where}, column 'facility_id': empty — name the facility of every pair")
            bad = True
        cost = _number(ctext)
        if cost is None:
            what = "empty" if ctext == "" else f"'{ctext}' is not a number"
            problems.append(f"{where}, column 'cost': {what} — give a number >= 0 (leave the pair out when "
                            "there is no path)")
            bad = True
        elif cost < 0:
            problems.append(f"{where}, column 'cost': {ctext} is negative — give a number >= 0")
            bad = True
        if cid and fid:
            if (cid, fid) in seen:
                problems.append(f"{where}, column 'facility_id': the pair ({cid}, {fid}) repeats row "
                                f"{seen[(cid, fid)]} — give each pair one row")
                bad = True
            else:
                seen[(cid, fid)] = row
        if bad:
            continue
        j = facilities.setdefault(fid, len(facilities))
        rows.append(index[cid])
        cols.append(j)
        vals.append(cost)
    if problems:
        raise DataError(problems[:_LIST_AT_MOST] + _more(problems))
    if not facilities:
        raise DataError(f"{source}: no pairs — add rows client_id,facility_id,cost")
    import scipy.sparse as sp

    matrix = sp.csr_matrix((np.array(vals, dtype=float), (np.array(rows), np.array(cols))),
                           shape=(len(client_ids), len(facilities)))
    return SitingProblem.from_cost_matrix(matrix, weights, client_ids=client_ids, facility_ids=list(facilities))
