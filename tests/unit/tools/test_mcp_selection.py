"""The alert's ``mcp`` override: parsing, checks against config and the last tool listing, selection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tarsy.config import TarsyConfig
from tarsy.errors import InvalidInputError
from tarsy.tools.health import McpHealth
from tarsy.tools.limits import McpSettings
from tarsy.tools.selection import McpOverride, allowed_servers, validate_mcp_override
from tests.unit.tools.factories import make_agent, stdio_server, tool_chain_config

CONFIG = tool_chain_config({"tiny": stdio_server(), "never-checked": stdio_server()})


@pytest.fixture(scope="module")
async def health() -> AsyncIterator[McpHealth]:
    """A monitor that has listed ``tiny``'s tools once (and never ``never-checked``)."""
    monitor = McpHealth(CONFIG, settings=McpSettings(health_timeout=10.0))
    await monitor.check(["tiny"])
    yield monitor
    await monitor.stop()


def _error(override: Any, health: McpHealth | None = None, config: TarsyConfig = CONFIG) -> str:
    with pytest.raises(InvalidInputError) as caught:
        validate_mcp_override(config, override, health)
    return caught.value.message


async def test_a_valid_override_is_parsed(health: McpHealth) -> None:
    override = validate_mcp_override(
        CONFIG,
        {
            "servers": [{"name": "tiny", "tools": ["echo"]}, {"name": "never-checked"}],
            "native_tools": {"google_search": False},
        },
        health,
    )
    assert override.servers[0].tools == ("echo",)
    assert override.servers[1].tools is None
    assert override.native_tools is not None and override.native_tools.google_search is False
    assert override.native_tools.url_context is None


async def test_an_unknown_server_is_named(health: McpHealth) -> None:
    assert _error({"servers": [{"name": "kubernetes"}]}, health) == (
        "invalid mcp override: unknown MCP server 'kubernetes' (configured servers: never-checked, tiny)"
    )


async def test_an_unknown_tool_is_named_with_the_servers_tools(health: McpHealth) -> None:
    message = _error({"servers": [{"name": "tiny", "tools": ["echo", "pods_list"]}]}, health)
    assert message.startswith("invalid mcp override: unknown tool 'pods_list' on MCP server 'tiny' (its tools: ")
    assert "echo" in message and "'echo'" not in message


async def test_tools_of_a_server_never_listed_are_taken_on_trust(health: McpHealth) -> None:
    override = validate_mcp_override(CONFIG, {"servers": [{"name": "never-checked", "tools": ["anything"]}]}, health)
    assert override.servers[0].tools == ("anything",)
    assert (
        validate_mcp_override(CONFIG, {"servers": [{"name": "tiny", "tools": ["x"]}]}, None).servers[0].name == "tiny"
    )


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"servers": []}, "invalid mcp override: mcp.servers: Value error, must list at least one server"),
        ({}, 'invalid mcp override: mcp: Value error, set "servers", "native_tools" or both (or leave "mcp" out)'),
        (
            {"servers": [{"name": "tiny", "tools": []}]},
            "invalid mcp override: mcp.servers.0.tools: Value error, must list at least one tool, or be null to "
            "allow all of the server's tools",
        ),
        (
            {"servers": [{"name": "tiny", "tools": ["echo", "p*"]}]},
            "invalid mcp override: mcp.servers.0.tools: Value error, must list exact tool names, not patterns: p*",
        ),
        (
            {"servers": [{"name": "tiny"}, {"name": "tiny"}]},
            "invalid mcp override: mcp.servers: Value error, server(s) listed more than once: tiny",
        ),
        (
            {"servers": [{"name": "tiny", "tool": ["echo"]}]},
            "invalid mcp override: mcp.servers.0.tool: Extra inputs are not permitted",
        ),
        (
            {"servers": [{"name": "tiny"}], "native_tools": {"web_search": True}},
            "invalid mcp override: mcp.native_tools.web_search: Extra inputs are not permitted",
        ),
        (
            "tiny",
            'invalid mcp override: mcp: must be an object: {"servers": [{"name": ..., "tools": [...] or null}],'
            ' "native_tools": {...}}',
        ),
    ],
)
def test_malformed_overrides_are_rejected_with_the_path(override: Any, expected: str) -> None:
    assert _error(override) == expected


def test_an_override_narrows_only_agents_that_call_tools() -> None:
    override = McpOverride.model_validate({"servers": [{"name": "tiny", "tools": ["echo"]}]})
    both = make_agent(CONFIG, servers=("tiny", "never-checked"))
    assert allowed_servers(both, None) == {"tiny": None, "never-checked": None}
    narrowed = allowed_servers(both, override)
    assert list(narrowed) == ["tiny"]
    assert "echo" in narrowed["tiny"] and "pid" not in narrowed["tiny"]  # type: ignore[operator]
    # An agent never gets a server the override names but its configuration does not.
    assert allowed_servers(make_agent(CONFIG, servers=("never-checked",)), override) == {}
    assert list(allowed_servers(make_agent(CONFIG, agent_type="chat"), override)) == ["tiny"]
    assert allowed_servers(make_agent(CONFIG, servers=(), agent_type="exec_summary"), override) == {}


def test_an_override_without_servers_keeps_the_configured_ones() -> None:
    override = validate_mcp_override(CONFIG, {"native_tools": {"code_execution": False}}, None)
    assert override.servers is None
    assert override.native_tools is not None and override.native_tools.code_execution is False
    investigator = make_agent(CONFIG, servers=("never-checked",))
    assert allowed_servers(investigator, override) == {"never-checked": None}
