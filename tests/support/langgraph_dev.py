"""``langgraph dev`` (the LangGraph Agent Server, in memory) as a subprocess on a free loopback port."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
QUIET = {"LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "1", "LANGSMITH_TRACING": "false"}


async def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"langgraph dev exited with {proc.returncode}")
            try:
                if (await client.get(f"{url}/ok", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("langgraph dev did not become ready")
            await asyncio.sleep(0.3)


def studio_workdir(tmp_path: Path) -> Path:
    """A folder holding the ``tarsy`` package (symlinked) for ``langgraph dev`` to serve from."""
    workdir = tmp_path / "studio"
    workdir.mkdir()
    (workdir / "tarsy").symlink_to(ROOT / "tarsy")
    return workdir


@asynccontextmanager
async def langgraph_dev(workdir: Path, env: dict[str, str], *, config: str = "langgraph.json") -> AsyncIterator[str]:
    """Serve ``workdir/config``; yields the base URL; the server's log is printed when it stops."""
    port = free_port()
    environ = {**os.environ, **QUIET, "PYTHONPATH": str(ROOT), **env}
    cli = Path(sys.executable).with_name("langgraph")
    log_path = workdir.parent / "langgraph-dev.log"  # outside the watched folder
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            str(cli),
            "dev",
            "--config",
            config,
            "--no-browser",
            "--no-reload",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=workdir,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(url, proc)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        print(log_path.read_text()[-4000:])
