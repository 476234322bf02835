"""``TarsyConfig``: the whole configuration, built-ins and user files merged and validated."""

from __future__ import annotations

from typing import TypeVar

from pydantic import Field, model_validator

from tarsy.config.agents import AgentConfig
from tarsy.config.base import StrictModel
from tarsy.config.chains import ChainConfig
from tarsy.config.errors import UnknownAlertTypeError, UnknownNameError
from tarsy.config.masking import DataMaskingConfig
from tarsy.config.mcp import McpPoolConfig, MCPServerConfig
from tarsy.config.memory import MemoryConfig
from tarsy.config.pricing import PricingConfig
from tarsy.config.providers import LLMProviderConfig
from tarsy.config.sections import DefaultsConfig, QueueConfig, SystemConfig


class SkillConfig(StrictModel):
    """A loaded skill: what its front matter says, its body, and the file it came from."""

    name: str
    description: str
    body: str
    source: str


class TarsyConfig(StrictModel):
    """Built by :func:`tarsy.config.load_config`, which also checks that every reference resolves."""

    defaults: DefaultsConfig = DefaultsConfig()
    queue: QueueConfig = QueueConfig()
    system: SystemConfig = SystemConfig()
    pricing: PricingConfig = PricingConfig()
    """Price overrides and promotions over the bundled price table (docs/cost.md)."""
    memory: MemoryConfig = MemoryConfig()
    """Investigation memory (docs/memory.md); off by default."""
    mcp_servers: dict[str, MCPServerConfig] = Field(default_factory=dict)
    agents: dict[str, AgentConfig] = Field(default_factory=dict)
    agent_chains: dict[str, ChainConfig] = Field(default_factory=dict)
    llm_providers: dict[str, LLMProviderConfig] = Field(default_factory=dict)
    skills: dict[str, SkillConfig] = Field(default_factory=dict)
    """``SKILL.md`` files of the config directory (``tarsy.skills``), by name."""

    def chain_for_alert_type(self, alert_type: str) -> tuple[str, ChainConfig]:
        """The id and definition of the chain serving ``alert_type``."""
        for chain_id, chain in self.agent_chains.items():
            if alert_type in chain.alert_types:
                return chain_id, chain
        raise UnknownAlertTypeError(alert_type, self.alert_types())

    def alert_types(self) -> list[str]:
        """Every alert type some chain serves, sorted."""
        return sorted({t for chain in self.agent_chains.values() for t in chain.alert_types})

    def chain(self, chain_id: str) -> ChainConfig:
        return _lookup(self.agent_chains, "chain", chain_id)

    def agent(self, name: str) -> AgentConfig:
        return _lookup(self.agents, "agent", name)

    def mcp_server(self, name: str) -> MCPServerConfig:
        return _lookup(self.mcp_servers, "MCP server", name)

    def provider(self, name: str) -> LLMProviderConfig:
        return _lookup(self.llm_providers, "LLM provider", name)

    def pool_of(self, server: str) -> McpPoolConfig:
        """The process pool of stdio ``server``: its own ``pool`` keys over ``system.mcp_pool``."""
        return self.mcp_server(server).pool.over(self.system.mcp_pool)

    @model_validator(mode="after")
    def _pools_fit(self) -> TarsyConfig:
        for name, server in self.mcp_servers.items():
            try:
                server.pool.over(self.system.mcp_pool)
            except ValueError:
                pool = self.pool_sizes(name)
                raise ValueError(
                    f"mcp_servers.{name}.pool: size ({pool[0]}) must not exceed max ({pool[1]}) "
                    "(keys left out come from system.mcp_pool)"
                ) from None
        return self

    def pool_sizes(self, server: str) -> tuple[int, int]:
        """``(size, max)`` of ``server``'s pool as configured, before they are checked."""
        own, base = self.mcp_servers[server].pool, self.system.mcp_pool
        return (base.size if own.size is None else own.size, base.max if own.max is None else own.max)

    def masking_of(self, server: str) -> DataMaskingConfig:
        """The masking of ``server``'s output: its own ``data_masking``, else ``defaults.tool_masking``."""
        own = self.mcp_server(server).data_masking
        return own if own is not None else self.defaults.tool_masking


_T = TypeVar("_T")


def _lookup(entries: dict[str, _T], kind: str, name: str) -> _T:
    try:
        return entries[name]
    except KeyError:
        raise UnknownNameError(kind, name, entries) from None
