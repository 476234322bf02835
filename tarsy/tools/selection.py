"""Which MCP servers and tools an agent may use: least privilege, narrowed per alert.

An agent gets the servers its configuration resolves to, limited by its ``tools`` allow-list
(``server.tool`` names or globs). An alert may carry ``mcp: {servers: [{name, tools}],
native_tools: {...}}``, and it may only NARROW that: a listed server must be one the chain's
agents already have (investigation and chat agents; synthesis and the executive summary never get
tools), listed tools must be ones their allow-lists already grant, and ``native_tools`` may only
switch Gemini's built-in tools off (``true`` is accepted for a tool some agent of the chain has on,
and changes nothing). At run time every tool-using agent gets the intersection of its own grant
and the override; the switched-off native tools reach the agent loop through the run context.

The override is validated when the alert is submitted, so widening (or a typo) is a 400 naming
the server or tool rather than an investigation with other tools than expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tarsy.config import (
    ResolvedAgent,
    TarsyConfig,
    resolve_agent,
    resolve_chat,
    resolve_synthesis,
    stage_agent_count,
)
from tarsy.errors import InvalidInputError

if TYPE_CHECKING:
    from tarsy.tools.health import McpHealth

TOOL_USING_AGENTS = frozenset({"investigation", "action", "chat"})


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
        globbed = [t for t in tools or () if any(c in t for c in "*?[")]
        if globbed:
            raise ValueError(f"must list exact tool names, not patterns: {', '.join(globbed)}")
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


@dataclass(frozen=True)
class ToolPatterns:
    """The tools allowed on one server: a name must match a glob of every group (each layer narrows)."""

    groups: tuple[frozenset[str], ...]

    def __contains__(self, tool: object) -> bool:
        return isinstance(tool, str) and all(any(fnmatchcase(tool, p) for p in group) for group in self.groups)

    def narrowed(self, patterns: Iterable[str]) -> ToolPatterns:
        return ToolPatterns((*self.groups, frozenset(patterns)))


ToolFilter = ToolPatterns | None
"""The tools allowed on one server (``tool in filter``); ``None``: all of them."""


def _narrow(current: ToolFilter, patterns: Iterable[str]) -> ToolPatterns:
    return ToolPatterns((frozenset(patterns),)) if current is None else current.narrowed(patterns)


def configured_servers(agent: ResolvedAgent) -> dict[str, ToolFilter]:
    """What the configuration grants ``agent``: its servers, limited by its ``tools`` allow-list.

    With an allow-list, a server none of whose patterns name it is left out altogether.
    """
    servers: dict[str, ToolFilter] = dict.fromkeys(agent.mcp_servers)
    if agent.tools is None:
        return servers
    by_server: dict[str, list[str]] = {}
    for pattern in agent.tools:
        server, _, tool = pattern.partition(".")
        by_server.setdefault(server, []).append(tool)
    return {name: _narrow(None, by_server[name]) for name in servers if name in by_server}


def allowed_servers(agent: ResolvedAgent, override: McpOverride | None) -> dict[str, ToolFilter]:
    """The servers ``agent`` may call in this session: its grant, intersected with the alert's override."""
    granted = configured_servers(agent)
    if override is None or override.servers is None or agent.agent_type not in TOOL_USING_AGENTS:
        return granted
    return {
        s.name: granted[s.name] if s.tools is None else _narrow(granted[s.name], s.tools)
        for s in override.servers
        if s.name in granted
    }


def native_tools_switched_off(override: Mapping[str, Any] | None) -> frozenset[str]:
    """The Gemini built-in tools a stored ``mcp_selection`` switches off for its session."""
    native = (override or {}).get("native_tools") or {}
    return frozenset(name for name, on in native.items() if on is False)


@dataclass(frozen=True)
class ChainGrants:
    """What the agents of one chain may use, the union over its tool-using agents."""

    chain_id: str
    servers: dict[str, list[ToolFilter]]
    native_tools: frozenset[str]

    def allows_tool(self, server: str, tool: str) -> bool:
        return any(f is None or tool in f for f in self.servers.get(server, ()))


