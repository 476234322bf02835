"""The API has connections of its own: workers holding every one of theirs cannot starve it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest

from tarsy.store.db import TarsyPool, is_quiet, open_pool
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


async def test_a_quiet_connection_is_taken_without_a_round_trip_and_a_terminated_one_is_replaced(
    database_url: str,
) -> None:
    pool = await open_pool(database_url, min_size=1, max_size=1)
    try:
        assert isinstance(pool, TarsyPool)
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT pg_backend_pid() AS pid")
            first = await cur.fetchone()
        assert first is not None
        before = pool.round_trips.count
        async with pool.connection():
            pass
        assert pool.round_trips.count == before, "an idle connection with nothing to read is not pinged"

        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as admin:
            await admin.execute("SELECT pg_terminate_backend(%s)", (first["pid"],))
        for _ in range(50):  # the server's goodbye reaches the idle connection's socket
            if not is_quiet(pool._pool[0]):
                break
            await asyncio.sleep(0.05)
        async with pool.connection() as conn:  # the dead one is dropped; the query runs on a new one
            cur = await conn.execute("SELECT pg_backend_pid() AS pid")
            second = await cur.fetchone()
        assert second is not None and second["pid"] != first["pid"]
    finally:
        await pool.close()
