/**
 * The timeline renderer over RECORDED event sequences (fixtures/, recorded from a real TARSy by
 * scripts/record-session.mjs): the page is driven by the stream exactly as in production, and
 * what it ends up showing must match what REST says once the session is over.
 */

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { TimelineData } from "../../../api/timeline";
import { timelineKeys } from "../../../api/timeline";
import { asRecording, deltasOf, type Recording, ScriptedTransport } from "./factory";
import parallelJson from "./fixtures/parallel-synthesis.json";
import reconnectJson from "./fixtures/reconnect-replay.json";
import streamingJson from "./fixtures/streaming-deltas.json";
import { renderRecording } from "./harness";

// Updates come from the (scripted) stream, outside any act(); waitFor observes them.
beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
});
afterEach(() => vi.unstubAllGlobals());

function cached(client: import("@tanstack/react-query").QueryClient, id: string): TimelineData {
  const data = client.getQueryData<TimelineData>(timelineKeys.timeline(id));
  if (!data) throw new Error("no timeline in the cache");
  return data;
}

/** What the live-built cache says, in the shape REST returns, for comparison with the recording. */
function summary(events: { id: string; status: string; content: string }[]) {
  return events.map((e) => ({ id: e.id, status: e.status, content: e.content }));
}

function headerStatus(): string | null {
  return (
    within(screen.getByTestId("session-header"))
      .getAllByText(/./)[0]
      ?.closest("[data-status]")
      ?.getAttribute("data-status") ?? null
  );
}

describe("parallel stage with synthesis (recorded)", () => {
  const recording: Recording = asRecording(parallelJson);

  it("shows parallel agents as tabs, the synthesis after them, and ends equal to REST", async () => {
    const user = userEvent.setup();
    const { client, transport, sessionId } = renderRecording(recording);
    await transport.finished();

    await waitFor(() => expect(headerStatus()).toBe("completed"));
    const stageNames = screen.getAllByTestId("stage-header").map((h) => within(h).getByRole("heading").textContent);
    expect(stageNames).toEqual(["investigate", "investigate - Synthesis", "Executive Summary"]);
    expect(screen.getByText(/weighs the findings of “investigate”/)).toBeInTheDocument();

    // One tab per parallel agent; the first is open, the other's events are not rendered.
    const tabs = screen.getAllByTestId("lane-tab");
    expect(tabs.map((t) => t.textContent?.replace(/\d+$/, ""))).toEqual(["PodAgent", "LogAgent"]);
    const toolNames = () => screen.getAllByTestId("tool-call").map((t) => t.querySelector("p")?.textContent);
    expect(toolNames()).toEqual(["demo-tools.pods_list"]);
    await user.click(tabs[1] as HTMLElement);
    await waitFor(() => expect(toolNames()).toEqual(["demo-tools.pod_logs"]));

    // Tool calls show their arguments and result.
    const call = screen.getByTestId("tool-call");
    expect(within(call).getByLabelText("arguments")).toHaveTextContent('"pod": "checkout-7d9f"');
    expect(within(call).getByLabelText("result")).toHaveTextContent("unknown tool");

    // The final analysis from the stream, rendered as markdown.
    expect(within(screen.getByTestId("analysis")).getByText("OOMKilled during cache warm-up")).toBeInTheDocument();

    // Live-built cache == the REST timeline after the fact: nothing lost, nothing doubled.
    const live = cached(client, sessionId);
    expect(summary(live.events)).toEqual(summary(recording.finalTimeline));
    expect(live.cursor).toBe(Math.max(...recording.connections[0]!.events.map((e) => e.id ?? 0)));
  });
});

