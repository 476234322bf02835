"""What a graph run needs from the outside world, passed in the LangGraph runtime context.

Nodes never reach for globals: the session id, where records and events go, how to get a chat
model and how to run a tool all arrive here. The service fills it with database-backed
implementations; LangGraph Studio and embedding apps bring their own. The protocols and records
themselves live in the leaf module ``tarsy.contracts`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from langgraph.runtime import Runtime

from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.contracts import (
    LLMInteraction,
    MCPInteraction,
    MemoryAccess,
    ModelProvider,
    Recorder,
    ToolExecutor,
    ToolOutcome,
    ToolRequest,
    ToolScope,
    ToolSpec,
)
from tarsy.masking.outbound import OutputMasking
from tarsy.nodes.outbound import MaskedRecorder

__all__ = [
    "LLMInteraction",
    "MCPInteraction",
    "MemoryAccess",
    "ModelProvider",
    "Recorder",
    "RunContext",
    "ToolExecutor",
    "ToolOutcome",
    "ToolRequest",
    "ToolScope",
    "ToolSpec",
    "context_resolver",
]


@dataclass(frozen=True)
class RunContext:
    """Run-scoped dependencies of a session graph.

    Whatever recorder is passed in is wrapped in a ``MaskedRecorder``: everything a graph records
    or streams is masked with the outbound policy (built from ``config`` unless ``masking`` is given).
    """

    session_id: str
    config: TarsyConfig
    recorder: Recorder
    models: ModelProvider
    tools: ToolExecutor
    sub_agent_tools: ToolExecutor | None = None
    """How sub-agents reach tools: the service refuses them calls that need approval (they cannot
    wait for a person); ``None``: the same as ``tools``."""
    native_tools_off: frozenset[str] = frozenset()
    """Gemini built-in tools the alert switched off for this session (agents turn them on)."""
    masking: OutputMasking | None = None
    """The outbound masking; built from ``config`` when not given (never ``None`` after init)."""
    llm_provider: str | None = None
    """A provider for every agent of the session (a fork's choice); None: each agent's own."""
    instructions: str | None = None
    """Operator instructions added to every agent's prompt (a fork's, masked at intake)."""
    memory: MemoryAccess | None = None
    """Investigation memory of the session (its prompt tier and tools); None while memory is off."""

    def __post_init__(self) -> None:
        if self.masking is None:
            object.__setattr__(self, "masking", OutputMasking.from_config(self.config))
        if not isinstance(self.recorder, MaskedRecorder):
            object.__setattr__(self, "recorder", MaskedRecorder(self.recorder, self.outbound))

    def session_agent(self, agent: ResolvedAgent) -> ResolvedAgent:
        """``agent`` with the session's overrides (provider, extra instructions) applied."""
        if self.llm_provider is not None and self.llm_provider != agent.llm_provider:
            agent = replace(agent, llm_provider=self.llm_provider, provider=self.config.provider(self.llm_provider))
        if self.instructions:
            extra = f"Operator instructions for this run:\n{self.instructions}"
            agent = replace(agent, custom_instructions=f"{agent.custom_instructions.strip()}\n\n{extra}".strip())
        return agent

    @property
    def outbound(self) -> OutputMasking:
        """The outbound masking (``masking``, filled in at init)."""
        assert self.masking is not None
        return self.masking


def context_resolver(default: RunContext | None, graph: str) -> Callable[[Runtime[RunContext]], RunContext]:
    """The context of a run: the one passed with ``context=``, else the graph's default (Studio)."""

    def context_of(runtime: Runtime[RunContext]) -> RunContext:
        ctx = runtime.context or default
        if ctx is None:
            raise RuntimeError(f"the {graph} graph needs a RunContext (pass context= when invoking it)")
        return ctx

    return context_of
