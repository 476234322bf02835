"""Follow-up chat on a finished investigation, end to end over HTTP, workers and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import tool

from tarsy.tools.static import StaticToolExecutor
from tests.support.killed_worker import kill_worker_when
from tests.support.server import RunningTarsy, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

CHAIN: dict[str, Any] = {
    "mcp_servers": {"srv": {"transport": {"type": "stdio", "command": "true"}}},
    "agents": {"Investigator": {"mcp_servers": ["srv"]}},
    "agent_chains": {
        "kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "investigate", "agent": "Investigator"}]}
    },
}

SCRIPT: dict[str, Any] = {
    "agents": {
        "Investigator": [{"text": "Root cause: pod api-1 is OOMKilled."}],
        "ExecSummaryAgent": [{"text": "api-1 OOMKilled."}],
        # "when" matches the end of the latest user message, where earlier turns are quoted too,
        # so the later question's turn comes first.
        "ChatAgent": [
            {"when": "And after that", "text": "After raising it, watch the restarts for an hour."},
            {"when": "How do I fix", "tool_calls": [{"name": "srv__memory_limit", "args": {"pod": "api-1"}}]},
            {"when": "How do I fix", "text": "Raise the limit above 512Mi (it is 256Mi now)."},
            {"when": "slow question", "sleep_s": 60, "text": "never"},
        ],
    }
}


@tool
def memory_limit(pod: str) -> str:
    """The memory limit of a pod."""
    return f"{pod}: limits.memory=256Mi"


TOOLS = StaticToolExecutor({"srv": [memory_limit]})


async def _completed_session(tarsy: RunningTarsy) -> str:
    session_id = await tarsy.submit()
    await tarsy.wait_status(session_id, {"completed"})
    return session_id


async def _wait_message(tarsy: RunningTarsy, session_id: str, status: set[str], timeout: float = 30) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        chat = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/chat")).json()
        if chat["messages"] and chat["messages"][-1]["status"] in status:
            return chat
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"chat never reached {status}: {chat}")
        await asyncio.sleep(0.05)


async def _wait_chat_stage(tarsy: RunningTarsy, session_id: str) -> None:
    for _ in range(200):
        session = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        if any(s["stage_type"] == "chat" and s["status"] == "active" for s in session["stages"]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the chat stage never started")


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", script=SCRIPT, tarsy=CHAIN)


async def test_two_authors_chat_with_tools_and_context(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, tools=TOOLS) as tarsy:
        session_id = await _completed_session(tarsy)
        first = await tarsy.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages",
            json={"content": "How do I fix this?"},
            headers={"X-Forwarded-User": "alice"},
        )
        assert first.status_code == 202, first.text
        await _wait_message(tarsy, session_id, {"completed"})
        events_after_first = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        second = await tarsy.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages",
            json={"content": "And after that?"},
            headers={"X-Forwarded-Email": "bob@example.com"},
        )
        assert second.status_code == 202
        chat = await _wait_message(tarsy, session_id, {"completed"})
        session = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT request_messages FROM llm_interactions i JOIN stages s ON s.id = i.stage_id"
                " WHERE s.session_id = %s AND s.stage_type = 'chat' ORDER BY i.created_at",
                (session_id,),
            )
            chat_calls = [r["request_messages"] for r in await cur.fetchall()]

    assert [(m["author"], m["answer"]) for m in chat["messages"]] == [
        ("alice", "Raise the limit above 512Mi (it is 256Mi now)."),
        ("bob@example.com", "After raising it, watch the restarts for an hour."),
    ]
    chat_stages = [s for s in session["stages"] if s["stage_type"] == "chat"]
    assert [s["status"] for s in chat_stages] == ["completed", "completed"]
    assert chat_stages[0]["stage_index"] < chat_stages[1]["stage_index"]
    # The tool result reached the model in the first chat turn.
    assert any("limits.memory=256Mi" in m["content"] for m in chat_calls[1])
    # The second question sees the investigation and the first turn.
    second_prompt = " ".join(m["content"] for m in chat_calls[-1])
    assert "Root cause: pod api-1 is OOMKilled." in second_prompt
    assert "How do I fix this?" in second_prompt
    assert "Raise the limit above 512Mi" in second_prompt
    # The chat answer streamed on the session's own SSE stream.
    types = [e["event"] for e in events_after_first]
    assert "chat.status" in types
    assert any(
        e["event"] == "timeline_event.created" and e["data"]["event_type"] == "user_question"
        for e in events_after_first
    )


async def test_chat_rules_conflict_running_session_and_cancel(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT, tarsy=CHAIN)
    async with running_tarsy(config, database_url, tools=TOOLS) as tarsy:
        running = await tarsy.submit()
        rejected = await tarsy.client.post(f"/api/v1/sessions/{running}/chat/messages", json={"content": "hi"})
        session_id = await _completed_session(tarsy)
        slow = await tarsy.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "a slow question"}
        )
        assert slow.status_code == 202
        conflict = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "more"})
        await _wait_message(tarsy, session_id, {"in_progress"})
        await _wait_chat_stage(tarsy, session_id)
        cancel = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/cancel")
        chat = await _wait_message(tarsy, session_id, {"cancelled"}, timeout=3)
        session = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        again = await tarsy.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "How do I fix"}
        )
        empty = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "  "})
    assert rejected.status_code in (400, 409)
    assert conflict.status_code == 409
    assert "still being answered" in conflict.json()["error"]["message"]
    assert cancel.status_code == 200
    assert chat["messages"][-1]["status"] == "cancelled"
    assert session["status"] == "completed", "cancelling a chat leaves the investigation alone"
    assert [s["status"] for s in session["stages"] if s["stage_type"] == "chat"] == ["cancelled"]
    assert again.status_code == 202, "a new question is accepted after a cancel"
    assert empty.status_code == 400


async def test_chat_resumes_on_another_worker_after_a_crash(tmp_path: Path, database_url: str) -> None:
    first_cfg = write_config(tmp_path / "first", script=SCRIPT, tarsy=CHAIN)
    resumed_script = {"agents": {**SCRIPT["agents"], "ChatAgent": [{"text": "Answered after the crash."}]}}
    second_cfg = write_config(tmp_path / "second", script=resumed_script, tarsy=CHAIN)
    async with running_tarsy(first_cfg, database_url, workers=1, tools=TOOLS) as tarsy:
        session_id = await _completed_session(tarsy)
    async with running_tarsy(second_cfg, database_url, workers=0) as api:
        posted = await api.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "slow question"}
        )
        assert posted.status_code == 202

        async def answering() -> None:
            await _wait_message(api, session_id, {"in_progress"}, timeout=60)
            await asyncio.sleep(0.5)

        await kill_worker_when(first_cfg, database_url, answering)
        async with running_tarsy(second_cfg, database_url, workers=1, tools=TOOLS):
            chat = await _wait_message(api, session_id, {"completed", "failed"}, timeout=60)
    message = chat["messages"][-1]
    assert message["status"] == "completed", message
    assert message["answer"] == "Answered after the crash."


THREE_STAGES: dict[str, Any] = {
    "agents": {name: {"custom_instructions": f"You are the {name}."} for name in ("Collector", "Analyst", "Advisor")},
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [
                {"name": "collect", "agent": "Collector"},
                {"name": "analyse", "agent": "Analyst"},
                {"name": "advise", "agent": "Advisor"},
            ],
        }
    },
}


async def test_chat_context_holds_every_stage_result(tmp_path: Path, database_url: str) -> None:
    script = {
        "agents": {
            "Collector": [{"text": "COLLECTED: api-1 restarted 14 times, exit code 137."}],
            "Analyst": [{"text": "ANALYSED: the container hits its 256Mi limit under load."}],
            "Advisor": [{"text": "ADVISED: raise limits.memory to 512Mi."}],
            "ExecSummaryAgent": [{"text": "api-1 OOMKilled; raise its limit."}],
            "ChatAgent": [{"text": "Yes."}],
        }
    }
    config = write_config(tmp_path / "config", script=script, tarsy=THREE_STAGES)
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await _completed_session(tarsy)
        posted = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "Sure?"})
        assert posted.status_code == 202, posted.text
        await _wait_message(tarsy, session_id, {"completed"})
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT request_messages FROM llm_interactions i JOIN stages s ON s.id = i.stage_id"
                " WHERE s.session_id = %s AND s.stage_type = 'chat'",
                (session_id,),
            )
            [call] = [r["request_messages"] for r in await cur.fetchall()]

    context = "\n".join(m["content"] for m in call)
    for stage, result in (
        ("collect", "COLLECTED: api-1 restarted 14 times, exit code 137."),
        ("analyse", "ANALYSED: the container hits its 256Mi limit under load."),
        ("advise", "ADVISED: raise limits.memory to 512Mi."),
    ):
        assert result in context, f"the chat's context lacks the result of stage '{stage}'"
        assert stage in context.split(result)[0], f"stage '{stage}' is not named before its result"
