"""Retention removes old sessions with everything hanging off them, checkpoints included."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from tarsy.config import RetentionConfig
from tarsy.runtime.retention import cleanup_once
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

SCRIPT = {"agents": {"*": [{"text": "done"}]}}

# Every table that can hold rows of a session, and how to find them.
OWNED = {
    "alert_sessions": "id = %(s)s",
    "stages": "session_id = %(s)s",
    "agent_executions": "session_id = %(s)s",
    "timeline_events": "session_id = %(s)s",
    "llm_interactions": "session_id = %(s)s",
    "mcp_interactions": "session_id = %(s)s",
    "events": "session_id = %(s)s",
    "chats": "session_id = %(s)s",
    "chat_messages": "session_id = %(s)s",
    "checkpoints": "thread_id IN (%(s)s, %(s)s || ':chat')",
    "checkpoint_blobs": "thread_id IN (%(s)s, %(s)s || ':chat')",
    "checkpoint_writes": "thread_id IN (%(s)s, %(s)s || ':chat')",
}


async def _counts(conn: Any, session_id: str) -> dict[str, int]:
    counts = {}
    for table, where in OWNED.items():
        cur = await conn.execute(f"SELECT count(*) AS n FROM {table} WHERE {where}", {"s": session_id})
        row = await cur.fetchone()
        counts[table] = int(row["n"])
    return counts


async def test_cleanup_leaves_nothing_dangling(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT)
    async with running_tarsy(config, database_url) as tarsy:
        old = await tarsy.submit()
        recent = await tarsy.submit()
        for session_id in (old, recent):
            await tarsy.wait_status(session_id, {"completed"})
        posted = await tarsy.client.post(f"/api/v1/sessions/{old}/chat/messages", json={"content": "why?"})
        assert posted.status_code == 202
        for _ in range(200):
            chat = (await tarsy.client.get(f"/api/v1/sessions/{old}/chat")).json()
            if chat["messages"][0]["status"] == "completed":
                break
            await asyncio.sleep(0.05)
        async with tarsy.services.pool.connection() as conn:
            before = await _counts(conn, old)
            await conn.execute(
                "UPDATE alert_sessions SET created_at = now() - interval '400 days' WHERE id = %s", (old,)
            )
            await conn.execute(
                "UPDATE events SET created_at = now() - interval '2 days' WHERE session_id = %s", (recent,)
            )
        report = await cleanup_once(tarsy.services.pool, RetentionConfig(session_retention_days=365))
        async with tarsy.services.pool.connection() as conn:
            after_old = await _counts(conn, old)
            after_recent = await _counts(conn, recent)
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{recent}/timeline")).json()
    assert all(before[t] > 0 for t in OWNED if t not in ("mcp_interactions",)), before
    assert after_old == dict.fromkeys(OWNED, 0)
    assert report is not None
    assert report.sessions == 1
    assert report.checkpoint_rows > 0
    assert after_recent["alert_sessions"] == 1
    assert after_recent["events"] == 0, "the replay log of an ended session is trimmed after event_ttl"
    assert after_recent["checkpoints"] > 0
    assert timeline, "the timeline itself stays"


async def test_cleanup_removes_old_langgraph_threads_without_a_session(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT)
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        kept_session = await tarsy.submit()  # pending: retention never removes an open session
        old, recent = str(uuid.uuid4()), str(uuid.uuid4())
        async with tarsy.services.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO langgraph_threads (thread_id, created_at) VALUES"
                " (%s, now() - interval '400 days'), (%s, now() - interval '400 days'), (%s, now())",
                (old, kept_session, recent),
            )
        await cleanup_once(tarsy.services.pool, RetentionConfig(session_retention_days=365))
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute("SELECT thread_id::text AS id FROM langgraph_threads")
            left = {row["id"] for row in await cur.fetchall()}
    assert left == {kept_session, recent}
