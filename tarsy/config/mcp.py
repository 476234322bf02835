"""MCP server entries of ``tarsy.yaml`` (``mcp_servers.<name>``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

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


class McpPoolConfig(StrictModel):
    """The warm pool of a stdio server's processes (``system.mcp_pool``, or per server ``pool``).

    A stdio process serves exactly one MCP client session over its stdin/stdout, so a pool holds
    several processes and lends each to one investigation at a time (see docs/mcp.md).
    """

    size: int = Field(default=1, ge=0, le=64)
    """Processes started with TARSy and kept running (idle or lent out); 0: started on first use."""
    max: int = Field(default=5, ge=1, le=256)
    """Most processes the pool keeps; a session that finds all of them lent out gets a process of
    its own, stopped when it ends."""
    idle_timeout: PositiveDuration = 300.0
    """A process above ``size`` that has been idle this long is stopped."""

    @model_validator(mode="after")
    def _size_within_max(self) -> McpPoolConfig:
        if self.size > self.max:
            raise ValueError(f"size ({self.size}) must not exceed max ({self.max})")
        return self


class McpPoolOverride(StrictModel):
    """One server's ``pool``: each key left out takes its value from ``system.mcp_pool``."""

    size: int | None = Field(default=None, ge=0, le=64)
    max: int | None = Field(default=None, ge=1, le=256)
    idle_timeout: PositiveDuration | None = None

    def over(self, base: McpPoolConfig) -> McpPoolConfig:
        """These keys over ``base``; raises ``ValueError`` when ``size`` ends up above ``max``."""
        return McpPoolConfig.model_validate({**base.model_dump(), **self.model_dump(exclude_none=True)})


ProcessMode = Literal["pooled", "per_session"]
"""``pooled``: a stdio process is reused by one investigation after another; ``per_session``:
every investigation gets a process nobody used before (for servers that keep per-client state)."""


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
    process: ProcessMode = "pooled"
    """How investigations get a stdio server's process (ignored for http and sse)."""
    pool: McpPoolOverride = McpPoolOverride()
    """This server's pool sizes over ``system.mcp_pool`` (stdio only)."""
