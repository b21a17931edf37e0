"""Reading the inputs (and, below, writing run folders): the only library module that touches
disk besides ``cli`` and ``plotting``.

Tables are read as text first (every cell a stripped ``str``, ``""`` where empty) and then
converted by :mod:`patrolplan.inputs.validate`, so every bad cell is reported with its file, row and
column. :func:`load_scenario` reads and validates every input file of a config, collects all
problems across all files and raises one :class:`DataError` listing them.

CSV files are UTF-8 (with or without BOM); any other extension is read with pyogrio
(GeoJSON, GPKG, Shapefile, FlatGeobuf, XLSX, ...). Rows of CSV files are numbered as a
spreadsheet shows them (header = row 1); features of other files count from 1.
"""

from __future__ import annotations

import datetime as dt

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from patrolplan.errors import DataError
from patrolplan.inputs.config import Config, load_config
from patrolplan.inputs.demand import parse_days
from patrolplan.inputs.encoding import csv_encoding
from patrolplan.inputs.scenario import Scenario
from patrolplan.inputs.validate import (
    display_path,
    parse_lonlat,
    validate_availability,
    validate_demand,
    validate_hotspots,
    validate_stations,
    validate_zones,
)

__all__ = [
    "csv_encoding",
    "read_text_csv",
    "read_table",
    "read_points",
    "read_point_rows",
    "read_lines",
    "read_polygons",
    "load_scenario",
]

WGS84 = "EPSG:4326"
_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
_OGR_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.CRSError,
    OSError,
    ValueError,
)
_SPREADSHEETS = {".xlsx", ".ods"}
_LIST_AT_MOST = 5  # rows named per geometry problem before "and N more"


@dataclass(frozen=True)
class _Raw:
    """A table as read: text cells, index = 0-based row position in the file."""

    df: pd.DataFrame
    source: str
    first_row: int  # row number of index 0 (2 for CSV, 1 for vector files)


# --- text tables -------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if value is pd.NaT or value is pd.NA:
        return ""
    return str(value).strip()


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for column in df.columns:
        values = df[column]
        if _all_text(values):  # a CSV read as text: strip in one vectorised step (same cells)
            out[str(column).strip()] = pd.Series(values.astype(str).str.strip().to_numpy(dtype=object),
                                                 index=df.index, dtype=object)
            continue
        out[str(column).strip()] = pd.Series(
            [_cell_text(v) for v in values], index=df.index, dtype=object
        )
    return out


def _all_text(values: pd.Series) -> bool:
    """Every cell a ``str`` (no missing value, number or date): ``_cell_text`` would only strip."""
    if len(values) == 0 or values.isna().any():
        return False
    if pd.api.types.is_string_dtype(values.dtype) and not values.dtype == object:
        return True
    return values.dtype == object and bool(values.map(type).eq(str).all())


