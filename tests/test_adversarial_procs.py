"""Adversarial round of issue 21 part 4, as subprocesses: signals during replan / site / batch,
stdout closed early, two solves into one --out at once, and huge inputs (time and memory with a
bound asserted). In-process cases: ``test_adversarial_inputs.py``."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from adversarial import PY, copy_configs, copy_run, digest, env, popen, solved  # noqa: F401

# real signals at chosen moments: a moment the machine delays may miss its window (pyproject)
pytestmark = pytest.mark.flaky(reruns=2)

AT = "2026-12-02T12:00"
QUICK = ["--time-limit", "8", "--no-pictures", "--quiet"]


def _wait(proc: subprocess.Popen, timeout: float):
    """(returncode, stdout, stderr, max RSS in MB) of ``proc``."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"no exit within {timeout} s: {err[-400:]}")
    return proc.returncode, out or "", err or ""


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group this suite started (popen starts a new session per command)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _big_costs(path: Path, n: int) -> None:
    """A long cost matrix of n clients x n facilities (n*n rows) and its clients file."""
    rng = np.random.default_rng(0)
    cost = rng.integers(1, 500, size=n * n)
    ci = np.repeat(np.arange(n), n)
    fi = np.tile(np.arange(n), n)
    with open(path, "w") as f:
        f.write("client_id,facility_id,cost\n")
        chunk = 200_000
        for a in range(0, n * n, chunk):
            s = slice(a, a + chunk)
            f.write("".join(f"C{c},F{d},{v}\n" for c, d, v in zip(ci[s].tolist(), fi[s].tolist(), cost[s].tolist())))
    with open(path.with_name("clients.csv"), "w") as f:
        f.write("client_id,weight\n" + "".join(f"C{c},1\n" for c in range(n)))


