"""A fake ``MemoryAccess`` for agent tests: fixed memories, and the queries the tools were asked."""

from __future__ import annotations

from tarsy.memory.prompt import memory_tier, recall_answer
from tarsy.memory.ranking import Candidate, RankedMemory

MEMORIES = [
    RankedMemory(
        Candidate(
            "5b1c0d2e-0000-4000-8000-000000000001",
            "web pods in shop are OOMKilled when the limit is 256Mi; 512Mi has held since March.",
            "root_cause",
            0.8,
            "kubernetes",
            0.82,
            0.1,
            3.0,
        ),
        0.61,
    ),
    RankedMemory(
        Candidate(
            "5b1c0d2e-0000-4000-8000-000000000002",
            "Check `kubectl top pod` before reading logs: the restarts wipe them.",
            "diagnostic_step",
            0.6,
            None,
            0.55,
            0.0,
            40.0,
        ),
        0.33,
    ),
]


class FakeMemory:
    def __init__(self, memories: list[RankedMemory]) -> None:
        self.memories = memories
        self.recalled: list[str] = []
        self.searched: list[str] = []

    @property
    def prompt(self) -> str | None:
        return memory_tier(self.memories)

    async def recall(self, query: str) -> str:
        self.recalled.append(query)
        return recall_answer(self.memories[:1])

    async def search_sessions(self, query: str) -> str:
        self.searched.append(query)
        return "Past sessions, newest first:\n- session s-1: kubernetes, completed, score 90/100"
