"""GET /api/v1/sessions against a few hundred seeded sessions: paging, sorting, filters, search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.integration.api.conftest import SeededTarsy
from tests.integration.api.seed import BASE, SeededSession

pytestmark = [pytest.mark.integration]

SORT_KEYS: dict[str, Callable[[SeededSession], Any]] = {
    "created_at": lambda s: s.created_at,
    "status": lambda s: s.status,
    "alert_type": lambda s: s.alert_type,
    "author": lambda s: s.author,
    "duration": lambda s: s.duration_ms,
}


def ordered(sessions: list[SeededSession], sort_by: str, sort_order: str) -> list[str]:
    """The documented order: by the key (missing values last either way), then created_at, then id."""
    key = SORT_KEYS[sort_by]
    reverse = sort_order == "desc"
    present = sorted((s for s in sessions if key(s) is not None), key=lambda s: (key(s), s.created_at, s.id))
    missing = sorted((s for s in sessions if key(s) is None), key=lambda s: (s.created_at, s.id))
    if reverse:
        present.reverse()
        missing.reverse()
    return [s.id for s in present + missing]


async def all_pages(env: SeededTarsy, params: dict[str, Any], page_size: int = 100) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        resp = await env.tarsy.client.get("/api/v1/sessions", params={**params, "page": page, "page_size": page_size})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["page"] == page and body["page_size"] == page_size
        items.extend(body["items"])
        if len(body["items"]) < page_size:
            return items, body["total"]
        page += 1


async def test_default_listing_is_newest_first_and_pages_cover_everything(seeded: SeededTarsy) -> None:
    first = (await seeded.tarsy.client.get("/api/v1/sessions")).json()
    items, total = await all_pages(seeded, {}, page_size=37)
    assert total == len(seeded.seeded.sessions) == first["total"]
    assert [i["id"] for i in items] == ordered(seeded.seeded.sessions, "created_at", "desc")
    assert first["page"] == 1 and first["page_size"] == 20
    assert [i["id"] for i in first["items"]] == [i["id"] for i in items[:20]]
    beyond = (await seeded.tarsy.client.get("/api/v1/sessions", params={"page": 1000})).json()
    assert beyond["items"] == [] and beyond["total"] == total


@pytest.mark.parametrize("sort_by", list(SORT_KEYS))
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
async def test_sorting(seeded: SeededTarsy, sort_by: str, sort_order: str) -> None:
    items, _ = await all_pages(seeded, {"sort_by": sort_by, "sort_order": sort_order})
    assert [i["id"] for i in items] == ordered(seeded.seeded.sessions, sort_by, sort_order)


def _created_between(start: datetime, end: datetime) -> Callable[[SeededSession], bool]:
    return lambda s: start <= s.created_at <= end


WINDOW_START, WINDOW_END = BASE + timedelta(days=2), BASE + timedelta(days=4, hours=5)

FILTERS: list[tuple[dict[str, str], Callable[[SeededSession], bool]]] = [
    ({"status": "completed"}, lambda s: s.status == "completed"),
    ({"status": "failed, timed_out"}, lambda s: s.status in ("failed", "timed_out")),
    ({"status": "pending"}, lambda s: s.status == "pending"),
    ({"alert_type": "database"}, lambda s: s.alert_type == "database"),
    ({"chain_id": "k8s-chain"}, lambda s: s.chain_id == "k8s-chain"),
    ({"author": "bob"}, lambda s: s.author == "bob"),
    ({"author": "nobody"}, lambda s: False),
    (
        {"start_date": WINDOW_START.isoformat(), "end_date": WINDOW_END.isoformat()},
        _created_between(WINDOW_START, WINDOW_END),
    ),
    (
        # No zone means UTC; +02:00 is honoured.
        {"start_date": "2026-03-03T00:00:00", "end_date": "2026-03-04T02:00:00+02:00"},
        _created_between(BASE + timedelta(days=2), BASE + timedelta(days=3)),
    ),
    ({"start_date": (BASE + timedelta(days=6)).isoformat()}, lambda s: s.created_at >= BASE + timedelta(days=6)),
    (
        {"status": "completed,failed", "author": "alice", "alert_type": "kubernetes"},
        lambda s: s.status in ("completed", "failed") and s.author == "alice" and s.alert_type == "kubernetes",
    ),
]


@pytest.mark.parametrize(("params", "predicate"), FILTERS, ids=[str(p) for p, _ in FILTERS])
async def test_filters(seeded: SeededTarsy, params: dict[str, str], predicate: Callable[[SeededSession], bool]) -> None:
    items, total = await all_pages(seeded, {**params, "sort_by": "author", "sort_order": "asc"})
    expected = ordered([s for s in seeded.seeded.sessions if predicate(s)], "author", "asc")
    assert [i["id"] for i in items] == expected
    assert total == len(expected)
    if expected == []:
        assert params == {"author": "nobody"}, "a filter that matches nothing tests nothing"


async def test_summary_fields(seeded: SeededTarsy) -> None:
    items, _ = await all_pages(seeded, {})
    for item in items:
        s = seeded.seeded.by_id(item["id"])
        assert (item["status"], item["alert_type"], item["chain_id"], item["author"]) == (
            s.status,
            s.alert_type,
            s.chain_id,
            s.author,
        )
        assert item["duration_ms"] == s.duration_ms
        assert item["input_tokens"] == s.tokens("input_tokens")
        assert item["output_tokens"] == s.tokens("output_tokens")
        assert item["total_tokens"] == s.tokens("total_tokens")
        assert item["stage_count"] == s.stage_count
        assert item["executive_summary"] == s.executive_summary
        assert item["error_message"] == s.error_message
        assert datetime.fromisoformat(item["created_at"]) == s.created_at
        assert item["matched_in_timeline"] is False
    assert any(i["total_tokens"] > 0 for i in items) and any(i["duration_ms"] is None for i in items)


async def search(env: SeededTarsy, text: str, **params: str) -> dict[str, bool]:
    items, total = await all_pages(env, {"search": text, **params})
    assert total == len(items)
    return {i["id"]: i["matched_in_timeline"] for i in items}


async def test_search_finds_alert_data_final_analysis_and_flags_timeline_only_hits(seeded: SeededTarsy) -> None:
    hits = seeded.seeded.hits
    found = await search(seeded, "zebrafish")
    assert found == {hits["alert"].id: False, hits["analysis"].id: False, hits["timeline"].id: True}
    # Word prefixes match, so a list can be filtered while typing.
    assert await search(seeded, "zebra") == found
    # Text alert payloads are searched too, and stemming folds plurals.
    assert await search(seeded, "quokka") == {hits["text"].id: False}
    # Every word must match.
    assert await search(seeded, "zebrafish cable") == {hits["analysis"].id: False}
    assert await search(seeded, "zebrafish nonexistentword") == {}


async def test_search_tells_identifiers_apart(seeded: SeededTarsy) -> None:
    hits = seeded.seeded.hits
    ids = {name: hits[name].id for name in ("web-0", "web-1", "web-2", "web-10", "node-1", "node-10")}
    # A StatefulSet pod name matches exactly: web-1 is neither web-10 nor web-2.
    assert await search(seeded, "web-1") == {ids["web-1"]: False}
    assert await search(seeded, "web-10") == {ids["web-10"]: False}
    assert await search(seeded, "shop web-2") == {ids["web-2"]: False}
    # While typing, a plain word is still a prefix: "web" and "web-" find every web pod.
    web = {ids[p]: False for p in ("web-0", "web-1", "web-2", "web-10")}
    assert await search(seeded, "web") == web
    assert await search(seeded, "web-") == web
    # Dotted names, IPs and image references match exactly too.
    assert await search(seeded, "node-1.example.com") == {ids["node-1"]: False}
    assert await search(seeded, "10.0.0.12") == {ids["node-1"]: False}
    assert await search(seeded, "nginx:1.25.4") == {ids["node-10"]: False}
    # A quoted phrase needs its words in order; a leading minus excludes.
    assert await search(seeded, '"payments api pods"') == {ids["node-1"]: False}
    assert await search(seeded, "payments failing") == {ids["node-1"]: False, ids["node-10"]: False}
    assert await search(seeded, "payments failing -ingress") == {ids["node-10"]: False}
    assert await search(seeded, 'shop -web-1 -"web-0"') == {ids["web-2"]: False, ids["web-10"]: False}
    # Query syntax typed by accident never breaks the query: results, or a 400 saying what to fix.
    for text in ("it's", "a & b | !c", "web-1:*", "\\\\\\", '"""', "---", "(web)", "'''"):
        resp = await seeded.tarsy.client.get("/api/v1/sessions", params={"search": text})
        assert resp.status_code == 200 or resp.json()["error"]["code"] == "invalid_input", (text, resp.text)


