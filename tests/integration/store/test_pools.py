"""The API has connections of its own: workers holding every one of theirs cannot starve it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server import running_tarsy, write_config

pytestmark = pytest.mark.integration


async def test_busy_workers_cannot_starve_the_api(tmp_path: Path, database_url: str) -> None:
    config = write_config(
        tmp_path,
        script={"agents": {"*": [{"text": "unused"}]}},
        tarsy={
            "system": {
                "database": {"worker_pool_size": 2, "api_pool_size": 3, "pool_timeout": "2s", "health_timeout": "10s"}
            }
        },
    )
    async with running_tarsy(config, database_url, workers=1) as tarsy:
        workers = tarsy.services.worker_pool
        assert workers is not tarsy.services.pool
        held = [await workers.getconn() for _ in range(2)]  # every worker connection is busy
        try:
            health = await tarsy.client.get("/health", timeout=5)
            listing = await tarsy.client.get("/api/v1/sessions", timeout=5)
            submitted = await tarsy.client.post(
                "/api/v1/alerts", json={"alert_type": "kubernetes", "data": {"pod": "api-1"}}, timeout=5
            )
        finally:
            for conn in held:
                await workers.putconn(conn)
    assert health.status_code == 200, health.text
    assert listing.status_code == 200, listing.text
    assert submitted.status_code == 202, submitted.text


async def test_pool_sizes_come_from_the_config(tmp_path: Path, database_url: str) -> None:
    config = write_config(
        tmp_path,
        script={"agents": {"*": [{"text": "unused"}]}},
        tarsy={"system": {"database": {"worker_pool_size": 4, "api_pool_size": 3, "pool_timeout": "1500ms"}}},
    )
    async with running_tarsy(config, database_url, workers=1) as tarsy:
        api, workers = tarsy.services.pool, tarsy.services.worker_pool
        assert (api.max_size, workers.max_size) == (3, 4)
        assert api.timeout == workers.timeout == 1.5
