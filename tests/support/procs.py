"""Starting real servers (Prometheus, Alertmanager, ...) on loopback for a test, and stopping them."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest


def require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"{binary} is not installed; `make test` installs it (scripts/system-deps.sh)")
    return path


@contextlib.asynccontextmanager
async def process(args: Sequence[str], *, ready_url: str, log: Path, timeout: float = 30) -> AsyncIterator[None]:
    with log.open("wb") as out:
        proc = subprocess.Popen(list(args), stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            async with httpx.AsyncClient() as client:
                while True:
                    if proc.poll() is not None:
                        raise AssertionError(f"{args[0]} exited: {log.read_text()[-2000:]}")
                    try:
                        if (await client.get(ready_url, timeout=1)).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if asyncio.get_running_loop().time() > deadline:
                        raise AssertionError(f"{args[0]} not ready: {log.read_text()[-2000:]}")
                    await asyncio.sleep(0.1)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
