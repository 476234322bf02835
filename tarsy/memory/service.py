"""Investigation memory over the store: recall (hybrid search), injection, and the writes of
reflection and editing. Vectors come from the ``Embedder`` it is given; texts are masked before
they are stored (docs/memory.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tarsy.config.memory import MemoryConfig
from tarsy.memory.embeddings import Embedder, EmbeddingError
from tarsy.memory.ranking import Candidate, RankedMemory, rank
from tarsy.memory.reflection_parser import ReflectionPlan
from tarsy.store import memories as store
from tarsy.store import memory_admin as admin
from tarsy.store.db import Pool, Row

log = logging.getLogger(__name__)

Mask = Callable[[str], str]


def candidate(row: Row) -> Candidate:
    return Candidate(
        id=str(row["id"]),
        content=str(row["content"]),
        category=str(row["category"]),
        confidence=float(row["confidence"]),
        alert_type=row["alert_type"],
        similarity=float(row.get("similarity") or 0.0),
        keyword_rank=float(row.get("keyword_rank") or 0.0),
        age_days=float(row.get("age_days") or 0.0),
    )


@dataclass(frozen=True)
class Injection:
    memories: list[RankedMemory]
    fresh: bool
    """Chosen now (False: read back from an earlier run of the same session)."""


@dataclass(frozen=True)
class LearntFrom:
    """The session a reflection learnt from."""

    session_id: str
    alert_type: str
    chain_id: str


@dataclass(frozen=True)
class Applied:
    created: list[str]
    reinforced: list[str]
    deprecated: list[str]


REFLECTION_ACTOR = "tarsy"


@dataclass(frozen=True)
class ContentEdit:
    """A person's change of a memory (API ``PATCH``); None leaves a field as it is."""

    content: str | None = None
    category: str | None = None
    confidence: float | None = None
    status: str | None = None


class MemoryService:
    """One per process; ``mask`` is the outbound masking every stored or returned text goes through."""

    def __init__(self, pool: Pool, embedder: Embedder, config: MemoryConfig, mask: Mask) -> None:
        self.pool = pool
        self.embedder = embedder
        self.config = config
        self.mask = mask

    @property
    def project(self) -> str:
        return self.config.project

    def scope(self, alert_type: str | None) -> store.Scope:
        return store.Scope(self.config.project, self.embedder.name, alert_type)

    def clip(self, text: str, limit: int) -> str:
        return self.mask(text.strip())[:limit]

    async def embed_one(self, text: str) -> list[float]:
        vectors = await self.embedder.embed([text])
        if len(vectors) != 1 or len(vectors[0]) != self.embedder.dimensions:
            raise EmbeddingError(f"embedder {self.embedder.name} returned vectors of an unexpected shape")
        return vectors[0]

    async def search(self, query: str, alert_type: str | None, limit: int | None = None) -> list[RankedMemory]:
        """The best memories for ``query`` within this project (and ``alert_type`` and any-type ones)."""
        text = self.clip(query, self.config.limits.max_query_chars)
        if not text:
            return []
        retrieval = self.config.retrieval
        vector = await self.embed_one(text)
        rows = await store.candidates(self.pool, self.scope(alert_type), vector, text, retrieval.candidates)
        return rank(map(candidate, rows), retrieval, limit or retrieval.top_k)

    async def inject(self, session_id: str, alert_type: str, alert_text: str) -> Injection:
        """The memories for a session's prompts: those injected before (a resumed run, a chat), else
        the best for its alert, recorded as ``injected``. An embedder failure means none, never a
        failed session."""
        earlier = await store.injected(self.pool, session_id)
        if earlier:
            return Injection([RankedMemory(candidate(r), float(r["score"] or 0.0)) for r in earlier], fresh=False)
        try:
            ranked = await self.search(alert_text, alert_type)
        except EmbeddingError as exc:
            log.warning("session %s runs without memories: %s", session_id, exc)
            return Injection([], fresh=False)
        uses = [store.Use(r.id, "injected", r.memory.similarity, r.score) for r in ranked]
        await store.record_uses_now(self.pool, session_id, uses)
        return Injection(ranked, fresh=True)

    async def recall(self, session_id: str, query: str, alert_type: str | None) -> list[RankedMemory]:
        """A tool's recall: ranked as for injection, recorded as ``recalled``."""
        ranked = await self.search(query, alert_type)
        uses = [store.Use(r.id, "recalled", r.memory.similarity, r.score) for r in ranked]
        await store.record_uses_now(self.pool, session_id, uses)
        return ranked

    async def related(self, alert_type: str | None, text: str, limit: int) -> list[Candidate]:
        """Memories near ``text`` with no threshold (what the reflection weighs its proposals against)."""
        clipped = self.clip(text, self.config.limits.max_query_chars)
        if not clipped:
            return []
        vector = await self.embed_one(clipped)
        rows = await store.candidates(self.pool, self.scope(alert_type), vector, clipped, limit)
        return [candidate(r) for r in rows]

    async def vectors(self, texts: Sequence[str]) -> list[list[float]]:
        return await self.embedder.embed(list(texts)) if texts else []

    async def edit(self, memory_id: str, change: ContentEdit, actor: str) -> Row | None:
        """Apply a person's edit; new content is masked and embedded again (``EmbeddingError`` on failure)."""
        content = vector = model = None
        if change.content is not None:
            content = self.clip(change.content, self.config.limits.max_content_chars)
            vector, model = await self.embed_one(content), self.embedder.name
        edit = admin.MemoryEdit(
            actor=actor,
            content=content,
            vector=vector,
            embedding_model=model,
            category=change.category,
            confidence=change.confidence,
            status=change.status,
        )
        return await admin.update_memory(self.pool, memory_id, edit)

    async def apply_plan(self, source: LearntFrom, plan: ReflectionPlan) -> Applied:
        """A reflection's plan in one transaction: new memories (masked, embedded), reinforcements and
        deprecations, each recorded against the session. Embedding happens first: a failure changes nothing."""
        contents = [self.clip(p.content, self.config.limits.max_content_chars) for p in plan.create]
        vectors = await self.vectors(contents)
        reflection = self.config.reflection
        created, reinforced, deprecated = [], [], []
        async with self.pool.connection() as conn, conn.transaction():
            for proposal, content, vector in zip(plan.create, contents, vectors, strict=True):
                new = store.NewMemory(
                    project=self.project,
                    alert_type=None if proposal.scope == "any" else source.alert_type,
                    chain_id=source.chain_id,
                    category=proposal.category,
                    content=content,
                    confidence=reflection.initial_confidence,
                    vector=vector,
                    embedding_model=self.embedder.name,
                    source_session_id=source.session_id,
                    created_by=REFLECTION_ACTOR,
                )
                created.append(str((await store.insert_memory(conn, new))["id"]))
            for memory_id in plan.reinforce:
                if await store.reinforce(conn, memory_id, self.project, reflection.reinforce_step, REFLECTION_ACTOR):
                    reinforced.append(memory_id)
            for item in plan.deprecate:
                reason = self.mask(item.reason)
                if await store.deprecate(conn, item.memory_id, self.project, reason, REFLECTION_ACTOR):
                    deprecated.append(item.memory_id)
            uses = [store.Use(i, "created") for i in created] + [store.Use(i, "reinforced") for i in reinforced]
            await store.record_uses(conn, source.session_id, uses + [store.Use(i, "deprecated") for i in deprecated])
        return Applied(created, reinforced, deprecated)
