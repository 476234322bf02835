/** Renders the real session page (route, cache, stream controller, timeline) over a recording. */

import type { QueryClient } from "@tanstack/react-query";
import { QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { VirtuosoMockContext } from "react-virtuoso";
import { vi } from "vitest";
import { LiveProvider } from "../../../live/LiveContext";
import { SessionDetailRoute } from "../../../routes/SessionDetailRoute";
import { fakeRestServer, type Recording, ScriptedTransport, testQueryClient } from "./factory";

export interface Harness extends RenderResult {
  client: QueryClient;
  transport: ScriptedTransport;
  sessionId: string;
}

export function renderRecording(
  recording: Recording,
  options: { transport?: ScriptedTransport; client?: QueryClient; path?: string } = {},
): Harness {
  const transport = options.transport ?? new ScriptedTransport(recording.connections);
  const client = options.client ?? testQueryClient();
  vi.stubGlobal("fetch", fakeRestServer(recording, transport));
  const sessionId = recording.session.id;
  const router = createMemoryRouter([{ path: "/sessions/:id", element: <SessionDetailRoute /> }], {
    initialEntries: [options.path ?? `/sessions/${sessionId}`],
  });
  const result = render(
    <QueryClientProvider client={client}>
      <LiveProvider transport={transport.transport} flushEveryMs={0} backoffMs={[0]}>
        <VirtuosoMockContext.Provider value={{ viewportHeight: 100_000, itemHeight: 60 }}>
          <RouterProvider router={router} />
        </VirtuosoMockContext.Provider>
      </LiveProvider>
    </QueryClientProvider>,
  );
  return { ...result, client, transport, sessionId };
}
