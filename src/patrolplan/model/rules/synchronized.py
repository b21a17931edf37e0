"""Synchronized zones: teams of different member stations on site together (a hard rule).

In every demanded slot at a hotspot of a synchronized zone, the teams on site come from at
least ``m`` (the zone's ``min_stations``) distinct member stations, and from at least two
jurisdictions of the zone's tier wherever its member stations span two or more. A blank
jurisdiction (an empty ``town``/``county``/``city``/``province`` cell) is no jurisdiction: a
station without one adds a station but never a jurisdiction.

Model rows (linear, exact on integer counts):

* for every set ``Q`` of ``m - 1`` members, someone outside ``Q`` is on site — so at least
  ``m`` distinct stations are (:func:`subsets_leaving`);
* for every jurisdiction ``J`` of the zone's tier (when the members span two or more), someone
  with a jurisdiction other than ``J`` is on site: a station outside ``J`` and not blank.
  Together they say two distinct non-blank jurisdictions are present.

The rule also raises the demand: a demanded slot of a synchronized zone needs at least ``m``
teams on site (:func:`required_on_site`, which ``Problem.from_arrays`` applies to make
``Problem.required``).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules._types import Relaxation
from patrolplan.model.rules.coverage import gap_price

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "synchronized"
HARD = True


def jurisdiction_groups(values, members) -> tuple[tuple[int, ...], ...]:
    """Members grouped by their jurisdiction ``values[m]`` at the zone's tier; blank values
    (no jurisdiction) join no group."""
    groups: dict[str, list[int]] = {}
    for m in members:
        v = str(values[m]).strip()
        if v:
            groups.setdefault(v, []).append(m)
    return tuple(tuple(g) for g in groups.values())


def subsets_leaving(members: tuple[int, ...], m: int):
    """All sets of ``m - 1`` members: at least ``m`` distinct stations are present iff, for
    every such set, someone from outside it is present."""
    return itertools.combinations(members, max(0, m - 1))


def required_on_site(demand: np.ndarray, hotspot_zone: np.ndarray, zone_mode, zone_min_stations: np.ndarray
                     ) -> np.ndarray:
    """``demand`` ``[H, K]`` with every demanded slot of a synchronized zone raised to the
    zone's ``min_stations`` (teams of that many stations on site are that many teams)."""
    required = np.array(demand, dtype=np.int64)
    for h in range(required.shape[0]):
        z = hotspot_zone[h]
        if zone_mode[z] == "synchronized":
            m = int(zone_min_stations[z])
            row = required[h]
            row[row > 0] = np.maximum(row[row > 0], m)
    return required


def meets(stations_present, min_stations: int, groups) -> bool:
    """The rule on a presence: ``stations_present`` (station indices on site all slot),
    ``groups`` (the zone's members grouped by non-blank jurisdiction)."""
    present = set(stations_present)
    if len(present) < int(min_stations):
        return False
    return len(groups) < 2 or sum(1 for g in groups if present & set(g)) >= 2


def satisfied(p: Problem, z: int, stations_present) -> bool:
    """Whether the stations on site meet zone ``z``'s rule (True for a staggered zone)."""
    if p.zone_mode[z] != "synchronized":
        return True
    return meets(stations_present, p.zone_min_stations[z], p.zone_jurisdiction_groups[z])


def jurisdiction_of(p: Problem, z: int, s: int) -> int:
    """Index of station ``s``'s jurisdiction among zone ``z``'s groups (-1: blank or none)."""
    for i, grp in enumerate(p.zone_jurisdiction_groups[z]):
        if s in grp:
            return i
    return -1


def adds_jurisdiction(p: Problem, z: int, stations_present, s: int) -> bool:
    """Whether a team of station ``s`` brings a jurisdiction not yet on site."""
    g = jurisdiction_of(p, z, s)
    if g < 0:
        return False
    return not (set(p.zone_jurisdiction_groups[z][g]) & set(stations_present))


def excluded_sets(p: Problem, z: int) -> list[set[int]]:
    """The station sets each model row asks to be left by someone on site."""
    members = p.zone_members[z]
    sets = [set(q) for q in subsets_leaving(members, int(p.zone_min_stations[z]))]
    groups = p.zone_jurisdiction_groups[z]
    if len(groups) >= 2:
        blank = set(members) - {s for g in groups for s in g}
        sets += [set(g) | blank for g in groups]
    return [q for q in sets if q]


def add_rows(ctx: FamilyContext) -> None:
    """The rows above, per synchronized zone; with gaps allowed, one slack per hotspot-slot
    (the rule unmet there), priced like a gap."""
    b, p, x, gap = ctx.builder, ctx.problem, ctx.x, ctx.gap
    cover = p.cover.tocsr()
    zone_of_row = p.hotspot_zone[p.cover_hotspot]
    for z, mode in enumerate(p.zone_mode):
        if mode != "synchronized":
            continue
        rows_z = np.nonzero(zone_of_row == z)[0]
        if rows_z.size == 0:
            continue
        sub = cover[rows_z].tocoo()
        col_station = p.shift_station[sub.col]
        short = None
        if gap is not None:
            short = b.add_cols(rows_z.size, lower=0, upper=1, cost=gap_price(p, rows_z), integer=True, family=NAME)
        for excluded in excluded_sets(p, z):
            keep = ~np.isin(col_station, list(excluded))
            r, c = sub.row[keep], x[sub.col[keep]]
            v = np.ones(r.size)
            if short is not None:
                r = np.concatenate([r, np.arange(rows_z.size)])
                c = np.concatenate([c, short])
                v = np.concatenate([v, np.ones(rows_z.size)])
            b.add_rows(NAME, r, c, v, 1.0, np.inf, rows_z.size)


def relaxations(p: Problem) -> list[Relaxation]:
    """A partner is not needed (one station, any jurisdiction)."""
    if "synchronized" not in p.zone_mode:
        return []
    return [Relaxation("partner", "a missing synchronized partner",
                       "make the short synchronized zones staggered, or add partner stations across the line",
                       lambda: p.rebuilt(zone_min_stations=np.ones_like(p.zone_min_stations),
                                 zone_jurisdiction_groups=tuple(() for _ in p.zone_ids)))]


def precheck(p: Problem) -> list[str]:
    """Synchronized hotspots whose reachable members are too few stations, or of one
    jurisdiction only."""
    out = []
    for z, mode in enumerate(p.zone_mode):
        if mode != "synchronized":
            continue
        for h in np.nonzero((p.hotspot_zone == z) & (p.required.sum(axis=1) > 0))[0]:
            able = sorted({int(s) for s in p.shift_station[p.shift_hotspot == h]})
            m = int(p.zone_min_stations[z])
            names = ", ".join(p.station_ids[s] for s in able) or "none"
            if len(able) < m:
                out.append(
                    f"zone {p.zone_ids[z]} is synchronized and needs {m} stations on site together at hotspot "
                    f"{p.hotspot_ids[h]}, but only {len(able)} member station(s) with teams can reach it ({names}). "
                    f"Fix: add a member station to zone {p.zone_ids[z]}, give officers to its members, or make it "
                    "staggered."
                )
            elif not meets(able, 1, p.zone_jurisdiction_groups[z]):
                out.append(
                    f"zone {p.zone_ids[z]} is synchronized across {p.zone_tier[z]} lines, but at hotspot "
                    f"{p.hotspot_ids[h]} only stations of one {p.zone_tier[z]} can take part ({names}): the partner "
                    f"across the line is missing. Fix: give the partner station officers, or a shorter trip."
                )
    return out
