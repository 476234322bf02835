"""The seams between the agent loop and the outside world: where records go, how a chat model is
obtained, how a tool runs, and the records and values that cross them.

A leaf module (it imports only ``tarsy.config`` and LangChain's model type) so that both sides of
each seam can use it: the agent loop in ``tarsy.nodes`` calls these protocols; ``tarsy.tools``,
``tarsy.llm`` and ``tarsy.runtime`` implement them. ``tarsy.nodes.context`` bundles them into
the ``RunContext`` a graph run receives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, get_args

from langchain_core.language_models import BaseChatModel

from tarsy.config import ResolvedAgent

# --- the values that cross every seam: statuses, kinds, event names ------------------------------
# Defined once here; the store's CHECK constraints (tarsy/store/migrations), the API schemas, the
# events and the dashboard (web/dashboard/src/api/status.ts) hold the same sets.

ChatMessageStatus = Literal["pending", "in_progress", "cancelling", "completed", "failed", "cancelled", "timed_out"]
"""A follow-up chat message (it never waits for a person: chat refuses calls that need approval)."""
SessionStatus = Literal[
    "pending", "in_progress", "cancelling", "awaiting_approval", "completed", "failed", "cancelled", "timed_out"
]
"""An alert session: a chat message's states, plus ``awaiting_approval`` (parked until a person decides)."""
TerminalStatus = Literal["completed", "failed", "cancelled", "timed_out"]
TERMINAL_SESSION_STATUSES: Final[frozenset[TerminalStatus]] = frozenset(get_args(TerminalStatus))
ACTIVE_CHAT_STATUSES: Final[tuple[ChatMessageStatus, ...]] = ("pending", "in_progress", "cancelling")
"""A chat message that is still to be answered (one per session at a time)."""

RecordStatus = Literal["pending", "active", "completed", "failed", "cancelled", "timed_out"]
"""A stage or an agent execution."""
StageStatus = RecordStatus
ExecutionStatus = RecordStatus
TimelineStatus = Literal["streaming", "completed", "failed", "cancelled", "timed_out"]

StageType = Literal["investigation", "action", "synthesis", "exec_summary", "chat"]
"""The kind of a stage: a configured investigation stage, or one TARSy adds."""
ParallelType = Literal["single", "multi_agent", "replica"]

ReviewStatus = Literal["needs_review", "in_progress", "reviewed"]
"""Where an ended session stands in triage (docs/review.md); null while it runs."""
QualityRating = Literal["accurate", "partially_accurate", "inaccurate"]
ReviewAction = Literal["claim", "unclaim", "complete", "reopen", "feedback", "acknowledge"]

TimelineEventType = Literal[
    "llm_thinking",
    "llm_response",
    "llm_tool_call",
    "mcp_tool_summary",
    "final_analysis",
    "executive_summary",
    "code_execution",
    "google_search_result",
    "error",
    "user_question",
    "approval_requested",
    "approval_decided",
    "skill_loaded",
    "provider_fallback",
    "sub_agent_result",
    "memory_injected",
]
"""What a timeline entry holds (the dashboard renders each kind its own way)."""

EventType = Literal[
    "session.status",
    "session.score_updated",
    "chat.status",
    "stage.status",
    "execution.status",
    "timeline_event.created",
    "timeline_event.completed",
    "interaction.created",
    "approval.requested",
    "approval.decided",
    "stream.chunk",
    "resync",
    "session.review_updated",
]
"""The ``type`` of a live event on SSE (constants in ``tarsy.events.types``)."""


@dataclass(frozen=True)
class SubAgentOf:
    """What makes an execution a sub-agent: who dispatched it, which dispatch it is, and its task."""

    execution_id: str
    dispatch_index: int  # the parent's n-th dispatch, from 1
    task: str


