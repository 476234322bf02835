"""The ``memory`` section of ``tarsy.yaml``: investigation memory (docs/memory.md). Off by default;
``memory: {enabled: true}`` switches on everything else with the defaults below."""

from __future__ import annotations

from typing import Final, Literal, get_args

from pydantic import Field

from tarsy.config.base import StrictModel
from tarsy.config.embedding import EmbeddingConfig

MemoryCategory = Literal[
    "root_cause",
    "diagnostic_step",
    "environment_fact",
    "false_positive",
    "remediation",
    "tool_usage",
    "pitfall",
]
"""What a memory is about; the fixed vocabulary the reflection model and the API must use (the
``memories.category`` CHECK constraint of migration 019 holds the same set)."""
MEMORY_CATEGORIES: Final[tuple[str, ...]] = get_args(MemoryCategory)

MemoryStatus = Literal["active", "deprecated"]


class MemoryRetrievalConfig(StrictModel):
    """How memories are recalled for an alert or a query (the formula is in docs/memory.md)."""

    similarity_threshold: float = Field(default=0.35, ge=0, le=1)
    """Cosine similarity a memory needs to be a candidate at all; keywords re-rank, never admit."""
    candidates: int = Field(default=20, ge=1, le=200)
    """Nearest neighbours read from the HNSW index before re-ranking."""
    top_k: int = Field(default=5, ge=1, le=20)
    """Memories injected into an agent's prompt (and returned by a recall)."""
    keyword_weight: float = Field(default=0.3, ge=0, le=1)
    """Share of the keyword match (``ts_rank``) in a memory's relevance; the rest is similarity."""
    confidence_floor: float = Field(default=0.2, ge=0, le=1)
    """Memories whose confidence falls below this are deprecated (feedback) and never recalled."""
    age_half_life_days: float = Field(default=90.0, gt=0, le=36_500)
    """A memory not confirmed for this many days counts half as much."""


class MemoryReflectionConfig(StrictModel):
    """The model call after each completed scoring run that proposes memories."""

    enabled: bool = True
    llm_provider: str | None = None
    """Default: the chain's scoring provider (its ``scoring.llm_provider``, the chain's, ``defaults``)."""
    initial_confidence: float = Field(default=0.6, ge=0, le=1)
    """Confidence of a memory the reflection creates."""
    reinforce_step: float = Field(default=0.1, ge=0, le=1)
    """Confidence a reinforced memory gains (clamped to 1)."""


class MemoryLimitsConfig(StrictModel):
    """Size limits of everything that enters memory, so a bad model answer or request cannot bloat it."""

    max_content_chars: int = Field(default=1000, ge=20, le=10_000)
    """Longest memory text (longer ones from the reflection are cut, from the API refused)."""
    max_query_chars: int = Field(default=1000, ge=10, le=10_000)
    """Longest recall / session search query (tools and the API's ``q``)."""
    max_actions_per_reflection: int = Field(default=10, ge=1, le=100)
    """Creates, reinforcements and deprecations applied from one reflection, each."""
    max_session_results: int = Field(default=5, ge=1, le=50)
    """Sessions ``search_past_sessions`` returns."""


class MemoryConfig(StrictModel):
    """Investigation memory: learnt after scoring, recalled into prompts and tools (docs/memory.md)."""

    enabled: bool = False
    """Learn from ended sessions (this also scores every session: reflection reads the score), inject
    memories into prompts and give agents and chat the memory tools."""
    project: str = Field(default="default", min_length=1, max_length=100)
    """Namespace of this deployment's memories: replicas or deployments sharing a database with
    different projects never see each other's memories."""
    retrieval: MemoryRetrievalConfig = MemoryRetrievalConfig()
    reflection: MemoryReflectionConfig = MemoryReflectionConfig()
    embedding: EmbeddingConfig = EmbeddingConfig()
    limits: MemoryLimitsConfig = MemoryLimitsConfig()
