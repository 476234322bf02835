"""The warm MCP pool inside a running TARSy: investigations reuse the process started with the
service, and stopping the service leaves no child process behind."""

from __future__ import annotations

from pathlib import Path

from tests.support.server import running_tarsy, write_config
from tests.unit.tools.factories import descendants

CALL = {"name": "kubernetes-server__pods_list", "args": {"namespace": "checkout"}, "id": "call-1"}
SCRIPT = {
    "agents": {
        "KubernetesAgent": [{"text": "", "tool_calls": [CALL]}, {"text": "checkout-api is OOMKilled."}],
        "*": [{"text": "Summary: checkout-api is OOMKilled."}],
    }
}


async def test_investigations_reuse_the_process_started_with_tarsy_and_stop_leaves_no_children(
    tmp_path: Path, database_url: str
) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT)
    before = descendants()
    async with running_tarsy(config, database_url, workers=1) as tarsy:
        pools = tarsy.services.mcp.pools
        await pools.ready()
        started = descendants() - before
        assert len(started) == 1, "one warm process of kubernetes-server (the demo server), started with TARSy"
        for _ in range(2):
            session = await tarsy.submit()
            body = await tarsy.wait_status(session, {"completed", "failed"})
            assert body["status"] == "completed", body
        metrics = (await tarsy.client.get("/metrics")).text
        assert 'tarsy_mcp_calls_total{server="kubernetes-server",tool="pods_list"} 2.0' in metrics
        stats = pools.stats()["kubernetes-server"]
        assert stats.started == 1, "both investigations and the health checks used the warm process"
        assert descendants() - before == started
    assert descendants() - before == set()
