"""Agent definitions (``agents.<name>`` in ``tarsy.yaml``)."""

from __future__ import annotations

from pydantic import Field

from tarsy.config.base import AgentType, NativeToolName, OnTimeout, Strategy, StrictModel
from tarsy.config.duration import PositiveDuration


class ApprovalConfig(StrictModel):
    """Which of an agent's tool calls wait for a person (docs/actions.md)."""

    tools: list[str] | None = None
    """``server.tool`` names or globs that need approval; ``None``: every action tool of the agent's servers."""
    timeout: PositiveDuration = 3600.0
    """How long a request waits for a decision before it resolves as ``on_timeout`` says."""
    on_timeout: OnTimeout = "reject"


class OrchestratorConfig(StrictModel):
    """Guardrails of an agent that dispatches sub-agents (docs/agent-loop.md "Sub-agents")."""

    max_concurrent_agents: int = Field(default=5, ge=1)
    """Sub-agents of one execution running at once; a dispatch beyond it is refused (the model waits)."""
    agent_timeout: PositiveDuration = 300.0
    """How long one sub-agent may run; then it is cancelled and reported as timed out."""
    max_budget: int = Field(default=10, ge=1)
    """Dispatches one execution may make in all."""


class AgentConfig(StrictModel):
    """What an agent is: its role, tools and instructions. Chains and stages may override the rest."""

    type: AgentType = "investigation"
    description: str = ""
    mcp_servers: list[str] = Field(default_factory=list)
    custom_instructions: str = ""
    strategy: Strategy | None = None
    llm_provider: str | None = None
    fallback_providers: list[str] | None = None
    """Providers to switch to when ``llm_provider`` fails (docs/providers.md); beats stage, chain, defaults."""
    max_iterations: int | None = Field(default=None, ge=1)
    tools: list[str] | None = None
    """Allow-list of ``server.tool`` names or globs (``kubernetes-server.pods_*``); ``None``: every tool."""
    native_tools: list[NativeToolName] = Field(default_factory=list)
    """Gemini built-in tools this agent may use; none unless listed (never for summaries)."""
    approval: ApprovalConfig | None = None
    """Which tool calls need a person; without it every action tool does (1h, rejected on timeout)."""
    sub_agents: list[str] | None = None
    """Agents it may dispatch as sub-agents (they need a ``description``); beats stage and chain."""
    orchestrator: OrchestratorConfig | None = None
    """Its own guardrails for sub-agents; unset: ``defaults.orchestrator``."""
    skills: list[str] | None = None
    """Skills this agent may load (``tarsy.load_skill``); ``None``: every skill, ``[]``: none."""
    required_skills: list[str] = Field(default_factory=list)
    """Skills whose bodies are put in the prompt up front (they need not be in ``skills``)."""
