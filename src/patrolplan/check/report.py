"""The checker's findings: :class:`Violation`, :class:`Report` and its text for a planner."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Every rule name a Violation can carry, in report order, with a one-line description.
RULES: dict[str, str] = {
    "gap": "fewer teams on site than demanded",
    "synchronized_stations": "synchronized zone: too few distinct stations on site",
    "synchronized_jurisdictions": "synchronized zone: teams on site from a single jurisdiction",
    "visit_interval": "visit hours: longer than every_min without a visit",
    "visit_dwell": "a visit shorter than dwell_min",
    "visit_joint": "synchronized zone: a visit without a partner station",
    "visit_road": "visits: too little time for the road between two stops",
    "visit_shift": "a visit that does not fit its shift (team, zone, on-site time)",
    "unknown_id": "station, hotspot or zone not in the inputs",
    "member": "station not a member of the hotspot's zone, or zone_id not the hotspot's zone",
    "times": "times out of order or outside the horizon",
    "travel_out": "on site before the team can have arrived",
    "travel_back": "on site too late to travel back before the shift ends",
    "shift_length": "shift length not one of rules.shift_hours",
    "start_grid": "shift start not on the shift-start grid",
    "start_before_horizon": "shift ends at or before the horizon starts",
    "overlap": "two shifts of one team overlap",
    "rest": "too little rest between two shifts of one team",
    "max_shifts": "team works more than rules.max_shifts_per_team shifts",
    "team_station": "team's rows name more than one station",
    "team_count": "station uses more teams than it has",
    "availability": "more teams start on a date than the officers available allow",
    "handover": "staggered zone: arriving team overlaps the leaving team too briefly",
    "history": "re-plan: a row before --at changed, missing or added",
    "pinned": "re-plan: a pinned row changed or missing",
    "previous_rest": "too little rest after the team's last shift of the previous week",
    "backup": "response.backup hard: no second team within backup_minutes of a demanded hotspot",
}
_COVERAGE_RULES = ("gap", "synchronized_stations", "synchronized_jurisdictions")


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``rule`` is a key of :data:`RULES`; ``message`` names the shifts,
    teams, stations, hotspots and times involved; ``shift_ids`` lists the shifts concerned."""

    rule: str
    message: str
    shift_ids: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Report:
    """The outcome of :func:`check_roster`.

    ``coverage`` has one row per hotspot and slot with demand > 0: ``hotspot_id``,
    ``slot_start`` (ISO text), ``demand``, ``present`` (rows on site for the whole slot),
    ``stations`` (their stations, ``;``-separated, sorted), ``gap`` (bool).
    """

    violations: tuple[Violation, ...]
    coverage: pd.DataFrame
    slot_minutes: int = 60
    #: hotspot-hours of visit demand (presence ``visit``) measured by the visit rules
    visit_hours: float = 0.0
    #: findings reported but not counted as broken (a re-plan's history rows against today's
    #: travel minutes)
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No gap and no broken rule."""
        return not self.violations

    @property
    def rule_violations(self) -> tuple[Violation, ...]:
        """Everything but coverage (``gap`` and ``synchronized_*``)."""
        return tuple(v for v in self.violations if v.rule not in _COVERAGE_RULES)

    @property
    def coverage_violations(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.rule in _COVERAGE_RULES)

    @property
    def uncovered_slots(self) -> int:
        """Hotspot-slots with fewer teams present than demanded."""
        cov = self.coverage
        return int((cov["present"] < cov["demand"]).sum()) if len(cov) else 0

    @property
    def uncovered_team_hours(self) -> float:
        """Sum over hotspot-slots of max(0, demand - present) x slot length in hours."""
        cov = self.coverage
        if not len(cov):
            return 0.0
        short = (cov["demand"] - cov["present"]).clip(lower=0).sum()
        return float(short) * self.slot_minutes / 60

    def counts(self) -> dict[str, int]:
        """Number of violations per rule, in report order."""
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return out

    def to_text(self, max_examples: int = 5) -> str:
        """A planner-readable summary: one block per rule with its count and first examples."""
        demanded = len(self.coverage)
        visits = (f", {self.visit_hours:g} visit-demanded hotspot-hours" if self.visit_hours else "")
        if self.ok:
            kept = " visited in time" if self.visit_hours else ""
            return (
                f"Roster OK: all {demanded} demanded hotspot-slots covered{visits}{kept}, no rule broken."
            ) + self._notes_text(max_examples)
        n_cov = len(self.coverage_violations)
        n_rule = len(self.rule_violations)
        lines = [
            f"Roster NOT OK: {n_cov} coverage problem(s), {n_rule} broken rule(s). "
            f"Uncovered: {self.uncovered_slots} of {demanded} demanded hotspot-slots "
            f"({self.uncovered_team_hours:g} team-hours){visits}."
        ]
        for rule, n in self.counts().items():
            lines.append("")
            lines.append(f"{rule} ({n}): {RULES.get(rule, '')}")
            examples = [v for v in self.violations if v.rule == rule][:max_examples]
            lines += [f"  - {v.message}" for v in examples]
            if n > len(examples):
                lines.append(f"  ... and {n - len(examples)} more")
        return "\n".join(lines) + self._notes_text(max_examples)

    def _notes_text(self, max_examples: int) -> str:
        if not self.notes:
            return ""
        lines = ["", "", f"notes ({len(self.notes)}): reported, not counted as broken"]
        lines += [f"  - {n}" for n in self.notes[:max_examples]]
        if len(self.notes) > max_examples:
            lines.append(f"  ... and {len(self.notes) - max_examples} more")
        return "\n".join(lines)