@pytest.fixture(scope="session")
def big_matrix(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("adv-big") / "costs.csv"
    _big_costs(path, 1000)
    return path


# --- signals -------------------------------------------------------------------------------

def _replan(solved, tmp_path):
    frm = copy_run(solved.ex, tmp_path / "from")
    out = copy_run(solved.ex, tmp_path / "out")  # last week's good result, to be kept
    return ["replan", solved.cfg / "example.yaml", "--from", frm, "--at", AT, "--out", out, *QUICK], out


def _batch(solved, tmp_path):
    cfg = copy_configs(tmp_path / "configs")
    root = tmp_path / "runs"
    copy_run(solved.ex, root / "example")  # an earlier batch's folder
    return ["batch", cfg / "example.yaml", cfg / "example-visits.yaml", cfg / "example-next.yaml",
            "--workers", "2", "--out-root", root, "--time-limit", "20", "--quiet"], root / "example"


def _site(big_matrix, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    return ["site", "--costs", big_matrix, "--clients", big_matrix.with_name("clients.csv"), "--model", "pmedian",
            "--p", "20", "--out", out, "--time-limit", "60"], out


SIGNALS = [
    pytest.param("replan", signal.SIGINT, 1.2, id="replan-SIGINT"),
    pytest.param("replan", signal.SIGTERM, 1.2, id="replan-SIGTERM"),
    pytest.param("replan", signal.SIGTERM, 0.4, id="replan-SIGTERM-during-imports"),
    pytest.param("batch", signal.SIGINT, 3.0, id="batch-SIGINT"),
    pytest.param("batch", signal.SIGTERM, 3.0, id="batch-SIGTERM"),
    pytest.param("site", signal.SIGINT, 9.0, id="site-pmedian-1000x1000-SIGINT"),
    pytest.param("site", signal.SIGTERM, 9.0, id="site-pmedian-1000x1000-SIGTERM"),
]


@pytest.mark.parametrize("what, sig, delay", SIGNALS)
def test_signal(tmp_path, solved, big_matrix, what, sig, delay):
    """Ctrl-C / SIGTERM: exit 130 / 143 within a few seconds, one line naming what was kept, no
    traceback, the earlier folder as it was (or, if it finished first, exit 0/1 and a complete folder)."""
    if what == "replan":
        argv, keep = _replan(solved, tmp_path)
    elif what == "batch":
        argv, keep = _batch(solved, tmp_path)
    else:
        argv, keep = _site(big_matrix, tmp_path)
    before = digest(keep)
    proc = popen(*argv)
    time.sleep(delay)
    sent = time.monotonic()
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C: the terminal signals the whole foreground group
    else:
        proc.send_signal(sig)  # kill -TERM PID
    code, out, err = _wait(proc, 25)
    took = time.monotonic() - sent
    assert "Traceback" not in err + out, f"traceback on {sig.name}: {err[-800:]}"
    if code in (0, 1):
        return  # finished before the signal landed: nothing to keep
    out_dir = Path(str(argv[argv.index("--out") + 1])) if "--out" in argv else None
    if code == -sig and out_dir is not None and (out_dir / "summary.json").is_file() and "Traceback" not in err:
        return  # the work was done and published; the signal met the interpreter on its way out
    want = 130 if sig == signal.SIGINT else 143
    assert code == want, f"exit {code} on {sig.name}: {err[-400:]}"
    assert took < 10, f"{took:.1f} s from {sig.name} to exit"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"{len(lines)} lines on stderr: {err[-800:]}"
    if what != "site":
        assert digest(keep) == before, "the earlier folder changed though the message says it was kept"


# --- stdout closed early -------------------------------------------------------------------

def _pipe_argv(solved, tmp_path, what):
    cfg = solved.cfg
    if what == "respond":
        return ["respond", solved.vis, "--hotspot", "H1", "--time", "2026-12-01T22:30"]
    if what == "respond-json":
        return ["respond", solved.vis, "--at", "116.48,35.41", "--time", "2026-12-01T22:30", "--json"]
    if what == "check":
        bad = copy_run(solved.ex, tmp_path / "bad")
        text = (bad / "roster.csv").read_text().splitlines()
        (bad / "roster.csv").write_text("\n".join(text[:3]) + "\n")  # gaps: a long report
        return ["check", cfg / "example.yaml", bad]
    if what == "site-json":
        return ["site", "--costs", cfg / "siting" / "costs.csv", "--clients", cfg / "siting" / "clients.csv",
                "--weight", "risk", "--model", "pmedian", "--p", "2", "--json", "--out", tmp_path / "s"]
    if what == "validate":
        c = copy_configs(tmp_path / "configs")
        d = c / "example" / "demand.csv"
        d.write_text(d.read_text() + "".join(f"H{i},,mon,08:00,10:00,x\n" for i in range(400)))
        return ["validate", c / "example.yaml"]
    raise AssertionError(what)


@pytest.mark.parametrize("what", ["respond", "respond-json", "check", "site-json", "validate"])
def test_stdout_closed_early(tmp_path, solved, what):
    """`patrolplan ... | head -1` (validate: `2>&1 | head -1`, its problems go to stderr): no
    BrokenPipeError traceback, the command's own exit code (or SIGPIPE's)."""
    argv = _pipe_argv(solved, tmp_path, what)
    r, w = os.pipe()
    errfile = open(tmp_path / "stderr.txt", "w+")
    proc = subprocess.Popen([PY, "-m", "patrolplan.cli", *[str(a) for a in argv]], env=env(), stdout=w,
                            stderr=w if what == "validate" else errfile, text=True, start_new_session=True)
    os.close(w)
    with os.fdopen(r) as reader:
        reader.readline()
    try:
        code = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        pytest.fail(f"{what} did not exit after its reader closed")
    errfile.seek(0)
    err = errfile.read()
    assert "Traceback" not in err and "BrokenPipeError" not in err, f"{what} | head -1: {err[-600:]}"
    # 1 would be a traceback's exit (validate's stderr went into the closed pipe), 120 a failed flush;
    # check's roster has gaps (its first two rows only), so check's own verdict is 1 (its stderr is
    # the file read above: a traceback there fails the assertion before)
    allowed = {"validate": (2, 141, -13), "check": (1, 141, -13)}.get(what, (0, 141, -13))
    assert code in allowed, f"{what} | head -1: exit {code}: {err[-300:]}"


# --- concurrency ---------------------------------------------------------------------------

def test_two_solves_into_one_out(tmp_path, solved):
    """Two solves into one --out at once: one waits or is refused (exit 2, says the folder is
    in use); never both exit 0 with the second silently replacing the first."""
    cfg = copy_configs(tmp_path / "configs")
    out = tmp_path / "out"
    a = popen("solve", cfg / "example.yaml", "--out", out, *QUICK, "--seed", "1")
    b = popen("solve", cfg / "example-visits.yaml", "--out", out, *QUICK, "--seed", "2")
    ca, _, ea = _wait(a, 90)
    cb, _, eb = _wait(b, 90)
    assert "Traceback" not in ea + eb, (ea + eb)[-800:]
    assert sorted([ca, cb]) != [0, 0] or "wait" in (ea + eb).lower(), \
        f"both solves exit 0 into one --out, no lock: {ea[-200:]} | {eb[-200:]}"
    assert sorted([ca, cb]) == [0, 2], (ca, cb, ea[-300:], eb[-300:])
    refused_err = ea if ca == 2 else eb
    assert str(out.name) in refused_err or "--out" in refused_err, refused_err


# --- huge inputs ---------------------------------------------------------------------------

def _timed(*argv, timeout: float, cap_mb: int = 6000):
    """Run patrolplan under /usr/bin/time with an address-space cap (a runaway fails, not the machine): (code, stderr, max RSS MB)."""
    proc = subprocess.Popen(["/usr/bin/time", "-f", "MAXRSS_KB=%M", PY, "-m", "patrolplan.cli",
                             *[str(a) for a in argv]], env=env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_limited(cap_mb),
                            start_new_session=True)
    code, _, err = _wait(proc, timeout)
    rss = [int(ln.split("=")[1]) for ln in err.splitlines() if ln.startswith("MAXRSS_KB=")]
    return code, err, (rss[-1] / 1024 if rss else float("inf"))


def _limited(mb: int):
    def pre():
        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
    return pre


def test_site_reads_a_2000x2000_matrix(tmp_path):
    """Reading a 2000x2000 cost file (4M rows) takes < 10 s and < 1.5 GB; then a short solve (a
    sparse cover: HiGHS does not look at its time limit while it presolves a dense one, so a
    p-center search over this matrix overruns a 2 s limit — noted for the next round)."""
    path = tmp_path / "costs.csv"
    _big_costs(path, 2000)
    t0 = time.monotonic()
    code, err, rss = _timed("site", "--costs", path, "--clients", path.with_name("clients.csv"), "--model",
                            "lscp", "--radius", "20", "--out", tmp_path / "site", "--time-limit", "2", "--json",
                            timeout=20)
    took = time.monotonic() - t0
    assert "Traceback" not in err, err[-600:]
    assert rss < 1500, f"{rss:.0f} MB to read a 2000x2000 matrix"
    assert took < 10 + 2 + 6, f"{took:.1f} s for a 2000x2000 matrix and a 2 s solve"


def _huge_npz(src: Path, dst: Path, n: int) -> None:
    """src's travel.npz with out_min declaring n x n int32 (zeros, deflated: ~1.5 MB for n=20000)."""
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, a in arrays.items():
            if name in ("out_min", "back_min"):
                with zf.open(name + ".npy", "w", force_zip64=True) as f:
                    hdr = {"descr": "<i4", "fortran_order": False, "shape": (n, n)}
                    np.lib.format.write_array_header_1_0(f, hdr)
                    row = np.zeros(n * 500, dtype="<i4").tobytes()
                    for _ in range(n // 500):
                        f.write(row)
            else:
                with zf.open(name + ".npy", "w") as f:
                    np.lib.format.write_array(f, a, allow_pickle=False)


def test_huge_shape_travel_npz_is_not_loaded(tmp_path, solved):
    """A travel.npz whose out_min declares 12000x12000 (zeros, ~1 MB on disk): replan ignores it
    fast, without reading it into memory (issue: 20000x20000 took 24 s and 8 GB). Run under a
    2.5 GB address-space cap, which a normal re-plan of the example fits in."""
    frm = copy_run(solved.ex, tmp_path / "from")
    _huge_npz(solved.ex / "travel.npz", frm / "travel.npz", 12000)
    assert (frm / "travel.npz").stat().st_size < 5_000_000
    t0 = time.monotonic()
    code, err, rss = _timed("replan", solved.cfg / "example.yaml", "--from", frm, "--at", AT, "--out",
                            tmp_path / "out", *QUICK, timeout=20, cap_mb=2500)
    took = time.monotonic() - t0
    assert "Traceback" not in err and "MemoryError" not in err, err[-600:]
    assert code == 0, (code, err[-400:])
    assert rss < 600, f"{rss:.0f} MB for a 1 MB travel.npz"
    assert took < 12, f"{took:.1f} s"
