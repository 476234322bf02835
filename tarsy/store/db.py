"""Connection pool construction shared by the API, the workers and the checkpointer."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]
Row = dict[str, Any]


async def open_pool(url: str, *, min_size: int = 2, max_size: int = 20) -> Pool:
    """Open a pool whose connections suit both our queries and LangGraph's checkpointer.

    ``AsyncPostgresSaver`` needs autocommit, dict rows and no server-side prepared statements
    (``prepare_threshold=0``); using the same settings everywhere lets both share one pool.
    """
    pool: Pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=False,
        connection_class=AsyncConnection[DictRow],
    )
    await pool.open(wait=True, timeout=30)
    return pool
