"""The greedy planner: what a planner does by hand.

Walk through the week slot by slot; wherever a demanded hotspot-slot is short, send the
nearest member station that still has a free team (rest kept, shift cap kept), on the shift
that stays longest from that slot on. Synchronized zones first take stations (and
jurisdictions) not yet on site.

It serves twice: as the baseline in ``benchmarks/`` and as a complete warm start for the
stage-1 MIP. It is a heuristic: it may fail where a roster exists (then it returns None).
"""

from __future__ import annotations

import numpy as np

from .problem import Problem

__all__ = ["greedy_counts"]


def greedy_counts(problem: Problem, model=None, *, allow_gaps: bool = False) -> np.ndarray | None:
    """Shift counts ``x`` (length ``problem.n_shifts``), or None if a demanded slot stays
    short (unless ``allow_gaps``)."""
    p = problem
    n = p.n_shifts
    x = np.zeros(n, dtype=np.int64)
    if n == 0:
        return x if (allow_gaps or p.cover.shape[0] == 0) else None
    cover_csr = p.cover.tocsr()
    cover_csc = p.cover.tocsc()
    g = p.config.rules.shift_start_every_minutes
    rest = p.rest_min
    max_shifts = p.config.rules.max_shifts_per_team
    # occupancy on the start grid, per station
    first = int(p.shift_start_min.min()) // g
    last = int((p.shift_start_min + p.shift_len_min).max() + rest) // g + 1
    occupancy = np.zeros((len(p.station_ids), last - first + 1), dtype=np.int64)
    occ_lo = (p.shift_start_min // g) - first
    occ_hi = -(-(p.shift_start_min + p.shift_len_min + rest) // g) - first  # exclusive
    n_station_shifts = np.zeros(len(p.station_ids), dtype=np.int64)
    day = p.shift_day
    starts_on_day: dict[tuple[int, int], int] = {}
    from .model import starts_per_team_day

    per_team_day = starts_per_team_day(p)
    required = p.required[p.cover_hotspot, p.cover_slot]
    present = np.zeros(cover_csr.shape[0], dtype=np.int64)
    present_stations: list[set[int]] = [set() for _ in range(cover_csr.shape[0])]
    travel = p.shift_out_min + p.shift_back_min
    z_of_row = p.hotspot_zone[p.cover_hotspot]
    sync = np.array([p.zone_mode[z] == "synchronized" for z in z_of_row])
    order = np.lexsort((p.cover_hotspot, p.cover_slot))

    def satisfied(r: int) -> bool:
        if present[r] < required[r]:
            return False
        if not sync[r]:
            return True
        z = z_of_row[r]
        st = present_stations[r]
        if len(st) < p.zone_min_stations[z]:
            return False
        groups = p.zone_jurisdiction_groups[z]
        return len(groups) < 2 or sum(1 for grp in groups if st & set(grp)) >= 2

    def fits(j: int) -> bool:
        s = p.shift_station[j]
        if n_station_shifts[s] >= p.teams[s] * max_shifts:
            return False
        if (occupancy[s, occ_lo[j]:occ_hi[j]] >= p.teams[s]).any():
            return False
        a = p.availability_teams.get((int(s), int(day[j])))
        if a is not None and starts_on_day.get((int(s), int(day[j])), 0) >= a * per_team_day:
            return False
        return True

    for r in order:
        guard = 0
        while not satisfied(r) and guard < 64:
            guard += 1
            cols = cover_csr.indices[cover_csr.indptr[r]:cover_csr.indptr[r + 1]]
            cols = [j for j in cols if fits(j)]
            if not cols:
                break
            st = present_stations[r]
            need_new = sync[r] and present[r] >= required[r] or (sync[r] and len(st) < p.zone_min_stations[z_of_row[r]])
            if sync[r] and need_new:
                fresh = [j for j in cols if p.shift_station[j] not in st]
                cols = fresh or cols
            cols = np.array(cols)
            # nearest station first, then the shift that stays longest, then the shortest
            best = cols[np.lexsort((p.shift_len_min[cols], -p.shift_k1[cols], travel[cols]))[0]]
            s = p.shift_station[best]
            x[best] += 1
            n_station_shifts[s] += 1
            occupancy[s, occ_lo[best]:occ_hi[best]] += 1
            key = (int(s), int(day[best]))
            starts_on_day[key] = starts_on_day.get(key, 0) + 1
            rows = cover_csc.indices[cover_csc.indptr[best]:cover_csc.indptr[best + 1]]
            present[rows] += 1
            for rr in rows:
                present_stations[rr].add(int(s))
        if not satisfied(r) and not allow_gaps:
            return None
    return x
