"""Pictures of a plan, drawn from a run folder's tables and the Scenario (never by solving).

Each ``plot_*`` function takes ``ax=None``, draws, and returns the axes; it never shows or
saves. :func:`write_pictures` is the one place that names and writes the PNG files.

The helpers the writers of ``outputs/`` share with the pictures (display names, the slot
length, the shipped font, the A4 sheet size, the week label) are public names here; the
modules with a leading underscore are plotting's own.
"""

from patrolplan.outputs.plotting._fonts import cjk_family, font_family, shipped_font_path
from patrolplan.outputs.plotting._names import hotspot_names, station_names
from patrolplan.outputs.plotting._style import CREDITS, MODE_STYLES, TIER_COLORS, resolve_day
from patrolplan.outputs.plotting._tables import coverage_frame, read_run_tables, roster_frame, slot_minutes_of
from patrolplan.outputs.plotting.coverage import coverage_grid, plot_coverage, wait_grid
from patrolplan.outputs.plotting.gantt import MAX_FIGURE_HEIGHT_IN, gantt_rows, plot_gantt
from patrolplan.outputs.plotting.interactive import folium_map
from patrolplan.outputs.plotting.loops import loop_routes, loop_shift_routes, read_visits, visits_frame
from patrolplan.outputs.plotting.map import hotspot_tiers, plot_map, station_hotspot_links
from patrolplan.outputs.plotting.pictures import picture_names, write_pictures
from patrolplan.outputs.plotting.response import plot_incident, plot_response, read_response, worst_response
from patrolplan.outputs.plotting.sheets import A4_LANDSCAPE_IN, draw_week_sheet, plot_station_week
from patrolplan.outputs.plotting.week import StationWeek, station_week, station_weeks, week_label

__all__ = [
    "A4_LANDSCAPE_IN",
    "CREDITS",
    "MAX_FIGURE_HEIGHT_IN",
    "MODE_STYLES",
    "TIER_COLORS",
    "cjk_family",
    "coverage_frame",
    "coverage_grid",
    "folium_map",
    "font_family",
    "gantt_rows",
    "hotspot_tiers",
    "loop_routes",
    "loop_shift_routes",
    "read_visits",
    "visits_frame",
    "picture_names",
    "plot_coverage",
    "plot_gantt",
    "plot_map",
    "plot_incident",
    "plot_response",
    "worst_response",
    "read_run_tables",
    "read_response",
    "resolve_day",
    "roster_frame",
    "station_hotspot_links",
    "wait_grid",
    "write_pictures",
    "plot_station_week",
    "draw_week_sheet",
    "StationWeek",
    "station_week",
    "station_weeks",
    "week_label",
    "hotspot_names",
    "station_names",
    "shipped_font_path",
    "slot_minutes_of",
]
