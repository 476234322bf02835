"""How memories read to a model: the prompt tier and the answer of ``recall_past_investigations``."""

from __future__ import annotations

from collections.abc import Sequence

from tarsy.memory.ranking import RankedMemory

TIER_HEADING = "## Lessons from past investigations"
TIER_INTRO = (
    "What TARSy kept from earlier investigations of similar alerts, best match first. They can be\n"
    "outdated or wrong: treat them as leads, check them against the evidence, and say in your\n"
    "analysis when one helped or turned out wrong."
)
NO_MATCH = "No memory of past investigations matches this query."


def _line(memory: RankedMemory) -> str:
    m = memory.memory
    return f"[{m.category}, confidence {m.confidence:.2f}] {' '.join(m.content.split())}"


def memory_tier(memories: Sequence[RankedMemory]) -> str | None:
    """The system prompt's memory section, or None when there is nothing to say."""
    if not memories:
        return None
    listing = "\n".join(f"- {_line(m)}" for m in memories)
    return f"{TIER_HEADING}\n{TIER_INTRO}\n{listing}"


def recall_answer(memories: Sequence[RankedMemory]) -> str:
    """What ``recall_past_investigations`` returns to the model."""
    if not memories:
        return NO_MATCH
    lines = [
        f"{i}. {_line(m)} (similarity {m.memory.similarity:.2f}, memory {m.id})" for i, m in enumerate(memories, 1)
    ]
    return "Memories of past investigations, best match first:\n" + "\n".join(lines)
