"""Which tools change things (``mcp_servers.<id>.actions``) and which calls need a person (an
agent's ``approval`` block; without one, every action tool does)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from tarsy.config import ApprovalConfig, ResolvedAgent, TarsyConfig

DEFAULT_APPROVAL = ApprovalConfig()


@dataclass(frozen=True)
class ApprovalRule:
    """How one call waits: its deadline and what an undecided request resolves to."""

    timeout_s: float
    on_timeout: str


def is_action(config: TarsyConfig, tool: str) -> bool:
    """Whether canonical ``server.tool`` is listed (by name or glob) among its server's actions."""
    server, dot, name = tool.partition(".")
    entry = config.mcp_servers.get(server)
    if not dot or entry is None:
        return False
    return any(fnmatchcase(name, pattern) for pattern in entry.actions)


def approval_of(config: TarsyConfig, agent: ResolvedAgent) -> ApprovalConfig:
    definition = config.agents.get(agent.name)
    if definition is None or definition.approval is None:
        return DEFAULT_APPROVAL
    return definition.approval


def rule_for(config: TarsyConfig, agent: ResolvedAgent, tool: str) -> ApprovalRule | None:
    """The rule for ``agent`` calling ``tool``, or None when the call runs at once.

    Read-only tools never wait; ``approval.tools`` narrows which action tools need a person.
    """
    if not is_action(config, tool):
        return None
    approval = approval_of(config, agent)
    if approval.tools is not None and not any(fnmatchcase(tool, p) for p in approval.tools):
        return None
    return ApprovalRule(timeout_s=float(approval.timeout), on_timeout=approval.on_timeout)


def has_actions(config: TarsyConfig) -> bool:
    """Whether any server lists action tools (otherwise nothing can ever wait)."""
    return any(server.actions for server in config.mcp_servers.values())
