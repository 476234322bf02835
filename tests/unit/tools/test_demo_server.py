"""The demo MCP server through the real tool layer: a crash-looping pod, masked secrets, a summary."""

from __future__ import annotations

import base64
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tarsy.config import TarsyConfig
from tarsy.demo import cluster
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.context import ToolOutcome, ToolRequest
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.executor import McpToolExecutor
from tarsy.tools.sessions import McpSessions
from tests.unit.tools.factories import Lines, make_agent, make_config, scope, write_script

DEMO = {
    "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.demo.server"]},
    "data_masking": {"pattern_groups": ["kubernetes", "cloud"]},
}
SECRETS = (
    cluster.DB_PASSWORD,
    base64.b64encode(cluster.DB_PASSWORD.encode()).decode(),
    cluster.SECRETS["checkout-api-credentials"]["data"]["STRIPE_API_KEY"],
    cluster.AWS_ACCESS_KEY_ID,
    cluster.AWS_SECRET_ACCESS_KEY,
)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> TarsyConfig:
    script = write_script(
        tmp_path_factory.mktemp("demo"), [{"text": "The container is OOMKilled during cache warm-up."}]
    )
    return make_config({"demo": DEMO}, script=script)


@pytest.fixture(scope="module")
async def tools(config: TarsyConfig) -> AsyncIterator[tuple[McpToolExecutor, MemoryRecorder]]:
    recorder = MemoryRecorder()
    async with McpSessions(config) as sessions:
        yield McpToolExecutor(config, sessions, recorder, ModelFactory(config, env={})), recorder


async def _call(
    tools: tuple[McpToolExecutor, MemoryRecorder],
    config: TarsyConfig,
    tool: str,
    arguments: dict[str, object],
    lines: Lines | None = None,
) -> ToolOutcome:
    executor, _ = tools
    request = ToolRequest(f"demo.{tool}", arguments, "c")
    return await executor.execute(make_agent(config, servers=("demo",)), request, scope(lines))


async def test_the_cluster_has_a_crash_looping_pod(
    tools: tuple[McpToolExecutor, MemoryRecorder], config: TarsyConfig
) -> None:
    names = [spec.name for spec in await tools[0].list_tools(make_agent(config, servers=("demo",)))]
    assert {"demo.pods_list", "demo.pods_get", "demo.pods_log", "demo.events_list", "demo.resources_get"} <= set(names)
    pods = await _call(tools, config, "pods_list", {"namespace": "checkout"})
    [row] = [line.split() for line in pods.content.splitlines() if line.startswith(cluster.CRASHING_POD)]
    assert row[1:4] == ["0/1", "CrashLoopBackOff", "14"]
    pod = await _call(tools, config, "pods_get", {"namespace": "checkout", "name": cluster.CRASHING_POD})
    assert "reason: OOMKilled" in pod.content and "exitCode: 137" in pod.content
    events = await _call(tools, config, "events_list", {"namespace": "checkout"})
    assert "OOMKilling" in events.content and "BackOff" in events.content
    quiet = await _call(tools, config, "pods_log", {"namespace": "checkout", "name": "redis-0", "previous": True})
    assert quiet.content == "(the tool returned no output)" and not quiet.is_error
    missing = await _call(tools, config, "pods_list", {"namespace": "nope"})
    assert missing.is_error and 'namespaces "nope" not found' in missing.content


async def test_the_secret_and_the_cloud_key_are_masked(
    tools: tuple[McpToolExecutor, MemoryRecorder], config: TarsyConfig
) -> None:
    secret = await _call(
        tools, config, "resources_get", {"kind": "Secret", "namespace": "checkout", "name": "checkout-api-credentials"}
    )
    config_map = await _call(
        tools, config, "resources_get", {"kind": "ConfigMap", "namespace": "checkout", "name": "checkout-api-config"}
    )
    assert "kind: Secret" in secret.content and "[MASKED_SECRET_DATA]" in secret.content
    assert "PRODUCT_CACHE_SIZE: '250000'" in config_map.content
    assert "[MASKED_AWS_KEY]" in config_map.content and "[MASKED_AWS_SECRET]" in config_map.content
    stored = repr(tools[1].mcp_calls)
    assert [s for s in SECRETS if s in secret.content + config_map.content + stored] == []


async def test_the_previous_log_is_long_enough_to_be_summarized(
    tools: tuple[McpToolExecutor, MemoryRecorder], config: TarsyConfig
) -> None:
    current = await _call(tools, config, "pods_log", {"namespace": "checkout", "name": cluster.CRASHING_POD})
    assert not current.summarized and "cache warm-up started" in current.content
    previous = await _call(
        tools, config, "pods_log", {"namespace": "checkout", "name": cluster.CRASHING_POD, "previous": True}
    )
    assert previous.summarized
    assert previous.content.startswith("[NOTE: The output of demo.pods_log was ")
    assert previous.content.endswith("The container is OOMKilled during cache warm-up.")
    assert "out of memory" in (tools[1].mcp_calls[-1].result or "")


async def test_diagnostics_report_progress_while_they_run(
    tools: tuple[McpToolExecutor, MemoryRecorder], config: TarsyConfig
) -> None:
    lines = Lines()
    report = await _call(tools, config, "diagnostics_run", {"namespace": "checkout"}, lines)
    assert report.content.startswith("Diagnostics for namespace checkout:")
    assert lines.lines[0] == "[progress 0/5] checking nodes\n"
    assert lines.lines[-1] == "[progress 5/5] done\n"
    assert sum(line.startswith("[info] ") for line in lines.lines) == 5


def test_the_demo_data_is_deterministic() -> None:
    assert cluster.previous_log() == cluster.previous_log()
    assert len(cluster.previous_log()) // 4 > 5000, "above the default summarization threshold"
    assert Path(cluster.__file__).parent.name == "demo"
