"""Shared fixtures: the seed for randomized tests, numpy when installed."""
from __future__ import annotations

import os
import random
from typing import Any

import pytest

SEED = int(os.environ.get("PEPKIT_SEED") or random.SystemRandom().randrange(2 ** 32))


def pytest_report_header(config: Any) -> str:
    return "pepkit seed %d (rerun with PEPKIT_SEED=%d)" % (SEED, SEED)


@pytest.fixture
def rng() -> random.Random:
    return random.Random(SEED)


@pytest.fixture
def np() -> Any:
    return pytest.importorskip("numpy")
