"""Coverage: every demanded hotspot-slot has its teams on site for the whole slot (hard).

``C(h,k)`` = the candidate shifts on site at hotspot ``h`` for all of slot ``k``; ``R(h,k)`` =
the teams required there (the demand, raised to ``min_stations`` in synchronized zones: implied
by the synchronized rows, stated here too for a tighter LP):

    sum_{j in C(h,k)} x_j >= R(h,k)

With ``allow_gaps`` each row gets a slack priced far above every other term (risk-weighted), so
the least risk-weighted shortfall is found first; the contract's gap (fewer teams than the
demand) is priced here, the synchronized shortfall by the synchronized family.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from patrolplan.model.rules._types import FamilyRows

if TYPE_CHECKING:
    from patrolplan.model.problem import Problem
    from patrolplan.model.rules._types import FamilyContext

NAME = "coverage"
HARD = True

#: Price of one uncovered team-hour (x risk) under allow_gaps: far above any roster cost.
GAP_PRICE_PER_TEAM_HOUR = 10_000.0


def gap_price(p: Problem, rows: np.ndarray) -> np.ndarray:
    """Price of one missing team in each demanded hotspot-slot ``rows`` (a zero-risk gap still costs)."""
    price = GAP_PRICE_PER_TEAM_HOUR * p.hotspot_risk[p.cover_hotspot[rows]] * p.slot_min / 60
    return np.maximum(price, GAP_PRICE_PER_TEAM_HOUR * 1e-3)


def add_rows(ctx: FamilyContext) -> FamilyRows | None:
    """The coverage rows; with ``allow_gaps`` also their slack columns, returned with the
    cover row of each (None otherwise)."""
    b, p, x, allow_gaps = ctx.builder, ctx.problem, ctx.x, ctx.allow_gaps
    cover = p.cover.tocoo()
    n_rows = cover.shape[0]
    source = p.demand if allow_gaps else p.required
    required = source[p.cover_hotspot, p.cover_slot].astype(float)
    rows, cols, vals = [cover.row], [x[cover.col]], [cover.data]
    if allow_gaps:
        g = b.add_cols(n_rows, lower=0, upper=required, cost=gap_price(p, np.arange(n_rows)), integer=True, family=NAME)
        rows.append(np.arange(n_rows))
        cols.append(g)
        vals.append(np.ones(n_rows))
    b.add_rows(NAME, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), required, np.inf, n_rows)
    return FamilyRows(slack=g, slack_rows=np.arange(n_rows)) if allow_gaps else None


def is_gap(present: int, demand: int) -> bool:
    """The contract's gap: fewer teams on site for the whole slot than demanded."""
    return int(present) < int(demand)


def satisfied(present: int, required: int) -> bool:
    """Enough teams on site to meet what the slot requires (the model's row)."""
    return int(present) >= int(required)


def relaxations(p: Problem) -> list:
    """None: the shortfall itself is what the explanation measures (gaps allowed)."""
    return []


def precheck(p: Problem) -> list[str]:
    """Demanded slots no candidate shift covers: no member station can be on site there for a
    whole slot within the longest shift."""
    from patrolplan.model.rules._words import when

    nnz = np.diff(p.cover.tocsr().indptr)
    unreachable = np.nonzero(nnz == 0)[0]
    out = []
    longest = max(p.config.rules.shift_minutes)
    for h in np.unique(p.cover_hotspot[unreachable]):
        h = int(h)
        ks = p.cover_slot[unreachable][p.cover_hotspot[unreachable] == h]
        z = p.hotspot_zone[h]
        details = []
        for s in p.zone_members[z]:
            if p.teams[s] <= 0:
                details.append(f"{p.station_ids[s]} has no team")
            else:
                details.append(f"{p.station_ids[s]} needs {int(p.out_min[s, h] + p.back_min[h, s])} min there and back")
        out.append(
            f"hotspot {p.hotspot_ids[h]} (zone {p.zone_ids[z]}): no member station can be on site for a whole "
            f"{p.slot_min}-minute slot within a {longest // 60}-hour shift ({'; '.join(details)}); "
            f"uncoverable: {when(p, ks)}. Fix: add a nearer member station to zone {p.zone_ids[z]}, allow longer "
            f"shifts (rules.shift_hours), or check the roads."
        )
    return out
