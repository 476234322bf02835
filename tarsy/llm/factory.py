"""Chat models built from ``llm-providers.yaml`` entries.

Keys are read from the environment by the *name* the config gives (``api_key_env``), never from
YAML. In demo mode every provider is served by the scripted demo model, and ``model_name`` says so.

Each vendor SDK is imported when a provider of its type is first built, so the demo, the CLI and
the tests that use scripted models never load SDKs they do not need. What each config key becomes
on the wire is described in ``docs/providers.md``; the wire tests in ``tests/wire`` prove it
against local fakes of each vendor's streaming API.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Collection, Iterator, Mapping
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import Field

from tarsy.config import TarsyConfig
from tarsy.config.providers import (
    AnthropicProviderConfig,
    GoogleProviderConfig,
    OpenAIProviderConfig,
    ScriptedProviderConfig,
    VertexAIProviderConfig,
    XAIProviderConfig,
)
from tarsy.errors import ProviderError
from tarsy.llm.scripted import ScriptedChatModel, load_script
from tarsy.settings import process_environment

XAI_BASE_URL = "https://api.x.ai/v1"
ANTHROPIC_ANSWER_TOKENS = 8192
"""Anthropic requires ``max_tokens``; without one configured, this much room is left for the answer
(on top of the thinking budget when extended thinking is on)."""
VERTEX_DEFAULT_LOCATION = "us-central1"


class ModelFactory:
    """Implements the ``ModelProvider`` seam; caches one model object per provider name."""

    def __init__(
        self,
        config: TarsyConfig,
        *,
        env: Mapping[str, str] | None = None,
        demo: bool = False,
        demo_script: str = "demo",
    ) -> None:
        self._config = config
        self._env = process_environment() if env is None else env
        self._demo = demo
        self._demo_script = demo_script
        self._cache: dict[str, BaseChatModel] = {}

    @property
    def demo(self) -> bool:
        return self._demo

    @property
    def config(self) -> TarsyConfig:
        return self._config

    def model_name(self, provider_name: str) -> str:
        if self._demo:
            return "scripted-demo"
        return self._config.provider(provider_name).model

    def model_for(self, provider_name: str) -> BaseChatModel:
        model = self._cache.get(provider_name)
        if model is None:
            model = self._cache[provider_name] = self._build(provider_name)
        return model

    def _key(self, provider_name: str, env_name: str | None) -> str:
        if not env_name:
            raise ProviderError(f"provider '{provider_name}' has no api_key_env configured", "credentials")
        value = self._env.get(env_name, "")
        if not value:
            raise ProviderError(
                f"provider '{provider_name}' needs an API key in the environment variable {env_name}, which is not set",
                "credentials",
            )
        return value

    def _build(self, name: str) -> BaseChatModel:
        if self._demo:
            return ScriptedChatModel(script=load_script(self._demo_script), model_name="scripted-demo")
        p = self._config.provider(name)
        if isinstance(p, ScriptedProviderConfig):
            return ScriptedChatModel(script=load_script(p.script), model_name=p.model)
        try:
            if isinstance(p, OpenAIProviderConfig | XAIProviderConfig):
                return self._openai(name, p)
            if isinstance(p, AnthropicProviderConfig):
                return self._anthropic(name, p)
            if isinstance(p, GoogleProviderConfig | VertexAIProviderConfig):
                return self._google(name, p)
        except ValueError as exc:  # the SDK refused a setting (pydantic's ValidationError is a ValueError)
            detail = " ".join(line.strip() for line in str(exc).splitlines()[:3])[:300] or type(exc).__name__
            raise ProviderError(
                f"provider '{name}' ({p.model}) has a setting its SDK rejects: {detail}", "invalid_request"
            ) from exc
        raise ProviderError(f"provider '{name}' has unsupported type '{p.type}'", "invalid_request")

    def _openai(self, name: str, p: OpenAIProviderConfig | XAIProviderConfig) -> BaseChatModel:
        """OpenAI, xAI and OpenAI-compatible servers (``base_url``) over Chat Completions.

        ``reasoning_effort`` switches to the Responses API, the only OpenAI API that streams the
        model's reasoning (as summaries); the server behind ``base_url`` must then offer
        ``/v1/responses``.
        """
        from langchain_openai import ChatOpenAI

        extra: dict[str, Any] = {}
        if isinstance(p, OpenAIProviderConfig) and p.reasoning_effort:
            extra["reasoning"] = {"effort": p.reasoning_effort, "summary": "auto"}
        if p.max_tokens:
            extra["max_tokens"] = p.max_tokens
        if p.temperature is not None:
            extra["temperature"] = p.temperature
        return ChatOpenAI(
            model=p.model,
            api_key=self._key(name, p.api_key_env),
            base_url=p.base_url or (XAI_BASE_URL if p.type == "xai" else None),
            timeout=p.timeout,
            max_retries=p.max_retries,
            stream_usage=True,  # usage arrives as a last chunk; off by default for custom base URLs
            **extra,
        )

    def _anthropic(self, name: str, p: AnthropicProviderConfig) -> BaseChatModel:
        from langchain_anthropic import ChatAnthropic

        extra: dict[str, Any] = {}
        budget = p.thinking_budget
        if budget:
            if p.temperature is not None and p.temperature != 1:
                raise ProviderError(
                    f"provider '{name}' sets temperature {p.temperature:g} and thinking_budget: Anthropic "
                    "accepts only temperature 1 with extended thinking; remove one of them",
                    "invalid_request",
                )
            if p.max_tokens is not None and p.max_tokens <= budget:
                raise ProviderError(
                    f"provider '{name}' has max_tokens {p.max_tokens} <= thinking_budget {budget}: Anthropic "
                    "counts thinking in max_tokens, so it must be larger than the budget",
                    "invalid_request",
                )
            extra["thinking"] = {"type": "enabled", "budget_tokens": budget}
        elif p.temperature is not None:
            extra["temperature"] = p.temperature
        if p.base_url:
            extra["base_url"] = p.base_url
        return ChatAnthropic(
            model=p.model,
            api_key=self._key(name, p.api_key_env),
            max_tokens=p.max_tokens or ANTHROPIC_ANSWER_TOKENS + (budget or 0),
            timeout=p.timeout,
            max_retries=p.max_retries,
            **extra,
        )

    def _google(self, name: str, p: GoogleProviderConfig | VertexAIProviderConfig) -> BaseChatModel:
        extra: dict[str, Any] = {}
        if isinstance(p, GoogleProviderConfig):
            if p.thinking_level:
                extra["thinking_level"] = p.thinking_level  # Gemini 3+; wins over a budget
            elif p.thinking_budget is not None:
                extra["thinking_budget"] = p.thinking_budget
            extra["include_thoughts"] = p.thinking_budget != 0
        else:
            extra["include_thoughts"] = True
        if p.max_tokens:
            extra["max_output_tokens"] = p.max_tokens
        if p.temperature is not None:
            extra["temperature"] = p.temperature
        if p.base_url:
            extra["base_url"] = p.base_url
        if isinstance(p, VertexAIProviderConfig):
            project = self._env.get(p.project_env, "")
            if not project:
                raise ProviderError(f"provider '{name}' needs a project id in {p.project_env}", "credentials")
            extra.update(
                vertexai=True, project=project, location=self._env.get(p.location_env, "") or VERTEX_DEFAULT_LOCATION
            )
        else:
            extra["google_api_key"] = self._key(name, p.api_key_env)
        return gemini_chat_class()(
            model=p.model,
            timeout=p.timeout,
            max_retries=p.max_retries + 1,  # the Google SDK counts attempts, not retries
            **extra,
        )


NATIVE_TOOLS = ("google_search", "code_execution", "url_context")


def with_native_tools(model: BaseChatModel, names: Collection[str]) -> BaseChatModel:
    """``model`` sending Gemini's built-in tools ``names`` on its calls without function tools.

    A copy (same client, same settings); a model of another vendor, or no names, is returned as is:
    only Gemini has these tools, and every model starts without them.
    """
    if not names or "native_tools" not in type(model).model_fields:
        return model
    return model.model_copy(update={"native_tools": [{tool: {}} for tool in NATIVE_TOOLS if tool in names]})


@functools.cache
def gemini_chat_class() -> type[BaseChatModel]:
    """``ChatGoogleGenerativeAI`` that can send Gemini's built-in tools on calls without functions.

    A model starts with none; ``with_native_tools`` gives an agent that lists them a copy that has
    them (never the executive summary or a tool-result summary). Gemini rejects built-in tools
    (Google Search, code execution, URL context) mixed with function declarations, so the rule is
    per call: a call that binds function tools (an agent's MCP tools) sends only those; any other
    call of such a copy (a forced conclusion, a ReAct prompt) sends the native tools. Defined on
    first use so that importing TARSy does not import the Google SDK.
    """
    from langchain_google_genai import ChatGoogleGenerativeAI

    class GeminiChat(ChatGoogleGenerativeAI):
        native_tools: list[dict[str, Any]] = Field(default_factory=list)

        def _tools(self, kwargs: dict[str, Any]) -> dict[str, Any]:
            if self.native_tools and not kwargs.get("tools") and not kwargs.get("functions"):
                return {**kwargs, "tools": self.native_tools}
            return kwargs

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            return super()._generate(messages, stop, run_manager, **self._tools(kwargs))

        async def _agenerate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: AsyncCallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            return await super()._agenerate(messages, stop, run_manager, **self._tools(kwargs))

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            yield from super()._stream(messages, stop, run_manager, **self._tools(kwargs))

        async def _astream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: AsyncCallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> AsyncIterator[ChatGenerationChunk]:
            async for chunk in super()._astream(messages, stop, run_manager, **self._tools(kwargs)):
                yield chunk

    return GeminiChat
