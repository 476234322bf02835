/**
 * Keeps one session's cached REST data (detail, timeline, chat) up to date from its SSE stream.
 *
 * The cache is the single source of truth: REST fills it, stream events fold into it, pages read
 * it. The timeline entry carries the id of the last event folded in (`cursor`); a new connection
 * resumes after it (`?after=`), a dropped one reconnects with `Last-Event-ID`, and events at or
 * below the cursor are dropped, so a replay can neither lose nor repeat anything.
 */

import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { type ChatHistory, chatKeys, isChatInFlight } from "../api/chat";
import { type SessionDetail, sessionEventsUrl, sessionKeys } from "../api/session";
import { sessionListKeys } from "../api/sessions";
import { isTerminal } from "../api/status";
import { type TimelineData, timelineKeys } from "../api/timeline";
import { traceKeys } from "../api/trace";
import { parseStreamEvent, type StreamEvent } from "./events";
import { useLive } from "./LiveContext";
import { applyToChat, applyToDetail, applyToTimeline } from "./reducers";
import { runStream, type SseMessage, type StreamState } from "./sse";

export type SessionStreamState = StreamState | "idle";

/** Fold a batch of raw messages into the cache; returns the events that were new. */
export function applySessionMessages(
  client: QueryClient,
  sessionId: string,
  messages: readonly SseMessage[],
): StreamEvent[] {
  const timelineKey = timelineKeys.timeline(sessionId);
  const cursor = client.getQueryData<TimelineData>(timelineKey)?.cursor ?? 0;
  const events = messages.map(parseStreamEvent).filter((e) => e.id === null || e.id > cursor);
  if (events.length === 0) return events;
  client.setQueryData<TimelineData>(timelineKey, (old) => (old ? applyToTimeline(old, events) : old));
  client.setQueryData<SessionDetail>(sessionKeys.detail(sessionId), (old) => (old ? applyToDetail(old, events) : old));
  client.setQueryData<ChatHistory>(chatKeys.chat(sessionId), (old) => (old ? applyToChat(old, events) : old));

  if (events.some((e) => e.type === "interaction.created")) {
    void client.invalidateQueries({ queryKey: traceKeys.trace(sessionId), exact: true });
  }
  const sessionEnded = events.some((e) => e.type === "session.status" && isTerminal(e.status));
  const chatEnded = events.some((e) => e.type === "chat.status" && isTerminal(e.status));
  if (sessionEnded || chatEnded) {
    // Fields no event carries (token totals, the chat answer, timings) come from REST.
    void client.invalidateQueries({ queryKey: sessionKeys.stats(sessionId) });
    void client.invalidateQueries({ queryKey: chatKeys.chat(sessionId) });
  }
  if (sessionEnded) {
    void client.invalidateQueries({ queryKey: sessionKeys.detail(sessionId) });
    void client.invalidateQueries({ queryKey: sessionListKeys.active() });
  }
  if (events.some((e) => e.type === "stage.status")) {
    // New executions arrive without their model/provider; REST fills those in.
    void client.invalidateQueries({ queryKey: sessionKeys.detail(sessionId) });
  }
  return events;
}

/** Whether the page still expects events: the session runs, or a chat answer is on its way. */
export function expectsMore(client: QueryClient, sessionId: string): boolean {
  const detail = client.getQueryData<SessionDetail>(sessionKeys.detail(sessionId));
  if (detail && !isTerminal(detail.status)) return true;
  const chat = client.getQueryData<ChatHistory>(chatKeys.chat(sessionId));
  return chat?.messages.some(isChatInFlight) ?? false;
}

export function useSessionStream(sessionId: string, enabled: boolean): SessionStreamState {
  const client = useQueryClient();
  const live = useLive();
  const [state, setState] = useState<SessionStreamState>("idle");
  const label = useRef(`session ${sessionId.slice(0, 8)}`);

  useEffect(() => {
    if (!enabled) {
      setState("idle");
      return;
    }
    const key = `session:${sessionId}`;
    const controller = new AbortController();
    const after = client.getQueryData<TimelineData>(timelineKeys.timeline(sessionId))?.cursor ?? 0;
    void runStream({
      url: sessionEventsUrl(sessionId),
      after,
      transport: live.transport,
      flushEveryMs: live.flushEveryMs,
      backoffMs: live.backoffMs,
      signal: controller.signal,
      onMessages: (messages) => applySessionMessages(client, sessionId, messages),
      onState: (next, detail) => {
        if (controller.signal.aborted) return;
        setState(next);
        if (next === "ended") live.connections.remove(key);
        else live.connections.report(key, label.current, next, detail);
      },
      shouldResume: () => expectsMore(client, sessionId),
    });
    return () => {
      controller.abort();
      live.connections.remove(key);
    };
  }, [client, live, sessionId, enabled]);

  return state;
}
