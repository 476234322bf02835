"""A real ``BaseChatModel`` that plays a script: the offline demo and the tests' LLM.

Turns are routed by agent name, read from the role line every TARSy system prompt starts with
("You are <agent>, an agent of TARSy."; see ``tarsy.nodes.prompts``), falling back to ``"*"``; a
replica ``Agent-2`` falls back to ``Agent``. The turn number is the count of assistant messages
already in the conversation, so the model is stateless: a resumed run, a parallel branch or a
second process gets the same answer for the same conversation.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import Field

ANY_AGENT = "*"
_ROLE = re.compile(r"You are (?P<name>[^,\n]+), an agent of TARSy\.")
_REPLICA = re.compile(r"^(?P<base>.+)-\d+$")


def agent_of(messages: Sequence[BaseMessage]) -> list[str]:
    """Candidate script keys for this conversation, most specific first."""
    for message in messages:
        if isinstance(message, SystemMessage):
            found = _ROLE.search(message.text)
            if found:
                name = found["name"].strip()
                replica = _REPLICA.match(name)
                return [name, replica["base"]] if replica else [name]
    return []


DEMO_SCRIPT = "demo"
"""The one bundled script: the offline demo's investigation (``tarsy/demo/script.json``)."""


def load_script(source: str) -> dict[str, Any]:
    """A bundled script by name (``demo``) or a JSON file path."""
    if source.endswith(".json") or "/" in source:
        data: dict[str, Any] = json.loads(Path(source).read_text("utf-8"))
        return data
    if source != DEMO_SCRIPT:
        raise FileNotFoundError(
            f"no bundled script {source!r}; the bundled one is {DEMO_SCRIPT!r}, or give a .json path"
        )
    text = (resources.files("tarsy.demo") / "script.json").read_text("utf-8")
    bundled: dict[str, Any] = json.loads(text)
    return bundled


class ScriptedChatModel(BaseChatModel):
    script: dict[str, Any] = Field(default_factory=dict)
    model_name: str = "scripted"

    @property
    def _llm_type(self) -> str:
        return "tarsy-scripted"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        # The script decides which tools are called; binding only has to be accepted.
        return self

    def _turn(self, messages: list[BaseMessage]) -> dict[str, Any]:
        agents: dict[str, list[dict[str, Any]]] = self.script.get("agents", {})
        keys = [*agent_of(messages), ANY_AGENT]
        turns = next((agents[k] for k in keys if k in agents), [{"text": "No script for this agent."}])
        # A turn with "when" applies only when the end of the latest user message contains that text
        # (where the question of a chat turn is), e.g. to answer two chat questions differently.
        humans = [m.text for m in messages if isinstance(m, HumanMessage)]
        asked = humans[-1][-300:] if humans else ""
        turns = [t for t in turns if "when" not in t or str(t["when"]) in asked] or turns
        index = sum(1 for m in messages if isinstance(m, AIMessage))
        turn = turns[min(index, len(turns) - 1)]
        if turn.get("echo") and "when" in turn:
            # An "echo" turn answers with its text plus what the question says after "when" (a
            # browser test uses it to make the answer carry a URL only the test knows).
            turn = {**turn, "text": str(turn.get("text", "")) + asked.split(str(turn["when"]), 1)[-1].strip()}
        return turn

    def _chunks(self, turn: dict[str, Any], messages: list[BaseMessage]) -> Iterator[AIMessageChunk]:
        size = int(self.script.get("chunk_chars", 24))
        thinking = str(turn.get("thinking", ""))
        for i in range(0, len(thinking), size):
            yield AIMessageChunk(content=[{"type": "reasoning", "reasoning": thinking[i : i + size]}])
        text = str(turn.get("text", ""))
        for i in range(0, len(text), size):
            yield AIMessageChunk(content=text[i : i + size])
        calls = turn.get("tool_calls", [])
        if calls:
            yield AIMessageChunk(
                content="",
                tool_call_chunks=[
                    tool_call_chunk(
                        name=c["name"],
                        args=json.dumps(c.get("args", {})),
                        id=c.get("id", f"call_{n}"),
                        index=n,
                    )
                    for n, c in enumerate(calls)
                ],
            )
        yield AIMessageChunk(
            content="",
            usage_metadata=_usage(turn, messages, len(text) + len(thinking)),
            response_metadata={"model_name": self.model_name, "model_provider": "scripted"},
            chunk_position="last",
        )

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        turn = self._turn(messages)
        if turn.get("sleep_s"):
            await asyncio.sleep(float(turn["sleep_s"]))
        if turn.get("error"):
            raise RuntimeError(str(turn["error"]))
        delay = float(self.script.get("delay_ms", 0)) / 1000
        for chunk in self._chunks(turn, messages):
            if delay:
                await asyncio.sleep(delay)
            if run_manager and isinstance(chunk.content, str) and chunk.content:
                await run_manager.on_llm_new_token(chunk.content, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        merged: AIMessageChunk | None = None
        async for gen in self._astream(messages, stop, run_manager, **kwargs):
            merged = gen.message if merged is None else merged + gen.message  # type: ignore[assignment]
        return ChatResult(generations=[ChatGeneration(message=_to_message(merged))])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        turn = self._turn(messages)
        if turn.get("error"):
            raise RuntimeError(str(turn["error"]))
        merged: AIMessageChunk | None = None
        for chunk in self._chunks(turn, messages):
            merged = chunk if merged is None else merged + chunk
        return ChatResult(generations=[ChatGeneration(message=_to_message(merged))])


def _usage(turn: dict[str, Any], messages: list[BaseMessage], answer_chars: int) -> UsageMetadata | None:
    """What the provider reports: chars/4 counts, or the turn's ``usage`` (``null``: no report, as
    some OpenAI-compatible servers do; or ``{input_tokens, output_tokens, cache_read, reasoning}``)."""
    if "usage" in turn:
        given = turn["usage"]
        if given is None:
            return None
        usage = UsageMetadata(
            input_tokens=int(given["input_tokens"]),
            output_tokens=int(given["output_tokens"]),
            total_tokens=int(given["input_tokens"]) + int(given["output_tokens"]),
        )
        if given.get("cache_read"):
            usage["input_token_details"] = {"cache_read": int(given["cache_read"])}
        if given.get("reasoning"):
            usage["output_token_details"] = {"reasoning": int(given["reasoning"])}
        return usage
    prompt = sum(len(str(m.content)) for m in messages) // 4
    out = max(1, answer_chars // 4)
    return UsageMetadata(input_tokens=prompt, output_tokens=out, total_tokens=prompt + out)


def _to_message(chunk: AIMessageChunk | None) -> AIMessage:
    if chunk is None:
        return AIMessage(content="")
    return AIMessage(
        content=chunk.content,
        tool_calls=chunk.tool_calls,
        usage_metadata=chunk.usage_metadata,
        response_metadata=chunk.response_metadata,
    )
