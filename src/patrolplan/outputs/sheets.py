"""``stations/<station_id>.pdf``: the week sheet of each station, to pin on the wall.

One A4 landscape page per station (every scenario station and any other the roster names),
drawn by :func:`patrolplan.outputs.plotting.draw_week_sheet` from the run folder's roster
(:class:`~patrolplan.outputs.tables.RunTables`). :func:`station_sheet_names` is the one place
that names the files; the report links them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from patrolplan.outputs.atomic import atomic_file
from patrolplan.outputs.plotting import A4_LANDSCAPE_IN, draw_week_sheet, station_weeks
from patrolplan.outputs.tables import RunTables

__all__ = ["write_sheets", "station_sheet_names", "STATIONS_DIR"]

STATIONS_DIR = "stations"
_UNSAFE_FILE_CHARS = re.compile(r"[\x00-\x1f\\/:*?\"<>|]")


def station_sheet_names(scenario, roster: pd.DataFrame) -> dict[str, str]:
    """``{station_id: file name}`` of the week sheets in ``stations/``: ``<station_id>.pdf``,
    characters unsafe in file names replaced by ``_``, made unique ignoring case."""
    ids = list(scenario.stations["station_id"].astype(str))
    ids += sorted(set(roster["station_id"].astype(str)) - set(ids))
    taken: set[str] = set()
    out = {}
    for sid in ids:
        base = _UNSAFE_FILE_CHARS.sub("_", sid).strip().lstrip(".") or "station"
        name, k = f"{base[:120]}.pdf", 2
        while name.casefold() in taken:
            name, k = f"{base[:120]}~{k}.pdf", k + 1
        taken.add(name.casefold())
        out[sid] = name
    return out


def write_sheets(scenario, run_dir: Path, tables: RunTables) -> list[Path]:
    """Write ``stations/<station_id>.pdf``: one A4 landscape week sheet per station (every
    scenario station and any other the roster names), drawn from the roster by
    :func:`patrolplan.outputs.plotting.draw_week_sheet`. Returns the paths written."""
    from matplotlib.figure import Figure

    folder = Path(run_dir) / STATIONS_DIR
    folder.mkdir(exist_ok=True)
    files = station_sheet_names(scenario, tables.roster)
    paths = []
    for week in station_weeks(scenario, tables.roster):
        fig = Figure(figsize=A4_LANDSCAPE_IN)
        draw_week_sheet(week, ax=fig.add_axes((0, 0, 1, 1)))
        meta = {"Title": f"{week.title} — week {week.week}", "Creator": "patrolplan", "Subject": week.config_name}
        paths.append(atomic_file(folder / files[week.station_id],
                                 lambda p, fig=fig, meta=meta: fig.savefig(p, format="pdf", metadata=meta)))
        fig.clear()
    return paths
