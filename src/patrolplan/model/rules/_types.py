"""Types the rule families share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Relaxation:
    """The week with one rule relaxed: ``key`` (short name), ``words`` (for a planner),
    ``fix`` (what to change when relaxing it alone removes every gap), the relaxed problem."""

    key: str
    words: str
    fix: str
    problem: Any
