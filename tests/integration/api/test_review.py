"""Triage and review over HTTP (docs/review.md): sessions that really ran end as ``needs_review``;
every action, the refused ones, a bulk request with partial failure, the audit log with who and
when, the triage groups, the list-stream event and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tarsy.api.routes.history import LIST_EVENT_TYPES
from tarsy.store import queries
from tests.security.conftest import TOKENS_ENV, auth_config, bearer
from tests.support.server import RunningTarsy, read_sse, running_tarsy

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

REVIEW = "/api/v1/sessions/review"
OTTO, ADA, VERA = bearer("otto"), bearer("ada"), bearer("vera")


async def _ended_sessions(tarsy: RunningTarsy, count: int) -> list[str]:
    tarsy.client.headers.update(VERA)  # reads as a viewer; actions name their caller
    ids = []
    for n in range(count):
        resp = await tarsy.client.post(
            "/api/v1/alerts", json={"alert_type": "kubernetes", "data": {"pod": f"api-{n}"}}, headers=OTTO
        )
        assert resp.status_code == 202, resp.text
        ids.append(resp.json()["session_id"])
    for session_id in ids:
        assert (await tarsy.wait_status(session_id, {"completed", "failed"}))["status"] == "completed"
    return ids


async def _review(client: httpx.AsyncClient, who: dict[str, str], ids: list[str], **body: Any) -> httpx.Response:
    return await client.patch(REVIEW, json={"session_ids": ids, **body}, headers=who)


async def _detail(client: httpx.AsyncClient, session_id: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/api/v1/sessions/{session_id}", headers=VERA)).json()
    return body


async def _group(client: httpx.AsyncClient, group: str, who: dict[str, str] = VERA) -> set[str]:
    resp = await client.get(f"/api/v1/sessions/triage/{group}", params={"page_size": 100}, headers=who)
    assert resp.status_code == 200, resp.text
    return {item["id"] for item in resp.json()["items"]}


async def test_review_workflow_audit_groups_and_roles(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(auth_config(tmp_path, auth={"mode": "token"}), database_url, env=TOKENS_ENV) as tarsy:
        client = tarsy.client
        a, b, c = await _ended_sessions(tarsy, 3)
        started = datetime.now(UTC)
        assert (await _detail(client, a))["review_status"] == "needs_review"
        assert await _group(client, "needs_review") == {a, b, c}

        # a viewer reads triage but may not act
        refused = await _review(client, VERA, [a], action="claim")
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")

        claimed = await _review(client, OTTO, [a, b], action="claim")
        assert claimed.status_code == 200, claimed.text
        assert claimed.json()["applied"] == 2
        assert await _group(client, "mine", OTTO) == {a, b} and await _group(client, "mine", ADA) == set()
        item = next(i for i in (await client.get("/api/v1/sessions", headers=VERA)).json()["items"] if i["id"] == a)
        assert (item["review_status"], item["assignee"]) == ("in_progress", "otto")

        # bulk with partial failure: ada cannot finish otto's claims, c is applied, the unknown id is reported
        unknown = "00000000-0000-0000-0000-000000000000"
        bulk = await _review(client, ADA, [a, c, unknown, a], action="complete", quality_rating="accurate")
        assert bulk.status_code == 200, bulk.text
        results = {r["session_id"]: r for r in bulk.json()["results"]}
        assert (bulk.json()["applied"], bulk.json()["failed"], len(results)) == (1, 2, 3)
        assert results[a]["error"]["code"] == "conflict" and results[a]["review_status"] == "in_progress"
        assert results[unknown]["error"]["code"] == "not_found"
        assert results[c]["ok"] and (results[c]["review_status"], results[c]["quality_rating"]) == (
            "reviewed",
            "accurate",
        )

        # a single-session request answers the error itself
        single = await _review(client, ADA, [c], action="complete", quality_rating="inaccurate")
        assert (single.status_code, single.json()["error"]["code"]) == (409, "conflict")
        missing = await _review(client, ADA, [unknown], action="unclaim")
        assert missing.status_code == 404

        assert (await _review(client, OTTO, [a], action="complete", quality_rating="partially_accurate")).is_success
        assert (await _review(client, OTTO, [b], action="acknowledge", comment="known noise")).is_success
        assert (await _review(client, ADA, [c], action="reopen")).is_success
        assert (await _review(client, ADA, [c], action="feedback", comment="wrong pod")).is_success
        assert (await _review(client, ADA, [c], action="claim", assignee="otto")).is_success
        assert (await _review(client, ADA, [c], action="unclaim")).is_success

        assert await _group(client, "reviewed") == {a, b}
        assert await _group(client, "needs_review") == {c} and await _group(client, "in_progress") == set()
        done = await _detail(client, a)
        assert (done["quality_rating"], done["reviewed_by"], done["assignee"]) == ("partially_accurate", "otto", "otto")
        assert (await _detail(client, b))["quality_rating"] is None

        events = (await _detail(client, c))["review_events"]
        trail = [(e["action"], e["actor"], e["from_status"], e["to_status"], e["assignee"]) for e in events]
        assert trail == [
            ("complete", "ada", "needs_review", "reviewed", "ada"),
            ("reopen", "ada", "reviewed", "needs_review", None),
            ("feedback", "ada", "needs_review", "needs_review", None),
            ("claim", "ada", "needs_review", "in_progress", "otto"),
            ("unclaim", "ada", "in_progress", "needs_review", None),
        ]
        assert events[0]["quality_rating"] == "accurate" and events[2]["comment"] == "wrong pod"
        assert all(datetime.fromisoformat(e["at"]) >= started for e in events)
        assert [e["action"] for e in (await _detail(client, a))["review_events"]] == ["claim", "complete"]

        stored = await queries.status_events_after(tarsy.services.pool, LIST_EVENT_TYPES, 0, limit=1000)
        stream = await read_sse(client, "/api/v1/sessions/events?after=0", limit=len(stored))
        reviews = [e["data"] for e in stream if e["event"] == "session.review_updated"]
        assert [(r["session_id"], r["action"], r["actor"]) for r in reviews if r["session_id"] == c][-1] == (
            c,
            "unclaim",
            "ada",
        )


async def test_invalid_requests_are_refused_with_a_clear_4xx(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(auth_config(tmp_path, auth={"mode": "token"}), database_url, env=TOKENS_ENV) as tarsy:
        client, some = tarsy.client, ["00000000-0000-0000-0000-000000000000"]
        mismatched: list[dict[str, Any]] = [
            {"session_ids": some, "action": "complete"},  # no rating
            {"session_ids": some, "action": "claim", "quality_rating": "accurate"},
            {"session_ids": some, "action": "feedback"},  # no comment
            {"session_ids": some, "action": "feedback", "comment": "  "},
            {"session_ids": some, "action": "reopen", "assignee": "bob"},
        ]
        for body in mismatched:
            resp = await client.patch(REVIEW, json=body, headers=OTTO)
            assert (resp.status_code, resp.json()["error"]["code"]) == (400, "invalid_input"), (body, resp.text)
        cases: list[dict[str, Any]] = [
            {"session_ids": [], "action": "claim"},
            {"session_ids": some * 101, "action": "claim"},
            {"session_ids": some, "action": "feedback", "comment": "x" * 4001},
            {"session_ids": some, "action": "approve"},
        ]
        for body in cases:
            resp = await client.patch(REVIEW, json=body, headers=OTTO)
            assert resp.status_code == 422, (body, resp.text)
        bad_group = await client.get("/api/v1/sessions/triage/everything", headers=VERA)
        assert bad_group.status_code == 422
