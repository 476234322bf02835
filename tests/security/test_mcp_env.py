"""stdio MCP servers get an explicit environment: ``PATH``, ``HOME``, the locale, the names their
config lists in ``inherit_env`` and their own ``env``; never TARSy's secrets.

A real stdio server (``tests/fixtures/mcp/env_server.py``) reports the environment it was
started with through a tool. On the old main it inherited TARSy's whole environment, provider
keys included; these tests fail there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tarsy.tools.sessions import McpSessions
from tests.support.server import running_tarsy, write_config
from tests.unit.tools.factories import make_config

pytestmark = [pytest.mark.integration]

ENV_SERVER = Path(__file__).resolve().parents[1] / "fixtures" / "mcp" / "env_server.py"
SECRETS = {
    "GOOGLE_API_KEY": "AIzaSy-test-google-key-0123456789",
    "OPENAI_API_KEY": "sk-test-openai-key-0123456789",
    "TARSY_API_TOKENS": "ops:admin:tok-0123456789",
    "GITHUB_TOKEN": "ghp_test_github_token_0123456789",
}


def _server(**transport: Any) -> dict[str, Any]:
    return {"transport": {"type": "stdio", "command": sys.executable, "args": [str(ENV_SERVER)], **transport}}


async def _reported(config_servers: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
    async with McpSessions(make_config(config_servers)) as sessions:
        session = await sessions.session("env")
        names = await session.call_tool("environment", {}, None)
        values = {}
        for name in ("PATH", "LANG", "LC_ALL", "FOR_THE_SERVER", "OWN"):
            answer = await session.call_tool("value", {"name": name}, None)
            values[name] = answer.content[0].text  # type: ignore[union-attr]
    return set(names.content[0].text.splitlines()), values  # type: ignore[union-attr]


async def test_a_stdio_server_sees_none_of_tarsys_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**SECRETS, "DATABASE_URL": "postgresql://tarsy:pw@db/tarsy"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("FOR_THE_SERVER", "kubeconfig-path")
    monkeypatch.setenv("NOT_FOR_THE_SERVER", "stays")

    names, values = await _reported({"env": _server(env={"OWN": "configured"}, inherit_env=["FOR_THE_SERVER"])})

    assert names.isdisjoint({*SECRETS, "DATABASE_URL", "NOT_FOR_THE_SERVER"}), sorted(names)
    assert values == {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "FOR_THE_SERVER": "kubeconfig-path",
        "OWN": "configured",
    }


async def test_a_variable_named_in_inherit_env_but_unset_stays_unset() -> None:
    names, values = await _reported({"env": _server(inherit_env=["TARSY_TEST_NEVER_SET_ANYWHERE"])})
    assert "TARSY_TEST_NEVER_SET_ANYWHERE" not in names
    assert values["OWN"] == "<unset>"


@pytest.mark.e2e
async def test_the_server_an_investigation_starts_does_not_see_tarsys_environment(
    tmp_path: Path, database_url: str
) -> None:
    script = {
        "agents": {
            "Investigator": [
                {"tool_calls": [{"name": "env__environment", "args": {}}]},
                {"text": "Environment listed."},
            ],
            "*": [{"text": "summary"}],
        }
    }
    tarsy = {
        "mcp_servers": {"env": _server()},
        "agents": {"Investigator": {"mcp_servers": ["env"], "custom_instructions": "You list the environment."}},
        "agent_chains": {
            "kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "look", "agent": "Investigator"}]}
        },
    }
    config = write_config(tmp_path / "config", script=script, tarsy=tarsy)
    env = {**SECRETS, "PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    async with running_tarsy(config, database_url, env=env) as running:
        session_id = await running.submit()
        session = await running.wait_status(session_id, {"completed", "failed"})
        async with running.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT result FROM mcp_interactions WHERE session_id = %s AND tool = 'environment'", (session_id,)
            )
            [row] = await cur.fetchall()
    assert session["status"] == "completed", session["error_message"]
    names = set(str(row["result"]).splitlines())
    assert {"PATH", "LANG"} <= names
    assert names.isdisjoint({*SECRETS, "DATABASE_URL", "TARSY_CONFIG_DIR", "TARSY_PORT"}), sorted(names)
