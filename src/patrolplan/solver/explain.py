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

from patrolplan.solver.engines import LpSolution, lp_interior, lp_solution, solve_highs, solve_lp_relaxation
from patrolplan.model.build import build_model
from patrolplan.model.pricing import with_seed_loops
from patrolplan.model.problem import Problem
from patrolplan.model.relaxed import visit_relaxation
from patrolplan.model.rules import FAMILIES, Relaxation
from patrolplan.model.rules._words import when as _when

__all__ = ["PrecheckResult", "precheck", "explain_infeasible", "explain_gaps", "shortfall"]



@dataclass(frozen=True)
class PrecheckResult:
    """``feasible=False`` with ``proof=True`` is a proof that no roster exists (``source`` says
    which: the reach and capacity counts, the LP relaxation of a posts-only week, the visit
    relaxation); with ``proof=False`` only the model (its chosen loop columns and visit guards,
    a restriction) cannot cover the week, and ``reason`` says why that proves nothing. ``lp``
    is the model's LP relaxation solved (handed on to the MIP, so a solve pays for one LP)."""

    feasible: bool
    lp_bound: float | None
    seconds: float
    problems: list[str] = field(default_factory=list)
    source: str = ""
    lp: LpSolution | None = None
    proof: bool = True
    reason: str = ""


#: what each proof is, in the explanation's words
PROOF_WORDS = {
    "reach and capacity count": "the reach and capacity counts (each a necessary condition of the contract's rules)",
    "LP relaxation": "the LP relaxation of the aggregated model (posts only: every rule in play is in it)",
    "visit relaxation": "the visit relaxation (the visits each hotspot's hours need, each costing its dwell and "
                        "the least road time in, against each station's teams, shift cap, availability and shift "
                        "lengths)",
    "the full model": "the aggregated model (posts only: every rule in play is in it)",
}


def precheck(problem: Problem, *, model=None, time_limit_s: float = 300) -> PrecheckResult:
    """Fast necessary conditions, each from its rule family's ``precheck``, then the LP
    relaxation of the aggregated model. In a week with visits that LP holds the model's visit
    rows, a restriction: where it (or the visit family's pre-check) finds no plan, the visit
    relaxation (``model.relaxed``) decides whether that is a proof. ``model``: the aggregated
    model already built (its LP is remembered for the solve)."""
    t0 = time.perf_counter()
    proofs, findings = [], []
    for family in FAMILIES:
        msgs = family.precheck(problem)
        (proofs if getattr(family, "PRECHECK_IS_PROOF", True) else findings).extend(msgs)
    if proofs:
        return PrecheckResult(False, None, time.perf_counter() - t0, proofs + findings, "reach and capacity count")
    lp = None
    if not findings:
        lp = lp_solution(model if model is not None else build_model(problem), time_limit_s=time_limit_s)
        if lp.status != "infeasible":
            return PrecheckResult(True, lp.objective, time.perf_counter() - t0, [], "LP relaxation", lp)
        if not problem.has_visits:
            return PrecheckResult(False, None, time.perf_counter() - t0,
                                  ["the LP relaxation of the roster model has no solution"], "LP relaxation", lp)
        findings = ["the LP relaxation of the model (its loop columns and visit guards) has no solution"]
    return visit_verdict(problem, findings, lp=lp, t0=t0, time_limit_s=max(time_limit_s - (time.perf_counter() - t0),
                                                                               5.0))


def relaxation_status(problem: Problem, *, time_limit_s: float = 60) -> str:
    """The visit relaxation's LP: ``infeasible`` (no roster exists), ``feasible`` or
    ``unknown`` (not decided in time, or not built: a re-plan)."""
    rel = visit_relaxation(problem)
    if rel is None:
        return "unknown"
    lp = lp_interior(_feasibility_only(rel.model), time_limit_s=time_limit_s)
    return {"optimal": "feasible"}.get(lp.status, lp.status)


def _feasibility_only(model, keep=()):
    """The model with every cost 0 but those of ``keep`` (a feasibility question, or the
    least shortfall alone)."""
    import dataclasses

    cost = np.zeros(model.n_cols)
    keep = np.asarray(keep, dtype=np.int64)
    cost[keep] = model.col_cost[keep]
    return dataclasses.replace(model, col_cost=cost, objective_offset=0.0)


