"""A station's week as a grid: its teams as rows, the days of the horizon as columns, each
shift in its cell with times, hotspot, zone and (synchronized zones) the partner stations on
site with it. One table behind the PDF sheet, the Excel sheet and the report's week table,
built from the run folder's roster and the Scenario (nothing is solved again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from patrolplan.outputs.plotting._names import hotspot_names, station_names, zone_names
from patrolplan.outputs.plotting._tables import roster_frame

__all__ = ["WeekShift", "StationWeek", "station_week", "station_weeks", "week_label", "DAY_FORMAT"]

#: How a day column is headed ("Mon 11-30").
DAY_FORMAT = "%a %m-%d"


@dataclass(frozen=True)
class WeekShift:
    """One shift in a week cell. Times are local; ``partners`` are names (ids where unnamed)
    of the other stations whose teams are on site at the same hotspot during this shift."""

    shift_id: str
    team_id: str
    start: pd.Timestamp
    end: pd.Timestamp
    on_site_start: pd.Timestamp
    on_site_end: pd.Timestamp
    hotspot_id: str
    hotspot: str
    zone_id: str
    zone: str
    mode: str
    partners: tuple[str, ...] = ()
    partner_ids: tuple[str, ...] = ()

    def times(self, day: dt.date) -> str:
        """``08:00–16:00``; ``+1`` marks an end on the next day; a start before ``day`` (a
        shift from before the horizon) carries its weekday (``Sun 20:00–04:00``)."""
        def hm(t: pd.Timestamp) -> str:
            shift = (t.date() - day).days
            if shift < 0:
                return f"{t:%a %H:%M}"
            return f"{t:%H:%M}" + (f"+{shift}" if shift else "")
        return f"{hm(self.start)}–{hm(self.end)}"

    def lines(self, day: dt.date) -> list[str]:
        """The cell text of this shift, line by line."""
        out = [self.times(day), self.hotspot]
        zone = self.zone if self.zone != self.hotspot else self.zone_id
        out.append(f"{zone} · {'sync' if self.mode == 'synchronized' else 'relay' if self.mode == 'staggered' else self.mode}")
        if self.mode == "synchronized":
            out.append("with " + ("、".join(self.partners) if self.partners else "— (no partner on site)"))
        return out


@dataclass(frozen=True)
class StationWeek:
    """A station's week: ``cells[(team_id, day_index)]`` lists that team's shifts starting on
    that day (a shift starting before the horizon is listed on its first day)."""

    station_id: str
    station_name: str
    config_name: str
    days: tuple[dt.date, ...]
    teams: tuple[str, ...]
    teams_available: int
    team_size: int
    cells: dict = field(default_factory=dict)

    @property
    def shifts(self) -> list[WeekShift]:
        return [s for key in sorted(self.cells) for s in self.cells[key]]

    @property
    def title(self) -> str:
        name = self.station_name if self.station_name != self.station_id else ""
        return f"{name} ({self.station_id})" if name else self.station_id

    @property
    def week(self) -> str:
        return week_label(self.days)

    @property
    def team_hours(self) -> float:
        return round(sum((s.end - s.start).total_seconds() for s in self.shifts) / 3600.0, 2)

    def summary(self) -> str:
        n = len(self.shifts)
        return (f"{self.teams_available} teams of {self.team_size} available, {len(self.teams)} with shifts; "
                f"{n} shift{'s' if n != 1 else ''}, {self.team_hours:g} team-hours (travel included). "
                "Times are local; +1: next day.")


def week_label(days) -> str:
    """``2026-11-30 – 2026-12-06 (ISO week 49)``."""
    if not days:
        return ""
    first, last = days[0], days[-1]
    week = first.isocalendar()
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d} (ISO week {week[1]})"


def _partners(r: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Per shift: the other stations on site at the same hotspot at an overlapping time."""
    out: dict[str, tuple[str, ...]] = {}
    for _, sub in r.groupby("hotspot_id"):
        sub = sub.sort_values("on_site_start")
        rows = list(sub[["shift_id", "station_id", "on_site_start", "on_site_end"]].itertuples(index=False))
        for a in rows:
            others = sorted({b.station_id for b in rows if b.station_id != a.station_id
                             and b.on_site_start < a.on_site_end and a.on_site_start < b.on_site_end})
            out[a.shift_id] = tuple(others)
    return out


def station_weeks(scenario, roster: pd.DataFrame, *, drawable: bool = True) -> list[StationWeek]:
    """The week of every scenario station (and any other station the roster names), in the
    stations table's order. ``drawable``: names the fonts at hand cannot draw become ids (for
    pictures and PDF); False keeps every name (for HTML and Excel)."""
    r = roster_frame(roster)
    cfg = scenario.config
    days = tuple(cfg.week_start + dt.timedelta(days=i) for i in range(cfg.horizon_days))
    st_names = station_names(scenario, drawable=drawable)
    hs_names = hotspot_names(scenario, drawable=drawable)
    z_names = zone_names(scenario, drawable=drawable)
    teams_available = scenario.teams_per_station()
    partners = _partners(r) if len(r) else {}
    ids = list(scenario.stations["station_id"].astype(str))
    ids += sorted(set(r["station_id"]) - set(ids)) if len(r) else []
    by_station = dict(tuple(r.groupby("station_id"))) if len(r) else {}
    out = []
    for sid in ids:
        sub = by_station.get(sid, r.iloc[0:0]).sort_values(["team_id", "start"])
        cells: dict = {}
        for row in sub.itertuples(index=False):
            k = min(max((row.start.date() - days[0]).days, 0), len(days) - 1)
            pids = partners.get(row.shift_id, ())
            cells.setdefault((row.team_id, k), []).append(WeekShift(
                shift_id=row.shift_id, team_id=row.team_id, start=row.start, end=row.end,
                on_site_start=row.on_site_start, on_site_end=row.on_site_end,
                hotspot_id=row.hotspot_id, hotspot=hs_names.get(row.hotspot_id, row.hotspot_id),
                zone_id=row.zone_id, zone=z_names.get(row.zone_id, row.zone_id), mode=row.mode,
                partners=tuple(st_names.get(p, p) for p in pids), partner_ids=tuple(pids),
            ))
        out.append(StationWeek(
            station_id=sid, station_name=st_names.get(sid, sid), config_name=cfg.name, days=days,
            teams=tuple(sorted(sub["team_id"].unique())) if len(sub) else (),
            teams_available=int(teams_available.get(sid, 0)), team_size=int(cfg.rules.team_size), cells=cells,
        ))
    return out


def station_week(scenario, roster: pd.DataFrame, station_id: str, *, drawable: bool = True) -> StationWeek:
    """The week of one station (see :func:`station_weeks`)."""
    for week in station_weeks(scenario, roster, drawable=drawable):
        if week.station_id == str(station_id):
            return week
    raise KeyError(f"station {station_id!r} is neither in the scenario nor in the roster")
