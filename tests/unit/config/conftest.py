"""Fixtures for the config tests: config directories written into ``tmp_path``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

WriteConfig = Callable[..., Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """Write ``tarsy.yaml`` / ``llm-providers.yaml`` (dedented) into a fresh dir and return it."""

    def write(tarsy: str | None = None, providers: str | None = None) -> Path:
        config_dir = tmp_path / "config"
        config_dir.mkdir(exist_ok=True)
        for name, text in (("tarsy.yaml", tarsy), ("llm-providers.yaml", providers)):
            if text is not None:
                (config_dir / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return config_dir

    return write
