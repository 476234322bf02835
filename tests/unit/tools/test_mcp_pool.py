"""Warm pools of stdio server processes: reused across investigations, one investigation at a time.

Real processes throughout: the tiny FastMCP server runs over stdio and tells its pid through its
``pid`` tool; the process tree is read from ``/proc``.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tarsy.config import TarsyConfig, load_config_from_data
from tarsy.llm.factory import ModelFactory
from tarsy.tools.errors import McpTransportError
from tarsy.tools.limits import McpSettings
from tarsy.tools.manager import McpManager
from tarsy.tools.pools import McpPools, servers_in_use
from tarsy.tools.sessions import McpSessions
from tests.unit.tools.factories import (
    PROVIDER,
    command_line,
    descendants,
    eventually,
    make_config,
    process_alive,
    stdio_server,
)

SETTINGS = McpSettings(open_timeout=20.0, close_timeout=3.0, health_interval=0.2, health_max_backoff=0.4)

NPX_SERVER = {"transport": {"type": "stdio", "command": "npx", "args": ["-y", "kubernetes-mcp-server@0.0.67"]}}


def _config(pool: dict[str, Any] | None = None, **server: Any) -> TarsyConfig:
    """Server ``tiny`` used by chain ``tools``, and ``kubernetes-server`` (npx) that no chain uses."""
    entry = stdio_server(pool=pool or {}, **server)
    return make_config(
        {"tiny": entry, "kubernetes-server": NPX_SERVER},
        agents={"ToolAgent": {"mcp_servers": ["tiny"]}},
        agent_chains={
            "tools": {
                "alert_types": ["tools"],
                "stages": [{"name": "look", "agent": "ToolAgent"}],
                "chat": {"enabled": False},
            }
        },
        defaults={"alert_type": "tools", "llm_provider": PROVIDER},
    )


@asynccontextmanager
async def _pools(config: TarsyConfig) -> AsyncIterator[McpPools]:
    pools = McpPools(config, settings=SETTINGS, env=os.environ)
    pools.start()
    try:
        await pools.ready()
        yield pools
    finally:
        await pools.aclose()


async def _pid(sessions: McpSessions) -> int:
    session = await sessions.session("tiny")
    result = await session.call_tool("pid", {}, None)
    return int(result.content[0].text)  # type: ignore[union-attr]


async def _investigation_pid(pools: McpPools) -> int:
    async with McpSessions(pools.config, pools=pools) as sessions:
        return await _pid(sessions)


async def test_investigations_in_a_row_reuse_the_warm_process() -> None:
    async with _pools(_config()) as pools:
        warm = pools.stats()["tiny"]
        first = await _investigation_pid(pools)
        second = await _investigation_pid(pools)
        assert first == second
        assert process_alive(first)
        assert (warm.idle, pools.stats()["tiny"].started) == (1, 1), "pre-started, and nothing else started"


async def test_concurrent_investigations_get_processes_of_their_own_up_to_max() -> None:
    config = _config(pool={"size": 0, "max": 2})
    async with _pools(config) as pools:
        runs = [McpSessions(config, pools=pools) for _ in range(3)]
        pids = [await _pid(sessions) for sessions in runs]
        assert len(set(pids)) == 3, "no process is shared by two investigations at once"
        for sessions in runs:
            await sessions.aclose()
        await eventually(lambda: sum(process_alive(pid) for pid in pids) == 2)
        assert pools.stats()["tiny"].idle == 2
        assert not process_alive(pids[2]), "the process started beyond max stops with its investigation"
        again = await _investigation_pid(pools)
        assert again in pids[:2]


async def test_a_burst_beyond_max_keeps_exactly_max_processes_afterwards() -> None:
    """Processes kept are decided when lent, so runs ending while others still start keep theirs."""
    config = _config(pool={"size": 2, "max": 4})
    async with _pools(config) as pools:
        for _ in range(2):
            pids = set(await asyncio.gather(*(_investigation_pid(pools) for _ in range(8))))
            await eventually(lambda pids=pids: sum(process_alive(pid) for pid in pids) == 4)  # type: ignore[misc]
            assert pools.stats()["tiny"].idle == 4


async def test_a_killed_idle_process_is_replaced_by_the_maintenance_ping() -> None:
    async with _pools(_config(pool={"idle_timeout": 1})) as pools:  # maintenance every 0.25 s
        pid = await _investigation_pid(pools)
        os.kill(pid, signal.SIGKILL)
        await eventually(lambda: pools.stats()["tiny"].started == 2 and pools.stats()["tiny"].idle == 1)
        replacement = await _investigation_pid(pools)
        assert replacement != pid
        assert process_alive(replacement)


async def test_a_killed_process_is_never_lent() -> None:
    async with _pools(_config()) as pools:
        pid = await _investigation_pid(pools)
        os.kill(pid, signal.SIGKILL)
        await eventually(lambda: not process_alive(pid))
        replacement = await _investigation_pid(pools)
        assert replacement != pid
        assert pools.stats()["tiny"].started == 2


async def test_a_process_killed_mid_call_fails_the_call_at_once_and_the_run_gets_a_fresh_one() -> None:
    config = _config()
    async with _pools(config) as pools, McpSessions(config, pools=pools) as sessions:
        pid = await _pid(sessions)
        session = await sessions.session("tiny")
        call = asyncio.create_task(session.call_tool("slow", {"seconds": 60}, None))
        await asyncio.sleep(0.3)
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(McpTransportError, match="tiny"):
            await asyncio.wait_for(call, timeout=10)
        await sessions.recreate("tiny", session)
        assert await _pid(sessions) != pid


async def test_a_process_with_an_abandoned_call_is_not_lent_again() -> None:
    config = _config()
    async with _pools(config) as pools:
        async with McpSessions(config, pools=pools) as sessions:
            pid = await _pid(sessions)
            session = await sessions.session("tiny")
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.3):
                    await session.call_tool("slow", {"seconds": 30}, None)
        await eventually(lambda: not process_alive(pid))
        assert await _investigation_pid(pools) != pid


async def test_per_session_servers_get_a_fresh_process_every_time() -> None:
    async with _pools(_config(process="per_session")) as pools:
        first = await _investigation_pid(pools)
        second = await _investigation_pid(pools)
        assert first != second
        await eventually(lambda: not process_alive(first))
        await pools.ready()
        assert pools.stats()["tiny"].idle == 1, "a fresh process waits for the next investigation"


async def test_idle_processes_above_size_stop_after_idle_timeout() -> None:
    config = _config(pool={"size": 1, "max": 3, "idle_timeout": 0.3})
    async with _pools(config) as pools:
        first, second = McpSessions(config, pools=pools), McpSessions(config, pools=pools)
        pids = [await _pid(first), await _pid(second)]
        await first.aclose()
        await second.aclose()
        await eventually(lambda: sum(process_alive(pid) for pid in pids) == 1)
        assert pools.stats()["tiny"].idle == 1


def test_only_servers_some_chain_uses_are_in_use() -> None:
    assert servers_in_use(_config()) == {"tiny"}
    required = make_config({"kube": {**NPX_SERVER, "required": True}})
    assert servers_in_use(required) == {"kube"}


async def test_an_unused_npx_server_is_never_started_and_stopping_leaves_no_children() -> None:
    config = _config(pool={"size": 2})
    before = descendants()
    manager = McpManager(config, ModelFactory(config, env={}), settings=SETTINGS)
    await manager.start()
    try:
        await manager.pools.ready()
        await manager.health.check()
        started = descendants() - before
        assert len(started) == 2
        assert all("tiny_server.py" in command_line(pid) for pid in started), [command_line(p) for p in started]
        assert manager.health.status()["kubernetes-server"].status == "unknown"
        assert manager.health.status()["tiny"].status == "healthy"
        assert manager.pools.stats()["tiny"].started == 2, "the health check used a pooled process"
    finally:
        await manager.stop()
    assert [pid for pid in started if process_alive(pid)] == []
    assert descendants() - before == set()


async def test_the_builtin_npx_kubernetes_server_is_not_started_with_tarsy() -> None:
    """Built-ins included: the built-in chain uses `kubernetes-server`, whose pool has size 0."""
    tarsy = {
        "mcp_servers": {"tiny": stdio_server()},
        "agents": {"ToolAgent": {"mcp_servers": ["tiny"]}},
        "agent_chains": {"tools": {"alert_types": ["tools"], "stages": [{"name": "look", "agent": "ToolAgent"}]}},
    }
    providers = {"llm_providers": {PROVIDER: {"type": "scripted", "script": "demo"}}}
    config = load_config_from_data(tarsy=tarsy, llm_providers=providers, env={})
    before = descendants()
    manager = McpManager(config, ModelFactory(config, env={}), settings=SETTINGS)
    await manager.start()
    try:
        await manager.pools.ready()
        await manager.health.check()
        started = descendants() - before
        assert [command_line(pid) for pid in started if "tiny_server.py" not in command_line(pid)] == []
        assert len(started) == 1
        assert manager.health.status()["kubernetes-server"].status == "unknown"
        assert manager.health.flags() == {"tiny": True}, "a server never started is not reported down"
    finally:
        await manager.stop()
    assert descendants() - before == set()


async def test_a_size_0_server_starts_on_first_use_and_is_then_checked_on_its_process() -> None:
    config = _config(pool={"size": 0})
    manager = McpManager(config, ModelFactory(config, env={}), settings=SETTINGS)
    await manager.start()
    try:
        await manager.health.check()
        assert manager.pools.stats()["tiny"].started == 0
        assert manager.health.status()["tiny"].status == "unknown"
        await _investigation_pid(manager.pools)
        await manager.health.check()
        assert manager.health.status()["tiny"].status == "healthy"
        assert manager.pools.stats()["tiny"].started == 1
    finally:
        await manager.stop()


def test_a_pool_larger_than_its_max_is_a_config_error() -> None:
    with pytest.raises(ValueError, match=r"mcp_servers\.tiny\.pool: size \(4\) must not exceed max \(3\)"):
        _config(pool={"size": 4, "max": 3})
    merged = _config(pool={"max": 9}).pool_of("tiny")
    assert (merged.size, merged.max, merged.idle_timeout) == (1, 9, 300.0)
