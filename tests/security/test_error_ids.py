"""Clients get a message and an error id, never a traceback or raw exception text; the log keeps the
details under that id. Covers unmapped exceptions in routes, TarsyError 500s, and the error text of
sessions and chat answers that an internal failure ended."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import tool

from tarsy.config import ResolvedAgent
from tarsy.contracts import ToolOutcome, ToolRequest, ToolScope, ToolSpec
from tarsy.errors import TarsyError
from tarsy.tools.static import StaticToolExecutor
from tests.support.server import read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.integration]

SECRET = "password=hunter2 host=10.20.30.40"
ERROR_ID = re.compile(r"error id ([0-9a-f]{16})")

CHAIN: dict[str, Any] = {
    "mcp_servers": {"srv": {"transport": {"type": "stdio", "command": "true"}}},
    "agents": {"Investigator": {"mcp_servers": ["srv"]}},
    "agent_chains": {
        "kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "investigate", "agent": "Investigator"}]}
    },
}
SCRIPT: dict[str, Any] = {
    "agents": {
        "Investigator": [{"tool_calls": [{"name": "srv__status", "args": {"pod": "api-1"}}]}, {"text": "done"}],
        "ExecSummaryAgent": [{"text": "summary"}],
    }
}


@tool
def status(pod: str) -> str:
    """The status of a pod."""
    return f"{pod}: Running"


class BrokenInfrastructure:
    """A tool executor whose infrastructure fails (as a lost database connection would): it raises
    instead of returning a tool error, and the exception text carries what must not leak."""

    def __init__(self) -> None:
        self._tools = StaticToolExecutor({"srv": [status]})

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]:
        return await self._tools.list_tools(agent)

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        raise ConnectionError(f"could not reach the tool store: {SECRET}")


def _logged_ids(caplog: pytest.LogCaptureFixture) -> dict[str, logging.LogRecord]:
    found: dict[str, logging.LogRecord] = {}
    for record in caplog.records:
        match = re.search(r"error_id=([0-9a-f]{16})", record.getMessage())
        if match:
            found[match.group(1)] = record
    return found


async def test_unmapped_exceptions_answer_500_with_an_error_id(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "ok"}]}})

    async def crash() -> None:
        raise RuntimeError(f"driver exploded: {SECRET}")

    async def unmapped() -> None:
        raise TarsyError(f"a TarsyError with no status: {SECRET}")

    caplog.set_level(logging.INFO)
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        tarsy.app.add_api_route("/api/v1/test-only/crash", crash)
        tarsy.app.add_api_route("/api/v1/test-only/unmapped", unmapped)
        for path in ("/api/v1/test-only/crash", "/api/v1/test-only/unmapped"):
            resp = await tarsy.client.get(path)
            assert resp.status_code == 500
            assert resp.headers["content-type"] == "application/json"
            assert "hunter2" not in resp.text and "Traceback" not in resp.text
            error = resp.json()["error"]
            assert error["code"] == "internal_error"
            assert error["error_id"] in error["message"]
            record = _logged_ids(caplog)[error["error_id"]]
            assert "hunter2" in (record.exc_text or "") + record.getMessage() + str(record.exc_info)


async def test_a_session_failed_by_an_internal_error_shows_an_id_not_the_exception(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT, tarsy=CHAIN)
    caplog.set_level(logging.INFO)
    async with running_tarsy(config, database_url, tools=BrokenInfrastructure()) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"failed", "completed"})
        assert session["status"] == "failed"
        events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
        for shown in (session, events, timeline):
            text = json.dumps(shown)
            assert "hunter2" not in text and "ConnectionError" not in text
        match = ERROR_ID.search(session["error_message"])
        assert match, session["error_message"]
        logged = _logged_ids(caplog)
        assert match.group(1) in logged
        assert "hunter2" in str(logged[match.group(1)].exc_info)


async def test_a_chat_answer_failed_by_an_internal_error_shows_an_id_not_the_exception(
    tmp_path: Path, database_url: str
) -> None:
    script = {
        "agents": {
            "Investigator": [{"text": "Root cause: api-1 OOMKilled."}],
            "ExecSummaryAgent": [{"text": "summary"}],
            "ChatAgent": [{"tool_calls": [{"name": "srv__status", "args": {"pod": "api-1"}}]}, {"text": "never"}],
        }
    }
    config = write_config(tmp_path / "config", script=script, tarsy=CHAIN)
    async with running_tarsy(config, database_url, tools=BrokenInfrastructure()) as tarsy:
        session_id = await tarsy.submit()
        await tarsy.wait_status(session_id, {"completed"})
        sent = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "Why?"})
        assert sent.status_code == 202, sent.text
        events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        [ended] = [e for e in events if e["event"] == "chat.status" and e["data"]["status"] == "failed"]
        chat = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/chat")).json()
        session = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        for shown in (events, chat, session):
            text = json.dumps(shown)
            assert "hunter2" not in text and "ConnectionError" not in text
        assert ERROR_ID.search(ended["data"]["error"]), ended
