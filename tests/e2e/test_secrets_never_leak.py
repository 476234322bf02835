"""A tool returns a Kubernetes Secret and an AWS key: no value reaches a stored row, an SSE event,
a model input or a log line."""

from __future__ import annotations

import base64
import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from tarsy.demo import cluster as demo_cluster
from tests.support.server import read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

SECRETS = [
    demo_cluster.DB_PASSWORD,
    base64.b64encode(demo_cluster.DB_PASSWORD.encode()).decode(),
    demo_cluster.AWS_ACCESS_KEY_ID,
    demo_cluster.AWS_SECRET_ACCESS_KEY,
    base64.b64encode(b"sk_live_51Hdemo000000000000000000").decode(),
]

SERVER: dict[str, Any] = {
    "kubernetes-server": {
        "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.demo.server"]},
        "data_masking": {"pattern_groups": ["kubernetes", "cloud"]},
    }
}

SCRIPT = {
    "agents": {
        "KubernetesAgent": [
            {
                "tool_calls": [
                    {
                        "name": "kubernetes-server__resources_get",
                        "args": {"kind": "Secret", "namespace": "checkout", "name": "checkout-api-credentials"},
                    },
                    {
                        "name": "kubernetes-server__resources_get",
                        "args": {"kind": "ConfigMap", "namespace": "checkout", "name": "checkout-api-config"},
                    },
                ]
            },
            {"text": "The credentials are stored in a ConfigMap; move them to a Secret."},
        ],
        "*": [{"text": "summary"}],
    }
}

TABLES = (
    "alert_sessions",
    "stages",
    "agent_executions",
    "timeline_events",
    "events",
    "llm_interactions",
    "mcp_interactions",
    "checkpoints",
    "checkpoint_blobs",
    "checkpoint_writes",
)


async def test_secrets_are_masked_everywhere(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = write_config(tmp_path / "c", script=SCRIPT, tarsy={"mcp_servers": SERVER})
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit({"namespace": "checkout", "note": f"aws_secret_access_key={SECRETS[3]}"})
        events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        session = await tarsy.wait_status(session_id, {"completed"})
        dump: list[str] = []
        async with tarsy.services.pool.connection() as conn:
            for table in TABLES:
                cur = await conn.execute(f"SELECT row_to_json(t)::text AS row FROM {table} t")
                dump.extend(r["row"] for r in await cur.fetchall())
            cur = await conn.execute(
                "SELECT encode(blob, 'escape') AS b FROM checkpoint_blobs WHERE blob IS NOT NULL"
                " UNION ALL SELECT encode(blob, 'escape') FROM checkpoint_writes"
            )
            dump.extend(r["b"] for r in await cur.fetchall())
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
    tool_results = [e["content"] for e in timeline if e["event_type"] == "llm_tool_call"]
    assert len(tool_results) == 2
    assert "[MASKED_SECRET_DATA]" in tool_results[0]
    assert "[MASKED_AWS_KEY]" in tool_results[1]
    assert "checkout-api-config" in tool_results[1], "the ConfigMap itself stays readable"
    assert session["status"] == "completed"
    haystacks = {
        "database": "\n".join(dump),
        "sse": "\n".join(str(e["data"]) for e in events),
        "logs": caplog.text,
    }
    for where, text in haystacks.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret[:6]}… leaked into {where}"
