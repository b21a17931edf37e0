"""Why no gap-free roster exists, in a planner's words.

``precheck`` runs before the solve and is fast: demanded slots that no member can reach in
time, synchronized zones short of partners, a per-zone count of team-hours against what the
member stations can give, and the LP relaxation of the aggregated model (a proof of
infeasibility in milliseconds where a full CP-SAT model may not decide in minutes).

``explain_infeasible`` then finds *where* (a relaxed model: gaps allowed, least risk-weighted
shortfall), *why* (the shortfall again with one rule relaxed at a time, as each family of
``rules/`` relaxes it: manpower, rest, travel time, shift length, synchronized partners,
handover) and *the smallest change* (fewest extra teams per station, as a MIP).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from patrolplan.solver.engines import LpSolution, lp_solution, solve_highs, solve_lp_relaxation
from patrolplan.model.build import build_model
from patrolplan.model.problem import Problem
from patrolplan.model.rules import FAMILIES, Relaxation
from patrolplan.model.rules._words import when as _when

__all__ = ["PrecheckResult", "precheck", "explain_infeasible", "explain_gaps", "shortfall"]



@dataclass(frozen=True)
class PrecheckResult:
    """``feasible=False`` is a proof that no roster exists; ``lp`` is the LP relaxation solved
    (handed on to the MIP, so a solve pays for one LP)."""

    feasible: bool
    lp_bound: float | None
    seconds: float
    problems: list[str] = field(default_factory=list)
    source: str = ""
    lp: LpSolution | None = None


def precheck(problem: Problem, *, model=None, time_limit_s: float = 300) -> PrecheckResult:
    """Fast necessary conditions, each from its rule family's ``precheck``, then the LP
    relaxation; ``feasible=False`` is a proof that no roster exists. ``model``: the aggregated
    model already built (its LP is remembered for the solve)."""
    t0 = time.perf_counter()
    problems = [msg for family in FAMILIES for msg in family.precheck(problem)]
    if problems:
        return PrecheckResult(False, None, time.perf_counter() - t0, problems, "reach and capacity count")
    lp = lp_solution(model if model is not None else build_model(problem), time_limit_s=time_limit_s)
    if lp.status == "infeasible":
        return PrecheckResult(False, None, time.perf_counter() - t0,
                              ["the LP relaxation of the roster model has no solution"], "LP relaxation", lp)
    return PrecheckResult(True, lp.objective, time.perf_counter() - t0, [], "LP relaxation", lp)


# --- where, why, and what would fix it -------------------------------------------------------


def shortfall(problem: Problem, *, time_limit_s: float = 8, integer: bool = True, gap_pct: float = 5.0):
    """The least risk-weighted shortfall: (team-slots short per demanded row, total), from the
    relaxed model (gaps allowed) as a MIP (within ``gap_pct``) or as its LP relaxation."""
    model = build_model(problem, allow_gaps=True)
    res = (
        solve_highs(model, time_limit_s=time_limit_s, gap_pct=gap_pct)
        if integer
        else solve_lp_relaxation(model, time_limit_s=time_limit_s)
    )
    if res.x is None:
        return None, None
    short = np.zeros(problem.cover.shape[0])
    short[model.gap_rows] = res.x[model.gap_cols]
    return short, float(short.sum())


def _relaxations(p: Problem) -> list[Relaxation]:
    """Every family's relaxations: manpower and rest, travel and shift lengths, partners,
    handover."""
    return [r for family in FAMILIES for r in family.relaxations(p)]


def _extra_teams(p: Problem, *, time_limit_s: float = 8) -> dict[int, int] | None:
    """Fewest extra teams per station that make the week coverable (None if ten more teams
    per station are not enough): a MIP within 2 %, or its LP relaxation rounded up."""
    big = p.rebuilt(teams=p.teams + 10)
    model = build_model(big, base_teams=p.teams)
    extra_cols = slice(model.n_cols - len(p.station_ids), model.n_cols)
    res = solve_highs(model, time_limit_s=time_limit_s, gap_pct=2.0)
    if res.x is None:
        lp = solve_lp_relaxation(model, time_limit_s=time_limit_s)
        if lp.x is None:
            return None
        extra = np.ceil(lp.x[extra_cols] - 1e-6).astype(int)
    else:
        extra = np.rint(res.x[extra_cols]).astype(int)
    return {s: int(e) for s, e in enumerate(extra) if e > 0}


def _gap_lines(p: Problem, short: np.ndarray, most_zones: int = 15) -> list[str]:
    """Short zones, the shortest first, each with its hotspots and hours."""
    rows = np.nonzero(short > 0.5)[0]
    by_zone: dict[int, dict[int, list[int]]] = {}
    for r in rows:
        h = int(p.cover_hotspot[r])
        by_zone.setdefault(int(p.hotspot_zone[h]), {}).setdefault(h, []).append(int(r))
    team_h = lambda rs: float(short[rs].sum()) * p.slot_min / 60  # noqa: E731
    order = sorted(by_zone, key=lambda z: (-sum(team_h(rs) for rs in by_zone[z].values()), p.zone_ids[z]))
    lines = []
    for z in order[:most_zones]:
        hs = by_zone[z]
        members = ", ".join(p.station_ids[s] for s in p.zone_members[z])
        lines.append(
            f"- zone **{p.zone_ids[z]}** ({p.zone_tier[z]}, {p.zone_mode[z]}; members {members}): short "
            f"{sum(team_h(rs) for rs in hs.values()):g} team-hours"
        )
        for h, rs in sorted(hs.items(), key=lambda kv: -team_h(kv[1])):
            lines.append(f"  - hotspot {p.hotspot_ids[h]}: {team_h(rs):g} team-hours — {_when(p, p.cover_slot[rs])}")
    if len(order) > most_zones:
        rest = sum(team_h(rs) for z in order[most_zones:] for rs in by_zone[z].values())
        lines.append(f"- … and {len(order) - most_zones} more zones short {rest:g} team-hours (see coverage.csv)")
    return lines


def explain_infeasible(problem: Problem, pre: PrecheckResult, *, time_limit_s: float = 8) -> str:
    """Markdown: which zones, hotspots and hours cannot be covered, the binding cause, the fix."""
    p = problem
    lines = ["# No gap-free roster exists", ""]
    lines += [f"Proven by the {pre.source or 'solver'} before or during the solve; no roster was written.", ""]
    if pre.problems:
        lines += ["## Findings", ""] + [f"- {msg}" for msg in pre.problems] + [""]
    short, total = shortfall(p, time_limit_s=time_limit_s)
    _, base = shortfall(p, integer=False)
    if short is not None and total:
        least = f" (no roster can do with fewer than {base * p.slot_min / 60:.0f})" if base else ""
        lines += [
            "## What cannot be covered",
            "",
            f"The best roster found with gaps allowed (least risk-weighted shortfall, {time_limit_s:g} s) leaves "
            f"{total * p.slot_min / 60:g} team-hours uncovered{least}:",
            "",
        ] + _gap_lines(p, short) + [""]
    lines += _causes_and_fixes(p, total, base)
    return "\n".join(lines) + "\n"


def _causes_and_fixes(p: Problem, total: float | None, base: float | None = None) -> list[str]:
    """Each rule family relaxed alone (LP shortfalls, compared with the LP shortfall of the
    week as it is), then the fewest extra officers per station."""
    lines = ["## Binding cause", ""]
    fixes = []
    if not total:
        lines += ["The shortfall could not be measured (see the findings above).", ""]
        return lines
    if base is None:
        _, base = shortfall(p, integer=False)
    base = base if base is not None else total
    lines.append(f"Measured on the LP relaxation ({base * p.slot_min / 60:g} team-hours short as the week stands):")
    lines.append("")
    for relaxation in _relaxations(p):
        _, t = shortfall(relaxation.problem, integer=False)
        if t is None:
            continue
        t_h = t * p.slot_min / 60
        if t <= 1e-6:
            lines.append(f"- **{relaxation.words}**: relaxing it alone removes every gap.")
            fixes.append(relaxation.fix)
        elif t < base - 1e-6:
            lines.append(f"- {relaxation.words}: relaxing it alone leaves {t_h:g} team-hours short.")
        else:
            lines.append(f"- {relaxation.words}: not binding (relaxing it alone changes nothing).")
    fixes = [f for f in fixes if f]
    extra = _extra_teams(p)
    if extra:
        size = p.config.rules.team_size
        parts = [f"+{e * size} officers at {p.station_ids[s]}" for s, e in sorted(extra.items(), key=lambda kv: -kv[1])]
        fixes.insert(0, f"{sum(extra.values()) * size} more officers in all: " + "; ".join(parts[:12])
                     + (f"; … ({len(parts) - 12} more stations)" if len(parts) > 12 else ""))
    lines += ["", "## Smallest change that fixes it", ""]
    lines += [f"- {f}" for f in fixes] if fixes else ["- no single change found; see the findings above"]
    return lines + [""]


def explain_gaps(problem: Problem, coverage: pd.DataFrame) -> str:
    """Markdown for an allow_gaps roster: the gaps it has, and why."""
    p = problem
    gaps = coverage[coverage["gap"] | ~coverage["sync_ok"]]
    n_sync = int((~coverage["sync_ok"] & ~coverage["gap"]).sum())
    lines = ["# The roster has gaps", "",
             f"`solver.allow_gaps` is on: this roster leaves {int(coverage['gap'].sum())} hotspot-slots with fewer "
             f"teams than demanded" + (f" and {n_sync} synchronized slots without their partner station" if n_sync
                                       else "")
             + " (the fewest risk-weighted gaps found). coverage.csv marks them.", ""]
    short = np.zeros(p.cover.shape[0])
    row_of = {(p.hotspot_ids[h], int(k)): r for r, (h, k) in enumerate(zip(p.cover_hotspot, p.cover_slot))}
    start = pd.Timestamp(p.horizon_start)
    for hid, slot_start, demand, present in zip(gaps["hotspot_id"], gaps["slot_start"], gaps["demand"],
                                                gaps["present"]):
        k = int((pd.Timestamp(slot_start) - start).total_seconds() // 60 // p.slot_min)
        r = row_of.get((hid, k))
        if r is not None:
            short[r] = max(1, int(demand) - int(present))
    lines += ["## Where", ""] + _gap_lines(p, short) + [""]
    lines += _causes_and_fixes(p, float(short.sum()))
    return "\n".join(lines) + "\n"

