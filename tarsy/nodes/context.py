"""What a graph run needs from the outside world, passed in the LangGraph runtime context.

Nodes never reach for globals: the session id, where records and events go, how to get a chat
model and how to run a tool all arrive here. The service fills it with database-backed
implementations; LangGraph Studio and embedding apps bring their own. The protocols and records
themselves live in the leaf module ``tarsy.contracts`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langgraph.runtime import Runtime

from tarsy.config import TarsyConfig
from tarsy.contracts import (
    LLMInteraction,
    MCPInteraction,
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
    native_tools_off: frozenset[str] = frozenset()
    """Gemini built-in tools the alert switched off for this session (agents turn them on)."""
    masking: OutputMasking | None = None
    """The outbound masking; built from ``config`` when not given (never ``None`` after init)."""

    def __post_init__(self) -> None:
        if self.masking is None:
            object.__setattr__(self, "masking", OutputMasking.from_config(self.config))
        if not isinstance(self.recorder, MaskedRecorder):
            object.__setattr__(self, "recorder", MaskedRecorder(self.recorder, self.outbound))

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
