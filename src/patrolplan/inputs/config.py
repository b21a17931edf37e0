"""The YAML config: ``load_config(path) -> Config``, validated, every key with its default.

Unknown keys are rejected by name with a suggestion ("unknown key 'rulez' — did you mean
'rules'?"). Paths under ``data:`` are resolved relative to the config file.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, field_validator,
                      model_validator)

from patrolplan.errors import DataError

__all__ = [
    "Config",
    "DataPaths",
    "Rules",
    "TravelSettings",
    "Modes",
    "Objective",
    "SolverSettings",
    "Response",
    "IncidentSettings",
    "load_config",
    "config_from_dict",
]


def _not_bool(v: Any) -> Any:
    """YAML reads ``true``/``yes``/``on`` as a boolean, and pydantic would take it as 1: a
    number key given a yes/no is a mistake, not a count."""
    if isinstance(v, bool):
        raise ValueError(f"{str(v).lower()} is a yes/no, not a number — give a number")
    return v


Int = Annotated[int, BeforeValidator(_not_bool)]
Float = Annotated[float, BeforeValidator(_not_bool)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataPaths(_Strict):
    """Input files. Paths are relative to the config file (absolute after loading)."""

    stations: Path
    hotspots: Path
    zones: Path
    demand: Path | None = None
    roads: Path | None = None
    boundaries: Path | None = None
    availability: Path | None = None
    prefectures: Path | None = None  # optional second boundary layer, drawn on maps
    station_areas: Path | None = None  # optional: one polygon per station (column station_id), its jurisdiction


class Rules(_Strict):
    team_size: Int = Field(2, ge=1)
    shift_hours: tuple[float, ...] = (4, 8)
    shift_start_every_minutes: Int = Field(120, ge=1)
    min_rest_hours: Float = Field(12, ge=0)
    max_shifts_per_team: Int = Field(5, ge=0)
    reserve_officers: Int = Field(0, ge=0)

    @field_validator("shift_hours", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        if isinstance(v, (int, float)):
            return (v,)
        return v

    @field_validator("shift_hours")
    @classmethod
    def _positive_lengths(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v:
            raise ValueError("give at least one shift length in hours, e.g. [4, 8]")
        for h in v:
            if h <= 0 or h > 24:
                raise ValueError(f"shift length {h} h is outside (0, 24]")
            if abs(h * 60 - round(h * 60)) > 1e-9:
                raise ValueError(f"shift length {h} h is not a whole number of minutes")
        return tuple(sorted(set(v)))

    @property
    def shift_minutes(self) -> tuple[int, ...]:
        return tuple(int(round(h * 60)) for h in self.shift_hours)

    @property
    def min_rest_min(self) -> int:
        """``min_rest_hours`` (the contract's key) in whole minutes: the one name code uses for
        the rest between two shifts of a team (``Problem.min_rest_min`` passes it on)."""
        return int(round(self.min_rest_hours * 60))


class TravelSettings(_Strict):
    """The ``travel:`` block (named apart from ``inputs.travel.Travel``, the minutes it yields)."""

    speeds_kmh: dict[str, float] = Field(
        default_factory=lambda: {
            "motorway": 90,
            "trunk": 70,
            "primary": 60,
            "secondary": 50,
            "tertiary": 40,
            "default": 30,
        }
    )
    offroad_kmh: Float = Field(15, gt=0)
    max_snap_m: Float = Field(2000, gt=0)
    detour_factor: Float = Field(1.3, ge=1)
    margin_min: Int = Field(1, ge=0, le=30)
    """Spare minutes planned on every non-zero travel leg, so that a checker measuring road time
    a little differently (another distance formula, rounding) still finds enough travel time."""

    @field_validator("speeds_kmh")
    @classmethod
    def _speeds(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, s in v.items() if not s or s <= 0]
        if bad:
            raise ValueError(f"speeds must be > 0 km/h (check {', '.join(bad)})")
        if "default" not in v:
            v = {**v, "default": 30.0}
        return v


class Modes(_Strict):
    handover_minutes: Int = Field(0, ge=0)
    synchronized_min_stations: Int = Field(2, ge=1)


#: the longest loop a column may hold: loop columns grow combinatorially with it, and a loop of
#: more hotspots rarely keeps every interval; a larger ``visits.max_loop_hotspots`` is capped
#: here, and the input warnings say so
MAX_LOOP_HOTSPOTS = 8
#: ``visits.check_minutes`` where it is not set, except in a week planned from beats because
#: column generation is not tried there (solver/solve.py: the visit grid)
CHECK_MINUTES = 15


class Visits(_Strict):
    """Defaults of visit demand rows (demand column ``presence: visit``; see the README).

    ``dwell_minutes``: least time on site per visit; ``max_interval_minutes``: most time between
    the starts of two visits; ``randomize``: vary the order and phase of the visits of each loop
    from cycle to cycle and day to day (seeded by ``solver.seed``), never breaking the interval;
    ``max_loop_hotspots``: most hotspots one loop visits (the cap on loop columns).

    ``rendezvous``: plan visits by each station's own loops, priced by column generation (a
    joint visit is two loops meeting at the hotspot; see the README, "Joint visits by
    rendezvous"); false keeps the enumerated loops (a joint loop driven by two stations
    together). With it: ``grid_minutes`` (arrival times of visits lie on this grid, road legs
    rounded up to it), ``check_minutes`` (the interval is checked every this many minutes:
    the rows are exact up to it; unset, 15 (:data:`CHECK_MINUTES`), or the grid in a week too
    large for column generation that is planned from beats, whose phases are whole check
    steps: see :attr:`check`), ``visit_cost_minutes`` (each visit costs this many minutes
    in the objective, so that loops pause instead of visiting beyond need) and
    ``pricing_rounds`` (most rounds of column generation)."""

    dwell_minutes: Int = Field(15, ge=1)
    max_interval_minutes: Int = Field(120, ge=2)
    randomize: bool = False
    max_loop_hotspots: Int = Field(4, ge=1)
    rendezvous: bool = False
    grid_minutes: Int = Field(5, ge=1, le=60)
    check_minutes: Int | None = Field(None, ge=1, le=120)
    visit_cost_minutes: Float = Field(1.0, ge=0)
    pricing_rounds: Int = Field(200, ge=1)

    @model_validator(mode="after")
    def _dwell_below_interval(self) -> "Visits":
        if self.dwell_minutes >= self.max_interval_minutes:
            raise ValueError(f"visits.dwell_minutes={self.dwell_minutes} is not below visits.max_interval_minutes="
                             f"{self.max_interval_minutes}: a visit must end before the next is due — give a "
                             "dwell of about 15 minutes and an interval of about 120")
        return self

    @property
    def check(self) -> int:
        """The check step the window rows are built on: ``check_minutes``, or where unset
        :data:`CHECK_MINUTES` (a solve may then put a beat-planned week on the grid)."""
        return CHECK_MINUTES if self.check_minutes is None else self.check_minutes


class Response(_Strict):
    """Tiered response (see the README, "Tiered response").

    ``first_minutes``: the road minutes within which the first team should reach a demanded
    hotspot; ``backup_minutes``: within which a second team (the backup) should; ``backup``:
    ``off`` (default: the roster ignores backup), ``soft`` (each demanded hotspot-hour without
    a backup in reach costs ``backup_weight`` hours in the objective) or ``hard`` (required);
    ``backup_weight``: that price, in objective hours per hotspot-hour."""

    first_minutes: Int = Field(15, ge=0)
    backup_minutes: Int = Field(30, ge=0)
    backup: Literal["off", "soft", "hard"] = "off"
    backup_weight: Float = Field(2.0, ge=0)

    @field_validator("backup", mode="before")
    @classmethod
    def _yaml_off(cls, v: Any) -> Any:
        # YAML 1.1 reads a bare `off` as False (and `on` as True)
        if v is False:
            return "off"
        return v


class IncidentSettings(_Strict):
    """``patrolplan hotspots``: from incident records to border hotspots, zones and demand (see
    the README, "From incidents to hotspots"). Lengths in metres, times in minutes.

    Detection (a grid kernel density, in metres in the local UTM zone): incidents are counted on
    a grid of ``cell_m`` and smoothed with a Gaussian of ``bandwidth_m``; each local maximum is a
    candidate, kept when the incidents within ``radius_m`` of it are at least ``min_incidents``
    and more than a Poisson background (the larger of the study area's and its 2 km ring's rate)
    gives by chance at family-wise level ``significance``. A kept peak within ``border_m`` of a
    border between two units of ``data.boundaries`` is a border hotspot; ``radius_m`` is also
    the radius within which ``patrolplan evaluate`` counts an incident at a hotspot.
    ``unit_column``: the boundaries column naming each unit (default: the first of the known
    town/county columns). Risk: weighted incidents, each halved every ``half_life_days`` before
    the week, relative to the median hotspot (1 = typical).
    Zones: a hotspot joins an existing zone of the config at its border's tier with a hotspot
    within ``zone_join_m``; else a new zone of the nearest station on each side.
    Hours: an hour of the day is active when the hotspot's incidents in it are at least
    ``min_hour_incidents`` and ``hour_ratio`` times what the all-incident hourly profile predicts;
    ``post_ratio`` times or more: a post, else visits of ``visits.dwell_minutes`` every
    ``visit_every_min``. A day of the week is kept when its incidents in those hours reach
    ``day_ratio`` times the mean day's. ``max_hotspots``: at most this many hotspots (by risk)."""

    border_m: Float = Field(1000, gt=0)
    cell_m: Float = Field(100, gt=0)
    bandwidth_m: Float = Field(200, gt=0)
    radius_m: Float = Field(400, gt=0)
    min_incidents: Int = Field(8, ge=1)
    significance: Float = Field(0.01, gt=0, lt=1)
    unit_column: str | None = None
    half_life_days: Float = Field(28, gt=0)
    zone_join_m: Float = Field(3000, ge=0)
    hour_ratio: Float = Field(2.0, gt=0)
    post_ratio: Float = Field(3.0, gt=0)
    min_hour_incidents: Int = Field(3, ge=1)
    day_ratio: Float = Field(0.4, ge=0)
    visit_every_min: Int = Field(60, ge=2, le=24 * 60)
    max_hotspots: Int = Field(40, ge=1)

    @model_validator(mode="after")
    def _sizes(self) -> "IncidentSettings":
        if self.cell_m > self.bandwidth_m:
            raise ValueError(f"incidents.cell_m={self.cell_m:g} is above incidents.bandwidth_m={self.bandwidth_m:g}: "
                             "the grid would be coarser than the smoothing — give a cell of about half the bandwidth")
        return self


