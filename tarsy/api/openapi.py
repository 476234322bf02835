"""The OpenAPI document: FastAPI's, plus the SSE event payloads as components, rendered stably.

The rendered document is checked in as ``web/dashboard/openapi.json``; the dashboard's TypeScript
wire types are generated from it (``make wire-types``, docs/dashboard.md "Wire types").
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter

from tarsy.events.types import SessionListStreamEvent, SessionStreamEvent

REF_TEMPLATE = "#/components/schemas/{model}"

# Component name -> the union of payloads one event stream sends (discriminated by ``type``).
EVENT_STREAMS: dict[str, Any] = {
    "SessionStreamEvent": SessionStreamEvent,
    "SessionListStreamEvent": SessionListStreamEvent,
}


def event_stream_response(component: str) -> dict[str, Any]:
    """The ``responses[200]`` entry of an SSE route whose events ``component`` describes."""
    if component not in EVENT_STREAMS:
        raise KeyError(f"no event stream component {component!r}; known: {', '.join(EVENT_STREAMS)}")
    return {
        "description": "Server-sent events: each `data:` is one JSON object of this schema, "
        "and the SSE `event:` name is its `type`",
        "content": {"text/event-stream": {"schema": {"$ref": REF_TEMPLATE.format(model=component)}}},
    }


def event_schemas() -> dict[str, Any]:
    """Every event payload model, and one union per stream, as OpenAPI component schemas."""
    adapters = [(name, "validation", TypeAdapter(union)) for name, union in EVENT_STREAMS.items()]
    unions, definitions = TypeAdapter.json_schemas(adapters, ref_template=REF_TEMPLATE)  # type: ignore[arg-type]
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    for (name, _mode), schema in unions.items():
        schemas[name] = schema
    return schemas


def install_event_schemas(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) carry the event payloads in its components."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()  # FastAPI caches it after the first call
        components: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
        if "SessionStreamEvent" in components:
            return document
        for name, schema in event_schemas().items():
            if name in components and components[name] != schema:
                raise ValueError(f"OpenAPI component {name!r} is both an event payload and a different model")
            components[name] = schema
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def render(document: dict[str, Any]) -> str:
    """The document as checked in: sorted keys, two-space indent, one trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