async def test_search_combines_with_filters_and_sorting(seeded: SeededTarsy) -> None:
    hits = seeded.seeded.hits
    alert_hit = hits["alert"]
    found = await search(seeded, "zebrafish", author=alert_hit.author, status=alert_hit.status)
    assert alert_hit.id in found
    assert all(seeded.seeded.by_id(i).author == alert_hit.author for i in found)
    # A word in many sessions: the timeline of every started session mentions its pod.
    items, total = await all_pages(seeded, {"search": "checked", "sort_by": "created_at", "sort_order": "asc"})
    expected = [s for s in seeded.seeded.sessions if any("Checked" in t for t in s.timeline)]
    assert [i["id"] for i in items] == ordered(expected, "created_at", "asc")
    assert total == len(expected) > 100
    assert all(i["matched_in_timeline"] for i in items)


async def test_search_uses_the_gin_indexes(seeded: SeededTarsy) -> None:
    """The query's expressions must match the indexes of 003_search.sql, or search scans every row."""
    from tarsy.store import queries

    pool = seeded.tarsy.services.pool
    where_session = f"SELECT s.id FROM alert_sessions s WHERE {queries.SESSION_VECTOR} @@ to_tsquery('english', 'x')"
    where_timeline = f"SELECT t.id FROM timeline_events t WHERE {queries.TIMELINE_VECTOR} @@ to_tsquery('english', 'x')"
    plans = []
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        for query in (where_session, where_timeline):
            cur = await conn.execute(f"EXPLAIN {query}")  # type: ignore[arg-type]
            plans.append("\n".join(str(r["QUERY PLAN"]) for r in await cur.fetchall()))
    assert "alert_sessions_search" in plans[0], plans[0]
    assert "timeline_events_search" in plans[1], plans[1]


