"""`patrolplan site`: the command-line layer of the siting models."""

from __future__ import annotations

import argparse

from ..errors import UsageError


def add_site_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("site", help="where to put joint checkpoints (coverage siting)")
    p.add_argument("config", nargs="?", help="a patrolplan config (clients: its hotspots)")
    return p


def cmd_site(args) -> int:
    raise UsageError("patrolplan site is being built")
