"""One settings story (docs/configuration.md): the process environment is read in tarsy/settings.py
and handed down (``Settings.environ``), never read again deep inside the package."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "tarsy"
READS = re.compile(r"\bos\.(environ|getenv|putenv)\b|\bfrom os import\b")


def _code(path: Path) -> str:
    """The source without docstrings and comments is overkill here: a mention in a comment or
    docstring is written in double backticks, which this strips."""
    return re.sub(r"``[^`]*``", "", path.read_text("utf-8"))


def test_only_settings_reads_the_environment() -> None:
    readers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if READS.search(_code(path)))
    assert readers == ["settings.py"]
