"""The hybrid ranking formula (docs/memory.md "Recall"), against hand-computed figures."""

from __future__ import annotations

import pytest

from tarsy.config.memory import MemoryRetrievalConfig
from tarsy.memory.ranking import Candidate, decay, keyword_score, rank, score

CONFIG = MemoryRetrievalConfig(
    similarity_threshold=0.4, keyword_weight=0.3, confidence_floor=0.2, age_half_life_days=90
)


def memory(
    mid: str, similarity: float, *, keyword: float = 0.0, confidence: float = 0.6, age: float = 0.0
) -> Candidate:
    return Candidate(mid, f"memory {mid}", "root_cause", confidence, None, similarity, keyword, age)


def test_the_formula_by_hand() -> None:
    # relevance = 0.7 * 0.8 + 0.3 * (0.1 / 0.2) = 0.71; trust = 0.5 + 0.5 * 0.6 = 0.8; decay = 0.5
    assert score(memory("a", 0.8, keyword=0.1, age=90), CONFIG) == pytest.approx(0.71 * 0.8 * 0.5)
    assert keyword_score(0.0) == 0.0 and keyword_score(0.1) == pytest.approx(0.5)
    assert decay(180, 90) == pytest.approx(0.25) and decay(-5, 90) == 1.0


def test_thresholds_admit_and_keywords_only_re_rank() -> None:
    ranked = rank(
        [
            memory("similar", 0.6),
            memory("similar-with-words", 0.6, keyword=0.3),
            memory("words-only", 0.39, keyword=5.0),
            memory("doubted", 0.9, confidence=0.1),
        ],
        CONFIG,
        limit=5,
    )
    assert [r.id for r in ranked] == ["similar-with-words", "similar"]


def test_confidence_and_age_move_memories_down_and_limit_cuts() -> None:
    ranked = rank(
        [memory("old", 0.9, age=365), memory("unsure", 0.9, confidence=0.2), memory("fresh", 0.85)], CONFIG, limit=2
    )
    assert [r.id for r in ranked] == ["fresh", "unsure"]


def test_ties_are_stable() -> None:
    ranked = rank([memory("b", 0.5), memory("a", 0.5)], CONFIG, limit=5)
    assert [r.id for r in ranked] == ["a", "b"]
