"""The hours and days of a hotspot: when its incidents happen above the background.

For each hour of the day ``h`` the hotspot's incidents ``c[h]`` are compared with what the
all-incident hourly profile predicts for as many incidents (``expected[h] = n x share[h]``, the
share of every incident read that falls in hour ``h``, with one added to each hour so that an
hour with none is not infinitely rare). An hour is **active** when ``c[h] >= min_hour_incidents``
and ``c[h] >= hour_ratio x expected[h]``; a **post** hour when also ``c[h] >= post_ratio x
expected[h]`` (the hottest hours get continuous presence), else a **visit** hour (visits of
``visits.dwell_minutes`` at least every ``visit_every_min``); visit hours between two post
hours of a block are posts too. Active hours form blocks (runs on
the 24-hour clock, across midnight too). The **days** of a block are the weekdays on which its
incidents happen at least ``day_ratio`` times as often as on the mean day; an incident after
midnight in a block that started the evening before counts for the evening's day, as a demand
row's hours do. A hotspot with no active hour (its incidents spread over the day like the
background) gets visits at its busiest three hours, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import pdtrc

__all__ = ["HourRule", "Hours", "peak_hours", "hourly_share", "days_text", "FALLBACK_HOURS"]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FALLBACK_HOURS = 3


@dataclass(frozen=True)
class HourRule:
    """One demand rule: hours ``start_h`` .. ``start_h + hours`` (past midnight when it wraps),
    on ``days`` (weekday numbers, Monday 0), ``presence`` ``post`` or ``visit``."""

    start_h: int
    hours: int
    days: tuple[int, ...]
    presence: str

    @property
    def start(self) -> str:
        return f"{self.start_h:02d}:00"

    @property
    def end(self) -> str:
        if self.hours >= 24:
            return "24:00" if self.start_h == 0 else f"{self.start_h:02d}:00"
        return f"{(self.start_h + self.hours) % 24:02d}:00"

    def text(self) -> str:
        return f"{days_text(self.days)} {self.start}-{self.end} {self.presence}"


@dataclass(frozen=True)
class Hours:
    """A hotspot's hours: the rules, the counts by hour, and whether the fallback applied."""

    rules: tuple[HourRule, ...]
    counts: np.ndarray  # [24]
    expected: np.ndarray  # [24]
    fallback: bool = False
    active: tuple[int, ...] = field(default=())

    @property
    def text(self) -> str:
        return "; ".join(r.text() for r in self.rules)


def days_text(days) -> str:
    days = sorted(set(int(d) for d in days))
    if len(days) == 7:
        return "mon-sun"
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return ",".join(DAY_NAMES[d] for d in days)


def hourly_share(times: pd.Series) -> np.ndarray:
    """Share of incidents in each hour of the day (one added to each hour)."""
    counts = np.bincount(pd.DatetimeIndex(times).hour, minlength=24).astype(float) + 1.0
    return counts / counts.sum()


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True on the 24-hour circle: (start hour, length)."""
    if mask.all():
        return [(0, 24)]
    if not mask.any():
        return []
    start = int(np.flatnonzero(~mask)[0])  # begin scanning just after an inactive hour
    runs, k = [], 0
    while k < 24:
        h = (start + k) % 24
        if mask[h]:
            n = 0
            while n < 24 and mask[(h + n) % 24]:
                n += 1
            runs.append((h, n))
            k += n
        else:
            k += 1
    return runs


def peak_hours(times: pd.Series, share: np.ndarray, *, hour_ratio: float = 2.0, post_ratio: float = 3.0,
               min_hour_incidents: int = 3, day_ratio: float = 0.4, significance: float = 0.01) -> Hours:
    """The hours and days of one hotspot's incidents ``times`` (module docstring)."""
    idx = pd.DatetimeIndex(times)
    counts = np.bincount(idx.hour, minlength=24).astype(float)
    expected = len(idx) * np.asarray(share, float)
    chance = np.where(counts > 0, pdtrc(counts - 1, np.maximum(expected, 1e-9)), 1.0)  # P(X >= c)
    active = (counts >= min_hour_incidents) & (counts >= hour_ratio * expected) & (chance <= significance)
    gap = ~active & np.roll(active, 1) & np.roll(active, -1)  # one quiet hour inside a peak is part of it
    active |= gap
    post = active & ((counts >= post_ratio * expected) | gap & np.roll(active, 1) & np.roll(active, -1))
    fallback = False
    if not active.any():
        fallback = True
        window = [counts[[(h + k) % 24 for k in range(FALLBACK_HOURS)]].sum() for h in range(24)]
        h0 = int(np.argmax(window))
        active = np.zeros(24, dtype=bool)
        active[[(h0 + k) % 24 for k in range(FALLBACK_HOURS)]] = True
        post = np.zeros(24, dtype=bool)
    rules = []
    for start_h, n in _runs(active):
        days = _days(idx, start_h, n, day_ratio)
        for sub_start, sub_n, presence in _split(post, start_h, n):
            rules.append(HourRule(sub_start, sub_n, days, presence))
    return Hours(tuple(rules), counts, expected, fallback, tuple(int(h) for h in np.flatnonzero(active)))


def _days(idx: pd.DatetimeIndex, start_h: int, n: int, day_ratio: float) -> tuple[int, ...]:
    """Weekdays of a block's incidents at least ``day_ratio`` x the mean day."""
    offset = (idx.hour - start_h) % 24
    inside = offset < n
    if not inside.any():
        return tuple(range(7))
    shifted = idx[inside] - pd.to_timedelta(start_h, unit="h")
    per_day = np.bincount(shifted.day_of_week, minlength=7).astype(float)
    keep = per_day >= day_ratio * per_day.mean()
    keep &= per_day > 0
    return tuple(int(d) for d in np.flatnonzero(keep)) or tuple(range(7))


def _split(post: np.ndarray, start_h: int, n: int) -> list[tuple[int, int, str]]:
    """A block cut into runs of post hours and visit hours; visit hours between two post hours
    of the block are posts too (a team does not leave a post for an hour to come back)."""
    kinds = ["post" if post[(start_h + k) % 24] else "visit" for k in range(n)]
    posts = [k for k, kind in enumerate(kinds) if kind == "post"]
    if posts:
        kinds[posts[0]:posts[-1] + 1] = ["post"] * (posts[-1] - posts[0] + 1)
    out: list[tuple[int, int, str]] = []
    for k, kind in enumerate(kinds):
        if out and out[-1][2] == kind:
            out[-1] = (out[-1][0], out[-1][1] + 1, kind)
        else:
            out.append(((start_h + k) % 24, 1, kind))
    return out
