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
