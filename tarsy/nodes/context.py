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
    """Run-scoped dependencies of a session graph."""

    session_id: str
    config: TarsyConfig
    recorder: Recorder
    models: ModelProvider
    tools: ToolExecutor
    native_tools_off: frozenset[str] = frozenset()
    """Gemini built-in tools the alert switched off for this session (agents turn them on)."""


def context_resolver(default: RunContext | None, graph: str) -> Callable[[Runtime[RunContext]], RunContext]:
    """The context of a run: the one passed with ``context=``, else the graph's default (Studio)."""

    def context_of(runtime: Runtime[RunContext]) -> RunContext:
        ctx = runtime.context or default
        if ctx is None:
            raise RuntimeError(f"the {graph} graph needs a RunContext (pass context= when invoking it)")
        return ctx

    return context_of
