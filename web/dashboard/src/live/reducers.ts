/**
 * Folding stream events into the cached REST shapes. Pure functions: the stream controller and the
 * tests use the same code, and applying an event twice changes nothing (replays are harmless even
 * before the id check drops them).
 */

import { mergeApprovals } from "../api/approvals";
import type { ChatHistory, ChatMessage } from "../api/chat";
import type { Execution, SessionDetail, Stage } from "../api/session";
import { isTerminal, laterRecordStatus, laterSessionStatus } from "../api/status";
import type { TimelineData, TimelineEvent } from "../api/timeline";
import type { StreamEvent } from "./events";

/** A first delta this much later than its event's creation means earlier deltas were missed. */
const LATE_FIRST_DELTA_MS = 1500;
const STREAMED_TYPES = new Set(["llm_thinking", "llm_response"]);

export function applyToTimeline(data: TimelineData, batch: readonly StreamEvent[]): TimelineData {
  let events: TimelineEvent[] | null = null; // copied on first change
  let index: Map<string, number> | null = null;
  let cursor = data.cursor;
  let needsSort = false;
  const list = () => (events ??= data.events.slice());
  const positions = () => {
    if (!index) {
      index = new Map();
      list().forEach((e, i) => index?.set(e.id, i));
    }
    return index;
  };
  const replace = (i: number, next: TimelineEvent) => {
    list()[i] = next;
  };

  for (const ev of batch) {
    if (ev.id !== null) cursor = Math.max(cursor, ev.id);
    switch (ev.type) {
      case "timeline_event.created": {
        const i = positions().get(ev.event.id);
        if (i === undefined) {
          const arr = list();
          const last = arr[arr.length - 1];
          if (last && last.sequence > ev.event.sequence) needsSort = true;
          positions().set(ev.event.id, arr.length);
          arr.push(ev.event);
        } else {
          const old = list()[i];
          // Only a finished payload may overwrite; a replayed "created" never resets live text.
          if (old && old.status === "streaming" && ev.event.status !== "streaming") {
            replace(i, { ...old, status: ev.event.status, content: ev.event.content, partial: false });
          }
        }
        break;
      }
      case "timeline_event.completed": {
        const i = positions().get(ev.eventId);
        if (i === undefined) {
          const arr = list();
          const sequence = (arr[arr.length - 1]?.sequence ?? 0) + 0.5;
          positions().set(ev.eventId, arr.length);
          arr.push({
            id: ev.eventId,
            sequence,
            stageId: ev.stageId,
            executionId: ev.executionId,
            eventType: toKnownType(ev.eventType),
            rawType: ev.eventType,
            status: ev.status,
            content: ev.content,
            metadata: ev.metadata,
            createdAt: ev.at,
            updatedAt: ev.at,
            partial: false,
          });
        } else {
          const old = list()[i];
          if (old) {
            replace(i, {
              ...old,
              status: ev.status,
              content: ev.content,
              metadata: { ...old.metadata, ...ev.metadata },
              updatedAt: ev.at ?? old.updatedAt,
              partial: false,
            });
          }
        }
        break;
      }
      case "stream.chunk": {
        const i = positions().get(ev.eventId);
        const old = i === undefined ? undefined : list()[i];
        if (i === undefined || !old || old.status !== "streaming") break;
        const late =
          old.content === "" &&
          STREAMED_TYPES.has(old.rawType) &&
          old.createdAt !== null &&
          ev.at !== null &&
          ev.at.getTime() - old.createdAt.getTime() > LATE_FIRST_DELTA_MS;
        replace(i, { ...old, content: old.content + ev.delta, partial: old.partial || late });
        break;
      }
      case "session.status": {
        // The session ended: what was still streaming then was closed by the server (it stores
        // them as failed, or cancelled/timed out, without an event each). Later events (a chat
        // turn on the finished session) are created after this moment and stay untouched.
        const endedAt = ev.at;
        if (!isTerminal(ev.status) || endedAt === null) break;
        const ended = toEnded(ev.status);
        list().forEach((e, i) => {
          if (e.status === "streaming" && e.createdAt !== null && e.createdAt <= endedAt) {
            replace(i, { ...e, status: ended });
          }
        });
        break;
      }
      default:
        break;
    }
  }
  if (!events && cursor === data.cursor) return data;
  const out = events ?? data.events;
  if (needsSort) out.sort((a, b) => a.sequence - b.sequence);
  return { events: out, cursor };
}

function toEnded(status: string): TimelineEvent["status"] {
  return status === "cancelled" || status === "timed_out" ? status : "failed";
}

function toKnownType(raw: string): TimelineEvent["eventType"] {
  switch (raw) {
    case "llm_thinking":
    case "llm_response":
    case "llm_tool_call":
    case "mcp_tool_summary":
    case "final_analysis":
    case "executive_summary":
    case "code_execution":
    case "google_search_result":
    case "error":
    case "user_question":
      return raw;
    default:
      return "other";
  }
}

