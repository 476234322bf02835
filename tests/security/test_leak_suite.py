"""The leak suite: secrets from the masking corpus come in by every way in, and none goes out.

An investigation and a follow-up chat run on the real service (scripted model, a small real MCP
server, fake GitHub and Slack, embedded PostgreSQL). Secrets arrive in the alert, the runbook, tool
output, a tool's live output, a tool's error, the model's streamed reply and reasoning (split
across stream chunks), the model's tool call arguments, a provider error and the chat question.
Not one of them may appear in any stored row (every column of every table, checkpoint blobs
included), any SSE event, any log line or any Slack message.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.support.fakes import FakeGitHub, FakeSlack, running_fake_github, running_fake_slack
from tests.support.server import RunningTarsy, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

# From tests/unit/masking/corpus: github_tokens.yaml, mixed_pod_logs.yaml, slack_in_json_config.yaml.
GITHUB_TOKEN = "ghp_Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54Ji32"
SLACK_TOKEN = "xoxb-5555555555-6666666666666-QwErTyUiOpAsDfGhJkLzXcVb"
SLACK_TOKEN_2 = "xoxb-2048-4096-8192aBcDeFgHiJkLmNoPqRsT"
ALERT_PASSWORD = "Alert-Pa55word-4711"
RUNBOOK_KEY = "AKIAJ7QWERTYUIOP1234"
CHAT_PASSWORD = "Chat-Pa55word-0815"
TOOL_ERROR_PASSWORD = "Err0r-Pa55word-2323"
PROVIDER_KEY = "sk_live_51HleakProviderKey000000000000"

SECRETS = [
    GITHUB_TOKEN,
    SLACK_TOKEN,
    SLACK_TOKEN_2,
    ALERT_PASSWORD,
    RUNBOOK_KEY,
    CHAT_PASSWORD,
    TOOL_ERROR_PASSWORD,
    PROVIDER_KEY,
    "AKIAIOSFODNN7EXAMPLE",  # what tiny_server's `secret` tool prints
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "aHVudGVyMi1kYi1wYXNzd29yZA==",  # base64 of hunter2-db-password, in a Kubernetes Secret
]
LEAKY_SERVER = Path(__file__).resolve().parents[1] / "fixtures" / "mcp" / "leaky_server.py"

RUNBOOK = f"# Leaky runbook\n1. Log in with aws_access_key_id={RUNBOOK_KEY}.\n2. Check the pods.\n"

SCRIPT: dict[str, Any] = {
    "chunk_chars": 7,  # every secret below is split across several streamed chunks
    "agents": {
        "LeakAgent": [
            {
                "thinking": f"The deploy token is github_token={GITHUB_TOKEN}, I should not repeat it.",
                "tool_calls": [
                    {"name": "tiny__secret", "args": {}},
                    {"name": "tiny__getenv", "args": {"name": "LEAK_SLACK"}},
                    {"name": "tiny__leak", "args": {"name": "LEAK_ERROR"}},
                    {"name": "tiny__echo", "args": {"text": f"slack {SLACK_TOKEN_2}"}},
                ],
            },
            {"text": f"Root cause: the bot token {SLACK_TOKEN} and {GITHUB_TOKEN} were printed in the logs."},
        ],
        "FailAgent": [{"error": f"401 Unauthorized: invalid api_key={PROVIDER_KEY}"}],
        "ChatAgent": [{"text": f"Rotate it: password={CHAT_PASSWORD}. Token: {GITHUB_TOKEN}"}],
        "*": [{"text": f"Summary: rotate {SLACK_TOKEN}."}],
    },
}


def _tarsy_config(github: FakeGitHub, slack: FakeSlack) -> dict[str, Any]:
    tiny = {
        "transport": {
            "type": "stdio",
            "command": sys.executable,
            "args": [str(LEAKY_SERVER)],
            "env": {"LEAK_SLACK": f"token={SLACK_TOKEN}", "LEAK_ERROR": TOOL_ERROR_PASSWORD},
        },
        # No data_masking block: the server gets defaults.tool_masking (group all).
    }
    agent = {"description": "leaks", "mcp_servers": ["tiny"], "custom_instructions": "Investigate."}
    return {
        "defaults": {"llm_provider": "test-scripted", "alert_masking": {"pattern_group": "all"}},
        "mcp_servers": {"tiny": tiny},
        "agents": {"LeakAgent": agent, "FailAgent": {**agent, "mcp_servers": []}},
        "agent_chains": {
            "leak": {"alert_types": ["leak"], "stages": [{"name": "analysis", "agent": "LeakAgent"}]},
            "leak-fail": {"alert_types": ["leak-fail"], "stages": [{"name": "analysis", "agent": "FailAgent"}]},
        },
        "system": {
            "github": {"token_env": "TEST_GH_TOKEN", "api_url": github.api_url, "raw_url": github.raw_url},
            "runbooks": {"repo_url": "https://github.com/acme/sre/tree/main/runbooks"},
            "slack": {"enabled": True, "token_env": "TEST_SLACK", "channel": "C-ALERTS", "base_url": slack.api_url},
        },
    }


ENV = {"TEST_GH_TOKEN": "ghp_fake", "TEST_SLACK": "xoxb-fake-token"}


@pytest_asyncio.fixture
async def github() -> AsyncIterator[FakeGitHub]:
    async with running_fake_github(FakeGitHub(token="ghp_fake")) as fake:
        yield fake


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with running_fake_slack() as fake:
        yield fake


async def _database_dump(tarsy: RunningTarsy) -> str:
    """Every row of every table as JSON, and every bytea value (checkpoint blobs) as text."""
    dump: list[str] = []
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE'"
        )
        tables = [r["table_name"] for r in await cur.fetchall()]
        for table in tables:
            cur = await conn.execute(f'SELECT row_to_json(t)::text AS row FROM "{table}" t')
            dump.extend(r["row"] for r in await cur.fetchall())
        cur = await conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = 'bytea'"
        )
        for column in await cur.fetchall():
            cur = await conn.execute(
                f'SELECT encode("{column["column_name"]}", \'escape\') AS b FROM "{column["table_name"]}"'
                f' WHERE "{column["column_name"]}" IS NOT NULL'
            )
            dump.extend(r["b"] for r in await cur.fetchall())
    assert "checkpoint_blobs" in tables and "checkpoint_writes" in tables
    return "\n".join(dump)


async def test_no_secret_leaves_by_any_way(
    tmp_path: Path, database_url: str, github: FakeGitHub, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = github.add_file("acme", "sre", "runbooks/leak.md", RUNBOOK)
    slack.add_message("C-ALERTS", text="FIRING: leak (incident-4711)")
    config = write_config(tmp_path / "c", script=SCRIPT, tarsy=_tarsy_config(github, slack))
    async with running_tarsy(config, database_url, env=ENV) as tarsy:
        session_id = await tarsy.submit(
            {"note": f"password: {ALERT_PASSWORD}"},
            alert_type="leak",
            runbook=url,
            slack_message_fingerprint="incident-4711",
        )
        # Followed live, so that the transient stream.chunk events (never stored) are seen too.
        live = asyncio.create_task(read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events"))
        session = await tarsy.wait_status(session_id, {"completed", "failed"})
        events = await live
        failing_id = await tarsy.submit(
            {"note": "fails"}, alert_type="leak-fail", slack_message_fingerprint="incident-4711"
        )
        failing = await tarsy.wait_status(failing_id, {"completed", "failed"})
        posted = await tarsy.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages", json={"content": f"Is password={CHAT_PASSWORD} safe?"}
        )
        assert posted.status_code == 202, posted.text
        chat = await _wait_chat(tarsy, session_id)
        events += await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        events += await read_sse(tarsy.client, f"/api/v1/sessions/{failing_id}/events")
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
        dump = await _database_dump(tarsy)

    # The run did what the secrets needed: each way in was taken.
    assert session["status"] == "completed", session
    assert failing["status"] == "failed"
    assert chat["messages"][-1]["status"] == "completed"
    tools = [e for e in timeline if e["event_type"] == "llm_tool_call"]
    assert [t["metadata"]["tool"] for t in tools] == ["tiny.secret", "tiny.getenv", "tiny.leak", "tiny.echo"]
    assert tools[2]["metadata"]["is_error"] is True
    assert len(slack.posts) == 4, "started and finished, for each session"
    assert "Leaky runbook" in dump, "the runbook reached the prompt"
    chunks = [e for e in events if e["event"] == "stream.chunk"]
    assert any("connecting with password=" in str(c["data"]) for c in chunks), "the tool's live output was seen"

    haystacks = {
        "database": dump,
        "sse": "\n".join(str(e["data"]) for e in events),
        "logs": caplog.text,
        "slack": "\n".join(str(p) for p in slack.posts),
    }
    leaks = [f"{secret[:8]}… in {where}" for where, text in haystacks.items() for secret in SECRETS if secret in text]
    assert leaks == []
    assert "[MASKED_AWS_KEY]" in tools[0]["content"]


async def _wait_chat(tarsy: RunningTarsy, session_id: str) -> dict[str, Any]:
    for _ in range(600):
        chat: dict[str, Any] = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/chat")).json()
        if chat["messages"] and chat["messages"][-1]["status"] in {"completed", "failed"}:
            return chat
        await asyncio.sleep(0.05)
    raise AssertionError("the chat message was never answered")
