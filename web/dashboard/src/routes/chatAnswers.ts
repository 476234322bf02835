/** The live text of chat answers, read from the chat stages of the timeline cache. */

import { asString } from "../api/convert";
import type { ChatMessage } from "../api/chat";
import type { Stage } from "../api/session";
import type { TimelineEvent } from "../api/timeline";
import type { LiveAnswer } from "../components/chat/ChatPanel";

function stageOf(message: ChatMessage, stages: readonly Stage[], events: readonly TimelineEvent[]): string | null {
  if (message.stageId) return message.stageId;
  const question = events.find(
    (e) => e.eventType === "user_question" && asString(e.metadata.message_id) === message.messageId,
  );
  if (question?.stageId) return question.stageId;
  if (message.stageIndex !== null) return stages.find((s) => s.stageIndex === message.stageIndex)?.id ?? null;
  return null;
}

export function liveAnswers(
  messages: readonly ChatMessage[],
  stages: readonly Stage[],
  events: readonly TimelineEvent[],
): Record<string, LiveAnswer> {
  const out: Record<string, LiveAnswer> = {};
  for (const message of messages) {
    if (message.answer) continue;
    const stageId = stageOf(message, stages, events);
    if (!stageId) continue;
    const own = events.filter((e) => e.stageId === stageId);
    const last = own[own.length - 1];
    const response = [...own].reverse().find((e) => e.eventType === "llm_response");
    out[message.messageId] = {
      text: response?.content ?? "",
      thinking: last?.eventType === "llm_thinking" && last.status === "streaming",
    };
  }
  return out;
}