def _drop_blank_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Drop rows with every cell empty (keeps the index, so row numbers stay right)."""
    if df.empty:
        return df
    blank_columns = [c for c in df.columns if c.startswith("Unnamed:") and (df[c] == "").all()]
    df = df.drop(columns=blank_columns)
    return df[(df != "").any(axis=1)] if len(df.columns) else df


# --- text files: the one way patrolplan reads a CSV a planner gave -----------------------------

def read_text_csv(path: str | Path, *, what: str, sep: str = ",") -> pd.DataFrame:
    """A small CSV as text cells (``str``, blanks as ``""``), decoded by :func:`csv_encoding`;
    :class:`DataError` for a file that is empty or not CSV, ``what`` saying what was expected."""
    path = Path(path)
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                           encoding=csv_encoding(path, source=display_path(path)))
    except pd.errors.EmptyDataError:
        raise DataError(f"{display_path(path)}: the file is empty — give {what}") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{display_path(path)}: cannot read as CSV ({' '.join(str(err).split())}) — give "
                        f"{what}") from None


def _read_csv(path: Path, source: str) -> tuple[_Raw | None, list[str]]:
    sep = _CSV_SUFFIXES[path.suffix.lower()]
    try:
        encoding = csv_encoding(path, source=source)
    except DataError as err:
        return None, err.problems
    try:
        df = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            skip_blank_lines=False,
        )
    except UnicodeDecodeError:
        return None, [
            f"{source}: not UTF-8 text — save it as UTF-8 (Excel: Save As > 'CSV UTF-8'; "
            "WPS/LibreOffice: choose the UTF-8 character set)"
        ]
    except pd.errors.EmptyDataError:
        return None, [f"{source}: the file is empty — give a header row and one row per record"]
    except pd.errors.ParserError as err:
        return None, [f"{source}: cannot read as CSV ({err}) — check quotes and the number of commas per row"]
    problems = _header_problems(path, source, sep, encoding)
    if problems:
        return None, problems
    return _Raw(_drop_blank_rows(_as_text(df)), source, 2), []


def _header_problems(path: Path, source: str, sep: str, encoding: str = "utf-8-sig") -> list[str]:
    """A header pandas would read wrong without a word: repeated column names (pandas renames
    the second ``x`` to ``x.1``) and a file separated by another character than ``sep``."""
    import csv

    with open(path, encoding=encoding, newline="") as f:
        header = next(csv.reader(f, delimiter=sep), [])
    names = [h.strip() for h in header]
    for other, word in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
        if other != sep and len(names) == 1 and other in names[0]:
            return [
                f"{source}: the header '{header[0]}' looks {word}-separated; patrolplan reads "
                f"{'comma' if sep == ',' else repr(sep)}-separated {path.suffix} files — save it with commas "
                "(Excel: Save As > 'CSV UTF-8 (comma delimited)'), or name it .tsv for tabs"
            ]
    seen: dict[str, int] = {}
    problems = []
    for k, name in enumerate(names, start=1):
        if not name:
            continue
        if name in seen:
            problems.append(f"{source}: row 1: the column '{name}' appears twice (columns {seen[name]} "
                            f"and {k}) — keep one of them or rename the other")
        else:
            seen[name] = k
    return problems


def _read_ogr(path: Path, source: str, *, geometry: bool) -> tuple[gpd.GeoDataFrame | pd.DataFrame | None, list[str]]:
    try:
        df = pyogrio.read_dataframe(path, read_geometry=geometry)
    except _OGR_ERRORS as err:
        return None, [f"{source}: cannot read this file ({err}) — give a CSV, GeoJSON, GPKG or Shapefile"]
    return df, []


def read_table(path: str | Path) -> pd.DataFrame:
    """Any input table as text (geometry dropped): every cell a stripped ``str``.

    The index is the 0-based row position in the file (blank rows dropped).
    """
    raw, problems = _read_text(Path(path))
    if problems:
        raise DataError(problems)
    return raw.df


def _first_row(path: Path) -> int:
    """Row number of the first record: spreadsheets show a header row, GIS files do not."""
    return 2 if path.suffix.lower() in _SPREADSHEETS else 1


def _read_text(path: Path) -> tuple[_Raw | None, list[str]]:
    source = display_path(path)
    if not path.is_file():
        return None, [f"{source}: no such file — check the path"]
    if path.suffix.lower() in _CSV_SUFFIXES:
        return _read_csv(path, source)
    df, problems = _read_ogr(path, source, geometry=False)
    if df is None:
        return None, problems
    return _Raw(_drop_blank_rows(_as_text(pd.DataFrame(df))), source, _first_row(path)), []


# --- points ------------------------------------------------------------------------------


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_LIST_AT_MOST])
    more = len(rows) - _LIST_AT_MOST
    return shown + (f" and {more} more" if more > 0 else "")


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326; a file without a CRS is taken as lon/lat already."""
    if gdf.crs is None:
        return gdf.set_crs(WGS84, allow_override=True)
    return gdf.to_crs(WGS84)


