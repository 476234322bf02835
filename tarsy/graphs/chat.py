"""The follow-up chat graph: one thread per session (``<session id>:chat``), one run per question.

It starts from the investigation's final state (alert, stage results, final analysis, executive
summary), keeps every turn in its own checkpointed state, and answers with the chain's chat agent,
which can call the session's tools. Each answer is recorded as a ``chat`` stage of the session.
"""

from __future__ import annotations

import logging
import operator
from typing import Annotated, Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict

from tarsy.config import TarsyConfig, resolve_chat
from tarsy.errors import StoreUnavailableError, public_reason
from tarsy.graphs.compiler import SessionGraph
from tarsy.graphs.stages import alert_task, run_agent
from tarsy.nodes.agent import build_agent_graph
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


def build_chat_graph(
    config: TarsyConfig,
    chain_id: str,
    *,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    default_context: RunContext | None = None,
) -> SessionGraph:
    agent_graph = build_agent_graph(default_context)

    context_of = context_resolver(default_context, "chat")

    async def answer(state: ChatState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = context_of(runtime)
        message = state["message"]
        agent = resolve_chat(ctx.config, chain_id)
        stage_id = await ctx.recorder.stage_started(
            stage_index=message["stage_index"],
            name=f"Chat: {message['author']}",
            stage_type="chat",
            expected_agents=1,
            success_policy="all",
            parallel_type="single",
        )
        await ctx.recorder.timeline_event(
            event_type="user_question",
            content=message["question"],
            stage_id=stage_id,
            execution_id=None,
            metadata={"author": message["author"], "message_id": message["message_id"]},
        )
        execution_id = await ctx.recorder.execution_started(
            stage_id=stage_id, agent_index=0, agent=agent, model=ctx.models.model_name(agent.llm_provider)
        )
        investigation = state["investigation"]
        task = alert_task(
            {"alert": investigation["alert"]},
            kind="chat",
            question=message["question"],
            previous=context_entries(investigation, list(state.get("turns", []))),
        )
        identity = {"role": "chat", "chain_id": chain_id, "stage_index": 0, "agent_index": 0}
        try:
            text = await run_agent(agent_graph, identity, stage_id, execution_id, task)
        except StoreUnavailableError:
            raise
        except Exception as exc:
            # The chat turn fails on its own; the message row and its stage carry the reason.
            reason = f"{agent.display_name} failed: {public_reason(exc, log, agent.display_name)}"
            await ctx.recorder.execution_finished(execution_id, "failed", reason)
            await ctx.recorder.stage_finished(stage_id, "failed", reason)
            raise
        await ctx.recorder.execution_finished(execution_id, "completed")
        await ctx.recorder.stage_finished(stage_id, "completed")
        turn = ChatTurn(
            message_id=message["message_id"], author=message["author"], question=message["question"], answer=text
        )
        return {"turns": [turn]}

    graph = StateGraph[ChatState, RunContext, ChatInput, ChatState](ChatState, input_schema=ChatInput)
    graph.add_node("answer", answer)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer, name=f"chat:{chain_id}")
