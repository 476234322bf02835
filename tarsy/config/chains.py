"""Chains (``agent_chains.<id>``): the stages an alert type goes through, and their chat."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from tarsy.config.base import ScoringConfig, Strategy, StrictModel, SuccessPolicy


class StageAgentConfig(StrictModel):
    """One agent of a stage, with overrides that apply to this stage only."""

    name: str = Field(min_length=1)
    llm_provider: str | None = None
    strategy: Strategy | None = None
    max_iterations: int | None = Field(default=None, ge=1)
    mcp_servers: list[str] | None = None
    tools: list[str] | None = None


class SynthesisConfig(StrictModel):
    """The agent that merges the findings of a stage that ran more than one agent."""

    agent: str = Field(default="SynthesisAgent", min_length=1)
    strategy: Strategy | None = None
    llm_provider: str | None = None


class StageConfig(StrictModel):
    """A step of a chain: one agent, several agents in parallel, or ``replicas`` copies of one agent.

    YAML may write ``agent: Name`` for ``agents: [{name: Name}]``, and list agents as plain names.
    """

    shorthand_keys: ClassVar[tuple[str, ...]] = ("agent",)

    name: str = Field(min_length=1)
    agents: list[StageAgentConfig]
    replicas: int = Field(default=1, ge=1)
    success_policy: SuccessPolicy | None = None
    synthesis: SynthesisConfig | None = None
    llm_provider: str | None = None
    fallback_providers: list[str] | None = None
    sub_agents: list[str] | None = None
    strategy: Strategy | None = None
    max_iterations: int | None = Field(default=None, ge=1)
    mcp_servers: list[str] | None = None
    tools: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand_shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "agent" in data:
            if "agents" in data:
                raise ValueError("give either 'agent' or 'agents', not both")
            data["agents"] = [data.pop("agent")]
        agents = data.get("agents")
        if isinstance(agents, list):
            data["agents"] = [{"name": a} if isinstance(a, str) else a for a in agents]
        return data

    @field_validator("agents")
    @classmethod
    def _at_least_one(cls, agents: list[StageAgentConfig]) -> list[StageAgentConfig]:
        if not agents:
            raise ValueError("a stage needs at least one agent ('agent: Name' or 'agents: [...]')")
        return agents

    @model_validator(mode="after")
    def _replicas_of_one_agent(self) -> StageConfig:
        if self.replicas > 1 and len(self.agents) != 1:
            raise ValueError(
                f"replicas: {self.replicas} needs exactly one agent, got {len(self.agents)}; "
                "use replicas for copies of one agent, or list different agents without replicas"
            )
        return self


class ChatConfig(StrictModel):
    """Follow-up chat on a finished session of this chain."""

    enabled: bool = True
    agent: str = Field(default="ChatAgent", min_length=1)
    llm_provider: str | None = None
    strategy: Strategy | None = None
    max_iterations: int | None = Field(default=None, ge=1)
    mcp_servers: list[str] | None = None
    tools: list[str] | None = None
    sub_agents: list[str] | None = None
    """Sub-agents the chat agent may dispatch; unset: the chain's."""


class ChainConfig(StrictModel):
    alert_types: list[str] = Field(min_length=1)
    description: str = ""
    stages: list[StageConfig] = Field(min_length=1)
    chat: ChatConfig = ChatConfig()
    llm_provider: str | None = None
    fallback_providers: list[str] | None = None
    sub_agents: list[str] | None = None
    strategy: Strategy | None = None
    max_iterations: int | None = Field(default=None, ge=1)
    mcp_servers: list[str] | None = None
    tools: list[str] | None = None
    executive_summary_provider: str | None = None
    runbook: str | None = None
    """A runbook URL or inline runbook text used when the alert brings none."""
    scoring: ScoringConfig | None = None
    """Replaces ``defaults.scoring`` for this chain's sessions."""

    @field_validator("stages")
    @classmethod
    def _unique_stage_names(cls, stages: list[StageConfig]) -> list[StageConfig]:
        seen: set[str] = set()
        for stage in stages:
            if stage.name in seen:
                raise ValueError(f"stage name {stage.name!r} is used twice; stage names must be unique")
            seen.add(stage.name)
        return stages


def stage_agent_count(stage: StageConfig) -> int:
    """How many agent runs a stage fans out to (its agents, or its replicas of one agent)."""
    return stage.replicas if stage.replicas > 1 else len(stage.agents)
