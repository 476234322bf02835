"""Resume granularity: a session stopped inside an agent resumes after its last recorded step.

The agent loop runs in process inside the stage's branch node; the checkpoint holds the pending
branch, the records (here the shared in-memory recorder, in the service the database) hold the
agent's transcript. The tests stop a session while the model is answering (the worker dies), then
resume it on the same thread with a new context over the same records, as a second worker would.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from tarsy.graphs.compiler import build_chain_graph
from tarsy.graphs.state import AlertInput
from tests.unit.agent.factories import (
    ALERT_TYPE,
    CHAIN,
    POD_REPORT,
    AgentRun,
    SentMessages,
    make_config,
    observation,
    tool_turn,
    write_script,
)

TOOL_TURNS = [tool_turn("native-thinking", f"call-{i}", namespace=f"ns-{i}") for i in range(3)]
SUMMARY = {"ExecSummaryAgent": [{"text": "web-1 is OOMKilled."}]}


async def test_interrupted_model_call_is_the_only_step_redone(tmp_path: Path) -> None:
    saver = InMemorySaver()
    thread: RunnableConfig = {"configurable": {"thread_id": "session-1"}}

    hanging = make_config(write_script(tmp_path, [*TOOL_TURNS, {"sleep_s": 60, "text": "never"}], **SUMMARY))
    first, sent = AgentRun(hanging), SentMessages(signal_at=4)
    alert: AlertInput = {"alert_type": ALERT_TYPE, "data": {"pod": "web-1"}, "runbook": None}
    watched: RunnableConfig = {**thread, "callbacks": [sent]}
    session = build_chain_graph(hanging, CHAIN, checkpointer=saver)
    worker = asyncio.create_task(session.ainvoke({"alert": alert}, watched, context=first.context()))
    await asyncio.wait_for(sent.reached.wait(), 30)  # the 4th model call started: 3 tool rounds are recorded
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    assert len(first.tools.calls) == 3
    assert (await session.aget_state(thread)).next == ("stage_0_agent",)

    answering = make_config(write_script(tmp_path, [*TOOL_TURNS, {"text": "Resumed: OOMKilled."}], **SUMMARY))
    second = AgentRun(answering, recorder=first.recorder)  # the records survive the worker
    before = len(first.recorder.llm_calls)
    resumed = build_chain_graph(answering, CHAIN, checkpointer=saver)
    out = await resumed.ainvoke(None, thread, context=second.context())

    assert out["final_analysis"] == "Resumed: OOMKilled."
    assert second.tools.calls == []  # no tool round ran twice
    redone = second.llm_calls[before]
    assert (redone.interaction_type, redone.conversation_offset) == ("iteration", 7)
    result = f"{POD_REPORT} (namespace ns-2)"
    assert redone.request_messages == [observation("native-thinking", result, call_id="call-2")]
    assert [c.interaction_type for c in second.llm_calls[before:]] == ["iteration", "executive_summary"]
