"""The memory API over real HTTP and PostgreSQL (docs/api.md "Memory"): browse with filters, read
with the sessions that used a memory, edit (content masked and embedded again, audited), delete,
and a session's memories; limits answer clear 4xx."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.store import memories as store
from tests.support.fakes.embedder import HashingEmbedder
from tests.support.server import RunningTarsy, running_tarsy, write_config

pytestmark = [pytest.mark.integration]

SLACK_TOKEN = "xoxb-5555555555-6666666666666-QwErTyUiOpAsDfGhJkLzXcVb"
SCRIPT = {"agents": {"*": [{"text": "Root cause: OOMKilled."}]}}


async def _add(tarsy: RunningTarsy, content: str, alert_type: str | None = "kubernetes") -> str:
    memory = tarsy.services.memory
    assert memory is not None
    new = store.NewMemory(
        project="default",
        alert_type=alert_type,
        chain_id="kubernetes",
        category="root_cause",
        content=content,
        confidence=0.6,
        vector=HashingEmbedder.vector(content),
        embedding_model=memory.embedder.name,
        source_session_id=None,
        created_by="tarsy",
    )
    async with tarsy.services.pool.connection() as conn:
        return str((await store.insert_memory(conn, new))["id"])


async def test_browse_read_edit_and_delete(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "cfg", script=SCRIPT, tarsy={"memory": {"enabled": True}})
    async with running_tarsy(config, database_url, workers=0, embedder=HashingEmbedder()) as tarsy:
        oom = await _add(tarsy, "api pods restart OOMKilled below 512Mi")
        disk = await _add(tarsy, "disk pressure evicts pods", alert_type=None)
        sid = await tarsy.submit()
        memory = tarsy.services.memory
        assert memory is not None
        await memory.recall(sid, "api OOMKilled", "kubernetes")

        page = (await tarsy.client.get("/api/v1/memories")).json()
        assert page["total"] == 2 and {m["id"] for m in page["items"]} == {oom, disk}
        typed = (await tarsy.client.get("/api/v1/memories", params={"alert_type": "kubernetes"})).json()
        assert [m["id"] for m in typed["items"]] == [oom]
        found = (await tarsy.client.get("/api/v1/memories", params={"q": "evicts"})).json()
        assert [m["id"] for m in found["items"]] == [disk]

        detail = (await tarsy.client.get(f"/api/v1/memories/{oom}")).json()
        assert [(s["session_id"], s["kind"]) for s in detail["sessions"]] == [(sid, "recalled")]
        used = (await tarsy.client.get(f"/api/v1/sessions/{sid}/memories")).json()
        assert [(m["id"], m["kind"]) for m in used] == [(oom, "recalled")]

        patched = await tarsy.client.patch(
            f"/api/v1/memories/{oom}", json={"content": f"certificate expired token={SLACK_TOKEN}", "confidence": 0.9}
        )
        assert patched.status_code == 200, patched.text
        body = patched.json()
        assert SLACK_TOKEN not in body["content"] and "MASKED" in body["content"]
        assert body["confidence"] == 0.9 and body["updated_by"] != "tarsy"
        recalled = await memory.search("certificate expired", "kubernetes")
        assert [r.id for r in recalled] == [oom]  # the new content was embedded again

        deprecated = await tarsy.client.patch(f"/api/v1/memories/{disk}", json={"status": "deprecated"})
        assert deprecated.json()["status"] == "deprecated"
        assert deprecated.json()["deprecated_reason"].startswith("deprecated by")

        assert (await tarsy.client.delete(f"/api/v1/memories/{oom}")).status_code == 204
        assert (await tarsy.client.get(f"/api/v1/memories/{oom}")).status_code == 404
        assert (await tarsy.client.delete(f"/api/v1/memories/{oom}")).status_code == 404
        assert (await tarsy.client.get(f"/api/v1/sessions/{sid}/memories")).json() == []


async def test_limits_and_unknown_ids(tmp_path: Path, database_url: str) -> None:
    memory = {"enabled": True, "limits": {"max_content_chars": 50, "max_query_chars": 20}}
    config = write_config(tmp_path / "cfg", script=SCRIPT, tarsy={"memory": memory})
    async with running_tarsy(config, database_url, workers=0, embedder=HashingEmbedder()) as tarsy:
        mid = await _add(tarsy, "api pods restart OOMKilled")
        too_long = await tarsy.client.patch(f"/api/v1/memories/{mid}", json={"content": "x" * 51})
        assert too_long.status_code == 400 and "max_content_chars" in too_long.text
        assert (await tarsy.client.patch(f"/api/v1/memories/{mid}", json={})).status_code == 400
        bad = await tarsy.client.patch(f"/api/v1/memories/{mid}", json={"category": "gossip"})
        assert bad.status_code == 422
        unknown = await tarsy.client.patch(f"/api/v1/memories/{mid}", json={"owner": "me"})
        assert unknown.status_code == 422
        assert (await tarsy.client.get("/api/v1/memories", params={"q": "y" * 21})).status_code == 400
        assert (await tarsy.client.get("/api/v1/memories", params={"limit": 101})).status_code == 422
        assert (await tarsy.client.get("/api/v1/memories/not-a-uuid")).status_code == 404
        missing = "/api/v1/sessions/00000000-0000-0000-0000-000000000000/memories"
        assert (await tarsy.client.get(missing)).status_code == 404


async def test_content_edits_need_memory_on(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "cfg", script=SCRIPT)
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        assert tarsy.services.memory is None
        new = store.NewMemory(
            "default",
            None,
            None,
            "pitfall",
            "old text",
            0.5,
            HashingEmbedder.vector("old"),
            "fake:hashed-words",
            None,
            "tarsy",
        )
        async with tarsy.services.pool.connection() as conn:
            mid = str((await store.insert_memory(conn, new))["id"])
        assert (await tarsy.client.get("/api/v1/memories")).json()["total"] == 1
        refused = await tarsy.client.patch(f"/api/v1/memories/{mid}", json={"content": "new"})
        assert refused.status_code == 409 and "memory is off" in refused.text
        rated = await tarsy.client.patch(f"/api/v1/memories/{mid}", json={"confidence": 0.1})
        assert rated.status_code == 200 and rated.json()["confidence"] == 0.1
        missing = await tarsy.client.patch(
            "/api/v1/memories/00000000-0000-0000-0000-000000000000", json={"content": "new"}
        )
        assert missing.status_code == 404