def _read_point_text(path: Path, *, kind: str, id_column: str) -> tuple[_Raw | None, list[str]]:
    """Points as text; vector geometries become ``lon``/``lat`` text (exact floats)."""
    source = display_path(path)
    if not path.is_file():
        return None, [f"{source}: no such file — check the path"]
    if path.suffix.lower() in _CSV_SUFFIXES:
        return _read_csv(path, source)
    gdf, problems = _read_ogr(path, source, geometry=True)
    if gdf is None:
        return None, problems
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        # an attribute table (e.g. XLSX) with lon/lat columns
        return _Raw(_drop_blank_rows(_as_text(pd.DataFrame(gdf))), source, _first_row(path)), []
    try:
        gdf = _to_wgs84(gdf)
    except _OGR_ERRORS as err:
        return None, [f"{source}: cannot reproject to EPSG:4326 ({err}) — save the layer in EPSG:4326"]
    geometry = gdf.geometry
    table = _as_text(pd.DataFrame(gdf.drop(columns=geometry.name)))
    lon, lat = [], []
    for idx, geom in geometry.items():
        ident = table.at[idx, id_column] if id_column in table.columns else ""
        where = f"{source}: row {idx + 1}" + (f" ({id_column} '{ident}')" if ident else "")
        if geom is None or geom.is_empty:
            problems.append(f"{where}: empty geometry — give each {kind} a point location")
            lon.append("")
            lat.append("")
            continue
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if geom.geom_type != "Point":
            problems.append(
                f"{where}: geometry is a {geom.geom_type} — give each {kind} a point "
                "(QGIS: Vector > Geometry Tools > Centroids)"
            )
            lon.append("")
            lat.append("")
            continue
        lon.append(repr(float(geom.x)))
        lat.append(repr(float(geom.y)))
    table["lon"] = pd.Series(lon, index=table.index, dtype=object)
    table["lat"] = pd.Series(lat, index=table.index, dtype=object)
    return _Raw(table, source, 1), problems


def read_points(path: str | Path, *, kind: str, id_column: str) -> pd.DataFrame:
    """Points with attributes: a CSV with ``lon``/``lat`` columns, or any vector file pyogrio
    reads (GeoJSON, GPKG, Shapefile, ...) with point geometries, reprojected to EPSG:4326.

    Returns a table with float ``lon``/``lat`` (WGS84 degrees) and every other column as
    text; the geometry column is dropped. ``kind`` ("station", "hotspot") and
    ``id_column`` word the messages. Raises :class:`DataError` listing every non-point or
    empty geometry and every missing, non-numeric or out-of-range lon/lat.
    """
    raw, problems = _read_point_text(Path(path), kind=kind, id_column=id_column)
    if raw is None:
        raise DataError(problems)
    df, more = parse_lonlat(raw.df, source=raw.source, id_column=id_column, first_row=raw.first_row)
    if problems or more:
        raise DataError(problems + more)
    return df


def read_point_rows(path: str | Path, *, kind: str, id_column: str) -> tuple[pd.DataFrame | None, str, int, list[str]]:
    """Points as text, for a reader that collects its own problems before raising (incidents):
    ``(table, source, first_row, problems)``. Every cell is text, vector geometries become
    ``lon``/``lat`` text; ``table`` is None when the file cannot be read at all. Never raises."""
    raw, problems = _read_point_text(Path(path), kind=kind, id_column=id_column)
    if raw is None:
        return None, display_path(path), 2, problems
    return raw.df, raw.source, raw.first_row, problems


# --- lines and polygons ------------------------------------------------------------------


