/** The events of a session's SSE stream, parsed from raw messages into typed values. */

import { type Approval, toApproval } from "../api/approvals";
import { isRecord, toDate } from "../api/convert";
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
import type { Schemas } from "../api/wire";
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
  /** A worker resumed it (`in_progress`), or a decision queued it again (`pending`). */
  resumed: boolean;
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
  parentExecutionId: string | null;
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

/** `approval.requested` / `approval.decided`: one approval as it is now. */
export interface ApprovalEvent extends Base {
  type: "approval.requested" | "approval.decided";
  approval: Approval;
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
  | ApprovalEvent
  | OtherEvent;

/** The payload of each event the API streams, generated from its OpenAPI document (api/wire.ts). */
export type SessionStreamPayload = Schemas["SessionStreamEvent"] | Schemas["SessionListStreamEvent"];

function optionalString(value: string | null | undefined): string | null {
  return value === null || value === undefined || value === "" ? null : value;
}

function stageType(value: string): StageType {
  return value === "synthesis" || value === "exec_summary" || value === "chat" ? value : "investigation";
}

function parallelType(value: string | null | undefined): ParallelType | null {
  return value === "single" || value === "multi_agent" || value === "replica" ? value : null;
}

function readPayload(message: SseMessage): SessionStreamPayload | null {
  try {
    const payload: unknown = JSON.parse(message.data);
    return isRecord(payload) && typeof payload.type === "string" ? (payload as SessionStreamPayload) : null;
  } catch {
    return null;
  }
}

/** Parse one message; the event name comes from `event:` or, failing that, the payload's `type`. */
export function parseStreamEvent(message: SseMessage): StreamEvent {
  const payload = readPayload(message);
  const name = message.event !== "message" ? message.event : (payload?.type ?? "message");
  if (payload === null || payload.type !== name) return { type: "other", name, id: message.id, at: null };
  const base: Base = { id: message.id, at: "timestamp" in payload ? toDate(payload.timestamp) : null };
  switch (payload.type) {
    case "session.status":
      return {
        ...base,
        type: payload.type,
        sessionId: payload.session_id,
        status: toSessionStatus(payload.status),
        error: optionalString(payload.error),
        resumed: payload.resumed === true,
      };
    case "stage.status":
      return {
        ...base,
        type: payload.type,
        stageId: payload.stage_id,
        stageIndex: payload.stage_index,
        stageName: payload.stage_name,
        stageType: stageType(payload.stage_type),
        parallelType: parallelType(payload.parallel_type),
        referencedStageId: optionalString(payload.referenced_stage_id),
        status: toRecordStatus(payload.status),
        error: optionalString(payload.error),
      };
    case "execution.status":
      return {
        ...base,
        type: payload.type,
        stageId: payload.stage_id,
        executionId: payload.execution_id,
        agentName: payload.agent_name,
        agentIndex: payload.agent_index,
        status: toRecordStatus(payload.status),
        error: optionalString(payload.error),
        parentExecutionId: optionalString(payload.parent_execution_id),
      };
    case "timeline_event.created":
      return {
        ...base,
        type: payload.type,
        event: {
          id: payload.event_id,
          sequence: payload.sequence,
          stageId: payload.stage_id,
          executionId: payload.execution_id,
          eventType: toEventType(payload.event_type),
          rawType: payload.event_type,
          status: toTimelineStatus(payload.status),
          content: payload.content,
          metadata: payload.metadata,
          createdAt: base.at,
          updatedAt: base.at,
          partial: false,
        },
      };
    case "timeline_event.completed":
      return {
        ...base,
        type: payload.type,
        eventId: payload.event_id,
        stageId: payload.stage_id,
        executionId: payload.execution_id,
        eventType: payload.event_type,
        status: toTimelineStatus(payload.status),
        content: payload.content,
        metadata: payload.metadata,
      };
    case "stream.chunk":
      return { ...base, type: payload.type, eventId: payload.event_id, delta: payload.delta };
    case "interaction.created":
      return { ...base, type: payload.type, interactionId: payload.interaction_id, kind: payload.kind };
    case "chat.status":
      return {
        ...base,
        type: payload.type,
        messageId: payload.message_id,
        chatId: payload.chat_id,
        status: toChatStatus(payload.status),
        author: optionalString(payload.author),
        content: optionalString(payload.content),
        error: optionalString(payload.error),
      };
    case "approval.requested":
    case "approval.decided":
      return { ...base, type: payload.type, approval: toApproval(payload.approval) };
    default:
      return { ...base, type: "other", name };
  }
}
