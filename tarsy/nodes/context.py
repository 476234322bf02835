"""What a graph run needs from the outside world, passed in the LangGraph runtime context.

Nodes never reach for globals: the session id, where records and events go, how to get a chat
model and how to run a tool all arrive here. The service fills it with database-backed
implementations; LangGraph Studio and embedding apps bring their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool

from tarsy.config import ResolvedAgent, TarsyConfig


class Recorder(Protocol):
    """Where a run writes its stages, executions and timeline (and thereby its live events)."""

    async def stage_started(
        self,
        *,
        stage_index: int,
        name: str,
        stage_type: str,
        expected_agents: int,
        success_policy: str,
        parallel_type: str,
        referenced_stage_id: str | None = None,
    ) -> str: ...

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None: ...

    async def execution_started(self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str) -> str: ...

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None: ...

    async def timeline_started(
        self,
        *,
        event_type: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str: ...

    async def timeline_delta(self, event_id: str, delta: str) -> None: ...

    async def timeline_completed(
        self,
        event_id: str,
        content: str,
        *,
        status: str = "completed",
        metadata: dict[str, Any] | None = None,
    ) -> None: ...

    async def timeline_event(
        self,
        *,
        event_type: str,
        content: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str: ...


class ModelProvider(Protocol):
    """Builds the chat model for a named provider (``llm-providers.yaml`` entry)."""

    def model_for(self, provider_name: str) -> BaseChatModel: ...

    def model_name(self, provider_name: str) -> str: ...


class ToolProvider(Protocol):
    """The tools an agent may call, as LangChain tools named ``server__tool`` on the wire."""

    async def tools_for(self, agent: ResolvedAgent) -> list[BaseTool]: ...


@dataclass(frozen=True)
class RunContext:
    """Run-scoped dependencies of a session graph."""

    session_id: str
    config: TarsyConfig
    recorder: Recorder
    models: ModelProvider
    tools: ToolProvider
