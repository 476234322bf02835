"""The token counts of a model reply, as reported by its provider or, when it reports none, estimated."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

CHARS_PER_TOKEN = 4
"""The estimate of a call's tokens when its provider reports none."""


def estimate_tokens(chars: int) -> int:
    """Tokens of ``chars`` characters of text, rounded up (an estimate, marked so where stored)."""
    return -(-max(chars, 0) // CHARS_PER_TOKEN)


def prompt_chars(messages: list[BaseMessage]) -> int:
    return sum(len(str(m.content)) for m in messages)


def token_fields(reply: BaseMessage, *, prompt_chars: int, thinking: str = "") -> dict[str, Any]:
    """``LLMInteraction``'s token keys for ``reply``.

    LangChain's ``usage_metadata`` counts cached prompt tokens inside ``input_tokens``
    (``input_token_details.cache_read``) and reasoning inside ``output_tokens``
    (``output_token_details.reasoning``). A reply without usage gets chars/4 estimates, marked.
    """
    usage: dict[str, Any] = dict(reply.usage_metadata or {}) if isinstance(reply, AIMessage) else {}
    if not usage.get("input_tokens") and not usage.get("output_tokens"):
        calls = reply.tool_calls if isinstance(reply, AIMessage) else []
        answer = len(reply.text) + len(thinking) + (len(json.dumps(calls, default=str)) if calls else 0)
        return {
            "input_tokens": estimate_tokens(prompt_chars),
            "output_tokens": estimate_tokens(answer),
            "thinking_tokens": 0,
            "tokens_estimated": True,
        }
    details: dict[str, Any] = dict(usage.get("output_token_details") or {})
    cache: dict[str, Any] = dict(usage.get("input_token_details") or {})
    return {
        "input_tokens": int(usage.get("input_tokens", 0)),
        "output_tokens": int(usage.get("output_tokens", 0)),
        "thinking_tokens": int(details.get("reasoning", 0) or 0),
        "cached_tokens": int(cache.get("cache_read", 0) or 0),
    }
