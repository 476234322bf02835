"""Cross-reference checks: every name a config entry mentions must exist, and alert types must
route to exactly one chain. Each issue names the file of the entry that holds the reference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tarsy.config.base import AgentType
from tarsy.config.chains import ChainConfig
from tarsy.config.errors import ConfigIssue
from tarsy.config.merge import Provenance
from tarsy.config.models import TarsyConfig

RESERVED_SERVER = "tarsy"
"""The server part of TARSy's own tools (``tarsy.load_skill``): no MCP server may take it."""

_KINDS = {"agents": "agent", "mcp_servers": "MCP server", "llm_providers": "LLM provider"}


class _References:
    def __init__(self, config: TarsyConfig, broken: Mapping[str, frozenset[str]]) -> None:
        self.config = config
        self.names = {
            "agents": set(config.agents) | broken.get("agents", frozenset()),
            "mcp_servers": set(config.mcp_servers) | broken.get("mcp_servers", frozenset()),
            "llm_providers": set(config.llm_providers) | broken.get("llm_providers", frozenset()),
        }
        self.issues: list[ConfigIssue] = []

    def name(self, section: str, name: str | None, file: str, path: str) -> None:
        if name is None or name in self.names[section]:
            return
        kind = _KINDS[section]
        known = ", ".join(sorted(self.names[section])) or "(none)"
        self.issues.append(ConfigIssue(file, path, f"unknown {kind} {name!r}; known {kind}s: {known}"))

    def servers(self, names: Sequence[str] | None, file: str, path: str) -> None:
        for index, name in enumerate(names or ()):
            self.name("mcp_servers", name, file, f"{path}[{index}]")

    def tools(self, patterns: Sequence[str] | None, file: str, path: str) -> None:
        """A ``tools`` allow-list: ``server.tool`` patterns whose server part names a configured server."""
        for index, pattern in enumerate(patterns or ()):
            server, dot, tool = pattern.partition(".")
            if not dot or not server or not tool:
                message = (
                    f"tool pattern {pattern!r} must be 'server.tool' "
                    "(globs allowed in the tool part, e.g. 'kubernetes-server.pods_*')"
                )
                self.issues.append(ConfigIssue(file, f"{path}[{index}]", message))
                continue
            self.name("mcp_servers", server, file, f"{path}[{index}]")

    def providers(self, names: Sequence[str] | None, file: str, path: str) -> None:
        for index, name in enumerate(names or ()):
            self.name("llm_providers", name, file, f"{path}[{index}]")

    def sub_agents(self, names: Sequence[str] | None, file: str, path: str) -> None:
        """A sub-agent catalog: investigation agents with a description (the dispatcher reads it)."""
        for index, name in enumerate(names or ()):
            where = f"{path}[{index}]"
            self.agent(name, "investigation", "a sub-agent", file, where)
            agent = self.config.agents.get(name)
            if agent is not None and not agent.description.strip():
                message = f"sub-agent {name!r} needs a description: the dispatching agent chooses by it"
                self.issues.append(ConfigIssue(file, where, message))

    def skills(self, names: Sequence[str] | None, file: str, path: str) -> None:
        known = self.config.skills
        for index, name in enumerate(names or ()):
            if name not in known:
                listing = ", ".join(sorted(known)) or "(none: add skills/<name>/SKILL.md to the config directory)"
                self.issues.append(
                    ConfigIssue(file, f"{path}[{index}]", f"unknown skill {name!r}; known skills: {listing}")
                )

    def agent(self, name: str, expected: AgentType | tuple[AgentType, ...], role: str, file: str, path: str) -> None:
        self.name("agents", name, file, path)
        agent = self.config.agents.get(name)
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if agent is not None and agent.type not in allowed:
            wanted = " or ".join(repr(t) for t in allowed)
            message = f"agent {name!r} has type {agent.type!r}, but {role} must have type {wanted}"
            self.issues.append(ConfigIssue(file, path, message))

    def action_stages(self, chain: ChainConfig, file: str, path: str) -> None:
        """Action agents run in stages of their own, after at least one investigation stage."""
        for s, stage in enumerate(chain.stages):
            types = {self.config.agents[e.name].type for e in stage.agents if e.name in self.config.agents}
            if "action" not in types:
                continue
            if len(types) > 1:
                message = (
                    f"stage {stage.name!r} mixes action and investigation agents; put the action agents "
                    "in a stage of their own after the investigation"
                )
                self.issues.append(ConfigIssue(file, f"{path}.stages[{s}].agents", message))
            elif s == 0:
                message = (
                    f"stage {stage.name!r} runs action agents first; an action stage acts on an "
                    "investigation's findings, so put at least one investigation stage before it"
                )
                self.issues.append(ConfigIssue(file, f"{path}.stages[{s}]", message))


