"""The travel matrix stored in the run folder (``travel.npz``), keyed by the inputs it comes from.

A province's matrix takes seconds of road searches; a re-run of the same config into the same
run folder (or a re-plan from it) reads it back instead. The key is a SHA-256 of exactly what
the minutes depend on:

- the station and hotspot ids and their lon/lat (float64 bytes), in table order;
- the roads as loaded: CRS, every geometry (WKB) and the columns that set speed and
  direction (``speed_kmh``, ``maxspeed``, ``highway``, ``road_class``, ``oneway``), so the file
  format and unrelated columns do not matter, while any change in a line or a speed does;
- the config's ``travel`` settings, and whether any demand row asks for visits (then the
  hotspot -> hotspot minutes are part of the matrix);
- :data:`FORMAT`, bumped whenever the way minutes are computed changes.

Reading never raises: a missing, stale (another key), foreign or damaged file is ignored and
the matrix is computed again. The file holds plain arrays only (``numpy.load`` with
``allow_pickle=False``); it is written by ``outputs.runfolder.write_run_folder`` inside the run
folder's atomic write, so it is complete or absent.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from patrolplan.inputs.network import UNREACHABLE_MIN, Travel, needs_hotspot_hops
from patrolplan.inputs.scenario import Scenario

__all__ = ["TRAVEL_FILE", "FORMAT", "travel_key", "save_travel", "load_travel", "read_cached"]

TRAVEL_FILE = "travel.npz"
FORMAT = "patrolplan-travel-1"
_ROAD_COLUMNS = ("speed_kmh", "maxspeed", "highway", "road_class", "oneway")


def travel_key(scenario: Scenario) -> str:
    """SHA-256 (hex) of everything the travel minutes of ``scenario`` depend on."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + len(data).to_bytes(8, "little") + data)

    add("format", FORMAT.encode())
    for kind, id_col in (("stations", "station_id"), ("hotspots", "hotspot_id")):
        table = getattr(scenario, kind)
        add(kind, "\x1f".join(table[id_col].astype(str)).encode())
        add(kind + " lonlat", np.ascontiguousarray(table[["lon", "lat"]].to_numpy(dtype=float)).tobytes())
    add("travel", json.dumps(scenario.config.travel.model_dump(mode="json"), sort_keys=True).encode())
    add("hops", b"1" if needs_hotspot_hops(scenario) else b"0")
    roads = scenario.roads
    if roads is None:
        add("roads", b"none")
    else:
        crs = getattr(roads, "crs", None)
        add("roads crs", (crs.to_wkt() if crs is not None else "").encode())
        wkb = shapely.to_wkb(np.asarray(roads.geometry.values, dtype=object), output_dimension=2)
        add("roads wkb", b"".join(len(b).to_bytes(8, "little") + b if b is not None else b"\xff" * 8 for b in wkb))
        for col in _ROAD_COLUMNS:
            if col in roads.columns:
                add("roads " + col, "\x1f".join(repr(v) for v in roads[col].tolist()).encode())
    return digest.hexdigest()


def save_travel(travel: Travel, path: str | Path) -> Path:
    """Write ``travel`` (which must carry ``inputs_sha256``) to ``path`` as a compressed npz
    (what ``numpy.savez_compressed`` writes, with fixed timestamps: same minutes, same bytes)."""
    if not travel.inputs_sha256:
        raise ValueError("save_travel: the Travel carries no inputs_sha256 (compute it with a cache)")
    arrays: dict[str, Any] = {
        "format": np.array(FORMAT),
        "inputs_sha256": np.array(travel.inputs_sha256),
        "station_ids": np.array(travel.station_ids, dtype=str),
        "hotspot_ids": np.array(travel.hotspot_ids, dtype=str),
        "out_min": travel.out_min.astype(np.int32),  # minutes <= UNREACHABLE_MIN < 2**31
        "back_min": travel.back_min.astype(np.int32),
    }
    if travel.hop_min is not None:
        arrays["hop_min"] = travel.hop_min.astype(np.int32)
    # an npz written by hand with fixed timestamps: the same minutes give the same bytes
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            # level 1: a province's matrix in 0.3 s of CPU (level 6 took 2 s for 5 % less)
            zf.writestr(info, buffer.getvalue(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return path


def load_travel(path: str | Path, key: str, *, station_ids=None, hotspot_ids=None,
                needs_hop: bool | None = None) -> Travel | None:
    """The Travel stored at ``path`` if it is a well-formed travel file of inputs ``key``
    (and of these ids, and with hop minutes when ``needs_hop``), else None. Never raises."""
    try:
        with np.load(Path(path), allow_pickle=False) as z:
            if str(z["format"][()]) != FORMAT or str(z["inputs_sha256"][()]) != key:
                return None
            sids = tuple(str(s) for s in z["station_ids"])
            hids = tuple(str(h) for h in z["hotspot_ids"])
            if (station_ids is not None and sids != tuple(station_ids)) or (
                    hotspot_ids is not None and hids != tuple(hotspot_ids)):
                return None
            out, back = z["out_min"], z["back_min"]
            hop = z["hop_min"] if "hop_min" in z.files else None
        if needs_hop is not None and needs_hop != (hop is not None):
            return None
        for a in (out, back) + ((hop,) if hop is not None else ()):
            if a.dtype.kind not in "iu" or (a.size and (a.min() < 0 or a.max() > UNREACHABLE_MIN)):
                return None
        return Travel(sids, hids, out.astype(np.int64), back.astype(np.int64),
                      None if hop is None else hop.astype(np.int64), inputs_sha256=key, read_from=str(path))
    except Exception:  # noqa: BLE001 — a cache that cannot be read is no cache, never an error
        return None


def read_cached(places: Any, key: str, scenario: Scenario) -> Travel | None:
    """The first stored Travel of ``key`` among ``places`` (run folders or travel files)."""
    if isinstance(places, (str, Path)):
        places = [places]
    sids = tuple(scenario.stations["station_id"].astype(str))
    hids = tuple(scenario.hotspots["hotspot_id"].astype(str))
    for place in places:
        try:
            path = Path(place)
            path = path / TRAVEL_FILE if path.is_dir() else path
            found = path.is_file()
        except (OSError, TypeError, ValueError):
            continue
        if found:
            travel = load_travel(path, key, station_ids=sids, hotspot_ids=hids,
                                 needs_hop=needs_hotspot_hops(scenario))
            if travel is not None:
                return travel
    return None
