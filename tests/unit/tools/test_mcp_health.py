"""Start-up checks and the background monitor, against the tiny server and servers that cannot start."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tarsy.tools.errors import McpStartupError
from tarsy.tools.health import McpHealth
from tarsy.tools.limits import McpSettings
from tarsy.tools.warnings import MCP_SERVER_UNHEALTHY, SystemWarnings
from tests.unit.tools.factories import eventually, make_config, stdio_server

FAST = McpSettings(health_interval=0.2, health_timeout=5.0, health_max_backoff=0.4, open_timeout=15.0)
MISSING = {"transport": {"type": "stdio", "command": "/nonexistent/kubernetes-mcp-server"}}


async def test_a_healthy_server_reports_its_tools() -> None:
    health = McpHealth(make_config({"tiny": stdio_server()}), settings=FAST)
    await health.start()
    try:
        await eventually(lambda: health.status()["tiny"].status != "unknown")
        status = health.status()["tiny"]
        assert (status.status, status.last_error, status.required, status.transport) == (
            "healthy",
            None,
            False,
            "stdio",
        )
        assert status.last_checked is not None
        assert ("echo", "Echo text, repeated.") in {(t.name, t.description) for t in status.tools}
        assert health.known_tools("tiny") == frozenset(t.name for t in status.tools)
        assert health.flags() == {"tiny": True}
        assert health.warnings().active() == []
    finally:
        await health.stop()


async def test_a_broken_optional_server_is_a_warning_and_does_not_stop_start_up() -> None:
    warnings = SystemWarnings()
    health = McpHealth(make_config({"tiny": stdio_server(), "kube": MISSING}), settings=FAST, warnings=warnings)
    await health.start()
    try:
        await eventually(
            lambda: health.status()["kube"].status == "unhealthy" and health.status()["tiny"].status == "healthy"
        )
        kube = health.status()["kube"]
        assert kube.last_error is not None and "FileNotFoundError" in kube.last_error
        assert health.known_tools("kube") is None
        [warning] = warnings.active()
        assert (warning.category, warning.server) == (MCP_SERVER_UNHEALTHY, "kube")
        assert warning.message.startswith("MCP server 'kube' is unhealthy: ")
        first_id = warning.id
        await asyncio.sleep(0.6)  # re-checked meanwhile: still one warning, the same one
        assert [w.id for w in warnings.active()] == [first_id]
    finally:
        await health.stop()


async def test_a_broken_required_server_stops_start_up_with_a_clear_error() -> None:
    health = McpHealth(make_config({"kube": {**MISSING, "required": True}}), settings=FAST)
    with pytest.raises(McpStartupError) as caught:
        await health.start()
    assert "required MCP server(s) failed the start-up check: 'kube': " in caught.value.message
    assert "set `required: false`" in caught.value.message
    assert health.status()["kube"].status == "unhealthy"


async def test_a_server_that_becomes_reachable_recovers(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    warnings = SystemWarnings()
    config = make_config({"tiny": stdio_server(env={"TINY_SERVER_GATE": str(gate)})})
    health = McpHealth(config, settings=FAST, warnings=warnings)
    await health.start()
    try:
        await eventually(lambda: health.status()["tiny"].status == "unhealthy")
        assert [w.server for w in warnings.active()] == ["tiny"]
        gate.touch()
        await eventually(lambda: health.status()["tiny"].status == "healthy")
        assert health.status()["tiny"].last_error is None
        assert warnings.active() == []
        assert "echo" in (health.known_tools("tiny") or ())
    finally:
        await health.stop()


async def test_a_required_healthy_server_passes_start_up() -> None:
    health = McpHealth(make_config({"tiny": stdio_server(required=True)}), settings=FAST)
    await health.start()
    try:
        assert health.status()["tiny"].status == "healthy", "required servers are checked before start returns"
    finally:
        await health.stop()
