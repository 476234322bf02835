"""Golden files: compare composed text with ``tests/golden/prompts/<name>.txt`` or rewrite it.

Rewriting happens when ``TARSY_UPDATE_GOLDENS=1`` (or ``TARSY_UPDATE_GOLDEN=1``, the masking
corpus's switch) is set; ``conftest.py`` explains why this is an environment variable.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "golden" / "prompts"
UPDATE_ENV = "TARSY_UPDATE_GOLDENS"


def updating() -> bool:
    return os.environ.get(UPDATE_ENV) == "1" or os.environ.get("TARSY_UPDATE_GOLDEN") == "1"


class Goldens:
    def __init__(self, directory: Path, update: bool) -> None:
        self.directory = directory
        self.update = update

    def check(self, name: str, actual: str) -> None:
        """Compare ``actual`` with ``<name>.txt``, or (re)write the file when updating."""
        path = self.directory / f"{name}.txt"
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing; create it with {UPDATE_ENV}=1")
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    fromfile=f"{path} (golden)",
                    tofile="composed now",
                )
            )
            pytest.fail(f"{name} differs from its golden file (regenerate with {UPDATE_ENV}=1):\n{diff}")
