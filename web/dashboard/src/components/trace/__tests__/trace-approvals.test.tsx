/** The trace page lists the session's approvals: tool, arguments, agent, status, who decided, when, comment. */

import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../api/wire";
import { LiveProvider } from "../../../live/LiveContext";
import { TraceRoute } from "../../../routes/TraceRoute";
import { ScriptedTransport, sessionWire, testQueryClient } from "../../timeline/__tests__/factory";

afterEach(() => vi.unstubAllGlobals());

const SESSION_ID = "00000000-0000-4000-8000-000000000001";

const rejected: Schemas["ApprovalOut"] = {
  id: "appr-1",
  status: "rejected",
  tool: "kubernetes.restart_deployment",
  arguments: { namespace: "shop", name: "checkout" },
  agent: "RemediationAgent",
  stage: "remediate",
  stage_id: "stage-1",
  execution_id: "exec-1",
  reason: "The pods are stuck.",
  requested_at: "2026-01-01T00:00:05Z",
  expires_at: "2026-01-01T01:00:05Z",
  on_timeout: "reject",
  decided_at: "2026-01-01T00:02:00Z",
  decided_by: "alice",
  comment: "not during the sale",
};

const trace: Schemas["SessionTrace"] = {
  session_id: SESSION_ID,
  stages: [],
  session_interactions: [],
  approvals: [rejected],
};

function serve(): typeof fetch {
  return async (input) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, "http://t");
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (url.pathname === `/api/v1/sessions/${SESSION_ID}/trace`) return json(trace);
    if (url.pathname === `/api/v1/sessions/${SESSION_ID}/timeline`) return json([]);
    if (url.pathname === `/api/v1/sessions/${SESSION_ID}`) return json(sessionWire({ status: "completed" }));
    return json({ error: { code: "not_found", message: url.pathname } }, 404);
  };
}

describe("trace approvals", () => {
  it("shows each approval with its tool, arguments, agent, status and decision", async () => {
    vi.stubGlobal("fetch", serve());
    const router = createMemoryRouter([{ path: "/sessions/:id/trace", element: <TraceRoute /> }], {
      initialEntries: [`/sessions/${SESSION_ID}/trace`],
    });
    render(
      <QueryClientProvider client={testQueryClient()}>
        <LiveProvider transport={new ScriptedTransport([]).transport} flushEveryMs={0} backoffMs={[0]}>
          <RouterProvider router={router} />
        </LiveProvider>
      </QueryClientProvider>,
    );

    const entry = await screen.findByTestId("trace-approval");
    expect(entry).toHaveAttribute("data-approval-id", "appr-1");
    expect(entry).toHaveTextContent("kubernetes.restart_deployment");
    expect(entry).toHaveTextContent("RemediationAgent");
    expect(entry).toHaveTextContent('"namespace": "shop"');
    expect(entry.querySelector("[data-status]")).toHaveAttribute("data-status", "rejected");
    const decision = within(entry).getByTestId("trace-approval-decision");
    expect(decision).toHaveTextContent("Decided by alice at");
    expect(decision).toHaveTextContent(new Date("2026-01-01T00:02:00Z").toLocaleString());
    expect(entry).toHaveTextContent("not during the sale");
  });
});
