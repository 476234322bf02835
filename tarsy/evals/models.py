"""The models of an evaluation run: the offline scripted model, and the capture of every model input.

Offline, every agent is a ``ScriptedChatModel`` that follows the scenario's ``ideal_path`` (one call
per turn) and then answers its ``reference_analysis``. That proves the harness (replay server,
masking, recording, checks), not any model. ``CapturingModels`` wraps any ``ModelProvider`` so
that everything a model is sent is kept for the secret-leak check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from tarsy.contracts import ModelProvider
from tarsy.evals.scenario import Scenario
from tarsy.llm.scripted import ANY_AGENT, ScriptedChatModel
from tarsy.tools.names import to_wire

OFFLINE_MODEL = "scripted-offline"
OFFLINE_LABEL = "offline: proves the harness, not the model"
SUMMARIZER = "ToolResultSummarizer"
EXEC_SUMMARY = "ExecSummaryAgent"


def offline_script(scenario: Scenario, server: str) -> dict[str, Any]:
    """The script: each ideal-path step as one tool call, then the reference analysis."""
    turns: list[dict[str, Any]] = [
        {
            "thinking": f"Offline scripted model, ideal path step {i + 1}.",
            "tool_calls": [{"name": to_wire(f"{server}.{step.tool}"), "args": step.args, "id": f"call_{i}"}],
        }
        for i, step in enumerate(scenario.spec.ideal_path)
    ]
    turns.append({"text": scenario.spec.reference_analysis})
    first = scenario.spec.reference_analysis.strip().splitlines()[0]
    return {
        "chunk_chars": 4096,
        "agents": {
            SUMMARIZER: [{"text": "Offline scripted summary of a long tool result."}],
            EXEC_SUMMARY: [{"text": f"{first} ({OFFLINE_LABEL})"}],
            ANY_AGENT: turns,
        },
    }


class OfflineModels:
    """A ``ModelProvider`` serving the scenario's script for every provider name."""

    def __init__(self, scenario: Scenario, server: str) -> None:
        self._model = ScriptedChatModel(script=offline_script(scenario, server), model_name=OFFLINE_MODEL)

    def model_for(self, provider_name: str) -> BaseChatModel:
        return self._model

    def model_name(self, provider_name: str) -> str:
        return OFFLINE_MODEL


@dataclass
class InputCapture(AsyncCallbackHandler):
    """Keeps the text of every message sent to a model (what a provider would receive)."""

    texts: list[str] = field(default_factory=list)

    async def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        for conversation in messages:
            self.texts.extend(_message_text(m) for m in conversation)


def _message_text(message: BaseMessage) -> str:
    calls = getattr(message, "tool_calls", None) or []
    return "\n".join([str(message.content), *(str(c.get("args")) for c in calls)])


class CapturingModels:
    """``inner``'s models, each reporting its inputs to ``capture``."""

    def __init__(self, inner: ModelProvider, capture: InputCapture) -> None:
        self._inner = inner
        self._capture = capture
        self._cache: dict[str, BaseChatModel] = {}

    def model_for(self, provider_name: str) -> BaseChatModel:
        model = self._cache.get(provider_name)
        if model is None:
            base = self._inner.model_for(provider_name)
            model = base.model_copy(update={"callbacks": [*(base.callbacks or []), self._capture]})  # type: ignore[misc]
            self._cache[provider_name] = model
        return model

    def model_name(self, provider_name: str) -> str:
        return self._inner.model_name(provider_name)
