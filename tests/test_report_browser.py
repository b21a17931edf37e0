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


def _cjk_font_dirs() -> list[str]:
    fc = shutil.which("fc-list")
    if fc is None:
        return []
    out = subprocess.run([fc, ":lang=zh", "file"], capture_output=True, text=True).stdout
    return sorted({str(Path(line.split(":")[0]).parent) for line in out.splitlines() if line.strip()})


def _screenshot(html: str, tmp: Path, name: str, *, hide_cjk: list[str] | None = None):
    """Chromium's screenshot of ``html``; with ``hide_cjk`` the CJK font folders are hidden
    from it (an empty tmpfs over each, in a mount namespace of its own): a pip-only machine."""
    import numpy as np
    from PIL import Image

    src, out = tmp / f"{name}.html", tmp / f"{name}.png"
    src.write_text(html, encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={tmp / ('profile-' + name)}", "--window-size=1600,400", f"--screenshot={out}",
           src.as_uri()]
    if hide_cjk is not None:
        mounts = "".join(f"mount -t tmpfs none '{d}' && " for d in hide_cjk)
        cmd = ["unshare", "-m", "sh", "-c", mounts + 'exec "$@"', "sh", *cmd]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_CACHE_HOME": str(tmp / "cache")}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
    assert out.is_file(), proc.stderr[-2000:]
    return np.asarray(Image.open(out).convert("L")).astype(int)


def _can_hide_fonts() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare not found"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return None if probe.returncode == 0 else "cannot make a mount namespace here (needs root)"


def test_chinese_renders_in_the_page_with_no_cjk_font_on_the_machine(run, tmp_path):
    """Issue 15: on a pip-only machine the report still shows Chinese. Chromium, with every
    system CJK font hidden, draws the page's Chinese with the page's embedded font exactly as the
    full Noto Sans CJK SC draws it, and not as the boxes it draws once that font is removed."""
    why = _can_hide_fonts()
    if why:
        pytest.skip(why)
    page = (run / "report.html").read_text(encoding="utf-8")
    font_face = re.search(r"@font-face \{[^}]*\}", page).group(0)
    body = re.sub(r"<[^>]+>", "", page.split("</style>", 1)[1])
    hanzi = "".join(sorted({c for c in body if "\u4e00" <= c <= "\u9fff"}))
    assert len(hanzi) >= 8, hanzi

    def probe(css: str, family: str) -> str:
        return (f"<!doctype html><html><head><meta charset='utf-8'><style>{css} body {{ margin: 0; "
                f"background: #fff; }} p {{ margin: 20px; font: 48px '{family}'; }}</style></head>"
                f"<body><p>{hanzi}</p></body></html>")

    hidden = _cjk_font_dirs()
    embedded = _screenshot(probe(font_face, "patrolplan CJK"), tmp_path, "embedded", hide_cjk=hidden)
    no_font = _screenshot(probe("", "patrolplan CJK"), tmp_path, "none", hide_cjk=hidden)
    differs = lambda a, b: float((abs(a - b) > 64).mean())
    assert (embedded < 128).mean() > 0.005  # ink on the page
    assert differs(embedded, no_font) > 0.01  # not the fallback boxes
    if any("noto" in d.lower() for d in hidden):  # the full font is on this machine: compare
        system = _screenshot(probe("", "Noto Sans CJK SC"), tmp_path, "system")
        assert differs(embedded, system) < 0.3 * differs(embedded, no_font)
