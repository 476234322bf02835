"""Agent definitions (``agents.<name>`` in ``tarsy.yaml``)."""

from __future__ import annotations

from pydantic import Field

from tarsy.config.base import AgentType, NativeToolName, Strategy, StrictModel


class AgentConfig(StrictModel):
    """What an agent is: its role, tools and instructions. Chains and stages may override the rest."""

    type: AgentType = "investigation"
    description: str = ""
    mcp_servers: list[str] = Field(default_factory=list)
    custom_instructions: str = ""
    strategy: Strategy | None = None
    llm_provider: str | None = None
    max_iterations: int | None = Field(default=None, ge=1)
    tools: list[str] | None = None
    """Allow-list of ``server.tool`` names or globs (``kubernetes-server.pods_*``); ``None``: every tool."""
    native_tools: list[NativeToolName] = Field(default_factory=list)
    """Gemini built-in tools this agent may use; none unless listed (never for summaries)."""
