"""Memory end to end over real HTTP, PostgreSQL, workers and the scripted model: a session ends,
is scored (memory on is the only setting), the reflection's messy answer becomes memories, and the
next session of that alert type gets them in its agents' prompts (docs/memory.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tarsy.runtime.session_memory import SessionMemory
from tarsy.store import sessions as repo
from tests.support.fakes.embedder import HashingEmbedder
from tests.support.server import RunningTarsy, running_tarsy, write_config

pytestmark = [pytest.mark.integration]

LESSON = "pod api CrashLoopBackOff on kubernetes means OOMKilled: raise the memory limit to 512Mi"
REFLECTION = (
    "Sure! Here is what to remember.\n```json\n"
    '{"create": [{"content": "' + LESSON + '", "category": "Root Cause"},'
    ' {"content": "nonsense", "category": "gossip"},'
    ' {"content": "the webhook token=xoxb-5555555555-6666666666666-QwErTyUiOpAsDfGhJkLzXcVb", "scope": "any",'
    ' "category": "environment_fact"}],'
    ' "reinforce": [{"id": "00000000-0000-0000-0000-000000000000"}], "deprecate": []}\n```'
)
SCRIPT: dict[str, Any] = {
    "agents": {
        "*": [{"text": "Root cause: pod api-1 is OOMKilled (exit code 137)."}],
        "SessionScorer": [{"text": '{"score": 88, "outcome": "correct", "analysis": "Right root cause."}'}],
        "MemoryReflector": [{"text": REFLECTION}],
    }
}


async def _memories(tarsy: RunningTarsy, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await tarsy.services.runner.scoring.wait_idle()
        items: list[dict[str, Any]] = (await tarsy.client.get("/api/v1/memories")).json()["items"]
        if items or asyncio.get_running_loop().time() > deadline:
            return items
        await asyncio.sleep(0.1)


async def _chat_system_prompt(tarsy: RunningTarsy, session_id: str, timeout: float = 30) -> str:
    """The system prompt of the session's first chat answer, once the answer is complete."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (await tarsy.client.get(f"/api/v1/sessions/{session_id}/chat")).json()["messages"][-1][
        "status"
    ] != "completed":
        assert asyncio.get_running_loop().time() < deadline, "the chat answer did not complete"
        await asyncio.sleep(0.05)
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT request_messages FROM llm_interactions i JOIN stages s ON s.id = i.stage_id"
            " WHERE s.session_id = %s AND s.stage_type = 'chat' ORDER BY i.created_at LIMIT 1",
            (session_id,),
        )
        row = await cur.fetchone()
    assert row is not None
    return str(row["request_messages"][0]["content"])


async def test_a_scored_session_teaches_the_next_one(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "cfg", script=SCRIPT, tarsy={"memory": {"enabled": True}})
    async with running_tarsy(config, database_url, embedder=HashingEmbedder()) as tarsy:
        first = await tarsy.submit()
        await tarsy.wait_status(first, {"completed"})
        learnt = sorted(await _memories(tarsy), key=lambda m: m["category"] != "root_cause")
        assert [(m["content"], m["category"], m["alert_type"]) for m in learnt] == [
            (LESSON, "root_cause", "kubernetes"),
            ("the webhook token=[MASKED_SLACK_TOKEN]", "environment_fact", None),
        ]
        assert learnt[0]["source_session_id"] == first and learnt[0]["updated_by"] == "tarsy"
        produced = (await tarsy.client.get(f"/api/v1/sessions/{first}/memories")).json()
        assert [m["kind"] for m in produced] == ["created", "created"]
        trace = (await tarsy.client.get(f"/api/v1/sessions/{first}/trace")).json()
        kinds = [i.get("interaction_type") for i in trace["session_interactions"]]
        assert [k for k in kinds if k in ("scoring", "reflection")] == ["scoring", "reflection"]

        second = await tarsy.submit()
        await tarsy.wait_status(second, {"completed"})
        used = (await tarsy.client.get(f"/api/v1/sessions/{second}/memories")).json()
        assert [(m["id"], m["kind"]) for m in used][:1] == [(learnt[0]["id"], "injected")]
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{second}/timeline")).json()
        injected = [e for e in timeline if e["event_type"] == "memory_injected"]
        assert len(injected) == 1 and LESSON in injected[0]["content"]
        assert injected[0]["metadata"]["memories"][0]["id"] == learnt[0]["id"]
        trace = (await tarsy.client.get(f"/api/v1/sessions/{second}/trace")).json()
        calls = [i for s in trace["stages"] for e in s["executions"] for i in e["interactions"] if i["kind"] == "llm"]
        detail = (await tarsy.client.get(f"/api/v1/sessions/{second}/trace/llm/{calls[0]['id']}")).json()
        system = detail["messages"][0]["content"]
        assert "## Lessons from past investigations" in system and LESSON in system

        memory = tarsy.services.memory
        assert memory is not None
        session = await repo.get_session(tarsy.services.pool, second)
        assert session is not None
        seen_by_second = SessionMemory(memory, session, [], tarsy.services.runner.masking)
        found = await seen_by_second.search_sessions("OOMKilled exit code")
        assert f"session {first}" in found and f"session {second}" not in found and "score 88/100" in found
        recalled = await seen_by_second.recall("raise the memory limit")
        assert learnt[0]["id"] in recalled

        asked = await tarsy.client.post(f"/api/v1/sessions/{second}/chat/messages", json={"content": "Why?"})
        assert asked.status_code == 202, asked.text
        assert "## Lessons from past investigations" in await _chat_system_prompt(tarsy, second)


async def test_memory_off_leaves_sessions_unscored_and_unreflected(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "cfg", script=SCRIPT)
    async with running_tarsy(config, database_url) as tarsy:
        sid = await tarsy.submit()
        await tarsy.wait_status(sid, {"completed"})
        await tarsy.services.runner.scoring.wait_idle()
        assert (await tarsy.client.get(f"/api/v1/sessions/{sid}")).json()["score"] is None
        assert (await tarsy.client.get("/api/v1/memories")).json()["total"] == 0