class Objective(_Strict):
    """Weights of the soft goals (hard rules are never traded).

    The objective, in hours: rostered team-hours + ``travel`` x travel team-hours
    + ``fairness`` x (largest per-team load in hours + staggered-share deviation in hours)
    + ``overcoverage`` x team-hours on site beyond demand.
    """

    travel: Float = Field(1, ge=0)
    fairness: Float = Field(10, ge=0)
    overcoverage: Float = Field(1, ge=0)


class SolverSettings(_Strict):
    time_limit_seconds: Float = Field(60, gt=0)
    workers: Int = Field(2, ge=1)
    seed: Int = Field(0, ge=0)
    allow_gaps: bool = False
    engine: Literal["auto", "highs", "cpsat"] = "auto"
    """Stage-1 (aggregated counts) engine: ``highs`` (MIP), ``cpsat``, or ``auto``."""
    gap_tolerance_pct: Float = Field(0.5, ge=0)
    """Stop stage 1 once the roster is proven within this % of the bound."""
    progress: bool = True


class Config(_Strict):
    name: str
    week_start: dt.date
    horizon_days: Int = Field(7, ge=1, le=31)
    slot_minutes: Literal[15, 30, 60] = 60
    data: DataPaths
    rules: Rules = Field(default_factory=Rules)
    travel: TravelSettings = Field(default_factory=TravelSettings)
    default_demand: Int = Field(1, ge=0)
    modes: Modes = Field(default_factory=Modes)
    objective: Objective = Field(default_factory=Objective)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    visits: Visits = Field(default_factory=Visits)
    response: Response = Field(default_factory=Response)
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)
    _notes: tuple[str, ...] = PrivateAttr(default=())

    @property
    def notes(self) -> tuple[str, ...]:
        """What loading changed or assumed (e.g. a capped value), for the input warnings."""
        return self._notes

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = str(v).strip()
        problem = _folder_name_problem(v)
        if problem:
            raise ValueError(f"{problem} — the name becomes the run folder runs/<name>: give a plain "
                             "folder name such as jining-2026-w49")
        return v

    @model_validator(mode="after")
    def _grid(self) -> "Config":
        g = self.rules.shift_start_every_minutes
        if (24 * 60) % g:
            raise ValueError(
                f"rules.shift_start_every_minutes={g} does not divide a day (1440 min): "
                "use e.g. 60, 120 or 240"
            )
        longest = max(self.rules.shift_minutes)
        if self.modes.handover_minutes >= longest:
            raise ValueError(
                f"modes.handover_minutes={self.modes.handover_minutes} is not shorter than the longest "
                f"shift ({longest} min, rules.shift_hours): no shift could hand over — give a handover "
                "of a few minutes, or longer shifts"
            )
        v = self.visits
        if v.rendezvous:
            for name, value in (("rules.shift_start_every_minutes", g), ("slot_minutes", self.slot_minutes),
                                ("visits.check_minutes", v.check)):
                if value % v.grid_minutes:
                    raise ValueError(f"{name}={value} is not a multiple of visits.grid_minutes={v.grid_minutes}: "
                                     "visit times lie on that grid — give a grid of 5 minutes (or 1)")
        return self

    def replace(self, **changes: Any) -> "Config":
        """A copy with top-level fields replaced (nested models replaced whole)."""
        return self.model_copy(update=changes)

    @property
    def horizon_minutes(self) -> int:
        return self.horizon_days * 24 * 60


