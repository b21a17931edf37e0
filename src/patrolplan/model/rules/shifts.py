"""Shifts: members only, travel, allowed lengths, the start grid (a hard rule).

The model's columns are the candidate shifts: one per (member station, hotspot of its zone,
start on the grid, allowed length) whose on-site window covers at least one demanded slot. A
shift of length ``L`` starting at minute ``start`` (0 = ``week_start`` 00:00; negative = before
the horizon, by less than ``L``) is on site from ``start + out`` to ``start + L - back`` and
covers the slots that lie entirely inside that window. Every column keeps the rule by
construction, so it adds no rows.

Also here, shared by the model and the greedy planner: what a shift costs in the objective
(:func:`cost_hours`) and the most teams one shift may take (:func:`upper_bound`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules import handover
from patrolplan.model.rules._types import FamilyRows, PinnedBreach, Relaxation

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "shifts"
HARD = True

#: longest shift (hours) the binding-cause search tries when shorter ones are allowed
RELAXED_SHIFT_HOURS = 12.0


def shift_starts(config, length_min: int) -> np.ndarray:
    """Grid starts of a shift of this length: before the horizon by less than the length, up
    to the horizon's end."""
    g = config.rules.shift_start_every_minutes
    first = -((length_min - 1) // g) * g
    return np.arange(first, config.horizon_minutes, g, dtype=np.int64)


def candidate_shifts(config, *, teams, hotspot_zone, zone_mode, zone_members, required, out_min, back_min) -> dict:
    """Every (station, hotspot, start, length) whose on-site window covers a demanded slot,
    as arrays named like :class:`~patrolplan.model.problem.Problem`'s ``shift_*`` fields. The covered
    slots obey the handover rule (:func:`handover.trim_tail`), and no candidate leaves as a
    demanded run starts (:func:`handover.leaves_as_a_run_starts`)."""
    slot = config.slot_minutes
    n_k = required.shape[1]
    demanded = required > 0
    # prefix sums to test "covers at least one demanded slot" in O(1)
    prefix = np.concatenate([np.zeros((required.shape[0], 1), dtype=np.int64), np.cumsum(demanded, axis=1)], axis=1)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("station", "hotspot", "start", "len", "out", "back", "k0", "k1")}
    starts_by_len = {L: shift_starts(config, L) for L in config.rules.shift_minutes}
    for h in range(required.shape[0]):
        if not demanded[h].any():
            continue
        z = hotspot_zone[h]
        overlap = handover.overlap_min(config, zone_mode[z])
        for s in zone_members[z]:
            if teams[s] <= 0:
                continue
            t_out, t_back = int(out_min[s, h]), int(back_min[h, s])
            for L, starts in starts_by_len.items():
                if t_out + t_back + slot > L:
                    continue
                a = starts + t_out
                b = starts + L - t_back
                k0 = np.clip(-(-a // slot), 0, n_k)  # ceil
                k1 = np.clip(b // slot, 0, n_k)
                if overlap:
                    k1 = handover.trim_tail(k0, k1, b, slot, overlap, demanded[h], n_k)
                useful = (k1 > k0) & ((prefix[h, k1] - prefix[h, k0]) > 0)
                if overlap:
                    useful &= ~handover.leaves_as_a_run_starts(b, slot, overlap, demanded[h], n_k)
                n = int(useful.sum())
                if not n:
                    continue
                cols["station"].append(np.full(n, s))
                cols["hotspot"].append(np.full(n, h))
                cols["start"].append(starts[useful])
                cols["len"].append(np.full(n, L))
                cols["out"].append(np.full(n, t_out))
                cols["back"].append(np.full(n, t_back))
                cols["k0"].append(k0[useful])
                cols["k1"].append(k1[useful])
    names = {"station": "shift_station", "hotspot": "shift_hotspot", "start": "shift_start_min",
             "len": "shift_len_min", "out": "shift_out_min", "back": "shift_back_min", "k0": "shift_k0",
             "k1": "shift_k1"}
    return {
        names[k]: (np.concatenate(v).astype(np.int64) if v else np.zeros(0, dtype=np.int64))
        for k, v in cols.items()
    }


def cost_hours(p: Problem) -> np.ndarray:
    """Objective cost of one team on each shift (hours): its length, ``objective.travel`` x its
    travel, ``objective.overcoverage`` x its on-site time over the slots it covers (the
    required part is given back as a constant, :func:`overcoverage_offset_hours`)."""
    w = p.config.objective
    slot = p.slot_min
    on_site_end = p.shift_start_min + p.shift_len_min - p.shift_back_min
    slots_on_site = np.maximum(0, np.clip(on_site_end // slot, 0, p.n_slots) - p.shift_k0)
    cost_min = p.shift_len_min + w.travel * (p.shift_out_min + p.shift_back_min) + w.overcoverage * slots_on_site * slot
    return cost_min / 60


def overcoverage_offset_hours(p: Problem) -> float:
    """The required on-site hours, priced at ``objective.overcoverage``: subtracted once, so
    the objective charges only on-site time beyond what is required."""
    return p.config.objective.overcoverage * float(p.required.sum()) * p.slot_min / 60


def upper_bound(p: Problem) -> np.ndarray:
    """Most teams on one shift: its station's teams, and the most any slot it covers requires
    (more never helps)."""
    if p.n_shifts == 0:
        return np.zeros(0)
    if p.cover.shape[0]:
        req = p.cover.multiply(p.required[p.cover_hotspot, p.cover_slot][:, None]).tocsc()
        most = np.asarray(req.max(axis=0).todense()).ravel()
    else:
        most = np.zeros(p.n_shifts)
    most = np.where(p.shift_loop >= 0, 1, most)  # a second team on one loop adds no visit
    return np.minimum(p.teams[p.shift_station], most).astype(float)


def add_rows(ctx: FamilyContext) -> FamilyRows:
    """The shift counts ``x[j] >= 0`` (integer), priced by :func:`cost_hours`; no rows."""
    b, p = ctx.builder, ctx.problem
    b.offset -= overcoverage_offset_hours(p)
    return FamilyRows(cols=b.add_cols(p.n_shifts, lower=0, upper=upper_bound(p), cost=cost_hours(p), integer=True,
                                      family=NAME))


def relaxations(p: Problem) -> list[Relaxation]:
    """Travel time (every trip free) and the allowed lengths (12-hour shifts allowed)."""
    cfg, rules = p.config, p.config.rules
    out = [Relaxation("travel", "travel time against shift length", "add member stations nearer to the short hotspots",
                lambda: p.rebuilt(out_min=np.zeros_like(p.out_min), back_min=np.zeros_like(p.back_min)))]
    if max(rules.shift_hours) < RELAXED_SHIFT_HOURS:
        longer = tuple(sorted(set(rules.shift_hours) | {RELAXED_SHIFT_HOURS}))
        out.append(Relaxation("shift_length", "the allowed shift lengths",
                        "allow 12-hour shifts (`rules.shift_hours: [..., 12]`)",
                        lambda: p.rebuilt(config=cfg.replace(rules=rules.model_copy(update={"shift_hours": longer})))))
    return out


def precheck(p: Problem) -> list[str]:
    """None of its own: a slot no candidate shift covers is the coverage family's finding."""
    return []


def pinned_problems(p: Problem, fixed, cut_min: int) -> list[PinnedBreach]:
    """The pinned rows of a re-plan (``fixed``: its kept rows, history and pinned) that break
    this family's rule against the new inputs, row by row: ``member`` (its station is not a
    member of its hotspot's zone), ``shift_length`` (not an allowed length), ``start_grid`` (not
    on the grid of :func:`shift_starts`) and ``travel`` (less out or back than the road takes,
    less the planned margin). ``cut_min`` is not needed here: a pinned row keeps the rule
    wherever it starts."""
    out = []
    for r in fixed:
        if r.pinned:
            out += _member_breach(p, r) + _shape_breach(p, r) + _travel_breach(p, r)
    return out


def _member_breach(p: Problem, r) -> list[PinnedBreach]:
    z = int(p.hotspot_zone[r.hotspot])
    if r.station in p.zone_members[z]:
        return []
    return [PinnedBreach(r, "member", f"station {p.station_ids[r.station]} is not a member of zone {p.zone_ids[z]} "
                         f"of hotspot {p.hotspot_ids[r.hotspot]}", "unpin the row or move it to a member station")]


def _shape_breach(p: Problem, r) -> list[PinnedBreach]:
    rules = p.config.rules
    if r.len_min not in rules.shift_minutes:
        return [PinnedBreach(r, "shift_length", f"it lasts {r.len_min} minutes, allowed are "
                             f"{sorted(rules.shift_minutes)}", "unpin the row or give it an allowed length")]
    if r.start_min not in set(shift_starts(p.config, r.len_min).tolist()):
        return [PinnedBreach(r, "start_grid", f"its start is not on the {rules.shift_start_every_minutes}-minute "
                             "shift grid", "unpin the row or start it on the grid")]
    return []


def _travel_breach(p: Problem, r) -> list[PinnedBreach]:
    margin = p.config.travel.margin_min
    # a loop drives out to its first visit and back from its last (the checker's first and last
    # stop): a loop that repeats its cycle may end at another stop than its list's last
    stops = [h for h, _ in r.visits] or list(r.loop) or [r.hotspot]
    first, last = stops[0], stops[-1]
    road_out = int(p.out_min[r.station, first]) - (margin if p.out_min[r.station, first] > 0 else 0)
    road_back = int(p.back_min[last, r.station]) - (margin if p.back_min[last, r.station] > 0 else 0)
    if r.out_min >= road_out and r.back_min >= road_back:
        return []
    return [PinnedBreach(r, "travel", f"the road takes {road_out} min out and {road_back} min back, the row plans "
                         f"{r.out_min} and {r.back_min}", "unpin the row or give it the travel time")]
