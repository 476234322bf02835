"""Prompt goldens: composed text against ``tests/golden/prompts/<name>.txt`` (see ``tests.support.goldens``)."""

from __future__ import annotations

from pathlib import Path

from tests.support.goldens import GOLDEN_ROOT, check_golden

GOLDEN_DIR = GOLDEN_ROOT / "prompts"


class Goldens:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def check(self, name: str, actual: str) -> None:
        """Compare ``actual`` with ``<name>.txt``, or (re)write the file when updating."""
        check_golden(self.directory / f"{name}.txt", actual, produced="composed now")
