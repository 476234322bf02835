"""`tarsy worker` with TARSY_HEALTH_PORT serves the probes (and nothing else) and still stops cleanly
on SIGTERM: what the worker Deployment's probes and terminationGracePeriod rely on."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port, write_config

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]


async def test_worker_serves_probes_only_and_stops_on_sigterm(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "unused"}]}})
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TARSY_")},
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "TARSY_CONFIG_DIR": str(config),
        "TARSY_HEALTH_PORT": str(port),
        "TARSY_WORKERS": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tarsy.cli", "worker"], env=env, stdout=out, stderr=out)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                deadline = asyncio.get_running_loop().time() + 120
                while True:
                    assert proc.poll() is None, log.read_text()[-3000:]
                    try:
                        ready = await client.get("/health/ready")
                        break
                    except httpx.HTTPError:
                        assert asyncio.get_running_loop().time() < deadline, log.read_text()[-3000:]
                        await asyncio.sleep(0.3)
                live = await client.get("/health/live")
                api = await client.get("/api/v1/sessions")
                docs = await client.get("/docs")
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["workers"] == {"status": "ok", "count": 1}
    assert live.json() == {"status": "alive"}
    assert api.status_code == 404 and docs.status_code == 404
    assert code == 0, log.read_text()[-3000:]
