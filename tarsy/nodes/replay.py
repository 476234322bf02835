"""What an agent execution already did, read back from its records so a re-run repeats none of it.

The agent loop keeps its transcript in memory and stores it once, in the records: each model call
(``llm_interactions``, with the messages it added and its reply) and each tool call (its
``llm_tool_call`` timeline event, keyed by ``metadata.step``). When the loop runs again for the
same execution (a crashed worker's session resumed, a LangGraph retry, a resume after
``interrupt()``), it replays: a model call that has a stored reply takes that reply instead of
calling the provider, a tool call with a stored result takes the result instead of running. The
loop's own decisions are deterministic, so the replay rebuilds the same conversation and goes on
where the records end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from langchain_core.messages import AIMessage


@dataclass(frozen=True)
class StoredTool:
    content: str
    is_error: bool
    completed: bool  # False: started (and maybe interrupted) but without a result
    interrupts: int = 0  # how many LangGraph interrupts the call raised
    metadata: dict[str, Any] = field(default_factory=dict)  # what the call recorded (a dispatch's execution)


@dataclass(frozen=True)
class Delivery:
    """A sub-agent's result as the parent received it, before one of its model calls."""

    sub_execution_id: str
    content: str


@dataclass
class AgentHistory:
    replies: list[AIMessage] = field(default_factory=list)  # answered model calls, oldest first
    tools: dict[str, StoredTool] = field(default_factory=dict)  # tool calls by step
    provider: str | None = None  # of the last answered call: a resumed run stays on a fallback
    deliveries: dict[int, list[Delivery]] = field(default_factory=dict)  # sub-agent results by model call

    def reply(self, iteration: int) -> AIMessage | None:
        return self.replies[iteration] if iteration < len(self.replies) else None


@runtime_checkable
class ReplaySource(Protocol):
    """A recorder that can read an execution's records back (the database's, the in-memory one)."""

    async def agent_history(self, execution_id: str) -> AgentHistory: ...


def reply_from_dict(response: dict[str, Any]) -> AIMessage:
    """A stored reply (``tarsy.llm.messages`` form) as the message the loop decides on."""
    calls = [
        {"id": c.get("id"), "name": str(c["name"]), "args": dict(c.get("arguments") or {}), "type": "tool_call"}
        for c in response.get("tool_calls") or []
    ]
    return AIMessage(content=str(response.get("content") or ""), tool_calls=calls)


def tool_step(iteration: int, index: int) -> str:
    """The step key of the ``index``-th tool call requested by model call ``iteration``."""
    return f"{iteration}.{index}"


DELIVERY_EVENT = "sub_agent_result"
"""The timeline event of a sub-agent result handed to its parent (keyed by the parent's model call)."""


def stored_tool(content: str, status: str, metadata: dict[str, Any]) -> StoredTool:
    completed = status == "completed"
    interrupts = int(metadata.get("interrupts") or 0)
    return StoredTool(content, bool(metadata.get("is_error")), completed, interrupts, metadata)


def history_from_rows(calls: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]]) -> AgentHistory:
    history = AgentHistory(replies=[reply_from_dict(dict(c["response"])) for c in calls])
    if calls:
        history.provider = calls[-1].get("provider")
    for row in tools:
        metadata = dict(row["metadata"])
        if row.get("event_type") == DELIVERY_EVENT:
            delivery = Delivery(str(metadata["sub_execution_id"]), str(row["content"]))
            history.deliveries.setdefault(int(metadata["delivered_at"]), []).append(delivery)
            continue
        history.tools[str(metadata["step"])] = stored_tool(str(row["content"]), str(row["status"]), metadata)
    return history


async def history_of(recorder: object, execution_id: str | None) -> AgentHistory:
    """The execution's history when the recorder can read one back; empty otherwise."""
    if execution_id is None or not isinstance(recorder, ReplaySource):
        return AgentHistory()
    return await recorder.agent_history(execution_id)


async def flush(recorder: object) -> None:
    """Write what a batching recorder holds (the end of a step); a no-op for the others."""
    write = getattr(recorder, "flush", None)
    if write is not None:
        await write()
