"""Hours and periods in a planner's words (for pre-check and explanation messages)."""

from __future__ import annotations

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def hhmm(p, k: int) -> str:
    minute = int(k) * p.slot_min
    return f"{_DAYS[(p.config.week_start.weekday() + minute // 1440) % 7]} {minute % 1440 // 60:02d}:{minute % 60:02d}"


def ranges(ks) -> list[tuple[int, int]]:
    ks = sorted(int(k) for k in ks)
    out: list[tuple[int, int]] = []
    for k in ks:
        if out and k == out[-1][1]:
            out[-1] = (out[-1][0], k + 1)
        else:
            out.append((k, k + 1))
    return out


def when(p, ks, most: int = 6) -> str:
    parts = [f"{hhmm(p, a)}–{hhmm(p, b)[4:]}" for a, b in ranges(ks)]
    more = f" and {len(parts) - most} more periods" if len(parts) > most else ""
    return ", ".join(parts[:most]) + more