function upsertStage(stages: Stage[], id: string, make: () => Stage, update: (s: Stage) => Stage): Stage[] {
  const i = stages.findIndex((s) => s.id === id);
  if (i < 0) return [...stages, update(make())].sort((a, b) => a.stageIndex - b.stageIndex);
  const next = stages.slice();
  const current = next[i];
  if (current) next[i] = update(current);
  return next;
}

export function applyToDetail(detail: SessionDetail, batch: readonly StreamEvent[]): SessionDetail {
  let d = detail;
  for (const ev of batch) {
    switch (ev.type) {
      case "session.status": {
        const status = laterSessionStatus(d.status, ev.status, ev.resumed);
        if (status === d.status && !ev.error) break;
        d = {
          ...d,
          status,
          errorMessage: ev.error ?? d.errorMessage,
          startedAt: d.startedAt ?? (status === "in_progress" ? ev.at : null),
          completedAt: d.completedAt ?? (isTerminal(status) ? ev.at : null),
        };
        break;
      }
      case "stage.status": {
        const stages = upsertStage(
          d.stages,
          ev.stageId,
          () => ({
            id: ev.stageId,
            stageIndex: ev.stageIndex,
            name: ev.stageName,
            stageType: ev.stageType,
            parallelType: ev.parallelType ?? "single",
            expectedAgents: 1,
            successPolicy: "",
            referencedStageId: ev.referencedStageId,
            status: "pending",
            startedAt: ev.at,
            completedAt: null,
            errorMessage: null,
            executions: [],
          }),
          (s) => {
            const status = laterRecordStatus(s.status, ev.status);
            return {
              ...s,
              status,
              parallelType: ev.parallelType ?? s.parallelType,
              referencedStageId: s.referencedStageId ?? ev.referencedStageId,
              errorMessage: ev.error ?? s.errorMessage,
              completedAt: s.completedAt ?? (isTerminal(status) ? ev.at : null),
            };
          },
        );
        d = { ...d, stages };
        break;
      }
      case "execution.status": {
        const stages = d.stages.map((s) => {
          if (s.id !== ev.stageId) return s;
          const i = s.executions.findIndex((e) => e.id === ev.executionId);
          const base: Execution =
            i >= 0 && s.executions[i]
              ? s.executions[i]
              : {
                  id: ev.executionId,
                  agentName: ev.agentName,
                  agentIndex: ev.agentIndex,
                  strategy: "",
                  llmProvider: "",
                  model: "",
                  status: "pending",
                  startedAt: ev.at,
                  completedAt: null,
                  errorMessage: null,
                  parentExecutionId: ev.parentExecutionId,
                  task: null,
                };
          const status = laterRecordStatus(base.status, ev.status);
          const updated: Execution = {
            ...base,
            status,
            errorMessage: ev.error ?? base.errorMessage,
            completedAt: base.completedAt ?? (isTerminal(status) ? ev.at : null),
          };
          const executions = s.executions.slice();
          if (i >= 0) executions[i] = updated;
          else executions.push(updated);
          executions.sort((a, b) => a.agentIndex - b.agentIndex);
          return { ...s, executions };
        });
        d = { ...d, stages };
        break;
      }
      case "timeline_event.created":
      case "timeline_event.completed": {
        const type = ev.type === "timeline_event.created" ? ev.event.rawType : ev.eventType;
        const status = ev.type === "timeline_event.created" ? ev.event.status : ev.status;
        const content = ev.type === "timeline_event.created" ? ev.event.content : ev.content;
        if (status !== "completed") break;
        if (type === "final_analysis") d = { ...d, finalAnalysis: content };
        else if (type === "executive_summary") d = { ...d, executiveSummary: content };
        break;
      }
      case "approval.requested":
      case "approval.decided":
        d = { ...d, approvals: mergeApprovals(d.approvals, [ev.approval]) };
        break;
      default:
        break;
    }
  }
  return d;
}

export function applyToChat(chat: ChatHistory, batch: readonly StreamEvent[]): ChatHistory {
  let messages: ChatMessage[] | null = null;
  let chatId = chat.chatId;
  for (const ev of batch) {
    if (ev.type !== "chat.status") continue;
    const list = (messages ??= chat.messages.slice());
    chatId = chatId ?? ev.chatId;
    const i = list.findIndex((m) => m.messageId === ev.messageId);
    const current = i >= 0 ? list[i] : undefined;
    if (current) {
      const ended = current.status !== "pending" && current.status !== "in_progress";
      list[i] = {
        ...current,
        status: ended ? current.status : ev.status,
        errorMessage: ev.error ?? current.errorMessage,
      };
    } else {
      list.push({
        messageId: ev.messageId,
        author: ev.author ?? "",
        content: ev.content ?? "",
        createdAt: ev.at,
        stageId: null,
        stageIndex: null,
        status: ev.status,
        answer: null,
        errorMessage: ev.error,
        cancelledBy: null,
      });
    }
  }
  return messages ? { chatId, messages } : chat;
}
