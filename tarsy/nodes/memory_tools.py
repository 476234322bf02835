"""The memory tools of agents and chat: ``tarsy.recall_past_investigations`` (hybrid memory search)
and ``tarsy.search_past_sessions`` (the session history's full-text search), offered while memory
is on (docs/memory.md). TARSy's own tools, like ``tarsy.load_skill``: no approval, recorded like
any call; what they return is masked."""

from __future__ import annotations

from typing import Any, Final

from tarsy.contracts import MemoryAccess, ToolOutcome, ToolSpec
from tarsy.masking.outbound import OutputMasking
from tarsy.memory.embeddings import EmbeddingError

RECALL: Final = "tarsy.recall_past_investigations"
SEARCH_SESSIONS: Final = "tarsy.search_past_sessions"
MEMORY_TOOLS: Final = frozenset({RECALL, SEARCH_SESSIONS})
MAX_QUERY_CHARS: Final = 1000

_QUERY = {
    "type": "object",
    "properties": {"query": {"type": "string", "description": "What to look for, in a few words"}},
    "required": ["query"],
}


def memory_tool_specs(memory: MemoryAccess | None) -> list[ToolSpec]:
    if memory is None:
        return []
    return [
        ToolSpec(
            RECALL,
            "Recall what TARSy learnt in past investigations (root causes, useful checks, pitfalls) "
            "about a symptom, component or error.",
            _QUERY,
        ),
        ToolSpec(
            SEARCH_SESSIONS,
            "Search past investigation sessions by words in their alert or analysis; returns their "
            "alert type, status, score and summary.",
            _QUERY,
        ),
    ]


async def run_memory_tool(
    name: str, arguments: dict[str, Any], memory: MemoryAccess | None, masking: OutputMasking
) -> ToolOutcome:
    """Run one memory tool; a bad call gets an error that says how to call it."""
    if memory is None:
        return ToolOutcome(f"Error: {name} is not available (investigation memory is off)", is_error=True)
    query = arguments.get("query")
    if not isinstance(query, str) or not query.strip():
        return ToolOutcome(f'Error: call {name} with {{"query": "<a few words>"}}', is_error=True)
    if len(query) > MAX_QUERY_CHARS:
        return ToolOutcome(f"Error: the query is longer than {MAX_QUERY_CHARS} characters", is_error=True)
    try:
        answer = await (memory.recall(query) if name == RECALL else memory.search_sessions(query))
    except EmbeddingError as exc:  # the embedding model failed: the model hears why and goes on
        return ToolOutcome(masking.text(f"Error: memory could not be searched: {exc}"), is_error=True)
    return ToolOutcome(masking.text(answer))
