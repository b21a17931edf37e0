"""report.html in a real browser (headless Chromium): pictures and table present, the
roster filter works, and printing gives one page per station."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from patrolplan.outputs import report  # noqa: E402
from test_plotting import copy_run, tiny_scenario  # noqa: E402

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not found (apt-get install chromium)")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    run = copy_run(tmp_path_factory.mktemp("browser"))
    report.write_all(tiny_scenario(), run)
    return run


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180,
    )


def _dom(run: Path, tmp: Path, query: str = "") -> str:
    proc = _chromium(tmp, "--virtual-time-budget=5000", "--dump-dom", (run / "report.html").resolve().as_uri() + query)
    assert "<html" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


def _roster_rows(dom: str) -> list[str]:
    table = re.search(r'<table[^>]*id="roster".*?<tbody>(.*?)</tbody>', dom, re.S).group(1)
    return re.findall(r"<tr[^>]*>", table)


def test_pictures_and_tables_are_in_the_rendered_page(run, tmp_path):
    dom = _dom(run, tmp_path)
    for key in ("map", "gantt", "gantt_station", "coverage"):
        assert re.search(rf'<img id="img-{key}"[^>]*src="data:image/png;base64,', dom)
    rows = _roster_rows(dom)
    assert len(rows) == 18 and not any("hidden" in r for r in rows)
    assert "18 of 18 shown" in dom
    assert dom.count("class=\"station-page\"") == 3
    # The script made the headers sortable (it ran in the browser).
    assert re.search(r'<table[^>]*id="roster"[^>]*>\s*<thead>\s*<tr[^>]*>\s*<th[^>]*tabindex="0"', dom)


@pytest.mark.parametrize("query, shown", [("H4", 2), ("S2-T01", 2), ("谷亭派出所 H2", 2), ("no-such-thing", 0)])
def test_filtering_the_roster(run, tmp_path, query, shown):
    from urllib.parse import quote

    dom = _dom(run, tmp_path, "?filter=" + quote(query))
    rows = _roster_rows(dom)
    visible = [r for r in rows if "hidden" not in r]
    assert len(rows) == 18 and len(visible) == shown
    assert f"{shown} of 18 shown" in dom


def test_print_gives_one_page_per_station(run, tmp_path):
    pdf = tmp_path / "print.pdf"
    proc = _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                     (run / "report.html").resolve().as_uri())
    assert pdf.is_file(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    assert pages == 3  # S1, S2, S3, and nothing else
