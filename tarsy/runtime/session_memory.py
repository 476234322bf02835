"""Investigation memory for one session's run or chat (``tarsy.contracts.MemoryAccess``): the
memories injected into its prompts, announced as a ``memory_injected`` timeline event, and the two
memory tools (docs/memory.md)."""

from __future__ import annotations

import json
from typing import Any

from tarsy.contracts import TERMINAL_SESSION_STATUSES, Recorder
from tarsy.events.types import MEMORY_INJECTED
from tarsy.masking.outbound import OutputMasking
from tarsy.memory.prompt import memory_tier, recall_answer
from tarsy.memory.ranking import RankedMemory
from tarsy.memory.service import MemoryService
from tarsy.nodes.replay import flush
from tarsy.store import queries
from tarsy.store.db import Row
from tarsy.store.memories import keyword_query
from tarsy.store.queries import SessionFilters

SUMMARY_CHARS = 600


def alert_query(alert_type: str, data: Any) -> str:
    """The text an alert is recalled by: its type and its data."""
    body = data if isinstance(data, str) else json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return f"{alert_type}\n{body}"


class SessionMemory:
    """Memory as one session sees it; every text it returns is masked."""

    def __init__(self, service: MemoryService, session: Row, memories: list[RankedMemory], masking: OutputMasking):
        self._service = service
        self._session_id = str(session["id"])
        self._alert_type = str(session["alert_type"])
        self._memories = memories
        self._masking = masking

    @property
    def memories(self) -> list[RankedMemory]:
        return list(self._memories)

    @property
    def prompt(self) -> str | None:
        return self._masking.optional(memory_tier(self._memories))

    async def recall(self, query: str) -> str:
        ranked = await self._service.recall(self._session_id, query, self._alert_type)
        return self._masking.text(recall_answer(ranked))

    async def search_sessions(self, query: str) -> str:
        words = keyword_query(query[: self._service.config.limits.max_query_chars])
        if words is None:
            return "Error: the query holds no words to search for."
        limit = self._service.config.limits.max_session_results
        filters = SessionFilters(statuses=sorted(TERMINAL_SESSION_STATUSES), search=words)
        rows, _ = await queries.list_sessions(
            self._service.pool, filters, sort_by="created_at", sort_order="desc", page=1, page_size=limit + 1
        )
        found = [r for r in rows if str(r["id"]) != self._session_id][:limit]
        if not found:
            return "No past session matches this query."
        return self._masking.text("Past sessions, newest first:\n" + "\n\n".join(map(_session_line, found)))


def _session_line(row: Row) -> str:
    score = "not scored" if row.get("score") is None else f"score {row['score']}/100"
    rating = row.get("quality_rating") or "not reviewed"
    summary = " ".join(str(row.get("executive_summary") or row.get("error_message") or "(no summary)").split())
    return (
        f"- session {row['id']} ({row['created_at']:%Y-%m-%d}): alert type {row['alert_type']}, "
        f"{row['status']}, {score}, review: {rating}\n  {summary[:SUMMARY_CHARS]}"
    )


async def open_session_memory(
    service: MemoryService, session: Row, recorder: Recorder, masking: OutputMasking
) -> SessionMemory:
    """The session's memory: injected now (recorded, announced) or read back from an earlier run."""
    query = alert_query(str(session["alert_type"]), session["alert_data"])
    injection = await service.inject(str(session["id"]), str(session["alert_type"]), query)
    memory = SessionMemory(service, session, injection.memories, masking)
    if injection.fresh and injection.memories:
        await recorder.timeline_event(
            event_type=MEMORY_INJECTED,
            content=memory.prompt or "",
            stage_id=None,
            execution_id=None,
            metadata={"memories": [_injected(m) for m in injection.memories]},
        )
        await flush(recorder)
    return memory


def _injected(memory: RankedMemory) -> dict[str, Any]:
    m = memory.memory
    return {"id": m.id, "category": m.category, "similarity": round(m.similarity, 4), "score": round(memory.score, 4)}
