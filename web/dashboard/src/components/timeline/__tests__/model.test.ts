import { describe, expect, it } from "vitest";
import { toSessionDetail } from "../../../api/session";
import { toTimelineData } from "../../../api/timeline";
import { buildSections, flattenRows, locate } from "../model";
import { asRecording } from "./factory";
import parallelJson from "./fixtures/parallel-synthesis.json";

const recording = asRecording(parallelJson);
const stages = toSessionDetail(recording.final).stages;
const events = toTimelineData(recording.finalTimeline).events;

describe("timeline model", () => {
  it("groups a parallel stage into lanes and puts session-level events last", () => {
    const sections = buildSections(stages, events);
    expect(sections.map((s) => s.stage?.name ?? "session")).toEqual([
      "investigate",
      "investigate - Synthesis",
      "Executive Summary",
      "session",
    ]);
    expect(sections[0]?.parallel).toBe(true);
    expect(sections[0]?.lanes.map((l) => l.execution?.agentName)).toEqual(["PodAgent", "LogAgent"]);
    expect(sections[1]?.synthesisOf).toBe("investigate");
  });

  it("flattens only the chosen lane of a parallel stage", () => {
    const sections = buildSections(stages, events);
    const log = sections[0]!.lanes[1]!;
    const rows = flattenRows(sections, { [sections[0]!.key]: log.key });
    const first = rows.filter((r) => r.kind === "event" && r.section === sections[0]);
    expect(first.map((r) => (r.kind === "event" ? r.event.id : ""))).toEqual(log.events.map((e) => e.id));
    expect(rows.filter((r) => r.kind === "tabs")).toHaveLength(1);
  });

  it("puts the investigation's result before follow-up chat turns", () => {
    const chat = {
      ...stages[0]!,
      id: "chat-stage",
      stageIndex: 9,
      name: "Chat: alice",
      stageType: "chat" as const,
      parallelType: "single" as const,
      executions: [],
    };
    const question = {
      ...events[0]!,
      id: "q1",
      sequence: 999,
      stageId: "chat-stage",
      executionId: null,
      eventType: "user_question" as const,
      rawType: "user_question",
    };
    const sections = buildSections([...stages, chat], [...events, question]);
    expect(sections.map((s) => s.stage?.name ?? "result").slice(-2)).toEqual(["result", "Chat: alice"]);
  });

  it("locates an event's lane for deep links", () => {
    const sections = buildSections(stages, events);
    const log = sections[0]!.lanes[1]!;
    expect(locate(sections, log.events[0]!.id)).toEqual({ section: sections[0], lane: log.key });
    expect(locate(sections, "nope")).toBeNull();
  });
});
