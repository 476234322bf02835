"""Knobs of the MCP tool layer that are process settings rather than per-server configuration."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class McpSettings:
    """Timeouts and limits shared by every MCP server; per-server values in ``tarsy.yaml`` win.

    ``call_timeout`` applies to servers whose transport has no ``timeout`` of its own (stdio).
    """

    call_timeout: float = 90.0
    """Seconds one tool call may take before the model is told it timed out."""
    open_timeout: float = 30.0
    """Seconds to spawn or connect to a server and run ``initialize``; ``npx`` may download first."""
    close_timeout: float = 5.0
    """Seconds to wait for a session to shut down before its task is cancelled."""
    list_timeout: float = 30.0
    """Seconds a ``tools/list`` request may take."""
    unavailable_retry_after: float = 30.0
    """A server that could not be opened is not retried by the same investigation for this long."""
    fallback_max_chars: int = 40_000
    """When summarizing a large result fails, the model gets the masked result cut to this size."""
    health_interval: float = 15.0
    """Seconds between two health checks of every configured server."""
    health_timeout: float = 10.0
    """Seconds a health check's ``tools/list`` may take (connecting first is bounded by ``open_timeout``)."""
    health_max_backoff: float = 120.0
    """An unhealthy server is re-checked after ``health_interval``, then ever less often, up to this."""
