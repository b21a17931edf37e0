"""Who answers an incident there and then: the tiers of Jining's joint handling (联处).

``Responder.load(run_dir)`` reads a run folder once (its roster, visits, the scenario of the
config it records, the road graph, the boundary and station-area polygons);
``responder.answer(lon=..., lat=..., time=...)`` (or ``hotspot=``) then answers in well under a
second. :func:`respond` does both for one question.

Tiers:

1. the station whose jurisdiction holds the point — its polygon in ``data.station_areas``
   when the config names one; otherwise the station nearest by road among the stations of
   the point's county (the ``data.boundaries`` polygon holding it, matched to the stations'
   ``county`` column), and the answer says so — plus every on-duty team of another station
   that is nearer by road than the first station can be (the nearer-station hand-off);
2. the member stations of the town-tier zones the tier-1 station belongs to;
3. the member stations of its county-, city- and province-tier zones (those not in tier 2).

For each station: its teams on duty at that time (where they are, :mod:`.positions`) and the
station itself (its officers on call: those not out with a team on duty), each with road
minutes to the point; sorted by arrival within each tier.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from patrolplan.check import read_roster, read_visits
from patrolplan.errors import DataError
from patrolplan.inputs.io import load_scenario, read_polygons
from patrolplan.inputs.network import UNREACHABLE_MIN, road_graph
from patrolplan.outputs.runfolder import read_summary, recorded_config
from patrolplan.response.positions import on_duty, point_minutes

__all__ = ["Responder", "Answer", "respond", "parse_time", "parse_lonlat"]

TIER_NAMES = {1: "first response (the station of the place, and nearer teams)",
              2: "town-border cooperation zones",
              3: "county-, city- and province-border cooperation zones"}


@dataclass(frozen=True)
class Answer:
    """The answer: the place, the time, how tier 1 was found, and one row per responder
    (``rows``: tier, station_id, station, kind ``team``/``station``, team_id, shift_id,
    state, where, minutes, officers_on_call, handoff, and ``from_lon``/``from_lat``: where it
    drives from — its hotspot, the end of its leg the position rule chose, or the station)."""

    lon: float
    lat: float
    time: str
    hotspot_id: str
    county: str
    tier1_station: str
    tier1_rule: str
    note: str
    rows: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"lon": self.lon, "lat": self.lat, "time": self.time, "hotspot_id": self.hotspot_id,
                "county": self.county, "tier1_station": self.tier1_station, "tier1_rule": self.tier1_rule,
                "note": self.note, "responders": self.rows}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["tier", "station_id", "station", "kind", "team_id", "shift_id",
                                                "state", "where", "minutes", "officers_on_call", "handoff",
                                                "from_lon", "from_lat"])

    def to_text(self) -> str:
        head = [f"Incident at ({self.lon:.5f}, {self.lat:.5f})" + (f", hotspot {self.hotspot_id}" if self.hotspot_id
                                                                 else "") + f", {self.time}",
                f"Tier 1 station: {self.tier1_station} — {self.note}"]
        df = self.to_frame()
        out = head
        for tier in (1, 2, 3):
            part = df[df["tier"] == tier]
            out += ["", f"Tier {tier}: {TIER_NAMES[tier]}"]
            if part.empty:
                out.append("  (none)")
                continue
            for r in part.itertuples():
                who = f"{r.team_id} ({r.station_id})" if r.kind == "team" else f"station {r.station_id} {r.station}"
                extra = f", {r.officers_on_call} officers on call" if r.kind == "station" else ""
                hand = "  [nearer-station hand-off]" if r.handoff else ""
                minutes = "no road" if r.minutes >= UNREACHABLE_MIN else f"{r.minutes:4d} min"
                out.append(f"  {minutes}  {who}: {r.where}{extra}{hand}")
        return "\n".join(out)


_DATE_FIRST = r"^\s*\d{4}-\d{1,2}-\d{1,2}"


def parse_time(text: str, *, week: tuple[dt.datetime, dt.datetime] | None = None) -> dt.datetime:
    """An ISO 8601 local time with its date (``2026-12-04T22:30``; an offset is dropped). A
    time without a date (``22:30``) is refused, as ``replan --at`` refuses it: it would be read
    as today. ``week``: (start, end) of the planned week, named in the message."""
    import re

    if isinstance(text, str) and not re.match(_DATE_FIRST, text):
        dates = ""
        if week is not None:
            last = week[1] - dt.timedelta(minutes=1)
            dates = f" (the week runs {week[0]:%Y-%m-%d} to {last:%Y-%m-%d})"
        clock = text.strip() if re.fullmatch(r"[0-2]?\d:[0-5]\d", text.strip()) else "22:30"
        example = f"{week[0]:%Y-%m-%d}T{clock}" if week is not None else "2026-12-04T22:30"
        raise DataError(f"--time {text!r}: not a date and time — give the date too{dates}, as ISO 8601 local "
                        f"time, e.g. {example}")
    try:
        t = pd.Timestamp(str(text))
    except (ValueError, TypeError):
        raise DataError(f"--time {text!r}: not a date and time — give ISO 8601 local time, e.g. 2026-12-04T22:30") from None
    if pd.isna(t):
        raise DataError(f"--time {text!r}: not a date and time — give ISO 8601 local time, e.g. 2026-12-04T22:30")
    return t.tz_localize(None).to_pydatetime() if t.tzinfo else t.to_pydatetime()


def parse_lonlat(text: str) -> tuple[float, float]:
    """``LON,LAT`` in WGS84 degrees."""
    try:
        lon, lat = (float(v) for v in str(text).split(","))
    except ValueError:
        raise DataError(f"--at {text!r}: give LON,LAT in WGS84 degrees, e.g. 116.81,35.53") from None
    if not (np.isfinite(lon) and np.isfinite(lat)):
        raise DataError(f"--at {text!r}: not a place (NaN or infinite) — give LON,LAT in WGS84 degrees, e.g. "
                        "116.81,35.53")
    if -90 <= lon <= 90 and 90 < abs(lat) <= 180:
        raise DataError(f"--at {text!r}: latitude {lat:g} is beyond +-90 — longitude comes first: did you mean "
                        f"--at {lat:g},{lon:g}?")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise DataError(f"--at {text!r}: longitude must lie in -180..180 and latitude in -90..90")
    return lon, lat


class Responder:
    """A run folder, loaded once for many questions (see the module docstring)."""

    def __init__(self, scenario, roster: pd.DataFrame, visits: pd.DataFrame | None, graph=None,
                 station_areas=None, source: str = "run folder"):
        self.scenario = scenario
        self.roster = roster
        self.visits = visits
        self.graph = graph
        self.source = source
        st = scenario.stations
        self.station_ids = st["station_id"].astype(str).tolist()
        self.station_name = dict(zip(self.station_ids, st["name"].astype(str)))
        self.county_of = dict(zip(self.station_ids, st["county"].fillna("").astype(str))) if "county" in st else {}
        self.officers = dict(zip(self.station_ids, st["officers"].astype(int)))
        hs = scenario.hotspots
        self.hotspot_ll = {str(h): (float(x), float(y)) for h, x, y in zip(hs["hotspot_id"], hs["lon"], hs["lat"])}
        self.station_ll = {s: (float(x), float(y)) for s, x, y in zip(self.station_ids, st["lon"], st["lat"])}
        self.hotspot_name = dict(zip(hs["hotspot_id"].astype(str), hs["name"].astype(str))) if "name" in hs else {}
        self.zones = [(str(t), tuple(str(m) for m in ms)) for t, ms in zip(scenario.zones["tier"], scenario.zones["members"])]
        self.counties = _county_polygons(scenario.boundaries, set(self.county_of.values()) - {""})
        self.areas = station_areas

    # --- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, run_dir: str | Path, *, config: str | Path | None = None) -> "Responder":
        """Read ``run_dir`` (its roster.csv, visits.csv, and the config summary.json records,
        or ``config``), the scenario, the road graph and the polygons."""
        run_dir = Path(run_dir)
        if not run_dir.is_dir():
            raise DataError(f"{run_dir}: no such run folder — give a folder patrolplan solve wrote")
        if not (run_dir / "roster.csv").is_file():
            raise DataError(f"{run_dir}: no roster.csv — this run folder holds no roster (an infeasible week, or not a "
                            "run folder); solve the week first")
        if config is None:
            config = recorded_config(run_dir)
        scenario = load_scenario(config)
        roster = read_roster(run_dir)
        visits = read_visits(run_dir)
        _check_folder(run_dir, roster, visits, read_summary(run_dir))
        return cls(scenario, roster, visits, road_graph(scenario), read_station_areas(scenario), source=str(run_dir))

    # --- the answer --------------------------------------------------------------------------
    def answer(self, *, time, lon: float | None = None, lat: float | None = None, hotspot: str | None = None) -> Answer:
        """Who answers an incident at ``(lon, lat)`` (or at hotspot ``hotspot``) at ``time``
        (a datetime or ISO text). Raises :class:`DataError` for an unknown hotspot, a time
        outside the week, or a point outside every boundary."""
        if hotspot is not None:
            if str(hotspot) not in self.hotspot_ll:
                raise DataError(f"--hotspot {hotspot!r}: no such hotspot in {self.source} — give a hotspot_id of "
                                "hotspots.csv")
            lon, lat = self.hotspot_ll[str(hotspot)]
        if lon is None or lat is None:
            raise DataError("give the place: --at LON,LAT or --hotspot ID")
        when = time if isinstance(time, dt.datetime) else parse_time(time, week=self._week())
        minute = self._minute(when)
        minutes = point_minutes(self.scenario, self.graph, lon, lat)
        first, county, rule, note = self._tier1(lon, lat, minutes)
        teams = on_duty(self.roster, self.visits, minute, self.scenario.horizon_start)
        rows = self._rows(first, teams, minutes, when)
        return Answer(float(lon), float(lat), when.strftime("%Y-%m-%dT%H:%M"), str(hotspot or ""), county, first,
                      rule, note, rows)

    def _week(self) -> tuple[dt.datetime, dt.datetime]:
        h0 = self.scenario.horizon_start
        return h0, h0 + dt.timedelta(minutes=self.scenario.config.horizon_minutes)

    def _minute(self, when: dt.datetime) -> int:
        h0, end = self._week()
        if not h0 <= when < end:
            raise DataError(f"--time {when:%Y-%m-%dT%H:%M}: outside the planned week ({h0:%Y-%m-%dT%H:%M} to "
                            f"{end:%Y-%m-%dT%H:%M}) — give a time inside it")
        return int((when - h0).total_seconds() // 60)

    def _tier1(self, lon: float, lat: float, minutes) -> tuple[str, str, str, str]:
        """(station, county, rule, note)."""
        point = shapely.Point(lon, lat)
        if self.areas is not None:
            hit = self.areas[self.areas.geometry.contains(point)]
            if len(hit):
                sid = str(hit["station_id"].iloc[0])
                return sid, self.county_of.get(sid, ""), "station_area", "its station area (data.station_areas) holds the point"
        county = ""
        candidates = self.station_ids
        if self.counties is not None:
            names, polys = self.counties
            inside = [n for n, g in zip(names, polys) if g.covers(point)]
            if not inside:
                raise DataError(f"--at {lon:.6f},{lat:.6f}: outside every boundary of data.boundaries — give a point "
                                "inside the planned area")
            county = inside[0]
            mine = [s for s in self.station_ids if self.county_of.get(s) == county]
            if mine:
                candidates = mine
        best = min(candidates, key=lambda s: (minutes("station", s), s))
        if self.areas is not None:
            why = "no station area holds the point: "
        else:
            why = "no station areas configured (data.station_areas): "
        if county and candidates is not self.station_ids:
            why += f"the nearest station by road within the point's county {county}"
        elif county:
            why += f"no station has county {county}: the nearest station by road"
        else:
            why += "no boundaries configured: the nearest station by road"
        return best, county, "nearest_in_county" if county and candidates is not self.station_ids else "nearest", why

    def _tiers(self, first: str) -> tuple[list[str], list[str]]:
        town = {m for tier, ms in self.zones if tier == "town" and first in ms for m in ms}
        higher = {m for tier, ms in self.zones if tier != "town" and first in ms for m in ms}
        tier2 = sorted(town - {first})
        return tier2, sorted(higher - set(tier2) - {first})

    def _lonlat(self, end: tuple[str, str]) -> dict:
        kind, ident = end
        lon, lat = (self.station_ll if kind == "station" else self.hotspot_ll)[ident]
        return {"from_lon": lon, "from_lat": lat}

    def routes(self, answer: "Answer") -> list[list[tuple[float, float]]]:
        """Each responder's road path (lon, lat points) from where it drives from (``from_lon``,
        ``from_lat``) to the incident, in ``answer.rows`` order; [] without roads or road path."""
        if self.graph is None:
            return [[(r["from_lon"], r["from_lat"]), (answer.lon, answer.lat)] for r in answer.rows]
        return [self.graph.path_lonlat((r["from_lon"], r["from_lat"]), (answer.lon, answer.lat)) for r in answer.rows]

    def _on_call(self, sid: str, teams_out: int, when: dt.datetime) -> int:
        officers = self.officers.get(sid, 0)
        av = self.scenario.availability
        if av is not None and len(av):
            on_day = av[(av["station_id"].astype(str) == sid) & (av["date"] == when.date())]
            if len(on_day):
                officers = int(on_day["officers"].min())
        return max(0, officers - teams_out * self.scenario.config.rules.team_size)

    def _rows(self, first: str, teams, minutes, when) -> list[dict]:
        tier2, tier3 = self._tiers(first)
        tier_of = {first: 1, **{s: 2 for s in tier2}, **{s: 3 for s in tier3}}
        name = lambda h: self.hotspot_name.get(h, "")  # noqa: E731
        team_rows = [dict(tier=tier_of.get(t.station_id, 0), station_id=t.station_id,
                          station=self.station_name.get(t.station_id, ""), kind="team", team_id=t.team_id,
                          shift_id=t.shift_id, state=t.state, where=t.where(name),
                          minutes=int(min(t.minutes(minutes), UNREACHABLE_MIN)), officers_on_call=0, handoff=False,
                          **self._lonlat(t.via(minutes)))
                     for t in teams]
        out_count: dict[str, int] = {}
        for t in teams:
            out_count[t.station_id] = out_count.get(t.station_id, 0) + 1
        station_rows = [dict(tier=tier, station_id=s, station=self.station_name.get(s, ""), kind="station", team_id="",
                             shift_id="", state="at_station", where="at the station",
                             minutes=int(minutes("station", s)),
                             officers_on_call=self._on_call(s, out_count.get(s, 0), when), handoff=False,
                             **self._lonlat(("station", s)))
                        for s, tier in tier_of.items()]
        first_best = min([r["minutes"] for r in team_rows + station_rows if r["station_id"] == first])
        rows = []
        for r in team_rows:
            if r["station_id"] != first and r["minutes"] < first_best:
                rows.append({**r, "tier": 1, "handoff": True})
            elif r["tier"]:
                rows.append(r)
        rows += station_rows
        rows.sort(key=lambda r: (r["tier"], r["minutes"], r["kind"] != "team", r["station_id"], r["team_id"]))
        return rows


def _check_folder(run_dir: Path, roster: pd.DataFrame, visits: pd.DataFrame | None, summary: dict) -> None:
    """A run folder whose files disagree would answer wrongly without a word: loop teams
    placed "on site" with no visit to say where they are, or no team at all. Raises
    :class:`DataError` naming the broken file."""
    recorded = summary.get("shifts")
    if len(roster) == 0 and isinstance(recorded, int) and recorded > 0:
        raise DataError(f"{run_dir / 'roster.csv'}: only a header, but summary.json records {recorded} shifts — "
                        "the roster was truncated or replaced; solve the week again (or restore roster.csv)")
    loops = roster["loop_id"].astype(str).str.strip() if "loop_id" in roster else pd.Series([], dtype=str)
    loop_shifts = set(roster.loc[loops.index[loops != ""], "shift_id"].astype(str)) if len(loops) else set()
    if not loop_shifts:
        return
    path = run_dir / "visits.csv"
    if visits is None:
        raise DataError(f"{path}: missing, but roster.csv has {len(loop_shifts)} loop shift(s) (loop_id set) — "
                        "their visits say where each team is; solve the week again (or restore visits.csv)")
    lacking = sorted(loop_shifts - set(visits["shift_id"].astype(str)))
    if lacking:
        shown = ", ".join(lacking[:8]) + (f" and {len(lacking) - 8} more" if len(lacking) > 8 else "")
        what = "has no rows" if len(visits) == 0 else f"has no visits of the loop shift(s) {shown}"
        raise DataError(f"{path}: {what}, though roster.csv has {len(loop_shifts)} loop shift(s) (loop_id set) — "
                        "solve the week again (or restore visits.csv)")


def respond(run_dir: str | Path, *, time, lon: float | None = None, lat: float | None = None,
            hotspot: str | None = None, config: str | Path | None = None) -> Answer:
    """One question to a run folder (loads it: for many, keep a :class:`Responder`)."""
    return Responder.load(run_dir, config=config).answer(time=time, lon=lon, lat=lat, hotspot=hotspot)


def _county_polygons(boundaries, station_counties: set[str]):
    """(names, polygons) of the boundary layer, named by the column whose values match the
    stations' ``county`` column best (None without boundaries)."""
    if boundaries is None or not len(boundaries):
        return None
    best, hits = None, -1
    for col in boundaries.columns:
        if col == "geometry":
            continue
        values = set(boundaries[col].astype(str))
        n = len(values & station_counties)
        if n > hits:
            best, hits = col, n
    names = boundaries[best].astype(str).tolist() if best is not None else [""] * len(boundaries)
    polys = list(boundaries.geometry.values)
    for g in polys:
        shapely.prepare(g)
    return names, polys


