"""Versioned schema migrations, applied at start-up under an advisory lock.

Migrations are plain SQL files named ``NNN_description.sql`` next to this module. Each runs in its
own transaction and is recorded in ``schema_migrations``; the advisory lock makes concurrent
start-ups of several replicas apply each migration exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources

from tarsy.store.db import Pool

log = logging.getLogger(__name__)

_LOCK_KEY = 0x7A75_5359  # "TARSY" migrations advisory lock


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    folder = resources.files("tarsy.store") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


async def applied_versions(pool: Pool) -> set[int]:
    """The migration versions the database has applied (raises when the table does not exist yet)."""
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT version FROM schema_migrations")
        return {int(row["version"]) for row in await cur.fetchall()}


async def apply_migrations(pool: Pool, migrations: list[Migration] | None = None) -> list[int]:
    """Apply what is missing and return the versions applied now (empty when up to date)."""
    todo = bundled_migrations() if migrations is None else migrations
    applied_now: list[int] = []
    async with pool.connection() as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            cur = await conn.execute("SELECT version FROM schema_migrations")
            done = {row["version"] for row in await cur.fetchall()}
            for migration in todo:
                if migration.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql.encode(), prepare=False)  # bundled SQL, several statements
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (migration.version, migration.name),
                    )
                log.info("applied migration %03d_%s", migration.version, migration.name)
                applied_now.append(migration.version)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied_now
