"""Scenario: a validated config with its input tables, as read from disk.

``io.load_scenario(config_path)`` builds one; everything downstream (travel, problem, check,
plotting) takes a Scenario and never reads the input files again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from patrolplan.inputs.config import Config

__all__ = ["Scenario", "TIERS", "MODES"]

TIERS = ("town", "county", "city", "province")
MODES = ("synchronized", "staggered")


@dataclass(frozen=True)
class Scenario:
    """Validated inputs. Tables are plain pandas DataFrames with normalised columns:

    stations
        ``station_id`` (str), ``name`` (str), ``officers`` (int), ``lon``, ``lat`` (float,
        WGS84), ``town``, ``county``, ``city``, ``province`` (str, "" when unknown),
        ``reserve_officers`` (int, the config's ``rules.reserve_officers`` where absent),
        plus any extra columns of the file.
    hotspots
        ``hotspot_id``, ``name``, ``zone_id`` (str), ``lon``, ``lat``, ``risk`` (float, 1 where
        absent), plus extra columns.
    zones
        ``zone_id``, ``tier`` (one of TIERS), ``mode`` (one of MODES), ``stations`` (the raw
        ``;``-separated text), ``members`` (tuple of station ids, in file order),
        ``min_stations`` (int: the zone's own or ``modes.synchronized_min_stations``).
    demand
        ``hotspot_id``, ``zone_id`` (str, "" when empty), ``days`` (str), ``start``, ``end``
        (``HH:MM`` str), ``teams`` (int); None when the config names no demand file.
    availability
        ``station_id`` (str), ``date`` (datetime.date), ``officers`` (int); None when absent.
    roads, boundaries, prefectures
        GeoDataFrames in EPSG:4326, or None.
    """

    config: Config
    config_path: Path | None
    stations: pd.DataFrame
    hotspots: pd.DataFrame
    zones: pd.DataFrame
    demand: pd.DataFrame | None = None
    availability: pd.DataFrame | None = None
    roads: Any = None
    boundaries: Any = None
    prefectures: Any = None
    #: things in the inputs that are legal but probably not meant (rows dated outside the
    #: horizon, ...): printed by the command line, recorded in summary.json
    warnings: tuple[str, ...] = ()

    def replace(self, **changes: Any) -> "Scenario":
        return dataclasses.replace(self, **changes)

    # --- derived facts, used by the model, the checker and the plots alike ---------------

    @property
    def horizon_start(self) -> dt.datetime:
        return dt.datetime.combine(self.config.week_start, dt.time(0, 0))

    @property
    def n_slots(self) -> int:
        return self.config.horizon_minutes // self.config.slot_minutes

    def teams_per_station(self) -> dict[str, int]:
        """floor((officers - reserve) / team_size), never below 0."""
        size = self.config.rules.team_size
        return {
            sid: max(0, (int(o) - int(r)) // size)
            for sid, o, r in zip(
                self.stations["station_id"], self.stations["officers"], self.stations["reserve_officers"]
            )
        }
