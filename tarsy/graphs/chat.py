"""The follow-up chat graph: one thread per session (``<session id>:chat``), one run per question.

It starts from the investigation's final state (alert, stage results, final analysis, executive
summary), keeps every turn in its own checkpointed state, and answers with the chain's chat agent,
which can call the session's tools. Each answer is recorded as a ``chat`` stage of the session.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from typing import Annotated, Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from tarsy.config import TarsyConfig, resolve_chat
from tarsy.errors import AgentError
from tarsy.graphs.compiler import SessionGraph
from tarsy.graphs.recorded import StageRecord, open_stage, run_recorded_agent
from tarsy.graphs.stages import alert_task
from tarsy.nodes.context import RunContext, context_resolver

log = logging.getLogger(__name__)


def chat_thread_id(session_id: str) -> str:
    return f"{session_id}:chat"


class ChatMessage(TypedDict):
    message_id: str
    author: str
    question: str
    stage_index: int


class ChatTurn(TypedDict):
    message_id: str
    author: str
    question: str
    answer: str


class ChatInput(TypedDict):
    investigation: dict[str, Any]  # the session graph's final values
    message: ChatMessage


class ChatState(TypedDict, total=False):
    investigation: dict[str, Any]
    message: ChatMessage
    turns: Annotated[list[ChatTurn], operator.add]


def context_entries(investigation: dict[str, Any], turns: list[ChatTurn]) -> list[dict[str, str]]:
    """What the chat agent sees before the question: the stages, summaries and earlier turns."""
    entries = list(investigation.get("stage_results") or [])
    if investigation.get("final_analysis"):
        entries.append({"stage_name": "Final analysis", "agent_name": "TARSy", "text": investigation["final_analysis"]})
    if investigation.get("executive_summary"):
        entries.append(
            {
                "stage_name": "Executive summary",
                "agent_name": "ExecSummaryAgent",
                "text": investigation["executive_summary"],
            }
        )
    for turn in turns:
        entries.append(
            {
                "stage_name": f"Earlier chat question from {turn['author']}",
                "agent_name": "ChatAgent",
                "text": f"Question: {turn['question']}\n\nAnswer: {turn['answer']}",
            }
        )
    return entries


class ChatNode:
    """Answers one question as a ``chat`` stage of the session."""

    def __init__(self, chain_id: str, context_of: Callable[[Runtime[RunContext]], RunContext]) -> None:
        self.chain_id = chain_id
        self.context_of = context_of

    async def answer(self, state: ChatState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = self.context_of(runtime)
        message = state["message"]
        agent = resolve_chat(ctx.config, self.chain_id)
        stage_id = await open_stage(ctx, StageRecord(message["stage_index"], f"Chat: {message['author']}", "chat"))
        await ctx.recorder.timeline_event(
            event_type="user_question",
            content=message["question"],
            stage_id=stage_id,
            execution_id=None,
            metadata={"author": message["author"], "message_id": message["message_id"]},
        )
        investigation = state["investigation"]
        task = alert_task(
            {"alert": investigation["alert"]},
            kind="chat",
            question=message["question"],
            previous=context_entries(investigation, list(state.get("turns", []))),
        )
        identity = {"role": "chat", "chain_id": self.chain_id, "stage_index": 0, "agent_index": 0}
        result = await run_recorded_agent(ctx, agent, identity, stage_id, task)
        await ctx.recorder.stage_finished(stage_id, "completed" if result.ok else "failed", result.error)
        if not result.ok:  # the chat turn fails on its own; the message row and its stage carry the reason
            raise AgentError(str(result.error))
        turn = ChatTurn(
            message_id=message["message_id"], author=message["author"], question=message["question"], answer=result.text
        )
        return {"turns": [turn]}


def build_chat_graph(
    config: TarsyConfig,
    chain_id: str,
    *,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    default_context: RunContext | None = None,
) -> SessionGraph:
    node = ChatNode(chain_id, context_resolver(default_context, "chat"))
    graph = StateGraph[ChatState, RunContext, ChatInput, ChatState](ChatState, input_schema=ChatInput)
    graph.add_node("answer", node.answer)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer, name=f"chat:{chain_id}")
