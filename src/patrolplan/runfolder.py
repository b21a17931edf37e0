"""The run folder: written atomically, read back for ``check`` and ``map``.

Everything is written into a hidden sibling folder first and renamed into place at the end, so
a crash or Ctrl-C never leaves a half-written run folder (an earlier run folder of the same name
is kept until the new one is complete).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

__all__ = ["write_run_folder", "atomic_folder", "read_summary"]


class atomic_folder:
    """Context manager: yields a temporary folder that replaces ``target`` on success."""

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)

    def __enter__(self) -> Path:
        parent = self.target.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        os.chmod(self.tmp, 0o755)
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            os.replace(self.target, old)
        try:
            os.replace(self.tmp, self.target)
        except BaseException:
            if old is not None:
                os.replace(old, self.target)
            raise
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
                     extra_files: dict[str, Path] | None = None) -> Path:
    """roster.csv, coverage.csv, summary.json, explanation.md (when the week is not clean),
    and — when ``scenario`` is given and ``pictures`` — the maps, timeline, coverage picture,
    report.html, roster.xlsx and result.gpkg."""
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
    with atomic_folder(run_dir) as tmp:
        result.roster.to_csv(tmp / "roster.csv", index=False)
        cov = result.coverage.copy()
        for col in ("gap", "sync_ok"):
            if col in cov:
                cov[col] = cov[col].map(lambda g: "true" if g else "false")
        cov.to_csv(tmp / "coverage.csv", index=False)
        if result.explanation:
            (tmp / "explanation.md").write_text(result.explanation, encoding="utf-8")
        for name, src in extra_files.items():
            src = Path(src)
            if src.is_dir():
                shutil.copytree(src, tmp / name)
            else:
                shutil.copy2(src, tmp / name)
        (tmp / "summary.json").write_text(json.dumps(_clean(summary), indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
        if pictures and scenario is not None:
            try:
                from .report import write_all
            except ImportError:  # plotting not installed in this build
                write_all = None
            if write_all is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    write_all(scenario, tmp, graph=graph)
    return run_dir


def read_summary(run_dir: str | Path) -> dict:
    from .errors import DataError

    path = Path(run_dir) / "summary.json"
    if not path.is_file():
        raise DataError(f"{path}: no summary.json — is {run_dir} a patrolplan run folder?")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not valid JSON (line {err.lineno}): {err.msg}") from None
