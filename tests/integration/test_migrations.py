from __future__ import annotations

import pytest

from tarsy.store.db import open_pool
from tarsy.store.migrate import apply_migrations, bundled_migrations
from tests.support.pg import Databases

pytestmark = [pytest.mark.integration]


async def test_migrations_apply_once_and_are_idempotent(databases: Databases) -> None:
    pool = await open_pool(databases.empty(), min_size=1, max_size=2)
    try:
        first = await apply_migrations(pool)
        second = await apply_migrations(pool)
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT version FROM schema_migrations ORDER BY version")
            recorded = [r["version"] for r in await cur.fetchall()]
            cur = await conn.execute(
                "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ANY(%s)",
                (["alert_sessions", "stages", "agent_executions", "timeline_events", "events"],),
            )
            tables = await cur.fetchone()
    finally:
        await pool.close()
    expected = [m.version for m in bundled_migrations()]
    assert first == expected
    assert second == []
    assert recorded == expected
    assert tables is not None and tables["n"] == 5


async def test_concurrent_start_ups_apply_each_migration_once(databases: Databases) -> None:
    import asyncio

    url = databases.empty()
    pools = [await open_pool(url, min_size=1, max_size=2) for _ in range(3)]
    try:
        results = await asyncio.gather(*(apply_migrations(p) for p in pools))
    finally:
        for p in pools:
            await p.close()
    applied = sorted(v for r in results for v in r)
    assert applied == [m.version for m in bundled_migrations()]
