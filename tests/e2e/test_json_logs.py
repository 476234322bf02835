"""The JSON log lines of a session name the session, stage, agent and trace, and hold no secret."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tarsy.observability.logging import configure_logging
from tarsy.tools import demo_cluster
from tests.e2e.test_tracing import SERVER
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

SECRETS = [
    demo_cluster.DB_PASSWORD,
    base64.b64encode(demo_cluster.DB_PASSWORD.encode()).decode(),
    demo_cluster.AWS_ACCESS_KEY_ID,
    demo_cluster.AWS_SECRET_ACCESS_KEY,
]
SCRIPT = {
    "agents": {
        "Collector": [
            {
                "tool_calls": [
                    {
                        "name": "kubernetes-server__resources_get",
                        "args": {"kind": "Secret", "namespace": "checkout", "name": "checkout-api-credentials"},
                    }
                ]
            },
            {"text": f"Found the secret; the AWS key is {demo_cluster.AWS_SECRET_ACCESS_KEY}."},
        ],
        "Breaker": [{"error": "boom"}],
        "*": [{"text": "summary"}],
    }
}
CHAIN: dict[str, Any] = {
    "mcp_servers": SERVER,
    "agents": {"Collector": {"mcp_servers": ["kubernetes-server"]}, "Breaker": {}},
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [{"name": "collect", "agents": [{"name": "Collector"}, {"name": "Breaker"}]}],
        }
    },
}


@pytest.fixture
def json_log() -> Iterator[StringIO]:
    """The process's own JSON formatter and context filter, writing into a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", "json")
    buffer = StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


async def test_session_log_lines_carry_ids_and_no_secret(tmp_path: Path, database_url: str, json_log: StringIO) -> None:
    config = write_config(tmp_path / "cfg", script=SCRIPT, tarsy=CHAIN)
    async with running_tarsy(config, database_url, span_exporter=InMemorySpanExporter()) as tarsy:
        session_id = await tarsy.submit({"pod": "checkout-api-1", "note": f"password={demo_cluster.DB_PASSWORD}"})
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
    assert session["status"] == "completed", session

    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("session_id") == session_id]
    agent_lines = {line["agent"]: line for line in mine if "agent" in line and line["message"].startswith("agent ")}
    assert set(agent_lines) == {"Collector", "Breaker"}, [line["message"] for line in mine]
    stage_ids = {s["id"] for s in session["stages"]}
    for line in agent_lines.values():
        assert line["stage_id"] in stage_ids
        assert line["execution_id"] and len(line["trace_id"]) == 32 and len(line["span_id"]) == 16
    assert agent_lines["Breaker"]["level"] == "WARNING" and "failed" in agent_lines["Breaker"]["message"]
    assert len({line["trace_id"] for line in mine if "trace_id" in line}) == 1, "one trace per session run"
    text = json_log.getvalue()
    for secret in SECRETS:
        assert secret not in text, f"{secret[:6]}... leaked into the log"
