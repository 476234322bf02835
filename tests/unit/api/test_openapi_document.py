"""The checked-in OpenAPI document (web/dashboard/openapi.json) is the API's, and describes the SSE
event payloads; the dashboard's TypeScript wire types are generated from it."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from tarsy.api.app import create_app
from tarsy.api.openapi import render
from tarsy.events import types as ev

CHECKED_IN = Path(__file__).resolve().parents[3] / "web" / "dashboard" / "openapi.json"
REF = "#/components/schemas/"


def _document() -> dict[str, Any]:
    return create_app(env={}).openapi()


def test_checked_in_openapi_document_is_current() -> None:
    current = render(_document())
    checked_in = CHECKED_IN.read_text("utf-8") if CHECKED_IN.is_file() else ""
    if current != checked_in:
        diff = "".join(
            list(difflib.unified_diff(checked_in.splitlines(True), current.splitlines(True), "checked in", "API"))[:60]
        )
        raise AssertionError(
            f"{CHECKED_IN} differs from the API's OpenAPI document: run `make wire-types` and commit"
            f" openapi.json and src/api/schema.gen.ts (docs/dashboard.md, 'Wire types').\n{diff}"
        )


def test_rendering_is_deterministic() -> None:
    assert render(_document()) == render(_document())


def _stream_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    content = document["paths"][path]["get"]["responses"]["200"]["content"]["text/event-stream"]
    name = content["schema"]["$ref"].removeprefix(REF)
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def _names_on_the_wire(*literals: str) -> set[str]:
    return {getattr(ev, name) for name in literals}


def test_sse_routes_describe_their_event_payloads() -> None:
    document = _document()
    session = _stream_schema(document, "/api/v1/sessions/{session_id}/events")
    listing = _stream_schema(document, "/api/v1/sessions/events")
    constants = [
        "SESSION_STATUS",
        "CHAT_STATUS",
        "STAGE_STATUS",
        "EXECUTION_STATUS",
        "TIMELINE_CREATED",
        "TIMELINE_COMPLETED",
        "INTERACTION_CREATED",
        "APPROVAL_REQUESTED",
        "APPROVAL_DECIDED",
        "STREAM_CHUNK",
        "SESSION_REVIEW_UPDATED",
        "SCORE_UPDATED",
    ]
    assert set(session["discriminator"]["mapping"]) == _names_on_the_wire(*constants)
    assert set(listing["discriminator"]["mapping"]) == _names_on_the_wire(
        "SESSION_STATUS", "SESSION_REVIEW_UPDATED", "SCORE_UPDATED", "RESYNC"
    )
    for target in [*session["discriminator"]["mapping"].values(), *listing["discriminator"]["mapping"].values()]:
        payload = document["components"]["schemas"][target.removeprefix(REF)]
        assert {"type"} <= set(payload["required"]), target
