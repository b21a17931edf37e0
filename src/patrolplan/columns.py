"""The run folder's table columns as the contract names them (shared by writer, checker and
plots; nothing else lives here, so that the checker can import it and stay independent)."""

from __future__ import annotations

__all__ = ["ROSTER_COLUMNS", "COVERAGE_COLUMNS", "COVERAGE_EXTRA_COLUMNS", "ROSTER_LOOP_COLUMNS", "VISIT_COLUMNS",
           "COVERAGE_VISIT_COLUMNS"]

#: roster.csv: one row per shift.
ROSTER_COLUMNS = (
    "shift_id",
    "team_id",
    "station_id",
    "zone_id",
    "hotspot_id",
    "mode",
    "start",
    "end",
    "on_site_start",
    "on_site_end",
    "travel_out_min",
    "travel_back_min",
)
#: coverage.csv: one row per hotspot and slot with demand > 0.
COVERAGE_COLUMNS = ("hotspot_id", "slot_start", "demand", "present", "stations", "gap")
#: patrolplan's additions to coverage.csv: teams required once a synchronized zone's
#: min_stations is counted, and whether the synchronized rule holds in the slot.
COVERAGE_EXTRA_COLUMNS = ("required", "sync_ok")
#: roster.csv in a week with visit demand: the loop a shift drives ("" for a post) and its hotspots.
ROSTER_LOOP_COLUMNS = ("loop_id", "loop_hotspots")
#: visits.csv: one row per visit of a loop shift.
VISIT_COLUMNS = ("visit_id", "shift_id", "team_id", "station_id", "hotspot_id", "arrive", "depart")
#: coverage.csv in a week with visit demand: post or visit, visit starts seen in the slot, and the
#: longest wait in the slot since the last visit start (minutes; posts count as visits).
COVERAGE_VISIT_COLUMNS = ("presence", "visits", "longest_wait_min")