_UNSAFE_NAME_CHARS = set('/\\:*?"<>|')


def _folder_name_problem(name: str) -> str | None:
    """Why ``name`` is not a plain folder name (None when it is)."""
    if not name:
        return "the name is empty"
    if name in (".", ".."):
        return f"the name {name!r} is a path, not a folder name"
    if name.startswith("."):
        return f"the name {name!r} starts with '.' (a hidden folder)"
    bad = sorted({c for c in name if c in _UNSAFE_NAME_CHARS or ord(c) < 32 or ord(c) == 127})
    if bad:
        return f"the name {name!r} holds {' '.join(repr(c) for c in bad)}, which a folder name cannot"
    if len(name.encode("utf-8")) > 200:
        return "the name is longer than 200 bytes"
    return None


# --- loading -------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys and keeps dates as text (pydantic parses them, so an
    impossible date such as 2026-02-30 is a config error, not a crash inside PyYAML)."""


def _mapping_without_duplicates(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # an unhashable key: construct_mapping reports it
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"duplicate key {key!r} (first at line {seen[key]}) — keep one of them",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)

def _nested_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    """The model of ``key``'s block when ``key`` is itself a block of keys (``visits:``)."""
    annotation = model.model_fields[key].annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _unknown_key_problems(raw: dict[str, Any], model: type[BaseModel], source: str, where: str = "") -> list[str]:
    """Unknown keys at every level (every nested block, found from the models themselves),
    each with a did-you-mean."""
    if not isinstance(raw, dict):
        return []
    known = list(model.model_fields)
    problems = []
    for key, value in raw.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f" — did you mean '{close[0]}'?" if close else f" (known keys: {', '.join(known)})"
            problems.append(f"{source}: unknown key '{path}'{hint}")
        elif (inner := _nested_model(model, key)) is not None:
            problems += _unknown_key_problems(value, inner, source, path)
    return problems


