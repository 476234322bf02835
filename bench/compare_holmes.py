"""HolmesGPT's side of ``holmes_compare.py``: its own virtual environment, and the driver run in it.

HolmesGPT comes from PyPI into ``.bench-venvs/holmesgpt`` (made on first use, reused while it holds
the requested version). ``holmes_driver.py`` runs with that environment's Python, loads HolmesGPT
once (not timed) and then runs one investigation per request, timing each inside its process.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import venv
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV = ROOT / ".bench-venvs" / "holmesgpt"
DEFAULT_SPEC = "holmesgpt==0.45.0"
DRIVER = Path(__file__).resolve().parent / "holmes_driver.py"


def _log(message: str) -> None:
    print(f"[holmes] {message}", file=sys.stderr, flush=True)


def _installed_version(python: Path) -> str | None:
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('holmesgpt'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_venv(path: Path = DEFAULT_VENV, spec: str = DEFAULT_SPEC) -> Path:
    """The Python of a virtual environment holding ``spec``; creates or updates it (takes minutes)."""
    python = path / "bin" / "python"
    wanted = spec.partition("==")[2]
    have = _installed_version(python)
    if have is not None and (not wanted or have == wanted):
        _log(f"reusing {path} (holmesgpt {have})")
        return python
    if not python.exists():
        _log(f"creating the virtual environment {path}")
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
    _log(f"pip install {spec} (several minutes on first use; pip's output follows)")
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", spec]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as pip:
        assert pip.stdout is not None
        for line in pip.stdout:
            if line.startswith(("Collecting", "Installing", "Successfully", "ERROR")):
                _log(line.rstrip()[:160])
    if pip.returncode != 0:
        raise RuntimeError(f"pip install {spec} failed with exit code {pip.returncode}")
    return python


class HolmesProcess:
    """A running driver: one investigation per ``investigate()``, timed inside HolmesGPT's process."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc
        self.version = ""
        self.tools: list[str] = []

    async def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), timeout=300)
        if not line:
            raise RuntimeError(f"the HolmesGPT driver exited with {await self._proc.wait()} (its stderr is above)")
        message: dict[str, Any] = json.loads(line)
        if "error" in message:
            raise RuntimeError(f"HolmesGPT investigation failed: {message['error']}")
        return message

    async def investigate(self) -> float:
        assert self._proc.stdin is not None
        self._proc.stdin.write(b"run\n")
        await self._proc.stdin.drain()
        return float((await self._read())["seconds"])


@asynccontextmanager
async def holmes_process(python: Path, model_base_url: str, mcp_command: list[str]) -> AsyncIterator[HolmesProcess]:
    """The driver under HolmesGPT's Python, ready (toolsets loaded); closes its stdin on exit."""
    args = [str(DRIVER), "--api-base", model_base_url, "--mcp-command", mcp_command[0]]
    for arg in mcp_command[1:]:
        args += ["--mcp-arg", arg]
    proc = await asyncio.create_subprocess_exec(
        str(python), *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    try:
        holmes = HolmesProcess(proc)
        ready = await holmes._read()
        holmes.version, holmes.tools = str(ready["version"]), list(ready["tools"])
        _log(f"holmesgpt {holmes.version} ready, tools offered: {', '.join(holmes.tools)}")
        yield holmes
    finally:
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout=30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
