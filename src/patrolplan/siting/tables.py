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
from patrolplan.inputs.io import csv_encoding, read_table
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
    id; a cost that is empty, not a number, not finite (NaN, inf) or negative; a (client,
    facility) pair given twice; a client in COSTS that CLIENTS lacks; a client in CLIENTS
    twice; a weight that is not a number or negative. A client of CLIENTS with no row in
    COSTS is legal (no candidate reaches it): the models say what that means for them.

    COSTS is read column-wise (ids as categories, costs as floats; no Python per row), so a
    3000 x 3000 matrix (9 million rows) reads in seconds and a fraction of a gigabyte.
    """
    client_ids, weights = _clients(Path(clients_path), weight_column)
    index = {c: i for i, c in enumerate(client_ids)}
    costs_path = Path(costs_path)
    source = display_path(costs_path)
    if not costs_path.is_file():
        raise DataError(f"{source}: no such file — check the path")
    df = _read_costs(costs_path, source)
    # ids: per distinct text (few), not per row
    c_codes, c_names = _codes(df["client_id"])
    f_codes, f_names = _codes(df["facility_id"])
    client_of = np.array([index.get(c, -1) for c in c_names] + [-1], dtype=np.int32)  # -1: the blank id
    cost = df["cost"].to_numpy(dtype=float)
    rows = client_of[c_codes]
    blank_c, blank_f = c_codes == len(c_names), f_codes == len(f_names)
    unknown = (rows < 0) & ~blank_c
    not_number = np.isnan(cost) & df["cost_text"].ne("").to_numpy() if "cost_text" in df else np.zeros(len(df), bool)
    empty = np.isnan(cost) & ~not_number
    infinite = np.isinf(cost)
    negative = cost < 0
    # facilities numbered by first appearance (of their stripped id): the earliest row of each
    n = len(df)
    first = np.full(len(f_names) + 1, n, dtype=np.int64)
    first[f_codes[::-1]] = np.arange(n - 1, -1, -1)  # the last write, i.e. the first row, wins
    present = np.flatnonzero(first[:-1] < n)
    present = present[np.argsort(first[present], kind="stable")]
    order_f = np.full(len(f_names) + 1, -1, dtype=np.int32)
    order_f[present] = np.arange(present.size)
    cols = order_f[f_codes]
    file_row = df.index.to_numpy() + 2
    ok = ~(blank_c | blank_f | unknown | empty | not_number | infinite | negative)
    repeat, first_row = _repeated_pairs(c_codes, f_codes, len(f_names), ok, rows, cols, len(client_ids), present.size,
                                        file_row)
    problems = _cost_problems(source, display_path(clients_path), df, file_row, c_names, f_names, c_codes, f_codes,
                              blank_c, blank_f, unknown, empty, not_number, infinite, negative, repeat, first_row)
    if problems:
        raise DataError(problems[:_LIST_AT_MOST] + _more(problems))
    if present.size == 0:
        raise DataError(f"{source}: no pairs — add rows client_id,facility_id,cost")
    import scipy.sparse as sp

    facility_ids = [f_names[k] for k in present]
    matrix = sp.csr_matrix((cost, (rows, cols)), shape=(len(client_ids), len(facility_ids)))
    return SitingProblem.from_cost_matrix(matrix, weights, client_ids=client_ids, facility_ids=facility_ids)


def _repeated_pairs(c_codes, f_codes, n_f_names, ok, rows, cols, n_clients, n_facilities, file_row):
    """Rows whose (client, facility) pair an earlier row gave, and that earlier row. A sparse
    count first (linear); the sort that names the rows runs only when there is a repeat."""
    import scipy.sparse as sp

    named = (c_codes >= 0) & (f_codes < n_f_names) & (rows >= 0) & (cols >= 0)
    count = sp.csr_matrix((np.ones(int(named.sum()), dtype=np.int32), (rows[named], cols[named])),
                          shape=(n_clients, max(n_facilities, 1)))
    repeat = np.zeros(len(c_codes), dtype=bool)
    first_row = file_row
    if count.nnz and count.data.max() > 1:
        pair = np.where(named, rows.astype(np.int64) * (n_facilities + 1) + cols, -1)
        _, first_of_pair, inverse = np.unique(pair, return_index=True, return_inverse=True)
        repeat = (np.arange(len(pair)) != first_of_pair[inverse]) & (pair >= 0)
        first_row = file_row[first_of_pair[inverse]]
    return repeat, first_row


def _read_costs(path: Path, source: str) -> pd.DataFrame:
    """COSTS as three columns: ids as categories, ``cost`` as float (NaN where blank or not a
    number, ``cost_text`` then keeping the text of the cells that are not numbers). Blank lines
    are dropped; the index stays the 0-based data row (file row - 2)."""
    encoding = csv_encoding(path, source=source)
    kw = dict(encoding=encoding, skip_blank_lines=False, keep_default_na=False, na_values=[""],
              dtype={"client_id": "category", "facility_id": "category"})
    try:
        header = pd.read_csv(path, nrows=0, encoding=encoding)
    except pd.errors.EmptyDataError:
        raise DataError(f"{source}: the file is empty — give a header client_id,facility_id,cost and one row "
                        "per pair") from None
    except (pd.errors.ParserError, ValueError) as err:
        raise DataError(f"{source}: cannot read as CSV ({' '.join(str(err).split())})") from None
    names = [str(c).strip() for c in header.columns]
    problems = _missing_columns(pd.DataFrame(columns=names), source, ("client_id", "facility_id", "cost"),
                                "COSTS needs client_id, facility_id and cost (one row per pair)")
    if problems:
        raise DataError(problems)
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise DataError(f"{source}: row 1: the column(s) {', '.join(twice)} appear twice — keep one of each")
    usecols = [c for c in header.columns if str(c).strip() in ("client_id", "facility_id", "cost")]
    rename = {c: str(c).strip() for c in usecols}
    try:
        df = pd.read_csv(path, usecols=usecols, **{**kw, "dtype": {c: kw["dtype"].get(rename[c], "float64")
                                                                  for c in usecols}})
        df = df.rename(columns=rename)
    except ValueError:  # some cost is not a number: read that column as text to name the rows
        try:
            df = pd.read_csv(path, usecols=usecols, **{**kw, "dtype": {c: kw["dtype"].get(rename[c], "str")
                                                                      for c in usecols}})
        except (pd.errors.ParserError, ValueError) as err:
            raise DataError(f"{source}: cannot read as CSV ({' '.join(str(err).split())})") from None
        df = df.rename(columns=rename)
        text = df["cost"].fillna("").astype(str).str.strip()
        df["cost"] = pd.to_numeric(text.where(text != "", None), errors="coerce")
        df["cost_text"] = text
    except pd.errors.ParserError as err:
        raise DataError(f"{source}: cannot read as CSV ({' '.join(str(err).split())}) — check quotes and the "
                        "number of commas per row") from None
    blank = df["client_id"].isna() & df["facility_id"].isna() & df["cost"].isna()
    if "cost_text" in df:
        blank &= df["cost_text"].eq("")
    return df[~blank.to_numpy()]


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Per row, the number of its stripped id among ``names``; ``len(names)`` for a blank id."""
    column = column.astype("category")
    stripped = [str(c).strip() for c in column.cat.categories]
    names = sorted({s for s in stripped if s})
    number = {n: k for k, n in enumerate(names)}
    of_category = np.array([number.get(s, len(names)) for s in stripped] + [len(names)], dtype=np.int32)
    return of_category[column.cat.codes.to_numpy()], names  # code -1 (NaN) -> the last entry: blank


