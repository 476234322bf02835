"""The reflection prompt: what the model reads after a scoring run to propose memories.

It reads the investigation record (masked by the caller), its score, and the existing memories
nearest to it (with their ids, the only ones it may reinforce or deprecate), and answers with
``{create, reinforce, deprecate}`` (``tarsy.memory.reflection_parser``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from tarsy.config.memory import MEMORY_CATEGORIES
from tarsy.memory.ranking import Candidate

REFLECTOR_NAME: Final = "MemoryReflector"
"""The agent name of its system prompt (the key a scripted model's turns use)."""


@dataclass(frozen=True)
class ScoreSummary:
    score: int
    outcome: str
    analysis: str
    failure_tags: Sequence[str]


def system_prompt(max_chars: int) -> str:
    return (
        f"You are {REFLECTOR_NAME}, an agent of TARSy.\n"
        "You read a finished incident investigation, the score a reviewer gave it, and what TARSy already\n"
        "remembers about similar alerts. Decide what future investigations should remember.\n"
        "- create: new lessons that would have made this investigation faster or more correct: a root\n"
        "  cause and how it showed, a check that settled the question, a fact about the environment, a\n"
        "  false positive, a remediation that worked, how to use a tool, a pitfall. One self-contained\n"
        f"  statement each, at most {max_chars} characters, concrete (names, thresholds, commands), no\n"
        "  secrets. Learn from mistakes too: a low score's failure is a pitfall worth keeping. Do not\n"
        "  repeat what an existing memory already says: reinforce it instead.\n"
        "- reinforce: ids of existing memories this investigation confirmed.\n"
        "- deprecate: ids of existing memories it proved wrong or outdated, with a reason.\n"
        "Remember nothing from an investigation that found nothing. Answer with ONE JSON object:\n"
        '{"create": [{"content": "...", "category": "...", "scope": "alert_type|any"}],\n'
        ' "reinforce": [{"id": "..."}], "deprecate": [{"id": "...", "reason": "..."}]}\n'
        f"category is one of: {', '.join(MEMORY_CATEGORIES)}. scope 'any' is for lessons that hold for\n"
        "every alert type; the default is this alert type only."
    )


def _memories(related: Sequence[Candidate]) -> str:
    if not related:
        return "(none yet)"
    return "\n".join(
        f"- id {m.id} [{m.category}, confidence {m.confidence:.2f}]: {' '.join(m.content.split())}" for m in related
    )


def reflection_messages(
    record: str, score: ScoreSummary, related: Sequence[Candidate], max_chars: int
) -> list[BaseMessage]:
    tags = ", ".join(score.failure_tags) or "none"
    human = (
        "Reflect on this investigation.\n\n"
        f"## Score\n{score.score}/100, outcome {score.outcome}; failure tags: {tags}\n{score.analysis}\n\n"
        f"## Existing memories about similar alerts\n{_memories(related)}\n\n"
        f"## Investigation\n{record}"
    )
    return [SystemMessage(system_prompt(max_chars)), HumanMessage(human)]
