"""From ``mcp_servers.<name>.transport`` to a langchain-mcp-adapters connection.

The adapters own the transports (stdio, streamable HTTP, SSE); this module only translates TARSy's
configuration: a stdio child's environment is explicit (``stdio_environment``: never TARSy's
secrets), ``~`` in stdio arguments means the home directory, a bearer token is read from the named
environment variable when the session opens, and ``verify_ssl: false`` gets its own HTTP client.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx
from langchain_mcp_adapters.sessions import Connection, SSEConnection, StdioConnection, StreamableHttpConnection
from mcp.client.session import LoggingFnT

from tarsy.config import HTTPTransport, MCPServerConfig, SSETransport, StdioTransport
from tarsy.settings import process_environment
from tarsy.tools.errors import McpServerUnavailableError


def connection_for(
    name: str,
    server: MCPServerConfig,
    *,
    env: Mapping[str, str] | None = None,
    logging_callback: LoggingFnT | None = None,
) -> Connection:
    """The adapters' connection dict for server ``name``; ``env`` defaults to ``os.environ``."""
    environ = process_environment() if env is None else env
    session_kwargs: dict[str, Any] = {"logging_callback": logging_callback} if logging_callback else {}
    transport = server.transport
    if isinstance(transport, StdioTransport):
        return _stdio(transport, environ, session_kwargs)
    headers = dict(transport.headers)
    if transport.bearer_token_env:
        token = environ.get(transport.bearer_token_env, "")
        if not token:
            raise McpServerUnavailableError(
                name, f"environment variable {transport.bearer_token_env} (bearer_token_env) is not set"
            )
        headers["Authorization"] = f"Bearer {token}"
    factory = None if transport.verify_ssl else _unverified_client
    if isinstance(transport, HTTPTransport):
        http = StreamableHttpConnection(
            transport="streamable_http", url=transport.url, headers=headers, timeout=float(transport.timeout)
        )
        http["session_kwargs"] = session_kwargs
        if factory is not None:
            http["httpx_client_factory"] = factory
        return http
    assert isinstance(transport, SSETransport)
    sse = SSEConnection(
        transport="sse",
        url=transport.url,
        headers=headers,
        timeout=float(transport.timeout),
        sse_read_timeout=float(transport.sse_read_timeout),
    )
    sse["session_kwargs"] = session_kwargs
    if factory is not None:
        sse["httpx_client_factory"] = factory
    return sse


def call_timeout(server: MCPServerConfig, default: float) -> float:
    """A remote server's ``transport.timeout`` bounds each call; stdio servers use ``default``."""
    transport = server.transport
    return default if isinstance(transport, StdioTransport) else float(transport.timeout)


def _stdio(transport: StdioTransport, environ: Mapping[str, str], session_kwargs: dict[str, Any]) -> StdioConnection:
    return StdioConnection(
        transport="stdio",
        command=os.path.expanduser(transport.command),
        args=[os.path.expanduser(arg) for arg in transport.args],
        env=stdio_environment(transport, environ),
        session_kwargs=session_kwargs,
    )


BASE_ENV = ("PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "LANGUAGE")
"""Passed to every stdio server (with the ``LC_*`` locale variables) so that it can run at all."""


def stdio_environment(transport: StdioTransport, environ: Mapping[str, str]) -> dict[str, str]:
    """A stdio server's whole environment: the base variables and its ``inherit_env`` names taken
    from ``environ`` (when set), then its configured ``env``. Provider keys, ``DATABASE_URL`` and
    the API tokens stay in TARSy unless a server's config names them."""
    names = [*BASE_ENV, *(name for name in environ if name.startswith("LC_")), *transport.inherit_env]
    return {**{name: environ[name] for name in names if name in environ}, **transport.env}


def _unverified_client(
    headers: dict[str, str] | None = None,
    timeout: httpx.Timeout | None = None,
    auth: httpx.Auth | None = None,
) -> httpx.AsyncClient:
    """The MCP SDK's client settings, with certificate verification off (``verify_ssl: false``)."""
    return httpx.AsyncClient(
        headers=headers,
        timeout=timeout if timeout is not None else httpx.Timeout(30.0, read=300.0),
        auth=auth,
        follow_redirects=True,
        verify=False,
    )
