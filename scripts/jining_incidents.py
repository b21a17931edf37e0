"""Write a synthetic incident history over Jining's real counties (for the README's loop).

    .venv/bin/python scripts/jining_incidents.py [--out runs/jining-incidents.csv] [--seed 1] [--weeks 8]

The ``--weeks`` weeks before the demo week (2026-11-30) and the demo week itself: planted
border hot spots with their own peak hours, interior clusters and background
(:func:`patrolplan.scenarios.incidents.generate_incidents`); the planted truth goes beside the
file as ``<name>-planted.csv``. The positions are made up: no public incident data is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from patrolplan.inputs.io import load_scenario
from patrolplan.scenarios.incidents import generate_incidents

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("runs/jining-incidents.csv"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--weeks", type=int, default=8)
    args = ap.parse_args()
    scenario = load_scenario(REPO / "configs" / "jining.yaml")
    week = scenario.config.week_start
    history = generate_incidents(scenario.boundaries, roads=scenario.roads, units=set(scenario.stations["county"]),
                                 start=week - dt.timedelta(weeks=args.weeks), weeks=args.weeks + 1, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    history.incidents.to_csv(args.out, index=False)
    history.planted.to_csv(args.out.with_name(args.out.stem + "-planted.csv"), index=False)
    print(f"{len(history.incidents)} incidents -> {args.out}")


if __name__ == "__main__":
    main()
