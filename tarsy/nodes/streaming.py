"""Turning a model's streamed chunks into timeline events: thinking and response, live."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable, RunnableConfig

from tarsy.llm.errors import StreamTimeoutError
from tarsy.nodes.context import Recorder


@dataclass(frozen=True)
class StreamDeadlines:
    """Longest silence before the first chunk (``initial``) and between chunks (``stall``), in seconds."""

    initial: float
    stall: float


def chunk_parts(chunk: AIMessage) -> tuple[str, str]:
    """Return (reasoning, text) of a chunk or message, across providers' content shapes."""
    reasoning: list[str] = []
    text: list[str] = []
    for block in chunk.content_blocks:
        kind = block.get("type")
        if kind == "text":
            text.append(str(block.get("text", "")))
        elif kind == "reasoning":
            reasoning.append(str(block.get("reasoning", "")))
        elif kind == "non_standard":
            value: Any = block.get("value")
            if isinstance(value, dict) and value.get("type") == "thinking":
                reasoning.append(str(value.get("thinking", "")))
    return "".join(reasoning), "".join(text)


class _LiveEvent:
    """A timeline event opened on the first delta and completed with the whole text."""

    def __init__(
        self, recorder: Recorder, event_type: str, stage_id: str | None, execution_id: str | None, step: str | None
    ) -> None:
        self._recorder = recorder
        self._metadata = None if step is None else {"step": step}
        self._event_type = event_type
        self._stage_id = stage_id
        self._execution_id = execution_id
        self.event_id: str | None = None
        self.parts: list[str] = []

    async def add(self, delta: str) -> None:
        if not delta:
            return
        if self.event_id is None:
            self.event_id = await self._recorder.timeline_started(
                event_type=self._event_type,
                stage_id=self._stage_id,
                execution_id=self._execution_id,
                metadata=self._metadata,
            )
        self.parts.append(delta)
        await self._recorder.timeline_delta(self.event_id, delta)

    async def close(self, status: str = "completed") -> None:
        if self.event_id is not None:
            await self._recorder.timeline_completed(self.event_id, "".join(self.parts), status=status)


async def stream_model_call(
    model: Runnable[LanguageModelInput, BaseMessage],
    messages: Sequence[BaseMessage],
    *,
    recorder: Recorder,
    stage_id: str | None,
    execution_id: str | None,
    run_config: RunnableConfig | None = None,
    step: str | None = None,
    deadlines: StreamDeadlines | None = None,
) -> AIMessage:
    """Stream one model call, emitting ``llm_thinking`` and ``llm_response`` events as it goes.

    With ``step`` (the agent's model call number) the events carry it, so a call made again after
    a crash resets its events instead of adding new ones. With ``deadlines`` a stream that stays
    silent too long is cut with :class:`StreamTimeoutError` (one timer, moved on at each chunk).
    """
    thinking = _LiveEvent(recorder, "llm_thinking", stage_id, execution_id, step)
    response = _LiveEvent(recorder, "llm_response", stage_id, execution_id, step)
    merged: AIMessageChunk | None = None
    loop = asyncio.get_running_loop()
    first = True
    try:
        async with asyncio.timeout(None if deadlines is None else deadlines.initial) as timer:
            stream: AsyncIterator[BaseMessage] = model.astream(list(messages), config=run_config)
            async for piece in stream:
                if deadlines is not None:
                    timer.reschedule(loop.time() + deadlines.stall)
                first = False
                if not isinstance(piece, AIMessageChunk):
                    continue
                merged = piece if merged is None else merged + piece
                reasoning, text = chunk_parts(piece)
                await thinking.add(reasoning)
                await response.add(text)
    except TimeoutError as exc:
        await thinking.close("failed")
        await response.close("failed")
        if deadlines is None or not timer.expired():
            raise
        kind, limit = ("first chunk", deadlines.initial) if first else ("next chunk", deadlines.stall)
        raise StreamTimeoutError(f"the stream stayed silent: no {kind} within {limit:g}s") from exc
    except BaseException:
        await thinking.close("failed")
        await response.close("failed")
        raise
    await thinking.close()
    await response.close()
    if merged is None:
        return AIMessage(content="")
    return AIMessage(
        content=merged.content,
        tool_calls=merged.tool_calls,
        invalid_tool_calls=merged.invalid_tool_calls,
        # Providers keep state here that must go back on the next call (Gemini thought signatures).
        additional_kwargs=merged.additional_kwargs,
        usage_metadata=merged.usage_metadata,
        response_metadata=merged.response_metadata,
        id=merged.id,
    )