def visit_verdict(problem: Problem, findings: list[str], *, lp=None, t0: float | None = None,
                  time_limit_s: float = 60) -> PrecheckResult:
    """The model found no plan for a week with visits: a proof where the visit relaxation is
    infeasible, else "no plan found" and why that proves nothing."""
    t0 = time.perf_counter() if t0 is None else t0
    status = relaxation_status(problem, time_limit_s=time_limit_s)
    if status == "infeasible":
        return PrecheckResult(False, None, time.perf_counter() - t0, findings, "visit relaxation", lp)
    why = {"feasible": "has a solution, so a roster the model cannot express may exist",
           "unknown": "was not decided in time" if problem.published is None else "is not built for a re-plan"}[status]
    reason = ("the model plans visits with a chosen set of loops (nearest-neighbour chains up to "
              "`visits.max_loop_hotspots` stops) and asks one loop to guard each slot whole, which is more than the "
              f"rule asks; the visit relaxation (what every roster must meet) {why}")
    return PrecheckResult(False, None, time.perf_counter() - t0, findings, "the model's visit rows", lp, proof=False,
                          reason=reason)


# --- where, why, and what would fix it -------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    """What a model with gaps allowed leaves short: ``post`` (team-slots per demanded post
    row), ``visit`` (bool ``[H, K]``: visit-demanded slots without a visit within the interval)
    and ``total`` (both, in hours: team-hours of posts and hotspot-hours of visits; what the
    binding-cause search compares)."""

    post: np.ndarray
    visit: np.ndarray
    total: float
    #: the visit relaxation's count per hotspot: visits short, and visits its hours need (else None);
    #: then ``total`` counts visits, not visit hours
    visits_short: np.ndarray | None = None
    visits_needed: np.ndarray | None = None


def shortfall_parts(problem: Problem, *, time_limit_s: float = 8, integer: bool = True,
                    gap_tolerance_pct: float = 5.0) -> Shortfall | None:
    """The least risk-weighted shortfall of the aggregated model (gaps allowed) as a MIP
    (within ``gap_tolerance_pct``) or as its LP relaxation; None if none was found in time."""
    p = problem
    model = build_model(p, allow_gaps=True)
    res = (
        solve_highs(model, time_limit_s=time_limit_s, gap_tolerance_pct=gap_tolerance_pct)
        if integer
        else solve_lp_relaxation(model, time_limit_s=time_limit_s)
    )
    if res.x is None:
        return None
    post = np.zeros(p.cover.shape[0])
    post[model.gap_rows] = res.x[model.gap_cols]
    visit = np.zeros(p.visit_need.shape, dtype=bool)
    slack = res.x[model.visit_gap_cols] if model.visit_gap_cols.size else np.zeros(0)
    rows = np.nonzero(slack > (0.5 if integer else 1e-6))[0]
    visit[p.guard_hotspot[rows], p.guard_slot[rows]] = True
    return Shortfall(post, visit, float(post.sum() + slack.sum()) * p.slot_min / 60)


def relaxation_shortfall(problem: Problem, *, time_limit_s: float = 30) -> Shortfall | None:
    """The least risk-weighted shortfall of the visit relaxation (its LP, gaps allowed): what
    no roster can cover, by hotspot (visits short of those the hours need, and when); its
    ``total``: team-hours of posts plus visits short. None where it is not built or solved."""
    p = problem
    rel = visit_relaxation(p, allow_gaps=True)
    if rel is None:
        return None
    lp = lp_interior(_feasibility_only(rel.model, np.concatenate([rel.model.gap_cols, rel.slack])),
                     time_limit_s=time_limit_s)
    if lp.x is None:
        return None
    x = np.where(lp.x > 1e-4, lp.x, 0.0)  # an interior point: dust below 1e-4 is zero
    post = np.zeros(p.cover.shape[0])
    post[rel.model.gap_rows] = x[rel.model.gap_cols]
    slack = x[rel.slack]
    visit = np.zeros(p.visit_need.shape, dtype=bool)
    slot = p.slot_min
    for w in np.nonzero(slack > 0.5)[0]:  # the hours of windows mostly short (an LP may spread a shortfall thin)
        h = int(rel.window_h[w])
        visit[h, int(rel.window_w0[w]) // slot:int(rel.window_w1[w]) // slot + 1] = True
    n_h = len(p.hotspot_ids)
    short = np.bincount(rel.window_h, weights=slack, minlength=n_h)
    needed = np.bincount(rel.window_h, minlength=n_h)
    return Shortfall(post, visit & (p.visit_need > 0), float(post.sum() * slot / 60 + slack.sum()), short, needed)


def shortfall(problem: Problem, *, time_limit_s: float = 8, integer: bool = True,
              gap_tolerance_pct: float = 5.0):
    """The least risk-weighted shortfall: (team-slots short per demanded post row, total
    slots short, posts and visits), from the relaxed model (gaps allowed) as a MIP (within
    ``gap_tolerance_pct``) or as its LP relaxation; ``(None, None)`` if none was found in time."""
    parts = shortfall_parts(problem, time_limit_s=time_limit_s, integer=integer, gap_tolerance_pct=gap_tolerance_pct)
    if parts is None:
        return None, None
    return parts.post, parts.total


#: the order the binding-cause search relaxes rules in (a time budget may cut it short):
#: manpower and the shift cap first, the planner's most common fixes
_CAUSE_ORDER = ("manpower", "max_shifts", "shift_length", "travel", "rest", "partner", "interval", "handover",
                "backup")


def _relaxations(p: Problem) -> list[Relaxation]:
    """Every family's relaxations: manpower, the shift cap, shift lengths, travel, rest,
    partners, the visit interval, handover, backup (built on first use)."""
    found = [r for family in FAMILIES for r in family.relaxations(p)]
    rank = {k: i for i, k in enumerate(_CAUSE_ORDER)}
    return sorted(found, key=lambda r: rank.get(r.key, len(rank)))


def _extra_teams(p: Problem, *, time_limit_s: float = 8) -> dict[int, int] | None | str:
    """Fewest extra teams per station that make the week coverable: a MIP within 2 %, or its
    LP relaxation rounded up; None if ten more teams per station are not enough, ``"unknown"``
    if neither was solved in time."""
    big = with_seed_loops(p.rebuilt(teams=p.teams + 10))
    model = build_model(big, base_teams=p.teams)
    extra_cols = slice(model.n_cols - len(p.station_ids), model.n_cols)
    res = solve_highs(model, time_limit_s=time_limit_s, gap_tolerance_pct=2.0)
    if res.x is None:
        if res.status == "infeasible":
            return None
        lp = solve_lp_relaxation(model, time_limit_s=time_limit_s)
        if lp.x is None:
            return None if lp.status == "infeasible" else "unknown"
        extra = np.ceil(lp.x[extra_cols] - 1e-6).astype(int)
    else:
        extra = np.rint(res.x[extra_cols]).astype(int)
    return {s: int(e) for s, e in enumerate(extra) if e > 0}


def _members(p: Problem, z: int) -> str:
    """A zone's member stations, each with its teams."""
    return ", ".join(f"{p.station_ids[s]} ({int(p.teams[s])} team{'s' if p.teams[s] != 1 else ''})"
                     for s in p.zone_members[z])


