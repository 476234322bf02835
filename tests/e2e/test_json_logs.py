"""The JSON log lines of a session name the session, stage, agent, trace and error id, and hold no secret."""

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

from tarsy.config import ResolvedAgent
from tarsy.contracts import ToolOutcome, ToolRequest, ToolScope, ToolSpec
from tarsy.demo import cluster as demo_cluster
from tarsy.observability.logging import configure_logging
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
        "Collector": [{"text": f"Found the secret; the AWS key is {demo_cluster.AWS_SECRET_ACCESS_KEY}."}],
        "Breaker": [{"tool_calls": [{"name": "srv__explode", "args": {}}]}],
        "*": [{"text": "summary"}],
    }
}
CHAIN: dict[str, Any] = {
    "agents": {"Collector": {}, "Breaker": {}},
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [{"name": "collect", "agents": [{"name": "Collector"}, {"name": "Breaker"}]}],
        }
    },
}


class ExplodingTools:
    """A tool layer with a bug: its failure is internal, so only an error id may reach clients."""

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]:
        return [ToolSpec(name="srv.explode", description="Fails inside TARSy.")]

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        raise LookupError("internal detail that must stay in the log")


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
    async with running_tarsy(
        config, database_url, span_exporter=InMemorySpanExporter(), tools=ExplodingTools()
    ) as tarsy:
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
    failure = agent_lines["Breaker"]
    assert failure["level"] == "ERROR" and failure["message"].startswith("agent Breaker failed")
    assert failure["error_id"] and failure["error_id"] in failure["message"], "the error id is a field of its own"
    (stored,) = [e["error_message"] for s in session["stages"] for e in s["executions"] if e["agent_name"] == "Breaker"]
    assert failure["error_id"] in stored and "internal detail" not in stored, "the API shows the id, not the text"
    assert "internal detail that must stay in the log" in failure["exception"]
    assert len({line["trace_id"] for line in mine if "trace_id" in line}) == 1, "one trace per session run"
    text = json_log.getvalue()
    for secret in SECRETS:
        assert secret not in text, f"{secret[:6]}... leaked into the log"
