"""What this process is: TARSy's version and the build it came from (``tarsy --version``, the API)."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from importlib import metadata

from tarsy.settings import process_environment

UNKNOWN = "unknown"


def version() -> str:
    """The installed distribution's version (the wheel's, or the editable checkout's)."""
    try:
        return metadata.version("tarsy")
    except metadata.PackageNotFoundError:  # imported from a bare source tree on PYTHONPATH
        return "0+unknown"


def build_info(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Version plus the commit and date the image was built from (set by the Containerfile's build args)."""
    e = process_environment() if env is None else env
    return {
        "version": version(),
        "commit": e.get("TARSY_BUILD_COMMIT", "").strip() or UNKNOWN,
        "build_date": e.get("TARSY_BUILD_DATE", "").strip() or UNKNOWN,
        "python": platform.python_version(),
    }
