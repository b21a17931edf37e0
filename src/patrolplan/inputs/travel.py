"""The travel-time matrix as a type: :class:`Travel`, :data:`UNREACHABLE_MIN` and whether a
week needs hotspot -> hotspot minutes (:func:`needs_hotspot_hops`).

On the floor below :mod:`.network` (which computes the minutes from the roads) and
:mod:`.travel_cache` (which stores them as travel.npz): both need the type, neither needs the
other's code for it. ``network`` re-exports these names, so ``from patrolplan.inputs.network
import Travel`` still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from patrolplan.inputs.scenario import Scenario

__all__ = ["UNREACHABLE_MIN", "Travel", "needs_hotspot_hops"]

UNREACHABLE_MIN: int = 10**7
"""Travel minutes of a pair with no road path (a sentinel, larger than any horizon)."""


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Travel:
    """Whole-minute travel times between stations and hotspots.

    ``out_min[s, h]`` is station -> hotspot, ``back_min[h, s]`` hotspot -> station (they differ
    where one-way roads do). Pairs with no road path hold :data:`UNREACHABLE_MIN`. The arrays
    are int64 and read-only.
    """

    station_ids: tuple[str, ...]
    hotspot_ids: tuple[str, ...]
    out_min: np.ndarray
    back_min: np.ndarray
    #: ``hop_min[a, b]``: hotspot a -> hotspot b (visit loops); None when no demand row asks for visits
    hop_min: np.ndarray | None = None
    #: the key of the inputs these minutes come from (``travel_cache.travel_key``); set when
    #: :func:`travel_times` was given a ``cache``, so that the run folder can store them
    inputs_sha256: str | None = None
    #: the stored file the minutes were read from (None: computed in this process)
    read_from: str | None = None

    def __post_init__(self) -> None:
        sids = tuple(str(s) for s in self.station_ids)
        hids = tuple(str(h) for h in self.hotspot_ids)
        out = np.array(self.out_min, dtype=np.int64)
        back = np.array(self.back_min, dtype=np.int64)
        if out.shape != (len(sids), len(hids)) or back.shape != (len(hids), len(sids)):
            raise ValueError(
                f"Travel: out_min must be [n_stations, n_hotspots] = {(len(sids), len(hids))} and "
                f"back_min its transpose shape; got {out.shape} and {back.shape}"
            )
        out.setflags(write=False)
        back.setflags(write=False)
        object.__setattr__(self, "station_ids", sids)
        object.__setattr__(self, "hotspot_ids", hids)
        object.__setattr__(self, "out_min", out)
        object.__setattr__(self, "back_min", back)
        if self.hop_min is not None:
            hop = np.array(self.hop_min, dtype=np.int64)
            if hop.shape != (len(hids), len(hids)):
                raise ValueError(f"Travel: hop_min must be [n_hotspots, n_hotspots]; got {hop.shape}")
            hop.setflags(write=False)
            object.__setattr__(self, "hop_min", hop)

    @cached_property
    def _station_index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.station_ids)}

    @cached_property
    def _hotspot_index(self) -> dict[str, int]:
        return {h: i for i, h in enumerate(self.hotspot_ids)}

    def station_index(self, station_id: str) -> int:
        try:
            return self._station_index[str(station_id)]
        except KeyError:
            raise KeyError(f"unknown station_id {station_id!r}") from None

    def hotspot_index(self, hotspot_id: str) -> int:
        try:
            return self._hotspot_index[str(hotspot_id)]
        except KeyError:
            raise KeyError(f"unknown hotspot_id {hotspot_id!r}") from None

    def out(self, station_id: str, hotspot_id: str) -> int:
        """Minutes from the station to the hotspot (UNREACHABLE_MIN if no road path)."""
        return int(self.out_min[self.station_index(station_id), self.hotspot_index(hotspot_id)])

    def back(self, hotspot_id: str, station_id: str) -> int:
        """Minutes from the hotspot back to the station (UNREACHABLE_MIN if no road path)."""
        return int(self.back_min[self.hotspot_index(hotspot_id), self.station_index(station_id)])


# --- the hop decision ------------------------------------------------------------------------


def needs_hotspot_hops(scenario: Scenario) -> bool:
    """Whether the week needs hotspot -> hotspot minutes (``Travel.hop_min``): visit loops drive
    between hotspots, and the backup rule measures them."""
    return _asks_for_visits(scenario) or _asks_for_backup(scenario)


def _asks_for_backup(scenario: Scenario) -> bool:
    """The backup rule (``response.backup`` soft or hard) measures hotspot -> hotspot road time."""
    response = getattr(scenario.config, "response", None)
    return response is not None and response.backup != "off"


def _asks_for_visits(scenario: Scenario) -> bool:
    d = scenario.demand
    return d is not None and "presence" in d and bool((d["presence"] == "visit").any())
