"""The checker's own reading of a re-plan and of a roll-over into the next week.

``check --from OLD_RUN --at DATETIME``: every row of the old roster that starts before ``at``
(history) or is marked ``pinned`` must be in the new roster under its ``shift_id`` with every
column of the old row unchanged, as text (rule ``history`` / ``pinned``); no row of the new
roster may start before ``at`` unless it is such a kept row (rule ``history``).

``check --previous PREV_RUN``: a team's first shift of the week starts no earlier than the
end of its last shift of the previous roster plus ``rules.min_rest_hours`` (rule
``previous_rest``; an overlap is the same rule with no rest at all).

Own code throughout: the old rosters are read here as plain text tables, times with
:func:`datetime.fromisoformat`, nothing from the solver side.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from patrolplan.check.report import Violation
from patrolplan.errors import DataError, UsageError

__all__ = ["read_text_roster", "parse_at", "check_kept", "check_previous_rest", "PINNED_TRUE"]

#: ``pinned`` cells that mark a kept row (case-insensitive)
PINNED_TRUE = frozenset({"true", "yes", "1", "y", "x"})


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
    missing = [c for c in ("shift_id", "team_id", "start", "end") if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} — a roster needs them")
    bad = []
    for n, (sid, a, b) in enumerate(zip(table["shift_id"], table["start"], table["end"]), start=2):
        for col, text in (("start", a), ("end", b)):
            try:
                _time(text)
            except ValueError:
                bad.append(f"row {n} (shift_id '{sid}'), column '{col}': {text!r} is not an ISO 8601 time — "
                           "write it like 2026-11-30T08:00")
    if bad:
        raise DataError(bad, source=str(path))
    return table


def _time(text) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text).strip()).replace(tzinfo=None)


def parse_at(text: str, week_start: dt.date, horizon_minutes: int) -> dt.datetime:
    """``--at`` as a naive local time inside the week."""
    try:
        at = _time(text)
    except ValueError:
        raise UsageError(f"--at {text!r}: not a date and time — write it as ISO 8601, e.g. "
                         f"{week_start.isoformat()}T12:00") from None
    h0 = dt.datetime.combine(week_start, dt.time(0, 0))
    if not (h0 <= at < h0 + dt.timedelta(minutes=horizon_minutes)):
        raise UsageError(f"--at {text!r}: outside the week of the config — give a time inside it")
    return at


def check_kept(old: pd.DataFrame, new: pd.DataFrame, at: dt.datetime) -> list[Violation]:
    """``history`` and ``pinned``: kept rows unchanged, no new row before ``at``."""
    out = []
    new_by_id = {str(sid): row for sid, row in zip(new["shift_id"], new.to_dict("records"))}
    kept_ids = set()
    pinned_col = old["pinned"] if "pinned" in old else [""] * len(old)
    for row, pin in zip(old.to_dict("records"), pinned_col):
        pinned = str(pin).strip().lower() in PINNED_TRUE
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
            out.append(Violation("history", f"row {sid} (team {row['team_id']}) starts at {row['start']}, before "
                                            f"the re-plan's cut {at:%Y-%m-%dT%H:%M}, but is not a row of the "
                                            "published roster", (sid,)))
    return out


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%dT%H:%M")
    return str(value)


def check_previous_rest(previous: pd.DataFrame, new: pd.DataFrame, rest_hours: float) -> list[Violation]:
    """``previous_rest``: each team's first shift starts at least the rest after its last shift
    of the previous roster ends."""
    rest = dt.timedelta(hours=float(rest_hours))
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
                f"{prev_sid} ended ({end:%Y-%m-%dT%H:%M}); at least {float(rest_hours):g} h of rest needed",
                (str(sid),)))
    return out
