"""Many configs at once: ``run_batch(config_paths, workers=4)`` -> one run folder each + a summary.

Each config is solved by ``run_one`` (default :func:`patrolplan.runner.run_config`) in its own
worker process: local processes (:class:`concurrent.futures.ProcessPoolExecutor`) by default,
or the workers of a Dask cluster when ``dask_address`` is given. A config that fails (bad
input, solver error, a crashed worker) never stops the others: its row in the summary says why.

The summary (``batch_summary.csv``) has one row per config, in the order given:

``config``, ``name``, ``run_dir``, ``status``, ``exit_code``, ``objective``, ``best_bound``,
``gap_pct``, ``solve_seconds``, ``uncovered_slots``, ``team_hours``, ``error``

``status`` is the run's ``summary.json`` status, or ``error`` when the config failed;
``exit_code`` is what ``patrolplan solve`` would return for it (0 roster without gaps,
1 no such roster or a failure, 2 bad input); ``error`` is a one-line reason, empty on success.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import sys
import traceback
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from patrolplan import interrupts
from patrolplan.inputs.config import load_config
from patrolplan.errors import PatrolPlanError, UsageError
from patrolplan.outputs.runfolder import output_problem, release_locks

__all__ = ["run_batch", "batch_exit_code", "SUMMARY_COLUMNS", "SUMMARY_FILE"]

SUMMARY_FILE = "batch_summary.csv"
SUMMARY_COLUMNS = (
    "config",
    "name",
    "run_dir",
    "status",
    "exit_code",
    "objective",
    "best_bound",
    "gap_pct",
    "solve_seconds",
    "uncovered_slots",
    "team_hours",
    "error",
)
_RESULT_KEYS = ("status", "objective", "best_bound", "gap_pct", "solve_seconds", "uncovered_slots", "team_hours")

RunOne = Callable[..., dict]


# --- the per-config worker ------------------------------------------------------------------


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text or type(err).__name__


def _worker_init() -> None:
    """A local worker process: Ctrl-C (sent to the whole process group by the terminal) is
    the parent's to handle, once; the parent stops the workers with SIGTERM, which ends an
    idle worker quietly (the default action) and a busy one through :func:`_run_safely`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


#: set in a worker process once a SIGTERM stopped one of its runs: the batch is being stopped,
#: so the configs already handed to this worker (the pool queues one more than it has workers,
#: and ``cancel_futures`` cannot take those back) are not started
_stopped: int | None = None


def _run_safely(run_one: RunOne, config_path: str, out_dir: str | None, time_limit_s: float | None) -> dict:
    """Run one config in a worker; never raises (a failure becomes an ``error`` row). A SIGTERM
    while it runs discards the run folder being written (interrupts.py) and gives an
    ``interrupted`` row; after it, this worker starts no further config."""
    if _stopped is not None:
        return {"status": "error", "exit_code": 128 + _stopped,
                "error": "interrupted: not started (the batch was being stopped)"}
    try:
        return _run_guarded(run_one, config_path, out_dir, time_limit_s)
    finally:
        release_locks()  # this worker is done with the folder, whatever happened


def _run_guarded(run_one: RunOne, config_path: str, out_dir: str | None, time_limit_s: float | None) -> dict:
    try:
        with interrupts.handled(signals=(signal.SIGTERM,)):
            summary = run_one(config_path, out_dir, time_limit_s=time_limit_s)
    except KeyboardInterrupt as err:
        global _stopped
        code = err.exit_code if isinstance(err, interrupts.Interrupted) else 130
        _stopped = code - 128
        published = interrupts.published()  # a signal held back during the folder swap lands after it
        if published:
            return {"status": "error", "exit_code": code, "published": published,
                    "error": f"interrupted after publishing {', '.join(published)} (complete)"}
        return {"status": "error", "exit_code": code, "error": "interrupted: nothing published for this config"}
    except PatrolPlanError as err:
        return {"status": "error", "exit_code": 2, "error": _one_line(err)}
    except BaseException as err:  # noqa: BLE001 - a crash of one config must not end the batch
        where = traceback.extract_tb(err.__traceback__)[-1:] if err.__traceback__ else []
        at = f" (at {Path(where[0].filename).name}:{where[0].lineno})" if where else ""
        return {"status": "error", "exit_code": 1, "error": f"{type(err).__name__}: {_one_line(err)}{at}"}
    row = {key: summary.get(key) for key in _RESULT_KEYS}
    row["run_dir"] = str(summary.get("run_dir") or out_dir or "")
    row["exit_code"] = int(summary.get("exit_code", 0 if summary.get("status") in ("optimal", "feasible") else 1))
    row["error"] = ""
    return row


def _default_run_one() -> RunOne:
    try:
        from patrolplan.runner import run_config
    except ImportError as err:  # pragma: no cover - only while the runner is missing
        raise UsageError(f"patrolplan.runner.run_config is not available ({err}); pass run_one=") from None
    return run_config


# --- planning the batch ---------------------------------------------------------------------


