"""Re-check a roster against the inputs, independently of the solver.

``check_roster(scenario, roster) -> Report`` re-reads the contract's "What a correct roster
is" from scratch. It shares no logic with the model: it never imports ``model``, ``problem``,
``solve``, ``assign`` or ``demand``, and expands the demand table itself (``expand_demand``
below), plainly and slot by slot. The only shared input interpretation is the travel-time
matrix (``network.travel_times``), which can be injected with ``travel=``.

Times are minutes since ``week_start`` 00:00 (minute 0); slot ``k`` is
``[k * slot_minutes, (k + 1) * slot_minutes)``. Roster times are ISO 8601 local times; an
offset after a time (``+08:00``) is accepted and dropped: the wall-clock time is used as is.

Rules checked, each reported under its ``Violation.rule`` name:

Coverage (every hotspot ``h`` and slot ``[t, t + slot)`` with demand ``d > 0``)
    ``gap``
        fewer than ``d`` rows of ``h`` with ``on_site_start <= t`` and ``on_site_end >= t + slot``.
        Every such row counts, whatever else is wrong with it (other rules report that).
    ``synchronized_stations``
        synchronized zone, at least one team present: the present rows come from fewer
        distinct stations than the zone's ``min_stations``.
    ``synchronized_jurisdictions``
        synchronized zone whose member stations span two or more jurisdictions of the zone's
        tier (non-empty values of the station column named by the tier), at least one team
        present: the present rows' stations span fewer than two of them.
    An empty slot is reported as ``gap`` only. Consecutive slots of one hotspot with the same
    shortfall and the same teams on site are reported as one violation.

Every row
    ``unknown_id``   its station or hotspot is not in the inputs (or its hotspot's zone is not).
    ``member``       its station is not a member of its hotspot's zone, or its ``zone_id``
                     (when given) is not its hotspot's zone.
    ``times``        not ``start <= on_site_start <= on_site_end <= end`` with ``start < end``,
                     or the shift starts at or after the horizon's end.
    ``travel_out``   ``on_site_start - start`` < travel time station -> hotspot (minutes).
    ``travel_back``  ``end - on_site_end`` < travel time hotspot -> station (minutes).
    ``shift_length`` ``end - start`` is not one of ``rules.shift_hours``.
    ``start_grid``   ``start`` (minutes since the horizon start) is not a multiple of
                     ``rules.shift_start_every_minutes``.
    ``start_before_horizon`` the shift starts before the horizon by its length or more (it
                     ends at or before the horizon starts).
    Rows that break ``times`` are not checked for travel or length.

Every team (``team_id``)
    ``overlap``      two of its shifts overlap in time.
    ``rest``         less than ``rules.min_rest_hours`` between one shift's end and the next
                     one's start.
    ``max_shifts``   more than ``rules.max_shifts_per_team`` shifts.
    ``team_station`` its rows name more than one station.

Every station
    ``team_count``   more distinct ``team_id``s than ``floor((officers - reserve) / team_size)``.
    ``availability`` on a date with availability ``a`` officers, more distinct teams start a
                     shift (date of ``start``) than ``floor((a - reserve) / team_size)``.

Staggered zones, ``modes.handover_minutes`` = ``H`` > 0
    ``handover``     for each row ``r`` at a hotspot of a staggered zone, let ``e`` be its
                     ``on_site_end``, with ``0 < e <`` the horizon's end and demand > 0 in the
                     slot containing minute ``e`` (the slot starting at ``e`` when ``e`` is on
                     the slot grid). The rows taking over are those of the same hotspot and
                     another team on site just after ``e`` (``on_site_start <= e <
                     on_site_end``). If there are any, at least one of them must have arrived
                     ``H`` minutes before ``r`` leaves (``on_site_start <= e - H``), so someone
                     who stays has been there with ``r`` for the handover. If none has, ``r``
                     and the late arrivals are reported. If nobody is on site after ``e`` the
                     hotspot is empty, which ``gap`` reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from patrolplan.check import rules as _rules
from patrolplan.check.expand import expand_demand
from patrolplan.check.parse import _CHECK_COLUMNS, _parse_table, read_roster
from patrolplan.check.report import RULES, Report, Violation
from patrolplan.check.rules import FAMILY_CHECKS, RULE_FAMILY, _Checker, _shifts
from patrolplan.columns import ROSTER_COLUMNS
from patrolplan.scenario import Scenario

__all__ = [
    "RULES",
    "ROSTER_COLUMNS",
    "FAMILY_CHECKS",
    "RULE_FAMILY",
    "Violation",
    "Report",
    "read_roster",
    "check_roster",
    "check_run",
    "expand_demand",
]


def check_roster(scenario: Scenario, roster: pd.DataFrame, *, travel: Any = None) -> Report:
    """Check ``roster`` (one row per shift, the run folder's roster.csv columns; only
    ``shift_id, team_id, station_id, hotspot_id, start, end, on_site_start, on_site_end``
    are required, ``zone_id`` is checked when present) against every rule of a correct roster.

    ``travel`` gives ``.out(station_id, hotspot_id)`` and ``.back(hotspot_id, station_id)`` in
    whole minutes; by default ``network.travel_times(scenario)``, computed only if needed.
    Times may be text (ISO 8601) or datetimes. Raises :class:`DataError` if the table itself
    is unusable (missing columns, empty ids, unreadable times, duplicate shift ids); returns
    a :class:`Report` listing every broken rule otherwise. See the module docstring for the
    rules.
    """
    table = _parse_table(roster, source="roster", required=_CHECK_COLUMNS)
    facts = _Checker(scenario, _shifts(table, scenario.horizon_start), travel, expand_demand(scenario))
    violations = [v for check in _rules.FAMILY_CHECKS.values() for v in check(facts)]
    order = {rule: n for n, rule in enumerate(RULES)}
    violations.sort(key=lambda v: order.get(v.rule, len(order)))  # stable within a rule
    coverage, *_ = facts.coverage
    return Report(tuple(violations), coverage, scenario.config.slot_minutes)


def check_run(config_path: str | Path, run_dir: str | Path) -> Report:
    """Load the scenario of ``config_path`` and check the roster in ``run_dir``."""
    from patrolplan.io import load_scenario

    scenario = load_scenario(config_path)
    roster = read_roster(run_dir)
    return check_roster(scenario, roster)
