"""Golden files: compare what a test produced with a file under ``tests/golden/``, or rewrite it.

One switch for every golden in the suite: ``TARSY_UPDATE_GOLDENS=1`` (``TARSY_UPDATE_GOLDEN=1``,
the masking corpus's older spelling, works too). It is an environment variable rather than a
pytest option because an option declared in one conftest is refused by a plain ``pytest`` run of
another directory. See ``docs/testing.md``.

An updating run never passes a test whose golden it changed: every rewrite goes through
:func:`rewrite` / :func:`remove`, which remember it, and the ``pytest_runtest_call`` wrapper in
``tests/conftest.py`` fails that test afterwards (all of its goldens are rewritten first), naming the
files to review. A run that changes nothing passes as usual, so the second, plain run is the proof.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN_ROOT = Path(__file__).resolve().parents[1] / "golden"
UPDATE_ENV = "TARSY_UPDATE_GOLDENS"
MAX_DIFF_CHARS = 20_000


_rewritten: list[Path] = []


def updating() -> bool:
    return os.environ.get(UPDATE_ENV) == "1" or os.environ.get("TARSY_UPDATE_GOLDEN") == "1"


def rewrite(path: Path, text: str) -> None:
    """Write a golden in update mode; a change is remembered so that the test does not pass."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _rewritten.append(path)


def remove(path: Path) -> None:
    """Delete a stale golden in update mode; remembered like a rewrite."""
    path.unlink()
    _rewritten.append(path)


def take_rewritten() -> list[Path]:
    """The goldens changed since the last call (the conftest wrapper calls it around each test)."""
    changed = list(_rewritten)
    _rewritten.clear()
    return changed


def fail_if_rewritten() -> None:
    changed = take_rewritten()
    if changed:
        names = "\n".join(f"  {path}" for path in changed)
        pytest.fail(
            f"{UPDATE_ENV}=1 rewrote these goldens; review the diff (git diff), then run the test again "
            f"without {UPDATE_ENV} - a rewriting run never passes:\n{names}"
        )


def check_golden(path: Path, actual: str, *, produced: str = "produced now") -> None:
    """Fail with a unified diff when ``actual`` differs from ``path``; rewrite it when updating."""
    if updating():
        rewrite(path, actual)
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
