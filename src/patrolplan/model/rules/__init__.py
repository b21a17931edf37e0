"""The rule families of the roster model: one module each, the one solver-side meaning of its rule.

Each module holds what the solver side needs of its rule, under the same names:

``add_rows(ctx) -> FamilyRows | None``
    the rows (or columns) it adds to the aggregated model; ``ctx`` (:class:`~._types.FamilyContext`)
    holds the problem, the builder, the shift columns and the options, and ``model.build.build_model``
    calls every family's the same way, in ``model.build.ORDER``;
a test on a given presence or roster
    ``satisfied`` / ``fits`` / ``occupied`` — used by the greedy planner, the result tables and
    the explanation, so none of them re-derives the rule;
``relaxations(p)``
    the same week with the rule relaxed, as ``Relaxation`` entries (the explanation's
    binding-cause search measures the LP shortfall of each);
``precheck(p)``
    fast necessary conditions before the solve, as messages for a planner;
``pinned_problems(p, fixed, cut_min)`` (the families of rules on rows: shifts, capacity, max_shifts, availability)
    the pinned rows of a re-plan that break the rule against the new inputs, as
    :class:`~patrolplan.model.rules._types.PinnedBreach` (``weeks.py`` asks each family that has one).

A family without one of these says so in its docstring. The independent checker
(``patrolplan.check``) has its own version of every hard family, one function each, named
``check_<family>``; ``tests/test_rules_families.py`` holds the two sides to the same names and
to the same answers.
"""

from __future__ import annotations

from patrolplan.model.rules import (
    availability,
    backup,
    capacity,
    coverage,
    fairness,
    handover,
    max_shifts,
    shifts,
    staggered,
    synchronized,
    visits,
)

__all__ = ["FAMILIES", "HARD_FAMILIES", "SOFT_FAMILIES", "Relaxation", "by_name"]
from patrolplan.model.rules._types import Relaxation


#: every family (``model.build.ORDER`` is the order the model adds their rows)
FAMILIES = (shifts, coverage, synchronized, visits, capacity, handover, max_shifts, availability, fairness, staggered,
            backup)
#: hard rules: a roster breaking one is wrong (the checker has one function for each)
HARD_FAMILIES = tuple(f.NAME for f in FAMILIES if f.HARD)
#: soft goals: priced in the objective, never traded against a hard rule
SOFT_FAMILIES = tuple(f.NAME for f in FAMILIES if not f.HARD)


def by_name(name: str):
    for family in FAMILIES:
        if family.NAME == name:
            return family
    raise KeyError(name)
