/**
 * Live updates for list views: `session.status` events of every session patch the cached pages
 * (and `session.score_updated` refetches them)
 * and the active/queued query, then those queries are refetched (debounced) for what events do not
 * carry (queue positions, new rows, token totals). A `resync` event (the client fell too far
 * behind for the server to replay what it missed) refetches them at once. A `session.review_updated`
 * event (docs/review.md) refetches the lists and the triage pages.
 */

import { type InfiniteData, type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { triageKeys } from "../api/reviews";
import {
  type ActiveSessions,
  SESSIONS_EVENTS_URL,
  type SessionPage,
  type SessionSummary,
  sessionListKeys,
} from "../api/sessions";
import { parseStreamEvent, type SessionStatusEvent } from "./events";
import { useLive } from "./LiveContext";
import { runStream, type StreamState } from "./sse";

const REFRESH_DEBOUNCE_MS = 750;

function patch(items: SessionSummary[], byId: Map<string, SessionStatusEvent>): SessionSummary[] {
  let changed = false;
  const next = items.map((s) => {
    const ev = byId.get(s.id);
    if (!ev || ev.status === s.status) return s;
    changed = true;
    return { ...s, status: ev.status };
  });
  return changed ? next : items;
}

export function applyListEvents(client: QueryClient, events: SessionStatusEvent[]): void {
  const byId = new Map(events.map((e) => [e.sessionId, e]));
  client.setQueriesData<SessionPage | InfiniteData<SessionPage>>({ queryKey: sessionListKeys.lists() }, (old) => {
    if (!old || !("items" in old)) return old;
    const items = patch(old.items, byId);
    return items === old.items ? old : { ...old, items };
  });
  client.setQueryData<ActiveSessions>(sessionListKeys.active(), (old) =>
    old ? { active: patch(old.active, byId), queued: patch(old.queued, byId) } : old,
  );
}

export function useSessionsListStream(): StreamState | "idle" {
  const client = useQueryClient();
  const live = useLive();
  const [state, setState] = useState<StreamState | "idle">("idle");

  useEffect(() => {
    const key = "sessions:list";
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        void client.invalidateQueries({ queryKey: sessionListKeys.active() });
        void client.invalidateQueries({ queryKey: sessionListKeys.lists() });
        void client.invalidateQueries({ queryKey: triageKeys.all });
      }, REFRESH_DEBOUNCE_MS);
    };
    void runStream({
      url: SESSIONS_EVENTS_URL,
      after: 0,
      transport: live.transport,
      flushEveryMs: live.flushEveryMs,
      backoffMs: live.backoffMs,
      signal: controller.signal,
      // The list stream never ends on purpose; a clean close is a restart: come back.
      shouldResume: () => true,
      dedupe: "recent",
      onMessages: (messages) => {
        if (messages.some((m) => m.event === "resync")) {
          // The server would not replay a long backlog (system.sse.max_catchup_events): refetch
          // the lists now instead; the stream carries on live from the head.
          void client.invalidateQueries({ queryKey: sessionListKeys.active() });
          void client.invalidateQueries({ queryKey: sessionListKeys.lists() });
          void client.invalidateQueries({ queryKey: triageKeys.all });
        }
        if (messages.some((m) => m.event === "session.review_updated")) refresh();
        // A score changed: the lists carry the latest score, refetched (debounced) like any change.
        if (messages.some((m) => m.event === "session.score_updated")) refresh();
        const events = messages
          .map(parseStreamEvent)
          .filter((e): e is SessionStatusEvent => e.type === "session.status" && e.sessionId !== "");
        if (events.length === 0) return;
        applyListEvents(client, events);
        refresh();
      },
      onState: (next, detail) => {
        if (controller.signal.aborted) return;
        setState(next);
        live.connections.report(key, "session list", next, detail);
      },
    });
    return () => {
      controller.abort();
      if (timer !== null) clearTimeout(timer);
      live.connections.remove(key);
    };
  }, [client, live]);

  return state;
}
