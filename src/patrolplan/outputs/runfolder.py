"""The run folder: written atomically, never replacing what patrolplan did not write.

What ``--out`` will and will not replace (checked by :func:`prepare_output` before any work):

- a path that does not exist yet, or an empty folder: written;
- a folder that patrolplan wrote (it holds the marker file ``.patrolplan`` naming its kind —
  ``run`` or ``scenario`` — or, for run folders written before the marker existed, a
  ``summary.json`` of patrolplan's beside only run-folder files): replaced whole, atomically;
- anything else — a folder with other files (an input folder, a home folder), a file, a
  symbolic link, a path below a file, the working directory or a folder holding it, a place
  that cannot be written: refused with exit code 2, saying what is there. There is no
  ``--force``: move the files away or choose another ``--out``.

Everything is written into a hidden sibling ``.NAME.tmp-*`` first and renamed into place at the
end (signals held for the two renames), so a crash, Ctrl-C or SIGTERM never leaves a
half-written run folder, and an earlier run folder of the same name is kept until the new one
is complete. Leftovers of a killed run (``.NAME.tmp-*``, ``.NAME.old-PID``) carry the marker
and the writer's process id; the next run of the same folder removes those whose writer is gone
and says so.

Two runs into the same folder at once: :func:`prepare_output` takes an exclusive lock
(``fcntl.flock``) on the hidden file ``.NAME.lock`` beside the folder and holds it until the
process ends or :func:`release_locks` is called; a second run is refused at once (exit 2),
naming the process that holds it. The operating system drops the lock when its holder dies,
so a killed run never blocks the next one.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from patrolplan.errors import DataError, UsageError
from patrolplan.interrupts import masked, note_published
from patrolplan.outputs.atomic import atomic_file  # noqa: F401  (its old home: still importable from here)

__all__ = ["write_run_folder", "atomic_folder", "read_summary", "prepare_output", "MARKER", "lock_output",
           "release_locks"]

MARKER = ".patrolplan"
# files and folders a run folder may hold (for run folders written before the marker existed)
_RUN_FOLDER_ENTRIES = {
    "roster.csv", "coverage.csv", "summary.json", "explanation.md", "map.png", "gantt.png",
    "gantt_station.png", "coverage.png", "report.html", "roster.xlsx", "result.gpkg", "scenario",
}
_RUN_FOLDER_SUFFIXES = (".png", ".csv", ".json", ".md", ".html", ".xlsx", ".gpkg", ".pdf", ".npz")


def _read_marker(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(folder: Path, kind: str, state: str) -> None:
    (folder / MARKER).write_text(
        json.dumps({"kind": kind, "state": state, "pid": os.getpid()}) + "\n", encoding="utf-8")


def _is_legacy_run_folder(folder: Path) -> bool:
    """A run folder of a patrolplan from before the marker: its summary.json and run files only."""
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        names = [p.name for p in folder.iterdir()]
    except (OSError, ValueError):
        return False
    if not (isinstance(summary, dict) and {"status", "versions"} <= set(summary)):
        return False
    return all(n in _RUN_FOLDER_ENTRIES or n.endswith(_RUN_FOLDER_SUFFIXES) for n in names)


def _written_by_patrolplan(folder: Path, kind: str) -> bool:
    marker = _read_marker(folder)
    if marker is not None:
        return marker.get("kind") == kind
    return kind == "run" and _is_legacy_run_folder(folder)


def _pid_alive(pid: object) -> bool:
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale_leftovers(target: Path, kind: str) -> list[Path]:
    """Hidden ``.NAME.tmp-*`` / ``.NAME.old-PID`` siblings that patrolplan made and whose
    writer process is gone."""
    parent = target.parent
    if not parent.is_dir():
        return []
    stale = []
    for prefix in (f".{target.name}.tmp-", f".{target.name}.old-"):
        for path in parent.glob(prefix.replace("[", "[[]") + "*"):
            if path.is_symlink() or not path.is_dir():
                continue
            marker = _read_marker(path)
            if prefix.endswith(".old-"):
                pid = path.name[len(prefix):]
                ours = marker is not None or (kind == "run" and _is_legacy_run_folder(path))
            else:
                pid = (marker or {}).get("pid")
                ours = marker is not None and marker.get("kind") == kind
            if ours and not _pid_alive(pid):
                stale.append(path)
    return stale


_KIND_NAMES = {"run": "run folder", "scenario": "scenario folder (patrolplan generate)",
               "site": "siting folder (patrolplan site)"}


def _describe(folder: Path) -> str:
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError as err:
        return f"cannot be listed ({err.strerror})"
    marker = _read_marker(folder)
    other = marker.get("kind") if marker is not None else ("run" if _is_legacy_run_folder(folder) else None)
    if other is not None:  # patrolplan's own folder, of another kind
        return f"is a {_KIND_NAMES.get(str(other), f'{other} folder')} that patrolplan wrote"
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"holds {len(names)} entr{'y' if len(names) == 1 else 'ies'} that patrolplan did not write ({shown})"


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if os.path.lexists(p):
            return p
    return Path(path.anchor or ".")


def output_problem(target: str | Path, *, kind: str = "run", keep: tuple[str, ...] = ()) -> str | None:
    """Why patrolplan may not write a ``kind`` folder at ``target`` (None when it may).

    ``keep``: names of entries in ``target`` that the new folder carries over (the scenario a
    run folder holds); they do not count as files patrolplan would lose."""
    target = Path(target)
    try:
        absolute = Path(os.path.abspath(target))
        cwd = Path.cwd().resolve()
        resolved = absolute.resolve()
    except (OSError, RuntimeError) as err:
        return f"--out {target}: cannot be resolved ({err}) — choose another folder"
    if resolved == cwd or resolved in cwd.parents:
        return (f"--out {target} is the working directory or a folder holding it; patrolplan would "
                "replace it whole — give a new folder, e.g. --out runs/NAME")
    for parent in absolute.parents:
        if os.path.lexists(parent) and not parent.is_dir():
            return f"--out {target}: {parent} is a file, not a folder — give a folder path"
    if os.path.lexists(absolute):
        if absolute.is_symlink():
            return (f"--out {target} is a symbolic link; patrolplan replaces only folders it wrote — "
                    "give the real folder or a new one")
        if not absolute.is_dir():
            return (f"--out {target} is a file that patrolplan did not write — give a folder path "
                    "that does not exist yet, or move the file away")
        try:
            empty = not any(p.name not in keep for p in absolute.iterdir())
        except OSError as err:
            return f"--out {target}: cannot be read ({err.strerror}) — choose another folder"
        if not empty and not _written_by_patrolplan(absolute, kind):
            what = _KIND_NAMES.get(kind, f"{kind} folder")
            return (f"--out {target} {_describe(absolute)}: patrolplan replaces only an empty folder "
                    f"or a {what} it wrote itself — give another --out (a new folder), "
                    "or move those files away first")
    base = _nearest_existing(absolute.parent)
    try:
        probe = tempfile.mkdtemp(prefix=".patrolplan-probe-", dir=base)
        os.rmdir(probe)
    except OSError as err:
        return f"--out {target}: cannot write in {base} ({err.strerror}) — choose a folder you can write to"
    return None


def prepare_output(target: str | Path, *, kind: str = "run", keep: tuple[str, ...] = (),
                   say: Callable[[str], None] | None = None) -> Path:
    """Refuse (:class:`UsageError`, exit 2) an output path patrolplan may not replace, and
    remove stale leftovers of an earlier killed run of the same folder. Call it before any work."""
    problem = output_problem(target, kind=kind, keep=keep)
    if problem is not None:
        raise UsageError(problem)
    target = Path(target)
    lock_output(target)
    for path in _stale_leftovers(Path(os.path.abspath(target)), kind):
        shutil.rmtree(path, ignore_errors=True)
        if say is not None:
            say(f"removed {path}, left by an interrupted earlier run")
    return target


# --- one writer per folder -----------------------------------------------------------------

_LOCKS: dict[str, int] = {}  # lock file -> open descriptor holding the flock (this process)
_MADE: dict[str, list[Path]] = {}  # lock file -> folders made to hold it (removed again if left empty)


def _lock_path(target: Path) -> Path:
    absolute = Path(os.path.abspath(target))
    return absolute.with_name(f".{absolute.name}.lock")


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"patrolplan process {int(info['pid'])}" + (f" ({info['command']})" if info.get("command") else "")
    except (OSError, ValueError, KeyError, TypeError):
        return "another patrolplan process"


def lock_output(target: str | Path) -> Path:
    """Take the exclusive lock on ``target``'s hidden ``.NAME.lock`` (created beside it) for
    this process; raise :class:`UsageError` (exit 2) naming the holder when another process has
    it. Re-entrant within a process. Held until :func:`release_locks` or the process ends (the
    kernel drops an ``flock`` when its holder dies, so a killed run leaves no lock behind)."""
    import fcntl
    import sys

    path = _lock_path(Path(target))
    if str(path) in _LOCKS:
        return path
    made = [p for p in (path.parent, *path.parent.parents) if not os.path.lexists(p)]
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UsageError(f"--out {target}: cannot lock {path} ({err.strerror}) — choose another "
                                 "folder") from None
            raise UsageError(f"--out {target} is being written by {_holder(path)} right now — wait for it "
                             "to finish, or give another --out") from None
        try:  # the file may have been removed by its last holder between open and flock
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:3]))
    os.ftruncate(fd, 0)
    os.write(fd, (json.dumps({"pid": os.getpid(), "command": command}) + "\n").encode())
    _LOCKS[str(path)] = fd
    _MADE[str(path)] = made
    return path


def release_locks(target: str | Path | None = None) -> None:
    """Drop the output lock of ``target`` (default: every one this process holds), removing
    its lock file."""
    chosen = None if target is None else str(_lock_path(Path(target)))
    for path, fd in list(_LOCKS.items()):
        if chosen is not None and path != chosen:
            continue
        try:
            os.unlink(path)  # while still locked: a waiting opener re-checks the inode
        except OSError:
            pass
        os.close(fd)
        del _LOCKS[path]
        for folder in _MADE.pop(path, []):  # innermost first: a run that wrote nothing leaves no folder
            try:
                os.rmdir(folder)
            except OSError:
                break


class atomic_folder:
    """Context manager: yields a temporary folder that replaces ``target`` on success.

    The temporary folder carries the marker (kind, writer's pid) from its first moment, so a
    killed run's leftover can be told apart from a planner's files. On any exception (Ctrl-C
    included) it is removed and ``target`` is left as it was.
    """

    def __init__(self, target: str | Path, *, kind: str = "run", keep: tuple[str, ...] = ()) -> None:
        self.target = Path(target)
        self.kind = kind
        self.keep = keep

    def __enter__(self) -> Path:
        problem = output_problem(self.target, kind=self.kind, keep=self.keep)
        if problem is not None:  # re-checked: the folder may have changed during the solve
            raise UsageError(problem)
        parent = Path(os.path.abspath(self.target)).parent
        parent.mkdir(parents=True, exist_ok=True)
        lock_output(self.target)  # held already when prepare_output was called first
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=parent))
        _write_marker(self.tmp, self.kind, "writing")
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            return self._finish(exc_type)
        finally:  # published or discarded: this process is done with the folder
            release_locks(self.target)

    def _finish(self, exc_type) -> bool:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        try:
            _write_marker(self.tmp, self.kind, "complete")
            os.chmod(self.tmp, 0o755)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        old = None
        try:
            with masked():  # the two renames are not torn apart by Ctrl-C or SIGTERM
                if os.path.lexists(self.target):
                    old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
                    if os.path.lexists(old):
                        shutil.rmtree(old, ignore_errors=True)
                    os.replace(self.target, old)
                try:
                    os.replace(self.tmp, self.target)
                except BaseException:
                    if old is not None:
                        os.replace(old, self.target)
                    shutil.rmtree(self.tmp, ignore_errors=True)
                    raise
                # still inside the mask: a signal held back is delivered only after this, so
                # its message can say the folder was published (cli.main)
                note_published(self.target)
        finally:  # also when a signal held back by the mask is delivered on leaving it
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        return False


def _clean(obj):
    """JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_run_folder(result, run_dir: str | Path, *, scenario=None, pictures: bool = True, graph=None,
                     extra_files: dict[str, Path] | None = None, keep: tuple[str, ...] = (),
                     travel=None) -> Path:
    """roster.csv, coverage.csv, summary.json, explanation.md (when the week is not clean),
    and — when ``scenario`` is given and ``pictures`` — the maps, timeline, coverage picture,
    report.html, roster.xlsx and result.gpkg. ``travel``: a ``network.Travel`` that carries
    its ``inputs_sha256`` is stored as ``travel.npz`` for the next run (``travel_cache``)."""
    run_dir = Path(run_dir)
    summary = dict(result.summary)
    extra_files = extra_files or {}
    if scenario is not None and scenario.config_path is not None:
        config = Path(scenario.config_path).resolve()
        summary["config_path"] = str(config)
        for name, src in extra_files.items():  # a config copied into the run folder: relative to it
            try:
                summary["config_path"] = str(Path(name) / config.relative_to(Path(src).resolve()))
                break
            except ValueError:
                continue
    with atomic_folder(run_dir, keep=keep) as tmp:
        result.roster.to_csv(tmp / "roster.csv", index=False)
        cov = result.coverage.copy()
        for col in ("gap", "sync_ok"):
            if col in cov:
                cov[col] = cov[col].map(lambda g: "true" if g else "false")
        cov.to_csv(tmp / "coverage.csv", index=False)
        if getattr(result, "visits", None) is not None:
            result.visits.to_csv(tmp / "visits.csv", index=False)
        if getattr(result, "changes", None) is not None:
            result.changes.to_csv(tmp / "changes.csv", index=False)
        if getattr(result, "response", None) is not None:
            result.response.to_csv(tmp / "response.csv", index=False)
        if result.explanation:
            (tmp / "explanation.md").write_text(result.explanation, encoding="utf-8")
        if travel is not None and getattr(travel, "inputs_sha256", None):
            from patrolplan.inputs.travel_cache import TRAVEL_FILE, save_travel

            save_travel(travel, tmp / TRAVEL_FILE)
        for name, src in extra_files.items():
            src = Path(src)
            if src.is_dir():
                shutil.copytree(src, tmp / name)
            else:
                shutil.copy2(src, tmp / name)
        (tmp / "summary.json").write_text(json.dumps(_clean(summary), indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
        if pictures and scenario is not None:
            # imported here, not at the top: it pulls in matplotlib, and every command (`--help`
            # too) imports this module for its locks
            from patrolplan.outputs.report import write_all

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                write_all(scenario, tmp, graph=graph)
    return run_dir


def recorded_config(run_dir: str | Path, summary: dict | None = None) -> Path:
    """The config a run folder's summary.json records (``config_path``; a relative path is
    taken from the run folder), for the commands that read a run folder (``respond``, ``map``,
    ``evaluate``) without ``--config``. Raises :class:`DataError` when summary.json records
    none, or a path that no longer holds a file (the config moved or was renamed), saying that
    the path comes from summary.json and to pass ``--config``."""
    from patrolplan.errors import DataError

    summary = read_summary(run_dir) if summary is None else summary
    where = Path(run_dir) / "summary.json"
    recorded = summary.get("config_path")
    if not recorded or not isinstance(recorded, str):
        raise DataError(f"{where}: records no config (no 'config_path') — pass the week's config with "
                        "--config CONFIG.yaml")
    config = Path(recorded) if Path(recorded).is_absolute() else Path(run_dir) / recorded
    if not config.is_file():
        raise DataError(f"{where}: the config it records, {recorded} ('config_path'), is no file now (moved, renamed "
                        "or on another machine?) — pass the week's config with --config CONFIG.yaml")
    return config


def read_summary(run_dir: str | Path) -> dict:
    path = Path(run_dir) / "summary.json"
    if not path.is_file():
        raise DataError(f"{path}: no summary.json — is {run_dir} a patrolplan run folder?")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not valid JSON (line {err.lineno}): {err.msg} — re-run the solve "
                        "to write it again") from None
    except (UnicodeDecodeError, OSError) as err:
        raise DataError(f"{path}: cannot be read ({err}) — re-run the solve to write it again") from None
    if not isinstance(summary, dict):
        raise DataError(f"{path}: not a patrolplan summary (a JSON object is expected)")
    return summary
