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
the matrix is computed again. The file holds plain arrays only; it is written by
``outputs.runfolder.write_run_folder`` inside the run folder's atomic write, so it is complete
or absent. Before any array is read, every member's ``.npy`` header is checked against the
scenario (:func:`inspect_travel`): the names, dtypes and shapes of a travel file of
``S`` stations and ``H`` hotspots, and a stored size that matches the shape, so a file whose
header declares a 20000 x 20000 matrix is refused after reading a few hundred bytes. A symlink
is never read (a run folder's travel.npz is a file patrolplan wrote).

``patrolplan solve``/``replan`` no longer take their minutes from here (the runner computes
them, so that the in-solve check never trusts a file; :func:`stored_notes` says when a stored
file disagrees); ``network.travel_times(scenario, cache=...)`` still reads it for library use.
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

from patrolplan.inputs.scenario import Scenario
from patrolplan.inputs.travel import UNREACHABLE_MIN, Travel, needs_hotspot_hops

__all__ = ["TRAVEL_FILE", "FORMAT", "travel_key", "save_travel", "load_travel", "read_cached", "inspect_travel",
           "stored_notes"]

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


def _member_header(zf: zipfile.ZipFile, name: str):
    """``(dtype, shape, data bytes stored)`` of member ``name`` from its ``.npy`` header alone
    (a few hundred bytes read, nothing allocated by the declared shape); ValueError if it is
    no plain ``.npy`` array."""
    info = zf.getinfo(name)
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"{name}: .npy version {version}")
        header_len = f.tell()
    if fortran or dtype.hasobject:
        raise ValueError(f"{name}: not a plain C-ordered array")
    return dtype, tuple(int(n) for n in shape), info.file_size - header_len


def inspect_travel(path: str | Path, n_stations: int, n_hotspots: int, *, needs_hop: bool | None = None) -> str | None:
    """Why the file at ``path`` cannot be a travel file of ``n_stations`` x ``n_hotspots``
    (one line), or None if its headers fit. Reads only the zip directory and each member's
    ``.npy`` header: never the arrays. A symlink is refused unread. ``needs_hop``: True asks
    for ``hop_min``; None takes it when present."""
    path = Path(path)
    if path.is_symlink():
        return "a symlink (a run folder's travel.npz is a file patrolplan wrote), not read"
    S, H = int(n_stations), int(n_hotspots)
    want = {"format": ("U", ()), "inputs_sha256": ("U", ()), "station_ids": ("U", (S,)),
            "hotspot_ids": ("U", (H,)), "out_min": ("iu", (S, H)), "back_min": ("iu", (H, S))}
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.removesuffix(".npy") for n in zf.namelist()}
            missing = sorted(set(want) - names)
            if missing:
                return f"not a patrolplan travel file (no {', '.join(missing)})"
            extra = sorted(names - set(want) - {"hop_min"})
            if extra:
                return f"not a patrolplan travel file (unknown member(s) {', '.join(extra)})"
            if "hop_min" in names:
                want["hop_min"] = ("iu", (H, H))
            elif needs_hop:
                return "no hotspot -> hotspot minutes, which visits need"
            for name, (kinds, shape) in want.items():
                dtype, got, stored = _member_header(zf, name + ".npy")
                if dtype.kind not in kinds or (kinds == "iu" and dtype.itemsize > 8) or (
                        kinds == "U" and dtype.itemsize > 4 * 1024):
                    return f"{name} has dtype {dtype}, a travel file holds {'integers' if kinds == 'iu' else 'text'}"
                if got != shape:
                    return f"{name} declares shape {got}, this scenario's is {shape}"
                if stored != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
                    return f"{name} holds {stored} bytes, its header declares {dtype.itemsize * int(np.prod(shape))}"
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError) as err:
        return f"damaged or not a travel file ({type(err).__name__}: {err})"
    return None


def load_travel(path: str | Path, key: str, *, station_ids=None, hotspot_ids=None,
                needs_hop: bool | None = None) -> Travel | None:
    """The Travel stored at ``path`` if it is a well-formed travel file of inputs ``key``
    (and of these ids, and with hop minutes when ``needs_hop``), else None. Never raises.
    Without ``station_ids`` and ``hotspot_ids`` the shapes come from the file's own id arrays
    (their headers first); the arrays are read only once :func:`inspect_travel` accepted every
    header."""
    travel, _ = _load(path, key, station_ids=station_ids, hotspot_ids=hotspot_ids, needs_hop=needs_hop)
    return travel


