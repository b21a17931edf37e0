"""Types the rule families share: :class:`Relaxation`, and the model-building protocol
(:class:`FamilyContext` in, :class:`FamilyRows` out of every family's ``add_rows``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Relaxation:
    """The week with one rule relaxed: ``key`` (short name), ``words`` (for a planner),
    ``fix`` (what to change when relaxing it alone removes every gap), and ``make``: the
    relaxed problem, or a function of no arguments that builds it. ``problem`` builds it on
    first use, so a search that stops early (the explanation's time budget) never pays for the
    rest."""

    key: str
    words: str
    fix: str
    make: Any

    @cached_property
    def problem(self):
        return self.make() if callable(self.make) else self.make


@dataclass(frozen=True)
class PinnedBreach:
    """A pinned row of a re-plan that breaks a family's rule against the new inputs: the row
    (a :class:`~patrolplan.model.rules.published.PublishedShift`), the rule's name, what breaks
    and how to fix it. A family's ``pinned_problems`` returns these; :meth:`message` words one
    as the re-plan prints it, naming the roster it was read from (``source``)."""

    row: Any
    rule: str
    what: str
    fix: str

    def message(self, source: str) -> str:
        r = self.row
        return (f"{source}: row {r.row} (shift_id '{r.shift_id}'), column 'pinned': the pinned shift breaks the "
                f"rule '{self.rule}' against the new inputs: {self.what} — {self.fix}")


@dataclass(frozen=True)
class FamilyRows:
    """What a family's ``add_rows`` hands back for the families after it and for the model
    (None when it has nothing to hand on): ``cols``, the columns it added that others use (the
    shift counts of ``shifts``, the ``extra_teams`` columns), and ``slack`` with ``slack_rows``,
    the slack columns it added under ``allow_gaps`` and the row of its own each relaxes
    (``coverage``: the model's ``gap_cols``/``gap_rows``; ``visits``: ``visit_gap_cols``)."""

    cols: np.ndarray | None = None
    slack: np.ndarray | None = None
    slack_rows: np.ndarray | None = None


@dataclass
class FamilyContext:
    """The one argument of every family's ``add_rows``: the model being built.

    ``problem``; ``builder`` (a ``model.build.Builder``: it adds the columns and rows); ``allow_gaps``
    (a priced slack on every demand row); ``extra_caps`` (station -> most shifts: the repair
    cuts of named teams); ``base_teams`` (the explanation's fewest-extra-teams model: station
    bounds on these teams plus the ``extra_teams`` columns); ``added``: what the families before
    returned, by family name (``model.build.build_model`` fills it in its order)."""

    problem: Any
    builder: Any
    allow_gaps: bool = False
    extra_caps: Mapping[int, int] = field(default_factory=dict)
    base_teams: np.ndarray | None = None
    added: dict[str, FamilyRows] = field(default_factory=dict)

    @property
    def x(self) -> np.ndarray:
        """The shift-count columns (``shifts``, always the first family)."""
        return self.added["shifts"].cols

    @property
    def gap(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The coverage slacks and their cover rows under ``allow_gaps``, else None."""
        got = self.added.get("coverage")
        return None if got is None or got.slack is None else (got.slack, got.slack_rows)

    @property
    def extra(self) -> np.ndarray | None:
        """One ``extra_teams`` column per station in the fewest-extra-teams model, else None."""
        got = self.added.get("extra_teams")
        return None if got is None else got.cols