def validate_references(
    config: TarsyConfig,
    provenance: Provenance | None = None,
    broken: Mapping[str, frozenset[str]] | None = None,
) -> list[ConfigIssue]:
    """Every dangling reference in ``config``; names in ``broken`` exist but failed validation."""
    provenance = provenance or Provenance()
    refs = _References(config, broken or {})
    provider_file = provenance.file_for("defaults", "llm_provider")
    refs.name("llm_providers", config.defaults.llm_provider, provider_file, "defaults.llm_provider")
    fallback_file = provenance.file_for("defaults", "fallback_providers")
    refs.providers(config.defaults.fallback_providers, fallback_file, "defaults.fallback_providers")
    scoring_file = provenance.file_for("defaults", "scoring")
    refs.name("llm_providers", config.defaults.scoring.llm_provider, scoring_file, "defaults.scoring.llm_provider")
    reflection_file = provenance.file_for("memory", "reflection")
    reflection = config.memory.reflection.llm_provider
    refs.name("llm_providers", reflection, reflection_file, "memory.reflection.llm_provider")
    for name, server in config.mcp_servers.items():
        file, path = provenance.file_for("mcp_servers", name), f"mcp_servers.{name}"
        if name == RESERVED_SERVER:
            message = (
                f"the server id {RESERVED_SERVER!r} is reserved for TARSy's own tools (tarsy.load_skill); rename it"
            )
            refs.issues.append(ConfigIssue(file, path, message))
        refs.name("llm_providers", server.summarization.llm_provider, file, f"{path}.summarization.llm_provider")
    for name, agent in config.agents.items():
        file, path = provenance.file_for("agents", name), f"agents.{name}"
        refs.servers(agent.mcp_servers, file, f"{path}.mcp_servers")
        refs.tools(agent.tools, file, f"{path}.tools")
        refs.name("llm_providers", agent.llm_provider, file, f"{path}.llm_provider")
        refs.providers(agent.fallback_providers, file, f"{path}.fallback_providers")
        refs.sub_agents(agent.sub_agents, file, f"{path}.sub_agents")
        if agent.approval is not None:
            refs.tools(agent.approval.tools, file, f"{path}.approval.tools")
        refs.skills(agent.skills, file, f"{path}.skills")
        refs.skills(agent.required_skills, file, f"{path}.required_skills")
    for chain_id, chain in config.agent_chains.items():
        _check_chain(refs, chain, provenance.file_for("agent_chains", chain_id), f"agent_chains.{chain_id}")
    _check_alert_types(refs, config, provenance, broken or {})
    return refs.issues


def _check_chain(refs: _References, chain: ChainConfig, file: str, path: str) -> None:
    refs.name("llm_providers", chain.llm_provider, file, f"{path}.llm_provider")
    refs.providers(chain.fallback_providers, file, f"{path}.fallback_providers")
    refs.sub_agents(chain.sub_agents, file, f"{path}.sub_agents")
    refs.sub_agents(chain.chat.sub_agents, file, f"{path}.chat.sub_agents")
    refs.name("llm_providers", chain.executive_summary_provider, file, f"{path}.executive_summary_provider")
    refs.servers(chain.mcp_servers, file, f"{path}.mcp_servers")
    refs.tools(chain.tools, file, f"{path}.tools")
    refs.agent(chain.chat.agent, "chat", "a chat agent", file, f"{path}.chat.agent")
    refs.name("llm_providers", chain.chat.llm_provider, file, f"{path}.chat.llm_provider")
    refs.servers(chain.chat.mcp_servers, file, f"{path}.chat.mcp_servers")
    refs.tools(chain.chat.tools, file, f"{path}.chat.tools")
    refs.action_stages(chain, file, path)
    if chain.scoring is not None:
        refs.name("llm_providers", chain.scoring.llm_provider, file, f"{path}.scoring.llm_provider")
    for s, stage in enumerate(chain.stages):
        stage_path = f"{path}.stages[{s}]"
        refs.name("llm_providers", stage.llm_provider, file, f"{stage_path}.llm_provider")
        refs.providers(stage.fallback_providers, file, f"{stage_path}.fallback_providers")
        refs.sub_agents(stage.sub_agents, file, f"{stage_path}.sub_agents")
        refs.servers(stage.mcp_servers, file, f"{stage_path}.mcp_servers")
        refs.tools(stage.tools, file, f"{stage_path}.tools")
        for a, entry in enumerate(stage.agents):
            entry_path = f"{stage_path}.agents[{a}]"
            refs.agent(entry.name, ("investigation", "action"), "a stage agent", file, f"{entry_path}.name")
            refs.name("llm_providers", entry.llm_provider, file, f"{entry_path}.llm_provider")
            refs.servers(entry.mcp_servers, file, f"{entry_path}.mcp_servers")
            refs.tools(entry.tools, file, f"{entry_path}.tools")
        if stage.synthesis is not None:
            synthesis_path = f"{stage_path}.synthesis"
            refs.agent(stage.synthesis.agent, "synthesis", "a synthesis agent", file, f"{synthesis_path}.agent")
            refs.name("llm_providers", stage.synthesis.llm_provider, file, f"{synthesis_path}.llm_provider")


def _check_alert_types(
    refs: _References, config: TarsyConfig, provenance: Provenance, broken: Mapping[str, frozenset[str]]
) -> None:
    owners: dict[str, str] = {}
    for chain_id, chain in config.agent_chains.items():
        file = provenance.file_for("agent_chains", chain_id)
        for index, alert_type in enumerate(chain.alert_types):
            owner = owners.setdefault(alert_type, chain_id)
            if owner != chain_id:
                message = (
                    f"alert type {alert_type!r} is already served by chain {owner!r} "
                    f"({provenance.file_for('agent_chains', owner)}); an alert type may belong to one "
                    f"chain only: replace chain {owner!r} by name, or drop the alert type from one of them"
                )
                refs.issues.append(ConfigIssue(file, f"agent_chains.{chain_id}.alert_types[{index}]", message))
    alert_type = config.defaults.alert_type
    if alert_type not in owners and not broken.get("agent_chains"):
        served = ", ".join(sorted(owners)) or "(none)"
        message = f"no chain serves alert type {alert_type!r}; served alert types: {served}"
        refs.issues.append(ConfigIssue(provenance.file_for("defaults", "alert_type"), "defaults.alert_type", message))
