"""Errors of the MCP tool layer.

Only ``McpStartupError`` leaves the layer as an exception (it stops the service at start-up); the
others are turned into error observations for the model by the executor.
"""

from __future__ import annotations

from collections.abc import Mapping

from tarsy.errors import TarsyError


class McpServerUnavailableError(TarsyError):
    """A server could not be spawned or reached, or did not complete ``initialize``."""

    code = "mcp_server_unavailable"

    def __init__(self, server: str, reason: str) -> None:
        super().__init__(f"MCP server '{server}' is unavailable: {reason}")
        self.server = server
        self.reason = reason


class McpTransportError(TarsyError):
    """The session to a server broke during a request (process died, connection closed).

    The executor answers it by recreating the session once and retrying.
    """

    code = "mcp_transport_error"

    def __init__(self, server: str, reason: str) -> None:
        super().__init__(f"connection to MCP server '{server}' failed: {reason}")
        self.server = server
        self.reason = reason


class McpStartupError(TarsyError):
    """A server marked ``required: true`` failed its start-up check: TARSy must not serve."""

    code = "mcp_startup_failed"

    def __init__(self, failures: Mapping[str, str]) -> None:
        lines = "; ".join(f"'{name}': {reason}" for name, reason in sorted(failures.items()))
        super().__init__(
            f"required MCP server(s) failed the start-up check: {lines}. Fix the server's configuration "
            "in tarsy.yaml (mcp_servers.<name>), or set `required: false` to start without it."
        )
        self.failures = dict(failures)


def describe_exception(exc: BaseException) -> str:
    """A one-line description of a failure, looking inside exception groups (anyio task groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
