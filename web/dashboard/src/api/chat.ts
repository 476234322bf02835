/** Follow-up chat on a finished session: history, sending a question, cancelling the answer. */

import { asNumber, toDate } from "./convert";
import { API_PREFIX, request } from "./http";
import type { Schemas } from "./wire";

export type ChatMessageStatus = "pending" | "in_progress" | "completed" | "failed" | "cancelled" | "timed_out";

export type ChatMessageWire = Schemas["ChatMessageOut"];
export type ChatHistoryWire = Schemas["ChatHistory"];
export type ChatAcceptedWire = Schemas["ChatMessageAccepted"];

export interface ChatMessage {
  messageId: string;
  author: string;
  content: string;
  createdAt: Date | null;
  stageId: string | null;
  stageIndex: number | null;
  status: ChatMessageStatus;
  answer: string | null;
  errorMessage: string | null;
  cancelledBy: string | null;
}

export interface ChatHistory {
  chatId: string | null;
  messages: ChatMessage[];
}

export interface ChatAccepted {
  chatId: string;
  messageId: string;
}

export function toChatStatus(value: unknown): ChatMessageStatus {
  switch (value) {
    case "in_progress":
    case "completed":
    case "failed":
    case "cancelled":
    case "timed_out":
      return value;
    case "cancelling":
      return "in_progress";
    default:
      return "pending";
  }
}

export function isChatInFlight(message: ChatMessage): boolean {
  return message.status === "pending" || message.status === "in_progress";
}

export function toChatMessage(w: ChatMessageWire): ChatMessage {
  return {
    messageId: w.message_id,
    author: w.author,
    content: w.content,
    createdAt: toDate(w.created_at),
    stageId: w.stage_id,
    stageIndex: w.stage_index,
    status: toChatStatus(w.status),
    answer: w.answer,
    errorMessage: w.error_message,
    cancelledBy: w.cancelled_by,
  };
}

export function toChatHistory(raw: unknown): ChatHistory {
  const w = raw as ChatHistoryWire;
  return { chatId: w.chat_id, messages: w.messages.map(toChatMessage) };
}

export const chatKeys = {
  chat: (sessionId: string) => ["session", sessionId, "chat"] as const,
};

const base = (sessionId: string) => `${API_PREFIX}/sessions/${encodeURIComponent(sessionId)}/chat`;

export function fetchChat(sessionId: string, signal?: AbortSignal): Promise<ChatHistory> {
  return request(base(sessionId), toChatHistory, { signal });
}

export function sendChatMessage(sessionId: string, content: string): Promise<ChatAccepted> {
  return request(
    `${base(sessionId)}/messages`,
    (raw) => {
      const w = raw as ChatAcceptedWire;
      return { chatId: w.chat_id, messageId: w.message_id };
    },
    { method: "POST", body: { content } },
  );
}

export function cancelChat(sessionId: string): Promise<void> {
  return request(`${base(sessionId)}/cancel`, () => undefined, { method: "POST" });
}

/** Stage index of a chat message, if the server said (used to find its stage before stage_id is set). */
export function chatStageIndex(message: ChatMessage): number | null {
  return message.stageIndex === null ? null : asNumber(message.stageIndex);
}