def _read_geometries(path: Path, *, allowed: tuple[str, ...], kind: str) -> tuple[gpd.GeoDataFrame | None, list[str]]:
    source = display_path(path)
    if not path.is_file():
        return None, [f"{source}: no such file — check the path"]
    gdf, problems = _read_ogr(path, source, geometry=True)
    if gdf is None:
        return None, problems
    if not isinstance(gdf, gpd.GeoDataFrame):
        return None, [f"{source}: no geometries — give {kind} as {' or '.join(allowed)} features"]
    try:
        gdf = _to_wgs84(gdf)
    except _OGR_ERRORS as err:
        return None, [f"{source}: cannot reproject to EPSG:4326 ({err}) — save the layer in EPSG:4326"]
    empty: list[int] = []
    wrong: dict[str, list[int]] = {}
    for idx, geom in gdf.geometry.items():
        if geom is None or geom.is_empty:
            empty.append(int(idx) + 1)
        elif geom.geom_type not in allowed:
            wrong.setdefault(geom.geom_type, []).append(int(idx) + 1)
    if empty:
        problems.append(f"{source}: row {_rows_text(empty)}: empty geometry — delete these features or draw them")
    for geom_type, rows in wrong.items():
        problems.append(
            f"{source}: row {_rows_text(rows)}: geometry is a {geom_type} — {kind} must be "
            f"{' or '.join(allowed)} (delete or convert these features)"
        )
    if not problems and len(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            problems.append(
                f"{source}: coordinates are not WGS84 degrees (bounds {minx:.0f}, {miny:.0f}, "
                f"{maxx:.0f}, {maxy:.0f}) — the file has no or a wrong CRS: set its CRS and save again"
            )
    return gdf.reset_index(drop=True), problems


def read_lines(path: str | Path) -> gpd.GeoDataFrame:
    """Road lines (LineString / MultiLineString) in EPSG:4326, attributes as read.

    Raises :class:`DataError` for an unreadable file or features of another geometry type.
    """
    gdf, problems = _read_geometries(Path(path), allowed=("LineString", "MultiLineString"), kind="roads")
    if problems:
        raise DataError(problems)
    return gdf


def read_polygons(path: str | Path) -> gpd.GeoDataFrame:
    """Boundary polygons (Polygon / MultiPolygon) in EPSG:4326, attributes as read.

    Raises :class:`DataError` for an unreadable file or features of another geometry type.
    """
    gdf, problems = _read_geometries(Path(path), allowed=("Polygon", "MultiPolygon"), kind="boundaries")
    if problems:
        raise DataError(problems)
    return gdf


# --- the whole scenario ------------------------------------------------------------------


def _ids_of(raw: _Raw | None, column: str) -> set[str] | None:
    """The non-empty ids of a table as read, or None when it could not be read."""
    if raw is None or column not in raw.df.columns:
        return None
    return {v for v in raw.df[column] if v}


def _validated(problems: list[str], validate, raw: _Raw | None, **kwargs):
    """Run ``validate`` on a table as read, adding its problems; None when it fails."""
    if raw is None:
        return None
    try:
        return validate(raw.df, source=raw.source, first_row=raw.first_row, **kwargs)
    except DataError as err:
        problems += err.problems
        return None


@dataclass
class _InputFiles:
    """The input files a config names, read one by one; every problem met is added to
    ``problems`` (missing files named by their config key ``data.<key>``)."""

    config: Config
    config_source: str
    problems: list[str]

    def missing(self, key: str) -> bool:
        """Whether ``data.<key>`` names a file that is not there (a problem when so)."""
        path = getattr(self.config.data, key)
        if path is None or Path(path).is_file():
            return False
        self.problems.append(
            f"{self.config_source}: data.{key}: no such file '{display_path(path)}' — check the "
            "path (paths are relative to the config file)"
        )
        return True

    def text_table(self, key: str, *, points: str | None = None) -> _Raw | None:
        """``data.<key>`` read as text (a point layer when ``points`` names its kind), or None."""
        path = getattr(self.config.data, key)
        if path is None or self.missing(key):
            return None
        if points:
            raw, more = _read_point_text(Path(path), kind=points, id_column=f"{points}_id")
        else:
            raw, more = _read_text(Path(path))
        self.problems.extend(more)
        return raw

    def geometries(self, key: str, *, allowed: tuple[str, ...], kind: str) -> gpd.GeoDataFrame | None:
        """``data.<key>`` read as a layer of ``allowed`` geometry types, or None."""
        path = getattr(self.config.data, key)
        if path is None or self.missing(key):
            return None
        gdf, more = _read_geometries(Path(path), allowed=allowed, kind=kind)
        self.problems.extend(more)
        return gdf


_GEOMETRY_KEYS = (
    ("roads", ("LineString", "MultiLineString"), "roads"),
    ("boundaries", ("Polygon", "MultiPolygon"), "boundaries"),
    ("prefectures", ("Polygon", "MultiPolygon"), "boundaries"),
)


def _validated_tables(problems: list[str], config: Config, raw: dict[str, _Raw | None]) -> dict[str, pd.DataFrame | None]:
    """The five tables as read, each validated against the others' ids (a table that could not
    be read checks nothing against); None for a table with problems (added to ``problems``)."""
    station_ids = _ids_of(raw["stations"], "station_id")
    zone_ids = _ids_of(raw["zones"], "zone_id")
    hotspot_ids = _ids_of(raw["hotspots"], "hotspot_id")
    return {
        "stations": _validated(
            problems, validate_stations, raw["stations"], reserve_officers=config.rules.reserve_officers
        ),
        "hotspots": _validated(problems, validate_hotspots, raw["hotspots"], zone_ids=zone_ids),
        "zones": _validated(
            problems,
            validate_zones,
            raw["zones"],
            station_ids=station_ids,
            synchronized_min_stations=config.modes.synchronized_min_stations,
        ),
        "demand": _validated(
            problems, validate_demand, raw["demand"], hotspot_ids=hotspot_ids, zone_ids=zone_ids,
            visits=config.visits,
        ),
        "availability": _validated(
            problems, validate_availability, raw["availability"], station_ids=station_ids
        ),
    }


def load_scenario(config_or_path: Config | str | Path) -> Scenario:
    """Load a config (a :class:`Config` or the path of its YAML), read and validate every
    input file, and return the :class:`Scenario`.

    Every problem in every file is collected first; then one :class:`DataError` lists them
    all. A missing file is named with the config key that names it (``data.stations``).
    """
    if isinstance(config_or_path, Config):
        config, config_path = config_or_path, None
    else:
        config_path = Path(config_or_path)
        config = load_config(config_path)
    files = _InputFiles(config, display_path(config_path) if config_path else "config", [])
    raw = {
        "stations": files.text_table("stations", points="station"),
        "hotspots": files.text_table("hotspots", points="hotspot"),
        "zones": files.text_table("zones"),
        "demand": files.text_table("demand"),
        "availability": files.text_table("availability"),
    }
    tables = _validated_tables(files.problems, config, raw)
    geometries = {key: files.geometries(key, allowed=allowed, kind=kind) for key, allowed, kind in _GEOMETRY_KEYS}
    if files.problems:
        raise DataError(files.problems)
    notes = list(config.notes) + _outside_horizon(
        config, tables["demand"], raw["demand"], "days") + _outside_horizon(
        config, tables["availability"], raw["availability"], "date")
    return Scenario(
        warnings=tuple(notes),
        config=config,
        config_path=config_path.resolve() if config_path else None,
        stations=tables["stations"],
        hotspots=tables["hotspots"],
        zones=tables["zones"],
        demand=tables["demand"],
        availability=tables["availability"],
        roads=geometries["roads"],
        boundaries=geometries["boundaries"],
        prefectures=geometries["prefectures"],
    )


def _outside_horizon(config: Config, table: pd.DataFrame | None, raw: _Raw | None, column: str) -> list[str]:
    """Rows that can never apply: dated only outside the horizon (demand: the day before it
    counts, its part past midnight falls on the first day)."""
    if table is None or raw is None or table.empty:
        return []

    first = config.week_start
    last = first + dt.timedelta(days=config.horizon_days - 1)
    earliest = first - dt.timedelta(days=1) if column == "days" else first
    rows = []
    for idx, value in table[column].items():
        if column == "days":
            spec = parse_days(str(value))
            if spec.weekdays or not spec.dates:
                continue
            outside = all(d < earliest or d > last for d in spec.dates)
        else:
            outside = value < earliest or value > last
        if outside:
            rows.append((int(idx) + raw.first_row, str(value)))
    if not rows:
        return []
    shown = ", ".join(f"{r} ({v})" for r, v in rows[:_LIST_AT_MOST])
    more = f" and {len(rows) - _LIST_AT_MOST} more" if len(rows) > _LIST_AT_MOST else ""
    return [
        f"{raw.source}: row{'s' if len(rows) > 1 else ''} {shown}{more}, column '{column}': dated outside "
        f"the week {earliest.isoformat()}..{last.isoformat()}, so ignored — check the dates or the "
        "config's week_start"
    ]
