"""What every vendor's run of the investigation scenario must have stored and streamed."""

from __future__ import annotations

from tests.wire.harness import POD_LISTING, PROVIDER, STREAM_WINDOW, TOOL_WIRE_NAME, WireRun
from tests.wire.script import Scenario

CANONICAL_TOOL = "kubernetes-server.pods_list"


def investigation_stored(run: WireRun, scenario: Scenario, *, model: str, thinking_tokens: bool = True) -> None:
    """One ``llm_interactions`` row per call, with the scenario's text, thinking, tool call and tokens.

    ``thinking_tokens`` is False for vendors that fold thinking into output tokens without a count.
    """
    first, answer, summary = scenario.turns
    session = run.session
    assert session["status"] == "completed", session.get("error_message")
    assert session["final_analysis"] == answer.text
    assert session["executive_summary"] == summary.text

    rows = run.interactions
    assert [r["interaction_type"] for r in rows] == ["iteration", "iteration", "executive_summary"]
    for row, turn in zip(rows, scenario.turns, strict=True):
        assert row["provider"] == PROVIDER
        assert row["model"] == model
        assert row["error"] is None
        assert row["thinking"] == turn.thinking
        assert row["response"]["content"] == turn.text
        expected_thinking = turn.usage.thinking if thinking_tokens else 0
        assert (row["input_tokens"], row["output_tokens"], row["thinking_tokens"]) == (
            turn.usage.input,
            turn.usage.output,
            expected_thinking,
        )
        assert row["total_tokens"] == turn.usage.input + turn.usage.output
    assert rows[0]["tools"] == [CANONICAL_TOOL]
    assert rows[2]["tools"] == []
    [call] = rows[0]["response"]["tool_calls"]
    assert call["name"] == TOOL_WIRE_NAME
    assert call["arguments"] == first.tool_calls[0].args
    sent_back = rows[1]["request_messages"]
    assert [m["role"] for m in sent_back] == ["tool"]
    assert sent_back[0]["tool_call_id"] == call["id"]
    assert sent_back[0]["content"] == POD_LISTING


def investigation_streamed(run: WireRun, scenario: Scenario) -> None:
    """Thinking and response events completed with the scenario's text, each built from live deltas."""
    thoughts = [t.thinking for t in scenario.turns if t.thinking]
    texts = [t.text for t in scenario.turns if t.text]
    thinking_events = run.completed("llm_thinking")
    response_events = run.completed("llm_response")
    assert [e["content"] for e in thinking_events] == thoughts
    assert [e["content"] for e in response_events] == texts
    long_enough = [e for e in [*thinking_events, *response_events] if len(e["content"]) > 2 * STREAM_WINDOW]
    assert long_enough, "the scenario needs a text longer than the masking window to show streaming"
    for event in [*thinking_events, *response_events]:
        assert event["status"] == "completed"
        deltas = run.deltas(event["event_id"])
        assert "".join(deltas) == event["content"]
        if len(event["content"]) > 2 * STREAM_WINDOW:  # shorter texts are held back whole by masking
            assert len(deltas) > 1, f"{event['event_type']} arrived in one piece, not streamed"
        assert "".join(deltas) == event["content"]
    assert [e["status"] for e in run.created("llm_thinking")] == ["streaming"] * len(thoughts)

    [created] = run.created("llm_tool_call")
    first_call = scenario.turns[0].tool_calls[0]
    assert created["metadata"]["tool"] == CANONICAL_TOOL
    assert created["metadata"]["arguments"] == first_call.args
    [done] = run.completed("llm_tool_call")
    assert done["content"] == POD_LISTING
    assert done["metadata"]["is_error"] is False


def failed_with(run: WireRun, category: str) -> None:
    """The session failed, and its error names the provider and the class of failure."""
    session = run.session
    assert session["status"] == "failed"
    error = session["error_message"] or ""
    assert f"LLM provider '{PROVIDER}'" in error, error
    assert f"[{category}]" in error, error
    [row] = run.interactions
    assert row["response"] is None
    assert f"[{category}]" in (row["error"] or "")