def _gap_lines(p: Problem, short: np.ndarray, most_zones: int = 15) -> list[str]:
    """Short zones (posts), the shortest first, each with its hotspots and hours."""
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
        lines.append(
            f"- zone **{p.zone_ids[z]}** ({p.zone_tier[z]}, {p.zone_mode[z]}; members {_members(p, z)}): short "
            f"{sum(team_h(rs) for rs in hs.values()):g} team-hours"
        )
        for h, rs in sorted(hs.items(), key=lambda kv: -team_h(kv[1])):
            lines.append(f"  - hotspot {p.hotspot_ids[h]}: {team_h(rs):g} team-hours — {_when(p, p.cover_slot[rs])}")
    if len(order) > most_zones:
        rest = sum(team_h(rs) for z in order[most_zones:] for rs in by_zone[z].values())
        lines.append(f"- … and {len(order) - most_zones} more zones short {rest:g} team-hours (see coverage.csv)")
    return lines


def _visit_gap_lines(p: Problem, short: np.ndarray, most_zones: int = 15, counts=None) -> list[str]:
    """Zones with visit-demanded hours short of visits (``short``: bool ``[H, K]``), the
    shortest first: their members, each hotspot's interval and dwell, and the hours; with
    ``counts`` (the relaxation's visits short and needed per hotspot) the visits instead of
    the hours."""
    if counts is not None:
        return _visit_count_lines(p, short, *counts, most_zones=most_zones)
    hs, ks = np.nonzero(short)
    by_zone: dict[int, dict[int, list[int]]] = {}
    for h, k in zip(hs, ks):
        by_zone.setdefault(int(p.hotspot_zone[h]), {}).setdefault(int(h), []).append(int(k))
    hours = lambda ks_: len(ks_) * p.slot_min / 60  # noqa: E731
    order = sorted(by_zone, key=lambda z: (-sum(hours(v) for v in by_zone[z].values()), p.zone_ids[z]))
    lines = []
    for z in order[:most_zones]:
        joint = " (joint visits: teams of two member stations together)" if p.zone_mode[z] == "synchronized" else ""
        lines.append(f"- zone **{p.zone_ids[z]}** ({p.zone_tier[z]}, {p.zone_mode[z]}{joint}; members "
                     f"{_members(p, z)}): {sum(hours(v) for v in by_zone[z].values()):g} visit-demanded hotspot-hours "
                     "without a visit within the interval")
        for h, k_list in sorted(by_zone[z].items(), key=lambda kv: -len(kv[1])):
            lines.append(f"  - hotspot {p.hotspot_ids[h]} (a visit of {int(p.visit_dwell_min[h])} min at least every "
                         f"{int(p.visit_every_min[h])} min): {hours(k_list):g} h — {_when(p, np.asarray(k_list))}")
    if len(order) > most_zones:
        rest = sum(hours(v) for z in order[most_zones:] for v in by_zone[z].values())
        lines.append(f"- … and {len(order) - most_zones} more zones short {rest:g} visit hours (see coverage.csv)")
    return lines


