"""The scoring graph: one node that asks a model to rate an ended investigation.

Its input is the session's record as text (alert, timeline, final analysis), already masked and
size-limited by the caller (``tarsy.runtime.scoring``); its output is the model's raw answer,
which ``tarsy.nodes.score_parser`` reads.
"""

from __future__ import annotations

import json
from typing import Any, Final, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langgraph.graph import END, START, StateGraph

from tarsy.nodes.score_parser import BANDS, FAILURE_TAGS

SCORER_NAME: Final = "SessionScorer"
MAX_RECORD_CHARS: Final = 60_000
"""The session record sent to the model is cut to this many characters (its middle goes first)."""


class ScoringState(TypedDict, total=False):
    record: str
    answer: str
    input_tokens: int
    output_tokens: int


def system_prompt() -> str:
    bands = "; ".join(f"{o}: {lo}-{hi}" for o, (lo, hi) in BANDS.items())
    return (
        f"You are {SCORER_NAME}, an agent of TARSy.\n"
        "You review a finished incident investigation made by AI agents and rate it from 0 to 100.\n"
        "Judge the outcome first: is the conclusion correct, partially correct or wrong given the "
        f"evidence? The outcome fixes the band of the score ({bands}); the quality of the process "
        "(evidence gathered, tools used well, no wasted steps, clear reasoning) places it within the band.\n"
        "Answer with ONE JSON object and nothing else:\n"
        '{"score": <0-100>, "outcome": "correct|partial|wrong", "analysis": "<why>", '
        '"failure_tags": [<tags>], "tool_report": "<tools that were missing, failing or poor>"}\n'
        f"failure_tags may only use: {', '.join(FAILURE_TAGS)}."
    )


def clip(text: str, limit: int = MAX_RECORD_CHARS) -> str:
    """``text`` cut to ``limit`` characters, keeping its beginning and its end."""
    if len(text) <= limit:
        return text
    keep = (limit - 60) // 2
    return f"{text[:keep]}\n\n[... {len(text) - 2 * keep} characters left out ...]\n\n{text[-keep:]}"


def session_record(session: dict[str, Any], timeline: list[dict[str, Any]]) -> str:
    """The session as the scorer reads it (the caller masks the result)."""
    parts = [
        f"Alert type: {session.get('alert_type')}",
        f"Session status: {session.get('status')}",
        "Alert data:\n" + json.dumps(session.get("alert_data"), ensure_ascii=False, default=str)[:10_000],
    ]
    if session.get("error_message"):
        parts.append(f"Session error: {session['error_message']}")
    steps = [f"[{e.get('event_type')}] {str(e.get('content') or '')[:4000]}" for e in timeline]
    parts.append("Investigation timeline:\n" + ("\n".join(steps) or "(empty)"))
    parts.append(f"Final analysis:\n{session.get('final_analysis') or '(none)'}")
    return clip("\n\n".join(parts))


def scoring_messages(record: str) -> list[BaseMessage]:
    return [SystemMessage(system_prompt()), HumanMessage(f"Rate this investigation.\n\n{record}")]


def build_scoring_graph(model: BaseChatModel) -> Any:
    """A compiled one-node graph: ``{"record": ...}`` in, ``{"answer": ...}`` (plus token counts) out."""

    async def score(state: ScoringState) -> ScoringState:
        reply = await model.ainvoke(scoring_messages(state["record"]))
        usage = getattr(reply, "usage_metadata", None) or {}
        return {
            "answer": reply.text,
            "input_tokens": int(usage.get("input_tokens", 0)),
            "output_tokens": int(usage.get("output_tokens", 0)),
        }

    graph = StateGraph(ScoringState)
    graph.add_node("score", score)
    graph.add_edge(START, "score")
    graph.add_edge("score", END)
    return graph.compile()
