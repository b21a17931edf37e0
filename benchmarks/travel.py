"""Benchmark: the travel-time matrix, before (plain Dijkstra on the whole graph) and after (the
graph reduced to the snapped vertices), stage by stage, and the run folder's cache.

    .venv/bin/python benchmarks/travel.py [--sizes jining,province,province-osm] [--repeats 5]
                                          [--before-repeats 3]

Sizes (scenarios cached in ``$TMPDIR/patrolplan-bench``, never in the repo):

``jining``
    the real Jining roads and illustrative stations (``configs/jining.yaml``: 146 stations,
    142 hotspots, 1.6k road vertices).
``province``
    ``benchmarks/run.py``'s province week (``generate_scenario``, seed 0: 1,500 stations, 1,300
    hotspots); its road grid has 15k vertices, no one-way roads.
``province-osm``
    the same stations and hotspots on the same roads drawn the way OpenStreetMap draws them:
    three shape points on every grid link (jittered off the straight line) and 15 % of the
    lines one-way (drawn in either direction; only lines between two junctions, so the graph
    stays strongly connected where the points are): 94k vertices, 97k road segments, 194k
    directed edges — the issue's "100k vertices".

Each stage is timed with ``time.perf_counter`` (wall) and ``time.process_time`` (CPU of this
process); the figure quoted is the median over ``--repeats`` runs (``--before-repeats`` for the
slow plain search). The machine is shared: wall times move with the load, CPU times less.
Every "after" matrix is compared with the "before" one entry for entry.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "patrolplan-bench"


def _province() -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import scenario_path

    return scenario_path("province")


def _province_osm() -> Path:
    """The province's roads with OSM-like shape points and one-way lines (seeded)."""
    src = _province().parent
    dst = CACHE / "province-osm"
    if (dst / "config.yaml").is_file():
        return dst / "config.yaml"
    tmp = CACHE / ".province-osm.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in src.iterdir():
        if f.name != "roads.geojson":
            shutil.copy2(f, tmp / f.name)
    rng = np.random.default_rng(0)
    roads = json.loads((src / "roads.geojson").read_text())
    ends = Counter(tuple(p) for feat in roads["features"] for p in feat["geometry"]["coordinates"])
    for feat in roads["features"]:
        coords = np.array(feat["geometry"]["coordinates"], dtype=float)
        if feat["properties"].get("highway") == "track":  # the spurs to junction hotspots stay as they are
            continue
        junction_ends = ends[tuple(coords[0])] > 1 and ends[tuple(coords[-1])] > 1
        dense = [coords[0]]
        for a, b in zip(coords[:-1], coords[1:]):
            d = b - a
            normal = np.array([-d[1], d[0]]) / (np.hypot(*d) + 1e-12)
            dense += [a + f * d + normal * rng.normal(0, 2e-4) for f in (0.25, 0.5, 0.75)] + [b]
        coords = np.array(dense)
        if junction_ends and rng.random() < 0.15:
            feat["properties"]["oneway"] = "yes"
            if rng.random() < 0.5:
                coords = coords[::-1]
        feat["geometry"]["coordinates"] = np.round(coords, 6).tolist()
    (tmp / "roads.geojson").write_text(json.dumps(roads))
    shutil.rmtree(dst, ignore_errors=True)
    tmp.rename(dst)
    return dst / "config.yaml"


SIZES = {
    "jining": lambda: ROOT / "configs" / "jining.yaml",
    "province": _province,
    "province-osm": _province_osm,
}


