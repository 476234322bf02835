"""MCP server entries of ``tarsy.yaml`` (``mcp_servers.<name>``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from tarsy.config.base import StrictModel
from tarsy.config.duration import PositiveDuration
from tarsy.config.masking import CustomMaskingPattern as CustomMaskingPattern  # re-exported
from tarsy.config.masking import DataMaskingConfig as DataMaskingConfig  # re-exported


class StdioTransport(StrictModel):
    """A server spawned as a child process speaking MCP over stdin/stdout.

    Its environment is explicit: ``PATH``, ``HOME`` and the locale (``LANG``, ``LANGUAGE``,
    ``LC_*``) from TARSy's, the variables named in ``inherit_env``, then ``env`` on top. Nothing
    else of TARSy's environment (provider keys, ``DATABASE_URL``, API tokens) reaches it.
    """

    type: Literal["stdio"]
    command: str = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    inherit_env: list[str] = Field(default_factory=list)
    """Names of TARSy's environment variables passed through as they are (e.g. ``KUBECONFIG``)."""


class _RemoteTransport(StrictModel):
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    bearer_token_env: str | None = None
    timeout: PositiveDuration = 30.0
    verify_ssl: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL, got {url!r}")
        return url


class HTTPTransport(_RemoteTransport):
    """A server reached over streamable HTTP."""

    type: Literal["http"]


class SSETransport(_RemoteTransport):
    """A server reached over the older HTTP + Server-Sent Events transport."""

    type: Literal["sse"]
    sse_read_timeout: PositiveDuration = 300.0


MCPTransport = Annotated[StdioTransport | HTTPTransport | SSETransport, Field(discriminator="type")]


class SummarizationConfig(StrictModel):
    """Summarizing tool results larger than ``size_threshold_tokens`` before the agent sees them."""

    enabled: bool = True
    size_threshold_tokens: int = Field(default=5000, ge=1)
    summary_max_token_limit: int = Field(default=1000, ge=1)
    llm_provider: str | None = None


class MCPServerConfig(StrictModel):
    transport: MCPTransport
    instructions: str = ""
    data_masking: DataMaskingConfig | None = None
    """This server's masking; without it the server gets ``defaults.tool_masking`` (see ``masking_of``)."""
    summarization: SummarizationConfig = SummarizationConfig()
    actions: list[str] = Field(default_factory=list)
    """Tool names or globs of this server that change things (``restart_*``); the rest are read-only."""
    required: bool = False
    """Whether a server that cannot start or list its tools stops TARSy at start-up."""