def chain_grants(config: TarsyConfig, chain_id: str) -> ChainGrants:
    """The servers (with each agent's tool filter) and native tools the chain's agents are configured with."""
    chain = config.chain(chain_id)
    agents = [
        resolve_agent(config, chain_id, stage_index, agent_index)
        for stage_index, stage in enumerate(chain.stages)
        for agent_index in range(stage_agent_count(stage))
    ]
    agents += [
        resolve_synthesis(config, chain_id, index)
        for index, stage in enumerate(chain.stages)
        if stage_agent_count(stage) > 1
    ]
    if chain.chat.enabled:
        agents.append(resolve_chat(config, chain_id))
    servers: dict[str, list[ToolFilter]] = {}
    native: set[str] = set()
    for agent in agents:
        native |= agent.native_tools
        if agent.agent_type in TOOL_USING_AGENTS:
            for server, allowed in configured_servers(agent).items():
                servers.setdefault(server, []).append(allowed)
    return ChainGrants(chain_id, servers, frozenset(native))


def validate_mcp_override(
    config: TarsyConfig,
    override: McpOverride | Mapping[str, Any],
    health: McpHealth | None = None,
    *,
    alert_type: str | None = None,
) -> McpOverride:
    """Parse and check an alert's ``mcp`` field; raises ``InvalidInputError`` naming what is wrong.

    Server names are checked against the configuration, then against what the chain of
    ``alert_type`` (the default alert type when ``None``) grants its agents: an override may only
    narrow. Tool names are checked against the tools the server listed at its last health check
    (when there was one: an unchecked server's tools are taken on trust) and against the agents'
    ``tools`` allow-lists.
    """
    parsed = _parse(override)
    grants = chain_grants(config, _chain_for(config, alert_type))
    problems: list[str] = []
    for selection in parsed.servers or ():
        problems += _server_problems(config, grants, selection, health)
    for name, on in (parsed.native_tools.model_dump() if parsed.native_tools else {}).items():
        if on and name not in grants.native_tools:
            problems.append(
                f"native tool '{name}' is not switched on for any agent of chain '{grants.chain_id}': an alert may "
                f"only switch native tools off (agents turn them on with agents.<name>.native_tools)"
            )
    if problems:
        raise InvalidInputError("invalid mcp override: " + "; ".join(problems))
    return parsed


def _chain_for(config: TarsyConfig, alert_type: str | None) -> str:
    try:
        chain_id, _ = config.chain_for_alert_type(alert_type or config.defaults.alert_type)
    except LookupError as exc:  # UnknownAlertTypeError is a LookupError with a listing message
        raise InvalidInputError(str(exc)) from exc
    return chain_id


def _server_problems(
    config: TarsyConfig, grants: ChainGrants, selection: McpServerSelection, health: McpHealth | None
) -> list[str]:
    if selection.name not in config.mcp_servers:
        known = ", ".join(sorted(config.mcp_servers)) or "none"
        return [f"unknown MCP server '{selection.name}' (configured servers: {known})"]
    if selection.name not in grants.servers:
        granted = ", ".join(sorted(grants.servers)) or "none"
        return [
            f"MCP server '{selection.name}' is not one of the servers of chain '{grants.chain_id}' "
            f"(its agents have: {granted}); an alert may only narrow its chain's tools"
        ]
    problems: list[str] = []
    listed = health.known_tools(selection.name) if health is not None else None
    for tool in selection.tools or ():
        if listed is not None and tool not in listed:
            problems.append(
                f"unknown tool '{tool}' on MCP server '{selection.name}' "
                f"(its tools: {', '.join(sorted(listed)) or 'none'})"
            )
        elif not grants.allows_tool(selection.name, tool):
            problems.append(
                f"tool '{selection.name}.{tool}' is not allowed for the agents of chain '{grants.chain_id}' "
                "(their tools allow-list); an alert may only narrow its chain's tools"
            )
    return problems


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
