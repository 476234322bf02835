/** Follow-up chat on a finished session: history, sending a question, cancelling the answer. */

import { asArray, asNumber, asRecord, asString, toDate } from "./convert";
import { API_PREFIX, request } from "./http";

export type ChatMessageStatus = "pending" | "in_progress" | "completed" | "failed" | "cancelled" | "timed_out";

export interface ChatMessageWire {
  message_id: string;
  author: string;
  content: string;
  created_at: string | null;
  stage_id: string | null;
  stage_index?: number | null;
  status: string;
  answer: string | null;
  error_message?: string | null;
  cancelled_by?: string | null;
}

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
    messageId: asString(w.message_id),
    author: asString(w.author),
    content: asString(w.content),
    createdAt: toDate(w.created_at),
    stageId: w.stage_id ?? null,
    stageIndex: typeof w.stage_index === "number" ? w.stage_index : null,
    status: toChatStatus(w.status),
    answer: w.answer ?? null,
    errorMessage: w.error_message ?? null,
    cancelledBy: w.cancelled_by ?? null,
  };
}

export function toChatHistory(raw: unknown): ChatHistory {
  const w = asRecord(raw);
  return {
    chatId: w.chat_id == null ? null : asString(w.chat_id),
    messages: asArray<ChatMessageWire>(w.messages).map(toChatMessage),
  };
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
      const w = asRecord(raw);
      return { chatId: asString(w.chat_id), messageId: asString(w.message_id) };
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