def _timed(fn, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w, time.process_time() - c


def _median(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}


def before(scenario, graph) -> tuple[dict, tuple]:
    """The plain search, as travel_times ran it before: snap, one Dijkstra per distinct vertex
    of the smaller side on the whole graph (and on its transpose), legs, round up."""
    from patrolplan.inputs.network import _ceil_min, _m_per_min, _plain_road_matrices

    t: dict = {}
    s_ll = scenario.stations[["lon", "lat"]].to_numpy(dtype=float)
    h_ll = scenario.hotspots[["lon", "lat"]].to_numpy(dtype=float)
    (sv, sd), t["snap_s"], _ = _timed(graph.snap, s_ll[:, 0], s_ll[:, 1])
    (hv, hd), w, _ = _timed(graph.snap, h_ll[:, 0], h_ll[:, 1])
    t["snap_s"] += w
    (road_out, road_back, _), t["dijkstra_s"], t["dijkstra_cpu_s"] = _timed(_plain_road_matrices, graph, sv, hv,
                                                                           hop=False)
    speed = _m_per_min(scenario.config.travel.offroad_kmh)
    out = _ceil_min(road_out + (sd / speed)[:, None] + (hd / speed)[None, :])
    back = _ceil_min(road_back + (hd / speed)[:, None] + (sd / speed)[None, :])
    return t, (out, back)


def before_total(scenario, graph) -> tuple[dict, tuple]:
    (t, minutes), w, c = _timed(before, scenario, graph)
    return {**t, "travel_times_s": w, "travel_times_cpu_s": c}, minutes


def after(scenario, graph) -> tuple[dict, object, dict]:
    """travel_times as it runs now, end to end, and its stages timed apart."""
    from patrolplan.inputs import network
    from patrolplan.inputs.shortcuts import reduce_graph

    t: dict = {}
    travel, t["travel_times_s"], t["travel_times_cpu_s"] = _timed(network.travel_times, scenario, graph=graph)
    s_ll = scenario.stations[["lon", "lat"]].to_numpy(dtype=float)
    h_ll = scenario.hotspots[["lon", "lat"]].to_numpy(dtype=float)
    (sv, _), t["snap_s"], _ = _timed(graph.snap, s_ll[:, 0], s_ll[:, 1])
    (hv, _), w, _ = _timed(graph.snap, h_ll[:, 0], h_ll[:, 1])
    t["snap_s"] += w
    terminal = np.zeros(graph.n_vertices, dtype=bool)
    terminal[sv] = terminal[hv] = True
    (reduced, _), t["reduce_s"], _ = _timed(reduce_graph, graph.matrix, terminal)
    _, t["reduce_and_search_s"], t["reduce_and_search_cpu_s"] = _timed(network._fast_road_matrices, graph, sv, hv,
                                                                       hop=False)
    facts = {"reduced_vertices": int(reduced.shape[0]), "reduced_edges": int(reduced.nnz),
             "stations_unique_vertices": int(len(np.unique(sv))), "hotspots_unique_vertices": int(len(np.unique(hv)))}
    return t, travel, facts


def cache_hit(scenario) -> dict:
    """Store the matrix as a run would, then read it back as the next run does."""
    from patrolplan.inputs.network import travel_times
    from patrolplan.inputs.travel_cache import TRAVEL_FILE, save_travel, travel_key

    folder = Path(tempfile.mkdtemp(prefix="patrolplan-travel-cache-"))
    try:
        t: dict = {}
        travel = travel_times(scenario, cache=())
        _, t["key_s"], _ = _timed(travel_key, scenario)
        _, t["save_s"], _ = _timed(save_travel, travel, folder / TRAVEL_FILE)
        hit, t["hit_s"], t["hit_cpu_s"] = _timed(travel_times, scenario, cache=folder)
        assert hit.read_from is not None and np.array_equal(hit.out_min, travel.out_min)
        t["file_mb"] = round((folder / TRAVEL_FILE).stat().st_size / 1e6, 2)
        return t
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_size(size: str, repeats: int, before_repeats: int) -> dict:
    from patrolplan.inputs.io import load_scenario
    from patrolplan.inputs.network import road_graph

    scenario = load_scenario(SIZES[size]())
    builds = []
    for _ in range(max(1, repeats)):
        graph, w, c = _timed(road_graph, scenario)
        builds.append({"graph_build_s": w, "graph_build_cpu_s": c})
    res: dict = {"size": size, "stations": len(scenario.stations), "hotspots": len(scenario.hotspots),
                 "vertices": graph.n_vertices, "directed_edges": graph.n_edges, "one_way": not graph.is_symmetric,
                 **_median(builds)}
    runs_after, travel, facts = [], None, {}
    for _ in range(repeats):
        t, travel, facts = after(scenario, graph)
        runs_after.append(t)
        print(f"  {size} after: {t}", file=sys.stderr, flush=True)
    res.update(facts)
    res["after"] = _median(runs_after)
    runs_before, reference = [], None
    for _ in range(before_repeats):
        t, reference = before_total(scenario, graph)
        runs_before.append(t)
        print(f"  {size} before: {t}", file=sys.stderr, flush=True)
    if runs_before:
        res["before"] = _median(runs_before)
        res["same_minutes"] = bool(np.array_equal(reference[0], travel.out_min)
                                   and np.array_equal(reference[1], travel.back_min))
    res["cache"] = _median([cache_hit(scenario) for _ in range(max(1, min(repeats, 3)))])
    return res


def table(results: list[dict]) -> str:
    rows = ["| size | stations × hotspots | road vertices / directed edges (one-way) | reduced vertices / edges "
            "| graph build s | before: matrix s (CPU s) | after: `travel_times` s (CPU s) | of which reduce s "
            "| speed-up | same minutes | cache hit s (file MB) |",
            "|" + "---|" * 11]
    for r in results:
        b, a, c = r.get("before"), r["after"], r["cache"]
        before_cell = f"{b['travel_times_s']} ({b['travel_times_cpu_s']})" if b else "–"
        speedup = f"{b['travel_times_s'] / max(a['travel_times_s'], 1e-9):.1f}×" if b else "–"
        rows.append(
            f"| {r['size']} | {r['stations']:,} × {r['hotspots']:,} | {r['vertices']:,} / {r['directed_edges']:,} "
            f"({'yes' if r['one_way'] else 'no'}) | {r['reduced_vertices']:,} / {r['reduced_edges']:,} "
            f"| {r['graph_build_s']} | {before_cell} | {a['travel_times_s']} ({a['travel_times_cpu_s']}) "
            f"| {a['reduce_s']} | {speedup} | {r.get('same_minutes', '–')} | {c['hit_s']} ({c['file_mb']}) |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="jining,province,province-osm")
    ap.add_argument("--repeats", type=int, default=5, help="runs of the fast path per size (median quoted)")
    ap.add_argument("--before-repeats", type=int, default=3, help="runs of the plain search per size (0: skip)")
    ap.add_argument("--out", type=Path, default=None, help="results JSON (default: in the temporary folder)")
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size(s) {unknown}: use {', '.join(SIZES)}")
    CACHE.mkdir(parents=True, exist_ok=True)
    results = [run_size(s, args.repeats, args.before_repeats) for s in sizes]
    out = args.out or CACHE / "travel-results.json"
    out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"), "results": results}, indent=1))
    print(table(results))
    print(f"results: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
