"""The checker's own reading of a re-plan and of a roll-over into the next week.

``check --from OLD_RUN --at DATETIME``: every row of the old roster that starts before ``at``
(history) or is marked ``pinned`` must be in the new roster under its ``shift_id`` with every
column of the old row unchanged, as text (rule ``history`` / ``pinned``); no row of the new
roster may start before ``at`` unless it is such a kept row (rule ``history``).

``check --previous PREV_RUN``: a team's first shift of the week starts no earlier than the
end of its last shift of the previous roster plus ``rules.min_rest_hours`` (rule
``previous_rest``; an overlap is the same rule with no rest at all).

Own code throughout: the old rosters are read here as plain text tables, times with
:func:`datetime.fromisoformat`, nothing from the solver side. The readings a re-plan shares
with ``replan.py`` are kept alike on purpose, each in its own code, and
``tests/test_replan_inputs.py`` holds them together: column names stripped of spaces and
case-sensitive (``Pinned`` is refused, naming the column), a ``pinned`` cell true
(:data:`PINNED_TRUE`), false (:data:`PINNED_FALSE`, empty included) or an input error, every
``shift_id`` given, times with ``T`` or a space and whole minutes.

History happened: in a re-plan's check (``--from`` and ``--at``) the rows before ``at`` are
judged by the ``history`` rule (unchanged against the published roster), not by today's travel
minutes — ``check_roster`` leaves their ``travel_out``/``travel_back``/``visit_road`` out
and lists them as notes instead (a road that changed after the shift was driven is no broken
rule).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from patrolplan.check.report import Violation
from patrolplan.errors import DataError, UsageError

__all__ = ["read_text_roster", "parse_at", "check_kept", "check_previous_rest", "check_previous_week",
           "check_published_week",
           "PINNED_TRUE", "PINNED_FALSE", "pinned_cell"]

#: ``pinned`` cells that mark a kept row (case-insensitive, spaces ignored)
PINNED_TRUE = frozenset({"true", "yes", "1", "y", "x"})
#: ``pinned`` cells of a row that is not kept; any other cell is an input error
PINNED_FALSE = frozenset({"", "false", "no", "0", "n"})
_KNOWN = ("shift_id", "team_id", "station_id", "zone_id", "hotspot_id", "mode", "start", "end", "on_site_start",
          "on_site_end", "travel_out_min", "travel_back_min", "loop_id", "loop_hotspots", "pinned")


def pinned_cell(value) -> bool | None:
    """True (kept), False (not kept) or None (neither: an input error)."""
    word = str(value).strip().lower()
    return True if word in PINNED_TRUE else False if word in PINNED_FALSE else None


def read_text_roster(run_dir: str | Path, *, option: str) -> pd.DataFrame:
    """roster.csv of a run folder, every cell as written (text)."""
    folder = Path(run_dir)
    path = folder / "roster.csv"
    if not folder.is_dir() or not path.is_file():
        raise UsageError(f"{option} {folder}: not a run folder (no roster.csv in it) — give a run folder "
                         "patrolplan wrote")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot be read as a roster ({err}) — give a roster.csv patrolplan wrote") from None
    bad = []
    names = [str(c).strip() for c in table.columns]
    for raw, name in zip(table.columns, names):
        want = next((k for k in _KNOWN if k.lower() == name.lower()), None)
        if want is not None and name != want and want not in names:
            bad.append(f"{path}: column {str(raw)!r} — column names are case-sensitive: rename it to '{want}'")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        bad.append(f"{path}: column(s) {', '.join(map(repr, twice))} appear twice — keep one of each")
    table.columns = names
    missing = [c for c in ("shift_id", "team_id", "start", "end") if c not in table.columns]
    if missing:
        bad.append(f"{path}: missing column(s) {', '.join(missing)} — a roster needs them")
    if bad:
        raise DataError(bad)
    pinned = table["pinned"] if "pinned" in table else [""] * len(table)
    for n, (sid, a, b, pin) in enumerate(zip(table["shift_id"], table["start"], table["end"], pinned), start=2):
        where = f"row {n} (shift_id '{sid.strip()}')" if sid.strip() else f"row {n}"
        if not sid.strip():
            bad.append(f"{where}, column 'shift_id': empty — give the shift id as patrolplan wrote it")
        for col, text in (("start", a), ("end", b)):
            try:
                _time(text)
            except ValueError:
                bad.append(f"{where}, column '{col}': {text!r} is not an ISO 8601 time in whole minutes — "
                           "write it like 2026-11-30T08:00")
        if pinned_cell(pin) is None:
            bad.append(f"{where}, column 'pinned': {pin!r} is neither true nor false — write true on the rows to "
                       "keep, leave the others empty")
    if bad:
        raise DataError(bad, source=str(path))
    return table


def _time(text) -> dt.datetime:
    """ISO 8601 with ``T`` or a space, whole minutes, an offset dropped; ValueError otherwise."""
    raw = str(text).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?", raw):
        raise ValueError(raw)
    t = dt.datetime.fromisoformat(raw.replace(" ", "T", 1).replace(" ", ""))
    if t.second or t.microsecond:
        raise ValueError(raw)
    return t.replace(tzinfo=None)


def parse_at(text: str, week_start: dt.date, horizon_minutes: int) -> dt.datetime:
    """``--at`` as a naive local time inside the week (a date alone, or a time outside the
    week, is refused with the fix)."""
    raw = str(text).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise UsageError(f"--at {text!r}: a date without a time — give the hour too, e.g. {raw}T12:00")
    try:
        at = _time(raw)
    except ValueError:
        raise UsageError(f"--at {text!r}: not a date and time in whole minutes — write it as ISO 8601, e.g. "
                         f"{week_start.isoformat()}T12:00") from None
    h0 = dt.datetime.combine(week_start, dt.time(0, 0))
    h1 = h0 + dt.timedelta(minutes=horizon_minutes)
    if not (h0 <= at < h1):
        raise UsageError(f"--at {text!r}: outside the week of the config ({h0:%Y-%m-%dT%H:%M} to "
                         f"{h1:%Y-%m-%dT%H:%M}) — give a time inside it")
    return at


def check_published_week(old: pd.DataFrame, scenario, from_dir) -> None:
    """``--from`` must be a run of the config's week and of its config, as ``replan`` demands
    of the same folder (the checker's own reading; :class:`UsageError`, exit 2, otherwise):
    at least one row; every row starting inside the week or before it by less than the longest
    allowed shift; at least one of its stations in the config's stations table; no visit loop
    when the config asks for no visits. Without this the history of another week or config is
    compared row by row and reported as broken rules of the roster checked."""
    cfg = scenario.config
    if not len(old):
        raise UsageError(f"--from {from_dir}: its roster.csv has no shifts (only a header) — give the run folder "
                         "of the published week the re-plan started from")
    recorded = _recorded(from_dir)
    h0 = dt.datetime.combine(cfg.week_start, dt.time(0, 0))
    h1 = h0 + dt.timedelta(minutes=int(cfg.horizon_minutes))
    earliest = h0 - dt.timedelta(minutes=max(int(m) for m in cfg.rules.shift_minutes))
    for n, (sid, start) in enumerate(zip(old["shift_id"], old["start"]), start=2):
        t = _time(start)
        if not earliest <= t < h1:
            raise UsageError(f"--from {from_dir}: row {n} (shift_id '{str(sid).strip()}') starts at "
                             f"{t:%Y-%m-%dT%H:%M}, outside the config's week ({h0:%Y-%m-%d} to "
                             f"{h1 - dt.timedelta(minutes=1):%Y-%m-%d}): it is the run of another week{recorded} — "
                             "give the run folder the re-plan started from, with that week's config")
    known = {str(s).strip() for s in scenario.stations["station_id"]}
    named = sorted({str(s).strip() for s in old["station_id"]} - {""}) if "station_id" in old else []
    if named and not set(named) & known:
        raise UsageError(f"--from {from_dir}: none of its roster's stations ({', '.join(named[:5])}"
                         f"{', ...' if len(named) > 5 else ''}) is in this config's stations table — it is the run "
                         f"of another config{recorded}: give the run folder the re-plan started from")
    if "loop_hotspots" in old:
        from patrolplan.check.expand import _is_visit

        demand = scenario.demand
        visits = demand is not None and any(_is_visit(r) for r in demand.to_dict("records"))
        loops = [(n, sid) for n, (sid, loop) in enumerate(zip(old["shift_id"], old["loop_hotspots"]), start=2)
                 if str(loop).strip()]
        if loops and not visits:
            n, sid = loops[0]
            raise UsageError(f"--from {from_dir}: row {n} (shift_id '{str(sid).strip()}') is a visit loop, but this "
                             f"config asks for no visits — it is the run of another config{recorded}: give the run "
                             "folder the re-plan started from, and check with the config that re-planned it")


def _recorded(run_dir) -> str:
    """`` (it records the config 'NAME' PATH)`` from the run folder's summary.json, "" without."""
    import json

    try:
        summary = json.loads((Path(run_dir) / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(summary, dict):
        return ""
    name, path = (str(summary.get(k) or "") for k in ("config_name", "config_path"))
    what = " ".join(x for x in (f"'{name}'" if name else "", path) if x)
    return f" (it records the config {what})" if what else ""


def check_previous_week(previous: pd.DataFrame, week_start: dt.date, prev_dir) -> None:
    """``--previous`` must be a week before the config's: a row starting at or after the week
    starts is a :class:`UsageError` (rest across the boundary means nothing then)."""
    h0 = dt.datetime.combine(week_start, dt.time(0, 0))
    for n, (sid, start) in enumerate(zip(previous["shift_id"], previous["start"]), start=2):
        if _time(start) >= h0:
            raise UsageError(f"--previous {prev_dir}: row {n} (shift_id '{sid}') starts at {_time(start):%Y-%m-%dT%H:%M}, "
                             f"inside or after this week (from {h0:%Y-%m-%d}) — give the run folder of the week before")


def check_kept(old: pd.DataFrame, new: pd.DataFrame, at: dt.datetime) -> list[Violation]:
    """``history`` and ``pinned``: kept rows unchanged, no new row before ``at``."""
    out = []
    new_by_id = {str(sid): row for sid, row in zip(new["shift_id"], new.to_dict("records"))}
    kept_ids = set()
    pinned_col = old["pinned"] if "pinned" in old else [""] * len(old)
    for row, pin in zip(old.to_dict("records"), pinned_col):
        pinned = bool(pinned_cell(pin))
        history = _time(row["start"]) < at
        if not (pinned or history):
            continue
        rule = "pinned" if pinned else "history"
        sid = str(row["shift_id"])
        kept_ids.add(sid)
        mine = new_by_id.get(sid)
        if mine is None:
            out.append(Violation(rule, f"{'pinned' if pinned else 'history'} row {sid} (team {row['team_id']}, "
                                       f"{row['start']}) of the published roster is missing", (sid,)))
            continue
        differ = [c for c in row if _cell(mine.get(c)) != _cell(row[c])]
        if differ:
            what = "; ".join(f"{c} {_cell(row[c])!r} -> {_cell(mine.get(c))!r}" for c in differ)
            out.append(Violation(rule, f"{'pinned' if pinned else 'history'} row {sid} (team {row['team_id']}) "
                                       f"changed: {what}", (sid,)))
    for sid, row in new_by_id.items():
        if sid not in kept_ids and _time(row["start"]) < at:
            out.append(Violation("history", f"row {sid} (team {row['team_id']}) starts at {_cell(row['start'])}, before "
                                            f"the re-plan's cut {at:%Y-%m-%dT%H:%M}, but is not a row of the "
                                            "published roster", (sid,)))
    return out


def _cell(value) -> str:
    """A cell as compared: times by value (``2026-11-29 20:00:00``, as a spreadsheet saves
    it, is ``2026-11-29T20:00``), anything else as its text."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%dT%H:%M")
    try:
        return _time(value).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return str(value)


def check_previous_rest(previous: pd.DataFrame, new: pd.DataFrame, min_rest_hours: float) -> list[Violation]:
    """``previous_rest``: each team's first shift starts at least the rest after its last shift
    of the previous roster ends."""
    rest = dt.timedelta(hours=float(min_rest_hours))
    last_end: dict[str, tuple[dt.datetime, str]] = {}
    for team, sid, end in zip(previous["team_id"], previous["shift_id"], previous["end"]):
        e = _time(end)
        if team not in last_end or e > last_end[team][0]:
            last_end[str(team)] = (e, str(sid))
    out = []
    for team, sid, start in zip(new["team_id"], new["shift_id"], new["start"]):
        if str(team) not in last_end:
            continue
        end, prev_sid = last_end[str(team)]
        a = _time(start) if not isinstance(start, (dt.datetime, pd.Timestamp)) else start
        if a < end + rest:
            gap_h = (a - end).total_seconds() / 3600
            out.append(Violation(
                "previous_rest",
                f"team {team}: shift {sid} starts at {a:%Y-%m-%dT%H:%M}, {gap_h:g} h after its previous-week shift "
                f"{prev_sid} ended ({end:%Y-%m-%dT%H:%M}); at least {float(min_rest_hours):g} h of rest needed",
                (str(sid),)))
    return out