def _plan(config_paths: Sequence[str | Path], out_root: Path | None) -> list[dict]:
    """One row per config: its name and run folder, or the reason it cannot be read.

    Run folders are ``<out_root or runs/>/<config name>``, absolute (so workers started
    elsewhere write to the same place). Two configs of the same name get ``-2``, ``-3``, ...
    after the name rather than overwriting each other's folder.
    """
    root = (out_root if out_root is not None else Path("runs")).resolve()
    rows, used = [], set()
    for path in config_paths:
        path = Path(path)
        row: dict[str, Any] = {"config": str(path), "name": "", "run_dir": ""}
        try:
            name = load_config(path).name
        except PatrolPlanError as err:
            row.update(status="error", exit_code=2, error=_one_line(err))
            rows.append(row)
            continue
        except Exception as err:  # noqa: BLE001 - whatever the failure, the others still run
            row.update(status="error", exit_code=1, error=f"{type(err).__name__}: {_one_line(err)}")
            rows.append(row)
            continue
        folder, k = name, 1
        while folder in used:
            k += 1
            folder = f"{name}-{k}"
        used.add(folder)
        row.update(name=name, run_dir=str(root / folder), config_abs=str(path.resolve()))
        problem = output_problem(root / folder)
        if problem is not None:  # refused before any solving, like `patrolplan solve --out`
            row.update(status="error", exit_code=2, error=problem)
        rows.append(row)
    return rows


# --- executors ------------------------------------------------------------------------------


def _progress_bar(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="batch", unit="config", file=sys.stderr, disable=not enabled, dynamic_ncols=True)


def _mp_context(run_one: RunOne):
    """``forkserver`` where there is one (workers fork from a clean server that has already
    imported patrolplan and ``run_one``'s module: fast starts, no threads inherited), else
    ``spawn``. Never plain ``fork``: the caller may hold threads (progress bar, Dask)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # takes effect when the server starts; a module that fails to import is skipped
        ctx.set_forkserver_preload(sorted({__name__, getattr(run_one, "__module__", None) or __name__}))
        return ctx
    return multiprocessing.get_context("spawn")


def _run_local(todo: list[dict], run_one: RunOne, workers: int, time_limit: float | None, done) -> None:
    """Local processes. A worker that dies takes the pool with it; the configs still open are
    then rerun one process each, so the crash is pinned on the config that caused it."""
    ctx = _mp_context(run_one)
    args = {id(r): (run_one, r["config_abs"], r["run_dir"], time_limit) for r in todo}
    suspects: list[dict] = []
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init) as pool:
        futures = {pool.submit(_run_safely, *args[id(r)]): r for r in todo}
        try:
            for fut in cf.as_completed(futures):
                row = futures[fut]
                try:
                    done(row, fut.result())
                except cf.process.BrokenProcessPool:
                    suspects.append(row)
                del futures[fut]
        except KeyboardInterrupt:
            _stop(pool, futures, done)
            raise
    # isolation: each open config alone in a one-process pool, at most `workers` at a time
    pending = list(suspects)
    running: dict[cf.Future, tuple[dict, cf.ProcessPoolExecutor]] = {}
    while pending or running:
        while pending and len(running) < workers:
            row = pending.pop(0)
            ex = cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_worker_init)
            running[ex.submit(_run_safely, *args[id(row)])] = (row, ex)
        try:
            finished, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
        except KeyboardInterrupt:
            for fut, (row, ex) in running.items():
                _stop(ex, {fut: row}, done)
            raise
        for fut in finished:
            row, ex = running.pop(fut)
            try:
                done(row, fut.result())
            except cf.process.BrokenProcessPool:
                done(row, {"status": "error", "exit_code": 1,
                           "error": "the worker process died (out of memory or a crash in native code)"})
            ex.shutdown(wait=True)


def _stop(pool: cf.ProcessPoolExecutor, open_: dict, done) -> None:
    """Interrupted: SIGTERM every worker (each discards the run folder it was writing, see
    interrupts.py, and starts none of the configs already queued to it) instead of waiting for
    their solves to finish and publish; then ``done`` for each config of ``open_`` (future ->
    row) whose run ended meanwhile, so that a folder published just before the signal is named
    in the interrupt's line and none is said to be missing that is there."""
    # the executor has no public way to signal its workers; _processes is its pid table
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            proc.terminate()
        except (OSError, ValueError):
            pass
    pool.shutdown(wait=True, cancel_futures=True)
    for fut, row in list(open_.items()):
        if fut.done() and not fut.cancelled():
            try:
                done(row, fut.result(timeout=0))
            except Exception:  # noqa: BLE001 - a worker that died while stopping: nothing published
                pass


