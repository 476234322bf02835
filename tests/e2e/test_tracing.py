"""OpenTelemetry spans for sessions and chat: nesting, attributes, no content unless asked, OTLP."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tarsy.demo import cluster as demo_cluster
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

SERVER: dict[str, Any] = {
    "kubernetes-server": {
        "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.demo.server"]},
        "data_masking": {"pattern_groups": ["kubernetes", "cloud"]},
    }
}
SECRET_CALL = {
    "name": "kubernetes-server__resources_get",
    "args": {"kind": "Secret", "namespace": "checkout", "name": "checkout-api-credentials"},
}
SCRIPT = {
    "agents": {
        "KubernetesAgent": [
            {"tool_calls": [SECRET_CALL]},
            {"text": "Root cause: the checkout-api credentials secret rotated."},
        ],
        "ChatAgent": [{"text": "Rotate it back."}],
        "*": [{"text": "summary"}],
    }
}
ALERT = {"pod": "checkout-api-1", "note": f"db password {demo_cluster.DB_PASSWORD}"}


def _config(tmp_path: Path, *, include_content: bool = False) -> Path:
    system = {"tracing": {"include_content": include_content}}
    return write_config(tmp_path / "cfg", script=SCRIPT, tarsy={"mcp_servers": SERVER, "system": system})


def _by_name(spans: tuple[ReadableSpan, ...] | list[ReadableSpan], prefix: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name.startswith(prefix)]


def _parent(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    assert span.parent is not None, f"{span.name} has no parent"
    return next(s for s in spans if s.context is not None and s.context.span_id == span.parent.span_id)


async def _investigate(tmp_path: Path, database_url: str, exporter: InMemorySpanExporter, **cfg: bool) -> str:
    async with running_tarsy(_config(tmp_path, **cfg), database_url, span_exporter=exporter) as tarsy:
        session_id = await tarsy.submit(ALERT)
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
        assert session["status"] == "completed", session
        resp = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "Fix?"})
        assert resp.status_code == 202, resp.text
        for _ in range(600):
            if _by_name(exporter.get_finished_spans(), "chat"):
                break
            await asyncio.sleep(0.05)
    return session_id


async def test_session_spans_nest_and_carry_ids_but_no_content(tmp_path: Path, database_url: str) -> None:
    exporter = InMemorySpanExporter()
    session_id = await _investigate(tmp_path, database_url, exporter)
    spans = exporter.get_finished_spans()

    (root,) = [s for s in spans if s.name == "session"]
    assert root.parent is None
    assert root.attributes is not None
    assert root.attributes["tarsy.session_id"] == session_id
    assert root.attributes["tarsy.chain_id"] and root.attributes["tarsy.status"] == "completed"
    in_session = tuple(s for s in spans if s.context and root.context and s.context.trace_id == root.context.trace_id)
    stages = _by_name(in_session, "stage ")
    assert len(stages) == 2 and all(_parent(s, spans) is root for s in stages)  # investigation, exec summary
    agents = _by_name(spans, "agent KubernetesAgent")
    assert len(agents) == 1 and _parent(agents[0], spans).name.startswith("stage ")
    llm = [s for s in _by_name(spans, "llm ") if s.attributes and s.attributes["tarsy.interaction_type"] == "iteration"]
    assert len(llm) == 2 and all(_parent(s, spans) is agents[0] for s in llm)
    assert all(s.attributes and s.attributes["gen_ai.request.model"] == "test-model" for s in llm)
    assert all(s.attributes and int(str(s.attributes["gen_ai.usage.input_tokens"])) > 0 for s in llm)
    (tool,) = _by_name(spans, "tool ")
    assert tool.attributes is not None and tool.attributes["tarsy.tool"] == "kubernetes-server.resources_get"
    assert _parent(tool, spans) is agents[0]

    (chat,) = [s for s in spans if s.name == "chat"]
    assert chat.attributes is not None and chat.attributes["tarsy.session_id"] == session_id
    (chat_llm,) = _by_name(spans, "llm chat")
    assert _parent(_parent(_parent(chat_llm, spans), spans), spans) is chat, "chat llm -> agent -> stage -> chat"

    everything = repr([(s.name, dict(s.attributes or {})) for s in spans])
    for key in ("tarsy.response", "tarsy.tool_result", "tarsy.tool_arguments"):
        assert key not in everything, "content is off by default"
    assert demo_cluster.DB_PASSWORD not in everything


async def test_included_content_is_masked(tmp_path: Path, database_url: str) -> None:
    exporter = InMemorySpanExporter()
    await _investigate(tmp_path, database_url, exporter, include_content=True)
    spans = exporter.get_finished_spans()
    (tool,) = _by_name(spans, "tool ")
    assert tool.attributes is not None
    result = str(tool.attributes["tarsy.tool_result"])
    assert "checkout-api-credentials" in result
    assert "checkout-api-credentials" in str(tool.attributes["tarsy.tool_arguments"])
    responses = [
        str(s.attributes["tarsy.response"])
        for s in _by_name(spans, "llm ")
        if s.attributes and "tarsy.response" in s.attributes
    ]
    assert any("credentials secret rotated" in r for r in responses)
    everything = repr([dict(s.attributes or {}) for s in spans])
    for secret in (demo_cluster.DB_PASSWORD, demo_cluster.AWS_SECRET_ACCESS_KEY):
        assert secret not in everything


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    received: ClassVar[list[tuple[str, bytes]]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


async def test_spans_are_exported_over_otlp_http(
    tmp_path: Path, database_url: str, collector: tuple[str, list[tuple[str, bytes]]]
) -> None:
    endpoint, received = collector
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}
    async with running_tarsy(_config(tmp_path), database_url, env=env) as tarsy:
        session_id = await tarsy.submit(ALERT)
        assert (await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60))["status"] == "completed"
    # Shutting the app down flushes the batch processor.
    assert received and {path for path, _ in received} == {"/v1/traces"}
    names: set[str] = set()
    session_ids: set[str] = set()
    for _, body in received:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert service["service.name"] == "tarsy"
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    names.add(span.name)
                    session_ids |= {a.value.string_value for a in span.attributes if a.key == "tarsy.session_id"}
    assert {"session", "agent KubernetesAgent", "tool kubernetes-server.resources_get"} <= names
    assert session_ids == {session_id}
