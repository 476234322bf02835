"""Masking at the two points where a run's output leaves the graph: the recorder and the model reply.

``MaskedRecorder`` wraps any ``Recorder``: every text and JSON value it writes (timeline content
and metadata, tool call arguments, interactions, errors) is masked with the outbound policy, and
live deltas are masked over a window per timeline event, so a secret split across two chunks of a
streamed reply or of live tool output is masked whole. ``RunContext`` wraps its recorder in one,
so a graph cannot record around it.

``mask_reply`` masks a model's reply before it enters the graph state (and so the checkpoint, the
next prompt and the final answer): its text, its reasoning and its tool call arguments. Provider
data (Gemini thought signatures, Anthropic signed thinking) is opaque and left as it is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage

from tarsy.config import ResolvedAgent
from tarsy.contracts import LLMInteraction, MCPInteraction, Recorder, SubAgentOf
from tarsy.errors import ProviderError
from tarsy.masking import StreamMasker
from tarsy.masking.outbound import OutputMasking
from tarsy.nodes.replay import AgentHistory, flush, history_of

_TEXT_KEYS = ("text", "thinking", "reasoning")


class MaskedRecorder:
    """A ``Recorder`` that masks everything before the wrapped one stores or streams it."""

    def __init__(self, inner: Recorder, masking: OutputMasking) -> None:
        self.inner = inner
        self.masking = masking
        self._streams: dict[str, StreamMasker] = {}

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
        return await self.inner.stage_started(
            stage_index=stage_index,
            name=name,
            stage_type=stage_type,
            expected_agents=expected_agents,
            success_policy=success_policy,
            parallel_type=parallel_type,
            referenced_stage_id=referenced_stage_id,
        )

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None:
        await self.inner.stage_finished(stage_id, status, self.masking.optional(error))

    async def execution_started(
        self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str, parent: SubAgentOf | None = None
    ) -> str:
        if parent is not None:  # the task is the model's words: masked like everything it writes
            parent = SubAgentOf(parent.execution_id, parent.dispatch_index, self.masking.text(parent.task))
        return await self.inner.execution_started(
            stage_id=stage_id, agent_index=agent_index, agent=agent, model=model, parent=parent
        )

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None:
        await self.inner.execution_finished(execution_id, status, self.masking.optional(error))

    async def execution_fallback(self, execution_id: str, switch: dict[str, str]) -> None:
        await self.inner.execution_fallback(execution_id, {**switch, "reason": self.masking.text(switch["reason"])})

    async def timeline_started(
        self, *, event_type: str, stage_id: str | None, execution_id: str | None, metadata: dict[str, Any] | None = None
    ) -> str:
        return await self.inner.timeline_started(
            event_type=event_type, stage_id=stage_id, execution_id=execution_id, metadata=self._metadata(metadata)
        )

    async def timeline_delta(self, event_id: str, delta: str) -> None:
        stream = self._streams.get(event_id)
        if stream is None:
            stream = self._streams[event_id] = self.masking.stream()
        released = stream.feed(delta)
        if released:
            await self.inner.timeline_delta(event_id, released)

    async def timeline_completed(
        self, event_id: str, content: str, *, status: str = "completed", metadata: dict[str, Any] | None = None
    ) -> None:
        stream = self._streams.pop(event_id, None)
        if stream is not None:
            rest = stream.flush()
            if rest:
                await self.inner.timeline_delta(event_id, rest)
        await self.inner.timeline_completed(
            event_id, self.masking.text(content), status=status, metadata=self._metadata(metadata)
        )

    async def timeline_event(
        self,
        *,
        event_type: str,
        content: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        return await self.inner.timeline_event(
            event_type=event_type,
            content=self.masking.text(content),
            stage_id=stage_id,
            execution_id=execution_id,
            metadata=self._metadata(metadata),
        )

    async def llm_interaction(self, record: LLMInteraction) -> str:
        masked = replace(
            record,
            request_messages=self.masking.value(record.request_messages),
            response=None if record.response is None else self.masking.value(record.response),
            thinking=self.masking.text(record.thinking),
            error=self.masking.optional(record.error),
        )
        return await self.inner.llm_interaction(masked)

    async def mcp_interaction(self, record: MCPInteraction) -> str:
        masked = replace(
            record,
            arguments=self.masking.value(record.arguments),
            result=self.masking.optional(record.result),
            error=self.masking.optional(record.error),
        )
        return await self.inner.mcp_interaction(masked)

    async def flush(self) -> None:
        await flush(self.inner)

    async def agent_history(self, execution_id: str) -> AgentHistory:
        return await history_of(self.inner, execution_id)

    def _metadata(self, metadata: dict[str, Any] | None) -> dict[str, Any] | None:
        if metadata is None:
            return None
        masked = self.masking.value(metadata)
        return masked if isinstance(masked, dict) else {"redacted": masked}


def mask_reply(reply: AIMessage, masking: OutputMasking) -> AIMessage:
    """The reply with its text, reasoning and tool call arguments masked (a new message)."""
    content: str | list[Any] = reply.content
    masked = masking.text(content) if isinstance(content, str) else [_mask_block(b, masking) for b in content]
    tool_calls = [{**call, "args": _mask_args(call["args"], masking)} for call in reply.tool_calls]
    invalid = [{**call, "args": masking.optional(call.get("args"))} for call in reply.invalid_tool_calls]
    return reply.model_copy(update={"content": masked, "tool_calls": tool_calls, "invalid_tool_calls": invalid})


def mask_provider_error(error: ProviderError, masking: OutputMasking) -> ProviderError:
    """A provider's error quotes what it was sent (a prompt, a key): its message is masked."""
    return ProviderError(masking.text(str(error)), error.category)


def _mask_block(block: Any, masking: OutputMasking) -> Any:
    if isinstance(block, str):
        return masking.text(block)
    if not isinstance(block, dict):
        return block
    masked = dict(block)
    for key in _TEXT_KEYS:
        if isinstance(masked.get(key), str):
            masked[key] = masking.text(masked[key])
    return masked


def _mask_args(args: Any, masking: OutputMasking) -> dict[str, Any]:
    masked = masking.value(args)
    return masked if isinstance(masked, dict) else {"redacted": masked}
