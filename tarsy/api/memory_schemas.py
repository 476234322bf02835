"""Request and response models of the memory endpoints (docs/api.md "Memory"); texts are masked."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tarsy.config.memory import MemoryCategory, MemoryStatus

MAX_PATCH_CONTENT_CHARS = 10_000
"""Schema bound of ``content``; the configured ``memory.limits.max_content_chars`` is checked too."""

MemoryUseKind = Literal["injected", "recalled", "created", "reinforced", "deprecated"]


class MemoryOut(BaseModel):
    """A memory: a short statement TARSy learnt from earlier sessions (docs/memory.md)."""

    id: str
    project: str
    alert_type: str | None = Field(description="Null: recalled for every alert type")
    chain_id: str | None
    category: MemoryCategory
    content: str = Field(description="Masked")
    confidence: float = Field(ge=0, le=1)
    status: MemoryStatus
    deprecated_reason: str | None
    embedding_model: str = Field(description="The embedder its vector came from; only that one recalls it")
    reinforcement_count: int
    source_session_id: str | None = Field(description="The session whose reflection created it")
    created_at: datetime
    updated_at: datetime
    updated_by: str = Field(description="Who changed it last: 'tarsy' (reflection, review) or a person")
    last_used_at: datetime | None = Field(description="When a session was last given or recalled it")


class MemoryPage(BaseModel):
    items: list[MemoryOut]
    total: int
    limit: int
    offset: int


class MemoryUseOut(BaseModel):
    """A session that produced or used a memory."""

    session_id: str
    kind: MemoryUseKind
    similarity: float | None = Field(description="injected / recalled: cosine similarity to the query")
    score: float | None = Field(description="injected / recalled: the hybrid score that ranked it")
    at: datetime
    alert_type: str
    status: str = Field(description="The session's status")


class MemoryDetail(MemoryOut):
    sessions: list[MemoryUseOut] = Field(description="Every session that produced or used it, oldest first")


class SessionMemoryOut(MemoryOut):
    """A memory as one session met it."""

    kind: MemoryUseKind
    similarity: float | None
    score: float | None
    used_at: datetime


class MemoryPatch(BaseModel):
    """What a person changes; fields left out stay. New ``content`` is masked and embedded again."""

    model_config = ConfigDict(extra="forbid")

    content: str | None = Field(None, min_length=1, max_length=MAX_PATCH_CONTENT_CHARS)
    category: MemoryCategory | None = None
    confidence: float | None = Field(None, ge=0, le=1)
    status: MemoryStatus | None = None

    def empty(self) -> bool:
        return all(v is None for v in (self.content, self.category, self.confidence, self.status))
