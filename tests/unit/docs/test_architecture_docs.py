"""docs/architecture.md's package table names every package of ``tarsy`` and nothing else.

A row's first cell holds the package in backticks (`` `tarsy.api` ``); a new package without a
row, or a row for a package that is gone, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"


def _table_packages(text: str) -> set[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*package\s*\|", line))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line.strip("|").split("|")[0])
    return {name for row in rows for name in re.findall(r"`(tarsy\.[a-z_]+)`", row)}


def test_every_package_has_a_row_and_every_row_a_package() -> None:
    packages = {f"tarsy.{p.parent.name}" for p in (ROOT / "tarsy").glob("*/__init__.py")}
    documented = _table_packages(DOC.read_text("utf-8"))
    assert sorted(packages - documented) == [], f"packages missing from the table in {DOC.name}"
    assert sorted(documented - packages) == [], f"rows in {DOC.name} for packages that do not exist"
