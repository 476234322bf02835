"""Least privilege for tools: an alert's ``mcp`` override may only narrow what its chain's agents
have, and a per-agent ``tools`` allow-list limits what the model is offered (real HTTP, workers,
PostgreSQL, the demo MCP server over stdio, scripted models).

On the old main an override could name any configured server or tool and switch on any Gemini
built-in tool; these tests fail there.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tarsy.config import ConfigError, load_config_from_data
from tests.support.server import RunningTarsy, running_tarsy, write_config
from tests.unit.tools.factories import TINY_SERVER

pytestmark = [pytest.mark.e2e]

TINY = {"transport": {"type": "stdio", "command": sys.executable, "args": [str(TINY_SERVER)]}}
INVESTIGATOR = "You are the investigator."
TINY_TOOLS = ["big", "echo", "fail", "getenv", "pid", "secret", "slow"]


def _config(tmp_path: Path, script: dict[str, Any], **agent: Any) -> Path:
    """The default chain: ``Investigator`` on the demo cluster, then ``Notes`` on ``tiny``."""
    tarsy = {
        "mcp_servers": {"tiny": TINY},
        "agents": {
            "Investigator": {"mcp_servers": ["kubernetes-server"], "custom_instructions": INVESTIGATOR, **agent},
            "Notes": {"mcp_servers": ["tiny"], "custom_instructions": "You take notes."},
        },
        "agent_chains": {
            "kubernetes": {
                "alert_types": ["kubernetes"],
                "stages": [{"name": "look", "agent": "Investigator"}, {"name": "notes", "agent": "Notes"}],
            }
        },
    }
    return write_config(tmp_path / "config", script=script, tarsy=tarsy)


DONE = {"agents": {"*": [{"text": "done"}]}}


async def _refused(tarsy: RunningTarsy, mcp: dict[str, Any]) -> str:
    body = {"alert_type": "kubernetes", "data": {"pod": "api-1"}, "mcp": mcp}
    resp = await tarsy.client.post("/api/v1/alerts", json=body)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["code"] == "invalid_input"
    message: str = error["message"]
    return message


async def test_an_override_cannot_add_a_server_the_chain_does_not_have(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=DONE, tarsy={"mcp_servers": {"tiny": TINY}})
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        message = await _refused(tarsy, {"servers": [{"name": "tiny", "tools": ["getenv"]}]})
    assert "MCP server 'tiny' is not one of the servers of chain 'kubernetes'" in message
    assert "its agents have: kubernetes-server" in message


async def test_an_override_cannot_add_a_tool_the_allow_list_leaves_out(tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path, DONE, tools=["kubernetes-server.pods_*"])
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        message = await _refused(tarsy, {"servers": [{"name": "kubernetes-server", "tools": ["events_list"]}]})
        granted = await _default_tools(tarsy)
    assert "tool 'kubernetes-server.events_list' is not allowed for the agents of chain 'kubernetes'" in message
    # What an alert of this type may narrow, as the API shows it: only the granted tools, no native tools.
    assert granted["native_tools"] == {"google_search": False, "code_execution": False, "url_context": False}
    servers = {s["name"]: sorted(t["name"] for t in s["tools"]) for s in granted["servers"]}
    assert servers == {"kubernetes-server": ["pods_get", "pods_list", "pods_log"], "tiny": TINY_TOOLS}


async def _default_tools(tarsy: RunningTarsy) -> dict[str, Any]:
    """``GET /api/v1/system/default-tools`` once the health monitor has listed every server's tools."""
    for _ in range(400):
        body: dict[str, Any] = (await tarsy.client.get("/api/v1/system/default-tools")).json()
        if body["servers"] and all(s["tools"] for s in body["servers"]):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"the servers' tools were never listed: {body}")


@pytest.mark.parametrize("tool", ["google_search", "code_execution", "url_context"])
async def test_an_override_cannot_switch_a_native_tool_on(tmp_path: Path, database_url: str, tool: str) -> None:
    async with running_tarsy(_config(tmp_path, DONE), database_url, workers=0) as tarsy:
        message = await _refused(tarsy, {"native_tools": {tool: True}})
    assert f"native tool '{tool}' is not switched on for any agent of chain 'kubernetes'" in message
    assert "may only switch native tools off" in message


