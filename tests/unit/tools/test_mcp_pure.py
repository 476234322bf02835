"""The pure parts of the tool layer: connection translation, argument checks, result text, warnings."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from mcp.types import (
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    LoggingMessageNotificationParams,
    ResourceLink,
    TextContent,
    TextResourceContents,
)
from pydantic import AnyUrl

from tarsy.config import MCPServerConfig
from tarsy.tools.arguments import ArgumentChecker, describe_parameters
from tarsy.tools.connections import call_timeout, connection_for
from tarsy.tools.errors import McpServerUnavailableError
from tarsy.tools.live_output import format_log, format_progress
from tarsy.tools.results import result_text
from tarsy.tools.warnings import SystemWarnings


def _server(transport: dict[str, Any]) -> MCPServerConfig:
    return MCPServerConfig.model_validate({"transport": transport})


def test_stdio_connection_merges_env_and_expands_home() -> None:
    server = _server(
        {"type": "stdio", "command": "~/bin/srv", "args": ["--kubeconfig", "~/.kube/config"], "env": {"A": "own"}}
    )
    conn: Any = connection_for("k", server, env={"A": "service", "PATH": "/bin"})
    home = os.path.expanduser("~")
    assert conn["transport"] == "stdio"
    assert conn["command"] == f"{home}/bin/srv"
    assert conn["args"] == ["--kubeconfig", f"{home}/.kube/config"]
    assert conn["env"] == {"A": "own", "PATH": "/bin"}
    assert call_timeout(server, 90.0) == 90.0


def test_http_connection_carries_headers_bearer_token_and_timeout() -> None:
    server = _server(
        {
            "type": "http",
            "url": "https://mcp.example.com/mcp",
            "headers": {"X-Team": "sre"},
            "bearer_token_env": "MCP_TOKEN",
            "timeout": "45s",
        }
    )
    conn: Any = connection_for("remote", server, env={"MCP_TOKEN": "t0ken"})
    assert conn["transport"] == "streamable_http"
    assert conn["url"] == "https://mcp.example.com/mcp"
    assert conn["headers"] == {"X-Team": "sre", "Authorization": "Bearer t0ken"}
    assert conn["timeout"] == 45.0
    assert "httpx_client_factory" not in conn
    assert call_timeout(server, 90.0) == 45.0


def test_a_missing_bearer_token_names_the_variable() -> None:
    server = _server({"type": "http", "url": "http://127.0.0.1:1/mcp", "bearer_token_env": "MCP_TOKEN"})
    with pytest.raises(
        McpServerUnavailableError, match=r"environment variable MCP_TOKEN \(bearer_token_env\) is not set"
    ):
        connection_for("remote", server, env={})


async def test_sse_without_tls_verification_gets_its_own_client() -> None:
    server = _server(
        {"type": "sse", "url": "https://self-signed.example/sse", "verify_ssl": False, "sse_read_timeout": 60}
    )
    conn: Any = connection_for("legacy", server, env={})
    assert (conn["transport"], conn["sse_read_timeout"], conn["timeout"]) == ("sse", 60.0, 30.0)
    client = conn["httpx_client_factory"](headers={"A": "b"}, timeout=httpx.Timeout(5.0))
    async with client:
        assert isinstance(client, httpx.AsyncClient)
        assert client.headers["A"] == "b"


SCHEMA = {
    "type": "object",
    "properties": {
        "namespace": {"type": "string"},
        "previous": {"type": "boolean"},
        "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "level": {"enum": ["info", "debug"]},
    },
    "required": ["namespace"],
}


def test_matching_arguments_have_no_problems() -> None:
    assert ArgumentChecker().problems("k.t", SCHEMA, {"namespace": "prod", "previous": True, "limit": None}) == []


def test_every_problem_is_listed_with_its_path() -> None:
    problems = ArgumentChecker().problems("k.t", SCHEMA, {"previous": "yes", "level": "trace"})
    assert problems == [
        "'namespace' is a required property",
        "level: 'trace' is not one of ['info', 'debug']",
        "previous: 'yes' is not of type 'boolean'",
    ]


def test_an_invalid_schema_is_not_held_against_the_model() -> None:
    assert ArgumentChecker().problems("k.t", {"type": "no-such-type"}, {"anything": 1}) == []


def test_parameters_are_described_for_the_model() -> None:
    assert describe_parameters(SCHEMA) == (
        'namespace (string, required), previous (boolean), limit (integer or null), level (one of "info", "debug")'
    )
    assert describe_parameters({"type": "object"}) == "none"


def test_result_text_describes_binary_blocks_and_falls_back_to_structured_content() -> None:
    result = CallToolResult(
        content=[
            TextContent(type="text", text="pods: 3"),
            ImageContent(type="image", data="aGVsbG8h", mimeType="image/png"),
            ResourceLink(
                type="resource_link", uri=AnyUrl("file:///var/log/app.log"), name="log", mimeType="text/plain"
            ),
            EmbeddedResource(
                type="resource", resource=TextResourceContents(uri=AnyUrl("file:///a.txt"), text="embedded text")
            ),
            EmbeddedResource(
                type="resource",
                resource=BlobResourceContents(uri=AnyUrl("file:///a.gz"), blob="aGVsbG8h", mimeType="application/gzip"),
            ),
        ]
    )
    assert result_text(result).splitlines() == [
        "pods: 3",
        "[image content: image/png, 6 bytes, not shown]",
        "[resource link: file:///var/log/app.log (text/plain)]",
        "embedded text",
        "[embedded resource file:///a.gz, application/gzip, 6 bytes, not shown]",
    ]
    structured = CallToolResult(content=[], structuredContent={"ready": 2})
    assert result_text(structured) == '{\n  "ready": 2\n}'


def test_notifications_are_formatted_as_lines() -> None:
    assert format_progress(2, 5, "reading logs") == "[progress 2/5] reading logs\n"
    assert format_progress(0.5, None, None) == "[progress 0.5]\n"
    assert format_log(LoggingMessageNotificationParams(level="warning", data="disk 91%")) == "[warning] disk 91%\n"
    params = LoggingMessageNotificationParams(level="info", logger="k8s", data={"pods": 3})
    assert format_log(params) == '[info k8s] {"pods": 3}\n'


def test_a_persisting_condition_stays_one_warning_until_cleared() -> None:
    board = SystemWarnings()
    first = board.raise_warning("mcp_server_unhealthy", "down: refused", server="a")
    same = board.raise_warning("mcp_server_unhealthy", "down: timeout", server="a")
    other = board.raise_warning("mcp_server_unhealthy", "down", server="b")
    assert (same.id, same.created_at, same.message) == (first.id, first.created_at, "down: timeout")
    assert [w.server for w in board.active()] == ["a", "b"]
    assert board.clear("mcp_server_unhealthy", server="a")
    assert not board.clear("mcp_server_unhealthy", server="a")
    assert board.active() == [other]
