"""Prometheus metrics of one TARSy process, on a registry of its own (no global state).

Counters and histograms are updated where things happen (alert intake, session end, every LLM and
MCP interaction, HTTP requests, SSE streams); gauges that describe shared state (queue, workers,
MCP health) are refreshed from their source at scrape time.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from tarsy.contracts import LLMInteraction, MCPInteraction

_DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 2400, 3600)
_CALL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.sessions_submitted = Counter("tarsy_sessions_submitted", "Alerts accepted", ["alert_type"], registry=r)
        self.sessions_terminal = Counter(
            "tarsy_sessions_terminal", "Sessions ended, by status", ["status", "alert_type"], registry=r
        )
        self.session_duration = Histogram(
            "tarsy_session_duration_seconds", "From start to end of a session", buckets=_DURATION_BUCKETS, registry=r
        )
        self.session_wait = Histogram(
            "tarsy_session_wait_seconds", "From submission to first claim", buckets=_DURATION_BUCKETS, registry=r
        )
        self.sessions_active = Gauge("tarsy_sessions_active", "Sessions running (all replicas)", registry=r)
        self.sessions_queued = Gauge("tarsy_sessions_queued", "Sessions waiting (all replicas)", registry=r)
        self.workers_total = Gauge("tarsy_workers_total", "Workers in this process", registry=r)
        self.workers_busy = Gauge("tarsy_workers_busy", "Workers of this process running a job", registry=r)
        self.llm_calls = Counter("tarsy_llm_calls", "LLM calls", ["provider", "model", "type"], registry=r)
        self.llm_errors = Counter("tarsy_llm_errors", "Failed LLM calls", ["provider", "model"], registry=r)
        self.llm_tokens = Counter("tarsy_llm_tokens", "LLM tokens", ["provider", "model", "kind"], registry=r)
        self.llm_cost = Counter(
            "tarsy_llm_cost_usd", "Estimated cost of LLM calls in US dollars", ["provider", "model"], registry=r
        )
        self.llm_latency = Histogram(
            "tarsy_llm_duration_seconds", "LLM call latency", ["provider", "model"], buckets=_CALL_BUCKETS, registry=r
        )
        self.mcp_calls = Counter("tarsy_mcp_calls", "MCP tool calls", ["server", "tool"], registry=r)
        self.mcp_errors = Counter("tarsy_mcp_errors", "Failed MCP tool calls", ["server", "tool"], registry=r)
        self.mcp_latency = Histogram(
            "tarsy_mcp_duration_seconds", "MCP call latency", ["server", "tool"], buckets=_CALL_BUCKETS, registry=r
        )
        self.mcp_health = Gauge("tarsy_mcp_server_healthy", "1 when the MCP server answers", ["server"], registry=r)
        self.http_requests = Counter("tarsy_http_requests", "HTTP requests", ["method", "route", "status"], registry=r)
        self.http_latency = Histogram(
            "tarsy_http_duration_seconds", "HTTP latency", ["method", "route"], buckets=_CALL_BUCKETS, registry=r
        )
        self.alertmanager_over_limit = Counter(
            "tarsy_alertmanager_alerts_over_limit",
            "Firing Alertmanager alerts not opened: past system.alertmanager.max_alerts_per_request",
            registry=r,
        )
        self.alert_masking_failures = Counter(
            "tarsy_alert_masking_failures", "Alerts stored unmasked because masking failed", registry=r
        )
        self.sse_streams = Gauge("tarsy_sse_streams_open", "Open SSE streams", registry=r)

    def llm_interaction(self, record: LLMInteraction) -> None:
        labels = (record.provider, record.model)
        self.llm_calls.labels(*labels, record.interaction_type).inc()
        self.llm_latency.labels(*labels).observe(record.duration_ms / 1000)
        if record.error:
            self.llm_errors.labels(*labels).inc()
        for kind, value in (
            ("input", record.input_tokens),
            ("output", record.output_tokens),
            ("thinking", record.thinking_tokens),
        ):
            if value:
                self.llm_tokens.labels(*labels, kind).inc(value)
        if record.cost_usd:
            self.llm_cost.labels(*labels).inc(record.cost_usd)

    def mcp_interaction(self, record: MCPInteraction) -> None:
        if record.interaction_type != "tool_call":
            return
        labels = (record.server, record.tool or "")
        self.mcp_calls.labels(*labels).inc()
        self.mcp_latency.labels(*labels).observe(record.duration_ms / 1000)
        if record.is_error or record.error:
            self.mcp_errors.labels(*labels).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
