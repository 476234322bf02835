import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { sessionListKeys } from "../../api/sessions";
import { LiveProvider } from "../LiveContext";
import type { SseMessage, SseTransport } from "../sse";
import { useSessionsListStream } from "../useSessionsListStream";

/** One stream that says `resync` (the server would not replay the backlog), then stays open. */
function resyncTransport(): SseTransport {
  return async (_url, _headers, signal) => ({
    status: 200,
    messages: (async function* (): AsyncGenerator<SseMessage> {
      yield {
        id: 900,
        event: "resync",
        data: JSON.stringify({ type: "resync", after: 0, latest_id: 900, max_catchup_events: 1000 }),
      };
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    })(),
  });
}

describe("session-list stream", () => {
  it("refetches the lists at once when the server says resync", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    client.setQueryData(sessionListKeys.active(), { active: [], queued: [] });
    client.setQueryData(sessionListKeys.list({} as never), { items: [], total: 0, page: 1, page_size: 25 });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>
        <LiveProvider transport={resyncTransport()} flushEveryMs={0}>
          {children}
        </LiveProvider>
      </QueryClientProvider>
    );
    const { unmount } = renderHook(() => useSessionsListStream(), { wrapper });
    await waitFor(() => {
      expect(client.getQueryState(sessionListKeys.active())?.isInvalidated).toBe(true);
      expect(client.getQueryState(sessionListKeys.list({} as never))?.isInvalidated).toBe(true);
    });
    unmount();
  });
});
