/**
 * From stages and events to what the timeline shows: sections per stage (parallel agents as tabs,
 * synthesis right after the stage it weighs), flattened into rows for the virtualized list.
 */

import type { Execution, Stage } from "../../api/session";
import type { TimelineEvent } from "../../api/timeline";

export interface AgentLane {
  execution: Execution | null;
  /** Key of the lane: the execution id, or "" for events of the stage without one. */
  key: string;
  events: TimelineEvent[];
}

export interface Section {
  key: string;
  /** null for session-level events (the final analysis). */
  stage: Stage | null;
  /** Name of the stage a synthesis weighs. */
  synthesisOf: string | null;
  /** Events of the stage itself (no execution), e.g. a chat question. */
  preamble: TimelineEvent[];
  lanes: AgentLane[];
  parallel: boolean;
}

export type Row =
  | { kind: "stage"; key: string; section: Section }
  | { kind: "tabs"; key: string; section: Section; selected: string }
  | { kind: "event"; key: string; section: Section; event: TimelineEvent; lane: AgentLane | null }
  | { kind: "waiting"; key: string; section: Section; text: string };

function placeholderStage(id: string, index: number): Stage {
  return {
    id,
    stageIndex: index,
    name: "Stage",
    stageType: "investigation",
    parallelType: "single",
    expectedAgents: 1,
    successPolicy: "",
    referencedStageId: null,
    status: "active",
    startedAt: null,
    completedAt: null,
    errorMessage: null,
    executions: [],
  };
}

export function buildSections(stages: readonly Stage[], events: readonly TimelineEvent[]): Section[] {
  const byStage = new Map<string, TimelineEvent[]>();
  const sessionLevel: TimelineEvent[] = [];
  for (const e of events) {
    if (e.stageId === null) sessionLevel.push(e);
    else {
      const list = byStage.get(e.stageId);
      if (list) list.push(e);
      else byStage.set(e.stageId, [e]);
    }
  }
  const known = new Set(stages.map((s) => s.id));
  const all = [...stages];
  // Events can arrive before their stage (REST lag): show them under a placeholder.
  for (const id of byStage.keys()) {
    if (!known.has(id)) all.push(placeholderStage(id, Number.MAX_SAFE_INTEGER));
  }
  const names = new Map(stages.map((s) => [s.id, s.name]));

  const sections: Section[] = all.map((stage) => {
    const stageEvents = byStage.get(stage.id) ?? [];
    const lanes = new Map<string, AgentLane>();
    for (const execution of stage.executions) lanes.set(execution.id, { execution, key: execution.id, events: [] });
    const preamble: TimelineEvent[] = [];
    for (const e of stageEvents) {
      if (e.executionId === null) {
        preamble.push(e);
        continue;
      }
      let lane = lanes.get(e.executionId);
      if (!lane) {
        lane = { execution: null, key: e.executionId, events: [] };
        lanes.set(e.executionId, lane);
      }
      lane.events.push(e);
    }
    const laneList = nestSubAgents([...lanes.values()]);
    return {
      key: stage.id,
      stage,
      synthesisOf:
        stage.stageType === "synthesis" && stage.referencedStageId
          ? (names.get(stage.referencedStageId) ?? null)
          : null,
      preamble,
      lanes: laneList,
      parallel: laneList.length > 1 || stage.parallelType !== "single",
    };
  });
  if (sessionLevel.length > 0) {
    // The investigation's result closes the investigation: follow-up chat turns come after it.
    const firstChat = sections.findIndex((s) => s.stage?.stageType === "chat");
    const result: Section = {
      key: "session",
      stage: null,
      synthesisOf: null,
      preamble: sessionLevel,
      lanes: [],
      parallel: false,
    };
    sections.splice(firstChat < 0 ? sections.length : firstChat, 0, result);
  }
  return sections;
}

/** Lanes in order, each sub-agent right after the execution that dispatched it (and its siblings). */
export function nestSubAgents(lanes: AgentLane[]): AgentLane[] {
  const children = new Map<string, AgentLane[]>();
  const roots: AgentLane[] = [];
  const ids = new Set(lanes.map((l) => l.key));
  for (const lane of lanes) {
    const parent = lane.execution?.parentExecutionId;
    if (parent && ids.has(parent)) children.set(parent, [...(children.get(parent) ?? []), lane]);
    else roots.push(lane);
  }
  return roots.flatMap((lane) => [lane, ...(children.get(lane.key) ?? [])]);
}

/** The lane shown for a parallel section: the chosen one, else the first with something to show. */
export function selectedLane(section: Section, chosen: string | undefined): string {
  if (chosen && section.lanes.some((l) => l.key === chosen)) return chosen;
  return section.lanes[0]?.key ?? "";
}

export function flattenRows(sections: readonly Section[], chosenLanes: Readonly<Record<string, string>>): Row[] {
  const rows: Row[] = [];
  for (const section of sections) {
    rows.push({ kind: "stage", key: `stage:${section.key}`, section });
    for (const event of section.preamble) rows.push({ kind: "event", key: event.id, section, event, lane: null });
    if (section.parallel) {
      const selected = selectedLane(section, chosenLanes[section.key]);
      if (section.lanes.length > 0) rows.push({ kind: "tabs", key: `tabs:${section.key}`, section, selected });
      const lane = section.lanes.find((l) => l.key === selected);
      if (lane) {
        for (const event of lane.events) rows.push({ kind: "event", key: event.id, section, event, lane });
        if (lane.events.length === 0) rows.push(waiting(section, lane.key));
      }
    } else {
      for (const lane of section.lanes) {
        for (const event of lane.events) rows.push({ kind: "event", key: event.id, section, event, lane });
      }
      const empty = section.preamble.length === 0 && section.lanes.every((l) => l.events.length === 0);
      if (empty && section.stage) rows.push(waiting(section, ""));
    }
  }
  return rows;
}

function waiting(section: Section, lane: string): Row {
  const active = section.stage?.status === "active" || section.stage?.status === "pending";
  return {
    kind: "waiting",
    key: `waiting:${section.key}:${lane}`,
    section,
    text: active ? "Waiting for the agent's first words…" : "No events recorded.",
  };
}

/** Where an event lives, for deep links: its section and lane. */
export function locate(
  sections: readonly Section[],
  eventId: string,
): { section: Section; lane: string | null } | null {
  for (const section of sections) {
    if (section.preamble.some((e) => e.id === eventId)) return { section, lane: null };
    for (const lane of section.lanes) if (lane.events.some((e) => e.id === eventId)) return { section, lane: lane.key };
  }
  return null;
}
