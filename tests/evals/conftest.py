"""Shared pieces of the evaluation harness's tests: the scenarios folder and an offline setup."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.config import TarsyConfig, load_config
from tarsy.evals.runner import EvalSetup

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "evals" / "scenarios"


@pytest.fixture(scope="session")
def builtin_config() -> TarsyConfig:
    return load_config(None, {})


@pytest.fixture
def offline_setup(builtin_config: TarsyConfig, tmp_path: Path) -> EvalSetup:
    """Offline, in-process replay server: what every scenario's test runs with."""
    return EvalSetup(config=builtin_config, transport="memory", workdir=tmp_path, offline=True)
