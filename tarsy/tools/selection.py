"""Which MCP servers and tools an agent may use: its configured servers, or the alert's override.

An alert may carry ``mcp: {servers: [{name, tools}], native_tools: {...}}``. For that session the
listed servers replace the configured ones of every agent that calls tools (investigation and chat
agents; synthesis and the executive summary never get tools); ``tools: null`` allows all of a
server's tools, a list allows only those; leaving ``servers`` out keeps the configured servers.
``native_tools`` switches the provider's built-in tools (Gemini's Google Search, code execution,
URL context) for every Google model of the session; ``tarsy.runtime.tools.session_models``
applies it.

The override is validated when the alert is submitted, so a typo is a 400 naming it rather than an
investigation without tools.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.errors import InvalidInputError

if TYPE_CHECKING:
    from tarsy.tools.health import McpHealth

TOOL_USING_AGENTS = frozenset({"investigation", "chat"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class McpServerSelection(_Strict):
    name: str = Field(min_length=1)
    tools: tuple[str, ...] | None = None
    """``None`` allows every tool of the server."""

    @field_validator("tools")
    @classmethod
    def _tools(cls, tools: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if tools is not None and not tools:
            raise ValueError("must list at least one tool, or be null to allow all of the server's tools")
        return tools


class NativeToolsOverride(_Strict):
    """Provider built-in tools switched on or off for this session; ``None`` keeps the provider's setting."""

    google_search: bool | None = None
    code_execution: bool | None = None
    url_context: bool | None = None


class McpOverride(_Strict):
    servers: tuple[McpServerSelection, ...] | None = None
    """``None`` keeps every agent's configured servers."""
    native_tools: NativeToolsOverride | None = None

    @field_validator("servers")
    @classmethod
    def _unique(cls, servers: tuple[McpServerSelection, ...] | None) -> tuple[McpServerSelection, ...] | None:
        if servers is None:
            return None
        if not servers:
            raise ValueError("must list at least one server")
        names = [s.name for s in servers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"server(s) listed more than once: {', '.join(repeated)}")
        return servers

    @model_validator(mode="after")
    def _not_empty(self) -> McpOverride:
        if self.servers is None and self.native_tools is None:
            raise ValueError('set "servers", "native_tools" or both (or leave "mcp" out)')
        return self


ToolFilter = frozenset[str] | None
"""The tools allowed on one server; ``None``: all of them."""


def allowed_servers(agent: ResolvedAgent, override: McpOverride | None) -> dict[str, ToolFilter]:
    """The servers ``agent`` may call in this session, each with its tool filter."""
    if override is None or override.servers is None or agent.agent_type not in TOOL_USING_AGENTS:
        return dict.fromkeys(agent.mcp_servers)
    return {s.name: frozenset(s.tools) if s.tools is not None else None for s in override.servers}


def validate_mcp_override(
    config: TarsyConfig, override: McpOverride | Mapping[str, Any], health: McpHealth | None = None
) -> McpOverride:
    """Parse and check an alert's ``mcp`` field; raises ``InvalidInputError`` naming what is wrong.

    Server names are checked against the configuration; tool names against the tools the server
    listed at its last health check (when there was one: an unchecked server's tools are taken on
    trust, and an unknown one then simply never matches).
    """
    parsed = _parse(override)
    problems: list[str] = []
    for selection in parsed.servers or ():
        if selection.name not in config.mcp_servers:
            known = ", ".join(sorted(config.mcp_servers)) or "none"
            problems.append(f"unknown MCP server '{selection.name}' (configured servers: {known})")
            continue
        listed = health.known_tools(selection.name) if health is not None else None
        if selection.tools is None or listed is None:
            continue
        for tool in selection.tools:
            if tool not in listed:
                problems.append(
                    f"unknown tool '{tool}' on MCP server '{selection.name}' "
                    f"(its tools: {', '.join(sorted(listed)) or 'none'})"
                )
    if problems:
        raise InvalidInputError("invalid mcp override: " + "; ".join(problems))
    return parsed


def _parse(override: McpOverride | Mapping[str, Any]) -> McpOverride:
    if isinstance(override, McpOverride):
        return override
    try:
        return McpOverride.model_validate(override)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if not error["loc"] and error["type"] == "value_error":
                problems.append(f"mcp: {error['msg']}")
                continue
            if not error["loc"]:
                problems.append(
                    'mcp: must be an object: {"servers": [{"name": ..., "tools": [...] or null}],'
                    ' "native_tools": {...}}'
                )
                continue
            where = ".".join(str(part) for part in error["loc"])
            problems.append(f"mcp.{where}: {error['msg']}")
        raise InvalidInputError("invalid mcp override: " + "; ".join(problems)) from None
