"""Processes, signals and pipes (issue 21): one writer per run folder, an interrupt that says
what it published, a signal at any moment (an import included), a reader that closes early.
Each class has several variants; what depends on the process is run as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patrolplan import interrupts
from patrolplan.cli import main
from patrolplan.errors import UsageError
from patrolplan.outputs import runfolder
from patrolplan.outputs.runfolder import atomic_folder, lock_output, prepare_output, release_locks

# real signals at chosen moments: a moment the machine delays may miss its window (pyproject)
pytestmark = pytest.mark.flaky(reruns=2)

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "data" / "tiny" / "config.yaml"
EXAMPLE = REPO / "configs" / "example.yaml"
SITING = REPO / "configs" / "siting"
CONSOLE = Path(sys.executable).parent / "patrolplan"

_HOLD = """
import sys, time
from patrolplan.outputs.runfolder import lock_output
lock_output(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


def _run(*args, timeout=180, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(CONSOLE), *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw)


def _holder(out: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def run_folder(tmp_path) -> Path:
    out = tmp_path / "runs" / "week"
    assert main(["solve", str(TINY), "--out", str(out), "--no-pictures", "--quiet"]) == 0
    return out


# --- one writer per --out ----------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["solve", TINY, "--no-pictures", "--quiet", "--out"],
    ["demo", "--no-pictures", "--quiet", "--out"],
    ["site", "--costs", SITING / "costs.csv", "--clients", SITING / "clients.csv", "--weight", "risk",
     "--model", "lscp", "--radius", "5", "--out"],
])
def test_a_second_writer_of_the_same_out_is_refused_at_once_naming_the_first(tmp_path, command):
    out = tmp_path / "runs" / "week"
    proc = _holder(out)
    try:
        t0 = time.monotonic()
        done = _run(*command, out)
        assert done.returncode == 2, done.stderr
        assert f"is being written by patrolplan process {proc.pid}" in done.stderr
        assert "Traceback" not in done.stderr
        assert time.monotonic() - t0 < 30  # refused before any solving
        assert not out.exists()
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_holder_leaves_no_lock_behind(tmp_path):
    out = tmp_path / "runs" / "week"
    proc = _holder(out)
    proc.kill()  # SIGKILL: no clean-up at all, the lock file stays
    proc.wait()
    assert (out.parent / ".week.lock").exists()
    done = _run("solve", TINY, "--out", out, "--no-pictures", "--quiet")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["week"]  # lock file removed after


