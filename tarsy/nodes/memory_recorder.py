"""A ``Recorder`` that keeps records in memory: for Studio, embedding apps and unit tests.

It gives a graph run outside the service somewhere to put its stages and timeline, and lets the
caller read them back afterwards (``events``), without a database.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

from tarsy.config import ResolvedAgent
from tarsy.contracts import SubAgentOf
from tarsy.nodes.context import LLMInteraction, MCPInteraction
from tarsy.nodes.replay import AgentHistory, history_from_rows

log = logging.getLogger(__name__)


@dataclass
class RecordedEvent:
    kind: str
    data: dict[str, Any]


@dataclass
class MemoryRecorder:
    events: list[RecordedEvent] = field(default_factory=list)
    timeline: dict[str, dict[str, Any]] = field(default_factory=dict)
    llm_calls: list[LLMInteraction] = field(default_factory=list)
    mcp_calls: list[MCPInteraction] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _rows: dict[tuple[str, int] | tuple[str, int, int], str] = field(
        default_factory=dict
    )  # like the store's unique keys

    def _next(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def _add(self, kind: str, **data: Any) -> None:
        self.events.append(RecordedEvent(kind, data))
        log.debug("%s %s", kind, data)

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
    ) -> str:
        stage_id = self._rows.setdefault(("stage", stage_index), self._next("stage"))
        self._add("stage.started", stage_id=stage_id, stage_index=stage_index, name=name, stage_type=stage_type)
        return stage_id

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None:
        self._add("stage.finished", stage_id=stage_id, status=status, error=error)

    async def execution_started(
        self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str, parent: SubAgentOf | None = None
    ) -> str:
        dispatch = parent.dispatch_index if parent else 0
        execution_id = self._rows.setdefault((stage_id, agent_index, dispatch), self._next("exec"))
        sub = {"parent_execution_id": parent.execution_id, "task": parent.task} if parent else {}
        self._add("execution.started", execution_id=execution_id, stage_id=stage_id, agent=agent.display_name, **sub)
        return execution_id

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None:
        self._add("execution.finished", execution_id=execution_id, status=status, error=error)

    async def execution_fallback(self, execution_id: str, switch: dict[str, str]) -> None:
        self._add("execution.fallback", execution_id=execution_id, **switch)

    async def timeline_started(
        self,
        *,
        event_type: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        step = (metadata or {}).get("step")
        keyed = step is not None and execution_id is not None
        event_id = f"{execution_id}:{event_type}:{step}" if keyed else self._next("event")
        previous = self.timeline.get(event_id, {}).get("metadata", {})
        self.timeline[event_id] = {
            "event_type": event_type,
            "stage_id": stage_id,
            "execution_id": execution_id,
            "status": "streaming",
            "content": "",
            "metadata": {**previous, **(metadata or {})},
        }
        self._add("timeline.created", event_id=event_id, event_type=event_type)
        return event_id

    async def timeline_delta(self, event_id: str, delta: str) -> None:
        self.timeline[event_id]["content"] += delta

    async def timeline_completed(
        self,
        event_id: str,
        content: str,
        *,
        status: str = "completed",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        entry = self.timeline[event_id]
        entry.update(content=content, status=status)
        entry["metadata"].update(metadata or {})
        self._add("timeline.completed", event_id=event_id, status=status)

    async def timeline_event(
        self,
        *,
        event_type: str,
        content: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        event_id = await self.timeline_started(
            event_type=event_type, stage_id=stage_id, execution_id=execution_id, metadata=metadata
        )
        await self.timeline_completed(event_id, content)
        return event_id

    async def llm_interaction(self, record: LLMInteraction) -> str:
        self.llm_calls.append(record)
        return self._next("llm")

    async def mcp_interaction(self, record: MCPInteraction) -> str:
        self.mcp_calls.append(record)
        return self._next("mcp")

    async def agent_history(self, execution_id: str) -> AgentHistory:
        """What the execution recorded here: its answered model calls and its tool calls."""
        calls = [
            {"response": c.response, "provider": c.provider}
            for c in self.llm_calls
            if c.execution_id == execution_id
            and c.error is None
            and c.response is not None
            and c.interaction_type != "summarization"
        ]
        tools = [
            e
            for e in self.timeline.values()
            if e["execution_id"] == execution_id
            and e["event_type"] in ("llm_tool_call", "sub_agent_result")
            and "step" in e["metadata"]
        ]
        return history_from_rows(calls, tools)