def read_station_areas(scenario):
    """The config's ``data.station_areas`` layer, checked (None when the key is absent); raises
    :class:`DataError` for a missing file or polygons naming no known station. ``patrolplan
    validate`` reads it too."""
    path = scenario.config.data.station_areas
    if path is None:
        return None
    if not Path(path).is_file():
        raise DataError(f"{path}: data.station_areas: no such file — check the path (relative to the config) "
                        "or drop the key")
    return _station_areas(read_polygons(path), set(scenario.stations["station_id"].astype(str)), str(path))


def _station_areas(gdf, station_ids: set[str], source: str):
    """The station-area layer, checked: a ``station_id`` column naming known stations, each
    once (a station's area is one feature: a second one would be another station's polygon
    mislabelled, or a piece that belongs in the first as a MultiPolygon)."""
    if "station_id" not in gdf.columns:
        raise DataError(f"{source}: no column 'station_id' — each station-area polygon names its station")
    problems = []
    rows: dict[str, list[int]] = {}
    for n, sid in enumerate(gdf["station_id"].astype(str), start=2):
        rows.setdefault(sid, []).append(n)
        if sid not in station_ids:
            problems.append(f"{source}: row {n} (station_id '{sid}'), column 'station_id': not a station of the stations "
                            "table — name a known station or drop the polygon")
    for sid, ns in rows.items():
        if len(ns) > 1 and sid in station_ids:
            problems.append(f"{source}: rows {', '.join(map(str, ns[:-1]))} and {ns[-1]} (features "
                            f"{', '.join(str(n - 1) for n in ns)}), column 'station_id': station '{sid}' is named "
                            f"{len(ns)} times — one area per station: fix the station_id of the feature that belongs to "
                            "another station, or join the pieces into one feature (a MultiPolygon)")
    if problems:
        raise DataError(problems)
    problems = _overlaps(gdf, source)
    if problems:
        raise DataError(problems)
    return gdf