def _allowed_range(loc: tuple) -> str:
    """``allowed: 1 to 8`` for the numeric key at ``loc`` (from its Field bounds), or ""."""
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        if not isinstance(part, str) or part not in model.model_fields:
            return ""
        inner = _nested_model(model, part)
        if inner is None:
            return ""
        model = inner
    field = model.model_fields.get(str(loc[-1])) if loc else None
    if field is None:
        return ""
    low = high = None
    for m in field.metadata:
        for name, strict in (("ge", False), ("gt", True)):
            if getattr(m, name, None) is not None:
                low = (getattr(m, name), strict)
        for name, strict in (("le", False), ("lt", True)):
            if getattr(m, name, None) is not None:
                high = (getattr(m, name), strict)
    if low is None and high is None:
        return ""
    parts = []
    if loc[-1] == "max_loop_hotspots":
        high = (MAX_LOOP_HOTSPOTS, False)  # larger values are accepted, and capped
    if low is not None:
        parts.append(f"{'above' if low[1] else 'at least'} {low[0]:g}")
    if high is not None:
        parts.append(f"{'below' if high[1] else 'at most'} {high[0]:g}")
    return " — allowed: " + " and ".join(parts)


_RANGE_ERRORS = ("greater_than_equal", "greater_than", "less_than_equal", "less_than")


