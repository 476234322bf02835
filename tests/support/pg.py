"""One embedded PostgreSQL per test run; a fresh database per test, cloned from a migrated template."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from pathlib import Path

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from tarsy.store.db import open_pool
from tarsy.store.embedded import EmbeddedPostgres
from tarsy.store.migrate import apply_migrations

TEMPLATE = "tarsy_template"


class Databases:
    """Creates databases on the shared embedded server."""

    def __init__(self) -> None:
        root = Path(tempfile.mkdtemp(prefix="tarsy-test-pg-"))
        self.server = EmbeddedPostgres(root / "pgdata", delete_on_stop=True)
        self._template_ready = False

    def admin_url(self) -> str:
        return self.server.uri("postgres")

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # test-only DDL with generated names

    def empty(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        return self.server.uri(name)

    def migrated(self) -> str:
        if not self._template_ready:
            self._admin(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
            self._admin(f'CREATE DATABASE "{TEMPLATE}"')
            asyncio.run(_prepare(self.server.uri(TEMPLATE)))
            self._template_ready = True
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self.server.uri(name)

    def stop(self) -> None:
        self.server.stop()


async def _prepare(url: str) -> None:
    pool = await open_pool(url, min_size=1, max_size=2)
    try:
        await apply_migrations(pool)
        await AsyncPostgresSaver(pool).setup()  # type: ignore[arg-type]
    finally:
        await pool.close()
