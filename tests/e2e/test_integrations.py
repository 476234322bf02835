"""Runbooks from (fake) GitHub steer the agents; (fake) Slack hears about the session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.fakes import FakeGitHub, FakeSlack, running_fake_github, running_fake_slack
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

RUNBOOK = "# OOMKilled pods\n1. Compare usage with limits.\n2. Raise the limit."


@pytest_asyncio.fixture
async def github() -> AsyncIterator[FakeGitHub]:
    async with running_fake_github(FakeGitHub(token="ghp_fake")) as fake:
        yield fake


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with running_fake_slack() as fake:
        yield fake


def _config(tmp_path: Path, github: FakeGitHub, slack: FakeSlack) -> Path:
    system = {
        "github": {"token_env": "TEST_GH_TOKEN", "api_url": github.api_url, "raw_url": github.raw_url},
        "runbooks": {"repo_url": "https://github.com/acme/sre/tree/main/runbooks"},
        "slack": {"enabled": True, "token_env": "TEST_SLACK_TOKEN", "channel": "C-ALERTS", "base_url": slack.api_url},
    }
    return write_config(
        tmp_path / "c", script={"agents": {"*": [{"text": "Raise the limit."}]}}, tarsy={"system": system}
    )


ENV = {"TEST_GH_TOKEN": "ghp_fake", "TEST_SLACK_TOKEN": "xoxb-fake-token"}


async def test_runbook_reaches_the_prompt_and_slack_threads_the_result(
    tmp_path: Path, database_url: str, github: FakeGitHub, slack: FakeSlack
) -> None:
    url = github.add_file("acme", "sre", "runbooks/oom.md", RUNBOOK)
    alert_ts = slack.add_message("C-ALERTS", text="FIRING: pod api-1 OOMKilled (incident-4711)")
    async with running_tarsy(_config(tmp_path, github, slack), database_url, env=ENV) as tarsy:
        session_id = await tarsy.submit(runbook=url, slack_message_fingerprint="Incident-4711")
        session = await tarsy.wait_status(session_id, {"completed"})
        listed = (await tarsy.client.get("/api/v1/runbooks")).json()
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT request_messages FROM llm_interactions WHERE session_id = %s ORDER BY created_at LIMIT 1",
                (session_id,),
            )
            first_call = await cur.fetchone()
        bad = await tarsy.client.post(
            "/api/v1/alerts", json={"data": {"a": 1}, "runbook": "https://evil.example.com/runbook.md"}
        )
    assert first_call is not None
    prompt = " ".join(m["content"] for m in first_call["request_messages"])
    assert "Compare usage with limits." in prompt
    assert session["runbook_error"] is None
    assert [r["path"] for r in listed["runbooks"]] == ["runbooks/oom.md"]
    assert bad.status_code == 400
    assert "evil.example.com" in bad.json()["error"]["message"]
    threaded = [p for p in slack.posts if p.get("thread_ts") == alert_ts]
    assert len(threaded) == 2, slack.posts
    assert session_id in str(threaded[-1])


async def test_runbook_failure_is_recorded_and_slack_failure_is_harmless(
    tmp_path: Path, database_url: str, github: FakeGitHub, slack: FakeSlack
) -> None:
    slack.failures["chat.postMessage"] = 500
    missing = "https://github.com/acme/sre/blob/main/runbooks/missing.md"
    async with running_tarsy(_config(tmp_path, github, slack), database_url, env=ENV) as tarsy:
        session_id = await tarsy.submit(runbook=missing)
        session = await tarsy.wait_status(session_id, {"completed"})
    assert session["status"] == "completed"
    assert "missing.md" in session["runbook_error"]
