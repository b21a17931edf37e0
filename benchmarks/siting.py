"""Siting benchmark: the five models on 1,300 candidate crossings x 1,500 clients.

A synthetic province, seeded: 1,300 candidate checkpoints on the borders of a 20 x 15 grid of
counties (each a road crossing of a county line, 400 km x 300 km in all) and 1,500 clients
(border hotspots) scattered near those lines; the cost is road minutes shaped like the
roster's: an off-road leg at each end (0-6 minutes, drawn per point) plus the straight line x
a detour factor of 1.3 at 50 km/h, rounded up to the whole minute. (Drawing the detour
independently for every pair instead, ``--noisy``, makes the coverage sets look random, unlike
any road network, and the set covers far harder; both are reported in benchmarks/README.md.)
Radius 40 minutes; p = 60.

    .venv/bin/python benchmarks/siting.py [--models lscp,mclp] [--time-limit 30] [--workers 2]

Prints one line per model: status, objective, bound, gap, sites, seconds (wall clock of the
model's solve, building the matrix excluded), and the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from patrolplan.siting import SitingProblem, make_model

N_CANDIDATES = 1_300
N_CLIENTS = 1_500
RADIUS_MIN = 40.0
P = 60


def synthetic(n_candidates: int = N_CANDIDATES, n_clients: int = N_CLIENTS, *, seed: int = 0,
              noisy: bool = False) -> SitingProblem:
    """Candidates on county lines of a 20 x 15 grid of 20 km counties, clients near the lines."""
    rng = np.random.default_rng(seed)
    width_km, height_km, cell_km = 400.0, 300.0, 20.0

    def on_lines(n: int, jitter_km: float) -> np.ndarray:
        vertical = rng.random(n) < 0.5
        x = np.where(vertical, cell_km * rng.integers(1, int(width_km / cell_km), n), rng.uniform(0, width_km, n))
        y = np.where(vertical, rng.uniform(0, height_km, n), cell_km * rng.integers(1, int(height_km / cell_km), n))
        return np.column_stack([x, y]) + rng.normal(0, jitter_km, (n, 2))

    fac = on_lines(n_candidates, 0.2)
    cli = on_lines(n_clients, 3.0)
    km = np.hypot(cli[:, None, 0] - fac[None, :, 0], cli[:, None, 1] - fac[None, :, 1])
    if noisy:  # a detour factor of its own for every pair
        minutes = np.ceil(km * rng.uniform(1.2, 1.6, km.shape) / 50.0 * 60.0)
    else:
        leg_fac = rng.uniform(0, 6, n_candidates)
        leg_cli = rng.uniform(0, 6, n_clients)
        minutes = np.ceil(leg_cli[:, None] + km * 1.3 / 50.0 * 60.0 + leg_fac[None, :] - 1e-9)
    weights = rng.choice([1.0, 1.5, 2.0, 3.0], size=n_clients, p=[0.55, 0.2, 0.15, 0.1])
    return SitingProblem.from_cost_matrix(minutes, weights,
                                          client_ids=[f"H{i:04d}" for i in range(n_clients)],
                                          facility_ids=[f"J{j:04d}" for j in range(n_candidates)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="lscp,mclp,lscpb,pmedian,pcenter", help="comma-separated models")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per model")
    parser.add_argument("--workers", type=int, default=2, help="HiGHS threads")
    parser.add_argument("--seed", type=int, default=0, help="instance seed")
    parser.add_argument("--noisy", action="store_true", help="a detour factor drawn for every pair (harder)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    problem = synthetic(seed=args.seed, noisy=args.noisy)
    print(f"instance: {problem.n_facilities} candidates x {problem.n_clients} clients, seed {args.seed}, "
          f"{'noisy' if args.noisy else 'road-like'} costs, "
          f"built in {time.perf_counter() - t0:.1f} s; radius {RADIUS_MIN:g} min, p {P}")
    for name in args.models.split(","):
        model = make_model(name, p=P, radius=RADIUS_MIN)
        t = time.perf_counter()
        r = model.solve(problem, time_limit_s=args.time_limit, workers=args.workers)
        seconds = time.perf_counter() - t
        gap = r.gap_pct
        print(f"{name:8s} {r.status:8s} objective {r.objective:12.2f}  bound {r.bound if r.bound is not None else float('nan'):12.2f}"
              f"  gap {gap if gap is not None else float('nan'):6.3f} %  sites {len(r.sites):4d}  "
              f"coverage {r.figures.coverage_pct if r.figures.coverage_pct is not None else float('nan'):6.2f} %  "
              f"{seconds:6.2f} s", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
