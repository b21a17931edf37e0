"""Shared fixtures: paths of the bundled scenarios (read them with ``io.load_scenario``)."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


@pytest.fixture
def tiny_config_path() -> Path:
    """3 stations (2 counties), 4 hotspots, 2 zones (synchronized Z1, staggered Z2), 2 days,
    night demand only; see ``tests/data/tiny/config.yaml``."""
    return TESTS / "data" / "tiny" / "config.yaml"


@pytest.fixture
def example_config_path() -> Path:
    """The illustrative Jining week, ``configs/example.yaml``."""
    return REPO / "configs" / "example.yaml"