def _load(path, key, *, station_ids=None, hotspot_ids=None, needs_hop=None) -> tuple[Travel | None, str | None]:
    """``(travel, None)``, or ``(None, why)``: ``why`` is "stale" for a travel file of other
    inputs (or ids), else what is wrong with the file."""
    path = Path(path)
    try:
        if path.is_symlink():
            return None, "a symlink (a run folder's travel.npz is a file patrolplan wrote), not read"
        with zipfile.ZipFile(path) as zf:
            n_s = _member_header(zf, "station_ids.npy")[1]
            n_h = _member_header(zf, "hotspot_ids.npy")[1]
        if len(n_s) != 1 or len(n_h) != 1:
            return None, "damaged or not a travel file (its id arrays are not lists)"
        # the file must agree with itself (shapes, dtypes, stored sizes) before anything is read
        why = inspect_travel(path, n_s[0], n_h[0], needs_hop=None)
        if why is not None:
            return None, why
        if station_ids is not None and hotspot_ids is not None and (n_s[0], n_h[0]) != (
                len(station_ids), len(hotspot_ids)):
            return None, "stale"  # another scenario's size: its arrays are never read
        with np.load(path, allow_pickle=False) as z:
            if str(z["format"][()]) != FORMAT:
                return None, f"written by another version ({str(z['format'][()])[:40]!r})"
            if str(z["inputs_sha256"][()]) != key:
                return None, "stale"
            sids = tuple(str(s) for s in z["station_ids"])
            hids = tuple(str(h) for h in z["hotspot_ids"])
            if (station_ids is not None and sids != tuple(station_ids)) or (
                    hotspot_ids is not None and hids != tuple(hotspot_ids)):
                return None, "stale"
            out, back = z["out_min"], z["back_min"]
            hop = z["hop_min"] if "hop_min" in z.files else None
        if needs_hop is not None and needs_hop != (hop is not None):
            return None, "stale"
        for a in (out, back) + ((hop,) if hop is not None else ()):
            if a.size and (a.min() < 0 or a.max() > UNREACHABLE_MIN):
                return None, f"minutes outside 0..{UNREACHABLE_MIN}"
        return Travel(sids, hids, out.astype(np.int64), back.astype(np.int64),
                      None if hop is None else hop.astype(np.int64), inputs_sha256=key, read_from=str(path)), None
    except Exception as err:  # noqa: BLE001 — a cache that cannot be read is no cache, never an error
        return None, f"damaged or not a travel file ({type(err).__name__})"


def _places(places: Any) -> list[Path]:
    """The travel files among ``places`` (run folders or files) that exist (a symlink too)."""
    if isinstance(places, (str, Path)):
        places = [places]
    out = []
    for place in places:
        try:
            path = Path(place)
            path = path / TRAVEL_FILE if path.is_dir() else path
            if path.is_file() or path.is_symlink():
                out.append(path)
        except (OSError, TypeError, ValueError):
            continue
    return out


def read_cached(places: Any, key: str, scenario: Scenario) -> Travel | None:
    """The first stored Travel of ``key`` among ``places`` (run folders or travel files)."""
    sids = tuple(scenario.stations["station_id"].astype(str))
    hids = tuple(scenario.hotspots["hotspot_id"].astype(str))
    for path in _places(places):
        travel = load_travel(path, key, station_ids=sids, hotspot_ids=hids, needs_hop=needs_hotspot_hops(scenario))
        if travel is not None:
            return travel
    return None


def stored_notes(places: Any, travel: Travel, scenario: Scenario) -> list[str]:
    """Warnings on the travel files among ``places`` against ``travel`` (minutes just computed,
    carrying ``inputs_sha256``): a file of these inputs whose minutes differ (edited or
    foreign: never used), or one that is damaged, foreign, oversized or a symlink. A file of
    other inputs is stale by design and says nothing."""
    notes = []
    sids = tuple(scenario.stations["station_id"].astype(str))
    hids = tuple(scenario.hotspots["hotspot_id"].astype(str))
    for path in _places(places):
        stored, why = _load(path, travel.inputs_sha256, station_ids=sids, hotspot_ids=hids,
                            needs_hop=travel.hop_min is not None)
        if why == "stale":
            continue
        if why is not None:
            notes.append(f"{path}: {why} — ignored: the travel minutes were computed from the roads")
            continue
        pairs = [("out_min", stored.out_min, travel.out_min), ("back_min", stored.back_min, travel.back_min)]
        if travel.hop_min is not None and stored.hop_min is not None:
            pairs.append(("hop_min", stored.hop_min, travel.hop_min))
        differ = {name: int((a != b).sum()) for name, a, b in pairs if a.shape != b.shape or (a != b).any()}
        if differ:
            notes.append(f"{path}: carries the key of these inputs but other minutes "
                         f"({', '.join(f'{n} entries of {k}' for k, n in differ.items())}) — ignored: the travel "
                         "minutes were computed from the roads")
    return notes
