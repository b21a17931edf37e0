"""Solving a beat design (model/beats.py): CP-SAT's first plan, then the set-partitioning MIP
on HiGHS from it, which also proves the fewest beats of any beat plan, then CP-SAT again from
the better plan for the time left. The models are model/beats.py's; this module runs them."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from patrolplan.model.beats import BeatPlan, _BeatModel, scope, set_model
from patrolplan.model.pricing import station_nets
from patrolplan.solver.engines import solve_highs

__all__ = ["SetDesign", "design", "set_design"]

#: share of an improving design's time the set-partitioning MIP takes (CP-SAT the rest, unless
#: the MIP proves its plan optimal). HiGHS finds its better plans after the root's cuts, 20-30 s
#: at Jining scale (benchmarks/README.md, "More time for the beat design"); CP-SAT then gains a
#: beat at most
MIP_SHARE = 0.75


def design(p, *, time_limit_s: float, workers: int = 1, seed: int = 0, hint: BeatPlan | None = None,
           first_only: bool = False) -> BeatPlan | str | None:
    """The beat plan of ``p`` of fewest beats (then road minutes) found in ``time_limit_s``;
    None when none applies (:func:`~patrolplan.model.beats.applicable`) or none is found in
    time; a text saying why where none exists (a hotspot no station can hold on a beat, or a
    re-plan's set design proves none).

    A re-plan (:func:`~patrolplan.model.beats.scope`): the set design alone, pricing the
    published beats it changes, from ``hint`` when given (a plan of the same re-plan found in a
    shorter time); CP-SAT only where the beats are too many to list.

    Without ``hint``: CP-SAT's first plan (it finds one fast at every scale). With ``hint`` (a
    plan of ``p`` found before): the set-partitioning MIP from it (:func:`set_design`, at most
    :data:`MIP_SHARE` of the time), which also bounds the beats of every beat plan
    (``least_beats``); then, unless it proved its plan optimal, CP-SAT from the better plan for
    the rest of the time. Returns the best plan, never worse than ``hint``. ``first_only``:
    CP-SAT stops at its first plan (a week whose first plan takes longer than the usual time
    box: the province on the 5-min grid, about 40 s)."""
    t0 = time.perf_counter()
    sc = scope(p)
    if isinstance(sc, str):  # no beat plan applies
        return None
    bm = _BeatModel(p, sc)
    nets = station_nets(p)
    for net in nets:
        bm.add_station(net)
    unheld = bm.add_hotspots()
    if unheld:
        return _unheld_words(p, unheld, replan=bm.published is not None)
    if bm.published is not None:  # a re-plan: the set design alone prices its changes
        if not bm.wanted:  # history keeps every window: no beat after the cut
            return BeatPlan(bm.e, bm.frames, {}, "optimal", time.perf_counter() - t0)
        sd = set_design(bm, nets, time_limit_s=float(time_limit_s) - (time.perf_counter() - t0), workers=workers,
                        start=hint)
        if sd is not None and sd.status == "infeasible":
            return ("no beat plan keeps the visit windows the kept rows leave open with the teams left after the cut "
                    "(the set design proves it: each station runs the same beats in every shift from the cut on)")
        if sd is not None:
            return _replanned(bm, sd, t0)
        hint = None  # too many beats to list: CP-SAT, without the price of changes
    if hint is not None:
        hint = _improved(bm, nets, hint, time_limit_s=MIP_SHARE * float(time_limit_s), workers=workers)
        if hint.status == "optimal":
            return replace(hint, seconds=time.perf_counter() - t0)
    return _cp_sat(bm, hint, time_limit_s=float(time_limit_s) - (time.perf_counter() - t0), workers=workers,
                   seed=seed, t0=t0, first_only=first_only)


def _improved(bm: _BeatModel, nets, hint: BeatPlan, *, time_limit_s: float, workers: int) -> BeatPlan:
    """``hint``, or the set design's better plan from it, with the fewest beats the MIP proved;
    status ``optimal`` when the MIP proved the plan returned optimal."""
    sd = set_design(bm, nets, time_limit_s=time_limit_s, workers=workers, start=hint)
    if sd is None or sd.status == "infeasible":  # never infeasible with a plan to start from: it is exact
        return hint
    if sd.beats and sd.objective < hint.objective:
        hint = BeatPlan(hint.interval, hint.frames, beats=sd.beats, status=sd.status, seconds=0.0,
                        objective=sd.objective, every=hint.every)
    hint = replace(hint, least_beats=sd.least_beats)
    if sd.status == "optimal":  # the MIP's optimum is the hint's objective or the hint is its plan
        hint = replace(hint, status="optimal")
    return hint


def _unheld_words(p, unheld: list[int], *, replan: bool) -> str:
    """Why no beat plan exists: the hotspots no station can hold on a beat (a joint one: no two
    partner stations)."""
    ids = [str(p.hotspot_ids[h]) for h in unheld]
    more = f" (and {len(ids) - 1} more: {', '.join(ids[1:4])}{', ...' if len(ids) > 4 else ''})" if len(ids) > 1 else ""
    joint = [str(p.hotspot_ids[h]) for h in unheld if p.windows.sync[h]]
    pairs = (f"; at the joint one{'s' if len(joint) > 1 else ''} ({', '.join(joint[:4])}{', ...' if len(joint) > 4 else ''})"
             " no two partner stations") if joint else ""
    return (f"no station can hold hotspot {ids[0]}{more} on a beat, for their roads, zones and teams"
            f"{' left after the cut' if replan else ''}{pairs}")


def _replanned(bm: _BeatModel, sd: "SetDesign", t0: float) -> BeatPlan | None:
    """A re-plan's beat plan: the set design's, whose costs keep the most published beats and
    add the fewest (:meth:`~patrolplan.model.beats._BeatModel.changed`), so it bounds no beats;
    None where it found none."""
    if not sd.beats:
        return None
    return BeatPlan(bm.e, bm.frames, beats=sd.beats, status=sd.status, seconds=time.perf_counter() - t0,
                    objective=sd.objective, every={h: e for h, e in bm.every.items() if e < bm.e})


def _cp_sat(bm: _BeatModel, hint: BeatPlan | None, *, time_limit_s: float, workers: int, seed: int,
            t0: float, first_only: bool = False) -> BeatPlan | None:
    """CP-SAT's plan of the beat design, from ``hint`` when given; ``hint`` when it finds none
    better."""
    from ortools.sat.python import cp_model

    bm.m.Minimize(bm.objective())
    if hint is not None:
        bm.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    solver.parameters.stop_after_first_solution = bool(first_only)
    status = _solve(solver, bm.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (
            hint is not None and solver.ObjectiveValue() >= hint.objective):
        return None if hint is None else replace(hint, seconds=time.perf_counter() - t0)
    return BeatPlan(interval=bm.e, frames=bm.frames, beats=bm.read(solver),
                    status=solver.StatusName(status).lower(), seconds=time.perf_counter() - t0,
                    objective=float(solver.ObjectiveValue()), least_beats=None if hint is None else hint.least_beats,
                    every={h: e for h, e in bm.every.items() if e < bm.e})


@dataclass(frozen=True)
class SetDesign:
    """The beat design solved as a set-partitioning MIP (:func:`set_design`). ``beats``: its
    plan (empty when none was found); ``least_beats``: no beat plan of the week has fewer beats
    (None: not known); ``status``: HiGHS's (``optimal``, ``feasible``, ``infeasible``: no beat
    plan exists, ``unknown``)."""

    beats: dict[int, tuple[tuple[tuple[int, int], ...], ...]]
    least_beats: int | None
    status: str
    objective: float
    seconds: float


def set_design(bm: _BeatModel, nets, *, time_limit_s: float, workers: int = 1, start: BeatPlan | None = None
               ) -> SetDesign | None:
    """The beat design as a set-partitioning MIP (:func:`~patrolplan.model.beats.set_model`) on
    HiGHS, from ``start`` when given. At Jining scale it proves the fewest beats in a few
    seconds, where CP-SAT's own bound stays far below (31 of 79 beats after 60 s). None when the
    beats are too many to list (:data:`~patrolplan.model.beats.MAX_BEAT_NODES`)."""
    t0 = time.perf_counter()
    sm = set_model(bm, nets, start)
    if sm is None:
        return None
    if sm.model is None:
        return SetDesign({}, None, "infeasible", 0.0, time.perf_counter() - t0)
    res = solve_highs(sm.model, time_limit_s=max(0.1, time_limit_s - (time.perf_counter() - t0)), workers=workers,
                      lp_guided=False, hint=sm.start)
    seconds = time.perf_counter() - t0
    if res.status == "infeasible":
        return SetDesign({}, None, "infeasible", 0.0, seconds)
    least = sm.least_beats(res.bound)
    if res.x is None:
        return SetDesign({}, least, res.status, 0.0, seconds)
    beats = sm.beats(res.x)
    if res.status == "optimal" and not sm.changes:
        least = sum(len(b) for b in beats.values())
    return SetDesign(beats, least, res.status, float(res.objective), seconds)


def _solve(solver, model) -> int:
    """CP-SAT's status for ``model``. Ctrl-C and SIGTERM stop the search and are raised when it
    has returned (:func:`patrolplan.interrupts.responsive`; CP-SAT's own catcher would return the
    plan found so far as if the time had run out, and the run would go on)."""
    from patrolplan import interrupts

    solver.parameters.catch_sigint_signal = False
    return interrupts.responsive(lambda: solver.Solve(model), stop=solver.stop_search)
