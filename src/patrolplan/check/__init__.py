"""Re-check a roster against the inputs, independently of the solver.

``check_roster(scenario, roster) -> Report`` re-reads the contract's "What a correct roster
is" from scratch, one function per rule family (:mod:`patrolplan.check.rules`, named like
the solver's families in :mod:`patrolplan.model.rules`). It shares no logic with the solver side:
it never imports ``patrolplan.model.rules``, ``model``, ``problem``, ``solve``, ``assign``,
``greedy``, ``result``, ``explain`` or ``demand``, and expands the demand table itself
(:func:`expand_demand`), plainly and slot by slot. The only shared input interpretation is
the travel-time matrix (``network.travel_times``), which can be injected with ``travel=``.

Modules: ``parse`` (roster CSV, ids, ISO 8601 times), ``expand`` (the checker's own demand
reading), ``facts`` (what the families share: rows in minutes, lookups, who is on site),
``rules`` (the families), ``report`` (:class:`Violation`, :class:`Report`, text).

Times are minutes since ``week_start`` 00:00 (minute 0); slot ``k`` is
``[k * slot_minutes, (k + 1) * slot_minutes)``. Roster times are ISO 8601 local times; an
offset after a time (``+08:00``) is accepted and dropped: the wall-clock time is used as is.

Every violation carries a rule name (:data:`RULES`, in report order), reported by one family
(:data:`RULE_FAMILY`):

=================  ===============================================================================
family             rules
=================  ===============================================================================
``shifts``         unknown_id, member, times, travel_out, travel_back, shift_length, start_grid,
                   start_before_horizon
``coverage``       gap
``synchronized``   synchronized_stations, synchronized_jurisdictions
``capacity``       overlap, rest, team_station, team_count
``max_shifts``     max_shifts
``availability``   availability
``handover``       handover
``visits``         visit_shift, visit_road, visit_dwell, visit_joint, visit_interval (visits.csv)
``published``      history, pinned, previous_rest (only with a published or a previous roster;
                   :mod:`patrolplan.check.published`)
``backup``         backup (response.backup: hard)
=================  ===============================================================================

Each family's docstring in :mod:`patrolplan.check.rules` says its rules in words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from patrolplan.check import published as _published
from patrolplan.check import rules as _rules
from patrolplan.check.expand import expand_demand, visit_windows
from patrolplan.check.facts import Facts, shifts_of, visits_of
from patrolplan.check.parse import _CHECK_COLUMNS, _parse_table, parse_visits, read_roster, read_visits
from patrolplan.check.report import RULES, Report, Violation
from patrolplan.check.rules import FAMILY_CHECKS, RULE_FAMILY
from patrolplan.columns import ROSTER_COLUMNS
from patrolplan.errors import UsageError
from patrolplan.inputs.scenario import Scenario

__all__ = [
    "RULES",
    "ROSTER_COLUMNS",
    "FAMILY_CHECKS",
    "RULE_FAMILY",
    "Violation",
    "Report",
    "read_roster",
    "read_visits",
    "check_roster",
    "check_run",
    "expand_demand",
]


def check_roster(scenario: Scenario, roster: pd.DataFrame, *, travel: Any = None,
                 visits: pd.DataFrame | None = None, published: pd.DataFrame | None = None,
                 at: dt.datetime | None = None, previous: pd.DataFrame | None = None) -> Report:
    """Check ``roster`` (one row per shift, the run folder's roster.csv columns; only
    ``shift_id, team_id, station_id, hotspot_id, start, end, on_site_start, on_site_end``
    are required, ``zone_id`` and ``mode`` are checked when present) against every rule of a
    correct roster.

    ``travel`` gives ``.out(station_id, hotspot_id)`` and ``.back(hotspot_id, station_id)`` in
    whole minutes; by default ``network.travel_times(scenario)``, computed only if needed.
    Times may be text (ISO 8601) or datetimes. Raises :class:`DataError` if the table itself
    is unusable (missing columns, empty ids, unreadable times, duplicate shift ids); returns
    a :class:`Report` listing every broken rule otherwise, in :data:`RULES` order.

    A re-plan (:mod:`patrolplan.check.published`): ``published`` (the old roster as text) and
    ``at`` check that its history and pinned rows are unchanged, and availability binds the
    rows from ``at`` on; ``previous`` (last week's roster as text) checks the rest across the
    week boundary.
    """
    table = _parse_table(roster, source="roster", required=_CHECK_COLUMNS)
    visit_rows = visits_of(parse_visits(visits) if visits is not None else None, scenario.horizon_start)
    cut_min = int((at - scenario.horizon_start).total_seconds() // 60) if at is not None else None
    facts = Facts(scenario, shifts_of(table, scenario.horizon_start), travel, expand_demand(scenario),
                  visit_rows, visit_windows(scenario), cut_min=cut_min)
    violations = [v for check in _rules.FAMILY_CHECKS.values() for v in check(facts)]
    if published is not None and at is not None:
        violations += _published.check_kept(published, roster, at)
    if previous is not None:
        violations += _published.check_previous_rest(previous, roster, scenario.config.rules.min_rest_hours)
    order = {rule: n for n, rule in enumerate(RULES)}
    violations.sort(key=lambda v: order.get(v.rule, len(order)))  # stable within a rule
    coverage = facts.coverage_table(_rules.coverage_short)
    visit_hours = sum(b - a for windows in facts.visit_windows.values() for a, b, _, _ in windows) / 60
    return Report(tuple(violations), coverage, scenario.config.slot_minutes, round(visit_hours, 2),
                  notes=tuple(facts.notes))


def check_run(config_path: str | Path, run_dir: str | Path, *, from_dir: str | Path | None = None,
              at: str | None = None, previous: str | Path | None = None) -> Report:
    """Load the scenario of ``config_path`` and check the roster in ``run_dir``; ``from_dir``
    and ``at`` (``--from``/``--at``): also that the published roster's history and pinned rows
    are unchanged; ``previous``: also the rest after last week's roster."""
    # looked up at call time, not at the top: it pulls in geopandas, and tests/test_check.py puts a
    # stand-in for patrolplan.inputs.io in sys.modules
    from patrolplan.inputs.io import load_scenario

    if (from_dir is None) != (at is None):
        raise UsageError("--from and --at go together: give both (the published run folder and the re-plan's time)")
    scenario = load_scenario(config_path)
    cut = old = prev = None
    if from_dir is not None:
        cfg = scenario.config
        cut = _published.parse_at(at, cfg.week_start, cfg.horizon_minutes)
        old = _published.read_text_roster(from_dir, option="--from")
        _published.check_published_week(old, scenario, from_dir)
    if previous is not None:
        prev = _published.read_text_roster(previous, option="--previous")
        _published.check_previous_week(prev, scenario.config.week_start, previous)
    roster = read_roster(run_dir)
    return check_roster(scenario, roster, visits=read_visits(run_dir), published=old, at=cut, previous=prev)
