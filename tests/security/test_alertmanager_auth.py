"""A real Alertmanager delivers to a token-mode TARSy with ``http_config.authorization``, as documented."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from tests.security.conftest import ALERTMANAGER_TOKEN, TOKENS_ENV, auth_config, bearer
from tests.support.procs import process, require
from tests.support.server import free_port, running_tarsy

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _am_config(tmp_path: Path, url: str) -> Path:
    secret = tmp_path / "tarsy-token"
    secret.write_text(ALERTMANAGER_TOKEN)
    receiver = {"url": url, "http_config": {"authorization": {"type": "Bearer", "credentials_file": str(secret)}}}
    config = {
        "route": {"receiver": "tarsy", "group_by": ["alertname"], "group_wait": "1s", "group_interval": "1s"},
        "receivers": [{"name": "tarsy", "webhook_configs": [receiver]}],
    }
    path = tmp_path / "am.yml"
    path.write_text(yaml.safe_dump(config))
    return path


async def test_alertmanager_with_its_bearer_token_opens_a_session(tmp_path: Path, database_url: str) -> None:
    alertmanager = require("prometheus-alertmanager")
    env = {**TOKENS_ENV, "TARSY_ALERTMANAGER_TOKEN": ALERTMANAGER_TOKEN}
    config = auth_config(tmp_path, auth={"mode": "token"})
    am_port = free_port()
    async with running_tarsy(config, database_url, workers=0, env=env) as tarsy:
        am_args = [
            alertmanager,
            f"--config.file={_am_config(tmp_path, f'{tarsy.base_url}/api/v1/alerts/alertmanager')}",
            f"--storage.path={tmp_path / 'amdata'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ]
        am = f"http://127.0.0.1:{am_port}"
        async with process(am_args, ready_url=f"{am}/-/ready", log=tmp_path / "am.log"), httpx.AsyncClient() as client:
            alert = {
                "labels": {"alertname": "KubePodCrashLooping", "pod": "api-1", "namespace": "prod"},
                "annotations": {"summary": "api-1 restarts"},
                "startsAt": datetime.now(UTC).isoformat(),
            }
            assert (await client.post(f"{am}/api/v2/alerts", json=[alert])).status_code == 200
            sessions: list[dict[str, object]] = []
            for _ in range(600):  # poll (≤ 60 s) until the webhook has opened the session
                page = await tarsy.client.get("/api/v1/sessions", headers=bearer("vera"))
                sessions = page.json()["items"]
                if sessions:
                    break
                await asyncio.sleep(0.1)
    assert [s["author"] for s in sessions] == ["alertmanager"]
