"""A TARSy worker process that is killed with SIGKILL mid-session (crash-resume tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path


async def kill_worker_when(config_dir: Path, database_url: str, reached: Callable[[], Awaitable[None]]) -> None:
    """Run one worker process on ``config_dir`` until ``reached()`` returns, then SIGKILL it.

    The kill is checked: a worker that exited by itself (a crash of its own, a finished session)
    fails the test instead of passing as "killed".
    """
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TARSY_CONFIG_DIR": str(config_dir),
        "TARSY_WORKERS": "1",
        "TARSY_LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen([sys.executable, "-m", "tarsy.cli", "worker"], env=env)
    try:
        await reached()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL, f"the worker exited by itself ({worker.returncode})"
