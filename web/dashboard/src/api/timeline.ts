/** The conversation timeline of a session: events in sequence order, plus the live-stream cursor. */

import { asArray, asRecord, asString, toDate } from "./convert";
import { API_PREFIX, request } from "./http";
import { type TimelineStatus, toTimelineStatus } from "./status";
import type { Schemas } from "./wire";

export const TIMELINE_EVENT_TYPES = [
  "llm_thinking",
  "llm_response",
  "llm_tool_call",
  "mcp_tool_summary",
  "final_analysis",
  "executive_summary",
  "code_execution",
  "google_search_result",
  "error",
  "user_question",
  "approval_requested",
  "approval_decided",
  "skill_loaded",
  "provider_fallback",
  "sub_agent_result",
  "memory_injected",
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number] | "other";

// The list above is the generated wire type as a runtime value: a type the API adds or drops
// fails the type check here until the list follows (docs/dashboard.md, "Wire types").
type WireEventType = Schemas["TimelineEventOut"]["event_type"];
type Missing = Exclude<WireEventType, (typeof TIMELINE_EVENT_TYPES)[number]>;
type Extra = Exclude<(typeof TIMELINE_EVENT_TYPES)[number], WireEventType>;
export const TIMELINE_TYPES_MATCH_THE_SCHEMA: [Missing, Extra] extends [never, never] ? true : never = true;

export type TimelineEventWire = Schemas["TimelineEventOut"];

export interface TimelineEvent {
  id: string;
  sequence: number;
  stageId: string | null;
  executionId: string | null;
  eventType: TimelineEventType;
  /** The type as the server spelled it (kept for types this dashboard does not know yet). */
  rawType: string;
  status: TimelineStatus;
  content: string;
  metadata: Record<string, unknown>;
  createdAt: Date | null;
  updatedAt: Date | null;
  /**
   * Live text may be missing a piece: the page joined (or reconnected) while this event was
   * streaming, and token deltas are never replayed. The full text arrives when it completes.
   */
  partial: boolean;
}

/** What the timeline query caches: events by sequence and the id of the last stream event applied. */
export interface TimelineData {
  events: TimelineEvent[];
  /** Highest SSE event id folded into this cache entry; 0 when it only holds REST data. */
  cursor: number;
}

export function toEventType(value: string): TimelineEventType {
  return (TIMELINE_EVENT_TYPES as readonly string[]).includes(value) ? (value as TimelineEventType) : "other";
}

export function toTimelineEvent(w: TimelineEventWire): TimelineEvent {
  return {
    id: w.id,
    sequence: w.sequence,
    stageId: w.stage_id,
    executionId: w.execution_id,
    eventType: toEventType(w.event_type),
    rawType: w.event_type,
    status: toTimelineStatus(w.status),
    content: w.content,
    metadata: w.metadata,
    createdAt: toDate(w.created_at),
    updatedAt: toDate(w.updated_at),
    partial: false,
  };
}

export function toTimelineData(raw: unknown): TimelineData {
  const events = (raw as TimelineEventWire[])
    .map(toTimelineEvent)
    .map((e) => (e.status === "streaming" ? { ...e, partial: true } : e));
  events.sort((a, b) => a.sequence - b.sequence);
  return { events, cursor: 0 };
}

/**
 * Fold a fresh REST snapshot into what the cache already has (TanStack's `structuralSharing`
 * hook). The snapshot wins for finished events; live text of an event still streaming is kept
 * when it is longer, because the database holds only "" until the event completes. The cursor
 * never moves backwards.
 */
export function mergeTimelineSnapshot(previous: TimelineData | undefined, next: TimelineData): TimelineData {
  if (!previous) return next;
  const live = new Map(previous.events.map((e) => [e.id, e]));
  const seen = new Set<string>();
  const merged = next.events.map((fresh) => {
    seen.add(fresh.id);
    const old = live.get(fresh.id);
    if (!old) return fresh;
    if (fresh.status === "streaming" && old.status !== "streaming") return old;
    if (fresh.status === "streaming" && old.content.length >= fresh.content.length) return old;
    return fresh;
  });
  // Events that arrived live after the snapshot was taken.
  for (const old of previous.events) if (!seen.has(old.id)) merged.push(old);
  merged.sort((a, b) => a.sequence - b.sequence);
  return { events: merged, cursor: Math.max(previous.cursor, next.cursor) };
}

// ---------------------------------------------------------------- metadata readers

export interface ToolCallInfo {
  tool: string;
  server: string;
  name: string;
  arguments: Record<string, unknown>;
  isError: boolean;
  summarized: boolean;
}

export function toolCallInfo(event: TimelineEvent): ToolCallInfo {
  const m = event.metadata;
  const tool = asString(m.tool ?? m.tool_name, "tool");
  const dot = tool.indexOf(".");
  return {
    tool,
    server: asString(m.server, dot > 0 ? tool.slice(0, dot) : ""),
    name: dot > 0 ? tool.slice(dot + 1) : tool,
    arguments: asRecord(m.arguments),
    isError: m.is_error === true,
    summarized: m.summarized === true,
  };
}

export interface SearchSource {
  title: string;
  uri: string;
}

export function searchInfo(event: TimelineEvent): { queries: string[]; sources: SearchSource[] } {
  const m = event.metadata;
  return {
    queries: asArray<unknown>(m.queries).map((q) => asString(q)),
    sources: asArray<unknown>(m.sources).map((s) => {
      const r = asRecord(s);
      return { title: asString(r.title), uri: asString(r.uri) };
    }),
  };
}

// ---------------------------------------------------------------- keys and fetch

export const timelineKeys = {
  timeline: (sessionId: string) => ["session", sessionId, "timeline"] as const,
};

export function fetchTimeline(sessionId: string, signal?: AbortSignal): Promise<TimelineData> {
  return request(`${API_PREFIX}/sessions/${encodeURIComponent(sessionId)}/timeline`, toTimelineData, { signal });
}
