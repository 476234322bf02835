"""MCP health state is masked: ``last_error`` (shown by the API and the system warnings) can quote
a server's command, URL or output (hole: MCP health ``last_error`` was never masked)."""

from __future__ import annotations

import pytest

from tarsy.config import TarsyConfig
from tarsy.tools.health import McpHealth
from tarsy.tools.limits import McpSettings
from tarsy.tools.warnings import SystemWarnings

GITHUB_TOKEN = "ghp_Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54Ji32"  # tests/unit/masking/corpus/github_tokens.yaml


@pytest.mark.asyncio
async def test_an_unhealthy_servers_last_error_is_masked() -> None:
    # A token pasted into the command: the spawn error quotes it.
    server = {"transport": {"type": "stdio", "command": f"/nonexistent/mcp-server --token={GITHUB_TOKEN}"}}
    warnings = SystemWarnings()
    health = McpHealth(
        TarsyConfig.model_validate({"mcp_servers": {"s": server}}),
        settings=McpSettings(health_timeout=5.0, open_timeout=5.0),
        warnings=warnings,
    )
    try:
        status = (await health.check(["s"]))["s"]
    finally:
        await health.stop()
    assert status.status == "unhealthy"
    assert status.last_error is not None and "FileNotFoundError" in status.last_error
    assert GITHUB_TOKEN not in status.last_error
    assert "[MASKED_" in status.last_error
    assert all(GITHUB_TOKEN not in w.message for w in warnings.active())
