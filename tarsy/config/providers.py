"""LLM provider entries of ``llm-providers.yaml``: one model class per ``type``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from tarsy.config.base import StrictModel
from tarsy.config.duration import PositiveDuration
from tarsy.config.pricing import ModelPrice


class StreamTimeouts(StrictModel):
    """How long a streamed answer may stay silent (docs/providers.md "Stream timeouts")."""

    initial: PositiveDuration = 90.0
    """Until the first chunk (the model reads the prompt and may think first)."""
    stall: PositiveDuration = 60.0
    """Between two chunks once the answer flows."""


class _ProviderBase(StrictModel):
    """Keys every provider type accepts. Secrets are never stored: only the NAME of an env var."""

    model: str = Field(min_length=1)
    api_key_env: str | None = None
    base_url: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    timeout: PositiveDuration = 120.0
    max_retries: int = Field(default=3, ge=0)
    stream_timeouts: StreamTimeouts = StreamTimeouts()
    pricing: ModelPrice | None = None
    """This provider's price, over ``pricing`` and the bundled table (docs/cost.md)."""

    def credentials_present(self, env: Mapping[str, str]) -> bool:
        """Whether ``env`` holds what this provider needs to authenticate (checked, not used)."""
        return bool(self.api_key_env and env.get(self.api_key_env))


class GoogleProviderConfig(_ProviderBase):
    type: Literal["google"]
    api_key_env: str | None = "GOOGLE_API_KEY"
    thinking_budget: int | None = None
    thinking_level: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _native_tools_moved(cls, data: Any) -> Any:
        if isinstance(data, dict) and "native_tools" in data:
            raise ValueError(
                "native_tools is no longer a provider setting: Gemini's built-in tools are off unless an "
                "agent lists them, e.g. agents.<name>.native_tools: [google_search]"
            )
        return data


class OpenAIProviderConfig(_ProviderBase):
    """OpenAI, or any OpenAI-compatible endpoint (Ollama, vLLM) through ``base_url``."""

    type: Literal["openai"]
    api_key_env: str | None = "OPENAI_API_KEY"
    reasoning_effort: str | None = None


class AnthropicProviderConfig(_ProviderBase):
    type: Literal["anthropic"]
    api_key_env: str | None = "ANTHROPIC_API_KEY"
    thinking_budget: int | None = Field(default=None, ge=1)


class XAIProviderConfig(_ProviderBase):
    type: Literal["xai"]
    api_key_env: str | None = "XAI_API_KEY"


class VertexAIProviderConfig(_ProviderBase):
    """Models on Google Cloud Vertex AI; authentication comes from Application Default Credentials."""

    type: Literal["vertexai"]
    project_env: str = "GOOGLE_CLOUD_PROJECT"
    location_env: str = "GOOGLE_CLOUD_LOCATION"

    def credentials_present(self, env: Mapping[str, str]) -> bool:
        return bool(env.get(self.project_env))


class ScriptedProviderConfig(_ProviderBase):
    """A deterministic, offline model for the demo and tests; never a silent production fallback.

    ``script`` is a built-in script name (e.g. ``demo``) or a path to a JSON script file.
    """

    type: Literal["scripted"]
    model: str = Field(default="scripted", min_length=1)
    script: str = Field(min_length=1)

    def credentials_present(self, env: Mapping[str, str]) -> bool:
        return True


LLMProviderConfig = Annotated[
    GoogleProviderConfig
    | OpenAIProviderConfig
    | AnthropicProviderConfig
    | XAIProviderConfig
    | VertexAIProviderConfig
    | ScriptedProviderConfig,
    Field(discriminator="type"),
]
"""One ``llm_providers.<name>`` entry, selected by its ``type`` key."""

LLMProviderType = Literal["google", "openai", "anthropic", "xai", "vertexai", "scripted"]