def _cost_problems(source, clients_source, df, file_row, c_names, f_names, c_codes, f_codes, blank_c, blank_f,
                   unknown, empty, not_number, infinite, negative, repeat, first_row) -> list[str]:
    """The lines of every problem found, in file order (only the rows that have one are visited)."""
    bad = np.flatnonzero(blank_c | blank_f | unknown | empty | not_number | infinite | negative | repeat)
    text = df["cost_text"].to_numpy() if "cost_text" in df else None
    cost = df["cost"].to_numpy(dtype=float)
    lines: list[str] = []
    for k in bad[: 4 * _LIST_AT_MOST]:
        cid = c_names[c_codes[k]] if not blank_c[k] else ""
        fid = f_names[f_codes[k]] if not blank_f[k] else ""
        where = f"{source}: row {file_row[k]}" + (f" (client_id '{cid}')" if cid else "")
        if blank_c[k]:
            lines.append(f"{where}, column 'client_id': empty — name the client of every pair")
        elif unknown[k]:
            lines.append(f"{where}, column 'client_id': '{cid}' is not in {clients_source} — add it there or fix "
                         "the id")
        if blank_f[k]:
            lines.append(f"{where}, column 'facility_id': empty — name the facility of every pair")
        if empty[k]:
            lines.append(f"{where}, column 'cost': empty — give a number >= 0 (leave the pair out when there is "
                         "no path)")
        elif not_number[k]:
            lines.append(f"{where}, column 'cost': '{text[k]}' is not a number — give a number >= 0 (leave the "
                         "pair out when there is no path)")
        elif infinite[k]:
            lines.append(f"{where}, column 'cost': {cost[k]:g} is not a finite number — give a number >= 0 "
                         "(leave the pair out when there is no path)")
        elif negative[k]:
            lines.append(f"{where}, column 'cost': {cost[k]:g} is negative — give a number >= 0")
        if repeat[k]:
            lines.append(f"{where}, column 'facility_id': the pair ({cid}, {fid}) repeats row {first_row[k]} — "
                         "give each pair one row")
    n_more = int(bad.size) - min(int(bad.size), 4 * _LIST_AT_MOST)
    if n_more:
        lines.append(f"... and {n_more} more rows with problems")
    return lines
