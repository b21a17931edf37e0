"""Types the rule families share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any


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