def test_two_solves_started_together_one_publishes_the_other_is_refused(tmp_path):
    out = tmp_path / "runs" / "week"
    procs = [subprocess.Popen([str(CONSOLE), "solve", str(TINY), "--out", str(out), "--no-pictures", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=180), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    if codes == [0, 0]:  # the first finished before the second reached its lock: legal, sequential
        pytest.skip("the two runs did not overlap on this machine")
    assert codes == [0, 2], results
    assert any("is being written by patrolplan process" in err for _, err in results)
    assert (out / "roster.csv").exists()


def test_the_lock_is_reentrant_in_one_process_and_released_after_publishing(tmp_path):
    target = tmp_path / "run"
    prepare_output(target)
    lock_output(target)  # the same process again: fine
    with atomic_folder(target) as tmp:
        (tmp / "roster.csv").write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    proc = _holder(target)  # released: another process may take it now
    try:
        with pytest.raises(UsageError, match=f"process {proc.pid}"):
            prepare_output(target)
    finally:
        proc.kill()
        proc.wait()
    release_locks()


# --- an interrupt says what it published ---------------------------------------------------------


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_held_back_during_the_swap_reports_the_published_folder(tmp_path, monkeypatch, capsys, signum,
                                                                         code):
    out = tmp_path / "week"
    real = os.replace

    def replace_then_signal(src, dst):
        real(src, dst)
        if Path(dst) == out:  # the new folder is in place: the signal lands now (held by the mask)
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(runfolder.os, "replace", replace_then_signal)
    assert main(["solve", str(TINY), "--out", str(out), "--no-pictures", "--quiet"]) == code
    err = capsys.readouterr().err
    assert f"stopped after publishing {out}" in err and "nothing published" not in err
    assert (out / "roster.csv").exists() and json.loads((out / "summary.json").read_text())["status"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week"]  # no .old-PID, no lock left


def test_a_signal_before_the_swap_still_says_nothing_published(tmp_path, run_folder, monkeypatch, capsys):
    before = (run_folder / "roster.csv").read_bytes()

    def killed(*a, **k):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)

    monkeypatch.setattr(runfolder, "_write_marker", killed)
    assert main(["solve", str(TINY), "--out", str(run_folder), "--no-pictures", "--quiet"]) == 143
    err = capsys.readouterr().err
    assert "nothing published" in err and "stopped after publishing" not in err
    assert (run_folder / "roster.csv").read_bytes() == before


def test_a_signal_that_surfaces_as_another_error_is_still_an_interrupt(monkeypatch, capsys):
    """A signal inside a native import (CP-SAT's) can come out as ImportError or SystemError."""
    from patrolplan import cli

    def native_import(args):
        interrupts._state.defer += 1  # as inside native code: the handler only records it
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            interrupts._state.defer -= 1
        raise ImportError("initialization of _pywrapcp raised unreported exception")

    monkeypatch.setitem(cli._COMMANDS, "validate", native_import)
    assert main(["validate", str(TINY)]) == 143
    err = capsys.readouterr().err
    assert "interrupted by SIGTERM" in err and "Traceback" not in err


def test_a_plain_bug_is_not_mistaken_for_an_interrupt(monkeypatch):
    from patrolplan import cli

    def bug(args):
        raise ImportError("a real bug")

    monkeypatch.setitem(cli._COMMANDS, "validate", bug)
    with pytest.raises(ImportError):
        main(["validate", str(TINY)])


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.4, 0.8, 1.5])
def test_sigterm_at_any_moment_of_start_up_gives_one_line_and_143(tmp_path, delay):
    """The handlers are installed before argparse and the heavy imports (HiGHS, CP-SAT, pandas)."""
    proc = subprocess.Popen([str(CONSOLE), "solve", str(TINY), "--out", str(tmp_path / "w"), "--no-pictures",
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    if proc.returncode == 0:  # finished before the signal
        return
    assert proc.returncode in (143, -signal.SIGTERM), err  # -15: before Python's own start-up ended
    if proc.returncode == 143:
        assert "interrupted by SIGTERM" in err
    assert not (tmp_path / "w").exists() or (tmp_path / "w" / "roster.csv").exists()


# --- a reader that closes early ------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pub") / "week"
    assert main(["solve", str(EXAMPLE), "--out", str(out), "--no-pictures", "--quiet", "--time-limit", "10"]) == 0
    return out


@pytest.mark.parametrize("args", [
    ["validate", EXAMPLE],
    ["check", EXAMPLE, "{run}"],
    ["respond", "{run}", "--hotspot", "H1", "--time", "2026-12-02T22:30"],
    ["respond", "{run}", "--hotspot", "H1", "--time", "2026-12-02T22:30", "--json"],
    ["site", "--costs", SITING / "costs.csv", "--clients", SITING / "clients.csv", "--weight", "risk",
     "--model", "pmedian", "--p", "2", "--json"],
])
def test_a_reader_that_closes_early_gives_no_traceback(published, args):
    argv = [str(CONSOLE), *(str(a).replace("{run}", str(published)) for a in args)]
    writer = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    writer.stdout.close()  # the reader is gone before the first line (as `| head -0`)
    err = writer.stderr.read().decode()
    code = writer.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == 141, err


@pytest.mark.parametrize("args", [
    ["validate", "{bad}"],                                                   # every problem on stderr
    ["check", EXAMPLE, "{run}", "--from", "{run}", "--at", "noon"],         # a usage error
    ["respond", "{run}", "--hotspot", "H99", "--time", "2026-12-02T22:30"],  # an input error
    ["replan", EXAMPLE, "--from", "{run}", "--at", "2026-12-02T12:00", "--out", "{run}"],
])
def test_an_error_into_a_closed_pipe_keeps_its_exit_code(published, tmp_path, args):
    """`patrolplan ... 2>&1 | head -0`: the message of an input error goes into the closed pipe;
    the command still exits 2 (or 141, when a warning line met the closed pipe first), never a
    traceback's 1 or a failed last flush's 120."""
    bad = tmp_path / "configs"
    shutil.copytree(REPO / "configs", bad)
    demand = bad / "example" / "demand.csv"
    demand.write_text(demand.read_text(encoding="utf-8") + "".join(f"H{i},,mon,08:00,10:00,x\n" for i in range(400)),
                      encoding="utf-8")
    argv = [str(CONSOLE), *(str(a).replace("{run}", str(published)).replace("{bad}", str(bad / "example.yaml"))
                            for a in args)]
    r, w = os.pipe()
    os.close(r)  # the reader is gone before the first line
    writer = subprocess.Popen(argv, stdout=w, stderr=w)
    os.close(w)
    code = writer.wait(timeout=120)
    assert code in (2, 141), f"exit {code}"


def test_head_one_reads_the_first_line(published):
    done = subprocess.run(f"'{CONSOLE}' check '{EXAMPLE}' '{published}' | head -1", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr


# --- batch: one line from the parent, and the folders already published --------------------------


@pytest.fixture(scope="module")
def slow_config(tmp_path_factory) -> Path:
    """A synthetic week whose MIP runs for many seconds (30 stations, 24/7 on 3 days)."""
    from patrolplan.scenarios.generate import generate_scenario

    config = generate_scenario(tmp_path_factory.mktemp("slow") / "scenario", stations=30, hotspots=40, days=3,
                               seed=0, coverage=1.0)
    text = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join("name: zslow" if line.startswith("name:") else line for line in text) + "\n",
                      encoding="utf-8")
    return config


@pytest.mark.parametrize("signum, code, group", [
    (signal.SIGINT, 130, True),    # Ctrl-C at a terminal: every process of the group gets it
    (signal.SIGTERM, 143, True),
    (signal.SIGTERM, 143, False),  # `kill PID` of the batch only
])
def test_an_interrupted_batch_reports_once_and_names_what_it_published(tmp_path, slow_config, signum, code, group):
    out = tmp_path / "out"
    proc = subprocess.Popen([str(CONSOLE), "batch", str(TINY), str(slow_config), "--workers", "1", "--out-root",
                             str(out), "--quiet", "--time-limit", "120"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not (out / "tiny" / "roster.csv").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # the slow config is being solved now
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err, err
    assert err.count("interrupted by") == 1, err
    assert f"stopped after publishing {out / 'tiny'}" in err and "nothing published" not in err
    assert sorted(p.name for p in out.iterdir()) == ["tiny"]  # no lock, no half-written zslow


@pytest.mark.parametrize("signum, group", [(signal.SIGINT, True), (signal.SIGTERM, False)])
def test_a_stopped_batch_starts_none_of_the_configs_already_queued(tmp_path, slow_config, signum, group):
    """Two workers, three configs: the pool hands the third to a worker's queue at once, beyond
    the reach of cancel_futures. A stopped worker must not start it (it used to solve and publish
    it while the parent waited, unnamed in the interrupt's line): the batch exits within seconds
    and the queued config leaves no folder."""
    out = tmp_path / "out"
    proc = subprocess.Popen([str(CONSOLE), "batch", str(slow_config), str(slow_config), str(TINY), "--workers", "2",
                             "--out-root", str(out), "--quiet", "--time-limit", "120"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(4)
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    took = time.monotonic() - sent
    assert proc.returncode == 128 + signum, err
    assert "Traceback" not in err and err.count("interrupted by") == 1, err
    assert "nothing published" in err, err
    assert not (out / "tiny").exists(), "a config queued before the signal was solved and published after it"
    assert took < 8, f"{took:.1f} s from the signal to the exit"


def test_a_worker_stopped_after_publishing_says_so_and_starts_nothing_more(monkeypatch, tmp_path):
    """A signal held back during the folder swap lands just after it: the row names the folder
    (so the parent's interrupt line does), and the worker then starts no other config."""
    from patrolplan import batch

    monkeypatch.setattr(batch, "_stopped", None)

    def published_then_stopped(config_path, out_dir, time_limit_s=None):
        interrupts.note_published(out_dir)
        raise interrupts.Interrupted(signal.SIGTERM)

    row = batch._run_safely(published_then_stopped, "a.yaml", str(tmp_path / "a"), None)
    assert row["exit_code"] == 143 and row["published"] == [str(tmp_path / "a")]
    assert f"interrupted after publishing {tmp_path / 'a'}" in row["error"]
    later = batch._run_safely(published_then_stopped, "b.yaml", str(tmp_path / "b"), None)
    assert later["exit_code"] == 143 and "not started" in later["error"] and "published" not in later


def test_a_run_that_fails_after_taking_its_lock_leaves_no_folder_it_made(tmp_path, capsys):
    counts = tmp_path / "values.csv"
    counts.write_text("name,value\nnot_a_column,1\n")  # read after the output is prepared and locked
    out = tmp_path / "new" / "runs" / "week"
    assert main(["solve", str(TINY), "--counts", str(counts), "--out", str(out), "--no-pictures", "--quiet"]) == 2
    assert "not a column of this model" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["values.csv"]
