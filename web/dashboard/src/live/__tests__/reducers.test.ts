import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { type SessionDetail, sessionKeys, toSessionDetail } from "../../api/session";
import { type TimelineData, timelineKeys, toTimelineData } from "../../api/timeline";
import { sessionWire, sse, timelineWire } from "../../components/timeline/__tests__/factory";
import { parseStreamEvent } from "../events";
import { applyToDetail, applyToTimeline } from "../reducers";
import { applySessionMessages } from "../useSessionStream";

const parse = (...messages: ReturnType<typeof sse>[]) => messages.map(parseStreamEvent);

describe("applyToTimeline", () => {
  it("a replayed 'created' never resets text that streamed live", () => {
    const start: TimelineData = { events: [], cursor: 0 };
    const created = sse(
      "timeline_event.created",
      {
        event_id: "e1",
        sequence: 1,
        stage_id: "s",
        execution_id: "x",
        event_type: "llm_response",
        status: "streaming",
        content: "",
      },
      5,
    );
    let t = applyToTimeline(
      start,
      parse(
        created,
        sse("stream.chunk", { event_id: "e1", delta: "Hel" }),
        sse("stream.chunk", { event_id: "e1", delta: "lo" }),
      ),
    );
    expect(t.events[0]?.content).toBe("Hello");
    t = applyToTimeline(t, parse(created));
    expect(t.events).toHaveLength(1);
    expect(t.events[0]?.content).toBe("Hello");
    t = applyToTimeline(
      t,
      parse(sse("timeline_event.completed", { event_id: "e1", status: "completed", content: "Hello, world" }, 6)),
    );
    expect(t.events[0]).toMatchObject({ status: "completed", content: "Hello, world", partial: false });
    expect(t.cursor).toBe(6);
  });

  it("marks text as partial when the first delta seen comes long after the event began", () => {
    const t = applyToTimeline(
      { events: [], cursor: 0 },
      parse(
        sse(
          "timeline_event.created",
          {
            event_id: "e1",
            sequence: 1,
            event_type: "llm_thinking",
            status: "streaming",
            content: "",
            timestamp: "2026-01-01T00:00:00Z",
          },
          1,
        ),
        sse("stream.chunk", { event_id: "e1", delta: "…middle", timestamp: "2026-01-01T00:00:05Z" }),
      ),
    );
    expect(t.events[0]?.partial).toBe(true);
  });

  it("closes what was streaming when the session ends, but not a later chat turn", () => {
    const t = applyToTimeline(
      toTimelineData([
        timelineWire({ id: "old", status: "streaming", content: "", created_at: "2026-01-01T00:00:00Z" }),
        timelineWire({ id: "chat", status: "streaming", content: "", created_at: "2026-01-01T00:10:00Z" }),
      ]),
      parse(sse("session.status", { status: "cancelled", timestamp: "2026-01-01T00:05:00Z" }, 9)),
    );
    expect(t.events.map((e) => e.status)).toEqual(["cancelled", "streaming"]);
  });
});

describe("applyToDetail", () => {
  it("shows a session queued to resume after a decision as pending, not awaiting approval", () => {
    const waiting = toSessionDetail(sessionWire({ status: "awaiting_approval" }));
    const resumed = applyToDetail(waiting, parse(sse("session.status", { status: "pending", resumed: true }, 9)));
    expect(resumed.status).toBe("pending");
    // A replayed (old) pending without `resumed` still never moves a status backwards.
    const replayed = applyToDetail(waiting, parse(sse("session.status", { status: "pending" }, 1)));
    expect(replayed.status).toBe("awaiting_approval");
    // And the run that follows takes over as usual.
    const running = applyToDetail(resumed, parse(sse("session.status", { status: "in_progress", resumed: true }, 10)));
    expect(running.status).toBe("in_progress");
  });

  it("keeps the session's approvals current from approval events; a decision is final", () => {
    const approval = {
      id: "a1",
      status: "pending",
      tool: "k8s.restart",
      arguments: {},
      agent: "Agent",
      reason: "",
      requested_at: "2026-01-01T00:00:00Z",
      expires_at: "2026-01-01T01:00:00Z",
      decided_at: null,
      decided_by: null,
      comment: null,
    };
    const detail = toSessionDetail(sessionWire({ status: "awaiting_approval", approvals: [] }));
    const decided = { ...approval, status: "approved", decided_by: "bob", comment: "ok" };
    const d = applyToDetail(
      detail,
      parse(
        sse("approval.requested", { approval }, 1),
        sse("approval.decided", { approval: decided }, 2),
        sse("approval.requested", { approval }, 1),
      ),
    );
    expect(d.approvals.map((a) => [a.id, a.status, a.decidedBy, a.comment])).toEqual([["a1", "approved", "bob", "ok"]]);
  });

  it("adds stages and executions from events and never moves a status backwards", () => {
    const detail = toSessionDetail(sessionWire({ stages: [], status: "completed" }));
    const d = applyToDetail(
      detail,
      parse(
        sse("session.status", { status: "in_progress" }, 1),
        sse(
          "stage.status",
          {
            stage_id: "s2",
            stage_index: 1,
            stage_name: "collect",
            stage_type: "investigation",
            parallel_type: "multi_agent",
            status: "started",
          },
          2,
        ),
        sse(
          "execution.status",
          { stage_id: "s2", execution_id: "x2", agent_name: "LogAgent", agent_index: 1, status: "active" },
          3,
        ),
        sse(
          "execution.status",
          { stage_id: "s2", execution_id: "x1", agent_name: "PodAgent", agent_index: 0, status: "completed" },
          4,
        ),
        sse(
          "execution.status",
          { stage_id: "s2", execution_id: "x1", agent_name: "PodAgent", agent_index: 0, status: "active" },
          5,
        ),
      ),
    );
    expect(d.status).toBe("completed");
    expect(d.stages).toHaveLength(1);
    expect(d.stages[0]).toMatchObject({ name: "collect", parallelType: "multi_agent", status: "active" });
    expect(d.stages[0]?.executions.map((e) => [e.agentName, e.status])).toEqual([
      ["PodAgent", "completed"],
      ["LogAgent", "active"],
    ]);
  });
});

describe("applySessionMessages", () => {
  it("drops events at or below the cache's cursor and moves the cursor", () => {
    const client = new QueryClient();
    const id = "s";
    client.setQueryData<TimelineData>(timelineKeys.timeline(id), { events: [], cursor: 10 });
    client.setQueryData<SessionDetail>(
      sessionKeys.detail(id),
      toSessionDetail(sessionWire({ id, status: "in_progress" })),
    );
    const applied = applySessionMessages(client, id, [
      sse("session.status", { status: "completed" }, 10),
      sse("session.status", { status: "cancelling" }, 11),
    ]);
    expect(applied.map((e) => e.id)).toEqual([11]);
    expect(client.getQueryData<SessionDetail>(sessionKeys.detail(id))?.status).toBe("cancelling");
    expect(client.getQueryData<TimelineData>(timelineKeys.timeline(id))?.cursor).toBe(11);
  });
});