@pytest.mark.parametrize(
    ("params", "status", "needles"),
    [
        ({"sort_by": "priority"}, 422, ["sort_by", "created_at", "duration"]),
        ({"sort_order": "up"}, 422, ["sort_order", "asc", "desc"]),
        ({"status": "completed,done"}, 400, ["status", "'done'", "pending", "timed_out"]),
        ({"page": "0"}, 422, ["page"]),
        ({"page_size": "101"}, 422, ["page_size", "100"]),
        ({"page_size": "0"}, 422, ["page_size"]),
        ({"search": "ab"}, 422, ["search", "3"]),
        ({"search": "!!!"}, 400, ["search", "letter or digit"]),
        ({"start_date": "yesterday"}, 422, ["start_date"]),
        ({"start_date": "2026-03-05T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}, 400, ["start_date", "end_date"]),
        ({"author": "a\x00b"}, 400, ["author", "NUL"]),
    ],
)
async def test_invalid_parameters_are_named(
    seeded: SeededTarsy, params: dict[str, str], status: int, needles: list[str]
) -> None:
    resp = await seeded.tarsy.client.get("/api/v1/sessions", params=params)
    assert resp.status_code == status, resp.text
    message = resp.json()["error"]["message"]
    for needle in needles:
        assert needle in message, message
