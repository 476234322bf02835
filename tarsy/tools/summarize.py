"""Summarizing a tool result too large for the agent's context, with an LLM call of its own.

The input is the already masked result: the summarizing model sees nothing the agent could not
see. The full masked result stays in the stored MCP interaction; the agent gets the summary with a
note saying that it is one. When the summary cannot be made, the agent gets the masked result cut
to a fixed size instead, so a provider outage never fails the tool call.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from tarsy.config import SummarizationConfig
from tarsy.contracts import LLMInteraction, ModelProvider, Recorder, ToolOutcome, ToolScope
from tarsy.llm.messages import messages_to_dicts
from tarsy.llm.usage import prompt_chars, token_fields

log = logging.getLogger(__name__)

SUMMARIZER_NAME = "ToolResultSummarizer"
CHARS_PER_TOKEN = 4
MAX_INPUT_CHARS = 400_000
"""The part of a huge result the summarizer reads (about 100k tokens)."""
MAX_CONTEXT_CHARS = 8_000


def estimate_tokens(text: str) -> int:
    return -(-len(text) // CHARS_PER_TOKEN)


def needs_summary(text: str, config: SummarizationConfig) -> bool:
    return config.enabled and estimate_tokens(text) > config.size_threshold_tokens


@dataclass(frozen=True)
class SummaryRequest:
    name: str  # canonical server.tool
    server: str
    tool: str
    arguments: dict[str, Any]
    text: str  # masked
    provider: str
    max_tokens: int
    fallbacks: tuple[str, ...] = ()
    """Providers to try next, in order, when ``provider`` fails (the agent's ``fallback_providers``)."""


class Summarizer:
    def __init__(
        self, models: ModelProvider, recorder: Recorder, *, context: str | None, fallback_max_chars: int
    ) -> None:
        self._models = models
        self._recorder = recorder
        self._context = context
        self._fallback_max_chars = fallback_max_chars

    async def summarize(self, request: SummaryRequest, scope: ToolScope) -> ToolOutcome:
        """The summary from the first provider that gives one; the truncated output when none does.

        A summary is one short call, so a failing provider is left at once for the next fallback.
        """
        tokens = estimate_tokens(request.text)
        messages = self._prompt(request, tokens)
        for provider in dict.fromkeys((request.provider, *request.fallbacks)):
            summary = await self._summary_from(provider, request, scope, messages)
            if summary is not None:
                return await self._deliver(request, scope, summary, tokens)
        # Summarizing is an optimisation: when every provider fails the agent still gets the
        # (masked, truncated) result. Each failure is recorded as its interaction's error.
        return self._fallback(request, tokens)

    async def _summary_from(
        self, provider: str, request: SummaryRequest, scope: ToolScope, messages: list[BaseMessage]
    ) -> str | None:
        started = time.monotonic()
        record: dict[str, Any] = {
            "stage_id": scope.stage_id,
            "execution_id": scope.execution_id,
            "interaction_type": "summarization",
            "provider": provider,
            "model": "",
            "conversation_offset": 0,
            "request_messages": messages_to_dicts(messages),
            "tools": [],
            "thinking": "",
        }
        try:
            record["model"] = self._models.model_name(provider)
            reply = await self._models.model_for(provider).ainvoke(messages)
            summary = _cap(reply.text.strip(), request.max_tokens * CHARS_PER_TOKEN)
            if not summary:
                raise ValueError("the model returned an empty summary")
        except Exception as exc:
            log.warning("summarizing %s with %s failed: %s", request.name, provider, type(exc).__name__)
            await self._recorder.llm_interaction(_failed_call(record, started, exc))
            return None
        await self._recorder.llm_interaction(_answered_call(record, started, reply, messages))
        return summary

    async def _deliver(self, request: SummaryRequest, scope: ToolScope, summary: str, tokens: int) -> ToolOutcome:
        """Show the summary in the timeline and hand it to the agent with a note that it is one."""
        await self._recorder.timeline_event(
            event_type="mcp_tool_summary",
            content=summary,
            stage_id=scope.stage_id,
            execution_id=scope.execution_id,
            metadata={
                "server": request.server,
                "tool": request.tool,
                "original_tokens": tokens,
                "tool_call_event_id": scope.timeline_event_id,
            },
        )
        note = (
            f"[NOTE: The output of {request.name} was {tokens} tokens and has been summarized to preserve "
            "context space. The summary keeps the findings relevant to the investigation; call the tool with "
            "narrower arguments if you need details it leaves out.]"
        )
        return ToolOutcome(f"{note}\n{summary}", summarized=True, metadata={"original_tokens": tokens})

    def _prompt(self, request: SummaryRequest, tokens: int) -> list[BaseMessage]:
        system = (
            f"You are {SUMMARIZER_NAME}, an agent of TARSy.\n"
            "An SRE agent investigating an alert called a tool whose output is too long for its context. "
            "Summarize the output for that agent. Keep every fact that matters to the investigation: resource "
            "names, states, error messages (quoted exactly), exit codes, reasons, timestamps, counts and anything "
            "abnormal. Collapse repetition and healthy noise, saying what you collapsed (e.g. '40 more pods "
            "Running'). Never add anything that is not in the output. "
            f"Answer in plain text, in at most {request.max_tokens} tokens."
        )
        text = request.text
        if len(text) > MAX_INPUT_CHARS:
            text = text[:MAX_INPUT_CHARS] + f"\n[... output cut at {MAX_INPUT_CHARS} characters ...]"
        parts = []
        if self._context:
            parts.append(f"Investigation context:\n{_cap(self._context, MAX_CONTEXT_CHARS)}")
        parts.append(f"Tool: {request.name}\nArguments: {json.dumps(request.arguments, ensure_ascii=False)}")
        parts.append(f"Output (about {tokens} tokens):\n<output>\n{text}\n</output>")
        return [SystemMessage(system), HumanMessage("\n\n".join(parts))]

    def _fallback(self, request: SummaryRequest, tokens: int) -> ToolOutcome:
        limit = self._fallback_max_chars
        note = (
            f"\n[NOTE: The output of {request.name} was {tokens} tokens; summarizing it failed, so it was "
            f"truncated to its first {limit} characters.]"
        )
        return ToolOutcome(_cap(request.text, limit) + note, metadata={"original_tokens": tokens, "truncated": True})


def _failed_call(record: dict[str, Any], started: float, exc: Exception) -> LLMInteraction:
    return LLMInteraction(
        **record,
        response=None,
        input_tokens=0,
        output_tokens=0,
        thinking_tokens=0,
        duration_ms=_ms(started),
        error=f"{type(exc).__name__}: {exc}",
    )


def _answered_call(
    record: dict[str, Any], started: float, reply: BaseMessage, messages: list[BaseMessage]
) -> LLMInteraction:
    return LLMInteraction(
        **record,
        response=messages_to_dicts([reply])[0],
        duration_ms=_ms(started),
        **token_fields(reply, prompt_chars=prompt_chars(messages)),
    )


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