async def _offered(tarsy: RunningTarsy, session_id: str, agent: str = "Investigator") -> list[list[str]]:
    """The tool names bound to each model call of ``agent``, as recorded."""
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT i.tools FROM llm_interactions i JOIN agent_executions e ON e.id = i.execution_id"
            " WHERE i.session_id = %s AND e.agent_name = %s"
            " AND i.interaction_type IN ('iteration', 'forced_conclusion') ORDER BY i.created_at",
            (session_id, agent),
        )
        rows = await cur.fetchall()
    return [list(row["tools"]) for row in rows]


async def _system_prompt(tarsy: RunningTarsy, session_id: str) -> str:
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT request_messages FROM llm_interactions WHERE session_id = %s AND interaction_type = 'iteration'"
            " ORDER BY created_at LIMIT 1",
            (session_id,),
        )
        row = await cur.fetchone()
    assert row is not None
    return json.dumps(row["request_messages"])


# The investigator first tries a tool it was not offered, then one it was, then concludes.
NARROW_SCRIPT = {
    "agents": {
        "Investigator": [
            {"tool_calls": [{"name": "kubernetes-server__events_list", "args": {"namespace": "checkout"}}]},
            {"tool_calls": [{"name": "kubernetes-server__pods_list", "args": {"namespace": "checkout"}}]},
            {"text": "The pods were listed."},
        ],
        "Notes": [{"text": "Noted."}],
        "*": [{"text": "summary"}],
    }
}


async def test_a_narrowing_override_offers_the_model_only_the_narrowed_tools(tmp_path: Path, database_url: str) -> None:
    mcp = {"servers": [{"name": "kubernetes-server", "tools": ["pods_list", "pods_get"]}]}
    async with running_tarsy(_config(tmp_path, NARROW_SCRIPT), database_url) as tarsy:
        session_id = await tarsy.submit(mcp=mcp)
        session = await tarsy.wait_status(session_id, {"completed", "failed"})
        offered = await _offered(tarsy, session_id)
        notes = await _offered(tarsy, session_id, "Notes")
        prompt = await _system_prompt(tarsy, session_id)
        calls = await _tool_calls(tarsy, session_id)
    assert session["status"] == "completed", session["error_message"]
    assert offered and all(
        sorted(names) == ["kubernetes-server.pods_get", "kubernetes-server.pods_list"] for names in offered
    )
    assert "kubernetes-server.events_list" not in prompt and "kubernetes-server.pods_log" not in prompt
    # The tool the model was not offered is refused, never run; the offered one runs.
    assert calls == [("events_list", True), ("pods_list", False)]
    # Narrowing never hands an agent a server it did not have: Notes keeps none of tiny (left out
    # of the override) and gets nothing of kubernetes-server (never its own).
    assert notes == [[]]


async def _tool_calls(tarsy: RunningTarsy, session_id: str) -> list[tuple[str, bool]]:
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT tool, is_error, result FROM mcp_interactions WHERE session_id = %s"
            " AND interaction_type = 'tool_call' ORDER BY created_at",
            (session_id,),
        )
        rows = await cur.fetchall()
    return [(str(row["tool"]), bool(row["is_error"])) for row in rows]


async def test_the_agents_allow_list_limits_what_the_model_is_offered(tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path, NARROW_SCRIPT, tools=["kubernetes-server.pods_l*", "kubernetes-server.namespaces_list"])
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed", "failed"})
        offered = await _offered(tarsy, session_id)
        calls = await _tool_calls(tarsy, session_id)
    assert session["status"] == "completed", session["error_message"]
    expected = ["kubernetes-server.namespaces_list", "kubernetes-server.pods_list", "kubernetes-server.pods_log"]
    assert offered and all(sorted(names) == expected for names in offered)
    assert calls == [("events_list", True), ("pods_list", False)]


def test_an_allow_list_naming_an_unknown_server_stops_start_up() -> None:
    tarsy = {"agents": {"KubernetesAgent": {"mcp_servers": ["kubernetes-server"], "tools": ["kubernetes.pods_*"]}}}
    with pytest.raises(ConfigError) as caught:
        load_config_from_data(tarsy, {}, env={})
    assert "agents.KubernetesAgent.tools[0]" in str(caught.value)
    assert "unknown MCP server 'kubernetes'" in str(caught.value)


def test_an_allow_list_pattern_without_a_server_part_stops_start_up() -> None:
    tarsy = {"agents": {"KubernetesAgent": {"mcp_servers": ["kubernetes-server"], "tools": ["pods_*"]}}}
    with pytest.raises(ConfigError, match=r"tool pattern 'pods_\*' must be 'server.tool'"):
        load_config_from_data(tarsy, {}, env={})
