"""The independent checker, one function per rule family (``patrolplan.check.rules``).

For every family a hand-sized roster that breaks that family and nothing else, asserted
twice: the report names exactly the family's broken rules, and with the family's function
taken out of ``FAMILY_CHECKS`` (returning nothing) the same roster passes — so that function,
and no other, is what catches it. Then the blank-jurisdiction case of a synchronized zone, and
the checker's independence from the solver side.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from builders import make_scenario, travel, with_demand
import patrolplan.check as check_package
from patrolplan.check import RULES, check_roster
from patrolplan.check.rules import FAMILY_CHECKS, RULE_FAMILY, synchronized_ok

FAMILIES = ("shifts", "coverage", "synchronized", "visits", "capacity", "max_shifts", "availability", "handover")
H0 = dt.datetime(2026, 11, 30)  # builders' week_start, a Monday


def shift(sid, team, station, hotspot, start_h, end_h, on_start_h=None, on_end_h=None):
    """A roster row, times in hours from Monday 00:00 (on site = the whole shift by default)."""
    at = lambda h: (H0 + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    on_start_h = start_h if on_start_h is None else on_start_h
    on_end_h = end_h if on_end_h is None else on_end_h
    return {"shift_id": sid, "team_id": team, "station_id": station, "hotspot_id": hotspot,
            "start": at(start_h), "end": at(end_h), "on_site_start": at(on_start_h), "on_site_end": at(on_end_h)}


def roster(rows):
    import pandas as pd

    columns = ["shift_id", "team_id", "station_id", "hotspot_id", "start", "end", "on_site_start", "on_site_end"]
    return pd.DataFrame(rows, columns=columns)


# --- one case per family: (scenario with demand, rows, travel minutes, the rules it breaks) -------


def _shifts():
    """Each row breaks one row rule; no demand, one team per row, so nothing else is broken."""
    sc = make_scenario([("A", 40, "X"), ("B", 40, "Y")], [("H1", "Z1"), ("H2", "Z2")],
                       [("Z1", "staggered", ["A"]), ("Z2", "staggered", ["B"])])
    rows = [
        shift("SH01", "Q-T1", "Q", "H1", 8, 12, 8.5, 11.5),  # unknown station
        shift("SH02", "B-T1", "B", "H1", 8, 12, 8.5, 11.5),  # B is not a member of Z1
        shift("SH03", "A-T1", "A", "H1", 12, 8, 8.5, 11.5),  # ends before it starts
        shift("SH04", "A-T2", "A", "H1", 8, 12, 8.25, 11.5),  # 15 min to travel 30
        shift("SH05", "A-T3", "A", "H1", 8, 12, 8.5, 11.75),  # 15 min to travel back 30
        shift("SH06", "A-T4", "A", "H1", 8, 14, 8.5, 13.5),  # 6 h, not 4 or 8
        shift("SH07", "A-T5", "A", "H1", 8.5, 12.5, 9, 12),  # 08:30, off the hourly grid
        shift("SH08", "A-T6", "A", "H1", -8, -4, -7.5, -4.5),  # all of it before Monday
    ]
    expected = {"unknown_id", "member", "times", "travel_out", "travel_back", "shift_length", "start_grid",
                "start_before_horizon"}
    return sc, rows, 30, expected


def _coverage():
    """Demand 08-12; the one shift is on site 08-10 only."""
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])])
    sc = with_demand(sc, {"H1": [(8, 12, 1)]})
    return sc, [shift("SH01", "A-T1", "A", "H1", 6, 10)], 0, {"gap"}


def _synchronized():
    """Demand 08-10 at H1 and H2: A alone at H1 (one station, one county); A and C at H2 (two
    stations, both of county X, while the members span X and Y)."""
    sc = make_scenario([("A", 4, "X"), ("B", 4, "Y"), ("C", 4, "X")], [("H1", "Z1"), ("H2", "Z1")],
                       [("Z1", "synchronized", ["A", "B", "C"])])
    sc = with_demand(sc, {"H1": [(8, 10, 1)], "H2": [(8, 10, 1)]})
    rows = [
        shift("SH01", "A-T1", "A", "H1", 8, 12),
        shift("SH02", "A-T2", "A", "H2", 8, 12),
        shift("SH03", "C-T1", "C", "H2", 8, 12),
    ]
    return sc, rows, 0, {"synchronized_stations", "synchronized_jurisdictions"}


def _capacity():
    """A has 2 teams: A-T1 overlaps itself, A-T2 rests 4 h, team S works for A and B (a third
    team at A)."""
    sc = make_scenario([("A", 4, "X"), ("B", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A", "B"])])
    rows = [
        shift("SH01", "A-T1", "A", "H1", 8, 12),
        shift("SH02", "A-T1", "A", "H1", 10, 14),
        shift("SH03", "A-T2", "A", "H1", 0, 4),
        shift("SH04", "A-T2", "A", "H1", 8, 12),
        shift("SH05", "S", "B", "H1", 0, 4),
        shift("SH06", "S", "A", "H1", 16, 20),
    ]
    return sc, rows, 0, {"overlap", "rest", "team_station", "team_count"}


def _max_shifts():
    sc = make_scenario([("A", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                       rules={"max_shifts_per_team": 1})
    rows = [shift("SH01", "A-T1", "A", "H1", 0, 4), shift("SH02", "A-T1", "A", "H1", 16, 20)]
    return sc, rows, 0, {"max_shifts"}


def _availability():
    """A has two teams, but on Monday only two officers: one team may start."""
    sc = make_scenario([("A", 4, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A"])],
                       availability=[("A", "2026-11-30", 2)])
    rows = [shift("SH01", "A-T1", "A", "H1", 8, 12), shift("SH02", "A-T2", "A", "H1", 8, 12)]
    return sc, rows, 0, {"availability"}


def _handover():
    """Demand 08-16 covered end to end, but B arrives at 12:00 as A leaves: no 30-minute overlap."""
    sc = make_scenario([("A", 2, "X"), ("B", 2, "X")], [("H1", "Z1")], [("Z1", "staggered", ["A", "B"])],
                       modes={"handover_minutes": 30})
    sc = with_demand(sc, {"H1": [(8, 16, 1)]})
    rows = [shift("SH01", "A-T1", "A", "H1", 8, 12), shift("SH02", "B-T1", "B", "H1", 12, 16)]
    return sc, rows, 0, {"handover"}


def _visits():
    """A loop shift breaking each visit rule once; a lone visit in a synchronized zone."""
    import pandas as pd

    from builders import VISIT_COLUMNS, visit_travel

    sc = make_scenario([("A", 4, "X"), ("B", 4, "Y")], [("H1", "Z1"), ("H2", "Z1"), ("H3", "Z2")],
                       [("Z1", "staggered", ["A"]), ("Z2", "synchronized", ["A", "B"])])
    sc = sc.replace(demand=pd.DataFrame([("", "Z1", "mon", "20:00", "24:00", 1, "visit", 15, 120),
                                         ("", "Z2", "mon", "20:00", "24:00", 1, "visit", 15, 120)],
                                        columns=VISIT_COLUMNS))
    rows = [shift("SH01", "A-T1", "A", "H1", 19, 27, 19.5, 26.5), shift("SH02", "A-T2", "A", "H3", 19, 27, 19.5, 26.5)]
    at = lambda h: (H0 + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    visits = pd.DataFrame([
        ("V1", "SH01", "A-T1", "A", "H1", at(20), at(20.25)),
        ("V2", "SH01", "A-T1", "A", "H2", at(20 + 20 / 60), at(20 + 35 / 60)),  # 5 min for a 12-minute road
        ("V3", "SH01", "A-T1", "A", "H1", at(21), at(21 + 5 / 60)),  # 5 min on site
        ("V4", "SH01", "A-T1", "A", "H2", at(23), at(23.25)),  # 160 min after the last at H2
        ("V5", "SH01", "A-T1", "A", "H1", at(27), at(27.25)),  # after the shift's on-site time
        ("V6", "SH02", "A-T2", "A", "H3", at(20), at(20.25)),  # no partner station
    ], columns=["visit_id", "shift_id", "team_id", "station_id", "hotspot_id", "arrive", "depart"])
    return sc, rows, visit_travel(sc, 30, 12), {"visit_shift", "visit_road", "visit_dwell", "visit_joint",
                                                 "visit_interval"}, visits


CASES = {
    "shifts": _shifts,
    "visits": _visits,
    "coverage": _coverage,
    "synchronized": _synchronized,
    "capacity": _capacity,
    "max_shifts": _max_shifts,
    "availability": _availability,
    "handover": _handover,
}


def _check(case):
    sc, rows, minutes, _, *visits = case()
    tr = minutes if hasattr(minutes, "out_min") else travel(sc, minutes)
    return check_roster(sc, roster(rows), travel=tr, visits=visits[0] if visits else None)


# --- the families and their rules ----------------------------------------------------------------


def test_the_checker_has_one_function_per_family_and_every_rule_a_family():
    assert set(FAMILY_CHECKS) == set(FAMILIES)
    assert set(CASES) == set(FAMILIES)
    assert set(RULE_FAMILY) == set(RULES)
    # the published family (history, pinned, previous_rest) checks a re-plan against its old roster, outside
    # FAMILY_CHECKS: it needs the published roster (patrolplan.check.published; tests/test_replan.py)
    assert set(RULE_FAMILY.values()) == set(FAMILIES) | {"published"}
    for name, check in FAMILY_CHECKS.items():
        assert check.__name__ == f"check_{name}"


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_docstring_says_its_rules(family):
    doc = FAMILY_CHECKS[family].__doc__ or ""
    for rule in (r for r, f in RULE_FAMILY.items() if f == family):
        assert rule in doc, f"check_{family}'s docstring does not say the {rule} rule"


@pytest.mark.parametrize("family", FAMILIES)
def test_a_roster_breaking_the_family_is_reported_under_its_rules(family):
    expected = CASES[family]()[3]
    report = _check(CASES[family])
    assert {v.rule for v in report.violations} == expected
    assert {RULE_FAMILY[v.rule] for v in report.violations} == {family}


@pytest.mark.parametrize("family", FAMILIES)
def test_without_the_family_function_its_broken_roster_passes(family, monkeypatch):
    """The previous test's assertion fails once the family's function is neutered: the
    function, reached through FAMILY_CHECKS, is what catches the case."""
    monkeypatch.setitem(FAMILY_CHECKS, family, lambda facts: [])
    report = _check(CASES[family])
    assert report.ok, [v.rule for v in report.violations]


def test_the_coverage_table_is_kept_without_the_coverage_function(monkeypatch):
    monkeypatch.setitem(FAMILY_CHECKS, "coverage", lambda facts: [])
    report = _check(_coverage)
    assert report.uncovered_slots == 2 and report.coverage["gap"].tolist() == [False, False, True, True]


# --- synchronized: a blank jurisdiction is no jurisdiction ---------------------------------------

#: A (county X), B (county blank), C (county Y), all members of one synchronized county zone
BLANK = {"A": "X", "B": "", "C": "Y"}


@pytest.mark.parametrize(
    "present, ok",
    [
        (("A", "B"), False),  # one county and none: B adds a station, not a county
        (("A", "C"), True),
        (("B", "C"), False),  # the same as A+B with X and Y swapped
        (("A", "B", "C"), True),
        (("A",), False),
        (("B",), False),
    ],
)
def test_blank_jurisdiction_in_a_synchronized_zone(present, ok, monkeypatch):
    """Members span X and Y (the blank is none), so two non-blank counties must be on site."""
    sc = make_scenario([(s, 2, c) for s, c in BLANK.items()], [("H1", "Z1")],
                       [("Z1", "synchronized", list(BLANK), "county")],
                       modes={"synchronized_min_stations": 1})
    sc = with_demand(sc, {"H1": [(8, 10, 1)]})
    rows = [shift(f"SH0{n}", f"{s}-T1", s, "H1", 8, 12) for n, s in enumerate(present, 1)]
    report = check_roster(sc, roster(rows), travel=travel(sc, 0))
    assert [v.rule for v in report.violations] == ([] if ok else ["synchronized_jurisdictions"])
    if not ok:
        assert "but the members span X, Y" in report.violations[0].message
    # the same answer from the pure rule the family function uses
    assert synchronized_ok(set(present), 1, BLANK, set(BLANK.values())) == (True, ok)
    # and through FAMILY_CHECKS: without the family, nothing notices
    monkeypatch.setitem(FAMILY_CHECKS, "synchronized", lambda facts: [])
    assert check_roster(sc, roster(rows), travel=travel(sc, 0)).ok


def test_members_spanning_one_jurisdiction_and_blanks_need_no_second():
    """Members X and blank span one jurisdiction: two stations suffice."""
    assert synchronized_ok({"A", "B"}, 2, {"A": "X", "B": ""}, {"X", ""}) == (True, True)
    assert synchronized_ok({"A"}, 2, {"A": "X"}, {"X", ""}) == (False, True)


# --- independence --------------------------------------------------------------------------------

_SOLVER_SIDE = ("demand", "model", "problem", "solve", "assign", "greedy", "result", "explain", "rules")


def _imported_modules(path: Path) -> set[str]:
    """Every module an import in ``path`` may load, as absolute dotted names."""
    package = "patrolplan.check"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def test_the_checker_imports_nothing_of_the_solver_side():
    folder = Path(check_package.__file__).parent
    files = sorted(folder.glob("*.py"))
    assert {p.stem for p in files} >= {"__init__", "parse", "expand", "facts", "rules", "report"}
    for path in files:
        for name in _imported_modules(path):
            parts = name.split(".")
            if parts[0] == "patrolplan" and len(parts) > 1 and parts[1] != "check":
                assert parts[1] not in _SOLVER_SIDE, f"{path.name} imports {name}"