def _visit_count_lines(p: Problem, short: np.ndarray, missing: np.ndarray, needed: np.ndarray, *,
                       most_zones: int = 15) -> list[str]:
    """The relaxation's visit shortfall: per zone and hotspot, the visits short of those its
    hours need at least, and the hours they fall in."""
    hs = [h for h in np.nonzero(missing > 1e-4)[0]]
    by_zone: dict[int, list[int]] = {}
    for h in hs:
        by_zone.setdefault(int(p.hotspot_zone[h]), []).append(int(h))
    order = sorted(by_zone, key=lambda z: (-sum(missing[h] for h in by_zone[z]), p.zone_ids[z]))
    lines = []
    for z in order[:most_zones]:
        joint = " (joint visits: teams of two member stations together)" if p.zone_mode[z] == "synchronized" else ""
        hz = by_zone[z]
        lines.append(f"- zone **{p.zone_ids[z]}** ({p.zone_tier[z]}, {p.zone_mode[z]}{joint}; members "
                     f"{_members(p, z)}): {sum(missing[h] for h in hz):.3g} of the {int(sum(needed[h] for h in hz))} "
                     "visits its hours need at least cannot be made")
        for h in sorted(hz, key=lambda h: -missing[h]):
            ks = np.nonzero(short[h])[0]
            lines.append(f"  - hotspot {p.hotspot_ids[h]} (a visit of {int(p.visit_dwell_min[h])} min at least every "
                         f"{int(p.visit_every_min[h])} min): {missing[h]:.3g} of {int(needed[h])} visits short"
                         + (f"; hours mostly short: {_when(p, ks)}" if ks.size else " (a shortfall the relaxation "
                            "spreads over the week: no hours stand out)"))
    if len(order) > most_zones:
        rest = sum(missing[h] for z in order[most_zones:] for h in by_zone[z])
        lines.append(f"- … and {len(order) - most_zones} more zones short {rest:.3g} visits")
    return lines


def _where(p: Problem, parts: Shortfall) -> list[str]:
    """The short posts and visits as lines (none when nothing is short)."""
    lines = []
    posts = _gap_lines(p, parts.post)
    counts = None if parts.visits_short is None else (parts.visits_short, parts.visits_needed)
    visits = _visit_gap_lines(p, parts.visit, counts=counts)
    if posts:
        lines += ["Posts (teams on site all slot):", ""] + posts + [""]
    if visits:
        head = ("Visits (short of the least number the hours need):" if parts.visits_short is not None
                else "Visits (hours without a visit within the interval):")
        lines += [head, ""] + visits + [""]
    return lines


