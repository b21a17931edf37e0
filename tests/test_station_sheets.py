"""Per-station week sheets: stations/<station_id>.pdf and the matching roster.xlsx sheets."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from patrolplan.outputs import report  # noqa: E402
from patrolplan.outputs.plotting import plot_station_week, read_run_tables, station_week, station_weeks  # noqa: E402
from test_plotting import RUN_DIR, copy_run, tiny_scenario  # noqa: E402


@pytest.fixture(scope="module")
def scenario():
    return tiny_scenario()


@pytest.fixture(scope="module")
def roster():
    return read_run_tables(RUN_DIR)[0]


def test_week_grid_has_teams_as_rows_days_as_columns(scenario, roster):
    week = station_week(scenario, roster, "S2")
    assert week.title == "金乡镇派出所 (S2)"
    assert [d.isoformat() for d in week.days] == ["2026-11-30", "2026-12-01"]
    assert week.teams == ("S2-T01", "S2-T02", "S2-T03", "S2-T04")
    assert len(week.shifts) == 8 == (roster["station_id"] == "S2").sum()
    # S2-T01 on Monday: 06:00-14:00 at H1 (synchronized Z1) with S1 on site.
    (shift,) = week.cells[("S2-T01", 0)]
    lines = shift.lines(week.days[0])
    assert lines[0] == "06:00–14:00"
    assert lines[1] == "嘉祥金乡交界"
    assert "Z1" in lines[2] and "sync" in lines[2]
    assert lines[3] == "with 嘉祥镇派出所" and shift.partner_ids == ("S1",)
    # Staggered zones name no partner.
    (relay,) = week.cells[("S2-T03", 0)]
    assert relay.mode == "staggered" and len(relay.lines(week.days[0])) == 3


def test_times_across_midnight_and_before_the_horizon(scenario, roster):
    r = roster[roster["shift_id"] == "SH0001"].copy()
    r["start"] = pd.Timestamp("2026-11-29T22:00")
    r["on_site_start"] = pd.Timestamp("2026-11-29T22:25")
    late = roster[roster["shift_id"] == "SH0003"].copy()
    late["end"] = pd.Timestamp("2026-12-01T02:00")
    week = station_week(scenario, pd.concat([r, late]), "S1")
    (shift,) = week.cells[("S1-T01", 0)]  # before the horizon: listed on its first day
    assert shift.times(week.days[0]).startswith("Sun 22:00–")
    week2 = station_week(scenario, late, "S2")
    (s2,) = week2.cells[("S2-T01", 0)]
    assert s2.times(week2.days[0]) == "06:00–02:00+1"


def test_plot_station_week_draws_heading_days_teams_and_shifts(scenario, roster):
    ax = plot_station_week(scenario, roster, "S1")
    texts = {t.get_gid(): [] for t in ax.texts}
    for t in ax.texts:
        texts[t.get_gid()].append(t.get_text())
    (title,) = texts["sheet-title"]
    assert "嘉祥镇派出所" in title and "2026-11-30" in title and "2026-12-01" in title
    assert texts["sheet-day"] == ["Mon 11-30", "Tue 12-01"]
    assert texts["sheet-team"] == ["S1-T01", "S1-T02", "S1-T03"]
    assert len(texts["sheet-shift-time"]) == 6
    n_h4 = ((roster["station_id"] == "S1") & (roster["hotspot_id"] == "H4")).sum()
    assert sum("嘉祥鱼台镇界" in t for t in texts["sheet-shift"]) == n_h4 > 0  # H4, by name
    assert any("with 金乡镇派出所" in t for t in texts["sheet-shift"])


def test_write_station_sheets_one_pdf_per_station(tmp_path, scenario):
    run = copy_run(tmp_path)
    paths = report.write_station_sheets(scenario, run)
    assert [p.relative_to(run).as_posix() for p in paths] == ["stations/S1.pdf", "stations/S2.pdf", "stations/S3.pdf"]
    for p in paths:
        data = p.read_bytes()
        assert data[:5] == b"%PDF-"
        assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)) == 1
        assert b"patrolplan" in data  # the metadata's Creator
    assert not list((run / "stations").glob(".*tmp*"))


def test_sheet_file_names_are_safe_and_unique(scenario, roster):
    st = pd.DataFrame({"station_id": ["a/b", "a:b", "A/B", "..x"], "name": "", "officers": 2, "lon": 116.3,
                       "lat": 35.2, "reserve_officers": 0})
    names = report.station_sheet_names(scenario.replace(stations=st), roster.iloc[0:0])
    assert list(names.values()) == ["a_b.pdf", "a_b~2.pdf", "A_B~3.pdf", "x.pdf"]


def test_xlsx_station_sheet_matches_the_pdf(tmp_path, scenario, roster):
    run = copy_run(tmp_path)
    report.write_xlsx(scenario, run)
    wb = openpyxl.load_workbook(run / "roster.xlsx")
    ws = wb["S2 金乡镇派出所"]
    week = station_week(scenario, roster, "S2", drawable=False)
    assert ws["A1"].value == f"{week.title} — week {week.week}"
    assert [c.value for c in ws[4]][:3] == ["team", "Mon 11-30", "Tue 12-01"]
    assert [ws.cell(row=5 + i, column=1).value for i in range(4)] == list(week.teams)
    cell = ws.cell(row=5, column=2).value
    assert cell == "\n".join(week.cells[("S2-T01", 0)][0].lines(week.days[0]))
    assert ws.page_setup.fitToHeight == 1 and ws.print_area is not None


def test_every_station_has_a_week_even_without_shifts(scenario, roster):
    weeks = station_weeks(scenario, roster[roster["station_id"] != "S3"])
    s3 = next(w for w in weeks if w.station_id == "S3")
    assert s3.teams == () and s3.shifts == [] and s3.teams_available == 2
    ax = plot_station_week(scenario, roster[roster["station_id"] != "S3"], "S3")
    assert any(t.get_gid() == "sheet-empty" for t in ax.texts)