def _run_dask(todo: list[dict], run_one: RunOne, address: str, time_limit: float | None, done) -> None:
    """Workers of the Dask cluster at ``address``; one task per config, no retries of a task
    whose worker died beyond Dask's own ``allowed-failures``."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise UsageError("dask_address needs dask[distributed]: pip install 'patrolplan[dask]'") from None
    try:
        client = Client(address, set_as_default=False, timeout="30s")
    except (OSError, TimeoutError, ValueError) as err:
        raise UsageError(f"cannot reach the Dask scheduler at {address!r}: {_one_line(err)}") from None
    try:
        batch = uuid.uuid4().hex[:8]
        futures = [
            client.submit(_run_safely, run_one, row["config_abs"], row["run_dir"], time_limit,
                          key=f"patrolplan-{batch}-{k}", pure=False)
            for k, row in enumerate(todo)
        ]
        rows = {fut.key: row for fut, row in zip(futures, todo)}
        for fut in as_completed(futures, loop=client.loop):
            row = rows[fut.key]
            try:
                done(row, fut.result())
            except Exception as err:  # the worker died while running it (KilledWorker), ...
                done(row, {"status": "error", "exit_code": 1, "error": f"{type(err).__name__}: {_one_line(err)}"})
    finally:
        client.close()


# --- the batch ------------------------------------------------------------------------------


def run_batch(
    config_paths: Sequence[str | Path],
    *,
    out_root: str | Path | None = None,
    workers: int = 1,
    dask_address: str | None = None,
    run_one: RunOne | None = None,
    time_limit_s: float | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Solve every config, one run folder each; write and return the batch summary.

    Parameters
    ----------
    config_paths
        YAML configs. A config that cannot be read gets an ``exit_code`` 2 row and is not run.
    out_root
        Folder of the run folders (``<out_root>/<config name>``) and of ``batch_summary.csv``;
        default ``runs/`` in the working directory, as ``patrolplan solve`` uses.
    workers
        Local worker processes (ignored with ``dask_address``). Each solve also uses the
        config's ``solver.workers`` threads.
    dask_address
        Scheduler address (``tcp://host:8786``) of a Dask cluster to run on instead; its
        workers must see the config and output paths (a shared file system).
    run_one
        ``run_one(config_path, out_dir, time_limit_s=...) -> dict`` solving one config and
        returning its summary plus ``run_dir`` and ``exit_code``; it must be a module-level
        function (it is pickled by name). Default :func:`patrolplan.runner.run_config`.
    time_limit_s
        Overrides each config's ``solver.time_limit_seconds`` (None: keep the config's).
    progress
        A progress bar on stderr.

    Returns
    -------
    DataFrame with :data:`SUMMARY_COLUMNS`, one row per config in the order given.
    """
    if not config_paths:
        raise UsageError("give at least one config to run")
    if int(workers) < 1:
        raise UsageError(f"workers={workers}: give 1 or more worker processes")
    run_one = run_one or _default_run_one()
    root = _summary_folder(out_root)
    rows = _plan(config_paths, Path(out_root) if out_root is not None else None)
    todo = [r for r in rows if "error" not in r]
    tally = _Tally(_progress_bar(len(rows), progress))
    for row in rows:
        if "error" in row:
            tally.done(row, {})
    try:
        if todo and dask_address:
            _run_dask(todo, run_one, dask_address, time_limit_s, tally.done)
        elif todo:
            _run_local(todo, run_one, int(workers), time_limit_s, tally.done)
    finally:
        tally.bar.close()
    return _write_summary(rows, root)


def _summary_folder(out_root: str | Path | None) -> Path:
    """The folder of ``batch_summary.csv`` (default ``runs``); refused when a file stands on its path."""
    root = Path(out_root) if out_root is not None else Path("runs")
    for parent in (root, *root.parents):
        if parent.exists() and not parent.is_dir():
            raise UsageError(f"--out-root {root}: {parent} is a file, not a folder — give a folder")
    return root


class _Tally:
    """Takes each config's result into its row as it comes: notes a published run folder (so an
    interrupt names it), counts failures, moves the progress bar."""

    def __init__(self, bar) -> None:
        self.bar = bar
        self.failed = 0

    def done(self, row: dict, result: dict) -> None:
        row.update(result)
        if result and not row.get("error") and row.get("run_dir"):
            interrupts.note_published(row["run_dir"])  # an interrupt from now on names it
        for path in result.get("published", ()):  # a run stopped by the signal just after it published
            interrupts.note_published(path)
        self.failed += int(row.get("exit_code") not in (0,))
        self.bar.update(1)
        self.bar.set_postfix(failed=self.failed, refresh=False)


def _write_summary(rows: list[dict], root: Path) -> pd.DataFrame:
    """``<root>/batch_summary.csv`` (replaced in one rename) from the rows, and its table."""
    table = pd.DataFrame([{c: r.get(c) for c in SUMMARY_COLUMNS} for r in rows], columns=list(SUMMARY_COLUMNS))
    table["exit_code"] = table["exit_code"].astype(int)
    table["error"] = table["error"].fillna("")
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{SUMMARY_FILE}.tmp"
    table.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, root / SUMMARY_FILE)
    return table


def batch_exit_code(summary: pd.DataFrame) -> int:
    """0 when every config gave a gap-free roster; 2 when any config was bad input; else 1."""
    codes = set(summary["exit_code"].astype(int))
    if codes <= {0}:
        return 0
    return 2 if 2 in codes else 1