def explain_infeasible(problem: Problem, pre: PrecheckResult, *, time_limit_s: float = 8) -> str:
    """Markdown: whether it is proven, which zones, hotspots and hours cannot be covered, the
    binding cause, the smallest fix. A week proven by the visit relaxation is measured on it
    (what no roster can cover); otherwise on the model with gaps allowed (what it leaves)."""
    p = problem
    if pre.proof:
        lines = ["# No gap-free roster exists", "",
                 f"Proven by {PROOF_WORDS.get(pre.source, pre.source)}{_margin_note(p, pre.source)}; no roster was "
                 "written.", ""]
    else:
        lines = ["# No plan found", "",
                 "The model found no gap-free plan, and no roster was written. This is **not** a proof that no "
                 f"roster exists: {pre.reason}.", ""]
    if pre.problems:
        lines += ["## Findings", ""] + [f"- {msg}" for msg in pre.problems] + [""]
    on_relaxation = pre.source == "visit relaxation"
    if on_relaxation:
        parts, what = relaxation_shortfall(p), "the visit relaxation with gaps allowed (what no roster can cover)"
        measure = _relaxation_total
    else:
        parts, what = shortfall_parts(p, time_limit_s=time_limit_s), (
            f"the best plan of the model with gaps allowed (least risk-weighted shortfall, {time_limit_s:g} s)")
        measure = _model_total
    lines += ["## What cannot be covered", ""]
    where = _where(p, parts) if parts is not None else []
    if where:
        lines += [f"Measured on {what}:", ""] + where
    elif parts is None:
        lines += [f"Not measured: {what} was not solved in time"
                  + ("; the findings above say where." if pre.problems else "."), ""]
    else:
        lines += [f"Not measured: {what} leaves nothing short, so the week fails on whole rules, not on hours"
                  + (": see the findings above." if pre.problems else "."), ""]
    lines += _causes_and_fixes(p, parts.total if parts is not None else None, measure=measure, what=what,
                               base=parts.total if on_relaxation and parts is not None else None,
                               in_visits=on_relaxation)
    return "\n".join(lines) + "\n"


def _proven_part(p: Problem) -> list[str]:
    """Whether the visit relaxation proves the week short (what no roster can cover) or not
    (a roster the model's loops cannot express may cover the visit gaps)."""
    parts = relaxation_shortfall(p)
    if parts is None:
        return ["The visit relaxation (what every roster must meet) was not solved in time: whether another roster "
                "could close the visit gaps is not known.", ""]
    if parts.total <= 1e-6:
        return ["Not proven: the visit relaxation (what every roster must meet) has no shortfall, so a roster the "
                "model's loops cannot express may close the visit gaps above.", ""]
    return ["Proven short by the visit relaxation (what every roster must meet; no roster can do better):", ""] \
        + _where(p, parts)


def _margin_note(p: Problem, source: str) -> str:
    margin = p.config.travel.margin_min
    if margin and (p.required > 0).any() and source in ("LP relaxation", "the full model", "visit relaxation", "reach and capacity count"):
        return (f", with the travel minutes as planned for posts (road time plus `travel.margin_min` = {margin} min a "
                "leg)")
    return ""


def _model_total(p: Problem) -> float | None:
    parts = shortfall_parts(p, integer=False)
    return None if parts is None else parts.total


def _relaxation_total(p: Problem) -> float | None:
    parts = relaxation_shortfall(p)
    return None if parts is None else parts.total


#: seconds the binding-cause search may take before it names the rules left unmeasured
CAUSE_BUDGET_S = 180.0


def _causes_and_fixes(p: Problem, total: float | None, *, measure=_model_total, what: str = "the model",
                      budget_s: float = CAUSE_BUDGET_S, base: float | None = None,
                      in_visits: bool = False) -> list[str]:
    """Each rule family relaxed alone (LP shortfalls, compared with the LP shortfall of the
    week as it is, on the model or the relaxation ``measure`` solves) within ``budget_s``
    seconds, then the fewest extra officers per station."""
    t0 = time.perf_counter()
    lines = ["## Binding cause", ""]
    fixes = []
    if base is None:  # the LP shortfall of the week as it stands (given where ``total`` already is one)
        base = measure(p) if total else None
    if not total or base is None:
        why = ("nothing is short when gaps are allowed" if total is not None and not total
               else f"{what} was not solved in time")
        lines += [f"Not measured: {why}; the smallest change below is measured on its own.", ""]
    else:
        lines.append(f"Measured on the LP of {what}, each rule relaxed alone ({_units(p, base, in_visits)} short as the week "
                     "stands):")
        lines.append("")
        for relaxation in _relaxations(p):
            if time.perf_counter() - t0 > budget_s:
                lines.append(f"- {relaxation.words}: not measured (the search's {budget_s:g} s were spent on the "
                             "rules above).")
                continue
            t = measure(with_seed_loops(relaxation.problem))  # a relaxed rendezvous week: its first loops
            if t is None:
                lines.append(f"- {relaxation.words}: not measured (its LP was not solved in time).")
                continue
            if t <= 1e-6:
                lines.append(f"- **{relaxation.words}**: relaxing it alone removes every gap.")
                fixes.append(relaxation.fix)
            elif t < base - 1e-6:
                lines.append(f"- {relaxation.words}: relaxing it alone leaves {_units(p, t, in_visits)} short.")
            else:
                lines.append(f"- {relaxation.words}: not binding (relaxing it alone changes nothing).")
        lines.append("")
    fixes = [f for f in fixes if f]
    extra = _extra_teams(p)
    if extra == "unknown":
        fixes.append("the fewest extra officers per station were not found in time (a MIP and its LP of the model "
                     "with ten more teams at every station, 8 s each): the causes above say which rule binds")
    elif extra:
        size = p.config.rules.team_size
        parts = [f"+{e * size} officers at {p.station_ids[s]}" for s, e in sorted(extra.items(), key=lambda kv: -kv[1])]
        fixes.insert(0, f"{sum(extra.values()) * size} more officers in all: " + "; ".join(parts[:12])
                     + (f"; … ({len(parts) - 12} more stations)" if len(parts) > 12 else ""))
    lines += ["## Smallest change that fixes it", ""]
    if fixes:
        lines += [f"- {f}" for f in fixes]
    else:
        lines += ["- none found: no single rule relaxed alone, and no ten more teams per station, make the week "
                  "coverable in the model"]
    return lines + [""]


