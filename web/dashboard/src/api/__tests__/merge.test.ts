import { describe, expect, it } from "vitest";
import { mergeDetailSnapshot, toSessionDetail } from "../session";
import { mergeTimelineSnapshot, toTimelineData } from "../timeline";
import { sessionWire, timelineWire } from "../../components/timeline/__tests__/factory";

describe("mergeTimelineSnapshot", () => {
  it("keeps live text of a streaming event over the empty stored one, takes finished events from REST", () => {
    const live = toTimelineData([
      timelineWire({ id: "a", status: "streaming", content: "" }),
      timelineWire({ id: "b", status: "streaming", content: "" }),
    ]);
    live.events[0] = { ...live.events[0]!, content: "streamed so far" };
    live.events[1] = { ...live.events[1]!, content: "partial" };
    live.cursor = 12;
    const rest = toTimelineData([
      timelineWire({ id: "a", sequence: live.events[0]!.sequence, status: "streaming", content: "" }),
      timelineWire({ id: "b", sequence: live.events[1]!.sequence, status: "completed", content: "final text" }),
    ]);
    const merged = mergeTimelineSnapshot(live, rest);
    expect(merged.events.map((e) => [e.id, e.status, e.content])).toEqual([
      ["a", "streaming", "streamed so far"],
      ["b", "completed", "final text"],
    ]);
    expect(merged.cursor).toBe(12);
  });

  it("keeps events the stream added after the snapshot was taken", () => {
    const live = toTimelineData([timelineWire({ id: "x" }), timelineWire({ id: "y" })]);
    const rest = toTimelineData([timelineWire({ id: "x", sequence: live.events[0]!.sequence })]);
    expect(mergeTimelineSnapshot(live, rest).events.map((e) => e.id)).toEqual(["x", "y"]);
  });
});

describe("mergeDetailSnapshot", () => {
  it("does not let an older snapshot undo a status the stream already reported", () => {
    const live = toSessionDetail(sessionWire({ status: "completed" }));
    const stale = toSessionDetail(sessionWire({ status: "in_progress", stages: [] }));
    const merged = mergeDetailSnapshot(live, stale);
    expect(merged.status).toBe("completed");
    expect(merged.stages.map((s) => s.id)).toEqual(["stage-1"]);
  });
});