class Recorder(Protocol):
    """Where a run writes its stages, executions and timeline (and thereby its live events)."""

    async def stage_started(
        self,
        *,
        stage_index: int,
        name: str,
        stage_type: str,
        expected_agents: int,
        success_policy: str,
        parallel_type: str,
        referenced_stage_id: str | None = None,
    ) -> str: ...

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None: ...

    async def execution_started(
        self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str, parent: SubAgentOf | None = None
    ) -> str: ...

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None: ...

    async def execution_fallback(self, execution_id: str, switch: dict[str, str]) -> None:
        """The execution switched providers (``tarsy.nodes.fallback.Switch``); it now runs on the new one."""
        ...

    async def timeline_started(
        self,
        *,
        event_type: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str: ...

    async def timeline_delta(self, event_id: str, delta: str) -> None: ...

    async def timeline_completed(
        self,
        event_id: str,
        content: str,
        *,
        status: str = "completed",
        metadata: dict[str, Any] | None = None,
    ) -> None: ...

    async def timeline_event(
        self,
        *,
        event_type: str,
        content: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str: ...

    async def llm_interaction(self, record: LLMInteraction) -> str: ...

    async def mcp_interaction(self, record: MCPInteraction) -> str: ...


@dataclass(frozen=True)
class LLMInteraction:
    """One model call. ``request_messages`` holds only the messages added since the previous call
    of the same execution (from ``conversation_offset``), keeping storage linear."""

    stage_id: str | None
    execution_id: str | None
    interaction_type: str  # iteration | forced_conclusion | synthesis | executive_summary | chat | summarization
    # | scoring | reflection
    provider: str
    model: str
    conversation_offset: int
    request_messages: list[dict[str, Any]]
    tools: list[str]
    response: dict[str, Any] | None
    thinking: str
    input_tokens: int
    output_tokens: int
    thinking_tokens: int
    duration_ms: int
    error: str | None = None
    cached_tokens: int = 0
    """Prompt tokens the provider read from its cache (part of ``input_tokens``)."""
    tokens_estimated: bool = False
    """The provider reported no usage: the token counts are estimated from the text's length."""
    cost_usd: float | None = None
    """Set by the recorder from the price table; None when the call could not be priced."""
    cost_note: str | None = None
    """Why there is no cost, or which promotion applied."""


@dataclass(frozen=True)
class MCPInteraction:
    """One tool call (or tool listing) against an MCP server, as stored: masked result only."""

    stage_id: str | None
    execution_id: str | None
    server: str
    tool: str | None
    arguments: dict[str, Any]
    result: str | None
    is_error: bool
    error: str | None
    duration_ms: int
    interaction_type: str = "tool_call"  # tool_call | tool_list
    available_tools: list[dict[str, Any]] | None = None
    timeline_event_id: str | None = None


class MemoryAccess(Protocol):
    """Investigation memory as one session's agents and chat see it (docs/memory.md); texts it
    returns are masked by the implementation and again by the caller."""

    @property
    def prompt(self) -> str | None:
        """The memory tier of the session's prompts (None: no memory was injected)."""
        ...

    async def recall(self, query: str) -> str:
        """``recall_past_investigations``: the best memories for ``query``, as text for the model."""
        ...

    async def search_sessions(self, query: str) -> str:
        """``search_past_sessions``: earlier sessions matching ``query``, as text for the model."""
        ...


class ModelProvider(Protocol):
    """Builds the chat model for a named provider (``llm-providers.yaml`` entry)."""

    def model_for(self, provider_name: str) -> BaseChatModel: ...

    def model_name(self, provider_name: str) -> str: ...


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the agent loop sees it. ``name`` is canonical: ``server.tool``."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})

    @property
    def server(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class ToolRequest:
    name: str  # canonical server.tool
    arguments: dict[str, Any]
    call_id: str


@dataclass(frozen=True)
class ToolScope:
    """Where a tool call belongs, and how to report live output while it runs."""

    stage_id: str | None
    execution_id: str | None
    timeline_event_id: str | None
    on_progress: Callable[[str], Awaitable[None]] | None = None


@dataclass(frozen=True)
class ToolOutcome:
    """What the model gets back: already masked, possibly a summary (then ``summarized``)."""

    content: str
    is_error: bool = False
    summarized: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)


class ToolExecutor(Protocol):
    """The one interface through which agents reach tools (MCP in the service).

    ``execute`` never raises for a tool's own failure: it returns ``is_error=True`` with a message
    for the model. It records what it did (interactions, masking, summaries) itself.
    """

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]: ...

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome: ...
