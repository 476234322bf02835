/** The events of a session's SSE stream, parsed from raw messages into typed values. */

import { asNumber, asRecord, asString, toDate } from "../api/convert";
import { type ChatMessageStatus, toChatStatus } from "../api/chat";
import type { ParallelType, StageType } from "../api/session";
import {
  type RecordStatus,
  type SessionStatus,
  type TimelineStatus,
  toRecordStatus,
  toSessionStatus,
  toTimelineStatus,
} from "../api/status";
import { type TimelineEvent, toEventType } from "../api/timeline";
import type { SseMessage } from "./sse";

interface Base {
  /** SSE id; null for transient events (token deltas). */
  id: number | null;
  /** Server time the event was published. */
  at: Date | null;
}

export interface SessionStatusEvent extends Base {
  type: "session.status";
  sessionId: string;
  status: SessionStatus;
  error: string | null;
}

export interface StageStatusEvent extends Base {
  type: "stage.status";
  stageId: string;
  stageIndex: number;
  stageName: string;
  stageType: StageType;
  parallelType: ParallelType | null;
  referencedStageId: string | null;
  status: RecordStatus;
  error: string | null;
}

export interface ExecutionStatusEvent extends Base {
  type: "execution.status";
  stageId: string;
  executionId: string;
  agentName: string;
  agentIndex: number;
  status: RecordStatus;
  error: string | null;
}

export interface TimelineCreatedEvent extends Base {
  type: "timeline_event.created";
  event: TimelineEvent;
}

export interface TimelineCompletedEvent extends Base {
  type: "timeline_event.completed";
  eventId: string;
  stageId: string | null;
  executionId: string | null;
  eventType: string;
  status: TimelineStatus;
  content: string;
  metadata: Record<string, unknown>;
}

export interface StreamChunkEvent extends Base {
  type: "stream.chunk";
  eventId: string;
  delta: string;
}

export interface InteractionCreatedEvent extends Base {
  type: "interaction.created";
  interactionId: string;
  kind: "llm" | "mcp";
}

export interface ChatStatusEvent extends Base {
  type: "chat.status";
  messageId: string;
  chatId: string;
  status: ChatMessageStatus;
  author: string | null;
  content: string | null;
  error: string | null;
}

export interface OtherEvent extends Base {
  type: "other";
  name: string;
}

export type StreamEvent =
  | SessionStatusEvent
  | StageStatusEvent
  | ExecutionStatusEvent
  | TimelineCreatedEvent
  | TimelineCompletedEvent
  | StreamChunkEvent
  | InteractionCreatedEvent
  | ChatStatusEvent
  | OtherEvent;

function optionalString(value: unknown): string | null {
  return value === null || value === undefined || value === "" ? null : asString(value);
}

function stageType(value: unknown): StageType {
  return value === "synthesis" || value === "exec_summary" || value === "chat" ? value : "investigation";
}

function parallelType(value: unknown): ParallelType | null {
  return value === "single" || value === "multi_agent" || value === "replica" ? value : null;
}

/** Parse one message; the event name comes from `event:` or, failing that, the payload's `type`. */
export function parseStreamEvent(message: SseMessage): StreamEvent {
  let payload: Record<string, unknown> = {};
  try {
    payload = asRecord(JSON.parse(message.data));
  } catch {
    return { type: "other", name: message.event, id: message.id, at: null };
  }
  const name = message.event !== "message" ? message.event : asString(payload.type, "message");
  const base: Base = { id: message.id, at: toDate(optionalString(payload.timestamp)) };
  switch (name) {
    case "session.status":
      return {
        ...base,
        type: name,
        sessionId: asString(payload.session_id),
        status: toSessionStatus(payload.status),
        error: optionalString(payload.error ?? payload.error_message),
      };
    case "stage.status":
      return {
        ...base,
        type: name,
        stageId: asString(payload.stage_id),
        stageIndex: asNumber(payload.stage_index),
        stageName: asString(payload.stage_name ?? payload.name),
        stageType: stageType(payload.stage_type),
        parallelType: parallelType(payload.parallel_type),
        referencedStageId: optionalString(payload.referenced_stage_id),
        status: toRecordStatus(payload.status),
        error: optionalString(payload.error ?? payload.error_message),
      };
    case "execution.status":
      return {
        ...base,
        type: name,
        stageId: asString(payload.stage_id),
        executionId: asString(payload.execution_id),
        agentName: asString(payload.agent_name),
        agentIndex: asNumber(payload.agent_index),
        status: toRecordStatus(payload.status),
        error: optionalString(payload.error ?? payload.error_message),
      };
    case "timeline_event.created": {
      const rawType = asString(payload.event_type);
      return {
        ...base,
        type: name,
        event: {
          id: asString(payload.event_id),
          sequence: asNumber(payload.sequence),
          stageId: optionalString(payload.stage_id),
          executionId: optionalString(payload.execution_id),
          eventType: toEventType(rawType),
          rawType,
          status: toTimelineStatus(payload.status),
          content: asString(payload.content),
          metadata: asRecord(payload.metadata),
          createdAt: base.at,
          updatedAt: base.at,
          partial: false,
        },
      };
    }
    case "timeline_event.completed":
      return {
        ...base,
        type: name,
        eventId: asString(payload.event_id),
        stageId: optionalString(payload.stage_id),
        executionId: optionalString(payload.execution_id),
        eventType: asString(payload.event_type),
        status: toTimelineStatus(payload.status ?? "completed"),
        content: asString(payload.content),
        metadata: asRecord(payload.metadata),
      };
    case "stream.chunk":
      return { ...base, type: name, eventId: asString(payload.event_id), delta: asString(payload.delta) };
    case "interaction.created":
      return {
        ...base,
        type: name,
        interactionId: asString(payload.interaction_id),
        kind: payload.kind === "mcp" ? "mcp" : "llm",
      };
    case "chat.status":
      return {
        ...base,
        type: name,
        messageId: asString(payload.message_id),
        chatId: asString(payload.chat_id),
        status: toChatStatus(payload.status),
        author: optionalString(payload.author),
        content: optionalString(payload.content),
        error: optionalString(payload.error),
      };
    default:
      return { ...base, type: "other", name };
  }
}
