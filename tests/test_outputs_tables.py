"""Issue 23: the writers of ``outputs/`` read a run folder's tables once (``outputs.tables``)
and leave them as they were; no function in ``outputs/`` runs over 80 lines."""

from __future__ import annotations

import ast
import dataclasses
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from patrolplan.outputs import report
from patrolplan.outputs.gpkg import write_geopackage
from patrolplan.outputs.html import write_report
from patrolplan.outputs.plotting import write_pictures
from patrolplan.outputs.sheets import write_sheets
from patrolplan.outputs.tables import read_run
from patrolplan.outputs.xlsx import write_workbook
from test_plotting import copy_run, tiny_scenario

OUTPUTS = Path(__file__).resolve().parents[1] / "src" / "patrolplan" / "outputs"
MAX_LINES = 80

_CHANGES = (
    "change,team_id,station_id,old_shift_id,old_team_id,old_start,old_end,old_hotspot_id,old_loop_hotspots,"
    "new_shift_id,new_team_id,new_start,new_end,new_hotspot_id,new_loop_hotspots\n"
    "moved,S1-T01,S1,SH0001,S2-T01,2026-11-30T06:00,2026-11-30T14:00,H1,,SH0019,S1-T01,2026-11-30T06:00,"
    "2026-11-30T14:00,H1,\n"
)


@pytest.fixture(scope="module")
def scenario():
    return tiny_scenario()


@pytest.fixture
def run(tmp_path):
    """The fixture run folder of a re-plan with no gap-free roster: changes.csv, explanation.md."""
    folder = copy_run(tmp_path)
    (folder / "changes.csv").write_text(_CHANGES, encoding="utf-8")
    (folder / "explanation.md").write_text("# Why there is no gap-free roster\n\nH4 at 22:00.\n", encoding="utf-8")
    return folder


def _snapshot(tables) -> dict:
    out = {"summary": repr(dict(tables.summary)), "explanation": tables.explanation}
    for field in ("roster", "coverage", "visits", "changes", "response"):
        df = getattr(tables, field)
        out[field] = None if df is None else (
            int(pd.util.hash_pandas_object(df, index=True).sum()), tuple(df.columns), tuple(map(str, df.dtypes)))
    return out


def test_read_run_holds_every_table_and_is_frozen(run):
    tables = read_run(run)
    assert len(tables.roster) == 18 and tables.coverage["gap"].dtype == bool
    assert tables.summary["status"] and tables.visits is None and tables.response is None
    assert list(tables.changes["change"]) == ["moved"] and tables.explanation.startswith("# Why")
    with pytest.raises(dataclasses.FrozenInstanceError):
        tables.roster = tables.roster.iloc[0:0]
    with pytest.raises(TypeError):
        tables.summary["status"] = "optimal"  # summary.json is read-only too


def test_write_all_reads_each_table_once(run, scenario, monkeypatch):
    read = Counter()
    read_csv, read_text = pd.read_csv, Path.read_text

    def counting_read_csv(path, *args, **kwargs):
        read[Path(path).name] += 1
        return read_csv(path, *args, **kwargs)

    def counting_read_text(self, *args, **kwargs):
        read[self.name] += 1
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", counting_read_csv)
    monkeypatch.setattr(Path, "read_text", counting_read_text)
    report.write_all(scenario, run)
    tables = {k: n for k, n in read.items() if k.endswith((".csv", ".json", ".md"))}
    assert tables == {"roster.csv": 1, "coverage.csv": 1, "summary.json": 1, "changes.csv": 1, "explanation.md": 1}


def test_the_writers_leave_the_tables_as_they_were(run, scenario):
    tables = read_run(run)
    before = _snapshot(tables)
    write_sheets(scenario, run, tables)
    write_pictures(scenario, run, tables=tables)
    write_report(scenario, run, tables)
    write_workbook(scenario, run, tables)
    write_geopackage(scenario, run, tables)
    assert _snapshot(tables) == before
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "id='explanation'" in page and "id='changes-s'" in page  # what the tables held reached the page


def test_no_function_in_outputs_runs_over_80_lines():
    long = []
    for path in sorted(OUTPUTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if node.end_lineno - first + 1 > MAX_LINES:
                    long.append(f"{path.relative_to(OUTPUTS)}:{node.lineno} {node.name} "
                                f"({node.end_lineno - first + 1} lines)")
    assert long == [], "split these into named steps:\n" + "\n".join(long)
