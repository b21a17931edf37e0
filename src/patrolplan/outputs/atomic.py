"""The file-level atomic writer, on the ground floor of ``outputs/``.

:func:`atomic_file` is what every writer of one file uses (report.html, roster.xlsx,
result.gpkg, the pictures, the station sheets); :mod:`.runfolder` builds the whole-folder swap
(:class:`~patrolplan.outputs.runfolder.atomic_folder`) and calls the report writers, so this
helper lives below both and imports nothing of patrolplan's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_file"]


def atomic_file(path: Path, write: Callable[[Path], object]) -> Path:
    """Write one file in place of ``path`` without a half-written state: ``write(tmp)`` writes a
    hidden file beside it, which then replaces ``path`` in one rename. The one file-level
    counterpart of :class:`~patrolplan.outputs.runfolder.atomic_folder` (report, workbook,
    GeoPackage, pictures, sheets)."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    if tmp.exists():
        tmp.unlink()
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
