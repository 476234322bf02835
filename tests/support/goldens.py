"""Golden files: compare what a test produced with a file under ``tests/golden/``, or rewrite it.

One switch for every golden in the suite: ``TARSY_UPDATE_GOLDENS=1`` (``TARSY_UPDATE_GOLDEN=1``,
the masking corpus's older spelling, works too). It is an environment variable rather than a
pytest option because an option declared in one conftest is refused by a plain ``pytest`` run of
another directory. See ``docs/testing.md``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN_ROOT = Path(__file__).resolve().parents[1] / "golden"
UPDATE_ENV = "TARSY_UPDATE_GOLDENS"
MAX_DIFF_CHARS = 20_000


def updating() -> bool:
    return os.environ.get(UPDATE_ENV) == "1" or os.environ.get("TARSY_UPDATE_GOLDEN") == "1"


def check_golden(path: Path, actual: str, *, produced: str = "produced now") -> None:
    """Fail with a unified diff when ``actual`` differs from ``path``; rewrite it when updating."""
    if updating():
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
                tofile=produced,
            )
        )
        pytest.fail(
            f"{path.name} differs from its golden file (regenerate with {UPDATE_ENV}=1):\n{diff[:MAX_DIFF_CHARS]}"
        )
