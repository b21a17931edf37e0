"""The published week and last week: typed inputs of a run, and their rows in a problem's terms.

A re-plan (``patrolplan replan``) reads a :class:`PublishedWeek` — the ``--from`` run folder,
its roster as read and the cut ``at``; a roll-over (``solve --previous``) reads a
:class:`PreviousWeek` — last week's run folder and its roster. The runner takes them as they
are (:func:`patrolplan.runner.run_scenario`, ``previous=``) and :func:`attach_published` turns
them into the problem's :class:`~patrolplan.model.rules.published.Published`: kept rows,
reusable rows and busy teams.

This module sits on the floor below :mod:`patrolplan.runner` and :mod:`patrolplan.replan`:
the runner needs the published rows in the problem's terms and ``refuse_same_folder``; the
re-plan composes the runner's steps and adds what only it does (reading and checking the
published folder, the merged roster, ``changes.csv``, what made it short). replan imports
the runner, never the reverse.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import pandas as pd

from patrolplan.errors import DataError, UsageError
from patrolplan.model import rules
from patrolplan.model.rules.published import Published, PublishedShift

__all__ = ["PublishedWeek", "PreviousWeek", "published_week", "previous_week", "refuse_same_folder",
           "attach_published", "published_for", "previous_busy", "read_published_visits"]

_TEAM_RE = re.compile(r"^(?P<station>.+)-T(?P<k>\d+)$")


# --- the typed inputs ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PublishedWeek:
    """``patrolplan replan --from RUN_DIR --at DATETIME``: the published run folder, its roster
    as :func:`patrolplan.replan.read_published` reads it (with ``_start``, ``_pinned``, ...)
    and the cut (naive wall-clock time)."""

    run_dir: Path
    table: pd.DataFrame
    at: dt.datetime
    option: ClassVar[str] = "--from"

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_dir", Path(self.run_dir))


@dataclass(frozen=True, eq=False)
class PreviousWeek:
    """``patrolplan solve --previous RUN_DIR``: last week's run folder and its roster as
    :func:`patrolplan.replan.read_published` reads it (``option="--previous"``)."""

    run_dir: Path
    table: pd.DataFrame
    option: ClassVar[str] = "--previous"

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_dir", Path(self.run_dir))


def published_week(value) -> PublishedWeek | None:
    """``value`` as a :class:`PublishedWeek`; a ``(run_dir, table, at)`` tuple (the form before
    the typed input) is accepted."""
    if value is None or isinstance(value, PublishedWeek):
        return value
    run_dir, table, at = value
    return PublishedWeek(Path(run_dir), table, at)


def previous_week(value) -> PreviousWeek | None:
    """``value`` as a :class:`PreviousWeek`; a ``(run_dir, table)`` tuple is accepted."""
    if value is None or isinstance(value, PreviousWeek):
        return value
    run_dir, table = value
    return PreviousWeek(Path(run_dir), table)


# --- reading -------------------------------------------------------------------------------


def _parse_time(text: str) -> dt.datetime:
    """A roster time or ``--at``: ISO 8601 with ``T`` or a space between date and time (as a
    spreadsheet saves it), whole minutes (``:00`` seconds allowed), an offset dropped (the wall
    clock is used). ValueError otherwise."""
    raw = str(text).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?", raw):
        raise ValueError(raw)
    value = dt.datetime.fromisoformat(raw.replace(" ", "T", 1).replace(" ", ""))
    if value.second or value.microsecond:
        raise ValueError(raw)
    return value.replace(tzinfo=None)


def refuse_same_folder(out_dir, source_dir, option: str) -> None:
    """``--out`` must not be the run folder ``option`` reads (``--from``, ``--previous``):
    writing there would replace the published week that later checks compare against. Paths
    are compared resolved (symlinks, ``..``, a trailing slash, relative or absolute) and, when
    both exist, as the same file on disk. Raises :class:`UsageError`."""
    if out_dir is None or source_dir is None:
        return
    out, src = Path(out_dir), Path(source_dir)
    same = out.resolve() == src.resolve()
    if not same and out.exists() and src.exists():
        try:
            same = os.path.samefile(out, src)
        except OSError:
            same = False
    if same:
        keeps = ("the published roster stays the reference for `patrolplan check --from`" if option == "--from"
                 else "last week's roster stays the reference for `patrolplan check --previous`")
        raise UsageError(f"--out {out_dir} is the run folder {option} reads ({src.resolve()}): writing there would "
                         f"replace it — give another --out ({keeps})")


# --- the published roster in the new problem's terms -----------------------------------------


def _minutes(problem, when: dt.datetime) -> int:
    return int((when - problem.horizon_start).total_seconds() // 60)


def _team_index(team_id: str, station_id: str) -> int | None:
    m = _TEAM_RE.match(team_id)
    if m is None or m.group("station") != station_id:
        return None
    return int(m.group("k")) - 1


def _shift_of(problem, row, problems: list[str], source: str, *, strict: bool, s_index: dict, h_index: dict,
              visits: dict | None = None) -> PublishedShift | None:
    """One roster row as a :class:`PublishedShift`; None (with a problem if ``strict``) when it
    names a station, hotspot or team the new inputs do not know."""
    p = problem
    where = f"{source}: row {row['_row']} (shift_id '{row['shift_id']}')"
    s, h = s_index.get(row["station_id"]), h_index.get(row["hotspot_id"])
    k = _team_index(row["team_id"], row["station_id"])
    loop_text = str(row.get("loop_hotspots", "") or "")
    loop = tuple(h_index.get(x, -1) for x in loop_text.split(";")) if loop_text else ()
    bad = []
    if s is None:
        bad.append(("station_id", f"station '{row['station_id']}' is not in the stations table"))
    if h is None or -1 in loop:
        bad.append(("hotspot_id", f"hotspot '{row['hotspot_id']}' or a hotspot of its loop is not in the hotspots table"))
    if k is None:
        bad.append(("team_id", f"team '{row['team_id']}' is not named <station_id>-T<number>"))
    if bad:
        if strict:
            problems += [f"{where}, column '{col}': {what} — the row is kept ({'pinned' if row['_pinned'] else 'history'}),"
                         " so the new inputs must still know it" for col, what in bad]
        return None
    start = _minutes(p, row["_start"])
    return PublishedShift(
        row=int(row["_row"]), shift_id=str(row["shift_id"]), station=s, team=k, hotspot=h, loop=loop,
        start_min=start, len_min=_minutes(p, row["_end"]) - start,
        out_min=_minutes(p, row["_on_site_start"]) - start, back_min=_minutes(p, row["_end"]) - _minutes(p, row["_on_site_end"]),
        pinned=bool(row["_pinned"]), visits=_visits_of(p, (visits or {}).get(str(row["shift_id"]).strip(), ()), h_index)
        if loop else ())


def _visits_of(p, visits, h_index: dict) -> tuple[tuple[int, int], ...]:
    """A loop's published visits as (hotspot index, arrive minute), in time order; () when one
    names a hotspot the new inputs do not know (the row then stays outside the model)."""
    out = []
    for hid, arrive in visits:
        h = h_index.get(hid)
        if h is None:
            return ()
        out.append((h, _minutes(p, arrive)))
    return tuple(sorted(out, key=lambda v: v[1]))


def read_published_visits(run_dir) -> dict[str, list[tuple[str, dt.datetime]]]:
    """shift_id -> its visits ``(hotspot_id, arrive)`` from the run folder's visits.csv ({}
    without one). Raises :class:`DataError` naming the file, row and column of what cannot be
    read."""
    path = Path(run_dir) / "visits.csv"
    if not path.is_file():
        return {}
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot be read as a CSV ({err}) — give the visits.csv patrolplan wrote") from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in ("shift_id", "hotspot_id", "arrive") if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(map(repr, missing))} — give the visits.csv patrolplan "
                        "wrote")
    out: dict[str, list] = {}
    problems = []
    for n, (sid, hid, arrive) in enumerate(zip(table["shift_id"], table["hotspot_id"], table["arrive"]), start=2):
        try:
            out.setdefault(sid.strip(), []).append((hid.strip(), _parse_time(arrive)))
        except ValueError:
            problems.append(f"row {n} (shift_id '{sid}'), column 'arrive': {arrive!r} is not an ISO 8601 time in "
                            "whole minutes — write it like 2026-11-30T08:11")
    if problems:
        raise DataError(problems, source=str(path))
    return out


def published_for(problem, table: pd.DataFrame, at: dt.datetime, *, source: str, visits: dict | None = None
                  ) -> Published:
    """History (start before ``at``) and pinned rows (kept), and the other rows (kept where
    possible). Raises :class:`DataError` naming every pinned or history row the new inputs cannot
    keep, and every pinned row that breaks a rule against them."""
    problems: list[str] = []
    cut = _minutes(problem, at)
    fixed, reuse = [], []
    s_index = {s: i for i, s in enumerate(problem.station_ids)}
    h_index = {h: i for i, h in enumerate(problem.hotspot_ids)}
    for row in table.to_dict("records"):
        keep = bool(row["_pinned"]) or _minutes(problem, row["_start"]) < cut
        # visits.rendezvous: a row after the cut is kept by its loop's visits too (rules/published.py)
        shift = _shift_of(problem, row, problems, source, strict=keep, s_index=s_index, h_index=h_index,
                          visits=visits if keep or problem.windows is not None else None)
        if shift is not None:
            (fixed if keep else reuse).append(shift)
    if not problems:
        problems += _pinned_rule_problems(problem, fixed, cut, source)
    if problems:
        raise DataError(problems)
    if problem.windows is None:  # rendezvous loops are each a station's own: no halves to pair
        fixed, reuse = _joint_partners(fixed, reuse)
    return Published(cut_min=cut, fixed=tuple(fixed), reuse=tuple(reuse))


def _joint_partners(fixed: list[PublishedShift], reuse: list[PublishedShift]):
    """Loop rows alike in loop and times at two stations are the halves of one joint loop
    (the model's two linked columns): each names the other's station."""
    rows = [("f", i, r) for i, r in enumerate(fixed)] + [("r", i, r) for i, r in enumerate(reuse)]
    groups: dict[tuple, list] = {}
    for entry in rows:
        r = entry[2]
        if r.loop:
            groups.setdefault((r.loop, r.start_min, r.len_min, r.out_min, r.back_min), []).append(entry)
    fixed, reuse = list(fixed), list(reuse)
    for members in groups.values():
        open_ = list(members)
        while len(open_) > 1:
            a = open_.pop(0)
            b = next((m for m in open_ if m[2].station != a[2].station), None)
            if b is None:
                continue
            open_.remove(b)
            for (kind, i, r), other in ((a, b[2]), (b, a[2])):
                target = fixed if kind == "f" else reuse
                target[i] = replace(r, partner_station=other.station)
    return fixed, reuse


def _pinned_rule_problems(p, fixed: list[PublishedShift], cut: int, source: str) -> list[str]:
    """Each rule a pinned row breaks against the new inputs, as each rule family judges it
    (``pinned_problems`` of ``shifts``: member, length, start grid, travel; ``capacity``: the
    station's teams, overlap and rest with the kept rows of its team; ``max_shifts``;
    ``availability`` after the cut), worded with the roster's path ``source``."""
    return [breach.message(source) for family in rules.FAMILIES if hasattr(family, "pinned_problems")
            for breach in family.pinned_problems(p, fixed, cut)]


def previous_busy(problem, table: pd.DataFrame) -> tuple[tuple[int, int, int, int], ...]:
    """Last week's rows that keep a team of this week busy: until the end of the shift plus the
    rest, where that reaches past this week's start. Rows of stations or teams unknown now are
    ignored (they cannot constrain a team that no longer exists)."""
    busy = {}
    rest = problem.min_rest_min
    s_index = {s: i for i, s in enumerate(problem.station_ids)}
    for station_id, team_id, start, end in zip(table["station_id"], table["team_id"], table["_start"], table["_end"]):
        s, k = s_index.get(station_id), _team_index(team_id, station_id)
        if s is None or k is None or k >= int(problem.teams[s]):
            continue
        until = _minutes(problem, end) + rest
        if until > 0:
            lo = _minutes(problem, start)
            old = busy.get((s, k))
            busy[(s, k)] = (min(lo, old[0]), max(until, old[1])) if old else (lo, until)
    return tuple((s, k, lo, hi) for (s, k), (lo, hi) in sorted(busy.items()))


def attach_published(problem, published=None, previous=None):
    """The problem with its published roster (``published``: a :class:`PublishedWeek`, or the
    tuple ``(from_dir, table, at)``) and last week's busy teams (``previous``: a
    :class:`PreviousWeek`, or the previous run folder's table)."""
    published = published_week(published)
    if isinstance(previous, PreviousWeek):
        previous = previous.table
    pub = Published()
    if published is not None:
        pub = published_for(problem, published.table, published.at, source=str(published.run_dir / "roster.csv"),
                            visits=read_published_visits(published.run_dir))
    if previous is not None:
        pub = replace(pub, busy=previous_busy(problem, previous))
    return problem.with_published(pub)
