"""The worst hours of a roster's response picture (``response.csv``): how far help is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from patrolplan.outputs.plotting._fonts import font_family

__all__ = ["plot_response", "worst_response", "plot_incident", "read_response"]

_FIRST, _BACKUP, _SECOND, _NONE = "#1f77b4", "#d62728", "#ff7f0e", "#dddddd"


def read_response(run_dir: str | Path) -> pd.DataFrame | None:
    """The run folder's response.csv as the response picture reads it (``hotspot_id`` and
    ``slot_start`` as text); None where the run has none."""
    path = Path(run_dir) / "response.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"hotspot_id": str, "slot_start": str}, keep_default_na=True)


def worst_response(response: pd.DataFrame, *, most: int = 30) -> pd.DataFrame:
    """The ``most`` worst demanded hotspot-slots of ``response.csv``: farthest backup (another
    station) first, then farthest second team, then farthest first team; a missing team counts
    as farthest. Consecutive hours of one hotspot with the same figures are one row
    (``slot_start`` the first, ``hours`` how many)."""
    r = response.copy()
    big = 10**6
    for col in ("first_min", "second_min", "backup_min"):
        r[col] = pd.to_numeric(r[col], errors="coerce")
    r = r.sort_values(["hotspot_id", "slot_start"], kind="stable")
    key = r[["hotspot_id", "first_min", "second_min", "backup_min"]].fillna(-1).astype(str).agg("|".join, axis=1)
    run = (key != key.shift()).cumsum()
    runs = r.groupby(run, sort=False).agg(hotspot_id=("hotspot_id", "first"), slot_start=("slot_start", "first"),
                                         hours=("slot_start", "size"), first_min=("first_min", "first"),
                                         second_min=("second_min", "first"), backup_min=("backup_min", "first"))
    order = runs[["backup_min", "second_min", "first_min"]].fillna(big)
    runs = runs.assign(_b=order["backup_min"], _s=order["second_min"], _f=order["first_min"])
    runs = runs.sort_values(["_b", "_s", "_f", "hours"], ascending=False, kind="stable")
    return runs.drop(columns=["_b", "_s", "_f"]).head(most).reset_index(drop=True)


def plot_response(response: pd.DataFrame, ax=None, *, first_minutes: int = 15, backup_minutes: int = 30,
                  most: int = 30):
    """Bars of the worst hotspot-hours (:func:`worst_response`): road minutes of the first
    team, the second team and the backup of another station, with the two targets as lines.
    A missing team is drawn hatched to the right edge. Returns ``ax``."""
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(12, 9)).add_subplot()
    worst = worst_response(response, most=most)
    family = font_family()
    if worst.empty:
        ax.text(0.5, 0.5, "no demanded hotspot-hours", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    y = np.arange(len(worst))[::-1]
    values = worst[["first_min", "second_min", "backup_min"]].to_numpy(dtype=float)
    edge = max(float(np.nanmax(values)) if np.isfinite(values).any() else 0.0, backup_minutes) * 1.1 + 1
    h = 0.27
    from matplotlib.patches import Patch

    handles = []
    for i, (col, colour, name) in enumerate((("first_min", _FIRST, "first team"),
                                             ("second_min", _SECOND, "second team (any station)"),
                                             ("backup_min", _BACKUP, "backup (another station)"))):
        v = worst[col].to_numpy(dtype=float)
        missing = ~np.isfinite(v)
        ax.barh(y[~missing] + (1 - i) * h, v[~missing], height=h, color=colour)
        ax.barh(y[missing] + (1 - i) * h, np.full(int(missing.sum()), edge), height=h, color=_NONE, hatch="//",
                edgecolor=colour, linewidth=0)
        handles.append(Patch(color=colour, label=name))
    handles.append(Patch(facecolor=_NONE, hatch="//", edgecolor="#666666", label="none on site within reach"))
    ax.axvline(first_minutes, color=_FIRST, ls="--", lw=1)
    ax.axvline(backup_minutes, color=_BACKUP, ls="--", lw=1)
    ticks = [f"{hid}  {str(s)[5:16].replace('T', ' ')} ×{n}h" for hid, s, n in
             zip(worst["hotspot_id"], worst["slot_start"], worst["hours"])]
    ax.set_yticks(y, ticks, fontsize=7, family=family)
    ax.set_xlim(0, edge)
    ax.set_xlabel("road minutes to the hotspot", family=family)
    ax.set_title(f"Worst hotspot-hours: first team (target {first_minutes} min) and backup "
                 f"(target {backup_minutes} min)", family=family, fontsize=10)
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    return ax


_TIER_COLORS = {1: "#d62728", 2: "#ff7f0e", 3: "#1f77b4"}


def plot_incident(responders: pd.DataFrame, routes=None, *, point: tuple[float, float], ax=None, boundaries=None):
    """An incident and its responders on a map: the point (a star), each responder where it
    drives from (teams as dots, stations as squares, coloured by tier) and, with ``routes``
    (``Responder.routes``: one list of (lon, lat) per row), its road path. ``responders``:
    ``Answer.to_frame()``. Returns ``ax``."""
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(9, 9)).add_subplot()
    if boundaries is not None:
        boundaries.boundary.plot(ax=ax, color="#999999", linewidth=0.6)
    for n, r in enumerate(responders.itertuples()):
        colour = _TIER_COLORS.get(int(r.tier), "#666666")
        if routes is not None and n < len(routes) and routes[n]:
            xs, ys = zip(*routes[n])
            ax.plot(xs, ys, color=colour, linewidth=1.2, alpha=0.7)
        ax.plot(r.from_lon, r.from_lat, marker="s" if r.kind == "station" else "o", color=colour, markersize=6)
        ax.annotate(f"{r.team_id or r.station_id} {r.minutes}′", (r.from_lon, r.from_lat), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.plot(*point, marker="*", color="black", markersize=16, zorder=5)
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=c, marker="o", label=f"tier {t}") for t, c in _TIER_COLORS.items()]
              + [Line2D([], [], color="black", marker="*", linestyle="", markersize=12, label="incident")],
              loc="lower right", fontsize=8)
    ax.set_aspect(1 / np.cos(np.radians(point[1])))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    return ax
