"""Problem: everything the model needs, as frozen arrays.

Two constructors in layers (after spopt): :meth:`Problem.from_scenario` reduces the geometry
to a travel-time matrix and a demand matrix and hands them to :meth:`Problem.from_arrays`,
which knows no GIS and is what the unit tests drive with hand-made matrices.

The central object is the list of **candidate shifts** ("columns"): one per (member station,
hotspot of its zone, start on the grid, allowed length) whose on-site window covers at least one
demanded slot. A shift of length ``L`` starting at minute ``start`` (0 = ``week_start`` 00:00;
negative = before the horizon) is on site from ``start + out`` to ``start + L - back`` and covers
the slots that lie entirely inside that window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from patrolplan.inputs.config import Config
from patrolplan.errors import DataError
from patrolplan.model.rules import synchronized
from patrolplan.model.rules import visits as visit_rule
from patrolplan.model.rules import shifts as shift_rule

__all__ = ["Problem", "planned_travel"]


@dataclass(frozen=True, eq=False)
class Problem:
    """The planning problem as arrays (minutes throughout; every ``numpy`` array read-only).

    Stations ``s``, hotspots ``h``, zones ``z``, slots ``k`` and candidate shifts ``j``.
    """

    config: Config
    station_ids: tuple[str, ...]
    hotspot_ids: tuple[str, ...]
    zone_ids: tuple[str, ...]
    teams: np.ndarray  # [S] teams per station
    hotspot_zone: np.ndarray  # [H] zone index
    hotspot_risk: np.ndarray  # [H]
    zone_mode: tuple[str, ...]  # [Z]
    zone_tier: tuple[str, ...]
    zone_members: tuple[tuple[int, ...], ...]  # [Z] station indices
    zone_min_stations: np.ndarray  # [Z]
    zone_jurisdiction_groups: tuple[tuple[tuple[int, ...], ...], ...]  # [Z] members grouped by non-empty tier jurisdiction
    demand: np.ndarray  # [H, K] teams the contract's demand asks for
    required: np.ndarray  # [H, K] teams that must be on site: demand, raised to min_stations in synchronized zones
    out_min: np.ndarray  # [S, H]
    back_min: np.ndarray  # [H, S]
    availability_teams: dict[tuple[int, int], int]  # (station, day index from week_start) -> teams that may start
    # candidate shifts
    shift_station: np.ndarray
    shift_hotspot: np.ndarray
    shift_start_min: np.ndarray
    shift_len_min: np.ndarray
    shift_out_min: np.ndarray
    shift_back_min: np.ndarray
    shift_k0: np.ndarray  # first covered slot
    shift_k1: np.ndarray  # one past the last covered slot
    cover: sp.csr_matrix = field(repr=False)  # [n demanded hotspot-slots, n shifts] 0/1
    cover_hotspot: np.ndarray = field(repr=False)  # [rows] hotspot of each demanded hotspot-slot
    cover_slot: np.ndarray = field(repr=False)  # [rows] slot of each demanded hotspot-slot
    # visits (rules/visits.py): demand, loops, and the guard rows
    visit_need: np.ndarray = field(repr=False, default=None)  # [H, K] 1 where visits are asked (no post)
    # [H, K] the strictest interval / dwell of the visit rules naming the slot, under a post too (0: none)
    visit_asked_every_min: np.ndarray = field(repr=False, default=None)
    visit_asked_dwell_min: np.ndarray = field(repr=False, default=None)
    visit_dwell_min: np.ndarray = field(repr=False, default=None)  # [H] minutes on site per visit
    visit_every_min: np.ndarray = field(repr=False, default=None)  # [H] most minutes between visit starts
    hop_min: np.ndarray | None = field(repr=False, default=None)  # [H, H] hotspot -> hotspot
    loop_hotspots: tuple = field(repr=False, default=())  # per loop: hotspot indices
    shift_loop: np.ndarray = field(repr=False, default=None)  # [n] loop index, -1 for a post
    shift_partner: np.ndarray = field(repr=False, default=None)  # [n] other half of a joint loop, -1
    visit_ptr: np.ndarray = field(repr=False, default=None)  # [n + 1] visits of shift j: ptr[j]:ptr[j+1]
    visit_hotspot: np.ndarray = field(repr=False, default=None)
    visit_arrive_min: np.ndarray = field(repr=False, default=None)  # minutes from week_start
    guard: sp.csr_matrix = field(repr=False, default=None)  # [guarded hotspot-slots, n shifts]
    guard_hotspot: np.ndarray = field(repr=False, default=None)
    guard_slot: np.ndarray = field(repr=False, default=None)
    # visits.rendezvous (rules/visits.py Windows): window rows (in guard*), meeting points and links
    windows: object = field(repr=False, default=None)  # visits.Windows, or None (enumerated loops)
    meet_window: sp.csr_matrix = field(repr=False, default=None)  # [window rows, meeting points]
    meet_link: sp.csr_matrix = field(repr=False, default=None)  # [link rows, n shifts]
    pricing: object = field(repr=False, default=None)  # solver.colgen.PricingReport once columns are priced
    # re-planning (rules/published.py): the published roster's kept rows and busy teams
    published: object = field(repr=False, default=None)

    def __post_init__(self) -> None:
        # every array read-only, as Travel's: a writable one is copied first, so that the
        # caller's own array (``teams``, ``demand``, ...) stays the caller's, and nothing
        # downstream (the model, the greedy, the explanation) can write into the problem; an
        # array already read-only (a field kept by ``replace``) is taken as it is
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and value.flags.writeable:
                value = value.copy()
                value.setflags(write=False)
                object.__setattr__(self, f.name, value)

    # --- sizes and derived facts ----------------------------------------------------------
    @property
    def n_shifts(self) -> int:
        return int(self.shift_station.size)

    @property
    def slot_min(self) -> int:
        return self.config.slot_minutes

    @property
    def n_slots(self) -> int:
        return int(self.demand.shape[1])

    @property
    def min_rest_min(self) -> int:
        return self.config.rules.min_rest_min

    @property
    def horizon_start(self) -> dt.datetime:
        return dt.datetime.combine(self.config.week_start, dt.time(0, 0))

    @property
    def shift_on_site_min(self) -> np.ndarray:
        return self.shift_len_min - self.shift_out_min - self.shift_back_min

    @property
    def shift_day(self) -> np.ndarray:
        """Day index (from week_start; -1 = the day before) of each shift's start."""
        return np.floor_divide(self.shift_start_min, 24 * 60)

    def replace(self, **changes) -> "Problem":
        return dataclasses.replace(self, **changes)

    def rebuilt(self, *, config: Config | None = None, teams=None, out_min=None, back_min=None,
                zone_min_stations=None, zone_jurisdiction_groups=None, visits=None) -> "Problem":
        """The same inputs with some replaced, candidate shifts generated anew (what-if
        questions of explain.py)."""
        pick = lambda new, old: old if new is None else new  # noqa: E731
        return Problem.from_arrays(
            pick(config, self.config),
            station_ids=self.station_ids,
            hotspot_ids=self.hotspot_ids,
            zone_ids=self.zone_ids,
            teams=pick(teams, self.teams),
            hotspot_zone=self.hotspot_zone,
            zone_mode=self.zone_mode,
            zone_members=self.zone_members,
            demand=self.demand,
            out_min=pick(out_min, self.out_min),
            back_min=pick(back_min, self.back_min),
            zone_min_stations=pick(zone_min_stations, self.zone_min_stations),
            zone_tier=self.zone_tier,
            zone_jurisdiction_groups=pick(zone_jurisdiction_groups, self.zone_jurisdiction_groups),
            hotspot_risk=self.hotspot_risk,
            availability_teams=self.availability_teams,
            visits=pick(visits, self.visit_demand()),
            hop_min=self.hop_min,
        ).with_published(self.published)

    def on_the_visit_grid(self) -> "Problem":
        """This problem rebuilt with its window rows on the visit grid (``visits.check_minutes``
        set to ``visits.grid_minutes``), where they are exact to the grid's minute."""
        v = self.config.visits
        return self.rebuilt(config=self.config.replace(visits=v.model_copy(update={"check_minutes": v.grid_minutes})))

    def with_published(self, published) -> "Problem":
        """This problem keeping the published roster ``published`` (rules/published.py): with
        the kept rows' columns (``with_kept_columns``) where it keeps rows."""
        from patrolplan.model.rules.published import with_kept_columns

        p = self.replace(published=published)
        return p if published is None else with_kept_columns(p)

    def visit_demand(self):
        """The visit demand as :class:`~patrolplan.inputs.demand.VisitDemand` (per-hotspot values)."""
        from patrolplan.inputs.demand import VisitDemand

        need = self.visit_need
        return VisitDemand(need, self.visit_dwell_min[:, None] * need, self.visit_every_min[:, None] * need,
                           asked_every_min=self.visit_asked_every_min, asked_dwell_min=self.visit_asked_dwell_min)

    @property
    def has_visits(self) -> bool:
        return bool(self.visit_need.any())

    def visits_of(self, j: int) -> list[tuple[int, int, int]]:
        """Visits of shift ``j``: ``(hotspot, arrive, depart)`` minutes; [] for a post."""
        a, b = int(self.visit_ptr[j]), int(self.visit_ptr[j + 1])
        return [(int(h), int(t), int(t) + int(self.visit_dwell_min[h]))
                for h, t in zip(self.visit_hotspot[a:b], self.visit_arrive_min[a:b])]

    def demand_team_hours(self) -> float:
        return float(self.required.sum()) * self.slot_min / 60

    # --- constructors ---------------------------------------------------------------------
    @classmethod
    def from_scenario(cls, scenario, travel=None) -> "Problem":
        """Travel times from the roads (network.py; or ``travel`` already computed), planned with
        ``travel.margin_min`` spare minutes per non-zero leg, and demand from the rules
        (demand.py)."""
        from patrolplan.inputs.demand import expand_demand, expand_visits
        from patrolplan.inputs.network import travel_times

        travel = travel if travel is not None else travel_times(scenario)
        margin = scenario.config.travel.margin_min
        visits = expand_visits(scenario)
        hop = travel.hop_min
        needs_hop = visits.any or scenario.config.response.backup != "off"
        if needs_hop and hop is None:  # a Travel computed before the visit rows (or backup) were read
            travel = travel_times(scenario)
            hop = travel.hop_min
        return cls.from_tables(
            scenario,
            out_min=planned_travel(travel.out_min, margin),
            back_min=planned_travel(travel.back_min, margin),
            demand=expand_demand(scenario),
            visits=visits,
            hop_min=planned_travel(hop, margin) if hop is not None else None,
        )

    @classmethod
    def from_tables(cls, scenario, *, out_min: np.ndarray, back_min: np.ndarray, demand: np.ndarray, visits=None,
                    hop_min=None) -> "Problem":
        """Scenario tables + a travel matrix + a demand matrix (no GIS from here on)."""
        cfg = scenario.config
        stations = scenario.stations
        station_ids = tuple(str(s) for s in stations["station_id"])
        s_index = {s: i for i, s in enumerate(station_ids)}
        teams_map = scenario.teams_per_station()
        teams = np.array([teams_map[s] for s in station_ids], dtype=np.int64)

        zones = scenario.zones
        zone_ids = tuple(str(z) for z in zones["zone_id"])
        members = tuple(tuple(s_index[m] for m in ms) for ms in zones["members"])
        jur_groups = []
        for tier, ms in zip(zones["tier"], members):
            col = str(tier)
            values = stations[col].fillna("").astype(str).tolist() if col in stations else [""] * len(station_ids)
            jur_groups.append(synchronized.jurisdiction_groups(values, ms))

        hotspots = scenario.hotspots
        z_index = {z: i for i, z in enumerate(zone_ids)}
        hotspot_zone = np.array([z_index[str(z)] for z in hotspots["zone_id"]], dtype=np.int64)
        risk = hotspots["risk"].to_numpy(dtype=float) if "risk" in hotspots else np.ones(len(hotspots))

        availability: dict[tuple[int, int], int] = {}
        if scenario.availability is not None and len(scenario.availability):
            reserve = dict(zip(station_ids, stations["reserve_officers"].astype(int)))
            for sid, date, officers in zip(
                scenario.availability["station_id"], scenario.availability["date"], scenario.availability["officers"]
            ):
                sid = str(sid)
                day = (date - cfg.week_start).days
                t = max(0, (int(officers) - reserve[sid]) // cfg.rules.team_size)
                availability[(s_index[sid], day)] = min(t, int(teams[s_index[sid]]))

        return cls.from_arrays(
            cfg,
            station_ids=station_ids,
            hotspot_ids=tuple(str(h) for h in hotspots["hotspot_id"]),
            zone_ids=zone_ids,
            teams=teams,
            hotspot_zone=hotspot_zone,
            hotspot_risk=risk,
            zone_mode=tuple(str(m) for m in zones["mode"]),
            zone_tier=tuple(str(t) for t in zones["tier"]),
            zone_members=members,
            zone_min_stations=zones["min_stations"].to_numpy(dtype=np.int64),
            zone_jurisdiction_groups=tuple(jur_groups),
            demand=np.asarray(demand, dtype=np.int64),
            out_min=np.asarray(out_min, dtype=np.int64),
            back_min=np.asarray(back_min, dtype=np.int64),
            availability_teams=availability,
            visits=visits,
            hop_min=hop_min,
        )

    @classmethod
    def from_arrays(
        cls,
        config: Config,
        *,
        station_ids,
        hotspot_ids,
        zone_ids,
        teams,
        hotspot_zone,
        zone_mode,
        zone_members,
        demand,
        out_min,
        back_min,
        zone_min_stations=None,
        zone_tier=None,
        zone_jurisdiction_groups=None,
        hotspot_risk=None,
        availability_teams=None,
        visits=None,
        hop_min=None,
    ) -> "Problem":
        """Build the candidate shifts and the coverage matrix from plain arrays. ``visits``: a
        :class:`~patrolplan.inputs.demand.VisitDemand` (None: posts only); ``hop_min``
        ``[H, H]`` hotspot -> hotspot minutes, needed with visits. With ``visits.rendezvous``
        the loop columns are not here yet: :func:`~patrolplan.model.pricing.with_seed_loops`
        adds the first ones (``solver.solve.prepare`` does)."""
        week = _week_arrays(
            config, station_ids=station_ids, hotspot_ids=hotspot_ids, zone_ids=zone_ids, teams=teams,
            hotspot_zone=hotspot_zone, zone_mode=zone_mode, zone_members=zone_members, demand=demand, out_min=out_min,
            back_min=back_min, zone_min_stations=zone_min_stations, zone_tier=zone_tier,
            zone_jurisdiction_groups=zone_jurisdiction_groups, hotspot_risk=hotspot_risk,
            availability_teams=availability_teams)
        required = synchronized.required_on_site(week["demand"], week["hotspot_zone"], week["zone_mode"],
                                                 week["zone_min_stations"])
        shifts = shift_rule.candidate_shifts(
            config, teams=week["teams"], hotspot_zone=week["hotspot_zone"], zone_mode=week["zone_mode"],
            zone_members=week["zone_members"], required=required, out_min=week["out_min"], back_min=week["back_min"])
        shifts, visit_fields = _visit_parts(config, week, shifts, visits, hop_min)
        cover, cover_h, cover_k = _cover_matrix(required, shifts)
        return cls(**visit_fields, config=config, **week, required=required, cover=cover, cover_hotspot=cover_h,
                   cover_slot=cover_k, **shifts)

    def with_loop_columns(self, columns, travel=None) -> "Problem":
        """This problem with the loop columns ``columns`` (:class:`~patrolplan.model.pricing.LoopColumn`)
        added after its own (visits.rendezvous); duplicates of a column it has are left out.
        ``travel``: per column its ``(out, back)`` road minutes as published (a re-plan's kept
        loop, planned on other roads), instead of today's; a column alike but for travel is then
        a column of its own."""
        loops_now = np.nonzero(self.shift_loop >= 0)[0]
        if travel is None:
            have = {self._loop_key(j) for j in loops_now}
        else:
            have = {(*self._loop_key(j), int(self.shift_out_min[j]), int(self.shift_back_min[j])) for j in loops_now}
        new, seen, new_travel = [], set(), []
        for i, c in enumerate(columns):
            key = (c.station, c.start, c.length, c.visits) + (() if travel is None else tuple(travel[i]))
            if key in have or key in seen or not c.visits:
                continue
            seen.add(key)
            new.append(c)
            new_travel.append(None if travel is None else travel[i])
        if not new:
            return self
        loops = list(self.loop_hotspots)
        loop_index = {tuple(lp): i for i, lp in enumerate(loops)}
        li = []
        for c in new:
            order = tuple(dict.fromkeys(h for h, _ in c.visits))
            if order not in loop_index:
                loop_index[order] = len(loops)
                loops.append(order)
            li.append(loop_index[order])
        station = np.array([c.station for c in new], dtype=np.int64)
        start = np.array([c.start for c in new], dtype=np.int64)
        length = np.array([c.length for c in new], dtype=np.int64)
        first_h = np.array([c.visits[0][0] for c in new], dtype=np.int64)
        # travel is the road minutes out to the first stop and back from the last (a wait at the
        # station before or after is on duty there, not travel)
        out = self.out_min[station, first_h].astype(np.int64)
        back = self.back_min[[c.visits[-1][0] for c in new], station].astype(np.int64)
        if travel is not None:
            out = np.array([t[0] for t in new_travel], dtype=np.int64)
            back = np.array([t[1] for t in new_travel], dtype=np.int64)
        k_end = np.clip((start + length - back) // self.slot_min, 0, self.n_slots)
        counts = np.array([len(c.visits) for c in new], dtype=np.int64)
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        vh = np.array([h for c in new for h, _ in c.visits], dtype=np.int64)
        vt = np.array([t for c in new for _, t in c.visits], dtype=np.int64)
        g_new, link_new = visit_rule.window_matrices(self.windows, station, ptr, vh, vt)
        cat = lambda a, b: np.concatenate([a, b]).astype(np.int64)  # noqa: E731
        n = len(new)
        return self.replace(
            shift_station=cat(self.shift_station, station), shift_hotspot=cat(self.shift_hotspot, first_h),
            shift_start_min=cat(self.shift_start_min, start), shift_len_min=cat(self.shift_len_min, length),
            shift_out_min=cat(self.shift_out_min, out), shift_back_min=cat(self.shift_back_min, back),
            shift_k0=cat(self.shift_k0, k_end), shift_k1=cat(self.shift_k1, k_end),
            cover=sp.hstack([self.cover, sp.csr_matrix((self.cover.shape[0], n))]).tocsr(),
            loop_hotspots=tuple(loops), shift_loop=cat(self.shift_loop, li),
            shift_partner=cat(self.shift_partner, np.full(n, -1)),
            visit_ptr=cat(self.visit_ptr, self.visit_ptr[-1] + ptr[1:]),
            visit_hotspot=cat(self.visit_hotspot, vh), visit_arrive_min=cat(self.visit_arrive_min, vt),
            guard=sp.hstack([self.guard, g_new]).tocsr(), meet_link=sp.hstack([self.meet_link, link_new]).tocsr(),
        )

    def without_loop_columns(self) -> "Problem":
        """This problem with its post columns only (visits.rendezvous: the loop columns are
        priced or designed, not part of the week; :meth:`with_loop_columns` adds others)."""
        if self.shift_loop is None or self.windows is None:
            return self
        keep = np.nonzero(self.shift_loop < 0)[0]
        if keep.size == self.n_shifts:
            return self
        ptr = self.visit_ptr
        index = np.full(self.n_shifts, -1, dtype=np.int64)
        index[keep] = np.arange(keep.size)
        partner = self.shift_partner[keep]
        return self.replace(
            **{f.name: getattr(self, f.name)[keep] for f in dataclasses.fields(self)
               if f.name.startswith("shift_") and f.name != "shift_partner"},
            shift_partner=np.where(partner >= 0, index[np.maximum(partner, 0)], -1), cover=self.cover[:, keep],
            guard=self.guard[:, keep], meet_link=self.meet_link[:, keep],
            visit_ptr=np.concatenate([[0], np.cumsum(ptr[keep + 1] - ptr[keep])]).astype(np.int64),
            visit_hotspot=np.concatenate([self.visit_hotspot[ptr[j]:ptr[j + 1]] for j in keep] or [np.zeros(0, int)]),
            visit_arrive_min=np.concatenate([self.visit_arrive_min[ptr[j]:ptr[j + 1]] for j in keep]
                                            or [np.zeros(0, int)]))

    def _loop_key(self, j: int) -> tuple:
        a, b = int(self.visit_ptr[j]), int(self.visit_ptr[j + 1])
        return (int(self.shift_station[j]), int(self.shift_start_min[j]), int(self.shift_len_min[j]),
                tuple(zip(self.visit_hotspot[a:b].tolist(), self.visit_arrive_min[a:b].tolist())))


def planned_travel(minutes: np.ndarray, margin_min: int) -> np.ndarray:
    """Road minutes plus ``margin_min`` spare minutes on every non-zero, reachable leg."""
    from patrolplan.inputs.network import UNREACHABLE_MIN

    minutes = np.asarray(minutes, dtype=np.int64)
    spare = (minutes > 0) & (minutes < UNREACHABLE_MIN)
    return np.where(spare, minutes + int(margin_min), minutes)


def _week_arrays(config: Config, *, station_ids, hotspot_ids, zone_ids, teams, hotspot_zone, zone_mode, zone_members,
                 demand, out_min, back_min, zone_min_stations, zone_tier, zone_jurisdiction_groups, hotspot_risk,
                 availability_teams) -> dict:
    """The week's inputs as the Problem's fields (arrays int64, tuples of ints), the optional
    ones filled in: ``min_stations`` from ``modes.synchronized_min_stations``, tier ``county``,
    no jurisdictions, risk 1. Refuses a demand matrix whose slots do not fill the horizon."""
    n_z = len(zone_ids)
    demand = np.asarray(demand, dtype=np.int64)
    n_k, slot = demand.shape[1], config.slot_minutes
    if n_k * slot != config.horizon_minutes:
        raise DataError(f"demand matrix has {n_k} slots, the horizon needs {config.horizon_minutes // slot}")
    if zone_min_stations is None:
        zone_min_stations = np.full(n_z, config.modes.synchronized_min_stations)
    if zone_jurisdiction_groups is None:
        zone_jurisdiction_groups = tuple(() for _ in range(n_z))
    return dict(
        station_ids=tuple(station_ids),
        hotspot_ids=tuple(hotspot_ids),
        zone_ids=tuple(zone_ids),
        teams=np.asarray(teams, dtype=np.int64),
        hotspot_zone=np.asarray(hotspot_zone, dtype=np.int64),
        hotspot_risk=np.asarray(hotspot_risk, dtype=float) if hotspot_risk is not None else np.ones(len(hotspot_ids)),
        zone_mode=tuple(zone_mode),
        zone_tier=tuple(zone_tier) if zone_tier is not None else ("county",) * n_z,
        zone_members=tuple(tuple(int(m) for m in ms) for ms in zone_members),
        zone_min_stations=np.asarray(zone_min_stations, dtype=np.int64),
        zone_jurisdiction_groups=tuple(zone_jurisdiction_groups),
        demand=demand,
        out_min=np.asarray(out_min, dtype=np.int64),
        back_min=np.asarray(back_min, dtype=np.int64),
        availability_teams=dict(availability_teams or {}),
    )


def _visit_parts(config: Config, week: dict, shifts: dict, visits, hop_min) -> tuple[dict, dict]:
    """The candidate shifts and the Problem's visit fields: none without visit demand; with
    ``visits.rendezvous`` the window rows (:func:`_rendezvous_fields`, no loop column yet);
    else the enumerated loop columns after the posts (:func:`_enumerated_loop_parts`)."""
    n_h, n_k = week["demand"].shape
    n_posts = int(shifts["shift_station"].size)
    if visits is None or not visits.any:
        none = np.zeros(n_h, dtype=np.int64)
        return shifts, _visit_fields(n_posts, np.zeros((n_h, n_k), dtype=np.int64), none, none, hop_min, None, None)
    if hop_min is None:
        raise ValueError("visit demand needs hop_min, the hotspot -> hotspot travel minutes")
    need = np.asarray(visits.need, dtype=np.int64)
    dwell_h = visit_rule.dwell_per_hotspot(need, np.asarray(visits.dwell_min))
    every_h = visit_rule.interval_per_hotspot(need, np.asarray(visits.every_min))
    if config.visits.rendezvous:
        fields = _rendezvous_fields(config, week, n_posts, need, dwell_h, every_h, hop_min)
    else:
        shifts, fields = _enumerated_loop_parts(config, week, shifts, need, dwell_h, every_h, hop_min)
    if visits.asked_every_min is not None:  # the visit hours as asked, under posts too (solver/result.py's measure)
        fields["visit_asked_every_min"] = np.asarray(visits.asked_every_min, dtype=np.int64)
        fields["visit_asked_dwell_min"] = np.asarray(visits.asked_dwell_min, dtype=np.int64)
    return shifts, fields


def _rendezvous_fields(config: Config, week: dict, n_posts: int, need, dwell_h, every_h, hop_min) -> dict:
    """visits.rendezvous: the windows (rules/visits.py ``windows_of``), their rows over no loop
    column yet, and the meeting points."""
    windows = visit_rule.windows_of(
        config, need=need, posts=week["demand"], every_h=every_h, dwell_h=dwell_h, teams=week["teams"],
        hotspot_zone=week["hotspot_zone"], zone_mode=week["zone_mode"], zone_members=week["zone_members"],
        zone_jurisdiction_groups=week["zone_jurisdiction_groups"])
    fields = _visit_fields(n_posts, need, dwell_h, every_h, hop_min, None, None)
    fields.update(
        hop_min=np.asarray(hop_min, dtype=np.int64), windows=windows,
        guard=sp.csr_matrix((windows.n_windows, n_posts)), guard_hotspot=windows.hotspot, guard_slot=windows.slot,
        meet_window=visit_rule.meet_window_matrix(windows),
        meet_link=sp.csr_matrix((windows.link_meet.size, n_posts)))
    return fields


def _enumerated_loop_parts(config: Config, week: dict, shifts: dict, need, dwell_h, every_h, hop_min
                           ) -> tuple[dict, dict]:
    """The enumerated loops (rules/visits.py ``candidate_loops``) as columns after the posts,
    and the visit fields with their guard rows."""
    demand, slot = week["demand"], config.slot_minutes
    n_posts = int(shifts["shift_station"].size)
    guard = visit_rule.guard_slots(need, demand, every_h, dwell_h, slot)
    loops, guard_entries = visit_rule.candidate_loops(
        config, teams=week["teams"], hotspot_zone=week["hotspot_zone"], zone_mode=week["zone_mode"],
        zone_members=week["zone_members"], zone_jurisdiction_groups=week["zone_jurisdiction_groups"], need=need,
        guard=guard, dwell_h=dwell_h, every_h=every_h, out_min=week["out_min"], back_min=week["back_min"],
        hop_min=np.asarray(hop_min, dtype=np.int64),
        starts_by_len={L: shift_rule.shift_starts(config, L) for L in config.rules.shift_minutes},
        run_from=visit_rule.guard_from(need, demand, dwell_h, slot))
    shifts = _with_loop_columns(shifts, loops.columns, slot, demand.shape[1])
    return shifts, _visit_fields(n_posts, need, dwell_h, every_h, hop_min, loops, (guard, *guard_entries))


def _with_loop_columns(shifts: dict, lc: dict, slot: int, n_k: int) -> dict:
    """The post columns followed by the loop columns (a loop covers no post slot: k0 = k1)."""
    on_site_end = lc["start"] + lc["len"] - lc["back"]
    k_end = np.clip(on_site_end // slot, 0, n_k)
    extra = {"shift_station": lc["station"], "shift_hotspot": lc["hotspot"], "shift_start_min": lc["start"],
             "shift_len_min": lc["len"], "shift_out_min": lc["out"], "shift_back_min": lc["back"],
             "shift_k0": k_end, "shift_k1": k_end}
    return {k: np.concatenate([v, extra[k]]).astype(np.int64) for k, v in shifts.items()}


def _visit_fields(n_posts: int, need, dwell_h, every_h, hop_min, loops, guard) -> dict:
    """The Problem's visit fields: ``loops`` from :func:`visits.candidate_loops` (None: no
    visit demand, no loop columns) and ``guard`` = (guard slots, guard rows, guard columns,
    number of loop columns) or None."""
    if guard is None:
        guard_m = sp.csr_matrix((0, n_posts))
        guard_h = guard_k = np.zeros(0, dtype=np.int64)
    else:
        slots, g_rows, g_cols, n_loop_cols = guard
        guard_m, guard_h, guard_k = visit_rule.guard_matrix(slots, g_rows, g_cols, n_posts, n_posts + n_loop_cols)

    def posts_then(values, fill):
        tail = np.zeros(0, dtype=np.int64) if loops is None else np.asarray(values, dtype=np.int64)
        return np.concatenate([np.full(n_posts, fill, dtype=np.int64), tail]).astype(np.int64)

    return dict(
        visit_need=np.asarray(need, dtype=np.int64), visit_dwell_min=np.asarray(dwell_h, dtype=np.int64),
        visit_every_min=np.asarray(every_h, dtype=np.int64),
        visit_asked_every_min=np.asarray(every_h, dtype=np.int64)[:, None] * np.asarray(need, dtype=np.int64),
        visit_asked_dwell_min=np.asarray(dwell_h, dtype=np.int64)[:, None] * np.asarray(need, dtype=np.int64),
        hop_min=hop_min if loops is None else np.asarray(hop_min, dtype=np.int64),
        loop_hotspots=() if loops is None else loops.hotspots,
        shift_loop=posts_then(None if loops is None else loops.loop, -1),
        shift_partner=posts_then(None if loops is None else np.where(loops.partner >= 0, loops.partner + n_posts, -1),
                                 -1),
        visit_ptr=np.concatenate([np.zeros(n_posts + (1 if loops is None else 0), dtype=np.int64),
                                  np.zeros(0, dtype=np.int64) if loops is None else loops.visit_ptr]).astype(np.int64),
        visit_hotspot=np.zeros(0, dtype=np.int64) if loops is None else loops.visit_hotspot,
        visit_arrive_min=np.zeros(0, dtype=np.int64) if loops is None else loops.visit_arrive_min,
        guard=guard_m, guard_hotspot=guard_h, guard_slot=guard_k,
    )


def _cover_matrix(required: np.ndarray, shifts: dict) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Rows: demanded hotspot-slots; columns: shifts; 1 where the shift is on site all slot."""
    n_h, n_k = required.shape
    row_of = -np.ones((n_h, n_k), dtype=np.int64)
    hs, ks = np.nonzero(required > 0)
    row_of[hs, ks] = np.arange(hs.size)
    k0, k1, h = shifts["shift_k0"], shifts["shift_k1"], shifts["shift_hotspot"]
    lengths = k1 - k0
    col = np.repeat(np.arange(k0.size), lengths)
    offs = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    k = np.repeat(k0, lengths) + offs
    rows = row_of[np.repeat(h, lengths), k]
    keep = rows >= 0
    data = np.ones(int(keep.sum()), dtype=np.int64)
    cover = sp.csr_matrix((data, (rows[keep], col[keep])), shape=(hs.size, k0.size))
    return cover, hs.astype(np.int64), ks.astype(np.int64)

