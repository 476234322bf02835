"""Writes the config of the approvals browser test: ``approvals_config.py CONFIG_DIR ACTION_LOG``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.test_approvals import REASON, config, restart  # noqa: E402

if __name__ == "__main__":
    directory, log = Path(sys.argv[1]), Path(sys.argv[2])
    written = config(directory.parent, [restart("web", "c1")])
    assert written == directory and log == directory.parent / "ran.jsonl", (written, log, REASON)
