"""Re-planning a published week (``patrolplan replan``) and rolling into the next (``solve --previous``).

``replan_scenario(scenario, from_dir, at)``: the published roster of ``from_dir`` is read
(:func:`read_published`); its rows that start before ``at`` (history) and its rows marked
``pinned = true`` are kept exactly; the rest is planned again against the scenario's current
inputs, with gaps forbidden, then the fewest changed shifts, then the usual objective (the
model side is :mod:`patrolplan.model.rules.published`). The roster written keeps every
unchanged row byte for byte (its ``shift_id`` included); new rows get new ids after the
highest published one. ``changes.csv`` lists each added, removed or moved shift.

``previous_busy(scenario, prev_dir)``: last week's rows that end after this week starts, or
whose rest reaches into it, as busy teams of this week.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.columns import ROSTER_COLUMNS, ROSTER_LOOP_COLUMNS
from patrolplan.errors import DataError, UsageError
from patrolplan.inputs.network import needs_hotspot_hops
from patrolplan.model.rules._words import hhmm, when
from patrolplan.model.rules.availability import teams_on
from patrolplan.model.rules.published import fixed_counts
from patrolplan.runner import RunOutcome, plan, publish, start_run, verify
from patrolplan.solver.solve import ENUMERATED
# the published week in the problem's terms lives a floor below, shared with the runner; its
# names stay importable from here
from patrolplan.weeks import (  # noqa: F401
    PreviousWeek,
    PublishedWeek,
    _minutes,
    _TEAM_RE,
    _parse_time,
    _team_index,
    attach_published,
    previous_busy,
    published_for,
    read_published_visits,
    refuse_same_folder,
)

__all__ = ["parse_at", "read_published", "reference_problems", "check_same_week", "check_week_before", "check_same_config", "check_known_stations",
           "published_for",
           "previous_busy", "changes_table", "replan_scenario", "refuse_same_folder", "pinned_word", "time_text",
           "CHANGES_COLUMNS", "TRUE_WORDS", "FALSE_WORDS"]

#: ``pinned`` values that mean "keep this row" (case-insensitive); empty or anything in
#: FALSE_WORDS means not pinned, any other value is an input error
TRUE_WORDS = ("true", "yes", "1", "y", "x")
FALSE_WORDS = ("", "false", "no", "0", "n")

CHANGES_COLUMNS = ("change", "team_id", "station_id", "old_shift_id", "old_team_id", "old_start", "old_end",
                   "old_hotspot_id", "old_loop_hotspots", "new_shift_id", "new_team_id", "new_start", "new_end",
                   "new_hotspot_id", "new_loop_hotspots")


# --- reading ------------------------------------------------------------------------------


def time_text(value) -> str:
    """A roster time as the canonical text patrolplan writes (``2026-11-30T08:00``); text that
    is no time is returned as it is."""
    try:
        return _parse_time(value).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return str(value)


def parse_at(text: str, config) -> dt.datetime:
    """``--at``: an ISO 8601 local time inside the week, with its hour and minute (``T`` or a
    space before the time; an offset is dropped: the wall-clock time is used, as for roster
    times). Raises :class:`UsageError` saying what is wrong and what to write."""
    h0 = _horizon_start(config)
    h1 = h0 + dt.timedelta(minutes=config.horizon_minutes)
    example = f"{config.week_start.isoformat()}T12:00"
    raw = str(text).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise UsageError(f"--at {text!r}: a date without a time — give the hour too, e.g. {raw}T12:00")
    try:
        at = _parse_time(raw)
    except ValueError:
        raise UsageError(f"--at {text!r}: not a date and time in whole minutes — write it as ISO 8601, e.g. "
                         f"{example}") from None
    if not (h0 <= at < h1):
        raise UsageError(f"--at {text!r}: outside the week of the config ({h0:%Y-%m-%dT%H:%M} to "
                         f"{h1:%Y-%m-%dT%H:%M}) — give a time inside it")
    return at


def _column_names(table: pd.DataFrame, path: Path, known: tuple[str, ...]) -> list[str]:
    """Strip spaces around column names (``'pinned '`` is ``pinned``); a known column spelt in
    another case (``Pinned``) is a problem naming it: names are case-sensitive, and a
    misspelt ``pinned`` would silently keep nothing."""
    problems = []
    names = [str(c).strip() for c in table.columns]
    lower = {k.lower(): k for k in known}
    for raw, name in zip(table.columns, names):
        want = lower.get(name.lower())
        if want is not None and name != want and want not in names:
            problems.append(f"{path}: column {str(raw)!r} — column names are case-sensitive: rename it to "
                            f"'{want}'")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        problems.append(f"{path}: column(s) {', '.join(map(repr, dup))} appear twice (spaces around names do not "
                        "count) — keep one of each")
    table.columns = names
    return problems


#: the columns ``--from`` needs (kept rows are written back as they are, so every column of
#: the contract's roster must be there); ``--previous`` needs only the teams and times
_FROM_COLUMNS = ROSTER_COLUMNS
_PREVIOUS_COLUMNS = ("shift_id", "team_id", "station_id", "start", "end")


def read_published(run_dir: str | Path, *, option: str = "--from", scenario=None,
                   at: dt.datetime | None = None) -> pd.DataFrame:
    """The roster of a run folder as text (every column, as written; names stripped of spaces),
    with ``_row`` (the row's number in the file, header = 1), ``_start``/``_end``/
    ``_on_site_start``/``_on_site_end`` (datetimes) and ``_pinned`` (bool). Raises
    :class:`UsageError` if ``run_dir`` is not a run folder and :class:`DataError` listing every
    missing column and unreadable cell (file, row, shift_id, column). ``--from`` needs every
    column of the contract's roster (and ``loop_id``/``loop_hotspots`` beside a visits.csv);
    ``--previous`` only ``shift_id``, ``team_id``, ``station_id``, ``start``, ``end``.

    With ``scenario`` (``--from`` of a re-plan; ``at`` its cut), the same pass also checks
    every row against the scenario's tables (:func:`reference_problems`: ids the config does
    not know, a ``zone_id`` other than the hotspot's zone, times out of order),
    after :func:`check_known_stations` has refused the run of another config: every problem of
    the file comes in one :class:`DataError`."""
    folder = Path(run_dir)
    path = folder / "roster.csv"
    if not folder.is_dir() or not path.is_file() or not (folder / "summary.json").is_file():
        raise UsageError(f"{option} {folder}: not a run folder (it needs roster.csv and summary.json, as "
                         "`patrolplan solve` writes them) — give the run folder of the published week")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot be read as a CSV roster ({err}) — give a roster.csv patrolplan wrote") from None
    from_week = option == "--from"
    need = _FROM_COLUMNS if from_week else _PREVIOUS_COLUMNS
    if from_week and (folder / "visits.csv").is_file():
        need = need + ROSTER_LOOP_COLUMNS
    problems = _column_names(table, path, ROSTER_COLUMNS + ROSTER_LOOP_COLUMNS + ("pinned",))
    missing = [c for c in need if c not in table.columns]
    if missing:
        problems.append(f"{path}: missing column(s) {', '.join(map(repr, missing))} — a roster needs "
                        f"{', '.join(need)}; give the roster.csv patrolplan wrote (extra columns may be added)")
    if problems:
        raise DataError(problems)
    table = table.copy()
    table["_row"] = np.arange(2, len(table) + 2)
    problems += _cell_problems(table, need, from_week)
    pinned = []
    for row, sid, text in zip(table["_row"], table["shift_id"],
                              table["pinned"] if "pinned" in table else [""] * len(table)):
        word = pinned_word(text)
        if word is None:
            problems.append(f"row {row} (shift_id '{sid}'), column 'pinned': {text!r} is neither true nor false "
                            f"— write true ({'/'.join(TRUE_WORDS)}) on the rows to keep, leave the others empty")
        pinned.append(bool(word))
    table["_pinned"] = pinned
    sids = table["shift_id"].str.strip()
    dup = sids[(sids != "") & sids.duplicated()]
    for sid in dup.unique():
        rows = ", ".join(str(r) for r in table["_row"][sids == sid])
        problems.append(f"rows {rows} (shift_id '{sid}'), column 'shift_id': the same id twice — give each row its own id")
    if scenario is not None and from_week:
        check_known_stations(scenario, table, folder, option=option)  # another config's run: said as such
        problems += reference_problems(scenario, table, at)
        problems.sort(key=_row_number)  # one list in file order, each row's problems together
    if problems:
        raise DataError(problems, source=str(path))
    return table


def _row_number(problem: str) -> int:
    m = re.match(r"rows? (\d+)", problem)
    return int(m.group(1)) if m else 0


def reference_problems(scenario, table: pd.DataFrame, at: dt.datetime | None = None) -> list[str]:
    """Each row of a ``--from`` roster (history, pinned and the rows after the cut alike) that
    names what the scenario does not know — a station, a team not named ``<station_id>-T<n>``,
    a hotspot (or one of its loop), a zone, or a ``zone_id`` other than the hotspot's zone — or
    whose times are out of order (start < end, start <=
    on_site_start <= on_site_end <= end). A row after the cut is planned again, but a typo there
    must not lose the row silently (nor a kept row publish what the check then refuses): the
    fix is to correct the cell, or to delete a row after the cut. Blank or unreadable cells are
    :func:`_cell_problems`' and are skipped here."""
    stations = set(scenario.stations["station_id"].astype(str).str.strip())
    hotspot_zone = {str(h).strip(): str(z).strip() for h, z in zip(scenario.hotspots["hotspot_id"],
                                                                   scenario.hotspots["zone_id"])}
    zones = set(scenario.zones["zone_id"].astype(str).str.strip())
    problems = []
    for row in table.to_dict("records"):
        where = f"row {row['_row']} (shift_id '{str(row['shift_id']).strip()}')"
        later = at is not None and not pd.isna(row["_start"]) and row["_start"] >= at and not row["_pinned"]
        or_delete = ", or delete the row (it starts after --at, so the re-plan plans its hours again)" if later else ""
        if later:
            fix = "correct it" + or_delete
        elif at is not None:
            fix = (f"correct it (the row is kept as {'pinned' if row['_pinned'] else 'history'}, so it must name what "
                   "the config knows)")
        else:
            fix = "correct it"

        def say(col: str, what: str, how: str = "") -> None:
            problems.append(f"{where}, column '{col}': {what} — {how or fix}")

        station = str(row["station_id"]).strip()
        team = str(row["team_id"]).strip()
        hotspot = str(row["hotspot_id"]).strip()
        zone = str(row.get("zone_id", "") or "").strip()
        if station and station not in stations:
            named = _TEAM_RE.match(team)
            hint = (f" (its team_id {team} names station {named.group('station')})"
                    if named and named.group("station") in stations else "")
            say("station_id", f"station {station!r} is not in the config's stations table{hint}")
        elif team and station and _team_index(team, station) is None:
            say("team_id", f"team {team!r} is not a team of station {station!r} (teams are named "
                f"{station}-T01, {station}-T02, ...)")
        if hotspot and hotspot not in hotspot_zone:
            say("hotspot_id", f"hotspot {hotspot!r} is not in the config's hotspots table")
        loop = [x.strip() for x in str(row.get("loop_hotspots", "") or "").split(";") if x.strip()]
        unknown = [x for x in loop if x not in hotspot_zone]
        if unknown:
            say("loop_hotspots", f"hotspot(s) {', '.join(map(repr, unknown))} of the loop are not in the config's "
                "hotspots table")
        if zone and zone not in zones:
            say("zone_id", f"zone {zone!r} is not in the config's zones table"
                + (f" (hotspot {hotspot} belongs to zone {hotspot_zone[hotspot]})" if hotspot in hotspot_zone else ""))
        elif zone and hotspot in hotspot_zone and zone != hotspot_zone[hotspot]:
            say("zone_id", f"zone {zone!r}, but hotspot {hotspot} belongs to zone {hotspot_zone[hotspot]} in the "
                "config's hotspots table", f"write {hotspot_zone[hotspot]}")
        times = [row[c] for c in ("_start", "_on_site_start", "_on_site_end", "_end")]
        if not any(pd.isna(t) for t in times):
            a, b, c, d = times
            if not a < d:
                say("end", f"{d:%Y-%m-%dT%H:%M} is not after the start {a:%Y-%m-%dT%H:%M}", "give the start and end "
                    "the row was published with (start < end)" + or_delete)
            elif not a <= b <= c <= d:
                say("on_site_start", f"times out of order (start {a:%Y-%m-%dT%H:%M}, on site {b:%Y-%m-%dT%H:%M} to "
                    f"{c:%Y-%m-%dT%H:%M}, end {d:%Y-%m-%dT%H:%M})", "give the times the row was published with "
                    "(start <= on_site_start <= on_site_end <= end)" + or_delete)
    return problems


def pinned_word(text) -> bool | None:
    """A ``pinned`` cell: True (:data:`TRUE_WORDS`), False (:data:`FALSE_WORDS`, empty
    included) or None (anything else: an input error), case and spaces ignored."""
    word = str(text).strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def _cell_problems(table: pd.DataFrame, need: tuple[str, ...], from_week: bool) -> list[str]:
    """Blank ids, unreadable times and travel minutes; the times parsed into ``_<column>``."""
    problems = []
    where = [f"row {r} (shift_id '{sid}')" if str(sid).strip() else f"row {r}"
             for r, sid in zip(table["_row"], table["shift_id"])]
    for col in ("shift_id", "team_id", "station_id", "zone_id", "hotspot_id", "mode"):
        if col in need:
            problems += [f"{w}, column '{col}': empty — give the {col.removesuffix('_id')}"
                         + (" id" if col.endswith("_id") else "") + " as patrolplan wrote it"
                         for w, v in zip(where, table[col]) if not str(v).strip()]
    for col in ("start", "end", "on_site_start", "on_site_end"):
        values = []
        texts = table[col] if col in table else [None] * len(table)
        for w, text in zip(where, texts):
            if text is None:
                values.append(pd.NaT)
                continue
            try:
                values.append(_parse_time(text))
            except ValueError:
                values.append(pd.NaT)
                problems.append(f"{w}, column '{col}': {text!r} is not an ISO 8601 time in whole minutes "
                                "— write it like 2026-11-30T08:00")
        table["_" + col] = values
    for col in ("travel_out_min", "travel_back_min"):
        if col in need:
            problems += [f"{w}, column '{col}': {v!r} is not a whole number of minutes >= 0 — give the minutes "
                         "as patrolplan wrote them" for w, v in zip(where, table[col])
                         if not re.fullmatch(r"\d+", str(v).strip())]
    return problems


# --- the roster written ------------------------------------------------------------------------


def _row_key(row) -> tuple:
    """What makes two roster rows the same shift: team, station, hotspot, loop and the four
    times, compared by value (``2026-11-29 20:00:00`` as a spreadsheet saves it is
    ``2026-11-29T20:00``)."""
    return (str(row["team_id"]).strip(), str(row["station_id"]).strip(), str(row["hotspot_id"]).strip(),
            str(row.get("loop_hotspots", "") or "").strip(),
            *(time_text(row[c]) for c in ("start", "end", "on_site_start", "on_site_end")))


def _published_rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[[c for c in table.columns if not c.startswith("_")]]


def merge_roster(new: pd.DataFrame, published: pd.DataFrame, kept_outside: list[int],
                 visits: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The written roster: a new row equal to a published one (team, station, hotspot or loop,
    the four times) is the published row as it was (its shift_id and every column); other rows
    get new ids after the highest published ``SH`` number, and the published roster's other
    columns (``pinned``, a planner's notes) empty; fixed rows kept outside the model
    (``kept_outside``: their ``_row`` numbers) are added as they were. ``visits`` follow their
    shift's id."""
    old = _published_rows(published)
    columns = list(new.columns) + [c for c in old.columns if c not in new.columns]
    old_records = old.to_dict("records")
    pool: dict[tuple, list[int]] = {}
    for i, row in enumerate(published.to_dict("records")):
        pool.setdefault(_row_key(row), []).append(i)
    numbers = [int(m.group(1)) for m in (re.match(r"^SH(\d+)$", s) for s in published["shift_id"]) if m]
    next_id = max(numbers, default=0) + 1
    width = max(4, len(str(next_id + len(new))))
    blank = {c: "" for c in columns}
    rows, renamed = [], {}
    for row in new.to_dict("records"):
        hit = pool.get(_row_key(row))
        if hit:
            rec = blank | old_records[hit.pop(0)]
        else:
            rec = blank | row
            rec["shift_id"] = f"SH{next_id:0{width}d}"
            next_id += 1
        renamed[row["shift_id"]] = rec["shift_id"]
        rows.append(rec)
    rows += [blank | rec for rec in old[published["_row"].isin(kept_outside)].to_dict("records")]
    out = pd.DataFrame(rows, columns=columns)
    out["_t"] = [_parse_time(t) for t in out["start"]]
    out = out.sort_values(["_t", "station_id", "team_id"], kind="stable").drop(columns="_t").reset_index(drop=True)
    if visits is not None:
        visits = visits.assign(shift_id=visits["shift_id"].map(renamed).fillna(visits["shift_id"]))
    return out.astype(str), visits


def changes_table(published: pd.DataFrame, roster: pd.DataFrame, at: dt.datetime) -> pd.DataFrame:
    """One row per shift after the cut that was added, removed or moved. A published row is
    unchanged when the new roster has a row with the same team, station, hotspot (or loop) and
    the same four times. Removed and added rows then pair up as ``moved``: first the same shift
    given to another team of the station, then a shift at the same hotspot (or loop) with
    overlapping on-site hours taken over by another station's team, then a team's shift at
    another time or place (in start order); what is left is ``removed`` or ``added``. ``team_id`` is the new team (the old
    one for a removed shift)."""
    def after(table):
        t = [_parse_time(x) for x in table["start"]]
        return table[[x >= at for x in t]]

    old, new = after(published).to_dict("records"), after(roster).to_dict("records")
    removed, added = _unmatched(old, new), _unmatched(new, old)
    pairs = _pair(removed, added, lambda a, b: a["station_id"] == b["station_id"]
                  and _row_key(a)[2:] == _row_key(b)[2:])  # the same shift, another team of the station
    pairs += _pair(removed, added, _takes_over)  # the same place and hours, another station's team
    pairs += _pair(removed, added, lambda a, b: a["team_id"] == b["team_id"])  # the same team, another time or place
    rows = [_change_row(a, b) for a, b in pairs + [(a, None) for a in removed] + [(None, b) for b in added]]
    out = pd.DataFrame(rows, columns=list(CHANGES_COLUMNS))
    if len(out):
        out["_t"] = [min(x for x in (o, n) if x) for o, n in zip(out["old_start"], out["new_start"])]
        out = out.sort_values(["station_id", "_t", "team_id"], kind="stable").drop(columns="_t").reset_index(drop=True)
    return out


def _takes_over(a: dict, b: dict) -> bool:
    """``b`` is ``a``'s shift at the same hotspot (or loop) with on-site hours overlapping."""
    same_place = (a["hotspot_id"], str(a.get("loop_hotspots", "") or "")) == \
        (b["hotspot_id"], str(b.get("loop_hotspots", "") or ""))
    a0, a1, b0, b1 = (_parse_time(r[c]) for r, c in ((a, "on_site_start"), (a, "on_site_end"),
                                                      (b, "on_site_start"), (b, "on_site_end")))
    return same_place and a0 < b1 and b0 < a1


def _unmatched(rows: list[dict], others: list[dict]) -> list[dict]:
    """The rows of ``rows`` left over once each is matched to an equal row (by ``_row_key``) of
    ``others``, a multiset difference in ``rows``' order."""
    pool = Counter(_row_key(r) for r in others)
    out = []
    for r in rows:
        k = _row_key(r)
        if pool[k]:
            pool[k] -= 1
        else:
            out.append(r)
    return out


def _pair(removed: list, added: list, alike) -> list[tuple]:
    """Pairs (removed, added) for which ``alike(removed, added)``, in start order; taken out of
    both lists."""
    pairs, used_a, used_b = [], set(), set()
    for i, a in enumerate(removed):
        j = next((j for j, b in enumerate(added) if j not in used_b and alike(a, b)), None)
        if j is not None:
            pairs.append((a, added[j]))
            used_a.add(i)
            used_b.add(j)
    removed[:] = [a for i, a in enumerate(removed) if i not in used_a]
    added[:] = [b for j, b in enumerate(added) if j not in used_b]
    return pairs


def _change_row(a, b) -> dict:
    change = "moved" if a is not None and b is not None else ("removed" if b is None else "added")
    ref = b if b is not None else a

    def get(r, col):
        return "" if r is None else str(r.get(col, "") or "")

    return {"change": change, "team_id": ref["team_id"], "station_id": ref["station_id"],
            **{f"old_{c}": get(a, c) for c in ("shift_id", "team_id", "start", "end", "hotspot_id", "loop_hotspots")},
            **{f"new_{c}": get(b, c) for c in ("shift_id", "team_id", "start", "end", "hotspot_id", "loop_hotspots")}}


def shortage_notes(problem, published: pd.DataFrame, at: dt.datetime) -> list[str]:
    """What the new inputs took away that the published roster used after the cut: per station
    and date, teams the published roster started against the teams the new inputs allow, and
    stations with fewer teams than the published roster names."""
    p = problem
    cut = _minutes(p, at)
    notes = []
    s_index = {s: i for i, s in enumerate(p.station_ids)}
    rows = [(s_index.get(sid), tid, _minutes(p, t)) for sid, tid, t in
            zip(published["station_id"], published["team_id"], published["_start"])]
    for s in sorted({r[0] for r in rows if r[0] is not None}):
        named = {tid for st, tid, _ in rows if st == s}
        if len(named) > int(p.teams[s]):
            notes.append(f"station {p.station_ids[s]} has {int(p.teams[s])} teams in the new inputs, the published "
                         f"roster used {len(named)}")
        days = sorted({t // (24 * 60) for st, _, t in rows if st == s and t >= cut})
        for d in days:
            used = {tid for st, tid, t in rows if st == s and t >= cut and t // (24 * 60) == d}
            a = teams_on(p, s, d)
            if a is not None and a < len(used):
                date = p.config.week_start + dt.timedelta(days=d)
                since = f" from {at:%H:%M}" if d == cut // (24 * 60) else ""
                notes.append(f"station {p.station_ids[s]} on {date.isoformat()}{since}: the new availability allows "
                             f"{a} team(s), the published roster started {len(used)} — {len(used) - a} team(s) lost")
    return notes


def history_gaps(problem, table: pd.DataFrame, from_dir, at: dt.datetime) -> list[str]:
    """Demanded slots starting before the cut that the kept rows leave short (only kept rows
    can be on site there: no new shift starts before the cut), per hotspot, with what the
    published folder says was there: its coverage.csv's stations in those slots, and shift ids
    missing between two history rows (a row removed from roster.csv after publishing)."""
    p = problem
    cut = _minutes(p, at)
    fixed, _ = fixed_counts(p)
    present = p.cover @ fixed if p.cover.shape[0] else np.zeros(0)
    need = p.required[p.cover_hotspot, p.cover_slot]
    short = (p.cover_slot * p.slot_min < cut) & (present < need)
    out = []
    for h, ks in _unvisited_history(p, cut):
        out.append(f"hotspot {p.hotspot_ids[int(h)]} (zone {p.zone_ids[int(p.hotspot_zone[h])]}): visit hours "
                   f"{when(p, ks)} that no kept loop keeps within the interval on its own")
    if not short.any() and not out:
        return []
    coverage = _published_coverage(from_dir)
    for h in np.unique(p.cover_hotspot[short]):
        mine = short & (p.cover_hotspot == h)
        ks = p.cover_slot[mine]
        hid = p.hotspot_ids[int(h)]
        line = f"hotspot {hid} (zone {p.zone_ids[int(p.hotspot_zone[h])]}): {when(p, ks)} short of kept rows"
        published = [coverage.get((hid, _slot_text(p, k)), (0, "")) for k in ks]
        lost = [pub for pub, now in zip(published, present[mine]) if pub[0] > now]
        then = sorted({st for _, stations in lost for st in stations.split(";") if st})
        if then:
            line += (f"; the published coverage.csv had {', '.join(then)} on site there ({hhmm(p, ks.min())}), so a "
                     "row was removed from or changed in roster.csv after publishing")
        out.append(line)
    missing = _missing_history_ids(table, at)
    if missing:
        out.append(f"shift id(s) {', '.join(missing)} are missing between history rows of the published roster: "
                   f"removed by hand? — restore them in {Path(from_dir) / 'roster.csv'}, or re-plan from a run "
                   "folder that has them")
    return out


def _unvisited_history(p, cut: int) -> list[tuple[int, np.ndarray]]:
    """Per hotspot, the slots of visit rows before the cut that the kept rows leave without a
    visit: the guard rows (enumerated loops) or, by rendezvous, the window rows whose visits all
    start before the cut, kept by a kept loop's visit or, at a joint hotspot, by kept loops
    meeting there (the model's meeting and link rows). Window rows on the check step ask for
    visits on it (rules/visits.py ``Windows``): history planned on a finer step is judged on the
    visit grid, where the rows are exact."""
    v = p.config.visits
    if p.windows is not None and v.check > v.grid_minutes:
        p = p.on_the_visit_grid()
    fixed = fixed_counts(p)[0]
    kept = p.guard @ fixed if p.guard.shape[0] else np.zeros(0)
    if p.windows is None:
        before = p.guard_slot * p.slot_min < cut
    else:
        w = p.windows
        before = w.hi < cut
        linked = (p.meet_link @ fixed >= 1) if w.link_meet.size else np.zeros(0, dtype=bool)
        met = np.ones(w.meet_hotspot.size, dtype=bool)
        np.logical_and.at(met, w.link_meet, linked)  # every link row of a meeting has a kept team
        kept = kept + (p.meet_window @ met.astype(float) if met.size else 0)
    bare = before & (kept < 1)
    return [(int(h), np.unique(p.guard_slot[bare & (p.guard_hotspot == h)])) for h in np.unique(p.guard_hotspot[bare])]


def _slot_text(p, k: int) -> str:
    return (p.horizon_start + dt.timedelta(minutes=int(k) * p.slot_min)).strftime("%Y-%m-%dT%H:%M")


def _published_coverage(from_dir) -> dict[tuple[str, str], tuple[int, str]]:
    """(hotspot_id, slot_start) -> (teams present, their stations), as the published
    coverage.csv says ({} when it is missing or unreadable: the note is then left out)."""
    try:
        cov = pd.read_csv(Path(from_dir) / "coverage.csv", dtype=str, keep_default_na=False)
        return {(h, time_text(t)): (int(n) if str(n).strip().isdigit() else 0, st)
                for h, t, n, st in zip(cov["hotspot_id"], cov["slot_start"], cov["present"], cov["stations"])}
    except (OSError, KeyError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return {}


def _missing_history_ids(table: pd.DataFrame, at: dt.datetime) -> list[str]:
    """``SH`` numbers absent between two present ids whose rows both start before ``at``."""
    numbered = {}
    for sid, start in zip(table["shift_id"], table["_start"]):
        m = re.fullmatch(r"SH(\d+)", str(sid).strip())
        if m:
            numbered[int(m.group(1))] = (str(sid).strip(), start)
    if not numbered:
        return []
    width = len(next(iter(numbered.values()))[0]) - 2
    present = sorted(numbered)
    out = []
    for a, b in zip(present, present[1:]):
        if b - a > 1 and numbered[a][1] < at and numbered[b][1] < at:
            out += [f"SH{n:0{width}d}" for n in range(a + 1, b)]
    return out[:20]


def replan_scenario(scenario, from_dir: str | Path, at_text: str, out_dir=None, *, time_limit_s=None, seed=None,
                    workers=None, quiet: bool = True, pictures: bool = True) -> RunOutcome:
    """``patrolplan replan``: re-plan ``from_dir``'s roster from ``at_text`` on against the
    scenario's current inputs; writes a run folder with ``changes.csv``. The runner's steps
    (:func:`~patrolplan.runner.start_run`, ``plan``, ``verify``, ``publish``) with the
    published week as their input and :func:`finish_replan` between planning and the check.
    ``--out`` is never ``from_dir`` (:func:`refuse_same_folder`, before anything is read).
    Returns a :class:`~patrolplan.runner.RunOutcome`."""
    at = parse_at(at_text, scenario.config)
    refuse_same_folder(out_dir, from_dir, "--from")
    table = read_published(from_dir, scenario=scenario, at=at)
    warnings = check_same_config(scenario, table, from_dir)
    check_same_week(scenario.config, table, from_dir)
    offset = re.search(r"(Z|[+-]\d{2}(:?\d{2})?)$", str(at_text).strip())
    if offset:
        warnings.append(f"--at {at_text!r}: the offset {offset.group(0)} is dropped — re-planning from the wall-clock "
                        f"time {at:%Y-%m-%dT%H:%M}, as roster times are read")
    week = PublishedWeek(Path(from_dir), table, at)
    run = start_run(scenario, out_dir, published=week, warnings=warnings)
    problem, result = plan(run, time_limit_s=time_limit_s, seed=seed, workers=workers, quiet=quiet)
    result = finish_replan(problem, result, week)
    return publish(run, *verify(run, result), pictures=pictures)


def _horizon_start(config) -> dt.datetime:
    return dt.datetime.combine(config.week_start, dt.time(0, 0))


def check_same_week(config, table: pd.DataFrame, from_dir) -> None:
    """``--from``'s roster must be a roster of the config's week: at least one row, and every
    row starting inside the week or before it by less than the longest allowed shift (as a
    roster of the week may). UsageError otherwise, naming the first row outside."""
    h0 = _horizon_start(config)
    h1 = h0 + dt.timedelta(minutes=config.horizon_minutes)
    if not len(table):
        raise UsageError(f"--from {from_dir}: its roster.csv has no shifts (only a header), so there is nothing to "
                         "re-plan — solve the week with `patrolplan solve`, or give the run folder that published it")
    earliest = h0 - dt.timedelta(minutes=max(config.rules.shift_minutes))
    outside = table[(table["_start"] < earliest) | (table["_start"] >= h1)]
    if len(outside):
        first = outside.iloc[0]
        raise UsageError(f"--from {from_dir}: its roster ({min(table['_start']):%Y-%m-%d} to "
                         f"{max(table['_end']):%Y-%m-%d}) is not of the config's week ({h0:%Y-%m-%d} to "
                         f"{h1 - dt.timedelta(minutes=1):%Y-%m-%d}): row {first['_row']} (shift_id "
                         f"'{first['shift_id']}') starts at {first['_start']:%Y-%m-%dT%H:%M} — re-plan the week it "
                         "published with that week's config, or roll into a new week with `solve --previous`")


def check_same_config(scenario, table: pd.DataFrame, from_dir, *, option: str = "--from") -> list[str]:
    """Signs that ``from_dir`` is the run of another config. Raises :class:`UsageError` when
    none of its roster's stations is in the scenario's stations table, or when it keeps visit
    loops and the config asks for no visits; returns warnings (for the run's summary and the
    terminal) when summary.json records another config's name."""
    recorded = _recorded_config(from_dir)
    what = _recorded_words(recorded)
    check_known_stations(scenario, table, from_dir, option=option)
    if "loop_hotspots" in table:
        loops = table[table["loop_hotspots"].astype(str).str.strip() != ""]
        if len(loops) and not needs_hotspot_hops(scenario):
            first = loops.iloc[0]
            raise UsageError(f"{option} {from_dir}: row {first['_row']} (shift_id '{first['shift_id']}') is a visit "
                             f"loop, but this config asks for no visits — it is the run of another config{what}: "
                             "re-plan with the config that published it (its demand with presence 'visit')")
    warnings = []
    name = recorded["config_name"]
    if name and name != scenario.config.name:
        warnings.append(f"{option} {from_dir}: published by the config '{name}', re-planned with '{scenario.config.name}'"
                        " — fine when it is that week's config with changed inputs; otherwise give the right run folder")
    return warnings


def check_known_stations(scenario, table: pd.DataFrame, run_dir, *, option: str) -> None:
    """:class:`UsageError` when none of the roster's stations is in the scenario's stations
    table: the run folder is another config's (``--from``, ``--previous``)."""
    known = set(scenario.stations["station_id"].astype(str))
    named = sorted(set(table["station_id"].astype(str).str.strip()) - {""})
    if named and not set(named) & known:
        raise UsageError(f"{option} {run_dir}: none of its roster's stations ({', '.join(named[:5])}"
                         f"{', ...' if len(named) > 5 else ''}) is in this config's stations table — it is the run of "
                         f"another config{_recorded_words(_recorded_config(run_dir))}: give a run folder of this "
                         "config's stations")


def _recorded_words(recorded: dict) -> str:
    what = " ".join(x for x in (f"'{recorded['config_name']}'" if recorded["config_name"] else "",
                                recorded["config_path"]) if x)
    return f" (it records the config {what})" if what else ""


def _recorded_config(run_dir) -> dict:
    """``config_name`` and ``config_path`` as the run folder's summary.json records them ("" if not)."""
    try:
        summary = json.loads((Path(run_dir) / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        summary = {}
    if not isinstance(summary, dict):
        summary = {}
    return {k: str(summary.get(k) or "") for k in ("config_name", "config_path")}


def check_week_before(config, table: pd.DataFrame, prev_dir) -> None:
    """``--previous``'s roster must start before the config's week (UsageError otherwise)."""
    h0 = _horizon_start(config)
    later = table[table["_start"] >= h0]
    if len(later):
        raise UsageError(f"--previous {prev_dir}: row {later['_row'].iloc[0]} (shift_id '{later['shift_id'].iloc[0]}') "
                         f"starts at {later['_start'].iloc[0]:%Y-%m-%dT%H:%M}, inside this week (from "
                         f"{h0:%Y-%m-%d}) — give the run folder of the week before")


def finish_replan(problem, result, published: PublishedWeek | tuple):
    """The solved re-plan as written: kept rows as they were, ``changes.csv``, the summary's
    ``replan`` entry and, when the week falls short, what the new inputs took away.
    ``published``: the :class:`~patrolplan.weeks.PublishedWeek` (or ``(from_dir, table, at)``)."""
    if isinstance(published, PublishedWeek):
        from_dir, table, at = published.run_dir, published.table, published.at
    else:
        from_dir, table, at = published
    _, outside = fixed_counts(problem)
    roster, visits = merge_roster(result.roster, table, [r.row for r in outside], result.visits)
    changes = changes_table(_published_rows(table), roster, at) if len(result.roster) else None
    summary = dict(result.summary)
    summary["replan"] = {
        "from": str(from_dir), "at": at.strftime("%Y-%m-%dT%H:%M"),
        "history_rows": int(sum(1 for t in table["_start"] if t < at)),
        "pinned_rows": int(table["_pinned"].sum()),
        "published_rows_after_cut": int(sum(1 for t, pin in zip(table["_start"], table["_pinned"]) if t >= at and not pin)),
        "changed_shifts": None if changes is None else int(len(changes)),
        "changes": None if changes is None else {k: int(v) for k, v in changes["change"].value_counts().items()},
    }
    explanation = result.explanation
    if result.status not in ("optimal", "feasible"):
        history = history_gaps(problem, table, from_dir, at)
        notes = shortage_notes(problem, table, at)
        head = "# What made the re-plan short\n\n"
        if history:
            head += ("The gap lies in history (before --at): slots that start before the cut can only be covered by "
                     "the rows kept as history, and no re-plan can add a shift there.\n\n"
                     + "\n".join(f"- {n}" for n in history) + "\n\n")
        model = _model_note(problem, result)
        if model:
            head += f"- {model}\n\n"
        if notes or not (history or model):
            head += ("\n".join(f"- {n}" for n in notes) if notes else
                     "- no station lost teams against the published roster, and the kept rows leave no demanded "
                     "slot before --at short: the demand, zones or roads changed after the cut") + "\n\n"
        explanation = head + (explanation or "")
        summary["replan"]["short"] = notes
        summary["replan"]["history_gaps"] = history
    if not len(result.roster):
        roster = result.roster
    return replace(result, roster=roster, visits=visits, summary=summary, explanation=explanation, changes=changes)


def _model_note(problem, result) -> str | None:
    """Why the model itself may fall short of a published rendezvous week: planned with the
    enumerated loops (no beat plan applies, and column generation did not plan it), it keeps a
    joint visit as one loop that two teams drive together, so a kept rendezvous loop (each team
    its own, meeting its partner) meets nobody there."""
    cg = (result.summary.get("stats") or {}).get("column_generation") or {}
    if problem.windows is None or cg.get("fallback") != ENUMERATED:
        return None
    return ("the week was planned with the enumerated loops, not by rendezvous (beat plan: "
            f"{cg.get('no_beat_plan') or 'none'}): that model keeps a joint visit as one loop that two teams drive "
            "together, so the published rendezvous loops kept as history (each team its own loop, meeting its "
            "partner) meet nobody in it, and its plan may fall short where the published week did not. The "
            "sections below measure that model: hours before --at they list at joint hotspots are kept by the "
            "published loops, which it cannot count")


def print_changes(outcome, *, file=None) -> None:
    file = file or sys.stdout
    info = outcome.result.summary.get("replan") or {}
    if info.get("changed_shifts") is not None:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted((info.get("changes") or {}).items()))
        print(f"  re-plan from {info['at']}: {info['changed_shifts']} shifts changed"
              + (f" ({kinds})" if kinds else "") + f"; see {outcome.run_dir / 'changes.csv'}", file=file)
