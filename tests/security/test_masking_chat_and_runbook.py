"""Chat messages (the question and the answer) and runbook text are masked: before they are
stored, streamed, or put into a prompt (holes: runbook text and chat messages were never masked)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.support.fakes import FakeGitHub, running_fake_github
from tests.support.server import RunningTarsy, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

GITHUB_TOKEN = "ghp_Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54Ji32"  # tests/unit/masking/corpus/github_tokens.yaml
CHAT_PASSWORD = "Chat-Pa55word-0815"
RUNBOOK_SECRET = "xoxb-2048-4096-8192aBcDeFgHiJkLmNoPqRsT"  # tests/unit/masking/corpus/slack_in_json_config.yaml
SCRIPT: dict[str, Any] = {
    "agents": {
        "ChatAgent": [{"text": f"Use password={CHAT_PASSWORD} and github_token={GITHUB_TOKEN} now."}],
        "*": [{"text": "Nothing found."}],
    }
}
ENV = {"TEST_GH_TOKEN": "ghp_fake"}


@pytest_asyncio.fixture
async def github() -> AsyncIterator[FakeGitHub]:
    async with running_fake_github(FakeGitHub(token="ghp_fake")) as fake:
        yield fake


def _config(tmp_path: Path, github: FakeGitHub) -> Path:
    system = {
        "github": {"token_env": "TEST_GH_TOKEN", "api_url": github.api_url, "raw_url": github.raw_url},
        "runbooks": {"repo_url": "https://github.com/acme/sre/tree/main/runbooks"},
    }
    return write_config(tmp_path / "c", script=SCRIPT, tarsy={"system": system})


async def _stored_text(tarsy: RunningTarsy, table: str, session_id: str) -> str:
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT row_to_json(t)::text AS row FROM {table} t WHERE session_id = %s",
            (session_id,),
        )
        return "\n".join(r["row"] for r in await cur.fetchall())


async def test_chat_question_and_answer_are_masked(tmp_path: Path, database_url: str, github: FakeGitHub) -> None:
    async with running_tarsy(_config(tmp_path, github), database_url, env=ENV) as tarsy:
        session_id = await tarsy.submit()
        await tarsy.wait_status(session_id, {"completed"})
        posted = await tarsy.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages",
            json={"content": f"We set password: {CHAT_PASSWORD} - is that why?"},
        )
        assert posted.status_code == 202, posted.text
        for _ in range(600):
            chat = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/chat")).json()
            if chat["messages"][-1]["status"] in {"completed", "failed"}:
                break
            await asyncio.sleep(0.05)
        events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        stored = await _stored_text(tarsy, "chat_messages", session_id)
        timeline = await _stored_text(tarsy, "timeline_events", session_id)
    [message] = chat["messages"]
    assert message["status"] == "completed"
    assert message["content"] == "We set password: [MASKED_PASSWORD] - is that why?"
    assert message["answer"] == "Use password=[MASKED_PASSWORD] and github_token=[MASKED_GITHUB_TOKEN] now."
    everywhere = "\n".join([stored, timeline, str(events)])
    assert CHAT_PASSWORD not in everywhere and GITHUB_TOKEN not in everywhere


async def test_runbook_text_is_masked_before_the_prompt(tmp_path: Path, database_url: str, github: FakeGitHub) -> None:
    runbook = f"# Slack bot\nThe bot posts with {RUNBOOK_SECRET}; restart it.\n"
    url = github.add_file("acme", "sre", "runbooks/bot.md", runbook)
    async with running_tarsy(_config(tmp_path, github), database_url, env=ENV) as tarsy:
        session_id = await tarsy.submit(runbook=url)
        session = await tarsy.wait_status(session_id, {"completed"})
        state = await tarsy.services.runner.final_values(session | {"id": session_id})
    assert state["alert"]["runbook"] == "# Slack bot\nThe bot posts with [MASKED_SLACK_TOKEN]; restart it.\n"
