"""The roster as a timeline: one row per hotspot (or station), one bar per shift."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from ._fonts import font_family, label
from ._style import GAP_COLOR, lighten, station_colors
from ._tables import coverage_frame, roster_frame, slot_minutes_of

__all__ = ["plot_gantt", "gantt_rows", "figure_height_in", "MAX_FIGURE_HEIGHT_IN"]

#: Figures drawn without an ``ax`` grow 0.22 in per row up to this height; beyond it
#: (about 250 rows) rows get thinner rather than the picture taller.
MAX_FIGURE_HEIGHT_IN = 56.0
_ROW_IN = 0.22


def figure_height_in(n_rows: int, lanes: int = 0) -> float:
    """Height for ``n_rows`` rows (plus ``lanes`` extra sub-rows), capped at MAX_FIGURE_HEIGHT_IN."""
    return float(min(MAX_FIGURE_HEIGHT_IN, max(3.0, 1.6 + _ROW_IN * n_rows + 0.06 * lanes)))


def _assign_lanes(starts: np.ndarray, ends: np.ndarray, *, relay: bool) -> np.ndarray:
    """Sub-row of each interval (already sorted by start) so that none overlap in a lane.

    Plain first fit stacks overlapping shifts (synchronized teams). With ``relay`` the search
    starts at the lane after the previous shift's, and there are at least two lanes, so the
    shifts of a staggered relay alternate lanes.
    """
    lane_end: list[float] = [-np.inf, -np.inf] if relay else []
    out = np.zeros(len(starts), dtype=int)
    last = -1
    for i, (s, e) in enumerate(zip(starts, ends)):
        n = len(lane_end)
        order = [(last + 1 + k) % n for k in range(n)] if relay else range(n)
        pick = next((lane for lane in order if lane_end[lane] <= s), None)
        if pick is None:
            lane_end.append(-np.inf)
            pick = len(lane_end) - 1
        lane_end[pick] = e
        out[i] = last = pick
    return out


def gantt_rows(roster: pd.DataFrame, coverage: pd.DataFrame | None = None, *, by: str = "hotspot",
               scenario=None) -> pd.DataFrame:
    """The rows of the timeline, top to bottom: ``key`` (id), ``label``, ``lanes``, ``y0``.

    Hotspots are ordered by zone then id; stations by id. With a ``scenario``, names label the
    rows and every station gets a row (idle ones too).
    """
    if by == "hotspot":
        keys = set(roster["hotspot_id"])
        if coverage is not None:
            keys |= set(coverage["hotspot_id"])
        zone = dict(zip(roster["hotspot_id"], roster["zone_id"]))
        mode = dict(zip(roster["hotspot_id"], roster["mode"]))
        names = {}
        if scenario is not None:
            hs = scenario.hotspots
            zone.update(zip(hs["hotspot_id"].astype(str), hs["zone_id"].astype(str)))
            names = dict(zip(hs["hotspot_id"].astype(str), hs["name"]))
            zmode = dict(zip(scenario.zones["zone_id"].astype(str), scenario.zones["mode"].astype(str)))
            mode.update({h: zmode[z] for h, z in zone.items() if z in zmode})
        order = sorted(keys, key=lambda h: (zone.get(h, ""), h))
        short = {"synchronized": "sync", "staggered": "relay"}
        labels = []
        for h in order:
            name = label(names.get(h, ""), "") if names else ""
            text = f"{h} {name}".strip()
            m = short.get(mode.get(h, ""), "")
            labels.append(f"{text} · {zone.get(h, '')} {m}".strip())
        return pd.DataFrame({"key": order, "label": labels, "mode": [mode.get(h, "") for h in order]})
    if by == "station":
        keys = set(roster["station_id"])
        names = {}
        if scenario is not None:
            keys |= set(scenario.stations["station_id"].astype(str))
            names = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["name"]))
        order = sorted(keys)
        labels = [f"{s} {label(names.get(s, ''), '')}".strip() for s in order]
        return pd.DataFrame({"key": order, "label": labels, "mode": ""})
    raise ValueError(f"by={by!r}: use 'hotspot' or 'station'")


def _rects(x0, x1, y0, h) -> np.ndarray:
    """Rectangles ``[x0, x1] x [y0, y0 + h]`` as an (n, 4, 2) array of corners (``h`` may be scalar)."""
    x0, x1, y0 = (np.asarray(a, float) for a in (x0, x1, y0))
    h = np.broadcast_to(np.asarray(h, float), x0.shape)
    return np.stack(
        [np.stack([x0, y0], 1), np.stack([x1, y0], 1), np.stack([x1, y0 + h], 1), np.stack([x0, y0 + h], 1)],
        axis=1,
    ).reshape(len(x0), 4, 2)


def _num(ts: pd.Series) -> np.ndarray:
    return mdates.date2num(ts.to_numpy(dtype="datetime64[ns]")) if len(ts) else np.zeros(0)


def plot_gantt(
    roster: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
    *,
    by: str = "hotspot",
    ax=None,
    scenario=None,
    window: tuple | None = None,
):
    """Draw the week as a timeline and return the axes.

    One row per hotspot (``by='hotspot'``) or per station (``by='station'``). Each roster row
    is one bar coloured by its station: the on-site part solid, the travel out and back
    lighter. In a hotspot row, overlapping shifts stack in sub-rows (synchronized teams side
    by side); in a staggered (relay) row consecutive shifts alternate between sub-rows, so a
    handover shows as a step. In a station row each team has its own sub-row. Coverage rows
    with ``gap`` true are red bands over the whole hotspot row (in the station view, on an
    extra top row "gaps"). Dotted lines mark midnights.

    scenario
        Optional: hotspot/station names for the row labels, all stations as rows.
    window
        Optional ``(start, end)`` timestamps to show (e.g. one day); default: the whole roster.

    Artists carry a ``gid``: ``shifts`` (one rectangle per roster row, in roster order),
    ``travel``, ``gaps``, ``day-lines``. Without ``ax``, the figure is 16 in wide and
    :func:`figure_height_in` tall (capped at :data:`MAX_FIGURE_HEIGHT_IN`).
    """
    r = roster_frame(roster)
    cov = coverage_frame(coverage) if coverage is not None else None
    rows = gantt_rows(r, cov, by=by, scenario=scenario)
    gaps = cov[cov["gap"]] if cov is not None else None
    gap_row = by == "station" and gaps is not None and not gaps.empty
    if gap_row:
        rows = pd.concat([pd.DataFrame({"key": ["__gaps__"], "label": ["gaps (uncovered)"], "mode": [""]}), rows],
                         ignore_index=True)

    # --- lanes ------------------------------------------------------------------------
    key_col = "hotspot_id" if by == "hotspot" else "station_id"
    r = r.reset_index(drop=True)
    r["_lane"] = 0
    lanes = {}
    if by == "hotspot":
        for key, idx in r.groupby(key_col).groups.items():
            sub = r.loc[idx].sort_values(["start", "end", "station_id", "team_id"])
            relay = (sub["mode"] == "staggered").any()
            lane = _assign_lanes(_num(sub["start"]), _num(sub["end"]), relay=relay)
            r.loc[sub.index, "_lane"] = lane
            lanes[key] = int(lane.max()) + 1
    else:
        for key, idx in r.groupby(key_col).groups.items():
            teams = sorted(r.loc[idx, "team_id"].unique())
            pos = {t: i for i, t in enumerate(teams)}
            r.loc[idx, "_lane"] = r.loc[idx, "team_id"].map(pos).to_numpy()
            lanes[key] = len(teams)
    rows["lanes"] = [max(1, lanes.get(k, 1)) for k in rows["key"]]
    rows["y0"] = np.arange(len(rows), dtype=float)
    row_y = dict(zip(rows["key"], rows["y0"]))

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(16, figure_height_in(len(rows), int((rows["lanes"] - 1).sum()))))
    fam = font_family()

    # --- bars -------------------------------------------------------------------------
    colors = station_colors(list(r["station_id"]) + (
        list(scenario.stations["station_id"].astype(str)) if scenario is not None else []))
    pad, inner = 0.08, 0.84
    n_l = r[key_col].map(dict(zip(rows["key"], rows["lanes"]))).fillna(1).to_numpy(float)
    lane_h = inner / n_l
    y = r[key_col].map(row_y).to_numpy(float) + pad + r["_lane"].to_numpy(float) * lane_h
    h = lane_h * 0.88
    s, oss, ose, e = (_num(r[c]) for c in ("start", "on_site_start", "on_site_end", "end"))
    face = [colors[sid] for sid in r["station_id"]]
    ax.add_collection(PolyCollection(_rects(oss, ose, y, h), facecolors=face, edgecolors="black",
                                     linewidths=0.3, zorder=3, gid="shifts"))
    light = [lighten(c) for c in face]
    travel = np.concatenate([_rects(s, oss, y, h), _rects(ose, e, y, h)])
    ax.add_collection(PolyCollection(travel, facecolors=light + light, edgecolors="none", zorder=2.5,
                                     gid="travel"))

    # --- gaps -------------------------------------------------------------------------
    if gaps is not None and not gaps.empty:
        slot = pd.Timedelta(minutes=slot_minutes_of(cov))
        gy = (np.zeros(len(gaps)) if gap_row else gaps["hotspot_id"].map(row_y).to_numpy(float))
        ok = np.isfinite(gy)
        g0 = _num(gaps["slot_start"])[ok]
        g1 = _num(gaps["slot_start"] + slot)[ok]
        ax.add_collection(PolyCollection(_rects(g0, g1, gy[ok] + 0.02, 0.96),
                                         facecolors=GAP_COLOR, edgecolors=GAP_COLOR, alpha=0.75, zorder=2,
                                         gid="gaps"))

    # --- axes -------------------------------------------------------------------------
    if window is not None:
        lo, hi = (mdates.date2num(pd.Timestamp(t).to_datetime64()) for t in window)
    else:
        spans = [a for a in (s, e) if len(a)]
        if cov is not None and len(cov):
            spans.append(_num(cov["slot_start"]))
        if spans:
            allx = np.concatenate(spans)
            lo, hi = np.floor(allx.min() * 4) / 4, np.ceil(allx.max() * 4) / 4  # to 6 h
        else:
            lo, hi = 0.0, 1.0
    ax.set_xlim(lo, hi)
    ax.set_ylim(len(rows), 0)
    midnights = np.arange(np.ceil(lo), np.floor(hi) + 1)
    ax.vlines(midnights, 0, len(rows), colors="#555555", linestyles=":", linewidths=0.8, zorder=1,
              gid="day-lines")
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d"))
    span_days = hi - lo
    ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=range(0, 24, 2 if span_days <= 2 else 6)))
    if span_days <= 2:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %m-%d %H:%M"))
        ax.xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, 6)))
    ax.grid(axis="x", which="minor", color="#eeeeee", linewidth=0.5, zorder=0)
    ax.set_yticks(rows["y0"] + 0.5)
    fs = 8 if len(rows) <= 40 else 6 if len(rows) <= 150 else 4.5
    ax.set_yticklabels(rows["label"], fontsize=fs, fontfamily=fam)
    ax.tick_params(axis="x", labelsize=8)
    if len(rows) > 25:  # tall figure: dates on top as well
        ax.tick_params(axis="x", which="both", top=True, labeltop=True)
    ax.set_title(f"Roster by {by}: {len(r)} shifts" + (
        f", {int(gaps.shape[0])} uncovered slot(s)" if gaps is not None and len(gaps) else ""), fontsize=11)

    handles = [Patch(facecolor="#555555", label="on site"), Patch(facecolor=lighten("#555555"), label="travel"),
               Patch(facecolor=GAP_COLOR, alpha=0.75, label="gap (present < demand)")]
    used_stations = sorted(set(r["station_id"]))
    if len(used_stations) <= 20:
        names = dict(zip(scenario.stations["station_id"].astype(str), scenario.stations["name"])) \
            if scenario is not None else {}
        handles += [Patch(facecolor=colors[sid], label=f"{sid} {label(names.get(sid, ''), '')}".strip())
                    for sid in used_stations]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), prop={"family": fam, "size": 7},
              frameon=False, borderaxespad=0)
    return ax
