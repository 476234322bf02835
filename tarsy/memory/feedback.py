"""How a person's review moves the confidence of the memories a session produced or used
(docs/memory.md "Feedback"). Clamped to 0..1; below ``memory.retrieval.confidence_floor`` a
memory is deprecated."""

from __future__ import annotations

from typing import Final

FEEDBACK_DELTAS: Final[dict[str, tuple[float, float]]] = {
    # key: the review's quality_rating (``complete``) or ``feedback``: (produced, used)
    "accurate": (+0.10, +0.05),
    "partially_accurate": (-0.10, -0.05),
    "inaccurate": (-0.30, -0.15),
    "feedback": (-0.05, 0.0),
}
"""Produced: the session's reflection created or reinforced it. Used: it was injected into the
session's prompts or recalled by a tool (and not produced by it)."""


def review_deltas(action: str, quality_rating: str | None) -> tuple[float, float] | None:
    """``(produced, used)`` confidence changes of a review action, or None when it changes none."""
    if action == "complete" and quality_rating is not None:
        return FEEDBACK_DELTAS.get(quality_rating)
    if action == "feedback":
        return FEEDBACK_DELTAS["feedback"]
    return None
