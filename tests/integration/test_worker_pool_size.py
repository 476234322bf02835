"""The default worker pool fits the server: ``queue.worker_count * 3 + 5`` connections, but never more
than PostgreSQL's ``max_connections`` leaves after the API pool (docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.store.db import max_connections
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]


async def test_default_worker_pool_is_capped_by_max_connections(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "ok"}]}})
    async with running_tarsy(config, database_url, workers=40) as tarsy:  # would want 40 * 3 + 5 = 125
        services = tarsy.services
        server_max = await max_connections(services.pool)
        api_size = services.config.system.database.api_pool_size
        assert server_max < 125, "the embedded server's max_connections is expected below 125"
        assert services.worker_pool.max_size == server_max - api_size - 10


async def test_explicit_worker_pool_size_is_kept(tmp_path: Path, database_url: str) -> None:
    config = write_config(
        tmp_path / "config",
        script={"agents": {"*": [{"text": "ok"}]}},
        tarsy={"system": {"database": {"worker_pool_size": 7}}},
    )
    async with running_tarsy(config, database_url, workers=2) as tarsy:
        assert tarsy.services.worker_pool.max_size == 7
