"""/metrics is scraped by a real Prometheus, and a series can be queried back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from tests.support.procs import process, require
from tests.support.server import free_port, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_prometheus_scrapes_tarsy(tmp_path: Path, database_url: str) -> None:
    prometheus = require("prometheus")
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "done"}]}})
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit()
        await tarsy.wait_status(session_id, {"completed"})
        await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        text = (await tarsy.client.get("/metrics")).text
        assert 'tarsy_sessions_terminal_total{alert_type="kubernetes",status="completed"} 1.0' in text
        assert 'tarsy_llm_calls_total{model="test-model",provider="test-scripted",type="iteration"} 1.0' in text
        assert "tarsy_http_requests_total" in text
        assert 'route="/api/v1/sessions/{session_id}"' in text
        assert "tarsy_sse_streams_open 0.0" in text

        port = free_port()
        host = tarsy.base_url.removeprefix("http://")
        (tmp_path / "prom.yml").write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s"},
                    "scrape_configs": [{"job_name": "tarsy", "static_configs": [{"targets": [host]}]}],
                }
            )
        )
        args = [
            prometheus,
            f"--config.file={tmp_path / 'prom.yml'}",
            f"--storage.tsdb.path={tmp_path / 'promdata'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ]
        async with process(args, ready_url=f"http://127.0.0.1:{port}/-/ready", log=tmp_path / "prom.log"):
            query = f"http://127.0.0.1:{port}/api/v1/query"
            value = None
            for _ in range(300):  # poll up to 30 s for the first scrapes
                body = (await tarsy.client.get(query, params={"query": "tarsy_sessions_terminal_total"})).json()
                if body["data"]["result"]:
                    value = body["data"]["result"][0]
                    break
                await asyncio.sleep(0.1)
    assert value is not None, "Prometheus never scraped the series"
    assert value["metric"]["status"] == "completed"
    assert value["metric"]["job"] == "tarsy"
    assert float(value["value"][1]) == 1.0