def _units(p: Problem, amount: float, in_visits: bool = False) -> str:
    """A shortfall: team-hours of posts and hours of visits (``in_visits``: visits, the
    relaxation's count)."""
    posts, visits = bool((p.required > 0).any()), p.has_visits
    second = "visits" if in_visits else "visit hours"
    unit = (f"(team-hours of posts and {second})" if posts and visits else second if visits else "team-hours")
    return f"{round(amount, 1):g} {unit}"


def explain_gaps(problem: Problem, coverage: pd.DataFrame, *, allow_gaps: bool = True) -> str:
    """Markdown for a roster with gaps: the gaps it has (posts and visits), and why."""
    p = problem
    is_visit = coverage["presence"] == "visit" if "presence" in coverage else pd.Series(False, index=coverage.index)
    posts = coverage[~is_visit]
    gaps = posts[posts["gap"] | ~posts["sync_ok"]]
    n_sync = int((~posts["sync_ok"] & ~posts["gap"]).sum())
    visit_gaps = coverage[is_visit & coverage["gap"]]
    said = []
    if int(posts["gap"].sum()):
        said.append(f"{int(posts['gap'].sum())} hotspot-slots with fewer teams than demanded")
    if n_sync:
        said.append(f"{n_sync} synchronized slots without their partner station")
    if len(visit_gaps):
        said.append(f"{len(visit_gaps)} visit-demanded hotspot-slots without a visit within the interval")
    head = "`solver.allow_gaps` is on: this roster leaves " if allow_gaps else "This roster leaves "
    lines = ["# The roster has gaps", "",
             head + (" and ".join(said) if said else "no gap") + " (the fewest risk-weighted gaps found). coverage.csv "
             "marks them.", ""]
    short = np.zeros(p.cover.shape[0])
    row_of = {(p.hotspot_ids[h], int(k)): r for r, (h, k) in enumerate(zip(p.cover_hotspot, p.cover_slot))}
    start = pd.Timestamp(p.horizon_start)
    slot_of = lambda ts: int((pd.Timestamp(ts) - start).total_seconds() // 60 // p.slot_min)  # noqa: E731
    for hid, slot_start, demand, present in zip(gaps["hotspot_id"], gaps["slot_start"], gaps["demand"],
                                                gaps["present"]):
        r = row_of.get((hid, slot_of(slot_start)))
        if r is not None:
            short[r] = max(1, int(demand) - int(present))
    visit = np.zeros(p.visit_need.shape, dtype=bool)
    h_index = {h: i for i, h in enumerate(p.hotspot_ids)}
    for hid, slot_start in zip(visit_gaps["hotspot_id"], visit_gaps["slot_start"]):
        visit[h_index[hid], slot_of(slot_start)] = True
    total = float(short.sum() + visit.sum()) * p.slot_min / 60
    where = _where(p, Shortfall(short, visit, total))
    lines += ["## Where", ""] + (where or ["Nothing listed: coverage.csv marks no gap this page can name."]) + [""]
    if visit.any():
        lines += _proven_part(p)
    lines += _causes_and_fixes(p, total)
    return "\n".join(lines) + "\n"
