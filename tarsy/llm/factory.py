"""Chat models built from ``llm-providers.yaml`` entries.

Keys are read from the environment by the *name* the config gives (``api_key_env``), never from
YAML. In demo mode every provider is served by the scripted demo model, and ``model_name`` says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel

from tarsy.config import TarsyConfig
from tarsy.errors import ProviderError
from tarsy.llm.scripted import ScriptedChatModel, load_script

XAI_BASE_URL = "https://api.x.ai/v1"


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
        self._env = os.environ if env is None else env
        self._demo = demo
        self._demo_script = demo_script
        self._cache: dict[str, BaseChatModel] = {}

    @property
    def demo(self) -> bool:
        return self._demo

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
            raise ProviderError(f"provider '{provider_name}' has no api_key_env configured")
        value = self._env.get(env_name, "")
        if not value:
            raise ProviderError(
                f"provider '{provider_name}' needs an API key in the environment variable {env_name}, which is not set"
            )
        return value

    def _build(self, name: str) -> BaseChatModel:
        if self._demo:
            return ScriptedChatModel(script=load_script(self._demo_script), model_name="scripted-demo")
        p: Any = self._config.provider(name)
        common: dict[str, Any] = {"model": p.model, "timeout": p.timeout, "max_retries": p.max_retries}
        if p.temperature is not None:
            common["temperature"] = p.temperature
        if p.type == "scripted":
            return ScriptedChatModel(script=load_script(p.script), model_name=p.model)
        if p.type in {"openai", "xai"}:
            from langchain_openai import ChatOpenAI

            base_url = p.base_url or (XAI_BASE_URL if p.type == "xai" else None)
            extra: dict[str, Any] = {}
            if p.type == "openai" and getattr(p, "reasoning_effort", None):
                extra["reasoning_effort"] = p.reasoning_effort
            if p.max_tokens:
                extra["max_tokens"] = p.max_tokens
            return ChatOpenAI(
                **common,
                api_key=self._key(name, p.api_key_env),
                base_url=base_url,
                stream_usage=True,
                **extra,
            )
        if p.type == "anthropic":
            from langchain_anthropic import ChatAnthropic

            extra = {"base_url": p.base_url} if p.base_url else {}
            if getattr(p, "thinking_budget", None):
                extra["thinking"] = {"type": "enabled", "budget_tokens": p.thinking_budget}
            return ChatAnthropic(
                **common,
                api_key=self._key(name, p.api_key_env),
                max_tokens=p.max_tokens or 8192,
                **extra,
            )
        if p.type in {"google", "vertexai"}:
            from langchain_google_genai import ChatGoogleGenerativeAI

            extra = {"include_thoughts": True}
            if getattr(p, "thinking_budget", None) is not None:
                extra["thinking_budget"] = p.thinking_budget
            if getattr(p, "thinking_level", None):
                extra["thinking_level"] = p.thinking_level
            if p.max_tokens:
                extra["max_output_tokens"] = p.max_tokens
            if p.base_url:
                extra["base_url"] = p.base_url
            if p.type == "vertexai":
                project = self._env.get(p.project_env, "")
                if not project:
                    raise ProviderError(f"provider '{name}' needs a project id in {p.project_env}")
                return ChatGoogleGenerativeAI(
                    **common,
                    vertexai=True,
                    project=project,
                    location=self._env.get(p.location_env, "") or "us-central1",
                    **extra,
                )
            return ChatGoogleGenerativeAI(**common, google_api_key=self._key(name, p.api_key_env), **extra)
        raise ProviderError(f"provider '{name}' has unsupported type '{p.type}'")


def credentials_present(config: TarsyConfig, env: Mapping[str, str]) -> bool:
    """Whether the default provider can actually be used (decides demo mode)."""
    provider = config.provider(config.defaults.llm_provider)
    return bool(provider.credentials_present(env))