#: station areas may overlap by digitising slivers up to this share of the smaller area (or
#: ``_SLIVER_M2``, whichever is larger); beyond it a point would have two stations
_SLIVER_SHARE = 0.001
_SLIVER_M2 = 100.0


def _overlaps(gdf, source: str) -> list[str]:
    """One line per pair of station areas that overlap beyond a sliver, naming both stations
    and the overlap in km² (areas measured in the layer's UTM zone)."""
    if len(gdf) < 2:
        return []
    try:
        metric = gdf.to_crs(gdf.estimate_utm_crs())
    except Exception:  # noqa: BLE001 - no CRS guess possible (empty or odd bounds): measure in degrees
        metric = gdf
    geoms = list(metric.geometry.values)
    ids = gdf["station_id"].astype(str).tolist()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    lines = []
    for i, j in zip(left, right):
        if i >= j or geoms[i] is None or geoms[j] is None:
            continue
        shared = geoms[i].intersection(geoms[j]).area
        smaller = min(geoms[i].area, geoms[j].area)
        if shared > max(_SLIVER_M2, _SLIVER_SHARE * smaller):
            lines.append(f"{source}: rows {i + 2} and {j + 2}: the areas of stations {ids[i]} and {ids[j]} overlap by "
                         f"{shared / 1e6:.3g} km² ({100 * shared / smaller:.0f} % of the smaller) — a place must "
                         "have one station: fix the polygons so they only touch")
    return lines