def _pydantic_problems(err: ValidationError, source: str) -> list[str]:
    problems = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            problems.append(f"{source}: missing key '{loc}' — add it (see configs/example.yaml)")
        else:
            given = e.get("input")
            given_s = f" (given {given!r})" if not isinstance(given, (dict, list)) else ""
            bounds = _allowed_range(e["loc"]) if e["type"] in _RANGE_ERRORS else ""
            problems.append(f"{source}: key '{loc}'{given_s}: {msg}{bounds}")
    return problems


def config_from_dict(raw: dict[str, Any], *, base_dir: Path, source: str = "config") -> Config:
    """Validate a config mapping; relative data paths resolve against ``base_dir``."""
    if not isinstance(raw, dict):
        raise DataError(f"{source}: the config must be a YAML mapping of keys (name:, data:, ...)")
    problems = _unknown_key_problems(raw, Config, source)
    if problems:
        raise DataError(problems)
    raw = dict(raw)
    data = raw.get("data")
    if isinstance(data, dict):
        resolved = {}
        for key, value in data.items():
            if value is None or value == "":
                resolved[key] = None
                continue
            p = Path(str(value)).expanduser()
            try:
                resolved[key] = p if p.is_absolute() else (base_dir / p).resolve()
            except (OSError, RuntimeError) as err:  # a symlink loop, a path too long, ...
                problems.append(f"{source}: key 'data.{key}' ({value}): the path cannot be resolved "
                                f"({err}) — point it at a real file")
        if problems:
            raise DataError(problems)
        raw["data"] = resolved
    raw, notes = _capped(raw, source)
    try:
        config = Config.model_validate(raw)
    except ValidationError as err:
        raise DataError(_pydantic_problems(err, source)) from None
    config._notes = tuple(notes)
    return config


def _capped(raw: dict[str, Any], source: str) -> tuple[dict[str, Any], list[str]]:
    """``visits.max_loop_hotspots`` above :data:`MAX_LOOP_HOTSPOTS` is capped, and said."""
    visits = raw.get("visits")
    value = visits.get("max_loop_hotspots") if isinstance(visits, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_LOOP_HOTSPOTS:
        raw = {**raw, "visits": {**visits, "max_loop_hotspots": MAX_LOOP_HOTSPOTS}}
        return raw, [f"{source}: visits.max_loop_hotspots = {value} is capped at {MAX_LOOP_HOTSPOTS} (the longest "
                     "loop patrolplan builds columns for)"]
    return raw, []


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML config; raise :class:`DataError` naming every bad key."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such config file — check the path")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise DataError(f"{path}: unreadable YAML{where}: {problem} — fix the YAML syntax") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text — save the config as UTF-8") from None
    return config_from_dict(raw, base_dir=path.parent.resolve(), source=str(path))