describe("streaming deltas (recorded)", () => {
  const recording: Recording = asRecording(streamingJson);
  const events = recording.connections[0]!.events;
  const response = events.find((e) => e.event === "timeline_event.created" && e.data.event_type === "llm_response")!;
  const responseId = String(response.data.event_id);
  const deltas = deltasOf(recording, responseId);
  const thinking = events.find((e) => e.event === "timeline_event.created" && e.data.event_type === "llm_thinking")!;
  const thinkingId = String(thinking.data.event_id);

  it("accumulates token deltas into the response while it streams, then shows the stored text", async () => {
    expect(deltas.length).toBeGreaterThan(10);
    // Stop the stream when about half of the response's deltas have arrived.
    const half = Math.floor(deltas.length / 2);
    let seen = 0;
    const pauseAt = events.findIndex(
      (e) => e.event === "stream.chunk" && e.data.event_id === responseId && ++seen === half + 1,
    );
    const transport = new ScriptedTransport(recording.connections);
    const gate = transport.pause(0, pauseAt);
    const { client, sessionId } = renderRecording(recording, { transport });
    await gate.reached;

    const soFar = deltas.slice(0, half).join("");
    await waitFor(() => expect(cached(client, sessionId).events.find((e) => e.id === responseId)?.content).toBe(soFar));
    const node = document.getElementById(`event-${responseId}`)!;
    expect(node).toHaveAttribute("data-status", "streaming");
    expect(within(node).getByTestId("response")).toHaveAttribute("data-streaming", "true");
    const lastWord = soFar
      .trim()
      .split(/\s+/)
      .pop()!
      .replace(/[^\w-]/g, "");
    expect(node.textContent).toContain(lastWord);
    expect(headerStatus()).toBe("in_progress");

    gate.release();
    await transport.finished();
    const final = recording.finalTimeline.find((e) => e.id === responseId)!;
    await waitFor(() =>
      expect(document.getElementById(`event-${responseId}`)).toHaveAttribute("data-status", "completed"),
    );
    expect(cached(client, sessionId).events.find((e) => e.id === responseId)?.content).toBe(final.content);
    // Thinking streamed too, and folds away once complete.
    const thought = document.getElementById(`event-${thinkingId}`)!;
    expect(within(thought).getByText("Thought")).toBeInTheDocument();
    expect(within(thought).queryByRole("status", { name: "thinking" })).toBeNull();
    expect(summary(cached(client, sessionId).events)).toEqual(summary(recording.finalTimeline));
  });

  it("shows a live thinking indicator while the model thinks", async () => {
    const firstThinkingDelta = events.findIndex((e) => e.event === "stream.chunk" && e.data.event_id === thinkingId);
    const transport = new ScriptedTransport(recording.connections);
    const gate = transport.pause(0, firstThinkingDelta + 2);
    renderRecording(recording, { transport });
    await gate.reached;
    await waitFor(() => expect(document.getElementById(`event-${thinkingId}`)).not.toBeNull());
    const node = document.getElementById(`event-${thinkingId}`)!;
    expect(within(node).getByRole("status", { name: "thinking" })).toBeInTheDocument();
    expect(within(node).getByTestId("thinking-text")).toHaveTextContent(
      deltasOf(recording, thinkingId).slice(0, 2).join("").trim(),
    );
    gate.release();
    await transport.finished();
  });
});

describe("reconnect replay (recorded)", () => {
  const recording: Recording = asRecording(reconnectJson);
  const [first, second] = recording.connections as [Recording["connections"][0], Recording["connections"][0]];
  const lastIdBeforeDrop = Math.max(...first.events.map((e) => e.id ?? 0));

  it("reconnects with Last-Event-ID, ignores replayed duplicates and loses nothing", async () => {
    expect(first.end).toBe("dropped");
    const duplicates = second.events.filter((e) => e.id !== null && e.id <= lastIdBeforeDrop);
    expect(duplicates.length).toBeGreaterThan(0); // the recording overlaps on purpose
    const streamingResponse = first.events.find(
      (e) => e.event === "timeline_event.created" && e.data.event_type === "llm_response",
    )!;
    const responseId = String(streamingResponse.data.event_id);
    const before = deltasOf({ ...recording, connections: [first] }, responseId).join("");

    const transport = new ScriptedTransport(recording.connections);
    // Hold the second connection right after its duplicates: the text streamed before the drop
    // must still be there (a replayed "created" with empty content must not reset it).
    const gate = transport.pause(1, duplicates.length);
    const { client, sessionId } = renderRecording(recording, { transport });
    await gate.reached;

    expect(transport.calls).toHaveLength(2);
    expect(transport.calls[0]!.headers).toEqual({});
    expect(transport.calls[1]!.headers).toEqual({ "Last-Event-ID": String(lastIdBeforeDrop) });
    await waitFor(() => expect(cached(client, sessionId).cursor).toBe(lastIdBeforeDrop));
    expect(cached(client, sessionId).events.find((e) => e.id === responseId)?.content).toBe(before);

    gate.release();
    await transport.finished();
    await waitFor(() => expect(headerStatus()).toBe("completed"));
    const live = cached(client, sessionId);
    expect(summary(live.events)).toEqual(summary(recording.finalTimeline));
    const rendered = screen.getAllByTestId("timeline-event").map((e) => e.id);
    expect(new Set(rendered).size).toBe(rendered.length);
    expect(rendered).toHaveLength(recording.finalTimeline.length);
  });

  it("resumes after the cached cursor with ?after= on a new connection", async () => {
    const transport = new ScriptedTransport([]);
    const { client, sessionId } = renderRecording(recording, { transport });
    await waitFor(() => expect(transport.calls).toHaveLength(1));
    expect(transport.calls[0]!.url).toBe(`/api/v1/sessions/${sessionId}/events`);
    // A page mounted again (e.g. back from the trace) resumes after what the cache holds.
    client.setQueryData<TimelineData>(timelineKeys.timeline(sessionId), (old) => (old ? { ...old, cursor: 42 } : old));
    const again = renderRecording(recording, { transport, client });
    await waitFor(() => expect(transport.calls).toHaveLength(2));
    expect(transport.calls[1]!.url).toBe(`/api/v1/sessions/${sessionId}/events?after=42`);
    again.unmount();
  });
});
