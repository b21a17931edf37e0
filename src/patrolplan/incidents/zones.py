"""Which zone a derived hotspot joins: an existing zone of its border, or a new one.

A hotspot on the border between units ``a`` and ``b`` at tier ``t`` **joins** the zone of the
config at tier ``t`` that has a hotspot within ``incidents.zone_join_m`` of it (the nearest such
zone) and a member station on ``a``'s or ``b``'s side; zones made here for earlier hotspots
count too, so two hot spots close together on one border share a zone. Otherwise it gets a
**new zone** (``ZI01``, ``ZI02`` ... skipping ids in use) whose members are the nearest station
(straight line, metres) on each side of the border — a station is on a side when its
jurisdiction column at the units' tier names the unit — topped up with the nearest other
stations to two where a side has none (a border with a neighbouring prefecture whose stations
are not in the inputs). New zones at the city and province tiers are ``synchronized`` (joint
checkpoints on prefecture and province lines), below them ``staggered``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ZoneChoice", "assign_zones", "NEW_ZONE_PREFIX"]

NEW_ZONE_PREFIX = "ZI"
SYNCHRONIZED_TIERS = ("city", "province")


@dataclass(frozen=True)
class ZoneChoice:
    """Per hotspot (input order): ``zone_id`` and ``joined`` (an existing zone of the config);
    ``zones``: the zones.csv rows of every zone used, existing ones as the config has them."""

    zone_id: tuple[str, ...]
    joined: tuple[bool, ...]
    zones: pd.DataFrame


def assign_zones(spots: pd.DataFrame, *, stations: pd.DataFrame, station_xy: np.ndarray, zones: pd.DataFrame,
                 zone_hotspot_xy: pd.DataFrame, unit_tier: str, join_m: float) -> ZoneChoice:
    """Zones of the hotspots ``spots`` (columns ``x``, ``y`` in metres, ``tier``, ``a``, ``b``:
    the border's tier and units).

    ``stations``: the scenario's stations (``station_id`` and the jurisdiction columns);
    ``station_xy``: their positions in metres; ``zones``: the config's zones (``zone_id``,
    ``tier``, ``mode``, ``members`` ...); ``zone_hotspot_xy``: the config's hotspots as
    ``zone_id``, ``x``, ``y`` (metres)."""
    side_col = unit_tier if unit_tier in stations.columns else None
    sides = stations[side_col].astype(str).to_numpy() if side_col else np.full(len(stations), "")
    station_ids = stations["station_id"].astype(str).to_numpy()
    candidates = []  # (zone_id, tier, members, xy of its hotspots)
    for z in zones.itertuples(index=False):
        pts = zone_hotspot_xy.loc[zone_hotspot_xy["zone_id"] == z.zone_id, ["x", "y"]].to_numpy(float)
        candidates.append([str(z.zone_id), str(z.tier), tuple(str(m) for m in z.members), pts])
    used_ids = set(zones["zone_id"].astype(str))
    side_of = dict(zip(station_ids, sides))
    zone_ids, joined, new_rows, used_existing = [], [], [], []
    for s in spots.itertuples(index=False):
        here = np.array([s.x, s.y], float)
        best, best_d = None, np.inf
        for zid, tier, members, pts in candidates:
            if tier != s.tier or not len(pts):
                continue
            if side_col and not any(side_of.get(m) in (s.a, s.b) for m in members):
                continue
            d = float(np.min(np.hypot(*(pts - here).T)))
            if d <= join_m and d < best_d:
                best, best_d = zid, d
        if best is not None:
            zone_ids.append(best)
            is_existing = best in set(zones["zone_id"].astype(str))
            joined.append(is_existing)
            if is_existing:
                used_existing.append(best)
            for c in candidates:
                if c[0] == best:
                    c[3] = np.vstack([c[3], here])
            continue
        zid = _next_id(used_ids)
        used_ids.add(zid)
        members = _nearest_each_side(here, station_xy, station_ids, sides, (s.a, s.b))
        mode = "synchronized" if s.tier in SYNCHRONIZED_TIERS else "staggered"
        new_rows.append({"zone_id": zid, "tier": s.tier, "mode": mode, "stations": ";".join(members),
                         "name": f"{s.a}/{s.b}", "source": "incidents"})
        candidates.append([zid, s.tier, members, here[None, :]])
        zone_ids.append(zid)
        joined.append(False)
    kept = zones[zones["zone_id"].astype(str).isin(used_existing)]
    old_rows = [{"zone_id": str(z.zone_id), "tier": str(z.tier), "mode": str(z.mode), "stations": str(z.stations),
                 "name": str(getattr(z, "name", "") or ""), "source": "config"} for z in kept.itertuples(index=False)]
    table = pd.DataFrame(old_rows + new_rows, columns=["zone_id", "tier", "mode", "stations", "name", "source"])
    if "min_stations" in zones.columns and len(kept):
        own = dict(zip(kept["zone_id"].astype(str), kept["min_stations"]))
        table["min_stations"] = [int(own[z]) if z in own else "" for z in table["zone_id"]]
    return ZoneChoice(tuple(zone_ids), tuple(joined), table)


def _next_id(used: set[str]) -> str:
    k = 1
    while f"{NEW_ZONE_PREFIX}{k:02d}" in used:
        k += 1
    return f"{NEW_ZONE_PREFIX}{k:02d}"


def _nearest_each_side(here: np.ndarray, station_xy: np.ndarray, ids: np.ndarray, sides: np.ndarray,
                       units: tuple[str, str]) -> tuple[str, ...]:
    """The nearest station of each side, topped up to two by the nearest others."""
    dist = np.hypot(*(station_xy - here).T)
    order = np.argsort(dist, kind="stable")
    members: list[str] = []
    for unit in units:
        on_side = [k for k in order if sides[k] == unit]
        if on_side and ids[on_side[0]] not in members:
            members.append(str(ids[on_side[0]]))
    for k in order:
        if len(members) >= 2:
            break
        if ids[k] not in members:
            members.append(str(ids[k]))
    return tuple(members)
