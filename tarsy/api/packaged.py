"""The dashboard built into the wheel (``tarsy/_dashboard``), served when TARSY_DASHBOARD_DIR is unset."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGED_DASHBOARD = "_dashboard"


def packaged_dashboard() -> Path | None:
    """The folder holding the packaged dashboard's index.html, or None (a source checkout without a build)."""
    folder = resources.files("tarsy") / PACKAGED_DASHBOARD
    index = folder / "index.html"
    if not index.is_file():
        return None
    # Installed wheels are plain directories; a zipped install would have no real path to serve from.
    path = Path(str(folder))
    return path if (path / "index.html").is_file() else None
