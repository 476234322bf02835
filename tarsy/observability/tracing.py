"""OpenTelemetry tracing: one trace per session run or chat answer, exported over OTLP when asked.

Tracing is off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) is set or
``system.tracing.enabled`` is true; then spans go to that collector over OTLP/HTTP. The process owns
its ``TracerProvider`` (never the global one), so an app that embeds TARSy keeps its own tracing.

Spans carry ids, names, models and token counts only. Prompt, response and tool content is added
solely with ``system.tracing.include_content``, and then through the same masking as the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Span, Tracer

ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
CONTENT_LIMIT = 4096  # characters of content per attribute when include_content is on


@dataclass(frozen=True)
class Tracing:
    """The process's tracer and what spans may carry."""

    tracer: Tracer
    provider: TracerProvider | None = None
    include_content: bool = False
    mask: Callable[[str], str] = str

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    def content(self, text: str | None) -> str | None:
        """``text`` masked and trimmed for a span attribute, or None when content is off."""
        if not self.include_content or not text:
            return None
        return self.mask(text)[:CONTENT_LIMIT]

    @contextlib.contextmanager
    def root_span(self, name: str, attributes: Mapping[str, str | int]) -> Iterator[Span]:
        """A span made current for the block: everything the block logs carries its trace id."""
        with self.tracer.start_as_current_span(name, attributes=dict(attributes)) as span:
            yield span

    def shutdown(self) -> None:
        if self.provider is not None:
            self.provider.shutdown()  # flushes what the batch processor still holds


DISABLED = Tracing(trace.NoOpTracer())


def otlp_endpoint(env: Mapping[str, str]) -> str | None:
    for name in ENDPOINT_VARS:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def build_tracing(
    env: Mapping[str, str],
    *,
    enabled: bool | None,
    include_content: bool,
    service_name: str,
    mask: Callable[[str], str],
    exporter: SpanExporter | None = None,
) -> Tracing:
    """Tracing as configured; ``exporter`` replaces OTLP (tests use the SDK's in-memory exporter)."""
    endpoint = otlp_endpoint(env)
    on = enabled if enabled is not None else (endpoint is not None or exporter is not None)
    if not on:
        return DISABLED
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself; a bare
        # OTEL_EXPORTER_OTLP_ENDPOINT gets the /v1/traces path appended, as the spec says.
        traces_url = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or (
            f"{endpoint.rstrip('/')}/v1/traces" if endpoint else None
        )
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url)))
    return Tracing(provider.get_tracer("tarsy"), provider, include_content, mask)


def current_trace_ids() -> tuple[str, str] | None:
    """The current span's (trace id, span id) in hex, for log lines; None outside a recorded span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
