"""One recorded model call: the interaction row is written whether the provider answers or fails."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.errors import GraphBubbleUp
from langgraph.types import RetryPolicy

from tarsy.config.sections import LlmRetryConfig
from tarsy.contracts import LLMInteraction, Recorder
from tarsy.errors import StoreUnavailableError
from tarsy.llm.errors import classify
from tarsy.llm.messages import messages_to_dicts
from tarsy.llm.usage import token_fields
from tarsy.nodes.streaming import chunk_parts


@dataclass(frozen=True)
class CallRecord:
    """What is known of a model call before it is made."""

    stage_id: str | None
    execution_id: str | None
    interaction_type: str
    provider: str
    model: str
    conversation_offset: int
    request_messages: list[dict[str, Any]]
    tools: list[str]
    prompt_chars: int = 0
    """Characters of the whole prompt sent, for the estimate when the provider reports no usage."""

    def _known(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "prompt_chars"}

    def answered(self, reply: AIMessage, duration_ms: int) -> LLMInteraction:
        thinking = chunk_parts(reply)[0]
        fields: dict[str, Any] = {
            **self._known(),
            "response": messages_to_dicts([reply])[0],
            "thinking": thinking,
            "duration_ms": duration_ms,
        }
        return LLMInteraction(**fields, **token_fields(reply, prompt_chars=self.prompt_chars, thinking=thinking))

    def failed(self, error: str, duration_ms: int) -> LLMInteraction:
        return LLMInteraction(
            **self._known(),
            response=None,
            thinking="",
            input_tokens=0,
            output_tokens=0,
            thinking_tokens=0,
            duration_ms=duration_ms,
            error=error,
        )


async def recorded_model_call(
    recorder: Recorder,
    record: CallRecord,
    call: Callable[[], Awaitable[AIMessage]],
    *,
    explain: Callable[[Exception], Exception],
    finish: Callable[[AIMessage], AIMessage] = lambda reply: reply,
) -> AIMessage:
    """Make ``call`` and store its interaction.

    A failure is stored with the message of ``explain(exc)``, which is then raised (from ``exc``);
    ``finish`` prepares a reply before it is stored (masking). Database outages and LangGraph's
    control flow (``interrupt()``) pass through unrecorded: neither is the provider's answer.
    """
    started = time.monotonic()
    try:
        reply = await call()
    except (StoreUnavailableError, GraphBubbleUp):
        raise
    except Exception as exc:
        error = explain(exc)
        await recorder.llm_interaction(record.failed(str(error), _ms(started)))
        raise error from exc
    reply = finish(reply)
    await recorder.llm_interaction(record.answered(reply, _ms(started)))
    return reply


log = logging.getLogger(__name__)

TRANSIENT = frozenset({"rate_limit", "timeout", "provider_down"})


def is_transient(exc: Exception) -> bool:
    """A failure worth another attempt: rate limits, timeouts, 5xx, lost connections (not auth, not 4xx)."""
    return classify(exc) in TRANSIENT


def retry_policy(config: LlmRetryConfig) -> RetryPolicy:
    """``defaults.llm_retry`` as LangGraph's ``RetryPolicy``, retrying transient provider failures only."""
    return RetryPolicy(
        initial_interval=config.initial_interval,
        backoff_factor=config.backoff_factor,
        max_interval=config.max_interval,
        max_attempts=config.max_attempts,
        retry_on=is_transient,
    )


async def retrying(call: Callable[[], Awaitable[AIMessage]], policy: RetryPolicy) -> AIMessage:
    """``call`` again after a failure ``policy.retry_on`` accepts, with its back-off, up to its attempts."""
    interval = policy.initial_interval
    attempt = 1
    while True:
        try:
            return await call()
        except (StoreUnavailableError, GraphBubbleUp):
            raise
        except Exception as exc:
            retry_on = policy.retry_on
            transient = retry_on(exc) if callable(retry_on) else isinstance(exc, tuple(retry_on))
            if attempt >= policy.max_attempts or not transient:
                raise
            pause = min(interval, policy.max_interval) * (1 + random.random() / 4 if policy.jitter else 1)
            log.warning("model call failed (%s); attempt %d in %.1fs", type(exc).__name__, attempt + 1, pause)
            await asyncio.sleep(pause)
            interval *= policy.backoff_factor
            attempt += 1


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
